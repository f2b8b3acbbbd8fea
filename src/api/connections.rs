//! Connections (formerly connectors): the pipelines from a source into a destination.
//!
//! Walk, read, create, change and delete connections; trigger syncs and resyncs; run setup
//! tests; make connect cards; read and write a connection's state. The service-specific
//! `config` (773 services) is kept as unparsed JSON ([`RawJson`]) beside the typed fields, so a
//! list of thousands of connections decodes without building a tree for each config. The schema
//! config lives in [`crate::api::schemas`], certificates in [`crate::api::certificates`], and
//! sync-and-wait in [`crate::sync`].

use crate::client::{to_body, ActionResponse, Client};
use crate::confirm::{Confirm, Destructive};
use crate::endpoint::Operation;
use crate::error::{Error, Result};
use crate::json::{RawJson, SecretJson};
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

pub(crate) use crate::api::common::{api_enum, lenient, setters};
pub use crate::api::common::{Alert, NetworkingMethod, SetupState, SetupTest, SetupTestStatus, SetupTests};

crate::operations! {
    /// `GET /v1/connections`
    LIST_CONNECTIONS = Operation::get("list_connections", "/v1/connections").v2().paged();
    /// `POST /v1/connections`
    CREATE_CONNECTION = Operation::post("create_connection", "/v1/connections").v2().created();
    /// `GET /v1/connections/{connectionId}`
    CONNECTION_DETAILS = Operation::get("connection_details", "/v1/connections/{connectionId}").v2();
    /// `PATCH /v1/connections/{connectionId}`
    MODIFY_CONNECTION = Operation::patch("modify_connection", "/v1/connections/{connectionId}").v2();
    /// `DELETE /v1/connections/{connectionId}`
    DELETE_CONNECTION = Operation::delete("delete_connection", "/v1/connections/{connectionId}").v2();
    /// `POST /v1/connections/{connectionId}/sync`
    SYNC_CONNECTION = Operation::post("sync_connection", "/v1/connections/{connectionId}/sync").v2().repeatable();
    /// `POST /v1/connections/{connectionId}/resync` (drops and re-reads history: never repeated
    /// after an ambiguous failure)
    RESYNC_CONNECTION = Operation::post("resync_connection", "/v1/connections/{connectionId}/resync").v2();
    /// `POST /v1/connections/{connectionId}/test`
    RUN_SETUP_TESTS = Operation::post("run_setup_tests", "/v1/connections/{connectionId}/test").v2().repeatable();
    /// `POST /v1/connections/{connectionId}/connect-card`
    CONNECT_CARD = Operation::post("connect_card", "/v1/connections/{connectionId}/connect-card").v2().repeatable();
    /// `GET /v1/connections/{connectionId}/state`
    CONNECTION_STATE = Operation::get("connection_state", "/v1/connections/{connectionId}/state").v2();
    /// `PATCH /v1/connections/{connectionId}/state`
    MODIFY_CONNECTION_STATE = Operation::patch("modify_connection_state", "/v1/connections/{connectionId}/state").v2();
}

api_enum! {
    /// `status.sync_state` of a connection.
    SyncState {
        /// Waiting for its next run.
        Scheduled = "scheduled",
        /// A sync is running.
        Syncing = "syncing",
        /// Paused.
        Paused = "paused",
        /// Waiting for the source's API quota; see `status.rescheduled_for`.
        Rescheduled = "rescheduled",
    }
}

api_enum! {
    /// `status.update_state` of a connection.
    UpdateState {
        /// Data arrives on schedule.
        OnSchedule = "on_schedule",
        /// Data is later than expected.
        Delayed = "delayed",
    }
}

api_enum! {
    /// `schedule_type` of a connection.
    ScheduleType {
        /// Fivetran runs syncs at `sync_frequency`.
        Auto = "auto",
        /// Syncs run only when triggered.
        Manual = "manual",
    }
}

api_enum! {
    /// `status.schema_status` (only for services with the schema-status flow).
    SchemaStatus {
        /// The schema can be configured.
        Ready = "ready",
        /// Waiting for the source's schema to be captured.
        BlockedOnCapture = "blocked_on_capture",
    }
}

api_enum! {
    /// `data_delay_sensitivity`: when a delay is reported.
    DataDelaySensitivity {
        /// Low.
        Low = "LOW",
        /// Normal.
        Normal = "NORMAL",
        /// High.
        High = "HIGH",
        /// Uses `data_delay_threshold`.
        Custom = "CUSTOM",
        /// Follows the sync frequency.
        SyncFrequency = "SYNC_FREQUENCY",
    }
}

api_enum! {
    /// `destination_schema_names`: how destination schemas are named.
    DestinationSchemaNames {
        /// Fivetran's naming.
        FivetranNaming = "FIVETRAN_NAMING",
        /// The source's names.
        SourceNaming = "SOURCE_NAMING",
    }
}

/// A connection.
///
/// The typed fields cover what automation reads; `config` stays raw JSON (secrets masked in
/// `Debug`), parsed only when asked ([`RawJson::parse`]). Fields the API may omit are `Option`s
/// or default to empty; ids, `daily_sync_time` and the integer fields also accept the other JSON
/// type (a number where a string is expected, a numeric string where a number is), because the
/// API has changed field types before.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use fivetrex::{Connection, LastOutcome, UpdateConnection};
///
/// // A local Fivetran (cargo feature `emulator`): one group with three connections.
/// let emu = fivetrex::emulator::Emulator::builder().seed(1, 3).start()?;
/// let client = emu.client();
/// let group_id = &emu.group_ids()[0];
/// let connections: Vec<Connection> = client.group_connections(group_id).collect::<Result<_, _>>()?;
/// assert_eq!(connections.len(), 3);
///
/// let c = &connections[0];
/// println!("{} ({}), every {:?} min", c.schema, c.service, c.sync_frequency);
/// assert!(c.is_connected() && !c.is_paused() && !c.is_syncing());
/// assert_ne!(c.last_outcome(), LastOutcome::Never);
///
/// // `config` stays raw JSON until asked for; the API masks its secrets.
/// let config: serde_json::Value = c.config.as_ref().expect("a config").parse().expect("JSON");
/// assert!(config.is_object());
///
/// let changed = client.update_connection(&c.id, &UpdateConnection::new().sync_frequency(60).paused(true))?;
/// assert_eq!(changed.sync_frequency, Some(60));
/// assert!(changed.is_paused());
/// # }
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// The connection's id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// The group (destination) it belongs to.
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_id: String,
    /// The source service (`postgres`, `salesforce`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub service: String,
    /// The version of the service's connector.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub service_version: Option<i64>,
    /// The schema (connection) name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub schema: String,
    /// Whether the connection is paused.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub paused: bool,
    /// Whether it pauses when the free trial ends.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub pause_after_trial: bool,
    /// The id of the user who set it up.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub connected_by: Option<String>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// When the last sync succeeded.
    #[serde(default, with = "crate::time::opt_serde")]
    pub succeeded_at: Option<Timestamp>,
    /// When the last sync failed.
    #[serde(default, with = "crate::time::opt_serde")]
    pub failed_at: Option<Timestamp>,
    /// Minutes between syncs (1, 5, 15, 30, 60, 120, 180, 360, 480, 720 or 1440).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub sync_frequency: Option<u32>,
    /// Automatic or manual syncs.
    #[serde(default)]
    pub schedule_type: Option<ScheduleType>,
    /// `"HH:MM"` start of the daily sync (only with a frequency of 1440).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub daily_sync_time: Option<String>,
    /// When a data delay is reported.
    #[serde(default)]
    pub data_delay_sensitivity: Option<DataDelaySensitivity>,
    /// Custom delay threshold in minutes (with [`DataDelaySensitivity::Custom`]).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub data_delay_threshold: Option<i64>,
    /// How Fivetran reaches the source.
    #[serde(default)]
    pub networking_method: Option<NetworkingMethod>,
    /// The proxy agent, when networking goes through one.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub proxy_agent_id: Option<String>,
    /// The private link, when networking goes through one.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub private_link_id: Option<String>,
    /// The hybrid deployment agent, when one runs the syncs.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub hybrid_deployment_agent_id: Option<String>,
    /// How destination schemas are named.
    #[serde(default)]
    pub destination_schema_names: Option<DestinationSchemaNames>,
    /// The external secrets manager holding the credentials, if any.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub external_secrets_manager_id: Option<String>,
    /// Setup and sync state.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub status: ConnectionStatus,
    /// Results of the last setup tests (on create, update and test answers).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub setup_tests: Vec<SetupTest>,
    /// The connect card, when one was requested.
    #[serde(default)]
    pub connect_card: Option<ConnectCard>,
    /// The connect card's settings.
    #[serde(default)]
    pub connect_card_config: Option<ConnectCardConfig>,
    /// Source-specific sync details, unparsed.
    #[serde(default)]
    pub source_sync_details: Option<RawJson>,
    /// Destination-specific settings (`virtual_warehouse`, ...), unparsed.
    #[serde(default)]
    pub destination_configuration: Option<RawJson>,
    /// Service-specific configuration, unparsed (secrets masked in `Debug`).
    #[serde(default)]
    pub config: Option<RawJson>,
}

/// A connection's setup and sync state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectionStatus {
    /// Incomplete, connected or broken.
    #[serde(default)]
    pub setup_state: Option<SetupState>,
    /// Scheduled, syncing, paused or rescheduled.
    #[serde(default)]
    pub sync_state: Option<SyncState>,
    /// On schedule or delayed.
    #[serde(default)]
    pub update_state: Option<UpdateState>,
    /// The schema-status flow's state, for the services that have it.
    #[serde(default)]
    pub schema_status: Option<SchemaStatus>,
    /// Whether the running or next sync is a historical (full) one.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_historical_sync: bool,
    /// When a rescheduled sync will be tried again (only while rescheduled).
    #[serde(default, with = "crate::time::opt_serde")]
    pub rescheduled_for: Option<Timestamp>,
    /// Things a person must do (reconnect, approve a certificate, ...).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tasks: Vec<Alert>,
    /// Warnings.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub warnings: Vec<Alert>,
}

/// How the last finished sync ended, from `succeeded_at` and `failed_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LastOutcome {
    /// The newest of the two timestamps is `succeeded_at`.
    Succeeded,
    /// The newest of the two timestamps is `failed_at` (also when both are equal).
    Failed,
    /// Neither is set: the connection never finished a sync.
    Never,
}

impl Connection {
    /// A sync is running.
    pub fn is_syncing(&self) -> bool {
        self.status.sync_state == Some(SyncState::Syncing)
    }

    /// The connection is paused (the `paused` flag or the sync state says so).
    pub fn is_paused(&self) -> bool {
        self.paused || self.status.sync_state == Some(SyncState::Paused)
    }

    /// The setup is broken: syncs cannot run until someone fixes it (see `status.tasks`).
    pub fn is_broken(&self) -> bool {
        self.status.setup_state == Some(SetupState::Broken)
    }

    /// The setup is complete and working.
    pub fn is_connected(&self) -> bool {
        self.status.setup_state == Some(SetupState::Connected)
    }

    /// The sync waits for the source's API quota.
    pub fn is_rescheduled(&self) -> bool {
        self.status.sync_state == Some(SyncState::Rescheduled)
    }

    /// When a rescheduled sync will be tried again (`None` unless rescheduled and known).
    pub fn rescheduled_until(&self) -> Option<Timestamp> {
        self.is_rescheduled().then_some(self.status.rescheduled_for).flatten()
    }

    /// The running or next sync is a historical one.
    pub fn is_historical_sync(&self) -> bool {
        self.status.is_historical_sync
    }

    /// The newer of `succeeded_at` and `failed_at`: when the last sync finished.
    pub fn last_sync_at(&self) -> Option<Timestamp> {
        self.succeeded_at.max(self.failed_at)
    }

    /// How the last finished sync ended.
    ///
    /// ```
    /// # use fivetrex::{Connection, LastOutcome};
    /// let c: Connection = serde_json::from_value(serde_json::json!({
    ///     "id": "c1", "succeeded_at": "2024-01-02T00:00:00Z", "failed_at": "2024-01-01T00:00:00.5Z"
    /// })).unwrap();
    /// assert_eq!(c.last_outcome(), LastOutcome::Succeeded);
    /// ```
    pub fn last_outcome(&self) -> LastOutcome {
        match (self.succeeded_at, self.failed_at) {
            (None, None) => LastOutcome::Never,
            (Some(_), None) => LastOutcome::Succeeded,
            (None, Some(_)) => LastOutcome::Failed,
            (Some(ok), Some(failed)) if ok > failed => LastOutcome::Succeeded,
            (Some(_), Some(_)) => LastOutcome::Failed,
        }
    }
}

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

/// A connect card: its token and the URL to send a user to. Both grant access to the
/// connection's setup, so `Debug` shows neither.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectCard {
    /// The card's token.
    #[serde(default, deserialize_with = "lenient::string")]
    pub token: String,
    /// The URL of the form (it embeds the token).
    #[serde(default, deserialize_with = "lenient::string")]
    pub uri: String,
}

impl fmt::Debug for ConnectCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uri = self.uri.split('?').next().unwrap_or_default();
        f.debug_struct("ConnectCard").field("token", &"***").field("uri", &format_args!("{uri}?***")).finish()
    }
}

/// What a connect-card request answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectCardResponse {
    /// The connection (the API still calls it `connector_id`).
    #[serde(default, alias = "connector_id", deserialize_with = "lenient::string")]
    pub connection_id: String,
    /// The card.
    #[serde(default)]
    pub connect_card: Option<ConnectCard>,
    /// Its settings.
    #[serde(default)]
    pub connect_card_config: Option<ConnectCardConfig>,
}

/// Tables by schema: `{"schema": ["table", ...]}`, the body of a table resync and the scope of a
/// scoped resync.
///
/// ```
/// let tables = fivetrex::TableSelection::new().table("public", "orders").tables("crm", ["accounts", "leads"]);
/// assert_eq!(
///     serde_json::to_value(&tables).unwrap(),
///     serde_json::json!({"crm": ["accounts", "leads"], "public": ["orders"]})
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TableSelection(BTreeMap<String, Vec<String>>);

impl TableSelection {
    /// Nothing selected yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one table of `schema`.
    pub fn table(mut self, schema: impl Into<String>, table: impl Into<String>) -> Self {
        self.0.entry(schema.into()).or_default().push(table.into());
        self
    }

    /// Adds tables of `schema`.
    pub fn tables<T: Into<String>>(mut self, schema: impl Into<String>, tables: impl IntoIterator<Item = T>) -> Self {
        self.0.entry(schema.into()).or_default().extend(tables.into_iter().map(Into::into));
        self
    }

    /// True when no table is selected.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }

    /// The selection, schema by schema.
    pub fn schemas(&self) -> &BTreeMap<String, Vec<String>> {
        &self.0
    }

    /// Refuses an empty selection, or a schema named without tables (which the API could read
    /// as "all of it"), before anything is sent.
    pub(crate) fn check(&self, what: &str) -> Result<()> {
        if self.0.is_empty() {
            return Err(Error::InvalidArgument(format!("{what}: no tables selected")));
        }
        if let Some((schema, _)) = self.0.iter().find(|(_, tables)| tables.is_empty()) {
            return Err(Error::InvalidArgument(format!("{what}: schema {schema:?} names no tables")));
        }
        if self.0.keys().chain(self.0.values().flatten()).any(String::is_empty) {
            return Err(Error::InvalidArgument(format!("{what}: empty schema or table name")));
        }
        Ok(())
    }
}

impl From<BTreeMap<String, Vec<String>>> for TableSelection {
    fn from(map: BTreeMap<String, Vec<String>>) -> Self {
        TableSelection(map)
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

#[derive(Serialize)]
struct ResyncBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a TableSelection>,
}

#[derive(Serialize, Deserialize)]
struct StateBody<T> {
    state: T,
}

impl List<Connection> {
    /// Only the connections of one group (the `group_id` filter of the account-wide list).
    pub fn group_id(self, group_id: &str) -> Self {
        self.query("group_id", group_id)
    }

    /// Only the connection with this schema name (the `schema` filter).
    pub fn schema(self, schema: &str) -> Self {
        self.query("schema", schema)
    }
}

impl Client {
    /// Walks every connection of the account; narrow it with [`List::group_id`] and
    /// [`List::schema`].
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// for c in client.connections().group_id("group_1") {
    ///     let c = c?;
    ///     println!("{} {} broken={}", c.id, c.schema, c.is_broken());
    /// }
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn connections(&self) -> List<Connection> {
        self.list(&LIST_CONNECTIONS, &[])
    }

    /// One connection.
    pub fn connection(&self, connection_id: &str) -> Result<Connection> {
        self.call(&CONNECTION_DETAILS, &[connection_id], &[], None)
    }

    /// Creates a connection. Not retried after an ambiguous failure unless the policy allows it.
    pub fn create_connection(&self, new: &NewConnection) -> Result<Connection> {
        if new.group_id.is_empty() || new.service.is_empty() {
            return Err(Error::InvalidArgument("a new connection needs a group_id and a service".into()));
        }
        let body = to_body(new)?;
        self.call(&CREATE_CONNECTION, &[], &[], Some(&body))
    }

    /// Changes a connection; unset fields are not sent.
    pub fn update_connection(&self, connection_id: &str, changes: &UpdateConnection) -> Result<Connection> {
        let body = to_body(changes)?;
        self.call(&MODIFY_CONNECTION, &[connection_id], &[], Some(&body))
    }

    /// Deletes a connection (the data already in the destination stays; its configuration and
    /// state do not). Needs `Confirm::delete_connection(connection_id)`; without it nothing is
    /// sent.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// client.delete_connection("conn_1", &fivetrex::Confirm::delete_connection("conn_1"))?;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn delete_connection(&self, connection_id: &str, confirm: &Confirm) -> Result<ActionResponse> {
        confirm.check(Destructive::DeleteConnection, connection_id)?;
        self.action(&DELETE_CONNECTION, &[connection_id], None)
    }

    /// Pauses a connection (`PATCH {"paused": true}`).
    pub fn pause_connection(&self, connection_id: &str) -> Result<Connection> {
        self.update_connection(connection_id, &UpdateConnection::new().paused(true))
    }

    /// Resumes a paused connection (`PATCH {"paused": false}`).
    pub fn resume_connection(&self, connection_id: &str) -> Result<Connection> {
        self.update_connection(connection_id, &UpdateConnection::new().paused(false))
    }

    /// Triggers a sync (without stopping one that runs). To wait for it, see
    /// [`Client::sync_and_wait`].
    pub fn sync(&self, connection_id: &str) -> Result<ActionResponse> {
        self.sync_with(connection_id, false)
    }

    /// Triggers a sync; `force` stops a running sync and starts a new one.
    pub fn sync_with(&self, connection_id: &str, force: bool) -> Result<ActionResponse> {
        let body = to_body(&serde_json::json!({ "force": force }))?;
        self.action(&SYNC_CONNECTION, &[connection_id], Some(&body))
    }

    /// Starts a historical resync: of the named tables (needs
    /// `Confirm::resync_tables(connection_id)`), or of everything (which drops and re-reads all
    /// history and so needs `Confirm::full_resync(connection_id)`). A refused confirmation or an
    /// empty selection sends nothing. Never retried after an ambiguous failure.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::{Confirm, ResyncScope, TableSelection};
    /// let orders = TableSelection::new().table("public", "orders");
    /// client.resync("conn_1", &ResyncScope::tables(orders, Confirm::resync_tables("conn_1")))?;
    /// client.resync("conn_1", &ResyncScope::everything(Confirm::full_resync("conn_1")))?;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn resync(&self, connection_id: &str, scope: &ResyncScope) -> Result<ActionResponse> {
        let body = match scope {
            ResyncScope::Everything(confirm) => {
                confirm.check(Destructive::FullResync, connection_id)?;
                ResyncBody { scope: None }
            }
            ResyncScope::Tables(tables, confirm) => {
                confirm.check(Destructive::ResyncTables, connection_id)?;
                tables.check("resync")?;
                ResyncBody { scope: Some(tables) }
            }
        };
        let body = to_body(&body)?;
        self.action(&RESYNC_CONNECTION, &[connection_id], Some(&body))
    }

    /// Runs the setup tests and returns the connection with their results in `setup_tests`.
    pub fn run_setup_tests(&self, connection_id: &str, options: &SetupTests) -> Result<Connection> {
        let body = to_body(options)?;
        self.call(&RUN_SETUP_TESTS, &[connection_id], &[], Some(&body))
    }

    /// Makes a connect card: a hosted form where someone completes the connection's setup.
    pub fn connect_card(&self, connection_id: &str, config: &ConnectCardConfig) -> Result<ConnectCardResponse> {
        let body = to_body(&serde_json::json!({ "connect_card_config": config }))?;
        self.call(&CONNECT_CARD, &[connection_id], &[], Some(&body))
    }

    /// The connection's state (the cursor a connector keeps between syncs), as JSON.
    pub fn connection_state(&self, connection_id: &str) -> Result<Value> {
        self.call::<StateBody<Value>>(&CONNECTION_STATE, &[connection_id], &[], None).map(|s| s.state)
    }

    /// Replaces the connection's state; the API refuses it (409) while a sync runs, so pause
    /// first.
    pub fn update_connection_state(&self, connection_id: &str, state: &Value) -> Result<Value> {
        let body = to_body(&StateBody { state })?;
        self.call::<StateBody<Value>>(&MODIFY_CONNECTION_STATE, &[connection_id], &[], Some(&body)).map(|s| s.state)
    }

    /// [`Client::connections`] under the name older clients used.
    pub fn connectors(&self) -> List<Connection> {
        self.connections()
    }

    /// [`Client::connection`] under the name older clients used.
    pub fn connector(&self, connector_id: &str) -> Result<Connection> {
        self.connection(connector_id)
    }
}
