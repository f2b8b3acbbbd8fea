//! Retry, backoff and the shared throttle.
//!
//! Every request runs inside [`RetryPolicy`]'s loop: before each attempt the shared throttle may make
//! it wait (a 429 seen by any request of the client pauses all of them; an optional client-side
//! request rate); after a failure the policy decides whether to try again and how long to sleep.
//! Time comes from a [`Clock`], so tests can check every wait without sleeping.

use crate::cancel::CancelToken;
use crate::error::{ApiError, Error};
use crate::lock::lock;
use crate::transport::HttpResponse;
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Where the client reads the time and how it sleeps. Replace it to test waits without waiting.
pub trait Clock: Send + Sync {
    /// A monotonic now.
    fn now(&self) -> Instant;
    /// The wall-clock now (used for `Retry-After` HTTP-dates).
    fn system_now(&self) -> SystemTime;
    /// Blocks the calling thread for `d`.
    fn sleep(&self, d: Duration);
    /// Blocks for `d` unless `cancel` is (or becomes) cancelled first. The default checks the
    /// token, then sleeps the whole `d`; [`SystemClock`] wakes the moment the token is cancelled
    /// and [`ManualClock`] does not move time for a cancelled token.
    fn sleep_unless_cancelled(&self, d: Duration, cancel: Option<&CancelToken>) {
        if !cancel.is_some_and(CancelToken::is_cancelled) {
            self.sleep(d);
        }
    }
}

/// The real clock: `Instant::now`, `SystemTime::now`, `thread::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d)
    }
    fn sleep_unless_cancelled(&self, d: Duration, cancel: Option<&CancelToken>) {
        match cancel {
            Some(token) => {
                token.wait_timeout(d);
            }
            None => std::thread::sleep(d),
        }
    }
}

/// A clock that never blocks: `sleep` records the wait and moves virtual time forward.
///
/// ```
/// use fivetrex::retry::{Clock, ManualClock};
/// use std::time::Duration;
/// let clock = ManualClock::new();
/// let t0 = clock.now();
/// clock.sleep(Duration::from_secs(3));
/// assert_eq!(clock.now() - t0, Duration::from_secs(3));
/// assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
/// ```
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    start_system: SystemTime,
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A clock at the current time that has not slept yet.
    pub fn new() -> Self {
        ManualClock {
            start: Instant::now(),
            start_system: SystemTime::now(),
            state: Mutex::new((Duration::ZERO, Vec::new())),
        }
    }

    /// Moves time forward without recording a sleep.
    pub fn advance(&self, d: Duration) {
        let mut s = lock(&self.state);
        s.0 = s.0.saturating_add(d);
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        lock(&self.state).1.clone()
    }

    /// How far virtual time has moved.
    pub fn elapsed(&self) -> Duration {
        lock(&self.state).0
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        later(self.start, lock(&self.state).0)
    }
    fn system_now(&self) -> SystemTime {
        let elapsed = lock(&self.state).0;
        self.start_system.checked_add(elapsed).unwrap_or(self.start_system + FAR)
    }
    fn sleep(&self, d: Duration) {
        let mut s = lock(&self.state);
        s.0 = s.0.saturating_add(d);
        s.1.push(d);
    }
}

/// A stand-in for "later than anything that matters" (about 100 years) where a sum would not fit
/// in an `Instant` or a `SystemTime`.
const FAR: Duration = Duration::from_secs(100 * 365 * 86_400);

/// `t + d`, saturating: a sum past what an `Instant` holds becomes "about 100 years on".
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(FAR)).unwrap_or(t)
}

/// When and how often to try again.
///
/// Defaults (each tested): 5 attempts in all; backoff 500 ms doubling per retry, each wait capped at
/// 30 s, with jitter (each wait drawn between half and all of the computed backoff); a
/// `Retry-After` up to 60 s is honoured (the wait is the larger of it and the backoff) and a longer
/// one is returned to the caller as [`Error::RateLimited`] instead of slept; either way the pause
/// window is recorded for the whole client, so later calls inside it wait their turn or, when the
/// remaining pause is over the cap (or past their deadline), fail at once as
/// [`Error::RateLimited`] with the remaining time; an overall deadline of 5 minutes per call, which
/// bounds every wait and clips the timeout of every request (a call returns by its deadline, not
/// one request timeout later); requests that create things are not retried after an ambiguous
/// failure. A `Retry-After` too large to represent counts as "very long" (over any sane cap).
///
/// ```
/// use fivetrex::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(3) // the first try and two retries
///     .with_backoff(Duration::from_millis(10), Duration::from_secs(1))
///     .with_max_retry_after(Duration::from_secs(30))
///     .with_deadline(Some(Duration::from_secs(60)));
/// assert_eq!(policy.backoff(1), Duration::from_millis(10)); // before jitter
/// assert_eq!(policy.backoff(2), Duration::from_millis(20));
///
/// # #[cfg(feature = "emulator")] {
/// use fivetrex::emulator::{Emulator, Fault};
///
/// // A local Fivetran (cargo feature `emulator`) that answers 503 twice, then the groups.
/// let emu = Emulator::builder().seed(2, 0).start()?;
/// let client = emu.client_builder().retry_policy(policy).build()?;
/// emu.add_fault(Fault::status("/v1/groups", 503).times(2));
/// assert_eq!(client.groups().count(), 2);
/// assert_eq!(emu.requests().len(), 3);
///
/// // Three 503s use up the three attempts: the last error is returned.
/// emu.add_fault(Fault::status("/v1/groups", 503).times(3));
/// let err = client.groups().next().unwrap().unwrap_err();
/// assert_eq!(err.status(), Some(503));
/// assert_eq!(emu.requests().len(), 6);
/// # }
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 turns retrying off).
    pub max_attempts: u32,
    /// Wait before the first retry.
    pub base_delay: Duration,
    /// Cap on one computed backoff wait.
    pub max_delay: Duration,
    /// Draw each wait between half and all of the computed backoff.
    pub jitter: bool,
    /// Longest `Retry-After` that is slept; a longer one ends the call with the error.
    pub max_retry_after: Duration,
    /// Bounds a whole call from its first attempt: no wait runs past it, no retry starts after
    /// it, and each request's timeout is clipped to the time left. One `next()` of a list walk
    /// is one call, however many (empty) pages it fetches.
    pub deadline: Option<Duration>,
    /// Also retry non-idempotent requests (POST creates) after an ambiguous failure (5xx, a reset
    /// after sending, a timeout). Off by default: a duplicate resource is worse than an error.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
            deadline: Some(Duration::from_secs(300)),
            retry_non_idempotent: false,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("max_retry_after", &self.max_retry_after)
            .field("deadline", &self.deadline)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .finish()
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// Sets the number of attempts in all.
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets the first backoff wait and the cap on each wait.
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }

    /// Turns jitter on or off.
    pub fn with_jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Sets the longest `Retry-After` that is slept.
    pub fn with_max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Sets or removes the overall deadline.
    pub fn with_deadline(mut self, d: Option<Duration>) -> Self {
        self.deadline = d;
        self
    }

    /// Allows retrying creates after ambiguous failures.
    pub fn with_retry_non_idempotent(mut self, on: bool) -> Self {
        self.retry_non_idempotent = on;
        self
    }

    /// The backoff before retry number `retry` (1 for the first retry), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(31));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// Whether the policy retries this error by default. `idempotent` is false for requests that
    /// create something.
    pub fn is_retryable(&self, err: &Error, idempotent: bool) -> bool {
        let may_repeat = idempotent || self.retry_non_idempotent;
        match err {
            Error::RateLimited { .. } => true,
            Error::Server(e) => matches!(e.status, 500 | 502 | 503 | 504) && may_repeat,
            Error::Http(e) => e.status == 408 && may_repeat,
            Error::Transport(t) => match t.kind {
                crate::TransportErrorKind::BodyTooLarge
                | crate::TransportErrorKind::Tls
                | crate::TransportErrorKind::Protocol
                | crate::TransportErrorKind::Dns => false,
                _ => !t.request_sent || may_repeat,
            },
            Error::Timeout { request_sent, .. } => !request_sent || may_repeat,
            _ => false,
        }
    }
}

/// What a retry hook is told before the client sleeps and tries again.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// The failure that is being retried.
    pub error: &'a Error,
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// How long the client will wait before the next attempt.
    pub delay: Duration,
}

/// Called before each retry.
pub type RetryHook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;
/// Overrides the retry decision: `Some(true)` retry, `Some(false)` stop, `None` the policy decides.
/// Its arguments are the error and the attempt that failed.
pub type RetryPredicate = Arc<dyn Fn(&Error, u32) -> Option<bool> + Send + Sync>;

/// Per-call retry settings for [`Client::with_retry_opts`](crate::Client::with_retry_opts): each
/// unset field falls back to the client's policy and hooks. No second client is built, so the
/// shared pause window and rate limit still apply.
///
/// ```
/// use fivetrex::retry::RetryOptions;
/// use std::time::Duration;
/// let opts = RetryOptions::new()
///     .max_attempts(3)
///     .backoff(Duration::from_millis(200), Duration::from_secs(2))
///     .jitter(false)
///     .retry_if(|err, _attempt| Some(err.kind() == fivetrex::ErrorKind::Conflict))
///     .on_retry(|event| log::info!("attempt {} failed: {}", event.attempt, event.error));
/// # let _ = opts;
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RetryOptions {
    /// Attempts in all, the first included.
    pub max_attempts: Option<u32>,
    /// Wait before the first retry.
    pub base_delay: Option<Duration>,
    /// Cap on one computed backoff wait.
    pub max_delay: Option<Duration>,
    /// Draw each wait between half and all of the computed backoff.
    pub jitter: Option<bool>,
    /// Overrides what is retried (see [`RetryPredicate`]).
    pub retry_if: Option<RetryPredicate>,
    /// Called before each retry.
    pub on_retry: Option<RetryHook>,
    /// Whether the closure may be repeated after an ambiguous failure (default false).
    pub idempotent: bool,
    /// Stops the retrying (and the requests inside the closure) when cancelled.
    pub cancel: Option<CancelToken>,
}

impl fmt::Debug for RetryOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryOptions")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("retry_if", &self.retry_if.is_some())
            .field("on_retry", &self.on_retry.is_some())
            .field("idempotent", &self.idempotent)
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl RetryOptions {
    /// Everything from the client's policy; not idempotent.
    pub fn new() -> Self {
        Self::default()
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n.max(1));
        self
    }

    /// The first backoff wait and the cap on each wait.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = Some(base);
        self.max_delay = Some(max);
        self
    }

    /// Jitter on or off.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = Some(on);
        self
    }

    /// Decides what is retried: `Some(true)` retry, `Some(false)` stop, `None` the policy decides
    /// (which never retries an [`Error::Caller`]).
    pub fn retry_if(mut self, predicate: impl Fn(&Error, u32) -> Option<bool> + Send + Sync + 'static) -> Self {
        self.retry_if = Some(Arc::new(predicate));
        self
    }

    /// Called before each retry with the error, the attempt and the wait.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Whether the closure may be repeated after an ambiguous failure.
    pub fn idempotent(mut self, on: bool) -> Self {
        self.idempotent = on;
        self
    }

    /// Watches `token`: cancelling it wakes every wait at once and fails with
    /// [`Error::Cancelled`].
    pub fn cancel(mut self, token: &CancelToken) -> Self {
        self.cancel = Some(token.clone());
        self
    }
}

/// What bounds one call besides the policy: the caller's deadline and cancellation.
#[derive(Clone, Default, Debug)]
pub(crate) struct Scope {
    pub cancel: Option<CancelToken>,
    pub deadline: Option<Instant>,
}

impl Scope {
    /// Both bounds: the earlier deadline, and a token that trips with either.
    pub(crate) fn and(&self, other: &Scope) -> Scope {
        Scope {
            cancel: crate::cancel::merge(self.cancel.as_ref(), other.cancel.as_ref()),
            deadline: match (self.deadline, other.deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }
}

thread_local! {
    /// Set while a `with_retry` closure runs on this thread: calls inside make one attempt each
    /// (the closure as a whole is what is retried) and share its deadline and cancellation.
    static AMBIENT: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Restores the previous ambient scope when the closure returns or unwinds.
struct AmbientGuard(Option<Scope>);

impl Drop for AmbientGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        AMBIENT.with(|a| *a.borrow_mut() = previous);
    }
}

/// The error for a call that has no time left to start a request.
fn out_of_time(what: &str) -> Error {
    Error::Timeout { message: format!("the call's time budget ran out {what}"), request_sent: false }
}

/// The error for a call that meets a pause window it may not wait out.
fn paused(remaining: Duration, why: &str) -> Error {
    Error::RateLimited {
        error: ApiError {
            status: 429,
            code: None,
            message: Some(format!("an earlier 429 paused this client for {remaining:?} more; {why}")),
            body_snippet: String::new(),
        },
        retry_after: Some(remaining),
    }
}

/// Everything the retry loop needs besides the operation itself.
#[derive(Clone)]
pub(crate) struct Retrier {
    pub policy: RetryPolicy,
    pub clock: Arc<dyn Clock>,
    pub throttle: Arc<Throttle>,
    pub on_retry: Option<RetryHook>,
    pub predicate: Option<RetryPredicate>,
}

impl Retrier {
    /// Sleeps `d` unless cancelled; `Err(Cancelled)` when the token trips before or during it.
    pub(crate) fn sleep(&self, scope: &Scope, d: Duration) -> Result<(), Error> {
        if scope.cancelled() {
            return Err(Error::Cancelled);
        }
        if !d.is_zero() {
            self.clock.sleep_unless_cancelled(d, scope.cancel.as_ref());
        }
        if scope.cancelled() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    /// Runs `f` until it succeeds, the policy stops, attempts run out, the deadline passes or the
    /// call is cancelled. `f` gets the time left for its request (`None`: no bound).
    ///
    /// Inside a [`Retrier::run_closure`] on the same thread, `f` is tried once: retrying there is
    /// the closure's business, and retrying both would multiply attempts.
    pub(crate) fn run<T>(
        &self,
        scope: &Scope,
        idempotent: bool,
        f: impl FnMut(Option<Duration>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match AMBIENT.with(|a| a.borrow().clone()) {
            Some(ambient) => self.run_inner(&scope.and(&ambient), idempotent, 1, f),
            None => self.run_inner(scope, idempotent, self.policy.max_attempts, f),
        }
    }

    /// Runs a caller's closure under this policy: requests made inside it on this thread make one
    /// attempt each and share this call's deadline and cancellation.
    pub(crate) fn run_closure<T>(
        &self,
        scope: &Scope,
        idempotent: bool,
        mut f: impl FnMut() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let start = self.clock.now();
        let deadline = self.policy.deadline.and_then(|d| start.checked_add(d));
        let mut bound = scope.and(&Scope { cancel: None, deadline });
        if let Some(outer) = AMBIENT.with(|a| a.borrow().clone()) {
            bound = bound.and(&outer);
        }
        let max_attempts = if AMBIENT.with(|a| a.borrow().is_some()) { 1 } else { self.policy.max_attempts };
        self.run_inner(&bound, idempotent, max_attempts, |_| {
            let previous = AMBIENT.with(|a| a.borrow_mut().replace(bound.clone()));
            let _restore = AmbientGuard(previous);
            f()
        })
    }

    fn run_inner<T>(
        &self,
        scope: &Scope,
        idempotent: bool,
        max_attempts: u32,
        mut f: impl FnMut(Option<Duration>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let start = self.clock.now();
        let policy_deadline = self.policy.deadline.and_then(|d| start.checked_add(d));
        let deadline = match (policy_deadline, scope.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut attempt = 1u32;
        loop {
            if scope.cancelled() {
                return Err(Error::Cancelled);
            }
            self.throttle.wait_turn(self, scope, deadline)?;
            let left = match deadline {
                Some(d) => match d.checked_duration_since(self.clock.now()).filter(|l| !l.is_zero()) {
                    Some(left) => Some(left),
                    None => return Err(out_of_time("before the request could start")),
                },
                None => None,
            };
            let err = match f(left) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if matches!(err, Error::Cancelled) {
                return Err(err);
            }
            let retry_after = err.retry_after();
            if matches!(err, Error::RateLimited { .. }) {
                // Remembered whether or not it is slept: calls inside the window wait their turn,
                // or fail at once when it is over the cap.
                let pause = retry_after.unwrap_or_else(|| self.policy.backoff(attempt));
                self.throttle.pause_for(&*self.clock, pause);
            }
            let retry = match &self.predicate {
                Some(p) => p(&err, attempt).unwrap_or_else(|| self.policy.is_retryable(&err, idempotent)),
                None => self.policy.is_retryable(&err, idempotent),
            };
            if !retry || attempt >= max_attempts {
                return Err(err);
            }
            if retry_after.is_some_and(|ra| ra > self.policy.max_retry_after) {
                log::warn!(
                    "Retry-After {retry_after:?} is over the cap of {:?}; returning the error",
                    self.policy.max_retry_after
                );
                return Err(err);
            }
            let mut delay = self.policy.backoff(attempt);
            if self.policy.jitter {
                delay = jittered(delay);
            }
            if let Some(ra) = retry_after {
                delay = delay.max(ra);
            }
            if let Some(deadline) = deadline {
                // A wait that would end past the deadline leaves no time for the next attempt.
                if later(self.clock.now(), delay) >= deadline {
                    log::warn!("the call's deadline comes before the next retry ({attempt} attempts made)");
                    return Err(err);
                }
            }
            log::info!("attempt {attempt} failed ({err}); retrying in {delay:?}");
            if let Some(hook) = &self.on_retry {
                hook(&RetryEvent { error: &err, attempt, delay });
            }
            self.sleep(scope, delay)?;
            attempt += 1;
        }
    }
}

/// A wait drawn between half and all of `d` (equal jitter). The generator is a per-process
/// xorshift: jitter needs spread, not cryptographic quality.
fn jittered(d: Duration) -> Duration {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |t| t.as_nanos() as u64)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    let frac = (x >> 11) as f64 / (1u64 << 53) as f64;
    Duration::try_from_secs_f64(d.as_secs_f64() * (0.5 + 0.5 * frac)).map_or(d, |j| j.min(d))
}

/// The last rate-limit figures the API reported (`X-Rate-Limit`, `X-Rate-Limit-Remaining`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// Requests allowed in the current window.
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
}

const UNSET: u64 = u64::MAX;

/// State shared by a client and all its clones: the pause window opened by a 429, the optional
/// client-side request rate, and the last rate-limit headers.
pub(crate) struct Throttle {
    paused_until: Mutex<Option<Instant>>,
    min_interval: Option<Duration>,
    next_slot: Mutex<Option<Instant>>,
    limit: AtomicU64,
    remaining: AtomicU64,
}

impl Throttle {
    /// The throttle for an optional request rate, which must be a positive finite number whose
    /// interval (`1 / rate` seconds) fits in a `Duration`.
    pub(crate) fn new(requests_per_second: Option<f64>) -> Result<Self, Error> {
        let min_interval = match requests_per_second {
            None => None,
            Some(r) if r.is_finite() && r > 0.0 => Some(Duration::try_from_secs_f64(1.0 / r).map_err(|_| {
                Error::Config(format!("max_requests_per_second({r}) is too small: one request every 1/{r} s"))
            })?),
            Some(r) => {
                return Err(Error::Config(format!("max_requests_per_second({r}) must be a positive, finite number")))
            }
        };
        Ok(Throttle {
            paused_until: Mutex::new(None),
            min_interval,
            next_slot: Mutex::new(None),
            limit: AtomicU64::new(UNSET),
            remaining: AtomicU64::new(UNSET),
        })
    }

    /// Blocks until the shared pause has passed and this request's rate slot has come. A pause
    /// longer than the policy's `Retry-After` cap, or one that ends after the call's deadline,
    /// fails at once as [`Error::RateLimited`] with the time that remains.
    pub(crate) fn wait_turn(&self, r: &Retrier, scope: &Scope, deadline: Option<Instant>) -> Result<(), Error> {
        let clock = &*r.clock;
        loop {
            let until = *lock(&self.paused_until);
            let now = clock.now();
            match until {
                Some(u) if u > now => {
                    let remaining = u - now;
                    if remaining > r.policy.max_retry_after {
                        return Err(paused(remaining, "that is over the Retry-After cap, so the call fails at once"));
                    }
                    if deadline.is_some_and(|d| u >= d) {
                        return Err(paused(remaining, "that is past the call's deadline"));
                    }
                    r.sleep(scope, remaining)?;
                }
                _ => break,
            }
        }
        if let Some(interval) = self.min_interval {
            let wait = {
                let mut next = lock(&self.next_slot);
                let now = clock.now();
                let slot = next.map_or(now, |n| n.max(now));
                if deadline.is_some_and(|d| slot >= d) {
                    return Err(out_of_time("waiting for a slot of the client-side rate limit"));
                }
                *next = Some(later(slot, interval));
                slot - now
            };
            r.sleep(scope, wait)?;
        }
        Ok(())
    }

    /// Opens (or extends) the shared pause window.
    pub(crate) fn pause_for(&self, clock: &dyn Clock, d: Duration) {
        let until = later(clock.now(), d);
        let mut p = lock(&self.paused_until);
        if p.is_none_or(|cur| cur < until) {
            *p = Some(until);
        }
    }

    /// Remembers the server's `X-Rate-Limit` / `X-Rate-Limit-Remaining` from any answer, so
    /// [`crate::Client::rate_limit`] reflects the latest one; absent or unparsable values keep the old.
    pub(crate) fn record_headers(&self, r: &HttpResponse) {
        let header_u64 = |name: &str| r.header(name).and_then(|v| v.trim().parse().ok());
        self.record(header_u64("x-rate-limit"), header_u64("x-rate-limit-remaining"));
    }

    pub(crate) fn record(&self, limit: Option<u64>, remaining: Option<u64>) {
        if let Some(l) = limit {
            self.limit.store(l, Ordering::Relaxed);
        }
        if let Some(r) = remaining {
            self.remaining.store(r, Ordering::Relaxed);
        }
    }

    pub(crate) fn status(&self) -> RateLimitStatus {
        let get = |a: &AtomicU64| Some(a.load(Ordering::Relaxed)).filter(|v| *v != UNSET);
        RateLimitStatus { limit: get(&self.limit), remaining: get(&self.remaining) }
    }
}

/// The wait a 429 answer asks for (its `Retry-After`); `None` for any other status.
pub(crate) fn retry_after_of(r: &HttpResponse, clock: &dyn Clock) -> Option<Duration> {
    match r.status {
        429 => r.header("retry-after").and_then(|v| parse_retry_after(v, clock)),
        _ => None,
    }
}

/// `Retry-After` as delta-seconds or an HTTP-date; anything else is ignored (the backoff applies).
/// More digits than fit in 64 bits saturate to the longest wait: "very long", never "absent".
pub(crate) fn parse_retry_after(v: &str, clock: &dyn Clock) -> Option<Duration> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let at = crate::time::parse_http_date(v)?;
    Some(at.duration_since(clock.system_now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            (1..=8).map(|r| p.backoff(r)).collect::<Vec<_>>(),
            vec![ms(500), ms(1000), ms(2000), ms(4000), ms(8000), ms(16000), ms(30000), ms(30000)]
        );
        assert_eq!(p.backoff(200), ms(30000));
    }

    #[test]
    fn jitter_stays_between_half_and_all() {
        for _ in 0..1000 {
            let d = jittered(Duration::from_secs(2));
            assert!(d >= Duration::from_secs(1) && d <= Duration::from_secs(2), "{d:?}");
        }
    }
}
