package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// AccountInfo is the account and the user or system key the client's credentials belong to.
type AccountInfo struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	UserID      string `json:"user_id"`
	SystemKeyID string `json:"system_key_id"`
}

// Account reads the account the client's credentials belong to (get_account_info).
func (c *Client) Account(ctx context.Context) (*AccountInfo, error) {
	return call[AccountInfo](ctx, c, "get_account_info", nil, nil, "")
}

// SystemKey is an API key of the account not tied to a user (SystemKeyResponse in the API's
// spec). Secret is shown whole only by Create and Rotate, masked elsewhere.
type SystemKey struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Key         string            `json:"key"`
	Secret      string            `json:"secret"`
	Permissions []json.RawMessage `json:"permissions"`
	CreatedAt   *time.Time        `json:"created_at"`
	UpdatedAt   *time.Time        `json:"updated_at"`
	ExpiredAt   *time.Time        `json:"expired_at"`
	LastUsedAt  *time.Time        `json:"last_used_at"`
	// Raw is the key as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (k *SystemKey) setRaw(b json.RawMessage) { k.Raw = b }

// String leaves the secret out, so a key can be logged.
func (k SystemKey) String() string { return "SystemKey{" + k.ID + " " + k.Name + " " + k.Key + "}" }

// SystemKeyFamily: get_system_keys, get_system_key_details, create_system_key,
// update_system_key, delete_system_key and rotate_system_key.
type SystemKeyFamily struct{ Family[SystemKey] }

// SystemKeys is the system keys of the account.
func (c *Client) SystemKeys() SystemKeyFamily {
	return SystemKeyFamily{Family[SystemKey]{c, "get_system_keys", "get_system_key_details", "create_system_key", "update_system_key", "delete_system_key", "keyId"}}
}

// Rotate replaces the key's key and secret (rotate_system_key); expirationPeriod is "" or the
// API's expiration_period for the new secret. The answer shows the new secret this once.
func (f SystemKeyFamily) Rotate(ctx context.Context, id, expirationPeriod string) (*SystemKey, error) {
	body := map[string]any{}
	if expirationPeriod != "" {
		body["expiration_period"] = expirationPeriod
	}
	return call[SystemKey](ctx, f.c, "rotate_system_key", map[string]any{"keyId": id}, body, "")
}

// SecretsManager is an external secrets manager the account reads credentials from
// (SecretsManagerResponse in the API's spec). Config is kept as the API sent it.
type SecretsManager struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Name               string          `json:"name"`
	IsHybridDeployment bool            `json:"is_hybrid_deployment"`
	Config             json.RawMessage `json:"config,omitempty"`
	CreatedAt          *time.Time      `json:"created_at"`
	UpdatedAt          *time.Time      `json:"updated_at"`
	// Raw is the manager as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (m *SecretsManager) setRaw(b json.RawMessage) { m.Raw = b }

// SecretsManagerEntity is a connection or destination that uses an external secrets manager
// (SecretsManagerEntityItem in the API's spec).
type SecretsManagerEntity struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Enabled         bool            `json:"enabled"`
	Type            string          `json:"type"` // SOURCE, DESTINATION
	SecretManagerID string          `json:"secret_manager_id"`
	CreatedAt       *time.Time      `json:"created_at"`
	Raw             json.RawMessage `json:"-"`
}

func (e *SecretsManagerEntity) setRaw(b json.RawMessage) { e.Raw = b }

// SecretsManagerFamily: list_esms, get_esm_details, create_esm, modify_esm, delete_esm,
// get_esm_entities and list_esm_entities.
type SecretsManagerFamily struct{ Family[SecretsManager] }

// SecretsManagers is the external secrets managers of the account.
func (c *Client) SecretsManagers() SecretsManagerFamily {
	return SecretsManagerFamily{Family[SecretsManager]{c, "list_esms", "get_esm_details", "create_esm", "modify_esm", "delete_esm", "esmId"}}
}

// Entities walks the connections and destinations that use one manager (get_esm_entities),
// or every manager when id is "" (list_esm_entities).
func (f SecretsManagerFamily) Entities(ctx context.Context, id string, params map[string]any) *Iter[SecretsManagerEntity] {
	if id == "" {
		return List[SecretsManagerEntity](ctx, f.c, "list_esm_entities", params)
	}
	return List[SecretsManagerEntity](ctx, f.c, "get_esm_entities", with(map[string]any{"esmId": id}, params))
}
