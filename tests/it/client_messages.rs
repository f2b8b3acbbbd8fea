//! Errors that tell the user what to do (missing credentials, timeouts, 401), and the default
//! transport wrapped by a caller's own, all over real loopback servers.

use crate::support::*;
use fivetrex::retry::ManualClock;
use fivetrex::transport::{HttpRequest, HttpResponse, Transport, UreqTransport};
use fivetrex::{Client, ErrorKind, RetryPolicy, TransportError};
use httpmock::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Set in the child process that [`from_env_names_the_variables_it_reads`] starts.
const CHILD: &str = "FIVETREX_TEST_FROM_ENV_CHILD";

/// Runs `Client::from_env()` in a child process with exactly `vars` set among the FIVETRAN_
/// variables (the environment is process-wide, so the test threads must not share it), and
/// returns what the child printed: `ok <groups>` or `error <kind> <message>`.
fn from_env_in_child(vars: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "client_messages::from_env_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("FIVETRAN_API_KEY")
        .env_remove("FIVETRAN_API_SECRET")
        .env_remove("FIVETRAN_BASE_URL");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout.lines().find_map(|l| l.strip_prefix("from_env: ")).unwrap_or_else(|| {
        panic!("the child did not run the test: {stdout}");
    });
    line.to_owned()
}

/// Not a test of its own: the body the child process runs (and only there: elsewhere it would
/// read the developer's real credentials).
#[test]
#[ignore = "run in a child process by from_env_names_the_variables_it_reads"]
fn from_env_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    match Client::from_env().and_then(|c| c.groups().collect::<Result<Vec<_>, _>>()) {
        Ok(groups) => println!("\nfrom_env: ok {}", groups.len()),
        Err(e) => println!("\nfrom_env: error {:?} {e}", e.kind()),
    }
}

#[test]
fn from_env_names_the_variables_it_reads() {
    let server = MockServer::start();
    let pages = serve_pages(&server, "/v1/groups", 3, 2, "1000", group);

    let nothing = from_env_in_child(&[]);
    assert!(nothing.starts_with("error Config "), "{nothing}");
    assert!(nothing.contains("API key and secret are missing or empty"), "{nothing}");
    assert!(nothing.contains("set FIVETRAN_API_KEY and FIVETRAN_API_SECRET in the environment"), "{nothing}");

    let key_only = from_env_in_child(&[("FIVETRAN_API_KEY", KEY), ("FIVETRAN_BASE_URL", &server.base_url())]);
    assert!(key_only.contains("API secret is missing or empty: set FIVETRAN_API_SECRET in"), "{key_only}");
    let empty_key = from_env_in_child(&[("FIVETRAN_API_KEY", ""), ("FIVETRAN_API_SECRET", SECRET)]);
    assert!(empty_key.contains("API key is missing or empty: set FIVETRAN_API_KEY in"), "{empty_key}");
    for m in &pages {
        m.assert_calls(0);
    }

    // With both set, the same child walks the loopback server: the variables are the ones read.
    let both = from_env_in_child(&[
        ("FIVETRAN_API_KEY", KEY),
        ("FIVETRAN_API_SECRET", SECRET),
        ("FIVETRAN_BASE_URL", &server.base_url()),
    ]);
    assert_eq!(both, "ok 6");
    for m in &pages {
        m.assert_calls(1);
    }

    // Without from_env the message names the builder methods first.
    let err = Client::builder().api_key(KEY).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("API secret is missing or empty: pass them with ClientBuilder::api_key"), "{err}");
}

/// A server that reads one request, writes `answer` (maybe nothing, maybe part of a body), and
/// then says nothing more until the test ends. Returns its URL, the accept count, and the sender
/// that lets it go.
fn stalling_server(answer: &'static [u8]) -> (String, Arc<AtomicUsize>, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let (done, wait) = mpsc::channel();
    let count = accepted.clone();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        count.fetch_add(1, Ordering::SeqCst);
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
            line.clear();
        }
        (&stream).write_all(answer).unwrap();
        let _ = wait.recv_timeout(Duration::from_secs(10));
    });
    (url, accepted, done)
}

fn timeout_client(url: &str) -> Client {
    let clock = Arc::new(ManualClock::new());
    builder(url, &clock).timeout(MS(300)).retry_policy(RetryPolicy::none()).build().unwrap()
}

#[test]
fn a_timeout_names_the_limit_and_how_to_raise_it() {
    // No answer at all, then an answer whose body stops half-way: two different paths in the
    // transport (the exchange, then the body read) and the same message.
    for answer in
        [&b""[..], b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\""]
    {
        let (url, accepted, done) = stalling_server(answer);
        let started = Instant::now();
        let err = timeout_client(&url).group("g").unwrap_err();
        let elapsed = started.elapsed();
        done.send(()).unwrap();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        assert!(err.request_may_have_been_sent());
        let msg = err.to_string();
        assert!(msg.contains("within the request timeout of 300 ms"), "{msg}");
        assert!(msg.contains("raise it with ClientBuilder::timeout"), "{msg}");
        assert!(!msg.contains(SECRET));
        assert!(elapsed >= MS(250) && elapsed < MS(3000), "{elapsed:?}");
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn a_401_says_to_check_the_credentials() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(401).json_body(serde_json::json!({"code": "AuthFailed", "message": "Invalid credentials"}));
    });
    let err = client_no_retry(&server.base_url()).group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        err.to_string(),
        "unauthorized (check the API key and secret): HTTP 401 AuthFailed: Invalid credentials"
    );
    m.assert_calls(1);
}

/// Counts requests, then hands them to the transport it wraps.
struct Counting<T>(T, AtomicUsize);

impl<T: Transport> Transport for Counting<T> {
    fn send(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.send(req)
    }
}

#[test]
fn a_caller_transport_can_wrap_the_default_one() {
    let server = MockServer::start();
    let pages = serve_pages(&server, "/v1/groups", 3, 2, "1000", group);
    let clock = Arc::new(ManualClock::new());
    let b = builder(&server.base_url(), &clock);
    // Shared through an `Arc`, so the caller keeps a handle on the counter.
    let counting = Arc::new(Counting(b.default_transport().unwrap(), AtomicUsize::new(0)));
    let client = b.transport(counting.clone()).build().unwrap();
    let groups: Vec<_> = client.groups().collect::<Result<_, _>>().unwrap();
    assert_eq!(groups.len(), 6);
    assert_eq!(counting.1.load(Ordering::SeqCst), 3);
    for m in &pages {
        m.assert_calls(1);
    }

    // A boxed trait object works as well, and `UreqTransport::new` is public.
    let boxed: Box<dyn Transport> =
        Box::new(Counting(UreqTransport::new(&Default::default()).unwrap(), AtomicUsize::new(0)));
    let client = builder(&server.base_url(), &clock).transport(boxed).build().unwrap();
    assert_eq!(client.groups().count(), 6);
    for m in &pages {
        m.assert_calls(2);
    }
}
