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
