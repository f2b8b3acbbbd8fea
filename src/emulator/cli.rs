//! The command line of `cargo run --example emulator`, parsed here so it can be tested.
//!
//! ```text
//! emulator [--host ADDR] [--port N] [--key K] [--secret S] [--groups N]
//!          [--connections-per-group M] [--sync-ms MS] [--quota N] [--ignore-stdin]
//!          [--group ID=NAME]... [--user ID=EMAIL[,GIVEN[,FAMILY[,PHONE]]]]...
//!          [--member USER_ID=GROUP_ID[,ROLE]]... [--account FILE]
//! ```
//!
//! For the official Go SDK's end-to-end suite, which names its group and user:
//! `--groups 0 --group sepulchre_settlement=GoSdkTesting --user 'recoup_befell=dev@example.com,Go,5Tran,+1234567890'
//! --member recoup_befell=sepulchre_settlement`,
//! then point it at `http://HOST:PORT/v1`.

use super::{EmulatorBuilder, DEFAULT_HOURLY_QUOTA, DEFAULT_KEY, DEFAULT_SECRET, DEFAULT_SYNC_DURATION};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// The help text.
pub const USAGE: &str = "\
usage: emulator [options]
  --host ADDR                  address to listen on (default 127.0.0.1)
  --port N                     port (default 0: a free one)
  --key K                      API key to accept (default emulator_key)
  --secret S                   API secret to accept (default emulator_secret)
  --groups N                   groups to seed (default 3)
  --connections-per-group M    connections per group (default 5)
  --sync-ms MS                 how long a sync runs (default 200)
  --quota N                    requests per rolling hour (default 20000)
  --ignore-stdin               keep running at stdin EOF (stop it with a signal)
  --group ID=NAME              a group with this id and name (repeatable)
  --user ID=EMAIL[,GIVEN[,FAMILY[,PHONE]]]
                               a user with this id (repeatable; an Account Administrator;
                               the first is the API key's user)
  --member USER_ID=GROUP_ID[,ROLE]
                               make a user a member of a group (default Destination Administrator)
  --account FILE               load an account shape from a JSON file (see the emulator docs)
  -h, --help                   this text
Prints `listening on http://HOST:PORT` as the first line on stdout, then serves until stdin
reaches end of file (unless --ignore-stdin) or the process is killed.";

/// What the command line asked for.
// Made once per process: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Command {
    /// Run with these options.
    Run(Options),
    /// Print [`USAGE`].
    Help,
}

/// Options of a run.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The API key to accept.
    pub key: String,
    /// The API secret to accept.
    pub secret: String,
    /// Groups to seed.
    pub groups: usize,
    /// Connections per group.
    pub connections_per_group: usize,
    /// How long a sync runs.
    pub sync_duration: Duration,
    /// Requests per rolling hour.
    pub hourly_quota: u64,
    /// Stop at stdin end of file.
    pub exit_on_stdin_eof: bool,
    /// The account shape `--group`, `--user`, `--member` and `--account` add up to, in the
    /// order given (see the emulator docs' "Account shape").
    pub account: Option<serde_json::Value>,
    predefined_users_seen: usize,
}

impl Options {
    fn add_shape(&mut self, shape: serde_json::Value) {
        self.account = Some(match self.account.take() {
            None => shape,
            Some(old) => super::api::merge_shapes(old, shape),
        });
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            key: DEFAULT_KEY.into(),
            secret: DEFAULT_SECRET.into(),
            groups: 3,
            connections_per_group: 5,
            sync_duration: DEFAULT_SYNC_DURATION,
            hourly_quota: DEFAULT_HOURLY_QUOTA,
            exit_on_stdin_eof: true,
            account: None,
            predefined_users_seen: 0,
        }
    }
}

impl Options {
    /// An emulator builder with these options.
    pub fn builder(&self) -> EmulatorBuilder {
        let mut b = super::Emulator::builder()
            .bind(self.addr)
            .key(self.key.as_str())
            .secret(self.secret.as_str())
            .seed(self.groups, self.connections_per_group)
            .sync_duration(self.sync_duration)
            .hourly_quota(self.hourly_quota);
        if let Some(shape) = &self.account {
            b = b.account(shape.clone());
        }
        b
    }
}

/// Parses the arguments (without the program name). `--name value` and `--name=value` both work.
///
/// ```
/// use fivetrex::emulator::cli::{parse, Command};
/// let Command::Run(o) = parse(["--port", "8080", "--groups=10"].map(String::from)).unwrap() else { panic!() };
/// assert_eq!((o.addr.port(), o.groups), (8080, 10));
/// ```
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut o = Options::default();
    let mut host: IpAddr = o.addr.ip();
    let mut port = 0u16;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let flag = |inline: &Option<String>| match inline {
            Some(_) => Err(format!("{name} takes no value")),
            None => Ok(()),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--ignore-stdin" => {
                flag(&inline)?;
                o.exit_on_stdin_eof = false;
                continue;
            }
            _ => {}
        }
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => args.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name.as_str() {
            "--host" => host = value()?.parse().map_err(|_| "--host: not an IP address".to_string())?,
            "--port" => port = number(&name, &value()?)?,
            "--key" => o.key = non_empty(&name, value()?)?,
            "--secret" => o.secret = non_empty(&name, value()?)?,
            "--groups" => o.groups = number(&name, &value()?)?,
            "--connections-per-group" => o.connections_per_group = number(&name, &value()?)?,
            "--sync-ms" => o.sync_duration = Duration::from_millis(number(&name, &value()?)?),
            "--quota" => o.hourly_quota = number(&name, &value()?)?,
            "--group" => {
                let v = value()?;
                let (id, group) = v.split_once('=').ok_or("--group takes ID=NAME")?;
                let (id, group) = (non_empty("--group id", id.into())?, non_empty("--group name", group.into())?);
                o.add_shape(json!({"groups": [{"id": id, "name": group}]}));
            }
            "--user" => {
                let v = value()?;
                let (id, rest) = v.split_once('=').ok_or("--user takes ID=EMAIL[,GIVEN[,FAMILY[,PHONE]]]")?;
                let mut parts = rest.split(',');
                let email = non_empty("--user email", parts.next().unwrap_or_default().into())?;
                let given = parts.next().unwrap_or("Emulated");
                let family = parts.next().unwrap_or("User");
                let mut user = json!({"id": non_empty("--user id", id.into())?, "email": email, "given_name": given,
                    "family_name": family, "role": "Account Administrator"});
                if let Some(phone) = parts.next() {
                    user["phone"] = json!(phone);
                }
                let mut shape = json!({ "users": [user] });
                if o.predefined_users_seen == 0 {
                    shape["owner"] = json!(id);
                }
                o.predefined_users_seen += 1;
                o.add_shape(shape);
            }
            "--member" => {
                let v = value()?;
                let (user, rest) = v.split_once('=').ok_or("--member takes USER_ID=GROUP_ID[,ROLE]")?;
                let (group, role) = rest.split_once(',').unwrap_or((rest, "Destination Administrator"));
                o.add_shape(json!({"memberships": [{"user_id": user, "group_id": group, "role": role}]}));
            }
            "--account" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("--account {path}: {e}"))?;
                let shape = serde_json::from_str(&text).map_err(|e| format!("--account {path}: not JSON: {e}"))?;
                o.add_shape(shape);
            }
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    if o.groups.saturating_mul(o.connections_per_group) > 10_000_000 {
        return Err("at most 10,000,000 connections".into());
    }
    o.addr = SocketAddr::new(host, port);
    Ok(Command::Run(o))
}

fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{name}: {v:?} is not a valid number"))
}

fn non_empty(name: &str, v: String) -> Result<String, String> {
    if v.is_empty() {
        Err(format!("{name} must not be empty"))
    } else {
        Ok(v)
    }
}
