//! Timestamps: RFC 3339 as the API writes them (any fraction length, `Z` or an offset), and the
//! HTTP-date form of `Retry-After`. Hand-written to keep the dependency list short; both parsers
//! reject anything malformed instead of guessing.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 0000-01-01T00:00:00Z
const MIN_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z
const MAX_SECS: i64 = 253_402_300_799;

/// A point in time, UTC, with nanosecond precision.
///
/// Parses RFC 3339 with any number of fraction digits and any offset; prints RFC 3339 in UTC.
/// Converts to [`SystemTime`] and to Unix seconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// From seconds and nanoseconds since the Unix epoch; `None` outside the years 0000 to 9999
    /// (the range RFC 3339 can write) or for `nanos` of a second or more.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Self> {
        (nanos < 1_000_000_000 && (MIN_SECS..=MAX_SECS).contains(&secs)).then_some(Timestamp { secs, nanos })
    }

    /// Whole seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`Timestamp::unix_seconds`].
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(&self) -> SystemTime {
        if self.secs >= 0 {
            UNIX_EPOCH + Duration::new(self.secs as u64, self.nanos)
        } else {
            UNIX_EPOCH - Duration::from_secs(self.secs.unsigned_abs()) + Duration::from_nanos(u64::from(self.nanos))
        }
    }

    /// From a [`SystemTime`] (clamped to the years 0000 to 9999).
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp { secs: d.as_secs() as i64, nanos: d.subsec_nanos() },
            Err(e) => {
                let d = e.duration();
                let mut secs = -(d.as_secs() as i64);
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                Timestamp { secs, nanos }
            }
        }
        .clamped()
    }

    fn clamped(self) -> Self {
        if self.secs < MIN_SECS {
            Timestamp { secs: MIN_SECS, nanos: 0 }
        } else if self.secs > MAX_SECS {
            Timestamp { secs: MAX_SECS, nanos: 999_999_999 }
        } else {
            self
        }
    }

    /// Parses RFC 3339 (`2024-01-01T00:00:00Z`, `2024-01-01T00:00:00.123456+02:00`, ...).
    /// A space instead of `T` and a lower-case `t`/`z` are accepted.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let year = digits(b, 0, 4)? as i64;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..9 {
                nanos *= 10;
            }
        }
        let offset = match b.get(i)? {
            b'Z' | b'z' if i + 1 == b.len() => 0,
            sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
                let h = digits(b, i + 1, 2)? as i64;
                let m = digits(b, i + 4, 2)? as i64;
                if h > 23 || m > 59 {
                    return None;
                }
                let o = h * 3600 + m * 60;
                if *sign == b'+' {
                    o
                } else {
                    -o
                }
            }
            _ => return None,
        };
        // A leap second is folded into the next second rather than refused.
        let secs = days_from_civil(year, month, day) * 86_400
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second)
            - offset;
        // An offset can carry a written 9999-12-31 past the last instant RFC 3339 can write in
        // UTC (or 0000-01-01 before the first): refused, not clamped to another instant.
        Timestamp::from_unix(secs, nanos)
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(at..at + n)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// RFC 3339 text on the stack: `YYYY-MM-DDTHH:MM:SS`, up to nine fraction digits, `Z`.
struct Rfc3339 {
    buf: [u8; 30],
    len: usize,
}

impl Rfc3339 {
    fn as_str(&self) -> &str {
        // SAFETY: only ASCII digits and separators are ever written (`Timestamp::rfc3339`), and
        // `len` is at most the buffer's length, so the bytes are UTF-8 without checking again.
        unsafe { std::str::from_utf8_unchecked(self.buf.get(..self.len).unwrap_or_default()) }
    }
}

impl Timestamp {
    /// Writes the text digit by digit, because `write!` with padded fields is far slower and
    /// serialising a list of connections writes three timestamps per connection.
    fn rfc3339(&self) -> Rfc3339 {
        fn two(buf: &mut [u8], at: usize, v: u32) {
            buf[at] = b'0' + (v / 10 % 10) as u8;
            buf[at + 1] = b'0' + (v % 10) as u8;
        }
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        // Every constructor keeps the year within 0000..=9999: four digits.
        let y = y.clamp(0, 9999) as u32;
        let mut buf = *b"0000-00-00T00:00:00.000000000Z";
        two(&mut buf, 0, y / 100);
        two(&mut buf, 2, y % 100);
        two(&mut buf, 5, m);
        two(&mut buf, 8, d);
        two(&mut buf, 11, rem / 3600);
        two(&mut buf, 14, rem / 60 % 60);
        two(&mut buf, 17, rem % 60);
        if self.nanos == 0 {
            buf[19] = b'Z';
            return Rfc3339 { buf, len: 20 };
        }
        // Milliseconds or microseconds (what the API writes) need only three or six digits.
        let (mut n, mut end) = match self.nanos {
            n if n % 1_000_000 == 0 => (n / 1_000_000, 23),
            n if n % 1_000 == 0 => (n / 1_000, 26),
            n => (n, 29),
        };
        for i in (20..end).rev() {
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        // Trailing zeros of the fraction are dropped.
        while buf[end - 1] == b'0' {
            end -= 1;
        }
        buf[end] = b'Z';
        Rfc3339 { buf, len: end + 1 }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rfc3339().as_str())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl std::str::FromStr for Timestamp {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Timestamp::parse(s).ok_or_else(|| crate::Error::InvalidArgument(format!("not an RFC 3339 timestamp: {s:?}")))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.rfc3339().as_str())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TimestampVisitor)
    }
}

/// Parses the string where the deserializer holds it: a `Cow<str>` would copy every timestamp
/// into a `String` first (serde never borrows into a `Cow`), three allocations per connection.
struct TimestampVisitor;

impl<'de> serde::de::Visitor<'de> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Timestamp, E> {
        Timestamp::parse(s).ok_or_else(|| E::custom(format!("not an RFC 3339 timestamp: {s:?}")))
    }

    fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Timestamp, E> {
        match std::str::from_utf8(b) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(b), &self)),
        }
    }
}

/// Serde for `Option<Timestamp>` where the API may also send `null` or `""`: use with
/// `#[serde(default, with = "crate::time::opt_serde")]`.
pub(crate) mod opt_serde {
    use super::{Timestamp, TimestampVisitor};
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serialize, Serializer};
    use std::fmt;

    pub(crate) fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        d.deserialize_option(OptVisitor)
    }

    /// `null` and `""` are `None`; a string is parsed without being copied.
    struct OptVisitor;

    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<Timestamp>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            match s {
                "" => Ok(None),
                s => TimestampVisitor.visit_str(s).map(Some),
            }
        }

        fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Self::Value, E> {
            match std::str::from_utf8(b) {
                Ok(s) => self.visit_str(s),
                Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(b), &self)),
            }
        }
    }
}

/// Parses an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`; also the obsolete RFC 850 and asctime
/// forms) as used by `Retry-After`.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month_of = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i as u32 + 1);
    let parts: Vec<&str> = s.split_ascii_whitespace().collect();
    let (day, month, year, clock) = match parts.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [_, d, m, y, t, "GMT"] => (d.parse().ok()?, month_of(m)?, y.parse::<i64>().ok()?, *t),
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [_, dmy, t, "GMT"] => {
            let mut it = dmy.split('-');
            let d = it.next()?.parse().ok()?;
            let m = month_of(it.next()?)?;
            let y: i64 = it.next()?.parse().ok()?;
            (
                d,
                m,
                if y < 70 {
                    2000 + y
                } else if y < 100 {
                    1900 + y
                } else {
                    y
                },
                *t,
            )
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_, m, d, t, y] => (d.parse().ok()?, month_of(m)?, y.parse().ok()?, *t),
        _ => return None,
    };
    if !(0..=9999).contains(&year) {
        return None;
    }
    let tb = clock.as_bytes();
    if tb.len() != 8 || tb[2] != b':' || tb[5] != b':' {
        return None;
    }
    let (h, mi, se) = (digits(tb, 0, 2)?, digits(tb, 3, 2)?, digits(tb, 6, 2)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + i64::from(h * 3600 + mi * 60 + se);
    Timestamp::from_unix(secs, 0).map(|t| t.to_system_time())
}

/// Formats a time as an IMF-fixdate (for servers and tests).
pub fn format_http_date(t: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let ts = Timestamp::from_system_time(t);
    let days = ts.secs.div_euclid(86_400);
    let rem = ts.secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[m as usize - 1],
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_fraction_and_offset() {
        let a = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(a.unix_seconds(), 1_704_067_200);
        let b = Timestamp::parse("2024-01-01T00:00:00.1Z").unwrap();
        assert_eq!(b.subsec_nanos(), 100_000_000);
        let c = Timestamp::parse("2024-01-01T02:00:00.123456789123+02:00").unwrap();
        assert_eq!((c.unix_seconds(), c.subsec_nanos()), (1_704_067_200, 123_456_789));
        assert_eq!(Timestamp::parse("1969-12-31T23:59:59Z").unwrap().unix_seconds(), -1);
        assert_eq!(c.to_string(), "2024-01-01T00:00:00.123456789Z");
        assert_eq!(a.to_string(), "2024-01-01T00:00:00Z");
    }

    #[test]
    fn refuses_malformed() {
        for s in [
            "",
            "2024-01-01",
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0200",
            "2024-01-01T25:00:00Z",
            "２024-01-01T00:00:00Z",
        ] {
            assert!(Timestamp::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn serde_reads_strings_null_and_empty_and_words_errors_as_before() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(default, with = "crate::time::opt_serde")]
            at: Option<Timestamp>,
        }
        let at = |json: &str| serde_json::from_str::<T>(json).map(|t| t.at);
        let want = Timestamp::parse("2024-01-01T00:00:00Z");
        assert_eq!(at(r#"{"at":"2024-01-01T00:00:00Z"}"#).unwrap(), want);
        // An escaped string is not borrowed from the input; it must parse all the same.
        assert_eq!(at(r#"{"at":"2024-01-01T00:00:00\u005a"}"#).unwrap(), want);
        assert_eq!(at(r#"{"at":null}"#).unwrap(), None);
        assert_eq!(at(r#"{"at":""}"#).unwrap(), None);
        assert_eq!(at("{}").unwrap(), None);
        let bad = at(r#"{"at":"yesterday"}"#).unwrap_err().to_string();
        assert!(bad.contains(r#"not an RFC 3339 timestamp: "yesterday""#), "{bad}");
        let bad = at(r#"{"at":42}"#).unwrap_err().to_string();
        assert!(bad.contains("expected a string"), "{bad}");
        let plain = |json: &str| serde_json::from_str::<Timestamp>(json);
        assert_eq!(plain(r#""2024-01-01T00:00:00Z""#).ok(), want);
        assert!(plain(r#""""#).unwrap_err().to_string().contains("not an RFC 3339 timestamp"));
        assert!(plain("null").unwrap_err().to_string().contains("expected a string"));
    }

    #[test]
    fn display_matches_the_formatted_form() {
        let formatted = |t: Timestamp| {
            let days = t.secs.div_euclid(86_400);
            let rem = t.secs.rem_euclid(86_400);
            let (y, m, d) = civil_from_days(days);
            let mut s = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60);
            if t.nanos != 0 {
                s.push_str(format!(".{:09}", t.nanos).trim_end_matches('0'));
            }
            s + "Z"
        };
        let mut secs = MIN_SECS;
        let mut nanos = 0u32;
        while secs <= MAX_SECS {
            for t in [Timestamp::from_unix(secs, nanos).unwrap(), Timestamp::from_unix(secs, 0).unwrap()] {
                assert_eq!(t.to_string(), formatted(t));
                assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", formatted(t)));
            }
            secs += 86_400 * 97 + 3_607;
            nanos = (nanos + 123_456_789) % 1_000_000_000;
        }
        let edge = [(MIN_SECS, 0), (MAX_SECS, 999_999_999), (0, 1), (0, 100_000_000), (-1, 999_999_999)];
        for (secs, nanos) in edge {
            let t = Timestamp::from_unix(secs, nanos).unwrap();
            assert_eq!(t.to_string(), formatted(t));
        }
        // Whole milliseconds and microseconds take shorter paths.
        for nanos in [1_000, 5_000, 999_000, 1_000_000, 10_000_000, 120_000_000, 482_000_000, 999_999_000, 999_000_000]
        {
            let t = Timestamp::from_unix(1_704_067_200, nanos).unwrap();
            assert_eq!(t.to_string(), formatted(t), "{nanos}");
        }
        assert_eq!(Timestamp::from_unix(0, 120_000_000).unwrap().to_string(), "1970-01-01T00:00:00.12Z");
        assert_eq!(Timestamp::from_unix(0, 5_000).unwrap().to_string(), "1970-01-01T00:00:00.000005Z");
        assert_eq!(Timestamp::from_unix(0, 1).unwrap().to_string(), "1970-01-01T00:00:00.000000001Z");
        assert_eq!(Timestamp::from_unix(MAX_SECS, 0).unwrap().to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn round_trips_through_display() {
        for secs in [-86_400 * 365 * 100, -1, 0, 951_782_400, 1_704_067_200, 4_102_444_800] {
            let t = Timestamp::from_unix(secs, 5_000).unwrap();
            assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
            assert_eq!(Timestamp::from_system_time(t.to_system_time()), t);
        }
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let want = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(want));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(want));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(want));
        assert_eq!(format_http_date(want), "Sun, 06 Nov 1994 08:49:37 GMT");
        for bad in [
            "",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
