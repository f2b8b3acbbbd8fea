//! The generic call and the generic list: any operation of the API, by method and path, through
//! the same auth, retry, throttle and error handling as the typed functions.

use super::boundary::{
    entry, optional_json, optional_out, optional_text, out, put_answer, put_optional_json, required, text,
};
use super::client::fivetrex_client;
use super::error::fivetrex_error;
use super::list::{fivetrex_list, fivetrex_list_options};
use super::status::fivetrex_status;
use fivetrex_core::transport::Method;
use fivetrex_core::{Error, Result};
use serde::de::IgnoredAny;
use serde_json::Value;
use std::ffi::c_char;

/// Reads a query given as a JSON object: strings as they are, numbers and booleans as their JSON
/// text, an array as the key repeated once per element, null as absent. Keys are sent in sorted
/// order.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn query_pairs(p: *const c_char) -> Result<Vec<(String, String)>> {
    let bad = |why: &str| Error::InvalidArgument(format!("argument `query_json` {why}"));
    // SAFETY: passed on from the caller.
    let map = match unsafe { optional_json(p, "query_json") }? {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(bad("must be a JSON object")),
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (key, value) in map {
        let values = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        for v in values {
            let text = match v {
                Value::Null => continue,
                Value::String(s) => s,
                Value::Bool(_) | Value::Number(_) => v.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(bad(&format!("has a nested value under {key:?}; values must be scalars")))
                }
            };
            pairs.push((key.clone(), text));
        }
    }
    Ok(pairs)
}

fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Sends any request of the API and returns the whole answer.
///
/// `method` is `"GET"`, `"POST"`, `"PATCH"`, `"PUT"` or `"DELETE"` (any case). `path` starts with
/// `/` (`"/v1/account/info"`) and carries no query; path segments are sent as given, so
/// percent-encode ids yourself. `query_json` is NULL or a JSON object (`{"limit": 10,
/// "cursor": "abc"}`; an array value repeats the key; values are percent-encoded). `body_json` is
/// NULL (no body) or any JSON text, sent with `Content-Type: application/json`. POST requests are
/// not repeated after an ambiguous failure; the others are retried under the client's policy.
/// `Accept` is the one of the API operation that `method` and `path` address (the v2 one for the
/// destination operations), `application/json` for a path of no operation.
///
/// On success `*out_json` receives the whole answer as the server wrote it (key order and numbers
/// kept), envelope included (`{"code":"Success","data":{...}}`), or `null` for an empty body. A
/// non-2xx answer is an error status with the details in `*err`.
///
/// Ownership: the strings are borrowed for the call. `out_json` may be NULL to discard the
/// answer; otherwise `*out_json` receives a string freed with `fivetrex_string_free` (NULL on
/// failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_raw_call(
    client: Option<&fivetrex_client>,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body_json: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY (all four): NULL or NUL-terminated, per the header.
        let name = unsafe { text(method, "method") }?;
        let method = Method::parse(name)
            .ok_or_else(|| Error::InvalidArgument(format!("argument `method` {name:?} is not an HTTP method")))?;
        let path = unsafe { text(path, "path") }?;
        let query = unsafe { query_pairs(query_json) }?;
        let body = unsafe { optional_json(body_json, "body_json") }?;
        let answer = client.raw_json(method, path, &borrowed(&query), body.as_ref())?;
        put_answer(slot, answer.as_deref())
    })
}

/// Walks any list path (one whose answer has `data.items` and `data.next_cursor`) item by item,
/// items as the API sent them. `path` and `query_json` as in `fivetrex_raw_call` (`query_json` holds
/// filters; `cursor` and `limit` come from `options`). Nothing is sent until the first
/// `fivetrex_list_next`.
///
/// Ownership: the strings and `options` are copied. `*out_list` receives a list the caller frees
/// with `fivetrex_list_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_raw_list(
    client: Option<&fivetrex_client>,
    path: *const c_char,
    query_json: *const c_char,
    options: *const fivetrex_list_options,
    out_list: Option<&mut *mut fivetrex_list>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_list, "out_list")?;
        let client = &required(client, "client")?.client;
        // SAFETY (all three): NULL or NUL-terminated, per the header.
        let path = unsafe { text(path, "path") }?;
        let query = unsafe { query_pairs(query_json) }?;
        let list = client.raw_list(path, &borrowed(&query))?;
        // Items go to C as sent: scanned once, never built into a `Value` nobody reads.
        unsafe { fivetrex_list::put(slot, list.with_items::<IgnoredAny>(), options) }
    })
}

/// Sends any operation of the table by its operationId (the spec's; `fivetrex::api::operations()`)
/// with its own method, `Accept` header and idempotency, and returns the whole answer.
///
/// `params_json` is NULL or a JSON object: a key naming a path parameter of the operation fills
/// the path (percent-encoded by the library); every other key is a query parameter (an array value
/// repeats the key, null is absent; values are strings, numbers or booleans). `body_json` is NULL
/// (no body) or JSON text sent with `Content-Type: application/json`. A POST that is not marked
/// repeatable is not sent again after an ambiguous failure.
///
/// `confirm`: an operation that needs confirmation (every DELETE, the resyncs, the column drops)
/// is answered `FIVETREX_STATUS_CONFIRMATION_REQUIRED`, before anything is sent, unless `confirm`
/// is the id of its target (the value of its last path parameter; the operationId itself for an
/// operation without path parameters). Other operations ignore `confirm`; pass NULL.
///
/// The multipart uploads go through `fivetrex_operation_upload` (INVALID_ARGUMENT here). A list
/// operation answers its first page; walk it with `fivetrex_operation_list`.
///
/// On success `*out_json` receives the whole answer as the server wrote it (key order and numbers
/// kept), envelope included (`{"code":"Success","data":{...}}`), or `null` for an empty body.
///
/// Ownership: the strings are borrowed for the call. `out_json` may be NULL to discard the
/// answer; otherwise `*out_json` receives a string freed with `fivetrex_string_free` (NULL on
/// failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_operation_call(
    client: Option<&fivetrex_client>,
    operation_id: *const c_char,
    params_json: *const c_char,
    body_json: *const c_char,
    confirm: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY (all four): NULL or NUL-terminated, per the header.
        let id = unsafe { text(operation_id, "operation_id") }?;
        let params = unsafe { optional_json(params_json, "params_json") }?.unwrap_or(Value::Null);
        let body = unsafe { optional_json(body_json, "body_json") }?;
        let confirm = unsafe { optional_text(confirm, "confirm") }?;
        let answer = client.call_by_id_json(id, &params, body.as_ref(), confirm)?;
        put_answer(slot, answer.as_deref())
    })
}

/// Walks any list operation of the table by its operationId, item by item, items as the API
/// sent them (`fivetrex_list_next`, `fivetrex_list_next_page`). `params_json` as in
/// `fivetrex_operation_call`: path parameters fill the path, `limit` is the page size, `cursor` the
/// cursor of the page to start from, every other key a filter sent with every page request. An operation that
/// does not page is INVALID_ARGUMENT. Nothing is sent until the first `fivetrex_list_next`.
///
/// Ownership: the strings are copied. `*out_list` receives a list the caller frees with
/// `fivetrex_list_free` (NULL on failure). `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_operation_list(
    client: Option<&fivetrex_client>,
    operation_id: *const c_char,
    params_json: *const c_char,
    out_list: Option<&mut *mut fivetrex_list>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_list, "out_list")?;
        let client = &required(client, "client")?.client;
        // SAFETY (both): NULL or NUL-terminated, per the header.
        let id = unsafe { text(operation_id, "operation_id") }?;
        let params = unsafe { optional_json(params_json, "params_json") }?.unwrap_or(Value::Null);
        let list = client.list_by_id(id, &params)?;
        unsafe { fivetrex_list::put(slot, list.with_items::<IgnoredAny>(), std::ptr::null()) }
    })
}

/// Sends a file to a multipart operation (`create_connector_sdk_package`,
/// `update_connector_sdk_package`): `bytes` (`len` of them) under the name `file_name`.
/// `params_json` and `confirm` as in `fivetrex_operation_call` (`update_connector_sdk_package`
/// takes `{"package_id": "..."}`). `*out_json` receives `{"code":"Success","data":{...}}` with the
/// package. Any other operation is INVALID_ARGUMENT. A create is not sent again after an
/// ambiguous failure.
///
/// Ownership: the strings and `bytes` are borrowed for the call; `bytes` may be NULL only when
/// `len` is 0. `out_json` may be NULL to discard the answer; otherwise `*out_json` receives a
/// string freed with `fivetrex_string_free` (NULL on failure). `*err` as for every fallible
/// function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_operation_upload(
    client: Option<&fivetrex_client>,
    operation_id: *const c_char,
    params_json: *const c_char,
    file_name: *const c_char,
    bytes: *const u8,
    len: usize,
    confirm: *const c_char,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = optional_out(out_json);
        let client = &required(client, "client")?.client;
        // SAFETY (the strings): NULL or NUL-terminated, per the header.
        let id = unsafe { text(operation_id, "operation_id") }?;
        let params = unsafe { optional_json(params_json, "params_json") }?.unwrap_or(Value::Null);
        let file_name = unsafe { text(file_name, "file_name") }?;
        let confirm = unsafe { optional_text(confirm, "confirm") }?;
        let bytes: &[u8] = match (bytes.is_null(), len) {
            (_, 0) => &[],
            (true, _) => return Err(Error::InvalidArgument("argument `bytes` is NULL but `len` is not 0".into())),
            // SAFETY: the caller guarantees `len` readable bytes at `bytes`.
            (false, n) => unsafe { std::slice::from_raw_parts(bytes, n) },
        };
        let answer = client.upload_by_id(id, &params, file_name, bytes, confirm)?;
        put_optional_json(slot, &answer)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(json: &std::ffi::CStr) -> Result<Vec<(String, String)>> {
        unsafe { query_pairs(json.as_ptr()) }
    }

    #[test]
    fn a_query_object_becomes_pairs() {
        let got = pairs(cr#"{"s":"a b","n":2,"t":true,"tag":["x",1],"skip":null}"#).unwrap();
        // Keys come out sorted (serde_json's map), array elements in order.
        let want = [("n", "2"), ("s", "a b"), ("t", "true"), ("tag", "x"), ("tag", "1")];
        assert_eq!(got, want.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert!(unsafe { query_pairs(std::ptr::null()) }.unwrap().is_empty());
        assert!(pairs(c"null").unwrap().is_empty());
        for bad in [c"[1]", cr#"{"a":{"b":1}}"#, cr#"{"a":[[1]]}"#, c"{"] {
            assert!(matches!(pairs(bad), Err(Error::InvalidArgument(_))), "{bad:?}");
        }
    }
}
