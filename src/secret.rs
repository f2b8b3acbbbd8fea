//! A string that never shows itself in `Debug` or `Display`, and is wiped when dropped.

use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// Holds a credential (API secret, `Authorization` value, a connector password).
///
/// `Debug` prints `Secret(***)`; the only way to the text is [`Secret::expose`]. Its bytes are
/// overwritten with zeros when it is dropped, so a freed allocation does not keep the credential
/// for whatever reuses that memory (or for a core dump). A client keeps one such copy, the
/// `Authorization` value; the secret given to the builder is wiped once the client is built.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The wrapped value. Keep the result out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// `Basic base64(key:secret)`.
pub(crate) fn basic_auth(key: &str, secret: &str) -> Secret {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let raw = Zeroizing::new(format!("{key}:{secret}"));
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(6 + bytes.len().div_ceil(3) * 4);
    out.push_str("Basic ");
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    Secret(out)
}

/// The secret inside an `Authorization: Basic base64(key:secret)` value (wiped on drop), and the
/// base64 text; `None` for a value this crate did not make.
pub(crate) fn basic_auth_parts(auth: &str) -> Option<(Zeroizing<String>, &str)> {
    let encoded = auth.strip_prefix("Basic ")?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(encoded.len() / 4 * 3));
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in encoded.bytes().take_while(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    let text = std::str::from_utf8(&bytes).ok()?;
    let (_, secret) = text.split_once(':')?;
    Some((Zeroizing::new(secret.to_owned()), encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_matches_rfc_7617_example() {
        assert_eq!(basic_auth("Aladdin", "open sesame").expose(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(basic_auth("a", "").expose(), "Basic YTo=");
        assert_eq!(basic_auth("ab", "c").expose(), "Basic YWI6Yw==");
    }

    #[test]
    fn the_secret_comes_back_out_of_the_header_value() {
        for (key, secret) in [("Aladdin", "open sesame"), ("a", "b:c"), ("key", "é!")] {
            let auth = basic_auth(key, secret);
            let (s, encoded) = basic_auth_parts(auth.expose()).unwrap();
            assert_eq!((s.as_str(), encoded), (secret, &auth.expose()[6..]));
        }
        assert!(basic_auth_parts("Bearer x").is_none());
    }

    #[test]
    fn debug_hides_value() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
