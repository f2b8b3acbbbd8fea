package fivetrex_test

// Every typed family against the emulator: a list over several pages (two items per page,
// the requests counted in the emulator's log), get, create, update and delete where the API
// has them, and each named action, asserting the typed fields of what comes back.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

// walk drains it (made with "limit": 2) and checks that it took one request per page of two
// to path, at least two of them.
func walk[T any](t *testing.T, e *emulator, path string, it *fivetrex.Iter[T]) []T {
	t.Helper()
	defer it.Close()
	e.clearLog()
	var items []T
	for it.Next() {
		items = append(items, it.Item())
	}
	if err := it.Err(); err != nil {
		t.Fatalf("walking %s: %v", path, err)
	}
	pages, want := e.count("GET", path), (len(items)+1)/2
	if pages != want || pages < 2 {
		t.Fatalf("walking %s: %d items in %d requests, want %d pages of 2 (at least 2)", path, len(items), pages, want)
	}
	return items
}

func two() map[string]any { return map[string]any{"limit": 2} }

// sameSet fails unless got and want hold the same strings.
func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Fatalf("%s: got %v, want %v", what, g, w)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// refusedThenDone checks that remove without its confirmation sends nothing, then removes with it.
func refusedThenDone(t *testing.T, e *emulator, what, path string, remove func(confirm string) error, confirm string) {
	t.Helper()
	e.clearLog()
	if err := remove(""); !errors.Is(err, fivetrex.KindConfirmationRequired) || e.count("DELETE", path) != 0 {
		t.Fatalf("%s without its confirmation: %v, %d requests", what, err, e.count("DELETE", path))
	}
	if err := remove(confirm); err != nil || e.count("DELETE", path) != 1 {
		t.Fatalf("%s: %v, %d requests", what, err, e.count("DELETE", path))
	}
}

func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("%s: want not found, got %v", what, err)
	}
}

func TestUsersTyped(t *testing.T) {
	e := startEmulator(t, 3, 1)
	c := client(t, e)
	ctx := context.Background()
	groups := e.groupIDs()

	var created []string
	for i := 0; i < 2; i++ {
		u, err := c.Users().Create(ctx, fivetrex.NewUser{Email: fmt.Sprintf("u%d@example.com", i), GivenName: "Given", FamilyName: fmt.Sprintf("Family%d", i), Role: "Account Reviewer"})
		if err != nil || u.ID == "" || u.Email != fmt.Sprintf("u%d@example.com", i) || u.GivenName != "Given" || u.Role != "Account Reviewer" || u.CreatedAt == nil || len(u.Raw) == 0 {
			t.Fatalf("create user: %+v %v", u, err)
		}
		created = append(created, u.ID)
	}
	users := walk(t, e, "/v1/users", c.Users().List(ctx, two()))
	if len(users) < 4 {
		t.Fatalf("%d users", len(users))
	}
	for _, u := range users {
		if u.ID == "" || u.Email == "" || u.CreatedAt == nil || len(u.Raw) == 0 {
			t.Fatalf("list item %+v", u)
		}
	}
	u, err := c.Users().Get(ctx, created[0])
	if err != nil || u.ID != created[0] || u.FamilyName != "Family0" {
		t.Fatalf("get user: %+v %v", u, err)
	}
	u, err = c.Users().Update(ctx, created[0], map[string]any{"given_name": "Renamed", "phone": "+15550100"})
	if err != nil || u.GivenName != "Renamed" || u.Phone != "+15550100" || u.FamilyName != "Family0" {
		t.Fatalf("update user: %+v %v", u, err)
	}

	// Memberships in groups: add three, walk them in pages, read, change, remove.
	member := c.Users().Groups(created[0])
	for _, g := range groups {
		m, err := member.Add(ctx, g, "Destination Analyst")
		if err != nil || m.ID != g || m.Role != "Destination Analyst" {
			t.Fatalf("add group membership: %+v %v", m, err)
		}
	}
	ms := walk(t, e, "/v1/users/"+created[0]+"/groups", member.List(ctx, two()))
	sameSet(t, "group memberships", ids(ms, func(m fivetrex.Membership) string { return m.ID }), groups)
	if m, err := member.Update(ctx, groups[0], "Destination Reviewer"); err != nil || m.Role != "Destination Reviewer" {
		t.Fatalf("update group membership: %+v %v", m, err)
	}
	if m, err := member.Get(ctx, groups[0]); err != nil || m.ID != groups[0] || m.Role != "Destination Reviewer" {
		t.Fatalf("get group membership: %+v %v", m, err)
	}
	refusedThenDone(t, e, "remove group membership", "/v1/users/"+created[0]+"/groups/"+groups[0],
		func(confirm string) error { return member.Remove(ctx, groups[0], confirm) }, groups[0])
	_, err = member.Get(ctx, groups[0])
	notFound(t, "removed group membership", err)

	// Memberships in connections.
	var conns []string
	for _, g := range groups {
		conns = append(conns, e.connectionIDs(g)[0])
	}
	cm := c.Users().Connections(created[0])
	for _, conn := range conns {
		if m, err := cm.Add(ctx, conn, "Connector Administrator"); err != nil || m.ID != conn || m.Role != "Connector Administrator" || m.CreatedAt == nil {
			t.Fatalf("add connection membership: %+v %v", m, err)
		}
	}
	cms := walk(t, e, "/v1/users/"+created[0]+"/connections", cm.List(ctx, two()))
	sameSet(t, "connection memberships", ids(cms, func(m fivetrex.Membership) string { return m.ID }), conns)
	if m, err := cm.Update(ctx, conns[1], "Connector Reviewer"); err != nil || m.Role != "Connector Reviewer" {
		t.Fatalf("update connection membership: %+v %v", m, err)
	}
	if m, err := cm.Get(ctx, conns[1]); err != nil || m.Role != "Connector Reviewer" {
		t.Fatalf("get connection membership: %+v %v", m, err)
	}
	refusedThenDone(t, e, "remove connection membership", "/v1/users/"+created[0]+"/connections/"+conns[1],
		func(confirm string) error { return cm.Remove(ctx, conns[1], confirm) }, conns[1])

	// The account role, then the user.
	refusedThenDone(t, e, "remove account role", "/v1/users/"+created[1]+"/role",
		func(confirm string) error { return c.Users().RemoveAccountRole(ctx, created[1], confirm) }, created[1])
	if u, err := c.Users().Get(ctx, created[1]); err != nil || u.Role != "" {
		t.Fatalf("account role still there: %+v %v", u, err)
	}
	refusedThenDone(t, e, "delete user", "/v1/users/"+created[1],
		func(confirm string) error { return c.Users().Delete(ctx, created[1], confirm) }, created[1])
	_, err = c.Users().Get(ctx, created[1])
	notFound(t, "deleted user", err)
}

func TestTeamsTyped(t *testing.T) {
	e := startEmulator(t, 3, 1)
	c := client(t, e)
	ctx := context.Background()
	groups := e.groupIDs()

	var teams []string
	for i := 0; i < 3; i++ {
		team, err := c.Teams().Create(ctx, map[string]any{"name": fmt.Sprintf("team-%d", i), "description": "d", "role": "Account Reviewer"})
		if err != nil || team.ID == "" || team.Name != fmt.Sprintf("team-%d", i) || team.Description != "d" || team.Role != "Account Reviewer" {
			t.Fatalf("create team: %+v %v", team, err)
		}
		teams = append(teams, team.ID)
	}
	listed := walk(t, e, "/v1/teams", c.Teams().List(ctx, two()))
	sameSet(t, "teams", ids(listed, func(t fivetrex.Team) string { return t.ID }), teams)
	if team, err := c.Teams().Update(ctx, teams[0], map[string]any{"description": "renamed"}); err != nil || team.Description != "renamed" || team.Name != "team-0" {
		t.Fatalf("update team: %+v %v", team, err)
	}
	if team, err := c.Teams().Get(ctx, teams[0]); err != nil || team.Description != "renamed" || len(team.Raw) == 0 {
		t.Fatalf("get team: %+v %v", team, err)
	}

	// Its users.
	var users []string
	it := c.Users().List(ctx, nil)
	for it.Next() {
		users = append(users, it.Item().ID)
	}
	it.Close()
	tu := c.Teams().Users(teams[0])
	for _, u := range users {
		if m, err := tu.Add(ctx, u, "Team Manager"); err != nil || m.UserID != u || m.Role != "Team Manager" || m.CreatedAt == nil {
			t.Fatalf("add user to team: %+v %v", m, err)
		}
	}
	members := walk(t, e, "/v1/teams/"+teams[0]+"/users", tu.List(ctx, two()))
	sameSet(t, "team users", ids(members, func(m fivetrex.TeamMembership) string { return m.UserID }), users)
	if m, err := tu.Update(ctx, users[0], "Team Member"); err != nil || m.Role != "Team Member" {
		t.Fatalf("update team user: %+v %v", m, err)
	}
	if m, err := tu.Get(ctx, users[0]); err != nil || m.UserID != users[0] || m.Role != "Team Member" {
		t.Fatalf("get team user: %+v %v", m, err)
	}
	refusedThenDone(t, e, "remove team user", "/v1/teams/"+teams[0]+"/users/"+users[0],
		func(confirm string) error { return tu.Remove(ctx, users[0], confirm) }, users[0])

	// Its groups and connections.
	tg := c.Teams().Groups(teams[0])
	for _, g := range groups {
		if m, err := tg.Add(ctx, g, "Destination Administrator"); err != nil || m.ID != g || m.Role != "Destination Administrator" {
			t.Fatalf("add team to group: %+v %v", m, err)
		}
	}
	gms := walk(t, e, "/v1/teams/"+teams[0]+"/groups", tg.List(ctx, two()))
	sameSet(t, "team groups", ids(gms, func(m fivetrex.Membership) string { return m.ID }), groups)
	if m, err := tg.Update(ctx, groups[2], "Destination Reviewer"); err != nil || m.Role != "Destination Reviewer" {
		t.Fatalf("update team group: %+v %v", m, err)
	}
	if m, err := tg.Get(ctx, groups[2]); err != nil || m.Role != "Destination Reviewer" {
		t.Fatalf("get team group: %+v %v", m, err)
	}
	refusedThenDone(t, e, "remove team group", "/v1/teams/"+teams[0]+"/groups/"+groups[2],
		func(confirm string) error { return tg.Remove(ctx, groups[2], confirm) }, groups[2])
	tc := c.Teams().Connections(teams[0])
	var conns []string
	for _, g := range groups {
		conns = append(conns, e.connectionIDs(g)[0])
	}
	for _, conn := range conns {
		if m, err := tc.Add(ctx, conn, "Connector Administrator"); err != nil || m.ID != conn || m.Role != "Connector Administrator" {
			t.Fatalf("add team to connection: %+v %v", m, err)
		}
	}
	cms := walk(t, e, "/v1/teams/"+teams[0]+"/connections", tc.List(ctx, two()))
	sameSet(t, "team connections", ids(cms, func(m fivetrex.Membership) string { return m.ID }), conns)
	if m, err := tc.Update(ctx, conns[0], "Connector Reviewer"); err != nil || m.Role != "Connector Reviewer" {
		t.Fatalf("update team connection: %+v %v", m, err)
	}
	if m, err := tc.Get(ctx, conns[0]); err != nil || m.Role != "Connector Reviewer" {
		t.Fatalf("get team connection: %+v %v", m, err)
	}
	refusedThenDone(t, e, "remove team connection", "/v1/teams/"+teams[0]+"/connections/"+conns[0],
		func(confirm string) error { return tc.Remove(ctx, conns[0], confirm) }, conns[0])

	refusedThenDone(t, e, "remove team account role", "/v1/teams/"+teams[1]+"/role",
		func(confirm string) error { return c.Teams().RemoveAccountRole(ctx, teams[1], confirm) }, teams[1])
	if team, err := c.Teams().Get(ctx, teams[1]); err != nil || team.Role != "" {
		t.Fatalf("team role still there: %+v %v", team, err)
	}
	refusedThenDone(t, e, "delete team", "/v1/teams/"+teams[2],
		func(confirm string) error { return c.Teams().Delete(ctx, teams[2], confirm) }, teams[2])
	_, err := c.Teams().Get(ctx, teams[2])
	notFound(t, "deleted team", err)
}

func TestRolesTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	roles := walk(t, e, "/v1/roles", c.Roles().List(context.Background(), two()))
	byName := map[string]fivetrex.Role{}
	for _, r := range roles {
		byName[r.Name] = r
	}
	admin, ok := byName["Account Administrator"]
	if len(roles) < 4 || !ok || fmt.Sprint(admin.Scope) != "[ACCOUNT]" || admin.IsDeprecated || admin.Description == "" || len(admin.Raw) == 0 {
		t.Fatalf("roles: %+v", roles)
	}
	if r := byName["Connector Reviewer"]; fmt.Sprint(r.Scope) != "[CONNECTOR]" {
		t.Fatalf("connector role: %+v", r)
	}
	if _, err := c.Roles().Get(context.Background(), "x"); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("roles have no get: %v", err)
	}
}

// checkCertificates approves, walks, reads and revokes certificates and fingerprints of one
// connection or destination (base: its API path).
func checkCertificates(t *testing.T, e *emulator, base string, certs fivetrex.Certificates, prints fivetrex.Fingerprints) {
	t.Helper()
	ctx := context.Background()
	var hashes []string
	for i := 0; i < 3; i++ {
		hash := fmt.Sprintf("hash%d", i)
		cert, err := certs.Approve(ctx, hash, "TUlJQ2VtdWxhdG9y"+hash)
		sum := sha256.Sum256([]byte("TUlJQ2VtdWxhdG9y" + hash))
		if err != nil || cert.Hash != hash || cert.SHA256 != hex.EncodeToString(sum[:]) || cert.ValidatedDate == nil || cert.ValidatedBy == "" || cert.Type != "TLS" {
			t.Fatalf("approve certificate: %+v %v", cert, err)
		}
		hashes = append(hashes, hash)
	}
	listed := walk(t, e, base+"/certificates", certs.List(ctx, two()))
	sameSet(t, "certificates", ids(listed, func(c fivetrex.Certificate) string { return c.Hash }), hashes)
	if cert, err := certs.Get(ctx, "hash1"); err != nil || cert.Hash != "hash1" || cert.PublicKey == "" || cert.SHA1 == "" {
		t.Fatalf("get certificate: %+v %v", cert, err)
	}
	refusedThenDone(t, e, "revoke certificate", base+"/certificates/hash1",
		func(confirm string) error { return certs.Revoke(ctx, "hash1", confirm) }, "hash1")
	_, err := certs.Get(ctx, "hash1")
	notFound(t, "revoked certificate", err)

	for i := 0; i < 3; i++ {
		hash := fmt.Sprintf("fp%d", i)
		if _, err := prints.Approve(ctx, hash, "ssh-rsa AAAA"+hash); err != nil {
			t.Fatalf("approve fingerprint: %v", err)
		}
	}
	fps := walk(t, e, base+"/fingerprints", prints.List(ctx, two()))
	sameSet(t, "fingerprints", ids(fps, func(f fivetrex.Fingerprint) string { return f.Hash }), []string{"fp0", "fp1", "fp2"})
	if fp, err := prints.Get(ctx, "fp2"); err != nil || fp.Hash != "fp2" || fp.PublicKey != "ssh-rsa AAAAfp2" || fp.ValidatedDate == nil || fp.ValidatedBy == "" {
		t.Fatalf("get fingerprint: %+v %v", fp, err)
	}
	refusedThenDone(t, e, "revoke fingerprint", base+"/fingerprints/fp2",
		func(confirm string) error { return prints.Revoke(ctx, "fp2", confirm) }, "fp2")
	_, err = prints.Get(ctx, "fp2")
	notFound(t, "revoked fingerprint", err)
}

func TestDestinationsTyped(t *testing.T) {
	e := startEmulator(t, 3, 1)
	c := client(t, e)
	ctx := context.Background()
	group, err := c.CreateGroup(ctx, "warehouse")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	d, err := c.Destinations().Create(ctx, fivetrex.NewDestination{
		GroupID: group.ID, Service: "snowflake", Region: "AWS_US_EAST_1", TimeZoneOffset: "-5", RunSetupTests: &yes,
		Config: map[string]any{"host": "db.example.com", "password": "hunter2"},
	})
	if err != nil || d.ID == "" || d.GroupID != group.ID || d.Service != "snowflake" || d.Region != "AWS_US_EAST_1" || d.TimeZoneOffset != "-5" ||
		d.SetupStatus == "" || !strings.Contains(string(d.Config), `"host":"db.example.com"`) || strings.Contains(string(d.Config), "hunter2") {
		t.Fatalf("create destination: %+v %v", d, err)
	}
	want := e.groupIDs() // every group has its destination (same id), the new one included
	listed := walk(t, e, "/v1/destinations", c.Destinations().List(ctx, two()))
	sameSet(t, "destinations", ids(listed, func(d fivetrex.Destination) string { return d.ID }), want)
	got, err := c.Destinations().Get(ctx, d.ID)
	if err != nil || got.ID != d.ID || got.Service != "snowflake" || got.NetworkingMethod == "" || len(got.Config) == 0 || len(got.Raw) == 0 {
		t.Fatalf("get destination: %+v %v", got, err)
	}
	upd, err := c.Destinations().Update(ctx, d.ID, map[string]any{"time_zone_offset": "+3"})
	if err != nil || upd.TimeZoneOffset != "+3" || upd.Region != "AWS_US_EAST_1" {
		t.Fatalf("update destination: %+v %v", upd, err)
	}
	tested, err := c.Destinations().RunSetupTests(ctx, d.ID, &fivetrex.SetupTestOptions{TrustCertificates: true})
	if err != nil || tested.ID != d.ID || len(tested.SetupTests) == 0 || tested.SetupTests[0].Title == "" || tested.SetupTests[0].Status != "PASSED" {
		t.Fatalf("destination setup tests: %+v %v", tested, err)
	}
	checkCertificates(t, e, "/v1/destinations/"+d.ID, c.Destinations().Certificates(d.ID), c.Destinations().Fingerprints(d.ID))
	refusedThenDone(t, e, "delete destination", "/v1/destinations/"+d.ID,
		func(confirm string) error { return c.Destinations().Delete(ctx, d.ID, confirm) }, d.ID)
	_, err = c.Destinations().Get(ctx, d.ID)
	notFound(t, "deleted destination", err)
}

func TestConnectionCertificatesAndConnectCard(t *testing.T) {
	e := startEmulator(t, 1, 1)
	c := client(t, e)
	conn := e.connectionIDs(e.groupIDs()[0])[0]
	checkCertificates(t, e, "/v1/connections/"+conn, c.ConnectionCertificates(conn), c.ConnectionFingerprints(conn))

	card, err := c.ConnectCard(context.Background(), conn, fivetrex.ConnectCardConfig{RedirectURI: "https://example.com/back", HideSetupGuide: true})
	if err != nil || card.ConnectionID != conn || card.ConnectCard.Token == "" || !strings.Contains(card.ConnectCard.URI, card.ConnectCard.Token) ||
		card.ConnectCardConfig.RedirectURI != "https://example.com/back" || !card.ConnectCardConfig.HideSetupGuide {
		t.Fatalf("connect card: %+v %v", card, err)
	}
}

func TestWebhooksTyped(t *testing.T) {
	var mu sync.Mutex
	var received []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		received = append(received, string(body))
		mu.Unlock()
	}))
	defer receiver.Close()
	e := startEmulator(t, 2, 1)
	c := client(t, e)
	ctx := context.Background()
	group := e.groupIDs()[0]

	if _, err := c.Webhooks().Create(ctx, nil); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("webhooks have no plain create: %v", err)
	}
	account, err := c.Webhooks().CreateForAccount(ctx, fivetrex.NewWebhook{URL: receiver.URL, Events: []string{"sync_start", "sync_end"}, Secret: "s3cret"})
	if err != nil || account.ID == "" || account.Type != "account" || account.URL != receiver.URL || !account.Active || account.Secret != "******" ||
		fmt.Sprint(account.Events) != "[sync_start sync_end]" || account.CreatedAt == nil || account.CreatedBy == "" {
		t.Fatalf("account webhook: %+v %v", account, err)
	}
	var hooks = []string{account.ID}
	for i := 0; i < 2; i++ {
		w, err := c.Webhooks().CreateForGroup(ctx, group, fivetrex.NewWebhook{URL: receiver.URL, Events: []string{"sync_end"}})
		if err != nil || w.Type != "group" || w.GroupID != group || fmt.Sprint(w.Events) != "[sync_end]" {
			t.Fatalf("group webhook: %+v %v", w, err)
		}
		hooks = append(hooks, w.ID)
	}
	listed := walk(t, e, "/v1/webhooks", c.Webhooks().List(ctx, two()))
	sameSet(t, "webhooks", ids(listed, func(w fivetrex.Webhook) string { return w.ID }), hooks)
	if w, err := c.Webhooks().Update(ctx, hooks[1], map[string]any{"active": false}); err != nil || w.Active || w.GroupID != group {
		t.Fatalf("update webhook: %+v %v", w, err)
	}
	if w, err := c.Webhooks().Get(ctx, hooks[1]); err != nil || w.Active || w.ID != hooks[1] {
		t.Fatalf("get webhook: %+v %v", w, err)
	}
	res, err := c.Webhooks().Test(ctx, account.ID, "sync_start")
	if err != nil || !res.Succeed || res.Status != 200 {
		t.Fatalf("test webhook: %+v %v", res, err)
	}
	mu.Lock()
	got := strings.Join(received, "\n")
	mu.Unlock()
	if !strings.Contains(got, `"event":"sync_start"`) {
		t.Fatalf("the receiver got %q", got)
	}
	refusedThenDone(t, e, "delete webhook", "/v1/webhooks/"+hooks[2],
		func(confirm string) error { return c.Webhooks().Delete(ctx, hooks[2], confirm) }, hooks[2])
	_, err = c.Webhooks().Get(ctx, hooks[2])
	notFound(t, "deleted webhook", err)
}

func TestExternalLoggingTyped(t *testing.T) {
	e := startEmulator(t, 3, 0)
	c := client(t, e)
	ctx := context.Background()
	groups := e.groupIDs()
	for _, g := range groups {
		l, err := c.ExternalLogging().Create(ctx, map[string]any{"group_id": g, "service": "datadog_log", "enabled": true, "config": map[string]any{"api_key": "secret-key", "region": "us"}})
		if err != nil || l.ID != g || l.Service != "datadog_log" || !l.Enabled || l.Status == nil || l.Status.SetupState == "" ||
			!strings.Contains(string(l.Config), `"region":"us"`) || strings.Contains(string(l.Config), "secret-key") {
			t.Fatalf("add log service: %+v %v", l, err)
		}
	}
	listed := walk(t, e, "/v1/external-logging", c.ExternalLogging().List(ctx, two()))
	sameSet(t, "log services", ids(listed, func(l fivetrex.ExternalLogging) string { return l.ID }), groups)
	if l, err := c.ExternalLogging().Update(ctx, groups[0], map[string]any{"enabled": false}); err != nil || l.Enabled || l.Service != "datadog_log" {
		t.Fatalf("update log service: %+v %v", l, err)
	}
	if l, err := c.ExternalLogging().Get(ctx, groups[0]); err != nil || l.Enabled || l.ID != groups[0] {
		t.Fatalf("get log service: %+v %v", l, err)
	}
	tests, err := c.ExternalLogging().RunSetupTests(ctx, groups[1])
	if err != nil || len(tests) == 0 || tests[0].Title == "" || tests[0].Status != "PASSED" {
		t.Fatalf("log service setup tests: %+v %v", tests, err)
	}
	refusedThenDone(t, e, "delete log service", "/v1/external-logging/"+groups[2],
		func(confirm string) error { return c.ExternalLogging().Delete(ctx, groups[2], confirm) }, groups[2])
	_, err = c.ExternalLogging().Get(ctx, groups[2])
	notFound(t, "deleted log service", err)
}

func TestPrivateLinksTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	ctx := context.Background()
	var links []string
	for i := 0; i < 3; i++ {
		l, err := c.PrivateLinks().Create(ctx, map[string]any{"name": fmt.Sprintf("link-%d", i), "region": "AWS_US_EAST_1", "service": "REDSHIFT_AWS", "config": map[string]any{"aws_account_id": "123"}})
		if err != nil || l.ID == "" || l.Name != fmt.Sprintf("link-%d", i) || l.Region != "AWS_US_EAST_1" || l.Service != "REDSHIFT_AWS" ||
			l.CloudProvider != "AWS" || l.State == "" || l.Host == "" || l.AccountID == "" || l.CreatedAt == nil || l.CreatedBy == "" {
			t.Fatalf("create private link: %+v %v", l, err)
		}
		links = append(links, l.ID)
	}
	listed := walk(t, e, "/v1/private-links", c.PrivateLinks().List(ctx, two()))
	sameSet(t, "private links", ids(listed, func(l fivetrex.PrivateLink) string { return l.ID }), links)
	if l, err := c.PrivateLinks().Update(ctx, links[0], map[string]any{"config": map[string]any{"aws_account_id": "456"}}); err != nil || !strings.Contains(string(l.Config), "456") {
		t.Fatalf("update private link: %+v %v", l, err)
	}
	if l, err := c.PrivateLinks().Get(ctx, links[0]); err != nil || l.Name != "link-0" || !strings.Contains(string(l.Config), "456") {
		t.Fatalf("get private link: %+v %v", l, err)
	}
	refusedThenDone(t, e, "delete private link", "/v1/private-links/"+links[1],
		func(confirm string) error { return c.PrivateLinks().Delete(ctx, links[1], confirm) }, links[1])
	_, err := c.PrivateLinks().Get(ctx, links[1])
	notFound(t, "deleted private link", err)
}

func TestProxyAgentsTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	ctx := context.Background()
	var agents []string
	var first *fivetrex.ProxyAgentSecrets
	for i := 0; i < 3; i++ {
		s, err := c.ProxyAgents().Create(ctx, map[string]any{"display_name": fmt.Sprintf("proxy-%d", i), "group_region": "GCP_US_EAST4"})
		if err != nil || s.AgentID == "" || s.AuthToken == "" || s.ClientCert == "" || s.ClientPrivateKey == "" || s.OrchestratorHost == "" || s.OrchestratorPort != 443 {
			t.Fatalf("create proxy agent: %+v %v", s, err)
		}
		if first == nil {
			first = s
		}
		agents = append(agents, s.AgentID)
	}
	listed := walk(t, e, "/v1/proxy", c.ProxyAgents().List(ctx, two()))
	sameSet(t, "proxy agents", ids(listed, func(p fivetrex.ProxyAgent) string { return p.ID }), agents)
	p, err := c.ProxyAgents().Get(ctx, agents[0])
	if err != nil || p.ID != agents[0] || p.DisplayName != "proxy-0" || p.AccountID == "" || p.CreatedBy == "" || p.RegisteredAt == nil {
		t.Fatalf("get proxy agent: %+v %v", p, err)
	}
	s, err := c.ProxyAgents().RegenerateSecrets(ctx, agents[0])
	if err != nil || s.AgentID != agents[0] || s.AuthToken == "" || s.AuthToken == first.AuthToken {
		t.Fatalf("regenerate secrets: %+v (was %q) %v", s, first.AuthToken, err)
	}
	if _, err := c.ProxyAgents().Update(ctx, agents[0], map[string]any{}); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("proxy agents have no update: %v", err)
	}
	// The connections using an agent: the emulator takes them as a loaded collection.
	path := "/v1/proxy/" + agents[0] + "/connections"
	e.do("POST", "/__emulator/account", map[string]any{"collections": map[string]any{path: []map[string]any{
		{"id": "conn_a", "connection_id": "conn_a"}, {"id": "conn_b", "connection_id": "conn_b"}, {"id": "conn_c", "connection_id": "conn_c"},
	}}}, nil)
	conns := walk(t, e, path, c.ProxyAgents().Connections(ctx, agents[0], two()))
	sameSet(t, "proxy connections", ids(conns, func(p fivetrex.ProxyAgentConnection) string { return p.ConnectionID }), []string{"conn_a", "conn_b", "conn_c"})
	refusedThenDone(t, e, "delete proxy agent", "/v1/proxy/"+agents[2],
		func(confirm string) error { return c.ProxyAgents().Delete(ctx, agents[2], confirm) }, agents[2])
	_, err = c.ProxyAgents().Get(ctx, agents[2])
	notFound(t, "deleted proxy agent", err)
}

func TestHybridAgentsTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	ctx := context.Background()
	group := e.groupIDs()[0]
	var agents []string
	for i := 0; i < 3; i++ {
		a, err := c.HybridAgents().Create(ctx, map[string]any{"display_name": fmt.Sprintf("agent-%d", i), "group_id": group, "env_type": "DOCKER", "accept_terms": true})
		if err != nil || a.ID == "" || a.DisplayName != fmt.Sprintf("agent-%d", i) || a.GroupID != group || a.Files == nil ||
			!strings.Contains(a.Files.DockerComposeYAML, "services:") || a.Files.ConfigJSON == "" || a.Token == "" || a.RegisteredAt == nil || !a.Enabled {
			t.Fatalf("create hybrid agent: %+v %v", a, err)
		}
		agents = append(agents, a.ID)
	}
	listed := walk(t, e, "/v1/hybrid-deployment-agents", c.HybridAgents().List(ctx, two()))
	sameSet(t, "hybrid agents", ids(listed, func(a fivetrex.HybridAgent) string { return a.ID }), agents)
	a, err := c.HybridAgents().Get(ctx, agents[0])
	if err != nil || a.ID != agents[0] || a.DeploymentType != "DOCKER" || a.Version == "" || a.CreatedBy == "" || a.UpdatedAt == nil || a.Files != nil {
		t.Fatalf("get hybrid agent: %+v %v", a, err)
	}
	re, err := c.HybridAgents().ReAuth(ctx, agents[0], "")
	if err != nil || re.ID != agents[0] || re.Files == nil || re.Files.AuthJSON == "" || re.Token == "" {
		t.Fatalf("re-auth hybrid agent: %+v %v", re, err)
	}
	reset, err := c.HybridAgents().ResetCredentials(ctx, agents[1])
	if err != nil || reset.ID != agents[1] || reset.Token == "" {
		t.Fatalf("reset hybrid agent credentials: %+v %v", reset, err)
	}
	refusedThenDone(t, e, "delete hybrid agent", "/v1/hybrid-deployment-agents/"+agents[2],
		func(confirm string) error { return c.HybridAgents().Delete(ctx, agents[2], confirm) }, agents[2])
	_, err = c.HybridAgents().Get(ctx, agents[2])
	notFound(t, "deleted hybrid agent", err)
}

func TestTransformationsTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	ctx := context.Background()
	var ids3 []string
	for i := 0; i < 3; i++ {
		tr, err := c.Transformations().Create(ctx, map[string]any{
			"type": "QUICKSTART", "paused": true,
			"schedule":              map[string]any{"schedule_type": "INTERVAL", "interval": 60 + i},
			"transformation_config": map[string]any{"package_name": "dbt_fivetran_log"},
		})
		if err != nil || tr.ID == "" || tr.Type != "QUICKSTART" || !tr.Paused || tr.Schedule.ScheduleType != "INTERVAL" || tr.Schedule.Interval != 60+i ||
			tr.CreatedAt == nil || tr.CreatedByID == "" || tr.Status == "" || !strings.Contains(string(tr.TransformationConfig), "dbt_fivetran_log") {
			t.Fatalf("create transformation: %+v %v", tr, err)
		}
		ids3 = append(ids3, tr.ID)
	}
	listed := walk(t, e, "/v1/transformations", c.Transformations().List(ctx, two()))
	sameSet(t, "transformations", ids(listed, func(t fivetrex.Transformation) string { return t.ID }), ids3)
	if tr, err := c.Transformations().Update(ctx, ids3[0], map[string]any{"paused": false}); err != nil || tr.Paused || tr.Schedule.Interval != 60 {
		t.Fatalf("update transformation: %+v %v", tr, err)
	}
	if err := c.Transformations().Run(ctx, ids3[0], true); err != nil {
		t.Fatalf("run transformation: %v", err)
	}
	tr, err := c.Transformations().Get(ctx, ids3[0])
	if err != nil || tr.Status != "SUCCEEDED" || tr.LastStartedAt == nil || tr.LastEndedAt == nil || tr.Paused {
		t.Fatalf("transformation after its run: %+v %v", tr, err)
	}
	if err := c.Transformations().Cancel(ctx, ids3[0]); err != nil {
		t.Fatalf("cancel transformation: %v", err)
	}
	if err := c.Transformations().UpgradePackage(ctx, ids3[0]); err != nil {
		t.Fatalf("upgrade transformation package: %v", err)
	}
	e.clearLog()
	if err := c.Transformations().Cancel(ctx, "no_such_transformation"); !errors.Is(err, fivetrex.KindNotFound) || e.count("POST", "/v1/transformations/no_such_transformation/cancel") != 1 {
		t.Fatalf("cancel of an unknown transformation: %v", err)
	}

	packages := c.Transformations().Packages(ctx, map[string]any{"limit": 1})
	var pkgs []fivetrex.TransformationPackage
	e.clearLog()
	for packages.Next() {
		pkgs = append(pkgs, packages.Item())
	}
	packages.Close()
	if packages.Err() != nil || len(pkgs) < 2 || e.count("GET", "/v1/transformations/package-metadata") != len(pkgs) || pkgs[0].ID == "" || pkgs[0].Version == "" || len(pkgs[0].ConnectorTypes) == 0 {
		t.Fatalf("transformation packages: %+v %v", pkgs, packages.Err())
	}
	if p, err := c.Transformations().Package(ctx, pkgs[1].ID); err != nil || p.ID != pkgs[1].ID || p.Name != pkgs[1].Name || len(p.OutputModelNames) == 0 {
		t.Fatalf("transformation package: %+v %v", p, err)
	}
	refusedThenDone(t, e, "delete transformation", "/v1/transformations/"+ids3[2],
		func(confirm string) error { return c.Transformations().Delete(ctx, ids3[2], confirm) }, ids3[2])
	_, err = c.Transformations().Get(ctx, ids3[2])
	notFound(t, "deleted transformation", err)
}

func TestTransformationProjectsTyped(t *testing.T) {
	e := startEmulator(t, 3, 0)
	c := client(t, e)
	ctx := context.Background()
	groups := e.groupIDs()
	var projects []string
	for _, g := range groups {
		p, err := c.TransformationProjects().Create(ctx, map[string]any{"group_id": g, "type": "DBT_CORE",
			"project_config": map[string]any{"dbt_version": "1.7.0", "git_remote_url": "git@example.com:dbt.git", "default_schema": "analytics"}})
		if err != nil || p.ID == "" || p.GroupID != g || p.Type != "DBT_CORE" || p.Status == "" || p.CreatedAt == nil || p.CreatedByID == "" ||
			!strings.Contains(string(p.ProjectConfig), `"dbt_version":"1.7.0"`) {
			t.Fatalf("create transformation project: %+v %v", p, err)
		}
		projects = append(projects, p.ID)
	}
	listed := walk(t, e, "/v1/transformation-projects", c.TransformationProjects().List(ctx, two()))
	sameSet(t, "transformation projects", ids(listed, func(p fivetrex.TransformationProject) string { return p.ID }), projects)
	if p, err := c.TransformationProjects().Update(ctx, projects[0], map[string]any{"project_config": map[string]any{"dbt_version": "1.8.0"}}); err != nil ||
		!strings.Contains(string(p.ProjectConfig), `"dbt_version":"1.8.0"`) || !strings.Contains(string(p.ProjectConfig), "analytics") {
		t.Fatalf("update transformation project: %+v %v", p, err)
	}
	if p, err := c.TransformationProjects().Get(ctx, projects[0]); err != nil || p.GroupID != groups[0] || !strings.Contains(string(p.ProjectConfig), "1.8.0") {
		t.Fatalf("get transformation project: %+v %v", p, err)
	}
	tested, err := c.TransformationProjects().RunSetupTests(ctx, projects[1])
	if err != nil || tested.ID != projects[1] || len(tested.SetupTests) == 0 || tested.SetupTests[0].Status != "PASSED" {
		t.Fatalf("transformation project setup tests: %+v %v", tested, err)
	}
	refusedThenDone(t, e, "delete transformation project", "/v1/transformation-projects/"+projects[2],
		func(confirm string) error { return c.TransformationProjects().Delete(ctx, projects[2], confirm) }, projects[2])
	_, err = c.TransformationProjects().Get(ctx, projects[2])
	notFound(t, "deleted transformation project", err)
}

func TestConnectorSDKPackagesTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	ctx := context.Background()
	// The hash is the file's own: the part of the multipart body, not the whole body.
	hashes := map[string]string{}
	var pkgs []string
	for i := 0; i < 3; i++ {
		data := []byte(fmt.Sprintf("PK\x03\x04 package %d", i))
		p, err := c.ConnectorSDKPackages().Upload(ctx, "connector.zip", data)
		if err != nil || p.ID == "" || p.FileSHA256Hash != fmt.Sprintf("%x", sha256.Sum256(data)) || p.CreatedAt == nil || p.CreatedBy == "" || len(p.Raw) == 0 {
			t.Fatalf("upload package: %+v %v", p, err)
		}
		hashes[p.FileSHA256Hash] = p.ID
		pkgs = append(pkgs, p.ID)
	}
	listed := walk(t, e, "/v1/connector-sdk/packages", c.ConnectorSDKPackages().List(ctx, two()))
	sameSet(t, "packages", ids(listed, func(p fivetrex.ConnectorSDKPackage) string { return p.ID }), pkgs)
	for _, p := range listed {
		if hashes[p.FileSHA256Hash] != p.ID {
			t.Fatalf("listed package %+v: its hash is not the one its upload answered", p)
		}
	}
	replaced := []byte("PK\x03\x04 replaced")
	p, err := c.UploadPackage(ctx, pkgs[0], "connector.zip", replaced)
	if err != nil || p.ID != pkgs[0] || p.FileSHA256Hash != fmt.Sprintf("%x", sha256.Sum256(replaced)) || p.UpdatedAt == nil || p.LastUpdatedBy == "" {
		t.Fatalf("replace package: %+v %v", p, err)
	}
	if got, err := c.ConnectorSDKPackages().Get(ctx, pkgs[0]); err != nil || got.FileSHA256Hash != p.FileSHA256Hash || got.ID != pkgs[0] {
		t.Fatalf("get package: %+v %v", got, err)
	}
	if _, err := c.ConnectorSDKPackages().Create(ctx, map[string]any{}); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("packages are created by Upload: %v", err)
	}
	refusedThenDone(t, e, "delete package", "/v1/connector-sdk/packages/"+pkgs[1],
		func(confirm string) error { return c.ConnectorSDKPackages().Delete(ctx, pkgs[1], confirm) }, pkgs[1])
	_, err = c.ConnectorSDKPackages().Get(ctx, pkgs[1])
	notFound(t, "deleted package", err)
}

func TestConnectorTypesTyped(t *testing.T) {
	e := startEmulator(t, 1, 0)
	c := client(t, e)
	ctx := context.Background()
	types := walk(t, e, "/v1/metadata/connector-types", c.ConnectorTypes(ctx, two()))
	var mysql *fivetrex.ConnectorType
	for i := range types {
		if types[i].ID == "mysql" {
			mysql = &types[i]
		}
	}
	if len(types) < 3 || mysql == nil || mysql.Name != "MySQL" || mysql.Type != "Database" || mysql.IconURL == "" || len(mysql.Icons) == 0 || mysql.LinkToDocs == "" || mysql.ServiceStatus == "" {
		t.Fatalf("connector types: %+v", types)
	}
	details, err := c.ConnectorType(ctx, "mysql")
	if err != nil || details.ID != "mysql" || details.Name != "MySQL" || !strings.Contains(string(details.Config), "properties") || len(details.Auth) == 0 {
		t.Fatalf("connector type: %+v %v", details, err)
	}
	_, err = c.ConnectorType(ctx, "no_such_service")
	notFound(t, "unknown connector type", err)
}

// A connection's actions beyond CRUD against the emulator: setup tests, its state, and its
// schema configuration (get, table and column changes, reload, columns, drops with their
// confirmations).
func TestConnectionSchemasStateAndSetupTests(t *testing.T) {
	e := startEmulator(t, 1, 2)
	c := client(t, e)
	ctx := context.Background()
	conn := e.connectionIDs(e.groupIDs()[0])[0]

	tested, err := c.RunConnectionSetupTests(ctx, conn, &fivetrex.SetupTestOptions{TrustCertificates: true})
	if err != nil || tested.ID != conn || len(tested.SetupTests) == 0 || tested.SetupTests[0].Title == "" {
		t.Fatalf("setup tests: %+v %v", tested, err)
	}

	state, err := c.ConnectionState(ctx, conn)
	if err != nil || string(state) != "{}" {
		t.Fatalf("state: %s %v", state, err)
	}
	kept, err := c.SetConnectionState(ctx, conn, map[string]any{"cursor": "2024-05-01"})
	if err != nil || !strings.Contains(string(kept), `"cursor":"2024-05-01"`) {
		t.Fatalf("set state: %s %v", kept, err)
	}
	if state, _ := c.ConnectionState(ctx, conn); string(state) != string(kept) {
		t.Fatalf("state after set: %s, want %s", state, kept)
	}

	schemas := c.ConnectionSchemas(conn)
	config, err := schemas.Get(ctx)
	if err != nil || len(config.Schemas) == 0 || len(config.Raw) == 0 {
		t.Fatalf("schema config: %+v %v", config, err)
	}
	var schema string
	for name, s := range config.Schemas {
		if !s.Enabled || len(s.Tables) == 0 {
			t.Fatalf("schema %s: %+v", name, s)
		}
		schema = name
	}
	after, err := schemas.UpdateTable(ctx, schema, "orders", map[string]any{"enabled": false})
	if err != nil || after.Schemas[schema].Tables["orders"].Enabled {
		t.Fatalf("disable a table: %v", err)
	}
	after, err = schemas.UpdateColumn(ctx, schema, "events", "payload", map[string]any{"enabled": true, "hashed": true})
	if err != nil || !after.Schemas[schema].Tables["events"].Columns["payload"].Hashed {
		t.Fatalf("hash a column: %v", err)
	}
	kept2, err := schemas.Reload(ctx, "PRESERVE")
	if err != nil || kept2.Schemas[schema].Tables["orders"].Enabled || !kept2.Schemas[schema].Tables["accounts"].Enabled {
		t.Fatalf("reload, preserving: %v", err)
	}
	columns, err := schemas.Columns(ctx, schema, "events")
	if err != nil || !columns["payload"].Hashed || len(columns) < 2 {
		t.Fatalf("columns: %+v %v", columns, err)
	}
	e.clearLog()
	if err := schemas.DropColumn(ctx, schema, "events", "payload", ""); !errors.Is(err, fivetrex.KindConfirmationRequired) {
		t.Fatalf("drop without confirmation: %v", err)
	}
	if n := e.count("DELETE", "/v1/connections/"+conn+"/schemas/"+schema+"/tables/events/columns/payload"); n != 0 {
		t.Fatalf("an unconfirmed drop was sent (%d)", n)
	}
	if err := schemas.DropColumn(ctx, schema, "events", "payload", "payload"); err != nil {
		t.Fatalf("confirmed drop: %v", err)
	}
	if columns, _ := schemas.Columns(ctx, schema, "events"); columns["payload"] != (fivetrex.ColumnConfig{}) {
		t.Fatalf("the dropped column is still there: %+v", columns["payload"])
	}
	if _, err := schemas.UpdateTable(ctx, schema, "nope", map[string]any{"enabled": true}); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("an unknown table: %v", err)
	}
}

// A group's actions beyond CRUD: its users over several pages, adding and removing one (with
// its confirmation), its SSH public key and service account.
func TestGroupUsersKeyAndServiceAccount(t *testing.T) {
	e := startEmulator(t, 1, 1)
	c := client(t, e)
	ctx := context.Background()
	group := e.groupIDs()[0]
	var added []string
	for i := 0; i < 3; i++ {
		email := fmt.Sprintf("member-%d@example.com", i)
		u, err := c.Users().Create(ctx, map[string]any{"email": email, "given_name": "M", "family_name": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddUserToGroup(ctx, group, email, "Destination Analyst"); err != nil {
			t.Fatalf("add %s: %v", email, err)
		}
		added = append(added, u.ID)
	}
	e.clearLog()
	members := walkIDs(t, c.GroupUsers(ctx, group, map[string]any{"limit": 2}), func(u fivetrex.User) string { return u.ID })
	for _, id := range added {
		if !contains(members, id) {
			t.Fatalf("group users %v lack %s", members, id)
		}
	}
	if pages := e.count("GET", "/v1/groups/"+group+"/users"); pages < 2 {
		t.Fatalf("%d pages, want several", pages)
	}
	if err := c.RemoveUserFromGroup(ctx, group, added[0], ""); !errors.Is(err, fivetrex.KindConfirmationRequired) {
		t.Fatalf("remove without confirmation: %v", err)
	}
	if err := c.RemoveUserFromGroup(ctx, group, added[0], added[0]); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if contains(walkIDs(t, c.GroupUsers(ctx, group, nil), func(u fivetrex.User) string { return u.ID }), added[0]) {
		t.Fatal("the removed user is still in the group")
	}
	if key, err := c.GroupPublicKey(ctx, group); err != nil || !strings.HasPrefix(key, "ssh-") {
		t.Fatalf("public key: %q %v", key, err)
	}
	if account, err := c.GroupServiceAccount(ctx, group); err != nil || !strings.Contains(account, "@") {
		t.Fatalf("service account: %q %v", account, err)
	}
}

func walkIDs[T any](t *testing.T, it *fivetrex.Iter[T], id func(T) string) []string {
	t.Helper()
	defer it.Close()
	var out []string
	for it.Next() {
		out = append(out, id(it.Item()))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
