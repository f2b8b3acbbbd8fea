//! `fivetrex tap` and `fivetrex airbyte` end to end: the real binary against the emulator (and an
//! httpmock server for teams and schema configs, which the emulator does not serve yet). Every
//! Airbyte message is validated by the official `airbyte-protocol-models`; the Singer output is
//! loaded by the real `target-jsonl` and read back. Both come from a virtual environment that
//! `.ci/tap-venv.sh` creates under target/ (tests skip, saying so, only when it cannot be created).

use fivetrex::emulator::{Emulator, Fault, Outcome};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_fivetrex");

/// The venv's directory, created on first use; `None` (and a message) when it cannot be.
fn venv() -> Option<&'static Path> {
    static VENV: OnceLock<Option<PathBuf>> = OnceLock::new();
    VENV.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let dir = target.join("tap-venv");
        let ok = Command::new("bash").arg(root.join(".ci/tap-venv.sh")).arg(&dir).status().is_ok_and(|s| s.success());
        if ok && dir.join("bin/python").exists() {
            Some(dir)
        } else {
            eprintln!("skipped: the Python venv with airbyte-protocol-models and target-jsonl could not be created");
            None
        }
    })
    .as_deref()
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Run {
    fn messages(&self) -> Vec<Value> {
        self.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
    }
}

fn fivetrex(args: &[&str]) -> Run {
    let o = Command::new(BIN).args(args).stdin(Stdio::null()).output().unwrap();
    Run {
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// Runs the official models over `stdout`; returns the validator's summary.
fn validate(venv: &Path, stdout: &str, catalog: Option<&Path>, configured: Option<&Path>) -> Value {
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tap/airbyte_validate.py"));
    if let Some(c) = catalog {
        cmd.arg(c);
    }
    if let Some(c) = configured {
        cmd.arg(c);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdout.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "airbyte-protocol-models rejected the output: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("fivetrex-tap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn write(&self, name: &str, v: &Value) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
        p
    }
    fn s(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn emulator() -> Emulator {
    Emulator::builder().seed(3, 7).sync_duration(Duration::from_millis(20)).start().unwrap()
}

fn config(emu: &Emulator) -> Value {
    json!({"api_key": emu.key(), "api_secret": emu.secret(), "base_url": emu.base_url()})
}

fn records_of(msgs: &[Value], stream: &str) -> Vec<Value> {
    msgs.iter()
        .filter(|m| m["type"] == "RECORD" && m["record"]["stream"] == stream)
        .map(|m| m["record"]["data"].clone())
        .collect()
}

fn statuses(msgs: &[Value]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in msgs.iter().filter(|m| m["type"] == "TRACE" && m["trace"]["type"] == "STREAM_STATUS") {
        let s = &m["trace"]["stream_status"];
        out.entry(s["stream_descriptor"]["name"].as_str().unwrap().to_owned())
            .or_default()
            .push(s["status"].as_str().unwrap().to_owned());
    }
    out
}

/// Syncs the connection and waits (briefly: the emulator's syncs take 20 ms) until it has ended.
fn sync_and_wait(emu: &Emulator, id: &str) {
    let client = emu.client();
    let before = client.connection(id).unwrap();
    let mark = (before.succeeded_at, before.failed_at);
    client.sync(id).unwrap();
    let start = Instant::now();
    loop {
        let c = client.connection(id).unwrap();
        if (c.succeeded_at, c.failed_at) != mark && !c.is_syncing() {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the emulator's sync of {id} did not end");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn configured(streams: &[(&str, &str)]) -> Value {
    let catalog: Value = serde_json::from_str(&fivetrex(&["airbyte", "discover"]).stdout).unwrap();
    let all = catalog["catalog"]["streams"].as_array().unwrap();
    let streams: Vec<Value> = streams
        .iter()
        .map(|(name, mode)| {
            let s = all.iter().find(|s| s["name"] == *name).unwrap().clone();
            json!({"stream": s, "sync_mode": mode, "destination_sync_mode": if *mode == "incremental" { "append" } else { "overwrite" }})
        })
        .collect();
    json!({"streams": streams})
}

#[test]
fn airbyte_spec_check_and_discover_pass_the_official_models() {
    let Some(venv) = venv() else { return };
    let emu = emulator();
    let dir = Dir::new("spec");

    let spec = fivetrex(&["airbyte", "spec"]);
    assert_eq!(spec.code, 0, "{}", spec.stderr);
    assert_eq!(validate(venv, &spec.stdout, None, None)["types"], json!({"SPEC": 1}));
    let m = &spec.messages()[0]["spec"]["connectionSpecification"];
    assert_eq!(m["properties"]["api_secret"]["airbyte_secret"], true);
    assert_eq!(m["required"], json!(["api_key", "api_secret"]));

    let good = dir.write("good.json", &config(&emu));
    let check = fivetrex(&["airbyte", "check", "--config", good.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    validate(venv, &check.stdout, None, None);
    assert_eq!(check.messages()[0]["connectionStatus"]["status"], "SUCCEEDED");

    let bad_secret = "not-the-secret-4711";
    let bad =
        dir.write("bad.json", &json!({"api_key": emu.key(), "api_secret": bad_secret, "base_url": emu.base_url()}));
    let check = fivetrex(&["airbyte", "check", "--config", bad.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    validate(venv, &check.stdout, None, None);
    let status = &check.messages()[0]["connectionStatus"];
    assert_eq!(status["status"], "FAILED");
    assert!(status["message"].as_str().unwrap().contains("401"), "{status}");
    assert!(!check.stdout.contains(bad_secret) && !check.stderr.contains(bad_secret));

    // A config without the secret fails the check with a message, not a crash.
    let none = dir.write("none.json", &json!({"api_key": "k"}));
    let check = fivetrex(&["airbyte", "check", "--config", none.to_str().unwrap()]);
    validate(venv, &check.stdout, None, None);
    assert!(check.messages()[0]["connectionStatus"]["message"].as_str().unwrap().contains("api_secret"));

    let discover = fivetrex(&["airbyte", "discover", "--config", good.to_str().unwrap()]);
    assert_eq!(discover.code, 0);
    let catalog = dir.write("catalog.json", &discover.messages()[0]);
    validate(venv, &discover.stdout, Some(&catalog), None);
    let names: Vec<String> = discover.messages()[0]["catalog"]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["groups", "destinations", "users", "teams", "connections", "connection_schemas", "sync_outcomes"]
    );
}

#[test]
fn airbyte_read_full_then_incremental_with_state_passed_back() {
    let Some(venv) = venv() else { return };
    let emu = emulator();
    let client = emu.client();
    let dir = Dir::new("read");
    let cfg = dir.write("config.json", &config(&emu));
    let discover = fivetrex(&["airbyte", "discover"]);
    let catalog = dir.write("catalog.json", &discover.messages()[0]);
    let conf = dir.write(
        "configured.json",
        &configured(&[
            ("groups", "full_refresh"),
            ("destinations", "full_refresh"),
            ("users", "full_refresh"),
            ("connections", "full_refresh"),
            ("sync_outcomes", "incremental"),
        ]),
    );
    let read = |state: Option<&Path>| {
        let mut args = vec!["--page-size", "4", "airbyte", "read", "--config", cfg.to_str().unwrap()];
        args.extend(["--catalog", conf.to_str().unwrap()]);
        if let Some(s) = state {
            args.extend(["--state", s.to_str().unwrap()]);
        }
        let r = fivetrex(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stdout.contains(emu.secret()) && !r.stderr.contains(emu.secret()));
        let summary = validate(venv, &r.stdout, Some(&catalog), Some(&conf));
        (r, summary)
    };

    emu.clear_log();
    let (first, summary) = read(None);
    let msgs = first.messages();
    // The account-wide list, walked once for connections and sync_outcomes: ceil(21 / 4) pages.
    let conn_lists = emu.requests().iter().filter(|r| r.method == "GET" && r.path == "/v1/connections").count();
    assert_eq!(conn_lists, 6);
    let groups = client.groups().count();
    let conns: Vec<_> = client.connections().map(Result::unwrap).collect();
    let users = client.users().count();
    let dests = client.destinations().count();
    assert_eq!(conns.len(), 21);
    let expected_outcomes =
        conns.iter().map(|c| c.succeeded_at.is_some() as usize + c.failed_at.is_some() as usize).sum::<usize>();
    assert!(expected_outcomes >= conns.len() / 2, "the seed should have synced connections");
    assert_eq!(
        summary["records"],
        json!({"groups": groups, "destinations": dests, "users": users, "connections": 21, "sync_outcomes": expected_outcomes})
    );
    for (stream, st) in statuses(&msgs) {
        assert_eq!(st.first().map(String::as_str), Some("STARTED"), "{stream}");
        assert_eq!(st.last().map(String::as_str), Some("COMPLETE"), "{stream}");
    }
    assert_eq!(statuses(&msgs).len(), 5);
    let states: Vec<&Value> = msgs.iter().filter(|m| m["type"] == "STATE").collect();
    assert_eq!(states.len(), 1);
    let bookmarks = states[0]["state"]["stream"]["stream_state"].as_object().unwrap();
    assert_eq!(bookmarks.len(), 21);

    // Two syncs end (one fails) and the state goes back in: exactly those two outcomes come out.
    let state1 = dir.write("state1.json", &json!([states[0]["state"]]));
    emu.set_sync_outcome(&conns[2].id, Outcome::Failure).unwrap();
    sync_and_wait(&emu, &conns[0].id);
    sync_and_wait(&emu, &conns[2].id);
    let (second, summary) = read(Some(&state1));
    assert_eq!(summary["records"]["sync_outcomes"], 2, "{}", second.stdout);
    let outcomes = records_of(&second.messages(), "sync_outcomes");
    let got: BTreeMap<String, String> = outcomes
        .iter()
        .map(|r| (r["connection_id"].as_str().unwrap().to_owned(), r["outcome"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        got,
        BTreeMap::from([(conns[0].id.clone(), "succeeded".into()), (conns[2].id.clone(), "failed".into())])
    );
    let failed = outcomes.iter().find(|r| r["outcome"] == "failed").unwrap();
    assert_eq!(failed["at"], client.connection(&conns[2].id).unwrap().failed_at.unwrap().to_string());
    assert_eq!(summary["records"]["connections"], 21);

    // Nothing moved since: no outcome.
    let state2 = second.messages().into_iter().rfind(|m| m["type"] == "STATE").unwrap();
    let state2 = dir.write("state2.json", &json!([state2["state"]]));
    let (_, summary) = read(Some(&state2));
    assert_eq!(summary["records"].get("sync_outcomes"), None);
}

#[test]
fn a_failing_stream_traces_an_error_and_the_others_keep_their_state() {
    let Some(venv) = venv() else { return };
    let emu = emulator();
    let dir = Dir::new("fail");
    let cfg = dir.write("config.json", &config(&emu));
    let discover = fivetrex(&["airbyte", "discover"]);
    let catalog = dir.write("catalog.json", &discover.messages()[0]);
    let conf = dir.write(
        "configured.json",
        &configured(&[("users", "full_refresh"), ("groups", "full_refresh"), ("sync_outcomes", "incremental")]),
    );
    emu.add_fault(Fault::status("/v1/users", 403).times(0));
    // A 429 on groups goes through the client's retry (Retry-After honoured) and the stream completes.
    emu.add_fault(Fault::status("/v1/groups", 429).retry_after("0").times(1));
    let r = fivetrex(&["airbyte", "read", "--config", cfg.to_str().unwrap(), "--catalog", conf.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let summary = validate(venv, &r.stdout, Some(&catalog), Some(&conf));
    assert_eq!(summary["types"]["STATE"], 1);
    let msgs = r.messages();
    let st = statuses(&msgs);
    assert_eq!(st["users"], ["STARTED", "INCOMPLETE"]);
    assert_eq!(st["groups"], ["STARTED", "RUNNING", "COMPLETE"]);
    assert_eq!(st["sync_outcomes"].last().unwrap(), "COMPLETE");
    let err = msgs.iter().find(|m| m["trace"]["type"] == "ERROR").unwrap();
    assert_eq!(err["trace"]["error"]["stream_descriptor"]["name"], "users");
    assert_eq!(err["trace"]["error"]["failure_type"], "config_error");
    assert_eq!(summary["records"]["groups"], 3);
    let group_lists: Vec<_> = emu.requests().into_iter().filter(|r| r.path == "/v1/groups").map(|r| r.status).collect();
    assert_eq!(group_lists, [Some(429), Some(200)]);
    assert!(r.stderr.contains("retrying in"), "{}", r.stderr);
    assert!(!r.stdout.contains(emu.secret()) && !r.stderr.contains(emu.secret()));

    // Singer: the same failure exits non-zero after the last STATE.
    let r = fivetrex(&["tap", "--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let msgs = r.messages();
    assert_eq!(msgs.last().unwrap()["type"], "STATE", "{}", r.stdout);
    assert_eq!(msgs.last().unwrap()["value"]["bookmarks"]["sync_outcomes"].as_object().unwrap().len(), 21);
    assert!(r.stderr.contains("stream users"), "{}", r.stderr);
    assert!(!r.stdout.contains(emu.secret()) && !r.stderr.contains(emu.secret()));
}

/// The jsonl files target-jsonl wrote, as row counts per stream.
fn loaded(dir: &Path) -> BTreeMap<String, Vec<Value>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "jsonl") {
            let rows = std::fs::read_to_string(&p).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            out.insert(p.file_stem().unwrap().to_str().unwrap().to_owned(), rows);
        }
    }
    out
}

/// `fivetrex tap ... | target-jsonl`; returns the state target-jsonl printed.
fn tap_into_target(venv: &Path, args: &[&str], out: &Path) -> Value {
    let mut tap = Command::new(BIN).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let target_cfg = out.with_extension("target.json");
    std::fs::write(&target_cfg, json!({"destination_path": out, "do_timestamp_file": false}).to_string()).unwrap();
    let target = Command::new(venv.join("bin/target-jsonl"))
        .arg("--config")
        .arg(&target_cfg)
        .stdin(tap.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(tap.wait().unwrap().success(), "the tap failed");
    assert!(target.status.success(), "target-jsonl failed: {}", String::from_utf8_lossy(&target.stderr));
    let state = String::from_utf8(target.stdout).unwrap();
    serde_json::from_str(state.lines().last().expect("target-jsonl printed no state")).unwrap()
}

#[test]
fn singer_output_loads_into_target_jsonl_and_a_second_run_loads_only_what_moved() {
    let Some(venv) = venv() else { return };
    let emu = emulator();
    let client = emu.client();
    let dir = Dir::new("singer");
    let cfg = dir.write("config.json", &config(&emu));
    // The discovered catalog with every stream the emulator serves selected.
    let discover = fivetrex(&["tap", "--discover"]);
    assert_eq!(discover.code, 0);
    let mut catalog: Value = serde_json::from_str(&discover.stdout).unwrap();
    for s in catalog["streams"].as_array_mut().unwrap() {
        let served = !matches!(s["stream"].as_str(), Some("teams" | "connection_schemas"));
        s["metadata"][0]["metadata"]["selected"] = json!(served);
    }
    let cat = dir.write("catalog.json", &catalog);
    let run1 = dir.0.join("run1");
    let args = ["--page-size", "5", "tap", "--config", &dir.s("config.json"), "--catalog", cat.to_str().unwrap()];
    let state = tap_into_target(venv, &args, &run1);
    let rows = loaded(&run1);
    let conns: Vec<_> = client.connections().map(Result::unwrap).collect();
    let outcomes =
        conns.iter().map(|c| c.succeeded_at.is_some() as usize + c.failed_at.is_some() as usize).sum::<usize>();
    let counts: BTreeMap<&str, usize> = rows.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    assert_eq!(
        counts,
        BTreeMap::from([
            ("connections", 21),
            ("destinations", client.destinations().count()),
            ("groups", 3),
            ("sync_outcomes", outcomes),
            ("users", client.users().count()),
        ])
    );
    let ids: std::collections::BTreeSet<&str> = rows["connections"].iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 21);
    assert_eq!(state["bookmarks"]["sync_outcomes"].as_object().unwrap().len(), 21);
    let _ = cfg;

    // One sync ends; the second run with the state loads that one outcome and nothing else new.
    sync_and_wait(&emu, &conns[5].id);
    // Bookmarks the tap does not own pass through untouched.
    let mut state_in = state.clone();
    state_in["bookmarks"]["not_ours"] = json!({"keep": 1});
    let state_file = dir.write("state.json", &state_in);
    let run2 = dir.0.join("run2");
    let mut args2 = args.to_vec();
    args2.extend(["--state", state_file.to_str().unwrap()]);
    let state2 = tap_into_target(venv, &args2, &run2);
    let rows2 = loaded(&run2);
    assert_eq!(rows2["sync_outcomes"].len(), 1);
    assert_eq!(rows2["sync_outcomes"][0]["connection_id"], conns[5].id.as_str());
    assert_eq!(rows2["sync_outcomes"][0]["outcome"], "succeeded");
    assert_ne!(state2, state);
    assert_eq!(state2["bookmarks"]["not_ours"], json!({"keep": 1}));
    let moved = &state2["bookmarks"]["sync_outcomes"][conns[5].id.as_str()]["succeeded_at"];
    assert_eq!(moved, &json!(client.connection(&conns[5].id).unwrap().succeeded_at.unwrap().to_string()));
}

/// Several pages of teams, connections and schema configs from httpmock (the emulator does not
/// serve /v1/teams or schema configs yet).
#[test]
fn teams_and_connection_schemas_over_several_pages() {
    let Some(venv) = venv() else { return };
    let server = MockServer::start();
    let page =
        |items: Value, next: Option<&str>| json!({"code": "Success", "data": {"items": items, "next_cursor": next}});
    let team = |i: u32| json!({"id": format!("t{i}"), "name": format!("Team {i}"), "description": null, "role": "Account Reviewer"});
    server.mock(|w, t| {
        w.method(GET).path("/v1/teams").query_param_missing("cursor");
        t.status(200).json_body(page(json!([team(1), team(2)]), Some("tp2")));
    });
    server.mock(|w, t| {
        w.method(GET).path("/v1/teams").query_param("cursor", "tp2");
        t.status(200).json_body(page(json!([team(3), team(4)]), Some("tp3")));
    });
    server.mock(|w, t| {
        w.method(GET).path("/v1/teams").query_param("cursor", "tp3");
        t.status(200).json_body(page(json!([team(5)]), None));
    });
    let conn = |id: &str| json!({"id": id, "group_id": "g1", "service": "postgres", "schema": id, "paused": false, "status": {"setup_state": "connected", "sync_state": "scheduled"}});
    let list1 = server.mock(|w, t| {
        w.method(GET).path("/v1/connections").query_param_missing("cursor");
        t.status(200).json_body(page(json!([conn("c1"), conn("c2")]), Some("cp2")));
    });
    let list2 = server.mock(|w, t| {
        w.method(GET).path("/v1/connections").query_param("cursor", "cp2");
        t.status(200).json_body(page(json!([conn("c3")]), None));
    });
    let schemas = |tables: &[(&str, &str, bool)]| {
        let mut s = serde_json::Map::new();
        for (schema, table, enabled) in tables {
            let e = s.entry(*schema).or_insert_with(|| json!({"enabled": true, "tables": {}}));
            e["tables"][*table] = json!({"enabled": enabled, "sync_mode": "SOFT_DELETE", "name_in_destination": table});
        }
        json!({"code": "Success", "data": {"schema_change_handling": "ALLOW_ALL", "schemas": s}})
    };
    server.mock(|w, t| {
        w.method(GET).path("/v1/connections/c1/schemas");
        t.status(200).json_body(schemas(&[("public", "a", true), ("public", "b", false), ("sales", "c", true)]));
    });
    server.mock(|w, t| {
        w.method(GET).path("/v1/connections/c2/schemas");
        t.status(404).json_body(json!({"code": "NotFound_SchemaConfig", "message": "no schema config"}));
    });
    server.mock(|w, t| {
        w.method(GET).path("/v1/connections/c3/schemas");
        t.status(200).json_body(schemas(&[("public", "x", true)]));
    });

    let dir = Dir::new("mock");
    let cfg = dir.write(
        "config.json",
        &json!({"api_key": "k", "api_secret": "mock-secret-0042", "base_url": server.base_url()}),
    );
    let catalog = dir.write("catalog.json", &fivetrex(&["airbyte", "discover"]).messages()[0]);
    let conf = dir.write(
        "configured.json",
        &configured(&[
            ("teams", "full_refresh"),
            ("connections", "full_refresh"),
            ("connection_schemas", "full_refresh"),
        ]),
    );
    let r = fivetrex(&["airbyte", "read", "--config", cfg.to_str().unwrap(), "--catalog", conf.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let summary = validate(venv, &r.stdout, Some(&catalog), Some(&conf));
    assert_eq!(summary["records"], json!({"teams": 5, "connections": 3, "connection_schemas": 4}));
    // The parent pages were fetched once for both streams.
    assert_eq!((list1.calls(), list2.calls()), (1, 1));
    let tables = records_of(&r.messages(), "connection_schemas");
    assert_eq!(
        tables[1],
        json!({"connection_id": "c1", "schema": "public", "table": "b", "schema_enabled": true, "enabled": false, "sync_mode": "SOFT_DELETE", "name_in_destination": "b"})
    );
    assert_eq!(tables[3]["connection_id"], "c3");
    assert!(!r.stdout.contains("mock-secret-0042") && !r.stderr.contains("mock-secret-0042"));
}

/// Read-only, against a real account, only when FIVETRAN_API_KEY and FIVETRAN_API_SECRET are set.
#[test]
fn a_real_account_when_credentials_are_set() {
    let (Ok(key), Ok(secret)) = (std::env::var("FIVETRAN_API_KEY"), std::env::var("FIVETRAN_API_SECRET")) else {
        eprintln!("skipped: FIVETRAN_API_KEY / FIVETRAN_API_SECRET not set");
        return;
    };
    let Some(venv) = venv() else { return };
    let dir = Dir::new("real");
    let mut c = json!({"api_key": key, "api_secret": secret});
    if let Ok(url) = std::env::var("FIVETRAN_BASE_URL") {
        c["base_url"] = json!(url);
    }
    let cfg = dir.write("config.json", &c);
    let check = fivetrex(&["airbyte", "check", "--config", cfg.to_str().unwrap()]);
    validate(venv, &check.stdout, None, None);
    assert_eq!(check.messages()[0]["connectionStatus"]["status"], "SUCCEEDED", "{}", check.stdout);
    let catalog = dir.write("catalog.json", &fivetrex(&["airbyte", "discover"]).messages()[0]);
    let conf = dir.write(
        "configured.json",
        &configured(&[
            ("groups", "full_refresh"),
            ("users", "full_refresh"),
            ("connections", "full_refresh"),
            ("sync_outcomes", "incremental"),
        ]),
    );
    let r = fivetrex(&["airbyte", "read", "--config", cfg.to_str().unwrap(), "--catalog", conf.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    validate(venv, &r.stdout, Some(&catalog), Some(&conf));
    assert!(!r.stdout.contains(&secret) && !r.stderr.contains(&secret));
}

#[test]
fn bad_config_catalog_and_state_fail_clearly_without_echoing_the_config() {
    let Some(venv) = venv() else { return };
    let dir = Dir::new("bad");
    let missing = dir.s("missing.json");
    let r = fivetrex(&["tap", "--config", &missing]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read the config"), "{}", r.stderr);

    // A secret of the wrong type: the message names the field, never the value.
    let cfg = dir.write("cfg.json", &json!({"api_key": "k", "api_secret": 987654321}));
    let conf = dir.write("configured.json", &configured(&[("groups", "full_refresh")]));
    let r = fivetrex(&["airbyte", "read", "--config", cfg.to_str().unwrap(), "--catalog", conf.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    validate(venv, &r.stdout, None, None);
    let err = &r.messages()[0]["trace"]["error"];
    assert_eq!(err["failure_type"], "config_error");
    assert!(err["message"].as_str().unwrap().contains("api_secret"), "{err}");
    assert!(!r.stdout.contains("987654321") && !r.stderr.contains("987654321"));

    // A catalog naming a stream that does not exist, and a state that is not JSON.
    let emu = emulator();
    let good = dir.write("good.json", &config(&emu));
    let unknown =
        dir.write("unknown.json", &json!({"streams": [{"stream": {"name": "nope"}, "sync_mode": "full_refresh"}]}));
    let r = fivetrex(&["airbyte", "read", "--config", good.to_str().unwrap(), "--catalog", unknown.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    validate(venv, &r.stdout, None, None);
    assert!(r.stdout.contains("unknown stream \\\"nope\\\""), "{}", r.stdout);
    let state = dir.0.join("state.json");
    std::fs::write(&state, "[{").unwrap();
    let r = fivetrex(&["tap", "--config", good.to_str().unwrap(), "--state", state.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not valid JSON"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}
