//! Decoders that take what the API sends rather than what the spec promises: a number where a
//! string is expected and the other way round, `null` where a value or a list is expected.
//! They visit the token directly (no intermediate `Value`), so they cost nothing on the fast path.

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
