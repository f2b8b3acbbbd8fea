//! Pieces several resource families share: memberships (of users and teams, in groups and
//! connections), setup-test results and alerts, the setup state and networking method of
//! connections and destinations, table selections (resyncs, schema changes), the lenient decoders
//! the models use (`lenient`), and the macros that declare API enums and request bodies.

use crate::error::{Error, Result};
use crate::json::{RawJson, SecretJson};
use crate::secret::Secret;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod macros;
pub(crate) use macros::{api_enum, request_bodies};
pub mod required;

pub(crate) mod lenient;

api_enum! {
    /// `status.setup_state` of a connection, and `setup_status` of a destination.
    SetupState {
        /// The setup config is incomplete; the setup tests never succeeded.
        Incomplete = "incomplete",
        /// Properly set up.
        Connected = "connected",
        /// The setup config is broken.
        Broken = "broken",
    }
}

api_enum! {
    /// `networking_method`: how Fivetran reaches the source or destination.
    NetworkingMethod {
        /// Directly over the internet.
        Directly = "Directly",
        /// Through an SSH tunnel.
        SshTunnel = "SshTunnel",
        /// Through a private link.
        PrivateLink = "PrivateLink",
        /// Through a Fivetran proxy agent.
        ProxyAgent = "ProxyAgent",
        /// Through a proxy agent Fivetran does not manage.
        UnmanagedProxyAgent = "UnmanagedProxyAgent",
    }
}

/// `#[serde(default, with = "crate::api::common::opt_secret")]` for an `Option<Secret>` the API
/// sends (a new key's secret, an agent token): serialising exposes it, `Debug` never does.
pub(crate) mod opt_secret {
    use crate::secret::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secret) => s.serialize_some(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()).map(Secret::new))
    }
}

/// The same for a required `Secret` (an empty one when absent).
pub(crate) mod secret {
    use crate::secret::Secret;
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Secret, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(Secret::new(super::lenient::string(d)?))
    }
}

/// Serialises a `Secret` the caller is sending (a webhook's signing secret).
pub(crate) fn expose_opt<S: serde::Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    opt_secret::serialize(v, s)
}

/// A membership: a user's or a team's role in one group or one connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Membership {
    /// The group or connection id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// The role there (`Manage Destination`, `View Connection`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub role: String,
    /// When the membership was made.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}

/// `{"id": ..., "role": ...}`: a membership to add.
#[derive(Serialize)]
pub(crate) struct MembershipBody<'a> {
    pub id: &'a str,
    pub role: &'a str,
}

/// `{"config": ...}`: a resource's new configuration (secrets managers, private links).
#[derive(Serialize)]
pub(crate) struct ConfigBody<'a> {
    pub config: &'a SecretJson,
}

/// `{"role": ...}`: a membership's new role.
#[derive(Serialize)]
pub(crate) struct RoleBody<'a> {
    pub role: &'a str,
}

api_enum! {
    /// The result of one setup test.
    SetupTestStatus {
        /// Passed.
        Passed = "PASSED",
        /// Skipped.
        Skipped = "SKIPPED",
        /// Passed with a warning.
        Warning = "WARNING",
        /// Failed.
        Failed = "FAILED",
        /// The test job itself failed.
        JobFailed = "JOB_FAILED",
    }
}

/// A task or warning the API attaches to a resource (`{code, message, details}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Alert {
    /// A machine-readable code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: String,
    /// A human-readable message.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub message: Option<String>,
    /// More context, as sent (a string in the spec, sometimes an object on the wire).
    #[serde(default)]
    pub details: Option<RawJson>,
}

impl Alert {
    /// `details` as text: the string itself when it is a JSON string, else the raw JSON.
    pub fn details_text(&self) -> Option<String> {
        let raw = self.details.as_ref()?;
        match raw.parse::<String>() {
            Ok(s) => Some(s),
            Err(_) if raw.as_str() == "null" => None,
            Err(_) => Some(raw.as_str().to_owned()),
        }
    }
}

/// The result of one setup test (of a connection, destination, log service, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetupTest {
    /// What was tested.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// How it went.
    #[serde(default)]
    pub status: Option<SetupTestStatus>,
    /// Why, when it did not pass.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub message: Option<String>,
    /// More diagnostics, unparsed.
    #[serde(default)]
    pub details: Option<RawJson>,
}

/// `{"setup_tests": [...]}`: what a setup-test endpoint answers.
#[derive(Deserialize)]
pub(crate) struct SetupTestsResponse {
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub setup_tests: Vec<SetupTest>,
}

/// An empty JSON object, the body of actions that take no parameters (some endpoints refuse a
/// POST without a body).
pub(crate) const EMPTY_BODY: &[u8] = b"{}";

/// Options of a setup test run. The API wants a body even when nothing is set: the default sends
/// `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SetupTests {
    /// Trust the TLS certificates the test meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_certificates: Option<bool>,
    /// Trust the SSH fingerprints the test meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_fingerprints: Option<bool>,
}

impl SetupTests {
    /// Nothing set: sends `{}`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `trust_certificates`.
    pub fn trust_certificates(mut self, trust: bool) -> Self {
        self.trust_certificates = Some(trust);
        self
    }

    /// Sets `trust_fingerprints`.
    pub fn trust_fingerprints(mut self, trust: bool) -> Self {
        self.trust_fingerprints = Some(trust);
        self
    }
}

/// Tables by schema: `{"schema": ["table", ...]}`, the body of a table resync and the scope of a
/// scoped resync.
///
/// ```
/// let tables = fivetrex::TableSelection::new().table("public", "orders").tables("crm", ["accounts", "leads"]);
/// assert_eq!(
///     serde_json::to_value(&tables).unwrap(),
///     serde_json::json!({"crm": ["accounts", "leads"], "public": ["orders"]})
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TableSelection(BTreeMap<String, Vec<String>>);

impl TableSelection {
    /// Nothing selected yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one table of `schema`.
    pub fn table(mut self, schema: impl Into<String>, table: impl Into<String>) -> Self {
        self.0.entry(schema.into()).or_default().push(table.into());
        self
    }

    /// Adds tables of `schema`.
    pub fn tables<T: Into<String>>(mut self, schema: impl Into<String>, tables: impl IntoIterator<Item = T>) -> Self {
        self.0.entry(schema.into()).or_default().extend(tables.into_iter().map(Into::into));
        self
    }

    /// True when no table is selected.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }

    /// The selection, schema by schema.
    pub fn schemas(&self) -> &BTreeMap<String, Vec<String>> {
        &self.0
    }

    /// Refuses an empty selection, or a schema named without tables (which the API could read
    /// as "all of it"), before anything is sent.
    pub(crate) fn check(&self, what: &str) -> Result<()> {
        if self.0.is_empty() {
            return Err(Error::InvalidArgument(format!("{what}: no tables selected")));
        }
        if let Some((schema, _)) = self.0.iter().find(|(_, tables)| tables.is_empty()) {
            return Err(Error::InvalidArgument(format!("{what}: schema {schema:?} names no tables")));
        }
        if self.0.keys().chain(self.0.values().flatten()).any(String::is_empty) {
            return Err(Error::InvalidArgument(format!("{what}: empty schema or table name")));
        }
        Ok(())
    }
}

impl From<BTreeMap<String, Vec<String>>> for TableSelection {
    fn from(map: BTreeMap<String, Vec<String>>) -> Self {
        TableSelection(map)
    }
}
