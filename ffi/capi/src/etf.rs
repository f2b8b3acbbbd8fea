//! JSON to and from Erlang's external term format, for hosts on the BEAM (the Elixir NIF).
//!
//! Every result crosses the C ABI as JSON text, and Elixir 1.14 has no JSON decoder. Instead of a
//! parser written in C or Elixir, the NIF hands the text to [`fivetrex_elixir_json_to_etf`] and the VM
//! decodes the bytes natively (`binary_to_term` with `safe`). Request bodies go the other way:
//! the NIF encodes an Elixir map with `term_to_binary` and [`fivetrex_elixir_etf_to_json`] makes JSON of
//! it.
//!
//! The mapping (the external term format is described in the Erlang/OTP "External Term Format"
//! documentation):
//!
//! | JSON                | term                                                                 |
//! |---------------------|----------------------------------------------------------------------|
//! | object              | map with binary (string) keys, `MAP_EXT`                              |
//! | array               | list, `LIST_EXT` (`NIL_EXT` when empty)                               |
//! | string              | binary, `BINARY_EXT`                                                  |
//! | integer             | `SMALL_INTEGER_EXT`, `INTEGER_EXT` or `SMALL_BIG_EXT` (up to 64 bits) |
//! | number with a fraction or exponent | float, `NEW_FLOAT_EXT`                                 |
//! | `true`/`false`/`null` | the atoms `true`, `false` and `nil` (`SMALL_ATOM_UTF8_EXT`)          |
//!
//! Keys are binaries rather than atoms so that decoding with `safe` never creates atoms; the
//! three atoms used always exist. Back to JSON, maps may also have atom keys, any atom other than
//! `true`, `false` and `nil` (or `null`) becomes a string, and a charlist becomes an array of
//! integers. Terms with no JSON meaning (tuples, pids, references, funs, bitstrings, improper
//! lists, integers beyond 64 bits, binaries that are not UTF-8) are refused with
//! `FIVETREX_STATUS_INVALID_ARGUMENT`, never guessed at.

use super::boundary::{entry, out, put_string};
use super::error::fivetrex_error;
use super::status::fivetrex_status;
use fivetrex_core::{Error, Result};
use serde_json::{Map, Number, Value};
use std::ffi::c_char;

const VERSION: u8 = 131;
const COMPRESSED: u8 = 80;
const NEW_FLOAT_EXT: u8 = 70;
const BIT_BINARY_EXT: u8 = 77;
const SMALL_INTEGER_EXT: u8 = 97;
const INTEGER_EXT: u8 = 98;
const FLOAT_EXT: u8 = 99;
const ATOM_EXT: u8 = 100;
const SMALL_TUPLE_EXT: u8 = 104;
const LARGE_TUPLE_EXT: u8 = 105;
const NIL_EXT: u8 = 106;
const STRING_EXT: u8 = 107;
const LIST_EXT: u8 = 108;
const BINARY_EXT: u8 = 109;
const SMALL_BIG_EXT: u8 = 110;
const LARGE_BIG_EXT: u8 = 111;
const SMALL_ATOM_EXT: u8 = 115;
const MAP_EXT: u8 = 116;
const ATOM_UTF8_EXT: u8 = 118;
const SMALL_ATOM_UTF8_EXT: u8 = 119;

/// Deepest nesting accepted from a term: the same bound serde_json puts on JSON, so whatever
/// converts one way converts back.
const MAX_DEPTH: usize = 128;

/// Converts JSON text to a term in the external term format (version byte included).
pub(crate) fn json_to_etf(json: &[u8]) -> Result<Vec<u8>> {
    let value: Value = serde_json::from_slice(json)
        .map_err(|e| Error::InvalidArgument(format!("argument `json` is not valid JSON ({e})")))?;
    let mut bytes = Vec::with_capacity(json.len() + 16);
    bytes.push(VERSION);
    encode(&value, &mut bytes)?;
    Ok(bytes)
}

fn encode(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => atom("nil", out),
        Value::Bool(true) => atom("true", out),
        Value::Bool(false) => atom("false", out),
        Value::Number(n) => number(n, out),
        Value::String(s) => binary(s, out)?,
        Value::Array(items) => {
            if !items.is_empty() {
                out.push(LIST_EXT);
                out.extend_from_slice(&length(items.len())?.to_be_bytes());
                for item in items {
                    encode(item, out)?;
                }
            }
            out.push(NIL_EXT);
        }
        Value::Object(map) => {
            out.push(MAP_EXT);
            out.extend_from_slice(&length(map.len())?.to_be_bytes());
            for (key, value) in map {
                binary(key, out)?;
                encode(value, out)?;
            }
        }
    }
    Ok(())
}

fn length(n: usize) -> Result<u32> {
    u32::try_from(n)
        .map_err(|_| Error::InvalidArgument("a JSON string, array or object is too large for a term".into()))
}

fn atom(name: &str, out: &mut Vec<u8>) {
    // Only the three fixed names are written, all shorter than 256 bytes.
    out.push(SMALL_ATOM_UTF8_EXT);
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
}

fn binary(s: &str, out: &mut Vec<u8>) -> Result<()> {
    out.push(BINARY_EXT);
    out.extend_from_slice(&length(s.len())?.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn number(n: &Number, out: &mut Vec<u8>) {
    if let Some(i) = n.as_i64() {
        if let Ok(small) = u8::try_from(i) {
            out.extend_from_slice(&[SMALL_INTEGER_EXT, small]);
        } else if let Ok(int) = i32::try_from(i) {
            out.push(INTEGER_EXT);
            out.extend_from_slice(&int.to_be_bytes());
        } else {
            big(i < 0, i.unsigned_abs(), out);
        }
    } else if let Some(u) = n.as_u64() {
        big(false, u, out);
    } else {
        // serde_json (without arbitrary_precision) holds every other number as a finite f64.
        out.push(NEW_FLOAT_EXT);
        out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_bits().to_be_bytes());
    }
}

fn big(negative: bool, magnitude: u64, out: &mut Vec<u8>) {
    let digits = magnitude.to_le_bytes();
    let n = 8 - magnitude.leading_zeros() as usize / 8;
    out.extend_from_slice(&[SMALL_BIG_EXT, n as u8, u8::from(negative)]);
    out.extend_from_slice(&digits[..n]);
}

/// Converts a term in the external term format (version byte included) to JSON text.
pub(crate) fn etf_to_json(bytes: &[u8]) -> Result<String> {
    let mut reader = Reader { bytes, pos: 0 };
    match reader.u8()? {
        VERSION => {}
        other => return Err(reader.refuse(&format!("starts with {other}, not the version byte 131"))),
    }
    let value = reader.term(0)?;
    if reader.pos != bytes.len() {
        return Err(reader.refuse("has bytes after the term"));
    }
    serde_json::to_string(&value)
        .map_err(|e| Error::InvalidArgument(format!("the term cannot be written as JSON ({e})")))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn refuse(&self, why: &str) -> Error {
        Error::InvalidArgument(format!("argument `etf` {why} (at byte {})", self.pos))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len());
        let Some(end) = end else { return Err(self.refuse("is cut short")) };
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<usize> {
        Ok(u16::from_be_bytes(self.array()?) as usize)
    }

    fn u32(&mut self) -> Result<usize> {
        usize::try_from(u32::from_be_bytes(self.array()?))
            .map_err(|_| self.refuse("has a length this machine cannot hold"))
    }

    /// A count of elements that each take at least one byte: checked against what is left, so a
    /// forged count cannot make us reserve gigabytes.
    fn count(&mut self, wide: bool) -> Result<usize> {
        let n = if wide { self.u32()? } else { self.u16()? };
        if n > self.bytes.len() - self.pos {
            return Err(self.refuse("announces more elements than it holds"));
        }
        Ok(n)
    }

    fn text(&mut self, n: usize, latin1: bool) -> Result<String> {
        let raw = self.take(n)?;
        if latin1 {
            return Ok(raw.iter().map(|&b| char::from(b)).collect());
        }
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(self.refuse("holds text that is not UTF-8")),
        }
    }

    fn term(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.refuse(&format!("nests deeper than {MAX_DEPTH} levels")));
        }
        let tag = self.u8()?;
        Ok(match tag {
            SMALL_INTEGER_EXT => Value::from(self.u8()?),
            INTEGER_EXT => Value::from(i32::from_be_bytes(self.array()?)),
            SMALL_BIG_EXT => {
                let n = self.u8()? as usize;
                self.big(n)?
            }
            LARGE_BIG_EXT => {
                let n = self.u32()?;
                self.big(n)?
            }
            NEW_FLOAT_EXT => {
                let bits = u64::from_be_bytes(self.array()?);
                self.float(f64::from_bits(bits))?
            }
            FLOAT_EXT => {
                let raw = self.take(31)?;
                let text = std::str::from_utf8(raw).unwrap_or("").trim_end_matches('\0');
                let f = text.trim().parse::<f64>().map_err(|_| self.refuse("holds a malformed FLOAT_EXT"))?;
                self.float(f)?
            }
            ATOM_EXT | ATOM_UTF8_EXT | SMALL_ATOM_EXT | SMALL_ATOM_UTF8_EXT => {
                let name = self.atom_name(tag)?;
                match name.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "nil" | "null" => Value::Null,
                    _ => Value::String(name),
                }
            }
            BINARY_EXT => {
                let n = self.u32()?;
                Value::String(self.text(n, false)?)
            }
            NIL_EXT => Value::Array(Vec::new()),
            STRING_EXT => {
                let n = self.u16()?;
                Value::Array(self.take(n)?.iter().map(|&b| Value::from(b)).collect())
            }
            LIST_EXT => {
                let n = self.count(true)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.term(depth + 1)?);
                }
                if self.u8()? != NIL_EXT {
                    return Err(self.refuse("holds an improper list"));
                }
                Value::Array(items)
            }
            MAP_EXT => {
                let n = self.count(true)?;
                let mut map = Map::new();
                for _ in 0..n {
                    let key = self.key()?;
                    let value = self.term(depth + 1)?;
                    if map.insert(key, value).is_some() {
                        return Err(self.refuse("holds a map with two keys that name the same JSON key"));
                    }
                }
                Value::Object(map)
            }
            COMPRESSED => return Err(self.refuse("is compressed; encode it without the `compressed` option")),
            SMALL_TUPLE_EXT | LARGE_TUPLE_EXT => return Err(self.refuse("holds a tuple, which has no JSON form")),
            BIT_BINARY_EXT => return Err(self.refuse("holds a bitstring, which has no JSON form")),
            other => return Err(self.refuse(&format!("holds a term of tag {other}, which has no JSON form"))),
        })
    }

    fn atom_name(&mut self, tag: u8) -> Result<String> {
        let n = match tag {
            SMALL_ATOM_EXT | SMALL_ATOM_UTF8_EXT => self.u8()? as usize,
            _ => self.u16()?,
        };
        self.text(n, matches!(tag, ATOM_EXT | SMALL_ATOM_EXT))
    }

    fn key(&mut self) -> Result<String> {
        match self.u8()? {
            BINARY_EXT => {
                let n = self.u32()?;
                self.text(n, false)
            }
            tag @ (ATOM_EXT | ATOM_UTF8_EXT | SMALL_ATOM_EXT | SMALL_ATOM_UTF8_EXT) => self.atom_name(tag),
            _ => Err(self.refuse("holds a map key that is neither a string nor an atom")),
        }
    }

    fn big(&mut self, n: usize) -> Result<Value> {
        let negative = match self.u8()? {
            0 => false,
            1 => true,
            _ => return Err(self.refuse("holds a big integer with a bad sign byte")),
        };
        let digits = self.take(n)?;
        let significant = digits.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1);
        if significant > 8 {
            return Err(self.refuse("holds an integer beyond 64 bits"));
        }
        let mut le = [0u8; 8];
        le[..significant].copy_from_slice(&digits[..significant]);
        let magnitude = u64::from_le_bytes(le);
        if !negative {
            return Ok(Value::from(magnitude));
        }
        // -2^63 is the most negative i64; its magnitude does not fit i64 itself.
        match magnitude {
            m if m <= i64::MAX as u64 => Ok(Value::from(-(m as i64))),
            m if m == i64::MIN.unsigned_abs() => Ok(Value::from(i64::MIN)),
            _ => Err(self.refuse("holds an integer beyond 64 bits")),
        }
    }

    fn float(&self, f: f64) -> Result<Value> {
        Number::from_f64(f).map(Value::Number).ok_or_else(|| self.refuse("holds a float that is not finite"))
    }
}

/// Refuses a length a Rust slice cannot have.
fn slice_len(len: usize, name: &str) -> Result<usize> {
    if len > isize::MAX as usize {
        return Err(Error::InvalidArgument(format!("argument `{name}` is longer than any buffer can be")));
    }
    Ok(len)
}

/// Converts JSON text to Erlang's external term format, for `binary_to_term` (`enif_binary_to_term`)
/// with the `safe` option: objects become maps with binary keys, strings binaries, integers
/// integers, other numbers floats, arrays lists, and `true`, `false`, `null` the atoms `true`,
/// `false` and `nil`. `json` holds `json_len` bytes of UTF-8 text (no NUL needed). Malformed JSON
/// is `FIVETREX_STATUS_INVALID_ARGUMENT`.
///
/// Ownership: `json` is borrowed for the call. On success `*out_etf` receives `*out_len` bytes
/// the caller frees with `fivetrex_elixir_bytes_free(*out_etf, *out_len)` (never `free()`); on failure
/// `*out_etf` is NULL and `*out_len` 0. `*err` as for every fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_elixir_json_to_etf(
    json: *const c_char,
    json_len: usize,
    out_etf: Option<&mut *mut u8>,
    out_len: Option<&mut usize>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_etf, "out_etf")?;
        let len_slot = super::boundary::required(out_len, "out_len")?;
        *len_slot = 0;
        if json.is_null() {
            return Err(Error::InvalidArgument("argument `json` is NULL".into()));
        }
        // SAFETY: non-NULL, and the caller guarantees `json_len` readable bytes.
        let text = unsafe { std::slice::from_raw_parts(json.cast::<u8>(), slice_len(json_len, "json_len")?) };
        let bytes = json_to_etf(text)?.into_boxed_slice();
        *len_slot = bytes.len();
        *slot = Box::into_raw(bytes).cast::<u8>();
        Ok(fivetrex_status::Ok)
    })
}

/// Converts a term in Erlang's external term format (from `term_to_binary`, version byte
/// included, not compressed) to JSON text: maps with string or atom keys become objects, binaries
/// strings, integers up to 64 bits and floats numbers, lists arrays, the atoms `true` and `false`
/// booleans, `nil` (or `null`) null and any other atom a string. Tuples, pids, references, funs,
/// bitstrings, improper lists, larger integers and binaries that are not UTF-8 are
/// `FIVETREX_STATUS_INVALID_ARGUMENT`.
///
/// Ownership: `etf` (`etf_len` bytes) is borrowed for the call. On success `*out_json` receives a
/// string the caller frees with `fivetrex_string_free` (NULL on failure). `*err` as for every
/// fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_elixir_etf_to_json(
    etf: *const u8,
    etf_len: usize,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        if etf.is_null() {
            return Err(Error::InvalidArgument("argument `etf` is NULL".into()));
        }
        // SAFETY: non-NULL, and the caller guarantees `etf_len` readable bytes.
        let bytes = unsafe { std::slice::from_raw_parts(etf, slice_len(etf_len, "etf_len")?) };
        put_string(slot, etf_to_json(bytes)?)?;
        Ok(fivetrex_status::Ok)
    })
}

/// Releases bytes this library returned (`fivetrex_elixir_json_to_etf`). NULL is a no-op.
///
/// Ownership: takes back `bytes`, which must come from this library with exactly this `len`
/// and not have been freed.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_elixir_bytes_free(bytes: *mut u8, len: usize) {
    entry(None, || {
        if !bytes.is_null() {
            // SAFETY: the caller hands back the pointer and length of a boxed slice made by
            // fivetrex_elixir_json_to_etf.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes, len)) });
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn etf(json: &str) -> Vec<u8> {
        json_to_etf(json.as_bytes()).unwrap()
    }

    fn back(bytes: &[u8]) -> Value {
        serde_json::from_str(&etf_to_json(bytes).unwrap()).unwrap()
    }

    fn refused(bytes: &[u8]) -> String {
        match etf_to_json(bytes) {
            Err(Error::InvalidArgument(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    // The expected bytes are what `erlang:term_to_binary/1` gives for the same term (OTP 25),
    // except atoms, which OTP 25 writes as ATOM_EXT and we as SMALL_ATOM_UTF8_EXT (OTP 26's choice).
    #[test]
    fn integers_take_the_smallest_encoding_erlang_uses() {
        assert_eq!(etf("1"), [131, 97, 1]);
        assert_eq!(etf("255"), [131, 97, 255]);
        assert_eq!(etf("256"), [131, 98, 0, 0, 1, 0]);
        assert_eq!(etf("-1"), [131, 98, 255, 255, 255, 255]);
        assert_eq!(etf("2147483647"), [131, 98, 127, 255, 255, 255]);
        assert_eq!(etf("2147483648"), [131, 110, 4, 0, 0, 0, 0, 128]);
        assert_eq!(etf("-2147483649"), [131, 110, 4, 1, 1, 0, 0, 128]);
        assert_eq!(etf("18446744073709551615"), [131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 255]);
        assert_eq!(etf("-9223372036854775808"), [131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128]);
    }

    #[test]
    fn floats_strings_atoms_lists_and_maps() {
        assert_eq!(etf("1.5"), [131, 70, 63, 248, 0, 0, 0, 0, 0, 0]);
        assert_eq!(etf("\"héllo\""), [131, 109, 0, 0, 0, 6, 104, 195, 169, 108, 108, 111]);
        assert_eq!(etf("true"), [131, 119, 4, b't', b'r', b'u', b'e']);
        assert_eq!(etf("false"), [131, 119, 5, b'f', b'a', b'l', b's', b'e']);
        assert_eq!(etf("null"), [131, 119, 3, b'n', b'i', b'l']);
        assert_eq!(etf("[]"), [131, 106]);
        assert_eq!(etf("[1,2]"), [131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 106]);
        assert_eq!(etf(r#"{"a":1}"#), [131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, 97, 97, 1]);
        assert_eq!(etf("{}"), [131, 116, 0, 0, 0, 0]);
    }

    #[test]
    fn a_term_from_erlang_decodes() {
        // term_to_binary(#{<<"a">> => [1, 2.5, true, nil, <<"x">>]}) on OTP 25.
        let bytes = [
            131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, 97, 108, 0, 0, 0, 5, 97, 1, 70, 64, 4, 0, 0, 0, 0, 0, 0, 100, 0, 4,
            116, 114, 117, 101, 100, 0, 3, 110, 105, 108, 109, 0, 0, 0, 1, 120, 106,
        ];
        assert_eq!(back(&bytes), json!({"a": [1, 2.5, true, null, "x"]}));
        // term_to_binary(1.5, [{minor_version, 0}]): the old textual float.
        let mut old = vec![131, 99];
        old.extend_from_slice(b"1.50000000000000000000e+00\0\0\0\0\0");
        assert_eq!(back(&old), json!(1.5));
        // "ab" (a charlist) and the atom abc.
        assert_eq!(back(&[131, 107, 0, 2, 97, 98]), json!([97, 98]));
        assert_eq!(back(&[131, 100, 0, 3, 97, 98, 99]), json!("abc"));
    }

    #[test]
    fn round_trips_keep_every_value() {
        let doc = json!({
            "code": "Success",
            "data": {
                "items": [
                    {"id": "g1", "name": "Grüße", "created_at": "2024-01-01T00:00:00Z", "n": -7, "ok": true},
                    {"id": "g2", "nested": {"deep": [[], {}, [null]]}, "big": 9007199254740993u64, "f": -0.25}
                ],
                "next_cursor": null
            },
            "max": u64::MAX, "min": i64::MIN, "edge": [255, 256, -256, 2147483647, -2147483648]
        });
        assert_eq!(back(&etf(&doc.to_string())), doc);
    }

    #[test]
    fn atom_keys_and_atoms_become_strings() {
        // term_to_binary(#{name: :manual, ok: nil}) with atoms as SMALL_ATOM_UTF8_EXT.
        let bytes = [
            131, 116, 0, 0, 0, 2, 119, 4, b'n', b'a', b'm', b'e', 119, 6, b'm', b'a', b'n', b'u', b'a', b'l', 119, 2,
            b'o', b'k', 119, 3, b'n', b'i', b'l',
        ];
        assert_eq!(back(&bytes), json!({"name": "manual", "ok": null}));
    }

    #[test]
    fn terms_without_a_json_form_are_refused() {
        assert!(refused(&[131, 104, 1, 97, 1]).contains("tuple"));
        assert!(refused(&[131, 77, 0, 0, 0, 1, 3, 255]).contains("bitstring"));
        assert!(refused(&[131, 108, 0, 0, 0, 1, 97, 1, 97, 2]).contains("improper list"));
        assert!(refused(&[131, 109, 0, 0, 0, 2, 0xff, 0xfe]).contains("UTF-8"));
        assert!(refused(&[131, 110, 9, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]).contains("64 bits"));
        assert!(refused(&[131, 110, 8, 1, 1, 0, 0, 0, 0, 0, 0, 128]).contains("64 bits"));
        assert!(refused(&[131, 116, 0, 0, 0, 1, 97, 1, 97, 1]).contains("map key"));
        assert!(refused(&[131, 80, 0, 0, 0, 1]).contains("compressed"));
        assert!(refused(&[131, 88, 0]).contains("tag 88"));
        // Two keys (a binary and an atom) naming the same JSON key.
        assert!(refused(&[131, 116, 0, 0, 0, 2, 109, 0, 0, 0, 1, b'a', 97, 1, 119, 1, b'a', 97, 2]).contains("same"));
    }

    #[test]
    fn malformed_bytes_are_refused_not_trusted() {
        assert!(refused(&[]).contains("cut short"));
        assert!(refused(&[130, 97, 1]).contains("version byte"));
        assert!(refused(&[131, 97]).contains("cut short"));
        assert!(refused(&[131, 97, 1, 0]).contains("bytes after"));
        // A list announcing 4 billion elements in a few bytes: refused before any allocation.
        assert!(refused(&[131, 108, 255, 255, 255, 255, 106]).contains("more elements"));
        assert!(refused(&[131, 116, 255, 255, 255, 255]).contains("more elements"));
        assert!(refused(&[131, 109, 255, 255, 255, 255, 1]).contains("cut short"));
        let mut deep = vec![131];
        for _ in 0..200 {
            deep.extend_from_slice(&[108, 0, 0, 0, 1]);
        }
        assert!(refused(&deep).contains("deeper"));
    }

    #[test]
    fn mutated_terms_are_decoded_or_refused_never_a_panic() {
        let doc = json!({"items": [{"id": "a", "n": -70000, "f": 0.5, "ok": [true, false, null]}], "next": 1u64 << 40});
        let valid = etf(&doc.to_string());
        // xorshift: deterministic, no dependency.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = valid.clone();
            for _ in 0..1 + next() % 4 {
                if bytes.len() < 2 {
                    break;
                }
                let i = 1 + (next() as usize) % (bytes.len() - 1);
                match next() % 3 {
                    0 => bytes[i] = next() as u8,
                    1 => bytes.truncate(i),
                    _ => bytes.insert(i, next() as u8),
                }
            }
            if let Ok(text) = etf_to_json(&bytes) {
                assert!(serde_json::from_str::<Value>(&text).is_ok(), "{text}");
            }
        }
    }

    #[test]
    fn malformed_json_is_refused() {
        for bad in ["", "{", "[1,]", "nul", "{\"a\" 1}", "1e999"] {
            assert!(matches!(json_to_etf(bad.as_bytes()), Err(Error::InvalidArgument(_))), "{bad:?} should be refused");
        }
    }

    #[test]
    fn the_c_functions_hand_over_and_take_back_their_buffers() {
        let json = br#"{"items":[1,"x"],"next_cursor":null}"#;
        let mut bytes: *mut u8 = std::ptr::null_mut();
        let mut len = 0usize;
        let mut err: *mut fivetrex_error = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_elixir_json_to_etf(
                json.as_ptr().cast(),
                json.len(),
                Some(&mut bytes),
                Some(&mut len),
                Some(&mut err),
            )
        };
        assert_eq!(status, fivetrex_status::Ok);
        assert!(err.is_null() && !bytes.is_null());
        let mut text: *mut c_char = std::ptr::null_mut();
        let status = unsafe { fivetrex_elixir_etf_to_json(bytes, len, Some(&mut text), Some(&mut err)) };
        assert_eq!(status, fivetrex_status::Ok);
        let round = unsafe { std::ffi::CStr::from_ptr(text) }.to_str().unwrap().to_owned();
        assert_eq!(round.as_bytes(), json);
        unsafe {
            super::super::fivetrex_string_free(text);
            fivetrex_elixir_bytes_free(bytes, len);
        }

        let status = unsafe {
            fivetrex_elixir_json_to_etf(b"{".as_ptr().cast(), 1, Some(&mut bytes), Some(&mut len), Some(&mut err))
        };
        assert_eq!(status, fivetrex_status::InvalidArgument);
        assert!(bytes.is_null() && len == 0 && !err.is_null());
        super::super::fivetrex_error_free(Some(unsafe { Box::from_raw(err) }));
        let status = unsafe { fivetrex_elixir_etf_to_json(std::ptr::null(), 0, Some(&mut text), None) };
        assert_eq!(status, fivetrex_status::InvalidArgument);
        assert!(text.is_null());
        unsafe { fivetrex_elixir_bytes_free(std::ptr::null_mut(), 0) };
    }
}
