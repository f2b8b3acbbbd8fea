package fivetrex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

// The operation entry itself: a call by operationId, a paged List of any operation into a
// struct of one's own, the confirmation asked before anything is sent, and a multipart upload
// read back by a generic call.
func TestOperationEntry(t *testing.T) {
	e := startEmulator(t, 5, 1)
	c := client(t, e)
	ctx := context.Background()
	groups := e.groupIDs()

	answer, err := c.Operation(ctx, "group_details", map[string]any{"groupId": groups[0]}, nil, "")
	var envelope struct {
		Code string `json:"code"`
		Data struct {
			ID, Name string
		} `json:"data"`
	}
	if err != nil || json.Unmarshal(answer, &envelope) != nil || envelope.Code != "Success" || envelope.Data.ID != groups[0] || envelope.Data.Name == "" {
		t.Fatalf("group_details: %s %v", answer, err)
	}
	g, err := fivetrex.Data[fivetrex.Resource](c.Operation(ctx, "group_details", map[string]any{"groupId": groups[1]}, nil, ""))
	if err != nil || g.ID != groups[1] || len(g.Raw) == 0 {
		t.Fatalf("Data[Resource]: %+v %v", g, err)
	}

	type named struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	listed := walk(t, e, "/v1/groups", fivetrex.List[named](ctx, c, "list_all_groups", two()))
	if fmt.Sprint(ids(listed, func(n named) string { return n.ID })) != fmt.Sprint(groups) || listed[0].Name == "" {
		t.Fatalf("List[named]: %+v, want %v", listed, groups)
	}
	raw := walk(t, e, "/v1/groups", c.OperationList(ctx, "list_all_groups", two()))
	if len(raw) != len(groups) || !json.Valid(raw[0]) {
		t.Fatalf("OperationList: %d items", len(raw))
	}

	e.clearLog()
	if _, err := c.Operation(ctx, "delete_group", map[string]any{"groupId": groups[4]}, nil, groups[3]); !errors.Is(err, fivetrex.KindConfirmationRequired) || e.count("DELETE", "/v1/groups/"+groups[4]) != 0 {
		t.Fatalf("a delete confirmed with another id is refused before sending: %v", err)
	}
	if _, err := c.Operation(ctx, "no_such_operation", nil, nil, ""); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("unknown operation: %v", err)
	}

	pkg, err := fivetrex.Data[fivetrex.Resource](c.Upload(ctx, "create_connector_sdk_package", nil, "connector.zip", []byte("PK\x03\x04 not really a zip"), ""))
	if err != nil || pkg.ID == "" {
		t.Fatalf("upload: %+v %v", pkg, err)
	}
	answer, err = c.Operation(ctx, "get_connector_sdk_package", map[string]any{"package_id": pkg.ID}, nil, "")
	if err != nil || !json.Valid(answer) {
		t.Fatalf("get package: %s %v", answer, err)
	}
}
