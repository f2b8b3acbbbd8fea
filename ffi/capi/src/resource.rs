//! The one path the typed resource functions (get, create, update of groups, connections and
//! destinations) share: the public operation entry ([`Client::call_by_id`]), with its checks, and
//! the answer's `data` handed to C after it was checked to decode as the model.

use super::boundary::{optional_text, put_json, put_optional_json, text};
use super::status::fivetrex_status;
use fivetrex_core::Client;
use fivetrex_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::ffi::c_char;

/// The deletes of every family: `id` fills the operation's one path parameter `param`, and
/// `confirm` (NULL allowed) must repeat it, by the operation entry's confirmation rule, before
/// anything is sent. The API's `{"code", "message"}` answer goes to `slot` when given.
///
/// # Safety
/// `id` and `confirm` are NULL or NUL-terminated strings.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn delete(
    slot: Option<&mut *mut c_char>,
    client: &Client,
    operation_id: &str,
    param: &str,
    id: *const c_char,
    id_name: &str,
    confirm: *const c_char,
    confirm_name: &str,
) -> Result<fivetrex_status> {
    // SAFETY (both): per this function's contract.
    let id = unsafe { text(id, id_name) }?;
    let confirm = unsafe { optional_text(confirm, confirm_name) }?;
    let answer = client.call_by_id(operation_id, &serde_json::json!({ param: id }), None, confirm)?;
    put_optional_json(slot, &answer)
}

/// Sends `operation_id` (`params`, `body`) and writes the answer's `data` to `slot`, once it
/// decodes as `T` (a shape a Rust caller would refuse is refused here too).
pub(crate) fn put_data<T: DeserializeOwned>(
    slot: &mut *mut c_char,
    client: &Client,
    operation_id: &str,
    params: Value,
    body: Option<Value>,
) -> Result<fivetrex_status> {
    let mut answer = client.call_by_id(operation_id, &params, body.as_ref(), None)?;
    let data = answer.get_mut("data").map(Value::take).unwrap_or(Value::Null);
    T::deserialize(&data).map_err(|e| Error::Decode {
        status: 200,
        message: format!("{operation_id}: {e}"),
        snippet: String::new(),
    })?;
    put_json(slot, &data)
}
