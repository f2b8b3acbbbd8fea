//! The streams, defined once: name, key, JSON Schema, and how a model becomes a record.
//!
//! Records are projections of the crate's models (not the raw JSON), so the schema below is the
//! contract: a field is nullable exactly when the model's field is an `Option`. Connector and
//! destination `config` objects are left out on purpose: they hold (masked) credentials.

use fivetrex::api::common::Alert;
use fivetrex::api::schemas::SchemaConfig;
use fivetrex::{Connection, Destination, Group, Team, Timestamp, User};
use serde_json::{json, Map, Value};

/// The type of one field of a record.
#[derive(Clone, Copy)]
pub enum Ty {
    Str,
    OptStr,
    Bool,
    OptBool,
    OptInt,
    OptTime,
    Time,
    /// `status.tasks` / `status.warnings`: `[{code, message, details}]`.
    Alerts,
    /// One of the given strings.
    Enum(&'static [&'static str]),
}

impl Ty {
    fn schema(self) -> Value {
        match self {
            Ty::Str => json!({"type": "string"}),
            Ty::OptStr => json!({"type": ["null", "string"]}),
            Ty::Bool => json!({"type": "boolean"}),
            Ty::OptBool => json!({"type": ["null", "boolean"]}),
            Ty::OptInt => json!({"type": ["null", "integer"]}),
            Ty::OptTime => json!({"type": ["null", "string"], "format": "date-time"}),
            Ty::Time => json!({"type": "string", "format": "date-time"}),
            Ty::Enum(values) => json!({"type": "string", "enum": values}),
            Ty::Alerts => json!({
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": ["null", "string"]},
                        "details": {"type": ["null", "string"]}
                    },
                    "required": ["code", "message", "details"],
                    "additionalProperties": false
                }
            }),
        }
    }
}

/// Which stream, as a closed set (the walks match on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Id {
    Groups,
    Destinations,
    Users,
    Teams,
    Connections,
    ConnectionSchemas,
    SyncOutcomes,
}

/// One stream's definition.
pub struct Stream {
    pub id: Id,
    pub name: &'static str,
    /// Primary key (field names).
    pub key: &'static [&'static str],
    /// The cursor field of an incremental stream.
    pub cursor: Option<&'static str>,
    pub fields: &'static [(&'static str, Ty)],
}

const ALERT_FIELDS: [(&str, Ty); 2] = [("tasks", Ty::Alerts), ("warnings", Ty::Alerts)];

/// Every stream, in the order they are read.
pub static STREAMS: &[Stream] = &[
    Stream {
        id: Id::Groups,
        name: "groups",
        key: &["id"],
        cursor: None,
        fields: &[("id", Ty::Str), ("name", Ty::Str), ("created_at", Ty::OptTime)],
    },
    Stream {
        id: Id::Destinations,
        name: "destinations",
        key: &["id"],
        cursor: None,
        fields: &[
            ("id", Ty::Str),
            ("group_id", Ty::Str),
            ("service", Ty::Str),
            ("region", Ty::OptStr),
            ("time_zone_offset", Ty::OptStr),
            ("setup_status", Ty::OptStr),
            ("daylight_saving_time_enabled", Ty::OptBool),
            ("networking_method", Ty::OptStr),
            ("private_link_id", Ty::OptStr),
            ("proxy_agent_id", Ty::OptStr),
            ("hybrid_deployment_agent_id", Ty::OptStr),
        ],
    },
    Stream {
        id: Id::Users,
        name: "users",
        key: &["id"],
        cursor: None,
        fields: &[
            ("id", Ty::Str),
            ("email", Ty::Str),
            ("given_name", Ty::OptStr),
            ("family_name", Ty::OptStr),
            ("verified", Ty::OptBool),
            ("invited", Ty::OptBool),
            ("active", Ty::OptBool),
            ("role", Ty::OptStr),
            ("logged_in_at", Ty::OptTime),
            ("created_at", Ty::OptTime),
        ],
    },
    Stream {
        id: Id::Teams,
        name: "teams",
        key: &["id"],
        cursor: None,
        fields: &[("id", Ty::Str), ("name", Ty::OptStr), ("description", Ty::OptStr), ("role", Ty::OptStr)],
    },
    Stream {
        id: Id::Connections,
        name: "connections",
        key: &["id"],
        cursor: None,
        fields: &[
            ("id", Ty::Str),
            ("group_id", Ty::Str),
            ("service", Ty::Str),
            ("schema", Ty::Str),
            ("service_version", Ty::OptInt),
            ("paused", Ty::Bool),
            ("pause_after_trial", Ty::Bool),
            ("connected_by", Ty::OptStr),
            ("created_at", Ty::OptTime),
            ("succeeded_at", Ty::OptTime),
            ("failed_at", Ty::OptTime),
            ("sync_frequency", Ty::OptInt),
            ("schedule_type", Ty::OptStr),
            ("daily_sync_time", Ty::OptStr),
            ("setup_state", Ty::OptStr),
            ("sync_state", Ty::OptStr),
            ("update_state", Ty::OptStr),
            ("is_historical_sync", Ty::Bool),
            ("rescheduled_for", Ty::OptTime),
            ALERT_FIELDS[0],
            ALERT_FIELDS[1],
        ],
    },
    Stream {
        id: Id::ConnectionSchemas,
        name: "connection_schemas",
        key: &["connection_id", "schema", "table"],
        cursor: None,
        fields: &[
            ("connection_id", Ty::Str),
            ("schema", Ty::Str),
            ("table", Ty::Str),
            ("schema_enabled", Ty::Bool),
            ("enabled", Ty::Bool),
            ("sync_mode", Ty::OptStr),
            ("name_in_destination", Ty::OptStr),
        ],
    },
    Stream {
        id: Id::SyncOutcomes,
        name: "sync_outcomes",
        key: &["connection_id", "outcome", "at"],
        cursor: Some("at"),
        fields: &[
            ("connection_id", Ty::Str),
            ("group_id", Ty::Str),
            ("outcome", Ty::Enum(&["succeeded", "failed"])),
            ("at", Ty::Time),
            ("sync_state", Ty::OptStr),
            ALERT_FIELDS[0],
            ALERT_FIELDS[1],
        ],
    },
];

impl Stream {
    /// The stream's JSON Schema (draft 7; every field present, `null` only where the model allows it).
    pub fn schema(&self) -> Value {
        let props: Map<String, Value> = self.fields.iter().map(|(n, t)| ((*n).to_owned(), t.schema())).collect();
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": props,
            "required": self.fields.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            "additionalProperties": false
        })
    }

    pub fn by_name(name: &str) -> Option<&'static Stream> {
        STREAMS.iter().find(|s| s.name == name)
    }

    pub fn get(id: Id) -> &'static Stream {
        STREAMS.iter().find(|s| s.id == id).expect("every Id has a definition in STREAMS")
    }
}

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_string()))
}

fn text<T: std::fmt::Display>(v: Option<&T>) -> Value {
    v.map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn alerts(a: &[Alert]) -> Value {
    a.iter().map(|a| json!({"code": a.code, "message": a.message, "details": a.details_text()})).collect()
}

pub fn group(g: &Group) -> Value {
    json!({"id": g.id, "name": g.name, "created_at": time(g.created_at)})
}

pub fn destination(d: &Destination) -> Value {
    json!({
        "id": d.id,
        "group_id": d.group_id,
        "service": d.service,
        "region": d.region,
        "time_zone_offset": d.time_zone_offset,
        "setup_status": text(d.setup_status.as_ref()),
        "daylight_saving_time_enabled": d.daylight_saving_time_enabled,
        "networking_method": text(d.networking_method.as_ref()),
        "private_link_id": d.private_link_id,
        "proxy_agent_id": d.proxy_agent_id,
        "hybrid_deployment_agent_id": d.hybrid_deployment_agent_id,
    })
}

pub fn user(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "given_name": u.given_name,
        "family_name": u.family_name,
        "verified": u.verified,
        "invited": u.invited,
        "active": u.active,
        "role": u.role,
        "logged_in_at": time(u.logged_in_at),
        "created_at": time(u.created_at),
    })
}

pub fn team(t: &Team) -> Value {
    json!({"id": t.id, "name": t.name, "description": t.description, "role": t.role})
}

pub fn connection(c: &Connection) -> Value {
    let s = &c.status;
    json!({
        "id": c.id,
        "group_id": c.group_id,
        "service": c.service,
        "schema": c.schema,
        "service_version": c.service_version,
        "paused": c.paused,
        "pause_after_trial": c.pause_after_trial,
        "connected_by": c.connected_by,
        "created_at": time(c.created_at),
        "succeeded_at": time(c.succeeded_at),
        "failed_at": time(c.failed_at),
        "sync_frequency": c.sync_frequency,
        "schedule_type": text(c.schedule_type.as_ref()),
        "daily_sync_time": c.daily_sync_time,
        "setup_state": text(s.setup_state.as_ref()),
        "sync_state": text(s.sync_state.as_ref()),
        "update_state": text(s.update_state.as_ref()),
        "is_historical_sync": s.is_historical_sync,
        "rescheduled_for": time(s.rescheduled_for),
        "tasks": alerts(&s.tasks),
        "warnings": alerts(&s.warnings),
    })
}

/// One record per table of a connection's schema config, written through `emit` (a schema
/// config can list thousands of tables: they are not collected first).
pub fn schema_tables<E>(
    connection_id: &str,
    config: &SchemaConfig,
    mut emit: impl FnMut(Value) -> Result<(), E>,
) -> Result<u64, E> {
    let mut n = 0;
    for (schema_name, schema) in &config.schemas {
        for (table_name, table) in &schema.tables {
            emit(json!({
                "connection_id": connection_id,
                "schema": schema_name,
                "table": table_name,
                "schema_enabled": schema.enabled,
                "enabled": table.enabled,
                "sync_mode": text(table.sync_mode.as_ref()),
                "name_in_destination": table.name_in_destination,
            }))?;
            n += 1;
        }
    }
    Ok(n)
}

/// A connection's bookmark: the last `succeeded_at` and `failed_at` already emitted. Serialises
/// as `{"succeeded_at": "..." | null, "failed_at": "..." | null}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Bookmark {
    pub succeeded_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
}

impl Bookmark {
    pub fn from_json(v: &Value) -> Bookmark {
        let ts = |k: &str| v.get(k).and_then(Value::as_str).and_then(Timestamp::parse);
        Bookmark { succeeded_at: ts("succeeded_at"), failed_at: ts("failed_at") }
    }
}

/// The sync outcomes of `c` that moved past `mark` (oldest first), and the new bookmark.
pub fn sync_outcomes(c: &Connection, mark: &Bookmark) -> (Vec<Value>, Bookmark) {
    let moved = |now: Option<Timestamp>, before: Option<Timestamp>| match (now, before) {
        (Some(n), Some(b)) => n > b,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let mut out = Vec::new();
    for (outcome, now, before) in
        [("succeeded", c.succeeded_at, mark.succeeded_at), ("failed", c.failed_at, mark.failed_at)]
    {
        if moved(now, before) {
            out.push((now, outcome));
        }
    }
    out.sort();
    let records = out
        .into_iter()
        .map(|(at, outcome)| {
            json!({
                "connection_id": c.id,
                "group_id": c.group_id,
                "outcome": outcome,
                "at": time(at),
                "sync_state": text(c.status.sync_state.as_ref()),
                "tasks": alerts(&c.status.tasks),
                "warnings": alerts(&c.status.warnings),
            })
        })
        .collect();
    // A bookmark never moves back (a server answering an older timestamp must not re-emit).
    let keep = |now: Option<Timestamp>, before: Option<Timestamp>| if moved(now, before) { now } else { before };
    (
        records,
        Bookmark {
            succeeded_at: keep(c.succeeded_at, mark.succeeded_at),
            failed_at: keep(c.failed_at, mark.failed_at),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_every_record_is_in_the_schema() {
        let c: Connection = serde_json::from_value(json!({
            "id": "c1", "group_id": "g1", "service": "s", "schema": "x",
            "succeeded_at": "2024-01-01T00:00:00Z", "failed_at": "2024-01-02T00:00:00.5Z",
            "status": {"tasks": [{"code": "t", "message": "m", "details": {"a": 1}}]}
        }))
        .unwrap();
        let check = |id: Id, rec: &Value| {
            let s = Stream::get(id);
            let obj = rec.as_object().unwrap();
            let names: Vec<&str> = s.fields.iter().map(|f| f.0).collect();
            assert_eq!(obj.len(), names.len(), "{}: {obj:?}", s.name);
            for n in names {
                assert!(obj.contains_key(n), "{}.{n}", s.name);
            }
        };
        check(Id::Connections, &connection(&c));
        let (recs, mark) = sync_outcomes(&c, &Bookmark::default());
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0]["outcome"], "succeeded");
        assert_eq!(recs[1]["outcome"], "failed");
        for r in &recs {
            check(Id::SyncOutcomes, r);
        }
        assert_eq!(recs[0]["tasks"][0]["details"], "{\"a\":1}");
        let (again, same) = sync_outcomes(&c, &mark);
        assert!(again.is_empty());
        assert_eq!(same, mark);
        assert_eq!(Bookmark::from_json(&serde_json::to_value(&mark).unwrap()), mark);
        let g: Group = serde_json::from_value(json!({"id": "g", "name": null})).unwrap();
        check(Id::Groups, &group(&g));
    }

    #[test]
    fn a_bookmark_never_moves_back() {
        let c: Connection =
            serde_json::from_value(json!({"id": "c1", "succeeded_at": "2024-01-01T00:00:00Z", "failed_at": null}))
                .unwrap();
        let later = Bookmark { succeeded_at: Timestamp::parse("2024-02-01T00:00:00Z"), failed_at: None };
        let (recs, mark) = sync_outcomes(&c, &later);
        assert!(recs.is_empty());
        assert_eq!(mark, later);
    }
}
