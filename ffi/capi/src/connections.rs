//! Connections: walk, get, create, update, delete, sync and resync.
//!
//! Create and update take the API's request body as JSON and send it through the same operation
//! as `Client::create_connection` / `Client::update_connection` (same path, `Accept` and retry
//! rules), so a C caller can set any field the API knows; the answer is decoded into the Rust
//! model and serialised back.

use super::boundary::{entry, object, optional_json, optional_out, optional_text, out};
use super::boundary::{put_optional_json, required, text};
use super::client::fivetrex_client;
use super::error::fivetrex_error;
use super::list::{fivetrex_list, fivetrex_list_options};
use super::resource::{delete, put_data};
use super::status::fivetrex_status;
use fivetrex_core::api::connections::{Connection, ResyncScope, TableSelection};
use fivetrex_core::Confirm;
use fivetrex_core::{Error, Result};
use serde_json::json;
use serde_json::Value;
use std::ffi::c_char;

/// Walks every connection of the account, or of one group when `group_id` is not NULL (the one
/// way to list a group's connections); each item is a connection object. Nothing is sent until the first `fivetrex_list_next`.
///
/// Ownership: `group_id` and `options` are copied. `*out_list` receives a list the caller frees
/// with `fivetrex_list_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_list(
    client: Option<&fivetrex_client>,
    group_id: *const c_char,
    options: *const fivetrex_list_options,
    out_list: Option<&mut *mut fivetrex_list>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_list, "out_list")?;
        let client = &required(client, "client")?.client;
        let mut list = client.connections();
        // SAFETY: NULL or NUL-terminated, per the header; `options` per its contract.
        if let Some(group) = unsafe { optional_text(group_id, "group_id") }? {
            list = list.group_id(group);
        }
        unsafe { fivetrex_list::put(slot, list, options) }
    })
}

/// Fetches one connection; `*out_json` receives the connection object (with `status`, `config`
/// with secrets masked by the API, ...). An unknown id is `FIVETREX_STATUS_NOT_FOUND`.
///
/// Ownership: `connection_id` is borrowed for the call. `*out_json` receives a string the caller
/// frees with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_get(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let id = unsafe { text(connection_id, "connection_id") }?;
        put_data::<Connection>(slot, client, "connection_details", json!({ "connectionId": id }), None)
    })
}

/// Creates a connection. `body_json` is the API's request body, a JSON object sent as given:
/// `{"group_id": "...", "service": "postgres", "config": {...}, "paused": true, ...}`.
/// `*out_json` receives the new connection object. Not repeated after an ambiguous failure.
///
/// Ownership: `body_json` is borrowed for the call. `*out_json` receives a string the caller
/// frees with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_create(
    client: Option<&fivetrex_client>,
    body_json: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let body = unsafe { object(body_json, "body_json") }?;
        put_data::<Connection>(slot, client, "create_connection", Value::Null, Some(body))
    })
}

/// Changes a connection. `changes_json` is a JSON object of the fields to change, sent as given
/// (`{"paused": true}`, `{"sync_frequency": 60}`, ...). `*out_json` receives the updated
/// connection object.
///
/// Ownership: the strings are borrowed for the call. `*out_json` receives a string the caller
/// frees with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_update(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    changes_json: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY (both): NULL or NUL-terminated, per the header.
        let id = unsafe { text(connection_id, "connection_id") }?;
        let body = unsafe { object(changes_json, "changes_json") }?;
        put_data::<Connection>(slot, client, "modify_connection", json!({ "connectionId": id }), Some(body))
    })
}

/// Deletes a connection (the data already in the destination stays; its configuration and state
/// do not). `confirm_connection_id` must repeat `connection_id`, as stated by the user of the host
/// program (never filled in by a wrapper), or the call fails with
/// `FIVETREX_STATUS_CONFIRMATION_REQUIRED` before anything is sent.
///
/// Ownership: the strings are borrowed for the call. `out_json` may be NULL; otherwise
/// `*out_json` receives the API's `{"code", "message"}` answer, freed with `fivetrex_string_free`.
/// `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_delete(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    confirm_connection_id: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        unsafe {
            delete(
                slot,
                client,
                "delete_connection",
                "connectionId",
                connection_id,
                "connection_id",
                confirm_connection_id,
                "confirm_connection_id",
            )
        }
    })
}

/// Triggers a sync and returns at once (see `fivetrex_connection_sync_and_wait` to wait for it). `force`
/// stops a running sync and starts a new one.
///
/// Ownership: as `fivetrex_connection_delete`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_sync(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    force: u32,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let id = unsafe { text(connection_id, "connection_id") }?;
        put_optional_json(slot, &client.sync_with(id, force != 0)?)
    })
}

/// Reads `{"schema": ["table", ...], ...}` into a table selection.
fn tables(v: Value) -> Result<TableSelection> {
    let bad = || Error::InvalidArgument("argument `tables_json` must be {\"schema\": [\"table\", ...], ...}".into());
    let Value::Object(map) = v else { return Err(bad()) };
    map.into_iter().try_fold(TableSelection::new(), |selection, (schema, list)| {
        let Value::Array(items) = list else { return Err(bad()) };
        let names =
            items.into_iter().map(|t| t.as_str().map(str::to_owned).ok_or_else(bad)).collect::<Result<Vec<_>>>()?;
        Ok(selection.tables(schema, names))
    })
}

/// Starts a historical resync. With `tables_json` (`{"schema": ["table", ...]}`) those tables'
/// history is dropped and re-read; with `tables_json` NULL ALL of the connection's history is.
/// Either way `confirm_connection_id` must repeat `connection_id`, as stated by the user of the
/// host program (never filled in by a wrapper), or the call fails with `FIVETREX_STATUS_CONFIRMATION_REQUIRED` before anything
/// is sent. The API answers `FIVETREX_STATUS_CONFLICT` while a sync runs. Never repeated after an
/// ambiguous failure.
///
/// Ownership: the strings are borrowed for the call. `out_json` may be NULL; otherwise
/// `*out_json` receives the API's `{"code", "message"}` answer, freed with `fivetrex_string_free`.
/// `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_connection_resync(
    client: Option<&fivetrex_client>,
    connection_id: *const c_char,
    tables_json: *const c_char,
    confirm_connection_id: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY (all three): NULL or NUL-terminated, per the header.
        let id = unsafe { text(connection_id, "connection_id") }?;
        let confirm = unsafe { optional_text(confirm_connection_id, "confirm_connection_id") }?.unwrap_or("");
        let scope = match unsafe { optional_json(tables_json, "tables_json") }? {
            Some(selection) => ResyncScope::tables(tables(selection)?, Confirm::resync_tables(confirm)),
            None => ResyncScope::everything(Confirm::full_resync(confirm)),
        };
        put_optional_json(slot, &client.resync(id, &scope)?)
    })
}
