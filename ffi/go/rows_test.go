package fivetrex

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// connectionJSON is one connection as a server may send it, varied by i: escapes and non-ASCII
// in texts, nulls, a number where text is expected, a numeric string where a number is,
// fractions and offsets in times, unknown fields, tasks and warnings in every shape.
func connectionJSON(i int) string {
	tasks := `[]`
	switch i % 4 {
	case 1:
		tasks = `[{"code":"reconnect","message":"Reconnect now","details":{"why":"token"}}]`
	case 2:
		tasks = `[ {"code": "a\"b", "message": "Tab\there \u00e9"}, {"code":"c","message":null,"details":"text"} ]`
	case 3:
		tasks = `null`
	}
	paused := "false"
	if i%3 == 0 {
		paused = "true"
	}
	return fmt.Sprintf(`{"id":"conn_%d","group_id":"g\"%d\\","service":"postgres","schema":"pg_é_%d",`+
		`"paused":%s,"sync_frequency":%s,"schedule_type":"auto","created_at":"2024-01-0%dT10:00:00.123456Z",`+
		`"succeeded_at":"2024-02-01T10:00:00+02:00","failed_at":null,"unknown":{"x":[1,2]},`+
		`"status":{"setup_state":"broken","sync_state":"scheduled","update_state":"delayed","is_historical_sync":true,`+
		`"rescheduled_for":null,"tasks":%s,"warnings":[{"code":"w","message":"m"}]},`+
		`"config":{"host":"db","port":5432,"password":"******"}}`,
		i, i, i, paused, []string{"360", `"60"`, "null"}[i%3], 1+i%9, tasks)
}

// The cells path (the library decodes each item, Go builds the struct from typed cells) gives
// what encoding/json gives from the item's own JSON, over a walk of three pages.
func TestConnectionsFromCellsMatchTheirJSON(t *testing.T) {
	pages := [][]int{{0, 1, 2, 3}, {4, 5, 6}, {7, 8}}
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		n := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			fmt.Sscanf(c, "p%d", &n)
		}
		items := make([]string, 0, len(pages[n]))
		for _, i := range pages[n] {
			items = append(items, connectionJSON(i))
		}
		next := "null"
		if n+1 < len(pages) {
			next = fmt.Sprintf(`"p%d"`, n+1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"code":"Success","data":{"items":[%s],"next_cursor":%s}}`, strings.Join(items, ","), next)
	}))
	defer srv.Close()
	c, err := New(Options{APIKey: "k", APISecret: "s", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.Connections(context.Background(), "", nil)
	defer it.Close()
	seen := 0
	for it.Next() {
		got := it.Item()
		if string(got.Raw) != connectionJSON(seen) {
			t.Fatalf("item %d: Raw is not the API's text:\n%s\n%s", seen, got.Raw, connectionJSON(seen))
		}
		var want Connection
		if err := json.Unmarshal(got.Raw, &want); err != nil {
			t.Fatal(err)
		}
		want.Raw = got.Raw
		sameConnection(t, seen, got, want)
		seen++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen != 9 || requests != 3 {
		t.Fatalf("walked %d items in %d requests, want 9 in 3", seen, requests)
	}
}

// sameConnection compares field by field; times by instant (the cells give UTC).
func sameConnection(t *testing.T, i int, got, want Connection) {
	t.Helper()
	sameTime := func(name string, a, b *time.Time) {
		if (a == nil) != (b == nil) || (a != nil && (!a.Equal(*b) || a.Location() != time.UTC)) {
			t.Errorf("item %d: %s = %v, want %v (in UTC)", i, name, a, b)
		}
	}
	sameTime("CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime("SucceededAt", got.SucceededAt, want.SucceededAt)
	sameTime("FailedAt", got.FailedAt, want.FailedAt)
	sameTime("RescheduledFor", got.Status.RescheduledFor, want.Status.RescheduledFor)
	got.CreatedAt, got.SucceededAt, got.FailedAt, got.Status.RescheduledFor = nil, nil, nil, nil
	want.CreatedAt, want.SucceededAt, want.FailedAt, want.Status.RescheduledFor = nil, nil, nil, nil
	// The library writes alerts again from its model: null tasks become an empty list, a
	// missing details stays missing, and details come back with the same JSON text.
	if want.Status.Tasks == nil && got.Status.Tasks != nil && len(got.Status.Tasks) == 0 {
		want.Status.Tasks = []Alert{}
	}
	for k := range want.Status.Tasks {
		if string(want.Status.Tasks[k].Details) == "null" {
			want.Status.Tasks[k].Details = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("item %d:\n got %+v\nwant %+v", i, got, want)
	}
}

// The hand reader of alerts agrees with encoding/json wherever it answers, and leaves escapes,
// odd shapes and broken text to it.
func TestReadAlertsAgreesWithEncodingJSON(t *testing.T) {
	for _, text := range []string{
		`[{"code":"a","message":"b","details":{"k":[1,"]"]}}]`,
		`[ { "code" : "a" , "message" : null } , {"code":"c","details":"x y","message":"m"} ]`,
		`[{"message":"only"}]`,
		`[{"code":"a","details":12.5},{"code":"b","details":true}]`,
		`[{"code":"a","extra":{"deep":[{"x":"}"}]},"message":"z"}]`,
	} {
		got, ok := readAlerts([]byte(text))
		if !ok {
			t.Errorf("%s: not read", text)
			continue
		}
		var want []Alert
		if err := json.Unmarshal([]byte(text), &want); err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if string(want[k].Details) == "null" {
				want[k].Details = nil
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", text, got, want)
		}
	}
	for _, text := range []string{
		`[{"code":"a\"b"}]`, `[{"code":"a"}`, `[{"code":"a"}] x`, `[{"code":1}]`, `{"code":"a"}`, `[{"code" "a"}]`,
	} {
		if got, ok := readAlerts([]byte(text)); ok {
			t.Errorf("%s: read as %+v, want it left to encoding/json", text, got)
		}
	}
}
