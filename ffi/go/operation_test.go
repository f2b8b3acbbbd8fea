package fivetrex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

func TestEveryFamilyThroughTheOperationEntry(t *testing.T) {
	e := startEmulator(t, 2, 2)
	c := client(t, e)
	ctx := context.Background()

	// Create, read, update and a paged list (3 teams, 2 per page), then a confirmed delete.
	var teams []string
	for i := 0; i < 3; i++ {
		team, err := c.Teams().Create(ctx, map[string]any{"name": fmt.Sprintf("team-%d", i), "role": "Account Reviewer"})
		if err != nil || team.ID == "" || len(team.Raw) == 0 {
			t.Fatalf("create team: %+v %v", team, err)
		}
		teams = append(teams, team.ID)
	}
	got, err := c.Teams().Get(ctx, teams[0])
	if err != nil || got.ID != teams[0] {
		t.Fatalf("get team: %+v %v", got, err)
	}
	if _, err := c.Teams().Update(ctx, teams[0], map[string]any{"description": "renamed"}); err != nil {
		t.Fatalf("update team: %v", err)
	}
	e.clearLog()
	it := c.Teams().List(ctx, map[string]any{"limit": 2})
	var listed []string
	for it.Next() {
		listed = append(listed, it.Item().ID)
	}
	it.Close()
	if it.Err() != nil || len(listed) < 3 || e.count("GET", "/v1/teams") < 2 {
		t.Fatalf("paged team list: %v (%d requests) %v", listed, e.count("GET", "/v1/teams"), it.Err())
	}
	if err := c.Teams().Delete(ctx, teams[2], ""); !errors.Is(err, fivetrex.KindConfirmationRequired) || e.count("DELETE", "/v1/teams/"+teams[2]) != 0 {
		t.Fatalf("a delete without its confirmation is refused before sending: %v", err)
	}
	if err := c.Teams().Delete(ctx, teams[2], teams[2]); err != nil {
		t.Fatalf("confirmed delete: %v", err)
	}
	if _, err := c.Teams().Get(ctx, teams[2]); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("deleted team still there: %v", err)
	}

	// Every family's list answers through the operation entry.
	families := map[string]func() error{
		"users": walkAll(ctx, c.Users()), "teams": walkAll(ctx, c.Teams()), "roles": walkAll(ctx, c.Roles()),
		"webhooks": walkAll(ctx, c.Webhooks()), "external logging": walkAll(ctx, c.ExternalLogging()),
		"private links": walkAll(ctx, c.PrivateLinks()), "proxy agents": walkAll(ctx, c.ProxyAgents()),
		"hybrid agents": walkAll(ctx, c.HybridAgents()), "transformations": walkAll(ctx, c.Transformations()),
		"transformation projects": walkAll(ctx, c.TransformationProjects()), "destinations": walkAll(ctx, c.Destinations()),
		"connector SDK packages": walkAll(ctx, c.ConnectorSDKPackages()),
	}
	for name, walk := range families {
		if err := walk(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	conn := e.connectionIDs(e.groupIDs()[0])[0]
	for _, it := range []*fivetrex.Iter[json.RawMessage]{c.ConnectionCertificates(ctx, conn), c.ConnectionFingerprints(ctx, conn)} {
		for it.Next() {
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		it.Close()
	}
	types := c.ConnectorTypes(ctx, map[string]any{"limit": 5})
	n := 0
	for types.Next() {
		n++
	}
	if types.Err() != nil || n == 0 {
		t.Fatalf("connector types: %d %v", n, types.Err())
	}
	types.Close()
	users := c.Users().List(ctx, nil)
	if !users.Next() {
		t.Fatalf("no user: %v", users.Err())
	}
	user := users.Item().ID
	users.Close()
	if u, err := c.Users().Get(ctx, user); err != nil || u.ID != user {
		t.Fatalf("user: %+v %v", u, err)
	}
	if _, err := c.ConnectCard(ctx, conn, map[string]any{"connect_card_config": map[string]any{"redirect_uri": "https://example.com"}}); err != nil {
		t.Fatalf("connect card: %v", err)
	}

	// An upload (multipart) creates a connector SDK package; the generic call reads it back.
	pkg, err := c.UploadPackage(ctx, "", "connector.zip", []byte("PK\x03\x04 not really a zip"))
	if err != nil || pkg.ID == "" {
		t.Fatalf("upload: %+v %v", pkg, err)
	}
	answer, err := c.Operation(ctx, "get_connector_sdk_package", map[string]any{"package_id": pkg.ID}, nil, "")
	if err != nil || !json.Valid(answer) {
		t.Fatalf("get package: %s %v", answer, err)
	}
	if got, err := c.ConnectorSDKPackages().Get(ctx, pkg.ID); err != nil || got.ID != pkg.ID || (got.CreatedAt == nil) != (pkg.CreatedAt == nil) {
		t.Fatalf("typed get package: %+v %v (uploaded %+v)", got, err, pkg)
	}
	if err := c.ConnectorSDKPackages().Delete(ctx, pkg.ID, pkg.ID); err != nil {
		t.Fatalf("delete package: %v", err)
	}
}

// walkAll walks a family's whole list and returns the walk's error.
func walkAll[T any](ctx context.Context, f fivetrex.Family[T]) func() error {
	return func() error {
		it := f.List(ctx, nil)
		defer it.Close()
		for it.Next() {
		}
		return it.Err()
	}
}
