//! Hybrid deployment agents: Fivetran's processing engine run in the customer's own environment
//! (Docker, Podman, Kubernetes, Snowpark).

use crate::api::common::{lenient, EMPTY_BODY};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::secret::Secret;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/hybrid-deployment-agents` (filter: `groupId`, camelCase)
    GET_HYBRID_DEPLOYMENT_AGENT_LIST =
        Operation::get("get_hybrid_deployment_agent_list", "/v1/hybrid-deployment-agents").paged();
    /// `POST /v1/hybrid-deployment-agents`
    CREATE_HYBRID_DEPLOYMENT_AGENT =
        Operation::post("create_hybrid_deployment_agent", "/v1/hybrid-deployment-agents").created();
    /// `GET /v1/hybrid-deployment-agents/{agentId}`
    GET_HYBRID_DEPLOYMENT_AGENT =
        Operation::get("get_hybrid_deployment_agent", "/v1/hybrid-deployment-agents/{agentId}");
    /// `DELETE /v1/hybrid-deployment-agents/{agentId}`
    DELETE_HYBRID_DEPLOYMENT_AGENT =
        Operation::delete("delete_hybrid_deployment_agent", "/v1/hybrid-deployment-agents/{agentId}");
    /// `PATCH /v1/hybrid-deployment-agents/{agentId}/re-auth`
    RE_AUTH_HYBRID_DEPLOYMENT_AGENT =
        Operation::patch("re_auth_hybrid_deployment_agent", "/v1/hybrid-deployment-agents/{agentId}/re-auth");
    /// `POST /v1/hybrid-deployment-agents/{agentId}/reset-credentials`
    RESET_HYBRID_DEPLOYMENT_AGENT_CREDENTIALS = Operation::post(
        "reset_hybrid_deployment_agent_credentials",
        "/v1/hybrid-deployment-agents/{agentId}/reset-credentials"
    );
}

/// A hybrid deployment agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HybridDeploymentAgent {
    /// The agent's id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The group it belongs to.
    #[serde(default)]
    pub group_id: Option<String>,
    /// The agent's version.
    #[serde(default)]
    pub version: Option<String>,
    /// Whether it is enabled.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// Whether it is connected now.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub online: bool,
    /// Where it runs (`DOCKER`, `PODMAN`, `KUBERNETES`, `SNOWPARK`).
    #[serde(default)]
    pub deployment_type: Option<String>,
    /// Who created it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// When it registered.
    #[serde(default, with = "crate::time::opt_serde")]
    pub registered_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, with = "crate::time::opt_serde")]
    pub updated_at: Option<Timestamp>,
    /// When it was last used.
    #[serde(default, with = "crate::time::opt_serde")]
    pub last_used_at: Option<Timestamp>,
    /// The connections that use it.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub usage: Vec<HybridDeploymentAgentUsage>,
}

/// A connection that uses a hybrid deployment agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HybridDeploymentAgentUsage {
    /// The connection's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub connection_id: String,
    /// The connection's schema name.
    #[serde(default)]
    pub schema: Option<String>,
    /// The connection's service.
    #[serde(default)]
    pub service: Option<String>,
}

/// A new or re-authenticated agent: its details plus what installing it needs, shown only this
/// once. `Debug` hides the token and the `auth.json` file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HybridDeploymentAgentSetup {
    /// The agent.
    #[serde(flatten)]
    pub agent: HybridDeploymentAgent,
    /// The agent's files, for automatic authentication.
    #[serde(default)]
    pub files: Option<HybridDeploymentAgentFiles>,
    /// The agent's token, for manual authentication.
    #[serde(default, with = "crate::api::common::opt_secret")]
    pub token: Option<Secret>,
}

/// The files an agent is installed with, each base64-encoded as the API sends them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HybridDeploymentAgentFiles {
    /// `config.json`.
    #[serde(default)]
    pub config_json: Option<String>,
    /// `auth.json`, which holds the agent's credentials.
    #[serde(default, with = "crate::api::common::secret")]
    pub auth_json: Secret,
    /// `docker-compose.yaml`.
    #[serde(default)]
    pub docker_compose_yaml: Option<String>,
}

/// A hybrid deployment agent to create.
///
/// ```
/// let agent = fivetrex::NewHybridDeploymentAgent::new("group_1", "on-prem", "DOCKER").auth_type("AUTO");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NewHybridDeploymentAgent {
    /// The group it serves.
    pub group_id: String,
    /// Its name.
    pub display_name: String,
    /// Where it will run (`DOCKER`, `PODMAN`, `KUBERNETES`, `SNOWPARK`).
    pub env_type: String,
    /// Acceptance of the hybrid deployment terms (required to be true).
    pub accept_terms: bool,
    /// `AUTO` (files come back) or `MANUAL` (a token comes back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
}

impl NewHybridDeploymentAgent {
    /// An agent for `group_id`, accepting the terms.
    pub fn new(group_id: impl Into<String>, display_name: impl Into<String>, env_type: impl Into<String>) -> Self {
        NewHybridDeploymentAgent {
            group_id: group_id.into(),
            display_name: display_name.into(),
            env_type: env_type.into(),
            accept_terms: true,
            auth_type: None,
        }
    }

    /// `AUTO` or `MANUAL`.
    pub fn auth_type(mut self, auth_type: impl Into<String>) -> Self {
        self.auth_type = Some(auth_type.into());
        self
    }
}

#[derive(Serialize)]
struct ReAuthBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_type: Option<&'a str>,
}

impl Client {
    /// Walks every hybrid deployment agent of the account.
    pub fn hybrid_deployment_agents(&self) -> List<HybridDeploymentAgent> {
        self.list(&GET_HYBRID_DEPLOYMENT_AGENT_LIST, &[])
    }

    /// Walks the hybrid deployment agents of one group (the API's `groupId` filter).
    pub fn group_hybrid_deployment_agents(&self, group_id: &str) -> List<HybridDeploymentAgent> {
        self.list(&GET_HYBRID_DEPLOYMENT_AGENT_LIST, &[]).query("groupId", group_id)
    }

    /// One hybrid deployment agent.
    pub fn hybrid_deployment_agent(&self, agent_id: &str) -> Result<HybridDeploymentAgent> {
        self.call(&GET_HYBRID_DEPLOYMENT_AGENT, &[agent_id], &[], None)
    }

    /// Creates a hybrid deployment agent; the answer holds its files or token, shown only this once.
    pub fn create_hybrid_deployment_agent(
        &self,
        agent: &NewHybridDeploymentAgent,
    ) -> Result<HybridDeploymentAgentSetup> {
        self.call(&CREATE_HYBRID_DEPLOYMENT_AGENT, &[], &[], Some(&to_body(agent)?))
    }

    /// Issues new authentication for an agent (`AUTO` or `MANUAL`, or the agent's current kind).
    pub fn reauth_hybrid_deployment_agent(
        &self,
        agent_id: &str,
        auth_type: Option<&str>,
    ) -> Result<HybridDeploymentAgentSetup> {
        let body = to_body(&ReAuthBody { auth_type })?;
        self.call(&RE_AUTH_HYBRID_DEPLOYMENT_AGENT, &[agent_id], &[], Some(&body))
    }

    /// Resets an agent's credentials.
    pub fn reset_hybrid_deployment_agent_credentials(&self, agent_id: &str) -> Result<ActionResponse> {
        self.action(&RESET_HYBRID_DEPLOYMENT_AGENT_CREDENTIALS, &[agent_id], Some(EMPTY_BODY))
    }

    /// Deletes a hybrid deployment agent.
    pub fn delete_hybrid_deployment_agent(&self, agent_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_HYBRID_DEPLOYMENT_AGENT, &[agent_id], None)
    }
}
