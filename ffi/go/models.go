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
