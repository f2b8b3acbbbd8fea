package fivetrex

/*
#include "fivetrex.h"
void fivetrexGoOnLog(enum fivetrex_log_level level, char *message, void *userdata);
*/
import "C"

import (
	"os"
	"sync"
	"sync/atomic"
	"unsafe"
)

// LogLevel is the level of one of the library's log messages (1 error .. 5 trace).
type LogLevel int

// The library's log levels, most severe first.
const (
	LogError LogLevel = 1
	LogWarn  LogLevel = 2
	LogInfo  LogLevel = 3
	LogDebug LogLevel = 4
	LogTrace LogLevel = 5
)

var (
	logger   atomic.Value // func(LogLevel, string)
	loggerMu sync.Mutex
)

// SetLogger sends the library's diagnostics (retries, waits, deadlines; never the API secret)
// to f, for messages at maxLevel or more severe. It is process-wide, as the library's logger
// is; a later call replaces f, and f == nil drops the messages. f runs on the goroutine that
// made the request, inside that call, possibly on several at once: it must be quick and must
// not call the Client.
func SetLogger(f func(level LogLevel, message string), maxLevel LogLevel) error {
	loggerMu.Lock()
	defer loggerMu.Unlock()
	if f == nil {
		f = func(LogLevel, string) {}
		maxLevel = 0 // the library's off
	}
	logger.Store(f)
	var cerr *C.fivetrex_error
	if status := C.fivetrex_logger_set(C.fivetrex_log_callback(C.fivetrexGoOnLog), nil, C.uint32_t(maxLevel), &cerr); status != C.FIVETREX_STATUS_OK {
		return takeError(status, cerr)
	}
	return nil
}

//export fivetrexGoOnLog
func fivetrexGoOnLog(level C.enum_fivetrex_log_level, message *C.char, _ unsafe.Pointer) {
	if f, ok := logger.Load().(func(LogLevel, string)); ok {
		f(LogLevel(level), C.GoString(message))
	}
}

// FromEnv fills opts' APIKey, APISecret and (when set) BaseURL from FIVETRAN_API_KEY,
// FIVETRAN_API_SECRET and FIVETRAN_BASE_URL, as the Rust client's from_env does, and creates
// the client. Missing credentials are a KindConfig error naming the variables, never their
// values.
func FromEnv(opts Options) (*Client, error) {
	key, secret := os.Getenv("FIVETRAN_API_KEY"), os.Getenv("FIVETRAN_API_SECRET")
	var missing string
	switch {
	case key == "" && secret == "":
		missing = "FIVETRAN_API_KEY and FIVETRAN_API_SECRET"
	case key == "":
		missing = "FIVETRAN_API_KEY"
	case secret == "":
		missing = "FIVETRAN_API_SECRET"
	}
	if missing != "" {
		return nil, &APIError{Kind: KindConfig, Message: missing + " not set"}
	}
	opts.APIKey, opts.APISecret = key, secret
	if u := os.Getenv("FIVETRAN_BASE_URL"); u != "" {
		opts.BaseURL = u
	}
	return New(opts)
}
