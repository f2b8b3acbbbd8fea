// Shared by the fuzz target and the stable regression test (tests/it/fuzz_regressions.rs).
use fivetrex_ffi::*;
use std::ffi::CString;
use std::ptr;

/// One client for the whole run, pointed at a port nothing listens on, one attempt per call:
/// whatever the arguments, a call ends at once (refused argument or connect error).
fn client() -> Option<&'static fivetrex_client> {
    static CLIENT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let ptr = *CLIENT.get_or_init(|| {
        let options = fivetrex_client_options {
            struct_size: std::mem::size_of::<fivetrex_client_options>(),
            connect_timeout_ms: 200,
            timeout_ms: 500,
            max_attempts: 1,
            retry_base_delay_ms: 1,
            max_retry_after_ms: 1,
            retry_deadline_ms: 1,
            max_requests_per_second: 0.0,
            user_agent: ptr::null(),
            on_retry: None,
            on_retry_userdata: ptr::null_mut(),
        };
        let mut out = ptr::null_mut();
        let status = unsafe {
            fivetrex_client_new(
                c"k".as_ptr(),
                c"s".as_ptr(),
                c"http://127.0.0.1:9".as_ptr(),
                &options,
                Some(&mut out),
                None,
            )
        };
        assert_eq!(status, fivetrex_status::Ok);
        out as usize
    });
    // SAFETY: created above, never freed: it lives for the whole process.
    unsafe { (ptr as *const fivetrex_client).as_ref() }
}

/// Takes back ownership of what the library handed out, for its free functions.
unsafe fn boxed<T>(p: *mut T) -> Option<Box<T>> {
    // SAFETY: `p` came from the library and is released exactly once.
    (!p.is_null()).then(|| unsafe { Box::from_raw(p) })
}

/// Splits the input at NUL bytes into up to four C strings (bytes as given: invalid UTF-8 stays).
fn pieces(data: &[u8]) -> Vec<CString> {
    data.split(|b| *b == 0).take(4).map(|p| CString::new(p).expect("no NUL inside a piece")).collect()
}

/// One fuzz input: the pieces become the method, path, query JSON and body JSON of a generic call,
/// and the JSON arguments of the connection calls. Every call must return a status (never crash,
/// never PANIC) and hand back only what the library's free functions release.
pub fn fuzz_ffi_json(data: &[u8]) {
    let p = pieces(data);
    let arg = |i: usize| p.get(i).map_or(ptr::null(), |s| s.as_ptr());
    let c = client();
    let check = |status: fivetrex_status, out: *mut std::os::raw::c_char, err: *mut fivetrex_error| {
        assert_ne!(status, fivetrex_status::Panic);
        unsafe {
            fivetrex_string_free(out);
            fivetrex_error_free(boxed(err));
        }
    };
    unsafe {
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let s = fivetrex_raw_call(c, arg(0), arg(1), arg(2), arg(3), Some(&mut out), Some(&mut err));
        check(s, out, err);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let s = fivetrex_connection_create(c, arg(0), Some(&mut out), Some(&mut err));
        check(s, out, err);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let s = fivetrex_connection_resync(c, arg(1), arg(2), arg(3), Some(&mut out), Some(&mut err));
        check(s, out, err);
        let (mut list, mut err) = (ptr::null_mut(), ptr::null_mut());
        let s = fivetrex_raw_list(c, arg(1), arg(2), std::ptr::null(), Some(&mut list), Some(&mut err));
        assert_ne!(s, fivetrex_status::Panic);
        fivetrex_error_free(boxed(err));
        fivetrex_list_free(boxed(list));
    }
}
