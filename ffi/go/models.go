package fivetrex

import (
	"encoding/json"
	"time"
)

// User is a user of the account (users family). Raw holds every field as the API sent it.
type User struct {
	ID         string          `json:"id"`
	Email      string          `json:"email"`
	GivenName  string          `json:"given_name"`
	FamilyName string          `json:"family_name"`
	Verified   bool            `json:"verified"`
	Invited    bool            `json:"invited"`
	Active     bool            `json:"active"`
	Phone      string          `json:"phone"`
	Picture    string          `json:"picture"`
	Role       string          `json:"role"`
	LoggedInAt *time.Time      `json:"logged_in_at"`
	CreatedAt  *time.Time      `json:"created_at"`
	Raw        json.RawMessage `json:"-"`
}

func (u *User) setRaw(b json.RawMessage) { u.Raw = b }

// Team is a team of users (teams family).
type Team struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Role        string          `json:"role"`
	Raw         json.RawMessage `json:"-"`
}

func (t *Team) setRaw(b json.RawMessage) { t.Raw = b }

// Role is a role that users and teams can hold (roles family); roles have no id, Name is the key.
type Role struct {
	Name                string          `json:"name"`
	Description         string          `json:"description"`
	Scope               []string        `json:"scope"`
	IsCustom            bool            `json:"is_custom"`
	IsDeprecated        bool            `json:"is_deprecated"`
	ReplacementRoleName string          `json:"replacement_role_name"`
	Raw                 json.RawMessage `json:"-"`
}

func (r *Role) setRaw(b json.RawMessage) { r.Raw = b }

// Webhook is an account or group webhook (webhooks family). Secret arrives masked.
type Webhook struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"` // account or group
	URL       string          `json:"url"`
	Events    []string        `json:"events"`
	Active    bool            `json:"active"`
	Secret    string          `json:"secret"`
	GroupID   string          `json:"group_id"`
	CreatedAt *time.Time      `json:"created_at"`
	CreatedBy string          `json:"created_by"`
	Raw       json.RawMessage `json:"-"`
}

func (w *Webhook) setRaw(b json.RawMessage) { w.Raw = b }

// Destination is a group's warehouse (destinations family). Config is kept as the API sent it
// (its shape differs per service; secrets in it arrive masked).
type Destination struct {
	ID                        string          `json:"id"`
	GroupID                   string          `json:"group_id"`
	Service                   string          `json:"service"`
	Region                    string          `json:"region"`
	TimeZoneOffset            string          `json:"time_zone_offset"`
	SetupStatus               string          `json:"setup_status"`
	DaylightSavingTimeEnabled bool            `json:"daylight_saving_time_enabled"`
	NetworkingMethod          string          `json:"networking_method"`
	PrivateLinkID             string          `json:"private_link_id"`
	ProxyAgentID              string          `json:"proxy_agent_id"`
	HybridDeploymentAgentID   string          `json:"hybrid_deployment_agent_id"`
	ExternalSecretsManagerID  string          `json:"external_secrets_manager_id"`
	SetupTests                []SetupTest     `json:"setup_tests"`
	Config                    json.RawMessage `json:"config,omitempty"`
	Raw                       json.RawMessage `json:"-"`
}

func (d *Destination) setRaw(b json.RawMessage) { d.Raw = b }

// SetupTest is the outcome of one setup test of a destination or connection.
type SetupTest struct {
	Title   string          `json:"title"`
	Status  string          `json:"status"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
}

// ExternalLogging is a log service that receives the account's or a group's logs (external
// logging family).
type ExternalLogging struct {
	ID         string          `json:"id"`
	Service    string          `json:"service"`
	Enabled    bool            `json:"enabled"`
	Status     string          `json:"status"`
	SetupTests []SetupTest     `json:"setup_tests"`
	Config     json.RawMessage `json:"config,omitempty"`
	Raw        json.RawMessage `json:"-"`
}

func (l *ExternalLogging) setRaw(b json.RawMessage) { l.Raw = b }

// PrivateLink is a private network path to a source or destination (private links family).
type PrivateLink struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	Region                 string          `json:"region"`
	Service                string          `json:"service"`
	State                  string          `json:"state"`
	StateSummary           string          `json:"state_summary"`
	Host                   string          `json:"host"`
	AccountID              string          `json:"account_id"`
	CloudProvider          string          `json:"cloud_provider"`
	CreatedAt              *time.Time      `json:"created_at"`
	CreatedBy              string          `json:"created_by"`
	ResourceUpstreamStatus string          `json:"resource_upstream_status"`
	Config                 json.RawMessage `json:"config,omitempty"`
	Raw                    json.RawMessage `json:"-"`
}

func (p *PrivateLink) setRaw(b json.RawMessage) { p.Raw = b }

// ProxyAgent relays traffic to sources and destinations (proxy agents family). Usage is kept
// as sent.
type ProxyAgent struct {
	ID               string          `json:"id"`
	AccountID        string          `json:"account_id"`
	DisplayName      string          `json:"display_name"`
	Region           string          `json:"region"`
	Version          string          `json:"version"`
	Status           string          `json:"status"`
	RegisteredAt     *time.Time      `json:"registered_at"`
	CreatedBy        string          `json:"created_by"`
	ConnectorCount   int64           `json:"connector_count"`
	DestinationCount int64           `json:"destination_count"`
	Usage            json.RawMessage `json:"usage,omitempty"`
	Raw              json.RawMessage `json:"-"`
}

func (p *ProxyAgent) setRaw(b json.RawMessage) { p.Raw = b }

// HybridAgent runs syncs in the customer's own environment (hybrid deployment agents family).
// Usage is kept as sent.
type HybridAgent struct {
	ID             string          `json:"id"`
	DisplayName    string          `json:"display_name"`
	GroupID        string          `json:"group_id"`
	Version        string          `json:"version"`
	Enabled        bool            `json:"enabled"`
	Online         bool            `json:"online"`
	DeploymentType string          `json:"deployment_type"`
	CreatedBy      string          `json:"created_by"`
	RegisteredAt   *time.Time      `json:"registered_at"`
	UpdatedAt      *time.Time      `json:"updated_at"`
	LastUsedAt     *time.Time      `json:"last_used_at"`
	Usage          json.RawMessage `json:"usage,omitempty"`
	Raw            json.RawMessage `json:"-"`
}

func (h *HybridAgent) setRaw(b json.RawMessage) { h.Raw = b }

// Transformation is a dbt or quickstart transformation (transformations family). Schedule and
// TransformationConfig are kept as sent.
type Transformation struct {
	ID                   string          `json:"id"`
	Status               string          `json:"status"`
	Type                 string          `json:"type"`
	Paused               bool            `json:"paused"`
	Schedule             json.RawMessage `json:"schedule,omitempty"`
	CreatedByID          string          `json:"created_by_id"`
	CreatedAt            *time.Time      `json:"created_at"`
	LastStartedAt        *time.Time      `json:"last_started_at"`
	LastEndedAt          *time.Time      `json:"last_ended_at"`
	OutputModelNames     []string        `json:"output_model_names"`
	TransformationConfig json.RawMessage `json:"transformation_config,omitempty"`
	Raw                  json.RawMessage `json:"-"`
}

func (t *Transformation) setRaw(b json.RawMessage) { t.Raw = b }

// TransformationProject is a dbt project behind transformations (transformation projects
// family). ProjectConfig is kept as sent.
type TransformationProject struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Status        string          `json:"status"`
	Errors        []string        `json:"errors"`
	GroupID       string          `json:"group_id"`
	CreatedByID   string          `json:"created_by_id"`
	CreatedAt     *time.Time      `json:"created_at"`
	SetupTests    []SetupTest     `json:"setup_tests"`
	ProjectConfig json.RawMessage `json:"project_config,omitempty"`
	Raw           json.RawMessage `json:"-"`
}

func (t *TransformationProject) setRaw(b json.RawMessage) { t.Raw = b }

// ConnectorSDKPackage is an uploaded Connector SDK package (connector SDK packages family).
type ConnectorSDKPackage struct {
	ID            string          `json:"id"`
	ConnectionID  string          `json:"connection_id"`
	CreatedBy     string          `json:"created_by"`
	LastUpdatedBy string          `json:"last_updated_by"`
	CreatedAt     *time.Time      `json:"created_at"`
	UpdatedAt     *time.Time      `json:"updated_at"`
	Raw           json.RawMessage `json:"-"`
}

func (p *ConnectorSDKPackage) setRaw(b json.RawMessage) { p.Raw = b }

// ConnectorType is the metadata of one connector type (metadata_connectors). Config, Auth and
// SupportedFeatures are kept as sent.
type ConnectorType struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	Type                   string          `json:"type"`
	Description            string          `json:"description"`
	Icons                  []string        `json:"icons"`
	IconURL                string          `json:"icon_url"`
	LinkToDocs             string          `json:"link_to_docs"`
	LinkToERD              string          `json:"link_to_erd"`
	ConnectorClass         string          `json:"connector_class"`
	ServiceStatus          string          `json:"service_status"`
	ServiceStatusUpdatedAt string          `json:"service_status_updated_at"` // a date (2024-01-01) or a timestamp, as sent
	SupportedFeatures      json.RawMessage `json:"supported_features,omitempty"`
	Config                 json.RawMessage `json:"config,omitempty"`
	Auth                   json.RawMessage `json:"auth,omitempty"`
	Raw                    json.RawMessage `json:"-"`
}

func (t *ConnectorType) setRaw(b json.RawMessage) { t.Raw = b }
