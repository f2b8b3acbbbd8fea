//! The command line's shape.

use crate::output::Format;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    any other error (server error, transport, bad answer)
  2    usage error (bad arguments, missing credentials, refused --confirm)
  3    sync failed (sync --wait)
  4    timed out (sync --wait --timeout)
  5    rescheduled: the sync waits for the source's quota (sync --wait)
  6    paused or broken connection (sync --wait)
  7    not found (404)
  8    unauthorized or forbidden (401, 403)
  9    rate limited (429 after the retries)
  130  interrupted (Ctrl-C)

Credentials: FIVETRAN_API_KEY and FIVETRAN_API_SECRET (or --api-key / --api-secret), and
FIVETRAN_BASE_URL to point elsewhere; --emulator runs against an in-process emulator with demo
data instead. Output is a table on a terminal and JSON otherwise, unless --output says.";

/// Fivetran from the shell: every API operation, tables for people, JSON for scripts.
#[derive(Parser, Debug)]
#[command(name = "fivetrex", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    /// API key.
    #[arg(long, env = "FIVETRAN_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// API secret (prefer the environment variable: flags show in the process list).
    #[arg(long, env = "FIVETRAN_API_SECRET", global = true, hide_env_values = true)]
    pub api_secret: Option<String>,
    /// API address (default https://api.fivetran.com).
    #[arg(long, env = "FIVETRAN_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Run against an in-process emulator seeded with demo data (3 groups x 10 connections).
    #[arg(long, global = true)]
    pub emulator: bool,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(short, long, value_enum, global = true)]
    pub output: Option<Format>,
    /// Columns for table and csv output: comma-separated dotted paths (status.sync_state).
    #[arg(long, global = true, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Items per list request (1..=1000, default 1000: the rate limit counts requests).
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: Option<u32>,
    /// No progress display and no remarks on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log the library's requests and retries on stderr (-vv for more).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Groups (a destination and its connections).
    #[command(subcommand)]
    Groups(GroupsCmd),
    /// Connections (sources): list with filters, sync and wait, pause, resync, schema.
    #[command(subcommand)]
    Connections(ConnectionsCmd),
    /// Destinations.
    #[command(subcommand)]
    Destinations(DestinationsCmd),
    /// Users of the account.
    #[command(subcommand)]
    Users(UsersCmd),
    /// Teams.
    #[command(subcommand)]
    Teams(TeamsCmd),
    /// Webhooks.
    #[command(subcommand)]
    Webhooks(WebhooksCmd),
    /// Any API operation by its operationId (`fivetrex api --list` lists them).
    Api(ApiArgs),
    /// A raw request: `fivetrex call GET /v1/account/info`.
    Call(CallArgs),
    /// A Singer tap for the account's own metadata (groups, connections, schemas, sync outcomes, ...).
    Tap(TapArgs),
    /// An Airbyte source for the account's own metadata: spec, check, discover, read.
    #[command(subcommand)]
    Airbyte(AirbyteCmd),
    /// Prints a shell completion script: `fivetrex completions bash > /etc/bash_completion.d/fivetrex`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// A request body: inline JSON, `@file`, or `@-` for stdin.
#[derive(Args, Debug, Default, Clone)]
pub struct Data {
    /// JSON body: inline, @file or @- (stdin); flags given beside it override its fields.
    #[arg(long, short = 'd')]
    pub data: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct Confirm {
    /// The id again, to confirm a destructive command.
    #[arg(long, value_name = "ID")]
    pub confirm: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum GroupsCmd {
    /// Lists every group.
    List,
    /// Shows one group.
    Get { id: String },
    /// Creates a group.
    Create {
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Renames a group.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Deletes a group with everything in it (needs --confirm ID).
    Delete {
        id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StateFilter {
    Syncing,
    Paused,
    Broken,
    Rescheduled,
    Failed,
}

#[derive(Subcommand, Debug)]
pub enum ConnectionsCmd {
    /// Lists connections across all groups.
    List {
        /// Only this group's.
        #[arg(long)]
        group: Option<String>,
        /// Only those in this state (failed: the last sync failed).
        #[arg(long, value_enum)]
        state: Option<StateFilter>,
        /// Only this service (postgres, salesforce, ...).
        #[arg(long)]
        service: Option<String>,
    },
    /// Shows one connection.
    Get { id: String },
    /// Creates a connection (config in --data).
    Create {
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        service: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Changes a connection (fields in --data).
    Update {
        id: String,
        /// Minutes between syncs.
        #[arg(long)]
        sync_frequency: Option<u32>,
        #[command(flatten)]
        data: Data,
    },
    /// Deletes a connection (needs --confirm ID).
    Delete {
        id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Triggers a sync, and with --wait waits for its outcome.
    Sync(SyncArgs),
    /// Pauses a connection.
    Pause { id: String },
    /// Resumes a paused connection.
    Resume { id: String },
    /// Historical resync: of the given tables, or of everything (needs --confirm ID).
    Resync {
        id: String,
        /// SCHEMA.TABLE to resync (repeatable); none means everything.
        #[arg(long = "table")]
        tables: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// The schema config: show, reload, enable or disable a table.
    #[command(subcommand)]
    Schema(SchemaCmd),
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    pub id: String,
    /// Wait until the sync ends; the exit code tells how.
    #[arg(long)]
    pub wait: bool,
    /// Longest wait (30s, 30m, 2h, 1h30m).
    #[arg(long, default_value = "1h", value_parser = crate::parse_duration)]
    pub timeout: std::time::Duration,
    /// Time between polls while waiting [default: 10s; 250ms with --emulator].
    #[arg(long, value_parser = crate::parse_duration)]
    pub poll_interval: Option<std::time::Duration>,
    /// Stop a running sync and start anew.
    #[arg(long)]
    pub force: bool,
    /// Resume a paused connection first instead of exiting with code 6.
    #[arg(long)]
    pub resume: bool,
    /// Keep waiting while the sync is rescheduled instead of exiting with code 5.
    #[arg(long)]
    pub wait_rescheduled: bool,
}

#[derive(Subcommand, Debug)]
pub enum SchemaCmd {
    /// Shows the schema config.
    Show { id: String },
    /// Reloads the schema config from the source.
    Reload { id: String },
    /// Enables a table: SCHEMA.TABLE.
    Enable { id: String, table: String },
    /// Disables a table: SCHEMA.TABLE.
    Disable { id: String, table: String },
}

#[derive(Subcommand, Debug)]
pub enum DestinationsCmd {
    /// Lists every destination.
    List,
    /// Shows one destination.
    Get { id: String },
    /// Creates a destination (config in --data).
    Create {
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        service: Option<String>,
        /// +3, -5, 0, ...
        #[arg(long, allow_hyphen_values = true)]
        time_zone_offset: Option<String>,
        #[arg(long)]
        region: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Changes a destination (fields in --data).
    Update {
        id: String,
        #[command(flatten)]
        data: Data,
    },
    /// Deletes a destination (needs --confirm ID).
    Delete {
        id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Subcommand, Debug)]
pub enum UsersCmd {
    /// Lists every user.
    List,
    /// Shows one user.
    Get { id: String },
    /// Invites a user.
    Create {
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Changes a user (fields in --data or flags).
    Update {
        id: String,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Deletes a user (needs --confirm ID).
    Delete {
        id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Subcommand, Debug)]
pub enum TeamsCmd {
    /// Lists every team.
    List,
    /// Shows one team.
    Get { id: String },
    /// Creates a team.
    Create {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Changes a team.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Deletes a team (needs --confirm ID).
    Delete {
        id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Subcommand, Debug)]
pub enum WebhooksCmd {
    /// Lists every webhook.
    List,
    /// Shows one webhook.
    Get { id: String },
    /// Creates an account webhook, or a group webhook with --group.
    Create {
        #[arg(long)]
        url: Option<String>,
        /// An event to send (repeatable or comma-separated): sync_start, sync_end, ...
        #[arg(long = "event", value_delimiter = ',')]
        events: Vec<String>,
        #[arg(long)]
        group: Option<String>,
        /// Start inactive.
        #[arg(long)]
        inactive: bool,
        #[command(flatten)]
        data: Data,
    },
    /// Changes a webhook.
    Update {
        id: String,
        #[arg(long)]
        url: Option<String>,
        #[arg(long = "event", value_delimiter = ',')]
        events: Vec<String>,
        #[arg(long)]
        active: Option<bool>,
        #[command(flatten)]
        data: Data,
    },
    /// Deletes a webhook (needs --confirm ID).
    Delete {
        id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Sends a test event.
    Test {
        id: String,
        #[arg(long, default_value = "sync_start")]
        event: String,
    },
}

#[derive(Args, Debug)]
pub struct ApiArgs {
    /// The operationId (list_all_groups, modify_connection, ...).
    #[arg(required_unless_present = "list")]
    pub operation: Option<String>,
    /// Lists every operation.
    #[arg(long, conflicts_with = "operation")]
    pub list: bool,
    /// A path parameter NAME=VALUE (repeatable).
    #[arg(long = "path", short = 'p', value_name = "NAME=VALUE")]
    pub path: Vec<String>,
    /// A query parameter NAME=VALUE (repeatable).
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub data: Data,
}

#[derive(Args, Debug)]
pub struct CallArgs {
    /// GET, POST, PATCH, PUT or DELETE.
    pub method: String,
    /// The path, starting with /v1/.
    pub path: String,
    /// A query parameter NAME=VALUE (repeatable).
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// Walk every page of a list answer and write the items.
    #[arg(long)]
    pub paginate: bool,
    #[command(flatten)]
    pub data: Data,
}

/// `fivetrex tap`: a Singer tap.
#[derive(Args, Debug)]
pub struct TapArgs {
    /// Config JSON: {"api_key": ..., "api_secret": ..., "base_url": optional}.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Singer catalog (streams with metadata "selected": true); all streams without it.
    #[arg(long, alias = "properties", value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Singer state from a previous run (its last STATE value).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Print the catalog instead of reading.
    #[arg(long)]
    pub discover: bool,
}

/// `fivetrex airbyte ...`: an Airbyte source.
#[derive(Subcommand, Debug)]
pub enum AirbyteCmd {
    /// The connector's SPEC (the config it takes).
    Spec,
    /// Checks the credentials (CONNECTION_STATUS).
    Check(AirbyteArgs),
    /// The CATALOG of streams.
    Discover(AirbyteArgs),
    /// Reads the streams of the configured catalog.
    Read(AirbyteArgs),
}

/// The files an Airbyte command takes.
#[derive(Args, Debug)]
pub struct AirbyteArgs {
    /// Config JSON: {"api_key": ..., "api_secret": ..., "base_url": optional}.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Configured catalog (read).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// State: the per-stream STATE messages of a previous run, as a JSON array.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}
