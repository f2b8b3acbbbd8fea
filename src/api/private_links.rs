//! Private links: private network paths between Fivetran and a source or destination in AWS,
//! Azure or GCP. The `config` differs for each service and is kept as JSON.

use crate::api::common::{api_enum, lenient, ConfigBody};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::json::{RawJson, SecretJson};
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/private-links`
    GET_PRIVATE_LINKS = Operation::get("get_private_links", "/v1/private-links").paged();
    /// `POST /v1/private-links`
    CREATE_PRIVATE_LINK = Operation::post("create_private_link", "/v1/private-links").created();
    /// `GET /v1/private-links/{privateLinkId}`
    GET_PRIVATE_LINK_DETAILS = Operation::get("get_private_link_details", "/v1/private-links/{privateLinkId}");
    /// `DELETE /v1/private-links/{privateLinkId}`
    DELETE_PRIVATE_LINK = Operation::delete("delete_private_link", "/v1/private-links/{privateLinkId}");
    /// `PATCH /v1/private-links/{privateLinkId}`
    MODIFY_PRIVATE_LINK = Operation::patch("modify_private_link", "/v1/private-links/{privateLinkId}");
}

api_enum! {
    /// Where a private link is in its life.
    PrivateLinkState {
        /// Being set up.
        Creating = "CREATING",
        /// Being changed.
        Updating = "UPDATING",
        /// Being removed.
        Destroying = "DESTROYING",
        /// Ready.
        Ok = "OK",
        /// Setup failed (`state_summary` says why).
        Fail = "FAIL",
    }
}

/// A private link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrivateLink {
    /// The link's id (what connections and destinations refer to).
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Where Fivetran processes data (`AWS_US_EAST_1`, `GCP_EUROPE_WEST3`, ...).
    #[serde(default)]
    pub region: Option<String>,
    /// What it connects to (`SNOWFLAKE_AWS`, `SOURCE_GCP`, ...).
    #[serde(default)]
    pub service: Option<String>,
    /// Its state.
    #[serde(default)]
    pub state: Option<PrivateLinkState>,
    /// Why it is in that state.
    #[serde(default)]
    pub state_summary: Option<String>,
    /// The endpoint service's DNS name.
    #[serde(default)]
    pub host: Option<String>,
    /// The cloud account it lives in.
    #[serde(default)]
    pub account_id: Option<String>,
    /// `AWS`, `AZURE` or `GCP`.
    #[serde(default)]
    pub cloud_provider: Option<String>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// Who created it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// The upstream resource's status.
    #[serde(default)]
    pub resource_upstream_status: Option<String>,
    /// The service-specific configuration (masked in `Debug`).
    #[serde(default)]
    pub config: Option<RawJson>,
}

/// A private link to create.
///
/// ```
/// use serde_json::json;
/// let link = fivetrex::NewPrivateLink::new("my-link", "AWS_US_EAST_1", "SNOWFLAKE_AWS",
///     json!({"private_link_service_name": "com.amazonaws.vpce.us-east-1.vpce-svc-1"}));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NewPrivateLink {
    /// Its name.
    pub name: String,
    /// Where Fivetran processes data.
    pub region: String,
    /// What it connects to.
    pub service: String,
    /// The service-specific configuration.
    pub config: SecretJson,
}

impl NewPrivateLink {
    /// A link with every required field.
    pub fn new(
        name: impl Into<String>,
        region: impl Into<String>,
        service: impl Into<String>,
        config: impl Into<SecretJson>,
    ) -> Self {
        NewPrivateLink { name: name.into(), region: region.into(), service: service.into(), config: config.into() }
    }
}

impl Client {
    /// Walks every private link of the account.
    pub fn private_links(&self) -> List<PrivateLink> {
        self.list(&GET_PRIVATE_LINKS, &[])
    }

    /// One private link.
    pub fn private_link(&self, private_link_id: &str) -> Result<PrivateLink> {
        self.call(&GET_PRIVATE_LINK_DETAILS, &[private_link_id], &[], None)
    }

    /// Creates a private link (set-up continues in the background: watch `state`).
    pub fn create_private_link(&self, link: &NewPrivateLink) -> Result<PrivateLink> {
        self.call(&CREATE_PRIVATE_LINK, &[], &[], Some(&to_body(link)?))
    }

    /// Changes a private link's configuration.
    pub fn update_private_link(&self, private_link_id: &str, config: &SecretJson) -> Result<PrivateLink> {
        let body = to_body(&ConfigBody { config })?;
        self.call(&MODIFY_PRIVATE_LINK, &[private_link_id], &[], Some(&body))
    }

    /// Marks a private link for deletion.
    pub fn delete_private_link(&self, private_link_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_PRIVATE_LINK, &[private_link_id], None)
    }
}
