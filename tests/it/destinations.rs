//! Destinations end to end.

use crate::support::*;
use fivetrex::api::connections::NetworkingMethod;
use fivetrex::api::destinations;
use fivetrex::{Confirm, Destination, ErrorKind, NewDestination, SetupState, SetupTests, UpdateDestination};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn destination(i: usize) -> Value {
    json!({
        "id": format!("dest_{i}"), "group_id": format!("dest_{i}"), "service": "snowflake",
        "region": "AWS_EU_WEST_1", "time_zone_offset": "+1", "setup_status": if i % 2 == 0 { "CONNECTED" } else { "broken" },
        "daylight_saving_time_enabled": true, "networking_method": "Directly",
        "config": {"host": "acme.snowflakecomputing.com", "port": 443, "user": "FIVETRAN",
                   "password": "snow-password-9", "private_key": "-----BEGIN KEY-----"}
    })
}

#[test]
fn operations_match_the_spec() {
    assert_operations_match_spec(destinations::ALL);
    assert_eq!(destinations::ALL.len(), 6);
    const { assert!(destinations::RUN_DESTINATION_SETUP_TESTS.idempotent) };
}

#[test]
fn walks_every_destination_over_three_pages() {
    let server = MockServer::start();
    let mocks = serve_list(&server, "/v1/destinations", V2, &[], 3, 3, destination);
    let (client, _) = client(&server.base_url());
    let all: Vec<Destination> = client.destinations().map(|d| d.unwrap()).collect();
    assert_eq!(all.len(), 9);
    assert_eq!(all[8].id, "dest_8");
    // `setup_status` in either case.
    assert!(all[0].is_connected() && all[1].is_broken());
    assert_eq!(all[1].setup_status, Some(SetupState::Broken));
    assert_eq!(all[0].networking_method, Some(NetworkingMethod::Directly));
    mocks.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn get_create_update_delete_and_test() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        when.method(GET).path("/v1/destinations/dest_0").header("accept", V2).header("authorization", auth_header());
        then.status(200).json_body(data(destination(0)));
    });
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/destinations")
            .header("accept", V2)
            .header("content-type", "application/json")
            .json_body(json!({
                "group_id": "g1", "service": "snowflake", "time_zone_offset": "-5", "region": "GCP_US_EAST4",
                "trust_certificates": true, "daylight_saving_time_enabled": false,
                "config": {"host": "h", "password": "create-pw"}
            }));
        then.status(201).json_body(data(destination(2)));
    });
    let update = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/destinations/dest_2")
            .header("accept", V2)
            .json_body(json!({"time_zone_offset": "0", "networking_method": "PrivateLink", "private_link_id": "pl_1"}));
        then.status(200).json_body(data(destination(2)));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE).path("/v1/destinations/dest_2").header("accept", V2);
        then.status(200).json_body(json!({"code": "Success", "message": "Destination has been deleted"}));
    });
    let mut tested = destination(2);
    tested["setup_tests"] = json!([{"title": "Host connection", "status": "PASSED", "message": ""}]);
    let test = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/destinations/dest_2/test")
            .header("accept", V2)
            .header("content-type", "application/json")
            .json_body(json!({}));
        then.status(200).json_body(data(tested.clone()));
    });
    let (client, _) = client(&server.base_url());
    let d = client.destination("dest_0").unwrap();
    assert_eq!(d.time_zone_offset.as_deref(), Some("+1"));
    assert_eq!(d.region.as_deref(), Some("AWS_EU_WEST_1"));
    let new = NewDestination::new("g1", "snowflake", "-5")
        .region("GCP_US_EAST4")
        .trust_certificates(true)
        .daylight_saving_time_enabled(false)
        .config(json!({"host": "h", "password": "create-pw"}));
    assert!(!format!("{new:?}").contains("create-pw"));
    assert_eq!(client.create_destination(&new).unwrap().id, "dest_2");
    let changes = UpdateDestination::new()
        .time_zone_offset("0")
        .networking_method(NetworkingMethod::PrivateLink)
        .private_link_id("pl_1");
    client.update_destination("dest_2", &changes).unwrap();
    assert_eq!(client.run_destination_setup_tests("dest_2", &SetupTests::new()).unwrap().setup_tests.len(), 1);
    // Deleting orphans the group's pipelines: the confirmation must name this destination.
    for wrong in
        [Confirm::delete_destination("dest_0"), Confirm::delete_group("dest_2"), Confirm::full_resync("dest_2")]
    {
        assert_eq!(client.delete_destination("dest_2", &wrong).unwrap_err().kind(), ErrorKind::ConfirmationRequired);
    }
    delete.assert_calls(0);
    client.delete_destination("dest_2", &Confirm::delete_destination("dest_2")).unwrap();
    for m in [get, create, update, delete, test] {
        m.assert_calls(1);
    }
    let err = client.create_destination(&NewDestination::new("g1", "snowflake", "")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("time_zone_offset"), "{err}");
}

#[test]
fn secrets_in_destination_config_never_show_in_debug() {
    let d: Destination = serde_json::from_value(destination(1)).unwrap();
    let shown = format!("{d:?}");
    assert!(!shown.contains("snow-password-9") && !shown.contains("BEGIN KEY"), "{shown}");
    assert!(shown.contains("acme.snowflakecomputing.com"));
    assert_eq!(d.config.unwrap().to_value().unwrap()["password"], "snow-password-9");
}

#[test]
fn loose_and_unknown_values_decode() {
    let d: Destination = serde_json::from_value(json!({
        "id": 7, "group_id": 7, "service": "big_query", "time_zone_offset": -5, "setup_status": "Pending_Review",
        "daylight_saving_time_enabled": "true", "networking_method": "Carrier Pigeon", "setup_tests": null, "config": null
    }))
    .unwrap();
    assert_eq!(d.id, "7");
    assert_eq!(d.time_zone_offset.as_deref(), Some("-5"));
    assert_eq!(d.setup_status, Some(SetupState::Unknown("Pending_Review".into())));
    assert_eq!(d.daylight_saving_time_enabled, Some(true));
    assert_eq!(d.networking_method, Some(NetworkingMethod::Unknown("Carrier Pigeon".into())));
    assert!(!d.is_connected() && !d.is_broken());
}

#[test]
fn spec_examples_decode_into_the_destination_models() {
    let Some(_) = spec() else { return };
    let server = MockServer::start();
    let serve = |method: httpmock::Method, path: &str, op: &str| {
        let body = example_response(op).unwrap_or_else(|| panic!("no example for {op}"));
        server.mock(|when, then| {
            when.method(method).path(path);
            then.status(200).json_body(body);
        })
    };
    serve(GET, "/v1/destinations", "list_destinations");
    serve(GET, "/v1/destinations/d1", "destination_details");
    serve(POST, "/v1/destinations", "create_destination");
    serve(PATCH, "/v1/destinations/d1", "modify_destination");
    serve(DELETE, "/v1/destinations/d1", "delete_destination");
    serve(POST, "/v1/destinations/d1/test", "run_destination_setup_tests");
    let (client, _) = client(&server.base_url());
    let first = client.destinations().next().unwrap().unwrap();
    assert!(!first.id.is_empty() && first.setup_status.is_some());
    let d = client.destination("d1").unwrap();
    assert!(d.region.is_some() && d.time_zone_offset.is_some());
    client.create_destination(&NewDestination::new("g", "snowflake", "0")).unwrap();
    client.update_destination("d1", &UpdateDestination::new()).unwrap();
    assert_eq!(client.delete_destination("d1", &Confirm::delete_destination("d1")).unwrap().code, "Success");
    let tested = client.run_destination_setup_tests("d1", &SetupTests::new()).unwrap();
    assert!(!tested.setup_tests.is_empty());
}
