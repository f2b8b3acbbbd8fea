//! Any operation of the table by its operationId, with its parameters as one JSON object and the
//! same safety valves as the typed calls.
//!
//! This is the generic entry the C ABI (`fivetrex_operation_call`, `fivetrex_operation_list`,
//! `fivetrex_operation_upload`) and the Go and Elixir packages build on, and Rust users can use
//! it directly:
//!
//! - the operation is named by the spec's operationId ([`crate::api::operations`]);
//! - `params` is a JSON object (or null): a key naming a path parameter of the operation fills the
//!   path (percent-encoded), every other key is a query parameter (an array value repeats the key,
//!   null is absent);
//! - each operation is sent with its own method, `Accept` and idempotency
//!   ([`Client::call_operation`], [`Client::list_operation`]);
//! - an operation that destroys what the call cannot recreate ([`needs_confirmation`]: every
//!   DELETE, the resyncs, the column drops) is refused with [`Error::ConfirmationRequired`] before
//!   anything is sent unless `confirm` names its target ([`confirmation_target`]).
//!
//! ```no_run
//! # let client = fivetrex::Client::new("k", "s")?;
//! use serde_json::json;
//! let answer = client.call_by_id("connection_details", &json!({"connectionId": "c1"}), None, None)?;
//! println!("{}", answer["data"]["service"]);
//! client.call_by_id("delete_group", &json!({"groupId": "g1"}), None, Some("g1"))?;
//! for item in client.list_by_id("list_connections", &json!({"group_id": "g1"}))? {
//!     println!("{}", item?["id"]);
//! }
//! # Ok::<(), fivetrex::Error>(())
//! ```

use crate::endpoint::{Operation, Paging};
use crate::error::{Error, Result};
use crate::page::List;
use crate::transport::Method;
use crate::Client;
use serde_json::{Map, Value};

/// Whether `op` needs a confirmation naming its target: every DELETE, the resyncs (connection and
/// tables) and the column drops.
///
/// ```
/// let needs = |id| fivetrex::operation_call::needs_confirmation(fivetrex::api::operation(id).unwrap());
/// assert!(needs("delete_group") && needs("resync_tables") && needs("delete_multiple_columns_connection_config"));
/// assert!(!needs("group_details") && !needs("sync_connection"));
/// ```
pub fn needs_confirmation(op: &Operation) -> bool {
    op.method == Method::Delete || op.path.split('/').any(|segment| matches!(segment, "resync" | "drop-columns"))
}

/// What the confirmation of `op` must say: the value of its last path parameter (the id of the
/// target), or the operationId itself for an operation without path parameters
/// (`delete_account_log_service`).
pub fn confirmation_target<'a>(op: &'a Operation, path_values: &'a [String]) -> &'a str {
    path_values.last().map_or(op.id, String::as_str)
}

/// Refuses a destructive operation whose `confirm` is missing or names another target.
/// Operations that need no confirmation ignore `confirm`.
pub fn check_confirmation(op: &Operation, path_values: &[String], confirm: Option<&str>) -> Result<()> {
    if !needs_confirmation(op) {
        return Ok(());
    }
    let target = confirmation_target(op, path_values);
    match confirm {
        Some(given) if given == target => Ok(()),
        Some(given) => Err(Error::ConfirmationRequired(format!(
            "{} of {target:?} needs the confirmation {target:?}; got {given:?}",
            op.id
        ))),
        None => Err(Error::ConfirmationRequired(format!(
            "{} of {target:?} is destructive: pass the confirmation {target:?}",
            op.id
        ))),
    }
}

pub(crate) use crate::api::common::required::check_body;
pub use crate::api::common::required::required_body_fields;
pub use crate::raw_call::operation_at;

/// The operation with this operationId, or [`Error::InvalidArgument`].
pub fn find(operation_id: &str) -> Result<&'static Operation> {
    crate::api::operation(operation_id)
        .ok_or_else(|| Error::InvalidArgument(format!("no operation has the operationId {operation_id:?}")))
}

/// An operation's parameters split into path values (in template order) and query pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// The path parameters' values, in the order of [`Operation::path_params`].
    pub path: Vec<String>,
    /// The query parameters, keys in sorted order, an array's elements in order.
    pub query: Vec<(String, String)>,
}

impl Params {
    /// Splits `params` (a JSON object or null) for `op`. Values are strings, numbers or booleans
    /// (sent as their JSON text); a query value may also be an array of those (the key repeated)
    /// or null (absent). A missing, null, empty or non-scalar path parameter is
    /// [`Error::InvalidArgument`].
    pub fn split(op: &Operation, params: &Value) -> Result<Params> {
        let empty = Map::new();
        let map = match params {
            Value::Null => &empty,
            Value::Object(map) => map,
            _ => return Err(Error::InvalidArgument(format!("{}: params must be a JSON object", op.id))),
        };
        let mut path = Vec::new();
        for name in op.path_params() {
            let value = match map.get(name) {
                None | Some(Value::Null) => None,
                Some(v) => scalar(v),
            };
            match value {
                Some(v) if !v.is_empty() => path.push(v),
                Some(_) => return Err(Error::InvalidArgument(format!("{}: path parameter {name} is empty", op.id))),
                None if map.get(name).is_some_and(|v| !v.is_null()) => {
                    return Err(Error::InvalidArgument(format!(
                        "{}: path parameter {name} must be a string or a number",
                        op.id
                    )))
                }
                None => return Err(Error::InvalidArgument(format!("{}: missing path parameter {name}", op.id))),
            }
        }
        let mut query = Vec::new();
        for (key, value) in map {
            if op.path_params().any(|name| name == key) {
                continue;
            }
            let values = match value {
                Value::Array(items) => items.as_slice(),
                one => std::slice::from_ref(one),
            };
            for v in values {
                if v.is_null() {
                    continue;
                }
                let text = scalar(v).ok_or_else(|| {
                    Error::InvalidArgument(format!("{}: query parameter {key:?} has a nested value", op.id))
                })?;
                query.push((key.clone(), text));
            }
        }
        Ok(Params { path, query })
    }

    fn path_refs(&self) -> Vec<&str> {
        self.path.iter().map(String::as_str).collect()
    }

    fn query_refs(&self) -> Vec<(&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        _ => None,
    }
}

impl Client {
    /// Sends the operation `operation_id` (see the [module](crate::operation_call)) and returns
    /// the whole answer, envelope included (`Value::Null` for an empty body). A destructive
    /// operation needs `confirm` equal to its target ([`confirmation_target`]); nothing is sent
    /// otherwise. A list operation answers its first page (use [`Client::list_by_id`] to walk).
    pub fn call_by_id(
        &self,
        operation_id: &str,
        params: &Value,
        body: Option<&Value>,
        confirm: Option<&str>,
    ) -> Result<Value> {
        Ok(self.call_by_id_into(operation_id, params, body, confirm)?.unwrap_or(Value::Null))
    }

    /// [`Client::call_by_id`] with the answer as the server wrote it: its JSON text, checked to
    /// be JSON but neither reordered nor rounded (`None` for an empty body). For callers that
    /// pass the answer on, such as the C ABI.
    pub fn call_by_id_json(
        &self,
        operation_id: &str,
        params: &Value,
        body: Option<&Value>,
        confirm: Option<&str>,
    ) -> Result<Option<Box<serde_json::value::RawValue>>> {
        self.call_by_id_into(operation_id, params, body, confirm)
    }

    fn call_by_id_into<T: serde::de::DeserializeOwned>(
        &self,
        operation_id: &str,
        params: &Value,
        body: Option<&Value>,
        confirm: Option<&str>,
    ) -> Result<Option<T>> {
        let op = find(operation_id)?;
        let params = Params::split(op, params)?;
        check_confirmation(op, &params.path, confirm)?;
        check_body(op, body)?;
        if is_upload(op) {
            return Err(Error::InvalidArgument(format!("{}: sends a file (multipart); use upload_by_id", op.id)));
        }
        self.call_operation_into(op, &params.path_refs(), &params.query_refs(), body)
    }

    /// A lazy walk over the list operation `operation_id`, items as JSON; `params` as for
    /// [`Client::call_by_id`]: `limit` is the page size ([`List::page_size`]), `cursor` the page
    /// to start from ([`List::resume_from`]), every other query key a filter sent with every page
    /// request. Nothing is sent until the first item is asked for. An operation that does not page is
    /// [`Error::InvalidArgument`].
    pub fn list_by_id(&self, operation_id: &str, params: &Value) -> Result<List<Value>> {
        let op = find(operation_id)?;
        if op.paging == Paging::None {
            return Err(Error::InvalidArgument(format!("{}: is not a list operation", op.id)));
        }
        let params = Params::split(op, params)?;
        let mut list = self.list_operation(op, &params.path_refs());
        for (k, v) in &params.query {
            list =
                match k.as_str() {
                    "limit" => list.page_size(v.parse().map_err(|_| {
                        Error::InvalidArgument(format!("{}: limit must be a page size, got {v:?}", op.id))
                    })?),
                    "cursor" => list.resume_from(v.as_str()),
                    _ => list.query(k, v),
                };
        }
        Ok(list)
    }

    /// Sends a file to one of the multipart operations (`create_connector_sdk_package`,
    /// `update_connector_sdk_package`) through the typed calls
    /// ([`Client::create_connector_sdk_package`], [`Client::update_connector_sdk_package`]) and
    /// returns `{"code":"Success","data":<the package>}`. `params` as for
    /// [`Client::call_by_id`]; `confirm` is checked the same way (neither upload needs one
    /// today). Not retried after an ambiguous failure when the operation is a POST.
    pub fn upload_by_id(
        &self,
        operation_id: &str,
        params: &Value,
        file_name: &str,
        bytes: &[u8],
        confirm: Option<&str>,
    ) -> Result<Value> {
        use crate::api::sdk_packages::{CREATE_CONNECTOR_SDK_PACKAGE, UPDATE_CONNECTOR_SDK_PACKAGE};
        let op = find(operation_id)?;
        let params = Params::split(op, params)?;
        check_confirmation(op, &params.path, confirm)?;
        if !params.query.is_empty() {
            return Err(Error::InvalidArgument(format!("{}: takes no query parameters", op.id)));
        }
        let package = if op.id == CREATE_CONNECTOR_SDK_PACKAGE.id {
            self.create_connector_sdk_package(file_name, bytes)?
        } else if op.id == UPDATE_CONNECTOR_SDK_PACKAGE.id {
            self.update_connector_sdk_package(&params.path[0], file_name, bytes)?
        } else {
            return Err(Error::InvalidArgument(format!("{}: does not take a file upload", op.id)));
        };
        let data = serde_json::to_value(package).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        Ok(serde_json::json!({ "code": "Success", "data": data }))
    }
}

/// The operations whose body is a file (multipart/form-data), reached through
/// [`Client::upload_by_id`].
pub fn is_upload(op: &Operation) -> bool {
    use crate::api::sdk_packages::{CREATE_CONNECTOR_SDK_PACKAGE, UPDATE_CONNECTOR_SDK_PACKAGE};
    op.id == CREATE_CONNECTOR_SDK_PACKAGE.id || op.id == UPDATE_CONNECTOR_SDK_PACKAGE.id
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_split_into_path_and_query() {
        let op = find("list_connections").unwrap();
        let p = Params::split(op, &json!({"group_id": "g", "n": 2, "tag": ["x", true], "skip": null})).unwrap();
        assert!(p.path.is_empty());
        let want = [("group_id", "g"), ("n", "2"), ("tag", "x"), ("tag", "true")];
        assert_eq!(p.query, want.map(|(k, v)| (k.to_owned(), v.to_owned())));

        let op = find("connection_details").unwrap();
        let p = Params::split(op, &json!({"connectionId": "a/b", "x": 1})).unwrap();
        assert_eq!(p.path, ["a/b"]);
        assert_eq!(p.query, [("x".to_owned(), "1".to_owned())]);
        for bad in [json!({}), json!({"connectionId": ""}), json!({"connectionId": {}}), json!([1]), json!(null)] {
            assert!(matches!(Params::split(op, &bad), Err(Error::InvalidArgument(_))), "{bad}");
        }
        assert!(Params::split(op, &json!({"connectionId": "c", "q": {"a": 1}})).is_err());
    }

    #[test]
    fn destructive_operations_need_their_target() {
        let ids: Vec<&str> = crate::api::operations().filter(|op| needs_confirmation(op)).map(|op| op.id).collect();
        for id in
            ["delete_connection", "resync_connection", "resync_tables", "delete_multiple_columns_connection_config"]
        {
            assert!(ids.contains(&id), "{id}");
        }
        for id in ["sync_connection", "create_group", "modify_connection", "list_all_groups"] {
            assert!(!ids.contains(&id), "{id}");
        }
        let op = find("delete_column_connection_config").unwrap();
        let path = ["c".to_owned(), "s".to_owned(), "col".to_owned()];
        assert!(check_confirmation(op, &path, Some("col")).is_ok());
        for confirm in [None, Some("c"), Some("")] {
            assert!(matches!(check_confirmation(op, &path, confirm), Err(Error::ConfirmationRequired(_))));
        }
        let op = find("delete_account_log_service").unwrap();
        assert!(check_confirmation(op, &[], Some("delete_account_log_service")).is_ok());
        assert!(check_confirmation(find("group_details").unwrap(), &[], None).is_ok());
        assert!(matches!(find("nope"), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn creates_need_their_fields() {
        let op = find("create_connection").unwrap();
        assert!(check_body(op, Some(&json!({"group_id": "g", "service": "s", "x": 1}))).is_ok());
        for bad in
            [None, Some(json!([])), Some(json!({"group_id": "g"})), Some(json!({"group_id": "", "service": "s"}))]
        {
            assert!(matches!(check_body(op, bad.as_ref()), Err(Error::InvalidArgument(_))), "{bad:?}");
        }
        assert!(check_body(find("modify_connection").unwrap(), None).is_ok());
    }
}
