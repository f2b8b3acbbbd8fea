//! Groups: walk, get, create, update, delete, and the connections of a group.

use super::boundary::{entry, optional_out, out, put_json, required, text};
use super::client::fivetrex_client;
use super::error::fivetrex_error;
use super::list::{fivetrex_list, fivetrex_list_options};
use super::resource::{delete, put_data};
use super::status::fivetrex_status;
use fivetrex_core::api::groups::UpdateGroup;
use serde_json::json;
use std::ffi::c_char;

/// Walks every group of the account; each item is a group object (`{"id", "name",
/// "created_at"}`). Nothing is sent until the first `fivetrex_list_next`.
///
/// Ownership: `options` is copied. `*out_list` receives a list the caller frees with
/// `fivetrex_list_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_group_list(
    client: Option<&fivetrex_client>,
    options: *const fivetrex_list_options,
    out_list: Option<&mut *mut fivetrex_list>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_list, "out_list")?;
        let client = &required(client, "client")?.client;
        // SAFETY: `options` comes from C with the documented contract.
        unsafe { fivetrex_list::put(slot, client.groups(), options) }
    })
}

/// Fetches one group; `*out_json` receives the group object. An unknown id is
/// `FIVETREX_STATUS_NOT_FOUND`.
///
/// Ownership: `group_id` is borrowed for the call. `*out_json` receives a string the caller frees
/// with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_group_get(
    client: Option<&fivetrex_client>,
    group_id: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let id = unsafe { text(group_id, "group_id") }?;
        put_data::<fivetrex_core::Group>(slot, client, "group_details", json!({ "groupId": id }), None)
    })
}

/// Creates a group named `name`; `*out_json` receives the new group object. Not repeated after an
/// ambiguous failure (a duplicate group is worse than an error).
///
/// Ownership: as `fivetrex_group_get`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_group_create(
    client: Option<&fivetrex_client>,
    name: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        let name = unsafe { text(name, "name") }?;
        put_json(slot, &client.create_group(name)?)
    })
}

/// Renames a group; `*out_json` receives the updated group object.
///
/// Ownership: as `fivetrex_group_get`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_group_update(
    client: Option<&fivetrex_client>,
    group_id: *const c_char,
    name: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let client = &required(client, "client")?.client;
        // SAFETY (both): NULL or NUL-terminated, per the header.
        let id = unsafe { text(group_id, "group_id") }?;
        let name = unsafe { text(name, "name") }?;
        put_json(slot, &client.update_group(id, &UpdateGroup::new().name(name))?)
    })
}

/// Deletes a group with everything in it. `confirm_group_id` must repeat `group_id`, or the call
/// fails with `FIVETREX_STATUS_CONFIRMATION_REQUIRED` before anything is sent.
///
/// Ownership: the strings are borrowed for the call. `out_json` may be NULL; otherwise
/// `*out_json` receives the API's `{"code", "message"}` answer, freed with `fivetrex_string_free`.
/// `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_group_delete(
    client: Option<&fivetrex_client>,
    group_id: *const c_char,
    confirm_group_id: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY: NULL or NUL-terminated, per the header.
        unsafe {
            delete(slot, client, "delete_group", "groupId", group_id, "group_id", confirm_group_id, "confirm_group_id")
        }
    })
}
