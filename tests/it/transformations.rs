//! Transformation projects, transformations and Quickstart packages: every operation with its
//! exact request.

use crate::support::*;
use fivetrex::{
    NewTransformation, NewTransformationProject, ProjectStatus, TransformationSchedule, TransformationStatus,
    UpdateTransformation, UpdateTransformationProject,
};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn project(i: usize) -> Value {
    json!({ "id": format!("proj_{i}"), "type": "DBT_CORE", "status": "READY", "errors": null,
            "created_at": "2024-01-01T00:00:00Z", "created_by_id": "u1", "group_id": "g1",
            "setup_tests": [{"title": "Git", "status": "PASSED", "message": null, "details": {"x": 1}}],
            "project_config": {"dbt_version": "1.7.0", "git_remote_url": "git@x:y.git", "public_key": "ssh-rsa AAA"} })
}

fn transformation(i: usize) -> Value {
    let status = ["RUNNING", "PARTIALLY_SUCCEEDED", "QUEUED_SOMEHOW"][i % 3];
    json!({ "id": format!("tr_{i}"), "status": status,
            "type": "QUICKSTART", "paused": false, "created_at": "2024-01-02T00:00:00.743708Z",
            "created_by_id": "u1", "last_started_at": "2024-01-02T00:00:00.000001Z", "last_ended_at": null,
            "output_model_names": ["m1"],
            "schedule": {"schedule_type": "INTERVAL", "interval": 60, "days_of_week": ["MONDAY"], "smart_syncing": true},
            "transformation_config": {"package_name": "fivetran_log", "connection_ids": ["c1"]} })
}

fn package(i: usize) -> Value {
    json!({ "id": format!("pkgdef_{i}"), "name": "fivetran_log", "version": "1.0", "connector_types": ["fivetran_log"],
            "output_model_names": ["a", "b"], "configurable_variables": {"x": {"type": "string"}} })
}

#[test]
fn lists_walk_three_pages() {
    let projects = walk_three_pages("/v1/transformation-projects", project, |c| c.transformation_projects());
    assert_eq!(projects[4].status, Some(ProjectStatus::Ready));
    assert!(projects[4].errors.is_empty());
    let ts = walk_three_pages("/v1/transformations", transformation, |c| c.transformations());
    assert_eq!(ts[0].status, Some(TransformationStatus::Running));
    assert_eq!(ts[1].status, Some(TransformationStatus::PartiallySucceeded));
    assert_eq!(ts[2].status, Some(TransformationStatus::Unknown("QUEUED_SOMEHOW".into())));
    assert_eq!(ts[2].schedule.as_ref().unwrap().interval, Some(60));
    let filtered = walk_three_pages_matching(
        "/v1/transformations",
        transformation,
        |c| c.transformations().query("group_id", "g1").query("type", "QUICKSTART"),
        |w| w.query_param("group_id", "g1").query_param("type", "QUICKSTART").query_param("limit", "1000"),
    );
    assert_eq!(filtered.len(), 6);
    let packages = walk_three_pages("/v1/transformations/package-metadata", package, |c| c.transformation_packages());
    assert_eq!(packages[5].output_model_names, ["a", "b"]);
}

#[test]
fn project_operations() {
    let server = MockServer::start();
    let config = json!({"dbt_version": "1.7.0", "default_schema": "analytics", "git_remote_url": "git@x:y.git"});
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/transformation-projects",
            Some(json!({"group_id": "g1", "type": "DBT_CORE", "run_tests": true, "project_config": config})),
            201,
            data(project(1)),
        ),
        expect(&server, "GET", "/v1/transformation-projects/proj_1", None, 200, data(project(1))),
        expect(
            &server,
            "PATCH",
            "/v1/transformation-projects/proj_1",
            Some(json!({"project_config": {"threads": 4}})),
            200,
            data(project(1)),
        ),
        expect(&server, "POST", "/v1/transformation-projects/proj_1/test", Some(json!({})), 200, data(project(1))),
        expect(&server, "DELETE", "/v1/transformation-projects/proj_1", None, 200, done("deleted")),
    ];
    let (client, _) = client(&server.base_url());
    let p = client
        .create_transformation_project(&NewTransformationProject::dbt_core("g1", config).run_tests(true))
        .unwrap();
    assert_eq!(p.setup_tests[0].title, "Git");
    assert_eq!(p.project_config.unwrap().to_value().unwrap()["public_key"], "ssh-rsa AAA");
    assert_eq!(client.transformation_project("proj_1").unwrap().kind.as_deref(), Some("DBT_CORE"));
    client
        .update_transformation_project(
            "proj_1",
            &UpdateTransformationProject::new().project_config(json!({"threads": 4})),
        )
        .unwrap();
    client.test_transformation_project("proj_1").unwrap();
    client.delete_transformation_project("proj_1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn transformation_operations() {
    let server = MockServer::start();
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/transformations",
            Some(json!({"type": "QUICKSTART", "paused": false,
                        "schedule": {"schedule_type": "TIME_OF_DAY", "time_of_day": "14:00"},
                        "transformation_config": {"package_name": "fivetran_log"}})),
            201,
            data(transformation(0)),
        ),
        expect(&server, "GET", "/v1/transformations/tr_0", None, 200, data(transformation(0))),
        expect(
            &server,
            "PATCH",
            "/v1/transformations/tr_0",
            Some(json!({"paused": true})),
            200,
            data(transformation(0)),
        ),
        expect(
            &server,
            "POST",
            "/v1/transformations/tr_0/run",
            Some(json!({"full_refresh": true})),
            200,
            done("started"),
        ),
        expect(&server, "POST", "/v1/transformations/tr_0/cancel", Some(json!({})), 200, done("canceled")),
        expect(&server, "POST", "/v1/transformations/tr_0/upgrade", Some(json!({})), 200, done("upgraded")),
        expect(&server, "DELETE", "/v1/transformations/tr_0", None, 200, done("deleted")),
        expect(&server, "GET", "/v1/transformations/package-metadata/pkgdef_1", None, 200, data(package(1))),
    ];
    let (client, _) = client(&server.base_url());
    let mut schedule = TransformationSchedule::new("TIME_OF_DAY");
    schedule.time_of_day = Some("14:00".into());
    let t = client
        .create_transformation(
            &NewTransformation::new("QUICKSTART", json!({"package_name": "fivetran_log"}))
                .schedule(schedule)
                .paused(false),
        )
        .unwrap();
    assert_eq!(t.output_model_names, ["m1"]);
    assert_eq!(client.transformation("tr_0").unwrap().last_ended_at, None);
    client.update_transformation("tr_0", &UpdateTransformation::new().paused(true)).unwrap();
    client.run_transformation("tr_0", true).unwrap();
    client.cancel_transformation("tr_0").unwrap();
    client.upgrade_transformation_package("tr_0").unwrap();
    client.delete_transformation("tr_0").unwrap();
    let p = client.transformation_package("pkgdef_1").unwrap();
    assert_eq!(p.configurable_variables.unwrap().to_value().unwrap()["x"]["type"], "string");
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn a_run_is_not_repeated_after_a_server_error_but_a_cancel_is() {
    let server = MockServer::start();
    let run = server.mock(|when, then| {
        when.method(POST).path("/v1/transformations/tr_1/run");
        then.status(502);
    });
    let cancel = server.mock(|when, then| {
        when.method(POST).path("/v1/transformations/tr_1/cancel");
        then.status(502);
    });
    let (client, _) = client(&server.base_url());
    client.run_transformation("tr_1", false).unwrap_err();
    run.assert_calls(1);
    client.cancel_transformation("tr_1").unwrap_err();
    cancel.assert_calls(5);
}
