//! Destinations: walk, get, create, update, delete.
//!
//! Create and update take the API's request body as JSON and send it through the same operation
//! as `Client::create_destination` / `Client::update_destination`.

use super::boundary::{entry, object, optional_out, out, required, text};
use super::client::fivetrex_client;
use super::error::fivetrex_error;
use super::list::{fivetrex_list, fivetrex_list_options};
use super::resource::{delete, put_data};
use super::status::fivetrex_status;
use fivetrex_core::api::destinations::Destination;
use serde_json::json;
use serde_json::Value;
use std::ffi::c_char;

/// Walks every destination of the account; each item is a destination object. Nothing is sent
/// until the first `fivetrex_list_next`.
///
/// Ownership: `options` is copied. `*out_list` receives a list the caller frees with
/// `fivetrex_list_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_destination_list(
    client: Option<&fivetrex_client>,
    options: *const fivetrex_list_options,
    out_list: Option<&mut *mut fivetrex_list>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_list, "out_list")?;
        let client = &required(client, "client")?.client;
        // SAFETY: `options` comes from C with the documented contract.
        unsafe { fivetrex_list::put(slot, client.destinations(), options) }
    })
}

/// Fetches one destination; `*out_json` receives the destination object. An unknown id is
/// `FIVETREX_STATUS_NOT_FOUND`.
///
/// Ownership: `destination_id` is borrowed for the call. `*out_json` receives a string the caller
/// frees with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_destination_get(
    client: Option<&fivetrex_client>,
    destination_id: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let id = unsafe { text(destination_id, "destination_id") }?;
        put_data::<Destination>(slot, client, "destination_details", json!({ "destinationId": id }), None)
    })
}

/// Creates a destination. `body_json` is the API's request body, a JSON object sent as given:
/// `{"group_id": "...", "service": "snowflake", "time_zone_offset": "0", "config": {...}}`.
/// `*out_json` receives the new destination object. Not repeated after an ambiguous failure.
///
/// Ownership: `body_json` is borrowed for the call. `*out_json` receives a string the caller
/// frees with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_destination_create(
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
        put_data::<Destination>(slot, client, "create_destination", Value::Null, Some(body))
    })
}

/// Changes a destination. `changes_json` is a JSON object of the fields to change, sent as given.
/// `*out_json` receives the updated destination object.
///
/// Ownership: the strings are borrowed for the call. `*out_json` receives a string the caller
/// frees with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_destination_update(
    client: Option<&fivetrex_client>,
    destination_id: *const c_char,
    changes_json: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY (both): NULL or NUL-terminated, per the header.
        let id = unsafe { text(destination_id, "destination_id") }?;
        let body = unsafe { object(changes_json, "changes_json") }?;
        put_data::<Destination>(slot, client, "modify_destination", json!({ "destinationId": id }), Some(body))
    })
}

/// Deletes a destination: its group's connections are left with nowhere to write.
/// `confirm_destination_id` must repeat `destination_id`, or the call fails with
/// `FIVETREX_STATUS_CONFIRMATION_REQUIRED` before anything is sent.
///
/// Ownership: the strings are borrowed for the call. `out_json` may be NULL; otherwise
/// `*out_json` receives the API's `{"code", "message"}` answer, freed with `fivetrex_string_free`.
/// `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_destination_delete(
    client: Option<&fivetrex_client>,
    destination_id: *const c_char,
    confirm_destination_id: *const c_char,
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
                "delete_destination",
                "destinationId",
                destination_id,
                "destination_id",
                confirm_destination_id,
                "confirm_destination_id",
            )
        }
    })
}
