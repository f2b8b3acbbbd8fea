//! The JSON the C ABI writes itself: byte for byte what `serde_json::to_writer` writes (compact),
//! faster.
//!
//! List pages (`fivetrex_list_next_page`), fan-out results and sync outcomes cross the C ABI as
//! JSON this crate writes, so serialising is on the hot path of a C walk. serde_json looks up
//! every byte of every string (keys included) in an escape table; this writer checks eight bytes
//! at a time whether a string needs any escape at all (almost none does: keys are identifiers,
//! values are ids, names and timestamps) and copies it whole. Everything else — numbers, floats,
//! strings that do need escapes, map keys that are not strings, `RawValue` — is handed to
//! serde_json itself, so the output cannot drift from serde_json's; `tests::writes_what_serde_json_writes` compares both.

use serde::ser::{self, Impossible, Serialize, SerializeStruct as _, Serializer as _};
use serde_json::Error;
use std::sync::atomic::{AtomicU64, Ordering};

/// serde_json serialises a `RawValue` as a struct of this name (`serde_json::raw::TOKEN`, which
/// is not exported); such a struct goes to serde_json, which writes the raw text as it is.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// Appends the compact JSON of `value` to `out`.
pub(crate) fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(Writer { out })
}

/// serde_json writing into `out`.
fn json(out: &mut Vec<u8>) -> serde_json::Serializer<&mut Vec<u8>> {
    serde_json::Serializer::new(out)
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// True when one of the eight bytes of `w` is one JSON escapes: a control character, `"` or `\`.
#[inline(always)]
fn escapes(w: u64) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bit tricks ("determine if a word has a byte less than n", n = 0x20, and a zero byte after
    // xor with a quote or a backslash): each term may also flag a byte above one it rightly flags, never
    // one alone, so the union is exact about whether such a byte exists, which is all that is asked.
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    (below(w, 0x20) | below(quote, 1) | below(backslash, 1)) & HIGH != 0
}

/// True when the byte is one JSON escapes.
fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// True when `s` holds a byte JSON escapes.
#[cfg(test)]
fn needs_escape(s: &[u8]) -> bool {
    let mut rest = s;
    while let [a, b, c, d, e, f, g, h, tail @ ..] = rest {
        if escapes(u64::from_le_bytes([*a, *b, *c, *d, *e, *f, *g, *h])) {
            return true;
        }
        rest = tail;
    }
    rest.iter().any(|&b| escaped(b))
}

/// Copies `bytes` to `dst` eight bytes at a time (the last word overlapping; four to seven bytes
/// as two overlapping four-byte halves checked as one word) while checking them for escapes;
/// answers `false`, with only part of them copied, at the first word holding a byte JSON escapes.
///
/// # Safety
/// `dst` is valid for writes of `bytes.len()` bytes and does not overlap `bytes`.
#[inline(always)]
unsafe fn copy_clean(dst: *mut u8, bytes: &[u8]) -> bool {
    let (src, len) = (bytes.as_ptr(), bytes.len());
    // SAFETY: every read is within `bytes` and every write within `dst..dst + len`.
    unsafe {
        if len >= 8 {
            let mut at = 0;
            while at + 8 <= len {
                let w = src.add(at).cast::<u64>().read_unaligned();
                if escapes(w) {
                    return false;
                }
                dst.add(at).cast::<u64>().write_unaligned(w);
                at += 8;
            }
            if at < len {
                // The last eight bytes, some of them checked already: one word for the rest.
                let w = src.add(len - 8).cast::<u64>().read_unaligned();
                if escapes(w) {
                    return false;
                }
                dst.add(len - 8).cast::<u64>().write_unaligned(w);
            }
        } else if len >= 4 {
            let head = src.cast::<u32>().read_unaligned();
            let tail = src.add(len - 4).cast::<u32>().read_unaligned();
            if escapes(u64::from(head) | u64::from(tail) << 32) {
                return false;
            }
            dst.cast::<u32>().write_unaligned(head);
            dst.add(len - 4).cast::<u32>().write_unaligned(tail);
        } else {
            for at in 0..len {
                let b = *src.add(at);
                if escaped(b) {
                    return false;
                }
                dst.add(at).write(b);
            }
        }
    }
    true
}

/// Writes a JSON string: checked for escapes and copied in one pass, eight bytes at a time;
/// a string that needs an escape is left to serde_json ([`escaped_string`]).
#[inline(always)]
fn string(out: &mut Vec<u8>, s: &str) -> Result<(), Error> {
    let len = s.len();
    out.reserve(len + 2);
    let start = out.len();
    // SAFETY: `reserve` made room for `len + 2` bytes after `start`; every write below stays
    // within `start..start + len + 2`, and `set_len` covers only bytes written.
    unsafe {
        let dst = out.as_mut_ptr().add(start);
        dst.write(b'"');
        if !copy_clean(dst.add(1), s.as_bytes()) {
            return escaped_string(out, s);
        }
        dst.add(1 + len).write(b'"');
        out.set_len(start + len + 2);
    }
    Ok(())
}

/// A string that needs an escape, written by serde_json.
#[cold]
#[inline(never)]
fn escaped_string(out: &mut Vec<u8>, s: &str) -> Result<(), Error> {
    json(out).serialize_str(s)
}

/// Struct keys already found to need no escape, each as one word `address << 16 | length` in a
/// small table indexed by a hash of that word. The keys are `&'static str`: their bytes never
/// change, so a key found clean once is clean for good and a hit skips the escape check. A miss
/// or a collision only costs the check (a word is exact, never a hash).
static CLEAN_KEYS: [AtomicU64; 256] = [const { AtomicU64::new(0) }; 256];

/// The slot of `key` in [`CLEAN_KEYS`] and the word naming it; `None` for a key the word cannot
/// name (empty, 64 KiB or longer, or above the 47-bit address space).
fn clean_key_slot(key: &'static str) -> Option<(&'static AtomicU64, u64)> {
    let (addr, len) = (key.as_ptr() as u64, key.len() as u64);
    if addr >> 47 != 0 || len >> 16 != 0 || len == 0 {
        return None;
    }
    let word = addr << 16 | len;
    Some((&CLEAN_KEYS[(word.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize], word))
}

/// Copies `bytes` to `dst` a word at a time, the last word overlapping.
///
/// # Safety
/// `dst` is valid for writes of `bytes.len()` bytes and does not overlap `bytes`.
#[inline(always)]
unsafe fn copy_words(dst: *mut u8, bytes: &[u8]) {
    let (src, len) = (bytes.as_ptr(), bytes.len());
    // SAFETY: every read is within `bytes` and every write within `dst..dst + len`.
    unsafe {
        if len >= 8 {
            let mut at = 0;
            while at + 8 <= len {
                dst.add(at).cast::<u64>().write_unaligned(src.add(at).cast::<u64>().read_unaligned());
                at += 8;
            }
            if at < len {
                dst.add(len - 8).cast::<u64>().write_unaligned(src.add(len - 8).cast::<u64>().read_unaligned());
            }
        } else if len >= 4 {
            dst.cast::<u32>().write_unaligned(src.cast::<u32>().read_unaligned());
            dst.add(len - 4).cast::<u32>().write_unaligned(src.add(len - 4).cast::<u32>().read_unaligned());
        } else {
            for at in 0..len {
                dst.add(at).write(*src.add(at));
            }
        }
    }
}

/// Writes the key of a struct field, `"key":`, after a comma unless it is the first (about
/// thirty keys per connection). A key seen clean before (see [`CLEAN_KEYS`]) is copied here,
/// inlined, without checking it again; any other goes to [`checked_field_key`].
#[inline(always)]
fn field_key(out: &mut Vec<u8>, comma: bool, key: &'static str) -> Result<(), Error> {
    let slot = clean_key_slot(key);
    match slot {
        Some((slot, word)) if slot.load(Ordering::Relaxed) == word => {
            let len = key.len();
            out.reserve(len + 4);
            let start = out.len();
            let open = usize::from(comma);
            // SAFETY: `reserve` made room for `len + 4` bytes after `start`; every write below
            // stays within `start..start + open + len + 3`, and `set_len` covers only bytes written.
            unsafe {
                let dst = out.as_mut_ptr().add(start);
                dst.write(b',');
                dst.add(open).write(b'"');
                copy_words(dst.add(open + 1), key.as_bytes());
                dst.add(open + 1 + len).write(b'"');
                dst.add(open + 2 + len).write(b':');
                out.set_len(start + open + len + 3);
            }
            Ok(())
        }
        _ => checked_field_key(out, comma, key, slot),
    }
}

/// [`field_key`] for a key not known clean: like [`string`], checked and copied in one pass;
/// remembered in its `slot` of [`CLEAN_KEYS`] when clean.
#[cold]
#[inline(never)]
fn checked_field_key(
    out: &mut Vec<u8>,
    comma: bool,
    key: &str,
    slot: Option<(&'static AtomicU64, u64)>,
) -> Result<(), Error> {
    let len = key.len();
    out.reserve(len + 4);
    let start = out.len();
    let open = usize::from(comma);
    // SAFETY: `reserve` made room for `len + 4` bytes after `start`; every write below stays
    // within `start..start + open + len + 3`, and `set_len` covers only bytes written.
    unsafe {
        let dst = out.as_mut_ptr().add(start);
        dst.write(b',');
        dst.add(open).write(b'"');
        if !copy_clean(dst.add(open + 1), key.as_bytes()) {
            if comma {
                out.push(b',');
            }
            string(out, key)?;
            out.push(b':');
            return Ok(());
        }
        dst.add(open + 1 + len).write(b'"');
        dst.add(open + 2 + len).write(b':');
        out.set_len(start + open + len + 3);
    }
    if let Some((slot, word)) = slot {
        slot.store(word, Ordering::Relaxed);
    }
    Ok(())
}

/// Writes `{"variant":` for the variants that carry data.
fn variant_key(out: &mut Vec<u8>, variant: &str) -> Result<(), Error> {
    out.push(b'{');
    string(out, variant)?;
    out.push(b':');
    Ok(())
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

/// Leaves whose text serde_json writes.
macro_rules! to_serde_json {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            json(self.out).$method(v)
        }
    )*};
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    to_serde_json!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
    );

    #[inline(always)]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v)
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        string(self.out, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        variant_key(self.out, variant)?;
        value.serialize(Writer { out: &mut *self.out })?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(Compound::open(self.out, b'[', b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        variant_key(self.out, variant)?;
        Ok(Compound::open(self.out, b'[', b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(Compound::open(self.out, b'{', b"}"))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        if name == RAW_VALUE {
            return Ok(Compound { out: self.out, first: true, close: b"", raw: true });
        }
        Ok(Compound::open(self.out, b'{', b"}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        variant_key(self.out, variant)?;
        Ok(Compound::open(self.out, b'{', b"}}"))
    }
}

/// An array, object or variant being written: `close` ends it.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    close: &'static [u8],
    /// A `RawValue`: its one field goes to serde_json.
    raw: bool,
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut Vec<u8>, open: u8, close: &'static [u8]) -> Self {
        out.push(open);
        Compound { out, first: true, close, raw: false }
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(Writer { out: &mut *self.out })
    }

    #[inline(always)]
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if self.raw {
            let mut ser = json(&mut *self.out);
            let mut raw = ser.serialize_struct(RAW_VALUE, 1)?;
            raw.serialize_field(key, value)?;
            return ser::SerializeStruct::end(raw);
        }
        field_key(self.out, !self.first, key)?;
        self.first = false;
        value.serialize(Writer { out: &mut *self.out })
    }

    fn close(self) -> Result<(), Error> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        if !key.serialize(StrKey { out: &mut *self.out })? {
            // Not a string: serde_json writes it as a key (numbers quoted, ...) or refuses it.
            // Its map writes `{` first, which is dropped.
            let mut text = Vec::new();
            let mut ser = json(&mut text);
            ser.serialize_map(None)?.serialize_key(key)?;
            self.out.extend_from_slice(text.get(1..).unwrap_or_default());
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.out.push(b':');
        value.serialize(Writer { out: &mut *self.out })
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    #[inline(always)]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// Writes a map key that is a string (as serde_json's key serializer, a newtype around one or a
/// unit variant) and answers `true`; any other key writes nothing and answers `false`.
struct StrKey<'a> {
    out: &'a mut Vec<u8>,
}

/// Keys that are not strings: left to serde_json.
macro_rules! not_a_string {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, _: $ty) -> Result<bool, Error> {
            Ok(false)
        }
    )*};
}

impl ser::Serializer for StrKey<'_> {
    type Ok = bool;
    type Error = Error;
    type SerializeSeq = Impossible<bool, Error>;
    type SerializeTuple = Impossible<bool, Error>;
    type SerializeTupleStruct = Impossible<bool, Error>;
    type SerializeTupleVariant = Impossible<bool, Error>;
    type SerializeMap = Impossible<bool, Error>;
    type SerializeStruct = Impossible<bool, Error>;
    type SerializeStructVariant = Impossible<bool, Error>;

    not_a_string!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_str(self, v: &str) -> Result<bool, Error> {
        string(self.out, v).map(|()| true)
    }

    fn serialize_none(self) -> Result<bool, Error> {
        Ok(false)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<bool, Error> {
        Ok(false)
    }

    fn serialize_unit(self) -> Result<bool, Error> {
        Ok(false)
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<bool, Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<bool, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<bool, Error> {
        Ok(false)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_string())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_string())
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_string())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_string())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Error> {
        Err(not_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_string())
    }
}

/// serde_json's answer to a key that is a sequence, map or struct.
fn not_string() -> Error {
    ser::Error::custom("key must be a string")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn ours<T: Serialize + ?Sized>(v: &T) -> String {
        let mut out = Vec::new();
        write(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn same<T: Serialize + ?Sized>(v: &T) {
        assert_eq!(ours(v), serde_json::to_string(v).unwrap());
    }

    /// A struct field's key, first or not, is serde_json's string of it and a colon: the first
    /// time (checked) and the next (remembered when clean).
    fn same_key(s: &str) {
        let s: &'static str = Box::leak(s.to_owned().into_boxed_str());
        for comma in [false, true, false, true] {
            let mut out = b"{".to_vec();
            field_key(&mut out, comma, s).unwrap();
            let want = format!("{{{}{}:", if comma { "," } else { "" }, serde_json::to_string(s).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        New(u8),
        Tuple(i32, String),
        Struct { a: Option<bool>, b: Vec<f64> },
    }

    #[derive(Serialize)]
    struct Everything<'a> {
        unit: (),
        tuple: (u8, char, &'a str),
        bytes: &'a [u8],
        big: (i128, u128, i64, u64),
        floats: Vec<f64>,
        shapes: Vec<Shape>,
        int_keys: BTreeMap<i32, bool>,
        bool_keys: BTreeMap<bool, ()>,
        #[serde(rename = "key \"quoted\"\n")]
        odd_key: Option<()>,
        #[serde(flatten)]
        extra: BTreeMap<String, u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        raw: fivetrex_core::RawJson,
        empty: (Vec<u8>, BTreeMap<String, u8>, [u8; 0]),
    }

    #[test]
    fn needs_escape_finds_every_escaped_byte_at_every_position() {
        for len in 0..20 {
            assert!(!needs_escape("aé€😀 /~\u{7f}".repeat(len).as_bytes()));
            for at in 0..len {
                for b in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut s = vec![b'x'; len];
                    s[at] = b;
                    assert!(needs_escape(&s), "{b:#x} at {at} of {len}");
                }
            }
        }
        // The writer itself, escaping or copying, at every length and position.
        for len in 0..20 {
            same("aé€😀 /~\u{7f}".repeat(len).as_str());
            same_key("aé€😀 /~\u{7f}".repeat(len).as_str());
            for at in 0..len {
                for b in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut s = vec![b'x'; len];
                    s[at] = b;
                    same(std::str::from_utf8(&s).unwrap());
                    same_key(std::str::from_utf8(&s).unwrap());
                }
            }
        }
        // High bytes next to the limits do not hide nor fake an escape.
        assert!(!needs_escape(&[0xff, 0x20, 0x80, 0x21, 0x23, 0x5b, 0x5d, 0xa2, 0xdc]));
        assert!(needs_escape(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]));
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let raw = fivetrex_core::RawJson::from_value(&json!({"password": "p", "n": [1, 2.5e-7, null]})).unwrap();
        let everything = Everything {
            unit: (),
            tuple: (7, '"', "tab\there, nul\0, quote\", backslash\\, \u{1f} and é"),
            bytes: b"\x00\xff",
            big: (i128::MIN, u128::MAX, i64::MIN, u64::MAX),
            floats: vec![0.0, -0.0, 1.5, 1e300, f64::NAN, f64::INFINITY, 0.1 + 0.2],
            shapes: vec![
                Shape::Unit,
                Shape::New(3),
                Shape::Tuple(-1, "x".into()),
                Shape::Struct { a: None, b: vec![] },
                Shape::Struct { a: Some(true), b: vec![2.0] },
            ],
            int_keys: [(-3, true), (10, false)].into(),
            bool_keys: [(true, ())].into(),
            odd_key: Some(()),
            extra: [("flat".to_owned(), 1), ("ünï\u{1}".to_owned(), 2)].into(),
            skipped: None,
            raw,
            empty: (vec![], BTreeMap::new(), []),
        };
        same(&everything);
        same(&json!({"a": [{"b": "c\u{2028}"}, 1, -2, 3.25, true, null, {}], "": []}));
        same(&Shape::Unit);
        same("");
        let mut out = b"kept ".to_vec();
        write(&mut out, &[1, 2]).unwrap();
        assert_eq!(out, b"kept [1,2]", "appends");
    }

    #[test]
    fn refuses_keys_serde_json_refuses() {
        let map: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(serde_json::to_string(&map).is_err());
        assert!(write(&mut Vec::new(), &map).is_err());
    }
}
