//! Transport security: certificates are verified, `Authorization` does not follow redirects to
//! another host, oversized bodies are refused without being held.

use crate::support::*;
use fivetrex::{ErrorKind, RetryPolicy, TransportErrorKind};
use httpmock::prelude::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

/// A TLS server on loopback presenting a self-signed certificate for `localhost`; it answers any
/// request that gets through with a valid group, so only verification can make the call fail.
fn untrusted_tls_server() -> u16 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let cert = CertificateDer::from_pem_file(format!("{dir}/selfsigned-cert.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/selfsigned-key.pem")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(stream) = stream else { continue };
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let mut buf = [0u8; 4096];
            if tls.read(&mut buf).is_ok() {
                let body = data(group(1)).to_string();
                let _ = write!(tls, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
            }
        }
    });
    port
}

#[test]
fn an_untrusted_certificate_is_refused_before_anything_is_sent() {
    let port = untrusted_tls_server();
    let (client, clock) = client(&format!("https://localhost:{port}"));
    let err = client.group("g").unwrap_err();
    match &err {
        fivetrex::Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::Tls, "{err}"),
        other => panic!("expected a TLS error, got {other:?}"),
    }
    assert!(!err.request_may_have_been_sent());
    // A certificate problem does not go away by retrying.
    assert!(clock.sleeps().is_empty());
}

#[test]
fn redirects_are_not_followed_so_authorization_never_reaches_another_host() {
    let other = MockServer::start();
    let landed = other.mock(|when, then| {
        when.path("/v1/groups/g").header_missing("authorization");
        then.status(200).json_body(data(group(1)));
    });
    let leaked = other.mock(|when, then| {
        when.path("/v1/groups/g").header_exists("authorization");
        then.status(200).json_body(data(group(2)));
    });
    let server = MockServer::start();
    let redirect = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(302).header("Location", other.url("/v1/groups/g"));
    });
    let (client, _) = client(&server.base_url());
    let err = client.group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.status(), Some(302));
    redirect.assert_calls(1);
    leaked.assert_calls(0);
    landed.assert_calls(0);
}

#[test]
fn a_body_over_the_limit_is_a_clear_error() {
    let server = MockServer::start();
    let big = server.mock(|when, then| {
        when.path("/v1/groups");
        then.status(200).body(vec![b' '; 3 * 1024 * 1024]);
    });
    let clock = Arc::new(fivetrex::retry::ManualClock::new());
    let client = builder(&server.base_url(), &clock).max_response_bytes(1024 * 1024).build().unwrap();
    let err = client.groups().next().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    match &err {
        fivetrex::Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::BodyTooLarge),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("1048576"), "{err}");
    big.assert_calls(1);
    assert!(clock.sleeps().is_empty(), "an oversized body is not retried");
    // Exactly at the limit is fine.
    let ok_server = MockServer::start();
    let body = data(group(1)).to_string();
    ok_server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(200).body(body.clone());
    });
    let client = builder(&ok_server.base_url(), &clock)
        .max_response_bytes(body.len() as u64)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(client.group("g").unwrap().id, "group_1");
}

/// Every text an error shows: `Display`, `Debug` and the API's fields.
fn error_texts(err: &fivetrex::Error) -> Vec<String> {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    texts.extend(err.api_message().map(str::to_owned));
    texts.extend(err.api_code().map(str::to_owned));
    if let Some(api) = err.api_error() {
        texts.push(api.body_snippet.clone());
    }
    texts
}

#[test]
fn a_server_echoing_the_credentials_never_gets_them_into_errors() {
    let b64 = auth_header()["Basic ".len()..].to_owned();
    // A 401 echoing the header and the secret in the envelope, a 200 that does not decode and
    // echoes them in the body, a proxy page cut at the snippet limit in the middle of the secret.
    let cut = "x".repeat(512 - 10) + SECRET;
    let server = RawServer::start(move |seq, req| {
        let auth = req.header("authorization").unwrap_or_default().to_owned();
        match seq {
            0 => Reply::json(
                401,
                &serde_json::json!({"code": format!("Bad {SECRET}"), "message": format!("you sent {auth} ({SECRET})")}),
            ),
            1 => Reply::Answer { status: 200, headers: vec![], body: format!("<p>{auth} {SECRET}</p>").into_bytes() },
            _ => Reply::Answer { status: 502, headers: vec![], body: cut.clone().into_bytes() },
        }
    });
    let client = client_no_retry(&server.url());
    for call in 0..3 {
        let err = client.group("g").unwrap_err();
        for text in error_texts(&err) {
            assert!(!text.contains(SECRET) && !text.contains(&b64), "call {call}: {text}");
            assert!(!text.contains(&SECRET[..4]) || call != 2, "call {call}: a cut secret shows: {text}");
        }
        assert!(err.to_string().contains("***"), "call {call}: {err}");
    }
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn control_characters_from_a_server_are_escaped_in_error_display() {
    let forged = "gone\r\nINFO fivetrex: all good\u{1b}[2J\u{0}\u{7f}";
    let server = RawServer::start(move |seq, _| match seq {
        0 => Reply::json(404, &serde_json::json!({"code": "NotFound\n", "message": forged})),
        1 => Reply::Answer { status: 500, headers: vec![], body: forged.as_bytes().to_vec() },
        _ => Reply::Answer { status: 200, headers: vec![], body: forged.as_bytes().to_vec() },
    });
    let client = client_no_retry(&server.url());
    for call in 0..3 {
        let err = client.group("g").unwrap_err();
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "call {call}: {shown:?}");
        assert!(shown.contains(r"gone\r\nINFO fivetrex: all good\u{1b}[2J"), "call {call}: {shown}");
    }
    // The fields keep what the server sent, for a caller who wants it.
    assert_eq!(server.requests().len(), 3);
}
