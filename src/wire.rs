//! The wire format: the `{"code", "message", "data"}` envelope of single answers, errors and
//! pages, page decoding, query encoding, and the rule for empty answers ([`answer`]).

use crate::error::{snippet, Error, Result};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::VecDeque;
use std::fmt;

/// The envelope every answer comes in; only `data` is read on success.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default = "Option::default")]
    pub(crate) data: Option<T>,
}

/// The same envelope as an error answer reads it: `code` and `message` (whatever their JSON
/// type), no `data`.
#[derive(Deserialize)]
struct ErrorEnvelope {
    code: Option<serde_json::Value>,
    message: Option<serde_json::Value>,
}

/// The error for a non-2xx answer: its status, the envelope's `code` and `message` as text when
/// the body is such an envelope, and the start of the raw body.
pub(crate) fn api_error(status: u16, body: &[u8]) -> crate::error::ApiError {
    let (code, message) = match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(env) => (env.code.map(value_text), env.message.map(value_text)),
        Err(_) => (None, None),
    };
    crate::error::ApiError { status, code, message, body_snippet: snippet(body) }
}

fn value_text(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Whether a 2xx body is empty (or only whitespace): the API answers some actions with a 204 or
/// an empty 200. This is the one rule for such answers, and where each entry point applies it:
///
/// - [`answer`] (so `Client::raw`, `Client::call_operation` and their `_json` forms, and with
///   them the C ABI): no answer, `None` (`Value::Null` for the `Value` forms);
/// - `Client::action`: no answer becomes `ActionResponse { code: "Success", message: None }`,
///   as the API would have said it;
/// - the certificate calls that may echo what they stored: no answer, `None`;
/// - `Client::call` and page decoding ([`decode_page`]) need `data`, so they do not apply the
///   rule: an empty body is a decode error there, worded by the JSON parser.
pub(crate) fn is_empty(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// The whole answer decoded as `T`, or `None` for an empty body ([`is_empty`]).
pub(crate) fn answer<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<Option<T>> {
    if is_empty(body) {
        return Ok(None);
    }
    decode(status, body).map(Some)
}

/// Decodes `bytes` into `T`, naming the field that did not fit on failure. The fast path runs
/// serde_json alone; only a failure pays for the path tracking.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<T> {
    // One UTF-8 check over the whole body, then parsing from `&str`, costs far less than
    // `from_slice`, which checks every key and string value on its own. A body that is not
    // UTF-8 goes to `from_slice`, which reports where the bad bytes are (or skips them where
    // they are ignored).
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

#[derive(Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct WirePage<T> {
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    items: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> std::result::Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Decodes a list answer into `items` (emptied first, its capacity kept) and returns the next
/// cursor (`None` on the last page). A page of more than `limit` items is refused without
/// building them (a decode error naming the count).
///
/// The fast path reads `{"data": {"items": [...], "next_cursor": ...}}` straight into the
/// buffer, so a walk reuses one allocation for every page instead of growing a new vector of
/// models, doubling after doubling, on each. Whatever it does not accept (bad JSON, a field of the
/// wrong type, duplicate keys) is decoded again by the derived `WirePage`, which decides the
/// outcome and words the error (with the path of the field at fault); that path counts the
/// items first without keeping them, so it cannot be used to get past the limit.
pub(crate) fn decode_page<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    limit: usize,
    items: &mut VecDeque<T>,
) -> Result<Option<String>> {
    items.clear();
    let too_many = |count: usize| Error::Decode {
        status,
        message: format!("the page holds {count} items, more than the {limit} asked for"),
        snippet: crate::error::snippet(body),
    };
    if let Ok(text) = std::str::from_utf8(body) {
        let mut de = serde_json::Deserializer::from_str(text);
        let mut over = None;
        let seed = WireSeed { items: &mut *items, limit, over: &mut over };
        if let Ok(Some(next)) = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v)) {
            return Ok(next.filter(|c| !c.is_empty()));
        }
        items.clear();
        items.shrink_to(limit);
        if let Some(count) = over {
            return Err(too_many(count));
        }
    }
    // Counted first with items that take no memory (a vector of a zero-sized type allocates
    // nothing), so a page over the limit is refused before any item is built.
    let counted: Envelope<WirePage<IgnoredAny>> = decode(status, body)?;
    if let Some(data) = &counted.data {
        if data.items.len() > limit {
            return Err(too_many(data.items.len()));
        }
    }
    let wire: Envelope<WirePage<T>> = decode(status, body)?;
    let data = wire.data.ok_or_else(|| Error::Decode {
        status,
        message: "list answer has no `data`".into(),
        snippet: crate::error::snippet(body),
    })?;
    items.extend(data.items);
    Ok(data.next_cursor.filter(|c| !c.is_empty()))
}

/// The keys the fast path looks at.
enum Key {
    Data,
    Items,
    NextCursor,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key, E> {
                Ok(match v {
                    "data" => Key::Data,
                    "items" => Key::Items,
                    "next_cursor" => Key::NextCursor,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// The envelope: `Some(next_cursor)`, or `None` when `data` is missing or null. `over` is set
/// to the number of items when the page holds more than `limit`.
struct WireSeed<'a, T> {
    items: &'a mut VecDeque<T>,
    limit: usize,
    over: &'a mut Option<usize>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for WireSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for WireSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list answer")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let (mut data, mut seen) = (None, false);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Data if seen => return Err(de::Error::duplicate_field("data")),
                Key::Data => {
                    seen = true;
                    data = map.next_value_seed(
                        WireSeed { items: &mut *self.items, limit: self.limit, over: &mut *self.over }.data(),
                    )?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(data)
    }
}

impl<'a, T> WireSeed<'a, T> {
    fn data(self) -> DataSeed<'a, T> {
        DataSeed(self)
    }
}

/// `data`: null, or the page object.
struct DataSeed<'a, T>(WireSeed<'a, T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for DataSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for DataSeed<'_, T> {
    type Value = Option<Option<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page object or null")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let (mut next, mut seen_items, mut seen_next) = (None, false, false);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Items if seen_items => return Err(de::Error::duplicate_field("items")),
                Key::Items => {
                    seen_items = true;
                    let w = &mut self.0;
                    map.next_value_seed(ItemsSeed(WireSeed {
                        items: &mut *w.items,
                        limit: w.limit,
                        over: &mut *w.over,
                    }))?;
                }
                Key::NextCursor if seen_next => return Err(de::Error::duplicate_field("next_cursor")),
                Key::NextCursor => {
                    seen_next = true;
                    next = map.next_value::<Option<String>>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some(next))
    }
}

/// `items`: null (no items), or the array, pushed into the buffer.
struct ItemsSeed<'a, T>(WireSeed<'a, T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ItemsSeed<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ItemsSeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of items or null")
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let w = self.0;
        while let Some(item) = seq.next_element()? {
            if w.items.len() == w.limit {
                // Counted to the end without being built, for the error to name the count.
                let mut count = w.limit + 1;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                w.items.clear();
                *w.over = Some(count);
                return Err(de::Error::custom("too many items"));
            }
            w.items.push_back(item);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Item {
        id: String,
    }

    fn page(body: &str) -> (Result<Option<String>>, Vec<Item>) {
        let mut items = VecDeque::new();
        let r = decode_page(200, body.as_bytes(), 1000, &mut items);
        (r, items.into_iter().collect())
    }

    fn ids(n: &[&str]) -> Vec<Item> {
        n.iter().map(|id| Item { id: (*id).to_owned() }).collect()
    }

    #[test]
    fn the_fast_path_reads_items_and_cursor() {
        let (r, items) = page(
            r#"{"code":"Success","data":{"items":[{"id":"a"},{"id":"b","x":[1,{"y":null}]}],"next_cursor":"c2","other":1},"message":"ok"}"#,
        );
        assert_eq!(r.unwrap(), Some("c2".to_owned()));
        assert_eq!(items, ids(&["a", "b"]));
        let (r, items) = page(r#"{"data":{"next_cursor":"","items":[{"id":"\u0061"}]}}"#);
        assert_eq!(r.unwrap(), None);
        assert_eq!(items, ids(&["a"]));
    }

    #[test]
    fn null_or_missing_items_and_cursor_mean_none() {
        for body in [r#"{"data":{"items":null,"next_cursor":null}}"#, r#"{"data":{}}"#] {
            let (r, items) = page(body);
            assert_eq!(r.unwrap(), None);
            assert!(items.is_empty());
        }
    }

    #[test]
    fn a_missing_or_null_data_is_a_decode_error() {
        for body in [r#"{"code":"Success"}"#, r#"{"data":null}"#] {
            let err = page(body).0.unwrap_err();
            assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
            assert!(err.to_string().contains("no `data`"), "{err}");
        }
    }

    #[test]
    fn what_the_fast_path_refuses_the_derived_path_decides() {
        // The sequence form of a struct is accepted by the derived decoder: same result.
        let (r, items) = page(r#"{"data":[[{"id":"a"}],"c9"]}"#);
        assert_eq!(r.unwrap(), Some("c9".to_owned()));
        assert_eq!(items, ids(&["a"]));
        // Errors name the field at fault.
        let err = page(r#"{"data":{"items":[{"id":"a"},{"id":7}]}}"#).0.unwrap_err();
        assert!(err.to_string().contains("data.items[1].id"), "{err}");
        for body in [
            r#"{"data":{"items":[],"items":[]}}"#,
            r#"{"data":{"items":[]},"data":{"items":[]}}"#,
            r#"{"data":{"items":[]}} trailing"#,
            "<html>proxy error</html>",
            "",
        ] {
            assert!(matches!(page(body).0, Err(Error::Decode { .. })), "{body}");
        }
        // Not UTF-8 in a string that is skipped: the slice decoder decides.
        let mut items: VecDeque<Item> = VecDeque::new();
        let body = b"{\"data\":{\"items\":[{\"id\":\"a\",\"x\":\"\xff\"}]}}";
        let slow: Result<Envelope<WirePage<Item>>> = decode(200, body);
        assert_eq!(decode_page(200, body, 1000, &mut items).is_ok(), slow.is_ok());
    }

    #[test]
    fn a_page_over_the_limit_is_refused_by_either_path_naming_the_count() {
        let items = [r#"{"id":"a"}"#; 12].join(",");
        for body in [
            format!(r#"{{"data":{{"items":[{items}],"next_cursor":"n"}}}}"#),
            // Refused by the fast path (duplicate key), then counted by the derived one.
            format!(r#"{{"data":{{"items":[{items}],"next_cursor":"n","next_cursor":"m"}}}}"#),
            format!(r#"{{"data":[[{items}],"n"]}}"#),
        ] {
            let mut buf: VecDeque<Item> = VecDeque::new();
            let err = decode_page(200, body.as_bytes(), 10, &mut buf).unwrap_err();
            assert!(buf.is_empty());
            if body.contains(r#""m""#) {
                assert!(matches!(err, Error::Decode { .. }), "{err}");
            } else {
                assert!(err.to_string().contains("holds 12 items, more than the 10 asked for"), "{err}");
            }
        }
        let mut buf: VecDeque<Item> = VecDeque::new();
        let body = format!(r#"{{"data":{{"items":[{items}]}}}}"#);
        assert_eq!(decode_page(200, body.as_bytes(), 12, &mut buf).unwrap(), None);
        assert_eq!(buf.len(), 12);
    }

    #[test]
    fn the_buffer_keeps_its_allocation_from_page_to_page() {
        let mut items: VecDeque<Item> = VecDeque::new();
        let body = format!(r#"{{"data":{{"items":[{}]}}}}"#, vec![r#"{"id":"a"}"#; 100].join(","));
        decode_page(200, body.as_bytes(), 1000, &mut items).unwrap();
        let capacity = items.capacity();
        assert_eq!(items.len(), 100);
        items.clear();
        decode_page(200, body.as_bytes(), 1000, &mut items).unwrap();
        assert_eq!((items.len(), items.capacity()), (100, capacity));
    }
}
