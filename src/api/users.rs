//! Users of the account.

use crate::endpoint::Operation;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/users`
    LIST_ALL_USERS = Operation::get("list_all_users", "/v1/users").paged();
}

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Email address.
    #[serde(default)]
    pub email: String,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Whether the email was verified.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Whether the user was invited.
    #[serde(default)]
    pub invited: Option<bool>,
    /// Whether the user is active.
    #[serde(default)]
    pub active: Option<bool>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Picture URL.
    #[serde(default)]
    pub picture: Option<String>,
    /// Account or group role.
    #[serde(default)]
    pub role: Option<String>,
    /// Last login.
    #[serde(default, with = "crate::time::opt_serde")]
    pub logged_in_at: Option<Timestamp>,
    /// When the user was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}
