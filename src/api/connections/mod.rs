//! Connections (formerly connectors): the pipelines from a source into a destination.
//!
//! Walk, read, create, change and delete connections; trigger syncs and resyncs; run setup
//! tests; make connect cards; read and write a connection's state. The service-specific
//! `config` (one shape per service, hundreds of them) is kept as unparsed JSON
//! ([`RawJson`](crate::RawJson)) beside the typed fields, so a list of thousands of connections
//! decodes without building a tree for each config. The schema config lives in
//! [`crate::api::schemas`], certificates in [`crate::api::certificates`], and sync-and-wait in
//! [`crate::sync`].
//!
//! The calls are here; the models are in `model.rs` and the request bodies in `requests.rs`.

use crate::client::{to_body, ActionResponse, Client};
use crate::confirm::{Confirm, Destructive};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod model;
mod requests;

pub use model::ConnectCardConfig;
pub use model::{
    ConnectCard, ConnectCardResponse, Connection, ConnectionStatus, DataDelaySensitivity, DestinationSchemaNames,
    LastOutcome, ScheduleType, SchemaStatus, SyncState, UpdateState,
};
pub use requests::{NewConnection, ResyncScope, UpdateConnection};

// Shared with other families; re-exported so that `api::connections::X` keeps naming them.
pub use crate::api::common::{
    Alert, NetworkingMethod, SetupState, SetupTest, SetupTestStatus, SetupTests, TableSelection,
};

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
        let body = to_body(new)?;
        crate::api::common::required::check_body_bytes(&CREATE_CONNECTION, &body)?;
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
