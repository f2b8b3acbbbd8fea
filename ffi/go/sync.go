package fivetrex

/*
#include <stdlib.h>
#include "fivetrex.h"
extern void fivetrexGoOnProgress(uint32_t poll, uint64_t elapsed_ms, const char *sync_state, enum fivetrex_status status, void *userdata);
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/cgo"
	"sync/atomic"
	"time"
	"unsafe"
)

// SyncOutcome is how a SyncAndWait ended.
type SyncOutcome string

// The outcomes (the names of fivetrex_sync_outcome).
const (
	SyncSucceeded   SyncOutcome = "succeeded"   // succeeded_at moved past the baseline
	SyncFailed      SyncOutcome = "failed"      // failed_at moved past the baseline: see Tasks
	SyncTimedOut    SyncOutcome = "timed_out"   // the deadline passed first
	SyncPaused      SyncOutcome = "paused"      // the connection is paused: nothing will sync
	SyncBroken      SyncOutcome = "broken"      // setup_state is broken: nothing syncs until it is fixed
	SyncRescheduled SyncOutcome = "rescheduled" // waiting for the source's quota (ReturnWhenRescheduled only)
)

// Defaults of WaitOptions.
const (
	DefaultPollInterval = 10 * time.Second
	DefaultWaitTimeout  = time.Hour
)

// WaitOptions tune SyncAndWait; the zero value means the defaults.
type WaitOptions struct {
	// PollInterval is the time between polls (default 10 s).
	PollInterval time.Duration
	// Timeout bounds the whole wait (default 1 h); a context deadline that comes first wins.
	Timeout time.Duration
	// Force stops a running sync and starts a new one.
	Force bool
	// ResumeIfPaused resumes a paused connection instead of reporting SyncPaused.
	ResumeIfPaused bool
	// ReturnWhenRescheduled returns SyncRescheduled while the connection waits for its source's
	// quota, instead of waiting on.
	ReturnWhenRescheduled bool
	// OnProgress, when set, is called after every poll on the waiting goroutine's thread. It
	// must not call the Client.
	OnProgress func(Progress)
}

// Progress is what OnProgress sees after a poll.
type Progress struct {
	Poll      int           // polls so far, this one included
	Elapsed   time.Duration // since SyncAndWait started
	SyncState string        // the sync_state read ("" when the poll failed)
	Err       Kind          // "" for a good poll, else the transient failure the wait goes on after
}

// SyncResult is how a wait ended and what it saw.
type SyncResult struct {
	Outcome    SyncOutcome
	At         *time.Time    // the new succeeded_at or failed_at (succeeded and failed)
	Elapsed    time.Duration // since the call started
	Baseline   *time.Time    // max(succeeded_at, failed_at) before the trigger (timed_out, rescheduled)
	Until      *time.Time    // rescheduled_for (rescheduled)
	Tasks      []Alert       // what someone must do (failed, broken)
	Warnings   []Alert       // (failed, broken)
	Connection *Connection   // as last read
}

// SyncAndWait triggers a sync of the connection and blocks until it ends. The library reads the
// connection first (a broken or paused one is reported at once), takes the baseline
// max(succeeded_at, failed_at) before the trigger (so a sync that fails before the first poll
// is still seen), triggers, then polls until a timestamp moves past the baseline. Transient
// errors while polling are retried and polled through; a permanent one (404, 401, ...) is
// returned as an *APIError. opts may be nil.
//
// The wait ends with SyncTimedOut (not an error) after opts.Timeout or at ctx's deadline,
// whichever comes first. A cancelled ctx makes SyncAndWait return ctx.Err() at once, but the
// blocking C wait cannot be interrupted: it goes on in the background for at most one slice
// (ten poll intervals, between 1 s and 1 min; the wait is made of such slices) and its result
// is dropped.
func (c *Client) SyncAndWait(ctx context.Context, id string, opts *WaitOptions) (*SyncResult, error) {
	if err := checkText(id); err != nil {
		return nil, err
	}
	var o WaitOptions
	if opts != nil {
		o = *opts
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultWaitTimeout
	}
	start := time.Now()
	deadline := start.Add(o.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The deadline becomes the library's timeout (so it ends with SyncTimedOut and the last
	// connection read); only a cancellation stops the waiting early.
	waitCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan struct{})
	defer close(returned)
	go func() {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				cancel()
			}
		case <-returned:
		}
	}()

	progress := newProgressHook(o.OnProgress, start)
	defer progress.stop()
	var baseline *string
	for first := true; ; first = false {
		slice := time.Until(deadline)
		if max := clampSlice(10 * o.PollInterval); slice > max {
			slice = max
		}
		if slice < time.Millisecond {
			slice = time.Millisecond
		}
		res, err := c.waitSlice(waitCtx, id, first, baseline, &o, slice, progress)
		if errors.Is(err, context.Canceled) {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		if res.outcome != SyncTimedOut || !time.Now().Before(deadline) {
			return res.result(start)
		}
		baseline = res.baseline
	}
}

func clampSlice(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return time.Second
	case d > time.Minute:
		return time.Minute
	}
	return d
}

// waitDetails is the JSON fivetrex_sync_and_wait hands back.
type waitDetails struct {
	outcome  SyncOutcome
	baseline *string
	Outcome  SyncOutcome `json:"outcome"`
	At       *time.Time  `json:"at"`
	Baseline *string     `json:"baseline"`
	Until    *time.Time  `json:"until"`
	Tasks    []Alert     `json:"tasks"`
	Warnings []Alert     `json:"warnings"`
	Conn     *Connection `json:"connection"`
}

func (d *waitDetails) result(start time.Time) (*SyncResult, error) {
	r := &SyncResult{Outcome: d.outcome, At: d.At, Until: d.Until, Tasks: d.Tasks, Warnings: d.Warnings,
		Connection: d.Conn, Elapsed: time.Since(start)}
	if d.baseline != nil {
		t, err := time.Parse(time.RFC3339Nano, *d.baseline)
		if err != nil {
			return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("bad baseline %q: %v", *d.baseline, err)}
		}
		r.Baseline = &t
	}
	return r, nil
}

// waitSlice makes one blocking wait of at most slice: the first triggers the sync
// (fivetrex_sync_and_wait), the next ones wait on from the baseline (fivetrex_wait_for_sync).
func (c *Client) waitSlice(ctx context.Context, id string, first bool, baseline *string, o *WaitOptions, slice time.Duration, progress *progressHook) (*waitDetails, error) {
	var copts C.fivetrex_wait_options
	copts.poll_interval_ms = millis(o.PollInterval)
	copts.timeout_ms = millis(slice)
	copts.force = flag(o.Force)
	copts.resume_if_paused = flag(o.ResumeIfPaused)
	copts.return_when_rescheduled = flag(o.ReturnWhenRescheduled)
	cid := cstring(id)
	var cbaseline *C.char
	if baseline != nil {
		cbaseline = cstring(*baseline)
	}
	defer func() { cfree(cid); cfree(cbaseline) }()

	var outcome C.enum_fivetrex_sync_outcome
	text, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		userdata := progress.begin()
		defer progress.end(userdata)
		if userdata != nil {
			copts.on_progress = C.fivetrex_progress_callback(C.fivetrexGoOnProgress)
			copts.on_progress_userdata = userdata
		}
		if first {
			return C.fivetrex_sync_and_wait(h, cid, &copts, &outcome, out, err)
		}
		return C.fivetrex_wait_for_sync(h, cid, cbaseline, &copts, &outcome, out, err)
	})
	if err != nil {
		return nil, err
	}
	d := &waitDetails{}
	if err := json.Unmarshal([]byte(text), d); err != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the wait's details: %v", err)}
	}
	d.outcome, d.baseline = d.Outcome, d.Baseline
	if d.baseline == nil && baseline != nil {
		d.baseline = baseline
	}
	return d, nil
}

// progressHook forwards the C progress callback to OnProgress, numbering polls across slices
// and measuring time from the start of SyncAndWait. After stop (SyncAndWait returned) nothing
// more is forwarded, even if a cancelled slice still runs.
type progressHook struct {
	f       func(Progress)
	start   time.Time
	offset  int32 // polls of the slices before this one
	last    int32 // polls of the current slice
	stopped int32
}

func newProgressHook(f func(Progress), start time.Time) *progressHook {
	if f == nil {
		return nil
	}
	return &progressHook{f: f, start: start}
}

// begin makes the userdata for one C call (nil without a hook); end releases it.
func (p *progressHook) begin() unsafe.Pointer {
	if p == nil {
		return nil
	}
	userdata := C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0))))
	*(*C.uintptr_t)(userdata) = C.uintptr_t(cgo.NewHandle(p))
	return userdata
}

func (p *progressHook) end(userdata unsafe.Pointer) {
	if userdata == nil {
		return
	}
	cgo.Handle(*(*C.uintptr_t)(userdata)).Delete()
	C.free(userdata)
	atomic.AddInt32(&p.offset, atomic.SwapInt32(&p.last, 0))
}

func (p *progressHook) stop() {
	if p != nil {
		atomic.StoreInt32(&p.stopped, 1)
	}
}

func (p *progressHook) report(poll int, syncState string, kind Kind) {
	atomic.StoreInt32(&p.last, int32(poll))
	if atomic.LoadInt32(&p.stopped) == 1 {
		return
	}
	p.f(Progress{Poll: int(atomic.LoadInt32(&p.offset)) + poll, Elapsed: time.Since(p.start), SyncState: syncState, Err: kind})
}
