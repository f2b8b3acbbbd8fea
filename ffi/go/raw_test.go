package fivetrex_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

// TestCallSendsTheOperationsAccept records the Accept header of what Call, RawList and
// Operation send: a path of a version-2 operation (connections, destinations) gets
// application/json;version=2 through Call as through Operation, anything else
// application/json. (The emulator's request log has no headers, so a local server records
// them.)
func TestCallSendsTheOperationsAccept(t *testing.T) {
	type seen struct{ method, path, accept string }
	var mu sync.Mutex
	var log []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		log = append(log, seen{r.Method, r.URL.EscapedPath(), r.Header.Get("Accept")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":"Success","data":{"id":"x","items":[{"id":"a"}],"next_cursor":null}}`))
	}))
	defer srv.Close()
	c, err := fivetrex.New(fivetrex.Options{APIKey: "k", APISecret: "s", BaseURL: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	const v1, v2 = "application/json", "application/json;version=2"
	last := func() seen {
		mu.Lock()
		defer mu.Unlock()
		if len(log) == 0 {
			return seen{}
		}
		return log[len(log)-1]
	}
	for _, tc := range []struct {
		method, path, wantPath, accept string
	}{
		{"GET", "/v1/destinations/dest_1", "/v1/destinations/dest_1", v2},
		{"GET", "/v1/connections/a%2Fb", "/v1/connections/a%2Fb", v2},
		{"POST", "/v1/connections/c_1/sync", "/v1/connections/c_1/sync", v2},
		{"DELETE", "/v1/connections/c_1", "/v1/connections/c_1", v2}, // Call asks no confirmation
		{"GET", "/v1/groups/g_1", "/v1/groups/g_1", v1},
		{"GET", "/v1/not-an-operation", "/v1/not-an-operation", v1},
	} {
		if _, err := c.Call(ctx, tc.method, tc.path, nil, nil); err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		if got := last(); got.method != tc.method || got.path != tc.wantPath || got.accept != tc.accept {
			t.Errorf("%s %s sent %+v, want Accept %q", tc.method, tc.path, got, tc.accept)
		}
	}
	if _, err := c.Operation(ctx, "connection_details", map[string]any{"connectionId": "c_2"}, nil, ""); err != nil || last().accept != v2 {
		t.Errorf("Operation connection_details: %+v %v", last(), err)
	}
	for path, accept := range map[string]string{"/v1/destinations": v2, "/v1/groups": v1, "/v1/unknown-list": v1} {
		it := c.RawList(ctx, path, nil, &fivetrex.ListOptions{PageSize: 7})
		n := 0
		for it.Next() {
			n++
		}
		it.Close()
		if got := last(); it.Err() != nil || n != 1 || got.path != path || got.accept != accept {
			t.Errorf("RawList %s: sent %+v (%d items, %v), want Accept %q", path, got, n, it.Err(), accept)
		}
	}
}
