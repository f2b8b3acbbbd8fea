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
	"sync"
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
	// Err is nil for a good poll, else the transient failure the wait goes on after: an
	// *APIError whose Kind says which (errors.Is(p.Err, fivetrex.KindServer)).
	Err error
}

// SyncBaseline is succeeded_at and failed_at as read before the trigger; each is compared with
// its own later value.
type SyncBaseline struct {
	SucceededAt *time.Time `json:"succeeded_at"`
	FailedAt    *time.Time `json:"failed_at"`
}

// SyncResult is how a wait ended and what it saw.
type SyncResult struct {
	Outcome    SyncOutcome
	At         *time.Time    // the new succeeded_at or failed_at (succeeded and failed)
	Elapsed    time.Duration // since the call started
	Baseline   *SyncBaseline // the timestamps before the trigger (timed_out, rescheduled)
	Triggered  bool          // timed_out: whether the sync was triggered before time ran out
	Resumed    bool          // ResumeIfPaused resumed the connection (it stays resumed)
	Until      *time.Time    // rescheduled_for (rescheduled)
	Tasks      []Alert       // what someone must do (failed, broken)
	Warnings   []Alert       // (failed, broken)
	Connection *Connection   // as last read
}

// SyncAndWait triggers a sync of the connection and blocks until a sync that began after the
// call has finished. The library reads the connection first (a broken or paused one is
// reported at once; ResumeIfPaused leaves it resumed), waits out a sync that is already running
// unless Force, takes the baseline (succeeded_at and failed_at, each on its own) before the
// trigger, triggers, then polls until a timestamp moves past its baseline. A manual-schedule
// connection that was rescheduled is triggered again once rescheduled_for has passed. Transient
// errors are polled through; a permanent one (404, 401, ...) is returned as an *APIError. opts
// may be nil.
//
// The wait ends with SyncTimedOut (not an error) after opts.Timeout. When ctx ends first, by
// its deadline or by a cancel, both behave the same way: the library's wait itself stops (the
// deadline bounds the whole call, a cancel fires its cancellation token), nothing is left
// running in the background, and SyncAndWait returns nil and ctx.Err()
// (context.DeadlineExceeded or context.Canceled).
func (c *Client) SyncAndWait(ctx context.Context, id string, opts *WaitOptions) (*SyncResult, error) {
	return c.wait(ctx, id, opts, nil, false)
}

// WaitForSync waits for a sync someone already triggered, without triggering one: baseline is
// succeeded_at and failed_at as read before that trigger (a SyncResult's Baseline, to resume a
// wait that timed out or was rescheduled), or nil when the connection never synced. The first
// poll is immediate; outcomes, errors, opts (Force and ResumeIfPaused unused) and ctx behave as
// in SyncAndWait.
func (c *Client) WaitForSync(ctx context.Context, id string, baseline *SyncBaseline, opts *WaitOptions) (*SyncResult, error) {
	return c.wait(ctx, id, opts, baseline, true)
}

// wait is SyncAndWait (only false) or WaitForSync (only true).
func (c *Client) wait(ctx context.Context, id string, opts *WaitOptions, baseline *SyncBaseline, only bool) (*SyncResult, error) {
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	timeout := o.Timeout
	deadlineBound := false
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout, deadlineBound = time.Until(d), true
	}
	if timeout < time.Millisecond {
		timeout = time.Millisecond
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.handle == nil {
		return nil, ErrClosed
	}

	token := C.fivetrex_cancel_token_new()
	done := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		select {
		case <-ctx.Done():
			C.fivetrex_cancel_token_cancel(token)
		case <-done:
		}
	}()
	defer func() {
		close(done)
		watcher.Wait()
		C.fivetrex_cancel_token_free(token)
	}()

	copts := C.fivetrex_wait_options{struct_size: C.size_t(C.sizeof_fivetrex_wait_options)}
	copts.poll_interval_ms = millis(o.PollInterval)
	copts.timeout_ms = millis(timeout)
	copts.force = flag(o.Force)
	copts.resume_if_paused = flag(o.ResumeIfPaused)
	copts.return_when_rescheduled = flag(o.ReturnWhenRescheduled)
	copts.cancel = token
	cid := cstring(id)
	defer cfree(cid)
	var cbaseline *C.char
	if only && baseline != nil {
		var err error
		if cbaseline, err = jsonArg(baseline); err != nil {
			return nil, err
		}
		defer cfree(cbaseline)
	}
	progress := newProgressHook(o.OnProgress, start)
	defer progress.stop()
	var outcome C.enum_fivetrex_sync_outcome
	text, err := callJSON(func(out **C.char, cerr **C.fivetrex_error) C.enum_fivetrex_status {
		userdata := progress.begin()
		defer progress.end(userdata)
		if userdata != nil {
			copts.on_progress = C.fivetrex_progress_callback(C.fivetrexGoOnProgress)
			copts.on_progress_userdata = userdata
		}
		if only {
			return C.fivetrex_connection_wait_for_sync(c.handle, cid, cbaseline, &copts, &outcome, out, cerr)
		}
		return C.fivetrex_connection_sync_and_wait(c.handle, cid, &copts, &outcome, out, cerr)
	})
	if errors.Is(err, KindCancelled) || (err == nil && deadlineBound && outcome == C.FIVETREX_SYNC_OUTCOME_TIMED_OUT) {
		// The library's clock may end the wait a moment before ctx's own.
		if ctx.Err() == nil && deadlineBound {
			return nil, context.DeadlineExceeded
		}
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	d := &waitDetails{}
	if err := json.Unmarshal([]byte(text), d); err != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the wait's details: %v", err)}
	}
	return &SyncResult{Outcome: d.Outcome, At: d.At, Baseline: d.Baseline, Triggered: d.Triggered, Resumed: d.Resumed, Until: d.Until,
		Tasks: d.Tasks, Warnings: d.Warnings, Connection: d.Conn, Elapsed: time.Since(start)}, nil
}

// waitDetails is the JSON fivetrex_connection_sync_and_wait hands back.
type waitDetails struct {
	Outcome   SyncOutcome   `json:"outcome"`
	At        *time.Time    `json:"at"`
	Baseline  *SyncBaseline `json:"baseline"`
	Triggered bool          `json:"triggered"`
	Resumed   bool          `json:"resumed"`
	Until     *time.Time    `json:"until"`
	Tasks     []Alert       `json:"tasks"`
	Warnings  []Alert       `json:"warnings"`
	Conn      *Connection   `json:"connection"`
}

// progressHook forwards the C progress callback to OnProgress, measuring time from the start of
// SyncAndWait. After stop (SyncAndWait returned) nothing more is forwarded.
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

func (p *progressHook) report(poll int, syncState string, failure error) {
	atomic.StoreInt32(&p.last, int32(poll))
	if atomic.LoadInt32(&p.stopped) == 1 {
		return
	}
	p.f(Progress{Poll: int(atomic.LoadInt32(&p.offset)) + poll, Elapsed: time.Since(p.start), SyncState: syncState, Err: failure})
}
