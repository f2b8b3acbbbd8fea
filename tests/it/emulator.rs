//! The emulator end to end, driven by the real client over loopback: resources, paging, syncs,
//! quota, every fault kind, keep-alive, the control endpoints and the example binary.

use fivetrex::emulator::cli::{self, Command};
use fivetrex::emulator::{ConnectionControl, Emulator, Fault, FaultBody, FaultKind, Outcome, SetupState, SyncState};
use fivetrex::retry::ManualClock;
use fivetrex::sync::WhenRescheduled;
use fivetrex::{
    Client, Confirm, ErrorKind, Method, NewConnection, NewDestination, NewUser, RetryPolicy, SetupTests, SyncOutcome,
    Timestamp, UpdateConnection, UpdateDestination, UpdateGroup, UpdateUser, WaitOptions,
};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn start(groups: usize, per_group: usize) -> Emulator {
    Emulator::builder().seed(groups, per_group).sync_duration(Duration::from_millis(40)).start().unwrap()
}

/// A client on the emulator with a clock that never sleeps and exact waits.
fn client(emu: &Emulator) -> (Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let c = emu.client_builder().clock(clock.clone()).retry_policy(RetryPolicy::default().with_jitter(false));
    (c.build().unwrap(), clock)
}

fn client_no_retry(emu: &Emulator) -> Client {
    emu.client_builder().retry_policy(RetryPolicy::none()).build().unwrap()
}

/// One raw HTTP/1.1 exchange on a fresh connection: (status, head, body).
fn http(emu: &Emulator, request: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(emu.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

fn auth(emu: &Emulator) -> String {
    let raw = format!("{}:{}", emu.key(), emu.secret());
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in raw.as_bytes().chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= c.len() { T[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    format!("Basic {out}")
}

/// A control request: method, path under the emulator, JSON body.
fn control(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, _, body) = http(emu, &req);
    (status, serde_json::from_str(&body).unwrap())
}

fn connection_json(client: &Client, id: &str) -> Value {
    client.raw(Method::Get, &format!("/v1/connections/{id}"), &[], None).unwrap()["data"].clone()
}

/// `max(succeeded_at, failed_at)` of a connection as JSON.
fn last_sync(c: &Value) -> Option<Timestamp> {
    let t = |k: &str| c[k].as_str().and_then(Timestamp::parse);
    t("succeeded_at").max(t("failed_at"))
}

/// Polls (really sleeping, briefly) until the connection leaves `syncing`.
fn wait_until_settled(client: &Client, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let c = connection_json(client, id);
        if c["status"]["sync_state"] != "syncing" {
            return c;
        }
        assert!(Instant::now() < deadline, "still syncing: {c}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn create_list_sync_and_delete_a_connection() {
    let emu = start(2, 25);
    let (client, _) = client(&emu);
    let group = client.create_group("emulated_warehouse").unwrap();
    assert!(group.created_at.is_some());
    let renamed = client.update_group(&group.id, &UpdateGroup::new().name("renamed_warehouse")).unwrap();
    assert_eq!(renamed.name, "renamed_warehouse");

    let new = NewConnection::new(&group.id, "postgres")
        .config(json!({"schema_prefix": "pg_new", "host": "db", "port": 5432, "password": "hunter2"}))
        .sync_frequency(60);
    let created = client.create_connection(&new).unwrap();
    assert_eq!((created.schema.as_str(), created.group_id.as_str()), ("pg_new", group.id.as_str()));
    assert!(created.is_connected() && !created.is_paused());
    assert_eq!(created.sync_frequency, Some(60));
    let config = created.config.as_ref().unwrap().to_value().unwrap();
    assert_eq!((config["host"].as_str(), config["password"].as_str()), (Some("db"), Some("******")));
    assert_eq!(emu.requests().last().unwrap().status, Some(201));
    let id = created.id.clone();

    let changes = UpdateConnection::new().sync_frequency(1440).daily_sync_time("03:00");
    let updated = client.update_connection(&id, &changes).unwrap();
    assert_eq!((updated.sync_frequency, updated.daily_sync_time.as_deref()), (Some(1440), Some("03:00")));
    assert!(client.pause_connection(&id).unwrap().is_paused());
    assert!(!client.resume_connection(&id).unwrap().is_paused());

    // The seeded group's 25 connections over three pages of 10.
    let seeded = &emu.group_ids()[0];
    emu.clear_log();
    let mut list = client.group_connections(seeded).page_size(10);
    let ids: Vec<String> = list.by_ref().map(|c| c.unwrap().id).collect();
    assert_eq!(ids, emu.connection_ids(seeded));
    assert_eq!((ids.len(), list.requests()), (25, 3));
    let log = emu.requests();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|r| r.status == Some(200) && r.query.contains("limit=10")));
    assert!(!log[0].query.contains("cursor") && log[1].query.contains("cursor=") && log[2].query.contains("cursor="));
    // The account-wide list: every connection over 6 pages, and the group filter.
    let all: Vec<_> = client.connections().page_size(9).map(|c| c.unwrap()).collect();
    assert_eq!(all.len(), 51);
    let found: Vec<_> = client.connections().query("group_id", &group.id).map(|c| c.unwrap().id).collect();
    assert_eq!(found, std::slice::from_ref(&id));
    let by_schema: Vec<_> = client.connections().query("schema", "pg_new").map(|c| c.unwrap().id).collect();
    assert_eq!(by_schema, std::slice::from_ref(&id));

    // Sync and wait, on the real clock (this sync takes 300 ms), with progress.
    emu.set_connection(&id, &ConnectionControl::new().sync_duration(Duration::from_millis(300))).unwrap();
    let polls = Arc::new(Mutex::new(Vec::new()));
    let p = polls.clone();
    let options = WaitOptions::new()
        .poll_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(5))
        .on_progress(move |progress| p.lock().unwrap().push(progress.sync_state.map(|s| s.to_string())));
    let outcome = emu.client().sync_and_wait(&id, &options).unwrap();
    let SyncOutcome::Succeeded { at, connection, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!((connection.succeeded_at, connection.failed_at), (Some(at), None));
    assert!(connection.status.sync_state == Some(SyncState::Scheduled));
    let polls = polls.lock().unwrap();
    assert_eq!(polls.first().unwrap().as_deref(), Some("syncing"), "{polls:?}");
    assert_eq!(polls.last().unwrap().as_deref(), Some("scheduled"));

    client.delete_connection(&id, &fivetrex::Confirm::delete_connection(id.as_str())).unwrap();
    let gone = client.connection(&id).unwrap_err();
    assert_eq!((gone.kind(), gone.api_code()), (ErrorKind::NotFound, Some("NotFound_Connector")));
    client.delete_group(&group.id, &Confirm::delete_group(&group.id)).unwrap();
    assert_eq!(client.group(&group.id).unwrap_err().api_code(), Some("NotFound_Group"));
}

#[test]
fn sync_and_wait_reports_each_ending_the_emulator_can_stage() {
    let emu = start(1, 10);
    let client = emu.client();
    let ids = emu.connection_ids(&emu.group_ids()[0]);
    let options = || WaitOptions::new().poll_interval(Duration::from_millis(10)).timeout(Duration::from_secs(5));

    emu.set_sync_outcome(&ids[0], Outcome::Failure).unwrap();
    match client.sync_and_wait(&ids[0], &options()).unwrap() {
        SyncOutcome::Failed { tasks, .. } => assert_eq!(tasks[0].code, "sync_failed"),
        other => panic!("{other:?}"),
    }
    // Seeded connection 7 is paused and 9 broken: reported at once, not waited on.
    assert_eq!(client.sync_and_wait(&ids[7], &options()).unwrap().as_str(), "paused");
    match client.sync_and_wait(&ids[9], &options()).unwrap() {
        SyncOutcome::Broken { tasks, .. } => assert_eq!(tasks[0].code, "reconnect"),
        other => panic!("{other:?}"),
    }
    // Resumed first when asked.
    let resumed = client.sync_and_wait(&ids[7], &options().resume_if_paused(true)).unwrap();
    assert!(resumed.is_success(), "{resumed:?}");
    // Rescheduled (waiting for source quota): returned with its time when asked.
    let later = Timestamp::from_system_time(SystemTime::now() + Duration::from_secs(3600));
    emu.set_connection(&ids[1], &ConnectionControl::new().rescheduled_until(later)).unwrap();
    let options = options().when_rescheduled(WhenRescheduled::Return);
    match client.sync_and_wait(&ids[1], &options).unwrap() {
        SyncOutcome::Rescheduled { until, .. } => assert_eq!(until, Some(later)),
        other => panic!("{other:?}"),
    }
    // A sync longer than the wait: timed out, with the baseline to resume from.
    emu.set_connection(&ids[2], &ConnectionControl::new().sync_duration(Duration::from_secs(60))).unwrap();
    let short = WaitOptions::new().poll_interval(Duration::from_millis(10)).timeout(Duration::from_millis(60));
    assert_eq!(client.sync_and_wait(&ids[2], &short).unwrap().as_str(), "timed_out");
}

#[test]
fn sync_outcomes_states_resync_and_setup_tests() {
    let emu = start(1, 10);
    let (client, _) = client(&emu);
    let ids = emu.connection_ids(&emu.group_ids()[0]);
    let sync = |id: &str| client.raw(Method::Post, &format!("/v1/connections/{id}/sync"), &[], Some(&json!({})));

    // A failing outcome moves failed_at and adds a task.
    emu.set_sync_outcome(&ids[0], Outcome::Failure).unwrap();
    let before = connection_json(&client, &ids[0]);
    sync(&ids[0]).unwrap();
    let after = wait_until_settled(&client, &ids[0]);
    assert_eq!(after["succeeded_at"], before["succeeded_at"]);
    assert!(after["failed_at"].as_str().and_then(Timestamp::parse) > last_sync(&before));
    assert_eq!(after["status"]["tasks"][0]["code"], "sync_failed");
    // The next success clears it.
    emu.set_sync_outcome(&ids[0], Outcome::Success).unwrap();
    sync(&ids[0]).unwrap();
    let after = wait_until_settled(&client, &ids[0]);
    assert_eq!(after["status"]["tasks"], json!([]));

    // Seeded connection 7 is paused: the trigger is accepted and nothing happens.
    let paused = connection_json(&client, &ids[7]);
    assert_eq!((paused["paused"].as_bool(), paused["status"]["sync_state"].as_str()), (Some(true), Some("paused")));
    sync(&ids[7]).unwrap();
    assert_eq!(connection_json(&client, &ids[7]), paused);
    // Resumed with PATCH, it syncs.
    let resumed = client
        .raw(Method::Patch, &format!("/v1/connections/{}", ids[7]), &[], Some(&json!({"paused": false})))
        .unwrap();
    assert_eq!(resumed["data"]["status"]["sync_state"], "scheduled");

    // Seeded connection 9 has a broken setup: its syncs fail, its setup tests say why.
    sync(&ids[9]).unwrap();
    let broken = wait_until_settled(&client, &ids[9]);
    assert!(
        broken["failed_at"].as_str().and_then(Timestamp::parse)
            > broken["succeeded_at"].as_str().and_then(Timestamp::parse)
    );
    let tested = client.raw(Method::Post, &format!("/v1/connections/{}/test", ids[9]), &[], Some(&json!({}))).unwrap();
    let steps = tested["data"]["setup_tests"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["status"] == "FAILED"), "{steps:?}");
    let tested = client.raw(Method::Post, &format!("/v1/connections/{}/test", ids[1]), &[], Some(&json!({}))).unwrap();
    assert!(tested["data"]["setup_tests"].as_array().unwrap().iter().all(|s| s["status"] == "PASSED"));

    // Resync answers 409 while a sync runs, and starts a historical sync otherwise.
    emu.set_connection(&ids[2], &ConnectionControl::new().sync_duration(Duration::from_secs(60))).unwrap();
    sync(&ids[2]).unwrap();
    let err =
        client.raw(Method::Post, &format!("/v1/connections/{}/resync", ids[2]), &[], Some(&json!({}))).unwrap_err();
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Conflict, Some(409), Some("Conflict")));
    let long = ConnectionControl::new().sync_duration(Duration::from_secs(60));
    emu.set_connection(&ids[3], &long).unwrap();
    client.raw(Method::Post, &format!("/v1/connections/{}/resync", ids[3]), &[], Some(&json!({}))).unwrap();
    let c = connection_json(&client, &ids[3]);
    assert_eq!(
        (c["status"]["sync_state"].as_str(), c["status"]["is_historical_sync"].as_bool()),
        (Some("syncing"), Some(true))
    );
    let bad_scope = client
        .raw(Method::Post, &format!("/v1/connections/{}/resync", ids[4]), &[], Some(&json!({"scope": {"public": []}})))
        .unwrap_err();
    assert_eq!(bad_scope.status(), Some(400));

    // Rescheduled until a time already past: the next look finds it syncing.
    let past = Timestamp::from_system_time(SystemTime::now() - Duration::from_millis(10));
    emu.set_connection(&ids[5], &long.clone().rescheduled_until(past)).unwrap();
    assert_eq!(connection_json(&client, &ids[5])["status"]["sync_state"], "syncing");
    let later = Timestamp::from_system_time(SystemTime::now() + Duration::from_secs(3600));
    emu.set_connection(&ids[6], &ConnectionControl::new().rescheduled_until(later)).unwrap();
    let c = connection_json(&client, &ids[6]);
    assert_eq!(c["status"]["sync_state"], "rescheduled");
    assert_eq!(c["status"]["rescheduled_for"].as_str().and_then(Timestamp::parse), Some(later));
    emu.set_connection(
        &ids[6],
        &ConnectionControl::new().setup_state(SetupState::Broken).sync_state(SyncState::Paused),
    )
    .unwrap();
    let c = connection_json(&client, &ids[6]);
    assert_eq!((c["status"]["setup_state"].as_str(), c["paused"].as_bool()), (Some("broken"), Some(true)));
    assert!(emu.set_sync_outcome("no_such_connection", Outcome::Failure).is_err());
}

#[test]
fn wrong_credentials_answer_401_auth_failed_with_rate_headers() {
    let emu = start(1, 1);
    let client = emu.client_builder().api_secret("wrong").retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.groups().next().unwrap().unwrap_err();
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Unauthorized, Some(401), Some("AuthFailed")));
    assert_eq!(client.rate_limit().limit, Some(20_000));
    let (status, head, _) = http(&emu, "GET /v1/groups HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 401);
    assert!(head.contains("X-Rate-Limit: 20000") && head.contains("X-Rate-Limit-Remaining: 20000"), "{head}");
}

#[test]
fn unknown_ids_answer_404_with_the_entity_code() {
    let emu = start(1, 1);
    let client = client_no_retry(&emu);
    assert_eq!(client.group("nope").unwrap_err().api_code(), Some("NotFound_Group"));
    for (path, code) in [
        ("/v1/connections/nope", "NotFound_Connector"),
        ("/v1/destinations/nope", "NotFound_Destination"),
        ("/v1/users/nope", "NotFound_User"),
        ("/v1/groups/nope/connections", "NotFound_Group"),
        ("/v1/no/such/thing", "NotFound"),
    ] {
        let err = client.raw(Method::Get, path, &[], None).unwrap_err();
        assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::NotFound, Some(404), Some(code)), "{path}");
    }
    let err = client.raw(Method::Put, "/v1/groups", &[], None).unwrap_err();
    assert_eq!(err.status(), Some(405));
}

#[test]
fn content_type_accept_and_required_fields_are_checked() {
    let emu = start(1, 1);
    let a = auth(&emu);
    let (status, _, body) = http(
        &emu,
        &format!("POST /v1/groups HTTP/1.1\r\nAuthorization: {a}\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{{\"name\":\"abc\"}}"),
    );
    assert_eq!(status, 415, "{body}");
    let (status, _, _) = http(
        &emu,
        &format!("PATCH /v1/groups/x HTTP/1.1\r\nAuthorization: {a}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"),
    );
    assert_eq!(status, 415);
    let (status, _, _) = http(
        &emu,
        &format!("GET /v1/groups HTTP/1.1\r\nAuthorization: {a}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 406);
    for accept in ["application/json", "application/json;version=2", "*/*"] {
        let req =
            format!("GET /v1/groups HTTP/1.1\r\nAuthorization: {a}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n");
        assert_eq!(http(&emu, &req).0, 200, "{accept}");
    }
    let client = client_no_retry(&emu);
    let err = client.raw(Method::Post, "/v1/groups", &[], Some(&json!({}))).unwrap_err();
    assert_eq!(
        (err.kind(), err.status(), err.api_code()),
        (ErrorKind::InvalidRequest, Some(400), Some("InvalidInput"))
    );
    assert!(err.api_message().unwrap().contains("name"));
    let group = &emu.group_ids()[0];
    let err = client
        .raw(Method::Post, "/v1/connections", &[], Some(&json!({"group_id": group, "config": {"schema": "x"}})))
        .unwrap_err();
    assert!(err.api_message().unwrap().contains("service"), "{err}");
    let err = client.raw(Method::Post, "/v1/users", &[], Some(&json!({"email": "a@b.c"}))).unwrap_err();
    assert_eq!(err.api_code(), Some("InvalidInput"));
    let err = client
        .raw(
            Method::Patch,
            &format!("/v1/connections/{}", emu.connection_ids(group)[0]),
            &[],
            Some(&json!({"sync_frequency": 7})),
        )
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[test]
fn limit_outside_1_to_1000_is_400_and_defaults_to_100() {
    let emu = start(1, 150);
    let client = client_no_retry(&emu);
    for limit in ["0", "1001", "-1", "ten"] {
        let err = client.raw(Method::Get, "/v1/connections", &[("limit", limit)], None).unwrap_err();
        assert_eq!((err.status(), err.api_code()), (Some(400), Some("InvalidInput")), "{limit}");
    }
    let page = client.raw(Method::Get, "/v1/connections", &[], None).unwrap();
    assert_eq!(page["data"]["items"].as_array().unwrap().len(), 100);
    let page = client.raw(Method::Get, "/v1/connections", &[("limit", "1000")], None).unwrap();
    assert_eq!(page["data"]["items"].as_array().unwrap().len(), 150);
    assert!(page["data"].get("next_cursor").is_none(), "no cursor on the last page");
}

#[test]
fn cursors_are_opaque_stable_and_checked() {
    let emu = start(7, 0);
    let client = client_no_retry(&emu);
    let mut list = client.groups().page_size(2);
    let first = list.next_page().unwrap().unwrap();
    let cursor = first.next_cursor.clone().unwrap();
    assert!(cursor.parse::<i64>().is_err() && !cursor.contains(&emu.group_ids()[1]), "{cursor}");
    // The same cursor gives the same page, from another client too, even after deletions.
    let again = |c: &Client| c.groups().page_size(2).resume_from(cursor.clone()).next_page().unwrap().unwrap();
    let second = again(&client);
    assert_eq!(again(&emu.client()), second);
    let first_id = &first.items[0].id;
    client.delete_group(first_id, &Confirm::delete_group(first_id)).unwrap();
    assert_eq!(again(&client), second);
    let ids: Vec<String> = client.groups().page_size(2).resume_from(cursor.clone()).map(|g| g.unwrap().id).collect();
    assert_eq!(ids, emu.group_ids()[1..]);
    for bad in ["garbage", "MTIz", "Z3JvdXBzOng"] {
        let err = client.raw(Method::Get, "/v1/groups", &[("cursor", bad)], None).unwrap_err();
        assert_eq!((err.status(), err.api_code()), (Some(400), Some("InvalidInput")), "{bad}");
    }
    // A cursor of one list means nothing to another.
    let err = client.raw(Method::Get, "/v1/users", &[("cursor", cursor.as_str())], None).unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[test]
fn the_hourly_quota_answers_429_with_retry_after() {
    let emu = Emulator::builder().seed(1, 1).hourly_quota(3).start().unwrap();
    let (client, clock) = client(&emu);
    let group = &emu.group_ids()[0];
    for left in [2, 1, 0] {
        client.group(group).unwrap();
        assert_eq!(client.rate_limit().remaining, Some(left));
    }
    let err = client.group(group).unwrap_err();
    assert_eq!((err.kind(), err.api_code()), (ErrorKind::RateLimited, Some("TooManyRequests")));
    // Most of an hour: longer than the client's cap, so it returns instead of sleeping.
    let wait = err.retry_after().unwrap();
    assert!(wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600), "{wait:?}");
    assert_eq!(clock.sleeps(), []);
    assert_eq!(emu.requests().iter().map(|r| r.status.unwrap()).collect::<Vec<_>>(), [200, 200, 200, 429]);
    emu.set_hourly_quota(10);
    // The pause is remembered although it was not slept: inside it a call fails at once, with
    // the time that remains, and sends nothing.
    clock.advance(Duration::from_secs(600));
    let err = client.group(group).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(wait - Duration::from_secs(600)));
    assert_eq!(emu.requests().len(), 4);
    clock.advance(wait);
    client.group(group).unwrap();
    assert_eq!(client.rate_limit().limit, Some(10));
}

#[test]
fn an_injected_429_is_waited_out_then_retried() {
    let emu = start(2, 0);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let clock = Arc::new(ManualClock::new());
    let client = emu
        .client_builder()
        .clock(clock.clone())
        .retry_policy(RetryPolicy::default().with_jitter(false))
        .on_retry(move |e| s.lock().unwrap().push((e.attempt, e.delay, e.error.status())))
        .build()
        .unwrap();
    emu.add_fault(Fault::status("/v1/groups", 429).method("GET").retry_after("1").times(2));
    let groups: Vec<_> = client.groups().map(|g| g.unwrap().id).collect();
    assert_eq!(groups.len(), 2);
    assert_eq!(clock.sleeps(), [Duration::from_secs(1), Duration::from_secs(1)]);
    assert_eq!(*seen.lock().unwrap(), [(1, Duration::from_secs(1), Some(429)), (2, Duration::from_secs(1), Some(429))]);
    let log = emu.requests();
    assert_eq!(
        log.iter().map(|r| (r.status, r.fault)).collect::<Vec<_>>(),
        [(Some(429), Some(FaultKind::Status)), (Some(429), Some(FaultKind::Status)), (Some(200), None)]
    );
    // 5xx with the default policy: retried with backoff, then success.
    emu.add_fault(Fault::status("/v1/groups/*", 503).times(2));
    client.group(&groups[0]).unwrap();
    assert_eq!(clock.sleeps()[2..], [Duration::from_millis(500), Duration::from_secs(1)]);
    assert_eq!(emu.stats().pending_faults, 0);
}

#[test]
fn every_fault_kind_reaches_the_client_as_the_right_error() {
    let emu = start(1, 6);
    let client =
        emu.client_builder().retry_policy(RetryPolicy::none()).timeout(Duration::from_millis(400)).build().unwrap();
    let group = emu.group_ids()[0].clone();
    let get = || client.group(&group);

    emu.add_fault(Fault::status("/v1/groups/*", 503));
    let err = get().unwrap_err();
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Server, Some(503), Some("InternalError")));

    emu.add_fault(Fault::status("/v1/groups/*", 500).body(FaultBody::Empty));
    let err = get().unwrap_err();
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Server, Some(500), None));

    emu.add_fault(Fault::html("/v1/groups/*", 502));
    let err = get().unwrap_err();
    assert_eq!((err.kind(), err.status(), err.api_code()), (ErrorKind::Server, Some(502), None));
    assert!(err.api_error().unwrap().body_snippet.contains("<html>"));

    emu.add_fault(Fault::reset("/v1/groups/*"));
    assert_eq!(get().unwrap_err().kind(), ErrorKind::Transport);

    emu.add_fault(Fault::truncate("/v1/groups/*"));
    assert_eq!(get().unwrap_err().kind(), ErrorKind::Transport);

    let t = Instant::now();
    emu.add_fault(Fault::stall("/v1/groups/*"));
    assert_eq!(get().unwrap_err().kind(), ErrorKind::Timeout);
    assert!(t.elapsed() < Duration::from_secs(3));

    let t = Instant::now();
    emu.add_fault(Fault::delayed("/v1/groups/*", Duration::from_millis(150)));
    get().unwrap();
    assert!(t.elapsed() >= Duration::from_millis(150));

    // A repeated cursor: page one is fine, page two repeats its own cursor, the walk stops.
    emu.add_fault(Fault::repeat_cursor(&format!("/v1/groups/{group}/connections")).times(0));
    let results: Vec<_> = client.group_connections(&group).page_size(2).collect();
    assert_eq!(results.len(), 5, "two pages of items, then the error");
    assert!(results[..4].iter().all(Result::is_ok));
    assert_eq!(results[4].as_ref().unwrap_err().kind(), ErrorKind::RepeatedCursor);
    emu.clear_faults();

    // After all that the emulator still answers, and the log names every fault.
    get().unwrap();
    let faults: Vec<_> = emu.requests().iter().filter_map(|r| r.fault).collect();
    assert_eq!(
        faults,
        [
            FaultKind::Status,
            FaultKind::Status,
            FaultKind::Html,
            FaultKind::Reset,
            FaultKind::Truncate,
            FaultKind::Stall,
            FaultKind::Delay,
            FaultKind::RepeatCursor
        ]
    );
    assert_eq!(emu.requests().iter().find(|r| r.fault == Some(FaultKind::Reset)).unwrap().status, None);
}

#[test]
fn a_walk_over_100_pages_uses_one_tcp_connection() {
    let emu = start(1, 1000);
    let (client, _) = client(&emu);
    let group = &emu.group_ids()[0];
    let mut list = client.group_connections(group).page_size(10);
    let ids: Vec<String> = list.by_ref().map(|c| c.unwrap().id).collect();
    assert_eq!(ids.len(), 1000);
    assert_eq!(list.requests(), 100);
    let stats = emu.stats();
    assert_eq!((stats.api_requests, stats.connections_accepted, stats.api_connections), (100, 1, 1));
}

#[test]
fn seeding_100k_connections_and_serving_pages_of_1000() {
    let t = Instant::now();
    let emu = Emulator::builder().seed(100, 1000).start().unwrap();
    let started = t.elapsed();
    let client = emu.client();
    let group = emu.group_ids()[50].clone();
    let t = Instant::now();
    let page = client.group_connections(&group).next_page().unwrap().unwrap();
    let first = t.elapsed();
    assert_eq!(page.items.len(), 1000);
    let t = Instant::now();
    let mut list = client.raw_list("/v1/connections", &[]).unwrap();
    let mut n = 0;
    for _ in 0..5 {
        n += list.next_page().unwrap().unwrap().items.len();
    }
    let five = t.elapsed();
    assert_eq!(n, 5000);
    eprintln!(
        "emulator: seeded 100,000 connections in {:?} (start {started:?}); one page of 1000 fetched and decoded in {first:?}; five in {five:?}",
        emu.seeded_in()
    );
    assert!(emu.seeded_in() < Duration::from_secs(10));
}

#[test]
fn users_destinations_and_group_membership() {
    let emu = start(2, 1);
    let client = client_no_retry(&emu);
    let group = emu.group_ids()[1].clone();
    let users: Vec<_> = client.users().page_size(1).map(|u| u.unwrap()).collect();
    assert_eq!(users.len(), 3);
    let invited = client.create_user(&NewUser::new("new@example.com", "N", "U")).unwrap();
    assert_eq!((invited.invited, invited.verified), (Some(true), Some(false)));
    let dup = client.create_user(&NewUser::new("new@example.com", "N", "U")).unwrap_err();
    assert_eq!((dup.status(), dup.api_code()), (Some(409), Some("Conflict")));
    let renamed = client.update_user(&invited.id, &UpdateUser::new().given_name("Nora")).unwrap();
    assert_eq!(renamed.given_name.as_deref(), Some("Nora"));

    let before = client.group_users(&group).count();
    client.add_user_to_group(&group, "new@example.com", "Destination Analyst").unwrap();
    let members: Vec<_> = client.group_users(&group).page_size(1).map(|u| u.unwrap()).collect();
    assert_eq!(members.len(), before + 1);
    let new = members.iter().find(|u| u.email == "new@example.com").unwrap();
    assert_eq!(new.role.as_deref(), Some("Destination Analyst"));
    client.remove_user_from_group(&group, &new.id).unwrap();
    assert_eq!(client.group_users(&group).count(), before);
    let err = client.add_user_to_group(&group, "nobody@example.com", "x").unwrap_err();
    assert_eq!(err.api_code(), Some("NotFound_User"));
    client.delete_user(&invited.id).unwrap();
    assert_eq!(client.user(&invited.id).unwrap_err().api_code(), Some("NotFound_User"));

    let listed: Vec<_> = client.destinations().page_size(1).map(|d| d.unwrap()).collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|d| d.config.is_none()), "list items carry no config");
    let d = client.destination(&group).unwrap();
    assert!(d.is_connected());
    let config = d.config.unwrap().to_value().unwrap();
    assert_eq!((d.group_id.as_str(), config["password"].as_str()), (group.as_str(), Some("******")));
    let dup = client.create_destination(&NewDestination::new(&group, "snowflake", "0")).unwrap_err();
    assert_eq!(dup.status(), Some(409));
    let patched = client.update_destination(&group, &UpdateDestination::new().region("AWS_US_EAST_1")).unwrap();
    assert_eq!(patched.region.as_deref(), Some("AWS_US_EAST_1"));
    let tested = client.run_destination_setup_tests(&group, &SetupTests::new()).unwrap();
    assert_eq!(tested.setup_tests.len(), 4);
    assert!(client.group_public_key(&group).unwrap().starts_with("ssh-rsa "));
    assert!(client.group_service_account(&group).unwrap().contains('@'));
}

#[test]
fn answers_have_the_spec_required_fields() {
    let Some(_) = crate::support::spec() else { return };
    let emu = start(1, 10);
    let client = client_no_retry(&emu);
    let group = &emu.group_ids()[0];
    // (schema, path, fields the schema leaves to per-service variants)
    let checks = [
        ("GroupResponse", format!("/v1/groups/{group}"), &[][..]),
        ("GroupResponse", "/v1/groups".to_owned(), &[]),
        ("ConnectorResponseV1", format!("/v1/connections/{}", emu.connection_ids(group)[9]), &["config"]),
        ("ConnectorResponse", format!("/v1/groups/{group}/connections"), &[]),
        ("ConnectorResponse", "/v1/connections".to_owned(), &[]),
        ("DestinationExtendedResponse", format!("/v1/destinations/{group}"), &["config"]),
        ("DestinationResponse", "/v1/destinations".to_owned(), &[]),
        ("UserResponse", "/v1/users".to_owned(), &[]),
        ("UserResponse", format!("/v1/groups/{group}/users"), &[]),
    ];
    for (schema, path, extra) in checks {
        let answer = client.raw(Method::Get, &path, &[], None).unwrap();
        let data = answer["data"].get("items").map_or(&answer["data"], |items| &items[0]);
        let spec = &crate::support::spec().unwrap()["components"]["schemas"][schema];
        for field in spec["required"].as_array().unwrap() {
            let field = field.as_str().unwrap();
            assert!(data.get(field).is_some(), "{schema}: `{field}` missing from {data}");
        }
        for (field, value) in data.as_object().unwrap() {
            let known = spec["properties"].get(field).is_some() || extra.contains(&field.as_str());
            assert!(known, "{schema}: `{field}` is not in the spec ({value})");
        }
    }
}

#[test]
fn control_endpoints_steer_it_over_http() {
    let emu = start(1, 3);
    let client = client_no_retry(&emu);
    let group = emu.group_ids()[0].clone();
    let id = emu.connection_ids(&group)[0].clone();

    let (status, _) = control(
        &emu,
        "POST",
        "/__emulator/faults",
        Some(json!({"method": "get", "path": "/v1/groups/*", "status": 503, "times": 2})),
    );
    assert_eq!(status, 200);
    let (_, faults) = control(&emu, "GET", "/__emulator/faults", None);
    assert_eq!(faults["items"][0]["remaining"], 2);
    assert_eq!(client.group(&group).unwrap_err().status(), Some(503));
    let (status, _) = control(&emu, "DELETE", "/__emulator/faults", None);
    assert_eq!(status, 200);
    client.group(&group).unwrap();
    for bad in [
        json!({"path": "/v1/groups"}),
        json!({"path": "x", "status": 500}),
        json!({"path": "/", "kind": "nope"}),
        json!({"path": "/", "status": 500, "extra": 1}),
    ] {
        assert_eq!(control(&emu, "POST", "/__emulator/faults", Some(bad.clone())).0, 400, "{bad}");
    }

    let (status, c) = control(
        &emu,
        "POST",
        &format!("/__emulator/connections/{id}"),
        Some(
            json!({"sync_state": "rescheduled", "rescheduled_for": "2099-01-01T00:00:00Z", "sync_outcome": "failure"}),
        ),
    );
    assert_eq!(status, 200);
    assert_eq!(c["data"]["status"]["rescheduled_for"], "2099-01-01T00:00:00Z");
    assert_eq!(connection_json(&client, &id)["status"]["sync_state"], "rescheduled");
    assert_eq!(control(&emu, "POST", "/__emulator/connections/nope", Some(json!({}))).0, 404);
    // A state the API might add tomorrow is served as given, for testing clients' tolerance.
    let (status, c) =
        control(&emu, "POST", &format!("/__emulator/connections/{id}"), Some(json!({"sync_state": "dancing"})));
    assert_eq!((status, c["data"]["status"]["sync_state"].as_str()), (200, Some("dancing")));
    assert_eq!(control(&emu, "POST", &format!("/__emulator/connections/{id}"), Some(json!({"paused": "yes"}))).0, 400);

    let (_, log) = control(&emu, "GET", "/__emulator/log", None);
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["status"], 503);
    assert_eq!(items[0]["fault"], "status");
    assert_eq!(items[2]["path"], format!("/v1/connections/{id}"));

    // Two requests counted (the faulted one was answered in front of the quota): 2 refuses the next.
    let (_, settings) =
        control(&emu, "POST", "/__emulator/settings", Some(json!({"hourly_quota": 2, "sync_duration_ms": 5})));
    assert_eq!((settings["hourly_quota"].as_u64(), settings["sync_duration_ms"].as_u64()), (Some(2), Some(5)));
    let err = client.group(&group).unwrap_err();
    assert_eq!((err.status(), err.retry_after().is_some()), (Some(429), true));
    assert_eq!(control(&emu, "POST", "/__emulator/settings", Some(json!({"quota": 1}))).0, 400);

    let (_, stats) = control(&emu, "GET", "/__emulator/stats", None);
    assert_eq!(stats["stats"]["api_requests"], 4);
    assert_eq!(stats["stats"]["api_connections"], 1, "the client kept its connection");

    // Reset: seeded data back, counters and quota use cleared (settings kept). The client
    // remembers the hour-long pause of the 429 and refuses at once; a new one starts afresh.
    let err = client.raw(Method::Delete, &format!("/v1/connections/{id}"), &[], None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(emu.requests().len(), 4, "nothing sent inside the pause");
    control(&emu, "POST", "/__emulator/settings", Some(json!({"hourly_quota": 100})));
    control(&emu, "POST", "/__emulator/reset", None);
    let client = emu.client();
    assert_eq!(connection_json(&client, &id)["status"]["sync_state"], "scheduled");
    assert_eq!(emu.requests().len(), 1);

    let (_, seeded) = control(&emu, "POST", "/__emulator/seed", Some(json!({"groups": 4, "connections_per_group": 2})));
    assert_eq!(seeded["connections"], 8);
    assert_eq!(client.groups().count(), 4);
    assert_eq!(control(&emu, "POST", "/__emulator/seed", Some(json!({"groups": 4}))).0, 400);
    assert_eq!(control(&emu, "GET", "/__emulator/nothing", None).0, 404);
}

#[test]
fn stopping_closes_the_port() {
    let emu = start(1, 1);
    let client = emu.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    client.groups().count();
    let addr = emu.addr();
    let t = Instant::now();
    emu.stop();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_err());
    assert_eq!(client.groups().next().unwrap().unwrap_err().kind(), ErrorKind::Transport);
}

#[test]
fn command_line_options() {
    let parse = |args: &[&str]| cli::parse(args.iter().map(|s| s.to_string()));
    let Ok(Command::Run(o)) = parse(&[]) else { panic!() };
    assert_eq!((o.addr.to_string(), o.groups, o.connections_per_group), ("127.0.0.1:0".into(), 3, 5));
    assert_eq!(
        (o.key.as_str(), o.secret.as_str()),
        (fivetrex::emulator::DEFAULT_KEY, fivetrex::emulator::DEFAULT_SECRET)
    );
    assert!(o.exit_on_stdin_eof);
    let Ok(Command::Run(o)) = parse(&[
        "--host",
        "0.0.0.0",
        "--port=8123",
        "--key",
        "k",
        "--secret=s",
        "--groups",
        "100",
        "--connections-per-group",
        "1000",
        "--sync-ms",
        "5",
        "--quota",
        "7",
        "--ignore-stdin",
    ]) else {
        panic!()
    };
    assert_eq!(o.addr.to_string(), "0.0.0.0:8123");
    assert_eq!((o.key.as_str(), o.secret.as_str(), o.groups, o.connections_per_group), ("k", "s", 100, 1000));
    assert_eq!((o.sync_duration, o.hourly_quota, o.exit_on_stdin_eof), (Duration::from_millis(5), 7, false));
    assert_eq!(parse(&["--help"]), Ok(Command::Help));
    for bad in [
        &["--port"][..],
        &["--port", "x"],
        &["--port", "70000"],
        &["--nope"],
        &["--key", ""],
        &["--host", "localhost"],
        &["--ignore-stdin=1"],
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
    // The options make an emulator that answers with them.
    let Ok(Command::Run(o)) =
        parse(&["--key", "k2", "--secret", "s2", "--groups", "2", "--connections-per-group", "1"])
    else {
        panic!()
    };
    let emu = o.builder().start().unwrap();
    assert_eq!(emu.client().groups().count(), 2);
    assert_eq!(emu.key(), "k2");
}

#[test]
fn the_example_binary_prints_its_url_and_exits_at_stdin_eof() {
    let exe = std::env::current_exe().unwrap();
    let Some(bin) = exe.parent().and_then(|deps| deps.parent()).map(|d| d.join("examples").join("emulator")) else {
        return;
    };
    if !bin.exists() {
        eprintln!("skipped: {} not built (cargo build --example emulator --features emulator)", bin.display());
        return;
    }
    let mut child = std::process::Command::new(&bin)
        .args(["--port", "0", "--groups", "2", "--connections-per-group", "3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("first line: {line:?}")).to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let client = Client::builder()
        .api_key(fivetrex::emulator::DEFAULT_KEY)
        .api_secret(fivetrex::emulator::DEFAULT_SECRET)
        .base_url(url)
        .build()
        .unwrap();
    assert_eq!(client.groups().count(), 2);
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "the emulator did not exit at stdin EOF");
        std::thread::sleep(Duration::from_millis(20));
    }
}
