package fivetrex

/*
#include <stdlib.h>
#include "fivetrex.h"
extern void fivetrexGoOnRetry(uint32_t attempt, uint64_t delay_ms, enum fivetrex_status status, void *userdata);
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Options configure a Client. APIKey and APISecret are required; a zero value anywhere else
// means the library's default.
type Options struct {
	APIKey    string
	APISecret string
	// BaseURL defaults to https://api.fivetran.com; plain http:// is accepted for loopback only.
	BaseURL string
	// ConnectTimeout bounds opening a connection (default 10 s).
	ConnectTimeout time.Duration
	// Timeout bounds one whole request, body included (default 60 s); each retry gets it anew.
	Timeout time.Duration
	// MaxAttempts counts attempts in all, the first included (default 5; 1 turns retries off).
	MaxAttempts int
	// RetryBaseDelay is the first backoff wait, doubling per retry (default 500 ms).
	RetryBaseDelay time.Duration
	// MaxRetryAfter is the longest Retry-After waited for (default 60 s); a 429 asking for more
	// is returned at once as KindRateLimited.
	MaxRetryAfter time.Duration
	// RetryDeadline: no retry starts once this much time has passed since the first attempt
	// (default 5 min).
	RetryDeadline time.Duration
	// MaxRequestsPerSecond limits the requests leaving the client (default: no limit).
	MaxRequestsPerSecond float64
	// UserAgent replaces the default fivetrex/<version>.
	UserAgent string
	// OnRetry, when set, is called before each retry, on the goroutine making the request
	// (possibly on several at once). It must not call the Client.
	OnRetry func(RetryEvent)
}

// RetryEvent describes a retry about to happen.
type RetryEvent struct {
	Attempt int           // the attempt that failed, 1 for the first
	Delay   time.Duration // the wait before the next attempt
	Kind    Kind          // why it failed
}

// Client is a Fivetran API client. It is safe for concurrent use by many goroutines, which
// share its connection pool and the pause a 429 opens. Close it when done; a finalizer closes a
// forgotten one.
//
// Every call blocks its goroutine in C for the duration of the request, retries included.
// Methods take a context.Context: a call already ended by its context is not made, and a call
// in progress returns ctx.Err() as soon as the context ends, but the request itself cannot be
// interrupted mid-flight: it goes on in the background (bounded by Timeout, MaxAttempts and
// RetryDeadline) and its result is dropped.
type Client struct {
	mu     sync.RWMutex // read-held by every call, write-held by Close
	handle *C.fivetrex_client
	hook   *retryHook
}

// New creates a client. Nothing is sent until the first call.
func New(opts Options) (*Client, error) {
	if err := checkText(opts.APIKey, opts.APISecret, opts.BaseURL, opts.UserAgent); err != nil {
		return nil, err
	}
	key, secret := cstring(opts.APIKey), cstring(opts.APISecret)
	base, agent := optional(opts.BaseURL), optional(opts.UserAgent)
	defer func() { cfree(key); cfree(secret); cfree(base); cfree(agent) }()

	copts := C.fivetrex_client_options{struct_size: C.size_t(C.sizeof_fivetrex_client_options)}
	copts.connect_timeout_ms = millis(opts.ConnectTimeout)
	copts.timeout_ms = millis(opts.Timeout)
	if opts.MaxAttempts > 0 {
		copts.max_attempts = C.uint32_t(opts.MaxAttempts)
	}
	copts.retry_base_delay_ms = millis(opts.RetryBaseDelay)
	copts.max_retry_after_ms = millis(opts.MaxRetryAfter)
	copts.retry_deadline_ms = millis(opts.RetryDeadline)
	copts.max_requests_per_second = C.double(opts.MaxRequestsPerSecond)
	copts.user_agent = agent
	var hook *retryHook
	if opts.OnRetry != nil {
		hook = newRetryHook(opts.OnRetry)
		copts.on_retry = C.fivetrex_retry_callback(C.fivetrexGoOnRetry)
		copts.on_retry_userdata = hook.userdata
	}

	var handle *C.fivetrex_client
	var cerr *C.fivetrex_error
	if status := C.fivetrex_client_new(key, secret, base, &copts, &handle, &cerr); status != C.FIVETREX_STATUS_OK {
		hook.release()
		return nil, takeError(status, cerr)
	}
	c := &Client{handle: handle, hook: hook}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close frees the client. It waits for calls in progress; later calls return ErrClosed.
// Iterators already made stay usable (they hold their own reference). Close is idempotent.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle == nil {
		return nil
	}
	C.fivetrex_client_free(c.handle)
	c.handle = nil
	c.hook.release()
	runtime.SetFinalizer(c, nil)
	return nil
}

// with runs f with the client's handle, holding the read lock for as long as f runs: when ctx
// ends first, f goes on in the background with the lock held, so Close waits for it.
func (c *Client) with(ctx context.Context, f func(h *C.fivetrex_client)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.RLock()
	if c.handle == nil {
		c.mu.RUnlock()
		return ErrClosed
	}
	handle := c.handle
	return blocking(ctx, func() {
		defer c.mu.RUnlock()
		f(handle)
	})
}

// callJSON makes one call that returns JSON text.
func (c *Client) callJSON(ctx context.Context, f func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status) (string, error) {
	var text string
	var callErr error
	err := c.with(ctx, func(h *C.fivetrex_client) {
		text, callErr = callJSON(func(out **C.char, cerr **C.fivetrex_error) C.enum_fivetrex_status {
			return f(h, out, cerr)
		})
	})
	if err != nil {
		return "", err
	}
	return text, callErr
}

// retryHook keeps the Go callback reachable from C. The library may call it for as long as the
// client or any list made from it lives, so it is reference-counted: the client holds one
// reference and every open iterator another.
type retryHook struct {
	refs     int32
	handle   cgo.Handle
	userdata unsafe.Pointer // C memory holding handle: C may keep it, Go must not move it
}

func newRetryHook(f func(RetryEvent)) *retryHook {
	h := &retryHook{refs: 1, handle: cgo.NewHandle(f)}
	h.userdata = C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0))))
	*(*C.uintptr_t)(h.userdata) = C.uintptr_t(h.handle)
	return h
}

func (h *retryHook) acquire() {
	if h != nil {
		atomic.AddInt32(&h.refs, 1)
	}
}

func (h *retryHook) release() {
	if h != nil && atomic.AddInt32(&h.refs, -1) == 0 {
		h.handle.Delete()
		C.free(h.userdata)
	}
}
