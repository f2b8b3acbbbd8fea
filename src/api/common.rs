//! Pieces several resource families share: memberships (of users and teams, in groups and
//! connections), setup-test results and alerts, the lenient decoders the models use, and the
//! `api_enum!` declaration of API enums that keep unknown values.

use crate::json::RawJson;
use crate::secret::Secret;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Declares an API enum: known values as variants, anything else kept in `Unknown(String)`.
/// Decoding ignores case; encoding writes the wire form given here (or the unknown text as it came).
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        ///
        /// Decoding ignores case and keeps values this version does not know in `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, as the API sent it.
            Unknown(String),
        }

        impl $name {
            /// The wire form.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s,
                }
            }

            /// Reads the wire form, ignoring case; anything else becomes `Unknown`.
            pub fn parse(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($wire) { return Self::$variant; })+
                Self::Unknown(s.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                $crate::api::common::lenient::text(d, $name::parse)
            }
        }
    };
}
pub(crate) use api_enum;

/// Builder setters for request bodies whose fields are all `Option`s (create and update bodies).
macro_rules! setters {
    ($ty:ty { $($(#[$doc:meta])* $name:ident: $arg:ty => $conv:expr;)* }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: $arg) -> Self {
                    self.$name = Some(($conv)(value));
                    self
                }
            )*
        }
    };
}
pub(crate) use setters;

api_enum! {
    /// `status.setup_state` of a connection, and `setup_status` of a destination.
    SetupState {
        /// The setup config is incomplete; the setup tests never succeeded.
        Incomplete = "incomplete",
        /// Properly set up.
        Connected = "connected",
        /// The setup config is broken.
        Broken = "broken",
    }
}

api_enum! {
    /// `networking_method`: how Fivetran reaches the source or destination.
    NetworkingMethod {
        /// Directly over the internet.
        Directly = "Directly",
        /// Through an SSH tunnel.
        SshTunnel = "SshTunnel",
        /// Through a private link.
        PrivateLink = "PrivateLink",
        /// Through a Fivetran proxy agent.
        ProxyAgent = "ProxyAgent",
        /// Through a proxy agent Fivetran does not manage.
        UnmanagedProxyAgent = "UnmanagedProxyAgent",
    }
}

/// Decoders that take what the API sends rather than what the spec promises: a number where a
/// string is expected and the other way round, `null` where a value or a list is expected.
/// They visit the token directly (no intermediate `Value`), so they cost nothing on the fast path.
pub(crate) mod lenient {
    use serde::de::{self, Deserialize, Deserializer, Visitor};
    use std::fmt;

    /// One scalar token as text (`None` for null).
    struct Text;

    impl<'de> Visitor<'de> for Text {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number, a boolean or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // serde_json hands an integer beyond 64 bits over as the nearest float: its digits
            // are gone, and text made of that float would name another resource. From 2^53 on
            // a float no longer holds every integer, so such a number is refused, never rounded.
            if v.abs() >= 9_007_199_254_740_992.0 {
                return Err(E::custom(format_args!(
                    "the number {v:e} is too large to keep exactly as text (send it as a string)"
                )));
            }
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Text)
        }
    }

    /// A string field that may arrive as a number or boolean; null is the empty string.
    pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(d.deserialize_any(Text)?.unwrap_or_default())
    }

    /// An optional string field that may arrive as a number or boolean.
    pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(Text)
    }

    /// A scalar read as text and mapped without allocating for known values (the enums).
    pub(crate) fn text<'de, D: Deserializer<'de>, T>(d: D, map: fn(&str) -> T) -> Result<T, D::Error> {
        struct Mapped<T>(fn(&str) -> T);
        impl<'de, T> Visitor<'de> for Mapped<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
                Ok((self.0)(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
                Ok((self.0)(&v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
                Ok((self.0)(&v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
                Ok((self.0)(&v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
                Ok((self.0)(&v.to_string()))
            }
        }
        d.deserialize_any(Mapped(map))
    }

    /// An integer field that may arrive as a numeric string (`"360"`) or an integral float. Text
    /// that is not a number, or a number out of range, becomes `None` (with a warning in the
    /// log) rather than failing the whole answer.
    pub(crate) fn opt_int<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
        struct Int;
        impl<'de> Visitor<'de> for Int {
            type Value = Option<i64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, a numeric string or null")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).ok())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok((v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                match t.parse::<i64>() {
                    Ok(n) => Ok(Some(n)),
                    Err(_) => match t.parse::<f64>() {
                        Ok(f) => self.visit_f64(f),
                        Err(_) => {
                            log::warn!("expected an integer, got {v:?}; ignoring it");
                            Ok(None)
                        }
                    },
                }
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Some(i64::from(v)))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(Int)
            }
        }
        Ok(d.deserialize_any(Int)?.and_then(|n| T::try_from(n).ok()))
    }

    /// A boolean that may arrive as `"true"`/`"false"` or 0/1; null is false.
    pub(crate) fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(opt_bool(d)?.unwrap_or(false))
    }

    /// An optional boolean that may arrive as `"true"`/`"false"` or 0/1.
    pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        struct B;
        impl<'de> Visitor<'de> for B {
            type Value = Option<bool>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Some(v != 0))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Some(v != 0))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match v.trim() {
                    s if s.eq_ignore_ascii_case("true") || s == "1" => Ok(Some(true)),
                    s if s.eq_ignore_ascii_case("false") || s == "0" => Ok(Some(false)),
                    "" => Ok(None),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(B)
            }
        }
        d.deserialize_any(B)
    }

    /// A field where `null` means the default (an empty list, an empty status).
    pub(crate) fn null_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }

    /// An optional list of strings that the spec sometimes documents as an object (`{}`): a
    /// list, null, or an object (its string values) are all accepted.
    pub(crate) fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        use serde_json::Value;
        let text = |v: Value| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(de::Error::custom(format!("expected a string in the list, got {other}"))),
        };
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Array(items) => items.into_iter().map(text).collect::<Result<_, _>>().map(Some),
            Value::Object(map) => map.into_iter().map(|(_, v)| text(v)).collect::<Result<_, _>>().map(Some),
            other => Err(de::Error::custom(format!("expected a list of strings, got {other}"))),
        }
    }
}

/// `#[serde(default, with = "crate::api::common::opt_secret")]` for an `Option<Secret>` the API
/// sends (a new key's secret, an agent token): serialising exposes it, `Debug` never does.
pub(crate) mod opt_secret {
    use crate::secret::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secret) => s.serialize_some(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()).map(Secret::new))
    }
}

/// The same for a required `Secret` (an empty one when absent).
pub(crate) mod secret {
    use crate::secret::Secret;
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Secret, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(Secret::new(super::lenient::string(d)?))
    }
}

/// Serialises a `Secret` the caller is sending (a webhook's signing secret).
pub(crate) fn expose_opt<S: serde::Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    opt_secret::serialize(v, s)
}

/// A membership: a user's or a team's role in one group or one connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Membership {
    /// The group or connection id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// The role there (`Manage Destination`, `View Connection`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub role: String,
    /// When the membership was made.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}

/// `{"id": ..., "role": ...}`: a membership to add.
#[derive(Serialize)]
pub(crate) struct MembershipRequest<'a> {
    pub id: &'a str,
    pub role: &'a str,
}

/// `{"role": ...}`: a membership's new role.
#[derive(Serialize)]
pub(crate) struct RoleRequest<'a> {
    pub role: &'a str,
}

api_enum! {
    /// The result of one setup test.
    SetupTestStatus {
        /// Passed.
        Passed = "PASSED",
        /// Skipped.
        Skipped = "SKIPPED",
        /// Passed with a warning.
        Warning = "WARNING",
        /// Failed.
        Failed = "FAILED",
        /// The test job itself failed.
        JobFailed = "JOB_FAILED",
    }
}

/// A task or warning the API attaches to a resource (`{code, message, details}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Alert {
    /// A machine-readable code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: String,
    /// A human-readable message.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub message: Option<String>,
    /// More context, as sent (a string in the spec, sometimes an object on the wire).
    #[serde(default)]
    pub details: Option<RawJson>,
}

impl Alert {
    /// `details` as text: the string itself when it is a JSON string, else the raw JSON.
    pub fn details_text(&self) -> Option<String> {
        let raw = self.details.as_ref()?;
        match raw.parse::<String>() {
            Ok(s) => Some(s),
            Err(_) if raw.as_str() == "null" => None,
            Err(_) => Some(raw.as_str().to_owned()),
        }
    }
}

/// The result of one setup test (of a connection, destination, log service, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetupTest {
    /// What was tested.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// How it went.
    #[serde(default)]
    pub status: Option<SetupTestStatus>,
    /// Why, when it did not pass.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub message: Option<String>,
    /// More diagnostics, unparsed.
    #[serde(default)]
    pub details: Option<RawJson>,
}

/// `{"setup_tests": [...]}`: what a setup-test endpoint answers.
#[derive(Deserialize)]
pub(crate) struct SetupTestsAnswer {
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub setup_tests: Vec<SetupTest>,
}

/// An empty JSON object, the body of actions that take no parameters (some endpoints refuse a
/// POST without a body).
pub(crate) const EMPTY_BODY: &[u8] = b"{}";

/// Options of a setup test run. The API wants a body even when nothing is set: the default sends
/// `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SetupTests {
    /// Trust the TLS certificates the test meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_certificates: Option<bool>,
    /// Trust the SSH fingerprints the test meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_fingerprints: Option<bool>,
}

impl SetupTests {
    /// Nothing set: sends `{}`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `trust_certificates`.
    pub fn trust_certificates(mut self, trust: bool) -> Self {
        self.trust_certificates = Some(trust);
        self
    }

    /// Sets `trust_fingerprints`.
    pub fn trust_fingerprints(mut self, trust: bool) -> Self {
        self.trust_fingerprints = Some(trust);
        self
    }
}
