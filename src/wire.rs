//! The wire format shared by single answers and pages: the `{"code", "message", "data"}` envelope.

use crate::error::{snippet, Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The envelope every answer comes in; only `data` is read on success.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default = "Option::default")]
    pub(crate) data: Option<T>,
}

/// Decodes `bytes` into `T`, naming the field that did not fit on failure. The fast path runs
/// serde_json alone; only a failure pays for the path tracking.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<T> {
    // One UTF-8 check over the whole body, then parsing from `&str`, costs far less than
    // `from_slice`, which checks every key and string value on its own (about 100 instructions
    // each, 15% of a list walk). A body that is not UTF-8 takes the old path and its errors.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    parsed.map_err(|fast| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let message = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
                format!("at {}: {}", e.path(), e.inner())
            }
            _ => fast.to_string(),
        };
        Error::Decode { status, message, snippet: snippet(bytes) }
    })
}

pub(crate) fn append_query(url: &mut String, query: &[(&str, &str)]) {
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for (k, v) in query {
        url.push(sep);
        sep = '&';
        crate::endpoint::encode_component(k, url);
        url.push('=');
        crate::endpoint::encode_component(v, url);
    }
}
