package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// ConnectorSDKPackage is an uploaded Connector SDK package (ConnectorSdkPackageResponse in the
// API's spec).
type ConnectorSDKPackage struct {
	ID             string     `json:"id"`
	ConnectionID   string     `json:"connection_id"`
	CreatedBy      string     `json:"created_by"`
	LastUpdatedBy  string     `json:"last_updated_by"`
	CreatedAt      *time.Time `json:"created_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
	FileSHA256Hash string     `json:"file_sha256_hash"`
	// Raw is the package as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (p *ConnectorSDKPackage) setRaw(b json.RawMessage) { p.Raw = b }

// ConnectorSDKPackageFamily: list_connector_sdk_packages, get_connector_sdk_package,
// delete_connector_sdk_package; create and update send a file (Upload, Replace).
type ConnectorSDKPackageFamily struct{ Family[ConnectorSDKPackage] }

// ConnectorSDKPackages is the Connector SDK packages of the account.
func (c *Client) ConnectorSDKPackages() ConnectorSDKPackageFamily {
	return ConnectorSDKPackageFamily{Family[ConnectorSDKPackage]{c: c, list: "list_connector_sdk_packages", get: "get_connector_sdk_package", delete: "delete_connector_sdk_package", idParam: "package_id"}}
}

// Upload creates a package from a file (create_connector_sdk_package, a multipart upload). It
// is not sent again after an ambiguous failure.
func (f ConnectorSDKPackageFamily) Upload(ctx context.Context, fileName string, data []byte) (*ConnectorSDKPackage, error) {
	return Data[ConnectorSDKPackage](f.c.Upload(ctx, "create_connector_sdk_package", nil, fileName, data, ""))
}

// Replace replaces a package's file (update_connector_sdk_package, a multipart upload).
func (f ConnectorSDKPackageFamily) Replace(ctx context.Context, id, fileName string, data []byte) (*ConnectorSDKPackage, error) {
	return Data[ConnectorSDKPackage](f.c.Upload(ctx, "update_connector_sdk_package", map[string]any{"package_id": id}, fileName, data, ""))
}

// UploadPackage creates a package from a file, or with a non-empty id replaces that package's
// file: ConnectorSDKPackages().Upload or Replace.
func (c *Client) UploadPackage(ctx context.Context, id, fileName string, data []byte) (*ConnectorSDKPackage, error) {
	if id == "" {
		return c.ConnectorSDKPackages().Upload(ctx, fileName, data)
	}
	return c.ConnectorSDKPackages().Replace(ctx, id, fileName, data)
}

// ConnectorType is the metadata of a connector type (MetadataResponseShort in lists,
// MetadataResponse from ConnectorType, which adds Config and Auth: JSON schemas kept as sent).
type ConnectorType struct {
	ID             string   `json:"id"` // the service name, as in Connection.Service
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	Description    string   `json:"description"`
	IconURL        string   `json:"icon_url"`
	Icons          []string `json:"icons"`
	LinkToDocs     string   `json:"link_to_docs"`
	LinkToERD      string   `json:"link_to_erd"`
	ConnectorClass string   `json:"connector_class"`
	ServiceStatus  string   `json:"service_status"`
	// ServiceStatusUpdatedAt is kept as sent: the API has sent it as a date and as a time.
	ServiceStatusUpdatedAt string          `json:"service_status_updated_at"`
	SupportedFeatures      json.RawMessage `json:"supported_features,omitempty"`
	Config                 json.RawMessage `json:"config,omitempty"`
	Auth                   json.RawMessage `json:"auth,omitempty"`
	// Raw is the metadata as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (t *ConnectorType) setRaw(b json.RawMessage) { t.Raw = b }

// ConnectorTypes walks the metadata of the connector types (metadata_connectors).
func (c *Client) ConnectorTypes(ctx context.Context, params map[string]any) *Iter[ConnectorType] {
	return List[ConnectorType](ctx, c, "metadata_connectors", params)
}

// ConnectorType reads one connector type's metadata with its config and auth schemas
// (metadata_connector_config).
func (c *Client) ConnectorType(ctx context.Context, service string) (*ConnectorType, error) {
	return call[ConnectorType](ctx, c, "metadata_connector_config", map[string]any{"service": service}, nil, "")
}

// ConnectCard is a Connect Card: a link where someone sets up a connection's credentials
// (ConnectorConnectCardResponse in the API's spec).
type ConnectCard struct {
	ConnectionID string `json:"connector_id"`
	ConnectCard  struct {
		Token string `json:"token"`
		URI   string `json:"uri"`
	} `json:"connect_card"`
	ConnectCardConfig ConnectCardConfig `json:"connect_card_config"`
	// Raw is the answer's data as the API sent it.
	Raw json.RawMessage `json:"-"`
}

func (c *ConnectCard) setRaw(b json.RawMessage) { c.Raw = b }

// ConnectCardConfig is how a Connect Card behaves.
type ConnectCardConfig struct {
	RedirectURI    string `json:"redirect_uri"`
	HideSetupGuide bool   `json:"hide_setup_guide,omitempty"`
	AllFields      bool   `json:"all_fields,omitempty"`
}

// ConnectCard makes a Connect Card for a connection (connect_card).
func (c *Client) ConnectCard(ctx context.Context, connectionID string, config ConnectCardConfig) (*ConnectCard, error) {
	body := map[string]any{"connect_card_config": config}
	return call[ConnectCard](ctx, c, "connect_card", map[string]any{"connectionId": connectionID}, body, "")
}
