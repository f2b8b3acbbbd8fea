//! What is sent about connections: create and update bodies, connect-card settings, and the
//! scope of a resync.

use super::model::{DataDelaySensitivity, DestinationSchemaNames, ScheduleType, SchemaStatus};
use crate::api::common::{lenient, setters, NetworkingMethod, TableSelection};
use crate::confirm::Confirm;
use crate::json::SecretJson;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
pub struct NewConnection {
    /// The group (destination) to create it in.
    pub group_id: String,
    /// The source service.
    pub service: String,
    /// Service-specific configuration (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<SecretJson>,
    /// Service-specific OAuth credentials (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<SecretJson>,
    /// Create it paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// Pause it when the free trial ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_after_trial: Option<bool>,
    /// Minutes between syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_frequency: Option<u32>,
    /// Automatic or manual syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_type: Option<ScheduleType>,
    /// `"HH:MM"` start of the daily sync (with a frequency of 1440).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_sync_time: Option<String>,
    /// When a data delay is reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_delay_sensitivity: Option<DataDelaySensitivity>,
    /// Custom delay threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_delay_threshold: Option<i64>,
    /// Trust the source's TLS certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_certificates: Option<bool>,
    /// Trust the source's SSH fingerprints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_fingerprints: Option<bool>,
    /// Run the setup tests right away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_setup_tests: Option<bool>,
    /// How Fivetran reaches the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networking_method: Option<NetworkingMethod>,
    /// Proxy agent to go through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_agent_id: Option<String>,
    /// Private link to go through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_link_id: Option<String>,
    /// Hybrid deployment agent to run the syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid_deployment_agent_id: Option<String>,
    /// How destination schemas are named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_schema_names: Option<DestinationSchemaNames>,
    /// External secrets manager holding the credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_secrets_manager_id: Option<String>,
    /// Destination-specific settings (`{"virtual_warehouse": ...}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_configuration: Option<Value>,
    /// Ask for a connect card with these settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_card_config: Option<ConnectCardConfig>,
}

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
pub struct UpdateConnection {
    /// Service-specific configuration to change (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<SecretJson>,
    /// Service-specific OAuth credentials (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<SecretJson>,
    /// Pause or resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// Pause it when the free trial ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_after_trial: Option<bool>,
    /// Minutes between syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_frequency: Option<u32>,
    /// Automatic or manual syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_type: Option<ScheduleType>,
    /// `"HH:MM"` start of the daily sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_sync_time: Option<String>,
    /// When a data delay is reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_delay_sensitivity: Option<DataDelaySensitivity>,
    /// Custom delay threshold in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_delay_threshold: Option<i64>,
    /// Trust the source's TLS certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_certificates: Option<bool>,
    /// Trust the source's SSH fingerprints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_fingerprints: Option<bool>,
    /// Run the setup tests after the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_setup_tests: Option<bool>,
    /// Move the schema-status flow on (`ready`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_status: Option<SchemaStatus>,
    /// Mark the next sync as historical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_historical_sync: Option<bool>,
    /// How Fivetran reaches the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networking_method: Option<NetworkingMethod>,
    /// Proxy agent to go through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_agent_id: Option<String>,
    /// Private link to go through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_link_id: Option<String>,
    /// Hybrid deployment agent to run the syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid_deployment_agent_id: Option<String>,
    /// External secrets manager holding the credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_secrets_manager_id: Option<String>,
    /// Which keys of the external secrets manager hold which config fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_secrets_keys_config: Option<Value>,
    /// Destination-specific settings (`{"virtual_warehouse": ...}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_configuration: Option<Value>,
}

setters!(NewConnection {
    /// Sets `config` (masked in `Debug`).
    config: impl Into<SecretJson> => Into::into;
    /// Sets `auth` (masked in `Debug`).
    auth: impl Into<SecretJson> => Into::into;
    /// Sets `paused`.
    paused: bool => std::convert::identity;
    /// Sets `pause_after_trial`.
    pause_after_trial: bool => std::convert::identity;
    /// Sets `sync_frequency` (minutes).
    sync_frequency: u32 => std::convert::identity;
    /// Sets `schedule_type`.
    schedule_type: ScheduleType => std::convert::identity;
    /// Sets `daily_sync_time` (`"HH:MM"`).
    daily_sync_time: impl Into<String> => Into::into;
    /// Sets `data_delay_sensitivity`.
    data_delay_sensitivity: DataDelaySensitivity => std::convert::identity;
    /// Sets `data_delay_threshold` (minutes).
    data_delay_threshold: i64 => std::convert::identity;
    /// Sets `trust_certificates`.
    trust_certificates: bool => std::convert::identity;
    /// Sets `trust_fingerprints`.
    trust_fingerprints: bool => std::convert::identity;
    /// Sets `run_setup_tests`.
    run_setup_tests: bool => std::convert::identity;
    /// Sets `networking_method`.
    networking_method: NetworkingMethod => std::convert::identity;
    /// Sets `proxy_agent_id`.
    proxy_agent_id: impl Into<String> => Into::into;
    /// Sets `private_link_id`.
    private_link_id: impl Into<String> => Into::into;
    /// Sets `hybrid_deployment_agent_id`.
    hybrid_deployment_agent_id: impl Into<String> => Into::into;
    /// Sets `destination_schema_names`.
    destination_schema_names: DestinationSchemaNames => std::convert::identity;
    /// Sets `external_secrets_manager_id`.
    external_secrets_manager_id: impl Into<String> => Into::into;
    /// Sets `destination_configuration`.
    destination_configuration: Value => std::convert::identity;
    /// Asks for a connect card.
    connect_card_config: ConnectCardConfig => std::convert::identity;
});

setters!(UpdateConnection {
    /// Sets `config` (masked in `Debug`).
    config: impl Into<SecretJson> => Into::into;
    /// Sets `auth` (masked in `Debug`).
    auth: impl Into<SecretJson> => Into::into;
    /// Sets `paused`.
    paused: bool => std::convert::identity;
    /// Sets `pause_after_trial`.
    pause_after_trial: bool => std::convert::identity;
    /// Sets `sync_frequency` (minutes).
    sync_frequency: u32 => std::convert::identity;
    /// Sets `schedule_type`.
    schedule_type: ScheduleType => std::convert::identity;
    /// Sets `daily_sync_time` (`"HH:MM"`).
    daily_sync_time: impl Into<String> => Into::into;
    /// Sets `data_delay_sensitivity`.
    data_delay_sensitivity: DataDelaySensitivity => std::convert::identity;
    /// Sets `data_delay_threshold` (minutes).
    data_delay_threshold: i64 => std::convert::identity;
    /// Sets `trust_certificates`.
    trust_certificates: bool => std::convert::identity;
    /// Sets `trust_fingerprints`.
    trust_fingerprints: bool => std::convert::identity;
    /// Sets `run_setup_tests`.
    run_setup_tests: bool => std::convert::identity;
    /// Sets `schema_status`.
    schema_status: SchemaStatus => std::convert::identity;
    /// Sets `is_historical_sync`.
    is_historical_sync: bool => std::convert::identity;
    /// Sets `networking_method`.
    networking_method: NetworkingMethod => std::convert::identity;
    /// Sets `proxy_agent_id`.
    proxy_agent_id: impl Into<String> => Into::into;
    /// Sets `private_link_id`.
    private_link_id: impl Into<String> => Into::into;
    /// Sets `hybrid_deployment_agent_id`.
    hybrid_deployment_agent_id: impl Into<String> => Into::into;
    /// Sets `external_secrets_manager_id`.
    external_secrets_manager_id: impl Into<String> => Into::into;
    /// Sets `external_secrets_keys_config`.
    external_secrets_keys_config: Value => std::convert::identity;
    /// Sets `destination_configuration`.
    destination_configuration: Value => std::convert::identity;
});

impl NewConnection {
    /// A connection of `service` in group `group_id`, everything else unset.
    pub fn new(group_id: impl Into<String>, service: impl Into<String>) -> Self {
        NewConnection {
            group_id: group_id.into(),
            service: service.into(),
            config: None,
            auth: None,
            paused: None,
            pause_after_trial: None,
            sync_frequency: None,
            schedule_type: None,
            daily_sync_time: None,
            data_delay_sensitivity: None,
            data_delay_threshold: None,
            trust_certificates: None,
            trust_fingerprints: None,
            run_setup_tests: None,
            networking_method: None,
            proxy_agent_id: None,
            private_link_id: None,
            hybrid_deployment_agent_id: None,
            destination_schema_names: None,
            external_secrets_manager_id: None,
            destination_configuration: None,
            connect_card_config: None,
        }
    }
}

impl UpdateConnection {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Settings of a connect card (the hosted setup form for a connection).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectCardConfig {
    /// Where the form sends the user when done.
    #[serde(default, deserialize_with = "lenient::string")]
    pub redirect_uri: String,
    /// Hide the setup guide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_setup_guide: Option<bool>,
    /// Show every field, optional ones too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_fields: Option<bool>,
}

impl ConnectCardConfig {
    /// A card that returns to `redirect_uri`.
    pub fn new(redirect_uri: impl Into<String>) -> Self {
        ConnectCardConfig { redirect_uri: redirect_uri.into(), hide_setup_guide: None, all_fields: None }
    }

    /// Sets `hide_setup_guide`.
    pub fn hide_setup_guide(mut self, hide: bool) -> Self {
        self.hide_setup_guide = Some(hide);
        self
    }

    /// Sets `all_fields`.
    pub fn all_fields(mut self, all: bool) -> Self {
        self.all_fields = Some(all);
        self
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
