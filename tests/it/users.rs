//! Account info, users and their memberships, roles: every operation with its exact request.

use crate::support::*;
use fivetrex::{NewUser, UpdateUser};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn membership(i: usize) -> Value {
    json!({ "id": format!("res_{i}"), "role": "Manage Destination", "created_at": "2024-01-01T00:00:00Z" })
}

fn role(i: usize) -> Value {
    json!({ "name": format!("Role {i}"), "description": "d", "scope": ["ACCOUNT"], "is_custom": i % 2 == 0,
            "is_deprecated": false, "replacement_role_name": null })
}

#[test]
fn account_info_says_whose_key_it_is() {
    let server = MockServer::start();
    let m = expect(
        &server,
        "GET",
        "/v1/account/info",
        None,
        200,
        data(json!({"account_id": "acc_1", "account_name": "Acme", "system_key_id": "key_9"})),
    );
    let (client, _) = client(&server.base_url());
    let me = client.account_info().unwrap();
    assert_eq!(me.account_id, "acc_1");
    assert_eq!(me.account_name.as_deref(), Some("Acme"));
    assert_eq!(me.user_id, None);
    assert_eq!(me.system_key_id.as_deref(), Some("key_9"));
    m.assert_calls(1);
}

#[test]
fn users_walk_three_pages_and_filter_on_active() {
    let users = walk_three_pages("/v1/users", user, |c| c.users());
    assert_eq!(users[5].id, "user_5");
    assert_eq!(users[0].created_at.unwrap().to_string(), "2024-01-01T00:00:00Z");
    let active = walk_three_pages_matching(
        "/v1/users",
        user,
        |c| c.users().query("active", "true"),
        |w| w.query_param("active", "true").query_param("limit", "1000"),
    );
    assert_eq!(active.len(), 6);
}

#[test]
fn user_crud_sends_exact_bodies_and_leaves_unset_fields_out() {
    let server = MockServer::start();
    let get = expect(&server, "GET", "/v1/users/user_1", None, 200, data(user(1)));
    let create = expect(
        &server,
        "POST",
        "/v1/users",
        Some(json!({"email": "jane@example.com", "given_name": "Jane", "family_name": "Doe",
                    "role": "Account Reviewer"})),
        201,
        data(user(7)),
    );
    let update = expect(
        &server,
        "PATCH",
        "/v1/users/user_7",
        Some(json!({"given_name": "Janet", "phone": "+100"})),
        200,
        data(json!({"id": "user_7", "email": "jane@example.com", "given_name": "Janet", "unknown": [1]})),
    );
    let delete =
        expect(&server, "DELETE", "/v1/users/user_7", None, 200, done("User with id 'user_7' has been deleted"));
    let role =
        expect(&server, "DELETE", "/v1/users/user_7/role", None, 200, done("User role in account has been removed"));
    let (client, _) = client(&server.base_url());
    assert_eq!(client.user("user_1").unwrap().email, "u1@example.com");
    let created =
        client.create_user(&NewUser::new("jane@example.com", "Jane", "Doe").role("Account Reviewer")).unwrap();
    assert_eq!(created.id, "user_7");
    let updated = client.update_user("user_7", &UpdateUser::new().given_name("Janet").phone("+100")).unwrap();
    assert_eq!(updated.given_name.as_deref(), Some("Janet"));
    assert!(client.delete_user("user_7").unwrap().message.unwrap().contains("deleted"));
    assert_eq!(client.delete_user_account_role("user_7").unwrap().code, "Success");
    for m in [get, create, update, delete, role] {
        m.assert_calls(1);
    }
}

#[test]
fn user_group_and_connection_memberships() {
    let server = MockServer::start();
    let mocks = [
        expect(&server, "GET", "/v1/users/u1/groups/g1", None, 200, data(membership(1))),
        expect(
            &server,
            "POST",
            "/v1/users/u1/groups",
            Some(json!({"id": "g1", "role": "Manage Destination"})),
            201,
            data(membership(1)),
        ),
        expect(
            &server,
            "PATCH",
            "/v1/users/u1/groups/g1",
            Some(json!({"role": "Destination Reviewer"})),
            200,
            done("Group membership has been updated"),
        ),
        expect(&server, "DELETE", "/v1/users/u1/groups/g1", None, 200, done("Group membership has been deleted")),
        expect(&server, "GET", "/v1/users/u1/connections/c%2F1", None, 200, data(membership(2))),
        expect(
            &server,
            "POST",
            "/v1/users/u1/connections",
            Some(json!({"id": "c/1", "role": "Manage Connection"})),
            201,
            data(membership(2)),
        ),
        expect(
            &server,
            "PATCH",
            "/v1/users/u1/connections/c%2F1",
            Some(json!({"role": "View Connection"})),
            200,
            data(membership(2)),
        ),
        expect(&server, "DELETE", "/v1/users/u1/connections/c%2F1", None, 200, done("deleted")),
    ];
    let (client, _) = client(&server.base_url());
    let m = client.user_group_membership("u1", "g1").unwrap();
    assert_eq!((m.id.as_str(), m.role.as_str()), ("res_1", "Manage Destination"));
    assert_eq!(client.add_user_group_membership("u1", "g1", "Manage Destination").unwrap().id, "res_1");
    client.update_user_group_membership("u1", "g1", "Destination Reviewer").unwrap();
    client.delete_user_group_membership("u1", "g1").unwrap();
    assert_eq!(client.user_connection_membership("u1", "c/1").unwrap().id, "res_2");
    client.add_user_connection_membership("u1", "c/1", "Manage Connection").unwrap();
    assert!(client.update_user_connection_membership("u1", "c/1", "View Connection").unwrap().created_at.is_some());
    client.delete_user_connection_membership("u1", "c/1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn user_membership_lists_walk_three_pages() {
    let g = walk_three_pages("/v1/users/u1/groups", membership, |c| c.user_group_memberships("u1"));
    assert_eq!(g[3].id, "res_3");
    let c = walk_three_pages("/v1/users/u1/connections", membership, |c| c.user_connection_memberships("u1"));
    assert_eq!(c.len(), 6);
}

#[test]
fn roles_walk_three_pages() {
    let roles = walk_three_pages("/v1/roles", role, |c| c.roles());
    assert_eq!(roles[2].name, "Role 2");
    assert!(roles[2].is_custom);
    assert_eq!(roles[2].scope, ["ACCOUNT"]);
}

#[test]
fn an_empty_user_id_is_refused_before_sending() {
    let server = MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200);
    });
    let (client, _) = client(&server.base_url());
    let err = client.user("").unwrap_err();
    assert_eq!(err.kind(), fivetrex::ErrorKind::InvalidArgument);
    assert_eq!(
        client.update_user_group_membership("u1", "", "r").unwrap_err().kind(),
        fivetrex::ErrorKind::InvalidArgument
    );
    any.assert_calls(0);
}
