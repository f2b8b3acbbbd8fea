//! Output: JSON, JSON lines, CSV or a table, written as rows arrive so a long list streams.

use crate::progress::Ui;
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::Value;
use std::io::{self, Write};

/// How results are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document: an object, or an array for a list.
    Json,
    /// One compact JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row (nested values as JSON).
    Csv,
    /// Aligned columns for people.
    Table,
}

/// One column of a table or CSV: a header and a dotted path into the item (`status.sync_state`),
/// or `@state` for a connection's derived state.
#[derive(Clone, Debug)]
pub struct Column {
    pub header: String,
    pub path: String,
}

impl Column {
    pub fn new(header: &str, path: &str) -> Column {
        Column { header: header.to_owned(), path: path.to_owned() }
    }

    /// A column per comma-separated dotted path, headed by the path.
    pub fn parse_list(paths: &[String]) -> Vec<Column> {
        paths.iter().filter(|p| !p.is_empty()).map(|p| Column::new(p, p)).collect()
    }

    pub fn cell(&self, item: &Value) -> String {
        if self.path == "@state" {
            return connection_state(item).to_owned();
        }
        let mut v = item;
        for key in self.path.split('.') {
            v = match v.get(key) {
                Some(next) => next,
                None => return String::new(),
            };
        }
        render(v)
    }
}

/// A value as one cell: strings bare, null empty, arrays of strings joined, the rest as JSON.
fn render(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.iter().all(Value::is_string) => {
            a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// The one word that says what a connection is doing: `broken` (setup), `paused`, `syncing`,
/// `rescheduled`, `failed` (the last sync failed) or the API's sync state (`scheduled`).
pub fn connection_state(c: &Value) -> &str {
    let status = &c["status"];
    if status["setup_state"] == "broken" {
        return "broken";
    }
    if c["paused"] == true || status["sync_state"] == "paused" {
        return "paused";
    }
    match status["sync_state"].as_str() {
        Some(s @ ("syncing" | "rescheduled")) => s,
        _ if last_sync_failed(c) => "failed",
        Some(s) => s,
        None => "",
    }
}

/// Whether `failed_at` is newer than `succeeded_at` (or set alone).
pub fn last_sync_failed(c: &Value) -> bool {
    let at = |k: &str| c[k].as_str().and_then(|s| s.parse::<fivetrex::Timestamp>().ok());
    match (at("failed_at"), at("succeeded_at")) {
        (Some(f), Some(s)) => f >= s,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Nested objects as dotted keys (`status.sync_state`), for the one-object table and CSV.
fn flatten(prefix: &str, map: &serde_json::Map<String, Value>, headers: &mut Vec<String>, cells: &mut Vec<String>) {
    for (k, v) in map {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Object(inner) if !inner.is_empty() => flatten(&key, inner, headers, cells),
            other => {
                headers.push(key);
                cells.push(render(other));
            }
        }
    }
}

/// Rows of the table format are laid out in batches; the first batch fixes the column widths so
/// later ones line up without holding the whole list.
const TABLE_BATCH: usize = 200;
/// The widest a table cell grows; longer values are cut with an ellipsis (the other formats
/// carry them whole).
const MAX_COLUMN_WIDTH: usize = 60;

/// Columns a cell takes (characters: close enough for ids, names and timestamps).
fn width(s: &str) -> usize {
    s.chars().count()
}

/// A cell on one line and at most [`MAX_COLUMN_WIDTH`] wide.
fn clip(s: &str) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if width(&one_line) <= MAX_COLUMN_WIDTH {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(MAX_COLUMN_WIDTH - 1).collect();
    cut.push('…');
    cut
}

pub struct Out {
    pub format: Format,
    /// `--columns`, replacing the resource's default columns.
    pub columns: Option<Vec<Column>>,
    pub ui: Ui,
    stdout: io::BufWriter<io::Stdout>,
}

impl Out {
    pub fn new(format: Format, columns: Option<Vec<Column>>, ui: Ui) -> Out {
        Out { format, columns, ui, stdout: io::BufWriter::with_capacity(64 * 1024, io::stdout()) }
    }

    /// Writes `bytes` to stdout without tearing a progress display on the same terminal.
    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stdout = &mut self.stdout;
        self.ui.suspend(|| {
            stdout.write_all(bytes)?;
            stdout.flush()
        })
    }

    /// Writes one object.
    pub fn object(&mut self, v: &Value) -> io::Result<()> {
        let mut buf = Vec::new();
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut buf, v)?;
                buf.push(b'\n');
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut buf, v)?;
                buf.push(b'\n');
            }
            Format::Csv => {
                let (headers, cells) = self.flat(v);
                let mut w = csv::Writer::from_writer(&mut buf);
                w.write_record(&headers)?;
                w.write_record(&cells)?;
                w.flush()?;
            }
            Format::Table => {
                let (headers, cells) = self.flat(v);
                let mut t = Table::new();
                t.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
                t.set_width(crate::progress::terminal_width());
                for (h, c) in headers.into_iter().zip(cells) {
                    t.add_row(vec![h, c]);
                }
                writeln!(buf, "{t}")?;
            }
        }
        self.emit(&buf)
    }

    /// Columns and cells of one object: the chosen columns, else every top-level field.
    fn flat(&self, v: &Value) -> (Vec<String>, Vec<String>) {
        match (&self.columns, v.as_object()) {
            (Some(cols), _) => {
                (cols.iter().map(|c| c.header.clone()).collect(), cols.iter().map(|c| c.cell(v)).collect())
            }
            (None, Some(map)) => {
                let (mut headers, mut cells) = (Vec::new(), Vec::new());
                flatten("", map, &mut headers, &mut cells);
                (headers, cells)
            }
            (None, None) => (vec!["value".into()], vec![render(v)]),
        }
    }

    /// Starts a list whose rows will come with [`ListWriter::rows`].
    pub fn list(&mut self, default_columns: Vec<Column>) -> ListWriter<'_> {
        let columns = self.columns.clone().unwrap_or(default_columns);
        ListWriter { out: self, columns, written: 0, pending: Vec::new(), widths: None, started: false }
    }
}

pub struct ListWriter<'a> {
    out: &'a mut Out,
    /// Empty: taken from the first item's top-level fields.
    columns: Vec<Column>,
    written: u64,
    pending: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    started: bool,
}

impl ListWriter<'_> {
    pub fn written(&self) -> u64 {
        self.written
    }

    fn columns_from(&mut self, first: &Value) {
        if self.columns.is_empty() {
            self.columns = match first.as_object() {
                Some(map) => map.keys().map(|k| Column::new(k, k)).collect(),
                None => vec![Column::new("value", "")],
            };
        }
    }

    /// Writes a batch of items (a page) and flushes, so they show before the next page is
    /// fetched.
    pub fn rows(&mut self, items: &[Value]) -> io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(items.len() * 256);
        match self.out.format {
            Format::Json => {
                for item in items {
                    buf.extend_from_slice(if self.started { b",\n" } else { b"[\n" });
                    self.started = true;
                    serde_json::to_writer(&mut buf, item)?;
                }
            }
            Format::Jsonl => {
                for item in items {
                    serde_json::to_writer(&mut buf, item)?;
                    buf.push(b'\n');
                }
            }
            Format::Csv => {
                self.columns_from(&items[0]);
                let mut w = csv::Writer::from_writer(&mut buf);
                if !self.started {
                    w.write_record(self.columns.iter().map(|c| c.header.as_str()))?;
                    self.started = true;
                }
                for item in items {
                    w.write_record(self.columns.iter().map(|c| c.cell(item)))?;
                }
                w.flush()?;
            }
            Format::Table => {
                self.columns_from(&items[0]);
                for item in items {
                    let cells = self.columns.iter().map(|c| c.cell(item)).collect();
                    self.pending.push(cells);
                    if self.pending.len() >= TABLE_BATCH {
                        self.table_batch(&mut buf)?;
                    }
                }
                self.table_batch(&mut buf)?;
            }
        }
        self.written += items.len() as u64;
        self.out.emit(&buf)
    }

    /// Lays out the pending rows: the first batch fixes the column widths; a later cell that is
    /// wider pushes the rest of its own row right rather than being cut or wrapped, so every row
    /// stays one line and no value is lost.
    fn table_batch(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let first = self.widths.is_none();
        let widths = self.widths.get_or_insert_with(|| {
            self.columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let cells = self.pending.iter().map(|r| width(&clip(&r[i])));
                    cells.chain([width(&c.header)]).max().unwrap_or(1)
                })
                .collect()
        });
        let mut line = String::new();
        let mut write_row = |cells: &mut dyn Iterator<Item = String>, buf: &mut Vec<u8>| {
            line.clear();
            for (cell, w) in cells.zip(widths.iter()) {
                let cell = clip(&cell);
                line.push_str(&cell);
                line.extend(std::iter::repeat_n(' ', w.saturating_sub(width(&cell)) + 2));
            }
            buf.extend_from_slice(line.trim_end().as_bytes());
            buf.push(b'\n');
        };
        if first {
            write_row(&mut self.columns.iter().map(|c| c.header.to_uppercase()), buf);
        }
        for row in self.pending.drain(..) {
            write_row(&mut row.into_iter(), buf);
        }
        Ok(())
    }

    /// Ends the list (closes the JSON array; an empty table says so on stderr).
    pub fn finish(mut self) -> io::Result<()> {
        let mut buf = Vec::new();
        match self.out.format {
            Format::Json if self.started => buf.extend_from_slice(b"\n]\n"),
            Format::Json => buf.extend_from_slice(b"[]\n"),
            Format::Csv if !self.started && !self.columns.is_empty() => {
                let mut w = csv::Writer::from_writer(&mut buf);
                w.write_record(self.columns.iter().map(|c| c.header.as_str()))?;
                w.flush()?;
            }
            Format::Table => {
                self.table_batch(&mut buf)?;
                if self.written == 0 {
                    self.out.ui.note("(no items)");
                }
            }
            _ => {}
        }
        self.out.emit(&buf)
    }
}
