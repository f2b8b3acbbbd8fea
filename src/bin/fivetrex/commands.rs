//! What each command does.

use crate::args::*;
use crate::output::{connection_state, last_sync_failed, Column, Format, Out};
use crate::{exit, usage, Ctx, Failure, Outcome};
use fivetrex::api::{connections as conn, destinations as dest, groups, schemas, teams, users, webhooks};
use fivetrex::endpoint::{Operation, Paging};
use fivetrex::sync::{SyncOutcome, WaitOptions, WhenRescheduled};
use fivetrex::{Method, ResyncScope, TableSelection};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The everyday operations of one resource family and its default columns.
struct Resource {
    /// Plural, for progress and messages.
    what: &'static str,
    list: &'static Operation,
    get: &'static Operation,
    modify: &'static Operation,
    delete: &'static Operation,
    columns: &'static [(&'static str, &'static str)],
}

const GROUPS: Resource = Resource {
    what: "groups",
    list: &groups::LIST_ALL_GROUPS,
    get: &groups::GROUP_DETAILS,
    modify: &groups::MODIFY_GROUP,
    delete: &groups::DELETE_GROUP,
    columns: &[("id", "id"), ("name", "name"), ("created_at", "created_at")],
};

const CONNECTIONS: Resource = Resource {
    what: "connections",
    list: &conn::LIST_CONNECTIONS,
    get: &conn::CONNECTION_DETAILS,
    modify: &conn::MODIFY_CONNECTION,
    delete: &conn::DELETE_CONNECTION,
    columns: &[
        ("id", "id"),
        ("group_id", "group_id"),
        ("service", "service"),
        ("schema", "schema"),
        ("state", "@state"),
        ("succeeded_at", "succeeded_at"),
        ("failed_at", "failed_at"),
    ],
};

const DESTINATIONS: Resource = Resource {
    what: "destinations",
    list: &dest::LIST_DESTINATIONS,
    get: &dest::DESTINATION_DETAILS,
    modify: &dest::MODIFY_DESTINATION,
    delete: &dest::DELETE_DESTINATION,
    columns: &[
        ("id", "id"),
        ("group_id", "group_id"),
        ("service", "service"),
        ("region", "region"),
        ("setup_status", "setup_status"),
    ],
};

const USERS: Resource = Resource {
    what: "users",
    list: &users::LIST_ALL_USERS,
    get: &users::USER_DETAILS,
    modify: &users::MODIFY_USER,
    delete: &users::DELETE_USER,
    columns: &[
        ("id", "id"),
        ("email", "email"),
        ("given_name", "given_name"),
        ("family_name", "family_name"),
        ("role", "role"),
        ("active", "active"),
    ],
};

const TEAMS: Resource = Resource {
    what: "teams",
    list: &teams::LIST_ALL_TEAMS,
    get: &teams::TEAM_DETAILS,
    modify: &teams::MODIFY_TEAM,
    delete: &teams::DELETE_TEAM,
    columns: &[("id", "id"), ("name", "name"), ("description", "description"), ("role", "role")],
};

const WEBHOOKS: Resource = Resource {
    what: "webhooks",
    list: &webhooks::LIST_ALL_WEBHOOKS,
    get: &webhooks::WEBHOOK_DETAILS,
    modify: &webhooks::MODIFY_WEBHOOK,
    delete: &webhooks::DELETE_WEBHOOK,
    columns: &[
        ("id", "id"),
        ("type", "type"),
        ("group_id", "group_id"),
        ("url", "url"),
        ("events", "events"),
        ("active", "active"),
    ],
};

fn columns(r: &Resource) -> Vec<Column> {
    r.columns.iter().map(|(h, p)| Column::new(h, p)).collect()
}

/// The `data` of an answer, or the whole answer when it has none (actions: `code`, `message`).
fn data_of(answer: Value) -> Value {
    match answer {
        Value::Object(mut map) if map.get("data").is_some_and(|d| !d.is_null()) => {
            map.remove("data").unwrap_or_default()
        }
        other => other,
    }
}

/// `--data`: inline JSON, `@file` or `@-`; must be an object.
fn read_data(data: &Data) -> Result<Map<String, Value>, Failure> {
    let Some(text) = data.data.as_deref() else { return Ok(Map::new()) };
    let text = match text.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin())?,
        Some(path) => std::fs::read_to_string(path).map_err(|e| usage(format!("--data @{path}: {e}")))?,
        None => text.to_owned(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(usage("--data must be a JSON object")),
        Err(e) => Err(usage(format!("--data is not valid JSON: {e}"))),
    }
}

/// The body: `--data` with the given flags laid over it.
fn body(data: &Data, fields: &[(&str, Option<Value>)]) -> Result<Value, Failure> {
    let mut map = read_data(data)?;
    for (k, v) in fields {
        if let Some(v) = v {
            map.insert((*k).to_owned(), v.clone());
        }
    }
    Ok(Value::Object(map))
}

fn s(v: &Option<String>) -> Option<Value> {
    v.as_ref().map(|s| Value::String(s.clone()))
}

/// Refuses a destructive command unless `--confirm` repeats the id.
fn confirmed<'a>(what: &str, id: &str, confirm: &'a Confirm) -> Result<&'a str, Failure> {
    match confirm.confirm.as_deref() {
        Some(c) if c == id => Ok(c),
        Some(c) => Err(usage(format!("refusing to {what} {id:?}: --confirm names {c:?}, not {id:?}"))),
        None => Err(usage(format!("refusing to {what} {id:?} without --confirm {id}"))),
    }
}

fn show(ctx: &mut Ctx, answer: Value) -> Outcome {
    ctx.out.object(&data_of(answer))?;
    Ok(())
}

fn call(ctx: &mut Ctx, op: &Operation, params: &[&str], body: Option<&Value>) -> Outcome {
    let answer = ctx.client.call_operation(op, params, &[], body)?;
    show(ctx, answer)
}

/// Streams a list page by page, with a progress counter on a terminal.
fn walk(
    ctx: &mut Ctx,
    what: &str,
    list: fivetrex::List<Value>,
    default_columns: Vec<Column>,
    keep: impl Fn(&Value) -> bool,
) -> Outcome {
    let list = match ctx.page_size {
        Some(n) => list.page_size(n),
        None => list,
    };
    ctx.ui.walk(what);
    let mut writer = ctx.out.list(default_columns);
    let mut pages = 0u64;
    let mut seen = 0u64;
    for page in list.pages() {
        let mut page = page?;
        pages += 1;
        seen += page.items.len() as u64;
        page.items.retain(&keep);
        writer.rows(&page.items)?;
        let shown = writer.written();
        let message =
            if shown == seen { format!("· {pages} pages") } else { format!("shown of {seen} read · {pages} pages") };
        ctx.ui.progress(shown, message);
    }
    ctx.ui.clear();
    writer.finish()?;
    Ok(())
}

fn list(ctx: &mut Ctx, r: &Resource) -> Outcome {
    let l = ctx.client.list_operation(r.list, &[]);
    walk(ctx, r.what, l, columns(r), |_| true)
}

fn get(ctx: &mut Ctx, r: &Resource, id: &str) -> Outcome {
    call(ctx, r.get, &[id], None)
}

fn delete_plain(ctx: &mut Ctx, r: &Resource, id: &str, confirm: &Confirm) -> Outcome {
    confirmed(&format!("delete {}", r.what.trim_end_matches('s')), id, confirm)?;
    call(ctx, r.delete, &[id], None)
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn dispatch(ctx: &mut Ctx, command: Command) -> Outcome {
    match command {
        Command::Groups(c) => match c {
            GroupsCmd::List => list(ctx, &GROUPS),
            GroupsCmd::Get { id } => get(ctx, &GROUPS, &id),
            GroupsCmd::Create { name, data } => {
                let b = body(&data, &[("name", s(&name))])?;
                call(ctx, &groups::CREATE_GROUP, &[], Some(&b))
            }
            GroupsCmd::Update { id, name, data } => {
                let b = body(&data, &[("name", s(&name))])?;
                call(ctx, GROUPS.modify, &[&id], Some(&b))
            }
            GroupsCmd::Delete { id, confirm } => {
                // The library's own safety valve checks the confirmation again.
                let c = confirmed("delete group", &id, &confirm)?;
                let r = ctx.client.delete_group(&id, &fivetrex::Confirm::delete_group(c))?;
                show(ctx, to_value(&r))
            }
        },
        Command::Connections(c) => connections(ctx, c),
        Command::Tap(_) | Command::Airbyte(_) => Err(usage("tap and airbyte run before a client is built")),
        Command::Destinations(c) => match c {
            DestinationsCmd::List => list(ctx, &DESTINATIONS),
            DestinationsCmd::Get { id } => get(ctx, &DESTINATIONS, &id),
            DestinationsCmd::Create { group, service, time_zone_offset, region, data } => {
                let b = body(
                    &data,
                    &[
                        ("group_id", s(&group)),
                        ("service", s(&service)),
                        ("time_zone_offset", s(&time_zone_offset)),
                        ("region", s(&region)),
                    ],
                )?;
                call(ctx, &dest::CREATE_DESTINATION, &[], Some(&b))
            }
            DestinationsCmd::Update { id, data } => {
                let b = body(&data, &[])?;
                call(ctx, DESTINATIONS.modify, &[&id], Some(&b))
            }
            DestinationsCmd::Delete { id, confirm } => {
                let c = confirmed("delete destination", &id, &confirm)?;
                let r = ctx.client.delete_destination(&id, &fivetrex::Confirm::delete_destination(c))?;
                show(ctx, to_value(&r))
            }
        },
        Command::Users(c) => match c {
            UsersCmd::List => list(ctx, &USERS),
            UsersCmd::Get { id } => get(ctx, &USERS, &id),
            UsersCmd::Create { email, given_name, family_name, role, data } => {
                let b = body(
                    &data,
                    &[
                        ("email", s(&email)),
                        ("given_name", s(&given_name)),
                        ("family_name", s(&family_name)),
                        ("role", s(&role)),
                    ],
                )?;
                call(ctx, &users::CREATE_USER, &[], Some(&b))
            }
            UsersCmd::Update { id, given_name, family_name, role, data } => {
                let b = body(
                    &data,
                    &[("given_name", s(&given_name)), ("family_name", s(&family_name)), ("role", s(&role))],
                )?;
                call(ctx, USERS.modify, &[&id], Some(&b))
            }
            UsersCmd::Delete { id, confirm } => delete_plain(ctx, &USERS, &id, &confirm),
        },
        Command::Teams(c) => match c {
            TeamsCmd::List => list(ctx, &TEAMS),
            TeamsCmd::Get { id } => get(ctx, &TEAMS, &id),
            TeamsCmd::Create { name, description, role, data } => {
                let b = body(&data, &[("name", s(&name)), ("description", s(&description)), ("role", s(&role))])?;
                call(ctx, &teams::CREATE_TEAM, &[], Some(&b))
            }
            TeamsCmd::Update { id, name, description, role, data } => {
                let b = body(&data, &[("name", s(&name)), ("description", s(&description)), ("role", s(&role))])?;
                call(ctx, TEAMS.modify, &[&id], Some(&b))
            }
            TeamsCmd::Delete { id, confirm } => delete_plain(ctx, &TEAMS, &id, &confirm),
        },
        Command::Webhooks(c) => match c {
            WebhooksCmd::List => list(ctx, &WEBHOOKS),
            WebhooksCmd::Get { id } => get(ctx, &WEBHOOKS, &id),
            WebhooksCmd::Create { url, events, group, inactive, data } => {
                let events = (!events.is_empty()).then(|| json!(events));
                let active = (inactive || data.data.is_none()).then_some(Value::Bool(!inactive));
                let b = body(&data, &[("url", s(&url)), ("events", events), ("active", active)])?;
                match group {
                    Some(g) => call(ctx, &webhooks::CREATE_GROUP_WEBHOOK, &[&g], Some(&b)),
                    None => call(ctx, &webhooks::CREATE_ACCOUNT_WEBHOOK, &[], Some(&b)),
                }
            }
            WebhooksCmd::Update { id, url, events, active, data } => {
                let events = (!events.is_empty()).then(|| json!(events));
                let b = body(&data, &[("url", s(&url)), ("events", events), ("active", active.map(Value::Bool))])?;
                call(ctx, WEBHOOKS.modify, &[&id], Some(&b))
            }
            WebhooksCmd::Delete { id, confirm } => delete_plain(ctx, &WEBHOOKS, &id, &confirm),
            WebhooksCmd::Test { id, event } => {
                call(ctx, &webhooks::TEST_WEBHOOK, &[&id], Some(&json!({ "event": event })))
            }
        },
        Command::Api(a) => api(ctx, a),
        Command::Call(a) => raw_call(ctx, a),
        Command::Completions { .. } => Ok(()),
    }
}

fn connections(ctx: &mut Ctx, c: ConnectionsCmd) -> Outcome {
    match c {
        ConnectionsCmd::List { group, state, service } => {
            let mut l = ctx.client.list_operation(CONNECTIONS.list, &[]);
            if let Some(g) = &group {
                l = l.query("group_id", g);
            }
            let keep = move |c: &Value| {
                service.as_deref().is_none_or(|s| c["service"] == s)
                    && state.is_none_or(|st| match st {
                        StateFilter::Broken => connection_state(c) == "broken",
                        StateFilter::Paused => c["paused"] == true || c["status"]["sync_state"] == "paused",
                        StateFilter::Syncing => c["status"]["sync_state"] == "syncing",
                        StateFilter::Rescheduled => c["status"]["sync_state"] == "rescheduled",
                        StateFilter::Failed => last_sync_failed(c),
                    })
            };
            walk(ctx, "connections", l, columns(&CONNECTIONS), keep)
        }
        ConnectionsCmd::Get { id } => get(ctx, &CONNECTIONS, &id),
        ConnectionsCmd::Create { group, service, data } => {
            let b = body(&data, &[("group_id", s(&group)), ("service", s(&service))])?;
            call(ctx, &conn::CREATE_CONNECTION, &[], Some(&b))
        }
        ConnectionsCmd::Update { id, sync_frequency, data } => {
            let b = body(&data, &[("sync_frequency", sync_frequency.map(Value::from))])?;
            call(ctx, CONNECTIONS.modify, &[&id], Some(&b))
        }
        ConnectionsCmd::Delete { id, confirm } => delete_plain(ctx, &CONNECTIONS, &id, &confirm),
        ConnectionsCmd::Pause { id } => call(ctx, CONNECTIONS.modify, &[&id], Some(&json!({ "paused": true }))),
        ConnectionsCmd::Resume { id } => call(ctx, CONNECTIONS.modify, &[&id], Some(&json!({ "paused": false }))),
        ConnectionsCmd::Resync { id, tables, confirm } => {
            let scope = if tables.is_empty() {
                let c = confirmed("resync all history of", &id, &confirm)?;
                ResyncScope::everything(fivetrex::Confirm::full_resync(c))
            } else {
                let c = confirmed("resync tables of", &id, &confirm)?;
                let mut sel = TableSelection::new();
                for t in &tables {
                    let (schema, table) = split_table(t)?;
                    sel = sel.table(schema, table);
                }
                ResyncScope::tables(sel, fivetrex::Confirm::resync_tables(c))
            };
            let r = ctx.client.resync(&id, &scope)?;
            show(ctx, to_value(&r))
        }
        ConnectionsCmd::Sync(a) => sync(ctx, a),
        ConnectionsCmd::Schema(s) => match s {
            SchemaCmd::Show { id } => {
                let answer = ctx.client.call_operation(&schemas::CONNECTION_SCHEMA_CONFIG, &[&id], &[], None)?;
                schema_out(ctx, data_of(answer))
            }
            SchemaCmd::Reload { id } => {
                let answer = ctx.client.call_operation(
                    &schemas::RELOAD_CONNECTION_SCHEMA_CONFIG,
                    &[&id],
                    &[],
                    Some(&json!({})),
                )?;
                schema_out(ctx, data_of(answer))
            }
            SchemaCmd::Enable { id, table } => set_table(ctx, &id, &table, true),
            SchemaCmd::Disable { id, table } => set_table(ctx, &id, &table, false),
        },
    }
}

fn split_table(t: &str) -> Result<(&str, &str), Failure> {
    match t.split_once('.') {
        Some((s, t)) if !s.is_empty() && !t.is_empty() => Ok((s, t)),
        _ => Err(usage(format!("{t:?}: name a table as SCHEMA.TABLE"))),
    }
}

fn set_table(ctx: &mut Ctx, id: &str, table: &str, enabled: bool) -> Outcome {
    let (schema, table) = split_table(table)?;
    let answer = ctx.client.call_operation(
        &schemas::MODIFY_CONNECTION_TABLE_CONFIG,
        &[id, schema, table],
        &[],
        Some(&json!({ "enabled": enabled })),
    )?;
    schema_out(ctx, data_of(answer))
}

/// A schema config: as the API sends it in JSON, one row per table in a table or CSV.
fn schema_out(ctx: &mut Ctx, config: Value) -> Outcome {
    if matches!(ctx.out.format, Format::Json | Format::Jsonl) {
        ctx.out.object(&config)?;
        return Ok(());
    }
    let mut rows = Vec::new();
    if let Some(schemas) = config["schemas"].as_object() {
        for (sname, schema) in schemas {
            let tables = schema["tables"].as_object();
            for (tname, table) in tables.into_iter().flatten() {
                rows.push(json!({
                    "schema": sname,
                    "table": tname,
                    "enabled": table["enabled"],
                    "sync_mode": table["sync_mode"],
                    "schema_enabled": schema["enabled"],
                }));
            }
        }
    }
    let mut w = ctx.out.list(Vec::new());
    w.rows(&rows)?;
    w.finish()?;
    Ok(())
}

fn sync(ctx: &mut Ctx, a: SyncArgs) -> Outcome {
    if !a.wait {
        let r = ctx.client.sync_with(&a.id, a.force)?;
        return show(ctx, to_value(&r));
    }
    let default_poll = if ctx.emulated { Duration::from_millis(250) } else { Duration::from_secs(10) };
    let poll_interval = a.poll_interval.unwrap_or(default_poll);
    if poll_interval.is_zero() {
        return Err(usage("--poll-interval must be more than zero"));
    }
    let ui = ctx.ui.clone();
    let id = a.id.clone();
    ui.spinner(format!("sync {id}: starting"));
    let hook_ui = ui.clone();
    let opts = WaitOptions::new()
        .poll_interval(poll_interval)
        .timeout(a.timeout)
        .force(a.force)
        .resume_if_paused(a.resume)
        .when_rescheduled(if a.wait_rescheduled { WhenRescheduled::KeepWaiting } else { WhenRescheduled::Return })
        .on_progress(move |p| {
            let state = match (p.connection, p.error) {
                (Some(c), _) => {
                    let v = to_value(c);
                    connection_state(&v).to_owned()
                }
                (None, Some(e)) => format!("poll failed ({e}), still waiting"),
                _ => "unknown".into(),
            };
            hook_ui.set_message(format!("sync {id}: {state} (poll {})", p.poll));
        });
    let outcome = ctx.client.sync_and_wait(&a.id, &opts);
    ui.clear();
    let outcome = outcome?;
    let code = match &outcome {
        SyncOutcome::Succeeded { .. } => exit::OK,
        SyncOutcome::Failed { .. } => exit::SYNC_FAILED,
        SyncOutcome::TimedOut { .. } => exit::TIMED_OUT,
        SyncOutcome::Rescheduled { .. } => exit::RESCHEDULED,
        SyncOutcome::Paused { .. } | SyncOutcome::Broken { .. } => exit::PAUSED_OR_BROKEN,
        _ => exit::ERROR,
    };
    let mut report = json!({ "connection_id": a.id, "outcome": outcome.as_str() });
    let elapsed = match &outcome {
        SyncOutcome::Succeeded { elapsed, .. }
        | SyncOutcome::Failed { elapsed, .. }
        | SyncOutcome::TimedOut { elapsed, .. } => Some(elapsed.as_secs_f64()),
        _ => None,
    };
    report["elapsed_seconds"] = json!(elapsed.map(|e| (e * 10.0).round() / 10.0));
    match &outcome {
        SyncOutcome::Succeeded { at, .. } | SyncOutcome::Failed { at, .. } => report["at"] = json!(at.to_string()),
        SyncOutcome::Rescheduled { until, .. } => report["rescheduled_for"] = json!(until.map(|u| u.to_string())),
        _ => {}
    }
    if let SyncOutcome::Failed { tasks, .. } | SyncOutcome::Broken { tasks, .. } = &outcome {
        report["tasks"] = to_value(tasks);
    }
    if let Some(c) = outcome.connection() {
        let v = to_value(c);
        report["state"] = json!(connection_state(&v));
        report["succeeded_at"] = v["succeeded_at"].clone();
        report["failed_at"] = v["failed_at"].clone();
    }
    ctx.out.object(&report)?;
    if code == exit::OK {
        Ok(())
    } else {
        Err(Failure::Code(code))
    }
}

pub fn list_operations(out: &mut Out) -> Outcome {
    let rows: Vec<Value> = fivetrex::api::operations()
        .map(|op| {
            json!({
                "operation": op.id,
                "method": op.method.as_str(),
                "path": op.path,
                "paged": op.paging != Paging::None,
            })
        })
        .collect();
    let columns = ["operation", "method", "path", "paged"].iter().map(|c| Column::new(c, c)).collect();
    let mut w = out.list(columns);
    w.rows(&rows)?;
    w.finish()?;
    Ok(())
}

fn pairs<'a>(flag: &str, items: &'a [String]) -> Result<Vec<(&'a str, &'a str)>, Failure> {
    items
        .iter()
        .map(|p| p.split_once('=').ok_or_else(|| usage(format!("--{flag} {p:?}: expected NAME=VALUE"))))
        .collect()
}

fn api(ctx: &mut Ctx, a: ApiArgs) -> Outcome {
    let id = a.operation.as_deref().unwrap_or_default();
    let Some(op) = fivetrex::api::operation(id) else {
        let close: Vec<&str> =
            fivetrex::api::operations().map(|o| o.id).filter(|o| o.contains(id) || id.contains(*o)).take(5).collect();
        let hint = if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", close.join(", ")) };
        return Err(usage(format!("unknown operation {id:?}{hint}; `fivetrex api --list` lists them")));
    };
    let given = pairs("path", &a.path)?;
    let mut params = Vec::new();
    for name in op.path_params() {
        match given.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => params.push(*v),
            None => return Err(usage(format!("{id} needs --path {name}=VALUE (path {})", op.path))),
        }
    }
    if let Some((k, _)) = given.iter().find(|(k, _)| !op.path_params().any(|n| n == *k)) {
        return Err(usage(format!("{id} has no path parameter {k:?} (path {})", op.path)));
    }
    let query = pairs("query", &a.query)?;
    if op.paging != Paging::None && op.method == Method::Get {
        let mut l = ctx.client.list_operation(op, &params);
        for (k, v) in &query {
            l = l.query(k, v);
        }
        return walk(ctx, "items", l, Vec::new(), |_| true);
    }
    let b = match a.data.data {
        Some(_) => Some(body(&a.data, &[])?),
        None if matches!(op.method, Method::Post | Method::Patch | Method::Put) => Some(json!({})),
        None => None,
    };
    let answer = ctx.client.call_operation(op, &params, &query, b.as_ref())?;
    show(ctx, answer)
}

fn raw_call(ctx: &mut Ctx, a: CallArgs) -> Outcome {
    let method = Method::parse(&a.method).ok_or_else(|| usage(format!("{:?} is not an HTTP method", a.method)))?;
    let query = pairs("query", &a.query)?;
    if a.paginate {
        if method != Method::Get {
            return Err(usage("--paginate works with GET only"));
        }
        let l = ctx.client.raw_list(&a.path, &query)?;
        return walk(ctx, "items", l, Vec::new(), |_| true);
    }
    let b = match a.data.data {
        Some(_) => Some(body(&a.data, &[])?),
        None => None,
    };
    let answer = ctx.client.raw(method, &a.path, &query, b.as_ref())?;
    ctx.out.object(&answer)?;
    Ok(())
}
