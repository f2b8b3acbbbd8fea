//! Teams: named sets of users that hold roles in the account, in groups and in connections.

use crate::api::common::{lenient, request_bodies, Membership, MembershipBody, RoleBody};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/teams`
    LIST_ALL_TEAMS = Operation::get("list_all_teams", "/v1/teams").paged();
    /// `POST /v1/teams`
    CREATE_TEAM = Operation::post("create_team", "/v1/teams").created();
    /// `GET /v1/teams/{teamId}`
    TEAM_DETAILS = Operation::get("team_details", "/v1/teams/{teamId}");
    /// `DELETE /v1/teams/{teamId}`
    DELETE_TEAM = Operation::delete("delete_team", "/v1/teams/{teamId}");
    /// `PATCH /v1/teams/{teamId}`
    MODIFY_TEAM = Operation::patch("modify_team", "/v1/teams/{teamId}");
    /// `GET /v1/teams/{teamId}/connections`
    GET_TEAM_MEMBERSHIPS_IN_CONNECTIONS =
        Operation::get("get_team_memberships_in_connections", "/v1/teams/{teamId}/connections").paged();
    /// `POST /v1/teams/{teamId}/connections`
    ADD_TEAM_MEMBERSHIP_IN_CONNECTION =
        Operation::post("add_team_membership_in_connection", "/v1/teams/{teamId}/connections").created();
    /// `GET /v1/teams/{teamId}/connections/{connectionId}`
    GET_TEAM_MEMBERSHIP_IN_CONNECTION =
        Operation::get("get_team_membership_in_connection", "/v1/teams/{teamId}/connections/{connectionId}");
    /// `DELETE /v1/teams/{teamId}/connections/{connectionId}`
    DELETE_TEAM_MEMBERSHIP_IN_CONNECTION =
        Operation::delete("delete_team_membership_in_connection", "/v1/teams/{teamId}/connections/{connectionId}");
    /// `PATCH /v1/teams/{teamId}/connections/{connectionId}`
    UPDATE_TEAM_MEMBERSHIP_IN_CONNECTION =
        Operation::patch("update_team_membership_in_connection", "/v1/teams/{teamId}/connections/{connectionId}");
    /// `GET /v1/teams/{teamId}/groups`
    GET_TEAM_MEMBERSHIPS_IN_GROUPS =
        Operation::get("get_team_memberships_in_groups", "/v1/teams/{teamId}/groups").paged();
    /// `POST /v1/teams/{teamId}/groups`
    ADD_TEAM_MEMBERSHIP_IN_GROUP =
        Operation::post("add_team_membership_in_group", "/v1/teams/{teamId}/groups").created();
    /// `GET /v1/teams/{teamId}/groups/{groupId}`
    GET_TEAM_MEMBERSHIP_IN_GROUP =
        Operation::get("get_team_membership_in_group", "/v1/teams/{teamId}/groups/{groupId}");
    /// `DELETE /v1/teams/{teamId}/groups/{groupId}`
    DELETE_TEAM_MEMBERSHIP_IN_GROUP =
        Operation::delete("delete_team_membership_in_group", "/v1/teams/{teamId}/groups/{groupId}");
    /// `PATCH /v1/teams/{teamId}/groups/{groupId}`
    UPDATE_TEAM_MEMBERSHIP_IN_GROUP =
        Operation::patch("update_team_membership_in_group", "/v1/teams/{teamId}/groups/{groupId}");
    /// `DELETE /v1/teams/{teamId}/role`
    DELETE_TEAM_MEMBERSHIP_IN_ACCOUNT =
        Operation::delete("delete_team_membership_in_account", "/v1/teams/{teamId}/role");
    /// `GET /v1/teams/{teamId}/users`
    LIST_USERS_IN_TEAM = Operation::get("list_users_in_team", "/v1/teams/{teamId}/users").paged();
    /// `POST /v1/teams/{teamId}/users`
    ADD_USER_TO_TEAM = Operation::post("add_user_to_team", "/v1/teams/{teamId}/users").created();
    /// `GET /v1/teams/{teamId}/users/{userId}`
    GET_USER_IN_TEAM = Operation::get("get_user_in_team", "/v1/teams/{teamId}/users/{userId}");
    /// `DELETE /v1/teams/{teamId}/users/{userId}`
    DELETE_USER_FROM_TEAM = Operation::delete("delete_user_from_team", "/v1/teams/{teamId}/users/{userId}");
    /// `PATCH /v1/teams/{teamId}/users/{userId}`
    UPDATE_USER_MEMBERSHIP = Operation::patch("update_user_membership", "/v1/teams/{teamId}/users/{userId}");
}

/// A team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Team {
    /// The team's id.
    pub id: String,
    /// The team's name.
    #[serde(default)]
    pub name: Option<String>,
    /// What the team is for.
    #[serde(default)]
    pub description: Option<String>,
    /// The team's account role.
    #[serde(default)]
    pub role: Option<String>,
}

request_bodies! {
    /// A team to create; unset fields are not sent.
    ///
    /// ```
    /// let team = fivetrex::NewTeam::new().name("Analysts").role("Account Analyst");
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct NewTeam;

    /// Changes to a team; unset fields are not sent.
    ///
    /// ```
    /// let changes = fivetrex::UpdateTeam::new().description("BI");
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateTeam;

    fields {
        /// The team's name.
        name: String [opt, opt] => impl Into<String>, Into::into;
        /// What the team is for.
        description: String [opt, opt] => impl Into<String>, Into::into;
        /// The team's account role.
        role: String [opt, opt] => impl Into<String>, Into::into;
    }
}

impl NewTeam {
    /// Nothing set yet.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A user's membership in a team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamMember {
    /// The user's id.
    #[serde(deserialize_with = "lenient::string")]
    pub user_id: String,
    /// The role in the team (`Team Member`, `Team Manager`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub role: String,
    /// When the user joined the team.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}

#[derive(Serialize)]
struct TeamMemberBody<'a> {
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
}

impl Client {
    /// Walks every team of the account.
    pub fn teams(&self) -> List<Team> {
        self.list(&LIST_ALL_TEAMS, &[])
    }

    /// One team.
    pub fn team(&self, team_id: &str) -> Result<Team> {
        self.call(&TEAM_DETAILS, &[team_id], &[], None)
    }

    /// Creates a team. Not retried after an ambiguous failure.
    pub fn create_team(&self, team: &NewTeam) -> Result<Team> {
        self.call(&CREATE_TEAM, &[], &[], Some(&to_body(team)?))
    }

    /// Changes a team; unset fields are not sent.
    pub fn update_team(&self, team_id: &str, changes: &UpdateTeam) -> Result<Team> {
        self.call(&MODIFY_TEAM, &[team_id], &[], Some(&to_body(changes)?))
    }

    /// Deletes a team (its users stay in the account).
    pub fn delete_team(&self, team_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_TEAM, &[team_id], None)
    }

    /// Removes the team's account-level role.
    pub fn delete_team_account_role(&self, team_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_TEAM_MEMBERSHIP_IN_ACCOUNT, &[team_id], None)
    }

    /// Walks the team's users.
    pub fn team_users(&self, team_id: &str) -> List<TeamMember> {
        self.list(&LIST_USERS_IN_TEAM, &[team_id])
    }

    /// One user's membership in the team.
    pub fn team_user(&self, team_id: &str, user_id: &str) -> Result<TeamMember> {
        self.call(&GET_USER_IN_TEAM, &[team_id, user_id], &[], None)
    }

    /// Adds a user to the team, with a team role or the default one.
    pub fn add_user_to_team(&self, team_id: &str, user_id: &str, role: Option<&str>) -> Result<TeamMember> {
        let body = to_body(&TeamMemberBody { user_id, role })?;
        self.call(&ADD_USER_TO_TEAM, &[team_id], &[], Some(&body))
    }

    /// Changes a user's role in the team.
    pub fn update_team_user(&self, team_id: &str, user_id: &str, role: &str) -> Result<TeamMember> {
        let body = to_body(&RoleBody { role })?;
        self.call(&UPDATE_USER_MEMBERSHIP, &[team_id, user_id], &[], Some(&body))
    }

    /// Removes a user from the team.
    pub fn remove_user_from_team(&self, team_id: &str, user_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_USER_FROM_TEAM, &[team_id, user_id], None)
    }

    /// Walks the team's memberships in groups.
    pub fn team_group_memberships(&self, team_id: &str) -> List<Membership> {
        self.list(&GET_TEAM_MEMBERSHIPS_IN_GROUPS, &[team_id])
    }

    /// The team's membership in one group.
    pub fn team_group_membership(&self, team_id: &str, group_id: &str) -> Result<Membership> {
        self.call(&GET_TEAM_MEMBERSHIP_IN_GROUP, &[team_id, group_id], &[], None)
    }

    /// Gives the team a role in a group.
    pub fn add_team_group_membership(&self, team_id: &str, group_id: &str, role: &str) -> Result<Membership> {
        let body = to_body(&MembershipBody { id: group_id, role })?;
        self.call(&ADD_TEAM_MEMBERSHIP_IN_GROUP, &[team_id], &[], Some(&body))
    }

    /// Changes the team's role in a group.
    pub fn update_team_group_membership(&self, team_id: &str, group_id: &str, role: &str) -> Result<Membership> {
        let body = to_body(&RoleBody { role })?;
        self.call(&UPDATE_TEAM_MEMBERSHIP_IN_GROUP, &[team_id, group_id], &[], Some(&body))
    }

    /// Removes the team from a group.
    pub fn delete_team_group_membership(&self, team_id: &str, group_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_TEAM_MEMBERSHIP_IN_GROUP, &[team_id, group_id], None)
    }

    /// Walks the team's memberships in connections.
    pub fn team_connection_memberships(&self, team_id: &str) -> List<Membership> {
        self.list(&GET_TEAM_MEMBERSHIPS_IN_CONNECTIONS, &[team_id])
    }

    /// The team's membership in one connection.
    pub fn team_connection_membership(&self, team_id: &str, connection_id: &str) -> Result<Membership> {
        self.call(&GET_TEAM_MEMBERSHIP_IN_CONNECTION, &[team_id, connection_id], &[], None)
    }

    /// Gives the team a role in a connection.
    pub fn add_team_connection_membership(&self, team_id: &str, connection_id: &str, role: &str) -> Result<Membership> {
        let body = to_body(&MembershipBody { id: connection_id, role })?;
        self.call(&ADD_TEAM_MEMBERSHIP_IN_CONNECTION, &[team_id], &[], Some(&body))
    }

    /// Changes the team's role in a connection.
    pub fn update_team_connection_membership(
        &self,
        team_id: &str,
        connection_id: &str,
        role: &str,
    ) -> Result<Membership> {
        let body = to_body(&RoleBody { role })?;
        self.call(&UPDATE_TEAM_MEMBERSHIP_IN_CONNECTION, &[team_id, connection_id], &[], Some(&body))
    }

    /// Removes the team from a connection.
    pub fn delete_team_connection_membership(&self, team_id: &str, connection_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_TEAM_MEMBERSHIP_IN_CONNECTION, &[team_id, connection_id], None)
    }
}
