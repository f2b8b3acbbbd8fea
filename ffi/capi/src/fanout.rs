//! Many at once: connection details for a list of ids, and sync-and-wait on a list of
//! connections, each on a bounded set of worker threads sharing the client (`FanOut`), with a
//! stop handle another thread can trigger.

use super::boundary::{entry, optional_out, out, put_handle, put_optional_json, required, text};
use super::client::{fivetrex_client, UserData};
use super::error::fivetrex_error;
use super::status::{fivetrex_status, fivetrex_status_name};
use super::sync::{describe, fivetrex_wait_options, wait_options};
use fivetrex_core::fanout::{FanOut, Order, StopHandle};
use fivetrex_core::{Error, Result};
use serde_json::{json, Value};
use std::ffi::{c_char, c_int, c_void, CStr, CString};

/// Stops a fan-out from another thread (`fivetrex_stop_request`): items already started finish,
/// no new one starts, and waits in `fivetrex_connection_sync_and_wait_many` end within two polls. Thread-safe.
pub struct fivetrex_stop {
    handle: StopHandle,
}

/// How to fan out. Zero-initialise it and set `struct_size`; NULL options mean every default.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fivetrex_fanout_options {
    /// `sizeof` this struct, set by the caller (`opts.struct_size = sizeof opts`): it lets later
    /// versions add fields without breaking programs built against this header.
    pub struct_size: usize,
    /// Worker threads, 1..=64 (0: the default, 8).
    pub workers: u32,
    /// Report items as they complete instead of in input order: 0 off, any other value on (an
    /// integer, not `bool`, which is undefined behaviour in C when it holds anything but 0 or 1).
    pub completion_order: u32,
    /// Stop when this handle is stopped (NULL: no stop handle). Borrowed for the call.
    pub stop: *const fivetrex_stop,
}

/// Called on the calling thread for each item as it settles: `index` is its place among the
/// ids, `item_json` the item as in the result array (borrowed for the call only).
/// What it may call: the callback rule at the top of this header.
pub type fivetrex_settled_callback =
    Option<unsafe extern "C" fn(index: usize, item_json: *const c_char, userdata: *mut c_void)>;

/// A new stop handle, not yet stopped.
///
/// Ownership: `*out_stop` receives a handle freed with `fivetrex_stop_free`. `*err` as for every
/// fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_stop_new(
    out_stop: Option<&mut *mut fivetrex_stop>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || Ok(put_handle(out(out_stop, "out_stop")?, fivetrex_stop { handle: StopHandle::new() })))
}

/// Asks every fan-out using `stop` to stop. NULL is a no-op. Safe from any thread while a call
/// that uses the handle runs.
#[no_mangle]
pub extern "C" fn fivetrex_stop_request(stop: Option<&fivetrex_stop>) {
    entry(None, || {
        if let Some(s) = stop {
            s.handle.stop();
        }
        Ok(())
    })
}

/// Releases a stop handle. NULL is a no-op. Not while a call that uses it runs.
#[no_mangle]
pub extern "C" fn fivetrex_stop_free(stop: Option<Box<fivetrex_stop>>) {
    entry(None, || {
        drop(stop);
        Ok(())
    })
}

/// # Safety
/// `o.stop` is NULL or a live handle.
unsafe fn fan(o: *const fivetrex_fanout_options) -> Result<FanOut> {
    let mut f = FanOut::new();
    // SAFETY: per this function's contract.
    let Some(o) = unsafe { super::boundary::options(o, "options") }? else { return Ok(f) };
    f = f.workers(o.workers as usize);
    if o.completion_order != 0 {
        f = f.order(Order::Completed);
    }
    // SAFETY: NULL or a live handle, per the header.
    if let Some(stop) = unsafe { o.stop.as_ref() } {
        f = f.stop_handle(&stop.handle);
    }
    Ok(f)
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn ids(p: *const c_char) -> Result<Vec<String>> {
    // SAFETY: passed on from the caller.
    let text = unsafe { text(p, "ids_json") }?;
    serde_json::from_str(text)
        .map_err(|e| Error::InvalidArgument(format!("argument `ids_json` must be a JSON array of strings ({e})")))
}

/// An error as JSON: `{"status": "NOT_FOUND", "http_status": 404, "message": ..., "api_code": ...}`.
fn error_json(e: &Error) -> Value {
    let status = fivetrex_status::from(e.kind());
    // SAFETY: a static NUL-terminated name.
    let name = unsafe { CStr::from_ptr(fivetrex_status_name(status as c_int)) }.to_string_lossy();
    json!({
        "status": name,
        "http_status": e.status(),
        "message": e.to_string(),
        "api_code": e.api_code(),
        "retry_after_ms": e.retry_after().map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
    })
}

/// Collects the items, calling `on_settled` with each.
struct Collector {
    items: Vec<Value>,
    callback: fivetrex_settled_callback,
    userdata: UserData,
}

impl Collector {
    fn push(&mut self, index: usize, item: Value) {
        if let Some(callback) = self.callback {
            if let Ok(text) = CString::new(item.to_string()) {
                // SAFETY: the C caller promised a callable function and a matching userdata.
                unsafe { callback(index, text.as_ptr(), self.userdata.0) }
            }
        }
        self.items.push(item);
    }
}

/// Fetches the connections whose ids `ids_json` lists (a JSON array of strings) on
/// `options->workers` threads. `*out_json` receives a JSON array with one item per id started (all
/// of them unless stopped), in input order unless `completion_order`: `{"index": 0, "id": "...",
/// "connection": {...}}`, or `{"index": 1, "id": "...", "error": {"status": "NOT_FOUND",
/// "http_status": 404, "message": "...", "api_code": "NotFound_Connector", "retry_after_ms":
/// null}}`. One failing id does not fail the call. `on_settled` (NULL: none) sees each item as it
/// settles. Fetch only what the account-wide `fivetrex_connection_list` does not already tell.
///
/// Ownership: `ids_json`, `options` and the stop handle are borrowed for the call. `out_json` may
/// be NULL; otherwise `*out_json` receives a string freed with `fivetrex_string_free`. `*err` as
/// for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_get_many(
    client: Option<&fivetrex_client>,
    ids_json: *const c_char,
    options: *const fivetrex_fanout_options,
    on_settled: fivetrex_settled_callback,
    userdata: *mut c_void,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY (both): per the header.
        let ids = unsafe { ids(ids_json) }?;
        let fan = unsafe { fan(options) }?;
        let mut c =
            Collector { items: Vec::with_capacity(ids.len()), callback: on_settled, userdata: UserData(userdata) };
        fan.for_each(
            client,
            ids.iter(),
            |id| client.connection(id),
            |s| {
                let item = match &s.result {
                    Ok(conn) => json!({"index": s.index, "id": ids[s.index], "connection": conn}),
                    Err(e) => json!({"index": s.index, "id": ids[s.index], "error": error_json(e)}),
                };
                c.push(s.index, item);
                std::ops::ControlFlow::Continue(())
            },
        );
        put_optional_json(slot, &c.items)
    })
}

/// Triggers a sync of every connection `ids_json` lists (a JSON array of strings) and waits for
/// each, at most `options->workers` at once (`fivetrex_connection_sync_and_wait` per connection, with
/// `wait_options`; its `on_progress` is not used here). `*out_json` receives a JSON array with
/// one item per connection started, in input order unless `completion_order`: the details of
/// `fivetrex_connection_sync_and_wait` plus `index` and `id` (`{"index": 0, "id": "...", "outcome":
/// "succeeded", "at": ..., ...}`), or `{"index", "id", "error": {...}}` as in
/// `fivetrex_connection_get_many`. `on_settled` (NULL: none) sees each as it settles. A stop ends
/// the waits in progress as `timed_out` with their `baseline`.
///
/// Ownership: as `fivetrex_connection_get_many`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_sync_and_wait_many(
    client: Option<&fivetrex_client>,
    ids_json: *const c_char,
    wait: *const fivetrex_wait_options,
    options: *const fivetrex_fanout_options,
    on_settled: fivetrex_settled_callback,
    userdata: *mut c_void,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY (both): per the header.
        let ids = unsafe { ids(ids_json) }?;
        let fan = unsafe { fan(options) }?;
        // The progress callback runs on the waiting thread; here that would be a worker.
        let wait = unsafe { super::boundary::options(wait, "wait") }?
            .map(|w| fivetrex_wait_options { on_progress: None, ..w });
        // SAFETY: `wait.cancel` is NULL or a live token, per this function's contract.
        let wait = unsafe { wait_options(wait.as_ref()) };
        let mut c =
            Collector { items: Vec::with_capacity(ids.len()), callback: on_settled, userdata: UserData(userdata) };
        client.sync_and_wait_many(&ids, &wait, &fan, |s| {
            let mut item = match &s.result {
                Ok(outcome) => describe(outcome).1,
                Err(e) => json!({"error": error_json(e)}),
            };
            item["index"] = json!(s.index);
            item["id"] = json!(s.connection_id);
            c.push(s.index, item);
        });
        put_optional_json(slot, &c.items)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fivetrex_core::emulator::Emulator;
    use std::time::Duration;

    fn take(p: *mut c_char) -> Value {
        // SAFETY: a string this library returned.
        let s = unsafe { CString::from_raw(p) };
        serde_json::from_str(s.to_str().unwrap()).unwrap()
    }

    unsafe extern "C" fn count(index: usize, item: *const c_char, userdata: *mut c_void) {
        let seen = unsafe { &mut *(userdata as *mut Vec<(usize, String)>) };
        seen.push((index, unsafe { CStr::from_ptr(item) }.to_string_lossy().into_owned()));
    }

    #[test]
    fn details_and_sync_many_over_the_c_abi_against_the_emulator() {
        let emu = Emulator::builder().seed(1, 10).sync_duration(Duration::from_millis(40)).start().unwrap();
        let client = fivetrex_client { client: emu.client() };
        let mut ids = emu.connection_ids(&emu.group_ids()[0]);
        ids.insert(1, "missing".into());
        let ids_json = CString::new(serde_json::to_string(&ids).unwrap()).unwrap();
        let opts = fivetrex_fanout_options {
            struct_size: std::mem::size_of::<fivetrex_fanout_options>(),
            workers: 4,
            completion_order: 0,
            stop: std::ptr::null(),
        };
        let mut seen: Vec<(usize, String)> = Vec::new();
        let mut out: *mut c_char = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_connection_get_many(
                Some(&client),
                ids_json.as_ptr(),
                &opts,
                Some(count),
                (&mut seen as *mut Vec<(usize, String)>).cast(),
                Some(&mut out),
                None,
            )
        };
        assert_eq!(status, fivetrex_status::Ok);
        let items = take(out);
        assert_eq!(items.as_array().unwrap().len(), 11);
        assert_eq!(seen.len(), 11);
        for (i, item) in items.as_array().unwrap().iter().enumerate() {
            assert_eq!(item["index"], i);
            assert_eq!(item["id"], ids[i].as_str());
            if i == 1 {
                assert_eq!(item["error"]["status"], "NOT_FOUND");
                assert_eq!(item["error"]["http_status"], 404);
            } else {
                assert_eq!(item["connection"]["id"], ids[i].as_str());
            }
        }

        // Sync and wait on the first three, with a stop handle that is never stopped.
        let mut stop: *mut fivetrex_stop = std::ptr::null_mut();
        assert_eq!(unsafe { fivetrex_stop_new(Some(&mut stop), None) }, fivetrex_status::Ok);
        let opts = fivetrex_fanout_options {
            struct_size: std::mem::size_of::<fivetrex_fanout_options>(),
            workers: 3,
            completion_order: 1,
            stop,
        };
        let three = CString::new(serde_json::to_string(&[&ids[0], &ids[2], &ids[1]]).unwrap()).unwrap();
        let wait = fivetrex_wait_options {
            struct_size: std::mem::size_of::<fivetrex_wait_options>(),
            poll_interval_ms: 20,
            timeout_ms: 10_000,
            force: 0,
            resume_if_paused: 0,
            return_when_rescheduled: 0,
            on_progress: None,
            on_progress_userdata: std::ptr::null_mut(),
            cancel: std::ptr::null(),
        };
        let status = unsafe {
            fivetrex_connection_sync_and_wait_many(
                Some(&client),
                three.as_ptr(),
                &wait,
                &opts,
                None,
                std::ptr::null_mut(),
                Some(&mut out),
                None,
            )
        };
        assert_eq!(status, fivetrex_status::Ok);
        let items = take(out);
        let mut outcomes: Vec<(u64, String)> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let what = i["outcome"].as_str().or(i["error"]["status"].as_str()).unwrap_or("?").to_owned();
                (i["index"].as_u64().unwrap(), what)
            })
            .collect();
        outcomes.sort();
        let want = [(0, "succeeded"), (1, "succeeded"), (2, "NOT_FOUND")].map(|(i, s)| (i, s.to_owned()));
        assert_eq!(outcomes, want);
        fivetrex_stop_request(unsafe { stop.as_ref() });
        fivetrex_stop_free(unsafe { stop.as_mut().map(|s| Box::from_raw(s)) });
        // Not JSON: refused before anything is sent.
        let before = emu.requests().len();
        let status = unsafe {
            fivetrex_connection_get_many(
                Some(&client),
                c"[1,".as_ptr(),
                std::ptr::null(),
                None,
                std::ptr::null_mut(),
                None,
                None,
            )
        };
        assert_eq!(status, fivetrex_status::InvalidArgument);
        assert_eq!(emu.requests().len(), before);
    }
}
