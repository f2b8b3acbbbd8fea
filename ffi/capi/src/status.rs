//! The status every fallible C function returns: one value per [`ErrorKind`], plus success, the
//! end of a list, and the failures that only exist at the C boundary.

use fivetrex_core::ErrorKind;
use std::ffi::{c_char, c_int};

/// What a fallible function returns. `FIVETREX_STATUS_OK` (0) is success. The values are stable
/// and never reused: later versions add new values (anywhere not yet taken) and retire old ones
/// (leaving a gap), so handle a value you do not know as an error (`fivetrex_status_name` gives
/// `"UNKNOWN"` for it).
/// Every value other than OK and DONE comes with a detailed `fivetrex_error` when the caller
/// passed a non-NULL `err`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum fivetrex_status {
    /// Success.
    Ok = 0,
    /// A list has no more items (or pages). Not an error: no error object is written.
    Done = 1,
    /// An argument was refused before anything was sent: a NULL pointer, text that is not UTF-8,
    /// malformed JSON, an empty id, a page size out of range.
    InvalidArgument = 2,
    /// A bug: the library panicked. The panic was caught; the handles involved should be freed.
    Panic = 3,
    /// HTTP 401: bad or missing credentials.
    Unauthorized = 4,
    /// HTTP 403: the key lacks the permission.
    Forbidden = 5,
    /// HTTP 404: no such resource.
    NotFound = 6,
    /// HTTP 409: conflict (a sync is running, ...).
    Conflict = 7,
    /// HTTP 400, 405, 406, 415, 422: the API refused the request as invalid.
    InvalidRequest = 8,
    /// HTTP 429: rate limited; see `fivetrex_error_retry_after_ms`.
    RateLimited = 9,
    /// HTTP 5xx.
    Server = 10,
    /// Another non-2xx HTTP status.
    Http = 11,
    /// DNS, connect, TLS, a reset connection, a cut-short or too large body.
    Transport = 12,
    /// The connect or the whole request took longer than allowed.
    Timeout = 13,
    /// A 2xx answer whose body did not have the expected shape.
    Decode = 14,
    /// The client was configured wrongly (missing key, plain http to a remote host, a logger
    /// already installed, ...).
    Config = 15,
    /// A destructive call was made without the matching confirmation argument.
    ConfirmationRequired = 16,
    /// A list answered with a cursor it had already given; the walk stopped instead of looping.
    RepeatedCursor = 17,
    // 18 was WAIT_TIMEOUT, which nothing produced (a wait that runs out of time is the
    // TIMED_OUT outcome); the value is not reused.
    /// The call was cancelled through its `fivetrex_cancel_token`.
    Cancelled = 19,
    /// A webhook delivery's signature header is missing, malformed or wrong (answer 401).
    WebhookSignature = 20,
    /// A webhook delivery's body is not a Fivetran event (answer 400).
    WebhookPayload = 21,
    /// An error of the caller's own (only from Rust closures; listed for completeness).
    Caller = 22,
    /// A failure this version of the C ABI has no status for yet; the error's message says what.
    Other = 23,
}

impl From<ErrorKind> for fivetrex_status {
    fn from(kind: ErrorKind) -> Self {
        // Exhaustive on purpose: a new ErrorKind must get its own status here.
        match kind {
            ErrorKind::Unauthorized => fivetrex_status::Unauthorized,
            ErrorKind::Forbidden => fivetrex_status::Forbidden,
            ErrorKind::NotFound => fivetrex_status::NotFound,
            ErrorKind::Conflict => fivetrex_status::Conflict,
            ErrorKind::InvalidRequest => fivetrex_status::InvalidRequest,
            ErrorKind::RateLimited => fivetrex_status::RateLimited,
            ErrorKind::Server => fivetrex_status::Server,
            ErrorKind::Http => fivetrex_status::Http,
            ErrorKind::Transport => fivetrex_status::Transport,
            ErrorKind::Timeout => fivetrex_status::Timeout,
            ErrorKind::Decode => fivetrex_status::Decode,
            ErrorKind::Config => fivetrex_status::Config,
            ErrorKind::InvalidArgument => fivetrex_status::InvalidArgument,
            ErrorKind::ConfirmationRequired => fivetrex_status::ConfirmationRequired,
            ErrorKind::RepeatedCursor => fivetrex_status::RepeatedCursor,
            ErrorKind::Cancelled => fivetrex_status::Cancelled,
            ErrorKind::WebhookSignature => fivetrex_status::WebhookSignature,
            ErrorKind::WebhookPayload => fivetrex_status::WebhookPayload,
            ErrorKind::Caller => fivetrex_status::Caller,
            _ => fivetrex_status::Other,
        }
    }
}

const NAMES: &[(fivetrex_status, &str)] = &[
    (fivetrex_status::Ok, "OK\0"),
    (fivetrex_status::Done, "DONE\0"),
    (fivetrex_status::InvalidArgument, "INVALID_ARGUMENT\0"),
    (fivetrex_status::Panic, "PANIC\0"),
    (fivetrex_status::Unauthorized, "UNAUTHORIZED\0"),
    (fivetrex_status::Forbidden, "FORBIDDEN\0"),
    (fivetrex_status::NotFound, "NOT_FOUND\0"),
    (fivetrex_status::Conflict, "CONFLICT\0"),
    (fivetrex_status::InvalidRequest, "INVALID_REQUEST\0"),
    (fivetrex_status::RateLimited, "RATE_LIMITED\0"),
    (fivetrex_status::Server, "SERVER\0"),
    (fivetrex_status::Http, "HTTP\0"),
    (fivetrex_status::Transport, "TRANSPORT\0"),
    (fivetrex_status::Timeout, "TIMEOUT\0"),
    (fivetrex_status::Decode, "DECODE\0"),
    (fivetrex_status::Config, "CONFIG\0"),
    (fivetrex_status::ConfirmationRequired, "CONFIRMATION_REQUIRED\0"),
    (fivetrex_status::RepeatedCursor, "REPEATED_CURSOR\0"),
    (fivetrex_status::Cancelled, "CANCELLED\0"),
    (fivetrex_status::WebhookSignature, "WEBHOOK_SIGNATURE\0"),
    (fivetrex_status::WebhookPayload, "WEBHOOK_PAYLOAD\0"),
    (fivetrex_status::Caller, "CALLER\0"),
    (fivetrex_status::Other, "OTHER\0"),
];

/// The name of a status without its prefix (`"NOT_FOUND"` for `FIVETREX_STATUS_NOT_FOUND`), or
/// `"UNKNOWN"` for a value that is not a status. Takes an `int` so any value is safe to pass.
///
/// Ownership: a static string; never free it.
#[no_mangle]
pub extern "C" fn fivetrex_status_name(status: c_int) -> *const c_char {
    let name = NAMES.iter().find(|(s, _)| *s as c_int == status).map_or("UNKNOWN\0", |(_, n)| n);
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_status_has_a_name_and_values_are_distinct() {
        // Values are stable and never reused; gaps (retired values, room left) are allowed.
        let mut values: Vec<c_int> = NAMES.iter().map(|(s, _)| *s as c_int).collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), NAMES.len(), "two statuses share a value");
        assert_eq!((fivetrex_status::Ok as c_int, fivetrex_status::Done as c_int), (0, 1));
        assert!(!values.contains(&18), "18 (the retired WAIT_TIMEOUT) is never reused");
        for (status, name) in NAMES {
            let got = unsafe { CStr::from_ptr(fivetrex_status_name(*status as c_int)) };
            assert_eq!(got.to_str().unwrap(), name.trim_end_matches('\0'));
        }
        let retired = unsafe { CStr::from_ptr(fivetrex_status_name(18)) };
        assert_eq!(retired.to_str().unwrap(), "UNKNOWN");
        let unknown = unsafe { CStr::from_ptr(fivetrex_status_name(999)) };
        assert_eq!(unknown.to_str().unwrap(), "UNKNOWN");
    }
}
