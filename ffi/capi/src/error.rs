//! The detailed error object a failed call hands back, and its getters.

use super::boundary::{entry, Failure};
use super::status::fivetrex_status;
use std::ffi::{c_char, CString};

/// What went wrong in a failed call: status, HTTP status, API code and message, retry-after and a
/// readable message. Created by the library when a call fails and `err` was not NULL; the caller
/// frees it with `fivetrex_error_free`. It never contains the API secret. Immutable: it may be
/// read from any thread.
pub struct fivetrex_error {
    status: fivetrex_status,
    http_status: u16,
    message: CString,
    api_code: Option<CString>,
    api_message: Option<CString>,
    retry_after_ms: i64,
}

/// Text for C: an inner NUL (which no API text should hold) becomes U+FFFD rather than cutting.
fn c_text(s: &str) -> CString {
    CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

impl fivetrex_error {
    pub(crate) fn new(failure: &Failure) -> Self {
        match failure {
            Failure::Error(e) => fivetrex_error {
                status: e.kind().into(),
                http_status: e.status().unwrap_or(0),
                message: c_text(&e.to_string()),
                api_code: e.api_code().map(c_text),
                api_message: e.api_message().map(c_text),
                retry_after_ms: e.retry_after().map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            },
            Failure::Panic(text) => fivetrex_error {
                status: fivetrex_status::Panic,
                http_status: 0,
                message: c_text(&format!("panic in libfivetrex (a bug; please report it): {text}")),
                api_code: None,
                api_message: None,
                retry_after_ms: -1,
            },
        }
    }

    pub(crate) fn status(&self) -> fivetrex_status {
        self.status
    }
}

/// The status of the failed call this error describes (`FIVETREX_STATUS_OK` for NULL).
///
/// Ownership: borrows `err`.
#[no_mangle]
pub extern "C" fn fivetrex_error_status(err: Option<&fivetrex_error>) -> fivetrex_status {
    entry(None, || Ok(err.map_or(fivetrex_status::Ok, |e| e.status)))
}

/// The HTTP status of the answer that caused the error, or 0 when there was none (a transport
/// failure, a refused argument) or `err` is NULL.
///
/// Ownership: borrows `err`.
#[no_mangle]
pub extern "C" fn fivetrex_error_http_status(err: Option<&fivetrex_error>) -> u16 {
    entry(None, || Ok(err.map_or(0, |e| e.http_status)))
}

/// A readable one-line description of the error (never NULL; `""` when `err` is NULL).
///
/// Ownership: borrowed from `err`; valid until `err` is freed. Do not free it.
#[no_mangle]
pub extern "C" fn fivetrex_error_message(err: Option<&fivetrex_error>) -> *const c_char {
    entry(None, || Ok(err.map_or(c"".as_ptr(), |e| e.message.as_ptr())))
}

/// The API's error `code` (`"NotFound_Group"`, `"TooManyRequests"`, ...), or NULL when the answer
/// carried none or `err` is NULL.
///
/// Ownership: borrowed from `err`; valid until `err` is freed. Do not free it.
#[no_mangle]
pub extern "C" fn fivetrex_error_api_code(err: Option<&fivetrex_error>) -> *const c_char {
    entry(None, || Ok(err.and_then(|e| e.api_code.as_ref()).map_or(std::ptr::null(), |c| c.as_ptr())))
}

/// The API's error `message`, or NULL when the answer carried none or `err` is NULL.
///
/// Ownership: borrowed from `err`; valid until `err` is freed. Do not free it.
#[no_mangle]
pub extern "C" fn fivetrex_error_api_message(err: Option<&fivetrex_error>) -> *const c_char {
    entry(None, || Ok(err.and_then(|e| e.api_message.as_ref()).map_or(std::ptr::null(), |c| c.as_ptr())))
}

/// The wait the server asked for with `Retry-After` on a 429, in milliseconds; -1 when it gave
/// none (or the error is not a 429, or `err` is NULL).
///
/// Ownership: borrows `err`.
#[no_mangle]
pub extern "C" fn fivetrex_error_retry_after_ms(err: Option<&fivetrex_error>) -> i64 {
    entry(None, || Ok(err.map_or(-1, |e| e.retry_after_ms)))
}

/// Frees an error. NULL is a no-op.
///
/// Ownership: takes `err`, which must come from this library and not have been freed.
#[no_mangle]
pub extern "C" fn fivetrex_error_free(err: Option<Box<fivetrex_error>>) {
    entry(None, || {
        drop(err);
        Ok(())
    })
}
