//! Log services (external logging), for groups and for the account: every operation with its
//! exact request; configs with credentials stay out of `Debug`.

use crate::support::*;
use fivetrex::api::common::SetupTestStatus;
use fivetrex::{NewLogService, UpdateLogService};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn log(i: usize) -> Value {
    json!({ "id": format!("log_{i}"), "service": "cloudwatch", "enabled": true,
            "status": {"setup_state": "connected", "tasks": [{"code": "reconnect_log", "message": "Reconnect",
                                                               "details": "Please provide required permissions"}]},
            "config": {"region": "us-east-1", "access_key_secret": "aws-secret-never-shown"} })
}

fn tests_answer() -> Value {
    data(
        json!({"setup_tests": [{"title": "Validate Login", "status": "FAILED", "message": "Invalid login credentials.",
                                  "details": "Authentication failed (401 Unauthorized)."}]}),
    )
}

#[test]
fn log_services_walk_three_pages() {
    let logs = walk_three_pages("/v1/external-logging", log, |c| c.log_services());
    assert_eq!(logs[2].service, "cloudwatch");
    let status = logs[2].status.as_ref().unwrap();
    assert_eq!(status.setup_state.as_deref(), Some("connected"));
    assert_eq!(status.tasks[0].code, "reconnect_log");
    assert!(!format!("{logs:?}").contains("aws-secret-never-shown"));
}

#[test]
fn group_log_service_operations() {
    let server = MockServer::start();
    let config = json!({"region": "us-east-1", "access_key_secret": "aws-secret-never-shown"});
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/external-logging",
            Some(json!({"group_id": "g1", "service": "cloudwatch", "enabled": true, "config": config,
                        "run_setup_tests": true})),
            201,
            data(log(1)),
        ),
        expect(&server, "GET", "/v1/external-logging/log_1", None, 200, data(log(1))),
        expect(&server, "PATCH", "/v1/external-logging/log_1", Some(json!({"enabled": false})), 200, data(log(1))),
        expect(&server, "POST", "/v1/external-logging/log_1/test", Some(json!({})), 200, tests_answer()),
        expect(&server, "DELETE", "/v1/external-logging/log_1", None, 200, done("deleted")),
    ];
    let (client, _) = client(&server.base_url());
    let new = NewLogService::new("cloudwatch", config).group("g1").enabled(true).run_setup_tests(true);
    assert!(!format!("{new:?}").contains("aws-secret-never-shown"));
    assert_eq!(client.add_log_service(&new).unwrap().id, "log_1");
    assert!(client.log_service("log_1").unwrap().enabled);
    client.update_log_service("log_1", &UpdateLogService::new().enabled(false)).unwrap();
    let tests = client.test_log_service("log_1").unwrap();
    assert_eq!(tests[0].status, Some(SetupTestStatus::Failed));
    assert_eq!(
        tests[0].details.as_ref().unwrap().parse::<String>().unwrap(),
        "Authentication failed (401 Unauthorized)."
    );
    client.delete_log_service("log_1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn account_log_service_operations() {
    let server = MockServer::start();
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/external-logging/account",
            Some(json!({"service": "datadog_log", "config": {"api_key": "dd"}})),
            201,
            data(log(0)),
        ),
        expect(&server, "GET", "/v1/external-logging/account", None, 200, data(log(0))),
        expect(
            &server,
            "PATCH",
            "/v1/external-logging/account",
            Some(json!({"config": {"api_key": "dd2"}, "run_setup_tests": false})),
            200,
            data(log(0)),
        ),
        expect(&server, "POST", "/v1/external-logging/account/test", Some(json!({})), 200, tests_answer()),
        expect(&server, "DELETE", "/v1/external-logging/account", None, 200, done("deleted")),
    ];
    let (client, _) = client(&server.base_url());
    client.add_account_log_service(&NewLogService::new("datadog_log", json!({"api_key": "dd"}))).unwrap();
    assert_eq!(client.account_log_service().unwrap().id, "log_0");
    client
        .update_account_log_service(&UpdateLogService::new().config(json!({"api_key": "dd2"})).run_setup_tests(false))
        .unwrap();
    assert_eq!(client.test_account_log_service().unwrap().len(), 1);
    client.delete_account_log_service().unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}
