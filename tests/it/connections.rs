//! Connections end to end: walks over several pages, every operation with its exact request,
//! the spec's examples, and the decoding of what servers really send.

use crate::support::*;
use fivetrex::api::connections::{self, DataDelaySensitivity, NetworkingMethod, SchemaStatus, SetupTestStatus};
use fivetrex::{
    Confirm, ConnectCardConfig, Connection, ErrorKind, LastOutcome, NewConnection, ResyncScope, ScheduleType,
    SetupState, SetupTests, SyncState, TableSelection, UpdateConnection, UpdateState,
};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

fn decode(v: Value) -> Connection {
    serde_json::from_value(v).unwrap()
}

#[test]
fn operations_match_the_spec() {
    assert_operations_match_spec(connections::ALL);
    assert_eq!(connections::ALL.len(), 11);
    // Repeating these is harmless; repeating a resync is not.
    for op in [connections::SYNC_CONNECTION, connections::RUN_SETUP_TESTS, connections::CONNECT_CARD] {
        assert!(op.idempotent, "{}", op.id);
    }
    const { assert!(!connections::RESYNC_CONNECTION.idempotent) };
    const { assert!(!connections::CREATE_CONNECTION.idempotent) };
}

#[test]
fn walks_every_connection_over_three_pages_with_the_v2_accept() {
    let server = MockServer::start();
    let mocks = serve_list(&server, "/v1/connections", V2, &[], 3, 4, |i| connection(i, "g1"));
    let (client, _) = client(&server.base_url());
    let all: Vec<Connection> = client.connections().map(|c| c.unwrap()).collect();
    assert_eq!(all.len(), 12);
    assert_eq!(all[11].id, "conn_11");
    assert_eq!(all[3].schema, "pg_3");
    assert_eq!(all[0].status.sync_state, Some(SyncState::Scheduled));
    assert_eq!(all[0].sync_frequency, Some(360));
    // The config stays raw until asked for.
    assert_eq!(all[0].config.as_ref().unwrap().to_value().unwrap()["port"], 5432);
    for m in &mocks {
        m.assert_calls(1);
    }
    // The alias walks the same list.
    assert_eq!(client.connectors().count(), 12);
}

#[test]
fn filters_by_group_and_schema_over_three_pages() {
    let server = MockServer::start();
    let by_group =
        serve_list(&server, "/v1/connections", V2, &[("group_id", "g 2")], 3, 2, |i| connection(i + 100, "g 2"));
    let (c, _) = client(&server.base_url());
    let ids: Vec<_> = c.connections().group_id("g 2").map(|c| c.unwrap().id).collect();
    assert_eq!(ids, ["conn_100", "conn_101", "conn_102", "conn_103", "conn_104", "conn_105"]);
    by_group.iter().for_each(|m| m.assert_calls(1));

    let server = MockServer::start();
    let by_schema = serve_list(&server, "/v1/connections", V2, &[("group_id", "g1"), ("schema", "pg_7")], 3, 1, |_| {
        connection(7, "g1")
    });
    let (client, _) = client(&server.base_url());
    let found: Vec<_> = client.connections().group_id("g1").schema("pg_7").map(|c| c.unwrap()).collect();
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|c| c.schema == "pg_7"));
    by_schema.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn get_create_update_and_delete_send_exactly_what_was_set() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/conn_1").header("accept", V2).header("authorization", auth_header());
        then.status(200).json_body(data(connection(1, "g1")));
    });
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections")
            .header("accept", V2)
            .header("content-type", "application/json")
            .json_body(json!({
                "group_id": "g1", "service": "postgres", "paused": true, "sync_frequency": 60,
                "schedule_type": "manual", "trust_certificates": true, "run_setup_tests": false,
                "networking_method": "SshTunnel", "data_delay_sensitivity": "CUSTOM", "data_delay_threshold": 30,
                "config": {"schema": "pg", "host": "db", "port": 5432, "password": "pg-secret"},
                "auth": {"client_access": {"client_secret": "oauth-secret"}},
                "connect_card_config": {"redirect_uri": "https://x.test/back"}
            }));
        then.status(201).json_body(data(connection(9, "g1")));
    });
    let update = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connections/conn_9")
            .header("accept", V2)
            .json_body(json!({"sync_frequency": 1440, "daily_sync_time": "03:00", "schema_status": "ready"}));
        then.status(200).json_body(data(connection(9, "g1")));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE).path("/v1/connections/conn_9").header("accept", V2);
        then.status(200).json_body(json!({"code": "Success", "message": "Connection has been deleted"}));
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.connection("conn_1").unwrap().id, "conn_1");
    assert_eq!(client.connector("conn_1").unwrap().id, "conn_1");
    let new = NewConnection::new("g1", "postgres")
        .paused(true)
        .sync_frequency(60)
        .schedule_type(ScheduleType::Manual)
        .trust_certificates(true)
        .run_setup_tests(false)
        .networking_method(NetworkingMethod::SshTunnel)
        .data_delay_sensitivity(DataDelaySensitivity::Custom)
        .data_delay_threshold(30)
        .config(json!({"schema": "pg", "host": "db", "port": 5432, "password": "pg-secret"}))
        .auth(json!({"client_access": {"client_secret": "oauth-secret"}}))
        .connect_card_config(ConnectCardConfig::new("https://x.test/back"));
    let debug = format!("{new:?}");
    assert!(!debug.contains("pg-secret") && !debug.contains("oauth-secret"), "{debug}");
    let created = client.create_connection(&new).unwrap();
    assert_eq!(created.id, "conn_9");
    let changes =
        UpdateConnection::new().sync_frequency(1440).daily_sync_time("03:00").schema_status(SchemaStatus::Ready);
    client.update_connection("conn_9", &changes).unwrap();
    assert!(client
        .delete_connection("conn_9", &fivetrex::Confirm::delete_connection("conn_9"))
        .unwrap()
        .message
        .unwrap()
        .contains("deleted"));
    get.assert_calls(2);
    for m in [create, update, delete] {
        m.assert_calls(1);
    }
}

#[test]
fn bad_arguments_are_refused_before_sending() {
    let server = MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200).json_body(data(connection(1, "g1")));
    });
    let (client, _) = client(&server.base_url());
    let err = client.create_connection(&NewConnection::new("", "postgres")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = client.create_connection(&NewConnection::new("g1", "")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(client.connection("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(client.sync("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    any.assert_calls(0);
}

#[test]
fn pause_and_resume_are_plain_patches() {
    let server = MockServer::start();
    let mut paused = connection(1, "g1");
    paused["paused"] = json!(true);
    paused["status"]["sync_state"] = json!("paused");
    let pause = server.mock(|when, then| {
        when.method(PATCH).path("/v1/connections/conn_1").header("accept", V2).json_body(json!({"paused": true}));
        then.status(200).json_body(data(paused.clone()));
    });
    let resume = server.mock(|when, then| {
        when.method(PATCH).path("/v1/connections/conn_1").json_body(json!({"paused": false}));
        then.status(200).json_body(data(connection(1, "g1")));
    });
    let (client, _) = client(&server.base_url());
    assert!(client.pause_connection("conn_1").unwrap().is_paused());
    assert!(!client.resume_connection("conn_1").unwrap().is_paused());
    pause.assert_calls(1);
    resume.assert_calls(1);
}

#[test]
fn sync_sends_force_and_is_retried_but_a_resync_is_not() {
    let server = MockServer::start();
    let plain = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/sync")
            .header("accept", V2)
            .header("content-type", "application/json")
            .json_body(json!({"force": false}));
        then.status(200).json_body(json!({"code": "Success", "message": "Sync has been successfully triggered"}));
    });
    let flaky = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_2/sync").json_body(json!({"force": true}));
        then.status(503).body("upstream down").up_to_n_times(1);
    });
    let forced = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_2/sync").json_body(json!({"force": true}));
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let resync = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_2/resync");
        then.status(503).body("upstream down");
    });
    let (client, clock) = client(&server.base_url());
    assert_eq!(client.sync("conn_1").unwrap().code, "Success");
    assert_eq!(client.sync_with("conn_2", true).unwrap().code, "Success");
    assert_eq!(clock.sleeps(), [Duration::from_millis(500)]);
    flaky.assert_calls(1);
    forced.assert_calls(1);
    plain.assert_calls(1);
    // A resync drops history: an ambiguous failure is handed back, not repeated.
    let scope = ResyncScope::tables(
        TableSelection::new().table("public", "orders"),
        fivetrex::Confirm::resync_tables("conn_2"),
    );
    assert_eq!(client.resync("conn_2", &scope).unwrap_err().kind(), ErrorKind::Server);
    resync.assert_calls(1);
    assert_eq!(clock.sleeps().len(), 1);
}

#[test]
fn a_full_resync_needs_the_matching_confirmation_and_sends_nothing_without_it() {
    let server = MockServer::start();
    let full = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/resync")
            .header("accept", V2)
            .header("content-type", "application/json")
            .json_body(json!({}));
        then.status(200).json_body(json!({"code": "Success", "message": "Re-sync has been triggered"}));
    });
    let scoped = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/resync")
            .json_body(json!({"scope": {"crm": ["accounts", "leads"], "public": ["orders"]}}));
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let (client, _) = client(&server.base_url());
    for wrong in
        [Confirm::full_resync("conn_2"), Confirm::delete_group("conn_1"), Confirm::delete_destination("conn_1")]
    {
        let err = client.resync("conn_1", &ResyncScope::everything(wrong)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfirmationRequired);
    }
    // An empty selection, or a schema without tables, would read as "everything": refused too.
    for empty in [TableSelection::new(), TableSelection::new().tables("public", Vec::<String>::new())] {
        let err = client
            .resync("conn_1", &ResyncScope::tables(empty, fivetrex::Confirm::resync_tables("conn_1")))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
    full.assert_calls(0);
    scoped.assert_calls(0);
    client.resync("conn_1", &ResyncScope::everything(Confirm::full_resync("conn_1"))).unwrap();
    full.assert_calls(1);
    let tables = TableSelection::new().table("public", "orders").tables("crm", ["accounts", "leads"]);
    client.resync("conn_1", &ResyncScope::tables(tables, fivetrex::Confirm::resync_tables("conn_1"))).unwrap();
    scoped.assert_calls(1);
    full.assert_calls(1);
}

#[test]
fn setup_tests_always_send_a_body_and_return_their_results() {
    let server = MockServer::start();
    let mut tested = connection(1, "g1");
    tested["setup_tests"] = json!([
        {"title": "Connecting to host", "status": "PASSED", "message": ""},
        {"title": "Validating certificate", "status": "failed", "message": "untrusted", "details": {"hash": "abc"}},
        {"title": "Something new", "status": "FLAKY"}
    ]);
    let empty = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/test")
            .header("accept", V2)
            .header("content-type", "application/json")
            .json_body(json!({}));
        then.status(200).json_body(data(tested.clone()));
    });
    let trusting = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/test")
            .json_body(json!({"trust_certificates": true, "trust_fingerprints": false}));
        then.status(200).json_body(data(tested.clone()));
    });
    let (client, _) = client(&server.base_url());
    let c = client.run_setup_tests("conn_1", &SetupTests::new()).unwrap();
    assert_eq!(c.setup_tests.len(), 3);
    assert_eq!(c.setup_tests[0].status, Some(SetupTestStatus::Passed));
    assert_eq!(c.setup_tests[1].status, Some(SetupTestStatus::Failed));
    assert_eq!(c.setup_tests[1].details.as_ref().unwrap().as_str(), r#"{"hash":"abc"}"#);
    assert_eq!(c.setup_tests[2].status, Some(SetupTestStatus::Unknown("FLAKY".into())));
    client.run_setup_tests("conn_1", &SetupTests::new().trust_certificates(true).trust_fingerprints(false)).unwrap();
    empty.assert_calls(1);
    trusting.assert_calls(1);
}

#[test]
fn connect_card_and_state() {
    let server = MockServer::start();
    let card = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_1/connect-card").header("accept", V2).json_body(json!({
            "connect_card_config": {"redirect_uri": "https://x.test/done", "hide_setup_guide": true}
        }));
        then.status(200).json_body(data(json!({
            "connector_id": "conn_1",
            "connect_card": {"token": "tok-very-secret", "uri": "https://fivetran.com/connect-card/setup?auth=tok-very-secret"},
            "connect_card_config": {"redirect_uri": "https://x.test/done", "hide_setup_guide": true}
        })));
    });
    let state = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/conn_1/state").header("accept", V2);
        then.status(200).json_body(data(json!({"state": {"cursor": "2024-01-01", "tables": {"a": 1}}})));
    });
    let set_state = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connections/conn_1/state")
            .header("accept", V2)
            .json_body(json!({"state": {"cursor": "2023-01-01"}}));
        then.status(200).json_body(data(json!({"state": {"cursor": "2023-01-01"}})));
    });
    let (client, _) = client(&server.base_url());
    let answer =
        client.connect_card("conn_1", &ConnectCardConfig::new("https://x.test/done").hide_setup_guide(true)).unwrap();
    assert_eq!(answer.connection_id, "conn_1");
    let c = answer.connect_card.as_ref().unwrap();
    assert_eq!(c.token, "tok-very-secret");
    assert!(!format!("{answer:?}").contains("tok-very-secret"), "{answer:?}");
    assert_eq!(client.connection_state("conn_1").unwrap()["tables"]["a"], 1);
    assert_eq!(
        client.update_connection_state("conn_1", &json!({"cursor": "2023-01-01"})).unwrap()["cursor"],
        "2023-01-01"
    );
    for m in [card, state, set_state] {
        m.assert_calls(1);
    }
}

#[test]
fn spec_examples_decode_into_the_connection_models() {
    let Some(_) = spec() else { return };
    let server = MockServer::start();
    let serve = |method: httpmock::Method, path: &str, op: &str| {
        let body = example_response(op).unwrap_or_else(|| panic!("no example for {op}"));
        server.mock(|when, then| {
            when.method(method).path(path);
            then.status(200).json_body(body);
        })
    };
    serve(GET, "/v1/connections", "list_connections");
    serve(GET, "/v1/connections/c1", "connection_details");
    serve(POST, "/v1/connections", "create_connection");
    serve(PATCH, "/v1/connections/c1", "modify_connection");
    serve(DELETE, "/v1/connections/c1", "delete_connection");
    serve(POST, "/v1/connections/c1/sync", "sync_connection");
    serve(POST, "/v1/connections/c1/resync", "resync_connection");
    serve(POST, "/v1/connections/c1/test", "run_setup_tests");
    serve(POST, "/v1/connections/c1/connect-card", "connect_card");
    serve(GET, "/v1/connections/c1/state", "connection_state");
    serve(PATCH, "/v1/connections/c1/state", "modify_connection_state");
    let (client, _) = client(&server.base_url());
    let first = client.connections().next().unwrap().unwrap();
    assert_eq!(first.id, "connection_id");
    let c = client.connection("c1").unwrap();
    assert_eq!(c.status.setup_state, Some(SetupState::Connected));
    assert!(c.status.sync_state.is_some() && c.status.update_state.is_some());
    assert!(c.created_at.is_some() && c.succeeded_at.is_some());
    assert_eq!(c.schedule_type, Some(ScheduleType::Auto));
    client.create_connection(&NewConnection::new("g", "google_sheets")).unwrap();
    client.update_connection("c1", &UpdateConnection::new().paused(false)).unwrap();
    assert_eq!(client.delete_connection("c1", &fivetrex::Confirm::delete_connection("c1")).unwrap().code, "Success");
    assert_eq!(client.sync("c1").unwrap().code, "Success");
    client.resync("c1", &ResyncScope::everything(Confirm::full_resync("c1"))).unwrap();
    let tested = client.run_setup_tests("c1", &SetupTests::new()).unwrap();
    assert!(!tested.setup_tests.is_empty());
    let card = client.connect_card("c1", &ConnectCardConfig::new("https://your.site/path")).unwrap();
    assert_eq!(card.connection_id, "connection_id");
    assert!(card.connect_card.unwrap().uri.starts_with("https://"));
    assert!(client.connection_state("c1").unwrap().is_object());
    assert!(client.update_connection_state("c1", &json!({})).unwrap().is_object());
}

#[test]
fn enums_ignore_case_keep_unknown_values_and_write_the_wire_form() {
    let mut v = connection(1, "g1");
    v["status"] = json!({"setup_state": "CONNECTED", "sync_state": "Syncing", "update_state": "on_SCHEDULE",
                         "schema_status": "blocked_on_customer", "is_historical_sync": true});
    v["schedule_type"] = json!("MANUAL");
    v["networking_method"] = json!("Unknown");
    v["data_delay_sensitivity"] = json!("normal");
    let c = decode(v);
    assert_eq!(c.status.setup_state, Some(SetupState::Connected));
    assert_eq!(c.status.sync_state, Some(SyncState::Syncing));
    assert_eq!(c.status.update_state, Some(UpdateState::OnSchedule));
    assert_eq!(c.status.schema_status, Some(SchemaStatus::Unknown("blocked_on_customer".into())));
    assert_eq!(c.schedule_type, Some(ScheduleType::Manual));
    assert_eq!(c.networking_method, Some(NetworkingMethod::Unknown("Unknown".into())));
    assert_eq!(c.data_delay_sensitivity, Some(DataDelaySensitivity::Normal));
    assert!(c.is_syncing() && c.is_connected() && c.is_historical_sync());

    let mut v = connection(2, "g1");
    v["status"]["sync_state"] = json!("warming_up");
    v["status"]["setup_state"] = json!("quarantined");
    let c = decode(v);
    assert_eq!(c.status.sync_state, Some(SyncState::Unknown("warming_up".into())));
    assert_eq!(c.status.sync_state.as_ref().unwrap().as_str(), "warming_up");
    assert!(!c.is_syncing() && !c.is_broken() && !c.is_connected());

    // Encoding writes the wire form, lower case for the states.
    let out = serde_json::to_value(decode(json!({"id": "c", "status": {"sync_state": "RESCHEDULED",
        "setup_state": "Broken", "update_state": "DELAYED"}, "schedule_type": "Auto"})))
    .unwrap();
    assert_eq!(out["status"]["sync_state"], "rescheduled");
    assert_eq!(out["status"]["setup_state"], "broken");
    assert_eq!(out["status"]["update_state"], "delayed");
    assert_eq!(out["schedule_type"], "auto");
    assert_eq!("SYNCING".parse::<SyncState>().unwrap(), SyncState::Syncing);
    assert_eq!(SyncState::Paused.to_string(), "paused");
}

#[test]
fn null_timestamps_null_lists_and_missing_fields() {
    let c = decode(json!({
        "id": "c1", "group_id": null, "succeeded_at": null, "failed_at": "", "created_at": null,
        "sync_frequency": null, "daily_sync_time": null, "connected_by": null, "config": null,
        "status": {"setup_state": null, "sync_state": "scheduled", "rescheduled_for": null, "tasks": null, "warnings": null},
        "setup_tests": null
    }));
    assert_eq!(c.group_id, "");
    assert_eq!((c.succeeded_at, c.failed_at, c.created_at), (None, None, None));
    assert_eq!(c.last_outcome(), LastOutcome::Never);
    assert_eq!(c.last_sync_at(), None);
    assert!(c.status.tasks.is_empty() && c.setup_tests.is_empty());
    assert_eq!(c.config, None);
    let bare = decode(json!({"id": "c2"}));
    assert_eq!(bare.status.sync_state, None);
    assert!(!bare.paused);
    let none = decode(json!({"id": "c3", "status": null}));
    assert_eq!(none.status, Default::default());
}

#[test]
fn loose_types_decode_without_losing_data() {
    let c = decode(json!({
        "id": 12345, "group_id": 678, "service": "postgres", "schema": "pg",
        "sync_frequency": "360", "daily_sync_time": 14, "service_version": "3", "data_delay_threshold": 30.0,
        "paused": "true", "pause_after_trial": 0, "connected_by": 99,
        "status": {"is_historical_sync": "false", "tasks": [{"code": "reconnect", "message": "Reconnect", "details": 7}],
                   "warnings": [{"code": 42, "message": "w", "details": "plain text"}]},
        "config": {"port": "5432", "timeout": 30, "ratio": "0.5", "password": "hunter2",
                   "nested": {"list": [1, "2", {"deep": "3"}], "flag": "false"}, "empty": {}}
    }));
    assert_eq!(c.id, "12345");
    assert_eq!(c.group_id, "678");
    assert_eq!(c.sync_frequency, Some(360));
    assert_eq!(c.daily_sync_time.as_deref(), Some("14"));
    assert_eq!(c.service_version, Some(3));
    assert_eq!(c.data_delay_threshold, Some(30));
    assert!(c.paused && !c.pause_after_trial);
    assert_eq!(c.connected_by.as_deref(), Some("99"));
    assert!(!c.status.is_historical_sync);
    assert_eq!(c.status.tasks[0].details_text().as_deref(), Some("7"));
    assert_eq!(c.status.warnings[0].code, "42");
    assert_eq!(c.status.warnings[0].details_text().as_deref(), Some("plain text"));
    // The config is kept byte for byte: numbers stay numbers, strings stay strings.
    let config = c.config.as_ref().unwrap().to_value().unwrap();
    assert_eq!(config["port"], "5432");
    assert_eq!(config["timeout"], 30);
    assert_eq!(config["nested"]["list"], json!([1, "2", {"deep": "3"}]));
    assert_eq!(config["nested"]["flag"], "false");
    assert_eq!(config["empty"], json!({}));
    // A number that is not a number does not sink the whole answer.
    let odd = decode(json!({"id": "c", "sync_frequency": "hourly", "service_version": 1e30}));
    assert_eq!((odd.sync_frequency, odd.service_version), (None, None));
}

#[test]
fn passwords_in_config_never_show_in_debug() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/v1/connections/conn_1");
        then.status(200).json_body(data(connection(1, "g1")));
    });
    let (client, _) = client(&server.base_url());
    let c = client.connection("conn_1").unwrap();
    assert_eq!(c.config.as_ref().unwrap().to_value().unwrap()["password"], "pg-password-123");
    let shown = format!("{c:?} {c:#?}");
    assert!(!shown.contains("pg-password-123"), "{shown}");
    assert!(shown.contains("db.internal"));
    let update = UpdateConnection::new().config(json!({"password": "new-pw", "nested": {"api_key": "k-123"}}));
    let shown = format!("{update:?}");
    assert!(!shown.contains("new-pw") && !shown.contains("k-123"), "{shown}");
}

#[test]
fn model_helpers_read_the_state() {
    let at = |s: &str| Some(fivetrex::Timestamp::parse(s).unwrap());
    let mut v = connection(1, "g1");
    v["status"]["sync_state"] = json!("rescheduled");
    v["status"]["rescheduled_for"] = json!("2024-03-01T12:00:00.123456789Z");
    v["succeeded_at"] = json!("2024-02-01T10:00:00.1Z");
    v["failed_at"] = json!("2024-02-01T10:00:00.100001Z");
    let c = decode(v);
    assert!(c.is_rescheduled() && !c.is_syncing() && !c.is_paused());
    assert_eq!(c.rescheduled_until(), at("2024-03-01T12:00:00.123456789Z"));
    assert_eq!(c.last_outcome(), LastOutcome::Failed, "a microsecond later");
    assert_eq!(c.last_sync_at(), at("2024-02-01T10:00:00.100001Z"));

    let mut v = connection(2, "g1");
    v["status"]["setup_state"] = json!("broken");
    v["status"]["rescheduled_for"] = json!("2024-03-01T12:00:00Z");
    v["failed_at"] = json!("2024-01-01T00:00:00+02:00");
    let c = decode(v);
    assert!(c.is_broken() && !c.is_connected());
    assert_eq!(c.rescheduled_until(), None, "only while rescheduled");
    assert_eq!(c.last_outcome(), LastOutcome::Succeeded);

    let mut v = connection(3, "g1");
    v["paused"] = json!(false);
    v["status"]["sync_state"] = json!("paused");
    v["succeeded_at"] = json!(null);
    v["failed_at"] = json!("2024-01-01T00:00:00Z");
    let c = decode(v);
    assert!(c.is_paused());
    assert_eq!(c.last_outcome(), LastOutcome::Failed);
}

#[test]
fn every_destructive_call_needs_its_own_confirmation_and_sends_nothing_without_it() {
    use fivetrex::api::schemas::ColumnSelection;
    use fivetrex::Confirm;
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.path_includes("/v1/");
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let client = client_no_retry(&server.base_url());
    let tables = TableSelection::new().table("public", "orders");
    let columns = ColumnSelection::new().column("public", "orders", "email");
    let refused: Vec<fivetrex::Result<fivetrex::ActionResponse>> = vec![
        client.delete_connection("c1", &Confirm::delete_connection("c2")),
        client.delete_connection("c1", &Confirm::full_resync("c1")),
        client.drop_columns("c1", &columns, &Confirm::drop_columns("c2")),
        client.drop_column("c1", "public", "orders", "email", &Confirm::resync_tables("c1")),
        client.resync_tables("c1", &tables, &Confirm::drop_columns("c1")),
        client.resync("c1", &ResyncScope::tables(tables.clone(), Confirm::full_resync("c1"))),
        client.resync("c1", &ResyncScope::everything(Confirm::resync_tables("c1"))),
        client.delete_group("g1", &Confirm::delete_connection("g1")),
        client.delete_destination("d1", &Confirm::delete_group("d1")),
    ];
    for r in refused {
        assert_eq!(r.unwrap_err().kind(), ErrorKind::ConfirmationRequired);
    }
    any.assert_calls(0);
    client.delete_connection("c1", &Confirm::delete_connection("c1")).unwrap();
    client.drop_columns("c1", &columns, &Confirm::drop_columns("c1")).unwrap();
    client.drop_column("c1", "public", "orders", "email", &Confirm::drop_columns("c1")).unwrap();
    client.resync_tables("c1", &tables, &Confirm::resync_tables("c1")).unwrap();
    client.resync("c1", &ResyncScope::tables(tables, Confirm::resync_tables("c1"))).unwrap();
    any.assert_calls(5);
}
