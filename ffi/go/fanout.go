package fivetrex

/*
#include <stdlib.h>
#include "fivetrex.h"
extern void fivetrexGoOnSettled(size_t index, char *item_json, void *userdata);
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// DefaultWorkers is the number of workers a fan-out runs unless told otherwise.
const DefaultWorkers = 8

// FanOutOptions tune ConnectionsByID and SyncAndWaitMany; nil or the zero value means the
// defaults.
type FanOutOptions struct {
	// Workers is the number of threads that share the client, 1..64 (0: DefaultWorkers). The
	// client's pause window, rate limit and the API's remaining quota govern them all: when the
	// quota runs low, starts are spaced instead of running into an hour-long 429.
	Workers int
	// CompletionOrder reports items as they complete instead of in input order.
	CompletionOrder bool
	// OnSettled, when set, sees each item as it settles, on the calling goroutine's thread. It
	// must not call the Client.
	OnSettled func(index int)
}

// ItemError is one item's failure.
type ItemError struct {
	Status     string `json:"status"` // the status name, e.g. "NOT_FOUND"
	HTTPStatus *int   `json:"http_status"`
	Message    string `json:"message"`
	APICode    string `json:"api_code"`
}

func (e *ItemError) Error() string { return e.Message }

// ConnectionResult is one id's outcome in ConnectionsByID.
type ConnectionResult struct {
	Index      int         `json:"index"`
	ID         string      `json:"id"`
	Connection *Connection `json:"connection"`
	Err        *ItemError  `json:"error"`
}

// SyncManyResult is one connection's outcome in SyncAndWaitMany.
type SyncManyResult struct {
	Index   int         `json:"index"`
	ID      string      `json:"id"`
	Outcome SyncOutcome `json:"outcome"` // "" when Err is set
	Err     *ItemError  `json:"error"`
	// Details holds what SyncAndWait reports (at, baseline, tasks, connection, ...).
	Details json.RawMessage `json:"-"`
}

// fanOut runs one fan-out call: it makes a stop handle that ctx's cancellation triggers (items
// already started finish, none starts after), and a callback for OnSettled.
func (c *Client) fanOut(ctx context.Context, ids []string, o *FanOutOptions,
	call func(h *C.fivetrex_client, cids *C.char, opts *C.fivetrex_fanout_options, cb C.fivetrex_settled_callback, ud unsafe.Pointer, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var opts FanOutOptions
	if o != nil {
		opts = *o
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return "", err
	}
	cids := cstring(string(idsJSON))
	defer cfree(cids)
	var stop *C.fivetrex_stop
	if st := C.fivetrex_stop_new(&stop, nil); st != C.FIVETREX_STATUS_OK {
		return "", &APIError{Kind: kindOf(st), Message: "cannot make a stop handle"}
	}
	defer C.fivetrex_stop_free(stop)
	returned := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			C.fivetrex_stop_request(stop)
		case <-returned:
		}
	}()
	copts := C.fivetrex_fanout_options{struct_size: C.size_t(C.sizeof_fivetrex_fanout_options)}
	copts.workers = C.uint32_t(opts.Workers)
	copts.completion_order = flag(opts.CompletionOrder)
	copts.stop = stop
	var cb C.fivetrex_settled_callback
	var userdata unsafe.Pointer
	if opts.OnSettled != nil {
		handle := cgo.NewHandle(opts.OnSettled)
		userdata = C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0))))
		*(*C.uintptr_t)(userdata) = C.uintptr_t(handle)
		defer func() { handle.Delete(); C.free(userdata) }()
		cb = C.fivetrex_settled_callback(C.fivetrexGoOnSettled)
	}
	// Not cut short by ctx: a cancellation stops the fan-out through the handle, and the call
	// returns once the items in flight have finished.
	text, err := c.callJSON(context.Background(), func(h *C.fivetrex_client, out **C.char, e **C.fivetrex_error) C.enum_fivetrex_status {
		return call(h, cids, &copts, cb, userdata, out, e)
	})
	close(returned)
	if err != nil {
		return "", err
	}
	return text, ctx.Err()
}

// ConnectionsByID fetches many connections at once on opts.Workers threads: one result per id
// (each with its own error), in input order unless opts.CompletionOrder. A cancelled ctx stops
// new fetches; the results of those already started are returned with ctx.Err(). Prefer the
// account-wide Connections list, which already carries status and timestamps: fetch details only
// for the ids that need them.
func (c *Client) ConnectionsByID(ctx context.Context, ids []string, opts *FanOutOptions) ([]ConnectionResult, error) {
	text, err := c.fanOut(ctx, ids, opts, func(h *C.fivetrex_client, cids *C.char, o *C.fivetrex_fanout_options, cb C.fivetrex_settled_callback, ud unsafe.Pointer, out **C.char, e **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_get_many(h, cids, o, cb, ud, out, e)
	})
	if text == "" {
		return nil, err
	}
	var results []ConnectionResult
	if jerr := json.Unmarshal([]byte(text), &results); jerr != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the results: %v", jerr)}
	}
	return results, err
}

// SyncAndWaitMany triggers a sync of every connection and waits for each (SyncAndWait per
// connection, at most opts.Workers at once; wait's OnProgress is not used). One result per
// connection started, in input order unless opts.CompletionOrder. A cancelled ctx ends the waits
// in progress within two polls as SyncTimedOut (Details carry the baseline) and starts no more;
// the results are returned with ctx.Err().
func (c *Client) SyncAndWaitMany(ctx context.Context, ids []string, wait *WaitOptions, opts *FanOutOptions) ([]SyncManyResult, error) {
	w := C.fivetrex_wait_options{struct_size: C.size_t(C.sizeof_fivetrex_wait_options)}
	if wait != nil {
		w.poll_interval_ms = millis(wait.PollInterval)
		w.timeout_ms = millis(wait.Timeout)
		w.force = flag(wait.Force)
		w.resume_if_paused = flag(wait.ResumeIfPaused)
		w.return_when_rescheduled = flag(wait.ReturnWhenRescheduled)
	}
	text, err := c.fanOut(ctx, ids, opts, func(h *C.fivetrex_client, cids *C.char, o *C.fivetrex_fanout_options, cb C.fivetrex_settled_callback, ud unsafe.Pointer, out **C.char, e **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_sync_and_wait_many(h, cids, &w, o, cb, ud, out, e)
	})
	if text == "" {
		return nil, err
	}
	var raw []json.RawMessage
	if jerr := json.Unmarshal([]byte(text), &raw); jerr != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the results: %v", jerr)}
	}
	results := make([]SyncManyResult, len(raw))
	for i, r := range raw {
		if jerr := json.Unmarshal(r, &results[i]); jerr != nil {
			return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode result %d: %v", i, jerr)}
		}
		results[i].Details = r
	}
	return results, err
}

// fivetrexGoOnSettled is the C callback of a fan-out: userdata points to the cgo.Handle of the
// OnSettled func.
//
//export fivetrexGoOnSettled
func fivetrexGoOnSettled(index C.size_t, itemJSON *C.char, userdata unsafe.Pointer) {
	if f, ok := cgo.Handle(*(*C.uintptr_t)(userdata)).Value().(func(int)); ok {
		f(int(index))
	}
}
