//! The fault matrix: every row is a real loopback server (the emulator's fault injection,
//! httpmock, or [`RawServer`] where the fault must be exact on the wire) and the Rust API on
//! top, with requests counted at the server and waits at the clock.
//!
//! Rows covered elsewhere and not repeated here: `Retry-After` in seconds, as an HTTP-date,
//! missing, garbage and 3600 (tests/it/client.rs), the emulator's quota 429 and 503 bursts
//! (tests/it/emulator.rs), the status-to-kind table with JSON, HTML and empty bodies
//! (client.rs), a body over the limit with a `Content-Length` (tests/it/security.rs).
//!
//! Every row hands the errors and models it sees to [`seen`], and every row turns on the
//! capturing logger, so [`secrets_never_reach_debug_display_errors_or_logs`] checks all of it.

use crate::support::*;
use fivetrex::retry::{Clock, ManualClock};
use fivetrex::{Client, Error, ErrorKind, RetryPolicy, TransportErrorKind};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt;
use std::sync::{mpsc, Arc, Mutex, Once};
use std::thread::ThreadId;
use std::time::{Duration, Instant, SystemTime};

const MS: fn(u64) -> Duration = Duration::from_millis;
const S: fn(u64) -> Duration = Duration::from_secs;

/// The default policy's waits without jitter: 0.5 s doubling, one fewer than its 5 attempts.
fn default_waits() -> Vec<Duration> {
    vec![MS(500), S(1), S(2), S(4)]
}

// ---------------------------------------------------------------------------------------------
// What the library says: every row's errors and models, and every log line.

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
static LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static WIRE_DUMP_LINES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Keeps the `Display` and `Debug` of what a row saw, for the secrets check.
fn seen<T: fmt::Debug + fmt::Display>(v: T) -> T {
    SEEN.lock().unwrap().extend([v.to_string(), format!("{v:?}")]);
    v
}

/// Keeps the `Debug` of a model.
fn seen_debug<T: fmt::Debug>(v: T) -> T {
    SEEN.lock().unwrap().push(format!("{v:?}"));
    v
}

/// Log targets of the test servers (httpmock and the stack under it): the server side, which
/// sees the credentials by design.
const SERVER_SIDE: &[&str] = &["httpmock", "hyper", "tokio", "h2", "mio", "want", "tracing"];

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if SERVER_SIDE.iter().any(|p| record.target().starts_with(p)) {
            return;
        }
        // ureq-proto's TRACE dump of the wire (16 bytes a line) is counted, not kept: it is the
        // documented exception, and a large body makes hundreds of thousands of lines.
        if record.level() == log::Level::Trace && record.target() == fivetrex::transport::WIRE_DUMP_TARGET {
            WIRE_DUMP_LINES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        LOGS.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

/// Installs the capturing logger at `Trace` (once per process; other tests' lines are captured
/// too once it is in).
fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        static CAPTURE: Capture = Capture;
        log::set_logger(&CAPTURE).expect("no other logger in the test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// A client with the test credentials, a manual clock, no jitter, and `timeout` per request.
fn timed_client(url: &str, timeout: Duration, policy: RetryPolicy) -> (Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let client = builder(url, &clock).timeout(timeout).retry_policy(policy).build().unwrap();
    (client, clock)
}

fn no_jitter() -> RetryPolicy {
    RetryPolicy::default().with_jitter(false)
}

// ---------------------------------------------------------------------------------------------
// A reset in the middle of a body, a body cut short, a server that stops answering.

/// The wire faults, each with the error it must become.
#[derive(Clone, Copy, Debug)]
enum WireFault {
    /// The head promises 1000 bytes, 10 arrive, then a TCP reset.
    ResetMidBody,
    /// The head promises 1000 bytes, 10 arrive, then a clean close.
    CutShort,
    /// A chunk promises twice what arrives, then a clean close.
    CutShortChunked,
    /// The request is read and never answered.
    Stall,
}

const WIRE_FAULTS: [WireFault; 4] =
    [WireFault::ResetMidBody, WireFault::CutShort, WireFault::CutShortChunked, WireFault::Stall];

/// The per-request timeout of these rows: short, so the stalls cost little wall time.
const TIMEOUT: Duration = Duration::from_millis(250);

impl WireFault {
    fn reply(self) -> Reply {
        let part = br#"{"code":"Su"#.to_vec();
        match self {
            WireFault::ResetMidBody => Reply::ResetMidBody { declared: 1000, body: part },
            WireFault::CutShort => Reply::CutShort { declared: 1000, body: part },
            WireFault::CutShortChunked => Reply::CutShortChunked { body: part },
            WireFault::Stall => Reply::Stall,
        }
    }

    /// Checks the error is of the right kind and admits the request may have been seen (it was:
    /// the server read it).
    fn check(self, err: &Error) {
        assert!(err.request_may_have_been_sent(), "{self:?}: {err}");
        match (self, err) {
            (WireFault::Stall, Error::Timeout { .. }) => {}
            // ureq reports a reset in a body as the peer going away, like a close.
            (WireFault::ResetMidBody | WireFault::CutShort | WireFault::CutShortChunked, Error::Transport(t)) => {
                assert_eq!(t.kind, TransportErrorKind::Io, "{self:?}: {err}");
            }
            _ => panic!("{self:?} gave the wrong error: {err:?}"),
        }
    }
}

#[test]
fn the_reset_fixture_really_resets() {
    use std::io::{Read, Write};
    // The client cannot tell a reset from a close in the middle of a body, so check here that
    // the server sends RST, not FIN: otherwise the reset rows would test the close twice.
    let server = RawServer::start(|_, _| WireFault::ResetMidBody.reply());
    let mut s = std::net::TcpStream::connect(server.url().trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(S(5))).unwrap();
    s.write_all(b"GET /v1/groups/g HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let ending = loop {
        match s.read(&mut buf) {
            Ok(0) => break "a clean close",
            Ok(_) => continue,
            Err(e) => break if e.kind() == std::io::ErrorKind::ConnectionReset { "reset" } else { "another error" },
        }
    };
    assert_eq!(ending, "reset");
}

#[test]
fn a_get_hit_once_by_a_wire_fault_is_retried_and_succeeds() {
    capture_logs();
    for fault in WIRE_FAULTS {
        let server = RawServer::start(move |seq, _| match seq {
            0 => fault.reply(),
            _ => Reply::json(200, &data(group(1))),
        });
        let failures = Arc::new(Mutex::new(Vec::new()));
        let f = failures.clone();
        let clock = Arc::new(ManualClock::new());
        let client = builder(&server.url(), &clock)
            .timeout(TIMEOUT)
            .on_retry(move |e| f.lock().unwrap().push(seen(e.error.to_string())))
            .build()
            .unwrap();
        let started = Instant::now();
        let g = seen_debug(client.group("g").unwrap_or_else(|e| panic!("{fault:?}: {e}")));
        let took = started.elapsed();
        assert_eq!(g.id, "group_1");
        assert_eq!(server.requests().len(), 2, "{fault:?}: the fault, then the retry");
        assert!(server.requests().iter().all(|r| r.method == "GET" && r.path() == "/v1/groups/g"));
        assert_eq!(clock.sleeps(), [MS(500)], "{fault:?}: the policy's first wait");
        assert_eq!(failures.lock().unwrap().len(), 1, "{fault:?}");
        // A stall costs one timeout; the others fail at once. Nothing hangs.
        assert!(took < TIMEOUT + S(2), "{fault:?} took {took:?}");
    }
}

#[test]
fn a_get_that_keeps_failing_on_the_wire_stops_after_the_configured_attempts() {
    capture_logs();
    for fault in WIRE_FAULTS {
        let server = RawServer::start(move |_, _| fault.reply());
        let (client, clock) = timed_client(&server.url(), TIMEOUT, no_jitter());
        let started = Instant::now();
        let err = seen(client.group("g").unwrap_err());
        let took = started.elapsed();
        fault.check(&err);
        assert_eq!(server.requests().len(), 5, "{fault:?}");
        assert_eq!(clock.sleeps(), default_waits(), "{fault:?}");
        if let WireFault::Stall = fault {
            // Five attempts, each cut off by the timeout: bounded by the configuration, with margin.
            assert!(took >= TIMEOUT * 5, "{fault:?}: {took:?}, so an attempt did not wait for its timeout");
            assert!(took < TIMEOUT * 5 + S(3), "{fault:?}: {took:?}");
        } else {
            assert!(took < S(3), "{fault:?}: {took:?}");
        }
    }
}

#[test]
fn a_create_hit_by_a_wire_fault_is_sent_once_unless_the_policy_allows_more() {
    capture_logs();
    // The first request meets the fault, any later one is created.
    let serve = |fault: WireFault| {
        RawServer::start(move |seq, _| match seq {
            0 => fault.reply(),
            _ => Reply::json(201, &data(group(7))),
        })
    };
    for fault in WIRE_FAULTS {
        let server = serve(fault);
        let (client, clock) = timed_client(&server.url(), TIMEOUT, no_jitter());
        let started = Instant::now();
        let err = seen(client.create_group("New").unwrap_err());
        fault.check(&err);
        assert!(started.elapsed() < TIMEOUT + S(2), "{fault:?}");
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{fault:?}: exactly one create reached the server");
        assert_eq!((requests[0].method.as_str(), requests[0].body.as_slice()), ("POST", &br#"{"name":"New"}"#[..]));
        assert!(clock.sleeps().is_empty(), "{fault:?}");

        // A policy that accepts duplicates sends the same bytes again after the policy's wait.
        let server = serve(fault);
        let (client, clock) = timed_client(&server.url(), TIMEOUT, no_jitter().with_retry_non_idempotent(true));
        assert_eq!(client.create_group("New").unwrap().id, "group_7", "{fault:?}");
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{fault:?}");
        assert_eq!(requests[1].body, requests[0].body, "{fault:?}");
        assert_eq!(clock.sleeps(), [MS(500)], "{fault:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Error pages without JSON.

#[test]
fn an_html_502_and_an_empty_500_keep_their_status_and_a_bounded_snippet() {
    capture_logs();
    let server = MockServer::start();
    // A proxy's page, large and not ASCII: the snippet must be cut on a character boundary.
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "Überlastet – ".repeat(8000)
    );
    let html = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g");
        then.status(502).header("content-type", "text/html; charset=utf-8").body(page.clone());
    });
    let empty = server.mock(|when, then| {
        when.method(POST).path("/v1/groups");
        then.status(500);
    });
    let (client, clock) = client(&server.base_url());

    let err = seen(client.group("g").unwrap_err());
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Server, Some(502), None));
    let snippet = &err.api_error().unwrap().body_snippet;
    let cut = snippet.strip_suffix('…').expect("a cut snippet says so");
    assert!(cut.len() <= 512, "{} bytes", cut.len());
    assert!(page.starts_with(cut.trim_end_matches('\u{FFFD}')), "the snippet is the start of the page");
    assert!(err.to_string().len() < 700, "{}", err.to_string().len());
    html.assert_calls(5);
    assert_eq!(clock.sleeps(), default_waits(), "a 502 on a GET is retried with the policy's waits");

    let err = seen(client.create_group("x").unwrap_err());
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Server, Some(500), None));
    assert_eq!(err.api_error().unwrap().body_snippet, "");
    assert!(err.to_string().contains("HTTP 500 (empty body)"), "{err}");
    empty.assert_calls(1);
    assert_eq!(clock.sleeps().len(), 4, "a 500 on a create is not retried");
}

// ---------------------------------------------------------------------------------------------
// Huge bodies without a Content-Length.

#[test]
fn a_body_without_a_length_is_cut_off_at_the_limit() {
    capture_logs();
    const LIMIT: u64 = 1024 * 1024;
    for chunked in [true, false] {
        // Up to 1 GiB, streamed for as long as the client reads.
        let server = RawServer::start(move |_, _| Reply::Stream { chunked, total: 1 << 30 });
        let clock = Arc::new(ManualClock::new());
        let client = builder(&server.url(), &clock).max_response_bytes(LIMIT).build().unwrap();
        let started = Instant::now();
        let err = seen(client.groups().next().unwrap().unwrap_err());
        match &err {
            Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::BodyTooLarge, "{err}"),
            other => panic!("chunked={chunked}: {other:?}"),
        }
        assert!(err.to_string().contains(&LIMIT.to_string()), "{err}");
        assert_eq!(server.requests().len(), 1, "not retried");
        assert!(clock.sleeps().is_empty());
        // The client stopped reading just past the limit: what the server got out is the limit
        // plus what the socket buffers hold, nowhere near the gigabyte on offer.
        std::thread::sleep(MS(100));
        let written = server.streamed();
        assert!(written < LIMIT + 16 * 1024 * 1024, "chunked={chunked}: {written} bytes left the server");
        println!("no length, chunked={chunked}: {written} bytes left the server before the client stopped");
        assert!(started.elapsed() < S(5));
    }
}

// ---------------------------------------------------------------------------------------------
// Answers that do not match the models.

/// Serves `body` as the answer to GET `path` and returns what the call made of it.
fn answer_with<T>(server: &MockServer, path: &str, body: Value, call: impl FnOnce(&Client) -> T) -> T {
    let mut mock = server.mock(|when, then| {
        when.method(GET).path(path);
        then.status(200).json_body(body);
    });
    let out = call(&client_no_retry(&server.base_url()));
    mock.assert_calls(1);
    mock.delete();
    out
}

/// Where a model's JSON lives in its answer, how to fetch it, and its base JSON.
struct ModelCase {
    name: &'static str,
    path: &'static str,
    base: Value,
    /// The call, with the decoded model as JSON (re-serialised).
    get: fn(&Client) -> fivetrex::Result<Value>,
}

fn model_cases() -> Vec<ModelCase> {
    vec![
        ModelCase {
            name: "Connection",
            path: "/v1/connections/c",
            base: connection(1, "g"),
            get: |c| c.connection("c").map(|m| serde_json::to_value(seen_debug(m)).unwrap()),
        },
        ModelCase {
            name: "Group",
            path: "/v1/groups/g",
            base: group(1),
            get: |c| c.group("g").map(|m| serde_json::to_value(seen_debug(m)).unwrap()),
        },
        ModelCase {
            name: "Destination",
            path: "/v1/destinations/d",
            base: destination(),
            get: |c| c.destination("d").map(|m| serde_json::to_value(seen_debug(m)).unwrap()),
        },
        ModelCase {
            name: "User",
            path: "/v1/users/u",
            base: user(1),
            get: |c| c.user("u").map(|m| serde_json::to_value(seen_debug(m)).unwrap()),
        },
    ]
}

fn destination() -> Value {
    json!({
        "id": "d", "group_id": "d", "service": "snowflake", "region": "GCP_US_EAST4", "time_zone_offset": "-5",
        "setup_status": "connected", "daylight_saving_time_enabled": true, "networking_method": "Directly",
        "config": { "host": "acct.snowflakecomputing.com", "user": "loader", "password": "pg-password-123" }
    })
}

/// An `Ok` model must hold what was sent; an error must be a decode error that names the field.
fn decodes_or_names_the_field(case: &ModelCase, field: &str, sent: &Value, result: fivetrex::Result<Value>) {
    match result {
        Ok(model) => {
            let kept = &model[field];
            let as_text = sent.to_string();
            assert!(
                kept == sent || kept.as_str() == Some(as_text.trim_matches('"')),
                "{}.{field}: sent {sent}, decoded as {kept} (the value was lost)",
                case.name
            );
        }
        Err(e) => {
            let e = seen(e);
            assert_eq!(e.kind(), ErrorKind::Decode, "{}.{field}: {e}", case.name);
            assert_eq!(e.status(), Some(200));
            assert!(
                e.to_string().contains(&format!("data.{field}")),
                "{}.{field}: the error must name it: {e}",
                case.name
            );
        }
    }
}

#[test]
fn unknown_fields_and_enum_values_decode_and_wrong_types_decode_or_name_the_field() {
    capture_logs();
    let server = MockServer::start();
    for case in model_cases() {
        // Unknown fields, at the top and nested, of every JSON type: ignored.
        let mut body = case.base.clone();
        body["brand_new_field"] = json!({"nested": [1, "two", null, {"deeper": true}]});
        body["another_new_one"] = json!(3.5);
        let model =
            answer_with(&server, case.path, data(body), case.get).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(model["id"], case.base["id"], "{}", case.name);

        // A number where the model expects a string, field by field.
        let strings: Vec<String> =
            case.base.as_object().unwrap().iter().filter(|(_, v)| v.is_string()).map(|(k, _)| k.clone()).collect();
        assert!(strings.len() >= 3, "{}", case.name);
        for field in &strings {
            let mut body = case.base.clone();
            body[field] = json!(42);
            let result = answer_with(&server, case.path, data(body), case.get);
            decodes_or_names_the_field(&case, field, &json!(42), result);
        }
    }

    // Unknown enum values decode and keep the text; case is ignored for known ones.
    let mut c = connection(1, "g");
    c["status"]["setup_state"] = json!("quantum_entangled");
    c["status"]["sync_state"] = json!("SYNCING");
    c["status"]["update_state"] = json!("sideways");
    c["schedule_type"] = json!("cron");
    c["status"]["tasks"] = json!([{"code": "brand_new_task", "message": "m", "details": {"x": 1}}]);
    let conn = answer_with(&server, "/v1/connections/c", data(c), |cl| cl.connection("c")).unwrap();
    let conn = seen_debug(conn);
    assert_eq!(conn.status.setup_state, Some(fivetrex::SetupState::Unknown("quantum_entangled".into())));
    assert_eq!(conn.status.sync_state, Some(fivetrex::SyncState::Syncing));
    assert_eq!(conn.status.update_state, Some(fivetrex::UpdateState::Unknown("sideways".into())));
    assert_eq!(conn.schedule_type, Some(fivetrex::ScheduleType::Unknown("cron".into())));
    assert_eq!(conn.status.tasks[0].code, "brand_new_task");
    let mut d = destination();
    d["setup_status"] = json!("pending_review");
    d["networking_method"] = json!("CarrierPigeon");
    let dest = answer_with(&server, "/v1/destinations/d", data(d), |cl| cl.destination("d")).unwrap();
    assert_eq!(dest.setup_status, Some(fivetrex::SetupState::Unknown("pending_review".into())));
    assert_eq!(dest.networking_method.as_ref().map(|m| m.as_str()), Some("CarrierPigeon"));
    let mut u = user(1);
    u["role"] = json!("Galactic Administrator");
    let usr = answer_with(&server, "/v1/users/u", data(u), |cl| cl.user("u")).unwrap();
    assert_eq!(usr.role.as_deref(), Some("Galactic Administrator"));

    // In a list the path says which item.
    let mut bad = group(2);
    bad["name"] = json!({"not": "a name"});
    let page = page(vec![group(0), group(1), bad], None);
    let results: Vec<_> = answer_with(&server, "/v1/groups", page, |cl| cl.groups().collect());
    assert_eq!(results.len(), 1, "a page that does not decode is one error, then the end");
    let err = seen(results.into_iter().next().unwrap().unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("data.items[2].name"), "{err}");
}

#[test]
fn deeply_nested_json_decodes_or_is_an_error_never_a_crash() {
    capture_logs();
    let server = MockServer::start();
    // 100,000 nested arrays: a decoder that recursed on them would overflow the stack and abort
    // the whole process.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let answer = |field: &str| {
        let mut base = connection(1, "g");
        base.as_object_mut().unwrap().remove(field);
        format!(r#"{{"code":"Success","data":{{"{field}":{deep},{}}}"#, &base.to_string()[1..])
    };
    let get = |body: String| {
        let mut mock = server.mock(|when, then| {
            when.method(GET).path("/v1/connections/c");
            then.status(200).body(body);
        });
        let out = client_no_retry(&server.base_url()).connection("c");
        mock.assert_calls(1);
        mock.delete();
        out
    };
    // An unknown field is skipped without recursing.
    let c = seen_debug(get(answer("brand_new_field")).unwrap());
    assert_eq!(c.id, "conn_1");
    // `config` keeps the raw text; parsing it later is an error, and `Debug` survives it.
    let c = seen_debug(get(answer("config")).unwrap());
    let config = c.config.as_ref().unwrap();
    assert_eq!(config.as_str().len(), 200_000);
    assert!(config.to_value().unwrap_err().to_string().contains("recursion limit"));
    // Where the model expects a value, serde_json's depth limit makes it a decode error.
    let err = seen(get(answer("status")).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.to_string().contains("recursion limit") || err.to_string().contains("data.status"), "{err}");
    assert!(err.to_string().len() < 1500, "the snippet stays bounded");
}

// ---------------------------------------------------------------------------------------------
// Pagination.

#[test]
fn empty_pages_between_full_ones_do_not_end_the_walk() {
    capture_logs();
    let server = MockServer::start();
    let pages = [
        (None, vec![connection(0, "g"), connection(1, "g")], Some("a")),
        (Some("a"), vec![], Some("b")),
        (Some("b"), vec![], Some("c")),
        (Some("c"), vec![connection(2, "g")], Some("d")),
        (Some("d"), vec![], None),
    ];
    let mocks: Vec<_> = pages
        .iter()
        .map(|(cursor, items, next)| {
            server.mock(|when, then| {
                let when = when.method(GET).path("/v1/connections").header("accept", V2);
                match cursor {
                    Some(c) => when.query_param("cursor", *c),
                    None => when.query_param_missing("cursor"),
                };
                then.status(200).json_body(page(items.clone(), *next));
            })
        })
        .collect();
    let (client, _) = client(&server.base_url());
    let mut walk = client.connections();
    let ids: Vec<_> = walk.by_ref().map(|c| seen_debug(c.unwrap()).id).collect();
    assert_eq!(ids, ["conn_0", "conn_1", "conn_2"]);
    assert_eq!(walk.requests(), 5);
    // Page by page the empty pages show, each with the cursor to resume from.
    let pages: Vec<_> = client
        .connections()
        .pages()
        .map(|p| {
            let p = p.unwrap();
            (p.items.len(), p.next_cursor)
        })
        .collect();
    let cursor = |c: &str| Some(c.to_string());
    assert_eq!(pages, [(2, cursor("a")), (0, cursor("b")), (0, cursor("c")), (1, cursor("d")), (0, None)]);
    for m in &mocks {
        m.assert_calls(2);
    }
}

// ---------------------------------------------------------------------------------------------
// Through the emulator: 5xx bursts, a repeated cursor, a create that fails ambiguously.

#[cfg(feature = "emulator")]
mod emulated {
    use super::*;
    use fivetrex::emulator::{Emulator, Fault};

    fn emulator_client(emu: &Emulator, policy: RetryPolicy) -> (Client, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        let client = emu.client_builder().clock(clock.clone()).timeout(TIMEOUT).retry_policy(policy).build().unwrap();
        (client, clock)
    }

    #[test]
    fn a_502_burst_that_ends_is_retried_and_a_504_burst_that_does_not_ends_after_the_configured_attempts() {
        capture_logs();
        let emu = Emulator::builder().seed(1, 0).start().unwrap();
        let group = emu.group_ids()[0].clone();
        let (client, clock) = emulator_client(&emu, no_jitter());
        // A proxy answers HTML 502 twice, then the API answers.
        emu.add_fault(Fault::html("/v1/groups/*", 502).times(2));
        assert_eq!(seen_debug(client.group(&group).unwrap()).id, group);
        assert_eq!(clock.sleeps(), [MS(500), S(1)]);
        let statuses: Vec<_> = emu.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Some(502), Some(502), Some(200)]);

        // 504 on every attempt, under a policy of 3 attempts, 200 ms doubling, capped at 300 ms.
        emu.clear_log();
        emu.add_fault(Fault::status("/v1/groups/*", 504).times(0));
        let policy = no_jitter().with_max_attempts(3).with_backoff(MS(200), MS(300));
        let (client, clock) = emulator_client(&emu, policy);
        let err = seen(client.group(&group).unwrap_err());
        assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(504)));
        assert_eq!(clock.sleeps(), [MS(200), MS(300)]);
        let statuses: Vec<_> = emu.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Some(504); 3]);
    }

    #[test]
    fn a_cursor_repeated_forever_stops_the_walk_after_two_requests() {
        capture_logs();
        let emu = Emulator::builder().seed(1, 10).start().unwrap();
        let (client, _) = emulator_client(&emu, no_jitter());
        emu.add_fault(Fault::repeat_cursor("/v1/connections").times(0));
        // `take` keeps a broken walk from hanging the test; it must end long before.
        let mut walk = client.connections().page_size(3);
        let results: Vec<_> = walk.by_ref().take(1000).collect();
        assert_eq!(results.len(), 7, "two pages of items, then the error");
        assert!(results[..6].iter().all(Result::is_ok));
        let err = seen(results.into_iter().last().unwrap().unwrap_err());
        assert_eq!(err.kind(), ErrorKind::RepeatedCursor);
        assert!(walk.next().is_none(), "the walk is over");
        assert_eq!(walk.requests(), 2);
        assert_eq!(emu.requests().len(), 2, "nothing more reached the server");
    }

    #[test]
    fn a_create_that_fails_ambiguously_is_sent_once_and_makes_at_most_one_group() {
        capture_logs();
        let emu = Emulator::builder().seed(2, 0).start().unwrap();
        let (client, clock) = emulator_client(&emu, no_jitter());
        let names = |c: &Client| c.groups().map(|g| g.unwrap().name).collect::<Vec<_>>();
        // The fault hits before the API (reset, stall) or after it made the group (truncate).
        for (fault, name, made) in [
            (Fault::reset("/v1/groups"), "after_reset", 0),
            (Fault::stall("/v1/groups"), "after_stall", 0),
            (Fault::truncate("/v1/groups"), "after_truncate", 1),
        ] {
            let before = names(&client);
            emu.clear_log();
            emu.add_fault(fault.method("POST"));
            let err = seen(client.create_group(name).unwrap_err());
            assert!(matches!(err.kind(), ErrorKind::Transport | ErrorKind::Timeout), "{name}: {err}");
            assert!(err.request_may_have_been_sent(), "{name}: the caller must know it may exist");
            let posts = emu.requests().iter().filter(|r| r.method == "POST").count();
            assert_eq!(posts, 1, "{name}: the client did not resend");
            let after = names(&client);
            assert_eq!(after.len() - before.len(), made, "{name}: {after:?}");
            assert!(clock.sleeps().is_empty(), "{name}");
        }

        // A policy that allows it resends: the group exists by then, so the retry is refused.
        let (client, clock) = emulator_client(&emu, no_jitter().with_retry_non_idempotent(true));
        emu.clear_log();
        emu.add_fault(Fault::truncate("/v1/groups").method("POST"));
        let err = seen(client.create_group("twice").unwrap_err());
        assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
        assert_eq!(emu.requests().iter().filter(|r| r.method == "POST").count(), 2);
        assert_eq!(clock.sleeps(), [MS(500)]);
        assert_eq!(names(&client).iter().filter(|n| *n == "twice").count(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Sixteen threads, one client, a storm of 429s.

/// A clock with one virtual timeline per thread: `sleep` moves only the calling thread's time,
/// as a real sleep would, so a pause opened by one thread is measured against each thread's own
/// progress.
struct ThreadClock {
    start: Instant,
    start_system: SystemTime,
    local: Mutex<HashMap<ThreadId, Duration>>,
    sleeps: Mutex<HashMap<ThreadId, Vec<Duration>>>,
}

impl ThreadClock {
    fn new() -> Self {
        ThreadClock {
            start: Instant::now(),
            start_system: SystemTime::now(),
            local: Mutex::default(),
            sleeps: Mutex::default(),
        }
    }

    fn local(&self, thread: ThreadId) -> Duration {
        self.local.lock().unwrap().get(&thread).copied().unwrap_or_default()
    }

    fn sleeps_of(&self, thread: ThreadId) -> Vec<Duration> {
        self.sleeps.lock().unwrap().get(&thread).cloned().unwrap_or_default()
    }
}

impl Clock for ThreadClock {
    fn now(&self) -> Instant {
        self.start + self.local(std::thread::current().id())
    }
    fn system_now(&self) -> SystemTime {
        self.start_system + self.local(std::thread::current().id())
    }
    fn sleep(&self, d: Duration) {
        let me = std::thread::current().id();
        *self.local.lock().unwrap().entry(me).or_default() += d;
        self.sleeps.lock().unwrap().entry(me).or_default().push(d);
    }
}

#[test]
fn sixteen_threads_under_a_429_storm_share_the_pause_and_stay_within_the_bound() {
    capture_logs();
    const THREADS: usize = 16;
    // Every request sent before 3 s of its thread's time is answered 429 with `Retry-After: 1`.
    const STORM: Duration = Duration::from_secs(3);
    let clock = Arc::new(ThreadClock::new());
    let ids: Arc<Mutex<Vec<Option<ThreadId>>>> = Arc::new(Mutex::new(vec![None; THREADS]));
    // (thread, its time when the request arrived, status)
    let arrivals = Arc::new(Mutex::new(Vec::<(usize, Duration, u16)>::new()));
    let server = {
        let (clock, ids, arrivals) = (clock.clone(), ids.clone(), arrivals.clone());
        RawServer::start(move |_, req| {
            let i: usize = req.path().trim_start_matches("/v1/groups/g").parse().unwrap();
            let thread = ids.lock().unwrap()[i].expect("a thread names itself before it sends");
            let at = clock.local(thread);
            let status = if at < STORM { 429 } else { 200 };
            arrivals.lock().unwrap().push((i, at, status));
            match status {
                429 => Reply::json(429, &json!({"code": "TooManyRequests", "message": "slow down"}))
                    .header("Retry-After", "1"),
                _ => Reply::json(200, &data(group(i))),
            }
        })
    };
    let policy = no_jitter();
    let (first_tx, first_rx) = mpsc::channel();
    let first = Mutex::new(Some(first_tx));
    let client = Client::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(server.url())
        .clock(clock.clone())
        .retry_policy(policy.clone())
        .on_retry(move |_| {
            if let Some(tx) = first.lock().unwrap().take() {
                let _ = tx.send(());
            }
        })
        .build()
        .unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let spawn = |i: usize| {
        let (client, ids, done) = (client.clone(), ids.clone(), done_tx.clone());
        std::thread::spawn(move || {
            ids.lock().unwrap()[i] = Some(std::thread::current().id());
            let _ = done.send((i, client.group(&format!("g{i}")).map(|g| g.id)));
        });
    };
    // Thread 0 meets the storm first; the others start once its 429 has opened the pause.
    spawn(0);
    first_rx.recv_timeout(S(10)).expect("thread 0 was rate limited");
    for i in 1..THREADS {
        spawn(i);
    }
    // A thread that spun would never finish: wait a bounded time rather than hang.
    for _ in 0..THREADS {
        let (i, result) = done_rx.recv_timeout(S(30)).expect("every thread finishes");
        assert_eq!(seen(result.unwrap()), format!("group_{i}"));
    }

    let arrivals = arrivals.lock().unwrap().clone();
    let ids: Vec<ThreadId> = ids.lock().unwrap().iter().map(|t| t.unwrap()).collect();
    // The shared pause: threads 1-15 started inside the pause thread 0's 429 opened (until 1 s),
    // so none of them sent anything before it ended.
    for &(i, at, _) in &arrivals {
        assert!(i == 0 || at >= S(1), "thread {i} sent at {at:?}, inside the shared pause");
    }
    // The bound: after a 429 a thread waits at least the Retry-After, and the storm ends at 3 s,
    // so thread 0 sends at most at 0, 1, 2 and 3 s, the others at 1, 2 and 3 s: 4 + 15 * 3
    // requests, each thread within the policy's attempts.
    let mut per_thread = [0usize; THREADS];
    for &(i, _, _) in &arrivals {
        per_thread[i] += 1;
    }
    assert!(per_thread[0] <= 4, "{per_thread:?}");
    assert!(per_thread[1..].iter().all(|&n| n <= 3), "{per_thread:?}");
    assert!(per_thread.iter().all(|&n| n as u32 <= policy.max_attempts), "{per_thread:?}");
    assert!(arrivals.len() <= 4 + (THREADS - 1) * 3, "{} requests", arrivals.len());
    assert_eq!(arrivals.iter().filter(|a| a.2 == 200).count(), THREADS);
    // Nobody spun: every wait is at least the Retry-After (all times here are whole seconds), and
    // no thread waited past the storm's end plus the longest wait its policy takes (2 s).
    for (i, thread) in ids.iter().enumerate() {
        let sleeps = clock.sleeps_of(*thread);
        assert!(sleeps.iter().all(|d| *d >= S(1)), "thread {i}: {sleeps:?}");
        assert!(sleeps.iter().sum::<Duration>() <= STORM + S(1), "thread {i}: {sleeps:?}");
    }
    let statuses: Vec<_> = arrivals.iter().map(|a| (a.0, a.1.as_secs(), a.2)).collect();
    println!("429 storm: {} requests, {} rate limited; {statuses:?}", arrivals.len(), arrivals.len() - THREADS);
}

// ---------------------------------------------------------------------------------------------
// Secrets.

/// The connector password every row's connections carry (see `support::connection`).
const PASSWORD: &str = "pg-password-123";

#[test]
fn secrets_never_reach_debug_display_errors_or_logs() {
    capture_logs();
    // Representative rows, run here whatever order the others run in.
    let server = MockServer::start();
    // Answers that carry a plain password in `config` (the API masks them; a proxy or a bug
    // might not): a good one, one that does not decode, and errors that echo the request.
    let good = connection(1, "g");
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections/good");
        then.status(200).json_body(data(good.clone()));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections");
        then.status(200).json_body(page(vec![good.clone()], None));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections/bad");
        then.status(200).body(format!(
            r#"{{"code":"Success","data":{{"config":{{"host":"db","password":"{PASSWORD}"}},"id":"bad","paused":"maybe"}}}}"#
        ));
    });
    // The password cut in half by the snippet's 512-byte limit.
    let cut =
        format!(r#"{{"code":"InternalError","message":"{}","config":{{"password":"{PASSWORD}"}}}}"#, "x".repeat(463));
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections/cut");
        then.status(500).body(cut.clone());
    });
    let echo = json!({"code": "InternalError", "message": "failed",
                      "details": {"config": {"user": "u", "password": PASSWORD}, "auth": {"refresh": PASSWORD}}});
    server.mock(|when, then| {
        when.method(POST).path("/v1/connections");
        then.status(500).json_body(echo.clone());
    });
    server.mock(|when, then| {
        when.method(PATCH).path("/v1/connections/c");
        then.status(400)
            .json_body(json!({"code": "InvalidInput", "message": "bad config", "config": {"password": PASSWORD}}));
    });
    let flaky = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/flaky");
        then.status(503).json_body(echo.clone()).up_to_n_times(2);
    });
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections/flaky");
        then.status(200).json_body(data(good.clone()));
    });

    let builder = builder(&server.base_url(), &Arc::new(ManualClock::new()));
    let client = builder.clone().build().unwrap();
    seen_debug(&builder);
    seen_debug(&client);
    seen_debug(client.connection("good").unwrap());
    seen_debug(client.connections().collect::<Vec<_>>());
    seen_debug(client.connection("flaky").unwrap());
    flaky.assert_calls(2);
    let cut_err = seen(client.connection("cut").unwrap_err());
    assert_eq!(cut_err.status(), Some(500));
    for err in [
        client.connection("bad").unwrap_err(),
        client.create_connection(&new_connection()).unwrap_err(),
        client
            .update_connection("c", &fivetrex::UpdateConnection::new().config(json!({"password": PASSWORD})))
            .unwrap_err(),
    ] {
        seen(err);
    }
    seen_debug(new_connection());
    seen_debug(fivetrex::Secret::new(SECRET));
    // Wire faults on a create carrying the password.
    for fault in WIRE_FAULTS {
        let raw = RawServer::start(move |_, _| fault.reply());
        let (c, _) = timed_client(&raw.url(), TIMEOUT, no_jitter());
        seen(c.create_connection(&new_connection()).unwrap_err());
        assert_eq!(raw.requests().len(), 1);
    }

    let seen_text = SEEN.lock().unwrap().clone();
    let logs = LOGS.lock().unwrap().clone();
    // The capture is real: the rows above left errors and log lines of every layer.
    assert!(seen_text.iter().any(|t| t.contains("HTTP 500")), "errors were collected");
    assert!(seen_text.iter().any(|t| t.contains("cannot decode")), "decode errors were collected");
    assert!(logs.iter().any(|l| l.contains("retrying in")), "the retry log line was captured");
    assert!(logs.iter().any(|l| l.contains("fivetrex") && l.contains("/v1/connections")), "request lines");
    assert!(logs.iter().any(|l| l.contains("ureq")), "the transport's own lines");
    // The one exception, which this crate cannot close: ureq-proto's TRACE dump of the wire
    // bytes (set aside by the logger). The client warns about it instead.
    assert!(logs.iter().any(|l| l.starts_with("WARN") && l.contains("dumps raw HTTP traffic")), "the warning");
    let dumped = WIRE_DUMP_LINES.load(std::sync::atomic::Ordering::Relaxed);
    let token = auth_header();
    let token = token.trim_start_matches("Basic ");
    for text in seen_text.iter().chain(&logs) {
        for needle in [SECRET, token, PASSWORD, &PASSWORD[..8]] {
            assert!(!text.contains(needle), "{needle:?} leaked in: {text}");
        }
    }
    println!(
        "secrets check: {} texts from errors and models, {} log lines clean, {} wire-dump lines set aside",
        seen_text.len(),
        logs.len(),
        dumped
    );
}

fn new_connection() -> fivetrex::NewConnection {
    fivetrex::NewConnection::new("g", "postgres").config(json!({"host": "db", "user": "u", "password": PASSWORD}))
}

// ---------------------------------------------------------------------------------------------
// Retry-After at the edges, the remembered pause, the rate-limit setting, walks under a deadline
// or a cancellation, and time budgets measured on the wall clock.

/// A server whose every `GET /v1/groups/g1` answers 429 with this `Retry-After`.
fn limited<'a>(server: &'a MockServer, retry_after: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1");
        then.status(429).header("retry-after", retry_after).json_body(json!({"code": "TooManyRequests"}));
    })
}

#[test]
fn a_retry_after_of_u64_max_with_an_unbounded_cap_is_an_error_not_a_panic() {
    capture_logs();
    let server = MockServer::start();
    let m = limited(&server, "18446744073709551615");
    let (client, clock) = timed_client(&server.base_url(), S(5), no_jitter().with_max_retry_after(Duration::MAX));
    let err = seen(client.group("g1").unwrap_err());
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(S(u64::MAX)));
    // Sleeping it would outlast the 5-minute deadline: returned at once, one request.
    m.assert_calls(1);
    assert_eq!(clock.sleeps(), []);
    // The pause (saturated, about a century) is remembered: the next call fails without sending.
    let err = client.group("g1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.retry_after().unwrap() > S(50 * 365 * 86_400), "{err:?}");
    m.assert_calls(1);
}

#[test]
fn a_retry_after_longer_than_64_bits_is_very_long_not_absent() {
    capture_logs();
    let server = MockServer::start();
    let m = limited(&server, "99999999999999999999999999");
    let (client, clock) = timed_client(&server.base_url(), S(5), no_jitter());
    let err = seen(client.group("g1").unwrap_err());
    assert_eq!((err.kind(), err.retry_after()), (ErrorKind::RateLimited, Some(S(u64::MAX))));
    // Over the 60 s cap: handed back after one request, not retried on the backoff.
    m.assert_calls(1);
    assert_eq!(clock.sleeps(), []);
}

#[test]
fn a_pause_over_the_cap_is_remembered_and_later_calls_fail_fast_with_the_time_left() {
    capture_logs();
    let server = MockServer::start();
    let limited_once = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1");
        then.status(429).header("retry-after", "3600").json_body(json!({"code": "TooManyRequests"})).up_to_n_times(1);
    });
    let ok = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1");
        then.status(200).json_body(data(group(1)));
    });
    let (client, clock) = timed_client(&server.base_url(), S(5), no_jitter());
    assert_eq!(client.group("g1").unwrap_err().retry_after(), Some(S(3600)));
    clock.advance(S(600));
    // A clone shares the window. Nothing is sent inside it and nothing is slept.
    let err = seen(client.clone().group("g1").unwrap_err());
    assert_eq!((err.kind(), err.retry_after()), (ErrorKind::RateLimited, Some(S(3000))));
    assert_eq!(err.status(), Some(429));
    limited_once.assert_calls(1);
    ok.assert_calls(0);
    assert_eq!(clock.sleeps(), []);
    // Once it has passed, calls go out again.
    clock.advance(S(3000));
    client.group("g1").unwrap();
    ok.assert_calls(1);
}

#[test]
fn an_unusable_request_rate_is_a_configuration_error_at_build() {
    for rate in [1e-300, 0.0, -1.0, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE] {
        let err = Client::builder()
            .api_key("k")
            .api_secret("s")
            .max_requests_per_second(rate)
            .build()
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{rate}: {err}");
        assert!(err.to_string().contains("max_requests_per_second"), "{err}");
    }
    Client::builder().api_key("k").api_secret("s").max_requests_per_second(1e-9).build().unwrap();
}

/// Empty pages with a fresh cursor each, then (after 50) a last page with one item.
fn endless_empty_pages() -> RawServer {
    RawServer::start(|seq, _req| {
        if seq >= 50 {
            return Reply::json(200, &page(vec![group(1)], None));
        }
        Reply::json(200, &page(vec![], Some(&format!("c{seq}"))))
    })
}

#[test]
fn a_walk_over_empty_pages_stops_at_the_client_deadline() {
    capture_logs();
    let server = endless_empty_pages();
    let clock = Arc::new(ManualClock::new());
    // One request a second on the manual clock and a 2.5 s deadline: a third request would
    // start after the deadline.
    let client = builder(&server.url(), &clock)
        .max_requests_per_second(1.0)
        .retry_policy(no_jitter().with_deadline(Some(MS(2500))))
        .build()
        .unwrap();
    let mut walk = client.groups();
    let err = seen(walk.next().unwrap().unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(clock.sleeps(), [S(1), S(1)]);
    assert!(walk.next().is_none(), "the walk ends after its error");
}

#[test]
fn a_cancelled_walk_stops_between_items_without_another_request() {
    capture_logs();
    let server = MockServer::start();
    let pages = serve_pages(&server, "/v1/groups", 2, 3, "3", group);
    let (client, _clock) = client(&server.base_url());
    let token = fivetrex::CancelToken::new();
    let mut walk = client.groups().page_size(3).cancel_token(&token);
    assert_eq!(walk.next().unwrap().unwrap().id, "group_0");
    token.cancel();
    assert_eq!(seen(walk.next().unwrap().unwrap_err()).kind(), ErrorKind::Cancelled);
    assert!(walk.next().is_none());
    assert_eq!(pages.iter().map(|m| m.calls()).sum::<usize>(), 1);
    // A client handle watching a cancelled token starts nothing at all.
    let watched = client.with_cancel(&token);
    assert_eq!(watched.group("g1").unwrap_err().kind(), ErrorKind::Cancelled);
    assert_eq!(watched.groups().next().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    assert_eq!(pages.iter().map(|m| m.calls()).sum::<usize>(), 1);
}

/// A client on the real clock (these rows measure wall time), no jitter.
fn wall_client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder().api_key(KEY).api_secret(SECRET).base_url(url).retry_policy(policy).build().unwrap()
}

#[test]
fn the_client_deadline_bounds_a_call_against_a_stalling_or_failing_server() {
    capture_logs();
    let budget = MS(300);
    // Stalling: the 60 s request timeout is clipped to the time left.
    let stall = RawServer::start(|_, _| Reply::Stall);
    let client = wall_client(&stall.url(), no_jitter().with_deadline(Some(budget)));
    let t = Instant::now();
    let err = seen(client.group("g1").unwrap_err());
    let took = t.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(took >= budget && took < budget + MS(100), "{took:?}");
    assert_eq!(stall.requests().len(), 1);
    // 503s: retries whose wait would end past the deadline are not slept.
    let failing = RawServer::start(|_, _| Reply::json(503, &json!({"code": "Unavailable"})));
    let client = wall_client(&failing.url(), no_jitter().with_backoff(MS(100), MS(100)).with_deadline(Some(budget)));
    let t = Instant::now();
    assert_eq!(client.group("g1").unwrap_err().kind(), ErrorKind::Server);
    let took = t.elapsed();
    assert!(took < budget + MS(100), "{took:?}");
    // 100 ms apart within 300 ms: 3 requests (0, 100, 200 ms), the fourth would start at the edge.
    assert!((2..=3).contains(&failing.requests().len()), "{}", failing.requests().len());
}

#[test]
fn with_retry_retries_the_closure_and_calls_inside_make_one_attempt_each() {
    capture_logs();
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1");
        then.status(503).body("");
    });
    let (client, clock) = client(&server.base_url());
    let err = seen(client.with_retry(true, || client.group("g1")).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Server);
    // 5 closure runs of one request each, not 5 x 5.
    m.assert_calls(5);
    assert_eq!(clock.sleeps(), default_waits());
    // Outside a closure the same call keeps its own retries.
    client.group("g1").unwrap_err();
    m.assert_calls(10);
}

#[derive(Debug)]
struct NotReady(u32);
impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not ready after {} tries", self.0)
    }
}
impl std::error::Error for NotReady {}

#[test]
fn with_retry_opts_sets_attempts_backoff_predicate_and_hook_per_call() {
    capture_logs();
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1");
        then.status(200).json_body(data(group(1)));
    });
    let (client, clock) = client(&server.base_url());
    let hooked = Arc::new(Mutex::new(Vec::new()));
    let h = hooked.clone();
    let opts = fivetrex::RetryOptions::new()
        .max_attempts(4)
        .backoff(MS(10), MS(25))
        .jitter(false)
        .retry_if(|err, _| Some(err.kind() == ErrorKind::Caller))
        .on_retry(move |e| h.lock().unwrap().push((e.attempt, e.delay)));
    let mut runs = 0;
    let err = client
        .with_retry_opts(&opts, || {
            runs += 1;
            client.group("g1")?;
            Err::<(), _>(Error::caller(NotReady(runs)))
        })
        .unwrap_err();
    // The caller's own error, as the source.
    assert_eq!(err.kind(), ErrorKind::Caller);
    let source = std::error::Error::source(&err).unwrap();
    assert_eq!(source.to_string(), "not ready after 4 tries");
    assert!(err.caller_error().unwrap().is::<NotReady>());
    m.assert_calls(4);
    assert_eq!(clock.sleeps(), [MS(10), MS(20), MS(25)]);
    assert_eq!(*hooked.lock().unwrap(), [(1, MS(10)), (2, MS(20)), (3, MS(25))]);
    // The client's own policy and hooks are untouched: no second client was built.
    assert_eq!(client.retry_policy().max_attempts, 5);
}

#[test]
fn cancelling_wakes_a_retry_wait_at_once() {
    capture_logs();
    let failing = RawServer::start(|_, _| Reply::json(503, &json!({"code": "Unavailable"})));
    // A 10 s backoff on the real clock: only the cancel can end it early.
    let client = wall_client(&failing.url(), no_jitter().with_backoff(S(10), S(10)));
    let token = fivetrex::CancelToken::new();
    let (tx, rx) = mpsc::channel();
    let remote = token.clone();
    std::thread::spawn(move || {
        std::thread::sleep(MS(50));
        tx.send(Instant::now()).unwrap();
        remote.cancel();
    });
    let opts = fivetrex::RetryOptions::new().idempotent(true).cancel(&token);
    let err = seen(client.with_retry_opts(&opts, || client.group("g1")).unwrap_err());
    let returned = Instant::now();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    let cancelled = rx.recv().unwrap();
    assert!(returned.duration_since(cancelled) < MS(100), "{:?}", returned.duration_since(cancelled));
    assert_eq!(failing.requests().len(), 1, "no request after the cancel");
}

// ---------------------------------------------------------------------------------------------
// A hostile server: what one answer can make the client spend, and what it cannot slip past.

/// The body limit of the memory row: the hostile page (16.5 MB) fits under it.
const RSS_BODY_LIMIT: u64 = 20 * 1024 * 1024;

/// `VmHWM` (peak resident set) of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The child half of the memory row: one `next()` against the hostile page, then the peak RSS
/// and the error on stdout. Runs only when the parent row starts this binary with the URL.
#[test]
fn memory_row_child() {
    let Ok(url) = std::env::var("FIVETREX_RSS_CHILD_URL") else { return };
    let before = peak_rss_kib();
    let client = Client::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(url)
        .max_response_bytes(RSS_BODY_LIMIT)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let outcome = match client.connections().next() {
        Some(Err(e)) => e.to_string(),
        other => format!("no error: {:?}", other.map(|r| r.map(|c| c.id))),
    };
    println!(
        "RSS-BEFORE-KIB {before}\nRSS-PEAK-KIB {}\nOUTCOME {}",
        peak_rss_kib(),
        &outcome[..outcome.len().min(200)]
    );
    println!("MODEL-BYTES {}", std::mem::size_of::<fivetrex::Connection>());
}

#[test]
fn a_page_with_more_items_than_asked_for_is_refused_and_peak_memory_stays_under_4x_the_body_limit() {
    // 1.5 million minimal connections in 16.5 MB: the API never serves more than the 1000 asked for.
    let mut body = String::with_capacity(17_000_000);
    body.push_str(r#"{"code":"Success","data":{"items":["#);
    for i in 0..1_500_000 {
        body.push_str(if i == 0 { r#"{"id":"a"}"# } else { r#",{"id":"a"}"# });
    }
    body.push_str(r#"],"next_cursor":"n"}}"#);
    let body = Arc::new(body.into_bytes());
    let served = body.clone();
    let server = RawServer::start(move |_, _| Reply::Answer { status: 200, headers: vec![], body: (*served).clone() });
    // In a child process of its own, so the peak is this answer's and nothing else's.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["reliability::memory_row_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("FIVETREX_RSS_CHILD_URL", server.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let figure = |name: &str| -> u64 {
        // The harness prints `test ... ` on the line the child's first figure starts.
        let at = stdout.find(name).unwrap_or_else(|| panic!("{stdout}")) + name.len();
        stdout[at..].split_whitespace().next().unwrap().parse().unwrap()
    };
    let (before, peak) = (figure("RSS-BEFORE-KIB"), figure("RSS-PEAK-KIB"));
    let outcome = stdout.lines().find(|l| l.starts_with("OUTCOME")).unwrap_or_else(|| panic!("{stdout}"));
    eprintln!(
        "hostile page of {} bytes: peak RSS {peak} KiB (child started at {before} KiB); a Connection is {} bytes",
        body.len(),
        figure("MODEL-BYTES")
    );
    assert!(outcome.contains("holds 1500000 items, more than the 1000 asked for"), "{outcome}");
    assert_eq!(server.requests().len(), 1);
    assert!(peak * 1024 < 4 * RSS_BODY_LIMIT, "peak RSS {peak} KiB for a body limit of {RSS_BODY_LIMIT} bytes");
}

#[test]
fn endless_empty_pages_end_the_walk_after_a_bounded_number_of_requests() {
    // Fresh cursors forever (the server gives up after 1000, so the old client ends too).
    let server = RawServer::start(|seq, _| match seq {
        0..1000 => Reply::json(200, &page(vec![], Some(&format!("c{seq}")))),
        _ => Reply::json(404, &json!({"code": "NotFound", "message": "gave up"})),
    });
    let (walker, clock) = client(&server.url());
    let mut walk = walker.connections();
    let err = seen(walk.next().unwrap().unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.to_string().contains("16 empty pages in a row"), "{err}");
    assert_eq!(server.requests().len(), fivetrex::page::MAX_EMPTY_PAGES as usize);
    assert_eq!(walk.requests(), 16);
    assert!(walk.next().is_none(), "the walk is over");
    assert!(clock.sleeps().is_empty());
    // Fewer empty pages in a row than that are skipped as before.
    let server = RawServer::start(|seq, _| match seq {
        0..15 => Reply::json(200, &page(vec![], Some(&format!("c{seq}")))),
        _ => Reply::json(200, &page(vec![connection(1, "g")], None)),
    });
    let (client, _) = client(&server.url());
    let ids: Vec<_> = client.connections().map(|c| c.unwrap().id).collect();
    assert_eq!(ids, ["conn_1"]);
    assert_eq!(server.requests().len(), 16);
}

#[test]
fn protocol_errors_are_returned_at_once_never_retried() {
    let big_header = format!("HTTP/1.1 200 OK\r\nX-Big: {}\r\nContent-Length: 2\r\n\r\n{{}}", "a".repeat(200_000));
    let bad_chunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_string();
    for (name, reply) in [("a head too big", big_header), ("a malformed chunk size", bad_chunk)] {
        let reply = reply.into_bytes();
        let server = RawServer::start(move |_, _| Reply::Raw(reply.clone()));
        let (client, clock) = client(&server.url());
        let err = seen(client.group("g").unwrap_err());
        match &err {
            Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::Protocol, "{name}: {err}"),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(server.requests().len(), 1, "{name}: sent once");
        assert!(clock.sleeps().is_empty(), "{name}");
    }
    // A URI too long to send never leaves, and trying again cannot change that.
    let server = RawServer::start(|_, _| Reply::json(200, &data(group(1))));
    let retries = Arc::new(Mutex::new(0));
    let r = retries.clone();
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.url(), &clock).on_retry(move |_| *r.lock().unwrap() += 1).build().unwrap();
    let err = seen(client.group(&"x".repeat(70_000)).unwrap_err());
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::Protocol, "{err}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.request_may_have_been_sent());
    assert_eq!((server.requests().len(), *retries.lock().unwrap()), (0, 0));
    assert!(clock.sleeps().is_empty());
}

#[test]
fn an_id_beyond_64_bits_is_refused_never_rounded() {
    let server = RawServer::start(|seq, _| {
        let id = if seq == 0 { "1180591620717411303425" } else { "18446744073709551615" };
        Reply::Answer {
            status: 200,
            headers: vec![],
            body: format!(r#"{{"code":"Success","data":{{"id":{id},"name":"n"}}}}"#).into_bytes(),
        }
    });
    let (client, _) = client(&server.url());
    let err = seen(client.group("g").unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.to_string().contains("too large to keep exactly"), "{err}");
    assert!(!err.to_string().contains("1180591620717411300000"), "{err}");
    // Up to 64 bits the digits are kept as sent.
    assert_eq!(client.group("g").unwrap().id, "18446744073709551615");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_timestamp_an_offset_pushes_out_of_range_is_a_decode_error_not_clamped() {
    for stamp in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+00:01"] {
        let server = RawServer::start(move |_, _| {
            Reply::json(200, &data(json!({"id": "c", "succeeded_at": stamp, "created_at": "2024-01-01T00:00:00Z"})))
        });
        let (client, _) = client(&server.url());
        let err = seen(client.connection("c").unwrap_err());
        assert_eq!(err.kind(), ErrorKind::Decode, "{stamp}: {err}");
        assert!(err.to_string().contains("succeeded_at"), "{err}");
    }
    assert_eq!(fivetrex::Timestamp::parse("9999-12-31T23:59:59+23:59").unwrap().to_string(), "9999-12-31T00:00:59Z");
}
