//! Shared helpers: clients pointed at a loopback server with a clock that never sleeps, and
//! builders for API answers.

#![allow(dead_code)]

use fivetrex::retry::ManualClock;
use fivetrex::{Client, ClientBuilder, RetryPolicy};
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
