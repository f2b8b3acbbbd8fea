//! Many calls at once: a bounded parallel fan-out over one [`Client`], in the blocking style.
//!
//! Real accounts answer in tens to hundreds of milliseconds per request, and the everyday work is
//! "for every connection, fetch something": one request after another, 5,000 of them take minutes.
//! [`FanOut`] runs a closure over the items of any iterator (ids, or the items of a
//! [`List`](crate::List)) on a fixed number of OS threads that share one client (scoped threads,
//! no async runtime), and hands back one [`Settled`] per item that was started, in input order or
//! as they complete ([`Order`]), each with its own `Result`: one failure ends neither the others
//! nor the fan-out.
//!
//! ```no_run
//! use fivetrex::fanout::FanOut;
//! # let client = fivetrex::Client::new("k", "s")?;
//! // Fewest requests: one account-wide list (1 request per 1,000 connections), then details
//! // only for the connections that need them.
//! let mut broken = Vec::new();
//! for c in client.connections() {
//!     let c = c?;
//!     if c.is_broken() {
//!         broken.push(c.id);
//!     }
//! }
//! for settled in FanOut::new().workers(8).run(&client, broken, |id| client.connection_state(&id)) {
//!     match settled.result {
//!         Ok(state) => println!("#{}: {state}", settled.index),
//!         Err(e) => eprintln!("#{}: {e}", settled.index),
//!     }
//! }
//! # Ok::<(), fivetrex::Error>(())
//! ```
//!
//! # Fewest requests
//! Prefer the account-wide lists: [`Client::connections`] walks every connection of the account
//! in pages of 1,000, where a list per group costs at least one request per group (and
//! [`Client::connections`]`().group_id(..)` filters one group without a second walk). Each list
//! item already carries what most automation reads (`status`, `succeeded_at`, `failed_at`,
//! `paused`, `config`): fetch details, state or schemas only for the items that need them, and
//! fan out over those.
//!
//! # Inside the rate budget
//! Every worker sends through the same client, so the client's shared pause window (a 429 seen by
//! one pauses all), its client-side rate limit ([`ClientBuilder::max_requests_per_second`]) and
//! its retry policy apply to the fan-out as a whole. On top of that, before starting each item
//! the fan-out reads the last `X-Rate-Limit` / `X-Rate-Limit-Remaining` the API sent
//! ([`Client::rate_limit`]): while the remaining quota is at or below the reserve
//! ([`FanOut::quota_reserve`]), item starts are spaced to the rate the quota sustains over its
//! window (`window / limit`: 180 ms for 20,000 requests an hour) instead of running the account
//! into a 429 whose `Retry-After` is an hour. And an item that still ends in
//! [`Error::RateLimited`] stops the fan-out from starting more ([`FanOut::stop_on_rate_limit`]),
//! so a spent quota costs at most one 429 per worker, not one per item.
//!
//! # Cancellation
//! [`StopHandle::stop`] (from any thread) or a [`FanOut::stop_when`] check that returns true ends
//! the fan-out: items already started finish and are reported, no new item starts. Dropping the
//! [`Results`] iterator early does the same.
//!
//! [`ClientBuilder::max_requests_per_second`]: crate::ClientBuilder::max_requests_per_second

use crate::client::Client;
use crate::error::{Error, Result};
use crate::lock::lock;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::Scope;
use std::time::{Duration, Instant};

/// Workers unless set: enough to hide a 100 ms round trip behind eight requests in flight, few
/// enough that one fan-out does not take an account's whole rate budget by surprise.
pub const DEFAULT_WORKERS: usize = 8;
/// Most workers one fan-out runs (more are capped to this). The client keeps 16 connections open
/// between requests; workers beyond that open and close connections as they go.
pub const MAX_WORKERS: usize = 64;
/// The window the API's quota is counted over (a rolling hour), used to pace when it runs low.
pub const DEFAULT_QUOTA_WINDOW: Duration = Duration::from_secs(3600);

/// In which order results come back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Order {
    /// In the order of the inputs (the default): a slow item holds back the ones after it.
    #[default]
    Input,
    /// As each item completes.
    Completed,
}

/// Stops a fan-out from another thread: items already started finish, no new one starts.
/// Cheap to clone; clones share the flag.
///
/// ```
/// let stop = fivetrex::fanout::StopHandle::new();
/// let for_ctrl_c = stop.clone();
/// for_ctrl_c.stop();
/// assert!(stop.is_stopped());
/// ```
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// A handle not yet stopped.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every fan-out holding this handle to stop.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`StopHandle::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A check the fan-out calls before each item; `true` stops it (see [`FanOut::stop_when`]).
pub type StopCheck = Arc<dyn Fn() -> bool + Send + Sync>;

/// How to fan out; see the [module docs](self).
///
/// ```
/// use fivetrex::fanout::{FanOut, Order, StopHandle};
/// let stop = StopHandle::new();
/// let fan = FanOut::new().workers(16).order(Order::Completed).stop_handle(&stop);
/// assert_eq!(fan.worker_count(), 16);
/// ```
#[derive(Clone)]
pub struct FanOut {
    workers: usize,
    order: Order,
    stop: Option<StopHandle>,
    stop_when: Option<StopCheck>,
    quota_reserve: Option<u64>,
    quota_window: Duration,
    stop_on_rate_limit: bool,
}

impl Default for FanOut {
    fn default() -> Self {
        FanOut {
            workers: DEFAULT_WORKERS,
            order: Order::Input,
            stop: None,
            stop_when: None,
            quota_reserve: None,
            quota_window: DEFAULT_QUOTA_WINDOW,
            stop_on_rate_limit: true,
        }
    }
}

impl fmt::Debug for FanOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FanOut")
            .field("workers", &self.workers)
            .field("order", &self.order)
            .field("stop", &self.stop)
            .field("stop_when", &self.stop_when.is_some())
            .field("quota_reserve", &self.quota_reserve)
            .field("quota_window", &self.quota_window)
            .field("stop_on_rate_limit", &self.stop_on_rate_limit)
            .finish()
    }
}

/// One item's outcome.
#[derive(Debug)]
#[non_exhaustive]
pub struct Settled<R> {
    /// The item's place among the inputs, from 0.
    pub index: usize,
    /// What the closure returned for it.
    pub result: Result<R>,
}

/// What a fan-out did, once it is over (see [`Results::stats`] and [`FanOut::for_each`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FanOutStats {
    /// Items started (each was, or will be, reported).
    pub started: usize,
    /// Item starts that waited because the remaining quota was at or below the reserve.
    pub paced: u64,
    /// The fan-out stopped before the inputs ran out: a stop handle or check, an item that ended
    /// in [`Error::RateLimited`] (with [`FanOut::stop_on_rate_limit`]), or the results dropped.
    pub stopped: bool,
    /// An item ended in [`Error::RateLimited`].
    pub rate_limited: bool,
}

impl FanOut {
    /// The defaults: [`DEFAULT_WORKERS`] workers, results in input order, no stop handle, the
    /// reserve and window described at [`FanOut::quota_reserve`], stop on rate limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Workers (threads), 1..=[`MAX_WORKERS`]; 0 means the default, more is capped.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = if n == 0 { DEFAULT_WORKERS } else { n.min(MAX_WORKERS) };
        self
    }

    /// The number of workers that will run.
    pub fn worker_count(&self) -> usize {
        self.workers
    }

    /// Results in input order (default) or as completed.
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Stops when `handle` is stopped.
    pub fn stop_handle(mut self, handle: &StopHandle) -> Self {
        self.stop = Some(handle.clone());
        self
    }

    /// Stops when `check` returns true; it is called before each item starts and while a start
    /// waits for quota. Any cancellation flag fits (`move || token.is_cancelled()`).
    pub fn stop_when(mut self, check: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        self.stop_when = Some(Arc::new(check));
        self
    }

    /// Requests to keep in hand: while `X-Rate-Limit-Remaining` is at or below this, item
    /// starts are spaced by `window / X-Rate-Limit`. Default: the larger of twice the workers
    /// (the requests that may be in flight when a reading arrives) and 2% of the quota.
    pub fn quota_reserve(mut self, n: u64) -> Self {
        self.quota_reserve = Some(n);
        self
    }

    /// The window the quota is counted over (default one hour).
    pub fn quota_window(mut self, d: Duration) -> Self {
        self.quota_window = d;
        self
    }

    /// Whether an item that ends in [`Error::RateLimited`] (after the client's own retries)
    /// stops further starts (default true): the quota is spent, and every further request would
    /// be another 429.
    pub fn stop_on_rate_limit(mut self, on: bool) -> Self {
        self.stop_on_rate_limit = on;
        self
    }

    /// Whether a stop handle or check is set.
    pub(crate) fn has_stop(&self) -> bool {
        self.stop.is_some() || self.stop_when.is_some()
    }

    /// Whether the stop handle or check asks to stop.
    pub(crate) fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(StopHandle::is_stopped) || self.stop_when.as_ref().is_some_and(|f| f())
    }

    /// Starts the workers in `scope` and returns the results as an iterator. `f` runs once per
    /// input, on a worker; the inputs are taken one at a time as workers become free (a
    /// [`List`](crate::List) fetches its next page on the worker that needs it).
    ///
    /// ```no_run
    /// use fivetrex::fanout::FanOut;
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// let ids = vec!["conn_a".to_owned(), "conn_b".to_owned()];
    /// std::thread::scope(|s| {
    ///     for settled in FanOut::new().spawn(s, &client, ids, |id| client.connection(&id)) {
    ///         println!("{} -> {:?}", settled.index, settled.result.map(|c| c.schema));
    ///     }
    /// });
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn spawn<'scope, 'env, I, R, F>(
        &self,
        scope: &'scope Scope<'scope, 'env>,
        client: &'env Client,
        inputs: I,
        f: F,
    ) -> Results<R>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'scope,
        R: Send + 'scope,
        F: Fn(I::Item) -> Result<R> + Send + Sync + 'scope,
    {
        let shared = Arc::new(Shared {
            config: self.clone(),
            halted: AtomicBool::new(false),
            rate_limited: AtomicBool::new(false),
            started: AtomicUsize::new(0),
            paced: AtomicU64::new(0),
            next_slot: Mutex::new(None),
            warned: AtomicBool::new(false),
        });
        let (tx, rx) = sync_channel(self.workers * 4);
        let inputs = Arc::new(Mutex::new((0usize, inputs.into_iter(), false)));
        let f = Arc::new(f);
        for _ in 0..self.workers {
            let (shared, inputs, f, tx) = (shared.clone(), inputs.clone(), f.clone(), tx.clone());
            scope.spawn(move || shared.work(client, &inputs, &*f, &tx));
        }
        Results { rx, order: self.order, pending: BTreeMap::new(), next: 0, shared }
    }

    /// Runs the fan-out to the end and returns every started item's result, in the chosen order.
    pub fn run<I, R, F>(&self, client: &Client, inputs: I, f: F) -> Vec<Settled<R>>
    where
        I: IntoIterator,
        I::IntoIter: Send,
        R: Send,
        F: Fn(I::Item) -> Result<R> + Send + Sync,
    {
        std::thread::scope(|s| self.spawn(s, client, inputs, f).collect())
    }

    /// Runs the fan-out, calling `on_settled` on the calling thread for each item as it settles
    /// (in the chosen order); `ControlFlow::Break` stops the fan-out (items in flight finish and
    /// are dropped). Returns what the fan-out did.
    pub fn for_each<I, R, F>(
        &self,
        client: &Client,
        inputs: I,
        f: F,
        mut on_settled: impl FnMut(Settled<R>) -> ControlFlow<()>,
    ) -> FanOutStats
    where
        I: IntoIterator,
        I::IntoIter: Send,
        R: Send,
        F: Fn(I::Item) -> Result<R> + Send + Sync,
    {
        std::thread::scope(|s| {
            let mut results = self.spawn(s, client, inputs, f);
            for settled in results.by_ref() {
                if on_settled(settled).is_break() {
                    results.shared.halt();
                    break;
                }
            }
            let shared = results.shared.clone();
            drop(results);
            // Read after the scope has joined every worker, when the counts are final.
            shared
        })
        .stats()
    }
}

/// The results of [`FanOut::spawn`], as an iterator. Dropping it stops the fan-out.
pub struct Results<R> {
    rx: Receiver<Settled<R>>,
    order: Order,
    pending: BTreeMap<usize, Settled<R>>,
    next: usize,
    shared: Arc<Shared>,
}

impl<R> fmt::Debug for Results<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Results").field("order", &self.order).field("stats", &self.stats()).finish_non_exhaustive()
    }
}

impl<R> Results<R> {
    /// What the fan-out did so far (final once the iterator has ended).
    pub fn stats(&self) -> FanOutStats {
        self.shared.stats()
    }

    /// Asks the workers to start no new item; the ones in flight are still reported.
    pub fn stop(&self) {
        self.shared.halt();
    }
}

impl<R> Iterator for Results<R> {
    type Item = Settled<R>;

    fn next(&mut self) -> Option<Settled<R>> {
        loop {
            if self.order == Order::Input {
                if let Some(s) = self.pending.remove(&self.next) {
                    self.next += 1;
                    return Some(s);
                }
            }
            match self.rx.recv() {
                Ok(s) if self.order == Order::Completed => return Some(s),
                Ok(s) => {
                    self.pending.insert(s.index, s);
                }
                // Every worker has left. Started items all report, so nothing is missing unless
                // a worker panicked (the scope then panics too); hand out what is there.
                Err(_) => return self.pending.pop_first().map(|(_, s)| s),
            }
        }
    }
}

impl<R> Drop for Results<R> {
    fn drop(&mut self) {
        self.shared.halt();
    }
}

/// The inputs, the next index, and whether they ran out.
type Inputs<I> = Mutex<(usize, I, bool)>;

struct Shared {
    config: FanOut,
    halted: AtomicBool,
    rate_limited: AtomicBool,
    started: AtomicUsize,
    paced: AtomicU64,
    next_slot: Mutex<Option<Instant>>,
    warned: AtomicBool,
}

impl Shared {
    fn halt(&self) {
        self.halted.store(true, Ordering::SeqCst);
    }

    fn should_stop(&self) -> bool {
        if self.halted.load(Ordering::SeqCst) {
            return true;
        }
        let asked = self.config.stop_requested();
        if asked {
            self.halt();
        }
        asked
    }

    fn stats(&self) -> FanOutStats {
        FanOutStats {
            started: self.started.load(Ordering::SeqCst),
            paced: self.paced.load(Ordering::SeqCst),
            stopped: self.halted.load(Ordering::SeqCst),
            rate_limited: self.rate_limited.load(Ordering::SeqCst),
        }
    }

    fn work<I: Iterator, R>(
        &self,
        client: &Client,
        inputs: &Inputs<I>,
        f: &(dyn Fn(I::Item) -> Result<R> + Sync),
        tx: &SyncSender<Settled<R>>,
    ) {
        loop {
            if self.should_stop() {
                return;
            }
            let (index, input) = {
                let mut g = lock(inputs);
                // Checked again under the lock: a stop while waiting for it takes nothing.
                if g.2 || self.should_stop() {
                    return;
                }
                match g.1.next() {
                    Some(input) => {
                        g.0 += 1;
                        (g.0 - 1, input)
                    }
                    None => {
                        g.2 = true;
                        return;
                    }
                }
            };
            // Taken, then paced: the inputs running out costs no wait. An item whose wait is cut
            // short by a stop is not started and not reported (a later index may still be).
            if !self.wait_for_quota(client) {
                return;
            }
            self.started.fetch_add(1, Ordering::SeqCst);
            let result = f(input);
            if matches!(result, Err(Error::RateLimited { .. })) {
                self.rate_limited.store(true, Ordering::SeqCst);
                if self.config.stop_on_rate_limit {
                    log::warn!("fan-out: item {index} was rate limited; starting no more items");
                    self.halt();
                }
            }
            if tx.send(Settled { index, result }).is_err() {
                // The results were dropped: nobody is listening.
                self.halt();
                return;
            }
        }
    }

    /// Waits for this item's turn while the remaining quota is low; false if stopped meanwhile.
    fn wait_for_quota(&self, client: &Client) -> bool {
        let status = client.rate_limit();
        let (Some(limit), Some(remaining)) = (status.limit, status.remaining) else { return true };
        let reserve = self.config.quota_reserve.unwrap_or_else(|| (2 * self.config.workers as u64).max(limit / 50));
        if remaining > reserve {
            return true;
        }
        let interval = self.config.quota_window / u32::try_from(limit.max(1)).unwrap_or(u32::MAX);
        let clock = client.clock();
        let wait = {
            let mut next = lock(&self.next_slot);
            let now = clock.now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot - now
        };
        self.paced.fetch_add(1, Ordering::SeqCst);
        if !self.warned.swap(true, Ordering::SeqCst) {
            log::warn!(
                "fan-out: {remaining} of {limit} requests left (reserve {reserve}); spacing item starts by {interval:?}"
            );
        }
        // In steps, so that a stop is noticed within a second.
        let mut left = wait;
        while !left.is_zero() {
            if self.should_stop() {
                return false;
            }
            let step = left.min(Duration::from_secs(1));
            clock.sleep(step);
            left -= step;
        }
        !self.should_stop()
    }
}

impl Client {
    /// Fetches many connections at once ([`Client::connection`] on `fan`'s workers), in input
    /// order unless `fan` says otherwise: one `(id, result)` per id started. Fetch only what the
    /// account-wide list ([`Client::connections`]) does not already tell (see the
    /// [module docs](crate::fanout)).
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::fanout::FanOut;
    /// for (id, result) in client.connections_by_id(["conn_a", "conn_b"], &FanOut::new()) {
    ///     match result {
    ///         Ok(c) => println!("{id}: {:?}", c.status.sync_state),
    ///         Err(e) => eprintln!("{id}: {e}"),
    ///     }
    /// }
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn connections_by_id<I>(&self, ids: I, fan: &FanOut) -> Vec<(String, Result<crate::Connection>)>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let ids: Vec<String> = ids.into_iter().map(|id| id.as_ref().to_owned()).collect();
        fan.run(self, ids.iter(), |id| self.connection(id))
            .into_iter()
            .map(|s| (ids[s.index].clone(), s.result))
            .collect()
    }
}
