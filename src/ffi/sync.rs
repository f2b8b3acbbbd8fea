//! Sync and wait: trigger a sync and block until it finishes (`Client::sync_and_wait`), or wait
//! for one already triggered (`Client::wait_for_sync`).

use super::boundary::{entry, millis, optional_out, optional_text, put_optional_json, required, text};
use super::client::{fivetrex_client, UserData};
use super::error::fivetrex_error;
use super::status::fivetrex_status;
use crate::error::{Error, Result};
use crate::sync::{SyncOutcome, WaitOptions, WhenRescheduled};
use crate::time::Timestamp;
use serde_json::json;
use std::ffi::{c_char, c_void, CString};

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
    /// `fivetrex_wait_for_sync`.
    TimedOut = 2,
    /// The connection is paused: nothing will sync.
    Paused = 3,
    /// The setup is broken: nothing will sync until someone fixes it.
    Broken = 4,
    /// The sync waits for the source's API quota (only with `return_when_rescheduled`); the
    /// details give `until` and the `baseline`.
    Rescheduled = 5,
}

/// Called after every poll: `poll` counts polls from 1, `elapsed_ms` is the time since the call
/// started, `sync_state` the state read (`"syncing"`, `"scheduled"`, ...; NULL when the poll failed
/// or the API left it out; borrowed for the call only), `status` `FIVETREX_STATUS_OK` or the
/// transient failure the wait goes on after. Runs on the waiting thread, inside the call; it must
/// not call back into this library.
pub type fivetrex_progress_callback = Option<
    unsafe extern "C" fn(
        poll: u32,
        elapsed_ms: u64,
        sync_state: *const c_char,
        status: fivetrex_status,
        userdata: *mut c_void,
    ),
>;

/// How to wait. Zero-initialise it; zero fields mean the defaults, and NULL options mean every
/// default. The flags are integers (0 off, any other value on), not `bool`: a C `bool` field
/// holding anything but 0 or 1 (a `memset`, a flag word copied in) is undefined behaviour.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fivetrex_wait_options {
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
}

fn wait_options(o: Option<&fivetrex_wait_options>) -> WaitOptions {
    let mut w = WaitOptions::new();
    let Some(o) = o else { return w };
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
fn describe(outcome: &SyncOutcome) -> (fivetrex_sync_outcome, serde_json::Value) {
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
        SyncOutcome::TimedOut { elapsed, baseline, connection } => (
            fivetrex_sync_outcome::TimedOut,
            json!({"outcome": name, "elapsed_ms": millis_of(*elapsed), "baseline": baseline, "connection": connection}),
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
    }
}

fn put_outcome(
    outcome: Result<SyncOutcome>,
    out_outcome: &mut fivetrex_sync_outcome,
    out_json: Option<&mut *mut c_char>,
) -> Result<fivetrex_status> {
    let (value, details) = describe(&outcome?);
    let status = put_optional_json(out_json, &details)?;
    *out_outcome = value;
    Ok(status)
}

/// Triggers a sync of `connection_id` and blocks until it finishes or the wait ends for another
/// reason. In order: reads the connection (a broken one is reported at once, a paused one too
/// unless `resume_if_paused`), takes the baseline `max(succeeded_at, failed_at)`, triggers the
/// sync, then polls every `poll_interval_ms` until a timestamp moves past the baseline or
/// `timeout_ms` passes. Transient errors while polling are retried and then polled through.
///
/// Returns `FIVETREX_STATUS_OK` when the wait ended with an outcome (a failed sync included: check
/// `*out_outcome`), or an error status (404, 401, ...). `*out_json`, when `out_json` is not NULL,
/// receives the details: `{"outcome": "succeeded", "at": ..., "elapsed_ms": ..., "connection":
/// {...}}`, with `tasks`/`warnings` for failed and broken, `baseline` for timed_out and
/// rescheduled, `until` for rescheduled.
///
/// Ownership: the strings and `options` are borrowed for the call. `*out_outcome` must be
/// writable. `*out_json` receives a string freed with `fivetrex_string_free` (NULL on failure).
/// `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_sync_and_wait(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    options: Option<&fivetrex_wait_options>,
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
        put_outcome(client.sync_and_wait(id, &wait_options(options)), out_outcome, slot)
    })
}

/// Waits for a sync someone already triggered (or resumes a wait that timed out or returned
/// rescheduled): `baseline` is the RFC 3339 `max(succeeded_at, failed_at)` read before the trigger
/// (the `baseline` of an earlier outcome), or NULL when the connection never synced. The first
/// poll is immediate. Results as `fivetrex_sync_and_wait`; `force` and `resume_if_paused` are not
/// used.
///
/// Ownership: as `fivetrex_sync_and_wait`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_wait_for_sync(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    baseline: *const c_char,
    options: Option<&fivetrex_wait_options>,
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
        let baseline = match unsafe { optional_text(baseline, "baseline") }? {
            None => None,
            Some(s) => Some(Timestamp::parse(s).ok_or_else(|| {
                Error::InvalidArgument(format!("argument `baseline` {s:?} is not an RFC 3339 timestamp"))
            })?),
        };
        put_outcome(client.wait_for_sync(id, baseline, &wait_options(options)), out_outcome, slot)
    })
}
