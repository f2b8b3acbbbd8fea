//! What is sent about connections: create and update bodies, connect-card settings, and the
//! scope of a resync.

use super::model::{ConnectCardConfig, DataDelaySensitivity, DestinationSchemaNames, ScheduleType, SchemaStatus};
use crate::api::common::{request_bodies, NetworkingMethod, TableSelection};
use crate::confirm::Confirm;
use crate::json::SecretJson;
use serde::Serialize;
use serde_json::Value;
use std::convert::identity;

request_bodies! {
    /// A new connection. `group_id` and `service` are required; everything left unset is not sent.
    ///
    /// ```
    /// use fivetrex::NewConnection;
    /// use serde_json::json;
    /// let new = NewConnection::new("group_1", "postgres")
    ///     .config(json!({"schema": "pg", "host": "db", "password": "hunter2"}))
    ///     .sync_frequency(60)
    ///     .paused(true);
    /// assert!(!format!("{new:?}").contains("hunter2"));
    /// ```
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct NewConnection;

    /// Changes to a connection; fields left unset are not sent.
    ///
    /// ```
    /// use fivetrex::{ScheduleType, UpdateConnection};
    /// let changes = UpdateConnection::new().sync_frequency(1440).daily_sync_time("03:00").schedule_type(ScheduleType::Auto);
    /// assert_eq!(
    ///     serde_json::to_value(&changes).unwrap(),
    ///     serde_json::json!({"sync_frequency": 1440, "daily_sync_time": "03:00", "schedule_type": "auto"})
    /// );
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateConnection;

    fields {
        /// The group (destination) to create it in.
        group_id: String [req, no];
        /// The source service.
        service: String [req, no];
        /// Service-specific configuration (masked in `Debug`).
        config: SecretJson [opt, opt] => impl Into<SecretJson>, Into::into;
        /// Service-specific OAuth credentials (masked in `Debug`).
        auth: SecretJson [opt, opt] => impl Into<SecretJson>, Into::into;
        /// Paused (on create) or pause and resume (on update).
        paused: bool [opt, opt] => bool, identity;
        /// Pause it when the free trial ends.
        pause_after_trial: bool [opt, opt] => bool, identity;
        /// Minutes between syncs.
        sync_frequency: u32 [opt, opt] => u32, identity;
        /// Automatic or manual syncs.
        schedule_type: ScheduleType [opt, opt] => ScheduleType, identity;
        /// `"HH:MM"` start of the daily sync (with a frequency of 1440).
        daily_sync_time: String [opt, opt] => impl Into<String>, Into::into;
        /// When a data delay is reported.
        data_delay_sensitivity: DataDelaySensitivity [opt, opt] => DataDelaySensitivity, identity;
        /// Custom delay threshold in minutes.
        data_delay_threshold: i64 [opt, opt] => i64, identity;
        /// Trust the source's TLS certificates.
        trust_certificates: bool [opt, opt] => bool, identity;
        /// Trust the source's SSH fingerprints.
        trust_fingerprints: bool [opt, opt] => bool, identity;
        /// Run the setup tests right away (after the create or the change).
        run_setup_tests: bool [opt, opt] => bool, identity;
        /// Move the schema-status flow on (`ready`).
        schema_status: SchemaStatus [no, opt] => SchemaStatus, identity;
        /// Mark the next sync as historical.
        is_historical_sync: bool [no, opt] => bool, identity;
        /// How Fivetran reaches the source.
        networking_method: NetworkingMethod [opt, opt] => NetworkingMethod, identity;
        /// Proxy agent to go through.
        proxy_agent_id: String [opt, opt] => impl Into<String>, Into::into;
        /// Private link to go through.
        private_link_id: String [opt, opt] => impl Into<String>, Into::into;
        /// Hybrid deployment agent to run the syncs.
        hybrid_deployment_agent_id: String [opt, opt] => impl Into<String>, Into::into;
        /// How destination schemas are named.
        destination_schema_names: DestinationSchemaNames [opt, no] => DestinationSchemaNames, identity;
        /// External secrets manager holding the credentials.
        external_secrets_manager_id: String [opt, opt] => impl Into<String>, Into::into;
        /// Which keys of the external secrets manager hold which config fields.
        external_secrets_keys_config: Value [no, opt] => Value, identity;
        /// Destination-specific settings (`{"virtual_warehouse": ...}`).
        destination_configuration: Value [opt, opt] => Value, identity;
        /// Ask for a connect card with these settings.
        connect_card_config: ConnectCardConfig [opt, no] => ConnectCardConfig, identity;
    }
}

impl NewConnection {
    /// A connection of `service` in group `group_id`, everything else unset.
    pub fn new(group_id: impl Into<String>, service: impl Into<String>) -> Self {
        Self::with_required(group_id.into(), service.into())
    }
}

/// What a historical resync covers.
///
/// ```
/// use fivetrex::{Confirm, ResyncScope, TableSelection};
/// // Some tables: their history is dropped and re-read, so it names the connection too.
/// let some = ResyncScope::tables(TableSelection::new().table("public", "orders"), Confirm::resync_tables("conn_1"));
/// // Everything: drops and re-reads all history, so it names the connection it is for.
/// let all = ResyncScope::everything(Confirm::full_resync("conn_1"));
/// # let _ = (some, all);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResyncScope {
    /// Every table of the connection. Needs [`Confirm::full_resync`] for the connection.
    Everything(Confirm),
    /// The named tables only. Needs [`Confirm::resync_tables`] for the connection.
    Tables(TableSelection, Confirm),
}

impl ResyncScope {
    /// Every table; `confirm` must be `Confirm::full_resync(connection_id)`.
    pub fn everything(confirm: Confirm) -> Self {
        ResyncScope::Everything(confirm)
    }

    /// The named tables; `confirm` must be `Confirm::resync_tables(connection_id)`.
    pub fn tables(tables: TableSelection, confirm: Confirm) -> Self {
        ResyncScope::Tables(tables, confirm)
    }
}
