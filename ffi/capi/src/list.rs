//! List handles: a lazy walk over a list operation, item by item or page by page, one page in
//! memory at a time (a [`List`] underneath).

use super::boundary::{entry, optional_text, out, put_handle, put_json_text, required, write_json};
use super::error::fivetrex_error;
use super::rows::{fivetrex_rows, Columns, Rows};
use super::status::fivetrex_status;
use fivetrex_core::page::{List, SourcedPage};
use fivetrex_core::{Error, Result};
use serde::de::DeserializeOwned;
use std::ffi::c_char;

/// A lazy walk over a list. It fetches a page only when the previous one is used up and holds
/// one page in memory. Use it from one thread at a time; it keeps its own reference to the
/// client. After an error the walk is over (the next call returns `FIVETREX_STATUS_DONE`).
pub struct fivetrex_list {
    walk: Box<dyn Walk>,
    /// The JSON of the current item or page, reused: it grows to the largest item once.
    json: Vec<u8>,
    /// The cells of the current page (`fivetrex_list_next_rows`), reused likewise.
    rows: Rows,
}

/// How a list starts. Zero-initialise it and set `struct_size`; NULL options mean every default.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct fivetrex_list_options {
    /// `sizeof` this struct, set by the caller (`opts.struct_size = sizeof opts`): it lets later
    /// versions add fields without breaking programs built against this header.
    pub struct_size: usize,
    /// Items per request, 1..=1000 (0: 1000, the API's maximum). Out of range, the first call to
    /// next fails with `FIVETREX_STATUS_INVALID_ARGUMENT`.
    pub page_size: u32,
    /// Start from this cursor (a `next_cursor` of an earlier page) instead of the first page;
    /// NULL or `""` for the first page. Copied.
    pub cursor: *const c_char,
}

/// A list of any model, as JSON written into the buffer it is given.
trait Walk: Send {
    fn next_item(&mut self, json: &mut Vec<u8>) -> Option<Result<()>>;
    fn next_page(&mut self, json: &mut Vec<u8>) -> Option<Result<()>>;
    fn next_rows(&mut self, rows: &mut Rows) -> Option<Result<()>>;
    fn columns(&self) -> &'static [&'static str];
}

/// A walk whose items are decoded once, as the model `T` (so an item of the wrong shape fails
/// here as it does for a Rust caller), with the JSON text each came from
/// ([`List::next_sourced_page`]). That text goes to C verbatim: a field the model does not know
/// yet reaches the host, no field the API left out is added, numbers keep their digits and
/// timestamps their offset. The model feeds the cells of `fivetrex_list_next_rows`.
struct Sourced<T> {
    list: List<T>,
    /// The page item-by-item calls hand out from, and the index of the next item in it.
    held: Option<(SourcedPage<T>, usize)>,
}

impl<T: DeserializeOwned + Send + Columns> Walk for Sourced<T> {
    fn next_item(&mut self, json: &mut Vec<u8>) -> Option<Result<()>> {
        loop {
            if let Some((page, next)) = &mut self.held {
                if let Some(text) = page.source(*next) {
                    *next += 1;
                    json.clear();
                    json.extend_from_slice(text.as_bytes());
                    return Some(Ok(()));
                }
            }
            self.held = None;
            match self.list.next_sourced_items()? {
                Ok(page) => self.held = Some((page, 0)),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn next_page(&mut self, json: &mut Vec<u8>) -> Option<Result<()>> {
        Some(self.list.next_sourced_page()?.and_then(|page| {
            json.clear();
            json.extend_from_slice(b"{\"items\":[");
            for i in 0..page.items.len() {
                if i > 0 {
                    json.push(b',');
                }
                json.extend_from_slice(page.source(i).unwrap_or("null").as_bytes());
            }
            json.extend_from_slice(b"],\"next_cursor\":");
            let mut cursor = Vec::new();
            write_json(&mut cursor, &page.next_cursor)?;
            json.extend_from_slice(&cursor);
            json.push(b'}');
            Ok(())
        }))
    }

    fn next_rows(&mut self, rows: &mut Rows) -> Option<Result<()>> {
        Some(self.list.next_sourced_page()?.and_then(|page| {
            rows.start(1 + T::NAMES.len(), page.next_cursor.as_deref(), page.text())?;
            for (i, item) in page.items.iter().enumerate() {
                rows.push(page.span(i).unwrap_or_default(), item);
            }
            Ok(())
        }))
    }

    fn columns(&self) -> &'static [&'static str] {
        T::NAMES
    }
}

impl fivetrex_list {
    /// Applies the options and wraps the list.
    ///
    /// # Safety
    /// `opts.cursor` is NULL or a NUL-terminated string.
    pub(crate) unsafe fn new<T>(mut list: List<T>, opts: Option<&fivetrex_list_options>) -> Result<Self>
    where
        T: DeserializeOwned + Send + Columns + 'static,
    {
        if let Some(o) = opts {
            if o.page_size != 0 {
                list = list.page_size(o.page_size);
            }
            // SAFETY: guaranteed by the caller.
            if let Some(cursor) = unsafe { optional_text(o.cursor, "options.cursor") }? {
                list = list.resume_from(cursor);
            }
        }
        Ok(fivetrex_list { walk: Box::new(Sourced { list, held: None }), json: Vec::new(), rows: Rows::default() })
    }

    /// Wraps a list and hands the handle to C.
    ///
    /// # Safety
    /// As [`fivetrex_list::new`].
    pub(crate) unsafe fn put<T>(
        slot: &mut *mut fivetrex_list,
        list: List<T>,
        opts: *const fivetrex_list_options,
    ) -> Result<fivetrex_status>
    where
        T: DeserializeOwned + Send + Columns + 'static,
    {
        // SAFETY (both): passed on from the caller.
        let opts = unsafe { super::boundary::options(opts, "options") }?;
        Ok(put_handle(slot, unsafe { Self::new(list, opts.as_ref()) }?))
    }
}

fn step(
    list: Option<&mut fivetrex_list>,
    out_json: Option<&mut *mut c_char>,
    next: impl FnOnce(&mut dyn Walk, &mut Vec<u8>) -> Option<Result<()>>,
) -> Result<fivetrex_status> {
    let slot = out(out_json, "out_json")?;
    let list = required(list, "list")?;
    match next(&mut *list.walk, &mut list.json) {
        None => Ok(fivetrex_status::Done),
        Some(written) => {
            written?;
            put_json_text(slot, &list.json);
            Ok(fivetrex_status::Ok)
        }
    }
}

/// Moves to the next item: returns `FIVETREX_STATUS_OK` with the item's JSON object in `*out_json`,
/// `FIVETREX_STATUS_DONE` (and NULL) after the last item, or an error status (and NULL). Fetches a
/// page from the server when the current one is used up. Mixing with `fivetrex_list_next_page`: see Lists at the top of this header.
///
/// Ownership: borrows `list` mutably (one thread at a time). `*out_json` receives a string the
/// caller frees with `fivetrex_string_free`. `*err` as for every fallible function.
#[no_mangle]
pub extern "C" fn fivetrex_list_next(
    list: Option<&mut fivetrex_list>,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || step(list, out_json, |w, json| w.next_item(json)))
}

/// Moves to the next item like `fivetrex_list_next`, but lends the item's JSON instead of
/// handing over a copy: no allocation, copy or `strlen` per item. Returns `FIVETREX_STATUS_OK`
/// with `*out_json` pointing to `*out_len` bytes of UTF-8 JSON (an object, followed by a NUL byte
/// not counted in `*out_len`), `FIVETREX_STATUS_DONE` (NULL and 0) after the last item, or an
/// error status (NULL and 0). Fetches a page when the current one is used up. Items come from the
/// same buffer as `fivetrex_list_next`'s, so the two mix freely. Mixing with `fivetrex_list_next_page`: see Lists at the top of this header.
///
/// Ownership: borrows `list` mutably (one thread at a time). `*out_json` points into the list's
/// own buffer: it stays valid and unchanged only until the next call on `list` (any
/// `fivetrex_list_next*`) or `fivetrex_list_free(list)`, whichever comes first. The caller must
/// not free it, write through it or keep it longer; copy the bytes to keep them. `*err` as for
/// every fallible function.
#[no_mangle]
pub extern "C" fn fivetrex_list_next_borrowed(
    list: Option<&mut fivetrex_list>,
    out_json: Option<&mut *const c_char>,
    out_len: Option<&mut usize>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = required(out_json, "out_json")?;
        *slot = std::ptr::null();
        let len = required(out_len, "out_len")?;
        *len = 0;
        let list = required(list, "list")?;
        match list.walk.next_item(&mut list.json) {
            None => Ok(fivetrex_status::Done),
            Some(written) => {
                written?;
                // The NUL keeps the text usable as a C string; the next write clears the buffer.
                // No NUL inside: see `put_json_text`.
                *len = list.json.len();
                list.json.push(0);
                *slot = list.json.as_ptr().cast();
                Ok(fivetrex_status::Ok)
            }
        }
    })
}

/// Fetches the next whole page: returns `FIVETREX_STATUS_OK` with
/// `{"items":[...],"next_cursor":"..."}` in `*out_json` (`next_cursor` is null on the last page;
/// pass it as `fivetrex_list_options.cursor` to resume later), `FIVETREX_STATUS_DONE` after the last
/// page, or an error status. Mixing with `fivetrex_list_next`: see Lists at the top of this header.
///
/// Ownership: as `fivetrex_list_next`.
#[no_mangle]
pub extern "C" fn fivetrex_list_next_page(
    list: Option<&mut fivetrex_list>,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || step(list, out_json, |w, json| w.next_page(json)))
}

/// Fetches the next whole page as rows of typed cells: each item decoded once by the library
/// (as `fivetrex_list_next` checks it) and its fields handed over without JSON to parse. Returns
/// `FIVETREX_STATUS_OK` with `*out_rows` filled, `FIVETREX_STATUS_DONE` after the last page, or an
/// error status. Column 0 of every row is `raw`, the item's JSON as the API sent it (a
/// `FIVETREX_CELL_JSON`); the columns after it are the model's fields, named by
/// `fivetrex_list_columns` (groups, connections and destinations have them; other lists hand over
/// `raw` alone). A field the item lacks or sends as null is a `FIVETREX_CELL_NULL`; a state or
/// enum reads as the library's canonical text (lower case for the known connection states).
/// Mixing with `fivetrex_list_next`: as `fivetrex_list_next_page`.
///
/// Ownership: borrows `list` mutably (one thread at a time). `out_rows` is written by the
/// library; its `struct_size` must be set by the caller. Every pointer put in it points into the
/// list's own buffers: valid and unchanged only until the next call on `list` (any
/// `fivetrex_list_next*`) or `fivetrex_list_free(list)`; copy what you keep. `*err` as for every
/// fallible function.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_list_next_rows(
    list: Option<&mut fivetrex_list>,
    out_rows: *mut fivetrex_rows,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        if out_rows.is_null() {
            return Err(Error::InvalidArgument("argument `out_rows` is NULL".into()));
        }
        // SAFETY: a caller's struct, which starts with its `struct_size`.
        let size = unsafe { out_rows.cast::<usize>().read_unaligned() };
        if size < std::mem::size_of::<fivetrex_rows>() {
            return Err(Error::InvalidArgument(format!(
                "argument `out_rows` has struct_size {size}: set it to sizeof(fivetrex_rows)"
            )));
        }
        let list = required(list, "list")?;
        match list.walk.next_rows(&mut list.rows) {
            None => Ok(fivetrex_status::Done),
            Some(done) => {
                done?;
                let mut filled = fivetrex_rows::empty(size);
                list.rows.put(&mut filled)?;
                // SAFETY: the caller's struct holds at least this version's fields (checked
                // above); only they are written, a newer header's later fields are left alone.
                unsafe { out_rows.write_unaligned(filled) };
                Ok(fivetrex_status::Ok)
            }
        }
    })
}

/// The names of the columns `fivetrex_list_next_rows` hands over for this list, as a JSON array
/// of strings (`["raw","id","name","created_at"]` for groups): a host finds each field by name,
/// so columns a later version adds never shift the ones it knows.
///
/// Ownership: borrows `list`. `*out_json` receives a string the caller frees with
/// `fivetrex_string_free`. `*err` as for every fallible function.
#[no_mangle]
pub extern "C" fn fivetrex_list_columns(
    list: Option<&fivetrex_list>,
    out_json: Option<&mut *mut c_char>,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let slot = out(out_json, "out_json")?;
        let list = required(list, "list")?;
        let mut names = vec!["raw"];
        names.extend_from_slice(list.walk.columns());
        super::boundary::put_json(slot, &names)
    })
}

/// Frees a list (the page it holds included). NULL is a no-op.
///
/// Ownership: takes `list`, which must come from this library and not have been freed.
#[no_mangle]
pub extern "C" fn fivetrex_list_free(list: Option<Box<fivetrex_list>>) {
    entry(None, || {
        drop(list);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fivetrex_client_free, fivetrex_client_new, fivetrex_connection_list, fivetrex_string_free};
    use httpmock::prelude::*;
    use serde_json::{json, Value};
    use std::ffi::{CStr, CString};

    /// A connection with every kind of field the writer meets: escapes, non-ASCII, a fraction in
    /// a timestamp, nulls, enums (one unknown), alerts, and raw `config` with odd spacing.
    fn connection(i: usize) -> Value {
        json!({
            "id": format!("conn_{i}"), "group_id": "g\"1\\", "service": "postgres", "schema": format!("pg_é_{i}"),
            "service_version": 3, "paused": i % 2 == 0, "pause_after_trial": false, "connected_by": "user\n1",
            "created_at": "2024-01-01T00:00:00Z", "succeeded_at": "2024-02-01T10:00:00.120Z", "failed_at": null,
            "sync_frequency": 360, "schedule_type": "auto", "daily_sync_time": "03:00",
            "data_delay_sensitivity": "SOMETHING_NEW", "networking_method": "Directly",
            "status": { "setup_state": "broken", "sync_state": "scheduled", "update_state": "delayed",
                        "is_historical_sync": true, "tasks": [{"code": "reconnect", "message": "Re\tconnect"}],
                        "warnings": [] },
            "unknown_field": {"ignored": true},
            "config": { "host" :"db", "port":5432, "password": "p\u{0001}w", "list": [1, 2.50, null] }
        })
    }

    fn walk(url: &str) -> Vec<String> {
        let (key, secret, base) = (c"key", c"secret", CString::new(url).unwrap());
        let mut client = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_client_new(key.as_ptr(), secret.as_ptr(), base.as_ptr(), std::ptr::null(), Some(&mut client), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        let mut list = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_connection_list(client.as_ref(), std::ptr::null(), std::ptr::null(), Some(&mut list), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        let mut items = Vec::new();
        let mut text = std::ptr::null_mut();
        while fivetrex_list_next(unsafe { list.as_mut() }, Some(&mut text), None) == fivetrex_status::Ok {
            items.push(unsafe { CStr::from_ptr(text) }.to_str().unwrap().to_owned());
            unsafe { fivetrex_string_free(text) };
        }
        fivetrex_list_free(unsafe { list.as_mut().map(|l| Box::from_raw(l)) });
        fivetrex_client_free(unsafe { client.as_mut().map(|c| Box::from_raw(c)) });
        items
    }

    #[test]
    fn each_item_is_the_json_the_api_sent() {
        let server = MockServer::start();
        let page = |items: Vec<Value>, next: Option<&str>| json!({"code": "Success", "data": {"items": items, "next_cursor": next}});
        let pages = [
            server.mock(|when, then| {
                when.method(GET).path("/v1/connections").query_param_missing("cursor");
                then.status(200).json_body(page(vec![connection(0), connection(1)], Some("c2")));
            }),
            server.mock(|when, then| {
                when.method(GET).path("/v1/connections").query_param("cursor", "c2");
                then.status(200).json_body(page(vec![connection(2)], Some("c3")));
            }),
            server.mock(|when, then| {
                when.method(GET).path("/v1/connections").query_param("cursor", "c3");
                then.status(200).json_body(page(vec![connection(3)], None));
            }),
        ];
        let items = walk(&server.base_url());
        pages.iter().for_each(|m| m.assert_calls(1));
        assert_eq!(items.len(), 4);
        for (i, text) in items.iter().enumerate() {
            // Byte for byte what the server sent: unknown fields kept, nothing added.
            assert_eq!(text, &connection(i).to_string(), "item {i}");
        }
        assert!(items[1].contains(r#""unknown_field":{"ignored":true}"#), "{}", items[1]);
        assert!(!items[1].contains("data_delay_threshold"), "a field the API did not send: {}", items[1]);
    }

    #[test]
    fn an_item_that_does_not_decode_as_the_model_is_an_error() {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method(GET).path("/v1/connections");
            then.status(200).json_body(json!({"data": {"items": [connection(0), {"id": ["not", "text"]}]}}));
        });
        let (key, secret, base) = (c"key", c"secret", CString::new(server.base_url()).unwrap());
        let mut client = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_client_new(key.as_ptr(), secret.as_ptr(), base.as_ptr(), std::ptr::null(), Some(&mut client), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        let mut list = std::ptr::null_mut();
        let status = unsafe {
            fivetrex_connection_list(client.as_ref(), std::ptr::null(), std::ptr::null(), Some(&mut list), None)
        };
        assert_eq!(status, fivetrex_status::Ok);
        let mut text = std::ptr::null_mut();
        assert_eq!(fivetrex_list_next(unsafe { list.as_mut() }, Some(&mut text), None), fivetrex_status::Decode);
        assert!(text.is_null());
        fivetrex_list_free(unsafe { list.as_mut().map(|l| Box::from_raw(l)) });
        fivetrex_client_free(unsafe { client.as_mut().map(|c| Box::from_raw(c)) });
    }
}
