package fivetrex

import (
	"context"
	"errors"
	"strings"
	"time"
)

// SyncOutcome is how a SyncAndWait ended.
type SyncOutcome string

// The outcomes.
const (
	SyncSucceeded SyncOutcome = "succeeded" // succeeded_at moved past the baseline
	SyncFailed    SyncOutcome = "failed"    // failed_at moved past the baseline
	SyncTimedOut  SyncOutcome = "timed_out" // the deadline passed first
	SyncPaused    SyncOutcome = "paused"    // the connection is paused: nothing will sync
	SyncBroken    SyncOutcome = "broken"    // setup_state is broken: nothing will sync until fixed
)

// WaitOptions tune SyncAndWait; the zero value is the defaults.
type WaitOptions struct {
	// PollInterval is the time between polls (default 10 s).
	PollInterval time.Duration
	// Timeout bounds the whole wait when ctx has no earlier deadline (default 1 h).
	Timeout time.Duration
	// Force stops a running sync and starts a new one.
	Force bool
	// ResumeIfPaused resumes a paused connection instead of reporting SyncPaused.
	ResumeIfPaused bool
}

// SyncResult is what SyncAndWait saw.
type SyncResult struct {
	Outcome    SyncOutcome
	At         time.Time     // the new succeeded_at or failed_at (zero unless succeeded or failed)
	Elapsed    time.Duration // since the call started
	Polls      int           // polls made after the trigger
	Baseline   *time.Time    // max(succeeded_at, failed_at) before the trigger
	Connection *Connection   // as last read (nil if no read succeeded)
}

// Defaults of WaitOptions.
const (
	DefaultPollInterval = 10 * time.Second
	DefaultWaitTimeout  = time.Hour
)

// SyncAndWait triggers a sync and waits until it ends: it reads max(succeeded_at, failed_at)
// before the trigger (so a sync that fails before the first poll is seen), then polls until
// either timestamp moves past it. A paused or broken connection is reported instead of waited
// on. A transient error while polling (429, 5xx, transport, timeout, after the client's own
// retries) does not end the wait; a permanent one (404, 401, ...) is returned.
//
// The wait ends at ctx's deadline or after opts.Timeout, whichever is first, with SyncTimedOut
// (not an error). Cancelling ctx returns ctx.Err() between polls at once; a request already in
// flight cannot be interrupted (see Client) and finishes in the background. opts may be nil.
func (c *Client) SyncAndWait(ctx context.Context, id string, opts *WaitOptions) (*SyncResult, error) {
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
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	res := &SyncResult{}
	done := func(outcome SyncOutcome) (*SyncResult, error) {
		res.Outcome = outcome
		res.Elapsed = time.Since(start)
		return res, nil
	}
	// A deadline (ours or the caller's) is an outcome; a cancellation is the caller's error.
	ended := func(err error) (*SyncResult, error) {
		if errors.Is(err, context.DeadlineExceeded) {
			return done(SyncTimedOut)
		}
		return nil, err
	}

	conn, err := c.Connection(ctx, id)
	if err != nil {
		return ended(err)
	}
	res.Connection = conn
	if conn.Paused {
		if !o.ResumeIfPaused {
			return done(SyncPaused)
		}
		resume := false
		if conn, err = c.UpdateConnection(ctx, id, ConnectionChanges{Paused: &resume}); err != nil {
			return ended(err)
		}
		res.Connection = conn
	}
	if isBroken(conn) {
		return done(SyncBroken)
	}
	res.Baseline = conn.LastSyncAt()
	if err := c.Sync(ctx, id, o.Force); err != nil {
		return ended(err)
	}

	timer := time.NewTimer(o.PollInterval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ended(ctx.Err())
		case <-timer.C:
		}
		res.Polls++
		conn, err := c.Connection(ctx, id)
		switch {
		case err == nil:
			res.Connection = conn
			if at, outcome, ok := finished(conn, res.Baseline); ok {
				res.At = at
				return done(outcome)
			}
			if conn.Paused || strings.EqualFold(conn.Status.SyncState, "paused") {
				return done(SyncPaused)
			}
			if isBroken(conn) {
				return done(SyncBroken)
			}
		case ctx.Err() != nil:
			return ended(ctx.Err())
		case !transient(err):
			return nil, err
		}
		timer.Reset(o.PollInterval)
	}
}

// finished reports whether a timestamp moved past the baseline: the newer one wins, and a tie
// counts as a failure.
func finished(conn *Connection, baseline *time.Time) (time.Time, SyncOutcome, bool) {
	after := func(t *time.Time) bool { return t != nil && (baseline == nil || t.After(*baseline)) }
	s, f := after(conn.SucceededAt), after(conn.FailedAt)
	switch {
	case s && (!f || conn.SucceededAt.After(*conn.FailedAt)):
		return *conn.SucceededAt, SyncSucceeded, true
	case f:
		return *conn.FailedAt, SyncFailed, true
	}
	return time.Time{}, "", false
}

func isBroken(conn *Connection) bool { return strings.EqualFold(conn.Status.SetupState, "broken") }

func transient(err error) bool {
	for _, k := range []Kind{KindRateLimited, KindServer, KindTransport, KindTimeout} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
