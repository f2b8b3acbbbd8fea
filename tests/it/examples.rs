//! The spec's example success answers decode into the models, through the real client against a
//! loopback server. Each operation is one line of [`table`]: its operationId and the call a user
//! makes, with every path parameter `x`. The server answers the spec's method and path (with `x`
//! for each parameter) with `support::example_answer(op_id)` (status and body); every failure is reported at once.

use crate::support::*;
use fivetrex::api::certificates::Owner;
use fivetrex::api::schemas::{ColumnSelection, ColumnUpdate, DatabaseSchemaUpdate, SchemaConfigUpdate, TableUpdate};
use fivetrex::webhook::EventType;
use fivetrex::{Client, List, Result, ResyncScope, SecretJson, TableSelection};
use httpmock::prelude::*;
use serde_json::json;

type Call = fn(&Client) -> Result<()>;

/// The first page of a list (the example's `next_cursor` is not followed).
fn first_page<T: serde::de::DeserializeOwned>(mut list: List<T>) -> Result<()> {
    list.next_page().expect("a first page").map(drop)
}

fn ok<T>(r: Result<T>) -> Result<()> {
    r.map(drop)
}

/// The deprecated account-wide approval still has its line: the operation is in the spec.
#[allow(deprecated)]
fn approve_certificate(c: &Client) -> Result<()> {
    ok(c.approve_certificate(&fivetrex::CertificateApproval::for_connection("x", "h", "cert")))
}

/// One line per operation: `op_id => call`.
macro_rules! calls {
    ($($id:literal => $call:expr,)*) => {
        vec![$(($id, $call as Call)),*]
    };
}

fn table() -> Vec<(&'static str, Call)> {
    calls! {
        // Groups.
        "list_all_groups" => |c| first_page(c.groups()),
        "group_details" => |c| ok(c.group("x")),
        "list_all_users_in_group" => |c| first_page(c.group_users("x")),
        "list_all_connections_in_group" => |c| first_page(c.group_connections("x")),
        "create_group" => |c| ok(c.create_group("n")),
        "modify_group" => |c| ok(c.update_group("x", &fivetrex::UpdateGroup::new().name("n"))),
        "delete_group" => |c| ok(c.delete_group("x", &fivetrex::Confirm::delete_group("x"))),
        "group_ssh_public_key" => |c| ok(c.group_public_key("x")),
        "group_service_account" => |c| ok(c.group_service_account("x")),
        "add_user_to_group" => |c| ok(c.add_user_to_group("x", "e", "r")),
        "delete_user_from_group" => |c| ok(c.remove_user_from_group("x", "x")),
        // Connections.
        "list_connections" => |c| first_page(c.connections()),
        "create_connection" => |c| ok(c.create_connection(&fivetrex::NewConnection::new("g", "s"))),
        "connection_details" => |c| ok(c.connection("x")),
        "modify_connection" => |c| ok(c.update_connection("x", &fivetrex::UpdateConnection::new())),
        "delete_connection" => |c| ok(c.delete_connection("x", &fivetrex::Confirm::delete_connection("x"))),
        "sync_connection" => |c| ok(c.sync("x")),
        "resync_connection" => |c| ok(c.resync("x", &ResyncScope::everything(fivetrex::Confirm::full_resync("x")))),
        "run_setup_tests" => |c| ok(c.run_setup_tests("x", &fivetrex::SetupTests::new())),
        "connect_card" => |c| ok(c.connect_card("x", &fivetrex::ConnectCardConfig::new("https://r"))),
        "connection_state" => |c| ok(c.connection_state("x")),
        "modify_connection_state" => |c| ok(c.update_connection_state("x", &json!({"cursor": 1}))),
        // Schema config.
        "connection_schema_config" => |c| ok(c.schema_config("x")),
        "pre_create_connection_schema_config" => |c| ok(c.create_schema_config("x", &SchemaConfigUpdate::new())),
        "modify_connection_schema_config" => |c| ok(c.update_schema_config("x", &SchemaConfigUpdate::new())),
        "delete_multiple_columns_connection_config" => |c| ok(c.drop_columns("x", &ColumnSelection::new().column("s", "t", "c"), &fivetrex::Confirm::drop_columns("x"))),
        "reload_connection_schema_config" => |c| ok(c.reload_schema_config("x", None)),
        "resync_tables" => |c| ok(c.resync_tables("x", &TableSelection::new().table("s", "t"), &fivetrex::Confirm::resync_tables("x"))),
        "modify_connection_database_schema_config" => |c| ok(c.update_schema("x", "x", &DatabaseSchemaUpdate::new())),
        "modify_connection_table_config" => |c| ok(c.update_table("x", "x", "x", &TableUpdate::new())),
        "delete_column_connection_config" => |c| ok(c.drop_column("x", "x", "x", "x", &fivetrex::Confirm::drop_columns("x"))),
        "modify_connection_column_config" => |c| ok(c.update_column("x", "x", "x", "x", &ColumnUpdate::new())),
        "connection_column_config" => |c| ok(c.table_columns("x", "x", "x")),
        // Destinations.
        "list_destinations" => |c| first_page(c.destinations()),
        "create_destination" => |c| ok(c.create_destination(&fivetrex::NewDestination::new("g", "s", "+0"))),
        "destination_details" => |c| ok(c.destination("x")),
        "modify_destination" => |c| ok(c.update_destination("x", &fivetrex::UpdateDestination::new())),
        "delete_destination" => |c| ok(c.delete_destination("x", &fivetrex::Confirm::delete_destination("x"))),
        "run_destination_setup_tests" => |c| ok(c.run_destination_setup_tests("x", &fivetrex::SetupTests::new())),
        // Certificates and fingerprints.
        "approve_certificate" => approve_certificate,
        "get_connection_certificates_list" => |c| first_page(c.approvals(Owner::Connection("x")).certificates()),
        "approve_connection_certificate" => |c| ok(c.approvals(Owner::Connection("x")).approve_certificate("h", "cert")),
        "get_connection_certificate_details" => |c| ok(c.approvals(Owner::Connection("x")).certificate("x")),
        "revoke_connection_certificate" => |c| ok(c.approvals(Owner::Connection("x")).revoke_certificate("x")),
        "get_connection_fingerprints_list" => |c| first_page(c.approvals(Owner::Connection("x")).fingerprints()),
        "approve_connection_fingerprint" => |c| ok(c.approvals(Owner::Connection("x")).approve_fingerprint("h", "key")),
        "get_connection_fingerprint_details" => |c| ok(c.approvals(Owner::Connection("x")).fingerprint("x")),
        "revoke_connection_fingerprint" => |c| ok(c.approvals(Owner::Connection("x")).revoke_fingerprint("x")),
        "get_destination_certificates_list" => |c| first_page(c.approvals(Owner::Destination("x")).certificates()),
        "approve_destination_certificate" => |c| ok(c.approvals(Owner::Destination("x")).approve_certificate("h", "cert")),
        "get_destination_certificate_details" => |c| ok(c.approvals(Owner::Destination("x")).certificate("x")),
        "revoke_destination_certificate" => |c| ok(c.approvals(Owner::Destination("x")).revoke_certificate("x")),
        "get_destination_fingerprints_list" => |c| first_page(c.approvals(Owner::Destination("x")).fingerprints()),
        "approve_destination_fingerprint" => |c| ok(c.approvals(Owner::Destination("x")).approve_fingerprint("h", "key")),
        "get_destination_fingerprint_details" => |c| ok(c.approvals(Owner::Destination("x")).fingerprint("x")),
        "revoke_destination_fingerprint" => |c| ok(c.approvals(Owner::Destination("x")).revoke_fingerprint("x")),
        // Account, users, roles.
        "get_account_info" => |c| ok(c.account_info()),
        "list_all_users" => |c| first_page(c.users()),
        "create_user" => |c| ok(c.create_user(&fivetrex::NewUser::new("e", "g", "f"))),
        "user_details" => |c| ok(c.user("x")),
        "modify_user" => |c| ok(c.update_user("x", &fivetrex::UpdateUser::new())),
        "delete_user" => |c| ok(c.delete_user("x")),
        "delete_user_membership_in_account" => |c| ok(c.delete_user_account_role("x")),
        "get_user_memberships_in_groups" => |c| first_page(c.user_group_memberships("x")),
        "get_user_membership_in_group" => |c| ok(c.user_group_membership("x", "x")),
        "add_user_membership_in_group" => |c| ok(c.add_user_group_membership("x", "g", "r")),
        "update_user_membership_in_group" => |c| ok(c.update_user_group_membership("x", "x", "r")),
        "delete_user_membership_in_group" => |c| ok(c.delete_user_group_membership("x", "x")),
        "get_user_memberships_in_connections" => |c| first_page(c.user_connection_memberships("x")),
        "get_user_membership_in_connections" => |c| ok(c.user_connection_membership("x", "x")),
        "add_user_membership_in_connection" => |c| ok(c.add_user_connection_membership("x", "c", "r")),
        "update_user_membership_in_connection" => |c| ok(c.update_user_connection_membership("x", "x", "r")),
        "delete_user_membership_in_connection" => |c| ok(c.delete_user_connection_membership("x", "x")),
        "list_all_roles" => |c| first_page(c.roles()),
        // Teams.
        "list_all_teams" => |c| first_page(c.teams()),
        "create_team" => |c| ok(c.create_team(&fivetrex::NewTeam::new())),
        "team_details" => |c| ok(c.team("x")),
        "modify_team" => |c| ok(c.update_team("x", &fivetrex::UpdateTeam::new())),
        "delete_team" => |c| ok(c.delete_team("x")),
        "delete_team_membership_in_account" => |c| ok(c.delete_team_account_role("x")),
        "list_users_in_team" => |c| first_page(c.team_users("x")),
        "get_user_in_team" => |c| ok(c.team_user("x", "x")),
        "add_user_to_team" => |c| ok(c.add_user_to_team("x", "u", None)),
        "update_user_membership" => |c| ok(c.update_team_user("x", "x", "r")),
        "delete_user_from_team" => |c| ok(c.remove_user_from_team("x", "x")),
        "get_team_memberships_in_groups" => |c| first_page(c.team_group_memberships("x")),
        "get_team_membership_in_group" => |c| ok(c.team_group_membership("x", "x")),
        "add_team_membership_in_group" => |c| ok(c.add_team_group_membership("x", "g", "r")),
        "update_team_membership_in_group" => |c| ok(c.update_team_group_membership("x", "x", "r")),
        "delete_team_membership_in_group" => |c| ok(c.delete_team_group_membership("x", "x")),
        "get_team_memberships_in_connections" => |c| first_page(c.team_connection_memberships("x")),
        "get_team_membership_in_connection" => |c| ok(c.team_connection_membership("x", "x")),
        "add_team_membership_in_connection" => |c| ok(c.add_team_connection_membership("x", "c", "r")),
        "update_team_membership_in_connection" => |c| ok(c.update_team_connection_membership("x", "x", "r")),
        "delete_team_membership_in_connection" => |c| ok(c.delete_team_connection_membership("x", "x")),
        // Webhooks.
        "list_all_webhooks" => |c| first_page(c.webhooks()),
        "create_account_webhook" => |c| ok(c.create_account_webhook(&fivetrex::NewWebhook::new("u", []))),
        "create_group_webhook" => |c| ok(c.create_group_webhook("x", &fivetrex::NewWebhook::new("u", []))),
        "webhook_details" => |c| ok(c.webhook("x")),
        "modify_webhook" => |c| ok(c.update_webhook("x", &fivetrex::UpdateWebhook::new())),
        "delete_webhook" => |c| ok(c.delete_webhook("x")),
        "test_webhook" => |c| ok(c.test_webhook("x", &EventType::SyncEnd)),
        // Connector metadata and SDK packages.
        "metadata_connectors" => |c| first_page(c.connector_types()),
        "metadata_connector_config" => |c| ok(c.connector_type("x")),
        "metadata_public_connectors" => |c| ok(c.public_connector_types()),
        "list_connector_sdk_packages" => |c| first_page(c.connector_sdk_packages()),
        "create_connector_sdk_package" => |c| ok(c.create_connector_sdk_package("code.zip", b"zip")),
        "get_connector_sdk_package" => |c| ok(c.connector_sdk_package("x")),
        "update_connector_sdk_package" => |c| ok(c.update_connector_sdk_package("x", "code.zip", b"zip")),
        "delete_connector_sdk_package" => |c| ok(c.delete_connector_sdk_package("x")),
        "download_connector_sdk_package" => |c| ok(c.download_connector_sdk_package("x")),
        // Private links, proxy agents, hybrid deployment agents.
        "get_private_links" => |c| first_page(c.private_links()),
        "create_private_link" => |c| ok(c.create_private_link(&fivetrex::NewPrivateLink::new("n", "r", "s", json!({})))),
        "get_private_link_details" => |c| ok(c.private_link("x")),
        "modify_private_link" => |c| ok(c.update_private_link("x", &SecretJson(json!({})))),
        "delete_private_link" => |c| ok(c.delete_private_link("x")),
        "get_proxy_agent" => |c| first_page(c.proxy_agents()),
        "create_proxy_agent" => |c| ok(c.create_proxy_agent("n", "r")),
        "get_proxy_agent_details" => |c| ok(c.proxy_agent("x")),
        "delete_proxy_agent" => |c| ok(c.delete_proxy_agent("x")),
        "get_proxy_agent_connections" => |c| first_page(c.proxy_agent_connections("x")),
        "regenerate_secrets_proxy_agent" => |c| ok(c.regenerate_proxy_agent_secrets("x")),
        "get_hybrid_deployment_agent_list" => |c| first_page(c.hybrid_deployment_agents()),
        "create_hybrid_deployment_agent" => |c| {
            ok(c.create_hybrid_deployment_agent(&fivetrex::NewHybridDeploymentAgent::new("g", "n", "DOCKER")))
        },
        "get_hybrid_deployment_agent" => |c| ok(c.hybrid_deployment_agent("x")),
        "delete_hybrid_deployment_agent" => |c| ok(c.delete_hybrid_deployment_agent("x")),
        "re_auth_hybrid_deployment_agent" => |c| ok(c.reauth_hybrid_deployment_agent("x", None)),
        "reset_hybrid_deployment_agent_credentials" => |c| ok(c.reset_hybrid_deployment_agent_credentials("x")),
        // Transformations.
        "list_all_transformation_projects" => |c| first_page(c.transformation_projects()),
        "create_transformation_project" => |c| {
            ok(c.create_transformation_project(&fivetrex::NewTransformationProject::dbt_core("g", json!({}))))
        },
        "transformation_project_details" => |c| ok(c.transformation_project("x")),
        "modify_transformation_project" => |c| {
            ok(c.update_transformation_project("x", &fivetrex::UpdateTransformationProject::new()))
        },
        "test_transformation_project" => |c| ok(c.test_transformation_project("x")),
        "delete_transformation_project" => |c| ok(c.delete_transformation_project("x")),
        "transformations_list" => |c| first_page(c.transformations()),
        "create_transformation" => |c| ok(c.create_transformation(&fivetrex::NewTransformation::new("DBT_CORE", json!({})))),
        "transformation_details" => |c| ok(c.transformation("x")),
        "update_transformation" => |c| ok(c.update_transformation("x", &fivetrex::UpdateTransformation::new())),
        "delete_transformation" => |c| ok(c.delete_transformation("x")),
        "run_transformation" => |c| ok(c.run_transformation("x", false)),
        "cancel_transformation" => |c| ok(c.cancel_transformation("x")),
        "upgrade_transformation_package" => |c| ok(c.upgrade_transformation_package("x")),
        "transformation_package_metadata_list" => |c| first_page(c.transformation_packages()),
        "transformation_package_metadata_details" => |c| ok(c.transformation_package("x")),
        // System keys.
        "get_system_keys" => |c| first_page(c.system_keys()),
        "create_system_key" => |c| ok(c.create_system_key(&fivetrex::NewSystemKey::new("n", []))),
        "get_system_key_details" => |c| ok(c.system_key("x")),
        "update_system_key" => |c| ok(c.update_system_key("x", &fivetrex::UpdateSystemKey::new())),
        "rotate_system_key" => |c| ok(c.rotate_system_key("x", None)),
        "delete_system_key" => |c| ok(c.delete_system_key("x")),
        // Log services.
        "list_log_services" => |c| first_page(c.log_services()),
        "add_log_service" => |c| ok(c.add_log_service(&fivetrex::NewLogService::new("s", json!({})).group("g"))),
        "get_log_service_details" => |c| ok(c.log_service("x")),
        "update_log_service" => |c| ok(c.update_log_service("x", &fivetrex::UpdateLogService::new())),
        "delete_log_service" => |c| ok(c.delete_log_service("x")),
        "run_setup_tests_log_service" => |c| ok(c.test_log_service("x")),
        "get_account_log_service_details" => |c| ok(c.account_log_service()),
        "add_account_log_service" => |c| ok(c.add_account_log_service(&fivetrex::NewLogService::new("s", json!({})))),
        "update_account_log_service" => |c| ok(c.update_account_log_service(&fivetrex::UpdateLogService::new())),
        "delete_account_log_service" => |c| ok(c.delete_account_log_service()),
        "run_setup_tests_account_log_service" => |c| ok(c.test_account_log_service()),
        // External secrets managers, HVR.
        "list_esms" => |c| first_page(c.esms()),
        "create_esm" => |c| ok(c.create_esm(&fivetrex::NewEsm::new(fivetrex::EsmType::HashicorpVault, "n", json!({})))),
        "get_esm_details" => |c| ok(c.esm("x")),
        "modify_esm" => |c| ok(c.update_esm("x", &SecretJson(json!({})))),
        "delete_esm" => |c| ok(c.delete_esm("x")),
        "list_esm_entities" => |c| first_page(c.esm_entities()),
        "get_esm_entities" => |c| first_page(c.esm_entities_of("x")),
        "hvr_register_hub" => |c| ok(c.register_hvr_hub(&fivetrex::HvrHub::default())),
    }
}

#[test]
fn spec_example_answers_decode_into_the_models() {
    let Some(_) = spec() else { return };
    let table = table();
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    let mut failures = Vec::new();
    for (id, call) in &table {
        let Some((method, path, _)) = spec_operation(id) else {
            failures.push(format!("{id}: not in the spec"));
            continue;
        };
        let Some((status, answer)) = example_answer(id) else {
            failures.push(format!("{id}: the spec has no JSON example answer"));
            continue;
        };
        let concrete: String =
            path.split('/').map(|seg| if seg.starts_with('{') { "x" } else { seg }).collect::<Vec<_>>().join("/");
        let mut mock = server.mock(|when, then| {
            when.method(method.as_str()).path(concrete.as_str());
            then.status(status).json_body(answer.clone());
        });
        match call(&client) {
            Ok(()) if mock.calls() >= 1 => {}
            Ok(()) => failures.push(format!("{id}: the call did not reach {method} {concrete}")),
            Err(e) => failures.push(format!("{id}: {e}")),
        }
        mock.delete();
    }
    let listed: Vec<&str> = table.iter().map(|(id, _)| *id).collect();
    for op in fivetrex::api::operations() {
        if !listed.contains(&op.id) {
            failures.push(format!("{}: no line in the example table", op.id));
        }
    }
    let untested: Vec<&str> = fivetrex::api::operations().map(|op| op.id).filter(|id| !listed.contains(id)).collect();
    println!(
        "spec examples decoded: {}/{} listed operations; described but not listed: {}",
        table.len() - failures.len().min(table.len()),
        table.len(),
        untested.join(", ")
    );
    assert!(failures.is_empty(), "{} example(s) failed:\n  {}", failures.len(), failures.join("\n  "));
}
