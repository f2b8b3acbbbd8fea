//! Lists as rows of typed cells (`fivetrex_list_next_rows`): each item is decoded once, by the
//! library, into the model a Rust caller gets, and its fields are handed over as cells a host
//! reads without parsing JSON. A host that would otherwise decode the page's JSON again (Go's
//! `encoding/json`, ...) reads texts, integers, flags and times straight from the cells.

use super::status::fivetrex_status;
use fivetrex_core::api::common::SetupTest;
use fivetrex_core::{Alert, Connection, Destination, Error, Group, Result, Timestamp};
use serde::Serialize;
use std::ffi::c_char;

/// Cell kind: the field is absent or null (`len` and `value` are 0).
pub const FIVETREX_CELL_NULL: u32 = 0;
/// Cell kind: text, `len` bytes of UTF-8 at byte `value` of `fivetrex_rows.text` (no NUL).
pub const FIVETREX_CELL_TEXT: u32 = 1;
/// Cell kind: an integer, in `value`.
pub const FIVETREX_CELL_INTEGER: u32 = 2;
/// Cell kind: a flag, `value` is 0 or 1.
pub const FIVETREX_CELL_BOOLEAN: u32 = 3;
/// Cell kind: a time in UTC, `value` whole seconds since the Unix epoch (negative before 1970) and
/// `len` the nanoseconds within that second.
pub const FIVETREX_CELL_TIME: u32 = 4;
/// Cell kind: JSON text, `len` bytes at byte `value` of `fivetrex_rows.json` (no NUL).
pub const FIVETREX_CELL_JSON: u32 = 5;

/// One field of one list item. Its meaning depends on `kind` (a `FIVETREX_CELL_*` value); later
/// versions may add kinds, so read a kind you do not know as null.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct fivetrex_cell {
    /// What the cell holds: `FIVETREX_CELL_NULL`, `_TEXT`, `_INTEGER`, `_BOOLEAN`, `_TIME` or `_JSON`.
    pub kind: u32,
    /// Text and JSON: the length in bytes; time: the nanoseconds; otherwise 0.
    pub len: u32,
    /// Text and JSON: the byte offset into their buffer; integer: the value; flag: 0 or 1; time:
    /// the seconds since the Unix epoch.
    pub value: i64,
}

/// A page of a list as rows of cells, filled by `fivetrex_list_next_rows`. Zero-initialise it
/// and set `struct_size`; later versions add fields at the end and fill only those that fit in
/// the `struct_size` the caller passed.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fivetrex_rows {
    /// `sizeof` this struct, set by the caller (`rows.struct_size = sizeof rows`).
    pub struct_size: usize,
    /// How many items the page holds (a page may be empty and still have a next cursor).
    pub rows: usize,
    /// Cells per row; `fivetrex_list_columns` names them. Column 0 is `raw`, the item's JSON
    /// as the API sent it.
    pub columns: usize,
    /// `rows * columns` cells, row after row.
    pub cells: *const fivetrex_cell,
    /// The buffer that `FIVETREX_CELL_TEXT` cells point into.
    pub text: *const c_char,
    /// Its length in bytes.
    pub text_len: usize,
    /// The buffer that `FIVETREX_CELL_JSON` cells (the `raw` column among them) point into.
    pub json: *const c_char,
    /// Its length in bytes.
    pub json_len: usize,
    /// The page's `next_cursor` as a NUL-terminated string, NULL on the last page.
    pub next_cursor: *const c_char,
}

impl fivetrex_rows {
    /// Nothing yet, for a struct of `struct_size` bytes.
    pub(crate) fn empty(struct_size: usize) -> Self {
        fivetrex_rows {
            struct_size,
            rows: 0,
            columns: 0,
            cells: std::ptr::null(),
            text: std::ptr::null(),
            text_len: 0,
            json: std::ptr::null(),
            json_len: 0,
            next_cursor: std::ptr::null(),
        }
    }
}

/// The cells of one page, reused from page to page: the buffers grow to the largest page once.
#[derive(Default)]
pub(crate) struct Rows {
    cells: Vec<fivetrex_cell>,
    text: Vec<u8>,
    json: Vec<u8>,
    /// The next cursor with its NUL, empty when there is none.
    cursor: Vec<u8>,
    rows: usize,
    columns: usize,
    /// Set when a text or JSON value was too long for a cell (4 GiB): the page is refused.
    too_long: bool,
}

impl Rows {
    /// Empties the buffers for a page of rows of `columns` cells each (raw included). `body` is
    /// the text the items were decoded from: it starts the JSON buffer, so the `raw` cells point
    /// into it. It is copied, not moved in: the buffer keeps its memory from page to page, while
    /// a body taken over would be reallocated at the first JSON appended to it, page after page
    /// (measured: a tenth of the walk, in page faults and copies).
    pub(crate) fn start(&mut self, columns: usize, next_cursor: Option<&str>, body: &str) -> Result<()> {
        self.cells.clear();
        self.text.clear();
        self.json.clear();
        self.json.extend_from_slice(body.as_bytes());
        self.cursor.clear();
        self.rows = 0;
        self.columns = columns;
        self.too_long = false;
        if let Some(cursor) = next_cursor {
            if cursor.contains('\0') {
                return Err(undecodable("the page's next_cursor contains a NUL byte"));
            }
            self.cursor.extend_from_slice(cursor.as_bytes());
            self.cursor.push(0);
        }
        Ok(())
    }

    /// Adds one item: its JSON (the range `raw` of the body given to `start`), then the model's
    /// columns.
    pub(crate) fn push<T: Columns>(&mut self, raw: std::ops::Range<usize>, model: &T) {
        let first = self.cells.len();
        if raw.end <= self.json.len() {
            self.place(FIVETREX_CELL_JSON, raw.start, raw.len());
        } else {
            self.too_long = true;
            self.cells.push(fivetrex_cell::default());
        }
        let mut row = Row { rows: self, item: raw };
        model.write(&mut row);
        // A model that wrote fewer or more cells than it names must not shift later rows.
        self.cells.resize(first + self.columns, fivetrex_cell::default());
        self.rows += 1;
    }

    /// Writes the cell of the `len` bytes at `at` of the buffer of `kind` (text or JSON). A span
    /// a cell cannot hold (4 GiB or more) is a null cell, and the page is refused (`put`).
    #[inline]
    fn place(&mut self, kind: u32, at: usize, len: usize) {
        let cell = match u32::try_from(len) {
            Ok(n) => fivetrex_cell { kind, len: n, value: at as i64 },
            Err(_) => {
                self.too_long = true;
                fivetrex_cell::default()
            }
        };
        self.cells.push(cell);
    }

    /// Hands the page to C; an error when a value did not fit in a cell.
    pub(crate) fn put(&self, out: &mut fivetrex_rows) -> Result<fivetrex_status> {
        if self.too_long {
            return Err(undecodable("a list item holds a value of 4 GiB or more"));
        }
        out.rows = self.rows;
        out.columns = self.columns;
        out.cells = self.cells.as_ptr();
        out.text = self.text.as_ptr().cast();
        out.text_len = self.text.len();
        out.json = self.json.as_ptr().cast();
        out.json_len = self.json.len();
        out.next_cursor = if self.cursor.is_empty() { std::ptr::null() } else { self.cursor.as_ptr().cast() };
        Ok(fivetrex_status::Ok)
    }
}

fn undecodable(message: &str) -> Error {
    Error::Decode { status: 0, message: message.to_owned(), snippet: String::new() }
}

/// Writes the cells of one row, left to right.
pub(crate) struct Row<'a> {
    rows: &'a mut Rows,
    /// Where the item's own JSON lies in the JSON buffer.
    item: std::ops::Range<usize>,
}

impl Row<'_> {
    fn cell(&mut self, kind: u32, len: u32, value: i64) {
        self.rows.cells.push(fivetrex_cell { kind, len, value });
    }

    fn null(&mut self) {
        self.cell(FIVETREX_CELL_NULL, 0, 0);
    }

    /// Appends `bytes` to a buffer and writes the cell pointing at them.
    fn span(&mut self, kind: u32, bytes: &[u8]) {
        let buffer = if kind == FIVETREX_CELL_TEXT { &mut self.rows.text } else { &mut self.rows.json };
        let offset = buffer.len();
        buffer.extend_from_slice(bytes);
        self.rows.place(kind, offset, bytes.len());
    }

    /// A text.
    pub(crate) fn text(&mut self, s: &str) {
        self.span(FIVETREX_CELL_TEXT, s.as_bytes());
    }

    /// A text or null.
    pub(crate) fn opt_text(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    /// An integer or null.
    pub(crate) fn integer(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.cell(FIVETREX_CELL_INTEGER, 0, v),
            None => self.null(),
        }
    }

    /// A flag.
    pub(crate) fn boolean(&mut self, b: bool) {
        self.cell(FIVETREX_CELL_BOOLEAN, 0, i64::from(b));
    }

    /// A flag or null.
    pub(crate) fn opt_boolean(&mut self, b: Option<bool>) {
        match b {
            Some(b) => self.boolean(b),
            None => self.null(),
        }
    }

    /// A time or null.
    pub(crate) fn time(&mut self, t: Option<&Timestamp>) {
        match t {
            Some(t) => self.cell(FIVETREX_CELL_TIME, t.subsec_nanos(), t.unix_seconds()),
            None => self.null(),
        }
    }

    /// JSON text as it is.
    pub(crate) fn json(&mut self, s: &str) {
        self.span(FIVETREX_CELL_JSON, s.as_bytes());
    }

    /// A nested value's JSON text (a connection's `config`) or null. The model keeps its own
    /// copy of that text, which is also part of the item's: the cell points at it there (the
    /// last place it occurs; every occurrence holds the same bytes) and copies only when it is
    /// not found.
    pub(crate) fn nested_json(&mut self, s: Option<&str>) {
        let Some(s) = s else { return self.null() };
        let item = self.rows.json.get(self.item.clone()).unwrap_or_default();
        match rfind(item, s.as_bytes()) {
            Some(at) => self.rows.place(FIVETREX_CELL_JSON, self.item.start + at, s.len()),
            None => self.json(s),
        }
    }

    /// A list of the model's sub-objects, written as a JSON array (`[]` when empty). Lists of
    /// alerts and setup tests are short and mostly empty, so writing them again costs little.
    pub(crate) fn array<T: Serialize>(&mut self, items: &[T]) {
        if items.is_empty() {
            return self.json("[]");
        }
        let offset = self.rows.json.len();
        if serde_json::to_writer(&mut self.rows.json, items).is_err() {
            // Serialising a model into memory cannot fail; keep the row aligned if it ever does.
            self.rows.json.truncate(offset);
            return self.null();
        }
        let len = self.rows.json.len() - offset;
        self.rows.place(FIVETREX_CELL_JSON, offset, len);
    }
}

/// The last place `needle` occurs in `hay`. A nested value starts with a byte that is rare in
/// its item (`{`, `[`), so trying each place that byte occurs, from the end, is cheaper than a
/// general search, whose setup alone costs more than one item's scan.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let &first = needle.first()?;
    let mut end = hay.len();
    while let Some(at) = memchr::memrchr(first, &hay[..end]) {
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// A model whose fields a list hands over as cells. `NAMES` names the columns after `raw`, in
/// the order `write` fills them; a nested field is named by its path (`status.sync_state`).
/// Models without columns hand over `raw` alone.
pub(crate) trait Columns {
    /// The column names after `raw`.
    const NAMES: &'static [&'static str] = &[];

    /// Writes one cell per name of `NAMES`, in that order.
    fn write(&self, _row: &mut Row<'_>) {}
}

/// Lists by operation or raw path hand over `raw` alone: their items are only scanned.
impl Columns for serde::de::IgnoredAny {}

impl Columns for Group {
    const NAMES: &'static [&'static str] = &["id", "name", "created_at"];

    fn write(&self, row: &mut Row<'_>) {
        row.text(&self.id);
        row.text(&self.name);
        row.time(self.created_at.as_ref());
    }
}

impl Columns for Connection {
    const NAMES: &'static [&'static str] = &[
        "id",
        "group_id",
        "service",
        "schema",
        "paused",
        "sync_frequency",
        "schedule_type",
        "created_at",
        "succeeded_at",
        "failed_at",
        "status.setup_state",
        "status.sync_state",
        "status.update_state",
        "status.is_historical_sync",
        "status.rescheduled_for",
        "status.tasks",
        "status.warnings",
        "config",
    ];

    fn write(&self, row: &mut Row<'_>) {
        row.text(&self.id);
        row.text(&self.group_id);
        row.text(&self.service);
        row.text(&self.schema);
        row.boolean(self.paused);
        row.integer(self.sync_frequency.map(i64::from));
        row.opt_text(self.schedule_type.as_ref().map(|s| s.as_str()));
        row.time(self.created_at.as_ref());
        row.time(self.succeeded_at.as_ref());
        row.time(self.failed_at.as_ref());
        let status = &self.status;
        row.opt_text(status.setup_state.as_ref().map(|s| s.as_str()));
        row.opt_text(status.sync_state.as_ref().map(|s| s.as_str()));
        row.opt_text(status.update_state.as_ref().map(|s| s.as_str()));
        row.boolean(status.is_historical_sync);
        row.time(status.rescheduled_for.as_ref());
        row.array::<Alert>(&status.tasks);
        row.array::<Alert>(&status.warnings);
        row.nested_json(self.config.as_ref().map(|c| c.as_str()));
    }
}

impl Columns for Destination {
    const NAMES: &'static [&'static str] = &[
        "id",
        "group_id",
        "service",
        "region",
        "time_zone_offset",
        "setup_status",
        "daylight_saving_time_enabled",
        "networking_method",
        "private_link_id",
        "proxy_agent_id",
        "hybrid_deployment_agent_id",
        "external_secrets_manager_id",
        "setup_tests",
        "config",
    ];

    fn write(&self, row: &mut Row<'_>) {
        row.text(&self.id);
        row.text(&self.group_id);
        row.text(&self.service);
        row.opt_text(self.region.as_deref());
        row.opt_text(self.time_zone_offset.as_deref());
        row.opt_text(self.setup_status.as_ref().map(|s| s.as_str()));
        row.opt_boolean(self.daylight_saving_time_enabled);
        row.opt_text(self.networking_method.as_ref().map(|s| s.as_str()));
        row.opt_text(self.private_link_id.as_deref());
        row.opt_text(self.proxy_agent_id.as_deref());
        row.opt_text(self.hybrid_deployment_agent_id.as_deref());
        row.opt_text(self.external_secrets_manager_id.as_deref());
        row.array::<SetupTest>(&self.setup_tests);
        row.nested_json(self.config.as_ref().map(|c| c.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fivetrex_client_free, fivetrex_client_new, fivetrex_connection_list, fivetrex_destination_list, fivetrex_list,
        fivetrex_list_columns, fivetrex_list_free, fivetrex_list_next, fivetrex_list_next_rows, fivetrex_string_free,
    };
    use httpmock::prelude::*;
    use serde_json::{json, Value};
    use std::ffi::{CStr, CString};

    /// One cell read back: what a host gets from it.
    #[derive(Debug, PartialEq)]
    enum Read {
        Null,
        Text(String),
        Int(i64),
        Bool(bool),
        Time(i64, u32),
        Json(String),
    }

    /// A page as a host reads it: its rows of cells and its next cursor.
    fn read(rows: &fivetrex_rows) -> (Vec<Vec<Read>>, Option<String>) {
        let cells = unsafe { std::slice::from_raw_parts(rows.cells, rows.rows * rows.columns) };
        let text = unsafe { std::slice::from_raw_parts(rows.text.cast::<u8>(), rows.text_len) };
        let json = unsafe { std::slice::from_raw_parts(rows.json.cast::<u8>(), rows.json_len) };
        let span = |buf: &[u8], c: &fivetrex_cell| {
            String::from_utf8(buf[c.value as usize..c.value as usize + c.len as usize].to_vec()).unwrap()
        };
        let out = cells
            .chunks(rows.columns)
            .map(|row| {
                row.iter()
                    .map(|c| match c.kind {
                        FIVETREX_CELL_NULL => Read::Null,
                        FIVETREX_CELL_TEXT => Read::Text(span(text, c)),
                        FIVETREX_CELL_INTEGER => Read::Int(c.value),
                        FIVETREX_CELL_BOOLEAN => Read::Bool(c.value != 0),
                        FIVETREX_CELL_TIME => Read::Time(c.value, c.len),
                        FIVETREX_CELL_JSON => Read::Json(span(json, c)),
                        other => panic!("unknown kind {other}"),
                    })
                    .collect()
            })
            .collect();
        let next = (!rows.next_cursor.is_null())
            .then(|| unsafe { CStr::from_ptr(rows.next_cursor) }.to_str().unwrap().to_owned());
        (out, next)
    }

    fn client(url: &str) -> *mut crate::fivetrex_client {
        let (key, secret, base) = (c"key", c"secret", CString::new(url).unwrap());
        let mut client = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_client_new(key.as_ptr(), secret.as_ptr(), base.as_ptr(), std::ptr::null(), Some(&mut client), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        client
    }

    fn columns(list: *mut fivetrex_list) -> Vec<String> {
        let mut text = std::ptr::null_mut();
        assert_eq!(fivetrex_list_columns(unsafe { list.as_ref() }, Some(&mut text), None), fivetrex_status::Ok);
        let names = serde_json::from_str(unsafe { CStr::from_ptr(text) }.to_str().unwrap()).unwrap();
        unsafe { fivetrex_string_free(text) };
        names
    }

    fn empty_rows() -> fivetrex_rows {
        fivetrex_rows::empty(std::mem::size_of::<fivetrex_rows>())
    }

    fn connection(i: usize) -> Value {
        json!({
            "id": format!("conn_{i}"), "group_id": "g\"1\\", "service": "postgres", "schema": format!("pg_é_{i}"),
            "paused": i % 2 == 0, "sync_frequency": if i == 1 { json!("60") } else { json!(360) },
            "schedule_type": "AUTO", "created_at": "2024-01-01T00:00:00Z",
            "succeeded_at": "2024-02-01T10:00:00.120+02:00", "failed_at": null, "unknown": [1, 2],
            "status": { "setup_state": "broken", "sync_state": "something_new", "update_state": "delayed",
                        "is_historical_sync": true, "tasks": [{"code": "reconnect", "message": "Re\tconnect"}],
                        "warnings": [] },
            "config": { "host": "db", "port": 5432, "password": "******" }
        })
    }

    /// Every column of a connection, over three pages: texts unescaped, integers (a numeric
    /// string too), flags, times in UTC, nulls, JSON as sent (the item's own text in `raw`).
    #[test]
    fn connection_rows_hand_over_each_field_typed() {
        let server = MockServer::start();
        let page = |items: Vec<Value>, next: Option<&str>| json!({"data": {"items": items, "next_cursor": next}});
        let mocks = [
            server.mock(|when, then| {
                when.method(GET).path("/v1/connections").query_param_missing("cursor");
                then.status(200).json_body(page(vec![connection(0), connection(1)], Some("c2")));
            }),
            server.mock(|when, then| {
                when.method(GET).path("/v1/connections").query_param("cursor", "c2");
                then.status(200).json_body(page(vec![], Some("c3")));
            }),
            server.mock(|when, then| {
                when.method(GET).path("/v1/connections").query_param("cursor", "c3");
                then.status(200).json_body(page(vec![connection(2)], None));
            }),
        ];
        let client = client(&server.base_url());
        let mut list = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_connection_list(client.as_ref(), std::ptr::null(), std::ptr::null(), Some(&mut list), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        let names = columns(list);
        assert_eq!(names[0], "raw");
        assert_eq!(names[1..], *<Connection as Columns>::NAMES);
        let at = |name: &str| names.iter().position(|n| n == name).unwrap();

        let mut pages = Vec::new();
        let mut rows = empty_rows();
        while unsafe { fivetrex_list_next_rows(list.as_mut(), &mut rows, None) } == fivetrex_status::Ok {
            assert_eq!(rows.columns, names.len());
            pages.push(read(&rows));
        }
        mocks.iter().for_each(|m| m.assert_calls(1));
        assert_eq!(
            pages.iter().map(|(r, _)| r.len()).collect::<Vec<_>>(),
            [2, 0, 1],
            "an empty page is handed out too"
        );
        assert_eq!(
            pages.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
            [Some("c2".into()), Some("c3".into()), None]
        );
        let items: Vec<&Vec<Read>> = pages.iter().flat_map(|(r, _)| r).collect();
        for (i, row) in items.iter().enumerate() {
            assert_eq!(row[0], Read::Json(connection(i).to_string()), "raw is the item as sent");
            assert_eq!(row[at("id")], Read::Text(format!("conn_{i}")));
            assert_eq!(row[at("group_id")], Read::Text("g\"1\\".into()));
            assert_eq!(row[at("schema")], Read::Text(format!("pg_é_{i}")));
            assert_eq!(row[at("paused")], Read::Bool(i % 2 == 0));
            assert_eq!(row[at("sync_frequency")], Read::Int(if i == 1 { 60 } else { 360 }));
            assert_eq!(row[at("schedule_type")], Read::Text("auto".into()), "a known state in its canonical case");
            assert_eq!(row[at("created_at")], Read::Time(1_704_067_200, 0));
            assert_eq!(row[at("succeeded_at")], Read::Time(1_706_774_400, 120_000_000), "10:00+02:00 is 08:00 UTC");
            assert_eq!(row[at("failed_at")], Read::Null);
            assert_eq!(row[at("status.sync_state")], Read::Text("something_new".into()));
            assert_eq!(row[at("status.is_historical_sync")], Read::Bool(true));
            assert_eq!(row[at("status.rescheduled_for")], Read::Null);
            assert_eq!(row[at("status.warnings")], Read::Json("[]".into()));
            let Read::Json(tasks) = &row[at("status.tasks")] else { panic!("tasks: {:?}", row[at("status.tasks")]) };
            let tasks: Value = serde_json::from_str(tasks).unwrap();
            assert_eq!((&tasks[0]["code"], &tasks[0]["message"]), (&json!("reconnect"), &json!("Re\tconnect")));
            assert_eq!(row[at("config")], Read::Json(connection(i)["config"].to_string()));
        }
        // After the last page: DONE, and the struct is not touched.
        assert_eq!(unsafe { fivetrex_list_next_rows(list.as_mut(), &mut rows, None) }, fivetrex_status::Done);
        fivetrex_list_free(unsafe { list.as_mut().map(|l| Box::from_raw(l)) });
        fivetrex_client_free(unsafe { client.as_mut().map(|c| Box::from_raw(c)) });
    }

    /// Destinations have columns of their own; rows and items mix on one list as pages and
    /// items do.
    #[test]
    fn destination_rows_and_items_mix() {
        let server = MockServer::start();
        let dest = |i: usize| {
            json!({"id": format!("d{i}"), "group_id": format!("d{i}"), "service": "snowflake",
            "region": null, "daylight_saving_time_enabled": true, "setup_status": "CONNECTED",
            "setup_tests": [{"title": "Host", "status": "PASSED"}], "config": {"user": "x"}})
        };
        server.mock(|when, then| {
            when.method(GET).path("/v1/destinations").query_param_missing("cursor");
            then.status(200).json_body(json!({"data": {"items": [dest(0), dest(1)], "next_cursor": "n"}}));
        });
        server.mock(|when, then| {
            when.method(GET).path("/v1/destinations").query_param("cursor", "n");
            then.status(200).json_body(json!({"data": {"items": [dest(2)]}}));
        });
        let client = client(&server.base_url());
        let mut list = std::ptr::null_mut();
        let status = unsafe { fivetrex_destination_list(client.as_ref(), std::ptr::null(), Some(&mut list), None) };
        assert_eq!(status, fivetrex_status::Ok);
        let names = columns(list);
        let at = |name: &str| names.iter().position(|n| n == name).unwrap();
        // One item from the first page, then the next page as rows: the item's page stays held.
        let mut text = std::ptr::null_mut();
        assert_eq!(fivetrex_list_next(unsafe { list.as_mut() }, Some(&mut text), None), fivetrex_status::Ok);
        assert_eq!(unsafe { CStr::from_ptr(text) }.to_str().unwrap(), dest(0).to_string());
        unsafe { fivetrex_string_free(text) };
        let mut rows = empty_rows();
        assert_eq!(unsafe { fivetrex_list_next_rows(list.as_mut(), &mut rows, None) }, fivetrex_status::Ok);
        let (page, next) = read(&rows);
        assert_eq!((page.len(), next), (1, None));
        assert_eq!(page[0][at("id")], Read::Text("d2".into()));
        assert_eq!(page[0][at("region")], Read::Null);
        assert_eq!(page[0][at("daylight_saving_time_enabled")], Read::Bool(true));
        assert_eq!(page[0][at("setup_status")], Read::Text("connected".into()));
        let Read::Json(tests) = &page[0][at("setup_tests")] else { panic!() };
        assert_eq!(serde_json::from_str::<Value>(tests).unwrap()[0]["title"], "Host");
        assert_eq!(page[0][at("config")], Read::Json(r#"{"user":"x"}"#.into()));
        // The held item of the first page still comes out.
        assert_eq!(fivetrex_list_next(unsafe { list.as_mut() }, Some(&mut text), None), fivetrex_status::Ok);
        assert_eq!(unsafe { CStr::from_ptr(text) }.to_str().unwrap(), dest(1).to_string());
        unsafe { fivetrex_string_free(text) };
        assert_eq!(fivetrex_list_next(unsafe { list.as_mut() }, Some(&mut text), None), fivetrex_status::Done);
        fivetrex_list_free(unsafe { list.as_mut().map(|l| Box::from_raw(l)) });
        fivetrex_client_free(unsafe { client.as_mut().map(|c| Box::from_raw(c)) });
    }

    /// A struct from an older or broken caller is refused before anything is sent, as is NULL.
    #[test]
    fn a_short_or_null_rows_struct_is_refused() {
        let server = MockServer::start();
        let pages = server.mock(|when, then| {
            when.method(GET).path("/v1/groups");
            then.status(200).json_body(json!({"data": {"items": []}}));
        });
        let client = client(&server.base_url());
        let mut list = std::ptr::null_mut();
        let status = unsafe { crate::fivetrex_group_list(client.as_ref(), std::ptr::null(), Some(&mut list), None) };
        assert_eq!(status, fivetrex_status::Ok);
        assert_eq!(columns(list), ["raw", "id", "name", "created_at"]);
        let mut short = empty_rows();
        short.struct_size = 16;
        let status = unsafe { fivetrex_list_next_rows(list.as_mut(), &mut short, None) };
        assert_eq!(status, fivetrex_status::InvalidArgument);
        let status = unsafe { fivetrex_list_next_rows(list.as_mut(), std::ptr::null_mut(), None) };
        assert_eq!(status, fivetrex_status::InvalidArgument);
        pages.assert_calls(0);
        let mut rows = empty_rows();
        assert_eq!(unsafe { fivetrex_list_next_rows(list.as_mut(), &mut rows, None) }, fivetrex_status::Ok);
        assert_eq!((rows.rows, rows.columns), (0, 4));
        fivetrex_list_free(unsafe { list.as_mut().map(|l| Box::from_raw(l)) });
        fivetrex_client_free(unsafe { client.as_mut().map(|c| Box::from_raw(c)) });
    }
}
