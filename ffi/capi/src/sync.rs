//! Sync and wait: trigger a sync and block until it finishes (`Client::sync_and_wait`), or wait
//! for one already triggered (`Client::wait_for_sync`).

use super::boundary::{entry, millis, optional_out, optional_text, put_optional_json, required, text};
use super::client::{fivetrex_cancel_token, fivetrex_client, UserData};
use super::error::fivetrex_error;
use super::status::fivetrex_status;
use fivetrex_core::sync::{SyncBaseline, SyncOutcome, WaitOptions, WhenRescheduled};
use fivetrex_core::{Error, Result};
use serde_json::json;
use std::ffi::{c_char, c_void, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How a wait ended (when the call itself succeeded). Errors that end a wait (404, 401, ...) are
/// error statuses instead.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum fivetrex_sync_outcome {
    /// `succeeded_at` moved past the baseline.
    Succeeded = 0,
    /// `failed_at` moved past the baseline; see `tasks` in the details.
    Failed = 1,
    /// The overall timeout passed first; the details give the `baseline` to resume with
    /// `fivetrex_connection_wait_for_sync`.
    TimedOut = 2,
    /// The connection is paused: nothing will sync.
    Paused = 3,
    /// The setup is broken: nothing will sync until someone fixes it.
    Broken = 4,
    /// The sync waits for the source's API quota (only with `return_when_rescheduled`); the
    /// details give `until` and the `baseline`.
    Rescheduled = 5,
    /// An outcome this version of the C ABI has no value for; the details' `outcome` names it.
    Other = 100,
}

/// Called after every poll: `poll` counts polls from 1, `elapsed_ms` is the time since the call
/// started, `sync_state` the state read (`"syncing"`, `"scheduled"`, ...; NULL when the poll failed
/// or the API left it out; borrowed for the call only), `status` `FIVETREX_STATUS_OK` or the
/// transient failure the wait goes on after. Runs on the waiting thread, inside the call.
/// What it may call: the callback rule at the top of this header.
pub type fivetrex_progress_callback = Option<
    unsafe extern "C" fn(
        poll: u32,
        elapsed_ms: u64,
        sync_state: *const c_char,
        status: fivetrex_status,
        userdata: *mut c_void,
    ),
>;

/// How to wait. Zero-initialise it and set `struct_size`; zero fields mean the defaults, and NULL options mean every
/// default. The flags are integers (0 off, any other value on), not `bool`: a C `bool` field
/// holding anything but 0 or 1 (a `memset`, a flag word copied in) is undefined behaviour.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fivetrex_wait_options {
    /// `sizeof` this struct, set by the caller (`opts.struct_size = sizeof opts`): it lets later
    /// versions add fields without breaking programs built against this header.
    pub struct_size: usize,
    /// Time between polls, in ms (default 10000).
    pub poll_interval_ms: u64,
    /// Longest overall wait, in ms (default 3600000, one hour).
    pub timeout_ms: u64,
    /// Trigger with `force`: stop a running sync and start a new one.
    pub force: u32,
    /// Resume a paused connection before triggering instead of reporting it as paused.
    pub resume_if_paused: u32,
    /// While the connection is rescheduled (waiting for its source's quota), return
    /// `FIVETREX_SYNC_OUTCOME_RESCHEDULED` at once instead of waiting on.
    pub return_when_rescheduled: u32,
    /// Called after every poll (NULL: none).
    pub on_progress: fivetrex_progress_callback,
    /// Passed to `on_progress` as is.
    pub on_progress_userdata: *mut c_void,
    /// Ends the wait at once with `FIVETREX_STATUS_CANCELLED` when cancelled (NULL: none).
    /// Borrowed for the call: free it only after the call returned.
    pub cancel: *const fivetrex_cancel_token,
}

/// # Safety
/// `o.cancel` is NULL or a live token from `fivetrex_cancel_token_new`.
pub(super) unsafe fn wait_options(o: Option<&fivetrex_wait_options>) -> WaitOptions {
    let mut w = WaitOptions::new();
    let Some(o) = o else { return w };
    // SAFETY: per this function's contract.
    if let Some(token) = unsafe { o.cancel.as_ref() } {
        w = w.cancel(&token.token);
    }
    if let Some(d) = millis(o.poll_interval_ms) {
        w = w.poll_interval(d);
    }
    if let Some(d) = millis(o.timeout_ms) {
        w = w.timeout(d);
    }
    w = w.force(o.force != 0).resume_if_paused(o.resume_if_paused != 0);
    if o.return_when_rescheduled != 0 {
        w = w.when_rescheduled(WhenRescheduled::Return);
    }
    if let Some(callback) = o.on_progress {
        let userdata = UserData(o.on_progress_userdata);
        w = w.on_progress(move |p| {
            let userdata = userdata;
            let state = p.sync_state.and_then(|s| CString::new(s.as_str()).ok());
            let status = p.error.map_or(fivetrex_status::Ok, |e| e.kind().into());
            let elapsed_ms = u64::try_from(p.elapsed.as_millis()).unwrap_or(u64::MAX);
            let state_ptr = state.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
            // SAFETY: the C caller promised a callable function and a matching userdata.
            unsafe { callback(p.poll, elapsed_ms, state_ptr, status, userdata.0) }
        });
    }
    w
}

fn millis_of(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The outcome as a C value and as details JSON.
pub(super) fn describe(outcome: &SyncOutcome) -> (fivetrex_sync_outcome, serde_json::Value) {
    let name = outcome.as_str();
    match outcome {
        SyncOutcome::Succeeded { at, elapsed, connection } => (
            fivetrex_sync_outcome::Succeeded,
            json!({"outcome": name, "at": at, "elapsed_ms": millis_of(*elapsed), "connection": connection}),
        ),
        SyncOutcome::Failed { at, tasks, warnings, elapsed, connection } => (
            fivetrex_sync_outcome::Failed,
            json!({"outcome": name, "at": at, "tasks": tasks, "warnings": warnings,
                   "elapsed_ms": millis_of(*elapsed), "connection": connection}),
        ),
        SyncOutcome::TimedOut { elapsed, baseline, triggered, connection } => (
            fivetrex_sync_outcome::TimedOut,
            json!({"outcome": name, "elapsed_ms": millis_of(*elapsed), "baseline": baseline,
                   "triggered": triggered, "connection": connection}),
        ),
        SyncOutcome::Paused { connection } => {
            (fivetrex_sync_outcome::Paused, json!({"outcome": name, "connection": connection}))
        }
        SyncOutcome::Broken { tasks, warnings, connection } => (
            fivetrex_sync_outcome::Broken,
            json!({"outcome": name, "tasks": tasks, "warnings": warnings, "connection": connection}),
        ),
        SyncOutcome::Rescheduled { until, baseline, connection } => (
            fivetrex_sync_outcome::Rescheduled,
            json!({"outcome": name, "until": until, "baseline": baseline, "connection": connection}),
        ),
        _ => (fivetrex_sync_outcome::Other, json!({"outcome": name})),
    }
}

fn put_outcome(
    outcome: Result<SyncOutcome>,
    resumed: bool,
    out_outcome: &mut fivetrex_sync_outcome,
    out_json: Option<&mut *mut c_char>,
) -> Result<fivetrex_status> {
    let (value, mut details) = describe(&outcome?);
    details["resumed"] = json!(resumed);
    let status = put_optional_json(out_json, &details)?;
    *out_outcome = value;
    Ok(status)
}

/// Triggers a sync of `connection_id` and blocks until a sync that began after the call finishes,
/// or the wait ends for another reason. In order: reads the connection (a broken one is reported
/// at once, a paused one too unless `resume_if_paused`, which leaves it resumed); if a sync is
/// already running and `force` is off, waits for it to end first; takes the baseline
/// (`succeeded_at` and `failed_at`, each compared with its own later value), triggers the sync,
/// then polls every `poll_interval_ms` until a timestamp moves past its baseline or `timeout_ms`
/// passes. A manual-schedule connection that was rescheduled is triggered again once
/// `rescheduled_for` has passed. Transient errors are polled through. `timeout_ms` bounds the
/// whole call (every wait and request is clipped to the time left); `options->cancel` ends it
/// at once with `FIVETREX_STATUS_CANCELLED`.
///
/// Returns `FIVETREX_STATUS_OK` when the wait ended with an outcome (a failed sync included: check
/// `*out_outcome`), or an error status (404, 401, ...). `*out_json`, when `out_json` is not NULL,
/// receives the details: `{"outcome": "succeeded", "at": ..., "elapsed_ms": ..., "connection":
/// {...}}`, with `tasks`/`warnings` for failed and broken, `baseline` (`{"succeeded_at": ...,
/// "failed_at": ...}`, or null) for timed_out and rescheduled, `triggered` for timed_out, `until`
/// for rescheduled, and always `resumed` (true when `resume_if_paused` resumed the connection,
/// which stays resumed: pause it again to undo).
///
/// Ownership: the strings and `options` are borrowed for the call. `*out_outcome` must be
/// writable. `*out_json` receives a string freed with `fivetrex_string_free` (NULL on failure).
/// `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_sync_and_wait(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    options: *const fivetrex_wait_options,
    out_outcome: Option<&mut fivetrex_sync_outcome>,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let out_outcome = required(out_outcome, "out_outcome")?;
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let id = unsafe { text(connection_id, "connection_id") }?;
        // SAFETY: `options` comes from C with the documented contract.
        let options = unsafe { super::boundary::options(options, "options") }?;
        let mut options = unsafe { wait_options(options.as_ref()) };
        // Whether the call resumed a paused connection, seen through the progress hook (chained
        // before the caller's own), for the details.
        let resumed = Arc::new(AtomicBool::new(false));
        let (seen, inner) = (resumed.clone(), options.on_progress.take());
        options = options.on_progress(move |p| {
            if p.resumed {
                seen.store(true, Ordering::Relaxed);
            }
            if let Some(hook) = &inner {
                hook(p);
            }
        });
        let outcome = client.sync_and_wait(id, &options);
        put_outcome(outcome, resumed.load(Ordering::Relaxed), out_outcome, slot)
    })
}

/// Waits for a sync someone already triggered (or resumes a wait that timed out or returned
/// rescheduled): `baseline_json` is `{"succeeded_at": ..., "failed_at": ...}` (RFC 3339 or null
/// each) as read before the trigger (the `baseline` of an earlier outcome), or NULL when the
/// connection never synced. The first
/// poll is immediate. Results as `fivetrex_connection_sync_and_wait`; `force` and `resume_if_paused` are not
/// used.
///
/// Ownership: as `fivetrex_connection_sync_and_wait`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_wait_for_sync(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    baseline_json: *const c_char,
    options: *const fivetrex_wait_options,
    out_outcome: Option<&mut fivetrex_sync_outcome>,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let out_outcome = required(out_outcome, "out_outcome")?;
        let client = &required(client, "client")?.client;
        // SAFETY (both): NULL or NUL-terminated, per the header.
        let id = unsafe { text(connection_id, "connection_id") }?;
        let baseline = match unsafe { optional_text(baseline_json, "baseline_json") }? {
            None => SyncBaseline::default(),
            Some(s) => serde_json::from_str::<SyncBaseline>(s).map_err(|e| {
                Error::InvalidArgument(format!(
                    "argument `baseline_json` must be {{\"succeeded_at\": RFC 3339 or null, \"failed_at\": ...}}: {e}"
                ))
            })?,
        };
        // SAFETY: `options` comes from C with the documented contract.
        let options = unsafe { super::boundary::options(options, "options") }?;
        let options = unsafe { wait_options(options.as_ref()) };
        put_outcome(client.wait_for_sync(id, &baseline, &options), false, out_outcome, slot)
    })
}
