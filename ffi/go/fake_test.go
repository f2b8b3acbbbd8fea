package fivetrex_test

// A stand-in for the project's emulator until it lands: an in-memory Fivetran API on loopback
// (net/http/httptest) with groups, connections, cursor pages, syncs that finish after a set
// time, injectable faults and a request count per method and path.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testKey    = "key"
	testSecret = "secret"
)

type fakeGroup struct {
	ID, Name string
	Created  time.Time
}

type fakeConn struct {
	ID, GroupID, Service, Schema string
	Paused                       bool
	SetupState                   string
	Frequency                    int
	Succeeded, Failed            *time.Time
	// What a sync does: take SyncTime, then "success" or "failure"; "never" keeps syncing.
	Outcome  string
	SyncTime time.Duration
	syncEnds time.Time
	syncing  bool
}

type fault struct {
	method, path string
	status       int
	code         string
	retryAfter   string
	delay        time.Duration
	times        int
}

type fakeAPI struct {
	srv    *httptest.Server
	mu     sync.Mutex
	groups []*fakeGroup
	conns  []*fakeConn
	hits   map[string]int
	faults []*fault
	nextID int
}

func newFake(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{hits: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL }

// seed adds groups g0..g{n-1} with m connections each (c<g>_<i>).
func (f *fakeAPI) seed(groups, conns int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for g := 0; g < groups; g++ {
		f.groups = append(f.groups, &fakeGroup{ID: fmt.Sprintf("g%d", g), Name: fmt.Sprintf("group %d", g), Created: base})
		for c := 0; c < conns; c++ {
			at := base.Add(time.Duration(c) * time.Minute)
			f.conns = append(f.conns, &fakeConn{
				ID: fmt.Sprintf("c%d_%d", g, c), GroupID: fmt.Sprintf("g%d", g), Service: "postgres",
				Schema: fmt.Sprintf("schema_%d_%d", g, c), SetupState: "connected", Frequency: 60,
				Succeeded: &at, Outcome: "success", SyncTime: 30 * time.Millisecond,
			})
		}
	}
}

func (f *fakeAPI) conn(id string) *fakeConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// set changes a connection under the lock.
func (f *fakeAPI) set(id string, change func(c *fakeConn)) {
	c := f.conn(id)
	f.mu.Lock()
	defer f.mu.Unlock()
	change(c)
}

func (f *fakeAPI) inject(ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &ft)
}

// count is the number of requests seen for "METHOD /path".
func (f *fakeAPI) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[key]
}

func stamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (c *fakeConn) json() map[string]any {
	state := "scheduled"
	if c.syncing {
		state = "syncing"
	}
	if c.Paused {
		state = "paused"
	}
	return map[string]any{
		"id": c.ID, "group_id": c.GroupID, "service": c.Service, "schema": c.Schema, "paused": c.Paused,
		"sync_frequency": c.Frequency, "schedule_type": "auto",
		"succeeded_at": stamp(c.Succeeded), "failed_at": stamp(c.Failed),
		"status": map[string]any{"setup_state": c.SetupState, "sync_state": state, "update_state": "on_schedule",
			"is_historical_sync": false, "tasks": []any{}, "warnings": []any{}},
		"config": map[string]any{"host": "db.example", "password": "******"},
	}
}

// progress finishes a sync whose time is up.
func (c *fakeConn) progress(now time.Time) {
	if !c.syncing || c.Outcome == "never" || now.Before(c.syncEnds) {
		return
	}
	c.syncing = false
	at := c.syncEnds
	if c.Outcome == "failure" {
		c.Failed = &at
	} else {
		c.Succeeded = &at
	}
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, status int, code, message string) {
	reply(w, status, map[string]any{"code": code, "message": message})
}

func ok(w http.ResponseWriter, status int, data any) {
	reply(w, status, map[string]any{"code": "Success", "data": data})
}

func page[T any](w http.ResponseWriter, r *http.Request, all []T, render func(T) any) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			fail(w, 400, "InvalidInput", "limit must be 1..1000")
			return
		}
		limit = n
	}
	start := 0
	if s := r.URL.Query().Get("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err == nil {
			start, err = strconv.Atoi(string(b))
		}
		if err != nil || start > len(all) {
			fail(w, 400, "InvalidInput", "bad cursor")
			return
		}
	}
	end := start + limit
	var next any
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	} else {
		end = len(all)
	}
	items := []any{}
	for _, x := range all[start:end] {
		items = append(items, render(x))
	}
	ok(w, 200, map[string]any{"items": items, "next_cursor": next})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.hits[key]++
	var hit *fault
	for _, ft := range f.faults {
		if ft.times > 0 && ft.method == r.Method && ft.path == r.URL.Path {
			ft.times--
			hit = ft
			break
		}
	}
	f.mu.Unlock()
	if user, pass, _ := r.BasicAuth(); user != testKey || pass != testSecret {
		fail(w, 401, "AuthFailed", "bad credentials")
		return
	}
	if hit != nil {
		time.Sleep(hit.delay)
		if hit.status != 0 {
			if hit.retryAfter != "" {
				w.Header().Set("Retry-After", hit.retryAfter)
			}
			fail(w, hit.status, hit.code, "injected")
			return
		}
	}
	if (r.Method == "POST" || r.Method == "PATCH") && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		fail(w, 415, "UnsupportedMediaType", "JSON only")
		return
	}
	var body map[string]any
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	route := r.Method + " " + strings.Join(parts[:min(len(parts), 2)], "/")
	arg := func(i int) string {
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	now := time.Now()
	switch {
	case route == "GET v1/groups" && len(parts) == 2:
		page(w, r, f.groups, groupJSON)
	case route == "POST v1/groups" && len(parts) == 2:
		f.nextID++
		g := &fakeGroup{ID: fmt.Sprintf("new%d", f.nextID), Name: fmt.Sprint(body["name"]), Created: now}
		f.groups = append(f.groups, g)
		ok(w, 201, groupJSON(g))
	case route == "GET v1/groups" && len(parts) == 4 && parts[3] == "connections":
		var in []*fakeConn
		for _, c := range f.conns {
			if c.GroupID == arg(2) {
				in = append(in, c)
			}
		}
		if f.group(arg(2)) == nil {
			fail(w, 404, "NotFound_Group", "no group "+arg(2))
			return
		}
		page(w, r, in, func(c *fakeConn) any { c.progress(now); return c.json() })
	case strings.HasSuffix(route, " v1/groups") && len(parts) == 3:
		g := f.group(arg(2))
		if g == nil {
			fail(w, 404, "NotFound_Group", "no group "+arg(2))
			return
		}
		switch r.Method {
		case "GET":
			ok(w, 200, groupJSON(g))
		case "PATCH":
			g.Name = fmt.Sprint(body["name"])
			ok(w, 200, groupJSON(g))
		case "DELETE":
			for i, x := range f.groups {
				if x == g {
					f.groups = append(f.groups[:i], f.groups[i+1:]...)
					break
				}
			}
			reply(w, 200, map[string]any{"code": "Success", "message": "deleted"})
		}
	case route == "POST v1/connections" && len(parts) == 2:
		f.nextID++
		c := &fakeConn{ID: fmt.Sprintf("newc%d", f.nextID), GroupID: fmt.Sprint(body["group_id"]),
			Service: fmt.Sprint(body["service"]), Schema: "new", SetupState: "incomplete", Outcome: "success",
			Paused: body["paused"] == true, Frequency: 360}
		f.conns = append(f.conns, c)
		ok(w, 201, c.json())
	case strings.HasSuffix(route, " v1/connections") && len(parts) >= 3:
		var c *fakeConn
		at := -1
		for i, x := range f.conns {
			if x.ID == arg(2) {
				c, at = x, i
			}
		}
		if c == nil {
			fail(w, 404, "NotFound_Connector", "no connection "+arg(2))
			return
		}
		c.progress(now)
		switch {
		case len(parts) == 4 && parts[3] == "sync" && r.Method == "POST":
			if c.Paused {
				fail(w, 409, "Conflict", "paused")
				return
			}
			if !c.syncing || body["force"] == true {
				c.syncing, c.syncEnds = true, now.Add(c.SyncTime)
			}
			reply(w, 200, map[string]any{"code": "Success", "message": "Sync has been successfully triggered"})
		case len(parts) == 3 && r.Method == "GET":
			ok(w, 200, c.json())
		case len(parts) == 3 && r.Method == "PATCH":
			if p, isBool := body["paused"].(bool); isBool {
				c.Paused = p
			}
			if n, isNum := body["sync_frequency"].(float64); isNum {
				c.Frequency = int(n)
			}
			ok(w, 200, c.json())
		case len(parts) == 3 && r.Method == "DELETE":
			f.conns = append(f.conns[:at], f.conns[at+1:]...)
			reply(w, 200, map[string]any{"code": "Success", "message": "deleted"})
		default:
			fail(w, 404, "NotFound", "no route")
		}
	default:
		fail(w, 404, "NotFound", "no route "+key)
	}
}

func (f *fakeAPI) group(id string) *fakeGroup {
	for _, g := range f.groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

func groupJSON(g *fakeGroup) any {
	return map[string]any{"id": g.ID, "name": g.Name, "created_at": g.Created.Format(time.RFC3339)}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
