//! An in-memory, stateful imitation of the Fivetran REST API, for demos, tests in every host
//! language, and benchmarks (cargo feature `emulator`).
//!
//! It serves HTTP/1.1 on loopback, in-process or as a process of its own, with the API's shapes,
//! statuses and error codes, and lets a test steer it: inject faults, fix a sync's outcome, put a
//! connection in any state, set the hourly quota, read the request log.
//!
//! ```
//! use fivetrex::emulator::{Emulator, Fault};
//!
//! let emu = Emulator::builder().seed(2, 3).start()?;
//! let client = emu.client();
//! let groups: Vec<_> = client.groups().collect::<Result<_, _>>()?;
//! assert_eq!(groups.len(), 2);
//!
//! emu.add_fault(Fault::status("/v1/groups/*", 404).times(1));
//! let err = client.group(&groups[0].id).unwrap_err();
//! assert_eq!(err.status(), Some(404));
//! assert_eq!(emu.requests().len(), 2);
//! # Ok::<(), fivetrex::Error>(())
//! ```
//!
//! # As a process
//!
//! `cargo run --example emulator --features emulator -- --port 0 --groups 3 --connections-per-group 5`
//! prints `listening on http://127.0.0.1:PORT` as its first line on stdout, then serves until its
//! stdin reaches end of file (so a parent that dies takes it along) or it is killed. Pass
//! `--ignore-stdin` when stdin is not a pipe the parent holds (Go's `exec.Command` gives
//! `/dev/null` unless told otherwise). Options: see [`cli`]. The credentials are
//! [`DEFAULT_KEY`] / [`DEFAULT_SECRET`] unless `--key` / `--secret` say otherwise.
//!
//! # What it imitates
//!
//! - **Auth**: HTTP Basic against the configured key and secret; otherwise 401 `AuthFailed`.
//! - **Routing**: every request is matched against the crate's own operation table
//!   ([`crate::api::operations`]), the same declarations the client sends with, so the emulator
//!   answers exactly the 169 operations of the official definition and cannot drift from the
//!   client. Among templates that fit, the one with the most literal segments wins
//!   (`/v1/external-logging/account` before `/v1/external-logging/{logId}`). Unknown paths answer
//!   404 `NotFound`; a known path with another method 405. `GET /public/connector-types` needs
//!   no credentials, like the API.
//! - **Groups, connections, destinations, users** (typed, fast): list (paged), create (201), get,
//!   update (`PATCH`), delete; group connections and group users (list, add by email, remove);
//!   group public key and service account. Unknown ids answer 404 with `NotFound_Group`,
//!   `NotFound_Connector` (the code the API still uses for connections), `NotFound_Destination`,
//!   `NotFound_User`. Deleting a group takes its connections, destination, memberships and group
//!   webhooks along; deleting a connection or user takes its memberships, certificates, schema
//!   config and state along.
//! - **Every other family** is a set of JSON collections named by their list path (parent ids
//!   filled in): a create stores what was sent (secrets masked) over the spec's defaults plus the
//!   server's fields (`id`, `created_at`, `created_by`, ...) and answers the operation's success
//!   status; `PATCH` merges (objects key by key); `DELETE` removes; lists page with opaque cursors;
//!   an unknown id answers the family's 404 code (`NotFound_Team`, `NotFound_Webhook`,
//!   `NotFound_Certificate`, `NotFound_Fingerprint`, `NotFound_Membership`, `NotFound_LogService`,
//!   `NotFound_ExternalSecretsManager`, `NotFound_HybridDeploymentAgent`, `NotFound_PrivateLink`,
//!   `NotFound_ProxyAgent`, `NotFound_SystemKey`, `NotFound_TransformationProject`,
//!   `NotFound_Transformation`, `NotFound_ConnectorSdkPackage`); a missing required field 400
//!   `InvalidInput`; a duplicate 409 `Conflict`. In detail:
//!   - *teams* with user, group and connection memberships (each member must exist: 404
//!     otherwise), and the account role removed by `DELETE .../role` (users too);
//!   - *user memberships*: in groups (the same membership `GET /v1/groups/{id}/users` shows) and
//!     in connections;
//!   - *certificates and fingerprints* of connections and destinations: approve (by `hash`;
//!     `sha1`/`sha256` computed from `encoded_cert`), list, get, revoke; `POST /v1/certificates`
//!     approves for the `connection_id` or `destination_id` it names;
//!   - *schema config* of a connection: exists from the start (its schema, tables `accounts`,
//!     `orders`, `events`, columns `id`, `created_at`, `payload`), `PATCH` whole or per schema,
//!     table and column (`enabled` must be a boolean; unknown names 404 `NotFound_Schema`,
//!     `NotFound_Table`, `NotFound_Column`), reload (`PRESERVE` keeps what was configured,
//!     `EXCLUDE` disables everything), column drops, table columns;
//!   - *connection state*: read and written (`{"state": {...}}`); 409 while a sync runs;
//!     *connect card* answers a token and URI;
//!   - *webhooks* (account and group): create needs `url` and `events`; the secret is stored
//!     and shown as `******`; `POST .../test` sends the event at once and answers
//!     `{succeed, status, message}` with what the receiver said;
//!   - *external logging* (the group's log service has the group's id; the account's is
//!     `/v1/external-logging/account`), *external secrets managers* (entities: the connections
//!     whose config names one), *hybrid deployment agents* (files and token at create and
//!     re-auth), *private links*, *proxy agents* (secrets at create and regeneration),
//!     *system keys* (the secret is shown at create and rotation only), *transformation
//!     projects* and *transformations* (run, cancel, upgrade), *connector SDK packages* (the
//!     file part of the multipart upload is kept: `download` answers it, `file_sha256_hash`
//!     is its digest), *HVR hub registration*;
//!   - fixed answers: *account info*, *roles*, *connector types* (metadata and public) and
//!     *transformation package metadata*, paged like every list.
//! - **Webhook events**: when a sync starts (by `sync` or `resync`) and when it ends, every active
//!   webhook with `sync_start` / `sync_end` among its events (account webhooks, and group
//!   webhooks of the connection's group) gets `{"event", "created", "connector_type",
//!   "connector_id", "connector_name", "sync_id", "destination_group_id", "data"}` (`data` of
//!   `sync_end`: `{"status": "SUCCESSFUL" | "FAILURE_WITH_TASK"}`; one run keeps one `sync_id`)
//!   POSTed to its URL, signed with `X-Fivetran-Signature-256` (HMAC-SHA256 under the webhook's
//!   secret, as [`crate::webhook::verify_signature`] checks) when it has one, within about 10 ms
//!   of the sync's end and without anyone polling the emulator. Deliveries are listed by
//!   `GET /__emulator/webhooks`.
//! - **Requests**: `POST`/`PATCH` without a JSON `Content-Type` answer 415; a missing required
//!   field or a bad value answers 400 `InvalidInput` (creates: group `name`; connection
//!   `group_id`, `service` and `config.schema` or `config.schema_prefix`; destination `group_id`,
//!   `service`, `time_zone_offset`; user `email`, `given_name`, `family_name`). A duplicate group
//!   name, schema within a group, destination for a group or user email answers 409 `Conflict`.
//!   `Accept` may be absent, `*/*`, `application/json` or `application/json;version=2`; anything
//!   else answers 406. Secrets in `config` (any key that looks like a password, token or key) are
//!   stored and shown as `******`.
//! - **Pagination**: every list takes `limit` (1..=1000, default 100; anything else is 400) and an
//!   opaque `cursor`; the answer has `data.items` and `data.next_cursor` (absent on the last
//!   page). Cursors name the last item served, so they stay valid while items come and go.
//!   `GET /v1/connections` honours `group_id` and `schema` filters (`schema` also on group
//!   connections).
//! - **Syncs**: `POST /v1/connections/{id}/sync` puts the connection in `syncing` for the sync
//!   duration (wall clock; 200 ms unless set, per emulator or per connection), then back to
//!   `scheduled` with `succeeded_at` or `failed_at` set to when it ended. The outcome is per
//!   connection ([`Outcome`]); a connection whose `setup_state` is `broken` always fails; a
//!   failure adds a `sync_failed` task to `status.tasks` and the next success removes it.
//!   A paused connection does not sync: the answer is still 200 (the spec documents no error for
//!   it) and nothing changes. While `syncing`, a sync without `force` changes nothing and with
//!   `force` restarts it. A `rescheduled` connection waits for `status.rescheduled_for`, then
//!   syncs. `POST .../resync` answers 409 `Conflict` while syncing, otherwise starts a historical
//!   sync (`is_historical_sync` true until it ends; on a paused connection it waits for the
//!   resume); an empty `scope` or a schema with no tables is 400. `POST .../test` needs a body (`{}`
//!   at least, else 400) and answers the connection with `setup_tests` (a failed step when the
//!   setup is broken). `PATCH {"paused": true}` pauses (and stops a running sync), `false` resumes.
//! - **Rate limit**: `X-Rate-Limit` and `X-Rate-Limit-Remaining` on every API answer; once the
//!   rolling hourly quota (20,000 unless set) is used up, 429 `TooManyRequests` with
//!   `Retry-After` in seconds until the oldest counted request leaves the hour.
//! - **Seeding**: [`EmulatorBuilder::seed`]`(groups, connections_per_group)` builds the same ids,
//!   names and timestamps every time: each group has a destination (same id, as in the API) and
//!   its connections, about 700 bytes of JSON each with a service-specific `config`. In every
//!   group, connection `j` is paused when `j % 10 == 7` and has a broken setup (with a task and a
//!   recent `failed_at`) when `j % 10 == 9`; all others (the first included) are connected and
//!   scheduled. The account also has three users; the first, an Account Administrator, is
//!   `connected_by` of every connection.
//!
//! # Control endpoints
//!
//! Under `/__emulator/`, without auth, quota, faults or logging; JSON in and out.
//!
//! | request | effect |
//! | --- | --- |
//! | `GET /__emulator/stats` | `{"stats": {connections_accepted, api_connections, requests, api_requests, pending_faults, groups, connections}}` ([`Stats`]) |
//! | `GET /__emulator/log`, `DELETE /__emulator/log` | the request log `{"items": [{seq, method, path, query, status, fault, connection}]}` ([`RequestRecord`]; `status` is null when no answer was sent), or clear it |
//! | `POST /__emulator/faults` | add a fault: `{"method": "GET", "path": "/v1/groups", "kind": "status", "status": 503, "times": 2, "retry_after": "1", "delay_ms": 0, "body": "json"}` ([`Fault`]) |
//! | `GET /__emulator/faults`, `DELETE /__emulator/faults` | list the pending faults, or clear them |
//! | `POST /__emulator/connections/{id}` | steer one connection: `{"sync_outcome": "success"\|"failure", "sync_state": "scheduled"\|"syncing"\|"paused"\|"rescheduled", "setup_state": "incomplete"\|"connected"\|"broken", "rescheduled_for": "<RFC 3339>", "paused": bool, "sync_duration_ms": n, "succeeded_at": .., "failed_at": .., "extra_fields": {..}}` ([`ConnectionControl`]); answers the connection |
//! | `POST /__emulator/settings` | `{"sync_duration_ms": n, "hourly_quota": n}` |
//! | `POST /__emulator/seed` | `{"groups": n, "connections_per_group": m}`: replace the data with a new seed (and reset) |
//! | `POST /__emulator/account` | load an [account shape](#account-shape) now; it stays for resets; answers the stats, or 400 naming the item refused |
//! | `GET /__emulator/webhooks`, `DELETE /__emulator/webhooks` | the webhook deliveries made `{"items": [{webhook_id, url, event, status, error}]}` (`status` null when the receiver could not be reached), or clear them |
//! | `POST /__emulator/reset` | back to the seeded data and loaded shapes; faults, log, quota use and counters cleared |
//!
//! A fault matches a request when its `method` (any when absent) and `path` agree; a `path`
//! ending in `*` is a prefix. `times` (default 1) counts the requests it spoils; 0 keeps it until
//! cleared. The first pending match applies. Kinds ([`FaultKind`]): `status` (answer `status`
//! with a JSON, HTML or empty `body`, plus `retry_after` if given), `html` (a proxy's HTML error
//! page, 502 unless `status` says otherwise), `reset` (close the connection without answering,
//! with a TCP reset), `truncate` (answer normally but cut the body short of its
//! `Content-Length`, then close), `repeat_cursor` (a list answer whose `next_cursor` is the
//! cursor of the request, so a walk would loop; counts only requests that carry a cursor),
//! `stall` (read the request and never answer until the client gives up or the emulator stops),
//! `delay` (answer normally after `delay_ms`). `delay_ms` also delays any other kind. Like a
//! proxy in front of the API, a fault acts before auth and the quota: a request it answers
//! (status, html, reset, stall) is logged but not counted against the quota.
//!
//! # Account shape
//!
//! A JSON object loaded after the seed, at start ([`EmulatorBuilder::account`], `--account FILE`),
//! or later (`POST /__emulator/account`, [`Emulator::load_account`]); resets load it again. Ids
//! are yours to choose (new ids never collide with them); each item goes through the same checks
//! as its create, so a shape the API would refuse is refused, naming the item:
//!
//! ```json
//! {
//!   "owner": "recoup_befell",
//!   "groups": [{"id": "sepulchre_settlement", "name": "GoSdkTesting"}],
//!   "users": [{"id": "recoup_befell", "email": "go@example.com", "given_name": "Go", "family_name": "5Tran",
//!              "role": "Account Administrator", "groups": [{"id": "sepulchre_settlement", "role": "Destination Administrator"}]}],
//!   "memberships": [{"user_id": "recoup_befell", "group_id": "sepulchre_settlement", "role": "Destination Reviewer"}],
//!   "destinations": [{"group_id": "sepulchre_settlement", "service": "snowflake", "time_zone_offset": "0"}],
//!   "connections": [{"id": "my_pg", "group_id": "sepulchre_settlement", "service": "postgres", "config": {"schema_prefix": "pg"}}],
//!   "collections": {"/v1/teams": [{"id": "data_team", "name": "Data", "description": null, "role": null}]}
//! }
//! ```
//!
//! `owner` names the user the API key belongs to (`connected_by` of new connections,
//! `created_by` of new items, `user_id` of the account info); by default the seed's first user.
//! `collections` stores items as given under any list path of the other families. The command
//! line's `--group ID=NAME`, `--user ID=EMAIL[,GIVEN[,FAMILY[,PHONE]]]` (the first is the
//! `owner`) and `--member USER_ID=GROUP_ID[,ROLE]` are shorthands for these
//! ([`EmulatorBuilder::predefined_group`], [`EmulatorBuilder::predefined_user`]). Loaded users
//! are verified members who have logged in. To run the official Go SDK's end-to-end suite, start
//! `emulator --groups 0 --group sepulchre_settlement=GoSdkTesting --user
//! 'recoup_befell=dev@example.com,Go,5Tran,+1234567890' --member recoup_befell=sepulchre_settlement`
//! and give it `http://HOST:PORT/v1` as its API URL.
//!
//! # How it is built
//!
//! `server` is a small HTTP/1.1 server on `std::net` (a thread per connection, keep-alive,
//! `Content-Length` or chunked request bodies, heads up to 64 KiB and bodies up to 16 MiB, at
//! most 512 open connections (more get 503), connections idle for 30 s closed) that gives the
//! handler raw control of the socket for faults; `api` is the front door (faults, auth, quota, `Accept`, control endpoints);
//! `routes` matches requests to the operation table and answers the typed families; `families`
//! answers the others; `seed` loads account shapes; `store` holds the data and settles syncs
//! lazily, when a request looks. A sender thread wakes every 10 ms; only while webhooks exist
//! does it settle syncs and send their events (each delivery on a thread of its own, 5 s timeout).
//! Everything sits behind one lock: a page of 1000 connections renders in about a millisecond
//! in a release build.

mod api;
pub mod cli;
mod families;
mod routes;
mod seed;
mod server;
mod store;

/// The connection states the emulator is steered with are the library's own.
pub use crate::api::connections::{SetupState, SyncState};
use crate::error::{Error, Result};
use crate::lock::lock;
use crate::time::Timestamp;
use crate::{Client, ClientBuilder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The API key the emulator accepts unless told otherwise.
pub const DEFAULT_KEY: &str = "emulator_key";
/// The API secret the emulator accepts unless told otherwise.
pub const DEFAULT_SECRET: &str = "emulator_secret";
/// How long a sync runs unless told otherwise.
pub const DEFAULT_SYNC_DURATION: Duration = Duration::from_millis(200);
/// Requests allowed per rolling hour unless told otherwise (the API's standard quota).
pub const DEFAULT_HOURLY_QUOTA: u64 = 20_000;
/// How long a connection may sit idle between requests before the emulator closes it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How the syncs of a connection end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// `succeeded_at` moves.
    #[default]
    Success,
    /// `failed_at` moves and a task is added.
    Failure,
}

/// What an injected [`Fault`] does; see the [module docs](self) for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with a status code.
    Status,
    /// Answer with a proxy's HTML error page.
    Html,
    /// Close the connection without answering (TCP reset).
    Reset,
    /// Cut the answer's body short of its `Content-Length`, then close.
    Truncate,
    /// Answer a list page with the request's own cursor as `next_cursor`.
    RepeatCursor,
    /// Never answer.
    Stall,
    /// Answer normally, late.
    Delay,
}

/// The body of a [`FaultKind::Status`] answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultBody {
    /// The API's error envelope, `{"code": ..., "message": ...}`.
    #[default]
    Json,
    /// An HTML error page.
    Html,
    /// Nothing.
    Empty,
}

/// A fault to inject into matching requests.
///
/// ```
/// use fivetrex::emulator::{Fault, FaultBody};
/// use std::time::Duration;
/// let f = Fault::status("/v1/groups", 503).method("GET").times(2).body(FaultBody::Empty);
/// let g = Fault::status("/v1/connections/*", 429).retry_after("1");
/// let h = Fault::reset("/v1/users").delay(Duration::from_millis(50));
/// # let _ = (f, g, h);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Fault {
    /// The method it applies to (any when `None`).
    pub method: Option<String>,
    /// The path it applies to; a trailing `*` makes it a prefix.
    pub path: String,
    /// What it does.
    pub kind: FaultKind,
    /// The status of a `Status` or `Html` answer.
    pub status: u16,
    /// Requests it spoils (0: until cleared).
    pub times: u32,
    /// A `Retry-After` header value for a `Status` or `Html` answer.
    pub retry_after: Option<String>,
    /// Wait this long before doing anything.
    #[serde(rename = "delay_ms", serialize_with = "millis")]
    pub delay: Duration,
    /// The body of a `Status` answer.
    pub body: FaultBody,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl Fault {
    fn new(path: &str, kind: FaultKind, status: u16) -> Fault {
        Fault {
            method: None,
            path: path.to_owned(),
            kind,
            status,
            times: 1,
            retry_after: None,
            delay: Duration::ZERO,
            body: FaultBody::Json,
        }
    }
    /// Answer `status` (with the API's JSON error envelope unless [`Fault::body`] says otherwise).
    pub fn status(path: &str, status: u16) -> Fault {
        Fault::new(path, FaultKind::Status, status)
    }
    /// Answer a proxy's HTML error page with `status`.
    pub fn html(path: &str, status: u16) -> Fault {
        Fault::new(path, FaultKind::Html, status)
    }
    /// Close the connection without answering.
    pub fn reset(path: &str) -> Fault {
        Fault::new(path, FaultKind::Reset, 0)
    }
    /// Cut the answer short.
    pub fn truncate(path: &str) -> Fault {
        Fault::new(path, FaultKind::Truncate, 0)
    }
    /// Repeat the request's cursor as `next_cursor`.
    pub fn repeat_cursor(path: &str) -> Fault {
        Fault::new(path, FaultKind::RepeatCursor, 0)
    }
    /// Never answer.
    pub fn stall(path: &str) -> Fault {
        Fault::new(path, FaultKind::Stall, 0)
    }
    /// Answer normally after `d`.
    pub fn delayed(path: &str, d: Duration) -> Fault {
        Fault::new(path, FaultKind::Delay, 0).delay(d)
    }
    /// Only for this method.
    pub fn method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_ascii_uppercase());
        self
    }
    /// Spoil this many requests (default 1; 0 until cleared).
    pub fn times(mut self, n: u32) -> Fault {
        self.times = n;
        self
    }
    /// Send this `Retry-After` value.
    pub fn retry_after(mut self, value: &str) -> Fault {
        self.retry_after = Some(value.to_owned());
        self
    }
    /// Wait before acting.
    pub fn delay(mut self, d: Duration) -> Fault {
        self.delay = d;
        self
    }
    /// The body of a status answer.
    pub fn body(mut self, body: FaultBody) -> Fault {
        self.body = body;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        method_ok && path_ok
    }

    /// Reads a fault in the control endpoint's JSON form (see the [module docs](self)).
    pub fn from_json(v: &Value) -> std::result::Result<Fault, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            method: Option<String>,
            path: String,
            kind: Option<FaultKind>,
            status: Option<u16>,
            times: Option<u32>,
            retry_after: Option<Value>,
            delay_ms: Option<u64>,
            body: Option<FaultBody>,
        }
        let w: Wire = serde_json::from_value(v.clone()).map_err(|e| format!("invalid fault: {e}"))?;
        if !w.path.starts_with('/') {
            return Err("a fault's path starts with '/'".into());
        }
        let kind = match (w.kind, w.status, w.delay_ms) {
            (Some(k), _, _) => k,
            (None, Some(_), _) => FaultKind::Status,
            (None, None, Some(_)) => FaultKind::Delay,
            (None, None, None) => return Err("a fault needs a kind, a status or a delay_ms".into()),
        };
        let status = match (kind, w.status) {
            (FaultKind::Status, None) => return Err("a status fault needs a status".into()),
            (FaultKind::Html, None) => 502,
            (_, Some(s)) if !(100..=599).contains(&s) => return Err(format!("status {s} is not an HTTP status")),
            (_, s) => s.unwrap_or(0),
        };
        let retry_after = match w.retry_after {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => return Err("retry_after is a string or a number".into()),
        };
        let mut f = Fault::new(&w.path, kind, status);
        f.method = w.method.map(|m| m.to_ascii_uppercase());
        f.times = w.times.unwrap_or(1);
        f.retry_after = retry_after;
        f.delay = Duration::from_millis(w.delay_ms.unwrap_or(0));
        f.body = w.body.unwrap_or_default();
        Ok(f)
    }
}

/// Changes to one connection's state, applied by [`Emulator::set_connection`] or
/// `POST /__emulator/connections/{id}`. Unset fields are left alone.
///
/// ```
/// use fivetrex::emulator::{ConnectionControl, Outcome, SyncState};
/// let ctl = ConnectionControl::new().sync_outcome(Outcome::Failure).sync_state(SyncState::Syncing);
/// # let _ = ctl;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionControl {
    /// How its syncs end from now on.
    pub sync_outcome: Option<Outcome>,
    /// Put it in this state now (`syncing` starts a sync of the usual duration; `rescheduled`
    /// waits for `rescheduled_for`, an hour from now when unset; `paused`/`scheduled` also set
    /// `paused`). An unknown value is served as given, to test how clients take new states.
    pub sync_state: Option<SyncState>,
    /// Its `status.setup_state`.
    pub setup_state: Option<SetupState>,
    /// Its `status.rescheduled_for`.
    pub rescheduled_for: Option<Timestamp>,
    /// Pause or resume it.
    pub paused: Option<bool>,
    /// How long its syncs run (overrides the emulator's setting).
    pub sync_duration: Option<Duration>,
    /// Its `succeeded_at`.
    pub succeeded_at: Option<Timestamp>,
    /// Its `failed_at`.
    pub failed_at: Option<Timestamp>,
    /// Fields the API might add tomorrow, served with the connection from now on (merged over
    /// earlier ones; a field the connection already has is refused).
    pub extra_fields: Option<serde_json::Map<String, Value>>,
}

impl ConnectionControl {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }
    /// See [`ConnectionControl::sync_outcome`](#structfield.sync_outcome).
    pub fn sync_outcome(mut self, o: Outcome) -> Self {
        self.sync_outcome = Some(o);
        self
    }
    /// See [`ConnectionControl::sync_state`](#structfield.sync_state).
    pub fn sync_state(mut self, s: SyncState) -> Self {
        self.sync_state = Some(s);
        self
    }
    /// See [`ConnectionControl::setup_state`](#structfield.setup_state).
    pub fn setup_state(mut self, s: SetupState) -> Self {
        self.setup_state = Some(s);
        self
    }
    /// Puts it in `rescheduled` until `at`.
    pub fn rescheduled_until(mut self, at: Timestamp) -> Self {
        self.sync_state = Some(SyncState::Rescheduled);
        self.rescheduled_for = Some(at);
        self
    }
    /// See [`ConnectionControl::paused`](#structfield.paused).
    pub fn paused(mut self, p: bool) -> Self {
        self.paused = Some(p);
        self
    }
    /// See [`ConnectionControl::sync_duration`](#structfield.sync_duration).
    pub fn sync_duration(mut self, d: Duration) -> Self {
        self.sync_duration = Some(d);
        self
    }

    /// Reads the control endpoint's JSON form (see the [module docs](self)).
    pub fn from_json(v: &Value) -> std::result::Result<Self, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            sync_outcome: Option<Outcome>,
            sync_state: Option<SyncState>,
            setup_state: Option<SetupState>,
            rescheduled_for: Option<Timestamp>,
            paused: Option<bool>,
            sync_duration_ms: Option<u64>,
            succeeded_at: Option<Timestamp>,
            failed_at: Option<Timestamp>,
            extra_fields: Option<serde_json::Map<String, Value>>,
        }
        let w: Wire = serde_json::from_value(v.clone()).map_err(|e| format!("invalid connection control: {e}"))?;
        Ok(ConnectionControl {
            sync_outcome: w.sync_outcome,
            sync_state: w.sync_state,
            setup_state: w.setup_state,
            rescheduled_for: w.rescheduled_for,
            paused: w.paused,
            sync_duration: w.sync_duration_ms.map(Duration::from_millis),
            succeeded_at: w.succeeded_at,
            failed_at: w.failed_at,
            extra_fields: w.extra_fields,
        })
    }
}

/// One API request the emulator saw (control requests are not logged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// Its place in the log, from 1.
    pub seq: u64,
    /// The method.
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: String,
    /// The status answered; `None` when no answer was sent (reset, stall).
    pub status: Option<u16>,
    /// The fault injected into it, if any.
    pub fault: Option<FaultKind>,
    /// Which TCP connection carried it (1-based, in accept order).
    pub connection: u64,
}

/// Counters since start (or the last reset).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted (control requests' included).
    pub connections_accepted: u64,
    /// TCP connections that carried at least one API request.
    pub api_connections: u64,
    /// Requests read (control requests included).
    pub requests: u64,
    /// API requests (not control ones).
    pub api_requests: u64,
    /// Faults still waiting to fire.
    pub pending_faults: u64,
    /// Groups in the account now.
    pub groups: u64,
    /// Connections in the account now.
    pub connections: u64,
}

/// Configures and starts an [`Emulator`].
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    key: String,
    secret: crate::Secret,
    seed: (usize, usize),
    sync_duration: Duration,
    hourly_quota: u64,
    addr: SocketAddr,
    idle_timeout: Duration,
    account: Option<Value>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            key: DEFAULT_KEY.into(),
            secret: DEFAULT_SECRET.into(),
            seed: (0, 0),
            sync_duration: DEFAULT_SYNC_DURATION,
            hourly_quota: DEFAULT_HOURLY_QUOTA,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            account: None,
        }
    }
}

impl EmulatorBuilder {
    /// The API key to accept (default [`DEFAULT_KEY`]).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }
    /// The API secret to accept (default [`DEFAULT_SECRET`]).
    pub fn secret(mut self, secret: impl Into<crate::Secret>) -> Self {
        self.secret = secret.into();
        self
    }
    /// Seeds `groups` groups with `connections_per_group` connections each (default: none).
    pub fn seed(mut self, groups: usize, connections_per_group: usize) -> Self {
        self.seed = (groups, connections_per_group);
        self
    }
    /// How long a sync runs (default 200 ms).
    pub fn sync_duration(mut self, d: Duration) -> Self {
        self.sync_duration = d;
        self
    }
    /// Requests allowed per rolling hour (default 20,000).
    pub fn hourly_quota(mut self, n: u64) -> Self {
        self.hourly_quota = n;
        self
    }
    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }
    /// How long an idle connection is kept open (default 30 s).
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Adds an account shape to load after the seed (and again at every reset): groups, users,
    /// destinations, connections and other collections with the ids you choose; see the
    /// [module docs](self#account-shape). Called twice, both shapes load.
    pub fn account(mut self, shape: Value) -> Self {
        self.account = Some(match self.account.take() {
            None => shape,
            Some(old) => api::merge_shapes(old, shape),
        });
        self
    }
    /// A group with the id and name you choose (as the official Go SDK's end-to-end suite
    /// expects: it names its group).
    pub fn predefined_group(self, id: &str, name: &str) -> Self {
        self.account(serde_json::json!({"groups": [{"id": id, "name": name}]}))
    }
    /// A user with the id, email and names you choose, an Account Administrator already in the
    /// account. The first one (unless a shape names an `owner`) is the user the API key
    /// belongs to: `connected_by` of new connections, `user_id` of the account info.
    pub fn predefined_user(self, id: &str, email: &str, given_name: &str, family_name: &str) -> Self {
        let has_owner = self.account.as_ref().is_some_and(|a| a.get("owner").is_some());
        let mut shape = serde_json::json!({"users": [{"id": id, "email": email, "given_name": given_name,
            "family_name": family_name, "role": "Account Administrator"}]});
        if !has_owner {
            shape["owner"] = Value::String(id.to_owned());
        }
        self.account(shape)
    }

    /// Seeds the data, binds and starts serving.
    pub fn start(self) -> Result<Emulator> {
        // The same checks the client makes, so `Emulator::client` cannot fail.
        Client::builder().api_key(self.key.as_str()).api_secret(self.secret.clone()).build()?;
        let started = Instant::now();
        let counters = Arc::new(server::Counters::default());
        let mut world = api::World::new(self.seed, self.sync_duration, self.hourly_quota);
        if let Some(shape) = self.account {
            world.load(shape).map_err(|e| Error::Config(format!("the emulator's account shape: {e}")))?;
        }
        let seeded_in = started.elapsed();
        let shared = Arc::new(api::Shared::new(world, counters.clone(), &self.key, self.secret.expose()));
        let server = server::Server::start(self.addr, shared.clone(), counters, self.idle_timeout)
            .map_err(|e| Error::Config(format!("the emulator cannot listen on {}: {e}", self.addr)))?;
        let addr = server.addr();
        spawn_sender(&shared);
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        log::debug!("emulator listening on {addr}, seeded in {seeded_in:?}");
        Ok(Emulator {
            base_url: format!("http://{host}:{}", addr.port()),
            server,
            shared,
            key: self.key,
            secret: self.secret,
            seeded_in,
        })
    }
}

/// How often the sender looks for finished syncs to announce to webhooks.
const SENDER_PERIOD: Duration = Duration::from_millis(10);

/// Starts the thread that settles syncs and sends webhook events while the emulator runs (it
/// holds only a weak reference, so it ends when the emulator is dropped or stopped).
fn spawn_sender(shared: &Arc<api::Shared>) {
    let weak = Arc::downgrade(shared);
    let spawned = std::thread::Builder::new().name("fivetrex-emulator-sender".into()).spawn(move || loop {
        std::thread::sleep(SENDER_PERIOD);
        let Some(shared) = weak.upgrade() else { return };
        if shared.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        shared.pump();
    });
    if let Err(e) = spawned {
        log::warn!("emulator: no webhook sender thread ({e}); sync_end events will not be sent");
    }
}

/// A running emulator; see the [module docs](self). Dropping it stops it.
pub struct Emulator {
    server: server::Server,
    shared: Arc<api::Shared>,
    base_url: String,
    key: String,
    secret: crate::Secret,
    seeded_in: Duration,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Emulator {
    /// A builder with the defaults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The API key it accepts.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The API secret it accepts.
    pub fn secret(&self) -> &str {
        self.secret.expose()
    }

    /// How long seeding took at start.
    pub fn seeded_in(&self) -> Duration {
        self.seeded_in
    }

    /// A client builder with the emulator's URL and credentials, to add options to. Plain http is
    /// allowed even when the emulator listens on an address that is not loopback.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(self.key.as_str())
            .api_secret(self.secret.clone())
            .base_url(self.base_url.as_str())
            .allow_insecure_http(true)
    }

    /// A client pointed at the emulator with its credentials and default options.
    pub fn client(&self) -> Client {
        // Invariant: `start` built a client from the same key and secret, and the base URL is
        // loopback http, so this cannot fail.
        self.client_builder().build().expect("the emulator's client configuration was checked at start")
    }

    /// Stops serving (also done on drop): the accept loop ends and open connections close.
    pub fn stop(mut self) {
        self.shared.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
        self.server.stop();
    }

    /// Loads an account shape now (see [`EmulatorBuilder::account`]); it stays for resets.
    pub fn load_account(&self, shape: Value) -> Result<()> {
        lock(&self.shared.world).load(shape).map_err(Error::InvalidArgument)
    }

    /// The request log, oldest first (at most the last 100,000 requests).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.world).log.iter().cloned().collect()
    }

    /// Empties the request log.
    pub fn clear_log(&self) {
        lock(&self.shared.world).log.clear();
    }

    /// TCP connections accepted since start or the last reset.
    pub fn connections_accepted(&self) -> u64 {
        self.stats().connections_accepted
    }

    /// Every counter.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.world).stats(&self.shared.counters)
    }

    /// Injects a fault.
    pub fn add_fault(&self, fault: Fault) {
        let times = fault.times;
        lock(&self.shared.world).faults.push((fault, times));
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.world).faults.clear();
    }

    /// Changes one connection's state; fails with [`Error::InvalidArgument`] for an unknown id.
    pub fn set_connection(&self, connection_id: &str, control: &ConnectionControl) -> Result<()> {
        lock(&self.shared.world).control_connection(connection_id, control).map_err(Error::InvalidArgument)
    }

    /// How the syncs of one connection end from now on.
    pub fn set_sync_outcome(&self, connection_id: &str, outcome: Outcome) -> Result<()> {
        self.set_connection(connection_id, &ConnectionControl::new().sync_outcome(outcome))
    }

    /// How long syncs run (connections with their own duration keep it).
    pub fn set_sync_duration(&self, d: Duration) {
        lock(&self.shared.world).set_sync_duration(d);
    }

    /// Requests allowed per rolling hour.
    pub fn set_hourly_quota(&self, n: u64) {
        lock(&self.shared.world).quota.limit = n;
    }

    /// Back to the seeded data; faults, log, quota use and counters cleared.
    pub fn reset(&self) {
        lock(&self.shared.world).reset(&self.shared.counters);
    }

    /// Replaces the data with a new seed (and resets); returns how long seeding took.
    pub fn reseed(&self, groups: usize, connections_per_group: usize) -> Duration {
        let t = Instant::now();
        let mut w = lock(&self.shared.world);
        w.seed = (groups, connections_per_group);
        w.reset(&self.shared.counters);
        t.elapsed()
    }

    /// The ids of every group, in creation order.
    pub fn group_ids(&self) -> Vec<String> {
        lock(&self.shared.world).store.groups.values().map(|g| g.id.clone()).collect()
    }

    /// The ids of a group's connections, in creation order.
    pub fn connection_ids(&self, group_id: &str) -> Vec<String> {
        let w = lock(&self.shared.world);
        let store = &w.store;
        store
            .by_group
            .get(group_id)
            .map(|set| set.iter().filter_map(|s| store.connections.by_seq(*s).map(|c| c.id.clone())).collect())
            .unwrap_or_default()
    }
}
