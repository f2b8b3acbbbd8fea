//! Private links, proxy agents and hybrid deployment agents: every operation with its exact
//! request; the secrets they hand out never appear in `Debug`.

use crate::support::*;
use fivetrex::{NewHybridDeploymentAgent, NewPrivateLink, PrivateLinkState, ProxyAgentStatus, SecretJson};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn link(i: usize) -> Value {
    json!({ "id": format!("pl_{i}"), "name": format!("link {i}"), "region": "AWS_US_EAST_1",
            "service": "SNOWFLAKE_AWS", "state": if i == 0 { "CREATING" } else { "OK" }, "state_summary": "...",
            "cloud_provider": "AWS", "created_at": "2023-12-01T15:43:29.013729Z", "created_by": "user_1",
            "config": { "private_link_service_name": "svc", "aws_account_password": "not-for-logs" } })
}

fn proxy(i: usize) -> Value {
    json!({ "id": format!("proxy_{i}"), "account_id": "acc", "registered_at": "2018-12-01T15:43:29.013729Z",
            "region": "GCP_US_EAST4", "created_by": "u", "display_name": "p", "version": "1.0.0",
            "status": if i == 1 { "SOMETHING_NEW" } else { "CONNECTED" }, "connector_count": 3, "destination_count": 1 })
}

fn agent(i: usize) -> Value {
    json!({ "id": format!("agent_{i}"), "version": "v", "enabled": true, "online": i % 2 == 0,
            "usage": [{"schema": "s", "service": "postgres", "connection_id": "c1"}],
            "display_name": "on-prem", "group_id": "g1", "registered_at": "2024-12-01T15:43:29.013729Z",
            "created_by": "u", "deployment_type": "DOCKER", "updated_at": "2024-12-01T15:43:29.013729Z",
            "last_used_at": null })
}

const AGENT_TOKEN: &str = "agent-token-never-logged";
const AUTH_JSON: &str = "YXV0aC1qc29uLXNlY3JldA==";
const PROXY_TOKEN: &str = "proxy-token-never-logged";
const PROXY_KEY: &str = "-----BEGIN PRIVATE KEY----- proxy-key";

#[test]
fn private_links_walk_three_pages_with_configs_masked() {
    let links = walk_three_pages("/v1/private-links", link, |c| c.private_links());
    assert_eq!(links[0].state, Some(PrivateLinkState::Creating));
    assert_eq!(links[1].state, Some(PrivateLinkState::Ok));
    assert!(!format!("{links:?}").contains("not-for-logs"));
    assert_eq!(links[1].config.as_ref().unwrap().to_value().unwrap()["aws_account_password"], "not-for-logs");
}

#[test]
fn private_link_crud() {
    let server = MockServer::start();
    let config = json!({"private_link_service_name": "com.amazonaws.vpce.svc-1"});
    let mocks = [
        expect(&server, "GET", "/v1/private-links/pl_1", None, 200, data(link(1))),
        expect(
            &server,
            "POST",
            "/v1/private-links",
            Some(json!({"name": "l", "region": "AWS_US_EAST_1", "service": "SNOWFLAKE_AWS", "config": config})),
            201,
            data(link(0)),
        ),
        expect(&server, "PATCH", "/v1/private-links/pl_1", Some(json!({"config": {"a": 1}})), 200, data(link(1))),
        expect(&server, "DELETE", "/v1/private-links/pl_1", None, 200, done("marked for deletion")),
    ];
    let (client, _) = client(&server.base_url());
    assert_eq!(client.private_link("pl_1").unwrap().name, "link 1");
    let created =
        client.create_private_link(&NewPrivateLink::new("l", "AWS_US_EAST_1", "SNOWFLAKE_AWS", config)).unwrap();
    assert_eq!(created.state, Some(PrivateLinkState::Creating));
    client.update_private_link("pl_1", &SecretJson(json!({"a": 1}))).unwrap();
    client.delete_private_link("pl_1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn proxy_agents_walk_three_pages_and_keep_unknown_statuses() {
    let agents = walk_three_pages("/v1/proxy", proxy, |c| c.proxy_agents());
    assert_eq!(agents[0].status, Some(ProxyAgentStatus::Connected));
    assert_eq!(agents[1].status, Some(ProxyAgentStatus::Unknown("SOMETHING_NEW".into())));
    assert_eq!(agents[2].connector_count, Some(3));
    let conns = walk_three_pages(
        "/v1/proxy/proxy_1/connections",
        |i| json!({"connection_id": format!("c{i}")}),
        |c| c.proxy_agent_connections("proxy_1"),
    );
    assert_eq!(conns[5].connection_id, "c5");
}

#[test]
fn proxy_agent_operations_and_secrets() {
    let secrets = json!({ "agent_id": "proxy_9", "auth_token": PROXY_TOKEN, "client_cert": "-----BEGIN CERTIFICATE-----",
                          "client_private_key": PROXY_KEY, "orchestrator_host": "orchestrator.fivetran.com",
                          "orchestrator_port": 443 });
    let server = MockServer::start();
    let mut details = proxy(1);
    details["usage"] = json!([{"id": "c1", "schema": "pg", "service": "postgres"}]);
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/proxy",
            Some(json!({"display_name": "dc-1", "group_region": "GCP_US_EAST4"})),
            201,
            json!({"code": "Created", "data": secrets.clone()}),
        ),
        // The spec documents this answer without an envelope; the API sends one.
        expect(&server, "GET", "/v1/proxy/proxy_1", None, 200, data(details.clone())),
        expect(&server, "GET", "/v1/proxy/bare", None, 200, details),
        expect(&server, "POST", "/v1/proxy/proxy_9/regenerate-secrets", Some(json!({})), 200, data(secrets)),
        expect(&server, "DELETE", "/v1/proxy/proxy_9", None, 200, done("Agent proxy_9 successfully deleted")),
    ];
    let (client, _) = client(&server.base_url());
    let created = client.create_proxy_agent("dc-1", "GCP_US_EAST4").unwrap();
    assert_eq!(created.agent_id, "proxy_9");
    assert_eq!(created.auth_token.expose(), PROXY_TOKEN);
    assert_eq!(created.client_private_key.expose(), PROXY_KEY);
    assert_eq!(created.orchestrator_port, Some(443));
    let shown = format!("{created:?}");
    assert!(!shown.contains(PROXY_TOKEN) && !shown.contains(PROXY_KEY), "{shown}");
    for id in ["proxy_1", "bare"] {
        let a = client.proxy_agent(id).unwrap();
        assert_eq!(a.id, "proxy_1");
        assert_eq!(a.usage[0].schema.as_deref(), Some("pg"));
    }
    let again = client.regenerate_proxy_agent_secrets("proxy_9").unwrap();
    assert!(!format!("{again:?}").contains(PROXY_TOKEN));
    client.delete_proxy_agent("proxy_9").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn hybrid_agents_walk_three_pages_with_the_camel_case_group_filter() {
    let all = walk_three_pages("/v1/hybrid-deployment-agents", agent, |c| c.hybrid_deployment_agents());
    assert_eq!(all[2].usage[0].connection_id, "c1");
    assert!(all[2].online && !all[3].online);
    assert_eq!(all[2].last_used_at, None);
    let in_group = walk_three_pages_matching(
        "/v1/hybrid-deployment-agents",
        agent,
        |c| c.group_hybrid_deployment_agents("g 1"),
        |w| w.query_param("groupId", "g 1").query_param_missing("group_id").query_param("limit", "1000"),
    );
    assert_eq!(in_group.len(), 6);
}

#[test]
fn hybrid_agent_operations_and_secrets() {
    let mut setup = agent(7);
    setup["files"] = json!({"config_json": "e30=", "auth_json": AUTH_JSON, "docker_compose_yaml": "eWFtbA=="});
    setup["token"] = json!(AGENT_TOKEN);
    let server = MockServer::start();
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/hybrid-deployment-agents",
            Some(json!({"group_id": "g1", "display_name": "on-prem", "env_type": "DOCKER", "accept_terms": true,
                        "auth_type": "AUTO"})),
            201,
            data(setup.clone()),
        ),
        expect(&server, "GET", "/v1/hybrid-deployment-agents/agent_7", None, 200, data(agent(7))),
        expect(
            &server,
            "PATCH",
            "/v1/hybrid-deployment-agents/agent_7/re-auth",
            Some(json!({"auth_type": "MANUAL"})),
            200,
            data(setup.clone()),
        ),
        expect(&server, "PATCH", "/v1/hybrid-deployment-agents/agent_8/re-auth", Some(json!({})), 200, data(setup)),
        expect(
            &server,
            "POST",
            "/v1/hybrid-deployment-agents/agent_7/reset-credentials",
            Some(json!({})),
            200,
            done("Successfully reset credentials"),
        ),
        expect(&server, "DELETE", "/v1/hybrid-deployment-agents/agent_7", None, 200, done("deleted")),
    ];
    let (client, _) = client(&server.base_url());
    let created = client
        .create_hybrid_deployment_agent(&NewHybridDeploymentAgent::new("g1", "on-prem", "DOCKER").auth_type("AUTO"))
        .unwrap();
    assert_eq!(created.agent.id, "agent_7");
    assert_eq!(created.token.as_ref().unwrap().expose(), AGENT_TOKEN);
    assert_eq!(created.files.as_ref().unwrap().auth_json.expose(), AUTH_JSON);
    assert_eq!(created.files.as_ref().unwrap().config_json.as_deref(), Some("e30="));
    let shown = format!("{created:?}");
    assert!(!shown.contains(AGENT_TOKEN) && !shown.contains(AUTH_JSON), "{shown}");
    assert_eq!(client.hybrid_deployment_agent("agent_7").unwrap().deployment_type.as_deref(), Some("DOCKER"));
    client.reauth_hybrid_deployment_agent("agent_7", Some("MANUAL")).unwrap();
    client.reauth_hybrid_deployment_agent("agent_8", None).unwrap();
    client.reset_hybrid_deployment_agent_credentials("agent_7").unwrap();
    client.delete_hybrid_deployment_agent("agent_7").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}
