//! Retry, backoff and the shared throttle.
//!
//! Every request runs inside [`RetryPolicy`]'s loop: before each attempt the shared throttle may make
//! it wait (a 429 seen by any request of the client pauses all of them; an optional client-side
//! request rate); after a failure the policy decides whether to try again and how long to sleep.
//! Time comes from a [`Clock`], so tests can check every wait without sleeping.

use crate::error::Error;
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
        lock(&self.state).0 += d;
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
        self.start + lock(&self.state).0
    }
    fn system_now(&self) -> SystemTime {
        self.start_system + lock(&self.state).0
    }
    fn sleep(&self, d: Duration) {
        let mut s = lock(&self.state);
        s.0 += d;
        s.1.push(d);
    }
}

/// Locks a mutex, ignoring poisoning: every value guarded in this crate stays valid if a holder
/// panicked (they are plain numbers and lists).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// When and how often to try again.
///
/// Defaults (each tested): 5 attempts in all; backoff 500 ms doubling per retry, each wait capped at
/// 30 s, with jitter (each wait drawn between half and all of the computed backoff); a
/// `Retry-After` up to 60 s is honoured (the wait is the larger of it and the backoff) and a longer
/// one is returned to the caller as [`Error::RateLimited`] instead of slept; an overall deadline of
/// 5 minutes per call; requests that create things are not retried after an ambiguous failure.
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
    /// No retry starts once this much time has passed since the first attempt.
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
    /// Runs `f` until it succeeds, the policy stops, attempts run out or the deadline passes.
    pub(crate) fn run<T>(&self, idempotent: bool, mut f: impl FnMut() -> Result<T, Error>) -> Result<T, Error> {
        let start = self.clock.now();
        let mut attempt = 1u32;
        loop {
            self.throttle.wait_turn(&*self.clock);
            let err = match f() {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let retry_after = err.retry_after();
            if matches!(err, Error::RateLimited { .. }) {
                let pause = retry_after.unwrap_or_else(|| self.policy.backoff(attempt));
                if pause <= self.policy.max_retry_after {
                    self.throttle.pause_for(&*self.clock, pause);
                }
            }
            let retry = match &self.predicate {
                Some(p) => p(&err, attempt).unwrap_or_else(|| self.policy.is_retryable(&err, idempotent)),
                None => self.policy.is_retryable(&err, idempotent),
            };
            if !retry || attempt >= self.policy.max_attempts {
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
            if let Some(deadline) = self.policy.deadline {
                if (self.clock.now() - start) + delay > deadline {
                    log::warn!("retry deadline of {deadline:?} reached after {attempt} attempts");
                    return Err(err);
                }
            }
            log::info!("attempt {attempt} failed ({err}); retrying in {delay:?}");
            if let Some(hook) = &self.on_retry {
                hook(&RetryEvent { error: &err, attempt, delay });
            }
            self.clock.sleep(delay);
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
    d.mul_f64(0.5 + 0.5 * frac)
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
    pub(crate) fn new(requests_per_second: Option<f64>) -> Self {
        Throttle {
            paused_until: Mutex::new(None),
            min_interval: requests_per_second
                .filter(|r| r.is_finite() && *r > 0.0)
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            next_slot: Mutex::new(None),
            limit: AtomicU64::new(UNSET),
            remaining: AtomicU64::new(UNSET),
        }
    }

    /// Blocks until the shared pause has passed and this request's rate slot has come.
    pub(crate) fn wait_turn(&self, clock: &dyn Clock) {
        loop {
            let until = *lock(&self.paused_until);
            match until {
                Some(u) if u > clock.now() => clock.sleep(u - clock.now()),
                _ => break,
            }
        }
        if let Some(interval) = self.min_interval {
            let wait = {
                let mut next = lock(&self.next_slot);
                let now = clock.now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = Some(slot + interval);
                slot - now
            };
            if !wait.is_zero() {
                clock.sleep(wait);
            }
        }
    }

    /// Opens (or extends) the shared pause window.
    pub(crate) fn pause_for(&self, clock: &dyn Clock, d: Duration) {
        let until = clock.now() + d;
        let mut p = lock(&self.paused_until);
        if p.is_none_or(|cur| cur < until) {
            *p = Some(until);
        }
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
