//! The emulator's data: groups, connections, destinations and users in memory, their JSON
//! shapes, deterministic seeding, and the sync state machine.
//!
//! Every table keeps items in creation order under a sequence number; list cursors name the last
//! sequence number served, so a walk stays stable while items are added or deleted. Syncs are
//! settled lazily: [`Store::tick`] moves every running sync whose time is up to its outcome before
//! a request is served, so no timer thread is needed.

use super::families::{Delivery, Docs};
use super::{Outcome, SetupState, SyncState};
use crate::json::is_secret_key;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::time::{Duration, SystemTime};

const ADJECTIVES: [&str; 64] = [
    "able", "agile", "amber", "ample", "azure", "balmy", "bold", "brave", "brisk", "calm", "civic", "clever", "cozy",
    "crisp", "dapper", "daring", "deft", "eager", "early", "even", "fair", "fancy", "fleet", "fond", "frank", "gentle",
    "glad", "grand", "happy", "hardy", "honest", "jolly", "keen", "kind", "lively", "loyal", "lucid", "lucky", "merry",
    "mellow", "modest", "neat", "nimble", "noble", "novel", "plucky", "polite", "proud", "quick", "quiet", "rapid",
    "ready", "regal", "round", "rugged", "savvy", "sharp", "shiny", "sleek", "smooth", "solid", "steady", "sunny",
    "tidy",
];
const ANIMALS: [&str; 64] = [
    "alpaca", "badger", "beaver", "bison", "bobcat", "camel", "caribou", "cheetah", "condor", "corgi", "coyote",
    "crane", "dingo", "dolphin", "donkey", "eagle", "egret", "falcon", "ferret", "finch", "gazelle", "gecko", "gibbon",
    "gopher", "heron", "hippo", "hornet", "ibex", "iguana", "impala", "jackal", "jaguar", "koala", "lemur", "leopard",
    "llama", "lynx", "macaw", "marmot", "marten", "mole", "moose", "newt", "ocelot", "orca", "osprey", "otter",
    "panda", "parrot", "pelican", "puffin", "python", "quail", "rabbit", "raven", "salmon", "seal", "shrew", "sloth",
    "stork", "tapir", "toucan", "walrus", "zebra",
];
const PLANTS: [&str; 64] = [
    "acacia", "alder", "aloe", "anise", "aspen", "aster", "azalea", "balsa", "bamboo", "basil", "begonia", "birch",
    "bramble", "briar", "cactus", "cedar", "clover", "cotton", "cypress", "daisy", "dahlia", "elm", "fennel", "fern",
    "fig", "fir", "gardenia", "ginger", "hazel", "heather", "hemlock", "holly", "iris", "ivy", "jasmine", "juniper",
    "kale", "laurel", "lavender", "lilac", "lily", "linden", "lotus", "magnolia", "maple", "mimosa", "mint", "myrtle",
    "nettle", "oak", "olive", "orchid", "palm", "peony", "pine", "poplar", "poppy", "rowan", "sage", "sequoia",
    "spruce", "thistle", "tulip", "willow",
];

/// A deterministic id in the style of the API's (`brisk_heron`): the k-th pair of words, with a
/// number appended once the pairs run out.
fn word_id(k: u64, second: &[&str; 64]) -> String {
    let first = ADJECTIVES[(k % 64) as usize];
    let second = second[((k / 64) % 64) as usize];
    match k / 4096 {
        0 => format!("{first}_{second}"),
        n => format!("{first}_{second}_{n}"),
    }
}

fn group_id(k: u64) -> String {
    word_id(k, &ANIMALS)
}
fn connection_id(k: u64) -> String {
    word_id(k, &PLANTS)
}
/// Ids of the generic families read `animal_plant`, distinct from the other three forms.
pub(crate) fn doc_id(k: u64) -> String {
    let base = format!("{}_{}", ANIMALS[(k % 64) as usize], PLANTS[((k / 64) % 64) as usize]);
    match k / 4096 {
        0 => base,
        n => format!("{base}_{n}"),
    }
}

fn user_id(k: u64) -> String {
    // Users read `plant_animal`, so they never collide with groups or connections.
    let base = format!("{}_{}", PLANTS[(k % 64) as usize], ANIMALS[((k / 64) % 64) as usize]);
    match k / 4096 {
        0 => base,
        n => format!("{base}_{n}"),
    }
}

/// The first id of the series from `k` on that is not taken (ids chosen by a caller may sit
/// where the series would go).
fn free_id(mut k: u64, make: fn(u64) -> String, taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = make(k);
        if !taken(&id) {
            return id;
        }
        k += 1;
    }
}

/// 2024-01-01T00:00:00Z: seeded items are created from here on, so they look the same every run.
const SEED_EPOCH: u64 = 1_704_067_200;

fn seed_time(secs_after_epoch: u64, nanos: u32) -> Timestamp {
    let d = Duration::new(SEED_EPOCH + secs_after_epoch, 0) + Duration::from_nanos(u64::from(nanos));
    Timestamp::from_system_time(SystemTime::UNIX_EPOCH + d)
}

/// A timestamp as the API writes it: microsecond precision.
pub(crate) fn api_time(t: SystemTime) -> Timestamp {
    let ts = Timestamp::from_system_time(t);
    Timestamp::from_unix(ts.unix_seconds(), ts.subsec_nanos() / 1000 * 1000).unwrap_or(ts)
}

/// `{code, message, details}` in `status.tasks` / `status.warnings`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Notice {
    pub code: String,
    pub message: String,
    pub details: String,
}

/// Code of the task a failed sync adds (and a successful one removes).
const SYNC_FAILED_TASK: &str = "sync_failed";

#[derive(Clone, Debug, Serialize)]
pub(crate) struct ConnectionStatus {
    pub setup_state: SetupState,
    pub schema_status: &'static str,
    pub sync_state: SyncState,
    pub update_state: &'static str,
    pub is_historical_sync: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescheduled_for: Option<Timestamp>,
    pub tasks: Vec<Notice>,
    pub warnings: Vec<Notice>,
}

/// One setup test step in a `/test` answer.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SetupTest {
    pub title: &'static str,
    pub status: &'static str,
    pub message: String,
}

/// What the emulator does when a sync of this connection runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct SyncSim {
    pub outcome: Outcome,
    /// Overrides the emulator-wide sync duration.
    pub duration: Option<Duration>,
    /// The running sync ends then.
    pub until: Option<SystemTime>,
    /// A historical re-sync is waiting for the connection to be unpaused.
    pub resync_pending: bool,
    /// The number of its current or last sync run (webhook events' `sync_id`).
    pub run: u64,
}

/// A connection as the API shows it (`ConnectionResponse`), plus the emulator's controls.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Connection {
    pub id: String,
    pub group_id: String,
    pub service: String,
    pub service_version: u32,
    pub schema: String,
    pub connected_by: String,
    pub created_at: Timestamp,
    pub succeeded_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    pub paused: bool,
    pub pause_after_trial: bool,
    pub sync_frequency: u32,
    pub data_delay_sensitivity: String,
    pub data_delay_threshold: u32,
    pub schedule_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_sync_time: Option<String>,
    pub networking_method: String,
    pub status: ConnectionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_tests: Option<Vec<SetupTest>>,
    pub config: Box<RawValue>,
    /// Fields this version of the API does not have, served beside the others (set through
    /// the control endpoint's `extra_fields`, to test that clients pass them on).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    pub sim: SyncSim,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Group {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Destination {
    pub id: String,
    pub group_id: String,
    pub service: String,
    pub region: String,
    pub time_zone_offset: String,
    pub setup_status: String,
    pub daylight_saving_time_enabled: bool,
    pub networking_method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_tests: Option<Vec<SetupTest>>,
    pub config: Box<RawValue>,
}

/// A destination as a list shows it: without `config`.
#[derive(Debug, Serialize)]
pub(crate) struct DestinationItem<'a> {
    id: &'a str,
    group_id: &'a str,
    service: &'a str,
    region: &'a str,
    time_zone_offset: &'a str,
    setup_status: &'a str,
    daylight_saving_time_enabled: bool,
    networking_method: &'a str,
}

impl<'a> From<&'a Destination> for DestinationItem<'a> {
    fn from(d: &'a Destination) -> Self {
        DestinationItem {
            id: &d.id,
            group_id: &d.group_id,
            service: &d.service,
            region: &d.region,
            time_zone_offset: &d.time_zone_offset,
            setup_status: &d.setup_status,
            daylight_saving_time_enabled: d.daylight_saving_time_enabled,
            networking_method: &d.networking_method,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct User {
    pub id: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub verified: bool,
    pub invited: bool,
    pub picture: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub active: bool,
    pub logged_in_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// Something a table can hold: it has an id.
pub(crate) trait Keyed {
    fn key(&self) -> &str;
}
impl Keyed for Connection {
    fn key(&self) -> &str {
        &self.id
    }
}
impl Keyed for Group {
    fn key(&self) -> &str {
        &self.id
    }
}
impl Keyed for Destination {
    fn key(&self) -> &str {
        &self.id
    }
}
impl Keyed for User {
    fn key(&self) -> &str {
        &self.id
    }
}

/// Items in creation order, found by id.
#[derive(Debug)]
pub(crate) struct Table<T> {
    items: BTreeMap<u64, T>,
    index: HashMap<String, u64>,
    next: u64,
}

impl<T: Keyed> Table<T> {
    pub fn new() -> Self {
        Table { items: BTreeMap::new(), index: HashMap::new(), next: 0 }
    }
    /// The sequence number the next insert gets (also the index its id is made from).
    pub fn next_seq(&self) -> u64 {
        self.next
    }
    pub fn insert(&mut self, item: T) -> u64 {
        let seq = self.next;
        self.next += 1;
        self.index.insert(item.key().to_owned(), seq);
        self.items.insert(seq, item);
        seq
    }
    pub fn seq(&self, id: &str) -> Option<u64> {
        self.index.get(id).copied()
    }
    pub fn get(&self, id: &str) -> Option<&T> {
        self.items.get(&self.seq(id)?)
    }
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let seq = self.seq(id)?;
        self.items.get_mut(&seq)
    }
    pub fn by_seq(&self, seq: u64) -> Option<&T> {
        self.items.get(&seq)
    }
    pub fn by_seq_mut(&mut self, seq: u64) -> Option<&mut T> {
        self.items.get_mut(&seq)
    }
    pub fn remove(&mut self, id: &str) -> Option<(u64, T)> {
        let seq = self.index.remove(id)?;
        self.items.remove(&seq).map(|t| (seq, t))
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Items after sequence number `after` (all when `None`), in order.
    pub fn after(&self, after: Option<u64>) -> impl Iterator<Item = (u64, &T)> {
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.items.range((lower, Bound::Unbounded)).map(|(k, v)| (*k, v))
    }
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.values()
    }
}

/// One page taken from an ordered walk: the items and, when more follow, the sequence number
/// to resume after.
pub(crate) fn take_page<'a, T: 'a>(
    mut walk: impl Iterator<Item = (u64, &'a T)>,
    limit: usize,
) -> (Vec<&'a T>, Option<u64>) {
    let mut items = Vec::with_capacity(limit.min(1000));
    let mut last = None;
    for (seq, item) in walk.by_ref() {
        if items.len() == limit {
            return (items, last);
        }
        items.push(item);
        last = Some(seq);
    }
    (items, None)
}

/// Everything the emulated account holds.
#[derive(Debug)]
pub(crate) struct Store {
    pub groups: Table<Group>,
    pub connections: Table<Connection>,
    pub destinations: Table<Destination>,
    pub users: Table<User>,
    /// Connection sequence numbers of each group.
    pub by_group: HashMap<String, BTreeSet<u64>>,
    /// Group id -> user sequence number -> role in that group.
    pub members: HashMap<String, BTreeMap<u64, String>>,
    /// Connections with a sync running or a reschedule pending: the only ones `tick` looks at.
    active: BTreeSet<u64>,
    /// The account owner: `connected_by` of every connection.
    pub owner: String,
    /// How long a sync runs unless the connection says otherwise.
    pub sync_duration: Duration,
    /// Every other family's documents, schema configs, states and webhooks.
    pub docs: Docs,
    /// A webhook test the front door sends once the lock is released.
    pub test_delivery: Option<Delivery>,
    /// Connector SDK package files by package id.
    pub sdk_files: HashMap<String, Vec<u8>>,
}

/// The services seeded connections use, with the schema prefix and the config they get.
const SERVICES: [(&str, &str); 5] = [
    ("postgres_rds", "pg"),
    ("mysql", "mysql"),
    ("salesforce", "sf"),
    ("sql_server", "mssql"),
    ("google_sheets", "gs"),
];
const TABLE_WORDS: [&str; 8] = ["orders", "billing", "crm", "events", "hr", "inventory", "marketing", "support"];

impl Store {
    /// An account with only its owner.
    pub fn new(sync_duration: Duration) -> Self {
        let mut store = Store {
            groups: Table::new(),
            connections: Table::new(),
            destinations: Table::new(),
            users: Table::new(),
            by_group: HashMap::new(),
            members: HashMap::new(),
            active: BTreeSet::new(),
            owner: String::new(),
            sync_duration,
            docs: Docs::default(),
            test_delivery: None,
            sdk_files: HashMap::new(),
        };
        store.owner = store.add_user_seeded("Account Administrator");
        store
    }

    /// `groups` groups with a destination and `per_group` connections each, plus three users.
    /// The same arguments give the same ids, names and timestamps every time.
    pub fn seeded(groups: usize, per_group: usize, sync_duration: Duration) -> Self {
        let mut store = Store::new(sync_duration);
        let reviewer = store.add_user_seeded("Account Reviewer");
        let analyst = store.add_user_seeded("Account Analyst");
        let users = [store.owner.clone(), reviewer, analyst];
        store.connections.index.reserve(groups * per_group);
        for g in 0..groups {
            let gid = group_id(g as u64);
            store.groups.insert(Group {
                id: gid.clone(),
                name: format!("{}_warehouse_{g}", TABLE_WORDS[g % TABLE_WORDS.len()]),
                created_at: seed_time(g as u64 * 3600, 0),
            });
            store.destinations.insert(seeded_destination(&gid, g));
            let members = store.members.entry(gid.clone()).or_default();
            for (i, u) in users.iter().enumerate() {
                if i == 0 || (g + i) % 2 == 0 {
                    let seq = store.users.seq(u).unwrap_or_default();
                    members
                        .insert(seq, if i == 0 { "Destination Administrator" } else { "Destination Reviewer" }.into());
                }
            }
            let mut seqs = BTreeSet::new();
            for j in 0..per_group {
                let k = store.connections.next_seq();
                let c = seeded_connection(k, &gid, j, &store.owner);
                seqs.insert(store.connections.insert(c));
            }
            store.by_group.insert(gid, seqs);
        }
        store
    }

    fn add_user_seeded(&mut self, role: &str) -> String {
        let k = self.users.next_seq();
        let id = user_id(k);
        let names = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Edsger", "Dijkstra")];
        let (given, family) = names[(k % 4) as usize];
        self.users.insert(User {
            id: id.clone(),
            email: format!("{}.{}@example.com", given.to_lowercase(), family.to_lowercase()),
            given_name: given.into(),
            family_name: family.into(),
            verified: true,
            invited: false,
            picture: None,
            phone: None,
            role: Some(role.into()),
            active: true,
            logged_in_at: Some(seed_time(86_400 * 30 + k * 60, 0)),
            created_at: seed_time(k * 60, 0),
        });
        id
    }

    /// A new id for the next item of a table.
    pub fn new_group_id(&self) -> String {
        free_id(self.groups.next_seq(), group_id, |id| self.groups.seq(id).is_some())
    }
    pub fn new_connection_id(&self) -> String {
        free_id(self.connections.next_seq(), connection_id, |id| self.connections.seq(id).is_some())
    }
    pub fn new_user_id(&self) -> String {
        free_id(self.users.next_seq(), user_id, |id| self.users.seq(id).is_some())
    }

    pub fn add_connection(&mut self, c: Connection) {
        let group = c.group_id.clone();
        let seq = self.connections.insert(c);
        self.by_group.entry(group).or_default().insert(seq);
    }

    pub fn remove_connection(&mut self, id: &str) -> Option<Connection> {
        let (seq, c) = self.connections.remove(id)?;
        if let Some(set) = self.by_group.get_mut(&c.group_id) {
            set.remove(&seq);
        }
        self.active.remove(&seq);
        Some(c)
    }

    /// Deletes a group with its connections, destination and memberships.
    pub fn remove_group(&mut self, id: &str) -> Option<Group> {
        let (_, g) = self.groups.remove(id)?;
        for seq in self.by_group.remove(id).unwrap_or_default() {
            if let Some(cid) = self.connections.by_seq(seq).map(|c| c.id.clone()) {
                self.connections.remove(&cid);
                self.active.remove(&seq);
            }
        }
        self.destinations.remove(id);
        self.members.remove(id);
        Some(g)
    }

    pub fn remove_user(&mut self, id: &str) -> Option<User> {
        let (seq, u) = self.users.remove(id)?;
        for m in self.members.values_mut() {
            m.remove(&seq);
        }
        Some(u)
    }

    /// Moves every sync whose time is up to its outcome, and starts rescheduled syncs whose time
    /// came.
    pub fn tick(&mut self, now: SystemTime) {
        let due: Vec<u64> = self.active.iter().copied().collect();
        for seq in due {
            let default = self.sync_duration;
            let Some(c) = self.connections.by_seq_mut(seq) else {
                self.active.remove(&seq);
                continue;
            };
            if let Some((at, failed)) = settle(c, now, default) {
                self.docs.sync_ended(c, at, failed);
            }
            if !matches!(c.status.sync_state, SyncState::Syncing | SyncState::Rescheduled) {
                self.active.remove(&seq);
            }
        }
    }

    /// Starts a sync of the connection now (it must exist).
    pub fn start_sync(&mut self, id: &str, now: SystemTime, historical: bool) {
        let default = self.sync_duration;
        if let Some(seq) = self.connections.seq(id) {
            if let Some(c) = self.connections.by_seq_mut(seq) {
                begin_sync(c, now, default, historical);
                self.docs.runs += 1;
                c.sim.run = self.docs.runs;
                self.docs.sync_started(c, api_time(now));
                self.active.insert(seq);
            }
        }
    }

    /// Marks a connection as needing `tick` (after its state was set from outside).
    pub fn watch(&mut self, id: &str) {
        if let Some(seq) = self.connections.seq(id) {
            self.active.insert(seq);
        }
    }
}

fn begin_sync(c: &mut Connection, from: SystemTime, default: Duration, historical: bool) {
    c.status.sync_state = SyncState::Syncing;
    c.status.rescheduled_for = None;
    c.status.update_state = "on_schedule";
    if historical {
        c.status.is_historical_sync = true;
    }
    c.sim.until = Some(from + c.sim.duration.unwrap_or(default));
}

/// Applies what happened to one connection up to `now`; says when a sync ended and whether it
/// failed.
fn settle(c: &mut Connection, now: SystemTime, default: Duration) -> Option<(Timestamp, bool)> {
    if c.status.sync_state == SyncState::Rescheduled {
        match c.status.rescheduled_for.map(|t| t.to_system_time()) {
            Some(at) if at <= now => begin_sync(c, at, default, false),
            _ => return None,
        }
    }
    if c.status.sync_state != SyncState::Syncing {
        return None;
    }
    let Some(until) = c.sim.until else {
        // Set to syncing from outside without an end: give it the usual duration from now.
        c.sim.until = Some(now + c.sim.duration.unwrap_or(default));
        return None;
    };
    if until > now {
        return None;
    }
    Some(finish_sync(c, until))
}

fn finish_sync(c: &mut Connection, at: SystemTime) -> (Timestamp, bool) {
    let at = api_time(at);
    c.sim.until = None;
    c.status.sync_state = if c.paused { SyncState::Paused } else { SyncState::Scheduled };
    c.status.is_historical_sync = false;
    c.status.tasks.retain(|t| t.code != SYNC_FAILED_TASK);
    let fails = c.sim.outcome == Outcome::Failure || c.status.setup_state == SetupState::Broken;
    if fails {
        c.failed_at = Some(at);
        c.status.tasks.push(Notice {
            code: SYNC_FAILED_TASK.into(),
            message: "The last sync failed".into(),
            details: if c.status.setup_state == SetupState::Broken {
                "The connection's setup is broken: run the setup tests and fix the configuration".into()
            } else {
                "The emulator was told to fail this connection's syncs".into()
            },
        });
    } else {
        c.succeeded_at = Some(at);
    }
    (at, fails)
}

/// Replaces every secret-looking value (password, token, ...) of a config with `******`, the way
/// the API never returns secrets.
pub(crate) fn mask(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if is_secret_key(k) && !val.is_object() && !val.is_array() && !val.is_null() {
                    *val = Value::String("******".into());
                } else {
                    mask(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask),
        _ => {}
    }
}

/// A config object as stored: secrets masked, serialised once.
pub(crate) fn config_json(mut config: Map<String, Value>) -> Box<RawValue> {
    let mut v = Value::Object(std::mem::take(&mut config));
    mask(&mut v);
    to_raw(&v)
}

/// Serialises a value to raw JSON. Serialising a `Value` cannot fail (its keys are strings);
/// the fallback only keeps the signature total.
pub(crate) fn to_raw(v: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(v).unwrap_or_else(|_| empty_object())
}

/// `{}` (which always parses; `null` only keeps the signature total).
pub(crate) fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

fn seeded_connection(k: u64, group: &str, j: usize, owner: &str) -> Connection {
    let (service, prefix) = SERVICES[(k % SERVICES.len() as u64) as usize];
    let schema = format!("{prefix}_{}_{j}", TABLE_WORDS[j % TABLE_WORDS.len()]);
    let host_n = k % 17;
    // Written by hand so seeding 100,000 connections does not build 100,000 `Value` trees.
    let config = match service {
        "postgres_rds" | "sql_server" | "mysql" => {
            let (port, method) = match service {
                "postgres_rds" => (5432, "XMIN"),
                "mysql" => (3306, "BINLOG"),
                _ => (1433, "TELEPORT"),
            };
            format!(
                r#"{{"schema_prefix":"{schema}","host":"{prefix}-{host_n:02}.db.example.com","port":{port},"database":"{db}","user":"fivetran","password":"******","update_method":"{method}"}}"#,
                db = TABLE_WORDS[(k as usize / 3) % TABLE_WORDS.len()],
            )
        }
        "salesforce" => format!(
            r#"{{"schema":"{schema}","domain":"acme-{host_n:02}.my.salesforce.com","is_sandbox":false,"client_id":"3MVG9{k:08}","client_secret":"******"}}"#
        ),
        _ => format!(
            r#"{{"schema":"{schema}","table":"sheet_{j}","sheet_id":"1x{k:012}Ab","named_range":"range_{j}","auth_type":"ServiceAccount"}}"#
        ),
    };
    let config = RawValue::from_string(config).unwrap_or_else(|_| empty_object());
    // Sheets connections are named `schema.table` (the config's `schema` and `table`).
    let schema = if service == "google_sheets" { format!("{schema}.sheet_{j}") } else { schema };
    let created = seed_time(k * 37 * 60, 0);
    // Microsecond fractions of varying length, as the API writes them.
    let synced = seed_time(86_400 * 500 + (k % 86_400) * 7, (k as u32).wrapping_mul(7_919_123) % 1_000_000 * 1000);
    let (paused, setup_state, failed) = match j % 10 {
        7 => (true, SetupState::Connected, false),
        9 => (false, SetupState::Broken, true),
        _ => (false, SetupState::Connected, false),
    };
    let mut status = ConnectionStatus {
        setup_state,
        schema_status: "ready",
        sync_state: if paused { SyncState::Paused } else { SyncState::Scheduled },
        update_state: "on_schedule",
        is_historical_sync: false,
        rescheduled_for: None,
        tasks: Vec::new(),
        warnings: Vec::new(),
    };
    if failed {
        status.update_state = "delayed";
        status.tasks.push(Notice {
            code: "reconnect".into(),
            message: "Reconnect".into(),
            details: "The source refused the credentials: update them and run the setup tests".into(),
        });
    }
    Connection {
        id: connection_id(k),
        group_id: group.to_owned(),
        service: service.to_owned(),
        service_version: 1 + (k % 3) as u32,
        schema,
        connected_by: owner.to_owned(),
        created_at: created,
        succeeded_at: Some(synced),
        failed_at: failed.then(|| seed_time(86_400 * 501 + k % 3600, 0)),
        paused,
        pause_after_trial: false,
        sync_frequency: [360, 60, 1440, 15, 180][j % 5],
        data_delay_sensitivity: "NORMAL".into(),
        data_delay_threshold: 0,
        schedule_type: "auto".into(),
        daily_sync_time: (j % 5 == 2).then(|| "03:00".to_owned()),
        networking_method: "Directly".into(),
        status,
        setup_tests: None,
        config,
        extra: serde_json::Map::new(),
        sim: SyncSim::default(),
    }
}

fn seeded_destination(group: &str, g: usize) -> Destination {
    let (service, host) = [
        ("snowflake", "acme.snowflakecomputing.com"),
        ("big_query", "bigquery.googleapis.com"),
        ("postgres_warehouse", "warehouse.internal.example.com"),
    ][g % 3];
    let config = format!(
        r#"{{"host":"{host}","port":443,"database":"analytics_{g}","user":"fivetran_loader","password":"******","connection_type":"Directly"}}"#
    );
    Destination {
        id: group.to_owned(),
        group_id: group.to_owned(),
        service: service.into(),
        region: ["GCP_US_EAST4", "AWS_US_EAST_1", "AZURE_EASTUS2"][g % 3].into(),
        time_zone_offset: ["0", "-5", "+1"][g % 3].into(),
        setup_status: "connected".into(),
        daylight_saving_time_enabled: true,
        networking_method: "Directly".into(),
        setup_tests: None,
        config: RawValue::from_string(config).unwrap_or_else(|_| empty_object()),
    }
}

/// The setup tests a connection or destination in this state answers with.
pub(crate) fn setup_tests(broken: bool) -> Vec<SetupTest> {
    let steps = ["Validate login", "Connecting to host", "Validating certificate", "Checking permissions"];
    let mut failed = false;
    steps
        .iter()
        .enumerate()
        .map(|(i, &title)| {
            let (status, message) = if failed {
                ("SKIPPED", String::new())
            } else if broken && i == 1 {
                failed = true;
                ("FAILED", "Could not connect to host: connection refused".to_owned())
            } else {
                ("PASSED", String::new())
            };
            SetupTest { title, status, message }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_and_distinct() {
        assert_eq!(group_id(0), "able_alpaca");
        assert_eq!(connection_id(65), "agile_alder");
        assert_eq!(connection_id(4096), "able_acacia_1");
        let ids: BTreeSet<String> = (0..20_000).map(connection_id).collect();
        assert_eq!(ids.len(), 20_000);
        let a = Store::seeded(3, 4, Duration::ZERO);
        let b = Store::seeded(3, 4, Duration::ZERO);
        let ids = |s: &Store| s.connections.values().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.connections.len(), 12);
        assert_eq!(a.users.len(), 3);
    }

    #[test]
    fn seeded_connections_are_about_700_bytes_and_valid_json() {
        let s = Store::seeded(2, 50, Duration::ZERO);
        let mut total = 0;
        for c in s.connections.values() {
            let text = serde_json::to_string(c).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            assert!(v["status"]["sync_state"].is_string());
            assert!((550..=1000).contains(&text.len()), "{} bytes: {text}", text.len());
            assert!(!text.contains("\"password\":\"") || text.contains("\"password\":\"******\""));
            total += text.len();
        }
        let average = total / s.connections.len();
        assert!((650..=800).contains(&average), "{average}");
    }

    #[test]
    fn a_sync_settles_after_its_duration() {
        let mut s = Store::seeded(1, 2, Duration::from_millis(100));
        let id = s.connections.values().next().unwrap().id.clone();
        let t0 = SystemTime::now();
        s.start_sync(&id, t0, false);
        s.tick(t0 + Duration::from_millis(50));
        assert_eq!(s.connections.get(&id).unwrap().status.sync_state, SyncState::Syncing);
        s.tick(t0 + Duration::from_millis(150));
        let c = s.connections.get(&id).unwrap();
        assert_eq!(c.status.sync_state, SyncState::Scheduled);
        assert_eq!(c.succeeded_at, Some(api_time(t0 + Duration::from_millis(100))));
        assert_eq!(c.succeeded_at.unwrap().subsec_nanos() % 1000, 0);
    }

    #[test]
    fn masks_secrets_at_any_depth() {
        let mut v =
            serde_json::json!({"host": "h", "password": "p", "nested": {"api_key": "k", "list": [{"token": 1}]}});
        mask(&mut v);
        assert_eq!(v["password"], "******");
        assert_eq!(v["nested"]["api_key"], "******");
        assert_eq!(v["nested"]["list"][0]["token"], "******");
        assert_eq!(v["host"], "h");
    }
}
