//! Create and update bodies on the wire, byte for byte: every field of each body set (keys in
//! their documented order), and none set (only the required keys, or `{}`). The create and update
//! bodies of a family are declared from one field list, so these pin what that list produces.

use crate::support::*;
use fivetrex::api::connections::{DataDelaySensitivity, DestinationSchemaNames, NetworkingMethod, SchemaStatus};
use fivetrex::webhook::EventType;
use fivetrex::{
    AccessLevel, ConnectCardConfig, ExpirationPeriod, NewConnection, NewDestination, NewLogService, NewSystemKey,
    NewTeam, NewTransformation, NewTransformationProject, NewUser, NewWebhook, Permission, ResourceType, ScheduleType,
    TransformationSchedule, UpdateConnection, UpdateDestination, UpdateGroup, UpdateLogService, UpdateSystemKey,
    UpdateTeam, UpdateTransformation, UpdateTransformationProject, UpdateUser, UpdateWebhook,
};
use httpmock::prelude::*;
use serde_json::{json, Value};

/// A mock that answers `answer` only to `method path` with exactly `body` (compact JSON).
fn exact<'a>(server: &'a MockServer, method: &str, path: &str, body: &str, answer: Value) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(method).path(path).header("content-type", "application/json").body(body);
        then.status(200).json_body(data(answer));
    })
}

fn id(id: &str) -> Value {
    json!({ "id": id })
}

#[test]
fn connection_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let full_new = exact(
        &server,
        "POST",
        "/v1/connections",
        r#"{"group_id":"g","service":"pg","config":{"password":"p"},"auth":{"token":"t"},"paused":true,"pause_after_trial":false,"sync_frequency":60,"schedule_type":"auto","daily_sync_time":"03:00","data_delay_sensitivity":"LOW","data_delay_threshold":5,"trust_certificates":true,"trust_fingerprints":false,"run_setup_tests":true,"networking_method":"Directly","proxy_agent_id":"pa","private_link_id":"pl","hybrid_deployment_agent_id":"h","destination_schema_names":"SOURCE_NAMING","external_secrets_manager_id":"e","destination_configuration":{"virtual_warehouse":"w"},"connect_card_config":{"redirect_uri":"https://x","all_fields":true}}"#,
        id("c1"),
    );
    let bare_new = exact(&server, "POST", "/v1/connections", r#"{"group_id":"g","service":"bare"}"#, id("c2"));
    let full_update = exact(
        &server,
        "PATCH",
        "/v1/connections/c1",
        r#"{"config":{"password":"p"},"auth":{"token":"t"},"paused":true,"pause_after_trial":false,"sync_frequency":60,"schedule_type":"manual","daily_sync_time":"03:00","data_delay_sensitivity":"CUSTOM","data_delay_threshold":5,"trust_certificates":true,"trust_fingerprints":false,"run_setup_tests":true,"schema_status":"ready","is_historical_sync":true,"networking_method":"SshTunnel","proxy_agent_id":"pa","private_link_id":"pl","hybrid_deployment_agent_id":"h","external_secrets_manager_id":"e","external_secrets_keys_config":{"password":"k"},"destination_configuration":{"virtual_warehouse":"w"}}"#,
        id("c1"),
    );
    let bare_update = exact(&server, "PATCH", "/v1/connections/c2", "{}", id("c2"));

    let new = NewConnection::new("g", "pg")
        .config(json!({"password": "p"}))
        .auth(json!({"token": "t"}))
        .paused(true)
        .pause_after_trial(false)
        .sync_frequency(60)
        .schedule_type(ScheduleType::Auto)
        .daily_sync_time("03:00")
        .data_delay_sensitivity(DataDelaySensitivity::Low)
        .data_delay_threshold(5)
        .trust_certificates(true)
        .trust_fingerprints(false)
        .run_setup_tests(true)
        .networking_method(NetworkingMethod::Directly)
        .proxy_agent_id("pa")
        .private_link_id("pl")
        .hybrid_deployment_agent_id("h")
        .destination_schema_names(DestinationSchemaNames::SourceNaming)
        .external_secrets_manager_id("e")
        .destination_configuration(json!({"virtual_warehouse": "w"}))
        .connect_card_config(ConnectCardConfig::new("https://x").all_fields(true));
    assert_eq!(client.create_connection(&new).unwrap().id, "c1");
    assert_eq!(client.create_connection(&NewConnection::new("g", "bare")).unwrap().id, "c2");
    let changes = UpdateConnection::new()
        .config(json!({"password": "p"}))
        .auth(json!({"token": "t"}))
        .paused(true)
        .pause_after_trial(false)
        .sync_frequency(60)
        .schedule_type(ScheduleType::Manual)
        .daily_sync_time("03:00")
        .data_delay_sensitivity(DataDelaySensitivity::Custom)
        .data_delay_threshold(5)
        .trust_certificates(true)
        .trust_fingerprints(false)
        .run_setup_tests(true)
        .schema_status(SchemaStatus::Ready)
        .is_historical_sync(true)
        .networking_method(NetworkingMethod::SshTunnel)
        .proxy_agent_id("pa")
        .private_link_id("pl")
        .hybrid_deployment_agent_id("h")
        .external_secrets_manager_id("e")
        .external_secrets_keys_config(json!({"password": "k"}))
        .destination_configuration(json!({"virtual_warehouse": "w"}));
    client.update_connection("c1", &changes).unwrap();
    client.update_connection("c2", &UpdateConnection::new()).unwrap();
    for mock in [full_new, bare_new, full_update, bare_update] {
        mock.assert();
    }
}

#[test]
fn destination_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let full_new = exact(
        &server,
        "POST",
        "/v1/destinations",
        r#"{"group_id":"g","service":"snowflake","time_zone_offset":"+1","region":"R","config":{"password":"p"},"trust_certificates":true,"trust_fingerprints":false,"run_setup_tests":true,"daylight_saving_time_enabled":true,"networking_method":"PrivateLink","private_link_id":"pl","proxy_agent_id":"pa","hybrid_deployment_agent_id":"h","external_secrets_manager_id":"e"}"#,
        id("g"),
    );
    let bare_new = exact(
        &server,
        "POST",
        "/v1/destinations",
        r#"{"group_id":"g2","service":"bigquery","time_zone_offset":"0"}"#,
        id("g2"),
    );
    let full_update = exact(
        &server,
        "PATCH",
        "/v1/destinations/g",
        r#"{"time_zone_offset":"-5","region":"R","config":{"password":"p"},"trust_certificates":true,"trust_fingerprints":false,"run_setup_tests":true,"daylight_saving_time_enabled":false,"networking_method":"ProxyAgent","private_link_id":"pl","proxy_agent_id":"pa","hybrid_deployment_agent_id":"h","external_secrets_manager_id":"e","external_secrets_keys_config":{"password":"k"}}"#,
        id("g"),
    );
    let bare_update = exact(&server, "PATCH", "/v1/destinations/g2", "{}", id("g2"));

    let new = NewDestination::new("g", "snowflake", "+1")
        .region("R")
        .config(json!({"password": "p"}))
        .trust_certificates(true)
        .trust_fingerprints(false)
        .run_setup_tests(true)
        .daylight_saving_time_enabled(true)
        .networking_method(NetworkingMethod::PrivateLink)
        .private_link_id("pl")
        .proxy_agent_id("pa")
        .hybrid_deployment_agent_id("h")
        .external_secrets_manager_id("e");
    client.create_destination(&new).unwrap();
    client.create_destination(&NewDestination::new("g2", "bigquery", "0")).unwrap();
    let changes = UpdateDestination::new()
        .time_zone_offset("-5")
        .region("R")
        .config(json!({"password": "p"}))
        .trust_certificates(true)
        .trust_fingerprints(false)
        .run_setup_tests(true)
        .daylight_saving_time_enabled(false)
        .networking_method(NetworkingMethod::ProxyAgent)
        .private_link_id("pl")
        .proxy_agent_id("pa")
        .hybrid_deployment_agent_id("h")
        .external_secrets_manager_id("e")
        .external_secrets_keys_config(json!({"password": "k"}));
    client.update_destination("g", &changes).unwrap();
    client.update_destination("g2", &UpdateDestination::new()).unwrap();
    for mock in [full_new, bare_new, full_update, bare_update] {
        mock.assert();
    }
}

#[test]
fn webhook_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let full_new = exact(
        &server,
        "POST",
        "/v1/webhooks/account",
        r#"{"url":"https://h","events":["sync_end","sync_start"],"active":true,"secret":"s3"}"#,
        id("w1"),
    );
    let bare_new = exact(&server, "POST", "/v1/webhooks/group/g1", r#"{"url":"https://h","events":[]}"#, id("w2"));
    let full_update = exact(
        &server,
        "PATCH",
        "/v1/webhooks/w1",
        r#"{"url":"https://i","events":["sync_start"],"active":false,"secret":"s4"}"#,
        id("w1"),
    );
    let bare_update = exact(&server, "PATCH", "/v1/webhooks/w2", "{}", id("w2"));

    let new = NewWebhook::new("https://h", [EventType::SyncEnd, EventType::SyncStart]).active(true).secret("s3");
    client.create_account_webhook(&new).unwrap();
    client.create_group_webhook("g1", &NewWebhook::new("https://h", [])).unwrap();
    let changes = UpdateWebhook::new().url("https://i").events([EventType::SyncStart]).active(false).secret("s4");
    client.update_webhook("w1", &changes).unwrap();
    client.update_webhook("w2", &UpdateWebhook::new()).unwrap();
    for mock in [full_new, bare_new, full_update, bare_update] {
        mock.assert();
    }
}

#[test]
fn log_service_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let full_new = exact(
        &server,
        "POST",
        "/v1/external-logging",
        r#"{"group_id":"g","service":"cloudwatch","enabled":true,"config":{"region":"r"},"run_setup_tests":false}"#,
        id("l1"),
    );
    let bare_new =
        exact(&server, "POST", "/v1/external-logging/account", r#"{"service":"datadog","config":{}}"#, id("l2"));
    let full_update = exact(
        &server,
        "PATCH",
        "/v1/external-logging/l1",
        r#"{"enabled":false,"config":{"region":"s"},"run_setup_tests":true}"#,
        id("l1"),
    );
    let bare_update = exact(&server, "PATCH", "/v1/external-logging/account", "{}", id("l2"));

    let new = NewLogService::new("cloudwatch", json!({"region": "r"})).group("g").enabled(true).run_setup_tests(false);
    client.add_log_service(&new).unwrap();
    client.add_account_log_service(&NewLogService::new("datadog", json!({}))).unwrap();
    let changes = UpdateLogService::new().enabled(false).config(json!({"region": "s"})).run_setup_tests(true);
    client.update_log_service("l1", &changes).unwrap();
    client.update_account_log_service(&UpdateLogService::new()).unwrap();
    for mock in [full_new, bare_new, full_update, bare_update] {
        mock.assert();
    }
}

#[test]
fn user_team_and_group_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let mocks = [
        exact(
            &server,
            "POST",
            "/v1/users",
            r#"{"email":"j@x","given_name":"J","family_name":"D","phone":"1","picture":"p","role":"r"}"#,
            id("u1"),
        ),
        exact(&server, "POST", "/v1/users", r#"{"email":"k@x","given_name":"K","family_name":"E"}"#, id("u2")),
        exact(
            &server,
            "PATCH",
            "/v1/users/u1",
            r#"{"given_name":"A","family_name":"B","phone":"2","picture":"q","role":"s"}"#,
            id("u1"),
        ),
        exact(&server, "PATCH", "/v1/users/u2", "{}", id("u2")),
        exact(&server, "POST", "/v1/teams", r#"{"name":"n","description":"d","role":"r"}"#, id("t1")),
        exact(&server, "POST", "/v1/teams", "{}", id("t2")),
        exact(&server, "PATCH", "/v1/teams/t1", r#"{"name":"m","description":"e","role":"s"}"#, id("t1")),
        exact(&server, "PATCH", "/v1/teams/t2", "{}", id("t2")),
        exact(&server, "POST", "/v1/groups", r#"{"name":"w"}"#, id("g1")),
        exact(&server, "PATCH", "/v1/groups/g1", r#"{"name":"v"}"#, id("g1")),
        exact(&server, "PATCH", "/v1/groups/g2", "{}", id("g2")),
    ];

    client.create_user(&NewUser::new("j@x", "J", "D").phone("1").picture("p").role("r")).unwrap();
    client.create_user(&NewUser::new("k@x", "K", "E")).unwrap();
    let changes = UpdateUser::new().given_name("A").family_name("B").phone("2").picture("q").role("s");
    client.update_user("u1", &changes).unwrap();
    client.update_user("u2", &UpdateUser::new()).unwrap();
    client.create_team(&NewTeam::new().name("n").description("d").role("r")).unwrap();
    client.create_team(&NewTeam::new()).unwrap();
    client.update_team("t1", &UpdateTeam::new().name("m").description("e").role("s")).unwrap();
    client.update_team("t2", &UpdateTeam::new()).unwrap();
    client.create_group("w").unwrap();
    client.update_group("g1", &UpdateGroup::new().name("v")).unwrap();
    client.update_group("g2", &UpdateGroup::new()).unwrap();
    for mock in mocks {
        mock.assert();
    }
}

#[test]
fn system_key_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let mocks = [
        exact(
            &server,
            "POST",
            "/v1/system-keys",
            r#"{"name":"ci","permissions":[{"resource_type":"CONNECTOR","access_level":"READ"}],"expiration_period":"THIRTY_DAYS"}"#,
            id("k1"),
        ),
        exact(&server, "POST", "/v1/system-keys", r#"{"name":"bare","permissions":[]}"#, id("k2")),
        exact(
            &server,
            "PATCH",
            "/v1/system-keys/k1",
            r#"{"name":"ci-2","permissions":[{"resource_type":"CONNECTOR","access_level":"READ"}]}"#,
            id("k1"),
        ),
        exact(&server, "PATCH", "/v1/system-keys/k2", "{}", id("k2")),
    ];

    let read = || Permission::new(ResourceType::Connector, AccessLevel::Read);
    client
        .create_system_key(&NewSystemKey::new("ci", [read()]).expires(ExpirationPeriod::parse("THIRTY_DAYS")))
        .unwrap();
    client.create_system_key(&NewSystemKey::new("bare", [])).unwrap();
    client.update_system_key("k1", &UpdateSystemKey::new().name("ci-2").permissions([read()])).unwrap();
    client.update_system_key("k2", &UpdateSystemKey::new()).unwrap();
    for mock in mocks {
        mock.assert();
    }
}

#[test]
fn transformation_bodies() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let mocks = [
        exact(
            &server,
            "POST",
            "/v1/transformation-projects",
            r#"{"group_id":"g","type":"DBT_CORE","run_tests":true,"project_config":{"dbt_version":"1.7.0"}}"#,
            id("p1"),
        ),
        exact(
            &server,
            "PATCH",
            "/v1/transformation-projects/p1",
            r#"{"run_tests":false,"project_config":{"dbt_version":"1.8.0"}}"#,
            id("p1"),
        ),
        exact(&server, "PATCH", "/v1/transformation-projects/p2", "{}", id("p2")),
        exact(
            &server,
            "POST",
            "/v1/transformations",
            r#"{"type":"QUICKSTART","paused":true,"schedule":{"schedule_type":"INTEGRATED"},"transformation_config":{"package_name":"x"}}"#,
            id("t1"),
        ),
        exact(
            &server,
            "PATCH",
            "/v1/transformations/t1",
            r#"{"paused":false,"schedule":{"schedule_type":"CRON"},"transformation_config":{"package_name":"y"}}"#,
            id("t1"),
        ),
        exact(&server, "PATCH", "/v1/transformations/t2", "{}", id("t2")),
    ];

    let project = NewTransformationProject::dbt_core("g", json!({"dbt_version": "1.7.0"})).run_tests(true);
    client.create_transformation_project(&project).unwrap();
    let changes = UpdateTransformationProject::new().run_tests(false).project_config(json!({"dbt_version": "1.8.0"}));
    client.update_transformation_project("p1", &changes).unwrap();
    client.update_transformation_project("p2", &UpdateTransformationProject::new()).unwrap();
    let new = NewTransformation::new("QUICKSTART", json!({"package_name": "x"}))
        .paused(true)
        .schedule(TransformationSchedule::new("INTEGRATED"));
    client.create_transformation(&new).unwrap();
    let changes = UpdateTransformation::new()
        .paused(false)
        .schedule(TransformationSchedule::new("CRON"))
        .transformation_config(json!({"package_name": "y"}));
    client.update_transformation("t1", &changes).unwrap();
    client.update_transformation("t2", &UpdateTransformation::new()).unwrap();
    for mock in mocks {
        mock.assert();
    }
}
