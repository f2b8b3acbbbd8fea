//! # fivetrex
//!
//! A blocking client for the [Fivetran REST API](https://fivetran.com/docs/rest-api): typed models,
//! lazy cursor pagination as plain iterators, retry with exponential backoff that honours
//! `Retry-After`, one shared pause window per client when the API says 429, structured errors, and
//! safety valves on destructive calls. No async runtime.
//!
//! ```
//! use fivetrex::Client;
//!
//! # #[cfg(feature = "emulator")] {
//! // Against the API: `let client = Client::from_env()?;` (FIVETRAN_API_KEY, FIVETRAN_API_SECRET).
//! // Here, a local Fivetran (cargo feature `emulator`) with 2 groups of 3 connections.
//! let emu = fivetrex::emulator::Emulator::builder().seed(2, 3).start()?;
//! let client: Client = emu.client();
//! for group in client.groups() {
//!     let group = group?;
//!     for connection in client.group_connections(&group.id) {
//!         let connection = connection?;
//!         println!("{} / {} ({})", group.name, connection.schema, connection.service);
//!     }
//! }
//! # }
//! # Ok::<(), fivetrex::Error>(())
//! ```
//!
//! Where to start: [`Client`] and [`ClientBuilder`]; the models ([`Group`], [`Connection`], ...);
//! [`Error`] and [`ErrorKind`] for failures; [`RetryPolicy`] for retries; [`transport::Transport`]
//! to wrap or replace the HTTP layer.
//!
//! ## Cargo features
//!
//! None is on by default; the client needs none of them.
//!
//! | feature | what it brings | extra dependencies |
//! | --- | --- | --- |
//! | `emulator` | `fivetrex::emulator`: an in-memory, stateful local Fivetran (in-process or as a process) for tests and demos; the `tour` and `emulator` examples | `libc` |
//!
//! Examples needing a server run against the emulator when it is enabled
//! (`cargo test --doc --features emulator`) and compile either way.
//!
//! ## How a request travels
//! [`Client`] -> [`endpoint::Operation`] (method, path, `Accept`, paging: declared once per
//! operation in [`api`]) -> [`retry`] (shared throttle, backoff, `Retry-After`) ->
//! [`transport::Transport`] (ureq by default, replaceable) -> status check and envelope decoding
//! ([`Error`]) -> the model.
//!
//! Errors never contain the API secret or the `Authorization` header (and bodies quoted in them
//! have secret-looking JSON values masked), and the library never prints: diagnostics go through
//! the [`log`](https://docs.rs/log) facade. One exception is not ours to close: at `TRACE`,
//! `ureq-proto` (under ureq) dumps the raw HTTP traffic, credentials included, under the target
//! [`transport::WIRE_DUMP_TARGET`]; keep that target below `TRACE` (a client built while it is
//! enabled logs a warning saying so).

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod api;
pub mod cancel;
mod client;
mod confirm;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod endpoint;
mod error;
pub mod fanout;
mod json;
mod lock;
pub mod operation_call;
pub mod page;
mod raw_call;
mod request;
pub mod retry;
mod secret;
mod sourced;
pub mod sync;
pub mod sync_many;
pub mod time;
pub mod transport;
pub mod webhook;
mod wire;

pub use api::account::AccountInfo;
pub use api::certificates::{Certificate, CertificateApproval, Fingerprint};
pub use api::common::Membership;
pub use api::connections::{
    Alert, ConnectCard, ConnectCardConfig, ConnectCardResponse, Connection, ConnectionStatus, LastOutcome,
    NewConnection, ResyncScope, ScheduleType, SetupState, SetupTests, SyncState, TableSelection, UpdateConnection,
    UpdateState,
};
pub use api::destinations::{Destination, NewDestination, UpdateDestination};
pub use api::esm::{Esm, EsmEntity, EsmType, NewEsm};
pub use api::groups::{Group, UpdateGroup};
pub use api::hvr::{HvrHub, HvrRegistration};
pub use api::hybrid_agents::{
    HybridDeploymentAgent, HybridDeploymentAgentFiles, HybridDeploymentAgentSetup, HybridDeploymentAgentUsage,
    NewHybridDeploymentAgent,
};
pub use api::log_services::{LogService, LogServiceStatus, NewLogService, UpdateLogService};
pub use api::metadata::{ConnectorType, Feature};
pub use api::private_links::{NewPrivateLink, PrivateLink, PrivateLinkState};
pub use api::proxy_agents::{ProxyAgent, ProxyAgentConnection, ProxyAgentSecrets, ProxyAgentStatus, ProxyAgentUsage};
pub use api::roles::Role;
pub use api::schemas::SchemaConfig;
pub use api::sdk_packages::ConnectorSdkPackage;
pub use api::system_keys::{
    AccessLevel, ExpirationPeriod, NewSystemKey, Permission, ResourceFilter, ResourceType, SystemKey, UpdateSystemKey,
};
pub use api::teams::{NewTeam, Team, TeamMember, UpdateTeam};
pub use api::transformations::{
    NewTransformation, NewTransformationProject, ProjectStatus, Transformation, TransformationPackage,
    TransformationProject, TransformationSchedule, TransformationStatus, UpdateTransformation,
    UpdateTransformationProject,
};
pub use api::users::{NewUser, UpdateUser, User};
pub use api::webhooks::{NewWebhook, UpdateWebhook, Webhook, WebhookTest, WebhookType};
pub use cancel::CancelToken;
pub use client::{
    ActionResponse, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
};
pub use confirm::{Confirm, Destructive};
pub use error::{ApiError, Error, ErrorKind, Result, TransportError, TransportErrorKind};
pub use json::{is_secret_key, redact, RawJson, SecretJson};
pub use page::{List, Page, Pages, SourcedPage};
pub use retry::{RateLimitStatus, RetryOptions, RetryPolicy};
pub use secret::Secret;
pub use sync::{SyncBaseline, SyncOutcome, WaitOptions};
pub use time::Timestamp;
pub use transport::Method;

/// The two names older clients used are kept as aliases.
pub type Connector = Connection;
