//! Users of the account: invite, read, change and delete them, and manage their roles in the
//! account, in groups and in connections. A group's own view of its users lives in
//! [`crate::api::groups`]; teams in [`crate::api::teams`].

use crate::api::common::{lenient, request_bodies, Membership, MembershipBody, RoleBody};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/users`
    LIST_ALL_USERS = Operation::get("list_all_users", "/v1/users").paged();
    /// `POST /v1/users`
    CREATE_USER = Operation::post("create_user", "/v1/users").created();
    /// `DELETE /v1/users/{id}`
    DELETE_USER = Operation::delete("delete_user", "/v1/users/{id}");
    /// `GET /v1/users/{userId}`
    USER_DETAILS = Operation::get("user_details", "/v1/users/{userId}");
    /// `PATCH /v1/users/{userId}`
    MODIFY_USER = Operation::patch("modify_user", "/v1/users/{userId}");
    /// `GET /v1/users/{userId}/connections`
    GET_USER_MEMBERSHIPS_IN_CONNECTIONS =
        Operation::get("get_user_memberships_in_connections", "/v1/users/{userId}/connections").paged();
    /// `POST /v1/users/{userId}/connections`
    ADD_USER_MEMBERSHIP_IN_CONNECTION =
        Operation::post("add_user_membership_in_connection", "/v1/users/{userId}/connections").created();
    /// `GET /v1/users/{userId}/connections/{connectionId}`
    GET_USER_MEMBERSHIP_IN_CONNECTIONS =
        Operation::get("get_user_membership_in_connections", "/v1/users/{userId}/connections/{connectionId}");
    /// `DELETE /v1/users/{userId}/connections/{connectionId}`
    DELETE_USER_MEMBERSHIP_IN_CONNECTION =
        Operation::delete("delete_user_membership_in_connection", "/v1/users/{userId}/connections/{connectionId}");
    /// `PATCH /v1/users/{userId}/connections/{connectionId}`
    UPDATE_USER_MEMBERSHIP_IN_CONNECTION =
        Operation::patch("update_user_membership_in_connection", "/v1/users/{userId}/connections/{connectionId}");
    /// `GET /v1/users/{userId}/groups`
    GET_USER_MEMBERSHIPS_IN_GROUPS =
        Operation::get("get_user_memberships_in_groups", "/v1/users/{userId}/groups").paged();
    /// `POST /v1/users/{userId}/groups`
    ADD_USER_MEMBERSHIP_IN_GROUP =
        Operation::post("add_user_membership_in_group", "/v1/users/{userId}/groups").created();
    /// `GET /v1/users/{userId}/groups/{groupId}`
    GET_USER_MEMBERSHIP_IN_GROUP =
        Operation::get("get_user_membership_in_group", "/v1/users/{userId}/groups/{groupId}");
    /// `DELETE /v1/users/{userId}/groups/{groupId}`
    DELETE_USER_MEMBERSHIP_IN_GROUP =
        Operation::delete("delete_user_membership_in_group", "/v1/users/{userId}/groups/{groupId}");
    /// `PATCH /v1/users/{userId}/groups/{groupId}`
    UPDATE_USER_MEMBERSHIP_IN_GROUP =
        Operation::patch("update_user_membership_in_group", "/v1/users/{userId}/groups/{groupId}");
    /// `DELETE /v1/users/{userId}/role`
    DELETE_USER_MEMBERSHIP_IN_ACCOUNT =
        Operation::delete("delete_user_membership_in_account", "/v1/users/{userId}/role");
}

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Email address.
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: String,
    /// Given name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub family_name: Option<String>,
    /// Whether the email was verified.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub verified: Option<bool>,
    /// Whether the user was invited.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub invited: Option<bool>,
    /// Whether the user is active.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    /// Phone number.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub phone: Option<String>,
    /// Picture URL.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub picture: Option<String>,
    /// Account or group role.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub role: Option<String>,
    /// Last login.
    #[serde(default, with = "crate::time::opt_serde")]
    pub logged_in_at: Option<Timestamp>,
    /// When the user was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}

request_bodies! {
    /// A user to invite: email and names are required, the rest optional.
    ///
    /// ```
    /// let invite = fivetrex::NewUser::new("jane@example.com", "Jane", "Doe").role("Account Reviewer");
    /// assert_eq!(invite.role.as_deref(), Some("Account Reviewer"));
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct NewUser;

    /// Changes to a user; unset fields are not sent.
    ///
    /// ```
    /// let change = fivetrex::UpdateUser::new().given_name("Janet").role("Account Analyst");
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateUser;

    fields {
        /// Email address (the invitation goes there).
        email: String [req, no];
        /// Given name.
        given_name: String [req, opt] => impl Into<String>, Into::into;
        /// Family name.
        family_name: String [req, opt] => impl Into<String>, Into::into;
        /// Phone number.
        phone: String [opt, opt] => impl Into<String>, Into::into;
        /// Picture URL.
        picture: String [opt, opt] => impl Into<String>, Into::into;
        /// Account role (`Account Administrator`, `Account Reviewer`, a custom role, ...).
        role: String [opt, opt] => impl Into<String>, Into::into;
    }
}

impl NewUser {
    /// An invitation with the required fields.
    pub fn new(email: impl Into<String>, given_name: impl Into<String>, family_name: impl Into<String>) -> Self {
        Self::with_required(email.into(), given_name.into(), family_name.into())
    }
}

impl Client {
    /// Walks every user of the account. Add `.query("active", "true")` for active users only.
    pub fn users(&self) -> List<User> {
        self.list(&LIST_ALL_USERS, &[])
    }

    /// One user.
    pub fn user(&self, user_id: &str) -> Result<User> {
        self.call(&USER_DETAILS, &[user_id], &[], None)
    }

    /// Invites a user (an email goes out). Not retried after an ambiguous failure.
    pub fn create_user(&self, user: &NewUser) -> Result<User> {
        self.call(&CREATE_USER, &[], &[], Some(&to_body(user)?))
    }

    /// Changes a user; unset fields are not sent.
    pub fn update_user(&self, user_id: &str, changes: &UpdateUser) -> Result<User> {
        self.call(&MODIFY_USER, &[user_id], &[], Some(&to_body(changes)?))
    }

    /// Deletes a user from the account.
    pub fn delete_user(&self, user_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_USER, &[user_id], None)
    }

    /// Removes the user's account-level role (their group and connection memberships stay).
    pub fn delete_user_account_role(&self, user_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_USER_MEMBERSHIP_IN_ACCOUNT, &[user_id], None)
    }

    /// Walks the user's memberships in groups.
    pub fn user_group_memberships(&self, user_id: &str) -> List<Membership> {
        self.list(&GET_USER_MEMBERSHIPS_IN_GROUPS, &[user_id])
    }

    /// The user's membership in one group.
    pub fn user_group_membership(&self, user_id: &str, group_id: &str) -> Result<Membership> {
        self.call(&GET_USER_MEMBERSHIP_IN_GROUP, &[user_id, group_id], &[], None)
    }

    /// Gives the user a role in a group.
    pub fn add_user_group_membership(&self, user_id: &str, group_id: &str, role: &str) -> Result<Membership> {
        let body = to_body(&MembershipBody { id: group_id, role })?;
        self.call(&ADD_USER_MEMBERSHIP_IN_GROUP, &[user_id], &[], Some(&body))
    }

    /// Changes the user's role in a group.
    pub fn update_user_group_membership(&self, user_id: &str, group_id: &str, role: &str) -> Result<ActionResponse> {
        let body = to_body(&RoleBody { role })?;
        self.action(&UPDATE_USER_MEMBERSHIP_IN_GROUP, &[user_id, group_id], Some(&body))
    }

    /// Removes the user from a group.
    pub fn delete_user_group_membership(&self, user_id: &str, group_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_USER_MEMBERSHIP_IN_GROUP, &[user_id, group_id], None)
    }

    /// Walks the user's memberships in connections.
    pub fn user_connection_memberships(&self, user_id: &str) -> List<Membership> {
        self.list(&GET_USER_MEMBERSHIPS_IN_CONNECTIONS, &[user_id])
    }

    /// The user's membership in one connection.
    pub fn user_connection_membership(&self, user_id: &str, connection_id: &str) -> Result<Membership> {
        self.call(&GET_USER_MEMBERSHIP_IN_CONNECTIONS, &[user_id, connection_id], &[], None)
    }

    /// Gives the user a role in a connection.
    pub fn add_user_connection_membership(&self, user_id: &str, connection_id: &str, role: &str) -> Result<Membership> {
        let body = to_body(&MembershipBody { id: connection_id, role })?;
        self.call(&ADD_USER_MEMBERSHIP_IN_CONNECTION, &[user_id], &[], Some(&body))
    }

    /// Changes the user's role in a connection.
    pub fn update_user_connection_membership(
        &self,
        user_id: &str,
        connection_id: &str,
        role: &str,
    ) -> Result<Membership> {
        let body = to_body(&RoleBody { role })?;
        self.call(&UPDATE_USER_MEMBERSHIP_IN_CONNECTION, &[user_id, connection_id], &[], Some(&body))
    }

    /// Removes the user from a connection.
    pub fn delete_user_connection_membership(&self, user_id: &str, connection_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_USER_MEMBERSHIP_IN_CONNECTION, &[user_id, connection_id], None)
    }
}
