//! What the API answers about connections: the connection, its status and the enums in it, and
//! connect cards.

use crate::api::common::{api_enum, lenient, Alert, NetworkingMethod, SetupState, SetupTest};
use crate::json::RawJson;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

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
