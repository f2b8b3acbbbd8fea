//! Shared helpers: clients pointed at a loopback server with a clock that never sleeps, and
//! builders for API answers.

#![allow(dead_code)]

use fivetrex::retry::ManualClock;
use fivetrex::{Client, ClientBuilder, RetryPolicy};
use httpmock::prelude::*;
use httpmock::{Mock, When};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const KEY: &str = "test_key";
pub const SECRET: &str = "s3cr3t-value-never-shown";
/// `Basic base64(test_key:s3cr3t-value-never-shown)`
pub fn auth_header() -> String {
    "Basic dGVzdF9rZXk6czNjcjN0LXZhbHVlLW5ldmVyLXNob3du".to_string()
}

/// A builder for `base_url` with the test credentials, a manual clock, and jitter off so waits
/// are exact.
pub fn builder(base_url: &str, clock: &Arc<ManualClock>) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(base_url)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::default().with_jitter(false))
}

/// A client plus its clock.
pub fn client(base_url: &str) -> (Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    (builder(base_url, &clock).build().unwrap(), clock)
}

/// A client that never retries.
pub fn client_no_retry(base_url: &str) -> Client {
    let clock = Arc::new(ManualClock::new());
    builder(base_url, &clock).retry_policy(RetryPolicy::none()).build().unwrap()
}

/// `{"code":"Success","data":{"items":[...],"next_cursor":...}}`
pub fn page(items: Vec<Value>, next_cursor: Option<&str>) -> Value {
    let mut data = json!({ "items": items });
    if let Some(c) = next_cursor {
        data["next_cursor"] = json!(c);
    }
    json!({ "code": "Success", "message": "ok", "data": data })
}

/// `{"code":"Success","data":...}`
pub fn data(v: Value) -> Value {
    json!({ "code": "Success", "message": "ok", "data": v })
}

pub fn group(i: usize) -> Value {
    json!({ "id": format!("group_{i}"), "name": format!("Group {i}"), "created_at": "2024-01-01T00:00:00.123456Z" })
}

pub fn user(i: usize) -> Value {
    json!({ "id": format!("user_{i}"), "email": format!("u{i}@example.com"), "verified": true, "invited": false,
            "active": true, "role": "Account Reviewer", "given_name": "U", "family_name": format!("{i}"),
            "logged_in_at": null, "created_at": "2024-01-01T00:00:00Z" })
}

pub fn connection(i: usize, group: &str) -> Value {
    json!({
        "id": format!("conn_{i}"), "group_id": group, "service": "postgres", "schema": format!("pg_{i}"),
        "paused": false, "pause_after_trial": false, "connected_by": "user_1", "schedule_type": "auto",
        "sync_frequency": 360, "created_at": "2024-01-01T00:00:00Z",
        "succeeded_at": "2024-02-01T10:00:00.1Z", "failed_at": null,
        "status": { "setup_state": "connected", "sync_state": "scheduled", "update_state": "on_schedule",
                    "is_historical_sync": false, "tasks": [], "warnings": [] },
        "config": { "host": "db.internal", "port": 5432, "user": "fivetran", "password": "pg-password-123" }
    })
}

/// The official OpenAPI definition, read from `$FIVETRAN_OPENAPI` or `../shared/fivetran-openapi.json`
/// beside the repository. `None` (after saying so loudly) when it is absent: the spec is not ours
/// to commit.
pub fn spec() -> Option<&'static Value> {
    static SPEC: std::sync::OnceLock<Option<Value>> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let path = std::env::var("FIVETRAN_OPENAPI").map(std::path::PathBuf::from).unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fivetran-openapi.json")
        });
        match std::fs::read(&path) {
            Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("the spec is valid JSON")),
            Err(e) => {
                eprintln!("skipped: spec not found at {} ({e}); set FIVETRAN_OPENAPI", path.display());
                None
            }
        }
    })
    .as_ref()
}

/// What the spec says about one operation: the one reading of the spec every test uses.
pub struct SpecOp {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path template, `/v1/groups/{groupId}`.
    pub path: String,
    /// The operation object itself.
    pub op: &'static Value,
    /// The default of its `Accept` header parameter.
    pub accept: fivetrex::endpoint::Accept,
    /// Whether it pages: declares `cursor`/`limit`, or answers a `next_cursor` without declaring them.
    pub paging: fivetrex::endpoint::Paging,
    /// The documented 2xx statuses (both 200 and 201 for a few creates).
    pub success: std::collections::BTreeSet<u16>,
}

/// Every operation of the spec by operationId; `None` when the spec is absent (see [`spec`]).
pub fn spec_ops() -> Option<&'static std::collections::BTreeMap<String, SpecOp>> {
    static OPS: std::sync::OnceLock<Option<std::collections::BTreeMap<String, SpecOp>>> = std::sync::OnceLock::new();
    OPS.get_or_init(|| spec().map(read_spec_ops)).as_ref()
}

fn read_spec_ops(spec: &'static Value) -> std::collections::BTreeMap<String, SpecOp> {
    use fivetrex::endpoint::{Accept, Paging};
    let mut out = std::collections::BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let shared: &'static [Value] = item.get("parameters").and_then(Value::as_array).map_or(&[], Vec::as_slice);
        for (method, op) in item.as_object().expect("path item") {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let params: Vec<&Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(shared)
                .map(resolve)
                .collect();
            let param = |location: &str, name: &str| {
                params
                    .iter()
                    .find(|p| p["in"] == location && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            };
            let accept = match param("header", "Accept").and_then(|p| p["schema"]["default"].as_str()) {
                Some("application/json;version=2") => Accept::JsonV2,
                _ => Accept::Json,
            };
            let declares_cursor = param("query", "cursor").is_some() || param("query", "limit").is_some();
            let paging = if declares_cursor {
                Paging::Cursor
            } else if answers_with_next_cursor(op) {
                Paging::CursorUndeclared
            } else {
                Paging::None
            };
            let success = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .filter_map(|code| code.parse::<u16>().ok())
                .filter(|code| (200..300).contains(code))
                .collect();
            let spec_op = SpecOp { method: method.to_uppercase(), path: path.clone(), op, accept, paging, success };
            assert!(out.insert(id.to_owned(), spec_op).is_none(), "the spec repeats operationId {id}");
        }
    }
    out
}

/// True when the success answer's `data` has a `next_cursor` (a list, declared or not).
fn answers_with_next_cursor(op: &'static Value) -> bool {
    let Some(responses) = op["responses"].as_object() else { return false };
    responses.iter().filter(|(code, _)| code.starts_with('2')).any(|(_, r)| {
        let schema = resolve(&r["content"]["application/json"]["schema"]);
        let data = resolve(&schema["properties"]["data"]);
        data["properties"].get("next_cursor").is_some()
    })
}

/// The operation object for an operationId: `(method, path, operation)`.
pub fn spec_operation(operation_id: &str) -> Option<(String, String, &'static Value)> {
    let s = spec_ops()?.get(operation_id)?;
    Some((s.method.clone(), s.path.clone(), s.op))
}

/// How the library's description of an operation differs from the spec's: method, path
/// template and its parameters, the `Accept` default, paging and the success status (an
/// operation documented with both 200 and 201 may declare either). Empty when they agree.
pub fn spec_differences(op: &fivetrex::endpoint::Operation, s: &SpecOp) -> Vec<String> {
    let mut diffs = Vec::new();
    if op.method.as_str() != s.method {
        diffs.push(format!("method {} != spec {}", op.method, s.method));
    }
    if op.path != s.path {
        diffs.push(format!("path {} != spec {}", op.path, s.path));
    }
    if op.accept != s.accept {
        diffs.push(format!("accept {:?} != spec {:?}", op.accept, s.accept));
    }
    if op.paging != s.paging {
        diffs.push(format!("paging {:?} != spec {:?}", op.paging, s.paging));
    }
    if !s.success.contains(&op.success) {
        diffs.push(format!("success {} not in spec {:?}", op.success, s.success));
    }
    let spec_params: Vec<&str> =
        s.path.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name)).collect();
    if op.path_params().collect::<Vec<_>>() != spec_params {
        diffs.push("path parameters differ".into());
    }
    diffs
}

/// Resolves `{"$ref": "#/components/schemas/X"}` chains.
pub fn resolve(schema: &'static Value) -> &'static Value {
    let mut s = schema;
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let spec = spec().expect("spec loaded");
        s = r.trim_start_matches("#/").split('/').fold(spec, |v, k| &v[k]);
    }
    s
}

/// An example value built from a schema: the schema's own `example` where it has one (and is not
/// an object with properties), else an object of its properties' examples, an array of one item,
/// or a plausible value of its type.
pub fn example_from_schema(schema: &'static Value) -> Value {
    example_at(schema, 0)
}

fn example_at(schema: &'static Value, depth: usize) -> Value {
    let s = resolve(schema);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        let mut out = serde_json::Map::new();
        for part in all {
            if let Value::Object(m) = example_at(part, depth + 1) {
                out.extend(m);
            }
        }
        return Value::Object(out);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|a| a.first()) {
            return example_at(first, depth + 1);
        }
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        return Value::Object(props.iter().map(|(k, v)| (k.clone(), example_at(v, depth + 1))).collect());
    }
    if let Some(e) = s.get("example") {
        return e.clone();
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => Value::Array(vec![example_at(&s["items"], depth + 1)]),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("object") => json!({}),
        Some("string") if s.get("format").and_then(Value::as_str) == Some("date-time") => json!("2024-01-01T00:00:00Z"),
        Some("string") => match s.get("enum").and_then(Value::as_array).and_then(|a| a.first()) {
            Some(v) => v.clone(),
            None => json!("string"),
        },
        _ => Value::Null,
    }
}

/// The example body of an operation's success answer, built from the spec's schema.
pub fn example_response(operation_id: &str) -> Option<Value> {
    example_answer(operation_id).map(|(_, body)| body)
}

/// The first success status that documents a JSON body, with that body built from the spec's
/// schema. A 2xx without content (the fingerprint approvals' 200) is passed over for one with it.
pub fn example_answer(operation_id: &str) -> Option<(u16, Value)> {
    let (_, _, op) = spec_operation(operation_id)?;
    let responses = op["responses"].as_object()?;
    responses.iter().filter(|(code, _)| code.starts_with('2')).find_map(|(code, ok)| {
        let schema = ok.get("content")?.get("application/json")?.get("schema")?;
        Some((code.parse().ok()?, example_from_schema(schema)))
    })
}

/// Serves `pages` pages of `per_page` items built by `item`, chained by cursors `c1`, `c2`, ...;
/// each page request must carry `limit` and the test credentials.
pub fn serve_pages<'a>(
    server: &'a MockServer,
    path: &str,
    pages: usize,
    per_page: usize,
    limit: &str,
    item: fn(usize) -> Value,
) -> Vec<Mock<'a>> {
    let limit = limit.to_owned();
    serve_pages_matching(server, path, pages, per_page, item, move |when| when.query_param("limit", limit.as_str()))
}

/// [`serve_pages`] with the page requests' extra expectations (query filters, no `limit`, ...)
/// given by `extra`, instead of the `limit` check.
pub fn serve_pages_matching<'a>(
    server: &'a MockServer,
    path: &str,
    pages: usize,
    per_page: usize,
    item: fn(usize) -> Value,
    extra: impl Fn(When) -> When,
) -> Vec<Mock<'a>> {
    (0..pages)
        .map(|p| {
            let cursor = (p > 0).then(|| format!("c{p}"));
            let next = (p + 1 < pages).then(|| format!("c{}", p + 1));
            let items = (p * per_page..(p + 1) * per_page).map(item).collect();
            server.mock(|when, then| {
                let when = extra(when.method(GET).path(path).header("authorization", auth_header()));
                match &cursor {
                    Some(c) => when.query_param("cursor", c.as_str()),
                    None => when.query_param_missing("cursor"),
                };
                then.status(200).json_body(page(items, next.as_deref()));
            })
        })
        .collect()
}

/// Serves a list of `pages` pages of `per_page` items built by `item` at `path`, chained by
/// cursors `c1`, `c2`, ...: each page answers only a GET with the credentials, `accept`, the
/// default `limit=1000`, the `extra` query parameters and its own cursor (none for page one).
pub fn serve_list<'a>(
    server: &'a httpmock::MockServer,
    path: &str,
    accept: &str,
    extra: &[(&str, &str)],
    pages: usize,
    per_page: usize,
    item: impl Fn(usize) -> Value,
) -> Vec<httpmock::Mock<'a>> {
    (0..pages)
        .map(|p| {
            let cursor = (p > 0).then(|| format!("c{p}"));
            let next = (p + 1 < pages).then(|| format!("c{}", p + 1));
            let items = (p * per_page..(p + 1) * per_page).map(&item).collect();
            server.mock(|when, then| {
                let mut when = when
                    .method(httpmock::Method::GET)
                    .path(path)
                    .query_param("limit", "1000")
                    .header("authorization", auth_header())
                    .header("accept", accept);
                for (k, v) in extra {
                    when = when.query_param(*k, *v);
                }
                match &cursor {
                    Some(c) => when.query_param("cursor", c.as_str()),
                    None => when.query_param_missing("cursor"),
                };
                then.status(200).json_body(page(items, next.as_deref()));
            })
        })
        .collect()
}

/// `Accept` of the connection and destination operations the spec marks version 2.
pub const V2: &str = "application/json;version=2";
/// `Accept` everywhere else.
pub const V1: &str = "application/json";

/// Checks that every operation in `ops` matches the spec ([`spec_differences`]).
pub fn assert_operations_match_spec(ops: &[fivetrex::endpoint::Operation]) {
    let Some(spec_ops) = spec_ops() else { return };
    for op in ops {
        let s = spec_ops.get(op.id).unwrap_or_else(|| panic!("{} is not in the spec", op.id));
        let diffs = spec_differences(op, s);
        assert!(diffs.is_empty(), "{}: {}", op.id, diffs.join("; "));
    }
}

/// Walks a list over three pages of two items each (with `Accept: application/json` and
/// `limit=1000` on every request), checks that every page was fetched exactly once, and returns
/// the six items.
pub fn walk_three_pages<T: serde::de::DeserializeOwned>(
    path: &str,
    item: fn(usize) -> Value,
    list: impl FnOnce(&Client) -> fivetrex::List<T>,
) -> Vec<T> {
    walk_three_pages_matching(path, item, list, |when| {
        when.query_param("limit", "1000").header("accept", "application/json")
    })
}

/// [`walk_three_pages`] with the page requests' expectations given by `extra`.
pub fn walk_three_pages_matching<T: serde::de::DeserializeOwned>(
    path: &str,
    item: fn(usize) -> Value,
    list: impl FnOnce(&Client) -> fivetrex::List<T>,
    extra: impl Fn(When) -> When,
) -> Vec<T> {
    let server = MockServer::start();
    let mocks = serve_pages_matching(&server, path, 3, 2, item, extra);
    let (client, _) = client(&server.base_url());
    let mut walk = list(&client);
    let items: Vec<T> = walk.by_ref().collect::<fivetrex::Result<_>>().unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(items.len(), 6, "{path}: six items over three pages");
    assert_eq!(walk.requests(), 3, "{path}: three requests");
    for m in &mocks {
        m.assert_calls(1);
    }
    items
}

/// Expects one request: `method` on `path` with `Accept: application/json`, the test credentials,
/// and exactly `body` as JSON (with `Content-Type: application/json`) or no body at all; answers
/// `status` with `answer`.
pub fn expect<'a>(
    server: &'a MockServer,
    method: &str,
    path: &str,
    body: Option<Value>,
    status: u16,
    answer: Value,
) -> Mock<'a> {
    server.mock(|when, then| {
        let when =
            when.method(method).path(path).header("accept", "application/json").header("authorization", auth_header());
        match body {
            Some(b) => when.header("content-type", "application/json").json_body(b),
            None => when.header_missing("content-type").is_true(|req| req.body().to_vec().is_empty()),
        };
        then.status(status).json_body(answer);
    })
}

/// `{"code":"Success","message":...}`: an action's answer.
pub fn done(message: &str) -> Value {
    json!({ "code": "Success", "message": message })
}

// A raw HTTP/1.1 server on loopback, for the faults httpmock cannot make: a reset in the middle
// of a body, a body shorter than its head promised, a server that never answers, a body streamed
// without a length.

/// One request as the raw server read it.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The first header of that name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the raw server does with one request.
pub enum Reply {
    /// A whole answer; the connection stays open for the next request.
    Answer { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// A head promising `declared` bytes, then `body` (shorter), then a clean close (FIN).
    CutShort { declared: usize, body: Vec<u8> },
    /// A chunked answer that stops in the middle of a chunk, then a clean close.
    CutShortChunked { body: Vec<u8> },
    /// A head promising `declared` bytes and `body` (shorter), then a TCP reset: the request is
    /// left unread, so closing makes the kernel answer with RST instead of FIN.
    ResetMidBody { declared: usize, body: Vec<u8> },
    /// Read the request and never answer, until the client hangs up.
    Stall,
    /// A 200 whose body has no `Content-Length`: chunked, or delimited by the close. `total`
    /// bytes at most, written until the client stops reading.
    Stream { chunked: bool, total: u64 },
    /// These bytes exactly (head and body, however malformed), then a clean close.
    Raw(Vec<u8>),
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// Adds a header to an `Answer`.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = Box<dyn Fn(usize, &RawRequest) -> Reply + Send + Sync>;

struct RawShared {
    handler: Handler,
    requests: Mutex<Vec<RawRequest>>,
    streamed: std::sync::atomic::AtomicU64,
    stop: std::sync::atomic::AtomicBool,
}

/// The server; `handler` gets each request with its number (from 0, across connections) and
/// decides the reply. Each connection has its own thread. Stops when dropped.
pub struct RawServer {
    addr: std::net::SocketAddr,
    shared: Arc<RawShared>,
}

impl RawServer {
    pub fn start(handler: impl Fn(usize, &RawRequest) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(RawShared {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            streamed: Default::default(),
            stop: Default::default(),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve_raw_connection(stream, &s));
            }
        });
        RawServer { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Bytes of `Stream` bodies written so far.
    pub fn streamed(&self) -> u64 {
        self.shared.streamed.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

fn serve_raw_connection(mut stream: std::net::TcpStream, s: &RawShared) {
    use std::io::{Read, Write};
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let give_up = Instant::now() + Duration::from_secs(30);
    loop {
        let Some((len, request)) = peek_request(&stream, s, give_up) else { return };
        let seq = {
            let mut all = s.requests.lock().unwrap();
            all.push(request.clone());
            all.len() - 1
        };
        let reply = (s.handler)(seq, &request);
        if let Reply::ResetMidBody { declared, body } = &reply {
            let _ = stream.write_all(&raw_head(200, &[], Some(*declared)));
            let _ = stream.write_all(body);
            let _ = stream.flush();
            // Let the client read the head and start on the body, then close with the request
            // still unread: the kernel resets the connection.
            std::thread::sleep(Duration::from_millis(100));
            return;
        }
        let mut consumed = vec![0; len];
        if stream.read_exact(&mut consumed).is_err() {
            return;
        }
        match reply {
            Reply::Answer { status, headers, body } => {
                let mut out = raw_head(status, &headers, Some(body.len()));
                out.extend_from_slice(&body);
                if stream.write_all(&out).is_err() {
                    return;
                }
            }
            Reply::CutShort { declared, body } => {
                let _ = stream.write_all(&raw_head(200, &[], Some(declared)));
                let _ = stream.write_all(&body);
                return;
            }
            Reply::CutShortChunked { body } => {
                let chunked = [("Transfer-Encoding".to_string(), "chunked".to_string())];
                let _ = stream.write_all(&raw_head(200, &chunked, None));
                // Promise twice what is sent.
                let _ = write!(stream, "{:x}\r\n", body.len() * 2);
                let _ = stream.write_all(&body);
                return;
            }
            Reply::Stall => {
                let mut sink = [0u8; 1024];
                while !s.stop.load(Ordering::SeqCst) && Instant::now() < give_up {
                    match stream.read(&mut sink) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        }
                        Err(_) => return,
                    }
                }
                return;
            }
            Reply::Stream { chunked, total } => {
                let headers = if chunked {
                    vec![("Transfer-Encoding".to_string(), "chunked".to_string())]
                } else {
                    vec![("Connection".to_string(), "close".to_string())]
                };
                if stream.write_all(&raw_head(200, &headers, None)).is_err() {
                    return;
                }
                let piece = vec![b' '; 64 * 1024];
                let mut sent = 0u64;
                while sent < total {
                    let ok = if chunked {
                        write!(stream, "{:x}\r\n", piece.len()).is_ok()
                            && stream.write_all(&piece).is_ok()
                            && stream.write_all(b"\r\n").is_ok()
                    } else {
                        stream.write_all(&piece).is_ok()
                    };
                    if !ok {
                        return;
                    }
                    sent += piece.len() as u64;
                    s.streamed.fetch_add(piece.len() as u64, Ordering::SeqCst);
                }
                if chunked {
                    let _ = stream.write_all(b"0\r\n\r\n");
                }
                return;
            }
            Reply::Raw(bytes) => {
                let _ = stream.write_all(&bytes);
                return;
            }
            Reply::ResetMidBody { .. } => unreachable!("handled above"),
        }
    }
}

/// Waits until a whole request (head and `Content-Length` body) is buffered and parses it
/// without consuming it; returns its length. `None` when the client hangs up or time runs out.
fn peek_request(stream: &std::net::TcpStream, s: &RawShared, give_up: Instant) -> Option<(usize, RawRequest)> {
    let mut buf = vec![0u8; 256 * 1024];
    while !s.stop.load(Ordering::SeqCst) && Instant::now() < give_up {
        let n = match stream.peek(&mut buf) {
            Ok(0) => return None,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(_) => return None,
        };
        if let Some(end) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).ok()?;
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            let length = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            if n >= total {
                let body = buf[end + 4..total].to_vec();
                return Some((total, RawRequest { method, target, headers, body }));
            }
        }
        if n == buf.len() {
            return None;
        }
        // Part of the request is still on its way.
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

fn raw_head(status: u16, headers: &[(String, String)], length: Option<usize>) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(n) = length {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}
