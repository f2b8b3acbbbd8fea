// Shared by the fuzz target and the stable regression test (tests/it/fuzz_regressions.rs).
use fivetrex::time::{format_http_date, parse_http_date};
use fivetrex::Timestamp;

/// One fuzz input.
pub fn fuzz_timestamps(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some(t) = Timestamp::parse(s) {
        assert_eq!(Timestamp::parse(&t.to_string()), Some(t), "{s:?}");
    }
    if let Some(t) = parse_http_date(s) {
        assert_eq!(parse_http_date(&format_http_date(t)), Some(t), "{s:?}");
    }
}
