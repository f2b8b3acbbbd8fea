package fivetrex_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

func TestIterCursorsAndPages(t *testing.T) {
	e := startEmulator(t, 25, 0)
	want := e.groupIDs()
	c := client(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline: the page path
	defer cancel()
	it := c.Groups(ctx, &fivetrex.ListOptions{PageSize: 10})
	defer it.Close()
	if !it.Next() || it.PageCursor() != "" || it.Remaining() != 9 || it.Cursor() == "" {
		t.Fatalf("first page: page cursor %q, remaining %d, cursor %q, %v", it.PageCursor(), it.Remaining(), it.Cursor(), it.Err())
	}
	// Resuming from Cursor starts after the page in memory.
	second := it.Cursor()
	resumed := c.Groups(ctx, &fivetrex.ListOptions{PageSize: 10, Cursor: second})
	defer resumed.Close()
	if !resumed.Next() || resumed.Item().ID != want[10] || resumed.PageCursor() != second {
		t.Fatalf("resumed at %+v, page cursor %q: %v", resumed.Item(), resumed.PageCursor(), resumed.Err())
	}
	// NextPage drops the rest of the page in memory and hands out the next one whole.
	page := it.NextPage()
	if len(page) != 10 || page[0].ID != want[10] || page[9].ID != want[19] || it.PageCursor() != second || len(page[0].Raw) == 0 {
		t.Fatalf("second page: %d items, page cursor %q", len(page), it.PageCursor())
	}
	var rest []string
	for it.Next() {
		rest = append(rest, it.Item().ID)
	}
	if it.Err() != nil || strings.Join(rest, ",") != strings.Join(want[20:], ",") || it.Cursor() != "" || it.NextPage() != nil {
		t.Fatalf("last page %v, cursor %q: %v", rest, it.Cursor(), it.Err())
	}
	if n := e.count("GET", "/v1/groups"); n != 4 {
		t.Fatalf("3 pages for the walk and 1 for the resumed one, %d requests made", n)
	}
}

func TestWaitForSyncWithoutTrigger(t *testing.T) {
	e := startEmulator(t, 1, 1)
	id := e.connectionIDs(e.groupIDs()[0])[0]
	e.steer(id, map[string]any{"sync_duration_ms": 150})
	c := client(t, e)
	// A sync that ran out of time is resumed from its baseline with WaitForSync.
	res, err := c.SyncAndWait(context.Background(), id, &fivetrex.WaitOptions{PollInterval: 20 * time.Millisecond, Timeout: 40 * time.Millisecond})
	if err != nil || res.Outcome != fivetrex.SyncTimedOut || res.Baseline == nil {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = c.WaitForSync(context.Background(), id, res.Baseline, &fivetrex.WaitOptions{PollInterval: 20 * time.Millisecond})
	if err != nil || res.Outcome != fivetrex.SyncSucceeded {
		t.Fatalf("%+v %v", res, err)
	}
	if n := e.count("POST", "/v1/connections/"+id+"/sync"); n != 1 {
		t.Fatalf("WaitForSync triggers nothing: %d triggers", n)
	}
}

func TestFromEnvAndLogger(t *testing.T) {
	e := startEmulator(t, 2, 0)
	t.Setenv("FIVETRAN_API_KEY", "")
	t.Setenv("FIVETRAN_API_SECRET", "")
	if _, err := fivetrex.FromEnv(fivetrex.Options{}); !errors.Is(err, fivetrex.KindConfig) || !strings.Contains(err.Error(), "FIVETRAN_API_KEY and FIVETRAN_API_SECRET") {
		t.Fatalf("%v", err)
	}
	t.Setenv("FIVETRAN_API_KEY", emuKey)
	t.Setenv("FIVETRAN_API_SECRET", emuSecret)
	t.Setenv("FIVETRAN_BASE_URL", e.URL)
	c, err := fivetrex.FromEnv(fivetrex.Options{RetryBaseDelay: time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var mu sync.Mutex
	var lines []string
	if err := fivetrex.SetLogger(func(level fivetrex.LogLevel, msg string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, msg)
	}, fivetrex.LogDebug); err != nil {
		t.Fatal(err)
	}
	defer fivetrex.SetLogger(nil, 0)
	g := e.groupIDs()[0]
	e.fault(map[string]any{"method": "GET", "path": "/v1/groups/" + g, "kind": "status", "status": 503, "times": 1})
	if _, err := c.Group(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 || strings.Contains(strings.Join(lines, "\n"), emuSecret) {
		t.Fatalf("log lines: %q", lines)
	}
}
