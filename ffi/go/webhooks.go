package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// Webhook sends events of the account or of one group to a URL (WebhookResponse in the API's
// spec). Secret arrives masked.
type Webhook struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"` // account or group
	URL       string     `json:"url"`
	Events    []string   `json:"events"`
	Active    bool       `json:"active"`
	Secret    string     `json:"secret"`
	GroupID   string     `json:"group_id"`
	CreatedAt *time.Time `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	// Raw is the webhook as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (w *Webhook) setRaw(b json.RawMessage) { w.Raw = b }

// NewWebhook is what CreateForAccount and CreateForGroup send; unset fields are left out.
type NewWebhook struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Active *bool    `json:"active,omitempty"`
	Secret string   `json:"secret,omitempty"`
}

// WebhookTest is the outcome of a test event sent to a webhook's URL.
type WebhookTest struct {
	Succeed bool   `json:"succeed"`
	Status  int    `json:"status"` // the HTTP status the URL answered
	Message string `json:"message"`
}

// WebhookFamily: list_all_webhooks, webhook_details, modify_webhook, delete_webhook,
// create_account_webhook, create_group_webhook and test_webhook. Create is not supported:
// use CreateForAccount or CreateForGroup.
type WebhookFamily struct{ Family[Webhook] }

// Webhooks is the webhooks of the account and of its groups.
func (c *Client) Webhooks() WebhookFamily {
	return WebhookFamily{Family[Webhook]{c, "list_all_webhooks", "webhook_details", "", "modify_webhook", "delete_webhook", "webhookId"}}
}

// CreateForAccount creates a webhook that takes the events of every group
// (create_account_webhook). body is a NewWebhook or any value encoded as JSON.
func (f WebhookFamily) CreateForAccount(ctx context.Context, body any) (*Webhook, error) {
	return call[Webhook](ctx, f.c, "create_account_webhook", nil, body, "")
}

// CreateForGroup creates a webhook that takes the events of one group (create_group_webhook).
func (f WebhookFamily) CreateForGroup(ctx context.Context, groupID string, body any) (*Webhook, error) {
	return call[Webhook](ctx, f.c, "create_group_webhook", map[string]any{"groupId": groupID}, body, "")
}

// Test sends a test event ("sync_start", "sync_end", ...) to the webhook's URL (test_webhook)
// and returns how the URL answered.
func (f WebhookFamily) Test(ctx context.Context, id, event string) (*WebhookTest, error) {
	return call[WebhookTest](ctx, f.c, "test_webhook", map[string]any{"webhookId": id}, map[string]any{"event": event}, "")
}
