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
