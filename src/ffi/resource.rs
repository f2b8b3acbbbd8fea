//! The one path the typed resource functions (get, create, update of groups, connections and
//! destinations) share: the public operation entry ([`Client::call_by_id`]), with its checks, and
//! the answer's `data` handed to C after it was checked to decode as the model.

use super::boundary::put_json;
use super::status::fivetrex_status;
use crate::error::{Error, Result};
use crate::Client;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::ffi::c_char;

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
