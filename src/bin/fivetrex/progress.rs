//! Progress on stderr (only when it is a terminal and not `--quiet`), Ctrl-C, and the `--verbose`
//! logger.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The progress display. Cheap to clone; every clone drives the same bar.
#[derive(Clone, Default)]
pub struct Ui {
    inner: Arc<UiInner>,
}

#[derive(Default)]
struct UiInner {
    enabled: bool,
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

/// The one display the Ctrl-C thread clears before the process exits.
static CURRENT: OnceLock<Ui> = OnceLock::new();

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        let ui = Ui {
            inner: Arc::new(UiInner {
                enabled: !quiet && std::io::stderr().is_terminal(),
                quiet,
                bar: Mutex::new(None),
            }),
        };
        let _ = CURRENT.set(ui.clone());
        ui
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.inner.bar.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start(&self, template: &str, message: String) {
        if !self.inner.enabled {
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style.tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "));
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(100));
        if let Some(old) = self.lock().replace(bar) {
            old.finish_and_clear();
        }
    }

    /// A spinner with the elapsed time, for `sync --wait`.
    pub fn spinner(&self, message: String) {
        self.start("{spinner} {msg} [{elapsed}]", message);
    }

    /// A counter of items and pages, for long walks.
    pub fn walk(&self, what: &str) {
        self.start(&format!("{{spinner}} {{pos}} {what} {{msg}} [{{elapsed}}]"), String::new());
    }

    pub fn set_message(&self, message: String) {
        if let Some(bar) = &*self.lock() {
            bar.set_message(message);
        }
    }

    pub fn progress(&self, position: u64, message: String) {
        if let Some(bar) = &*self.lock() {
            bar.set_position(position);
            bar.set_message(message);
        }
    }

    /// Says the client waits for the rate limit; a display is started if none runs.
    pub fn rate_limited(&self, wait: Duration) {
        if !self.inner.enabled {
            return;
        }
        let message = format!("rate limited (429): waiting {:.0} s", wait.as_secs_f64().ceil());
        let has_bar = self.lock().is_some();
        if has_bar {
            self.set_message(message);
        } else {
            self.spinner(message);
        }
    }

    /// Removes the display.
    pub fn clear(&self) {
        if let Some(bar) = self.lock().take() {
            bar.finish_and_clear();
        }
    }

    /// Runs `f` with the display hidden (for writing to a terminal it shares).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        let bar = self.lock().clone();
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// A remark for people on stderr (not with `--quiet`).
    pub fn note(&self, text: &str) {
        if !self.inner.quiet {
            self.suspend(|| eprintln!("{text}"));
        }
    }
}

/// Columns of the terminal on stdout (80 when unknown).
pub fn terminal_width() -> u16 {
    // SAFETY: TIOCGWINSZ fills a winsize we own; a failure leaves it zeroed.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    if ok && ws.ws_col > 0 {
        return ws.ws_col;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(80)
}

/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;

/// Makes Ctrl-C stop the command at once with [`INTERRUPTED`]: SIGINT is blocked in every thread
/// (call this before any thread starts, so they inherit the mask) and one thread takes it with
/// `sigwait`, clears the progress display and exits. Whatever request or wait is running is
/// abandoned rather than cancelled through a `CancelToken`: the process ends with it, and the
/// server sees at most a closed connection, so there is nothing to wind down first.
pub fn handle_ctrl_c() {
    // SAFETY: plain signal-set calls on a set we own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        let spawned = std::thread::Builder::new().name("ctrl-c".into()).spawn(move || {
            let mut sig = 0;
            if libc::sigwait(&set, &mut sig) == 0 {
                if let Some(ui) = CURRENT.get() {
                    ui.clear();
                }
                eprintln!("interrupted");
                std::process::exit(INTERRUPTED);
            }
        });
        if spawned.is_err() {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

/// `--verbose`: the library's own log records on stderr, never those of the HTTP stack (ureq can
/// dump raw traffic, credentials included), and never the secret even if a message carried it.
pub struct Logger {
    pub level: log::LevelFilter,
    pub secret: Option<String>,
    pub ui: Ui,
}

impl log::Log for Logger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= self.level && (m.target() == "fivetrex" || m.target().starts_with("fivetrex::"))
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let mut text = record.args().to_string();
        if let Some(secret) = self.secret.as_deref().filter(|s| !s.is_empty()) {
            text = text.replace(secret, "***");
        }
        let level = record.level().as_str().to_lowercase();
        self.ui.suspend(|| eprintln!("{level}: {text}"));
    }

    fn flush(&self) {}
}
