package fivetrex

// Internal tests of Call's routing: the generated table against the library and the spec,
// and which template a path matches.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRouteMatchesTheMostLiteralTemplate(t *testing.T) {
	cases := []struct {
		method, path, id, confirm string
		params                    string
	}{
		{"GET", "/v1/transformations/package-metadata", "transformation_package_metadata_list", "transformation_package_metadata_list", "map[]"},
		{"GET", "/v1/transformations/t_1", "transformation_details", "t_1", "map[transformationId:t_1]"},
		{"delete", "/v1/destinations/a%2Fb", "delete_destination", "a/b", "map[destinationId:a/b]"},
		{"GET", "/v1/connections/c1/schemas/s/tables/t/columns", "connection_column_config", "t", "map[connectionId:c1 schema:s table:t]"},
		{"GET", "/v1/external-logging/account", "get_account_log_service_details", "get_account_log_service_details", "map[]"},
		{"GET", "/v1/external-logging/log_1", "get_log_service_details", "log_1", "map[logId:log_1]"},
	}
	for _, c := range cases {
		r, ok := route(c.method, c.path, nil)
		if !ok || r.id != c.id || r.confirm != c.confirm || fmt.Sprint(r.params) != c.params {
			t.Errorf("%s %s: %+v %v, want %s %s %s", c.method, c.path, r, ok, c.id, c.confirm, c.params)
		}
	}
	for _, path := range []string{"/v1/nothing", "/v1/groups/", "/v1/groups//connections", "/v1/groups?x=1", "v1/groups", "/v1/connector-sdk/packages", "/v1/groups/%zz"} {
		method := "GET"
		if path == "/v1/connector-sdk/packages" {
			method = "POST" // an upload: the operation entry sends only files
		}
		if r, ok := route(method, path, nil); ok {
			t.Errorf("%s %s routed to %+v", method, path, r)
		}
	}
	if r, ok := route("GET", "/v1/groups/g1/connections", map[string]any{"groupId": "other"}); ok {
		t.Errorf("a query key naming a path parameter routed: %+v", r)
	}
	if r, ok := route("GET", "/v1/groups/g1/connections", map[string]any{"limit": 5}); !ok || r.params["limit"] != 5 || r.params["groupId"] != "g1" || !r.paged {
		t.Errorf("query kept: %+v %v", r, ok)
	}
}

// TestCallTableMatchesTheLibrary sends every operation of the generated table, by its id and
// with every path parameter filled, to a closed port: the library must know each id and each
// parameter name (a stale table fails here with KindInvalidArgument, before any connection).
func TestCallTableMatchesTheLibrary(t *testing.T) {
	c, err := New(Options{APIKey: "k", APISecret: "s", BaseURL: "http://127.0.0.1:1", MaxAttempts: 1, ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := map[string]any{"group_id": "x", "service": "x", "time_zone_offset": "x", "name": "x"}
	for _, e := range operationTable {
		params, confirm := map[string]any{}, e.id
		for _, seg := range strings.Split(e.path, "/") {
			if strings.HasPrefix(seg, "{") {
				params[seg[1:len(seg)-1]], confirm = "x", "x"
			}
		}
		if uploads[e.id] {
			_, err = c.Upload(context.Background(), e.id, params, "f.zip", []byte("x"), confirm)
		} else {
			_, err = c.Operation(context.Background(), e.id, params, body, confirm)
		}
		if !errors.Is(err, KindTransport) && !errors.Is(err, KindTimeout) {
			t.Errorf("%s %s (%s): want a transport error from the closed port, got %v", e.method, e.path, e.id, err)
		}
	}
}

// TestCallTableMatchesTheSpec compares the generated table with the official spec, read from
// $FIVETRAN_OPENAPI or the shared directory next to the repository.
func TestCallTableMatchesTheSpec(t *testing.T) {
	path := os.Getenv("FIVETRAN_OPENAPI")
	if path == "" {
		path = filepath.Join("..", "..", "..", "shared", "fivetran-openapi.json")
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("skipped: spec not found at %s (%v); set FIVETRAN_OPENAPI", path, err)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(text, &spec); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for p, methods := range spec.Paths {
		for m, raw := range methods {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) == nil && op.OperationID != "" {
				want[strings.ToUpper(m)+" "+p+" "+op.OperationID] = true
			}
		}
	}
	got := map[string]bool{}
	for _, e := range operationTable {
		got[e.method+" "+e.path+" "+e.id] = true
		if !want[e.method+" "+e.path+" "+e.id] {
			t.Errorf("in the table, not in the spec: %s %s %s", e.method, e.path, e.id)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("in the spec, not in the table: %s", k)
		}
	}
}
