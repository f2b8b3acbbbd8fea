package fivetrex_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fivetrex/fivetrex/ffi/go"
)

func TestConnectionsByIDInInputOrderWithPerItemErrors(t *testing.T) {
	e := startEmulator(t, 1, 12)
	ids := e.connectionIDs(e.groupIDs()[0])
	ids = append(ids[:3], append([]string{"missing"}, ids[3:]...)...)
	c := client(t, e)
	var settled int32
	got, err := c.ConnectionsByID(context.Background(), ids, &fivetrex.FanOutOptions{
		Workers: 4, OnSettled: func(int) { atomic.AddInt32(&settled, 1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 13 || settled != 13 {
		t.Fatalf("%d results, %d callbacks", len(got), settled)
	}
	for i, r := range got {
		if r.Index != i || r.ID != ids[i] {
			t.Fatalf("result %d is %d/%s", i, r.Index, r.ID)
		}
		if i == 3 {
			if r.Err == nil || r.Err.Status != "NOT_FOUND" || r.Err.HTTPStatus == nil || *r.Err.HTTPStatus != 404 {
				t.Fatalf("missing: %+v", r.Err)
			}
		} else if r.Err != nil || r.Connection == nil || r.Connection.ID != ids[i] {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	// One request per id.
	n := 0
	for _, id := range ids {
		n += e.count("GET", "/v1/connections/"+id)
	}
	if n != 13 {
		t.Fatalf("%d requests", n)
	}
}

func TestConnectionsByIDStopsWhenTheContextIsCancelled(t *testing.T) {
	e := startEmulator(t, 1, 40)
	ids := e.connectionIDs(e.groupIDs()[0])
	// Every detail answer takes 100 ms: 40 ids on 2 workers would take 2 s.
	e.fault(map[string]any{"method": "GET", "path": "/v1/connections/*", "kind": "delay", "delay_ms": 100, "times": 1000})
	c := client(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := c.ConnectionsByID(ctx, ids, &fivetrex.FanOutOptions{Workers: 2})
	if err != context.DeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	if len(got) == 0 || len(got) >= 20 {
		t.Fatalf("%d results after the cancellation", len(got))
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("took %v", took)
	}
}

func TestSyncAndWaitManyReportsEachOutcome(t *testing.T) {
	e := startEmulator(t, 1, 10)
	all := e.connectionIDs(e.groupIDs()[0])
	e.steer(all[1], map[string]any{"sync_outcome": "failure"})
	// 7 is paused and 9 broken in every seeded group.
	ids := []string{all[0], all[1], all[7], all[9], "missing"}
	c := client(t, e)
	got, err := c.SyncAndWaitMany(context.Background(), ids,
		&fivetrex.WaitOptions{PollInterval: 20 * time.Millisecond, Timeout: 10 * time.Second},
		&fivetrex.FanOutOptions{Workers: 5, CompletionOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]fivetrex.SyncOutcome{all[0]: fivetrex.SyncSucceeded, all[1]: fivetrex.SyncFailed,
		all[7]: fivetrex.SyncPaused, all[9]: fivetrex.SyncBroken}
	if len(got) != 5 {
		t.Fatalf("%d results", len(got))
	}
	for _, r := range got {
		if r.ID == "missing" {
			if r.Err == nil || r.Err.Status != "NOT_FOUND" {
				t.Fatalf("missing: %+v", r)
			}
			continue
		}
		if r.Outcome != want[r.ID] || ids[r.Index] != r.ID || len(r.Details) == 0 {
			t.Fatalf("%s: %+v, want %s", r.ID, r, want[r.ID])
		}
	}
	if n := e.count("POST", "/v1/connections/"+all[0]+"/sync"); n != 1 {
		t.Fatalf("%d triggers", n)
	}
}
