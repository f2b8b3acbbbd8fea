package fivetrex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

// client makes a client of the emulator with quick retries; extra changes the options.
func client(t *testing.T, e *emulator, extra ...func(*fivetrex.Options)) *fivetrex.Client {
	t.Helper()
	opts := fivetrex.Options{
		APIKey: emuKey, APISecret: emuSecret, BaseURL: e.URL,
		RetryBaseDelay: time.Millisecond, Timeout: 10 * time.Second,
	}
	for _, f := range extra {
		f(&opts)
	}
	c, err := fivetrex.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestGroupsWalkEveryPageLazily(t *testing.T) {
	e := startEmulator(t, 25, 0)
	want := e.groupIDs()
	c := client(t, e)
	it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 10})
	defer it.Close()
	var ids []string
	for it.Next() {
		g := it.Item()
		ids = append(ids, g.ID)
		if len(ids) == 1 && e.count("GET", "/v1/groups") != 1 {
			t.Fatalf("the first item should cost one request, saw %d", e.count("GET", "/v1/groups"))
		}
		if g.Name == "" || g.CreatedAt.IsZero() {
			t.Fatalf("incomplete group %+v", g)
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) || len(ids) != 25 {
		t.Fatalf("walked %d groups %v, want %v", len(ids), ids, want)
	}
	if n := e.count("GET", "/v1/groups"); n != 3 {
		t.Fatalf("3 pages of 10 expected, %d requests made", n)
	}
	if it.Next() {
		t.Fatal("Next after the end")
	}
}

func TestConnectionsOfAGroupSpanPages(t *testing.T) {
	e := startEmulator(t, 2, 23)
	group := e.groupIDs()[1]
	want := e.connectionIDs(group)
	c := client(t, e)
	it := c.Connections(context.Background(), group, &fivetrex.ListOptions{PageSize: 5})
	defer it.Close()
	var ids []string
	for it.Next() {
		conn := it.Item()
		if conn.GroupID != group || conn.Service == "" || conn.Status.SetupState == "" || len(conn.Config) == 0 {
			t.Fatalf("item %d: %+v", len(ids), conn)
		}
		ids = append(ids, conn.ID)
	}
	if it.Err() != nil || len(ids) != 23 || fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("%d connections (%v), err %v", len(ids), ids, it.Err())
	}
	if got := e.count("GET", "/v1/connections"); got != 5 {
		t.Fatalf("5 pages expected, %d requests", got)
	}
	all := c.Connections(context.Background(), "", &fivetrex.ListOptions{PageSize: 20})
	defer all.Close()
	n := 0
	for all.Next() {
		n++
	}
	if all.Err() != nil || n != 46 {
		t.Fatalf("every connection of the account: %d, %v", n, all.Err())
	}
}

func TestResumeFromACursor(t *testing.T) {
	e := startEmulator(t, 7, 0)
	want := e.groupIDs()
	c := client(t, e)
	raw, err := c.Call(context.Background(), "GET", "/v1/groups", map[string]any{"limit": 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data struct {
			NextCursor string `json:"next_cursor"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &page); err != nil || page.Data.NextCursor == "" {
		t.Fatalf("%s %v", raw, err)
	}
	it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 2, Cursor: page.Data.NextCursor})
	defer it.Close()
	var ids []string
	for it.Next() {
		ids = append(ids, it.Item().ID)
	}
	if it.Err() != nil || fmt.Sprint(ids) != fmt.Sprint(want[4:]) {
		t.Fatalf("%v %v, want %v", ids, it.Err(), want[4:])
	}
}

func TestNotFoundIsAnAPIError(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	g, err := c.Group(context.Background(), "missing")
	var apiErr *fivetrex.APIError
	if g != nil || !errors.As(err, &apiErr) {
		t.Fatalf("expected an *APIError, got %v %v", g, err)
	}
	if apiErr.Kind != fivetrex.KindNotFound || apiErr.Status != 404 || apiErr.APICode != "NotFound_Group" ||
		apiErr.APIMessage == "" || apiErr.RetryAfter != 0 || !strings.Contains(apiErr.Error(), "404") {
		t.Fatalf("%+v", apiErr)
	}
	if !errors.Is(err, fivetrex.KindNotFound) || errors.Is(err, fivetrex.KindServer) {
		t.Fatal("errors.Is should match the kind and only it")
	}
	if n := e.count("GET", "/v1/groups/missing"); n != 1 {
		t.Fatalf("a 404 is not retried: %d requests", n)
	}
	_, err = c.Connection(context.Background(), "nope")
	if !errors.As(err, &apiErr) || apiErr.APICode != "NotFound_Connector" {
		t.Fatalf("%v", err)
	}
	if _, err := c.Connection(context.Background(), ""); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("an empty id is refused before sending: %v", err)
	}
}

func TestRateLimitedRequestIsRetried(t *testing.T) {
	e := startEmulator(t, 1, 0)
	g0 := e.groupIDs()[0]
	var retries []fivetrex.RetryEvent
	var mu sync.Mutex
	c := client(t, e, func(o *fivetrex.Options) {
		o.OnRetry = func(r fivetrex.RetryEvent) { mu.Lock(); retries = append(retries, r); mu.Unlock() }
	})
	e.fault(map[string]any{"method": "GET", "path": "/v1/groups/" + g0, "kind": "status", "status": 429, "retry_after": "0", "times": 2})
	g, err := c.Group(context.Background(), g0)
	if err != nil || g.ID != g0 {
		t.Fatalf("%v %v", g, err)
	}
	if n := e.count("GET", "/v1/groups/"+g0); n != 3 {
		t.Fatalf("two 429s then success: 3 requests expected, saw %d", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retries) != 2 || retries[0].Attempt != 1 || retries[1].Attempt != 2 || retries[0].Kind != fivetrex.KindRateLimited {
		t.Fatalf("retry events %+v", retries)
	}
}

func TestRateLimitOverTheCapComesBackWithRetryAfter(t *testing.T) {
	e := startEmulator(t, 1, 0)
	g0 := e.groupIDs()[0]
	c := client(t, e, func(o *fivetrex.Options) { o.MaxRetryAfter = 2 * time.Second })
	e.fault(map[string]any{"method": "GET", "path": "/v1/groups/" + g0, "kind": "status", "status": 429, "retry_after": "3600"})
	start := time.Now()
	_, err := c.Group(context.Background(), g0)
	var apiErr *fivetrex.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != fivetrex.KindRateLimited || apiErr.Status != 429 || apiErr.RetryAfter != time.Hour {
		t.Fatalf("%#v", err)
	}
	if time.Since(start) > time.Second || e.count("GET", "/v1/groups/"+g0) != 1 {
		t.Fatal("a Retry-After over the cap must come back at once, unretried")
	}
}

func TestServerErrorsAreRetriedThenReported(t *testing.T) {
	e := startEmulator(t, 1, 0)
	g0 := e.groupIDs()[0]
	c := client(t, e, func(o *fivetrex.Options) { o.MaxAttempts = 3 })
	e.fault(map[string]any{"method": "GET", "path": "/v1/groups/" + g0, "kind": "status", "status": 503, "times": 2})
	if _, err := c.Group(context.Background(), g0); err != nil {
		t.Fatal(err)
	}
	e.fault(map[string]any{"method": "GET", "path": "/v1/groups/" + g0, "kind": "html", "status": 502, "times": 5})
	_, err := c.Group(context.Background(), g0)
	var apiErr *fivetrex.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != fivetrex.KindServer || apiErr.Status != 502 {
		t.Fatalf("%v", err)
	}
	if n := e.count("GET", "/v1/groups/"+g0); n != 3+3 {
		t.Fatalf("3 then 3 attempts expected, saw %d", n)
	}
}

func TestOneClientManyGoroutines(t *testing.T) {
	e := startEmulator(t, 30, 2)
	groups := e.groupIDs()
	c := client(t, e)
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 7})
			defer it.Close()
			n := 0
			for it.Next() {
				n++
			}
			if it.Err() != nil || n != 30 {
				errs <- fmt.Errorf("worker %d: %d groups, %v", w, n, it.Err())
				return
			}
			if g, err := c.Group(context.Background(), groups[w]); err != nil || g.ID != groups[w] {
				errs <- fmt.Errorf("worker %d: %v %v", w, g, err)
				return
			}
			conns := c.Connections(context.Background(), groups[w], nil)
			defer conns.Close()
			for conns.Next() {
				if conns.Item().GroupID != groups[w] {
					errs <- fmt.Errorf("worker %d: connection of another group", w)
				}
			}
			if conns.Err() != nil {
				errs <- conns.Err()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.count("GET", "/v1/groups"); n != workers*5 {
		t.Fatalf("%d workers x 5 pages expected, %d requests", workers, n)
	}
}

func TestGroupLifecycle(t *testing.T) {
	e := startEmulator(t, 0, 0)
	c := client(t, e)
	ctx := context.Background()
	g, err := c.CreateGroup(ctx, "analytics")
	if err != nil || g.Name != "analytics" || g.ID == "" {
		t.Fatalf("%v %v", g, err)
	}
	if g2, err := c.UpdateGroup(ctx, g.ID, "renamed"); err != nil || g2.Name != "renamed" {
		t.Fatalf("%v %v", g2, err)
	}
	if got, err := c.Group(ctx, g.ID); err != nil || got.Name != "renamed" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := c.CreateGroup(ctx, "renamed"); !errors.Is(err, fivetrex.KindConflict) {
		t.Fatalf("a duplicate name is a conflict: %v", err)
	}
	err = c.DeleteGroup(ctx, g.ID, "another")
	if !errors.Is(err, fivetrex.KindConfirmationRequired) || e.count("DELETE", "/v1/groups/"+g.ID) != 0 {
		t.Fatalf("a mismatched confirmation must send nothing: %v", err)
	}
	if err := c.DeleteGroup(ctx, g.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Group(ctx, g.ID); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("deleted group still there: %v", err)
	}
}

func TestConnectionLifecycle(t *testing.T) {
	e := startEmulator(t, 1, 0)
	g0 := e.groupIDs()[0]
	c := client(t, e)
	ctx := context.Background()
	paused := true
	conn, err := c.CreateConnection(ctx, fivetrex.NewConnection{GroupID: g0, Service: "postgres", Paused: &paused,
		Config: map[string]any{"schema": "made_in_go", "host": "db.example", "password": "hunter2"}})
	if err != nil || conn.GroupID != g0 || !conn.Paused || conn.Schema != "made_in_go" {
		t.Fatalf("%+v %v", conn, err)
	}
	if strings.Contains(string(conn.Config), "hunter2") {
		t.Fatalf("the API masks secrets: %s", conn.Config)
	}
	resume := false
	updated, err := c.UpdateConnection(ctx, conn.ID, fivetrex.ConnectionChanges{Paused: &resume, SyncFrequency: 60})
	if err != nil || updated.Paused || updated.SyncFrequency != 60 {
		t.Fatalf("%+v %v", updated, err)
	}
	if err := c.ResyncAll(ctx, conn.ID, "another"); !errors.Is(err, fivetrex.KindConfirmationRequired) {
		t.Fatalf("%v", err)
	}
	if e.count("POST", "/v1/connections/"+conn.ID+"/resync") != 0 {
		t.Fatal("a resync without its confirmation must send nothing")
	}
	if err := c.ResyncTables(ctx, conn.ID, map[string][]string{"public": {"users"}}, ""); !errors.Is(err, fivetrex.KindConfirmationRequired) {
		t.Fatalf("a table resync needs its confirmation: %v", err)
	}
	if err := c.ResyncTables(ctx, conn.ID, map[string][]string{"public": {"users"}}, conn.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(ctx, conn.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteConnection(ctx, conn.ID, "another"); !errors.Is(err, fivetrex.KindConfirmationRequired) {
		t.Fatalf("%v", err)
	}
	if e.count("DELETE", "/v1/connections/"+conn.ID) != 0 {
		t.Fatal("a delete without its confirmation must send nothing")
	}
	if err := c.DeleteConnection(ctx, conn.ID, conn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Connection(ctx, conn.ID); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("%v", err)
	}
	if _, err := c.CreateConnection(ctx, fivetrex.NewConnection{GroupID: g0}); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("a missing service is refused before anything is sent, as in Rust: %v", err)
	}
}

func TestSyncAndWaitOutcomes(t *testing.T) {
	e := startEmulator(t, 1, 10) // connection 7 is paused, 9 broken
	ids := e.connectionIDs(e.groupIDs()[0])
	c := client(t, e)
	ctx := context.Background()
	fast := &fivetrex.WaitOptions{PollInterval: 10 * time.Millisecond, Timeout: 5 * time.Second}

	res, err := c.SyncAndWait(ctx, ids[0], fast)
	if err != nil || res.Outcome != fivetrex.SyncSucceeded || res.At == nil || res.Connection == nil ||
		res.Connection.SucceededAt == nil || !res.Connection.SucceededAt.Equal(*res.At) {
		t.Fatalf("%+v %v", res, err)
	}
	if n := e.count("POST", "/v1/connections/"+ids[0]+"/sync"); n != 1 {
		t.Fatalf("one trigger expected, %d", n)
	}

	e.steer(ids[1], map[string]any{"sync_outcome": "failure"})
	res, err = c.SyncAndWait(ctx, ids[1], fast)
	if err != nil || res.Outcome != fivetrex.SyncFailed || res.At == nil || len(res.Tasks) == 0 {
		t.Fatalf("%+v %v", res, err)
	}

	// A sync that fails before the first poll is still seen: the baseline is taken first.
	e.steer(ids[2], map[string]any{"sync_outcome": "failure", "sync_duration_ms": 0})
	polls := 0
	res, err = c.SyncAndWait(ctx, ids[2], &fivetrex.WaitOptions{PollInterval: 50 * time.Millisecond,
		OnProgress: func(fivetrex.Progress) { polls++ }})
	if err != nil || res.Outcome != fivetrex.SyncFailed || polls != 1 {
		t.Fatalf("%+v %v after %d polls", res, err, polls)
	}

	e.steer(ids[3], map[string]any{"sync_duration_ms": 600000})
	deadline, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// A deadline ends the wait as a cancel does: nil and ctx.Err(), at the deadline.
	res, err = c.SyncAndWait(deadline, ids[3], fast)
	if res != nil || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) < 250*time.Millisecond || time.Since(start) > time.Second {
		t.Fatalf("%+v %v after %v", res, err, time.Since(start))
	}
	// opts.Timeout is the wait's own bound: a result, not an error (still waiting out the sync
	// the first wait triggered, so nothing is triggered yet).
	start = time.Now()
	res, err = c.SyncAndWait(ctx, ids[3], &fivetrex.WaitOptions{PollInterval: 20 * time.Millisecond, Timeout: 300 * time.Millisecond})
	if err != nil || res.Outcome != fivetrex.SyncTimedOut || res.Triggered || time.Since(start) > time.Second {
		t.Fatalf("%+v %v after %v", res, err, time.Since(start))
	}

	res, err = c.SyncAndWait(ctx, ids[7], fast)
	if err == nil && res.Resumed {
		t.Fatal("not resumed without ResumeIfPaused")
	}
	if err != nil || res.Outcome != fivetrex.SyncPaused || e.count("POST", "/v1/connections/"+ids[7]+"/sync") != 0 {
		t.Fatalf("a paused connection is reported, not triggered: %+v %v", res, err)
	}
	res, err = c.SyncAndWait(ctx, ids[7], &fivetrex.WaitOptions{PollInterval: 10 * time.Millisecond, ResumeIfPaused: true})
	if err != nil || res.Outcome != fivetrex.SyncSucceeded || res.Connection.Paused || !res.Resumed {
		t.Fatalf("resumed, synced and reported as resumed: %+v %v", res, err)
	}

	res, err = c.SyncAndWait(ctx, ids[9], fast)
	if err != nil || res.Outcome != fivetrex.SyncBroken || len(res.Tasks) == 0 {
		t.Fatalf("%+v %v", res, err)
	}

	if _, err := c.SyncAndWait(ctx, "missing", fast); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("a 404 ends the wait: %v", err)
	}
}

func TestSyncAndWaitIsOneCall(t *testing.T) {
	e := startEmulator(t, 1, 1)
	id := e.connectionIDs(e.groupIDs()[0])[0]
	// A sync longer than many polls: one library wait, polls numbered from 1, one trigger.
	e.steer(id, map[string]any{"sync_duration_ms": 1500})
	c := client(t, e)
	var seen []int
	res, err := c.SyncAndWait(context.Background(), id, &fivetrex.WaitOptions{PollInterval: 20 * time.Millisecond,
		OnProgress: func(p fivetrex.Progress) { seen = append(seen, p.Poll) }})
	if err != nil || res.Outcome != fivetrex.SyncSucceeded || res.Elapsed < 1500*time.Millisecond {
		t.Fatalf("%+v %v", res, err)
	}
	for i, p := range seen {
		if p != i+1 {
			t.Fatalf("polls must be numbered 1, 2, ...: %v", seen)
		}
	}
	if n := e.count("POST", "/v1/connections/"+id+"/sync"); n != 1 {
		t.Fatalf("one trigger expected: %d triggers", n)
	}
}

func TestSyncAndWaitPollsThroughTransientErrors(t *testing.T) {
	e := startEmulator(t, 1, 1)
	id := e.connectionIDs(e.groupIDs()[0])[0]
	e.steer(id, map[string]any{"sync_duration_ms": 200})
	c := client(t, e, func(o *fivetrex.Options) { o.MaxAttempts = 1 })
	var failed []fivetrex.Kind
	res, err := c.SyncAndWait(context.Background(), id, &fivetrex.WaitOptions{PollInterval: 20 * time.Millisecond,
		OnProgress: func(p fivetrex.Progress) {
			if p.Poll == 1 { // after the first poll, the next two fail
				e.fault(map[string]any{"method": "GET", "path": "/v1/connections/" + id, "kind": "status", "status": 503, "times": 2})
			}
			var apiErr *fivetrex.APIError
			if p.Err != nil && errors.As(p.Err, &apiErr) && !strings.HasPrefix(p.Err.Error(), "fivetrex: fivetrex:") {
				failed = append(failed, apiErr.Kind)
			}
		}})
	if err != nil || res.Outcome != fivetrex.SyncSucceeded {
		t.Fatalf("%+v %v", res, err)
	}
	if len(failed) != 2 || failed[0] != fivetrex.KindServer || failed[1] != fivetrex.KindServer {
		t.Fatalf("two failed polls expected: %v", failed)
	}
}

func TestCancellationBoundsTheWait(t *testing.T) {
	e := startEmulator(t, 1, 1)
	g0 := e.groupIDs()[0]
	id := e.connectionIDs(g0)[0]
	c := client(t, e)

	e.fault(map[string]any{"method": "GET", "path": "/v1/groups/" + g0, "kind": "delay", "delay_ms": 700})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Group(ctx, g0); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 400*time.Millisecond {
		t.Fatalf("%v after %v", err, time.Since(start))
	}

	// A cancelled context cancels the library's wait itself (a 10 s poll interval: only the
	// token can wake it): it returns within 100 ms of the cancel, and nothing is left running.
	e.steer(id, map[string]any{"sync_duration_ms": 600000})
	ctx2, cancel2 := context.WithCancel(context.Background())
	var cancelledAt time.Time
	var mu sync.Mutex
	time.AfterFunc(100*time.Millisecond, func() {
		mu.Lock()
		cancelledAt = time.Now()
		mu.Unlock()
		cancel2()
	})
	if _, err := c.SyncAndWait(ctx2, id, &fivetrex.WaitOptions{PollInterval: 10 * time.Second}); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
	mu.Lock()
	late := time.Since(cancelledAt)
	mu.Unlock()
	if late > 100*time.Millisecond {
		t.Fatalf("returned %v after the cancel", late)
	}
	polls := e.count("GET", "/v1/connections/"+id)
	time.Sleep(50 * time.Millisecond)
	if e.count("GET", "/v1/connections/"+id) != polls {
		t.Fatal("the wait went on in the background after the cancel")
	}

	// Close waits for the abandoned calls, then later calls fail cleanly.
	c.Close()
	if _, err := c.Group(context.Background(), g0); !errors.Is(err, fivetrex.ErrClosed) {
		t.Fatalf("%v", err)
	}
}

func TestIteratorOutlivesClosedClient(t *testing.T) {
	e := startEmulator(t, 5, 0)
	c := client(t, e)
	it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 2})
	defer it.Close()
	c.Close()
	n := 0
	for it.Next() {
		n++
	}
	if it.Err() != nil || n != 5 {
		t.Fatalf("%d %v", n, it.Err())
	}
	it2 := c.Groups(context.Background(), nil)
	if it2.Next() || !errors.Is(it2.Err(), fivetrex.ErrClosed) {
		t.Fatalf("%v", it2.Err())
	}
}

func TestBadConfigurationAndCredentials(t *testing.T) {
	if _, err := fivetrex.New(fivetrex.Options{APISecret: "s"}); !errors.Is(err, fivetrex.KindConfig) {
		t.Fatalf("empty key: %v", err)
	}
	if _, err := fivetrex.New(fivetrex.Options{APIKey: "k", APISecret: "s", BaseURL: "http://example.com"}); !errors.Is(err, fivetrex.KindConfig) {
		t.Fatalf("plain http to a remote host: %v", err)
	}
	e := startEmulator(t, 1, 0)
	c, err := fivetrex.New(fivetrex.Options{APIKey: emuKey, APISecret: "wrong-secret", BaseURL: e.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Group(context.Background(), "any")
	var apiErr *fivetrex.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != fivetrex.KindUnauthorized || apiErr.APICode != "AuthFailed" {
		t.Fatalf("%v", err)
	}
	if text := fmt.Sprintf("%v %+v", err, apiErr); strings.Contains(text, "wrong-secret") {
		t.Fatalf("the error must not carry the secret: %q", text)
	}
}

func TestRawCallAndList(t *testing.T) {
	e := startEmulator(t, 3, 0)
	g1 := e.groupIDs()[1]
	c := client(t, e)
	answer, err := c.Call(context.Background(), "GET", "/v1/groups/"+g1, nil, nil)
	if err != nil || !strings.Contains(string(answer), `"id":"`+g1+`"`) {
		t.Fatalf("%s %v", answer, err)
	}
	it := c.RawList(context.Background(), "/v1/groups", nil, &fivetrex.ListOptions{PageSize: 1})
	defer it.Close()
	n := 0
	for it.Next() {
		n++
	}
	if n != 3 || it.Err() != nil || e.count("GET", "/v1/groups") != 3 {
		t.Fatalf("%d %v", n, it.Err())
	}
}

// A NUL byte ends a C string: each of these once reached the library cut short and acted on
// another resource (the group before the NUL). Now they are refused before anything is sent.
func TestStringsWithNULBytesNeverReachC(t *testing.T) {
	e := startEmulator(t, 2, 0)
	c := client(t, e)
	ctx := context.Background()
	g := e.groupIDs()[0]
	e.clearLog()
	if got, err := c.Group(ctx, g+"\x00anything"); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("Group with a NUL: %v %v", got, err)
	}
	if err := c.DeleteGroup(ctx, g+"\x00x", g+"\x00y"); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("DeleteGroup with NULs: %v", err)
	}
	if _, err := c.Call(ctx, "DELETE", "/v1/groups/"+g+"\x00/../keep", nil, nil); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("Call with a NUL: %v", err)
	}
	it := c.Connections(ctx, g+"\x00", nil)
	if it.Next() || !errors.Is(it.Err(), fivetrex.KindInvalidArgument) {
		t.Fatalf("Connections with a NUL: %v", it.Err())
	}
	it.Close()
	if _, err := fivetrex.New(fivetrex.Options{APIKey: emuKey, APISecret: emuSecret + "\x00x", BaseURL: e.URL}); !errors.Is(err, fivetrex.KindInvalidArgument) || strings.Contains(err.Error(), emuSecret) {
		t.Fatalf("New with a NUL in the secret: %v", err)
	}
	if n := e.count("GET", "/v1/groups/"+g) + e.count("DELETE", "/v1/groups/"+g); n != 0 {
		t.Fatalf("%d requests reached the group", n)
	}
	if _, err := c.Group(ctx, g); err != nil {
		t.Fatalf("the group must still be there: %v", err)
	}
}

// A field the API adds tomorrow reaches Go in the item's Raw text, exactly as sent, and the
// library adds nothing the API did not send.
func TestUnknownFieldsReachGo(t *testing.T) {
	e := startEmulator(t, 1, 5)
	c := client(t, e)
	g := e.groupIDs()[0]
	target := e.connectionIDs(g)[2]
	e.steer(target, map[string]any{"extra_fields": map[string]any{"added_tomorrow": map[string]any{"list": []any{1, "x", nil}}}})
	it := c.Connections(context.Background(), g, &fivetrex.ListOptions{PageSize: 2})
	defer it.Close()
	found := 0
	for it.Next() {
		item := it.Item()
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item.Raw, &fields); err != nil {
			t.Fatalf("Raw is not the item's JSON: %v %q", err, item.Raw)
		}
		if _, ok := fields["proxy_agent_id"]; ok {
			t.Fatalf("a field the emulator never sends: %s", item.Raw)
		}
		if item.ID == target {
			found++
			if string(fields["added_tomorrow"]) != `{"list":[1,"x",null]}` {
				t.Fatalf("the unknown field: %s", item.Raw)
			}
		}
	}
	if it.Err() != nil || found != 1 {
		t.Fatalf("%v, found %d", it.Err(), found)
	}
	one, err := c.Connection(context.Background(), target)
	if err != nil || !strings.Contains(string(one.Raw), `"added_tomorrow":{"list":[1,"x",null]}`) || strings.Contains(string(one.Raw), "proxy_agent_id") {
		t.Fatalf("one connection: %v %s", err, one.Raw)
	}
}
