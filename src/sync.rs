//! Sync and wait: trigger a connection's sync and block until it finishes, for orchestrators.
//!
//! The finish line is the connection's timestamps, not its `sync_state` (which lags and can
//! skip `syncing` altogether for a short sync): the baseline `max(succeeded_at, failed_at)` is
//! read *before* the trigger, so a sync that fails before the first poll is still seen, and the
//! sync is over when either timestamp moves past it. Paused, broken and rescheduled connections
//! are reported instead of being waited on forever; a transient error while polling is retried
//! by the client's policy and then simply polled through until the overall timeout, while a
//! permanent one (404, 401, ...) ends the wait. All waiting goes through the client's
//! [`Clock`](crate::retry::Clock), so tests with a [`ManualClock`](crate::retry::ManualClock)
//! never sleep.

use crate::api::connections::{Alert, Connection, SyncState};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::time::Timestamp;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Time between polls unless set.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(10);
/// Longest wait unless set.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(3600);

/// What to do while the connection waits for its source's API quota (`sync_state` =
/// `rescheduled`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WhenRescheduled {
    /// Keep polling until the sync finishes or the overall timeout (the default).
    #[default]
    KeepWaiting,
    /// Return [`SyncOutcome::Rescheduled`] at once, with `rescheduled_for` and the baseline to
    /// resume waiting with [`Client::wait_for_sync`].
    Return,
}

/// Called after every poll.
pub type ProgressHook = Arc<dyn Fn(&SyncProgress<'_>) + Send + Sync>;

/// How to wait.
///
/// ```
/// use fivetrex::sync::{WaitOptions, WhenRescheduled};
/// use std::time::Duration;
/// let opts = WaitOptions::new()
///     .poll_interval(Duration::from_secs(30))
///     .timeout(Duration::from_secs(2 * 3600))
///     .resume_if_paused(true)
///     .when_rescheduled(WhenRescheduled::Return)
///     .on_progress(|p| log::info!("poll {} after {:?}: {:?}", p.poll, p.elapsed, p.sync_state));
/// # let _ = opts;
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Time between polls (default 10 s; must not be zero).
    pub poll_interval: Duration,
    /// Longest overall wait, from the call until the last poll (default 1 h).
    pub timeout: Duration,
    /// Trigger with `force`: stop a running sync and start a new one (default false).
    pub force: bool,
    /// Resume a paused connection before triggering instead of reporting it (default false).
    pub resume_if_paused: bool,
    /// What to do while rescheduled (default: keep waiting).
    pub when_rescheduled: WhenRescheduled,
    /// Called after every poll.
    pub on_progress: Option<ProgressHook>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            poll_interval: DEFAULT_POLL_INTERVAL,
            timeout: DEFAULT_WAIT_TIMEOUT,
            force: false,
            resume_if_paused: false,
            when_rescheduled: WhenRescheduled::KeepWaiting,
            on_progress: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("poll_interval", &self.poll_interval)
            .field("timeout", &self.timeout)
            .field("force", &self.force)
            .field("resume_if_paused", &self.resume_if_paused)
            .field("when_rescheduled", &self.when_rescheduled)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// The defaults: poll every 10 s for up to 1 h, no force, report paused connections, keep
    /// waiting while rescheduled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the time between polls.
    pub fn poll_interval(mut self, d: Duration) -> Self {
        self.poll_interval = d;
        self
    }

    /// Sets the longest overall wait.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Triggers with `force`.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Resumes a paused connection first.
    pub fn resume_if_paused(mut self, resume: bool) -> Self {
        self.resume_if_paused = resume;
        self
    }

    /// Sets what to do while rescheduled.
    pub fn when_rescheduled(mut self, w: WhenRescheduled) -> Self {
        self.when_rescheduled = w;
        self
    }

    /// Calls `hook` after every poll.
    pub fn on_progress(mut self, hook: impl Fn(&SyncProgress<'_>) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(hook));
        self
    }

    fn check(&self) -> Result<()> {
        if self.poll_interval.is_zero() {
            return Err(Error::InvalidArgument("WaitOptions: poll_interval must not be zero".into()));
        }
        Ok(())
    }
}

/// What a progress hook sees after each poll.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncProgress<'a> {
    /// Polls so far, this one included (1 for the first).
    pub poll: u32,
    /// Time since the call started.
    pub elapsed: Duration,
    /// The sync state this poll read (`None` when the poll failed or the API left it out).
    pub sync_state: Option<&'a SyncState>,
    /// The connection this poll read (`None` when the poll failed).
    pub connection: Option<&'a Connection>,
    /// The transient error this poll ended with, after the client's retries (the wait goes on).
    pub error: Option<&'a Error>,
}

/// How a wait ended. Errors that end a wait (404, 401, ...) are `Err`s instead.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SyncOutcome {
    /// `succeeded_at` moved past the baseline (the newer of the two if both moved).
    Succeeded {
        /// The new `succeeded_at`.
        at: Timestamp,
        /// Time since the call started.
        elapsed: Duration,
        /// The connection as last read.
        connection: Box<Connection>,
    },
    /// `failed_at` moved past the baseline (the newer of the two, or both equal).
    Failed {
        /// The new `failed_at`.
        at: Timestamp,
        /// The connection's `status.tasks`: what someone must do.
        tasks: Vec<Alert>,
        /// The connection's `status.warnings`.
        warnings: Vec<Alert>,
        /// Time since the call started.
        elapsed: Duration,
        /// The connection as last read.
        connection: Box<Connection>,
    },
    /// The overall timeout passed before the sync finished.
    TimedOut {
        /// Time since the call started.
        elapsed: Duration,
        /// The baseline: pass it to [`Client::wait_for_sync`] to wait on.
        baseline: Option<Timestamp>,
        /// The connection as last read (`None` if no poll succeeded).
        connection: Option<Box<Connection>>,
    },
    /// The connection is paused: nothing will sync. Reported before triggering unless
    /// [`WaitOptions::resume_if_paused`] is set, or when it is paused during the wait.
    Paused {
        /// The connection as last read.
        connection: Box<Connection>,
    },
    /// The setup is broken (`setup_state` = `broken`): nothing will sync until someone fixes it.
    Broken {
        /// The connection's `status.tasks`.
        tasks: Vec<Alert>,
        /// The connection's `status.warnings`.
        warnings: Vec<Alert>,
        /// The connection as last read.
        connection: Box<Connection>,
    },
    /// The sync waits for the source's API quota (only with [`WhenRescheduled::Return`]).
    Rescheduled {
        /// `status.rescheduled_for`: when it will be tried again.
        until: Option<Timestamp>,
        /// The baseline: pass it to [`Client::wait_for_sync`] to wait on.
        baseline: Option<Timestamp>,
        /// The connection as last read.
        connection: Box<Connection>,
    },
}

impl SyncOutcome {
    /// True only for [`SyncOutcome::Succeeded`].
    pub fn is_success(&self) -> bool {
        matches!(self, SyncOutcome::Succeeded { .. })
    }

    /// A short name: `succeeded`, `failed`, `timed_out`, `paused`, `broken` or `rescheduled`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SyncOutcome::Succeeded { .. } => "succeeded",
            SyncOutcome::Failed { .. } => "failed",
            SyncOutcome::TimedOut { .. } => "timed_out",
            SyncOutcome::Paused { .. } => "paused",
            SyncOutcome::Broken { .. } => "broken",
            SyncOutcome::Rescheduled { .. } => "rescheduled",
        }
    }

    /// The connection as last read, when one was.
    pub fn connection(&self) -> Option<&Connection> {
        match self {
            SyncOutcome::Succeeded { connection, .. }
            | SyncOutcome::Failed { connection, .. }
            | SyncOutcome::Paused { connection }
            | SyncOutcome::Broken { connection, .. }
            | SyncOutcome::Rescheduled { connection, .. } => Some(connection),
            SyncOutcome::TimedOut { connection, .. } => connection.as_deref(),
        }
    }
}

fn moved(t: Option<Timestamp>, baseline: Option<Timestamp>) -> bool {
    match (t, baseline) {
        (Some(t), Some(b)) => t > b,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn broken(c: Box<Connection>) -> SyncOutcome {
    SyncOutcome::Broken { tasks: c.status.tasks.clone(), warnings: c.status.warnings.clone(), connection: c }
}

/// The outcome this reading of the connection settles; `Err` hands the connection back when it
/// settles nothing (keep polling).
fn judge(
    c: Box<Connection>,
    baseline: Option<Timestamp>,
    opts: &WaitOptions,
    elapsed: Duration,
) -> std::result::Result<SyncOutcome, Box<Connection>> {
    let ok = moved(c.succeeded_at, baseline).then_some(c.succeeded_at).flatten();
    let failed = moved(c.failed_at, baseline).then_some(c.failed_at).flatten();
    match (ok, failed) {
        (Some(at), f) if f.is_none_or(|f| at > f) => Ok(SyncOutcome::Succeeded { at, elapsed, connection: c }),
        (_, Some(at)) => Ok(SyncOutcome::Failed {
            at,
            tasks: c.status.tasks.clone(),
            warnings: c.status.warnings.clone(),
            elapsed,
            connection: c,
        }),
        _ if c.is_broken() => Ok(broken(c)),
        // The flag, not `sync_state`: right after a resume the state may still read `paused`.
        _ if c.paused => Ok(SyncOutcome::Paused { connection: c }),
        _ if c.is_rescheduled() && opts.when_rescheduled == WhenRescheduled::Return => {
            Ok(SyncOutcome::Rescheduled { until: c.status.rescheduled_for, baseline, connection: c })
        }
        _ => Err(c),
    }
}

impl Client {
    /// Triggers a sync of `connection_id` and waits until it finishes, fails, or the wait ends
    /// for another reason (see [`SyncOutcome`]).
    ///
    /// In order: reads the connection (a broken one is reported at once, a paused one too unless
    /// [`WaitOptions::resume_if_paused`]), takes the baseline `max(succeeded_at, failed_at)`,
    /// triggers the sync, then polls every [`WaitOptions::poll_interval`] until a timestamp moves
    /// past the baseline or [`WaitOptions::timeout`] passes.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::sync::{SyncOutcome, WaitOptions};
    /// match client.sync_and_wait("conn_1", &WaitOptions::new())? {
    ///     SyncOutcome::Succeeded { at, .. } => println!("synced at {at}"),
    ///     SyncOutcome::Failed { tasks, .. } => eprintln!("failed: {tasks:?}"),
    ///     other => eprintln!("not synced: {}", other.as_str()),
    /// }
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn sync_and_wait(&self, connection_id: &str, options: &WaitOptions) -> Result<SyncOutcome> {
        options.check()?;
        let start = self.clock().now();
        let mut connection = Box::new(self.connection(connection_id)?);
        if connection.is_broken() {
            return Ok(broken(connection));
        }
        if connection.is_paused() {
            if !options.resume_if_paused {
                return Ok(SyncOutcome::Paused { connection });
            }
            connection = Box::new(self.resume_connection(connection_id)?);
        }
        let baseline = connection.last_sync_at();
        self.sync_with(connection_id, options.force)?;
        self.poll_until_done(connection_id, baseline, options, start)
    }

    /// Waits for a sync someone already triggered: `baseline` is `max(succeeded_at, failed_at)`
    /// read before the trigger ([`Connection::last_sync_at`]). The first poll is immediate.
    pub fn wait_for_sync(
        &self,
        connection_id: &str,
        baseline: Option<Timestamp>,
        options: &WaitOptions,
    ) -> Result<SyncOutcome> {
        options.check()?;
        self.poll_until_done(connection_id, baseline, options, self.clock().now())
    }

    fn poll_until_done(
        &self,
        connection_id: &str,
        baseline: Option<Timestamp>,
        opts: &WaitOptions,
        start: Instant,
    ) -> Result<SyncOutcome> {
        let clock = self.clock();
        let mut polls = 0u32;
        let mut last: Option<Box<Connection>> = None;
        loop {
            let result = self.connection(connection_id);
            polls = polls.saturating_add(1);
            let elapsed = clock.now().saturating_duration_since(start);
            let mut server_wait = Duration::ZERO;
            match result {
                Ok(c) => {
                    if let Some(hook) = &opts.on_progress {
                        hook(&SyncProgress {
                            poll: polls,
                            elapsed,
                            sync_state: c.status.sync_state.as_ref(),
                            connection: Some(&c),
                            error: None,
                        });
                    }
                    match judge(Box::new(c), baseline, opts, elapsed) {
                        Ok(outcome) => return Ok(outcome),
                        Err(c) => last = Some(c),
                    }
                }
                Err(e) if self.retry_policy().is_retryable(&e, true) => {
                    log::warn!("polling connection {connection_id} failed ({e}); still waiting");
                    if let Some(hook) = &opts.on_progress {
                        hook(&SyncProgress {
                            poll: polls,
                            elapsed,
                            sync_state: None,
                            connection: None,
                            error: Some(&e),
                        });
                    }
                    server_wait = e.retry_after().unwrap_or_default();
                }
                Err(e) => return Err(e),
            }
            let elapsed = clock.now().saturating_duration_since(start);
            if elapsed >= opts.timeout {
                return Ok(SyncOutcome::TimedOut { elapsed, baseline, connection: last });
            }
            clock.sleep(opts.poll_interval.max(server_wait).min(opts.timeout - elapsed));
        }
    }
}
