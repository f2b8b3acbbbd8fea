//! External secrets managers (two lists page without declared cursor parameters) and HVR hub
//! registration.

use crate::support::*;
use fivetrex::{EsmType, HvrHub, NewEsm, SecretJson};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn esm(i: usize) -> Value {
    json!({ "id": format!("esm_{i}"), "type": "AWS_SECRET_MANAGER", "name": "prod",
            "config": {"region": "us-east-1", "secret_access_key": "esm-secret-never-shown"},
            "is_hybrid_deployment": false, "created_at": "2026-05-20T00:00:00Z", "updated_at": "2026-05-20T00:00:00Z" })
}

fn entity(i: usize) -> Value {
    json!({ "id": format!("conn_{i}"), "name": "my_schema", "enabled": true, "type": "SOURCE",
            "secret_manager_id": "esm_1", "created_at": "2024-01-01T00:00:00Z" })
}

#[test]
fn esms_walk_three_pages() {
    let esms = walk_three_pages("/v1/external-secrets-managers", esm, |c| c.esms());
    assert_eq!(esms[1].kind, Some(EsmType::AwsSecretManager));
    assert!(!format!("{esms:?}").contains("esm-secret-never-shown"));
}

#[test]
fn entity_lists_follow_the_cursor_and_send_no_page_size() {
    let no_limit = |w: httpmock::When| w.query_param_missing("limit").header("accept", "application/json");
    let all =
        walk_three_pages_matching("/v1/external-secrets-managers-entities", entity, |c| c.esm_entities(), no_limit);
    assert_eq!(all[5].id, "conn_5");
    assert_eq!(all[5].kind.as_deref(), Some("SOURCE"));
    let filtered = walk_three_pages_matching(
        "/v1/external-secrets-managers-entities",
        entity,
        |c| c.esm_entities().query("esm_id", "esm_1").query("type", "source"),
        |w| no_limit(w).query_param("esm_id", "esm_1").query_param("type", "source"),
    );
    assert_eq!(filtered.len(), 6);
    let of_one = walk_three_pages_matching(
        "/v1/external-secrets-managers/esm_1/entities",
        entity,
        |c| c.esm_entities_of("esm_1"),
        no_limit,
    );
    assert_eq!(of_one[0].secret_manager_id.as_deref(), Some("esm_1"));
}

#[test]
fn esm_operations() {
    let server = MockServer::start();
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/external-secrets-managers",
            Some(
                json!({"type": "HASHICORP_VAULT", "name": "vault", "config": {"token": "t"}, "is_hybrid_deployment": true}),
            ),
            201,
            json!({"code": "Created", "data": esm(1)}),
        ),
        expect(&server, "GET", "/v1/external-secrets-managers/esm_1", None, 200, data(esm(1))),
        expect(
            &server,
            "PATCH",
            "/v1/external-secrets-managers/esm_1",
            Some(json!({"config": {"region": "eu-west-1"}})),
            200,
            data(esm(1)),
        ),
        expect(
            &server,
            "DELETE",
            "/v1/external-secrets-managers/esm_1",
            None,
            200,
            done("Resource deleted successfully"),
        ),
    ];
    let (client, _) = client(&server.base_url());
    let new = NewEsm::new(EsmType::HashicorpVault, "vault", json!({"token": "t"})).hybrid_deployment(true);
    assert_eq!(client.create_esm(&new).unwrap().id, "esm_1");
    assert_eq!(client.esm("esm_1").unwrap().name.as_deref(), Some("prod"));
    client.update_esm("esm_1", &SecretJson(json!({"region": "eu-west-1"}))).unwrap();
    client.delete_esm("esm_1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn hvr_hub_registration_hides_the_token_and_is_not_repeated() {
    let server = MockServer::start();
    let mut m = expect(
        &server,
        "POST",
        "/v1/hvr/register-hub",
        Some(json!({"hub_server_url": "https://hub.internal", "port": 4343, "fingerprint": "AB:CD"})),
        200,
        data(json!({"access_token": "hvr-token-never-shown", "registration_id": "reg_1"})),
    );
    let (client, _) = client(&server.base_url());
    let hub = HvrHub::new("https://hub.internal", 4343, "AB:CD");
    let reg = client.register_hvr_hub(&hub).unwrap();
    assert_eq!(reg.registration_id.as_deref(), Some("reg_1"));
    assert_eq!(reg.access_token.as_ref().unwrap().expose(), "hvr-token-never-shown");
    assert!(!format!("{reg:?}").contains("hvr-token-never-shown"));
    m.assert_calls(1);
    m.delete();
    let failing = server.mock(|when, then| {
        when.method(POST).path("/v1/hvr/register-hub");
        then.status(503);
    });
    client.register_hvr_hub(&hub).unwrap_err();
    failing.assert_calls(1);
}
