package fivetrex_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fivetrex"
)

// client makes a client of the fake with quick retries; extra changes the options.
func client(t *testing.T, api *fakeAPI, extra ...func(*fivetrex.Options)) *fivetrex.Client {
	t.Helper()
	opts := fivetrex.Options{
		APIKey: testKey, APISecret: testSecret, BaseURL: api.URL(),
		RetryBaseDelay: time.Millisecond, Timeout: 10 * time.Second,
	}
	for _, e := range extra {
		e(&opts)
	}
	c, err := fivetrex.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestGroupsWalkEveryPageLazily(t *testing.T) {
	api := newFake(t)
	api.seed(25, 0)
	c := client(t, api)
	it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 10})
	defer it.Close()
	var ids []string
	for it.Next() {
		g := it.Item()
		ids = append(ids, g.ID)
		if len(ids) == 1 && api.count("GET /v1/groups") != 1 {
			t.Fatalf("the first item should cost one request, saw %d", api.count("GET /v1/groups"))
		}
		if g.Name != "group "+g.ID[1:] || g.CreatedAt.IsZero() {
			t.Fatalf("bad group %+v", g)
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 25 || ids[0] != "g0" || ids[24] != "g24" {
		t.Fatalf("walked %d groups: %v", len(ids), ids)
	}
	if n := api.count("GET /v1/groups"); n != 3 {
		t.Fatalf("3 pages of 10 expected, %d requests made", n)
	}
	if it.Next() {
		t.Fatal("Next after the end")
	}
}

func TestConnectionsOfAGroupSpanPages(t *testing.T) {
	api := newFake(t)
	api.seed(2, 23)
	c := client(t, api)
	it := c.Connections(context.Background(), "g1", &fivetrex.ListOptions{PageSize: 5})
	defer it.Close()
	n := 0
	for it.Next() {
		conn := it.Item()
		if conn.GroupID != "g1" || conn.ID != fmt.Sprintf("c1_%d", n) || conn.Service != "postgres" {
			t.Fatalf("item %d: %+v", n, conn)
		}
		n++
	}
	if it.Err() != nil || n != 23 {
		t.Fatalf("%d connections, err %v", n, it.Err())
	}
	if got := api.count("GET /v1/groups/g1/connections"); got != 5 {
		t.Fatalf("5 pages expected, %d requests", got)
	}
}

func TestResumeFromACursor(t *testing.T) {
	api := newFake(t)
	api.seed(7, 0)
	c := client(t, api)
	// The fake's cursor for offset 4 (opaque to the client).
	it := c.Groups(context.Background(), &fivetrex.ListOptions{PageSize: 2, Cursor: "NA"})
	defer it.Close()
	var ids []string
	for it.Next() {
		ids = append(ids, it.Item().ID)
	}
	if it.Err() != nil || fmt.Sprint(ids) != "[g4 g5 g6]" {
		t.Fatalf("%v %v", ids, it.Err())
	}
}

func TestNotFoundIsAnAPIError(t *testing.T) {
	api := newFake(t)
	api.seed(1, 0)
	c := client(t, api)
	g, err := c.Group(context.Background(), "missing")
	var apiErr *fivetrex.APIError
	if g != nil || !errors.As(err, &apiErr) {
		t.Fatalf("expected an *APIError, got %v %v", g, err)
	}
	if apiErr.Kind != fivetrex.KindNotFound || apiErr.Status != 404 || apiErr.APICode != "NotFound_Group" ||
		apiErr.APIMessage != "no group missing" || apiErr.RetryAfter != 0 {
		t.Fatalf("%+v", apiErr)
	}
	if !errors.Is(err, fivetrex.KindNotFound) || errors.Is(err, fivetrex.KindServer) {
		t.Fatal("errors.Is should match the kind and only it")
	}
	if n := api.count("GET /v1/groups/missing"); n != 1 {
		t.Fatalf("a 404 is not retried: %d requests", n)
	}
	_, err = c.Connection(context.Background(), "nope")
	if !errors.As(err, &apiErr) || apiErr.APICode != "NotFound_Connector" {
		t.Fatalf("%v", err)
	}
}

func TestRateLimitedRequestIsRetried(t *testing.T) {
	api := newFake(t)
	api.seed(1, 0)
	var retries []fivetrex.RetryEvent
	var mu sync.Mutex
	c := client(t, api, func(o *fivetrex.Options) {
		o.OnRetry = func(e fivetrex.RetryEvent) { mu.Lock(); retries = append(retries, e); mu.Unlock() }
	})
	api.inject(fault{method: "GET", path: "/v1/groups/g0", status: 429, code: "TooManyRequests", retryAfter: "0", times: 2})
	g, err := c.Group(context.Background(), "g0")
	if err != nil || g.ID != "g0" {
		t.Fatalf("%v %v", g, err)
	}
	if n := api.count("GET /v1/groups/g0"); n != 3 {
		t.Fatalf("two 429s then success: 3 requests expected, saw %d", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retries) != 2 || retries[0].Attempt != 1 || retries[1].Attempt != 2 || retries[0].Kind != fivetrex.KindRateLimited {
		t.Fatalf("retry events %+v", retries)
	}
}

func TestRateLimitOverTheCapComesBackWithRetryAfter(t *testing.T) {
	api := newFake(t)
	api.seed(1, 0)
	c := client(t, api, func(o *fivetrex.Options) { o.MaxRetryAfter = 2 * time.Second })
	api.inject(fault{method: "GET", path: "/v1/groups/g0", status: 429, code: "TooManyRequests", retryAfter: "3600", times: 1})
	start := time.Now()
	_, err := c.Group(context.Background(), "g0")
	var apiErr *fivetrex.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != fivetrex.KindRateLimited || apiErr.Status != 429 ||
		apiErr.RetryAfter != time.Hour || apiErr.APICode != "TooManyRequests" {
		t.Fatalf("%#v", err)
	}
	if time.Since(start) > time.Second || api.count("GET /v1/groups/g0") != 1 {
		t.Fatal("a Retry-After over the cap must come back at once, unretried")
	}
}

func TestServerErrorsAreRetriedThenReported(t *testing.T) {
	api := newFake(t)
	api.seed(1, 0)
	c := client(t, api, func(o *fivetrex.Options) { o.MaxAttempts = 3 })
	api.inject(fault{method: "GET", path: "/v1/groups/g0", status: 503, code: "Unavailable", times: 2})
	if _, err := c.Group(context.Background(), "g0"); err != nil {
		t.Fatal(err)
	}
	api.inject(fault{method: "GET", path: "/v1/groups/g0", status: 500, times: 5})
	_, err := c.Group(context.Background(), "g0")
	if !errors.Is(err, fivetrex.KindServer) {
		t.Fatalf("%v", err)
	}
	if n := api.count("GET /v1/groups/g0"); n != 3+3 {
		t.Fatalf("3 then 3 attempts expected, saw %d", n)
	}
}

func TestOneClientManyGoroutines(t *testing.T) {
	api := newFake(t)
	api.seed(30, 3)
	c := client(t, api)
	const workers = 16
	var wg sync.WaitGroup
	var failures int32
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
				atomic.AddInt32(&failures, 1)
				errs <- fmt.Errorf("worker %d: %d groups, %v", w, n, it.Err())
				return
			}
			id := fmt.Sprintf("g%d", w)
			if g, err := c.Group(context.Background(), id); err != nil || g.ID != id {
				errs <- fmt.Errorf("worker %d: %v %v", w, g, err)
				return
			}
			conn, err := c.Connection(context.Background(), fmt.Sprintf("c%d_1", w))
			if err != nil || conn.GroupID != id {
				errs <- fmt.Errorf("worker %d: %v %v", w, conn, err)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := api.count("GET /v1/groups"); n != workers*5 {
		t.Fatalf("%d workers x 5 pages expected, %d requests", workers, n)
	}
}

func TestGroupLifecycle(t *testing.T) {
	api := newFake(t)
	c := client(t, api)
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
	err = c.DeleteGroup(ctx, g.ID, "another")
	if !errors.Is(err, fivetrex.KindConfirmationRequired) || api.count("DELETE /v1/groups/"+g.ID) != 0 {
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
	api := newFake(t)
	api.seed(1, 0)
	c := client(t, api)
	ctx := context.Background()
	paused := true
	conn, err := c.CreateConnection(ctx, fivetrex.NewConnection{GroupID: "g0", Service: "postgres", Paused: &paused,
		Config: map[string]any{"host": "db.example", "password": "secret"}})
	if err != nil || conn.GroupID != "g0" || !conn.Paused || conn.SyncFrequency != 360 {
		t.Fatalf("%+v %v", conn, err)
	}
	resume := false
	updated, err := c.UpdateConnection(ctx, conn.ID, fivetrex.ConnectionChanges{Paused: &resume, SyncFrequency: 60})
	if err != nil || updated.Paused || updated.SyncFrequency != 60 || string(updated.Config) == "" {
		t.Fatalf("%+v %v", updated, err)
	}
	if err := c.DeleteConnection(ctx, conn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Connection(ctx, conn.ID); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("%v", err)
	}
	if err := c.ResyncAll(ctx, "c", "d"); !errors.Is(err, fivetrex.KindConfirmationRequired) {
		t.Fatalf("%v", err)
	}
	if _, err := c.Connection(ctx, ""); !errors.Is(err, fivetrex.KindInvalidArgument) {
		t.Fatalf("%v", err)
	}
}

func TestSyncAndWaitOutcomes(t *testing.T) {
	api := newFake(t)
	api.seed(1, 5)
	c := client(t, api)
	ctx := context.Background()
	fast := &fivetrex.WaitOptions{PollInterval: 10 * time.Millisecond, Timeout: 5 * time.Second}

	res, err := c.SyncAndWait(ctx, "c0_0", fast)
	if err != nil || res.Outcome != fivetrex.SyncSucceeded || res.Polls < 1 || res.At.Before(*res.Baseline) ||
		res.Connection.SucceededAt == nil || !res.Connection.SucceededAt.Equal(res.At) {
		t.Fatalf("%+v %v", res, err)
	}
	if n := api.count("POST /v1/connections/c0_0/sync"); n != 1 {
		t.Fatalf("one trigger expected, %d", n)
	}

	api.set("c0_1", func(c *fakeConn) { c.Outcome = "failure" })
	res, err = c.SyncAndWait(ctx, "c0_1", fast)
	if err != nil || res.Outcome != fivetrex.SyncFailed || res.Connection.FailedAt == nil {
		t.Fatalf("%+v %v", res, err)
	}

	// A sync that fails before the first poll is still seen: the baseline is taken first.
	api.set("c0_2", func(c *fakeConn) { c.Outcome = "failure"; c.SyncTime = 0 })
	res, err = c.SyncAndWait(ctx, "c0_2", &fivetrex.WaitOptions{PollInterval: 50 * time.Millisecond})
	if err != nil || res.Outcome != fivetrex.SyncFailed || res.Polls != 1 {
		t.Fatalf("%+v %v", res, err)
	}

	api.set("c0_3", func(c *fakeConn) { c.Outcome = "never" })
	deadline, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err = c.SyncAndWait(deadline, "c0_3", fast)
	if err != nil || res.Outcome != fivetrex.SyncTimedOut || time.Since(start) > time.Second || res.Polls < 3 {
		t.Fatalf("%+v %v", res, err)
	}

	api.set("c0_4", func(c *fakeConn) { c.Paused = true })
	res, err = c.SyncAndWait(ctx, "c0_4", fast)
	if err != nil || res.Outcome != fivetrex.SyncPaused || api.count("POST /v1/connections/c0_4/sync") != 0 {
		t.Fatalf("a paused connection is reported, not triggered: %+v %v", res, err)
	}
	res, err = c.SyncAndWait(ctx, "c0_4", &fivetrex.WaitOptions{PollInterval: 10 * time.Millisecond, ResumeIfPaused: true})
	if err != nil || res.Outcome != fivetrex.SyncSucceeded || res.Connection.Paused {
		t.Fatalf("%+v %v", res, err)
	}

	if _, err := c.SyncAndWait(ctx, "missing", fast); !errors.Is(err, fivetrex.KindNotFound) {
		t.Fatalf("a 404 ends the wait: %v", err)
	}
}

func TestSyncAndWaitPollsThroughTransientErrors(t *testing.T) {
	api := newFake(t)
	api.seed(1, 1)
	c := client(t, api, func(o *fivetrex.Options) { o.MaxAttempts = 1 })
	api.set("c0_0", func(c *fakeConn) { c.SyncTime = 80 * time.Millisecond })
	// The baseline read and the trigger pass; then two polls fail with 503 and the wait goes on.
	api.inject(fault{method: "GET", path: "/v1/connections/c0_0", status: 0, times: 1})
	api.inject(fault{method: "GET", path: "/v1/connections/c0_0", status: 503, times: 2})
	res, err := c.SyncAndWait(context.Background(), "c0_0", &fivetrex.WaitOptions{PollInterval: 10 * time.Millisecond})
	if err != nil || res.Outcome != fivetrex.SyncSucceeded {
		t.Fatalf("%+v %v", res, err)
	}
	if n := api.count("GET /v1/connections/c0_0"); n < 4 || res.Polls != n-1 {
		t.Fatalf("baseline + 2 failed polls + the final one: %d requests, %d polls", n, res.Polls)
	}
}

func TestCancellationBoundsTheWait(t *testing.T) {
	api := newFake(t)
	api.seed(1, 0)
	c := client(t, api)
	api.inject(fault{method: "GET", path: "/v1/groups/g0", delay: 700 * time.Millisecond, times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Group(ctx, "g0")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 400*time.Millisecond {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	// Close waits for the abandoned request, then later calls fail cleanly.
	c.Close()
	if _, err := c.Group(context.Background(), "g0"); !errors.Is(err, fivetrex.ErrClosed) {
		t.Fatalf("%v", err)
	}
}

func TestIteratorOutlivesClosedClient(t *testing.T) {
	api := newFake(t)
	api.seed(5, 0)
	c := client(t, api)
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
	api := newFake(t)
	c, err := fivetrex.New(fivetrex.Options{APIKey: testKey, APISecret: "wrong", BaseURL: api.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Group(context.Background(), "g0")
	var apiErr *fivetrex.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != fivetrex.KindUnauthorized || apiErr.APICode != "AuthFailed" {
		t.Fatalf("%v", err)
	}
	if containsSecret := fmt.Sprint(err); len(containsSecret) == 0 || strings.Contains(containsSecret, "wrong") {
		t.Fatalf("the error must not carry the secret: %q", containsSecret)
	}
}

func TestRawCallAndList(t *testing.T) {
	api := newFake(t)
	api.seed(3, 0)
	c := client(t, api)
	answer, err := c.Call(context.Background(), "GET", "/v1/groups/g1", nil, nil)
	if err != nil || !strings.Contains(string(answer), `"id":"g1"`) {
		t.Fatalf("%s %v", answer, err)
	}
	it := c.RawList(context.Background(), "/v1/groups", nil, &fivetrex.ListOptions{PageSize: 1})
	defer it.Close()
	n := 0
	for it.Next() {
		n++
	}
	if n != 3 || it.Err() != nil || api.count("GET /v1/groups") != 3 {
		t.Fatalf("%d %v", n, it.Err())
	}
}
