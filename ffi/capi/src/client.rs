//! The client handle: construction from arguments or the environment, options, the retry
//! callback.

use super::boundary::{entry, millis, optional_text, out, put_handle, required, text};
use super::error::fivetrex_error;
use super::status::fivetrex_status;
use fivetrex_core::cancel::CancelToken;
use fivetrex_core::retry::RetryPolicy;
use fivetrex_core::Result;
use fivetrex_core::{Client, ClientBuilder};
use std::ffi::{c_char, c_void};

/// A Fivetran API client: credentials, connection pool, retry policy and the shared 429 pause.
///
/// Thread safety: one handle may be used by any number of threads at once (every function takes
/// it as `const fivetrex_client *`); they share the connection pool and the pause a 429 opens.
/// Free it once, after every call using it has returned. Lists made from it keep their own
/// reference, so they stay usable after the client is freed.
pub struct fivetrex_client {
    pub(crate) client: Client,
}

/// Called before each retry: `attempt` is the attempt that failed (1 for the first), `delay_ms`
/// the wait before the next one, `status` the failure's status, `userdata` the pointer given in
/// the options. It runs on the thread that made the request, inside that call, possibly on
/// several threads at once when the client is shared. What it may call: the callback rule at the top of this header.
pub type fivetrex_retry_callback =
    Option<unsafe extern "C" fn(attempt: u32, delay_ms: u64, status: fivetrex_status, userdata: *mut c_void)>;

/// Client options. Zero-initialise it, set `struct_size` (`fivetrex_client_options opts =
/// {.struct_size = sizeof opts};`) and what you need: a zero or NULL field means the library's
/// default.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fivetrex_client_options {
    /// `sizeof` this struct, set by the caller (`opts.struct_size = sizeof opts`): it lets later
    /// versions add fields without breaking programs built against this header.
    pub struct_size: usize,
    /// Time allowed to open a connection, in ms (default 10000).
    pub connect_timeout_ms: u64,
    /// Time allowed for one whole request, body included, in ms (default 60000). Retries each get
    /// it anew.
    pub timeout_ms: u64,
    /// Attempts in all, first included (default 5; 1 turns retries off).
    pub max_attempts: u32,
    /// The first backoff wait in ms, doubling per retry (default 500).
    pub retry_base_delay_ms: u64,
    /// The longest `Retry-After` that is waited for, in ms (default 60000); a 429 asking for more
    /// is returned as `FIVETREX_STATUS_RATE_LIMITED` at once.
    pub max_retry_after_ms: u64,
    /// No retry starts once this much time has passed since the first attempt, in ms (default
    /// 300000).
    pub retry_deadline_ms: u64,
    /// At most this many requests per second leave the client (default: no limit).
    pub max_requests_per_second: f64,
    /// The `User-Agent` (default `fivetrex/<version>`). Copied; may be freed after the call.
    pub user_agent: *const c_char,
    /// Called before each retry (NULL: none).
    pub on_retry: fivetrex_retry_callback,
    /// Passed to `on_retry` as is. Must stay valid as long as the client (and its lists) live.
    pub on_retry_userdata: *mut c_void,
}

/// The caller's pointer, handed back to its callback. The header makes the caller responsible for
/// its thread safety, so it may cross threads with the client.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: only passed back to the C callback, whose documentation requires it to be thread-safe.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

/// Applies the options to a builder.
///
/// # Safety
/// `opts` is NULL or an options struct whose `user_agent` is NULL or a NUL-terminated string.
unsafe fn configure(mut builder: ClientBuilder, opts: *const fivetrex_client_options) -> Result<ClientBuilder> {
    // SAFETY: guaranteed by the caller.
    let Some(o) = unsafe { super::boundary::options(opts, "options") }? else { return Ok(builder) };
    if let Some(d) = millis(o.connect_timeout_ms) {
        builder = builder.connect_timeout(d);
    }
    if let Some(d) = millis(o.timeout_ms) {
        builder = builder.timeout(d);
    }
    let mut policy = RetryPolicy::default();
    if o.max_attempts != 0 {
        policy = policy.with_max_attempts(o.max_attempts);
    }
    if let Some(d) = millis(o.retry_base_delay_ms) {
        let max = policy.max_delay.max(d);
        policy = policy.with_backoff(d, max);
    }
    if let Some(d) = millis(o.max_retry_after_ms) {
        policy = policy.with_max_retry_after(d);
    }
    if let Some(d) = millis(o.retry_deadline_ms) {
        policy = policy.with_deadline(Some(d));
    }
    builder = builder.retry_policy(policy);
    if o.max_requests_per_second > 0.0 {
        builder = builder.max_requests_per_second(o.max_requests_per_second);
    }
    // SAFETY: guaranteed by the caller.
    if let Some(ua) = unsafe { optional_text(o.user_agent, "options.user_agent") }? {
        builder = builder.user_agent(ua);
    }
    if let Some(callback) = o.on_retry {
        let userdata = UserData(o.on_retry_userdata);
        builder = builder.on_retry(move |event| {
            let userdata = userdata;
            let delay_ms = u64::try_from(event.delay.as_millis()).unwrap_or(u64::MAX);
            // SAFETY: the C caller promised a callable function and a matching userdata.
            unsafe { callback(event.attempt, delay_ms, event.error.kind().into(), userdata.0) }
        });
    }
    Ok(builder)
}

/// Creates a client from an API key and secret.
///
/// `base_url` may be NULL (`https://api.fivetran.com`); plain `http://` is accepted for loopback
/// hosts only. `options` may be NULL (every default). Fails with `FIVETREX_STATUS_CONFIG` for an
/// empty key or secret or a bad URL; nothing is sent.
///
/// Ownership: the strings and `options` are copied and may be freed after the call. On success
/// `*out_client` receives a client the caller frees with `fivetrex_client_free`; on failure
/// `*out_client` is NULL. `*err` (if `err` is not NULL) receives an error to free with `fivetrex_error_free`, or NULL.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_client_new(
    api_key: *const c_char,
    api_secret: *const c_char,
    base_url: *const c_char,
    options: *const fivetrex_client_options,
    out_client: Option<&mut *mut fivetrex_client>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_client, "out_client")?;
        // SAFETY (all three): NULL or NUL-terminated, per the header.
        let key = unsafe { text(api_key, "api_key") }?;
        let secret = unsafe { text(api_secret, "api_secret") }?;
        let mut builder = Client::builder().api_key(key).api_secret(secret);
        if let Some(url) = unsafe { optional_text(base_url, "base_url") }? {
            builder = builder.base_url(url);
        }
        // SAFETY: `options` comes from C with the same contract.
        let client = unsafe { configure(builder, options) }?.build()?;
        Ok(put_handle(slot, fivetrex_client { client }))
    })
}

/// Creates a client from `FIVETRAN_API_KEY`, `FIVETRAN_API_SECRET` and, if set,
/// `FIVETRAN_BASE_URL`. `options` may be NULL. Fails with `FIVETREX_STATUS_CONFIG` when the key or
/// secret is missing.
///
/// Ownership: as `fivetrex_client_new`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_client_from_env(
    options: *const fivetrex_client_options,
    out_client: Option<&mut *mut fivetrex_client>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_client, "out_client")?;
        // SAFETY: `options` comes from C with the documented contract.
        let client = unsafe { configure(Client::builder().from_env(), options) }?.build()?;
        Ok(put_handle(slot, fivetrex_client { client }))
    })
}

/// Frees a client. NULL is a no-op. Lists made from it remain usable.
///
/// Ownership: takes `client`, which must come from this library, not have been freed, and not
/// be in use by another thread.
#[no_mangle]
pub extern "C" fn fivetrex_client_free(client: Option<Box<fivetrex_client>>) {
    entry(None, || {
        drop(client);
        Ok(())
    })
}

/// A cancellation token: `fivetrex_cancel_token_cancel` (from any thread) ends every blocking call
/// watching it at once with `FIVETREX_STATUS_CANCELLED`: waits wake, no new request starts (a
/// request already on the wire ends with its answer or its timeout). Watched by
/// `fivetrex_wait_options.cancel` and by every call made through a client from
/// `fivetrex_client_with_cancel`.
pub struct fivetrex_cancel_token {
    pub(crate) token: CancelToken,
}

/// A new token, not cancelled. Never NULL.
///
/// Ownership: free it with `fivetrex_cancel_token_free` after every call watching it returned.
#[no_mangle]
pub extern "C" fn fivetrex_cancel_token_new() -> *mut fivetrex_cancel_token {
    Box::into_raw(Box::new(fivetrex_cancel_token { token: CancelToken::new() }))
}

/// Cancels the token. Safe from any thread, any number of times. NULL is a no-op.
///
/// Ownership: `token` is borrowed for the call.
#[no_mangle]
pub extern "C" fn fivetrex_cancel_token_cancel(token: Option<&fivetrex_cancel_token>) {
    entry(None, || {
        if let Some(t) = token {
            t.token.cancel();
        }
        Ok(())
    })
}

/// Whether the token was cancelled. NULL reads as false.
///
/// Ownership: `token` is borrowed for the call.
#[no_mangle]
pub extern "C" fn fivetrex_cancel_token_is_cancelled(token: Option<&fivetrex_cancel_token>) -> bool {
    token.is_some_and(|t| t.token.is_cancelled())
}

/// Frees a token. NULL is a no-op. Clients from `fivetrex_client_with_cancel` keep their own
/// reference, so freeing the token does not affect them.
///
/// Ownership: takes `token`, which must come from `fivetrex_cancel_token_new`, not have been freed,
/// and not be in use by a call in progress.
#[no_mangle]
pub extern "C" fn fivetrex_cancel_token_free(token: Option<Box<fivetrex_cancel_token>>) {
    entry(None, || {
        drop(token);
        Ok(())
    })
}

/// A client handle sharing `client`'s pool, policy and pause window whose calls, lists and waits
/// watch `token`: once it is cancelled they fail with `FIVETREX_STATUS_CANCELLED` without
/// starting another request.
///
/// Ownership: `client` and `token` are borrowed for the call. `*out_client` receives a handle freed
/// with `fivetrex_client_free`. `*err` as for every fallible function.
#[no_mangle]
pub extern "C" fn fivetrex_client_with_cancel(
    client: Option<&fivetrex_client>,
    token: Option<&fivetrex_cancel_token>,
    out_client: Option<&mut *mut fivetrex_client>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_client, "out_client")?;
        let client = &required(client, "client")?.client;
        let token = &required(token, "token")?.token;
        Ok(put_handle(slot, fivetrex_client { client: client.with_cancel(token) }))
    })
}
