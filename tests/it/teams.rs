//! Teams, their users and their memberships: every operation with its exact request.

use crate::support::*;
use fivetrex::{NewTeam, UpdateTeam};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn team(i: usize) -> Value {
    json!({ "id": format!("team_{i}"), "name": format!("Team {i}"), "description": null, "role": "Account Reviewer" })
}

fn member(i: usize) -> Value {
    json!({ "user_id": format!("user_{i}"), "role": "Team Member", "created_at": "2023-08-20T10:15:20.677566Z" })
}

fn membership(i: usize) -> Value {
    json!({ "id": format!("res_{i}"), "role": "View Connection", "created_at": "2024-01-01T00:00:00Z" })
}

#[test]
fn team_lists_walk_three_pages() {
    let teams = walk_three_pages("/v1/teams", team, |c| c.teams());
    assert_eq!(teams[4].name.as_deref(), Some("Team 4"));
    assert_eq!(teams[4].description, None);
    let users = walk_three_pages("/v1/teams/t1/users", member, |c| c.team_users("t1"));
    assert_eq!(users[1].user_id, "user_1");
    assert_eq!(users[1].created_at.unwrap().subsec_nanos(), 677_566_000);
    let groups = walk_three_pages("/v1/teams/t1/groups", membership, |c| c.team_group_memberships("t1"));
    assert_eq!(groups[5].id, "res_5");
    let conns = walk_three_pages("/v1/teams/t1/connections", membership, |c| c.team_connection_memberships("t1"));
    assert_eq!(conns.len(), 6);
}

#[test]
fn team_crud_and_account_role() {
    let server = MockServer::start();
    let mocks = [
        expect(&server, "GET", "/v1/teams/team_1", None, 200, data(team(1))),
        expect(
            &server,
            "POST",
            "/v1/teams",
            Some(json!({"name": "Analysts", "role": "Account Analyst"})),
            201,
            data(team(2)),
        ),
        expect(&server, "PATCH", "/v1/teams/team_2", Some(json!({"description": "BI"})), 200, data(team(2))),
        expect(&server, "DELETE", "/v1/teams/team_2", None, 200, done("Team has been deleted")),
        expect(&server, "DELETE", "/v1/teams/team_2/role", None, 200, done("Team role in account has been removed")),
    ];
    let (client, _) = client(&server.base_url());
    assert_eq!(client.team("team_1").unwrap().role.as_deref(), Some("Account Reviewer"));
    let t = client.create_team(&NewTeam::new().name("Analysts").role("Account Analyst")).unwrap();
    assert_eq!(t.id, "team_2");
    client.update_team("team_2", &UpdateTeam::new().description("BI")).unwrap();
    client.delete_team("team_2").unwrap();
    client.delete_team_account_role("team_2").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn team_users_and_memberships() {
    let server = MockServer::start();
    let mocks = [
        expect(&server, "GET", "/v1/teams/t1/users/u1", None, 200, data(member(1))),
        expect(&server, "POST", "/v1/teams/t1/users", Some(json!({"user_id": "u1"})), 201, data(member(1))),
        expect(
            &server,
            "POST",
            "/v1/teams/t1/users",
            Some(json!({"user_id": "u2", "role": "Team Manager"})),
            201,
            data(member(2)),
        ),
        expect(&server, "PATCH", "/v1/teams/t1/users/u1", Some(json!({"role": "Team Manager"})), 200, data(member(1))),
        expect(&server, "DELETE", "/v1/teams/t1/users/u1", None, 200, done("User has been removed from the team")),
        expect(&server, "GET", "/v1/teams/t1/groups/g1", None, 200, data(membership(1))),
        expect(
            &server,
            "POST",
            "/v1/teams/t1/groups",
            Some(json!({"id": "g1", "role": "Manage Destination"})),
            201,
            data(membership(1)),
        ),
        expect(
            &server,
            "PATCH",
            "/v1/teams/t1/groups/g1",
            Some(json!({"role": "Destination Reviewer"})),
            200,
            data(membership(1)),
        ),
        expect(&server, "DELETE", "/v1/teams/t1/groups/g1", None, 200, done("Group membership has been deleted")),
        expect(&server, "GET", "/v1/teams/t1/connections/c1", None, 200, data(membership(2))),
        expect(
            &server,
            "POST",
            "/v1/teams/t1/connections",
            Some(json!({"id": "c1", "role": "View Connection"})),
            201,
            data(membership(2)),
        ),
        expect(
            &server,
            "PATCH",
            "/v1/teams/t1/connections/c1",
            Some(json!({"role": "Edit Connection"})),
            200,
            data(membership(2)),
        ),
        expect(&server, "DELETE", "/v1/teams/t1/connections/c1", None, 200, done("deleted")),
    ];
    let (client, _) = client(&server.base_url());
    assert_eq!(client.team_user("t1", "u1").unwrap().role, "Team Member");
    client.add_user_to_team("t1", "u1", None).unwrap();
    assert_eq!(client.add_user_to_team("t1", "u2", Some("Team Manager")).unwrap().user_id, "user_2");
    client.update_team_user("t1", "u1", "Team Manager").unwrap();
    client.remove_user_from_team("t1", "u1").unwrap();
    assert_eq!(client.team_group_membership("t1", "g1").unwrap().id, "res_1");
    client.add_team_group_membership("t1", "g1", "Manage Destination").unwrap();
    client.update_team_group_membership("t1", "g1", "Destination Reviewer").unwrap();
    client.delete_team_group_membership("t1", "g1").unwrap();
    assert_eq!(client.team_connection_membership("t1", "c1").unwrap().role, "View Connection");
    client.add_team_connection_membership("t1", "c1", "View Connection").unwrap();
    client.update_team_connection_membership("t1", "c1", "Edit Connection").unwrap();
    client.delete_team_connection_membership("t1", "c1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}
