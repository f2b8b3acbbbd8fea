//! Shared helpers: clients pointed at a loopback server with a clock that never sleeps, and
//! builders for API answers.

#![allow(dead_code)]

use fivetrex::retry::ManualClock;
use fivetrex::{Client, ClientBuilder, RetryPolicy};
use httpmock::prelude::*;
use httpmock::{Mock, When};
use serde_json::{json, Value};
use std::sync::Arc;

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

/// The operation object for an operationId: `(method, path, operation)`.
pub fn spec_operation(operation_id: &str) -> Option<(String, String, &'static Value)> {
    let spec = spec()?;
    for (path, item) in spec["paths"].as_object()? {
        for (method, op) in item.as_object()? {
            if op.get("operationId").and_then(Value::as_str) == Some(operation_id) {
                return Some((method.to_uppercase(), path.clone(), op));
            }
        }
    }
    None
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

/// Checks that every operation in `ops` matches the spec: method, path, the `Accept` default,
/// whether it pages, and the documented success status (`200/201` operations may declare either).
pub fn assert_operations_match_spec(ops: &[fivetrex::endpoint::Operation]) {
    use fivetrex::endpoint::Paging;
    if spec().is_none() {
        return;
    }
    for op in ops {
        let (method, path, spec_op) = spec_operation(op.id).unwrap_or_else(|| panic!("{} is not in the spec", op.id));
        assert_eq!(method, op.method.to_string(), "{}", op.id);
        assert_eq!(path, op.path, "{}", op.id);
        let params = spec_op["parameters"].as_array().cloned().unwrap_or_default();
        let accept = params
            .iter()
            .find(|p| p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("accept")))
            .and_then(|p| p["schema"]["default"].as_str())
            .unwrap_or("application/json");
        assert_eq!(op.accept.as_str(), accept, "Accept of {}", op.id);
        let paged = params.iter().any(|p| p["name"] == "cursor" && p["in"] == "query");
        assert_eq!(op.paging == Paging::Cursor, paged, "paging of {}", op.id);
        let codes: Vec<u16> = spec_op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|c| c.parse().ok())
            .filter(|c| (200..300).contains(c))
            .collect();
        assert!(codes.contains(&op.success), "{} succeeds with {}, spec says {codes:?}", op.id, op.success);
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
