//! Decoding a page together with the text of each item, in one pass over the body.
//!
//! A host that wants both the model and the item as the API sent it (the C ABI's lists, whose
//! `raw` keeps the fields no model knows) would otherwise read every item twice: once to capture
//! its text, once to decode it. Here a small walker steps through the envelope's punctuation and
//! hands each value to serde_json, which decodes the item and reports where it ended, so the
//! text of an item is a range of the body that nobody copied.
//!
//! The walker accepts the common shape only (`{"data": {"items": [...], "next_cursor": ...}}`
//! in any key order, any whitespace, at most `limit` items); anything else (duplicate keys,
//! `items: null`, an escaped key, an item that does not decode, a body that is not UTF-8) goes to
//! the page decoder every list uses, which decides the outcome and words the error.

use crate::error::Result;
use crate::page::SourcedPage;
use crate::wire::decode_page;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::VecDeque;
use std::ops::Range;

/// Decodes a list answer, keeping where each item lies. See the module docs.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, body: Vec<u8>, limit: usize) -> Result<SourcedPage<T>> {
    let text = match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => return fallback(status, e.as_bytes(), limit),
    };
    let mut walker = Walker { text: &text, pos: 0 };
    let (mut items, mut spans) = (Vec::new(), Vec::new());
    match walker.envelope(limit, &mut items, &mut spans) {
        Some(next) => Ok(SourcedPage::new(items, next.filter(|c| !c.is_empty()), text, spans)),
        None => fallback(status, text.as_bytes(), limit),
    }
}

/// The page decoder every list uses, with each item's text taken from its own copy; the texts
/// are then laid end to end.
fn fallback<T: DeserializeOwned>(status: u16, body: &[u8], limit: usize) -> Result<SourcedPage<T>> {
    let mut raws = VecDeque::<Box<RawValue>>::new();
    let next_cursor = decode_page(status, body, limit, &mut raws)?;
    let (mut items, mut spans, mut text) = (Vec::with_capacity(raws.len()), Vec::new(), String::new());
    for raw in raws {
        items.push(crate::wire::decode(status, raw.get().as_bytes())?);
        let start = text.len();
        text.push_str(raw.get());
        spans.push(start..text.len());
    }
    Ok(SourcedPage::new(items, next_cursor, text, spans))
}

/// A position in the body; every step returns `None` for a shape it does not take.
struct Walker<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Walker<'a> {
    fn skip_ws(&mut self) {
        let bytes = self.text.as_bytes();
        while matches!(bytes.get(self.pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// One JSON value, decoded by serde_json, which also says where it ended.
    fn value<T: Deserialize<'a>>(&mut self) -> Option<T> {
        self.skip_ws();
        let mut stream = serde_json::Deserializer::from_str(&self.text[self.pos..]).into_iter::<T>();
        let value = stream.next()?.ok()?;
        self.pos += stream.byte_offset();
        Some(value)
    }

    /// The members of an object, `member` reading each value; false on a duplicate `key`.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key: &'a str = self.value()?;
            self.eat(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The whole body: the envelope, then nothing but whitespace. Returns the next cursor.
    fn envelope<T: DeserializeOwned>(
        &mut self,
        limit: usize,
        items: &mut Vec<T>,
        spans: &mut Vec<Range<usize>>,
    ) -> Option<Option<String>> {
        let (mut data, mut next) = (false, None);
        self.object(|w, key| {
            if key != "data" {
                return w.value::<IgnoredAny>().map(drop);
            }
            if std::mem::replace(&mut data, true) {
                return None;
            }
            let (mut seen_items, mut seen_next) = (false, false);
            w.object(|w, key| match key {
                "items" if !std::mem::replace(&mut seen_items, true) => w.items(limit, items, spans),
                "next_cursor" if !std::mem::replace(&mut seen_next, true) => {
                    next = w.value::<Option<String>>()?;
                    Some(())
                }
                "items" | "next_cursor" => None,
                _ => w.value::<IgnoredAny>().map(drop),
            })
        })?;
        self.skip_ws();
        (data && self.pos == self.text.len()).then_some(next)
    }

    fn items<T: DeserializeOwned>(
        &mut self,
        limit: usize,
        items: &mut Vec<T>,
        spans: &mut Vec<Range<usize>>,
    ) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            if items.len() == limit {
                return None;
            }
            self.skip_ws();
            let start = self.pos;
            items.push(self.value::<T>()?);
            spans.push(start..self.pos);
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn spans_of(body: &str, limit: usize) -> Result<(Vec<String>, Option<String>)> {
        let page = decode::<Value>(200, body.as_bytes().to_vec(), limit)?;
        let texts: Vec<String> = (0..page.items.len()).map(|i| page.source(i).unwrap().to_owned()).collect();
        for (item, text) in page.items.iter().zip(&texts) {
            assert_eq!(item, &serde_json::from_str::<Value>(text).unwrap());
        }
        Ok((texts, page.next_cursor))
    }

    #[test]
    fn each_item_is_its_own_text_in_any_layout() {
        let body = r#" { "code" : "Success", "data" : { "next_cursor" : "c2" , "extra": [1, {"a": "]"}],
            "items" : [ {"id": "a", "n": 1.50} ,{"id":"b\"]","x":[1,2]} , 7 , "s" ] } , "more": null } "#;
        let (texts, next) = spans_of(body, 1000).unwrap();
        assert_eq!(texts, [r#"{"id": "a", "n": 1.50}"#, r#"{"id":"b\"]","x":[1,2]}"#, "7", r#""s""#]);
        assert_eq!(next.as_deref(), Some("c2"));
    }

    #[test]
    fn other_shapes_go_to_the_page_decoder() {
        // items null, duplicate keys, escaped keys, not UTF-8: the decoder every list uses decides.
        let (texts, next) = spans_of(r#"{"data":{"items":null,"next_cursor":null}}"#, 10).unwrap();
        assert!(texts.is_empty() && next.is_none());
        let (texts, _) = spans_of(r#"{"data":{"it\u0065ms":[{"a":1}, 2]}}"#, 10).unwrap();
        assert_eq!(texts, [r#"{"a":1}"#, "2"]);
        assert!(spans_of(r#"{"data":{"items":[1],"items":[2]}}"#, 10).is_err());
        assert!(spans_of(r#"{"data":{"items":[1]}} x"#, 10).is_err());
        let err = spans_of(r#"{"data":{"items":[1,2,3]}}"#, 2).unwrap_err().to_string();
        assert!(err.contains("3 items, more than the 2"), "{err}");
        let bad = decode::<Value>(200, b"{\"data\":{\"items\":[\"\xff\"]}}".to_vec(), 10);
        assert!(bad.is_err());
    }

    #[test]
    fn an_item_of_the_wrong_shape_is_the_usual_decode_error() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Model {
            id: String,
        }
        let err = decode::<Model>(200, br#"{"data":{"items":[{"id":"a"},{"id":5}]}}"#.to_vec(), 10).unwrap_err();
        assert!(matches!(err, crate::Error::Decode { .. }), "{err}");
        assert!(err.to_string().contains("id"), "{err}");
    }
}
