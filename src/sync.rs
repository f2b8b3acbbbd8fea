//! Sync and wait: trigger a connection's sync and block until it finishes, for orchestrators.
//!
//! A success means "a sync that began after I asked has finished". In order,
//! [`Client::sync_and_wait`]:
//!
//! 1. reads the connection (a transient error there is polled through like any other): a broken
//!    one is reported at once, a paused one too unless [`WaitOptions::resume_if_paused`] (which
//!    leaves it resumed, and says so in [`SyncProgress::resumed`]);
//! 2. if a sync is already running and [`WaitOptions::force`] is off, waits for that sync to end
//!    first (with `force=false` the API starts nothing new while one runs, and a finish of a sync
//!    that began before the call must not count), then reads a fresh baseline; with `force` the
//!    API restarts the running sync and the next finish counts;
//! 3. takes the baseline, `succeeded_at` and `failed_at` *each on its own* ([`SyncBaseline`]):
//!    the sync is over when either timestamp moves past its own earlier value (comparing against
//!    the newer of the two would miss a success stamped earlier than an old failure);
//! 4. triggers the sync and polls until a timestamp moves, the connection breaks or is paused,
//!    or the timeout passes. While `rescheduled` on a **manual** schedule the API does not run
//!    the sync by itself: once `rescheduled_for` has passed, the sync is triggered again (with
//!    [`WhenRescheduled::KeepWaiting`]); on an auto schedule the wait goes on.
//!
//! [`WaitOptions::timeout`] bounds the whole call: every poll, retry, `Retry-After` and request
//! timeout inside it is clipped to the time left, so it returns within the timeout (plus the
//! time to close a socket). A [`CancelToken`] (from [`WaitOptions::cancel`] or
//! [`Client::with_cancel`]) ends it at once with [`Error::Cancelled`].
//! All waiting goes through the client's [`Clock`](crate::retry::Clock), so tests with a
//! [`ManualClock`](crate::retry::ManualClock) never sleep.

use crate::api::connections::{Alert, Connection, ScheduleType, SyncState};
use crate::cancel::CancelToken;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Scope;
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
    /// Keep polling until the sync finishes or the overall timeout (the default). On a manual
    /// schedule the sync is triggered again once `rescheduled_for` has passed, as the API asks.
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
    /// Trigger with `force`: stop a running sync and start a new one (default false). Without
    /// it, a sync already running is waited out before the trigger.
    pub force: bool,
    /// Resume a paused connection before triggering instead of reporting it (default false). The
    /// connection stays resumed afterwards; [`SyncProgress::resumed`] says so.
    pub resume_if_paused: bool,
    /// What to do while rescheduled (default: keep waiting).
    pub when_rescheduled: WhenRescheduled,
    /// Called after every poll.
    pub on_progress: Option<ProgressHook>,
    /// Ends the wait at once with [`Error::Cancelled`] when cancelled.
    pub cancel: Option<CancelToken>,
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
            cancel: None,
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
            .field("cancel", &self.cancel)
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

    /// Resumes a paused connection first (it stays resumed).
    pub fn resume_if_paused(mut self, resume: bool) -> Self {
        self.resume_if_paused = resume;
        self
    }

    /// Sets what to do while rescheduled.
    pub fn when_rescheduled(mut self, w: WhenRescheduled) -> Self {
        self.when_rescheduled = w;
        self
    }

    /// Watches `token`: cancelling it ends the wait at once with [`Error::Cancelled`].
    pub fn cancel(mut self, token: &CancelToken) -> Self {
        self.cancel = Some(token.clone());
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
    /// This call resumed the paused connection ([`WaitOptions::resume_if_paused`]); it stays
    /// resumed, so pause it again to undo.
    pub resumed: bool,
    /// The sync has been triggered (false while a sync that was already running is waited out).
    pub triggered: bool,
}

/// Where a sync wait starts from: `succeeded_at` and `failed_at` as read before the trigger,
/// compared each with its own later value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SyncBaseline {
    /// `succeeded_at` before the trigger.
    #[serde(default)]
    pub succeeded_at: Option<Timestamp>,
    /// `failed_at` before the trigger.
    #[serde(default)]
    pub failed_at: Option<Timestamp>,
}

impl SyncBaseline {
    /// A baseline from the two timestamps.
    pub fn new(succeeded_at: Option<Timestamp>, failed_at: Option<Timestamp>) -> Self {
        SyncBaseline { succeeded_at, failed_at }
    }

    /// The baseline of a connection as read now.
    pub fn of(connection: &Connection) -> Self {
        SyncBaseline { succeeded_at: connection.succeeded_at, failed_at: connection.failed_at }
    }

    /// The new `succeeded_at` and `failed_at` of `c`, each only if it moved past its own
    /// baseline.
    fn moved(&self, c: &Connection) -> (Option<Timestamp>, Option<Timestamp>) {
        (moved(c.succeeded_at, self.succeeded_at), moved(c.failed_at, self.failed_at))
    }
}

/// How a wait ended. Errors that end a wait (404, 401, ...) are `Err`s instead.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SyncOutcome {
    /// `succeeded_at` moved past its baseline (the newer of the two if both moved).
    Succeeded {
        /// The new `succeeded_at`.
        at: Timestamp,
        /// Time since the call started.
        elapsed: Duration,
        /// The connection as last read.
        connection: Box<Connection>,
    },
    /// `failed_at` moved past its baseline (the newer of the two if both moved, or both equal).
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
        /// The baseline: pass it to [`Client::wait_for_sync`] to wait on (`None` when the call
        /// timed out before it could read one).
        baseline: Option<SyncBaseline>,
        /// Whether the sync was triggered (false when a running sync, or the first read, took all
        /// the time).
        triggered: bool,
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
        baseline: SyncBaseline,
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

/// `t` if it moved past `baseline`.
fn moved(t: Option<Timestamp>, baseline: Option<Timestamp>) -> Option<Timestamp> {
    match (t, baseline) {
        (Some(t), Some(b)) if t > b => Some(t),
        (Some(t), None) => Some(t),
        _ => None,
    }
}

fn broken(c: Box<Connection>) -> SyncOutcome {
    SyncOutcome::Broken { tasks: c.status.tasks.clone(), warnings: c.status.warnings.clone(), connection: c }
}

/// The outcome this reading of the connection settles; `Err` hands the connection back when it
/// settles nothing (keep polling).
fn judge(
    c: Box<Connection>,
    baseline: &SyncBaseline,
    opts: &WaitOptions,
    elapsed: Duration,
) -> std::result::Result<SyncOutcome, Box<Connection>> {
    match baseline.moved(&c) {
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
            Ok(SyncOutcome::Rescheduled { until: c.status.rescheduled_for, baseline: *baseline, connection: c })
        }
        _ => Err(c),
    }
}

/// One wait in progress: the bounded client handle, the clock readings and the hook.
struct Waiter<'a> {
    client: Client,
    id: &'a str,
    opts: &'a WaitOptions,
    start: Instant,
    deadline: Option<Instant>,
    polls: u32,
    resumed: bool,
    triggered: bool,
    /// The read in progress is the first one, which takes the baseline.
    baseline_read: bool,
}

impl<'a> Waiter<'a> {
    fn new(client: &Client, id: &'a str, opts: &'a WaitOptions) -> Self {
        let start = client.clock().now();
        let deadline = start.checked_add(opts.timeout);
        let scope = Scope { cancel: opts.cancel.clone(), deadline };
        Waiter {
            client: client.scoped(&scope),
            id,
            opts,
            start,
            deadline,
            polls: 0,
            resumed: false,
            triggered: false,
            baseline_read: false,
        }
    }

    fn elapsed(&self) -> Duration {
        self.client.clock().now().saturating_duration_since(self.start)
    }

    fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|d| self.client.clock().now() >= d)
    }

    /// Sleeps up to `d` before the next read; wakes at once when cancelled. The sleep is
    /// clipped so that the last read starts a little before the deadline (with up to 1 s, or a
    /// tenth of the timeout, left for its request); `Ok(false)` when no read fits any more (the
    /// rest of the time has been waited out).
    fn sleep(&self, d: Duration) -> Result<bool> {
        let Some(deadline) = self.deadline else {
            self.client.retrier().sleep(self.client.scope(), d)?;
            return Ok(true);
        };
        let left = deadline.saturating_duration_since(self.client.clock().now());
        let reserve = (self.opts.timeout / 10).min(Duration::from_secs(1));
        if left <= reserve {
            self.client.retrier().sleep(self.client.scope(), left)?;
            return Ok(false);
        }
        self.client.retrier().sleep(self.client.scope(), d.min(left - reserve))?;
        Ok(true)
    }

    fn progress(&self, connection: Option<&Connection>, error: Option<&Error>) {
        if let Some(hook) = &self.opts.on_progress {
            hook(&SyncProgress {
                poll: self.polls,
                elapsed: self.elapsed(),
                sync_state: connection.and_then(|c| c.status.sync_state.as_ref()),
                connection,
                error,
                resumed: self.resumed,
                triggered: self.triggered,
            });
        }
    }

    /// Reads the connection once. `Ok(Err(wait))`: a transient failure (reported to the hook),
    /// with the wait the server asked for; a permanent one or a cancellation is an `Err`. The
    /// first read (the baseline) reaches the hook only when it fails.
    fn read(&mut self) -> Result<std::result::Result<Box<Connection>, Duration>> {
        let result = self.client.connection(self.id);
        self.polls = self.polls.saturating_add(1);
        match result {
            Ok(c) => {
                if self.baseline_read {
                    self.polls -= 1;
                } else {
                    self.progress(Some(&c), None);
                }
                Ok(Ok(Box::new(c)))
            }
            Err(Error::Cancelled) => Err(Error::Cancelled),
            Err(e) if self.client.retry_policy().is_retryable(&e, true) => {
                log::warn!("reading connection {} failed ({e}); still waiting", self.id);
                self.progress(None, Some(&e));
                Ok(Err(e.retry_after().unwrap_or_default()))
            }
            Err(e) => Err(e),
        }
    }

    /// Reads the connection, polling through transient failures; `None` when time runs out.
    fn read_patiently(&mut self) -> Result<Option<Box<Connection>>> {
        loop {
            match self.read()? {
                Ok(c) => return Ok(Some(c)),
                Err(server_wait) => {
                    if self.out_of_time() || !self.sleep(self.opts.poll_interval.max(server_wait))? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    fn timed_out(&self, baseline: Option<SyncBaseline>, connection: Option<Box<Connection>>) -> SyncOutcome {
        SyncOutcome::TimedOut { elapsed: self.elapsed(), baseline, triggered: self.triggered, connection }
    }

    /// Waits until the sync running now has ended (it stops reading `syncing`, or a timestamp
    /// moves). `Err` carries an outcome that ends the call (broken, paused, timed out).
    fn wait_out_running(
        &mut self,
        mut c: Box<Connection>,
    ) -> Result<std::result::Result<Box<Connection>, SyncOutcome>> {
        let running = SyncBaseline::of(&c);
        log::info!("connection {} is syncing; waiting for that sync to end before triggering", self.id);
        loop {
            if c.is_broken() {
                return Ok(Err(broken(c)));
            }
            if c.paused {
                return Ok(Err(SyncOutcome::Paused { connection: c }));
            }
            let (ok, failed) = running.moved(&c);
            if !c.is_syncing() || ok.is_some() || failed.is_some() {
                return Ok(Ok(c));
            }
            if self.out_of_time() || !self.sleep(self.opts.poll_interval)? {
                return Ok(Err(self.timed_out(None, Some(c))));
            }
            let fresh = self.read_patiently()?;
            match fresh {
                Some(fresh) => c = fresh,
                None => return Ok(Err(self.timed_out(None, Some(c)))),
            }
        }
    }

    fn trigger(&mut self) -> Result<()> {
        self.client.sync_with(self.id, self.opts.force)?;
        self.triggered = true;
        Ok(())
    }

    fn poll_until_done(&mut self, baseline: SyncBaseline) -> Result<SyncOutcome> {
        let client = self.client.clone();
        let clock = client.clock();
        let mut last: Option<Box<Connection>> = None;
        // The `rescheduled_for` a re-trigger was last sent for: once per reschedule.
        let mut retriggered_for: Option<Timestamp> = None;
        loop {
            let mut wait = self.opts.poll_interval;
            match self.read()? {
                Ok(c) => match judge(c, &baseline, self.opts, self.elapsed()) {
                    Ok(outcome) => return Ok(outcome),
                    Err(c) => {
                        if c.is_rescheduled()
                            && self.opts.when_rescheduled == WhenRescheduled::KeepWaiting
                            && c.schedule_type == Some(ScheduleType::Manual)
                        {
                            let until = c.status.rescheduled_for;
                            let now = Timestamp::from_system_time(clock.system_now());
                            match until {
                                Some(u) if u <= now && retriggered_for != Some(u) => {
                                    log::info!(
                                        "connection {} on a manual schedule was rescheduled for {u}; triggering again",
                                        self.id
                                    );
                                    self.client.sync_with(self.id, false)?;
                                    retriggered_for = Some(u);
                                }
                                Some(u) if u > now => {
                                    // Wake when it is due rather than up to a poll interval later.
                                    let due = u.to_system_time().duration_since(clock.system_now()).unwrap_or_default();
                                    wait = wait.min(due.saturating_add(Duration::from_millis(1)));
                                }
                                _ => {}
                            }
                        }
                        last = Some(c);
                    }
                },
                Err(server_wait) => wait = wait.max(server_wait),
            }
            if self.out_of_time() || !self.sleep(wait)? {
                return Ok(self.timed_out(Some(baseline), last));
            }
        }
    }
}

impl Client {
    /// Triggers a sync of `connection_id` and waits until a sync that began after the call has
    /// finished or failed, or the wait ends for another reason (see [`SyncOutcome`] and the
    /// [module docs](self) for the exact steps).
    ///
    /// A sync already running is waited out before the trigger (unless
    /// [`WaitOptions::force`], which restarts it); the timeout bounds the whole call; a
    /// cancelled [`WaitOptions::cancel`] token ends it with [`Error::Cancelled`].
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
        let mut w = Waiter::new(self, connection_id, options);
        w.baseline_read = true;
        let first = w.read_patiently()?;
        w.baseline_read = false;
        let Some(mut connection) = first else { return Ok(w.timed_out(None, None)) };
        if connection.is_broken() {
            return Ok(broken(connection));
        }
        if connection.is_paused() {
            if !options.resume_if_paused {
                return Ok(SyncOutcome::Paused { connection });
            }
            connection = Box::new(w.client.resume_connection(connection_id)?);
            w.resumed = true;
            log::info!("connection {connection_id} was paused and is now resumed; it stays resumed");
        }
        if connection.is_syncing() && !options.force {
            connection = match w.wait_out_running(connection)? {
                Ok(c) => c,
                Err(outcome) => return Ok(outcome),
            };
        }
        let baseline = SyncBaseline::of(&connection);
        w.trigger()?;
        w.poll_until_done(baseline)
    }

    /// Waits for a sync someone already triggered: `baseline` holds `succeeded_at` and
    /// `failed_at` as read before the trigger ([`SyncBaseline::of`]). The first poll is
    /// immediate; the timeout and cancellation work as in [`Client::sync_and_wait`].
    pub fn wait_for_sync(
        &self,
        connection_id: &str,
        baseline: &SyncBaseline,
        options: &WaitOptions,
    ) -> Result<SyncOutcome> {
        options.check()?;
        let mut w = Waiter::new(self, connection_id, options);
        w.triggered = true;
        w.poll_until_done(*baseline)
    }
}
