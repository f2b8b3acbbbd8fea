//! Connector metadata: the source types Fivetran offers (names, icons, features, docs) and the
//! configuration fields of one type. One endpoint is public and sent without credentials.

use crate::api::common::lenient;
use crate::client::Client;
use crate::endpoint::Operation;
use crate::error::{snippet, Error, Result};
use crate::json::RawJson;
use crate::page::List;
use crate::time::Timestamp;
use crate::wire::decode;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/metadata/connector-types`
    METADATA_CONNECTORS = Operation::get("metadata_connectors", "/v1/metadata/connector-types").paged();
    /// `GET /v1/metadata/connector-types/{service}`
    METADATA_CONNECTOR_CONFIG =
        Operation::get("metadata_connector_config", "/v1/metadata/connector-types/{service}");
    /// `GET /public/connector-types` (no credentials)
    METADATA_PUBLIC_CONNECTORS =
        Operation::get("metadata_public_connectors", "/public/connector-types").public();
}

/// A source type (`google_ads`, `postgres`, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectorType {
    /// The service id, as connections' `service` names it.
    pub id: String,
    /// The display name (`Google Ads`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// The category (`Marketing`, `Database`, ...).
    #[serde(rename = "type", default)]
    pub category: Option<String>,
    /// A one-line description.
    #[serde(default)]
    pub description: Option<String>,
    /// Icon URLs in several formats.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub icons: Vec<String>,
    /// The main icon's URL.
    #[serde(default)]
    pub icon_url: Option<String>,
    /// The documentation.
    #[serde(default)]
    pub link_to_docs: Option<String>,
    /// The entity-relationship diagram, if there is one.
    #[serde(default)]
    pub link_to_erd: Option<String>,
    /// `standard` or `lite`.
    #[serde(default)]
    pub connector_class: Option<String>,
    /// Availability (`general_availability`, `beta`, `private_preview`, `sunset`, ...).
    #[serde(default)]
    pub service_status: Option<String>,
    /// When the availability last changed.
    #[serde(default, with = "crate::time::opt_serde")]
    pub service_status_updated_at: Option<Timestamp>,
    /// What the type supports.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub supported_features: Vec<Feature>,
    /// The configuration fields (JSON schema), in one type's details only.
    #[serde(default)]
    pub config: Option<RawJson>,
    /// The authorisation fields (JSON schema), in one type's details only.
    #[serde(default)]
    pub auth: Option<RawJson>,
    /// Which fields an external secrets manager can supply, in one type's details only.
    #[serde(default)]
    pub external_secrets_keys_config: Option<RawJson>,
}

/// One feature of a source type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Feature {
    /// `CAPTURE_DELETES`, `HISTORY`, `API_CONFIGURABLE`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// Caveats.
    #[serde(default)]
    pub notes: Option<String>,
}

/// The public endpoint's answer. Its `data` is documented as one type, but the endpoint
/// describes every type: a list, a page (`items`) and a single object are all accepted. The
/// shape is read from the raw text (untagged enums cannot hold the types' raw `config`).
type PublicResponse = crate::wire::Envelope<RawJson>;

#[derive(Deserialize)]
struct PublicPage {
    items: Vec<ConnectorType>,
}

fn public_types(status: u16, data: &RawJson) -> Result<Vec<ConnectorType>> {
    let text = data.as_str().trim_start();
    if text.starts_with('[') {
        return decode(status, text.as_bytes());
    }
    let has_items = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
        .map(|m| m.get("items").is_some_and(serde_json::Value::is_array))
        .unwrap_or(false);
    if has_items {
        decode::<PublicPage>(status, text.as_bytes()).map(|p| p.items)
    } else {
        decode::<ConnectorType>(status, text.as_bytes()).map(|t| vec![t])
    }
}

impl Client {
    /// Walks every source type.
    pub fn connector_types(&self) -> List<ConnectorType> {
        self.list(&METADATA_CONNECTORS, &[])
    }

    /// One source type with its configuration and authorisation fields.
    pub fn connector_type(&self, service: &str) -> Result<ConnectorType> {
        self.call(&METADATA_CONNECTOR_CONFIG, &[service], &[], None)
    }

    /// The source types from the public endpoint, sent without credentials (for sign-up pages
    /// and catalogues).
    pub fn public_connector_types(&self) -> Result<Vec<ConnectorType>> {
        let response = self.execute(&self.request(&METADATA_PUBLIC_CONNECTORS, &[], &[])?)?;
        let answer: PublicResponse = self.decode(response.status, &response.body)?;
        match answer.data {
            Some(data) => public_types(response.status, &data),
            None => Err(Error::Decode {
                status: response.status,
                message: "the answer has no `data`".into(),
                snippet: snippet(&response.body),
            }),
        }
    }
}
