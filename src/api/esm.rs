//! External secrets managers (ESM): AWS Secrets Manager, Azure Key Vault or HashiCorp Vault
//! holding the credentials connections and destinations use. Two lists page with `next_cursor`
//! although the spec declares no `cursor`/`limit` for them; the client follows the cursor and
//! sends no page size.

use crate::api::common::{api_enum, lenient, ConfigBody};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::json::{RawJson, SecretJson};
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/external-secrets-managers`
    LIST_ESMS = Operation::get("list_esms", "/v1/external-secrets-managers").paged();
    /// `POST /v1/external-secrets-managers`
    CREATE_ESM = Operation::post("create_esm", "/v1/external-secrets-managers").created();
    /// `GET /v1/external-secrets-managers-entities`
    LIST_ESM_ENTITIES =
        Operation::get("list_esm_entities", "/v1/external-secrets-managers-entities").paged_undeclared();
    /// `GET /v1/external-secrets-managers/{esmId}`
    GET_ESM_DETAILS = Operation::get("get_esm_details", "/v1/external-secrets-managers/{esmId}");
    /// `DELETE /v1/external-secrets-managers/{esmId}`
    DELETE_ESM = Operation::delete("delete_esm", "/v1/external-secrets-managers/{esmId}");
    /// `PATCH /v1/external-secrets-managers/{esmId}`
    MODIFY_ESM = Operation::patch("modify_esm", "/v1/external-secrets-managers/{esmId}");
    /// `GET /v1/external-secrets-managers/{esmId}/entities`
    GET_ESM_ENTITIES =
        Operation::get("get_esm_entities", "/v1/external-secrets-managers/{esmId}/entities").paged_undeclared();
}

api_enum! {
    /// The kind of an external secrets manager.
    EsmType {
        /// AWS Secrets Manager.
        AwsSecretManager = "AWS_SECRET_MANAGER",
        /// Azure Key Vault.
        AzureKeyVault = "AZURE_KEY_VAULT",
        /// HashiCorp Vault.
        HashicorpVault = "HASHICORP_VAULT",
    }
}

/// An external secrets manager.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Esm {
    /// Its id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// Its kind.
    #[serde(rename = "type", default)]
    pub kind: Option<EsmType>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether it is reached through a hybrid deployment agent.
    #[serde(default)]
    pub is_hybrid_deployment: Option<bool>,
    /// Kind-specific configuration (secrets masked in `Debug`).
    #[serde(default)]
    pub config: Option<RawJson>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, with = "crate::time::opt_serde")]
    pub updated_at: Option<Timestamp>,
}

/// An external secrets manager to create.
///
/// ```
/// use fivetrex::EsmType;
/// use serde_json::json;
/// let esm = fivetrex::NewEsm::new(EsmType::AwsSecretManager, "prod secrets", json!({"region": "us-east-1"}));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NewEsm {
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: EsmType,
    /// Its name.
    pub name: String,
    /// Kind-specific configuration.
    pub config: SecretJson,
    /// Whether it is reached through a hybrid deployment agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_hybrid_deployment: Option<bool>,
}

impl NewEsm {
    /// A secrets manager of `kind` with its configuration.
    pub fn new(kind: EsmType, name: impl Into<String>, config: impl Into<SecretJson>) -> Self {
        NewEsm { kind, name: name.into(), config: config.into(), is_hybrid_deployment: None }
    }

    /// Reached through a hybrid deployment agent.
    pub fn hybrid_deployment(mut self, hybrid: bool) -> Self {
        self.is_hybrid_deployment = Some(hybrid);
        self
    }
}

/// A connection or destination whose credentials come from a secrets manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EsmEntity {
    /// The connection's or destination's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// `SOURCE` or `DESTINATION`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Whether it is enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The secrets manager it uses.
    #[serde(default)]
    pub secret_manager_id: Option<String>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
}

impl Client {
    /// Walks every external secrets manager.
    pub fn esms(&self) -> List<Esm> {
        self.list(&LIST_ESMS, &[])
    }

    /// One external secrets manager.
    pub fn esm(&self, esm_id: &str) -> Result<Esm> {
        self.call(&GET_ESM_DETAILS, &[esm_id], &[], None)
    }

    /// Creates an external secrets manager.
    pub fn create_esm(&self, esm: &NewEsm) -> Result<Esm> {
        self.call(&CREATE_ESM, &[], &[], Some(&to_body(esm)?))
    }

    /// Changes an external secrets manager's configuration.
    pub fn update_esm(&self, esm_id: &str, config: &SecretJson) -> Result<Esm> {
        let body = to_body(&ConfigBody { config })?;
        self.call(&MODIFY_ESM, &[esm_id], &[], Some(&body))
    }

    /// Deletes an external secrets manager.
    pub fn delete_esm(&self, esm_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_ESM, &[esm_id], None)
    }

    /// Walks every connection and destination that uses a secrets manager. Filters:
    /// `.query("esm_id", ..)`, `.query("type", "source")`.
    pub fn esm_entities(&self) -> List<EsmEntity> {
        self.list(&LIST_ESM_ENTITIES, &[])
    }

    /// Walks the connections and destinations that use one secrets manager. Filter:
    /// `.query("type", "destination")`.
    pub fn esm_entities_of(&self, esm_id: &str) -> List<EsmEntity> {
        self.list(&GET_ESM_ENTITIES, &[esm_id])
    }
}
