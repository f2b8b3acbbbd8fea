package fivetrex

import (
	"context"
	"encoding/json"
)

// The connection's actions beyond create, read, update, delete and sync: its setup tests, its
// state, and its schema configuration (which schemas, tables and columns it syncs).

// RunConnectionSetupTests runs a connection's setup tests (run_setup_tests) and returns the
// connection with SetupTests filled. opts may be nil.
func (c *Client) RunConnectionSetupTests(ctx context.Context, id string, opts *SetupTestOptions) (*Connection, error) {
	if opts == nil {
		opts = &SetupTestOptions{}
	}
	return call[Connection](ctx, c, "run_setup_tests", map[string]any{"connectionId": id}, opts, "")
}

// ConnectionState reads the state a connection keeps between syncs (connection_state), as the
// API sent it.
func (c *Client) ConnectionState(ctx context.Context, id string) (json.RawMessage, error) {
	s, err := call[stateBody](ctx, c, "connection_state", map[string]any{"connectionId": id}, nil, "")
	if err != nil {
		return nil, err
	}
	return s.State, nil
}

// SetConnectionState replaces a connection's state (modify_connection_state) and returns the
// state the API kept. The API refuses it (KindConflict) while a sync runs: pause the
// connection first.
func (c *Client) SetConnectionState(ctx context.Context, id string, state any) (json.RawMessage, error) {
	s, err := call[stateBody](ctx, c, "modify_connection_state", map[string]any{"connectionId": id}, map[string]any{"state": state}, "")
	if err != nil {
		return nil, err
	}
	return s.State, nil
}

type stateBody struct {
	State json.RawMessage `json:"state"`
}

// SchemaConfig is what a connection syncs: its schemas, their tables and the tables' columns,
// keyed by their names in the source.
type SchemaConfig struct {
	EnableNewByDefault   *bool                   `json:"enable_new_by_default,omitempty"`
	SchemaChangeHandling string                  `json:"schema_change_handling"` // ALLOW_ALL, ALLOW_COLUMNS, BLOCK_ALL
	Schemas              map[string]SchemaTables `json:"schemas"`
	// Raw is the configuration as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (s *SchemaConfig) setRaw(b json.RawMessage) { s.Raw = b }

// SchemaTables is one schema of a connection and its tables.
type SchemaTables struct {
	NameInDestination string                 `json:"name_in_destination"`
	Enabled           bool                   `json:"enabled"`
	Tables            map[string]TableConfig `json:"tables"`
}

// TableConfig is one table of a schema and its columns.
type TableConfig struct {
	NameInDestination     string                  `json:"name_in_destination"`
	Enabled               bool                    `json:"enabled"`
	SyncMode              string                  `json:"sync_mode,omitempty"` // SOFT_DELETE, HISTORY, LIVE
	SupportsColumnsConfig *bool                   `json:"supports_columns_config,omitempty"`
	Columns               map[string]ColumnConfig `json:"columns,omitempty"`
}

// ColumnConfig is one column of a table.
type ColumnConfig struct {
	NameInDestination string `json:"name_in_destination"`
	Enabled           bool   `json:"enabled"`
	Hashed            bool   `json:"hashed"`
	IsPrimaryKey      *bool  `json:"is_primary_key,omitempty"`
}

// ConnectionSchemas is the schema configuration of one connection (Client.ConnectionSchemas).
// Every change takes a body as the API documents it (a struct or a map encoded as JSON), such
// as {"enabled": false} for a table, and returns the whole configuration after it.
type ConnectionSchemas struct {
	c  *Client
	id string
}

// ConnectionSchemas is the schema configuration of a connection: connection_schema_config,
// pre_create_connection_schema_config, reload_connection_schema_config,
// modify_connection_schema_config, modify_connection_database_schema_config,
// modify_connection_table_config, modify_connection_column_config, connection_column_config,
// delete_column_connection_config and delete_multiple_columns_connection_config.
func (c *Client) ConnectionSchemas(connectionID string) ConnectionSchemas {
	return ConnectionSchemas{c, connectionID}
}

func (s ConnectionSchemas) at(more map[string]any) map[string]any {
	return with(map[string]any{"connectionId": s.id}, more)
}

// Get reads the configuration. A connection whose schema was never read answers
// KindNotFound: Reload or Create it first.
func (s ConnectionSchemas) Get(ctx context.Context) (*SchemaConfig, error) {
	return call[SchemaConfig](ctx, s.c, "connection_schema_config", s.at(nil), nil, "")
}

// Create makes the configuration of a connection that has none yet, before its first sync.
func (s ConnectionSchemas) Create(ctx context.Context, body any) (*SchemaConfig, error) {
	return call[SchemaConfig](ctx, s.c, "pre_create_connection_schema_config", s.at(nil), body, "")
}

// Reload reads the source's schema again. excludeMode says what new objects become:
// "PRESERVE" keeps what was configured, "EXCLUDE" disables everything; "" is the API's
// default.
func (s ConnectionSchemas) Reload(ctx context.Context, excludeMode string) (*SchemaConfig, error) {
	body := map[string]any{}
	if excludeMode != "" {
		body["exclude_mode"] = excludeMode
	}
	return call[SchemaConfig](ctx, s.c, "reload_connection_schema_config", s.at(nil), body, "")
}

// Update changes the whole configuration ({"schema_change_handling": ..., "schemas": {...}}).
func (s ConnectionSchemas) Update(ctx context.Context, body any) (*SchemaConfig, error) {
	return call[SchemaConfig](ctx, s.c, "modify_connection_schema_config", s.at(nil), body, "")
}

// UpdateSchema changes one schema ({"enabled": ..., "tables": {...}}).
func (s ConnectionSchemas) UpdateSchema(ctx context.Context, schema string, body any) (*SchemaConfig, error) {
	return call[SchemaConfig](ctx, s.c, "modify_connection_database_schema_config", s.at(map[string]any{"schemaName": schema}), body, "")
}

// UpdateTable changes one table ({"enabled": ..., "sync_mode": ..., "columns": {...}}).
func (s ConnectionSchemas) UpdateTable(ctx context.Context, schema, table string, body any) (*SchemaConfig, error) {
	return call[SchemaConfig](ctx, s.c, "modify_connection_table_config", s.at(map[string]any{"schemaName": schema, "tableName": table}), body, "")
}

// UpdateColumn changes one column ({"enabled": ..., "hashed": ..., "is_primary_key": ...};
// the API requires "enabled").
func (s ConnectionSchemas) UpdateColumn(ctx context.Context, schema, table, column string, body any) (*SchemaConfig, error) {
	p := s.at(map[string]any{"schemaName": schema, "tableName": table, "columnName": column})
	return call[SchemaConfig](ctx, s.c, "modify_connection_column_config", p, body, "")
}

// Columns reads the columns of one table (connection_column_config), keyed by their names in
// the source.
func (s ConnectionSchemas) Columns(ctx context.Context, schema, table string) (map[string]ColumnConfig, error) {
	out, err := call[columnsBody](ctx, s.c, "connection_column_config", s.at(map[string]any{"schema": schema, "table": table}), nil, "")
	if err != nil {
		return nil, err
	}
	return out.Columns, nil
}

type columnsBody struct {
	Columns map[string]ColumnConfig `json:"columns"`
}

// DropColumn drops one column from the destination (delete_column_connection_config): its
// data is gone. confirm must repeat column, or nothing is sent (KindConfirmationRequired).
func (s ConnectionSchemas) DropColumn(ctx context.Context, schema, table, column, confirm string) error {
	p := s.at(map[string]any{"schemaName": schema, "tableName": table, "columnName": column})
	return send(ctx, s.c, "delete_column_connection_config", p, nil, confirm)
}

// DropColumns drops several columns from the destination
// (delete_multiple_columns_connection_config; body as the API documents it: {"schemas":
// {...}}): their data is gone. confirm must repeat the connection's id, or nothing is sent
// (KindConfirmationRequired).
func (s ConnectionSchemas) DropColumns(ctx context.Context, body any, confirm string) error {
	return send(ctx, s.c, "delete_multiple_columns_connection_config", s.at(nil), body, confirm)
}
