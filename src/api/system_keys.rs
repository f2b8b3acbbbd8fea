//! System keys: API keys that belong to the account rather than a user, with per-resource
//! permissions. The secret comes back only when a key is created or rotated; it is held in a
//! [`Secret`], so `Debug` never shows it.

use crate::api::common::{api_enum, lenient, request_bodies};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::secret::Secret;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/system-keys`
    GET_SYSTEM_KEYS = Operation::get("get_system_keys", "/v1/system-keys").paged();
    /// `POST /v1/system-keys`
    CREATE_SYSTEM_KEY = Operation::post("create_system_key", "/v1/system-keys").created();
    /// `GET /v1/system-keys/{keyId}`
    GET_SYSTEM_KEY_DETAILS = Operation::get("get_system_key_details", "/v1/system-keys/{keyId}");
    /// `DELETE /v1/system-keys/{keyId}`
    DELETE_SYSTEM_KEY = Operation::delete("delete_system_key", "/v1/system-keys/{keyId}");
    /// `PATCH /v1/system-keys/{keyId}`
    UPDATE_SYSTEM_KEY = Operation::patch("update_system_key", "/v1/system-keys/{keyId}");
    /// `POST /v1/system-keys/{keyId}/rotate` (the old secret stops working)
    ROTATE_SYSTEM_KEY = Operation::post("rotate_system_key", "/v1/system-keys/{keyId}/rotate");
}

api_enum! {
    /// What a permission of a system key covers.
    ResourceType {
        /// The account.
        Account = "ACCOUNT",
        /// Users.
        User = "USER",
        /// Webhooks.
        Webhook = "WEBHOOK",
        /// Teams.
        Team = "TEAM",
        /// Roles.
        Roles = "ROLES",
        /// Destinations (and their groups).
        Destination = "DESTINATION",
        /// Transformations.
        Transformation = "TRANSFORMATION",
        /// Hybrid deployment agents.
        RemoteExecutionAgent = "REMOTE_EXECUTION_AGENT",
        /// Connections.
        Connector = "CONNECTOR",
    }
}

api_enum! {
    /// How much a permission allows.
    AccessLevel {
        /// Nothing.
        None = "NONE",
        /// Read.
        Read = "READ",
        /// Read and change.
        Manage = "MANAGE",
    }
}

api_enum! {
    /// How long a new or rotated secret stays valid.
    ExpirationPeriod {
        /// A week.
        OneWeek = "ONE_WEEK",
        /// A month.
        OneMonth = "ONE_MONTH",
        /// Three months.
        ThreeMonths = "THREE_MONTHS",
        /// Six months.
        SixMonths = "SIX_MONTHS",
        /// No expiry.
        Infinite = "INFINITE",
    }
}

/// One permission of a system key.
///
/// ```
/// use fivetrex::{AccessLevel, Permission, ResourceType};
/// let p = Permission::new(ResourceType::Connector, AccessLevel::Manage).group_ids(["group_1"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Permission {
    /// What it covers.
    pub resource_type: ResourceType,
    /// How much it allows.
    pub access_level: AccessLevel,
    /// Which resources (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_filter: Option<ResourceFilter>,
}

impl Permission {
    /// A permission on every resource of a type.
    pub fn new(resource_type: ResourceType, access_level: AccessLevel) -> Self {
        Permission { resource_type, access_level, resource_filter: None }
    }

    /// Limits it to these resource ids.
    pub fn ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.resource_filter.get_or_insert_with(ResourceFilter::default).ids =
            Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Limits it to the resources of these groups.
    pub fn group_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.resource_filter.get_or_insert_with(ResourceFilter::default).group_ids =
            Some(ids.into_iter().map(Into::into).collect());
        self
    }
}

/// Which resources a permission covers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceFilter {
    /// These resources.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string_list")]
    pub ids: Option<Vec<String>>,
    /// The resources of these groups.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string_list")]
    pub group_ids: Option<Vec<String>>,
}

/// A system key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemKey {
    /// The key's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The API key (the user-name half of Basic auth).
    #[serde(default)]
    pub key: Option<String>,
    /// The API secret: present only in the answers to create and rotate.
    #[serde(default, with = "crate::api::common::opt_secret", skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// What it may do.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub permissions: Vec<Permission>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, with = "crate::time::opt_serde")]
    pub updated_at: Option<Timestamp>,
    /// When its secret expires.
    #[serde(default, with = "crate::time::opt_serde")]
    pub expired_at: Option<Timestamp>,
    /// When it was last used.
    #[serde(default, with = "crate::time::opt_serde")]
    pub last_used_at: Option<Timestamp>,
}

request_bodies! {
    /// A system key to create.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct NewSystemKey;

    /// Changes to a system key; unset fields are not sent.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateSystemKey;

    fields {
        /// Its name.
        name: String [req, opt] => impl Into<String>, Into::into;
        /// What it may do (on update, replacing the current permissions).
        permissions: Vec<Permission> [req, opt] => impl IntoIterator<Item = Permission>, Vec::from_iter;
        /// How long the secret stays valid.
        expiration_period: ExpirationPeriod [opt, no];
    }
}

impl NewSystemKey {
    /// A key named `name` with `permissions`.
    pub fn new(name: impl Into<String>, permissions: impl IntoIterator<Item = Permission>) -> Self {
        Self::with_required(name.into(), permissions.into_iter().collect())
    }

    /// How long the secret stays valid.
    pub fn expires(mut self, period: ExpirationPeriod) -> Self {
        self.expiration_period = Some(period);
        self
    }
}

#[derive(Serialize)]
struct RotateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_period: Option<&'a ExpirationPeriod>,
}

impl Client {
    /// Walks every system key (without secrets).
    pub fn system_keys(&self) -> List<SystemKey> {
        self.list(&GET_SYSTEM_KEYS, &[])
    }

    /// One system key (without its secret).
    pub fn system_key(&self, key_id: &str) -> Result<SystemKey> {
        self.call(&GET_SYSTEM_KEY_DETAILS, &[key_id], &[], None)
    }

    /// Creates a system key; the answer's `secret` is shown only this once. Not retried after an
    /// ambiguous failure.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::{AccessLevel, NewSystemKey, Permission, ResourceType};
    /// let key = client.create_system_key(&NewSystemKey::new("ci", [Permission::new(ResourceType::Connector, AccessLevel::Read)]))?;
    /// let ci_client = fivetrex::Client::new(key.key.unwrap_or_default(), key.secret.unwrap_or_default())?;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn create_system_key(&self, key: &NewSystemKey) -> Result<SystemKey> {
        self.call(&CREATE_SYSTEM_KEY, &[], &[], Some(&to_body(key)?))
    }

    /// Changes a system key; unset fields are not sent.
    pub fn update_system_key(&self, key_id: &str, changes: &UpdateSystemKey) -> Result<SystemKey> {
        self.call(&UPDATE_SYSTEM_KEY, &[key_id], &[], Some(&to_body(changes)?))
    }

    /// Issues a new secret for a system key (in the answer, shown only this once); the old one
    /// stops working. Not retried after an ambiguous failure.
    pub fn rotate_system_key(&self, key_id: &str, expiration: Option<ExpirationPeriod>) -> Result<SystemKey> {
        let body = to_body(&RotateBody { expiration_period: expiration.as_ref() })?;
        self.call(&ROTATE_SYSTEM_KEY, &[key_id], &[], Some(&body))
    }

    /// Deletes a system key; clients using it stop working.
    pub fn delete_system_key(&self, key_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_SYSTEM_KEY, &[key_id], None)
    }
}
