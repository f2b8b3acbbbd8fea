package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// PrivateLink is a private network link to a source or destination (PrivateLinkResponse in
// the API's spec). Config is kept as the API sent it.
type PrivateLink struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	Region                 string          `json:"region"`
	Service                string          `json:"service"`
	State                  string          `json:"state"`
	StateSummary           string          `json:"state_summary"`
	Host                   string          `json:"host"`
	AccountID              string          `json:"account_id"`
	CloudProvider          string          `json:"cloud_provider"` // AWS, AZURE, GCP
	CreatedAt              *time.Time      `json:"created_at"`
	CreatedBy              string          `json:"created_by"`
	ResourceUpstreamStatus string          `json:"resource_upstream_status"`
	Config                 json.RawMessage `json:"config,omitempty"`
	// Raw is the private link as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (p *PrivateLink) setRaw(b json.RawMessage) { p.Raw = b }

// PrivateLinks: get_private_links, get_private_link_details, create_private_link,
// modify_private_link, delete_private_link.
func (c *Client) PrivateLinks() Family[PrivateLink] {
	return Family[PrivateLink]{c, "get_private_links", "get_private_link_details", "create_private_link", "modify_private_link", "delete_private_link", "privateLinkId"}
}

// ProxyAgent is a proxy agent that connections and destinations reach the network through
// (ProxyAgentWithCountsResponse in list items, ProxyAgentWithUsageResponse in details).
type ProxyAgent struct {
	ID               string     `json:"id"`
	AccountID        string     `json:"account_id"`
	DisplayName      string     `json:"display_name"`
	Region           string     `json:"region"`
	CreatedBy        string     `json:"created_by"`
	Version          string     `json:"version"`
	Status           string     `json:"status"`
	ConnectorCount   int        `json:"connector_count"`
	DestinationCount int        `json:"destination_count"`
	RegisteredAt     *time.Time `json:"registered_at"`
	// RegistredAt is how the API spelled registered_at before its spec was corrected
	// (go-fivetran's ProxyData.RegistredAt); RegisteredAt is filled from it when it is absent.
	RegistredAt *time.Time        `json:"registred_at,omitempty"`
	Usage       []ProxyAgentUsage `json:"usage,omitempty"`
	// Raw is the agent as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (p *ProxyAgent) setRaw(b json.RawMessage) {
	p.Raw = b
	if p.RegisteredAt == nil {
		p.RegisteredAt = p.RegistredAt
	}
}

// ProxyAgentUsage is a connection or destination that uses a proxy agent.
type ProxyAgentUsage struct {
	ID      string `json:"id"`
	Schema  string `json:"schema"` // the connection's schema; "" for a destination
	Service string `json:"service"`
}

// ProxyAgentSecrets are what creating a proxy agent or regenerating its secrets answers: the
// credentials the agent runs with, shown this once.
type ProxyAgentSecrets struct {
	AgentID          string `json:"agent_id"`
	AuthToken        string `json:"auth_token"`
	ClientCert       string `json:"client_cert"`
	ClientPrivateKey string `json:"client_private_key"`
	OrchestratorHost string `json:"orchestrator_host"`
	OrchestratorPort int    `json:"orchestrator_port"`
}

// ProxyAgentConnection is a connection that uses a proxy agent.
type ProxyAgentConnection struct {
	ConnectionID string `json:"connection_id"`
}

// ProxyAgentFamily: get_proxy_agent (the list), get_proxy_agent_details, create_proxy_agent,
// delete_proxy_agent, get_proxy_agent_connections and regenerate_secrets_proxy_agent. The API
// has no update.
type ProxyAgentFamily struct{ Family[ProxyAgent] }

// ProxyAgents is the proxy agents of the account.
func (c *Client) ProxyAgents() ProxyAgentFamily {
	return ProxyAgentFamily{Family[ProxyAgent]{c, "get_proxy_agent", "get_proxy_agent_details", "", "", "delete_proxy_agent", "agentId"}}
}

// Create creates a proxy agent (create_proxy_agent: {"display_name", "group_region"}) and
// returns its secrets; read the agent itself with Get(ctx, secrets.AgentID). It is not sent
// again after an ambiguous failure.
func (f ProxyAgentFamily) Create(ctx context.Context, body any) (*ProxyAgentSecrets, error) {
	return call[ProxyAgentSecrets](ctx, f.c, "create_proxy_agent", nil, body, "")
}

// RegenerateSecrets replaces the agent's secrets (regenerate_secrets_proxy_agent); the old
// ones stop working.
func (f ProxyAgentFamily) RegenerateSecrets(ctx context.Context, id string) (*ProxyAgentSecrets, error) {
	return call[ProxyAgentSecrets](ctx, f.c, "regenerate_secrets_proxy_agent", map[string]any{"agentId": id}, nil, "")
}

// Connections walks the connections that use the agent (get_proxy_agent_connections).
func (f ProxyAgentFamily) Connections(ctx context.Context, id string, params map[string]any) *Iter[ProxyAgentConnection] {
	return List[ProxyAgentConnection](ctx, f.c, "get_proxy_agent_connections", with(map[string]any{"agentId": id}, params))
}

// HybridAgent is a hybrid deployment agent, once called a local processing agent
// (HybridDeploymentAgentWithUsageResponse; Files and Token only on what Create, ReAuth and
// ResetCredentials answer).
type HybridAgent struct {
	ID             string             `json:"id"`
	DisplayName    string             `json:"display_name"`
	GroupID        string             `json:"group_id"`
	Version        string             `json:"version"`
	Enabled        bool               `json:"enabled"`
	Online         bool               `json:"online"`
	DeploymentType string             `json:"deployment_type"`
	CreatedBy      string             `json:"created_by"`
	RegisteredAt   *time.Time         `json:"registered_at"`
	UpdatedAt      *time.Time         `json:"updated_at"`
	LastUsedAt     *time.Time         `json:"last_used_at"`
	Usage          []HybridAgentUsage `json:"usage,omitempty"`
	Files          *HybridAgentFiles  `json:"files,omitempty"`
	Token          string             `json:"token,omitempty"`
	// Raw is the agent as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (h *HybridAgent) setRaw(b json.RawMessage) { h.Raw = b }

// HybridAgentUsage is a connection that runs on a hybrid deployment agent.
type HybridAgentUsage struct {
	ConnectionID string `json:"connection_id"`
	Schema       string `json:"schema"`
	Service      string `json:"service"`
}

// HybridAgentFiles are the files an agent is installed with, as the API sent them.
type HybridAgentFiles struct {
	ConfigJSON        string `json:"config_json"`
	AuthJSON          string `json:"auth_json"`
	DockerComposeYAML string `json:"docker_compose_yaml"`
}

// HybridAgentFamily: get_hybrid_deployment_agent_list, get_hybrid_deployment_agent,
// create_hybrid_deployment_agent, delete_hybrid_deployment_agent,
// re_auth_hybrid_deployment_agent and reset_hybrid_deployment_agent_credentials. The API has
// no update.
type HybridAgentFamily struct{ Family[HybridAgent] }

// HybridAgents is the hybrid deployment agents of the account.
func (c *Client) HybridAgents() HybridAgentFamily {
	return HybridAgentFamily{Family[HybridAgent]{c, "get_hybrid_deployment_agent_list", "get_hybrid_deployment_agent", "create_hybrid_deployment_agent", "", "delete_hybrid_deployment_agent", "agentId"}}
}

// ReAuth issues the agent new credentials (re_auth_hybrid_deployment_agent); authType is ""
// or the API's auth_type (AUTO, MANUAL). The answer carries the new Files and Token.
func (f HybridAgentFamily) ReAuth(ctx context.Context, id, authType string) (*HybridAgent, error) {
	body := map[string]any{}
	if authType != "" {
		body["auth_type"] = authType
	}
	return call[HybridAgent](ctx, f.c, "re_auth_hybrid_deployment_agent", map[string]any{"agentId": id}, body, "")
}

// ResetCredentials resets the agent's credentials (reset_hybrid_deployment_agent_credentials).
// The spec documents the answer without data; where the API sends the agent, it is returned.
func (f HybridAgentFamily) ResetCredentials(ctx context.Context, id string) (*HybridAgent, error) {
	return call[HybridAgent](ctx, f.c, "reset_hybrid_deployment_agent_credentials", map[string]any{"agentId": id}, nil, "")
}
