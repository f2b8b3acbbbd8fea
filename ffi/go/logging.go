package fivetrex

import (
	"context"
	"encoding/json"
)

// ExternalLogging is a log service that receives a group's logs (LogExtendedResponse in the
// API's spec; its id is the group's). Config is kept as the API sent it, secrets masked.
type ExternalLogging struct {
	ID         string          `json:"id"`
	Service    string          `json:"service"` // cloudwatch, datadog_log, splunkLog, ...
	Enabled    bool            `json:"enabled"`
	Status     *LogStatus      `json:"status,omitempty"`
	Config     json.RawMessage `json:"config,omitempty"`
	SetupTests []SetupTest     `json:"setup_tests,omitempty"`
	// Raw is the log service as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (l *ExternalLogging) setRaw(b json.RawMessage) { l.Raw = b }

// LogStatus is the setup status of a log service.
type LogStatus struct {
	SetupState string  `json:"setup_state"`
	Tasks      []Alert `json:"tasks"`
}

// UnmarshalJSON reads the spec's object, and a bare string (as some servers send) as
// SetupState.
func (s *LogStatus) UnmarshalJSON(b []byte) error {
	var state string
	if err := json.Unmarshal(b, &state); err == nil {
		*s = LogStatus{SetupState: state}
		return nil
	}
	type plain LogStatus // without this method
	return json.Unmarshal(b, (*plain)(s))
}

// ExternalLoggingFamily: list_log_services, get_log_service_details, add_log_service,
// update_log_service, delete_log_service and run_setup_tests_log_service.
type ExternalLoggingFamily struct{ Family[ExternalLogging] }

// ExternalLogging is the log services of the account's groups.
func (c *Client) ExternalLogging() ExternalLoggingFamily {
	return ExternalLoggingFamily{Family[ExternalLogging]{c, "list_log_services", "get_log_service_details", "add_log_service", "update_log_service", "delete_log_service", "logId"}}
}

// RunSetupTests runs the log service's setup tests (run_setup_tests_log_service).
func (f ExternalLoggingFamily) RunSetupTests(ctx context.Context, id string) ([]SetupTest, error) {
	r, err := call[struct {
		SetupTests []SetupTest `json:"setup_tests"`
	}](ctx, f.c, "run_setup_tests_log_service", map[string]any{"logId": id}, nil, "")
	if err != nil {
		return nil, err
	}
	return r.SetupTests, nil
}

// Account reads the account-level log service (get_account_log_service_details).
func (f ExternalLoggingFamily) Account(ctx context.Context) (*ExternalLogging, error) {
	return call[ExternalLogging](ctx, f.c, "get_account_log_service_details", nil, nil, "")
}

// CreateAccount adds the account-level log service (add_account_log_service).
func (f ExternalLoggingFamily) CreateAccount(ctx context.Context, body any) (*ExternalLogging, error) {
	return call[ExternalLogging](ctx, f.c, "add_account_log_service", nil, body, "")
}

// UpdateAccount changes the account-level log service (update_account_log_service).
func (f ExternalLoggingFamily) UpdateAccount(ctx context.Context, body any) (*ExternalLogging, error) {
	return call[ExternalLogging](ctx, f.c, "update_account_log_service", nil, body, "")
}

// DeleteAccount removes the account-level log service (delete_account_log_service). The
// operation names no id, so confirm must be the operationId itself,
// "delete_account_log_service", or nothing is sent (KindConfirmationRequired).
func (f ExternalLoggingFamily) DeleteAccount(ctx context.Context, confirm string) error {
	return send(ctx, f.c, "delete_account_log_service", nil, nil, confirm)
}

// RunAccountSetupTests runs the account-level log service's setup tests
// (run_setup_tests_account_log_service).
func (f ExternalLoggingFamily) RunAccountSetupTests(ctx context.Context) ([]SetupTest, error) {
	r, err := call[struct {
		SetupTests []SetupTest `json:"setup_tests"`
	}](ctx, f.c, "run_setup_tests_account_log_service", nil, nil, "")
	if err != nil {
		return nil, err
	}
	return r.SetupTests, nil
}
