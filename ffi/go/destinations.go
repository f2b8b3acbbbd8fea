package fivetrex

import (
	"context"
	"encoding/json"
)

// Destination is where a group's connections load (DestinationExtendedResponse in the API's
// spec; list items lack Config and SetupTests). Config is kept as the API sent it: its shape
// differs per service, and secrets in it arrive masked.
type Destination struct {
	ID                        string `json:"id"`
	GroupID                   string `json:"group_id"`
	Service                   string `json:"service"`
	Region                    string `json:"region"`
	TimeZoneOffset            string `json:"time_zone_offset"`
	SetupStatus               string `json:"setup_status"` // incomplete, connected, broken
	DaylightSavingTimeEnabled bool   `json:"daylight_saving_time_enabled"`
	NetworkingMethod          string `json:"networking_method"`
	PrivateLinkID             string `json:"private_link_id"`
	ProxyAgentID              string `json:"proxy_agent_id"`
	HybridDeploymentAgentID   string `json:"hybrid_deployment_agent_id"`
	// LocalProcessingAgentID is the older name of the hybrid deployment agent's id.
	LocalProcessingAgentID   string          `json:"local_processing_agent_id"`
	ExternalSecretsManagerID string          `json:"external_secrets_manager_id"`
	Config                   json.RawMessage `json:"config,omitempty"`
	SetupTests               []SetupTest     `json:"setup_tests,omitempty"`
	// Raw is the destination as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (d *Destination) setRaw(b json.RawMessage) { d.Raw = b }

// NewDestination is what DestinationFamily.Create sends; unset fields are left out.
type NewDestination struct {
	GroupID                   string         `json:"group_id"`
	Service                   string         `json:"service"`
	Region                    string         `json:"region,omitempty"`
	TimeZoneOffset            string         `json:"time_zone_offset,omitempty"`
	TrustCertificates         *bool          `json:"trust_certificates,omitempty"`
	TrustFingerprints         *bool          `json:"trust_fingerprints,omitempty"`
	RunSetupTests             *bool          `json:"run_setup_tests,omitempty"`
	DaylightSavingTimeEnabled *bool          `json:"daylight_saving_time_enabled,omitempty"`
	NetworkingMethod          string         `json:"networking_method,omitempty"`
	PrivateLinkID             string         `json:"private_link_id,omitempty"`
	ProxyAgentID              string         `json:"proxy_agent_id,omitempty"`
	HybridDeploymentAgentID   string         `json:"hybrid_deployment_agent_id,omitempty"`
	Config                    map[string]any `json:"config,omitempty"`
}

// SetupTestOptions are what the setup-test runs of destinations send: whether to trust the
// certificates and fingerprints the tests meet.
type SetupTestOptions struct {
	TrustCertificates bool `json:"trust_certificates,omitempty"`
	TrustFingerprints bool `json:"trust_fingerprints,omitempty"`
}

// DestinationFamily: list_destinations, destination_details, create_destination,
// modify_destination, delete_destination, run_destination_setup_tests, and the destination's
// certificates and fingerprints.
type DestinationFamily struct{ Family[Destination] }

// Destinations is the destinations of the account (one per group).
func (c *Client) Destinations() DestinationFamily {
	return DestinationFamily{Family[Destination]{c, "list_destinations", "destination_details", "create_destination", "modify_destination", "delete_destination", "destinationId"}}
}

// RunSetupTests runs the destination's setup tests (run_destination_setup_tests) and returns
// the destination with SetupTests filled. opts may be nil.
func (f DestinationFamily) RunSetupTests(ctx context.Context, id string, opts *SetupTestOptions) (*Destination, error) {
	if opts == nil {
		opts = &SetupTestOptions{}
	}
	return call[Destination](ctx, f.c, "run_destination_setup_tests", map[string]any{"destinationId": id}, opts, "")
}

// Certificates are the TLS certificates approved for a destination
// (get_destination_certificates_list, get_destination_certificate_details,
// approve_destination_certificate, revoke_destination_certificate).
func (f DestinationFamily) Certificates(destinationID string) Certificates {
	return Certificates{newApprovals[Certificate](f.c, "destination", destinationID, "certificate")}
}

// Fingerprints are the SSH host key fingerprints approved for a destination
// (get_destination_fingerprints_list, get_destination_fingerprint_details,
// approve_destination_fingerprint, revoke_destination_fingerprint).
func (f DestinationFamily) Fingerprints(destinationID string) Fingerprints {
	return Fingerprints{newApprovals[Fingerprint](f.c, "destination", destinationID, "fingerprint")}
}
