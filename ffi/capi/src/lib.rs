//! The C ABI of fivetrex: the functions behind `libfivetrex.so` / `libfivetrex.a` (package
//! `fivetrex-cdylib` links this crate under that name) and `include/fivetrex.h` (generated from
//! this crate by the repository's build.rs).
//!
//! A thin skin over the public Rust API of `fivetrex` (and nothing else: it is another crate):
//! every function converts its arguments, calls a [`Client`] method and converts the result.
//! There is no business logic here; the generic operation entry and its confirmation rules live
//! in `fivetrex::operation_call`.
//!
//! Conventions (those of rustls-ffi):
//! - every symbol and type starts with `fivetrex_`;
//! - handles ([`fivetrex_client`], [`fivetrex_list`], [`fivetrex_error`]) are opaque, created by a
//!   function that writes them to an out-pointer and released by their `_free`, which accepts NULL;
//! - every fallible function returns a [`fivetrex_status`] and takes a last `fivetrex_error **err`
//!   argument (NULL allowed) that receives a detailed error on failure and NULL on success;
//! - data crosses as UTF-8 JSON text; strings the library returns belong to the caller and are
//!   released with [`fivetrex_string_free`];
//! - one wrapper (`boundary::entry`) runs every entry point: it catches panics (answered with
//!   `FIVETREX_STATUS_PANIC`, never unwound into C) and fills in the error out-pointer; argument
//!   helpers answer NULL pointers, invalid UTF-8 and malformed JSON with
//!   `FIVETREX_STATUS_INVALID_ARGUMENT`.
//!
//! # Safety
//! The functions are `unsafe` because C cannot be checked: pointers must be NULL or point to what
//! the header says (a NUL-terminated string, a handle from this library not yet freed, a writable
//! out-pointer). Each function's documentation states who owns what and for how long; that text is
//! copied into the generated header.
//!
//! [`Client`]: fivetrex_core::Client

// The C names are the public contract (`fivetrex_client`, not `FivetrexClient`).
#![allow(non_camel_case_types)]
// The safety contract is stated once above and as ownership notes on each function.
#![allow(clippy::missing_safety_doc)]

// Declared in the order the header presents them (cbindgen follows this order).
mod status;

mod error;

mod client;

mod logging;

mod list;

mod rows;

mod call;

mod groups;

mod connections;

mod destinations;

mod resource;

mod sync;

mod fanout;

mod etf;

mod boundary;

mod writer;

pub use call::{
    fivetrex_operation_call, fivetrex_operation_list, fivetrex_operation_upload, fivetrex_raw_call, fivetrex_raw_list,
};
pub use client::{
    fivetrex_cancel_token, fivetrex_cancel_token_cancel, fivetrex_cancel_token_free,
    fivetrex_cancel_token_is_cancelled, fivetrex_cancel_token_new, fivetrex_client, fivetrex_client_free,
    fivetrex_client_from_env, fivetrex_client_new, fivetrex_client_options, fivetrex_client_with_cancel,
    fivetrex_retry_callback,
};
pub use connections::{
    fivetrex_connection_create, fivetrex_connection_delete, fivetrex_connection_get, fivetrex_connection_list,
    fivetrex_connection_resync, fivetrex_connection_sync, fivetrex_connection_update,
};
pub use destinations::{
    fivetrex_destination_create, fivetrex_destination_delete, fivetrex_destination_get, fivetrex_destination_list,
    fivetrex_destination_update,
};
pub use error::{
    fivetrex_error, fivetrex_error_api_code, fivetrex_error_api_message, fivetrex_error_free,
    fivetrex_error_http_status, fivetrex_error_message, fivetrex_error_retry_after_ms, fivetrex_error_status,
};
pub use etf::{fivetrex_elixir_bytes_free, fivetrex_elixir_etf_to_json, fivetrex_elixir_json_to_etf};
pub use fanout::{
    fivetrex_connection_get_many, fivetrex_connection_sync_and_wait_many, fivetrex_fanout_options,
    fivetrex_settled_callback, fivetrex_stop, fivetrex_stop_free, fivetrex_stop_new, fivetrex_stop_request,
};
pub use groups::{
    fivetrex_group_create, fivetrex_group_delete, fivetrex_group_get, fivetrex_group_list, fivetrex_group_update,
};
pub use list::{
    fivetrex_list, fivetrex_list_columns, fivetrex_list_free, fivetrex_list_next, fivetrex_list_next_page,
    fivetrex_list_next_rows, fivetrex_list_options,
};
pub use logging::{fivetrex_log_callback, fivetrex_log_level, fivetrex_logger_set};
pub use rows::{
    fivetrex_cell, fivetrex_rows, FIVETREX_CELL_BOOLEAN, FIVETREX_CELL_INTEGER, FIVETREX_CELL_JSON, FIVETREX_CELL_NULL,
    FIVETREX_CELL_TEXT, FIVETREX_CELL_TIME,
};
pub use status::{fivetrex_status, fivetrex_status_name};
pub use sync::{
    fivetrex_connection_sync_and_wait, fivetrex_connection_wait_for_sync, fivetrex_progress_callback,
    fivetrex_sync_outcome, fivetrex_wait_options,
};

use boundary::entry;
use std::ffi::{c_char, CString};

/// The library's version, e.g. `"0.1.0"`.
///
/// Ownership: a static string; never free it.
#[no_mangle]
pub extern "C" fn fivetrex_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Releases a string this library returned (JSON results, ...). NULL is a no-op.
///
/// Ownership: takes back `s`, which must come from this library and not have been freed; never
/// pass it a string from `malloc` or from a getter that returns `const char *`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_string_free(s: *mut c_char) {
    entry(None, || {
        if !s.is_null() {
            // SAFETY: the caller hands back a pointer from `CString::into_raw` (see boundary::put_string).
            drop(unsafe { CString::from_raw(s) });
        }
        Ok(())
    })
}

/// FOR TESTS ONLY, and so left out of the header (cbindgen.toml excludes it; a test declares it
/// itself): panics inside an entry point, to prove that a panic comes back as
/// `FIVETREX_STATUS_PANIC` (with an error whose message holds the panic's text) instead of
/// unwinding into C. The default Rust panic hook prints the panic to stderr.
///
/// Ownership: as every fallible function, `*err` (if `err` is not NULL) receives an error the
/// caller frees with `fivetrex_error_free`.
#[no_mangle]
pub unsafe extern "C" fn fivetrex_test_panic(err: Option<&mut *mut fivetrex_error>) -> fivetrex_status {
    entry(err, || -> fivetrex_core::Result<fivetrex_status> { panic!("fivetrex_test_panic was called") })
}
