//! Roles: the predefined and custom roles users and teams can hold.

use crate::api::common::lenient;
use crate::client::Client;
use crate::endpoint::Operation;
use crate::page::List;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/roles`
    LIST_ALL_ROLES = Operation::get("list_all_roles", "/v1/roles").paged();
}

/// A role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Role {
    /// The role's name, which is also how memberships refer to it.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// What the role allows.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the role applies (`ACCOUNT`, `DESTINATION`, `CONNECTOR`, `TEAM`, ...).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub scope: Vec<String>,
    /// True for a role the account defined.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_custom: bool,
    /// True for a role kept only for compatibility.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_deprecated: bool,
    /// The role to use instead of a deprecated one.
    #[serde(default)]
    pub replacement_role_name: Option<String>,
}

impl Client {
    /// Walks every role of the account.
    pub fn roles(&self) -> List<Role> {
        self.list(&LIST_ALL_ROLES, &[])
    }
}
