//! Every family beyond groups, connections, destinations and users: teams and memberships,
//! certificates and fingerprints, connection schema config and state, webhooks, external
//! logging, secrets managers, agents, private links, proxies, system keys, transformations,
//! connector SDK packages, roles, metadata and the account.
//!
//! Most of them are plain collections of JSON documents: a create stores what was sent plus the
//! server's fields, a `PATCH` merges, a `DELETE` removes, a list pages with opaque cursors. A
//! collection is named by its list path with the parent ids filled in
//! (`/v1/teams/brisk_heron/users`), so memberships are collections too and a parent that goes
//! away takes its collections along.

use super::routes::{data, done, fail, invalid, not_found, opt_bool, opt_str, required, Answer, Cx, Fail, Paging};
use super::store::{self, api_time, Keyed, Store, Table};
use crate::time::Timestamp;
use ring::digest;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// One stored document: its id and the JSON the API shows.
#[derive(Clone, Debug)]
pub(crate) struct Doc {
    pub id: String,
    pub value: Map<String, Value>,
}

impl Keyed for Doc {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Serialize for Doc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// A webhook delivery waiting to be sent.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub webhook_id: String,
    pub url: String,
    /// The webhook's secret (unsigned when empty).
    pub secret: String,
    pub event: String,
    pub body: Vec<u8>,
}

/// The JSON documents of every generic collection, and what the typed families lack.
#[derive(Debug, Default)]
pub(crate) struct Docs {
    cols: HashMap<String, Table<Doc>>,
    next: u64,
    /// Connection id -> schema config (made on first use).
    pub schemas: HashMap<String, Map<String, Value>>,
    /// Connection id -> connector state.
    pub states: HashMap<String, Value>,
    /// Webhook id -> secret (shown masked, used to sign).
    pub webhook_secrets: HashMap<String, String>,
    /// Deliveries waiting for the emulator's sender.
    pub outbox: Vec<Delivery>,
    /// Sync runs finished so far (numbers `sync_id`s).
    pub runs: u64,
}

impl Default for Table<Doc> {
    fn default() -> Self {
        Table::new()
    }
}

const WEBHOOKS: &str = "/v1/webhooks";

impl Docs {
    pub fn col(&self, key: &str) -> Option<&Table<Doc>> {
        self.cols.get(key)
    }
    pub fn col_mut(&mut self, key: &str) -> &mut Table<Doc> {
        self.cols.entry(key.to_owned()).or_default()
    }
    pub fn get(&self, key: &str, id: &str) -> Option<&Doc> {
        self.cols.get(key)?.get(id)
    }
    pub fn exists(&self, key: &str, id: &str) -> bool {
        self.get(key, id).is_some()
    }
    /// A new id in the API's style, distinct from the typed families' (`otter_maple`).
    pub fn new_id(&mut self) -> String {
        let k = self.next;
        self.next += 1;
        store::doc_id(k)
    }
    /// Forgets everything that belongs to or names a deleted `/v1/{family}/{id}`: its own
    /// collections, and its entries in membership collections (`.../{family}/{id}`).
    pub fn forget(&mut self, family: &str, id: &str) {
        let own = format!("/v1/{family}/{id}/");
        self.cols.retain(|k, _| !k.starts_with(&own));
        let suffix = format!("/{family}");
        for (k, t) in self.cols.iter_mut() {
            if k.ends_with(&suffix) && k.matches('/').count() > 2 {
                t.remove(id);
            }
        }
        if family == "connections" {
            self.schemas.remove(id);
            self.states.remove(id);
        }
        if family == "groups" {
            // The group's log service and webhooks go with it.
            self.col_mut(LOGS).remove(id);
            let gone: Vec<String> = self
                .cols
                .get(WEBHOOKS)
                .map(|t| {
                    t.values().filter(|d| d.value.get("group_id") == Some(&json!(id))).map(|d| d.id.clone()).collect()
                })
                .unwrap_or_default();
            for w in gone {
                self.col_mut(WEBHOOKS).remove(&w);
                self.webhook_secrets.remove(&w);
            }
        }
    }

    /// Whether a webhook would take this event for this group.
    fn webhooks_for(&self, event: &str, group: &str) -> Vec<(String, String)> {
        let Some(t) = self.cols.get(WEBHOOKS) else { return Vec::new() };
        t.values()
            .filter(|d| d.value.get("active").and_then(Value::as_bool).unwrap_or(true))
            .filter(|d| d.value.get("events").and_then(Value::as_array).is_some_and(|e| e.iter().any(|x| x == event)))
            .filter(|d| match d.value.get("group_id").and_then(Value::as_str) {
                Some(g) => g == group,
                None => true,
            })
            .filter_map(|d| Some((d.id.clone(), d.value.get("url")?.as_str()?.to_owned())))
            .collect()
    }

    pub fn has_webhooks(&self) -> bool {
        self.cols.get(WEBHOOKS).is_some_and(|t| t.len() > 0)
    }

    /// Queues a `sync_end` event for every webhook that wants it.
    pub fn sync_ended(&mut self, c: &store::Connection, at: Timestamp, failed: bool) {
        let status = if failed { "FAILURE_WITH_TASK" } else { "SUCCESSFUL" };
        self.announce("sync_end", c, at, json!({ "status": status }));
    }

    /// Queues a `sync_start` event for every webhook that wants it.
    pub fn sync_started(&mut self, c: &store::Connection, at: Timestamp) {
        self.announce("sync_start", c, at, json!({}));
    }

    /// Queues a connection's event for every active webhook that takes it (account webhooks,
    /// and the group webhooks of the connection's group).
    fn announce(&mut self, event: &str, c: &store::Connection, at: Timestamp, data: Value) {
        let targets = self.webhooks_for(event, &c.group_id);
        if targets.is_empty() {
            return;
        }
        let body = json!({
            "event": event,
            "created": at,
            "connector_type": c.service,
            "connector_id": c.id,
            "connector_name": c.schema,
            "sync_id": format!("{}-{}", c.id, c.sim.run),
            "destination_group_id": c.group_id,
            "data": data,
        });
        let body = body.to_string().into_bytes();
        for (id, url) in targets {
            let secret = self.webhook_secrets.get(&id).cloned().unwrap_or_default();
            self.outbox.push(Delivery { webhook_id: id, url, secret, event: event.into(), body: body.clone() });
        }
    }
}

fn now_json(cx: &Cx) -> Value {
    json!(api_time(cx.now))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lists a fixed set of items with the usual paging (the cursor names a position).
fn list_fixed(cx: &Cx, tag: &'static str, items: Vec<Value>) -> Answer {
    let p = cx.paging(tag)?;
    let start = p.after.map_or(0, |a| a as usize + 1);
    let page: Vec<Value> = items.iter().skip(start).take(p.limit).cloned().collect();
    let end = start + page.len();
    let last = (end < items.len() && !page.is_empty()).then(|| (end - 1) as u64);
    p.answer(page, last)
}

fn list_docs(cx: &Cx, key: &str) -> Answer {
    let p: Paging = cx.paging("items")?;
    match cx.store.docs.col(key) {
        Some(t) => {
            let (items, last) = store::take_page(t.after(p.after), p.limit);
            if hides(key, true).is_empty() {
                return p.answer(items, last);
            }
            p.answer(items.into_iter().map(|d| shown(d, hides(key, true))).collect::<Vec<_>>(), last)
        }
        None => p.answer(Vec::<Value>::new(), None),
    }
}

/// Fields a collection's objects keep in the store that its answers leave out, as the spec's
/// schemas do: a log service's `group_id` everywhere, its `config` in list items, and a
/// transformation project's details in list items.
fn hides(key: &str, in_list: bool) -> &'static [&'static str] {
    match (key, in_list) {
        (LOGS, true) => &["config", "group_id"],
        (LOGS, false) => &["group_id"],
        ("/v1/transformation-projects", true) => &["errors", "project_config", "setup_tests", "status"],
        _ => &[],
    }
}

/// A stored object as an answer shows it: without the `hidden` fields.
fn shown(doc: impl serde::Serialize, hidden: &[&str]) -> Value {
    let mut v = serde_json::to_value(doc).unwrap_or(Value::Null);
    if let Some(m) = v.as_object_mut() {
        hidden.iter().for_each(|f| drop(m.remove(*f)));
    }
    v
}

/// What a collection is: how the API names it, its 404 code, and how a create fills it.
struct Kind {
    /// For messages: `Team`.
    entity: &'static str,
    /// `NotFound_Team`.
    code: &'static str,
}

fn missing(kind: &Kind, id: &str) -> Fail {
    fail(404, kind.code, format!("{} with id '{id}' doesn't exist", kind.entity))
}

fn get_doc(cx: &Cx, key: &str, id: &str, kind: &Kind) -> Answer {
    let d = cx.store.docs.get(key, id).ok_or_else(|| missing(kind, id))?;
    data(200, None, shown(d, hides(key, false)))
}

fn delete_doc(cx: &mut Cx, key: &str, id: &str, kind: &Kind) -> Answer {
    cx.store.docs.col_mut(key).remove(id).ok_or_else(|| missing(kind, id))?;
    done(format!("{} with id '{id}' has been deleted", kind.entity))
}

/// Merges `changes` into `into`: objects merge key by key, anything else replaces.
pub(crate) fn merge(into: &mut Map<String, Value>, changes: Map<String, Value>) {
    for (k, v) in changes {
        match (into.get_mut(&k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// Stores a new document and answers it with the operation's success status.
fn insert(cx: &mut Cx, key: &str, id: String, value: Map<String, Value>, message: &str) -> Answer {
    let doc = Doc { id, value };
    let shown = doc.clone();
    cx.store.docs.col_mut(key).insert(doc);
    data(cx.r.op.success, Some(message), shown)
}

/// Sent fields over defaults, secrets masked, server fields last.
fn compose(defaults: Value, sent: Map<String, Value>, server: Value) -> Map<String, Value> {
    let mut out = match defaults {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut sent = Value::Object(sent);
    store::mask(&mut sent);
    if let Value::Object(s) = sent {
        merge(&mut out, s);
    }
    if let Value::Object(s) = server {
        out.extend(s);
    }
    out
}

/// Updates a document: checks the fields that may not change, merges, answers it.
fn update_doc(
    cx: &mut Cx,
    key: &str,
    id: &str,
    kind: &Kind,
    mut changes: Map<String, Value>,
    fixed: &[&str],
) -> Answer {
    for f in fixed {
        changes.remove(*f);
    }
    let mut changes = Value::Object(changes);
    store::mask(&mut changes);
    let now = now_json(cx);
    let d = cx.store.docs.col_mut(key).get_mut(id).ok_or_else(|| missing(kind, id))?;
    if let Value::Object(c) = changes {
        merge(&mut d.value, c);
    }
    if d.value.contains_key("updated_at") {
        d.value.insert("updated_at".into(), now);
    }
    let shown = d.clone();
    data(200, Some(&format!("{} has been updated", kind.entity)), shown)
}

fn need_connection(cx: &Cx, id: &str) -> Result<(), Fail> {
    cx.store.connections.get(id).map(|_| ()).ok_or_else(|| not_found("connection", id))
}
fn need_destination(cx: &Cx, id: &str) -> Result<(), Fail> {
    cx.store.destinations.get(id).map(|_| ()).ok_or_else(|| not_found("destination", id))
}
fn need_group(cx: &Cx, id: &str) -> Result<(), Fail> {
    cx.store.groups.get(id).map(|_| ()).ok_or_else(|| not_found("group", id))
}
fn need_user(cx: &Cx, id: &str) -> Result<(), Fail> {
    cx.store.users.get(id).map(|_| ()).ok_or_else(|| not_found("user", id))
}

const TEAM: Kind = Kind { entity: "Team", code: "NotFound_Team" };
const MEMBERSHIP: Kind = Kind { entity: "Membership", code: "NotFound_Membership" };
const CERTIFICATE: Kind = Kind { entity: "Certificate", code: "NotFound_Certificate" };
const FINGERPRINT: Kind = Kind { entity: "Fingerprint", code: "NotFound_Fingerprint" };
const WEBHOOK: Kind = Kind { entity: "Webhook", code: "NotFound_Webhook" };
const LOG: Kind = Kind { entity: "Log service", code: "NotFound_LogService" };
const ESM: Kind = Kind { entity: "External secrets manager", code: "NotFound_ExternalSecretsManager" };
const AGENT: Kind = Kind { entity: "Hybrid deployment agent", code: "NotFound_HybridDeploymentAgent" };
const LINK: Kind = Kind { entity: "Private link", code: "NotFound_PrivateLink" };
const PROXY: Kind = Kind { entity: "Proxy agent", code: "NotFound_ProxyAgent" };
const KEY: Kind = Kind { entity: "System key", code: "NotFound_SystemKey" };
const PROJECT: Kind = Kind { entity: "Transformation project", code: "NotFound_TransformationProject" };
const TRANSFORMATION: Kind = Kind { entity: "Transformation", code: "NotFound_Transformation" };
const PACKAGE: Kind = Kind { entity: "Connector SDK package", code: "NotFound_ConnectorSdkPackage" };

const ACCOUNT_ID: &str = "emulated_account";
const ACCOUNT_LOG: &str = "/v1/external-logging/account";
const LOGS: &str = "/v1/external-logging";

/// A role name the API knows, for memberships.
fn role(b: &Map<String, Value>, needed: bool) -> Result<Option<String>, Fail> {
    let r = if needed { Some(required(b, "role")?) } else { opt_str(b, "role")? };
    Ok(r)
}

/// A membership of `member` (a connection, group or user) in the collection at `key`.
fn add_membership(cx: &mut Cx, key: &str, id_field: &str, role_needed: bool, kind_of_id: &str) -> Answer {
    let b = cx.body()?;
    let member = required(&b, id_field)?;
    let role = role(&b, role_needed)?;
    match kind_of_id {
        "connection" => need_connection(cx, &member)?,
        "group" => need_group(cx, &member)?,
        _ => need_user(cx, &member)?,
    }
    if cx.store.docs.exists(key, &member) {
        return Err(fail(409, "Conflict", format!("'{member}' is already a member")));
    }
    let value = json!({ id_field: member, "role": role, "created_at": now_json(cx) });
    let Value::Object(value) = value else { unreachable!("a literal object") };
    insert(cx, key, member, value, "Membership has been created")
}

fn update_membership(cx: &mut Cx, key: &str, id: &str) -> Answer {
    let b = cx.body()?;
    let role = required(&b, "role")?;
    let d = cx.store.docs.col_mut(key).get_mut(id).ok_or_else(|| missing(&MEMBERSHIP, id))?;
    d.value.insert("role".into(), json!(role));
    let shown = d.clone();
    data(200, Some("Membership has been updated"), shown)
}

/// Checks a list of event names.
fn events(b: &Map<String, Value>, needed: bool) -> Result<(), Fail> {
    match b.get("events") {
        None if !needed => Ok(()),
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => Ok(()),
        None | Some(Value::Null) => Err(invalid("Missing required field: 'events'")),
        Some(_) => Err(invalid("Field 'events' must be a non-empty array of event names")),
    }
}

fn check_url(b: &Map<String, Value>, needed: bool) -> Result<(), Fail> {
    let url = if needed { Some(required(b, "url")?) } else { opt_str(b, "url")? };
    match url {
        Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
            Err(invalid(format!("Field 'url' must be an http(s) URL, not '{u}'")))
        }
        _ => Ok(()),
    }
}

fn create_webhook(cx: &mut Cx, group: Option<String>) -> Answer {
    let mut b = cx.body()?;
    check_url(&b, true)?;
    events(&b, true)?;
    opt_bool(&b, "active")?;
    if let Some(g) = &group {
        need_group(cx, g)?;
    }
    let secret = opt_str(&b, "secret")?.unwrap_or_default();
    b.remove("secret");
    let id = cx.store.docs.new_id();
    let kind = if group.is_some() { "group" } else { "account" };
    let value = compose(
        json!({"active": true}),
        b,
        json!({"id": id, "type": kind, "group_id": group, "secret": if secret.is_empty() { Value::Null } else { json!("******") },
               "created_at": now_json(cx), "created_by": cx.store.owner}),
    );
    cx.store.docs.webhook_secrets.insert(id.clone(), secret);
    insert(cx, WEBHOOKS, id, value, "Webhook has been created")
}

/// The body of a test event for a webhook.
fn test_event(event: &str, group: Option<&str>, at: Timestamp) -> Vec<u8> {
    json!({
        "event": event,
        "created": at,
        "connector_type": "emulator_test",
        "connector_id": "emulator_test_connection",
        "connector_name": "emulator_test",
        "sync_id": "emulator-test",
        "destination_group_id": group.unwrap_or("emulator_test_group"),
        "data": {"status": "SUCCESSFUL"},
    })
    .to_string()
    .into_bytes()
}

/// A default schema config for a connection: its schema with three tables of three columns.
pub(crate) fn default_schema_config(c: &store::Connection) -> Map<String, Value> {
    let schema = c.schema.split('.').next().unwrap_or(&c.schema).to_owned();
    let mut tables = Map::new();
    for t in ["accounts", "orders", "events"] {
        let mut columns = Map::new();
        for col in ["id", "created_at", "payload"] {
            columns.insert(
                col.into(),
                json!({"name_in_destination": col, "enabled": true, "hashed": false, "is_primary_key": col == "id",
                       "enabled_patch_settings": {"allowed": true}}),
            );
        }
        tables.insert(
            t.into(),
            json!({"name_in_destination": t, "enabled": true, "sync_mode": "SOFT_DELETE", "supports_columns_config": true,
                   "enabled_patch_settings": {"allowed": true}, "columns": columns}),
        );
    }
    let mut schemas = Map::new();
    schemas.insert(schema.clone(), json!({"name_in_destination": schema, "enabled": true, "tables": tables}));
    let v = json!({"enable_new_by_default": true, "schema_change_handling": "ALLOW_ALL", "schemas": schemas});
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn schema_config<'s>(store: &'s mut Store, id: &str) -> Result<&'s mut Map<String, Value>, Fail> {
    let c = store.connections.get(id).ok_or_else(|| not_found("connection", id))?;
    if !store.docs.schemas.contains_key(id) {
        let config = default_schema_config(c);
        store.docs.schemas.insert(id.to_owned(), config);
    }
    store.docs.schemas.get_mut(id).ok_or_else(|| not_found("connection", id))
}

fn show_schema(store: &mut Store, id: &str, message: Option<&str>) -> Answer {
    let config = schema_config(store, id)?.clone();
    data(200, message, config)
}

/// Checks that every `enabled`/`hashed`/`is_primary_key` in a schema change is a boolean.
fn check_flags(v: &Value) -> Result<(), Fail> {
    if let Value::Object(m) = v {
        for (k, x) in m {
            if matches!(k.as_str(), "enabled" | "hashed" | "is_primary_key" | "enable_new_by_default")
                && !x.is_boolean()
            {
                return Err(invalid(format!("Field '{k}' must be a boolean")));
            }
            check_flags(x)?;
        }
    }
    Ok(())
}

/// The object at `path` inside a schema config (`schemas.S.tables.T.columns.C`), or the API's
/// 404 for the first name that is missing.
fn dig<'m>(config: &'m mut Map<String, Value>, names: &[&str]) -> Result<&'m mut Map<String, Value>, Fail> {
    let levels = [
        ("schemas", "NotFound_Schema", "Schema"),
        ("tables", "NotFound_Table", "Table"),
        ("columns", "NotFound_Column", "Column"),
    ];
    let mut at = config;
    for (name, (field, code, entity)) in names.iter().zip(levels) {
        at = at
            .get_mut(field)
            .and_then(Value::as_object_mut)
            .and_then(|m| m.get_mut(*name))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| fail(404, code, format!("{entity} '{name}' doesn't exist in the schema config")))?;
    }
    Ok(at)
}

fn patch_schema_part(cx: &mut Cx, names: &[&str]) -> Answer {
    let b = cx.body()?;
    if !b.contains_key("enabled") {
        return Err(invalid("Missing required field: 'enabled'"));
    }
    let v = Value::Object(b);
    check_flags(&v)?;
    let id = cx.r.nth(0).to_owned();
    let config = schema_config(cx.store, &id)?;
    let at = dig(config, names)?;
    if let Value::Object(b) = v {
        merge(at, b);
    }
    show_schema(cx.store, &id, Some("Schema config has been updated"))
}

fn setup_tests_json() -> Value {
    json!(store::setup_tests(false))
}

fn agent_files(id: &str) -> Value {
    json!({"config_json": format!("{{\"agent_id\":\"{id}\"}}"), "auth_json": "{\"token\":\"******\"}",
           "docker_compose_yaml": "services:\n  agent:\n    image: fivetran/hybrid-agent\n"})
}

fn proxy_secrets(id: &str, k: u64) -> Value {
    json!({"agent_id": id, "auth_token": format!("proxy-token-{k:08}"), "client_cert": "-----BEGIN CERTIFICATE-----\nemulator\n-----END CERTIFICATE-----",
           "client_private_key": "-----BEGIN PRIVATE KEY-----\nemulator\n-----END PRIVATE KEY-----",
           "orchestrator_host": "proxy.fivetran.example", "orchestrator_port": 443})
}

/// The connector types the metadata endpoints describe.
fn connector_types() -> Vec<Value> {
    [
        ("google_sheets", "Google Sheets", "File"),
        ("itunes_connect", "Apple App Store", "Marketing"),
        ("mysql", "MySQL", "Database"),
        ("postgres_rds", "Amazon RDS for PostgreSQL", "Database"),
        ("salesforce", "Salesforce", "Applications"),
        ("sql_server", "SQL Server", "Database"),
    ]
    .iter()
    .map(|(id, name, kind)| {
        json!({"id": id, "name": name, "type": kind, "description": format!("{name}, as emulated"),
               "icon_url": format!("https://fivetran.com/integrations/{id}/resources/{id}.svg"),
               "icons": [format!("https://fivetran.com/integrations/{id}/resources/{id}.svg")],
               "link_to_docs": format!("https://fivetran.com/docs/connectors/{id}"),
               "link_to_erd": format!("https://fivetran.com/docs/connectors/{id}#schemainformation"),
               "connector_class": "standard", "service_status": "general_availability",
               "service_status_updated_at": "2024-01-01", "supported_features": []})
    })
    .collect()
}

fn roles() -> Vec<Value> {
    [
        ("Account Administrator", "ACCOUNT"),
        ("Account Billing", "ACCOUNT"),
        ("Account Analyst", "ACCOUNT"),
        ("Account Reviewer", "ACCOUNT"),
        ("Destination Creator", "ACCOUNT"),
        ("Destination Administrator", "DESTINATION"),
        ("Destination Analyst", "DESTINATION"),
        ("Destination Reviewer", "DESTINATION"),
        ("Connector Administrator", "CONNECTOR"),
        ("Connector Collaborator", "CONNECTOR"),
        ("Connector Reviewer", "CONNECTOR"),
        ("Team Manager", "TEAM"),
    ]
    .iter()
    .map(|(name, scope)| {
        json!({"name": name, "description": format!("The built-in {name} role"), "is_custom": false,
               "is_deprecated": false, "replacement_role_name": null, "scope": [scope]})
    })
    .collect()
}

fn package_metadata() -> Vec<Value> {
    [("dbt_fivetran_log", "fivetran_log"), ("dbt_salesforce", "salesforce")]
        .iter()
        .map(|(id, connector)| {
            json!({"id": id, "name": id, "version": "1.0.0", "connector_types": [connector],
                   "output_model_names": [format!("{connector}_overview")], "configurable_variables": {"schema_name": format!("{connector}_analytics")}})
        })
        .collect()
}

/// Answers every operation the typed routes leave: see the module docs.
pub(super) fn handle(cx: &mut Cx) -> Answer {
    let a = cx.r.nth(0).to_owned();
    let b1 = cx.r.nth(1).to_owned();
    let op = cx.r.op.id;
    match op {
        // --- account, roles, metadata
        "get_account_info" => data(
            200,
            None,
            json!({"account_id": ACCOUNT_ID, "account_name": "Emulated account", "user_id": cx.store.owner, "system_key_id": null}),
        ),
        "list_all_roles" => list_fixed(cx, "roles", roles()),
        "metadata_connectors" | "metadata_public_connectors" => list_fixed(cx, "connector_types", connector_types()),
        "metadata_connector_config" => {
            let mut t = connector_types()
                .into_iter()
                .find(|t| t["id"] == json!(a))
                .ok_or_else(|| fail(404, "NotFound_Service", format!("Service '{a}' doesn't exist")))?;
            t["config"] = json!({"properties": {"schema": {"type": "string", "description": "Destination schema"}}});
            t["auth"] = json!({});
            data(200, None, t)
        }
        "transformation_package_metadata_list" => list_fixed(cx, "package_metadata", package_metadata()),
        "transformation_package_metadata_details" => {
            let p = package_metadata().into_iter().find(|p| p["id"] == json!(a)).ok_or_else(|| {
                fail(404, "NotFound_PackageDefinition", format!("Package definition '{a}' doesn't exist"))
            })?;
            data(200, None, p)
        }

        // --- certificates and fingerprints
        "approve_certificate" => {
            let b = cx.body()?;
            let hash = required(&b, "hash")?;
            let cert = required(&b, "encoded_cert")?;
            let key = match (opt_str(&b, "connection_id")?, opt_str(&b, "destination_id")?) {
                (Some(c), _) => {
                    need_connection(cx, &c)?;
                    format!("/v1/connections/{c}/certificates")
                }
                (None, Some(d)) => {
                    need_destination(cx, &d)?;
                    format!("/v1/destinations/{d}/certificates")
                }
                (None, None) => return Err(invalid("Missing required field: 'connection_id' or 'destination_id'")),
            };
            let value = certificate(cx, &hash, &cert);
            cx.store.docs.col_mut(&key).remove(&hash);
            cx.store.docs.col_mut(&key).insert(Doc { id: hash, value });
            done("The certificate has been approved".into())
        }
        "get_connection_certificates_list" | "get_connection_fingerprints_list" => {
            need_connection(cx, &a)?;
            list_docs(cx, &cx.r.prefix(4))
        }
        "get_destination_certificates_list" | "get_destination_fingerprints_list" => {
            need_destination(cx, &a)?;
            list_docs(cx, &cx.r.prefix(4))
        }
        "approve_connection_certificate" | "approve_destination_certificate" => {
            if op.starts_with("approve_connection") {
                need_connection(cx, &a)?
            } else {
                need_destination(cx, &a)?
            }
            let b = cx.body()?;
            let hash = required(&b, "hash")?;
            let cert = required(&b, "encoded_cert")?;
            let value = certificate(cx, &hash, &cert);
            let key = cx.r.prefix(4);
            cx.store.docs.col_mut(&key).remove(&hash);
            insert(cx, &key, hash, value, "The certificate has been approved")
        }
        "approve_connection_fingerprint" | "approve_destination_fingerprint" => {
            if op.starts_with("approve_connection") {
                need_connection(cx, &a)?
            } else {
                need_destination(cx, &a)?
            }
            let b = cx.body()?;
            let hash = required(&b, "hash")?;
            let public_key = required(&b, "public_key")?;
            let value = json!({"id": hash, "hash": hash, "public_key": public_key, "validated_date": now_json(cx),
                               "validated_by": cx.store.owner});
            let Value::Object(value) = value else { unreachable!("a literal object") };
            let key = cx.r.prefix(4);
            cx.store.docs.col_mut(&key).remove(&hash);
            insert(cx, &key, hash, value, "The fingerprint has been approved")
        }
        "get_connection_certificate_details" | "get_destination_certificate_details" => {
            get_doc(cx, &cx.r.prefix(4), &b1, &CERTIFICATE)
        }
        "get_connection_fingerprint_details" | "get_destination_fingerprint_details" => {
            get_doc(cx, &cx.r.prefix(4), &b1, &FINGERPRINT)
        }
        "revoke_connection_certificate" | "revoke_destination_certificate" => {
            let key = cx.r.prefix(4);
            cx.store.docs.col_mut(&key).remove(&b1).ok_or_else(|| missing(&CERTIFICATE, &b1))?;
            done(format!("The certificate '{b1}' has been revoked"))
        }
        "revoke_connection_fingerprint" | "revoke_destination_fingerprint" => {
            let key = cx.r.prefix(4);
            cx.store.docs.col_mut(&key).remove(&b1).ok_or_else(|| missing(&FINGERPRINT, &b1))?;
            done(format!("The fingerprint '{b1}' has been revoked"))
        }

        // --- connection extras
        "connect_card" => {
            need_connection(cx, &a)?;
            let b = cx.body()?;
            let config = match b.get("connect_card_config") {
                Some(Value::Object(m)) => m.clone(),
                None | Some(Value::Null) => return Err(invalid("Missing required field: 'connect_card_config'")),
                Some(_) => return Err(invalid("Field 'connect_card_config' must be an object")),
            };
            let token = format!("eyJ0eXAiOiJKV1QifQ.{}", a.replace('_', ""));
            data(
                200,
                None,
                json!({"connector_id": a, "connect_card": {"token": token, "uri": format!("https://fivetran.com/connect-card/setup?auth={token}")},
                       "connect_card_config": config}),
            )
        }
        "connection_state" => {
            need_connection(cx, &a)?;
            let state = cx.store.docs.states.get(&a).cloned().unwrap_or_else(|| json!({}));
            data(200, None, json!({ "state": state }))
        }
        "modify_connection_state" => {
            let b = cx.body()?;
            let c = cx.store.connections.get(&a).ok_or_else(|| not_found("connection", &a))?;
            let state = match b.get("state") {
                Some(v @ Value::Object(_)) => v.clone(),
                None | Some(Value::Null) => return Err(invalid("Missing required field: 'state'")),
                Some(_) => return Err(invalid("Field 'state' must be an object")),
            };
            if c.status.sync_state == super::SyncState::Syncing {
                return Err(fail(409, "Conflict", "The state cannot be updated while a sync is running"));
            }
            cx.store.docs.states.insert(a.clone(), state.clone());
            data(200, Some("Connection state has been updated"), json!({ "state": state }))
        }

        // --- schema config
        "connection_schema_config" => show_schema(cx.store, &a, None),
        "pre_create_connection_schema_config" | "modify_connection_schema_config" => {
            let b = cx.body()?;
            if op.starts_with("pre_create") && !b.get("schemas").is_some_and(Value::is_object) {
                return Err(invalid("Missing required field: 'schemas' (an object)"));
            }
            if let Some(h) = opt_str(&b, "schema_change_handling")? {
                if !matches!(h.as_str(), "ALLOW_ALL" | "ALLOW_COLUMNS" | "BLOCK_ALL") {
                    return Err(invalid(format!("Invalid schema_change_handling '{h}'")));
                }
            }
            let v = Value::Object(b);
            check_flags(&v)?;
            let Value::Object(b) = v else { unreachable!("an object") };
            let config = schema_config(cx.store, &a)?;
            if op.starts_with("modify") {
                // Changes apply to schemas, tables and columns the config knows.
                for names in named_parts(&b) {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    dig(config, &names)?;
                }
            }
            merge(config, b);
            show_schema(cx.store, &a, Some("Schema config has been updated"))
        }
        "reload_connection_schema_config" => {
            let b = cx.body()?;
            let mode = opt_str(&b, "exclude_mode")?.unwrap_or_else(|| "PRESERVE".into());
            let c = cx.store.connections.get(&a).ok_or_else(|| not_found("connection", &a))?;
            let fresh = default_schema_config(c);
            let config = match (mode.as_str(), cx.store.docs.schemas.remove(&a)) {
                ("PRESERVE", Some(mut old)) => {
                    // What the source still has is kept as configured; new items come in.
                    let mut next = fresh;
                    let old_schemas = old.remove("schemas");
                    merge(&mut next, old);
                    if let Some(Value::Object(s)) = old_schemas {
                        merge(&mut next, Map::from_iter([("schemas".to_owned(), Value::Object(s))]));
                    }
                    next
                }
                ("PRESERVE", None) => fresh,
                ("EXCLUDE", _) => {
                    let mut v = Value::Object(fresh);
                    disable_all(&mut v);
                    match v {
                        Value::Object(m) => m,
                        _ => Map::new(),
                    }
                }
                (m, _) => return Err(invalid(format!("Invalid exclude_mode '{m}': expected PRESERVE or EXCLUDE"))),
            };
            cx.store.docs.schemas.insert(a.clone(), config);
            show_schema(cx.store, &a, Some("Schema config has been reloaded"))
        }
        "modify_connection_database_schema_config" => patch_schema_part(cx, &[&b1]),
        "modify_connection_table_config" => {
            let t = cx.r.nth(2).to_owned();
            patch_schema_part(cx, &[&b1, &t])
        }
        "modify_connection_column_config" => {
            let (t, c) = (cx.r.nth(2).to_owned(), cx.r.nth(3).to_owned());
            patch_schema_part(cx, &[&b1, &t, &c])
        }
        "connection_column_config" => {
            let t = cx.r.nth(2).to_owned();
            let config = schema_config(cx.store, &a)?;
            let table = dig(config, &[&b1, &t])?;
            let columns = table.get("columns").cloned().unwrap_or_else(|| json!({}));
            data(200, None, json!({ "columns": columns }))
        }
        "delete_column_connection_config" => {
            let (t, c) = (cx.r.nth(2).to_owned(), cx.r.nth(3).to_owned());
            let config = schema_config(cx.store, &a)?;
            dig(config, &[&b1, &t, &c])?;
            let table = dig(config, &[&b1, &t])?;
            if let Some(Value::Object(cols)) = table.get_mut("columns") {
                cols.remove(&c);
            }
            done(format!("Column '{c}' has been dropped from the destination"))
        }
        "delete_multiple_columns_connection_config" => {
            let b = cx.body()?;
            let Some(Value::Object(schemas)) = b.get("schemas") else {
                return Err(invalid("Missing required field: 'schemas' (an object)"));
            };
            let config = schema_config(cx.store, &a)?;
            // Check every name first so a bad one drops nothing.
            let mut drops = Vec::new();
            for (s, v) in schemas {
                for (t, v) in v.get("tables").and_then(Value::as_object).into_iter().flatten() {
                    for c in v.get("columns").and_then(Value::as_object).into_iter().flatten().map(|(c, _)| c) {
                        dig(config, &[s, t, c])?;
                        drops.push((s.clone(), t.clone(), c.clone()));
                    }
                }
            }
            if drops.is_empty() {
                return Err(invalid("Name at least one column to drop"));
            }
            for (s, t, c) in &drops {
                if let Some(Value::Object(cols)) = dig(config, &[s, t])?.get_mut("columns") {
                    cols.remove(c);
                }
            }
            done(format!("{} column(s) have been dropped from the destination", drops.len()))
        }

        // --- users' memberships
        "get_user_memberships_in_groups" => {
            need_user(cx, &a)?;
            let seq = cx.store.users.seq(&a).unwrap_or_default();
            let items: Vec<Value> = cx
                .store
                .groups
                .values()
                .filter_map(|g| {
                    let role = cx.store.members.get(&g.id)?.get(&seq)?;
                    Some(json!({"id": g.id, "role": role, "created_at": g.created_at}))
                })
                .collect();
            list_fixed(cx, "user_groups", items)
        }
        "add_user_membership_in_group" => {
            let b = cx.body()?;
            let g = required(&b, "id")?;
            let role = required(&b, "role")?;
            need_user(cx, &a)?;
            need_group(cx, &g)?;
            let seq = cx.store.users.seq(&a).unwrap_or_default();
            let m = cx.store.members.entry(g.clone()).or_default();
            if m.contains_key(&seq) {
                return Err(fail(409, "Conflict", format!("User '{a}' is already a member of group '{g}'")));
            }
            m.insert(seq, role.clone());
            let at = cx.store.groups.get(&g).map(|g| g.created_at);
            data(
                cx.r.op.success,
                Some("User membership has been created"),
                json!({"id": g, "role": role, "created_at": at}),
            )
        }
        "get_user_membership_in_group" | "update_user_membership_in_group" | "delete_user_membership_in_group" => {
            need_user(cx, &a)?;
            need_group(cx, &b1)?;
            let seq = cx.store.users.seq(&a).unwrap_or_default();
            let role = if op.starts_with("update") { Some(required(&cx.body()?, "role")?) } else { None };
            let m = cx.store.members.entry(b1.clone()).or_default();
            let Some(current) = m.get_mut(&seq) else {
                return Err(fail(404, "NotFound_Membership", format!("User '{a}' is not a member of group '{b1}'")));
            };
            if let Some(r) = role {
                *current = r;
            }
            let current = current.clone();
            if op.starts_with("delete") {
                m.remove(&seq);
                return done(format!("User '{a}' has been removed from group '{b1}'"));
            }
            let at = cx.store.groups.get(&b1).map(|g| g.created_at);
            data(200, None, json!({"id": b1, "role": current, "created_at": at}))
        }
        "get_user_memberships_in_connections" => {
            need_user(cx, &a)?;
            list_docs(cx, &cx.r.prefix(4))
        }
        "add_user_membership_in_connection" => {
            need_user(cx, &a)?;
            add_membership(cx, &cx.r.prefix(4), "id", false, "connection")
        }

        // --- teams
        "create_team" => {
            let b = cx.body()?;
            let name = required(&b, "name")?;
            if cx
                .store
                .docs
                .col("/v1/teams")
                .is_some_and(|t| t.values().any(|d| d.value.get("name") == Some(&json!(name))))
            {
                return Err(fail(409, "Conflict", format!("Team with name '{name}' already exists")));
            }
            let id = cx.store.docs.new_id();
            let value = compose(json!({"description": null, "role": null}), b, json!({"id": id}));
            insert(cx, "/v1/teams", id, value, "Team has been created")
        }
        "modify_team" => {
            let b = cx.body()?;
            if let Some(n) = opt_str(&b, "name")? {
                if n.trim().is_empty() {
                    return Err(invalid("Field 'name' must not be empty"));
                }
            }
            update_doc(cx, "/v1/teams", &a, &TEAM, b, &["id"])
        }
        "delete_team" => {
            delete_doc(cx, "/v1/teams", &a, &TEAM)?;
            cx.store.docs.forget("teams", &a);
            done(format!("Team with id '{a}' has been deleted"))
        }
        "delete_team_membership_in_account" => {
            let d = cx.store.docs.col_mut("/v1/teams").get_mut(&a).ok_or_else(|| missing(&TEAM, &a))?;
            d.value.insert("role".into(), Value::Null);
            done(format!("Team with id '{a}' has been removed from the account role"))
        }
        "get_team_memberships_in_connections" | "get_team_memberships_in_groups" | "list_users_in_team" => {
            cx.store.docs.get("/v1/teams", &a).ok_or_else(|| missing(&TEAM, &a))?;
            list_docs(cx, &cx.r.prefix(4))
        }
        "add_team_membership_in_connection" | "add_team_membership_in_group" | "add_user_to_team" => {
            cx.store.docs.get("/v1/teams", &a).ok_or_else(|| missing(&TEAM, &a))?;
            let (field, needed, kind) = match op {
                "add_user_to_team" => ("user_id", false, "user"),
                "add_team_membership_in_group" => ("id", true, "group"),
                _ => ("id", true, "connection"),
            };
            add_membership(cx, &cx.r.prefix(4), field, needed, kind)
        }
        "get_team_membership_in_connection" | "get_team_membership_in_group" | "get_user_in_team" => {
            cx.store.docs.get("/v1/teams", &a).ok_or_else(|| missing(&TEAM, &a))?;
            get_doc(cx, &cx.r.prefix(4), &b1, &MEMBERSHIP)
        }
        "get_user_membership_in_connections" => {
            need_user(cx, &a)?;
            get_doc(cx, &cx.r.prefix(4), &b1, &MEMBERSHIP)
        }
        "update_team_membership_in_connection"
        | "update_team_membership_in_group"
        | "update_user_membership"
        | "update_user_membership_in_connection" => update_membership(cx, &cx.r.prefix(4), &b1),
        "delete_team_membership_in_connection"
        | "delete_team_membership_in_group"
        | "delete_user_from_team"
        | "delete_user_membership_in_connection" => {
            let key = cx.r.prefix(4);
            cx.store.docs.col_mut(&key).remove(&b1).ok_or_else(|| missing(&MEMBERSHIP, &b1))?;
            done(format!("Membership of '{b1}' has been removed"))
        }

        // --- webhooks
        "create_account_webhook" => create_webhook(cx, None),
        "create_group_webhook" => create_webhook(cx, Some(a)),
        "modify_webhook" => {
            let mut b = cx.body()?;
            check_url(&b, false)?;
            events(&b, false)?;
            opt_bool(&b, "active")?;
            if let Some(s) = opt_str(&b, "secret")? {
                cx.store.docs.get(WEBHOOKS, &a).ok_or_else(|| missing(&WEBHOOK, &a))?;
                cx.store.docs.webhook_secrets.insert(a.clone(), s);
                b.insert("secret".into(), json!("******"));
            }
            update_doc(cx, WEBHOOKS, &a, &WEBHOOK, b, &["id", "type", "group_id", "created_at", "created_by"])
        }
        "delete_webhook" => {
            delete_doc(cx, WEBHOOKS, &a, &WEBHOOK)?;
            cx.store.docs.webhook_secrets.remove(&a);
            done(format!("Webhook with id '{a}' has been deleted"))
        }
        "test_webhook" => {
            let b = cx.body()?;
            let event = required(&b, "event")?;
            let d = cx.store.docs.get(WEBHOOKS, &a).ok_or_else(|| missing(&WEBHOOK, &a))?;
            let url = d.value.get("url").and_then(Value::as_str).unwrap_or_default().to_owned();
            let group = d.value.get("group_id").and_then(Value::as_str).map(str::to_owned);
            let secret = cx.store.docs.webhook_secrets.get(&a).cloned().unwrap_or_default();
            let body = test_event(&event, group.as_deref(), api_time(cx.now));
            // Sent by the front door once the lock is released; it fills in the answer.
            cx.store.test_delivery = Some(Delivery { webhook_id: a, url, secret, event, body });
            data(200, None, json!({"succeed": false, "status": 0, "message": "not sent"}))
        }

        // --- external logging
        "add_log_service" => {
            let b = cx.body()?;
            let group = required(&b, "group_id")?;
            required(&b, "service")?;
            opt_bool(&b, "enabled")?;
            need_group(cx, &group)?;
            if cx.store.docs.exists(LOGS, &group) {
                return Err(fail(409, "Conflict", format!("Group '{group}' already has a log service")));
            }
            let tests = b.get("run_setup_tests").and_then(Value::as_bool).unwrap_or(false);
            let value = log_service(&group, b, tests);
            insert(cx, LOGS, group, value, "Log service has been added")
        }
        "add_account_log_service" => {
            let b = cx.body()?;
            required(&b, "service")?;
            if cx.store.docs.exists(ACCOUNT_LOG, ACCOUNT_ID) {
                return Err(fail(409, "Conflict", "The account already has a log service"));
            }
            let tests = b.get("run_setup_tests").and_then(Value::as_bool).unwrap_or(false);
            let value = log_service(ACCOUNT_ID, b, tests);
            insert(cx, ACCOUNT_LOG, ACCOUNT_ID.into(), value, "Log service has been added")
        }
        "get_account_log_service_details" => get_doc(cx, ACCOUNT_LOG, ACCOUNT_ID, &LOG),
        "delete_account_log_service" => delete_doc(cx, ACCOUNT_LOG, ACCOUNT_ID, &LOG),
        "update_account_log_service" => {
            let b = cx.body()?;
            update_doc(cx, ACCOUNT_LOG, ACCOUNT_ID, &LOG, without(b, "run_setup_tests"), &["id", "service"])
        }
        "run_setup_tests_account_log_service" | "run_setup_tests_log_service" => {
            let (key, id) = if op.contains("account") { (ACCOUNT_LOG, ACCOUNT_ID) } else { (LOGS, a.as_str()) };
            cx.store.docs.get(key, id).ok_or_else(|| missing(&LOG, id))?;
            data(200, Some("Setup tests have been completed"), json!({ "setup_tests": setup_tests_json() }))
        }
        "update_log_service" => {
            let b = cx.body()?;
            update_doc(cx, LOGS, &a, &LOG, without(b, "run_setup_tests"), &["id", "service"])
        }

        // --- external secrets managers
        "create_esm" => {
            let b = cx.body()?;
            required(&b, "name")?;
            required(&b, "type")?;
            if !b.get("config").is_some_and(Value::is_object) {
                return Err(invalid("Missing required field: 'config' (an object)"));
            }
            let id = cx.store.docs.new_id();
            let now = now_json(cx);
            let value = compose(
                json!({"is_hybrid_deployment": false}),
                b,
                json!({"id": id, "created_at": now, "updated_at": now}),
            );
            insert(cx, "/v1/external-secrets-managers", id, value, "External secrets manager has been created")
        }
        "modify_esm" => {
            let b = cx.body()?;
            if !b.get("config").is_some_and(Value::is_object) {
                return Err(invalid("Missing required field: 'config' (an object)"));
            }
            update_doc(cx, "/v1/external-secrets-managers", &a, &ESM, b, &["id", "type", "created_at"])
        }
        "list_esm_entities" | "get_esm_entities" => {
            let esms: Vec<String> = match op {
                "get_esm_entities" => {
                    cx.store.docs.get("/v1/external-secrets-managers", &a).ok_or_else(|| missing(&ESM, &a))?;
                    vec![a.clone()]
                }
                _ => cx
                    .store
                    .docs
                    .col("/v1/external-secrets-managers")
                    .map(|t| t.values().map(|d| d.id.clone()).collect())
                    .unwrap_or_default(),
            };
            // Connections and destinations that name a manager in their config use it.
            let mut items = Vec::new();
            for c in cx.store.connections.values() {
                if let Ok(Value::Object(cfg)) = serde_json::from_str::<Value>(c.config.get()) {
                    if let Some(e) = cfg.get("external_secrets_manager_id").and_then(Value::as_str) {
                        if esms.iter().any(|x| x == e) {
                            items.push(json!({"id": c.id, "type": "CONNECTION", "external_secrets_manager_id": e}));
                        }
                    }
                }
            }
            list_fixed(cx, "esm_entities", items)
        }

        // --- hybrid deployment agents
        "create_hybrid_deployment_agent" => {
            let b = cx.body()?;
            required(&b, "display_name")?;
            required(&b, "env_type")?;
            if b.get("accept_terms") != Some(&json!(true)) {
                return Err(invalid("Field 'accept_terms' must be true"));
            }
            if let Some(g) = opt_str(&b, "group_id")? {
                need_group(cx, &g)?;
            }
            let id = cx.store.docs.new_id();
            let now = now_json(cx);
            // The request's `env_type` is the answer's `deployment_type`.
            let deployment = b.get("env_type").cloned().unwrap_or_else(|| json!("DOCKER"));
            let value = compose(
                json!({"version": "1.0.0", "enabled": true, "online": false, "deployment_type": deployment, "last_used_at": null}),
                without(without(b, "accept_terms"), "env_type"),
                json!({"id": id, "registered_at": now, "updated_at": now, "created_by": cx.store.owner}),
            );
            let mut shown = value.clone();
            cx.store.docs.col_mut("/v1/hybrid-deployment-agents").insert(Doc { id: id.clone(), value });
            shown.insert("files".into(), agent_files(&id));
            shown.insert("token".into(), json!(format!("agent-token-{id}")));
            data(cx.r.op.success, Some("Hybrid deployment agent has been created"), shown)
        }
        "re_auth_hybrid_deployment_agent" | "reset_hybrid_deployment_agent_credentials" => {
            let d = cx.store.docs.get("/v1/hybrid-deployment-agents", &a).ok_or_else(|| missing(&AGENT, &a))?;
            let mut shown = d.value.clone();
            shown.insert("files".into(), agent_files(&a));
            shown.insert("token".into(), json!(format!("agent-token-{a}-{}", cx.store.docs.runs)));
            data(200, Some("Agent credentials have been regenerated"), shown)
        }

        // --- private links
        "create_private_link" => {
            let b = cx.body()?;
            let name = required(&b, "name")?;
            required(&b, "region")?;
            let service = required(&b, "service")?;
            if !b.get("config").is_some_and(Value::is_object) {
                return Err(invalid("Missing required field: 'config' (an object)"));
            }
            if cx
                .store
                .docs
                .col("/v1/private-links")
                .is_some_and(|t| t.values().any(|d| d.value.get("name") == Some(&json!(name))))
            {
                return Err(fail(409, "Conflict", format!("Private link with name '{name}' already exists")));
            }
            let id = cx.store.docs.new_id();
            let cloud = if service.contains("AZURE") || service.contains("azure") {
                "AZURE"
            } else if service.contains("GCP") {
                "GCP"
            } else {
                "AWS"
            };
            let value = compose(
                json!({"state": "PENDING", "state_summary": "Waiting for the link to be set up", "host": format!("{id}.privatelink.example"),
                       "resource_upstream_status": null}),
                b,
                json!({"id": id, "account_id": ACCOUNT_ID, "cloud_provider": cloud, "created_at": now_json(cx), "created_by": cx.store.owner}),
            );
            insert(cx, "/v1/private-links", id, value, "Private link has been created")
        }

        // --- proxy agents
        "create_proxy_agent" => {
            let b = cx.body()?;
            required(&b, "display_name")?;
            let id = cx.store.docs.new_id();
            // The request's `group_region` is the answer's `region`; the secrets are shown once,
            // in this answer, and never stored.
            let region = b.get("group_region").cloned().unwrap_or_else(|| json!("GCP_US_EAST4"));
            let value = compose(
                json!({"region": region, "version": "1.0.0", "status": "NOT_CONNECTED"}),
                without(b, "group_region"),
                json!({"id": id, "account_id": ACCOUNT_ID, "registered_at": now_json(cx), "created_by": cx.store.owner}),
            );
            cx.store.docs.col_mut("/v1/proxy").insert(Doc { id: id.clone(), value });
            let k = cx.store.docs.runs;
            data(cx.r.op.success, Some("Proxy agent has been created"), proxy_secrets(&id, k))
        }
        "get_proxy_agent_connections" => {
            cx.store.docs.get("/v1/proxy", &a).ok_or_else(|| missing(&PROXY, &a))?;
            list_docs(cx, &cx.r.prefix(4))
        }
        "regenerate_secrets_proxy_agent" => {
            cx.store.docs.get("/v1/proxy", &a).ok_or_else(|| missing(&PROXY, &a))?;
            cx.store.docs.runs += 1;
            data(200, Some("Secrets have been regenerated"), proxy_secrets(&a, cx.store.docs.runs))
        }

        // --- system keys
        "create_system_key" => {
            let b = cx.body()?;
            required(&b, "name")?;
            let id = cx.store.docs.new_id();
            let now = now_json(cx);
            let value = compose(
                json!({"permissions": [], "expired_at": null, "last_used_at": null}),
                without(b, "expiration_period"),
                json!({"id": id, "key": format!("key_{id}"), "secret": "******", "created_at": now, "updated_at": now}),
            );
            let mut shown = value.clone();
            shown.insert("secret".into(), json!(format!("secret_{id}_0")));
            cx.store.docs.col_mut("/v1/system-keys").insert(Doc { id, value });
            data(cx.r.op.success, Some("System key has been created"), shown)
        }
        "update_system_key" => {
            let b = cx.body()?;
            update_doc(cx, "/v1/system-keys", &a, &KEY, b, &["id", "key", "secret", "created_at"])
        }
        "rotate_system_key" => {
            cx.body()?;
            cx.store.docs.runs += 1;
            let n = cx.store.docs.runs;
            let now = now_json(cx);
            let d = cx.store.docs.col_mut("/v1/system-keys").get_mut(&a).ok_or_else(|| missing(&KEY, &a))?;
            d.value.insert("key".into(), json!(format!("key_{a}_{n}")));
            d.value.insert("updated_at".into(), now);
            let mut shown = d.value.clone();
            shown.insert("secret".into(), json!(format!("secret_{a}_{n}")));
            data(200, Some("System key has been rotated"), shown)
        }

        // --- transformation projects and transformations
        "create_transformation_project" => {
            let b = cx.body()?;
            let group = required(&b, "group_id")?;
            required(&b, "type")?;
            need_group(cx, &group)?;
            let id = cx.store.docs.new_id();
            let tests = b.get("run_tests").and_then(Value::as_bool).unwrap_or(false);
            let mut value = compose(
                json!({"status": "READY", "errors": []}),
                without(b, "run_tests"),
                json!({"id": id, "created_at": now_json(cx), "created_by_id": cx.store.owner}),
            );
            if tests {
                value.insert("setup_tests".into(), setup_tests_json());
            }
            insert(cx, "/v1/transformation-projects", id, value, "Transformation project has been created")
        }
        "modify_transformation_project" => {
            let b = cx.body()?;
            update_doc(
                cx,
                "/v1/transformation-projects",
                &a,
                &PROJECT,
                without(b, "run_tests"),
                &["id", "group_id", "type"],
            )
        }
        "test_transformation_project" => {
            let d = cx.store.docs.get("/v1/transformation-projects", &a).ok_or_else(|| missing(&PROJECT, &a))?;
            let mut shown = d.value.clone();
            shown.insert("setup_tests".into(), setup_tests_json());
            data(200, Some("Setup tests have been completed"), shown)
        }
        "create_transformation" => {
            let b = cx.body()?;
            required(&b, "type")?;
            opt_bool(&b, "paused")?;
            let id = cx.store.docs.new_id();
            let value = compose(
                json!({"status": "READY", "paused": false, "schedule": {"schedule_type": "INTEGRATED"}, "last_started_at": null,
                       "last_ended_at": null, "output_model_names": []}),
                b,
                json!({"id": id, "created_at": now_json(cx), "created_by_id": cx.store.owner}),
            );
            insert(cx, "/v1/transformations", id, value, "Transformation has been created")
        }
        "update_transformation" => {
            let b = cx.body()?;
            opt_bool(&b, "paused")?;
            update_doc(cx, "/v1/transformations", &a, &TRANSFORMATION, b, &["id", "type", "created_at"])
        }
        "run_transformation" | "cancel_transformation" | "upgrade_transformation_package" => {
            let now = now_json(cx);
            let d =
                cx.store.docs.col_mut("/v1/transformations").get_mut(&a).ok_or_else(|| missing(&TRANSFORMATION, &a))?;
            let message = match op {
                "run_transformation" => {
                    d.value.insert("status".into(), json!("SUCCEEDED"));
                    d.value.insert("last_started_at".into(), now.clone());
                    d.value.insert("last_ended_at".into(), now);
                    "Transformation run has been triggered"
                }
                "cancel_transformation" => "Transformation run has been cancelled",
                _ => "Transformation package has been upgraded",
            };
            done(message.into())
        }

        // --- connector SDK packages (multipart uploads: the body is kept as the file)
        "create_connector_sdk_package" | "update_connector_sdk_package" => {
            let file = multipart_file(cx.req.header("content-type"), &cx.req.body)
                .ok_or_else(|| invalid("Missing required field: 'file' (a multipart/form-data part)"))?;
            let hash = hex(digest::digest(&digest::SHA256, &file).as_ref());
            let now = now_json(cx);
            if op.starts_with("update") {
                let owner = cx.store.owner.clone();
                let d = cx
                    .store
                    .docs
                    .col_mut("/v1/connector-sdk/packages")
                    .get_mut(&a)
                    .ok_or_else(|| missing(&PACKAGE, &a))?;
                d.value.insert("file_sha256_hash".into(), json!(hash));
                d.value.insert("updated_at".into(), now);
                d.value.insert("last_updated_by".into(), json!(owner));
                let shown = d.clone();
                cx.store.sdk_files.insert(a, file);
                return data(200, Some("Package has been updated"), shown);
            }
            let id = cx.store.docs.new_id();
            cx.store.sdk_files.insert(id.clone(), file);
            let value = json!({"id": id, "connection_id": null, "created_by": cx.store.owner, "last_updated_by": cx.store.owner,
                               "created_at": now, "updated_at": now, "file_sha256_hash": hash});
            let Value::Object(value) = value else { unreachable!("a literal object") };
            insert(cx, "/v1/connector-sdk/packages", id, value, "Package has been created")
        }
        "download_connector_sdk_package" => {
            cx.store.docs.get("/v1/connector-sdk/packages", &a).ok_or_else(|| missing(&PACKAGE, &a))?;
            let bytes = cx.store.sdk_files.get(&a).cloned().unwrap_or_default();
            Ok(super::server::Response::new(200, "application/octet-stream", bytes))
        }
        "delete_connector_sdk_package" => {
            delete_doc(cx, "/v1/connector-sdk/packages", &a, &PACKAGE)?;
            cx.store.sdk_files.remove(&a);
            done(format!("Package with id '{a}' has been deleted"))
        }

        "hvr_register_hub" => {
            let b = cx.body()?;
            required(&b, "hub_server_url")?;
            cx.store.docs.runs += 1;
            let n = cx.store.docs.runs;
            data(
                200,
                None,
                json!({"access_token": format!("hvr-token-{n:08}"), "registration_id": format!("hub_{n:06}")}),
            )
        }

        _ => generic(cx),
    }
}

/// The plain collection operations: list, get, update and delete by the shape of the path.
fn generic(cx: &mut Cx) -> Answer {
    let op = cx.r.op;
    let kind = match cx.r.segments.get(1).map(String::as_str) {
        Some("teams") => &TEAM,
        Some("webhooks") => &WEBHOOK,
        Some("external-logging") => &LOG,
        Some("external-secrets-managers") => &ESM,
        Some("hybrid-deployment-agents") => &AGENT,
        Some("private-links") => &LINK,
        Some("proxy") => &PROXY,
        Some("system-keys") => &KEY,
        Some("transformation-projects") => &PROJECT,
        Some("transformations") => &TRANSFORMATION,
        Some("connector-sdk") => &PACKAGE,
        _ => return Err(fail(501, "NotImplemented", format!("The emulator does not answer {} yet", op.id))),
    };
    let last_is_param = op.path.ends_with('}');
    let n = cx.r.segments.len();
    match (op.method, last_is_param) {
        (crate::transport::Method::Get, false) => list_docs(cx, &cx.r.prefix(n)),
        (crate::transport::Method::Get, true) => get_doc(cx, &cx.r.prefix(n - 1), &cx.r.segments[n - 1], kind),
        (crate::transport::Method::Patch, true) => {
            let b = cx.body()?;
            let id = cx.r.segments[n - 1].clone();
            update_doc(cx, &cx.r.prefix(n - 1), &id, kind, b, &["id", "created_at", "created_by"])
        }
        (crate::transport::Method::Delete, true) => {
            let id = cx.r.segments[n - 1].clone();
            delete_doc(cx, &cx.r.prefix(n - 1), &id, kind)
        }
        _ => Err(fail(501, "NotImplemented", format!("The emulator does not answer {} yet", op.id))),
    }
}

/// Every schema, table and column a schema change names, as paths of names.
fn named_parts(b: &Map<String, Value>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let children = |v: &Value, field: &str| -> Vec<(String, Value)> {
        v.get(field)
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    for (s, sv) in children(&Value::Object(b.clone()), "schemas") {
        out.push(vec![s.clone()]);
        for (t, tv) in children(&sv, "tables") {
            out.push(vec![s.clone(), t.clone()]);
            for (c, _) in children(&tv, "columns") {
                out.push(vec![s.clone(), t.clone(), c]);
            }
        }
    }
    out
}

/// The content of the part named `file` of a `multipart/form-data` body (the boundary from its
/// content type); `None` when the body is not that or has no such part.
fn multipart_file(content_type: Option<&str>, body: &[u8]) -> Option<Vec<u8>> {
    let boundary = content_type?.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    loop {
        // After a delimiter: "--" ends the body, a line break starts a part.
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        if head.lines().any(|l| l.starts_with("content-disposition:") && l.contains("name=\"file\"")) {
            return Some(content[..end].to_vec());
        }
        rest = &content[end + 2 + delimiter.len()..];
        if rest.starts_with(b"--") {
            return None;
        }
    }
}

fn without(mut b: Map<String, Value>, field: &str) -> Map<String, Value> {
    b.remove(field);
    b
}

fn disable_all(v: &mut Value) {
    if let Value::Object(m) = v {
        for (k, x) in m.iter_mut() {
            if k == "enabled" {
                *x = json!(false);
            } else {
                disable_all(x);
            }
        }
    }
}

fn certificate(cx: &Cx, hash: &str, cert: &str) -> Map<String, Value> {
    let sha256 = hex(digest::digest(&digest::SHA256, cert.as_bytes()).as_ref());
    let sha1 = hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_bytes()).as_ref());
    let v = json!({"id": hash, "name": format!("CN={hash}"), "hash": hash, "type": "TLS", "sha1": sha1, "sha256": sha256,
                   "public_key": format!("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A{}", &sha256[..16]),
                   "validated_date": now_json(cx), "validated_by": cx.store.owner});
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn log_service(id: &str, b: Map<String, Value>, tests: bool) -> Map<String, Value> {
    let mut v = compose(
        json!({"enabled": true, "config": {}}),
        without(b, "run_setup_tests"),
        json!({"id": id, "status": {"setup_state": "connected", "tasks": []}}),
    );
    if tests {
        v.insert("setup_tests".into(), setup_tests_json());
    }
    v
}

/// Loads an account shape into the generic collections: `{"/v1/teams": [{...}], ...}` where each
/// item is stored as given (an `id` is made when absent).
pub(crate) fn load_collection(store: &mut Store, key: &str, items: &[Value]) -> Result<(), String> {
    for item in items {
        let Value::Object(m) = item else { return Err(format!("{key}: every item is an object")) };
        let mut m = m.clone();
        let id = match m.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                let id = store.docs.new_id();
                m.insert("id".into(), json!(id));
                id
            }
        };
        if store.docs.exists(key, &id) {
            return Err(format!("{key}: id '{id}' appears twice"));
        }
        if key == WEBHOOKS {
            if let Some(s) = m.get("secret").and_then(Value::as_str) {
                store.docs.webhook_secrets.insert(id.clone(), s.to_owned());
                m.insert("secret".into(), json!("******"));
            }
        }
        store.docs.col_mut(key).insert(Doc { id, value: m });
    }
    Ok(())
}
