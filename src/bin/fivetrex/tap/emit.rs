//! The two wire protocols over one set of events: a stream starts, a record, a stream's state,
//! a stream completes or fails.

use super::streams::Stream;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Singer (SCHEMA / RECORD / STATE) or Airbyte (RECORD / STATE / TRACE / LOG).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protocol {
    Singer,
    Airbyte,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn now_rfc3339() -> String {
    fivetrex::Timestamp::from_system_time(SystemTime::now()).to_string()
}

/// Where messages go: one JSON object a line, buffered, flushed at every STATE and at the end.
pub struct Emitter<W: Write> {
    pub protocol: Protocol,
    w: W,
    /// Singer's STATE carries every stream's bookmarks: the incoming state, updated as streams finish.
    singer_state: Map<String, Value>,
    line: Vec<u8>,
}

impl<W: Write> Emitter<W> {
    pub fn new(protocol: Protocol, w: W, singer_state: Map<String, Value>) -> Self {
        Emitter { protocol, w, singer_state, line: Vec::with_capacity(4096) }
    }

    /// Writes one message. Serialised into a reused buffer, so a record costs no allocation of
    /// its own beyond its `Value`.
    pub fn message(&mut self, v: &Value) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, v).map_err(io::Error::other)?;
        self.line.push(b'\n');
        self.w.write_all(&self.line)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    fn trace_status(&mut self, s: &Stream, status: &str) -> io::Result<()> {
        self.message(&json!({
            "type": "TRACE",
            "trace": {
                "type": "STREAM_STATUS",
                "emitted_at": now_ms() as f64,
                "stream_status": {"stream_descriptor": {"name": s.name}, "status": status}
            }
        }))
    }

    /// Singer: the SCHEMA message. Airbyte: stream status STARTED.
    pub fn start(&mut self, s: &Stream) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => {
                let mut m = json!({
                    "type": "SCHEMA",
                    "stream": s.name,
                    "schema": s.schema(),
                    "key_properties": s.key,
                });
                if let Some(c) = s.cursor {
                    m["bookmark_properties"] = json!([c]);
                }
                self.message(&m)
            }
            Protocol::Airbyte => self.trace_status(s, "STARTED"),
        }
    }

    /// Airbyte wants RUNNING before the first record of a stream.
    pub fn running(&mut self, s: &Stream) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => Ok(()),
            Protocol::Airbyte => self.trace_status(s, "RUNNING"),
        }
    }

    pub fn record(&mut self, s: &Stream, data: Value) -> io::Result<()> {
        let m = match self.protocol {
            Protocol::Singer => {
                json!({"type": "RECORD", "stream": s.name, "record": data, "time_extracted": now_rfc3339()})
            }
            Protocol::Airbyte => {
                json!({"type": "RECORD", "record": {"stream": s.name, "data": data, "emitted_at": now_ms()}})
            }
        };
        self.message(&m)
    }

    /// The stream's state (Airbyte: a per-stream STATE; Singer: the whole state with this
    /// stream's bookmarks replaced), flushed so that a crash after it loses nothing before it.
    /// Serialised straight to the output: a state with 100,000 bookmarks is never built as a
    /// `Value` or a line in memory.
    pub fn state<S: Serialize>(&mut self, s: &Stream, stream_state: &S, records: u64) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => {
                let value = SingerState { base: &self.singer_state, stream: s.name, state: stream_state };
                serde_json::to_writer(&mut self.w, &SingerMsg { kind: "STATE", value }).map_err(io::Error::other)?;
            }
            Protocol::Airbyte => {
                let m = AirbyteMsg {
                    kind: "STATE",
                    state: AirbyteState {
                        kind: "STREAM",
                        stream: StreamState { stream_descriptor: Descriptor { name: s.name }, stream_state },
                        source_stats: Stats { record_count: records as f64 },
                    },
                };
                serde_json::to_writer(&mut self.w, &m).map_err(io::Error::other)?;
            }
        }
        self.w.write_all(b"\n")?;
        self.flush()
    }

    pub fn complete(&mut self, s: &Stream) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => Ok(()),
            Protocol::Airbyte => self.trace_status(s, "COMPLETE"),
        }
    }

    /// Airbyte: a TRACE error for the stream and status INCOMPLETE. Singer: a line on stderr.
    /// `message` comes from the client's errors, which never carry the secret.
    pub fn failed(&mut self, s: &Stream, message: &str, config_error: bool) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => {
                self.flush()?;
                eprintln!("error: stream {}: {message}", s.name);
                Ok(())
            }
            Protocol::Airbyte => {
                self.message(&json!({
                    "type": "TRACE",
                    "trace": {
                        "type": "ERROR",
                        "emitted_at": now_ms() as f64,
                        "error": {
                            "message": format!("Stream {} failed: {message}", s.name),
                            "internal_message": message,
                            "failure_type": if config_error { "config_error" } else { "system_error" },
                            "stream_descriptor": {"name": s.name}
                        }
                    }
                }))?;
                self.trace_status(s, "INCOMPLETE")?;
                self.flush()
            }
        }
    }

    /// Airbyte: a LOG message. Singer: stderr (stdout is for the target).
    pub fn log(&mut self, level: &str, message: &str) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => {
                eprintln!("{}: {message}", level.to_ascii_lowercase());
                Ok(())
            }
            Protocol::Airbyte => self.message(&json!({"type": "LOG", "log": {"level": level, "message": message}})),
        }
    }

    /// A whole-run error (bad config, unreadable catalog): Airbyte TRACE error without a stream.
    pub fn run_error(&mut self, message: &str, config_error: bool) -> io::Result<()> {
        match self.protocol {
            Protocol::Singer => {
                eprintln!("error: {message}");
                Ok(())
            }
            Protocol::Airbyte => {
                self.message(&json!({
                    "type": "TRACE",
                    "trace": {
                        "type": "ERROR",
                        "emitted_at": now_ms() as f64,
                        "error": {
                            "message": message,
                            "failure_type": if config_error { "config_error" } else { "system_error" }
                        }
                    }
                }))?;
                self.flush()
            }
        }
    }
}

#[derive(serde::Serialize)]
struct SingerMsg<V> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: V,
}

/// Singer's state: the incoming state, with `bookmarks.<stream>` replaced by `state`.
struct SingerState<'a, S> {
    base: &'a Map<String, Value>,
    stream: &'a str,
    state: &'a S,
}

impl<S: Serialize> Serialize for SingerState<'_, S> {
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        let mut m = z.serialize_map(None)?;
        for (k, v) in self.base.iter().filter(|(k, _)| *k != "bookmarks") {
            m.serialize_entry(k, v)?;
        }
        let old = self.base.get("bookmarks").and_then(Value::as_object);
        m.serialize_entry("bookmarks", &Bookmarks { old, stream: self.stream, state: self.state })?;
        m.end()
    }
}

struct Bookmarks<'a, S> {
    old: Option<&'a Map<String, Value>>,
    stream: &'a str,
    state: &'a S,
}

impl<S: Serialize> Serialize for Bookmarks<'_, S> {
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        let mut m = z.serialize_map(None)?;
        for (k, v) in self.old.into_iter().flatten().filter(|(k, _)| *k != self.stream) {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry(self.stream, self.state)?;
        m.end()
    }
}

#[derive(serde::Serialize)]
struct AirbyteMsg<'a, S> {
    #[serde(rename = "type")]
    kind: &'static str,
    state: AirbyteState<'a, S>,
}

#[derive(serde::Serialize)]
struct AirbyteState<'a, S> {
    #[serde(rename = "type")]
    kind: &'static str,
    stream: StreamState<'a, S>,
    #[serde(rename = "sourceStats")]
    source_stats: Stats,
}

#[derive(serde::Serialize)]
struct StreamState<'a, S> {
    stream_descriptor: Descriptor<'a>,
    stream_state: &'a S,
}

#[derive(serde::Serialize)]
struct Descriptor<'a> {
    name: &'a str,
}

#[derive(serde::Serialize)]
struct Stats {
    #[serde(rename = "recordCount")]
    record_count: f64,
}
