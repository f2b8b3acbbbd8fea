//! HVR hub registration: connects a self-hosted HVR 6 hub to the Fivetran account.

use crate::client::{to_body, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `POST /v1/hvr/register-hub`
    HVR_REGISTER_HUB = Operation::post("hvr_register_hub", "/v1/hvr/register-hub");
}

/// The hub to register.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HvrHub {
    /// The hub server's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_server_url: Option<String>,
    /// The hub server's port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The hub certificate's fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl HvrHub {
    /// A hub at `hub_server_url:port` with certificate `fingerprint`.
    pub fn new(hub_server_url: impl Into<String>, port: u16, fingerprint: impl Into<String>) -> Self {
        HvrHub { hub_server_url: Some(hub_server_url.into()), port: Some(port), fingerprint: Some(fingerprint.into()) }
    }
}

/// A registration: its id and the token the hub uses (hidden from `Debug`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HvrRegistration {
    /// The registration's id.
    #[serde(default)]
    pub registration_id: Option<String>,
    /// The hub's access token.
    #[serde(default, with = "crate::api::common::opt_secret")]
    pub access_token: Option<Secret>,
}

impl Client {
    /// Registers an HVR hub. Not retried after an ambiguous failure.
    pub fn register_hvr_hub(&self, hub: &HvrHub) -> Result<HvrRegistration> {
        self.call(&HVR_REGISTER_HUB, &[], &[], Some(&to_body(hub)?))
    }
}
