//! `fivetrex tap` (a Singer tap) and `fivetrex airbyte` (an Airbyte source) for the account's own
//! Fivetran metadata. The streams are defined once ([`streams`]); [`emit`] writes them in either
//! protocol; the reading below is shared.
//!
//! Connections come from the account-wide list (`GET /v1/connections`): the same connections as
//! slicing per group, in fewer requests. That one walk feeds `connections`, its child
//! `connection_schemas` (one schema-config request per connection) and `sync_outcomes`, so the
//! parent's pages are fetched once, and each page is written out before the next is asked for.

mod emit;
mod streams;

use crate::args::{AirbyteCmd, Cli, TapArgs};
use crate::{exit, usage, Failure, Outcome};
use emit::{Emitter, Protocol};
use fivetrex::{Client, ErrorKind};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::PathBuf;
use streams::{Bookmark, Id, Stream, STREAMS};

/// The `sync_outcomes` bookmarks by connection id: two timestamps each, so 100,000 connections
/// cost a few MB (a `serde_json::Value` per bookmark cost ten times that).
type Marks = BTreeMap<String, Bookmark>;

/// Runs `tap` or `airbyte`.
pub fn run(cli: Cli) -> Outcome {
    let opts = Opts { emulator: cli.emulator, page_size: cli.page_size.unwrap_or(1000), quiet: cli.quiet };
    match cli.command {
        crate::args::Command::Tap(a) => singer(&opts, a),
        crate::args::Command::Airbyte(c) => airbyte(&opts, c),
        _ => Err(usage("not a tap command")),
    }
}

struct Opts {
    emulator: bool,
    page_size: u32,
    quiet: bool,
}

fn out(protocol: Protocol, singer_state: Map<String, Value>) -> Emitter<io::BufWriter<io::StdoutLock<'static>>> {
    Emitter::new(protocol, io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()), singer_state)
}

/// A file's JSON. The message names the file and the position, never the content (a config holds
/// the secret).
fn read_json(path: &PathBuf, what: &str) -> Result<Value, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))?;
    serde_json::from_slice(&text).map_err(|e| {
        format!("the {what} {} is not valid JSON (line {}, column {})", path.display(), e.line(), e.column())
    })
}

/// The client from the config (`api_key`, `api_secret`, optional `base_url`), or the in-process
/// emulator's with `--emulator`.
fn client(opts: &Opts, config: Option<&PathBuf>) -> Result<(Client, Option<fivetrex::emulator::Emulator>), String> {
    let hook = |ev: &fivetrex::retry::RetryEvent<'_>| {
        // stderr: Airbyte and Singer both keep stdout for messages. The error's text is redacted.
        eprintln!("retrying in {:?} after: {}", ev.delay, ev.error);
    };
    if opts.emulator {
        let emu = fivetrex::emulator::Emulator::builder().seed(3, 10).start().map_err(|e| e.to_string())?;
        let c = emu.client_builder().on_retry(hook).build().map_err(|e| e.to_string())?;
        return Ok((c, Some(emu)));
    }
    let path = config.ok_or("--config is required (or --emulator)")?;
    let cfg = read_json(path, "config")?;
    let field = |k: &str| -> Result<Option<&str>, String> {
        match cfg.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("config field {k:?} must be a string")),
        }
    };
    if !cfg.is_object() {
        return Err("the config must be a JSON object".into());
    }
    let key = field("api_key")?.ok_or("config field \"api_key\" is missing or empty")?;
    let secret = field("api_secret")?.ok_or("config field \"api_secret\" is missing or empty")?;
    let mut b = Client::builder()
        .api_key(key)
        .api_secret(secret)
        .user_agent(concat!("fivetrex-tap/", env!("CARGO_PKG_VERSION")))
        .on_retry(hook);
    if let Some(url) = field("base_url")? {
        b = b.base_url(url);
    }
    Ok((b.build().map_err(|e| e.to_string())?, None))
}

/// The streams a catalog selects, and whether `sync_outcomes` reads incrementally.
struct Selection {
    streams: BTreeSet<Id>,
    incremental: bool,
}

fn stream_named(name: &str) -> Result<&'static Stream, String> {
    Stream::by_name(name).ok_or_else(|| format!("the catalog names an unknown stream {name:?}"))
}

fn singer_selection(catalog: &Value) -> Result<Selection, String> {
    let list = catalog.get("streams").and_then(Value::as_array).ok_or("the catalog has no \"streams\" array")?;
    let mut sel = Selection { streams: BTreeSet::new(), incremental: true };
    for entry in list {
        let name = entry
            .get("tap_stream_id")
            .or_else(|| entry.get("stream"))
            .and_then(Value::as_str)
            .ok_or("a catalog stream has no tap_stream_id")?;
        let s = stream_named(name)?;
        let top = entry
            .get("metadata")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|m| m.get("breadcrumb").and_then(Value::as_array).is_some_and(Vec::is_empty))
            .and_then(|m| m.get("metadata"));
        let selected = top
            .and_then(|m| m.get("selected"))
            .and_then(Value::as_bool)
            .or_else(|| entry.get("selected").and_then(Value::as_bool));
        if selected == Some(true) {
            sel.streams.insert(s.id);
            if s.id == Id::SyncOutcomes {
                let method = top.and_then(|m| m.get("replication-method")).and_then(Value::as_str);
                sel.incremental = method != Some("FULL_TABLE");
            }
        }
    }
    Ok(sel)
}

fn airbyte_selection(catalog: &Value) -> Result<Selection, String> {
    let list = catalog.get("streams").and_then(Value::as_array).ok_or("the catalog has no \"streams\" array")?;
    let mut sel = Selection { streams: BTreeSet::new(), incremental: true };
    for entry in list {
        let name =
            entry.pointer("/stream/name").and_then(Value::as_str).ok_or("a configured stream has no stream.name")?;
        let s = stream_named(name)?;
        sel.streams.insert(s.id);
        if s.id == Id::SyncOutcomes {
            sel.incremental = entry.get("sync_mode").and_then(Value::as_str) != Some("full_refresh");
        }
    }
    Ok(sel)
}

/// The `sync_outcomes` bookmarks in a state file: Airbyte per-stream STATE messages (an array,
/// or one message), or Singer's `{"bookmarks": {"sync_outcomes": ...}}`.
fn outcome_bookmarks(state: &Value) -> Result<Marks, String> {
    fn from_message(m: &Value) -> Option<&Map<String, Value>> {
        let m = m.get("state").unwrap_or(m);
        (m.pointer("/stream/stream_descriptor/name").and_then(Value::as_str) == Some("sync_outcomes"))
            .then(|| m.pointer("/stream/stream_state").and_then(Value::as_object))
            .flatten()
    }
    let found = match state {
        Value::Array(msgs) => msgs.iter().find_map(from_message),
        Value::Object(o) if o.contains_key("bookmarks") => {
            state.pointer("/bookmarks/sync_outcomes").and_then(Value::as_object)
        }
        Value::Object(o) if o.is_empty() => None,
        Value::Object(_) => from_message(state),
        Value::Null => None,
        _ => return Err("the state must be a JSON array of STATE messages or an object".into()),
    };
    Ok(found.into_iter().flatten().map(|(id, v)| (id.clone(), Bookmark::from_json(v))).collect())
}

fn singer(opts: &Opts, a: TapArgs) -> Outcome {
    if a.discover {
        let streams: Vec<Value> = STREAMS
            .iter()
            .map(|s| {
                let mut top = json!({
                    "inclusion": "available",
                    "selected": true,
                    "table-key-properties": s.key,
                    "forced-replication-method": if s.cursor.is_some() { "INCREMENTAL" } else { "FULL_TABLE" },
                });
                if let Some(c) = s.cursor {
                    top["valid-replication-keys"] = json!([c]);
                }
                let mut metadata = vec![json!({"breadcrumb": [], "metadata": top})];
                for (f, _) in s.fields {
                    let inclusion = if s.key.contains(f) { "automatic" } else { "available" };
                    metadata.push(json!({"breadcrumb": ["properties", f], "metadata": {"inclusion": inclusion}}));
                }
                json!({"tap_stream_id": s.name, "stream": s.name, "schema": s.schema(), "key_properties": s.key, "metadata": metadata})
            })
            .collect();
        let mut o = io::stdout().lock();
        serde_json::to_writer_pretty(&mut o, &json!({"streams": streams})).map_err(io::Error::other)?;
        writeln!(o)?;
        return Ok(());
    }
    let sel = match &a.catalog {
        None => Selection { streams: STREAMS.iter().map(|s| s.id).collect(), incremental: true },
        Some(p) => read_json(p, "catalog").and_then(|c| singer_selection(&c)).map_err(usage)?,
    };
    let state = match &a.state {
        None => Value::Object(Map::new()),
        Some(p) => read_json(p, "state").map_err(usage)?,
    };
    let marks = if sel.incremental { outcome_bookmarks(&state).map_err(usage)? } else { Marks::new() };
    let (client, _emu) = client(opts, a.config.as_ref()).map_err(usage)?;
    let mut singer_state = match state {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    // Held as `marks` now; the emitter writes them back under this key.
    if let Some(b) = singer_state.get_mut("bookmarks").and_then(Value::as_object_mut) {
        b.remove("sync_outcomes");
    }
    let mut e = out(Protocol::Singer, singer_state);
    let failed = read(&client, &mut e, &sel, marks, opts)?;
    e.flush()?;
    if failed {
        return Err(Failure::Code(exit::ERROR));
    }
    Ok(())
}

fn spec() -> Value {
    json!({
        "type": "SPEC",
        "spec": {
            "documentationUrl": "https://fivetran.com/docs/rest-api",
            "connectionSpecification": {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "title": "Fivetran account metadata",
                "type": "object",
                "required": ["api_key", "api_secret"],
                "additionalProperties": true,
                "properties": {
                    "api_key": {"type": "string", "title": "API key", "order": 0},
                    "api_secret": {"type": "string", "title": "API secret", "airbyte_secret": true, "order": 1},
                    "base_url": {
                        "type": "string",
                        "title": "API base URL",
                        "default": fivetrex::DEFAULT_BASE_URL,
                        "pattern": "^https?://",
                        "order": 2
                    }
                }
            },
            "supportsIncremental": true,
            "supported_destination_sync_modes": ["overwrite", "append", "append_dedup"]
        }
    })
}

fn catalog() -> Value {
    let streams: Vec<Value> = STREAMS
        .iter()
        .map(|s| {
            let mut v = json!({
                "name": s.name,
                "json_schema": s.schema(),
                "supported_sync_modes": if s.cursor.is_some() { json!(["full_refresh", "incremental"]) } else { json!(["full_refresh"]) },
                "source_defined_primary_key": s.key.iter().map(|k| vec![*k]).collect::<Vec<_>>(),
            });
            if let Some(c) = s.cursor {
                v["source_defined_cursor"] = json!(true);
                v["default_cursor_field"] = json!([c]);
            }
            v
        })
        .collect();
    json!({"type": "CATALOG", "catalog": {"streams": streams}})
}

fn airbyte(opts: &Opts, c: AirbyteCmd) -> Outcome {
    let mut e = out(Protocol::Airbyte, Map::new());
    let a = match c {
        AirbyteCmd::Spec => {
            e.message(&spec())?;
            e.flush()?;
            return Ok(());
        }
        AirbyteCmd::Discover(_) => {
            // The streams do not depend on the account: no request is needed.
            e.message(&catalog())?;
            e.flush()?;
            return Ok(());
        }
        AirbyteCmd::Check(a) => {
            let status = match client(opts, a.config.as_ref()) {
                Err(msg) => json!({"status": "FAILED", "message": msg}),
                Ok((client, _emu)) => match client.groups().page_size(1).next_page() {
                    None | Some(Ok(_)) => json!({"status": "SUCCEEDED"}),
                    Some(Err(err)) => json!({"status": "FAILED", "message": err.to_string()}),
                },
            };
            e.message(&json!({"type": "CONNECTION_STATUS", "connectionStatus": status}))?;
            e.flush()?;
            return Ok(());
        }
        AirbyteCmd::Read(a) => a,
    };
    let fail = |e: &mut Emitter<_>, msg: String| -> Outcome {
        e.run_error(&msg, true)?;
        Err(Failure::Code(exit::ERROR))
    };
    let sel = match a.catalog.as_ref().ok_or_else(|| "read needs --catalog".to_owned()) {
        Ok(p) => match read_json(p, "catalog").and_then(|c| airbyte_selection(&c)) {
            Ok(s) => s,
            Err(m) => return fail(&mut e, m),
        },
        Err(m) => return fail(&mut e, m),
    };
    let marks = match (&a.state, sel.incremental) {
        (Some(p), true) => match read_json(p, "state").and_then(|s| outcome_bookmarks(&s)) {
            Ok(m) => m,
            Err(m) => return fail(&mut e, m),
        },
        _ => Marks::new(),
    };
    let (client, _emu) = match client(opts, a.config.as_ref()) {
        Ok(c) => c,
        Err(m) => return fail(&mut e, m),
    };
    let failed = read(&client, &mut e, &sel, marks, opts)?;
    e.flush()?;
    if failed {
        return Err(Failure::Code(exit::ERROR));
    }
    Ok(())
}

fn config_error(err: &fivetrex::Error) -> bool {
    matches!(err.kind(), ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Config)
}

/// Reads the selected streams, writing as pages arrive. Returns whether any stream failed (after
/// every other stream has run and every finished stream's state was written).
fn read<W: Write>(client: &Client, e: &mut Emitter<W>, sel: &Selection, marks: Marks, opts: &Opts) -> io::Result<bool> {
    let mut failed = false;
    let n = opts.page_size;
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for id in [Id::Groups, Id::Destinations, Id::Users, Id::Teams] {
        if !sel.streams.contains(&id) {
            continue;
        }
        let s = Stream::get(id);
        e.start(s)?;
        let r = match id {
            Id::Groups => simple(e, s, client.groups().page_size(n), streams::group)?,
            Id::Destinations => simple(e, s, client.destinations().page_size(n), streams::destination)?,
            Id::Users => simple(e, s, client.users().page_size(n), streams::user)?,
            _ => simple(e, s, client.teams().page_size(n), streams::team)?,
        };
        match r {
            Ok(count) => {
                counts.insert(s.name, count);
                e.complete(s)?;
            }
            Err(err) => {
                failed = true;
                e.failed(s, &err.to_string(), config_error(&err))?;
            }
        }
    }
    let walk: Vec<Id> = [Id::Connections, Id::ConnectionSchemas, Id::SyncOutcomes]
        .into_iter()
        .filter(|i| sel.streams.contains(i))
        .collect();
    if !walk.is_empty() {
        failed |= connections_walk(client, e, &walk, marks, n, &mut counts)?;
    }
    if !opts.quiet {
        let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        e.log("INFO", &format!("records: {}", summary.join(" ")))?;
    }
    Ok(failed)
}

/// A plain list stream; records are written page by page.
fn simple<T: serde::de::DeserializeOwned, W: Write>(
    e: &mut Emitter<W>,
    s: &Stream,
    list: fivetrex::List<T>,
    project: fn(&T) -> Value,
) -> io::Result<Result<u64, fivetrex::Error>> {
    let mut count = 0;
    for page in list.pages() {
        let page = match page {
            Ok(p) => p,
            Err(err) => return Ok(Err(err)),
        };
        for item in &page.items {
            if count == 0 {
                e.running(s)?;
            }
            e.record(s, project(item))?;
            count += 1;
        }
    }
    Ok(Ok(count))
}

/// One walk over the account's connections feeding `connections`, `connection_schemas` and
/// `sync_outcomes`.
fn connections_walk<W: Write>(
    client: &Client,
    e: &mut Emitter<W>,
    walk: &[Id],
    mut marks: Marks,
    page_size: u32,
    counts: &mut BTreeMap<&'static str, u64>,
) -> io::Result<bool> {
    let (want_c, want_s, want_o) =
        (walk.contains(&Id::Connections), walk.contains(&Id::ConnectionSchemas), walk.contains(&Id::SyncOutcomes));
    let (sc, ss, so) =
        (Stream::get(Id::Connections), Stream::get(Id::ConnectionSchemas), Stream::get(Id::SyncOutcomes));
    for id in walk {
        e.start(Stream::get(*id))?;
    }
    let (mut nc, mut ns, mut no) = (0u64, 0u64, 0u64);
    let mut walk_err: Option<fivetrex::Error> = None;
    let mut schema_err: Option<fivetrex::Error> = None;
    for page in client.connections().page_size(page_size).pages() {
        let page = match page {
            Ok(p) => p,
            Err(err) => {
                walk_err = Some(err);
                break;
            }
        };
        for c in &page.items {
            if want_c {
                if nc == 0 {
                    e.running(sc)?;
                }
                e.record(sc, streams::connection(c))?;
                nc += 1;
            }
            if want_o {
                let mark = marks.get(&c.id).cloned().unwrap_or_default();
                let (records, new) = streams::sync_outcomes(c, &mark);
                for r in records {
                    if no == 0 {
                        e.running(so)?;
                    }
                    e.record(so, r)?;
                    no += 1;
                }
                if new != mark || !marks.contains_key(&c.id) {
                    marks.insert(c.id.clone(), new);
                }
            }
            if want_s && schema_err.is_none() {
                match client.schema_config(&c.id) {
                    Ok(cfg) => {
                        let mut first = ns == 0;
                        ns += streams::schema_tables(&c.id, &cfg, |r| {
                            if std::mem::take(&mut first) {
                                e.running(ss)?;
                            }
                            e.record(ss, r)
                        })?;
                    }
                    // A connection without a schema config (`NotFound_SchemaConfig`), or deleted
                    // since the list (`NotFound_Connector`): no tables. A bare `NotFound` (no such
                    // route: an API or emulator without schema configs) fails the stream instead
                    // of passing for an empty account.
                    Err(err)
                        if err.kind() == ErrorKind::NotFound
                            && err.api_code().is_some_and(|c| c.starts_with("NotFound_")) =>
                    {
                        e.log("WARN", &format!("connection {}: no schema config ({err})", c.id))?;
                    }
                    Err(err) => schema_err = Some(err),
                }
            }
        }
    }
    let mut failed = false;
    let mut finish =
        |e: &mut Emitter<W>, s: &'static Stream, err: Option<&fivetrex::Error>, n: u64| -> io::Result<()> {
            match err {
                None => {
                    counts.insert(s.name, n);
                    e.complete(s)
                }
                Some(err) => {
                    failed = true;
                    e.failed(s, &err.to_string(), config_error(err))
                }
            }
        };
    if want_c {
        finish(e, sc, walk_err.as_ref(), nc)?;
    }
    if want_s {
        finish(e, ss, walk_err.as_ref().or(schema_err.as_ref()), ns)?;
    }
    if want_o {
        // Written even when the walk failed: the bookmarks cover exactly the records written.
        e.state(so, &marks, no)?;
        finish(e, so, walk_err.as_ref(), no)?;
    }
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_select_streams_and_the_replication_of_sync_outcomes() {
        let singer = json!({"streams": [
            {"tap_stream_id": "groups", "metadata": [{"breadcrumb": [], "metadata": {"selected": true}}]},
            {"tap_stream_id": "users", "metadata": [{"breadcrumb": [], "metadata": {"selected": false}}]},
            {"tap_stream_id": "sync_outcomes", "metadata": [
                {"breadcrumb": ["properties", "at"], "metadata": {"selected": false}},
                {"breadcrumb": [], "metadata": {"selected": true, "replication-method": "FULL_TABLE"}}
            ]}
        ]});
        let sel = singer_selection(&singer).unwrap();
        assert_eq!(sel.streams, BTreeSet::from([Id::Groups, Id::SyncOutcomes]));
        assert!(!sel.incremental);
        let airbyte = json!({"streams": [
            {"stream": {"name": "teams"}, "sync_mode": "full_refresh"},
            {"stream": {"name": "sync_outcomes"}, "sync_mode": "incremental"}
        ]});
        let sel = airbyte_selection(&airbyte).unwrap();
        assert_eq!(sel.streams, BTreeSet::from([Id::Teams, Id::SyncOutcomes]));
        assert!(sel.incremental);
        let err = airbyte_selection(&json!({"streams": [{"stream": {"name": "conectors"}}]})).err().unwrap();
        assert!(err.contains("unknown stream \"conectors\""), "{err}");
        assert!(singer_selection(&json!({})).is_err());
    }

    #[test]
    fn state_in_either_protocol_gives_the_same_bookmarks() {
        let mark = json!({"c1": {"succeeded_at": "2024-01-01T00:00:00Z", "failed_at": null}});
        let want = Marks::from([(
            "c1".to_owned(),
            Bookmark { succeeded_at: fivetrex::Timestamp::parse("2024-01-01T00:00:00Z"), failed_at: None },
        )]);
        let airbyte = json!([
            {"type": "STREAM", "stream": {"stream_descriptor": {"name": "other"}, "stream_state": {"x": 1}}},
            {"type": "STREAM", "stream": {"stream_descriptor": {"name": "sync_outcomes"}, "stream_state": mark}}
        ]);
        assert_eq!(outcome_bookmarks(&airbyte).unwrap(), want);
        assert_eq!(outcome_bookmarks(&json!({"bookmarks": {"sync_outcomes": mark}})).unwrap(), want);
        let one = json!({"type": "STATE", "state": airbyte[1]});
        assert_eq!(outcome_bookmarks(&one).unwrap(), want);
        assert!(outcome_bookmarks(&json!({})).unwrap().is_empty());
        assert!(outcome_bookmarks(&json!(3)).is_err());
    }
}
