//! The one gate every C entry point goes through, and the argument and result conversions the
//! entry points share.
//!
//! [`entry`] runs the body of an entry point: it clears the error out-pointer, catches a panic
//! (so none unwinds into C), and turns a failure into its status plus a `fivetrex_error`. The
//! helpers below turn C arguments into Rust ones with `?`, answering a NULL pointer, text that is
//! not UTF-8 or malformed JSON with [`Error::InvalidArgument`]; no entry point checks by hand.

use super::error::fivetrex_error;
use super::status::fivetrex_status;
use crate::error::{Error, Result};
use serde::Serialize;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Why an entry point failed: an error of the Rust API, or a caught panic.
pub(crate) enum Failure {
    Error(Error),
    Panic(String),
}

/// What an entry point returns when its body failed or panicked.
pub(crate) trait Outcome {
    fn failed(status: fivetrex_status) -> Self;
}

impl Outcome for fivetrex_status {
    fn failed(status: fivetrex_status) -> Self {
        status
    }
}

impl Outcome for () {
    fn failed(_: fivetrex_status) -> Self {}
}

impl Outcome for u16 {
    fn failed(_: fivetrex_status) -> Self {
        0
    }
}

impl Outcome for i64 {
    fn failed(_: fivetrex_status) -> Self {
        -1
    }
}

impl Outcome for *const c_char {
    fn failed(_: fivetrex_status) -> Self {
        std::ptr::null()
    }
}

/// Runs the body of an entry point. `err` (NULL allowed) is set to NULL first, and to a new
/// `fivetrex_error` when the body fails or panics; the body's value, or the failure's status
/// (through [`Outcome`]), is returned.
pub(crate) fn entry<T: Outcome>(err: Option<&mut *mut fivetrex_error>, body: impl FnOnce() -> Result<T>) -> T {
    let mut err = err;
    if let Some(slot) = err.as_deref_mut() {
        *slot = std::ptr::null_mut();
    }
    // Unwind safety: after a panic the handle involved may be half-updated; the status tells the
    // caller so, and the header says such a handle should be freed.
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => return value,
        Ok(Err(e)) => Failure::Error(e),
        Err(payload) => Failure::Panic(panic_text(&*payload)),
    };
    let error = fivetrex_error::new(&failure);
    let status = error.status();
    if let Some(slot) = err {
        *slot = Box::into_raw(Box::new(error));
    }
    T::failed(status)
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn refused(name: &str, why: &str) -> Error {
    Error::InvalidArgument(format!("argument `{name}` {why}"))
}

/// A required pointer argument (a handle, an options struct).
pub(crate) fn required<T>(p: Option<T>, name: &str) -> Result<T> {
    p.ok_or_else(|| refused(name, "is NULL"))
}

/// A required out-pointer: checked, then set to NULL so it is NULL on every failure.
pub(crate) fn out<'a, T>(p: Option<&'a mut *mut T>, name: &str) -> Result<&'a mut *mut T> {
    let slot = required(p, name)?;
    *slot = std::ptr::null_mut();
    Ok(slot)
}

/// An optional out-pointer, set to NULL when given.
pub(crate) fn optional_out<T>(p: Option<&mut *mut T>) -> Option<&mut *mut T> {
    p.map(|slot| {
        *slot = std::ptr::null_mut();
        slot
    })
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    // SAFETY: guaranteed by the caller.
    unsafe { optional_text(p, name) }?.ok_or_else(|| refused(name, "is NULL"))
}

/// An optional NUL-terminated UTF-8 string (NULL gives `None`).
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn optional_text<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    std::str::from_utf8(bytes).map(Some).map_err(|e| refused(name, &format!("is not valid UTF-8 ({e})")))
}

/// An optional JSON text (NULL gives `None`).
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn optional_json(p: *const c_char, name: &str) -> Result<Option<serde_json::Value>> {
    // SAFETY: passed on from the caller.
    match unsafe { optional_text(p, name) }? {
        None => Ok(None),
        Some(s) => serde_json::from_str(s).map(Some).map_err(|e| refused(name, &format!("is not valid JSON ({e})"))),
    }
}

/// Hands `s` to C as a string it frees with `fivetrex_string_free`.
pub(crate) fn put_string(slot: &mut *mut c_char, s: String) -> Result<()> {
    // JSON escapes NUL and serde_json never emits a raw one; refuse rather than cut short.
    let c = CString::new(s).map_err(|_| Error::InvalidArgument("result text contains a NUL byte".into()))?;
    *slot = c.into_raw();
    Ok(())
}

/// Serialises `value` and hands the JSON text to C; returns `OK` for the entry point to return.
pub(crate) fn put_json<T: Serialize + ?Sized>(slot: &mut *mut c_char, value: &T) -> Result<fivetrex_status> {
    put_string(slot, to_json(value)?)?;
    Ok(fivetrex_status::Ok)
}

/// As [`put_json`] for an optional out-pointer: without one the value is dropped.
pub(crate) fn put_optional_json<T: Serialize + ?Sized>(
    slot: Option<&mut *mut c_char>,
    value: &T,
) -> Result<fivetrex_status> {
    match slot {
        Some(slot) => put_json(slot, value),
        None => Ok(fivetrex_status::Ok),
    }
}

/// Serialises a model; the crate's models always serialise, so a failure is reported, not hidden.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Decode {
        status: 0,
        message: format!("cannot serialise the result as JSON: {e}"),
        snippet: String::new(),
    })
}

/// Hands a new handle to C.
pub(crate) fn put_handle<T>(slot: &mut *mut T, value: T) -> fivetrex_status {
    *slot = Box::into_raw(Box::new(value));
    fivetrex_status::Ok
}

/// Converts a C millisecond count where 0 means "the library's default".
pub(crate) fn millis(ms: u64) -> Option<std::time::Duration> {
    (ms != 0).then(|| std::time::Duration::from_millis(ms))
}
