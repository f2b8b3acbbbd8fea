//! The `fivetrex` binary, run for real against the emulator (started here, in-process) or an
//! httpmock server for the families the emulator does not imitate (teams, webhooks, schemas).

use assert_cmd::Command;
use fivetrex::emulator::{ConnectionControl, Emulator, Fault, Outcome, SyncState};
use httpmock::prelude::*;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_fivetrex");

fn emulator() -> Emulator {
    Emulator::builder().seed(3, 10).start().expect("emulator starts")
}

/// The binary with no FIVETRAN_* from the test's environment.
fn bare() -> Command {
    let mut c = Command::new(BIN);
    for v in ["FIVETRAN_API_KEY", "FIVETRAN_API_SECRET", "FIVETRAN_BASE_URL", "COLUMNS"] {
        c.env_remove(v);
    }
    c.timeout(Duration::from_secs(60));
    c
}

/// The binary pointed at `emu` through the environment.
fn fx(emu: &Emulator) -> Command {
    let mut c = bare();
    c.env("FIVETRAN_BASE_URL", emu.base_url())
        .env("FIVETRAN_API_KEY", emu.key())
        .env("FIVETRAN_API_SECRET", emu.secret());
    c
}

/// The binary pointed at an httpmock server with the key `k` and secret `s`.
fn fx_mock(server: &MockServer) -> Command {
    let mut c = bare();
    c.env("FIVETRAN_BASE_URL", server.base_url()).env("FIVETRAN_API_KEY", "k").env("FIVETRAN_API_SECRET", "s");
    c
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// Runs and expects success; returns stdout parsed as one JSON document.
fn ok_json(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    json_of(&out)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().expect("an array").iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

/// Requests the emulator saw for `path` (list pages included).
fn gets(emu: &Emulator, path: &str) -> usize {
    emu.requests().iter().filter(|r| r.method == "GET" && r.path == path).count()
}

#[test]
fn groups_crud_with_confirm() {
    let emu = emulator();
    let list = ok_json(fx(&emu).args(["groups", "list", "--page-size", "2"]));
    assert_eq!(ids(&list), emu.group_ids());
    assert_eq!(gets(&emu, "/v1/groups"), 2, "3 groups in pages of 2");

    let g = ok_json(fx(&emu).args(["groups", "get", "able_alpaca"]));
    assert_eq!(g["name"], "orders_warehouse_0");

    let created = ok_json(fx(&emu).args(["groups", "create", "--name", "cli_made"]));
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "cli_made");
    let renamed = ok_json(fx(&emu).args(["groups", "update", &id, "--name", "cli_renamed"]));
    assert_eq!(renamed["name"], "cli_renamed");
    assert_eq!(emu.client().group(&id).unwrap().name, "cli_renamed");

    // No --confirm, or one naming another group: refused before any request.
    emu.clear_log();
    fx(&emu)
        .args(["groups", "delete", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("--confirm {id}")));
    fx(&emu).args(["groups", "delete", &id, "--confirm", "able_alpaca"]).assert().code(2);
    assert!(emu.requests().is_empty(), "a refused delete sends nothing");
    assert!(emu.client().group(&id).is_ok());

    let done = ok_json(fx(&emu).args(["groups", "delete", &id, "--confirm", &id]));
    assert_eq!(done["code"], "Success");
    fx(&emu).args(["groups", "get", &id]).assert().code(7).stderr(predicate::str::contains("404"));
}

#[test]
fn connections_list_filters_span_pages() {
    let emu = emulator();
    let all = ok_json(fx(&emu).args(["connections", "list", "--page-size", "7"]));
    assert_eq!(all.as_array().unwrap().len(), 30);
    assert_eq!(gets(&emu, "/v1/connections"), 5, "30 connections in pages of 7");

    let broken = ok_json(fx(&emu).args(["connections", "list", "--state", "broken", "--page-size", "7"]));
    assert_eq!(broken.as_array().unwrap().len(), 3);
    assert!(broken.as_array().unwrap().iter().all(|c| c["status"]["setup_state"] == "broken"));
    let paused = ok_json(fx(&emu).args(["connections", "list", "--state", "paused"]));
    assert_eq!(paused.as_array().unwrap().len(), 3);
    assert!(paused.as_array().unwrap().iter().all(|c| c["paused"] == true));

    let group = &emu.group_ids()[1];
    let mine = ok_json(fx(&emu).args(["connections", "list", "--group", group, "--page-size", "4"]));
    assert_eq!(ids(&mine), emu.connection_ids(group));
    let q = emu.requests().into_iter().rfind(|r| r.path == "/v1/connections").unwrap();
    assert!(q.query.contains(&format!("group_id={group}")), "{}", q.query);

    let mysql = ok_json(fx(&emu).args(["connections", "list", "--service", "mysql"]));
    assert!(!mysql.as_array().unwrap().is_empty());
    assert!(mysql.as_array().unwrap().iter().all(|c| c["service"] == "mysql"));

    // failed: the broken ones (a recent failed_at) plus one whose last sync failed now.
    let c0 = emu.connection_ids(group)[0].clone();
    emu.set_connection(&c0, &ConnectionControl::new().sync_outcome(Outcome::Failure).sync_duration(Duration::ZERO))
        .unwrap();
    fx(&emu).args(["connections", "sync", &c0]).assert().success();
    std::thread::sleep(Duration::from_millis(20));
    let failed = ok_json(fx(&emu).args(["connections", "list", "--state", "failed"]));
    let failed = ids(&failed);
    assert!(failed.contains(&c0), "{failed:?}");
    assert_eq!(failed.len(), 4, "{failed:?}");

    let c1 = emu.connection_ids(group)[1].clone();
    emu.set_connection(&c1, &ConnectionControl::new().sync_state(SyncState::Syncing)).unwrap();
    let syncing = ok_json(fx(&emu).args(["connections", "list", "--state", "syncing"]));
    assert_eq!(ids(&syncing), std::slice::from_ref(&c1));
    let c2 = emu.connection_ids(group)[2].clone();
    let later = fivetrex::Timestamp::from_unix(4_000_000_000, 0).unwrap();
    emu.set_connection(&c2, &ConnectionControl::new().rescheduled_until(later)).unwrap();
    let resched = ok_json(fx(&emu).args(["connections", "list", "--state", "rescheduled"]));
    assert_eq!(ids(&resched), [c2]);
}

#[test]
fn every_output_format_parses_back() {
    let emu = emulator();
    let args = ["connections", "list", "--page-size", "8"];
    let json = ok_json(fx(&emu).args(args).args(["-o", "json"]));
    let expected = ids(&json);
    assert_eq!(expected.len(), 30);

    let out = fx(&emu).args(args).args(["-o", "jsonl"]).assert().success().get_output().stdout.clone();
    let lines: Vec<Value> = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(json_of).collect();
    assert_eq!(ids(&Value::Array(lines.clone())), expected);
    assert_eq!(lines[0], json[0], "jsonl carries the whole object");

    let out = fx(&emu).args(args).args(["-o", "csv"]).assert().success().get_output().stdout.clone();
    let mut r = csv::Reader::from_reader(&out[..]);
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers, vec!["id", "group_id", "service", "schema", "state", "succeeded_at", "failed_at"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| r[0].to_owned()).collect::<Vec<_>>(), expected);
    let broken: Vec<_> = rows.iter().filter(|r| &r[4] == "broken").collect();
    assert_eq!(broken.len(), 3);

    // --columns picks dotted paths.
    let out = fx(&emu)
        .args(args)
        .args(["-o", "csv", "--columns", "id,status.sync_state"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut r = csv::Reader::from_reader(&out[..]);
    assert_eq!(&r.headers().unwrap().clone(), vec!["id", "status.sync_state"]);
    assert_eq!(r.records().count(), 30);

    // The table: a header, then one row per item, columns aligned across batches and pages.
    let out = fx(&emu).args(args).args(["-o", "table"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 31, "{text}");
    assert!(lines[0].starts_with("ID") && lines[0].contains("STATE"), "{}", lines[0]);
    let state_at = lines[0].find("STATE").unwrap();
    for (line, id) in lines[1..9].iter().zip(&expected) {
        assert!(line.starts_with(id.as_str()), "{line}");
        let state = line[state_at..].split_whitespace().next().unwrap();
        assert!(["scheduled", "paused"].contains(&state), "the first page sets the widths: {line}");
    }
    for (line, id) in lines[1..].iter().zip(&expected) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], id, "{line}");
        assert!(["scheduled", "paused", "broken"].contains(&cells[4]), "{line}");
    }

    // One object: JSON, a key/value table, a one-row CSV with dotted columns.
    let one = ok_json(fx(&emu).args(["connections", "get", &expected[0], "-o", "json"]));
    assert_eq!(one["id"], expected[0].as_str());
    let out = fx(&emu).args(["connections", "get", &expected[0], "-o", "csv"]).assert().success();
    let out = out.get_output().stdout.clone();
    let mut r = csv::Reader::from_reader(&out[..]);
    let h = r.headers().unwrap().clone();
    let row = r.records().next().unwrap().unwrap();
    let at = h.iter().position(|h| h == "status.sync_state").unwrap();
    assert_eq!(&row[at], "scheduled");
    let table = fx(&emu).args(["connections", "get", &expected[0], "-o", "table"]).assert().success();
    let table = String::from_utf8(table.get_output().stdout.clone()).unwrap();
    assert!(table.contains("status.sync_state") && table.contains(&expected[0]), "{table}");
}

#[test]
fn destinations_and_users() {
    let emu = emulator();
    let dests = ok_json(fx(&emu).args(["destinations", "list", "--page-size", "2"]));
    assert_eq!(ids(&dests), emu.group_ids());
    assert_eq!(gets(&emu, "/v1/destinations"), 2);
    let d = ok_json(fx(&emu).args(["destinations", "get", "able_alpaca"]));
    assert_eq!(d["group_id"], "able_alpaca");
    let d =
        ok_json(fx(&emu).args(["destinations", "update", "able_alpaca", "--data", r#"{"region": "AWS_US_WEST_2"}"#]));
    assert_eq!(d["region"], "AWS_US_WEST_2");
    fx(&emu).args(["destinations", "delete", "able_alpaca"]).assert().code(2);
    assert!(emu.client().destination("able_alpaca").is_ok());
    ok_json(fx(&emu).args(["destinations", "delete", "able_alpaca", "--confirm", "able_alpaca"]));
    fx(&emu).args(["destinations", "get", "able_alpaca"]).assert().code(7);
    let g = ok_json(fx(&emu).args(["groups", "create", "--name", "fresh"]));
    let gid = g["id"].as_str().unwrap();
    let body = std::env::temp_dir().join(format!("fivetrex-cli-dest-{}.json", std::process::id()));
    std::fs::write(&body, r#"{"config": {"host": "wh.example.com", "password": "p4ss"}}"#).unwrap();
    let d = ok_json(fx(&emu).args([
        "destinations",
        "create",
        "--group",
        gid,
        "--service",
        "snowflake",
        "--time-zone-offset",
        "-5",
        "--data",
        &format!("@{}", body.display()),
    ]));
    std::fs::remove_file(&body).ok();
    assert_eq!(d["service"], "snowflake");
    assert_eq!(d["config"]["host"], "wh.example.com");

    let users = ok_json(fx(&emu).args(["users", "list", "--page-size", "2"]));
    assert_eq!(users.as_array().unwrap().len(), 3);
    assert_eq!(gets(&emu, "/v1/users"), 2);
    let u = ok_json(fx(&emu).args([
        "users",
        "create",
        "--email",
        "new@example.com",
        "--given-name",
        "New",
        "--family-name",
        "Person",
    ]));
    let uid = u["id"].as_str().unwrap();
    let u = ok_json(fx(&emu).args(["users", "update", uid, "--given-name", "Renamed"]));
    assert_eq!(u["given_name"], "Renamed");
    assert_eq!(ok_json(fx(&emu).args(["users", "get", uid]))["email"], "new@example.com");
    fx(&emu).args(["users", "delete", uid, "--confirm", "someone_else"]).assert().code(2);
    ok_json(fx(&emu).args(["users", "delete", uid, "--confirm", uid]));
    fx(&emu).args(["users", "get", uid]).assert().code(7);
}

#[test]
fn connection_lifecycle_and_resync_confirm() {
    let emu = emulator();
    let g = emu.group_ids()[0].clone();
    let c = ok_json(fx(&emu).args([
        "connections",
        "create",
        "--group",
        &g,
        "--service",
        "postgres",
        "--data",
        r#"{"config": {"schema_prefix": "cli_pg", "password": "hunter2"}}"#,
    ]));
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["config"]["password"], "******");
    let c = ok_json(fx(&emu).args(["connections", "update", &id, "--sync-frequency", "60"]));
    assert_eq!(c["sync_frequency"], 60);
    assert_eq!(ok_json(fx(&emu).args(["connections", "pause", &id]))["paused"], true);
    assert!(emu.client().connection(&id).unwrap().paused);
    assert_eq!(ok_json(fx(&emu).args(["connections", "resume", &id]))["paused"], false);

    emu.clear_log();
    fx(&emu)
        .args(["connections", "resync", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("--confirm {id}")));
    fx(&emu).args(["connections", "resync", &id, "--table", "nodot", "--confirm", &id]).assert().code(2);
    assert!(emu.requests().is_empty());
    ok_json(fx(&emu).args(["connections", "resync", &id, "--table", "public.orders", "--confirm", &id]));
    let r = emu.requests();
    assert_eq!((r[0].method.as_str(), r[0].path.as_str()), ("POST", format!("/v1/connections/{id}/resync").as_str()));
    // Let the table resync end before the full one.
    std::thread::sleep(Duration::from_millis(300));
    ok_json(fx(&emu).args(["connections", "resync", &id, "--confirm", &id]));

    fx(&emu).args(["connections", "delete", &id]).assert().code(2);
    ok_json(fx(&emu).args(["connections", "delete", &id, "--confirm", &id]));
    fx(&emu).args(["connections", "get", &id]).assert().code(7);
}

#[test]
fn sync_wait_exit_codes() {
    let emu = Emulator::builder().seed(1, 10).sync_duration(Duration::from_millis(100)).start().unwrap();
    let ids = emu.connection_ids(&emu.group_ids()[0]);
    let sync = |id: &str, extra: &[&str]| {
        let mut c = fx(&emu);
        c.args(["connections", "sync", id, "--wait", "--poll-interval", "50ms"]).args(extra);
        c
    };
    let ok = ok_json(&mut sync(&ids[0], &[]));
    assert_eq!(ok["outcome"], "succeeded");
    assert_eq!(ok["connection_id"], ids[0].as_str());

    emu.set_sync_outcome(&ids[1], Outcome::Failure).unwrap();
    let out = sync(&ids[1], &[]).assert().code(3).get_output().stdout.clone();
    let failed = json_of(&out);
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(failed["tasks"][0]["code"], "sync_failed");

    emu.set_connection(&ids[2], &ConnectionControl::new().sync_duration(Duration::from_secs(60))).unwrap();
    let out = sync(&ids[2], &["--timeout", "300ms"]).assert().code(4).get_output().stdout.clone();
    assert_eq!(json_of(&out)["outcome"], "timed_out");

    let later = fivetrex::Timestamp::from_unix(4_000_000_000, 0).unwrap();
    emu.set_connection(&ids[3], &ConnectionControl::new().rescheduled_until(later)).unwrap();
    let out = sync(&ids[3], &[]).assert().code(5).get_output().stdout.clone();
    assert_eq!(json_of(&out)["outcome"], "rescheduled");

    // Seeded: 7 is paused, 9 is broken.
    let out = sync(&ids[7], &[]).assert().code(6).get_output().stdout.clone();
    assert_eq!(json_of(&out)["outcome"], "paused");
    let out = sync(&ids[9], &[]).assert().code(6).get_output().stdout.clone();
    assert_eq!(json_of(&out)["outcome"], "broken");
    // --resume resumes the paused one and waits for its sync.
    assert_eq!(ok_json(&mut sync(&ids[7], &["--resume"]))["outcome"], "succeeded");

    sync("no_such_connection", &[]).assert().code(7);
    // Without --wait: the trigger's answer.
    assert_eq!(ok_json(fx(&emu).args(["connections", "sync", &ids[4], "--force"]))["code"], "Success");
}

#[test]
fn error_exit_codes() {
    let emu = emulator();
    // Unauthorized.
    fx(&emu).env("FIVETRAN_API_SECRET", "wrong").args(["groups", "list"]).assert().code(8);
    // Rate limited past the retries (Retry-After 0 so the test does not wait).
    emu.add_fault(Fault::status("/v1/groups", 429).retry_after("0").times(0));
    fx(&emu).args(["groups", "list"]).assert().code(9).stderr(predicate::str::contains("429"));
    emu.clear_faults();
    // Usage: unknown flag, bad value, missing credentials, bad JSON.
    fx(&emu).args(["groups", "list", "--bogus"]).assert().code(2);
    fx(&emu).args(["connections", "list", "--state", "sleepy"]).assert().code(2);
    fx(&emu).args(["connections", "sync", "x", "--timeout", "soon"]).assert().code(2);
    bare().args(["groups", "list"]).assert().code(2).stderr(predicate::str::contains("FIVETRAN_API_KEY"));
    fx(&emu).args(["groups", "create", "--data", "{not json"]).assert().code(2);
    // A server error is a plain failure.
    emu.add_fault(Fault::status("/v1/users", 400).times(1));
    fx(&emu).args(["users", "list"]).assert().code(1);
}

#[test]
fn api_by_operation_id_and_raw_call() {
    let emu = emulator();
    let out = bare().args(["api", "--list", "-o", "jsonl"]).assert().success().get_output().stdout.clone();
    let listed: Vec<Value> = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(json_of).collect();
    assert_eq!(listed.len(), fivetrex::api::operations().count());
    assert_eq!(listed.len(), 169);
    assert!(listed.iter().any(|o| o["operation"] == "modify_connection" && o["method"] == "PATCH"));

    let groups = ok_json(fx(&emu).args(["api", "list_all_groups", "--page-size", "2"]));
    assert_eq!(ids(&groups), emu.group_ids());
    let g = ok_json(fx(&emu).args(["api", "group_details", "--path", "groupId=able_alpaca"]));
    assert_eq!(g["name"], "orders_warehouse_0");
    let conns = ok_json(fx(&emu).args(["api", "list_connections", "--query", "group_id=agile_alpaca"]));
    assert_eq!(ids(&conns), emu.connection_ids("agile_alpaca"));

    let id = &emu.connection_ids("able_alpaca")[0];
    let body = std::env::temp_dir().join(format!("fivetrex-cli-body-{}.json", std::process::id()));
    std::fs::write(&body, r#"{"sync_frequency": 1440}"#).unwrap();
    let c = ok_json(fx(&emu).args([
        "api",
        "modify_connection",
        "--path",
        &format!("connectionId={id}"),
        "--data",
        &format!("@{}", body.display()),
    ]));
    std::fs::remove_file(&body).ok();
    assert_eq!(c["sync_frequency"], 1440);
    let last = emu.requests().pop().unwrap();
    assert_eq!((last.method.as_str(), last.path.as_str()), ("PATCH", format!("/v1/connections/{id}").as_str()));

    // The body from stdin.
    let g = ok_json(fx(&emu).args(["api", "create_group", "--data", "@-"]).write_stdin(r#"{"name": "from_stdin"}"#));
    assert_eq!(g["name"], "from_stdin");

    fx(&emu).args(["api", "list_all_grups"]).assert().code(2).stderr(predicate::str::contains("api --list"));
    fx(&emu).args(["api", "group_details"]).assert().code(2).stderr(predicate::str::contains("--path groupId=VALUE"));
    fx(&emu).args(["api", "group_details", "--path", "groupId=nope"]).assert().code(7);

    let info = ok_json(fx(&emu).args(["call", "GET", "/v1/groups/able_alpaca"]));
    assert_eq!(info["data"]["id"], "able_alpaca", "call writes the whole answer");
    emu.clear_log();
    let all = ok_json(fx(&emu).args(["call", "GET", "/v1/connections", "--paginate", "--page-size", "9"]));
    assert_eq!(all.as_array().unwrap().len(), 30);
    assert_eq!(gets(&emu, "/v1/connections"), 4);
    fx(&emu).args(["call", "FETCH", "/v1/groups"]).assert().code(2);
    fx(&emu).args(["call", "GET", "/v1/nothing_here"]).assert().code(7);
}

fn team(i: usize) -> Value {
    json!({ "id": format!("team_{i}"), "name": format!("Team {i}"), "description": null, "role": "Account Reviewer" })
}

fn webhook(i: usize) -> Value {
    json!({ "id": format!("wh_{i}"), "type": "account", "url": format!("https://hooks.example.com/{i}"),
            "events": ["sync_start", "sync_end"], "active": true, "secret": "******",
            "created_at": "2024-01-01T00:00:00Z", "created_by": "u1" })
}

/// Three pages of three items at `path`, chained by cursors c1, c2.
fn three_pages<'a>(server: &'a MockServer, path: &str, item: fn(usize) -> Value) -> Vec<httpmock::Mock<'a>> {
    (0..3)
        .map(|p| {
            let items: Vec<Value> = (p * 3..p * 3 + 3).map(item).collect();
            let next = (p < 2).then(|| format!("c{}", p + 1));
            server.mock(|when, then| {
                let when = when.method(GET).path(path).query_param("limit", "1000").header_exists("authorization");
                if p == 0 {
                    when.query_param_missing("cursor");
                } else {
                    when.query_param("cursor", format!("c{p}"));
                }
                then.status(200).json_body(json!({"code": "Success", "data": {"items": items, "next_cursor": next}}));
            })
        })
        .collect()
}

fn mock_call<'a>(
    server: &'a MockServer,
    method: &str,
    path: &str,
    body: Option<Value>,
    answer: Value,
) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        let when = when.method(method).path(path);
        if let Some(b) = body {
            when.json_body(b);
        }
        then.status(200).json_body(answer);
    })
}

#[test]
fn teams_against_a_mock() {
    let server = MockServer::start();
    let pages = three_pages(&server, "/v1/teams", team);
    let list = ok_json(fx_mock(&server).args(["teams", "list"]));
    assert_eq!(ids(&list), (0..9).map(|i| format!("team_{i}")).collect::<Vec<_>>());
    pages.iter().for_each(|m| m.assert_calls(1));
    let out = fx_mock(&server).args(["teams", "list", "-o", "csv"]).assert().success().get_output().stdout.clone();
    let mut r = csv::Reader::from_reader(&out[..]);
    assert_eq!(&r.headers().unwrap().clone(), vec!["id", "name", "description", "role"]);
    assert_eq!(r.records().count(), 9);

    let get = mock_call(&server, "GET", "/v1/teams/team_1", None, json!({"data": team(1)}));
    let create = mock_call(
        &server,
        "POST",
        "/v1/teams",
        Some(json!({"name": "Analysts", "role": "Account Analyst"})),
        json!({"data": team(2)}),
    );
    let update =
        mock_call(&server, "PATCH", "/v1/teams/team_2", Some(json!({"description": "BI"})), json!({"data": team(2)}));
    let delete = mock_call(&server, "DELETE", "/v1/teams/team_2", None, json!({"code": "Success", "message": "gone"}));
    assert_eq!(ok_json(fx_mock(&server).args(["teams", "get", "team_1"]))["name"], "Team 1");
    ok_json(fx_mock(&server).args(["teams", "create", "--name", "Analysts", "--role", "Account Analyst"]));
    ok_json(fx_mock(&server).args(["teams", "update", "team_2", "--description", "BI"]));
    fx_mock(&server).args(["teams", "delete", "team_2"]).assert().code(2);
    delete.assert_calls(0);
    assert_eq!(ok_json(fx_mock(&server).args(["teams", "delete", "team_2", "--confirm", "team_2"]))["code"], "Success");
    for m in [get, create, update, delete] {
        m.assert_calls(1);
    }
}

#[test]
fn webhooks_against_a_mock() {
    let server = MockServer::start();
    let pages = three_pages(&server, "/v1/webhooks", webhook);
    let out = fx_mock(&server).args(["webhooks", "list", "-o", "jsonl"]).assert().success().get_output().stdout.clone();
    let lines: Vec<Value> = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(json_of).collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[8]["url"], "https://hooks.example.com/8");
    pages.iter().for_each(|m| m.assert_calls(1));

    let account = mock_call(
        &server,
        "POST",
        "/v1/webhooks/account",
        Some(json!({"url": "https://h.example.com", "events": ["sync_end"], "active": true})),
        json!({"data": webhook(1)}),
    );
    let group = mock_call(
        &server,
        "POST",
        "/v1/webhooks/group/g1",
        Some(json!({"url": "https://h.example.com", "events": ["sync_start", "sync_end"], "active": false})),
        json!({"data": webhook(2)}),
    );
    let get = mock_call(&server, "GET", "/v1/webhooks/wh_1", None, json!({"data": webhook(1)}));
    let update =
        mock_call(&server, "PATCH", "/v1/webhooks/wh_1", Some(json!({"active": false})), json!({"data": webhook(1)}));
    let test = mock_call(
        &server,
        "POST",
        "/v1/webhooks/wh_1/test",
        Some(json!({"event": "sync_end"})),
        json!({"data": {"succeed": true, "status": 200, "message": "OK"}}),
    );
    let delete = mock_call(&server, "DELETE", "/v1/webhooks/wh_1", None, json!({"code": "Success"}));
    ok_json(fx_mock(&server).args(["webhooks", "create", "--url", "https://h.example.com", "--event", "sync_end"]));
    ok_json(fx_mock(&server).args([
        "webhooks",
        "create",
        "--group",
        "g1",
        "--url",
        "https://h.example.com",
        "--event",
        "sync_start,sync_end",
        "--inactive",
    ]));
    assert_eq!(ok_json(fx_mock(&server).args(["webhooks", "get", "wh_1"]))["id"], "wh_1");
    ok_json(fx_mock(&server).args(["webhooks", "update", "wh_1", "--active", "false"]));
    assert_eq!(ok_json(fx_mock(&server).args(["webhooks", "test", "wh_1", "--event", "sync_end"]))["succeed"], true);
    fx_mock(&server).args(["webhooks", "delete", "wh_1", "--confirm", "wh_2"]).assert().code(2);
    ok_json(fx_mock(&server).args(["webhooks", "delete", "wh_1", "--confirm", "wh_1"]));
    for m in [account, group, get, update, test, delete] {
        m.assert_calls(1);
    }
}

#[test]
fn schema_commands_against_a_mock() {
    let server = MockServer::start();
    let config = json!({"schema_change_handling": "ALLOW_ALL", "schemas": {
        "public": {"name_in_destination": "public", "enabled": true, "tables": {
            "orders": {"name_in_destination": "orders", "enabled": true, "sync_mode": "SOFT_DELETE"},
            "users": {"name_in_destination": "users", "enabled": false, "sync_mode": "HISTORY"}}}}});
    let show = mock_call(&server, "GET", "/v1/connections/c1/schemas", None, json!({"data": config}));
    let reload =
        mock_call(&server, "POST", "/v1/connections/c1/schemas/reload", Some(json!({})), json!({"data": config}));
    let enable = mock_call(
        &server,
        "PATCH",
        "/v1/connections/c1/schemas/public/tables/users",
        Some(json!({"enabled": true})),
        json!({"data": config}),
    );
    let disable = mock_call(
        &server,
        "PATCH",
        "/v1/connections/c1/schemas/public/tables/orders",
        Some(json!({"enabled": false})),
        json!({"data": config}),
    );
    let json = ok_json(fx_mock(&server).args(["connections", "schema", "show", "c1"]));
    assert_eq!(json["schemas"]["public"]["tables"]["users"]["sync_mode"], "HISTORY");
    let out = fx_mock(&server)
        .args(["connections", "schema", "show", "c1", "-o", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut r = csv::Reader::from_reader(&out[..]);
    let h = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[1][col("table")], &rows[1][col("enabled")]), ("users", "false"));
    ok_json(fx_mock(&server).args(["connections", "schema", "reload", "c1"]));
    ok_json(fx_mock(&server).args(["connections", "schema", "enable", "c1", "public.users"]));
    ok_json(fx_mock(&server).args(["connections", "schema", "disable", "c1", "public.orders"]));
    fx_mock(&server).args(["connections", "schema", "disable", "c1", "orders"]).assert().code(2);
    show.assert_calls(2);
    for m in [reload, enable, disable] {
        m.assert_calls(1);
    }
}

#[test]
fn lists_stream_before_the_last_page() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        when.method(GET).path("/v1/groups").query_param_missing("cursor");
        then.status(200).json_body(json!({"data": {"items": [{"id": "g0", "name": "zero"}], "next_cursor": "c1"}}));
    });
    let second = server.mock(|when, then| {
        when.method(GET).path("/v1/groups").query_param("cursor", "c1");
        then.status(200)
            .json_body(json!({"data": {"items": [{"id": "g1", "name": "one"}]}}))
            .delay(Duration::from_millis(1500));
    });
    for format in ["jsonl", "csv", "table", "json"] {
        let mut child = std::process::Command::new(BIN)
            .args(["groups", "list", "-o", format])
            .env("FIVETRAN_BASE_URL", server.base_url())
            .env("FIVETRAN_API_KEY", "k")
            .env("FIVETRAN_API_SECRET", "s")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut seen = String::new();
        while !seen.contains("g0") {
            assert!(stdout.read_line(&mut seen).unwrap() > 0, "{format}: ended before g0: {seen}");
        }
        assert!(child.try_wait().unwrap().is_none(), "{format}: g0 only after the walk ended");
        assert!(!seen.contains("g1"), "{format}");
        stdout.read_to_string(&mut seen).unwrap();
        assert!(child.wait().unwrap().success());
        assert!(seen.contains("g1"), "{format}: {seen}");
    }
    first.assert_calls(4);
    second.assert_calls(4);
}

#[test]
fn the_secret_never_shows() {
    const SECRET: &str = "Sup3r-s3cret-VALUE";
    let emu = Emulator::builder().seed(1, 3).secret(SECRET).start().unwrap();
    let check = |out: &std::process::Output| {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(SECRET), "secret leaked: {text}");
        }
    };
    let out = fx(&emu).args(["--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("FIVETRAN_API_SECRET"));
    check(&out);
    check(&fx(&emu).args(["connections", "sync", "--help"]).output().unwrap());
    let out = fx(&emu).args(["-vv", "groups", "list"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GET "), "-vv logs requests");
    check(&out);
    // Via the flag too, with errors of several kinds.
    let mut flag = bare();
    flag.args(["--base-url", emu.base_url(), "--api-key", "emulator_key", "--api-secret", SECRET, "-vv"]);
    check(&flag.args(["groups", "get", "missing"]).output().unwrap());
    let out = fx(&emu).env("FIVETRAN_API_KEY", "wrong").args(["-vv", "users", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(8));
    check(&out);
    check(&fx(&emu).args(["groups", "list", "--nope"]).output().unwrap());
}

#[test]
fn completions_and_emulator_flag() {
    let out = bare().args(["completions", "bash"]).assert().success().get_output().stdout.clone();
    let script = String::from_utf8(out).unwrap();
    assert!(script.contains("fivetrex") && script.contains("connections"), "{script}");
    bare().args(["completions", "zsh"]).assert().success().stdout(predicate::str::contains("#compdef fivetrex"));

    // --emulator needs nothing set up.
    let list = ok_json(bare().args(["--emulator", "connections", "list", "--state", "broken"]));
    assert_eq!(list.as_array().unwrap().len(), 3);
    let out = bare()
        .args(["--emulator", "connections", "sync", "able_acacia", "--wait", "--poll-interval", "50ms"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["outcome"], "succeeded");
}

/// A pseudo-terminal pair: (master, slave) file descriptors.
fn openpty() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    let ws = libc::winsize { ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: openpty writes two descriptors we then own.
    let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &ws) };
    assert_eq!(rc, 0, "openpty");
    unsafe { (std::fs::File::from_raw_fd(master), std::fs::File::from_raw_fd(slave)) }
}

/// Reads the master side until `done` says so or the child has exited and nothing is left.
fn read_pty(mut master: std::fs::File, child: &mut std::process::Child, deadline: Duration) -> (String, i32) {
    use std::os::fd::AsRawFd;
    let fd = master.as_raw_fd();
    let start = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd we own.
        let ready = unsafe { libc::poll(&mut pfd, 1, 50) };
        let got =
            ready > 0 && matches!(master.read(&mut buf), Ok(n) if n > 0 && { seen.extend_from_slice(&buf[..n]); true });
        if !got {
            if let Some(status) = child.try_wait().unwrap() {
                return (String::from_utf8_lossy(&seen).into_owned(), status.code().unwrap_or(-1));
            }
        }
        assert!(start.elapsed() < deadline, "timed out; got {}", String::from_utf8_lossy(&seen));
    }
}

#[test]
fn progress_shows_on_a_terminal_and_is_cleaned_up() {
    let emu = Emulator::builder().seed(1, 3).sync_duration(Duration::from_millis(1200)).start().unwrap();
    let id = emu.connection_ids(&emu.group_ids()[0])[0].clone();
    let (master, slave) = openpty();
    let mut child = std::process::Command::new(BIN)
        .args(["connections", "sync", &id, "--wait", "--poll-interval", "100ms", "-o", "jsonl"])
        .env("FIVETRAN_BASE_URL", emu.base_url())
        .env("FIVETRAN_API_KEY", emu.key())
        .env("FIVETRAN_API_SECRET", emu.secret())
        .env("TERM", "xterm")
        .stdout(std::process::Stdio::piped())
        .stderr(slave)
        .spawn()
        .unwrap();
    let (screen, code) = read_pty(master, &mut child, Duration::from_secs(30));
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(&format!("sync {id}: syncing")), "spinner with the state: {screen:?}");
    assert!(screen.contains("[0s]") || screen.contains("[1s]"), "elapsed time: {screen:?}");
    // Cleaned up: after the last spinner frame the line is erased and nothing follows.
    let last_frame = screen.rfind("sync ").unwrap();
    let tail = &screen[last_frame..];
    assert!(tail.contains("\x1b[2K"), "line erased at the end: {tail:?}");
    assert!(!tail.rsplit("\x1b[2K").next().unwrap().contains("sync"), "{tail:?}");
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert_eq!(json_of(out.as_bytes())["outcome"], "succeeded", "stdout holds only the result");

    // Not a terminal, or --quiet: nothing on stderr.
    let out = fx(&emu).args(["connections", "sync", &id, "--wait", "--poll-interval", "100ms"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let (master, slave) = openpty();
    let mut child = std::process::Command::new(BIN)
        .args(["-q", "connections", "sync", &id, "--wait", "--poll-interval", "100ms"])
        .env("FIVETRAN_BASE_URL", emu.base_url())
        .env("FIVETRAN_API_KEY", emu.key())
        .env("FIVETRAN_API_SECRET", emu.secret())
        .stdout(std::process::Stdio::null())
        .stderr(slave)
        .spawn()
        .unwrap();
    let (screen, code) = read_pty(master, &mut child, Duration::from_secs(30));
    assert_eq!((code, screen.as_str()), (0, ""));
}

#[test]
fn walk_progress_and_rate_limit_wait_on_a_terminal() {
    let emu = emulator();
    emu.add_fault(Fault::status("/v1/connections", 429).retry_after("1").times(1));
    let (master, slave) = openpty();
    let mut child = std::process::Command::new(BIN)
        .args(["connections", "list", "--page-size", "5", "-o", "jsonl"])
        .env("FIVETRAN_BASE_URL", emu.base_url())
        .env("FIVETRAN_API_KEY", emu.key())
        .env("FIVETRAN_API_SECRET", emu.secret())
        .stdout(std::process::Stdio::null())
        .stderr(slave)
        .spawn()
        .unwrap();
    let (screen, code) = read_pty(master, &mut child, Duration::from_secs(30));
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("rate limited (429): waiting 1 s"), "{screen:?}");
    assert!(screen.contains("connections"), "{screen:?}");
    assert!(screen.contains("pages"), "{screen:?}");
}

#[test]
fn ctrl_c_stops_a_wait_promptly() {
    let emu = Emulator::builder().seed(1, 3).sync_duration(Duration::from_secs(600)).start().unwrap();
    let id = emu.connection_ids(&emu.group_ids()[0])[0].clone();
    let mut child = std::process::Command::new(BIN)
        .args(["connections", "sync", &id, "--wait", "--poll-interval", "30s"])
        .env("FIVETRAN_BASE_URL", emu.base_url())
        .env("FIVETRAN_API_KEY", emu.key())
        .env("FIVETRAN_API_SECRET", emu.secret())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the sync was triggered and the first poll read it: now it sleeps 30 s.
    let start = Instant::now();
    while emu.requests().iter().filter(|r| r.path == format!("/v1/connections/{id}")).count() < 2 {
        assert!(start.elapsed() < Duration::from_secs(20), "never polled");
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = Instant::now();
    // SAFETY: a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(2), "took {:?}", sent.elapsed());
    assert_eq!(status.code(), Some(130));
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(err.contains("interrupted"), "{err}");
}

#[test]
fn ctrl_c_stops_a_walk_promptly() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections").query_param_missing("cursor");
        then.status(200).json_body(json!({"data": {"items": [{"id": "c0"}], "next_cursor": "c1"}}));
    });
    // The second page would take a minute.
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections").query_param("cursor", "c1");
        then.status(200).json_body(json!({"data": {"items": [{"id": "c1"}]}})).delay(Duration::from_secs(60));
    });
    let mut child = std::process::Command::new(BIN)
        .args(["connections", "list", "-o", "jsonl"])
        .env("FIVETRAN_BASE_URL", server.base_url())
        .env("FIVETRAN_API_KEY", "k")
        .env("FIVETRAN_API_SECRET", "s")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(json_of(first.as_bytes())["id"], "c0");
    let sent = Instant::now();
    // SAFETY: a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(2), "took {:?}", sent.elapsed());
    assert_eq!(status.code(), Some(130));
}
