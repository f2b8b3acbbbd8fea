//! Groups: the containers of a destination and its connections.

use crate::api::common::lenient;
use crate::api::connections::Connection;
use crate::api::users::User;
use crate::client::{to_body, ActionResponse, Client};
use crate::confirm::{Confirm, Destructive};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/groups`
    LIST_ALL_GROUPS = Operation::get("list_all_groups", "/v1/groups").paged();
    /// `POST /v1/groups`
    CREATE_GROUP = Operation::post("create_group", "/v1/groups").created();
    /// `GET /v1/groups/{groupId}`
    GROUP_DETAILS = Operation::get("group_details", "/v1/groups/{groupId}");
    /// `DELETE /v1/groups/{groupId}`
    DELETE_GROUP = Operation::delete("delete_group", "/v1/groups/{groupId}");
    /// `PATCH /v1/groups/{groupId}`
    MODIFY_GROUP = Operation::patch("modify_group", "/v1/groups/{groupId}");
    /// `GET /v1/groups/{groupId}/connections`
    LIST_ALL_CONNECTIONS_IN_GROUP = Operation::get("list_all_connections_in_group", "/v1/groups/{groupId}/connections").paged();
    /// `GET /v1/groups/{groupId}/public-key`
    GROUP_SSH_PUBLIC_KEY = Operation::get("group_ssh_public_key", "/v1/groups/{groupId}/public-key");
    /// `GET /v1/groups/{groupId}/service-account`
    GROUP_SERVICE_ACCOUNT = Operation::get("group_service_account", "/v1/groups/{groupId}/service-account");
    /// `GET /v1/groups/{groupId}/users`
    LIST_ALL_USERS_IN_GROUP = Operation::get("list_all_users_in_group", "/v1/groups/{groupId}/users").paged();
    /// `POST /v1/groups/{groupId}/users`
    ADD_USER_TO_GROUP = Operation::post("add_user_to_group", "/v1/groups/{groupId}/users");
    /// `DELETE /v1/groups/{groupId}/users/{userId}`
    DELETE_USER_FROM_GROUP = Operation::delete("delete_user_from_group", "/v1/groups/{groupId}/users/{userId}");
}

/// A group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// The group's id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// The group's name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// When the group was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}

/// Changes to a group; unset fields are not sent.
///
/// ```
/// let changes = fivetrex::UpdateGroup::new().name("Warehouse");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UpdateGroup {
    /// The group's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl UpdateGroup {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

#[derive(Deserialize)]
struct PublicKey {
    public_key: String,
}

#[derive(Deserialize)]
struct ServiceAccount {
    service_account: String,
}

impl Client {
    /// Walks every group of the account.
    pub fn groups(&self) -> List<Group> {
        self.list(&LIST_ALL_GROUPS, &[])
    }

    /// One group.
    pub fn group(&self, group_id: &str) -> Result<Group> {
        self.call(&GROUP_DETAILS, &[group_id], &[], None)
    }

    /// Creates a group. Not retried after an ambiguous failure unless the policy allows it.
    pub fn create_group(&self, name: &str) -> Result<Group> {
        let body = to_body(&UpdateGroup::new().name(name))?;
        crate::api::common::required::check_body_bytes(&CREATE_GROUP, &body)?;
        self.call(&CREATE_GROUP, &[], &[], Some(&body))
    }

    /// Changes a group; unset fields are not sent.
    pub fn update_group(&self, group_id: &str, changes: &UpdateGroup) -> Result<Group> {
        let body = to_body(changes)?;
        self.call(&MODIFY_GROUP, &[group_id], &[], Some(&body))
    }

    /// Deletes a group with everything in it. Needs `Confirm::delete_group(group_id)`.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// client.delete_group("group_1", &fivetrex::Confirm::delete_group("group_1"))?;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn delete_group(&self, group_id: &str, confirm: &Confirm) -> Result<ActionResponse> {
        confirm.check(Destructive::DeleteGroup, group_id)?;
        self.action(&DELETE_GROUP, &[group_id], None)
    }

    /// Walks the connections of one group.
    pub fn group_connections(&self, group_id: &str) -> List<Connection> {
        self.list(&LIST_ALL_CONNECTIONS_IN_GROUP, &[group_id])
    }

    /// Walks the users of one group.
    pub fn group_users(&self, group_id: &str) -> List<User> {
        self.list(&LIST_ALL_USERS_IN_GROUP, &[group_id])
    }

    /// Adds a user (by email) to a group with a role.
    pub fn add_user_to_group(&self, group_id: &str, email: &str, role: &str) -> Result<ActionResponse> {
        let body = to_body(&serde_json::json!({ "email": email, "role": role }))?;
        self.action(&ADD_USER_TO_GROUP, &[group_id], Some(&body))
    }

    /// Removes a user from a group.
    pub fn remove_user_from_group(&self, group_id: &str, user_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_USER_FROM_GROUP, &[group_id, user_id], None)
    }

    /// The group's SSH public key (for SSH tunnels to sources).
    pub fn group_public_key(&self, group_id: &str) -> Result<String> {
        self.call::<PublicKey>(&GROUP_SSH_PUBLIC_KEY, &[group_id], &[], None).map(|k| k.public_key)
    }

    /// The group's service account (for GCP sources).
    pub fn group_service_account(&self, group_id: &str) -> Result<String> {
        self.call::<ServiceAccount>(&GROUP_SERVICE_ACCOUNT, &[group_id], &[], None).map(|s| s.service_account)
    }
}
