package fivetrex_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

// The typed families decode each item into its struct: every typed field equals the field of
// the item's Raw text, over lists of several pages (two items per page).
func TestTypedFamiliesDecodeTheirFields(t *testing.T) {
	e := startEmulator(t, 2, 2)
	c := client(t, e)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.Teams().Create(ctx, map[string]any{"name": fmt.Sprintf("typed-%d", i), "description": "d", "role": "Account Reviewer"}); err != nil {
			t.Fatal(err)
		}
	}
	field := func(raw json.RawMessage, key string) any {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m[key]
	}
	str := func(v any) string {
		s, _ := v.(string)
		return s
	}
	pages := func(name string, n int) {
		t.Helper()
		if n < 3 {
			t.Errorf("%s: %d items, want several pages of 2", name, n)
		}
	}

	teams := c.Teams().List(ctx, map[string]any{"limit": 2})
	n := 0
	for teams.Next() {
		team := teams.Item()
		n++
		if team.ID == "" || team.Name != str(field(team.Raw, "name")) || team.Role != str(field(team.Raw, "role")) || team.Description != str(field(team.Raw, "description")) {
			t.Errorf("team %+v does not match %s", team, team.Raw)
		}
	}
	pages("teams", n)
	teams.Close()

	users := c.Users().List(ctx, map[string]any{"limit": 2})
	n = 0
	for users.Next() {
		u := users.Item()
		n++
		if u.ID == "" || u.Email == "" || u.Email != str(field(u.Raw, "email")) || u.GivenName != str(field(u.Raw, "given_name")) {
			t.Errorf("user %+v does not match %s", u, u.Raw)
		}
		if (u.CreatedAt == nil) != (field(u.Raw, "created_at") == nil) {
			t.Errorf("user created_at %v vs %s", u.CreatedAt, u.Raw)
		}
	}
	pages("users", n)
	users.Close()

	roles := c.Roles().List(ctx, map[string]any{"limit": 2})
	n = 0
	for roles.Next() {
		r := roles.Item()
		n++
		if r.Name == "" || r.Name != str(field(r.Raw, "name")) {
			t.Errorf("role %+v does not match %s", r, r.Raw)
		}
	}
	pages("roles", n)
	roles.Close()

	dests := c.Destinations().List(ctx, map[string]any{"limit": 1})
	n = 0
	for dests.Next() {
		d := dests.Item()
		n++
		if d.ID == "" || d.GroupID != str(field(d.Raw, "group_id")) || d.Service != str(field(d.Raw, "service")) || d.Service == "" {
			t.Errorf("destination %+v does not match %s", d, d.Raw)
		}
	}
	if n < 2 {
		t.Errorf("destinations: %d items, want two pages of 1", n)
	}
	dests.Close()

	one, err := c.Destinations().Get(ctx, e.groupIDs()[0])
	if err != nil || one.ID != e.groupIDs()[0] || one.TimeZoneOffset != str(field(one.Raw, "time_zone_offset")) {
		t.Fatalf("destination get: %+v %v", one, err)
	}
	for i := 0; i < 3; i++ {
		body := map[string]any{"url": fmt.Sprintf("https://hooks.example/%d", i), "events": []string{"sync_end"}, "active": true}
		if _, err := c.Operation(ctx, "create_account_webhook", nil, body, ""); err != nil {
			t.Fatal(err)
		}
	}
	hooks := c.Webhooks().List(ctx, map[string]any{"limit": 2})
	n = 0
	var hook fivetrex.Webhook
	for hooks.Next() {
		hook = hooks.Item()
		n++
		if hook.ID == "" || hook.URL != str(field(hook.Raw, "url")) || len(hook.Events) != 1 || hook.Events[0] != "sync_end" || !hook.Active {
			t.Errorf("webhook %+v does not match %s", hook, hook.Raw)
		}
	}
	pages("webhooks", n)
	hooks.Close()

	types := c.ConnectorTypes(ctx, map[string]any{"limit": 2})
	n = 0
	for types.Next() && n < 6 {
		ct := types.Item()
		n++
		if ct.ID == "" || ct.Name != str(field(ct.Raw, "name")) || ct.Type != str(field(ct.Raw, "type")) {
			t.Errorf("connector type %+v does not match %s", ct, ct.Raw)
		}
	}
	pages("connector types", n)
	types.Close()
}

// Groups come from cells too: several pages from the emulator, each item equal to what
// encoding/json makes of its Raw.
func TestGroupsFromCellsMatchTheirJSON(t *testing.T) {
	emu := startEmulator(t, 7, 0)
	c := client(t, emu)
	it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 3})
	defer it.Close()
	n := 0
	for it.Next() {
		got := it.Item()
		var want fivetrex.Group
		if err := json.Unmarshal(got.Raw, &want); err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Name != want.Name || !got.CreatedAt.Equal(want.CreatedAt) || got.ID == "" {
			t.Errorf("group %d: %+v, want %+v", n, got, want)
		}
		n++
	}
	if it.Err() != nil || n != 7 {
		t.Fatalf("walked %d groups: %v", n, it.Err())
	}
	if pages := emu.count("GET", "/v1/groups"); pages != 3 {
		t.Fatalf("%d requests, want 3 pages", pages)
	}
}
