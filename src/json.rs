//! JSON kept as it came: service-specific objects (`config`, `auth`, ...) that differ for each of
//! Fivetran's hundreds of services are not modelled. [`RawJson`] holds the bytes unparsed until a
//! caller asks, which is also what makes walking large lists cheap, and it masks secrets in `Debug`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

/// Field names whose values are masked in `Debug` output (compared case-insensitively, as
/// substrings of the key).
const SECRET_KEYS: &[&str] = &[
    "password",
    "secret",
    "token",
    "private_key",
    "api_key",
    "apikey",
    "access_key",
    "credential",
    "passphrase",
    "client_key",
    "auth",
];

/// True when a JSON key names a value that must not be shown.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| k.contains(s))
}

/// A JSON value kept as raw text; parse it on demand with [`RawJson::parse`] or
/// [`RawJson::to_value`].
///
/// ```
/// let raw = fivetrex::RawJson::from_value(&serde_json::json!({"host": "db", "password": "hunter2"})).unwrap();
/// assert_eq!(raw.to_value().unwrap()["host"], "db");
/// assert!(!format!("{raw:?}").contains("hunter2"));
/// ```
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The raw JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// Parses into a `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::from_str(self.0.get())
    }

    /// Parses into any deserialisable type.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.0.get())
    }

    /// Serialises a value.
    pub fn from_value<T: Serialize>(v: &T) -> serde_json::Result<Self> {
        Ok(RawJson(serde_json::value::to_raw_value(v)?))
    }

    /// A copy with secret-looking fields replaced by `"***"`, for display.
    pub fn redacted(&self) -> Value {
        self.to_value()
            .map(|mut v| {
                redact(&mut v);
                v
            })
            .unwrap_or(Value::Null)
    }
}

/// Replaces the values of secret-looking keys, at any depth, by `"***"`.
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_key(k) && !val.is_null() {
                    *val = Value::String("***".into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Masks, in JSON text, the value of every `"key": value` whose key [`is_secret_key`], as
/// [`redact`] does for a parsed value (`null` stays). It works on text that is not whole JSON
/// (a body cut at the snippet limit, a proxy's page with JSON inside): a value cut off by the end
/// of the text is masked to the end, so not even a prefix of a secret shows.
pub(crate) fn redact_text(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let key_end = string_end(b, i);
        let colon = skip_ws(b, key_end);
        if key_end > i + 1 && colon < b.len() && b[colon] == b':' && is_secret_key(&text[i + 1..key_end - 1]) {
            let start = skip_ws(b, colon + 1);
            let end = value_end(b, start);
            if start < b.len() && !text[start..end].starts_with("null") {
                out.push_str(&text[copied..start]);
                out.push_str("\"***\"");
                copied = end;
            }
            i = end.max(key_end);
        } else {
            i = key_end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The index just past the string starting at `b[start] == '"'`, or the end of the text.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The index just past the value starting at `start`: a string, an object or array (brackets
/// counted outside strings), or a scalar up to the next delimiter; the end of the text if cut.
fn value_end(b: &[u8], start: usize) -> usize {
    match b.get(start) {
        None => start,
        Some(b'"') => string_end(b, start),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = string_end(b, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            b.len()
        }
        Some(_) => {
            let mut i = start;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']') && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            i
        }
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawJson)
    }
}

/// A JSON value to send that masks secrets in `Debug` (request bodies with `config` or `auth`).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretJson(pub Value);

impl fmt::Debug for SecretJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = self.0.clone();
        redact(&mut v);
        write!(f, "{v}")
    }
}

impl From<Value> for SecretJson {
    fn from(v: Value) -> Self {
        SecretJson(v)
    }
}

#[cfg(test)]
mod tests {
    use super::redact_text;

    #[test]
    fn redact_text_masks_secret_values_of_every_kind_and_keeps_the_rest() {
        let cases = [
            (r#"{"user":"u","password":"p4ss"}"#, r#"{"user":"u","password":"***"}"#),
            (r#"{"config": {"api_key" : 12345, "port": 5432}}"#, r#"{"config": {"api_key" : "***", "port": 5432}}"#),
            (r#"{"auth":{"refresh":"r","x":[1,"}"]},"id":"c"}"#, r#"{"auth":"***","id":"c"}"#),
            (r#"{"token":null,"secret":"a\"b","n":"password"}"#, r#"{"token":null,"secret":"***","n":"password"}"#),
            // Cut by a snippet limit: inside the value, inside the key, before the value.
            (r#"{"a":1,"password":"pg-pass"#, r#"{"a":1,"password":"***""#),
            (r#"{"client_secret":{"k":"v""#, r#"{"client_secret":"***""#),
            (r#"{"passw"#, r#"{"passw"#),
            (r#"{"password": "#, r#"{"password": "#),
            ("<html>password: hunter2</html>", "<html>password: hunter2</html>"),
            ("", ""),
            (r#"{"Ünïcode":"ü","PASSWORD":"ü"}"#, r#"{"Ünïcode":"ü","PASSWORD":"***"}"#),
        ];
        for (text, want) in cases {
            assert_eq!(redact_text(text), want, "{text}");
        }
    }
}
