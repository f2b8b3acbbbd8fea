//! A connection's schema config: which schemas, tables and columns it syncs, and how.
//!
//! Maps are keyed by the names in the source. Names go into paths percent-encoded, so a table
//! called `a/b c%` stays one path segment. Unknown fields in answers are ignored; fields the
//! API may leave out are `Option`s.

use crate::api::common::{api_enum, lenient, TableSelection};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::operations! {
    /// `GET /v1/connections/{connectionId}/schemas`
    CONNECTION_SCHEMA_CONFIG = Operation::get("connection_schema_config", "/v1/connections/{connectionId}/schemas");
    /// `POST /v1/connections/{connectionId}/schemas`
    PRE_CREATE_CONNECTION_SCHEMA_CONFIG = Operation::post("pre_create_connection_schema_config", "/v1/connections/{connectionId}/schemas");
    /// `PATCH /v1/connections/{connectionId}/schemas`
    MODIFY_CONNECTION_SCHEMA_CONFIG = Operation::patch("modify_connection_schema_config", "/v1/connections/{connectionId}/schemas");
    /// `POST /v1/connections/{connectionId}/schemas/drop-columns`
    DELETE_MULTIPLE_COLUMNS_CONNECTION_CONFIG = Operation::post("delete_multiple_columns_connection_config", "/v1/connections/{connectionId}/schemas/drop-columns");
    /// `POST /v1/connections/{connectionId}/schemas/reload`
    RELOAD_CONNECTION_SCHEMA_CONFIG = Operation::post("reload_connection_schema_config", "/v1/connections/{connectionId}/schemas/reload").repeatable();
    /// `POST /v1/connections/{connectionId}/schemas/tables/resync`
    RESYNC_TABLES = Operation::post("resync_tables", "/v1/connections/{connectionId}/schemas/tables/resync");
    /// `PATCH /v1/connections/{connectionId}/schemas/{schemaName}`
    MODIFY_CONNECTION_DATABASE_SCHEMA_CONFIG = Operation::patch("modify_connection_database_schema_config", "/v1/connections/{connectionId}/schemas/{schemaName}");
    /// `PATCH /v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}`
    MODIFY_CONNECTION_TABLE_CONFIG = Operation::patch("modify_connection_table_config", "/v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}");
    /// `DELETE /v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}/columns/{columnName}`
    DELETE_COLUMN_CONNECTION_CONFIG = Operation::delete("delete_column_connection_config", "/v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}/columns/{columnName}");
    /// `PATCH /v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}/columns/{columnName}`
    MODIFY_CONNECTION_COLUMN_CONFIG = Operation::patch("modify_connection_column_config", "/v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}/columns/{columnName}");
    /// `GET /v1/connections/{connectionId}/schemas/{schema}/tables/{table}/columns`
    CONNECTION_COLUMN_CONFIG = Operation::get("connection_column_config", "/v1/connections/{connectionId}/schemas/{schema}/tables/{table}/columns");
}

api_enum! {
    /// What happens to schemas, tables and columns that appear in the source later.
    SchemaChangeHandling {
        /// Everything new is synced.
        AllowAll = "ALLOW_ALL",
        /// New columns of enabled tables are synced; new schemas and tables are not.
        AllowColumns = "ALLOW_COLUMNS",
        /// Nothing new is synced.
        BlockAll = "BLOCK_ALL",
    }
}

api_enum! {
    /// How a table's changes land in the destination.
    SyncMode {
        /// Deleted rows are marked, not removed.
        SoftDelete = "SOFT_DELETE",
        /// Every version of a row is kept.
        History = "HISTORY",
        /// The destination mirrors the source.
        Live = "LIVE",
    }
}

api_enum! {
    /// What a schema reload does to schemas and tables the user has not touched.
    ExcludeMode {
        /// Keep their current state (the API's default).
        Preserve = "PRESERVE",
        /// Exclude them from syncs.
        Exclude = "EXCLUDE",
    }
}

/// A connection's whole schema config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SchemaConfig {
    /// Whether new schemas, tables and columns are enabled by default.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub enable_new_by_default: Option<bool>,
    /// What happens to things that appear in the source later.
    #[serde(default)]
    pub schema_change_handling: Option<SchemaChangeHandling>,
    /// The schemas, by source name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub schemas: BTreeMap<String, DatabaseSchemaConfig>,
}

/// One schema's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseSchemaConfig {
    /// The schema's name in the destination.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name_in_destination: Option<String>,
    /// Whether it is synced.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// Its tables, by source name.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tables: BTreeMap<String, TableConfig>,
}

/// One table's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TableConfig {
    /// The table's name in the destination.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name_in_destination: Option<String>,
    /// Whether it is synced.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// How changes land.
    #[serde(default)]
    pub sync_mode: Option<SyncMode>,
    /// Whether (and why not) `enabled` may be changed.
    #[serde(default)]
    pub enabled_patch_settings: Option<PatchSettings>,
    /// Whether its columns can be configured one by one.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub supports_columns_config: Option<bool>,
    /// Whether it supports the history sync mode.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub supports_history_mode: Option<bool>,
    /// Its columns, by source name (often left out until asked for with
    /// [`Client::table_columns`]).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub columns: BTreeMap<String, ColumnConfig>,
}

/// One column's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ColumnConfig {
    /// The column's name in the destination.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name_in_destination: Option<String>,
    /// Whether it is synced.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// Whether its values are hashed.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub hashed: bool,
    /// Whether it is part of the primary key.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub is_primary_key: Option<bool>,
    /// Whether (and why not) `enabled` may be changed.
    #[serde(default)]
    pub enabled_patch_settings: Option<PatchSettings>,
}

/// Whether a table's or column's `enabled` may be changed, and why not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PatchSettings {
    /// Whether it may be changed.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub allowed: bool,
    /// Why not, in words.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub reason: Option<String>,
    /// Why not, as a code (`SYSTEM_TABLE`, `SYSTEM_COLUMN`, `DELETED`, `OTHER`, ...).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub reason_code: Option<String>,
}

/// Changes to a whole schema config, or a new one (see [`Client::create_schema_config`]).
/// Unset fields and empty maps are not sent.
///
/// ```
/// use fivetrex::api::schemas::{ColumnUpdate, DatabaseSchemaUpdate, SchemaChangeHandling, SchemaConfigUpdate, TableUpdate};
/// let changes = SchemaConfigUpdate::new()
///     .schema_change_handling(SchemaChangeHandling::AllowColumns)
///     .schema("public", DatabaseSchemaUpdate::new().enabled(true)
///         .table("users", TableUpdate::new().column("email", ColumnUpdate::new().hashed(true))));
/// assert_eq!(serde_json::to_value(&changes).unwrap(), serde_json::json!({
///     "schema_change_handling": "ALLOW_COLUMNS",
///     "schemas": {"public": {"enabled": true, "tables": {"users": {"columns": {"email": {"hashed": true}}}}}}
/// }));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SchemaConfigUpdate {
    /// What happens to things that appear in the source later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_change_handling: Option<SchemaChangeHandling>,
    /// Lock destination types to the types first seen in the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_type_locked: Option<bool>,
    /// Schemas to change, by source name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub schemas: BTreeMap<String, DatabaseSchemaUpdate>,
}

/// Changes to one schema.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DatabaseSchemaUpdate {
    /// Sync it or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Tables to change, by source name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, TableUpdate>,
}

/// Changes to one table.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TableUpdate {
    /// Sync it or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How changes land.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_mode: Option<SyncMode>,
    /// Columns to change, by source name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, ColumnUpdate>,
}

/// Changes to one column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ColumnUpdate {
    /// Sync it or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Hash its values or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hashed: Option<bool>,
    /// Make it part of the primary key or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_primary_key: Option<bool>,
}

impl SchemaConfigUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `schema_change_handling`.
    pub fn schema_change_handling(mut self, handling: SchemaChangeHandling) -> Self {
        self.schema_change_handling = Some(handling);
        self
    }

    /// Sets `is_type_locked`.
    pub fn is_type_locked(mut self, locked: bool) -> Self {
        self.is_type_locked = Some(locked);
        self
    }

    /// Changes schema `name`.
    pub fn schema(mut self, name: impl Into<String>, changes: DatabaseSchemaUpdate) -> Self {
        self.schemas.insert(name.into(), changes);
        self
    }
}

impl DatabaseSchemaUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `enabled`.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Changes table `name`.
    pub fn table(mut self, name: impl Into<String>, changes: TableUpdate) -> Self {
        self.tables.insert(name.into(), changes);
        self
    }
}

impl TableUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `enabled`.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Sets `sync_mode`.
    pub fn sync_mode(mut self, mode: SyncMode) -> Self {
        self.sync_mode = Some(mode);
        self
    }

    /// Changes column `name`.
    pub fn column(mut self, name: impl Into<String>, changes: ColumnUpdate) -> Self {
        self.columns.insert(name.into(), changes);
        self
    }
}

impl ColumnUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `enabled`.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Sets `hashed`.
    pub fn hashed(mut self, hashed: bool) -> Self {
        self.hashed = Some(hashed);
        self
    }

    /// Sets `is_primary_key`.
    pub fn is_primary_key(mut self, key: bool) -> Self {
        self.is_primary_key = Some(key);
        self
    }
}

/// Columns to drop from the destination, by schema and table (they must be blocked first).
///
/// ```
/// let cols = fivetrex::api::schemas::ColumnSelection::new().column("public", "users", "ssn");
/// assert_eq!(serde_json::to_value(&cols).unwrap(),
///     serde_json::json!({"schemas": {"public": {"tables": {"users": {"columns": ["ssn"]}}}}}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ColumnSelection {
    schemas: BTreeMap<String, DropSchema>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
struct DropSchema {
    tables: BTreeMap<String, DropTable>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
struct DropTable {
    columns: Vec<String>,
}

impl ColumnSelection {
    /// Nothing selected yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds column `column` of `schema`.`table`.
    pub fn column(mut self, schema: impl Into<String>, table: impl Into<String>, column: impl Into<String>) -> Self {
        let t = self.schemas.entry(schema.into()).or_default().tables.entry(table.into()).or_default();
        t.columns.push(column.into());
        self
    }

    /// True when no column is selected.
    pub fn is_empty(&self) -> bool {
        self.schemas.values().flat_map(|s| s.tables.values()).all(|t| t.columns.is_empty())
    }
}

#[derive(Deserialize)]
struct Columns {
    #[serde(default, deserialize_with = "lenient::null_default")]
    columns: BTreeMap<String, ColumnConfig>,
}

impl Client {
    /// The connection's schema config.
    pub fn schema_config(&self, connection_id: &str) -> Result<SchemaConfig> {
        self.call(&CONNECTION_SCHEMA_CONFIG, &[connection_id], &[], None)
    }

    /// Reads the source's schema again and returns the new config. `exclude_mode` decides what
    /// happens to what the user has not configured (`None` lets the API choose: `PRESERVE`).
    pub fn reload_schema_config(&self, connection_id: &str, exclude_mode: Option<ExcludeMode>) -> Result<SchemaConfig> {
        let body = match exclude_mode {
            Some(mode) => to_body(&serde_json::json!({ "exclude_mode": mode }))?,
            None => b"{}".to_vec(),
        };
        self.call(&RELOAD_CONNECTION_SCHEMA_CONFIG, &[connection_id], &[], Some(&body))
    }

    /// Sets up the schema config of a connection that has none yet (before its first sync).
    pub fn create_schema_config(&self, connection_id: &str, config: &SchemaConfigUpdate) -> Result<SchemaConfig> {
        let body = to_body(config)?;
        self.call(&PRE_CREATE_CONNECTION_SCHEMA_CONFIG, &[connection_id], &[], Some(&body))
    }

    /// Changes the schema config; what is not named stays as it is.
    pub fn update_schema_config(&self, connection_id: &str, changes: &SchemaConfigUpdate) -> Result<SchemaConfig> {
        let body = to_body(changes)?;
        self.call(&MODIFY_CONNECTION_SCHEMA_CONFIG, &[connection_id], &[], Some(&body))
    }

    /// Changes one schema.
    pub fn update_schema(
        &self,
        connection_id: &str,
        schema: &str,
        changes: &DatabaseSchemaUpdate,
    ) -> Result<SchemaConfig> {
        let body = to_body(changes)?;
        self.call(&MODIFY_CONNECTION_DATABASE_SCHEMA_CONFIG, &[connection_id, schema], &[], Some(&body))
    }

    /// Changes one table.
    pub fn update_table(
        &self,
        connection_id: &str,
        schema: &str,
        table: &str,
        changes: &TableUpdate,
    ) -> Result<SchemaConfig> {
        let body = to_body(changes)?;
        self.call(&MODIFY_CONNECTION_TABLE_CONFIG, &[connection_id, schema, table], &[], Some(&body))
    }

    /// Changes one column.
    pub fn update_column(
        &self,
        connection_id: &str,
        schema: &str,
        table: &str,
        column: &str,
        changes: &ColumnUpdate,
    ) -> Result<SchemaConfig> {
        let body = to_body(changes)?;
        self.call(&MODIFY_CONNECTION_COLUMN_CONFIG, &[connection_id, schema, table, column], &[], Some(&body))
    }

    /// The columns of one table, by source name (read from the source: counts against the
    /// source-interaction rate limit).
    pub fn table_columns(
        &self,
        connection_id: &str,
        schema: &str,
        table: &str,
    ) -> Result<BTreeMap<String, ColumnConfig>> {
        self.call::<Columns>(&CONNECTION_COLUMN_CONFIG, &[connection_id, schema, table], &[], None).map(|c| c.columns)
    }

    /// Drops blocked columns from the destination. Needs `Confirm::drop_columns(connection_id)`;
    /// a refused confirmation or an empty selection is refused unsent.
    pub fn drop_columns(
        &self,
        connection_id: &str,
        columns: &ColumnSelection,
        confirm: &crate::Confirm,
    ) -> Result<ActionResponse> {
        confirm.check(crate::Destructive::DropColumns, connection_id)?;
        if columns.is_empty() {
            return Err(Error::InvalidArgument("drop_columns: no columns selected".into()));
        }
        let body = to_body(columns)?;
        self.action(&DELETE_MULTIPLE_COLUMNS_CONNECTION_CONFIG, &[connection_id], Some(&body))
    }

    /// Drops one blocked column from the destination. Needs
    /// `Confirm::drop_columns(connection_id)`; without it nothing is sent.
    pub fn drop_column(
        &self,
        connection_id: &str,
        schema: &str,
        table: &str,
        column: &str,
        confirm: &crate::Confirm,
    ) -> Result<ActionResponse> {
        confirm.check(crate::Destructive::DropColumns, connection_id)?;
        self.action(&DELETE_COLUMN_CONNECTION_CONFIG, &[connection_id, schema, table, column], None)
    }

    /// Re-syncs the named tables (their history is dropped and re-read). Needs
    /// `Confirm::resync_tables(connection_id)`; a refused confirmation, an empty selection, or a
    /// schema without tables, is refused unsent. Never retried after an ambiguous failure.
    pub fn resync_tables(
        &self,
        connection_id: &str,
        tables: &TableSelection,
        confirm: &crate::Confirm,
    ) -> Result<ActionResponse> {
        confirm.check(crate::Destructive::ResyncTables, connection_id)?;
        tables.check("resync_tables")?;
        let body = to_body(tables)?;
        self.action(&RESYNC_TABLES, &[connection_id], Some(&body))
    }
}
