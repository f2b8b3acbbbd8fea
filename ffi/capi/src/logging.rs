//! The log callback: a `log::Log` that forwards the library's own records to a C function.

use super::boundary::entry;
use super::client::UserData;
use super::error::fivetrex_error;
use super::status::fivetrex_status;
use fivetrex_core::Error;
use std::ffi::{c_char, c_void, CString};
use std::sync::OnceLock;

/// The level of a log message, most severe first.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum fivetrex_log_level {
    /// A call failed for good.
    Error = 1,
    /// Something the caller may want to act on (a `Retry-After` over the cap, a deadline reached).
    Warn = 2,
    /// A retry.
    Info = 3,
    /// Each request and each failed answer.
    Debug = 4,
    /// The finest detail.
    Trace = 5,
}

/// Receives one log message: its level, the text (NUL-terminated UTF-8, never containing the API
/// secret; borrowed for the duration of the call only) and the `userdata` given to
/// `fivetrex_logger_set`. It runs on the thread that made the request, inside that call, possibly
/// on several threads at once. What it may call: the callback rule at the top of this header.
pub type fivetrex_log_callback =
    Option<unsafe extern "C" fn(level: fivetrex_log_level, message: *const c_char, userdata: *mut c_void)>;

struct Sink {
    callback: unsafe extern "C" fn(fivetrex_log_level, *const c_char, *mut c_void),
    userdata: UserData,
}

static SINK: OnceLock<Sink> = OnceLock::new();

struct CallbackLogger;

static LOGGER: CallbackLogger = CallbackLogger;

impl log::Log for CallbackLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        // Only the library's own records: dependencies' may be verbose, and the library's are the
        // ones written to hold no secret.
        metadata.target().starts_with("fivetrex") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        let Some(sink) = SINK.get() else { return };
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => fivetrex_log_level::Error,
            log::Level::Warn => fivetrex_log_level::Warn,
            log::Level::Info => fivetrex_log_level::Info,
            log::Level::Debug => fivetrex_log_level::Debug,
            log::Level::Trace => fivetrex_log_level::Trace,
        };
        // One record is one line for the callback: control characters in it (a server's text that
        // reached a message unescaped, say) are escaped, NUL included, so the C string is whole.
        let text = escape_controls(&record.args().to_string());
        let Ok(message) = CString::new(text) else { return };
        // SAFETY: the C caller promised a callable function and a matching userdata.
        unsafe { (sink.callback)(level, message.as_ptr(), sink.userdata.0) }
    }

    fn flush(&self) {}
}

/// Installs the log callback for the whole process: from then on the library's messages up to
/// `max_level` (a `FIVETREX_LOG_LEVEL_*` value; 0 turns logging off, values above TRACE mean TRACE)
/// go to `callback`. It can be installed once per process: a second call fails with
/// `FIVETREX_STATUS_CONFIG` (as does a call when another Rust logger was installed in the same
/// library), and NULL `callback` with `FIVETREX_STATUS_INVALID_ARGUMENT`.
///
/// Ownership: `userdata` is passed back as is and must stay valid (and safe to use from any
/// thread that makes requests) for the rest of the process. `*err` as for every fallible function.
#[no_mangle]
pub extern "C" fn fivetrex_logger_set(
    callback: fivetrex_log_callback,
    userdata: *mut c_void,
    max_level: u32,
    err: Option<&mut *mut fivetrex_error>,
) -> fivetrex_status {
    entry(err, || {
        let callback = callback.ok_or_else(|| Error::InvalidArgument("argument `callback` is NULL".into()))?;
        let filter = match max_level {
            0 => log::LevelFilter::Off,
            1 => log::LevelFilter::Error,
            2 => log::LevelFilter::Warn,
            3 => log::LevelFilter::Info,
            4 => log::LevelFilter::Debug,
            _ => log::LevelFilter::Trace,
        };
        let already = || Error::Config("a logger is already installed in this process".into());
        SINK.set(Sink { callback, userdata: UserData(userdata) }).map_err(|_| already())?;
        log::set_logger(&LOGGER).map_err(|_| already())?;
        log::set_max_level(filter);
        Ok(fivetrex_status::Ok)
    })
}

/// `text` with its control characters escaped (`\n`, `\0`, `\u{1b}`, ...), everything else as is.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}
