//! The one path the typed resource functions (get, create, update of groups, connections and
//! destinations) share: the public operation entry ([`Client::call_by_id`]), with its checks, and
//! the answer's `data` handed to C after it was checked to decode as the model.

use super::boundary::{optional_text, put_answer, text};
use super::status::fivetrex_status;
use fivetrex_core::Client;
use fivetrex_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
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
    let answer = client.call_by_id_json(operation_id, &serde_json::json!({ param: id }), None, confirm)?;
    put_answer(slot, answer.as_deref())
}

/// Sends `operation_id` (`params`, `body`) and writes the answer's `data` to `slot` as the server
/// wrote it (key order and numbers kept), once it decodes as `T` (a shape a Rust caller would
/// refuse is refused here too).
pub(crate) fn put_data<T: DeserializeOwned>(
    slot: &mut *mut c_char,
    client: &Client,
    operation_id: &str,
    params: Value,
    body: Option<Value>,
) -> Result<fivetrex_status> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: Option<&'a RawValue>,
    }
    let decode_error = |e: serde_json::Error| Error::Decode {
        status: 200,
        message: format!("{operation_id}: {e}"),
        snippet: String::new(),
    };
    let answer = client.call_by_id_json(operation_id, &params, body.as_ref(), None)?;
    let data = match &answer {
        Some(answer) => serde_json::from_str::<Envelope<'_>>(answer.get()).map_err(decode_error)?.data,
        None => None,
    };
    let text = data.map_or("null", RawValue::get);
    serde_json::from_str::<T>(text).map_err(decode_error)?;
    put_answer(Some(slot), data)
}

#[cfg(test)]
mod tests {
    use crate::{
        fivetrex_client_free, fivetrex_client_new, fivetrex_group_create, fivetrex_group_get, fivetrex_operation_call,
        fivetrex_raw_call, fivetrex_status, fivetrex_string_free,
    };
    use httpmock::prelude::*;
    use std::ffi::{c_char, CStr, CString};

    /// Keys in no sorted order, spacing, a number beyond 64 bits and one with a long fraction:
    /// what a parse-and-write-back would reorder or round.
    const GROUP: &str = r#"{"name":"Zeta","id":"g_1",  "created_at":"2024-01-02T03:04:05.123456Z","big":123456789012345678901234567890,"ratio":0.10000000000000000555}"#;

    fn text_of(status: fivetrex_status, out: *mut c_char) -> String {
        assert_eq!(status, fivetrex_status::Ok);
        assert!(!out.is_null());
        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        unsafe { fivetrex_string_free(out) };
        text
    }

    #[test]
    fn single_answers_reach_c_as_the_server_wrote_them() {
        let server = MockServer::start();
        let answer = format!(r#"{{"code":"Success","data":{GROUP}}}"#);
        let mock = server.mock(|when, then| {
            when.method(GET).path("/v1/groups/g_1");
            then.status(200).header("content-type", "application/json").body(&answer);
        });
        let create = server.mock(|when, then| {
            when.method(POST).path("/v1/groups").json_body(serde_json::json!({"name": "Zeta"}));
            then.status(201).header("content-type", "application/json").body(&answer);
        });
        let (key, secret, base) = (c"key", c"secret", CString::new(server.base_url()).unwrap());
        let mut client = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_client_new(key.as_ptr(), secret.as_ptr(), base.as_ptr(), std::ptr::null(), Some(&mut client), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        let client_ref = unsafe { client.as_ref() };

        let mut out = std::ptr::null_mut();
        let status = unsafe { fivetrex_group_create(client_ref, c"Zeta".as_ptr(), Some(&mut out), None) };
        assert_eq!(text_of(status, out), GROUP, "the typed create hands out `data` unchanged");
        create.assert_calls(1);

        let mut out = std::ptr::null_mut();
        let status = unsafe { fivetrex_group_get(client_ref, c"g_1".as_ptr(), Some(&mut out), None) };
        assert_eq!(text_of(status, out), GROUP, "the typed get hands out `data` unchanged");

        let mut out = std::ptr::null_mut();
        let params = cr#"{"groupId":"g_1"}"#;
        let status = unsafe {
            fivetrex_operation_call(
                client_ref,
                c"group_details".as_ptr(),
                params.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                Some(&mut out),
                None,
            )
        };
        assert_eq!(text_of(status, out), answer, "the operation entry hands out the whole answer unchanged");

        let mut out = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_raw_call(
                client_ref,
                c"GET".as_ptr(),
                c"/v1/groups/g_1".as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                Some(&mut out),
                None,
            )
        };
        assert_eq!(text_of(status, out), answer, "the raw call hands out the whole answer unchanged");
        mock.assert_calls(3);
        fivetrex_client_free(unsafe { client.as_mut().map(|c| Box::from_raw(c)) });
    }
}
