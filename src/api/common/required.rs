//! The body fields a create needs, one list for the typed creates and the operation entry
//! ([`crate::operation_call`]), so both refuse the same bodies with the same message.

use crate::endpoint::Operation;
use crate::error::{Error, Result};
use serde_json::Value;

/// The body fields a create needs (non-empty strings), checked before anything is sent: by
/// [`Client::call_by_id`](crate::Client::call_by_id) on the caller's JSON, and by the typed
/// creates ([`create_connection`](crate::Client::create_connection),
/// [`create_destination`](crate::Client::create_destination),
/// [`create_group`](crate::Client::create_group)) on the body they serialised.
pub fn required_body_fields(op: &Operation) -> &'static [&'static str] {
    match op.id {
        "create_connection" => &["group_id", "service"],
        "create_destination" => &["group_id", "service", "time_zone_offset"],
        "create_group" => &["name"],
        _ => &[],
    }
}

/// [`required_body_fields`] checked on a serialised body (a typed create's).
pub(crate) fn check_body_bytes(op: &Operation, body: &[u8]) -> Result<()> {
    if required_body_fields(op).is_empty() {
        return Ok(());
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| Error::InvalidArgument(format!("{}: {e}", op.id)))?;
    check_body(op, Some(&value))
}

/// [`required_body_fields`] checked on a JSON body; a create needs an object.
pub(crate) fn check_body(op: &Operation, body: Option<&Value>) -> Result<()> {
    let required = required_body_fields(op);
    if required.is_empty() {
        return Ok(());
    }
    let Some(Value::Object(map)) = body else {
        return Err(Error::InvalidArgument(format!("{}: the body must be a JSON object", op.id)));
    };
    for field in required {
        if map.get(*field).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(Error::InvalidArgument(format!("{}: the body needs a non-empty string {field}", op.id)));
        }
    }
    Ok(())
}
