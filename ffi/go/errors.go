package fivetrex

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the category of a failure. It is also an error, so a category can be tested with
// errors.Is:
//
//	if errors.Is(err, fivetrex.KindNotFound) { ... }
type Kind string

// The categories, one per status of the C ABI (fivetrex_status); a status added to the library
// later arrives as its lower-case name.
const (
	KindInvalidArgument      Kind = "invalid_argument"      // refused before anything was sent
	KindPanic                Kind = "panic"                 // a bug in the library (caught)
	KindUnauthorized         Kind = "unauthorized"          // HTTP 401
	KindForbidden            Kind = "forbidden"             // HTTP 403
	KindNotFound             Kind = "not_found"             // HTTP 404
	KindConflict             Kind = "conflict"              // HTTP 409
	KindInvalidRequest       Kind = "invalid_request"       // HTTP 400, 405, 406, 415, 422
	KindRateLimited          Kind = "rate_limited"          // HTTP 429 (after the retries)
	KindServer               Kind = "server"                // HTTP 5xx (after the retries)
	KindHTTP                 Kind = "http"                  // another non-2xx status
	KindTransport            Kind = "transport"             // DNS, connect, TLS, reset, cut-short body
	KindTimeout              Kind = "timeout"               // connect or request timeout
	KindDecode               Kind = "decode"                // a 2xx answer of an unexpected shape
	KindConfig               Kind = "config"                // bad client configuration
	KindConfirmationRequired Kind = "confirmation_required" // a destructive call without its confirmation
	KindRepeatedCursor       Kind = "repeated_cursor"       // a list repeated a cursor; the walk stopped
	KindCancelled            Kind = "cancelled"             // the call was cancelled (its context)
	KindWebhookSignature     Kind = "webhook_signature"     // a webhook signature is missing or wrong
	KindWebhookPayload       Kind = "webhook_payload"       // a webhook body is not an event
	KindCaller               Kind = "caller"                // a caller's own error (Rust closures only)
)

// Error makes a Kind usable as an errors.Is target.
func (k Kind) Error() string { return "fivetrex: " + string(k) }

// APIError is every error the library reports. Inspect it with errors.As:
//
//	var apiErr *fivetrex.APIError
//	if errors.As(err, &apiErr) && apiErr.Kind == fivetrex.KindRateLimited {
//		time.Sleep(apiErr.RetryAfter)
//	}
//
// It never contains the API secret.
type APIError struct {
	Kind       Kind          // the category
	Status     int           // the HTTP status, 0 when there was no answer
	APICode    string        // the API's error code ("NotFound_Group"), "" when it sent none
	APIMessage string        // the API's error message, "" when it sent none
	Message    string        // a readable one-line description from the library
	RetryAfter time.Duration // the server's Retry-After on a 429, 0 when none
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("fivetrex: %s", e.Kind)
	}
	return "fivetrex: " + e.Message
}

// Is reports whether target is this error's Kind.
func (e *APIError) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// ErrClosed is returned by calls on a Client after Close.
var ErrClosed = errors.New("fivetrex: client is closed")
