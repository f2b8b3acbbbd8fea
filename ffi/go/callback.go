package fivetrex

/*
#include "fivetrex.h"
*/
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"
)

// fivetrexGoOnRetry is the C retry callback: userdata points to the cgo.Handle of the Go func.
//
//export fivetrexGoOnRetry
func fivetrexGoOnRetry(attempt C.uint32_t, delayMs C.uint64_t, status C.enum_fivetrex_status, userdata unsafe.Pointer) {
	f, ok := cgo.Handle(*(*C.uintptr_t)(userdata)).Value().(func(RetryEvent))
	if !ok {
		return
	}
	f(RetryEvent{Attempt: int(attempt), Delay: time.Duration(delayMs) * time.Millisecond, Kind: kindOf(status)})
}

// fivetrexGoOnProgress is the C progress callback of a wait: userdata points to the cgo.Handle
// of its *progressHook.
//
//export fivetrexGoOnProgress
func fivetrexGoOnProgress(poll C.uint32_t, elapsedMs C.uint64_t, syncState *C.char, status C.enum_fivetrex_status, userdata unsafe.Pointer) {
	p, ok := cgo.Handle(*(*C.uintptr_t)(userdata)).Value().(*progressHook)
	if !ok {
		return
	}
	var state string
	if syncState != nil {
		state = C.GoString(syncState)
	}
	var failure error
	if status != C.FIVETREX_STATUS_OK {
		kind := kindOf(status)
		failure = &APIError{Kind: kind, Message: "poll failed (" + string(kind) + "); the wait goes on"}
	}
	p.report(int(poll), state, failure)
}
