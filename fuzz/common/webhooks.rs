// Shared by the fuzz target and the stable regression test (tests/it/fuzz_regressions.rs).
use fivetrex::webhook::{parse_event, sign, verify_and_parse, verify_signature};

/// One fuzz input: `[secret length][secret][header length][header][body]`. Whatever the bytes,
/// verification and parsing return a value or an error (no panic); a body signed with `sign`
/// verifies and parses exactly as `parse_event` reads it; the fuzzed header verifies only if it
/// is that signature (any hex case, surrounding whitespace ignored).
pub fn fuzz_webhooks(data: &[u8]) {
    let mut rest = data;
    let mut take = |n: usize| {
        let (head, tail) = rest.split_at(n.min(rest.len()));
        rest = tail;
        head
    };
    let secret_len = take(1).first().copied().unwrap_or(0) as usize;
    let secret = take(secret_len);
    let header_len = take(1).first().copied().unwrap_or(0) as usize;
    let header = String::from_utf8_lossy(take(header_len)).into_owned();
    let body = rest;

    let genuine = sign(secret, body);
    assert!(verify_signature(secret, body, &genuine).is_ok());
    assert!(verify_signature(secret, body, &genuine.to_lowercase()).is_ok());
    let fuzzed = verify_signature(secret, body, &header);
    let is_genuine = header.trim().eq_ignore_ascii_case(&genuine);
    assert_eq!(fuzzed.is_ok(), is_genuine, "header {header:?} vs {genuine}");

    let parsed = parse_event(body);
    match (&parsed, verify_and_parse(secret, body, &genuine)) {
        (Ok(a), Ok(b)) => assert_eq!(a, &b),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("parse_event {a:?} but verify_and_parse {b:?}"),
    }
    if let Ok(event) = parsed {
        let _ = (event.connection(), event.connection_schema(), event.status(), format!("{event:?}"));
        let _ = serde_json::to_vec(&event);
    }
}
