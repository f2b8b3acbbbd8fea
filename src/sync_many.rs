//! Sync and wait on many connections at once: [`Client::sync_and_wait_many`].
//!
//! Each connection goes through [`Client::sync_and_wait`] (read, baseline, trigger, poll) on a
//! worker of a [`FanOut`]; outcomes are reported as they settle. With a stop handle or check the
//! wait is made of slices of one poll interval ([`Client::sync_and_wait`], then
//! [`Client::wait_for_sync`] from the same baseline), so a stop is seen within two polls; a wait
//! cut short that way ends as [`SyncOutcome::TimedOut`] with the baseline to resume from.

use crate::client::Client;
use crate::error::Result;
use crate::fanout::{FanOut, FanOutStats, Settled};
use crate::sync::{SyncOutcome, WaitOptions};
use std::ops::ControlFlow;
use std::time::Duration;

/// One connection's settled wait.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncSettled {
    /// The connection's place among the ids, from 0.
    pub index: usize,
    /// The connection.
    pub connection_id: String,
    /// How its wait ended, or the error that ended it (404, 401, a trigger refused, ...).
    pub result: Result<SyncOutcome>,
}

impl Client {
    /// Triggers a sync of every connection in `ids` and waits for each on `fan`'s workers (at
    /// most that many wait at once; the others start as workers free up), calling `on_settled`
    /// on the calling thread as each wait ends, in `fan`'s order. Returns what the fan-out did;
    /// collect the outcomes in `on_settled`.
    ///
    /// Per connection this is [`Client::sync_and_wait`] with `wait` (one read, one trigger, a
    /// poll per interval); [`WaitOptions::timeout`] bounds each connection's wait. Polls of many
    /// connections add up: `n` waiting connections poll `n` times per interval, and the fan-out
    /// spaces its starts when the remaining quota runs low (see [`crate::fanout`]).
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::fanout::FanOut;
    /// use fivetrex::sync::WaitOptions;
    /// let ids = ["conn_a", "conn_b", "conn_c"];
    /// let stats = client.sync_and_wait_many(ids, &WaitOptions::new(), &FanOut::new().workers(3), |s| {
    ///     match &s.result {
    ///         Ok(outcome) => println!("{}: {}", s.connection_id, outcome.as_str()),
    ///         Err(e) => eprintln!("{}: {e}", s.connection_id),
    ///     }
    /// });
    /// assert_eq!(stats.started, 3);
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn sync_and_wait_many<I>(
        &self,
        ids: I,
        wait: &WaitOptions,
        fan: &FanOut,
        mut on_settled: impl FnMut(SyncSettled),
    ) -> FanOutStats
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let ids: Vec<String> = ids.into_iter().map(|id| id.as_ref().to_owned()).collect();
        let sliced = fan.has_stop();
        let stopped = |fan: &FanOut| fan.stop_requested();
        fan.for_each(
            self,
            ids.iter(),
            |id| if sliced { self.wait_in_slices(id, wait, || stopped(fan)) } else { self.sync_and_wait(id, wait) },
            |s: Settled<SyncOutcome>| {
                on_settled(SyncSettled { index: s.index, connection_id: ids[s.index].clone(), result: s.result });
                ControlFlow::Continue(())
            },
        )
    }

    /// [`Client::sync_and_wait`] in slices of one poll interval, checking `stop` between slices.
    fn wait_in_slices(&self, id: &str, wait: &WaitOptions, stop: impl Fn() -> bool) -> Result<SyncOutcome> {
        let clock = self.clock();
        let start = clock.now();
        let slice =
            |elapsed: Duration| wait.clone().timeout(wait.poll_interval.min(wait.timeout.saturating_sub(elapsed)));
        let mut outcome = self.sync_and_wait(id, &slice(Duration::ZERO))?;
        loop {
            let elapsed = clock.now().saturating_duration_since(start);
            let SyncOutcome::TimedOut { baseline, triggered, .. } = &outcome else { break };
            if elapsed >= wait.timeout || stop() {
                break;
            }
            // The slice ended with a poll: the next one is due an interval later.
            clock.sleep(wait.poll_interval.min(wait.timeout - elapsed));
            if stop() {
                break;
            }
            // A slice that ended before its trigger starts over (a running sync is waited out
            // again); one that triggered waits on from its baseline.
            let resume = if *triggered { *baseline } else { None };
            let elapsed = clock.now().saturating_duration_since(start);
            outcome = match resume {
                Some(baseline) => self.wait_for_sync(id, &baseline, &slice(elapsed))?,
                None => self.sync_and_wait(id, &slice(elapsed))?,
            };
        }
        // Elapsed times are the whole wait's, not the last slice's.
        let total = clock.now().saturating_duration_since(start);
        if let SyncOutcome::Succeeded { elapsed, .. }
        | SyncOutcome::Failed { elapsed, .. }
        | SyncOutcome::TimedOut { elapsed, .. } = &mut outcome
        {
            *elapsed = total;
        }
        Ok(outcome)
    }
}
