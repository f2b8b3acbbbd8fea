//! Connections (formerly connectors): the pipelines from a source into a destination.

use crate::endpoint::Operation;
use crate::json::RawJson;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/connections`
    LIST_CONNECTIONS = Operation::get("list_connections", "/v1/connections").v2().paged();
}

/// A connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// The connection's id.
    pub id: String,
    /// The group it belongs to.
    #[serde(default)]
    pub group_id: String,
    /// The source service (`postgres`, `salesforce`, ...).
    #[serde(default)]
    pub service: String,
    /// The schema (connection) name.
    #[serde(default)]
    pub schema: String,
    /// Whether the connection is paused.
    #[serde(default)]
    pub paused: bool,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// When the last sync succeeded.
    #[serde(default, with = "crate::time::opt_serde")]
    pub succeeded_at: Option<Timestamp>,
    /// When the last sync failed.
    #[serde(default, with = "crate::time::opt_serde")]
    pub failed_at: Option<Timestamp>,
    /// Service-specific configuration, unparsed (secrets masked in `Debug`).
    #[serde(default)]
    pub config: Option<RawJson>,
}
