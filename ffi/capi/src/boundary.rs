//! The one gate every C entry point goes through, and the argument and result conversions the
//! entry points share.
//!
//! [`entry`] runs the body of an entry point: it clears the error out-pointer, catches a panic
//! (so none unwinds into C), and turns a failure into its status plus a `fivetrex_error`. The
//! helpers below turn C arguments into Rust ones with `?`, answering a NULL pointer, text that is
//! not UTF-8 or malformed JSON with [`Error::InvalidArgument`]; no entry point checks by hand.

use super::error::fivetrex_error;
use super::status::fivetrex_status;
use fivetrex_core::{Error, Result};
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

/// An options struct from C, copied. Every options struct starts with `size_t struct_size`, which
/// the caller sets to `sizeof` the struct as its header declares it: NULL gives `None`; a size
/// below one field is refused (the caller forgot to set it); a smaller struct (an older header)
/// has its missing fields at their defaults; a larger one (a newer header) is accepted when every
/// byte this library does not know is zero, and refused otherwise, so an option the library does
/// not have is never silently dropped.
///
/// # Safety
/// `p` is NULL or points to `struct_size` readable bytes. `T` is `repr(C)`, starts with a
/// `usize`, and all-zero bytes are a valid `T` (integers, floats, raw pointers, optional function
/// pointers).
pub(crate) unsafe fn options<T: Copy>(p: *const T, name: &str) -> Result<Option<T>> {
    if p.is_null() {
        return Ok(None);
    }
    let word = std::mem::size_of::<usize>();
    // SAFETY: the caller guarantees at least the first field.
    let size = unsafe { p.cast::<usize>().read_unaligned() };
    if size < word {
        return Err(refused(name, &format!("has struct_size {size}: set it to sizeof the struct")));
    }
    let ours = std::mem::size_of::<T>();
    let bytes = p.cast::<u8>();
    if size > ours {
        // SAFETY: `size` readable bytes, per the caller.
        let tail = unsafe { std::slice::from_raw_parts(bytes.add(ours), size - ours) };
        if tail.iter().any(|&b| b != 0) {
            return Err(refused(name, "sets fields this version of the library does not know (a newer header)"));
        }
    }
    // Whole words only, so a pointer is never half copied; a cut integer field stays 0 (default).
    let n = size.min(ours) / word * word;
    let mut value = std::mem::MaybeUninit::<T>::zeroed();
    // SAFETY: `n` bytes are readable at `bytes` and writable in `value`; zero bytes are a valid T
    // and the copied prefix holds whole fields the caller wrote as T's.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes, value.as_mut_ptr().cast::<u8>(), n);
        Ok(Some(value.assume_init()))
    }
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

/// A required JSON object.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn object(p: *const c_char, name: &str) -> Result<serde_json::Value> {
    // SAFETY: passed on from the caller.
    match unsafe { optional_json(p, name) }? {
        Some(v @ serde_json::Value::Object(_)) => Ok(v),
        Some(_) => Err(refused(name, "must be a JSON object")),
        None => Err(refused(name, "is NULL")),
    }
}

/// Hands `s` to C as a string it frees with `fivetrex_string_free`.
pub(crate) fn put_string(slot: &mut *mut c_char, s: String) -> Result<()> {
    // JSON escapes NUL and serde_json never emits a raw one; refuse rather than cut short.
    let c = CString::new(s).map_err(|_| Error::InvalidArgument("result text contains a NUL byte".into()))?;
    *slot = c.into_raw();
    Ok(())
}

/// Hands JSON text written by [`write_json`] to C as a new string it frees with
/// `fivetrex_string_free`: one allocation of the exact size and one copy.
pub(crate) fn put_json_text(slot: &mut *mut c_char, json: &[u8]) {
    // Invariant: the text holds no NUL byte. The writer escapes every control character in the
    // strings it writes (`\u0000`), numbers and punctuation hold none, and the raw JSON it copies
    // (`RawJson`) was parsed by serde_json, which refuses an unescaped control character in a
    // string. So the text is not scanned again here.
    debug_assert!(!json.contains(&0), "JSON text with a NUL byte");
    let mut text = Vec::with_capacity(json.len() + 1);
    text.extend_from_slice(json);
    text.push(0);
    // SAFETY: one NUL, at the end (see above). The capacity is the length: no reallocation
    // when `CString` makes its boxed slice.
    *slot = unsafe { CString::from_vec_with_nul_unchecked(text) }.into_raw();
}

/// Serialises `value` and hands the JSON text to C; returns `OK` for the entry point to return.
pub(crate) fn put_json<T: Serialize + ?Sized>(slot: &mut *mut c_char, value: &T) -> Result<fivetrex_status> {
    let mut json = Vec::new();
    write_json(&mut json, value)?;
    put_json_text(slot, &json);
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

/// Hands an answer's JSON text to C as the server wrote it (`null` for an empty body); without
/// an out-pointer the answer is dropped. Returns `OK` for the entry point to return.
pub(crate) fn put_answer(
    slot: Option<&mut *mut c_char>,
    answer: Option<&serde_json::value::RawValue>,
) -> Result<fivetrex_status> {
    if let Some(slot) = slot {
        // serde_json parsed this text, so it holds no NUL byte (see `put_json_text`).
        put_json_text(slot, answer.map_or("null", |raw| raw.get()).as_bytes());
    }
    Ok(fivetrex_status::Ok)
}

/// Serialises a model into `out` (cleared first; its capacity is kept, so a list reuses one
/// buffer for all its items). The crate's models always serialise, so a failure is reported,
/// not hidden.
pub(crate) fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    out.clear();
    super::writer::write(out, value).map_err(|e| Error::Decode {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fivetrex_error_free, fivetrex_error_message, fivetrex_error_status};

    fn message(err: *mut fivetrex_error) -> String {
        let text = fivetrex_error_message(unsafe { err.as_ref() });
        unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()
    }

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_text() {
        let mut err: *mut fivetrex_error = std::ptr::null_mut();
        let status = entry(Some(&mut err), || -> Result<fivetrex_status> { panic!("boom {}", 42) });
        assert_eq!(status, fivetrex_status::Panic);
        assert_eq!(fivetrex_error_status(unsafe { err.as_ref() }), fivetrex_status::Panic);
        assert!(message(err).contains("boom 42"), "{}", message(err));
        fivetrex_error_free(unsafe { err.as_mut().map(|e| Box::from_raw(e)) });
        // Getters fall back to their defaults when their body panics.
        assert!(entry(None, || -> Result<*const c_char> { panic!("getter") }).is_null());
        assert_eq!(entry(None, || -> Result<i64> { panic!("getter") }), -1);
    }

    #[test]
    fn success_clears_the_error_out_pointer_and_failure_fills_it() {
        let mut err = std::ptr::dangling_mut::<fivetrex_error>();
        assert_eq!(entry(Some(&mut err), || Ok(fivetrex_status::Done)), fivetrex_status::Done);
        assert!(err.is_null());
        // A real 429 asking for longer than the client waits comes back at once.
        let server = httpmock::MockServer::start();
        server.mock(|when, then| {
            when.any_request();
            then.status(429).header("Retry-After", "3").body(r#"{"code":"TooManyRequests","message":"slow down"}"#);
        });
        let client = fivetrex_core::Client::builder()
            .api_key("key-for-the-test")
            .api_secret("secret-for-the-test")
            .base_url(server.base_url())
            .retry_policy(fivetrex_core::RetryPolicy::default().with_max_retry_after(std::time::Duration::from_secs(1)))
            .build()
            .unwrap();
        let status = entry(Some(&mut err), || -> Result<fivetrex_status> {
            Err(client.raw(fivetrex_core::Method::Get, "/v1/x", &[], None).unwrap_err())
        });
        assert_eq!(status, fivetrex_status::RateLimited);
        let e = unsafe { err.as_ref() };
        assert_eq!(crate::fivetrex_error_http_status(e), 429);
        assert_eq!(crate::fivetrex_error_retry_after_ms(e), 3000);
        let code = crate::fivetrex_error_api_code(e);
        assert_eq!(unsafe { CStr::from_ptr(code) }.to_str().unwrap(), "TooManyRequests");
        fivetrex_error_free(unsafe { err.as_mut().map(|e| Box::from_raw(e)) });
    }

    #[test]
    fn arguments_are_checked_not_trusted() {
        assert!(
            matches!(required(None::<&u8>, "client"), Err(Error::InvalidArgument(m)) if m.contains("`client` is NULL"))
        );
        let bad = b"ab\xff\0";
        let e = unsafe { text(bad.as_ptr().cast(), "name") }.unwrap_err();
        assert!(e.to_string().contains("not valid UTF-8"), "{e}");
        assert_eq!(unsafe { optional_text(std::ptr::null(), "name") }.unwrap(), None);
        let e = unsafe { optional_json(c"{\"a\":".as_ptr(), "body_json") }.unwrap_err();
        assert!(e.to_string().contains("`body_json` is not valid JSON"), "{e}");
        let mut slot = std::ptr::dangling_mut::<c_char>();
        let slot = out(Some(&mut slot), "out_json").unwrap();
        assert!(slot.is_null(), "out-pointers are cleared before any work");
    }

    #[test]
    fn options_structs_carry_their_size() {
        use crate::fivetrex_list_options;
        let full = std::mem::size_of::<fivetrex_list_options>();
        let cursor = c"abc";
        let given = fivetrex_list_options { struct_size: full, page_size: 7, cursor: cursor.as_ptr() };
        let got = unsafe { options(&given, "options") }.unwrap().unwrap();
        assert_eq!((got.page_size, got.cursor), (7, cursor.as_ptr()));
        assert!(unsafe { options(std::ptr::null::<fivetrex_list_options>(), "options") }.unwrap().is_none());
        // Forgotten size: refused, not read as every default.
        let unset = fivetrex_list_options { struct_size: 0, ..given };
        assert!(matches!(unsafe { options(&unset, "options") }, Err(Error::InvalidArgument(_))));
        // An older, shorter struct: the fields it lacks take their defaults.
        let older = fivetrex_list_options { struct_size: 2 * std::mem::size_of::<usize>(), ..given };
        let got = unsafe { options(&older, "options") }.unwrap().unwrap();
        assert_eq!((got.page_size, got.cursor), (7, std::ptr::null()));
        // A newer, longer struct: accepted when the unknown tail is zero, refused otherwise.
        #[repr(C)]
        struct Newer {
            known: fivetrex_list_options,
            extra: u64,
        }
        let mut newer =
            Newer { known: fivetrex_list_options { struct_size: std::mem::size_of::<Newer>(), ..given }, extra: 0 };
        let got = unsafe { options((&raw const newer).cast::<fivetrex_list_options>(), "options") }.unwrap().unwrap();
        assert_eq!(got.page_size, 7);
        newer.extra = 1;
        assert!(matches!(
            unsafe { options((&raw const newer).cast::<fivetrex_list_options>(), "options") },
            Err(Error::InvalidArgument(_))
        ));
    }
}
