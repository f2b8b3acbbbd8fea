package fivetrex

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Call picks the Accept header of the operation a path belongs to: the v2 one for the
// destination operations, application/json for the others and for paths of no operation.
func TestCallSendsTheOperationsAccept(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Get("Accept")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":"Success","data":{"id":"x"}}`))
	}))
	defer srv.Close()
	c, err := New(Options{APIKey: "k", APISecret: "s", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for _, path := range []string{"/v1/destinations/d_1", "/v1/groups/g_1", "/v1/brand-new/x"} {
		if _, err := c.Call(ctx, "GET", path, nil, nil); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	want := map[string]string{
		"/v1/destinations/d_1": "application/json;version=2",
		"/v1/groups/g_1":       "application/json",
		"/v1/brand-new/x":      "application/json",
	}
	mu.Lock()
	defer mu.Unlock()
	for path, accept := range want {
		if seen[path] != accept {
			t.Errorf("%s: Accept %q, want %q", path, seen[path], accept)
		}
	}
}
