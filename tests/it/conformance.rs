//! Conformance with the official OpenAPI definition: every operation of the spec is described by
//! the library (`fivetrex::api::operations()`) with the same method, path template, `Accept`
//! header, paging and success status, and the library describes nothing the spec lacks.

use crate::support::*;
use fivetrex::endpoint::{Operation, Paging};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn describe(op: &Operation) -> String {
    format!("{} {} accept={:?} paging={:?} success={}", op.method, op.path, op.accept, op.paging, op.success)
}

#[test]
fn every_spec_operation_is_described_exactly() {
    let Some(spec_ops) = spec_ops() else { return };
    let mut library: BTreeMap<&str, &Operation> = BTreeMap::new();
    let mut problems = Vec::new();
    for op in fivetrex::api::operations() {
        if library.insert(op.id, op).is_some() {
            problems.push(format!("{}: described twice", op.id));
        }
        if !spec_ops.contains_key(op.id) {
            problems.push(format!("{}: not in the spec ({})", op.id, describe(op)));
        }
    }
    let mut covered = 0;
    let mut missing = Vec::new();
    for (id, s) in spec_ops {
        let Some(op) = library.get(id.as_str()) else {
            missing.push(format!("{id}: missing ({} {})", s.method, s.path));
            continue;
        };
        let diffs = spec_differences(op, s);
        if diffs.is_empty() {
            covered += 1;
        } else {
            problems.push(format!("{id}: {}", diffs.join("; ")));
        }
    }
    println!("spec operations covered: {covered}/{}", spec_ops.len());
    problems.extend(missing);
    assert!(problems.is_empty(), "{} problem(s) against the spec:\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn undeclared_paging_is_exactly_the_two_secrets_manager_entity_lists() {
    let Some(spec_ops) = spec_ops() else { return };
    let undeclared: Vec<&String> =
        spec_ops.iter().filter(|(_, s)| s.paging == Paging::CursorUndeclared).map(|(id, _)| id).collect();
    assert_eq!(undeclared, ["get_esm_entities", "list_esm_entities"]);
    let declared = spec_ops.values().filter(|s| s.paging == Paging::Cursor).count();
    assert_eq!(declared, 30, "API-NOTES: 30 list operations take cursor/limit");
}

/// One request of the emulator walk: operationId, path (with `{name}` for ids made earlier in
/// the walk), JSON body.
#[cfg(feature = "emulator")]
type Step = (&'static str, &'static str, Option<Value>);

/// `Basic base64(key:secret)`.
#[cfg(feature = "emulator")]
pub fn basic(key: &str, secret: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let raw = format!("{key}:{secret}");
    let mut out = String::new();
    for c in raw.as_bytes().chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= c.len() { T[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    format!("Basic {out}")
}

/// Sends one request to the emulator with the emulator's credentials: (status, JSON body).
#[cfg(feature = "emulator")]
pub fn call(
    emu: &fivetrex::emulator::Emulator,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    content_type: &str,
) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let url = format!("{}{path}", emu.base_url());
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(&url)
        .header("Authorization", basic(emu.key(), emu.secret()))
        .header("Accept", "application/json")
        .header("Content-Type", content_type)
        .body(body.map(<[u8]>::to_vec).unwrap_or_default())
        .unwrap();
    let mut response = agent.run(request).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[cfg(feature = "emulator")]
#[test]
fn every_spec_operation_has_an_emulator_route_answering_its_success_status() {
    use serde_json::json;
    let Some(spec_ops) = spec_ops() else { return };
    let emu = fivetrex::emulator::Emulator::builder().seed(2, 3).start().unwrap();
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let (_, groups) = call(&emu, "GET", "/v1/groups", None, "application/json");
    ids.insert("g", groups["data"]["items"][0]["id"].as_str().unwrap().to_owned());
    let g = ids["g"].clone();
    let (_, conns) = call(&emu, "GET", &format!("/v1/groups/{g}/connections"), None, "application/json");
    for (i, key) in ["c0", "c1", "c2"].into_iter().enumerate() {
        ids.insert(key, conns["data"]["items"][i]["id"].as_str().unwrap().to_owned());
    }
    let (_, users) = call(&emu, "GET", "/v1/users", None, "application/json");
    ids.insert("u", users["data"]["items"][1]["id"].as_str().unwrap().to_owned());
    let email = users["data"]["items"][1]["email"].as_str().unwrap().to_owned();
    let url = "http://127.0.0.1:9/hook";
    let steps: Vec<Step> = vec![
        ("metadata_public_connectors", "/public/connector-types", None),
        ("get_account_info", "/v1/account/info", None),
        ("list_all_roles", "/v1/roles", None),
        ("metadata_connectors", "/v1/metadata/connector-types", None),
        ("metadata_connector_config", "/v1/metadata/connector-types/mysql", None),
        ("transformation_package_metadata_list", "/v1/transformations/package-metadata", None),
        ("transformation_package_metadata_details", "/v1/transformations/package-metadata/dbt_fivetran_log", None),
        ("hvr_register_hub", "/v1/hvr/register-hub", Some(json!({"hub_server_url": "https://hub.example"}))),
        // groups
        ("list_all_groups", "/v1/groups", None),
        ("create_group", "/v1/groups", Some(json!({"name": "conformance"}))),
        ("group_details", "/v1/groups/{g2}", None),
        ("modify_group", "/v1/groups/{g2}", Some(json!({"name": "conformance_2"}))),
        ("list_all_connections_in_group", "/v1/groups/{g}/connections", None),
        ("group_ssh_public_key", "/v1/groups/{g}/public-key", None),
        ("group_service_account", "/v1/groups/{g}/service-account", None),
        ("list_all_users_in_group", "/v1/groups/{g}/users", None),
        ("add_user_to_group", "/v1/groups/{g2}/users", Some(json!({"email": email, "role": "Destination Reviewer"}))),
        ("delete_user_from_group", "/v1/groups/{g2}/users/{u}", None),
        // users and their memberships
        ("list_all_users", "/v1/users", None),
        (
            "create_user",
            "/v1/users",
            Some(json!({"email": "conf@example.com", "given_name": "Con", "family_name": "Formance"})),
        ),
        ("user_details", "/v1/users/{u2}", None),
        ("modify_user", "/v1/users/{u2}", Some(json!({"phone": "+15550100"}))),
        (
            "add_user_membership_in_group",
            "/v1/users/{u2}/groups",
            Some(json!({"id": "{g}", "role": "Destination Analyst"})),
        ),
        ("get_user_memberships_in_groups", "/v1/users/{u2}/groups", None),
        ("get_user_membership_in_group", "/v1/users/{u2}/groups/{g}", None),
        ("update_user_membership_in_group", "/v1/users/{u2}/groups/{g}", Some(json!({"role": "Destination Reviewer"}))),
        ("delete_user_membership_in_group", "/v1/users/{u2}/groups/{g}", None),
        (
            "add_user_membership_in_connection",
            "/v1/users/{u2}/connections",
            Some(json!({"id": "{c0}", "role": "Connector Reviewer"})),
        ),
        ("get_user_memberships_in_connections", "/v1/users/{u2}/connections", None),
        ("get_user_membership_in_connections", "/v1/users/{u2}/connections/{c0}", None),
        (
            "update_user_membership_in_connection",
            "/v1/users/{u2}/connections/{c0}",
            Some(json!({"role": "Connector Administrator"})),
        ),
        ("delete_user_membership_in_connection", "/v1/users/{u2}/connections/{c0}", None),
        ("delete_user_membership_in_account", "/v1/users/{u2}/role", None),
        // connections
        ("list_connections", "/v1/connections", None),
        (
            "create_connection",
            "/v1/connections",
            Some(json!({"group_id": "{g2}", "service": "mysql", "config": {"schema_prefix": "conf"}})),
        ),
        ("connection_details", "/v1/connections/{c}", None),
        ("modify_connection", "/v1/connections/{c}", Some(json!({"sync_frequency": 60}))),
        (
            "connect_card",
            "/v1/connections/{c}/connect-card",
            Some(json!({"connect_card_config": {"redirect_uri": "https://example.com"}})),
        ),
        ("connection_state", "/v1/connections/{c}/state", None),
        ("modify_connection_state", "/v1/connections/{c}/state", Some(json!({"state": {"cursor": 42}}))),
        ("run_setup_tests", "/v1/connections/{c}/test", Some(json!({}))),
        ("connection_schema_config", "/v1/connections/{c}/schemas", None),
        (
            "pre_create_connection_schema_config",
            "/v1/connections/{c}/schemas",
            Some(json!({"schemas": {"conf": {"enabled": true}}})),
        ),
        (
            "modify_connection_schema_config",
            "/v1/connections/{c}/schemas",
            Some(json!({"schema_change_handling": "ALLOW_COLUMNS"})),
        ),
        (
            "modify_connection_database_schema_config",
            "/v1/connections/{c}/schemas/conf",
            Some(json!({"enabled": true})),
        ),
        (
            "modify_connection_table_config",
            "/v1/connections/{c}/schemas/conf/tables/orders",
            Some(json!({"enabled": true})),
        ),
        (
            "modify_connection_column_config",
            "/v1/connections/{c}/schemas/conf/tables/orders/columns/payload",
            Some(json!({"enabled": false})),
        ),
        ("connection_column_config", "/v1/connections/{c}/schemas/conf/tables/orders/columns", None),
        ("delete_column_connection_config", "/v1/connections/{c}/schemas/conf/tables/orders/columns/payload", None),
        (
            "delete_multiple_columns_connection_config",
            "/v1/connections/{c}/schemas/drop-columns",
            Some(json!({"schemas": {"conf": {"tables": {"orders": {"columns": {"created_at": {}}}}}}})),
        ),
        (
            "reload_connection_schema_config",
            "/v1/connections/{c}/schemas/reload",
            Some(json!({"exclude_mode": "PRESERVE"})),
        ),
        (
            "approve_connection_certificate",
            "/v1/connections/{c}/certificates",
            Some(json!({"hash": "h1", "encoded_cert": "Y2VydA=="})),
        ),
        ("get_connection_certificates_list", "/v1/connections/{c}/certificates", None),
        ("get_connection_certificate_details", "/v1/connections/{c}/certificates/h1", None),
        ("revoke_connection_certificate", "/v1/connections/{c}/certificates/h1", None),
        (
            "approve_connection_fingerprint",
            "/v1/connections/{c}/fingerprints",
            Some(json!({"hash": "f1", "public_key": "ssh-rsa AAAA"})),
        ),
        ("get_connection_fingerprints_list", "/v1/connections/{c}/fingerprints", None),
        ("get_connection_fingerprint_details", "/v1/connections/{c}/fingerprints/f1", None),
        ("revoke_connection_fingerprint", "/v1/connections/{c}/fingerprints/f1", None),
        (
            "approve_certificate",
            "/v1/certificates",
            Some(json!({"connection_id": "{c}", "hash": "h2", "encoded_cert": "Y2VydA=="})),
        ),
        ("resync_tables", "/v1/connections/{c}/schemas/tables/resync", Some(json!({"schema": {"conf": ["orders"]}}))),
        ("sync_connection", "/v1/connections/{c0}/sync", Some(json!({}))),
        ("resync_connection", "/v1/connections/{c1}/resync", Some(json!({}))),
        // destinations
        ("list_destinations", "/v1/destinations", None),
        (
            "create_destination",
            "/v1/destinations",
            Some(json!({"group_id": "{g2}", "service": "snowflake", "time_zone_offset": "0", "config": {"host": "h"}})),
        ),
        ("destination_details", "/v1/destinations/{g2}", None),
        ("modify_destination", "/v1/destinations/{g2}", Some(json!({"time_zone_offset": "+1"}))),
        ("run_destination_setup_tests", "/v1/destinations/{g2}/test", Some(json!({}))),
        (
            "approve_destination_certificate",
            "/v1/destinations/{g2}/certificates",
            Some(json!({"hash": "h3", "encoded_cert": "Y2VydA=="})),
        ),
        ("get_destination_certificates_list", "/v1/destinations/{g2}/certificates", None),
        ("get_destination_certificate_details", "/v1/destinations/{g2}/certificates/h3", None),
        ("revoke_destination_certificate", "/v1/destinations/{g2}/certificates/h3", None),
        (
            "approve_destination_fingerprint",
            "/v1/destinations/{g2}/fingerprints",
            Some(json!({"hash": "f3", "public_key": "ssh-rsa B"})),
        ),
        ("get_destination_fingerprints_list", "/v1/destinations/{g2}/fingerprints", None),
        ("get_destination_fingerprint_details", "/v1/destinations/{g2}/fingerprints/f3", None),
        ("revoke_destination_fingerprint", "/v1/destinations/{g2}/fingerprints/f3", None),
        // teams
        (
            "create_team",
            "/v1/teams",
            Some(json!({"name": "Data", "description": "The data team", "role": "Account Reviewer"})),
        ),
        ("list_all_teams", "/v1/teams", None),
        ("team_details", "/v1/teams/{t}", None),
        ("modify_team", "/v1/teams/{t}", Some(json!({"description": "Still the data team"}))),
        ("add_user_to_team", "/v1/teams/{t}/users", Some(json!({"user_id": "{u}", "role": "Team Member"}))),
        ("list_users_in_team", "/v1/teams/{t}/users", None),
        ("get_user_in_team", "/v1/teams/{t}/users/{u}", None),
        ("update_user_membership", "/v1/teams/{t}/users/{u}", Some(json!({"role": "Team Manager"}))),
        ("delete_user_from_team", "/v1/teams/{t}/users/{u}", None),
        (
            "add_team_membership_in_group",
            "/v1/teams/{t}/groups",
            Some(json!({"id": "{g}", "role": "Destination Analyst"})),
        ),
        ("get_team_memberships_in_groups", "/v1/teams/{t}/groups", None),
        ("get_team_membership_in_group", "/v1/teams/{t}/groups/{g}", None),
        ("update_team_membership_in_group", "/v1/teams/{t}/groups/{g}", Some(json!({"role": "Destination Reviewer"}))),
        ("delete_team_membership_in_group", "/v1/teams/{t}/groups/{g}", None),
        (
            "add_team_membership_in_connection",
            "/v1/teams/{t}/connections",
            Some(json!({"id": "{c0}", "role": "Connector Reviewer"})),
        ),
        ("get_team_memberships_in_connections", "/v1/teams/{t}/connections", None),
        ("get_team_membership_in_connection", "/v1/teams/{t}/connections/{c0}", None),
        (
            "update_team_membership_in_connection",
            "/v1/teams/{t}/connections/{c0}",
            Some(json!({"role": "Connector Administrator"})),
        ),
        ("delete_team_membership_in_connection", "/v1/teams/{t}/connections/{c0}", None),
        ("delete_team_membership_in_account", "/v1/teams/{t}/role", None),
        ("delete_team", "/v1/teams/{t}", None),
        // webhooks
        (
            "create_account_webhook",
            "/v1/webhooks/account",
            Some(json!({"url": url, "events": ["sync_end"], "secret": "s"})),
        ),
        ("create_group_webhook", "/v1/webhooks/group/{g}", Some(json!({"url": url, "events": ["sync_start"]}))),
        ("list_all_webhooks", "/v1/webhooks", None),
        ("webhook_details", "/v1/webhooks/{w}", None),
        ("modify_webhook", "/v1/webhooks/{w}", Some(json!({"active": false}))),
        ("test_webhook", "/v1/webhooks/{w}/test", Some(json!({"event": "sync_end"}))),
        ("delete_webhook", "/v1/webhooks/{w}", None),
        // external logging
        (
            "add_log_service",
            "/v1/external-logging",
            Some(
                json!({"group_id": "{g}", "service": "azure_monitor_log", "enabled": true, "config": {"workspace_id": "w"}}),
            ),
        ),
        ("list_log_services", "/v1/external-logging", None),
        ("get_log_service_details", "/v1/external-logging/{g}", None),
        ("update_log_service", "/v1/external-logging/{g}", Some(json!({"enabled": false}))),
        ("run_setup_tests_log_service", "/v1/external-logging/{g}/test", Some(json!({}))),
        ("delete_log_service", "/v1/external-logging/{g}", None),
        (
            "add_account_log_service",
            "/v1/external-logging/account",
            Some(json!({"service": "datadog_log", "config": {"api_key": "k"}})),
        ),
        ("get_account_log_service_details", "/v1/external-logging/account", None),
        ("update_account_log_service", "/v1/external-logging/account", Some(json!({"enabled": false}))),
        ("run_setup_tests_account_log_service", "/v1/external-logging/account/test", Some(json!({}))),
        ("delete_account_log_service", "/v1/external-logging/account", None),
        // external secrets managers
        (
            "create_esm",
            "/v1/external-secrets-managers",
            Some(json!({"name": "vault", "type": "AWS", "config": {"region": "us-east-1"}})),
        ),
        ("list_esms", "/v1/external-secrets-managers", None),
        ("get_esm_details", "/v1/external-secrets-managers/{e}", None),
        ("modify_esm", "/v1/external-secrets-managers/{e}", Some(json!({"config": {"region": "eu-west-1"}}))),
        ("list_esm_entities", "/v1/external-secrets-managers-entities", None),
        ("get_esm_entities", "/v1/external-secrets-managers/{e}/entities", None),
        ("delete_esm", "/v1/external-secrets-managers/{e}", None),
        // hybrid deployment agents
        (
            "create_hybrid_deployment_agent",
            "/v1/hybrid-deployment-agents",
            Some(json!({"display_name": "agent", "env_type": "DOCKER", "accept_terms": true, "group_id": "{g}"})),
        ),
        ("get_hybrid_deployment_agent_list", "/v1/hybrid-deployment-agents", None),
        ("get_hybrid_deployment_agent", "/v1/hybrid-deployment-agents/{a}", None),
        ("re_auth_hybrid_deployment_agent", "/v1/hybrid-deployment-agents/{a}/re-auth", Some(json!({}))),
        (
            "reset_hybrid_deployment_agent_credentials",
            "/v1/hybrid-deployment-agents/{a}/reset-credentials",
            Some(json!({})),
        ),
        ("delete_hybrid_deployment_agent", "/v1/hybrid-deployment-agents/{a}", None),
        // private links
        (
            "create_private_link",
            "/v1/private-links",
            Some(
                json!({"name": "pl", "region": "AWS_US_EAST_1", "service": "SOURCE_AWS", "config": {"connection_service_name": "x"}}),
            ),
        ),
        ("get_private_links", "/v1/private-links", None),
        ("get_private_link_details", "/v1/private-links/{p}", None),
        ("modify_private_link", "/v1/private-links/{p}", Some(json!({"config": {"connection_service_name": "y"}}))),
        ("delete_private_link", "/v1/private-links/{p}", None),
        // proxy agents
        ("create_proxy_agent", "/v1/proxy", Some(json!({"display_name": "proxy", "group_region": "GCP_US_EAST4"}))),
        ("get_proxy_agent", "/v1/proxy", None),
        ("get_proxy_agent_details", "/v1/proxy/{x}", None),
        ("get_proxy_agent_connections", "/v1/proxy/{x}/connections", None),
        ("regenerate_secrets_proxy_agent", "/v1/proxy/{x}/regenerate-secrets", Some(json!({}))),
        ("delete_proxy_agent", "/v1/proxy/{x}", None),
        // system keys
        ("create_system_key", "/v1/system-keys", Some(json!({"name": "ci", "permissions": []}))),
        ("get_system_keys", "/v1/system-keys", None),
        ("get_system_key_details", "/v1/system-keys/{k}", None),
        ("update_system_key", "/v1/system-keys/{k}", Some(json!({"name": "ci-2"}))),
        ("rotate_system_key", "/v1/system-keys/{k}/rotate", Some(json!({}))),
        ("delete_system_key", "/v1/system-keys/{k}", None),
        // transformation projects and transformations
        (
            "create_transformation_project",
            "/v1/transformation-projects",
            Some(json!({"group_id": "{g}", "type": "DBT_GIT", "run_tests": true})),
        ),
        ("list_all_transformation_projects", "/v1/transformation-projects", None),
        ("transformation_project_details", "/v1/transformation-projects/{tp}", None),
        ("modify_transformation_project", "/v1/transformation-projects/{tp}", Some(json!({"run_tests": false}))),
        ("test_transformation_project", "/v1/transformation-projects/{tp}/test", Some(json!({}))),
        ("delete_transformation_project", "/v1/transformation-projects/{tp}", None),
        ("create_transformation", "/v1/transformations", Some(json!({"type": "DBT_CORE", "paused": true}))),
        ("transformations_list", "/v1/transformations", None),
        ("transformation_details", "/v1/transformations/{tr}", None),
        ("update_transformation", "/v1/transformations/{tr}", Some(json!({"paused": false}))),
        ("run_transformation", "/v1/transformations/{tr}/run", Some(json!({"full_refresh": false}))),
        ("cancel_transformation", "/v1/transformations/{tr}/cancel", Some(json!({}))),
        ("upgrade_transformation_package", "/v1/transformations/{tr}/upgrade", Some(json!({}))),
        ("delete_transformation", "/v1/transformations/{tr}", None),
        // connector SDK packages (multipart bodies, sent below)
        ("create_connector_sdk_package", "/v1/connector-sdk/packages", None),
        ("list_connector_sdk_packages", "/v1/connector-sdk/packages", None),
        ("get_connector_sdk_package", "/v1/connector-sdk/packages/{s}", None),
        ("update_connector_sdk_package", "/v1/connector-sdk/packages/{s}", None),
        ("download_connector_sdk_package", "/v1/connector-sdk/packages/{s}/download", None),
        ("delete_connector_sdk_package", "/v1/connector-sdk/packages/{s}", None),
        // last: what the walk used
        ("delete_destination", "/v1/destinations/{g2}", None),
        ("delete_connection", "/v1/connections/{c}", None),
        ("delete_user", "/v1/users/{u2}", None),
        ("delete_group", "/v1/groups/{g2}", None),
    ];
    // Where each create leaves the id of what it made.
    let made: BTreeMap<&str, (&str, &str)> = [
        ("create_group", ("g2", "id")),
        ("create_user", ("u2", "id")),
        ("create_connection", ("c", "id")),
        ("create_team", ("t", "id")),
        ("create_account_webhook", ("w", "id")),
        ("create_esm", ("e", "id")),
        ("create_hybrid_deployment_agent", ("a", "id")),
        ("create_private_link", ("p", "id")),
        ("create_proxy_agent", ("x", "agent_id")),
        ("create_system_key", ("k", "id")),
        ("create_transformation_project", ("tp", "id")),
        ("create_transformation", ("tr", "id")),
        ("create_connector_sdk_package", ("s", "id")),
    ]
    .into_iter()
    .collect();
    let fill = |text: &str, ids: &BTreeMap<&str, String>| {
        let mut out = text.to_owned();
        for (k, v) in ids {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    };
    let mut problems = Vec::new();
    let mut answered = BTreeSet::new();
    for (id, path, body) in &steps {
        let s = spec_ops.get(*id).unwrap_or_else(|| panic!("{id} is not in the spec"));
        let path = fill(path, &ids);
        let multipart = id.contains("connector_sdk_package") && s.method != "GET" && s.method != "DELETE";
        let (status, answer) = if multipart {
            let body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.zip\"\r\n\r\nPK\x03\x04\r\n--b--\r\n";
            call(&emu, &s.method, &path, Some(body), "multipart/form-data; boundary=b")
        } else {
            let body = body.as_ref().map(|b| fill(&b.to_string(), &ids).into_bytes());
            call(&emu, &s.method, &path, body.as_deref(), "application/json")
        };
        if s.success.contains(&status) {
            answered.insert(*id);
        } else {
            problems
                .push(format!("{id}: {} {path} answered {status}, the spec says {:?}: {answer}", s.method, s.success));
        }
        if let Some((key, field)) = made.get(id) {
            if let Some(v) = answer["data"][*field].as_str() {
                ids.insert(key, v.to_owned());
            }
        }
    }
    let unvisited: Vec<&String> = spec_ops.keys().filter(|id| !steps.iter().any(|(s, _, _)| s == id)).collect();
    println!("emulator operations answered with the spec's success status: {}/{}", answered.len(), spec_ops.len());
    assert!(unvisited.is_empty(), "operations the walk does not visit: {unvisited:?}");
    assert!(problems.is_empty(), "{} problem(s):\n  {}", problems.len(), problems.join("\n  "));
}
