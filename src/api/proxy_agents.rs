//! Proxy agents: programs in the customer's network that relay Fivetran's traffic to sources
//! Fivetran cannot reach directly.

use crate::api::common::{api_enum, lenient, EMPTY_BODY};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::secret::Secret;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/proxy`
    GET_PROXY_AGENT = Operation::get("get_proxy_agent", "/v1/proxy").paged();
    /// `POST /v1/proxy`
    CREATE_PROXY_AGENT = Operation::post("create_proxy_agent", "/v1/proxy").created();
    /// `GET /v1/proxy/{agentId}`
    GET_PROXY_AGENT_DETAILS = Operation::get("get_proxy_agent_details", "/v1/proxy/{agentId}");
    /// `DELETE /v1/proxy/{agentId}`
    DELETE_PROXY_AGENT = Operation::delete("delete_proxy_agent", "/v1/proxy/{agentId}");
    /// `GET /v1/proxy/{agentId}/connections`
    GET_PROXY_AGENT_CONNECTIONS =
        Operation::get("get_proxy_agent_connections", "/v1/proxy/{agentId}/connections").paged();
    /// `POST /v1/proxy/{agentId}/regenerate-secrets` (the old secrets stop working)
    REGENERATE_SECRETS_PROXY_AGENT =
        Operation::post("regenerate_secrets_proxy_agent", "/v1/proxy/{agentId}/regenerate-secrets");
}

api_enum! {
    /// Whether a proxy agent is connected to Fivetran.
    ProxyAgentStatus {
        /// Running and connected.
        Connected = "CONNECTED",
        /// Registered but not connected.
        NotConnected = "NOT_CONNECTED",
        /// Fivetran has never heard from it.
        NotFound = "NOT_FOUND",
    }
}

/// A proxy agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProxyAgent {
    /// The agent's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// The account it belongs to.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The region it serves (`GCP_US_EAST4`, ...).
    #[serde(default)]
    pub region: Option<String>,
    /// The agent's version.
    #[serde(default)]
    pub version: Option<String>,
    /// Whether it is connected.
    #[serde(default)]
    pub status: Option<ProxyAgentStatus>,
    /// When it registered.
    #[serde(default, with = "crate::time::opt_serde")]
    pub registered_at: Option<Timestamp>,
    /// Who created it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// How many connections use it (in lists).
    #[serde(default)]
    pub connector_count: Option<u64>,
    /// How many destinations use it (in lists).
    #[serde(default)]
    pub destination_count: Option<u64>,
    /// The connections that use it (in one agent's details).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub usage: Vec<ProxyAgentUsage>,
}

/// A connection that uses a proxy agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProxyAgentUsage {
    /// The connection's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// The connection's schema name.
    #[serde(default)]
    pub schema: Option<String>,
    /// The connection's service.
    #[serde(default)]
    pub service: Option<String>,
}

/// What an agent needs to connect, returned on creation and on regeneration only. `Debug` hides
/// the token and the private key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProxyAgentSecrets {
    /// The agent's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub agent_id: String,
    /// The token the agent authenticates with.
    #[serde(default, with = "crate::api::common::secret")]
    pub auth_token: Secret,
    /// The agent's client certificate (PEM).
    #[serde(default)]
    pub client_cert: Option<String>,
    /// The certificate's private key (PEM).
    #[serde(default, with = "crate::api::common::secret")]
    pub client_private_key: Secret,
    /// Where the agent connects.
    #[serde(default)]
    pub orchestrator_host: Option<String>,
    /// The port it connects to.
    #[serde(default)]
    pub orchestrator_port: Option<u16>,
}

/// A connection attached to a proxy agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProxyAgentConnection {
    /// The connection's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub connection_id: String,
}

#[derive(Serialize)]
struct NewProxyAgent<'a> {
    display_name: &'a str,
    group_region: &'a str,
}

impl Client {
    /// Walks every proxy agent of the account.
    pub fn proxy_agents(&self) -> List<ProxyAgent> {
        self.list(&GET_PROXY_AGENT, &[])
    }

    /// One proxy agent, with the connections that use it.
    pub fn proxy_agent(&self, agent_id: &str) -> Result<ProxyAgent> {
        // The spec documents this answer without the usual envelope; accept both forms.
        let response = self.execute(&self.request(&GET_PROXY_AGENT_DETAILS, &[agent_id], &[])?)?;
        match self.decode::<crate::wire::Envelope<ProxyAgent>>(response.status, &response.body)?.data {
            Some(agent) => Ok(agent),
            None => self.decode(response.status, &response.body),
        }
    }

    /// Creates a proxy agent in `region`; the answer holds the secrets the agent needs, shown
    /// only this once.
    pub fn create_proxy_agent(&self, display_name: &str, region: &str) -> Result<ProxyAgentSecrets> {
        let body = to_body(&NewProxyAgent { display_name, group_region: region })?;
        self.call(&CREATE_PROXY_AGENT, &[], &[], Some(&body))
    }

    /// Deletes a proxy agent (refused with a conflict while connections use it).
    pub fn delete_proxy_agent(&self, agent_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_PROXY_AGENT, &[agent_id], None)
    }

    /// Walks the connections attached to a proxy agent.
    pub fn proxy_agent_connections(&self, agent_id: &str) -> List<ProxyAgentConnection> {
        self.list(&GET_PROXY_AGENT_CONNECTIONS, &[agent_id])
    }

    /// Issues new secrets for a proxy agent; the old ones stop working.
    pub fn regenerate_proxy_agent_secrets(&self, agent_id: &str) -> Result<ProxyAgentSecrets> {
        self.call(&REGENERATE_SECRETS_PROXY_AGENT, &[agent_id], &[], Some(EMPTY_BODY))
    }
}
