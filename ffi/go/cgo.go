package fivetrex

// The cgo boundary: the link flags, and the helpers every call uses to hand strings to the
// library and take its results and errors back. Nothing else in the package touches C memory
// except through these.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../target/debug -Wl,-rpath,${SRCDIR}/../../target/debug -lfivetrex
#include <stdlib.h>
#include "fivetrex.h"
*/
import "C"

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// cstring copies s into C memory; the caller frees it with free (it is ours, not the library's).
// The library reads a C string up to its first NUL byte, so every string passed here has been
// through checkText first: "id\x00anything" must not reach C as "id".
func cstring(s string) *C.char { return C.CString(s) }

// checkText refuses strings the C ABI would cut short: a NUL byte ends a C string, so
// "a\x00x" would be sent as "a" (another resource, or a confirmation that matches by accident).
func checkText(args ...string) error {
	for i, s := range args {
		if strings.IndexByte(s, 0) >= 0 {
			// The value is not shown: it may be the secret.
			return &APIError{Kind: KindInvalidArgument, Message: fmt.Sprintf("argument %d contains a NUL byte, which C strings cannot carry", i+1)}
		}
	}
	return nil
}

// cursorOf is the resume cursor of list options, for checkText.
func cursorOf(o *ListOptions) string {
	if o == nil {
		return ""
	}
	return o.Cursor
}

// cfree releases a string made by cstring; nil is fine.
func cfree(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// optional gives NULL for "" and a C copy otherwise.
func optional(s string) *C.char {
	if s == "" {
		return nil
	}
	return cstring(s)
}

// takeString copies a string the library returned into Go memory and releases the original
// with the library's own free function (never free()).
func takeString(p *C.char) string {
	if p == nil {
		return ""
	}
	defer C.fivetrex_string_free(p)
	return C.GoString(p)
}

// takeError turns a failed status and its error object into an *APIError, freeing the object.
func takeError(status C.enum_fivetrex_status, e *C.fivetrex_error) error {
	defer C.fivetrex_error_free(e)
	err := &APIError{Kind: kindOf(status)}
	if e == nil {
		err.Message = string(err.Kind)
		return err
	}
	err.Status = int(C.fivetrex_error_http_status(e))
	err.Message = C.GoString(C.fivetrex_error_message(e))
	if p := C.fivetrex_error_api_code(e); p != nil {
		err.APICode = C.GoString(p)
	}
	if p := C.fivetrex_error_api_message(e); p != nil {
		err.APIMessage = C.GoString(p)
	}
	if ms := int64(C.fivetrex_error_retry_after_ms(e)); ms >= 0 {
		err.RetryAfter = time.Duration(ms) * time.Millisecond
	}
	return err
}

func kindOf(status C.enum_fivetrex_status) Kind {
	return Kind(strings.ToLower(C.GoString(C.fivetrex_status_name(C.int(status)))))
}

// resultFn is one library call that may write a JSON string and an error.
type resultFn func(out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status

// callJSON runs f and returns the JSON text it produced, or its error.
func callJSON(f resultFn) (string, error) {
	var out *C.char
	var cerr *C.fivetrex_error
	status := f(&out, &cerr)
	if status != C.FIVETREX_STATUS_OK {
		takeString(out)
		return "", takeError(status, cerr)
	}
	return takeString(out), nil
}

// blocking runs f, which makes a blocking C call, so that the caller waits no longer than ctx
// allows. A cgo call cannot be interrupted: when ctx ends first, f goes on in the background
// until the request finishes (bounded by the client's timeouts and retry deadline), its result
// is dropped, and blocking returns ctx.Err(). Whatever f locks it must unlock itself.
func blocking(ctx context.Context, f func()) error {
	if ctx.Done() == nil {
		f()
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// millis converts a duration to whole milliseconds, rounding up so that a positive duration
// never becomes 0 (which the library reads as "default").
func millis(d time.Duration) C.uint64_t {
	if d <= 0 {
		return 0
	}
	return C.uint64_t((d + time.Millisecond - 1) / time.Millisecond)
}

// flag is a Go bool as the integer flags of the C option structs (0 or 1).
func flag(b bool) C.uint32_t {
	if b {
		return 1
	}
	return 0
}

// Version is the version of the libfivetrex the package is linked with.
func Version() string { return C.GoString(C.fivetrex_version()) }
