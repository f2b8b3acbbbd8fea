//! Sync and wait, driven through every state by a scripted server and a clock that never sleeps.
//!
//! Each script is a list of answers to `GET /v1/connections/c1`, served once each in order
//! (httpmock matches mocks in creation order and `up_to_n_times(1)` retires each after use).

use crate::support::*;
#[allow(unused_imports)]
use crate::support::{RawServer, Reply};
use fivetrex::sync::{SyncProgress, WhenRescheduled};
use fivetrex::{ErrorKind, SyncBaseline, SyncOutcome, SyncState, Timestamp, WaitOptions};
use httpmock::prelude::*;
use httpmock::Mock;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T0: &str = "2024-05-01T10:00:00.000001Z";
const T1: &str = "2024-05-01T11:00:00.5Z";
const T2: &str = "2024-05-01T11:00:01Z";
const PATH: &str = "/v1/connections/c1";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// The connection `c1` with these timestamps and this sync state, set up and not paused.
fn conn(succeeded: Option<&str>, failed: Option<&str>, sync_state: &str) -> Value {
    let mut c = connection(1, "g1");
    c["id"] = json!("c1");
    c["succeeded_at"] = json!(succeeded);
    c["failed_at"] = json!(failed);
    c["status"]["sync_state"] = json!(sync_state);
    c
}

fn with_tasks(mut c: Value) -> Value {
    c["status"]["tasks"] =
        json!([{"code": "reconnect", "message": "Reconnect the source", "details": "401 from source"}]);
    c["status"]["warnings"] = json!([{"code": "slow", "message": "The source is slow"}]);
    c
}

/// Serves each answer once, in order.
fn script<'a>(server: &'a MockServer, answers: &[(u16, Value)]) -> Vec<Mock<'a>> {
    answers
        .iter()
        .map(|(status, body)| {
            server.mock(|when, then| {
                when.method(GET).path(PATH).header("accept", V2);
                let then = then.status(*status).up_to_n_times(1);
                match body {
                    Value::Null => then.body(""),
                    body => then.json_body(data(body.clone())),
                };
            })
        })
        .collect()
}

fn ok(c: Value) -> (u16, Value) {
    (200, c)
}

fn trigger(server: &MockServer, force: bool) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path("/v1/connections/c1/sync").header("accept", V2).json_body(json!({"force": force}));
        then.status(200).json_body(json!({"code": "Success", "message": "Sync has been successfully triggered"}));
    })
}

/// What the hook saw at each poll: (poll, state, elapsed, whether the poll failed).
type Seen = Arc<Mutex<Vec<(u32, Option<SyncState>, Duration, bool)>>>;

/// A progress hook that records every poll.
fn recorder() -> (Seen, impl Fn(&SyncProgress<'_>) + Send + Sync) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (seen, move |p: &SyncProgress<'_>| {
        s.lock().unwrap().push((p.poll, p.sync_state.cloned(), p.elapsed, p.error.is_some()))
    })
}

#[test]
fn a_fast_success_is_seen_on_the_first_poll() {
    let server = MockServer::start();
    let gets = script(&server, &[ok(conn(Some(T0), None, "scheduled")), ok(conn(Some(T1), None, "scheduled"))]);
    let sync = trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
    let SyncOutcome::Succeeded { at, elapsed, connection } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*at, ts(T1));
    assert_eq!(*elapsed, Duration::ZERO);
    assert_eq!(connection.id, "c1");
    assert!(outcome.is_success());
    assert_eq!(outcome.as_str(), "succeeded");
    assert!(clock.sleeps().is_empty());
    sync.assert_calls(1);
    gets.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn a_failure_before_the_first_poll_is_caught_because_the_baseline_comes_first() {
    let server = MockServer::start();
    // The server's answer changes the moment the sync is triggered: a client that read its
    // baseline after the trigger would take the failure as the baseline and wait forever.
    let triggered = Arc::new(AtomicBool::new(false));
    let (t, before, after) = (triggered.clone(), triggered.clone(), triggered.clone());
    let sync = server.mock(move |when, then| {
        when.method(POST).path("/v1/connections/c1/sync").is_true(move |req| {
            if req.method_str() == "POST" && req.uri().path().ends_with("/sync") {
                t.store(true, Ordering::SeqCst);
            }
            true
        });
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let old = server.mock(move |when, then| {
        when.method(GET).path(PATH).is_true(move |_| !before.load(Ordering::SeqCst));
        then.status(200).json_body(data(conn(Some(T0), None, "scheduled")));
    });
    let failed = server.mock(move |when, then| {
        when.method(GET).path(PATH).is_true(move |_| after.load(Ordering::SeqCst));
        then.status(200).json_body(data(with_tasks(conn(Some(T0), Some(T1), "scheduled"))));
    });
    let (client, clock) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
    let SyncOutcome::Failed { at, tasks, warnings, .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*at, ts(T1));
    assert_eq!(tasks[0].code, "reconnect");
    assert_eq!(tasks[0].details_text().as_deref(), Some("401 from source"));
    assert_eq!(warnings[0].code, "slow");
    assert!(!outcome.is_success());
    assert!(clock.sleeps().is_empty());
    old.assert_calls(1);
    sync.assert_calls(1);
    failed.assert_calls(1);
}

#[test]
fn stays_syncing_then_succeeds_and_the_hook_sees_every_poll() {
    let server = MockServer::start();
    let gets = script(
        &server,
        &[
            ok(conn(Some(T0), None, "scheduled")),
            ok(conn(Some(T0), None, "scheduled")),
            ok(conn(Some(T0), None, "syncing")),
            ok(conn(Some(T0), None, "syncing")),
            ok(conn(Some(T2), None, "scheduled")),
        ],
    );
    let sync = trigger(&server, true);
    let (client, clock) = client(&server.base_url());
    let (seen, hook) = recorder();
    let opts = WaitOptions::new().force(true).poll_interval(secs(30)).on_progress(hook);
    let outcome = client.sync_and_wait("c1", &opts).unwrap();
    assert!(matches!(outcome, SyncOutcome::Succeeded { at, elapsed, .. } if at == ts(T2) && elapsed == secs(90)));
    assert_eq!(clock.sleeps(), [secs(30); 3]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (1, Some(SyncState::Scheduled), secs(0), false),
            (2, Some(SyncState::Syncing), secs(30), false),
            (3, Some(SyncState::Syncing), secs(60), false),
            (4, Some(SyncState::Scheduled), secs(90), false),
        ]
    );
    sync.assert_calls(1);
    gets.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn when_both_timestamps_moved_the_newer_wins() {
    for (succeeded, failed, expect_success) in [(T2, T1, true), (T1, T2, false), (T1, T1, false)] {
        let server = MockServer::start();
        script(
            &server,
            &[ok(conn(Some(T0), Some(T0), "scheduled")), ok(conn(Some(succeeded), Some(failed), "scheduled"))],
        );
        trigger(&server, false);
        let (client, _) = client(&server.base_url());
        let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
        assert_eq!(outcome.is_success(), expect_success, "{succeeded} / {failed}: {outcome:?}");
    }
}

#[test]
fn a_connection_that_never_synced_finishes_on_its_first_timestamp() {
    let server = MockServer::start();
    script(
        &server,
        &[
            ok(conn(None, None, "scheduled")),
            ok(conn(None, None, "syncing")),
            ok(with_tasks(conn(None, Some(T1), "scheduled"))),
        ],
    );
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
    assert!(matches!(outcome, SyncOutcome::Failed { at, .. } if at == ts(T1)), "{outcome:?}");
    assert_eq!(clock.sleeps(), [secs(10)]);
}

#[test]
fn the_overall_timeout_is_an_outcome_not_a_hang() {
    let server = MockServer::start();
    script(&server, &[ok(conn(Some(T0), Some(T0), "scheduled"))]);
    let syncing = server.mock(|when, then| {
        when.method(GET).path(PATH);
        then.status(200).json_body(data(conn(Some(T0), Some(T0), "syncing")));
    });
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let opts = WaitOptions::new().poll_interval(secs(10)).timeout(secs(25));
    let outcome = client.sync_and_wait("c1", &opts).unwrap();
    let SyncOutcome::TimedOut { elapsed, baseline, connection, triggered } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*elapsed, secs(25));
    assert_eq!(*baseline, Some(SyncBaseline::new(Some(ts(T0)), Some(ts(T0)))));
    assert!(*triggered);
    assert!(connection.as_ref().unwrap().is_syncing());
    // Polls at 0, 10, 20 and a last one at 24, leaving 1 s for its request; then the rest of
    // the time, and not a moment more.
    assert_eq!(clock.sleeps(), [secs(10), secs(10), secs(4), secs(1)]);
    syncing.assert_calls(4);
    assert_eq!(outcome.as_str(), "timed_out");
}

#[test]
fn a_paused_connection_is_reported_at_once_without_a_trigger() {
    let server = MockServer::start();
    let mut paused = conn(Some(T0), None, "paused");
    paused["paused"] = json!(true);
    let gets = script(&server, &[ok(paused)]);
    let sync = trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
    assert!(matches!(&outcome, SyncOutcome::Paused { connection } if connection.paused), "{outcome:?}");
    sync.assert_calls(0);
    gets[0].assert_calls(1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_paused_connection_is_resumed_first_when_asked() {
    let server = MockServer::start();
    let mut paused = conn(Some(T0), None, "paused");
    paused["paused"] = json!(true);
    // Right after the resume the state may still read `paused`; the flag is what counts.
    let mut resumed = conn(Some(T0), None, "paused");
    resumed["paused"] = json!(false);
    let resume = server.mock(|when, then| {
        when.method(PATCH).path(PATH).header("accept", V2).json_body(json!({"paused": false}));
        then.status(200).json_body(data(resumed.clone()));
    });
    script(&server, &[ok(paused), ok(resumed.clone()), ok(conn(Some(T1), None, "scheduled"))]);
    let sync = trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new().resume_if_paused(true)).unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    resume.assert_calls(1);
    sync.assert_calls(1);
    assert_eq!(clock.sleeps(), [secs(10)]);
}

#[test]
fn paused_during_the_wait_is_reported() {
    let server = MockServer::start();
    let mut paused = conn(Some(T0), None, "paused");
    paused["paused"] = json!(true);
    script(&server, &[ok(conn(Some(T0), None, "scheduled")), ok(conn(Some(T0), None, "syncing")), ok(paused)]);
    trigger(&server, false);
    let (client, _) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
    assert_eq!(outcome.as_str(), "paused");
}

#[test]
fn a_broken_connection_is_reported_with_its_tasks() {
    let server = MockServer::start();
    let mut broken = with_tasks(conn(Some(T0), None, "scheduled"));
    broken["status"]["setup_state"] = json!("BROKEN");
    script(&server, &[ok(broken.clone())]);
    let sync = trigger(&server, false);
    let (c, _) = client(&server.base_url());
    let outcome = c.sync_and_wait("c1", &WaitOptions::new().resume_if_paused(true)).unwrap();
    let SyncOutcome::Broken { tasks, warnings, connection } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(tasks[0].message.as_deref(), Some("Reconnect the source"));
    assert_eq!(warnings.len(), 1);
    assert!(connection.is_broken());
    sync.assert_calls(0);

    // Broken during the wait, without a new timestamp.
    let server = MockServer::start();
    script(&server, &[ok(conn(Some(T0), None, "scheduled")), ok(broken)]);
    let sync = trigger(&server, false);
    let (client, _) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new()).unwrap();
    assert!(matches!(&outcome, SyncOutcome::Broken { tasks, .. } if tasks.len() == 1), "{outcome:?}");
    sync.assert_calls(1);
}

fn rescheduled() -> Value {
    let mut c = conn(Some(T0), None, "rescheduled");
    c["status"]["rescheduled_for"] = json!("2024-05-01T12:00:00Z");
    c
}

#[test]
fn rescheduled_returns_with_its_time_when_asked() {
    let server = MockServer::start();
    script(&server, &[ok(conn(Some(T0), None, "scheduled")), ok(rescheduled())]);
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let opts = WaitOptions::new().when_rescheduled(WhenRescheduled::Return);
    let outcome = client.sync_and_wait("c1", &opts).unwrap();
    let SyncOutcome::Rescheduled { until, baseline, .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*until, Some(ts("2024-05-01T12:00:00Z")));
    assert_eq!(*baseline, SyncBaseline::new(Some(ts(T0)), None));
    assert!(clock.sleeps().is_empty());

    // The caller resumes the wait later with the baseline it was given.
    script(&server, &[ok(rescheduled()), ok(conn(Some(T1), None, "scheduled"))]);
    let outcome = client.wait_for_sync("c1", baseline, &WaitOptions::new()).unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
}

#[test]
fn rescheduled_keeps_waiting_by_default() {
    let server = MockServer::start();
    script(
        &server,
        &[
            ok(conn(Some(T0), None, "scheduled")),
            ok(rescheduled()),
            ok(rescheduled()),
            ok(conn(Some(T1), None, "syncing")),
        ],
    );
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let (seen, hook) = recorder();
    let outcome = client.sync_and_wait("c1", &WaitOptions::new().on_progress(hook)).unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    assert_eq!(clock.sleeps(), [secs(10), secs(10)]);
    let states: Vec<_> = seen.lock().unwrap().iter().map(|s| s.1.clone()).collect();
    assert_eq!(states, [Some(SyncState::Rescheduled), Some(SyncState::Rescheduled), Some(SyncState::Syncing)]);
}

#[test]
fn server_errors_while_polling_are_retried_and_never_end_the_wait() {
    let server = MockServer::start();
    let mut answers = vec![ok(conn(Some(T0), None, "scheduled"))];
    // Five 503s use up one poll's attempts (the client's policy: 5 attempts, 0.5 s doubling),
    // two more are retried within the next poll.
    answers.extend(std::iter::repeat_n((503, Value::Null), 7));
    answers.push(ok(conn(Some(T1), None, "scheduled")));
    let gets = script(&server, &answers);
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let (seen, hook) = recorder();
    let outcome = client.sync_and_wait("c1", &WaitOptions::new().on_progress(hook)).unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    let ms = Duration::from_millis;
    assert_eq!(clock.sleeps(), [ms(500), ms(1000), ms(2000), ms(4000), secs(10), ms(500), ms(1000)]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].3, "the first poll failed and the hook was told");
    assert_eq!(seen[0].2, ms(7500));
    assert_eq!((seen[1].0, seen[1].2, seen[1].3), (2, ms(19_000), false));
    gets.iter().for_each(|m| m.assert_calls(1));

    // Without client retries, every 503 is one failed poll and the wait still goes on.
    let server = MockServer::start();
    script(
        &server,
        &[ok(conn(Some(T0), None, "scheduled")), (503, Value::Null), (502, Value::Null), ok(conn(Some(T1), None, "x"))],
    );
    trigger(&server, false);
    let clock = Arc::new(fivetrex::retry::ManualClock::new());
    let client = builder(&server.base_url(), &clock).retry_policy(fivetrex::RetryPolicy::none()).build().unwrap();
    assert!(client.sync_and_wait("c1", &WaitOptions::new()).unwrap().is_success());
    assert_eq!(clock.sleeps(), [secs(10), secs(10)]);
}

#[test]
fn a_long_retry_after_while_polling_is_waited_out() {
    let server = MockServer::start();
    script(&server, &[ok(conn(Some(T0), None, "scheduled"))]);
    let limited = server.mock(|when, then| {
        when.method(GET).path(PATH);
        then.status(429).header("retry-after", "120").json_body(json!({"code": "TooManyRequests"})).up_to_n_times(1);
    });
    script(&server, &[ok(conn(Some(T1), None, "scheduled"))]);
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    assert!(client.sync_and_wait("c1", &WaitOptions::new()).unwrap().is_success());
    // Over the client's 60 s cap, so the call hands the 429 back; the wait honours it.
    assert_eq!(clock.sleeps(), [secs(120)]);
    limited.assert_calls(1);
}

#[test]
fn a_permanent_error_while_polling_ends_the_wait() {
    let server = MockServer::start();
    let gets = script(
        &server,
        &[ok(conn(Some(T0), None, "scheduled")), ok(conn(Some(T0), None, "syncing")), (404, json!(null))],
    );
    let gone = server.mock(|when, then| {
        when.method(GET).path(PATH);
        then.status(404).json_body(json!({"code": "NotFound_Connection", "message": "deleted"}));
    });
    trigger(&server, false);
    let (c, clock) = client(&server.base_url());
    let (seen, hook) = recorder();
    let err = c.sync_and_wait("c1", &WaitOptions::new().on_progress(hook)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // The script's empty 404 ends it: not retried, not polled again.
    gets.iter().for_each(|m| m.assert_calls(1));
    gone.assert_calls(0);
    assert_eq!(clock.sleeps(), [secs(10)]);
    assert_eq!(seen.lock().unwrap().len(), 1);

    let server = MockServer::start();
    script(&server, &[ok(conn(Some(T0), None, "scheduled"))]);
    let unauthorized = server.mock(|when, then| {
        when.method(GET).path(PATH);
        then.status(401).json_body(json!({"code": "AuthFailed"}));
    });
    trigger(&server, false);
    let (client, _) = client(&server.base_url());
    assert_eq!(client.sync_and_wait("c1", &WaitOptions::new()).unwrap_err().kind(), ErrorKind::Unauthorized);
    unauthorized.assert_calls(1);
}

#[test]
fn a_failed_trigger_is_an_error_and_nothing_is_polled() {
    let server = MockServer::start();
    let gets = script(&server, &[ok(conn(Some(T0), None, "scheduled")), ok(conn(Some(T1), None, "scheduled"))]);
    let sync = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/c1/sync");
        then.status(409).json_body(json!({"code": "Conflict", "message": "a sync is running"}));
    });
    let (client, _) = client(&server.base_url());
    let err = client.sync_and_wait("c1", &WaitOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    sync.assert_calls(1);
    gets[1].assert_calls(0);
}

#[test]
fn wait_for_sync_uses_the_callers_baseline_and_polls_at_once() {
    let server = MockServer::start();
    let gets = script(&server, &[ok(conn(Some(T0), None, "syncing")), ok(conn(Some(T0), Some(T1), "scheduled"))]);
    let sync = trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let outcome = client
        .wait_for_sync("c1", &SyncBaseline::new(Some(ts(T0)), None), &WaitOptions::new().poll_interval(secs(3)))
        .unwrap();
    assert!(matches!(outcome, SyncOutcome::Failed { elapsed, .. } if elapsed == secs(3)), "{outcome:?}");
    assert_eq!(clock.sleeps(), [secs(3)]);
    sync.assert_calls(0);
    gets.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn a_zero_poll_interval_is_refused_before_anything_is_sent() {
    let server = MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200);
    });
    let (client, _) = client(&server.base_url());
    let opts = WaitOptions::new().poll_interval(Duration::ZERO);
    assert_eq!(client.sync_and_wait("c1", &opts).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        client.wait_for_sync("c1", &SyncBaseline::default(), &opts).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    any.assert_calls(0);
}

// ---------------------------------------------------------------------------------------------
// A connection simulated over a raw loopback server: syncs start when triggered and end after a
// number of reads, so the order of reads and triggers decides what the client sees.

/// What the simulated API does with `force=false` while a sync runs: the docs say it "will sync
/// only if it isn't currently syncing"; whether it forgets the request or runs it afterwards is
/// not said, so both are tested.
#[derive(Clone, Copy, PartialEq)]
enum WhileSyncing {
    Drops,
    Remembers,
}

struct Sim {
    state: &'static str,
    succeeded: Option<String>,
    failed: Option<String>,
    /// Reads left before the running sync ends, and the `succeeded_at` it will stamp.
    running: Option<(u32, String)>,
    /// A trigger remembered while syncing.
    queued: bool,
    /// Every trigger: (force, whether a sync was running when it came).
    triggers: Vec<(bool, bool)>,
    schedule: &'static str,
    rescheduled_for: Option<String>,
    stamps: Vec<String>,
}

impl Sim {
    fn body(&self) -> Value {
        let mut c = conn(self.succeeded.as_deref(), self.failed.as_deref(), self.state);
        c["schedule_type"] = json!(self.schedule);
        if let Some(r) = &self.rescheduled_for {
            c["status"]["rescheduled_for"] = json!(r);
        }
        c
    }

    fn start(&mut self) {
        let stamp = self.stamps.remove(0);
        self.running = Some((2, stamp));
        self.state = "syncing";
    }

    fn read(&mut self) -> Value {
        if let Some((left, stamp)) = self.running.take() {
            if left == 0 {
                self.succeeded = Some(stamp);
                self.state = "scheduled";
                if std::mem::take(&mut self.queued) {
                    self.start();
                }
            } else {
                self.running = Some((left - 1, stamp));
            }
        }
        self.body()
    }
}

fn simulate(sim: Sim, mode: WhileSyncing) -> (RawServer, Arc<Mutex<Sim>>) {
    let sim = Arc::new(Mutex::new(sim));
    let s = sim.clone();
    let server = RawServer::start(move |_, req| {
        let mut sim = s.lock().unwrap();
        if req.method == "POST" {
            let force = serde_json::from_slice::<Value>(&req.body).unwrap()["force"] == json!(true);
            let running = sim.running.is_some();
            sim.triggers.push((force, running));
            match (running, force, mode) {
                (true, false, WhileSyncing::Drops) => {}
                (true, false, WhileSyncing::Remembers) => sim.queued = true,
                _ if sim.state == "rescheduled" => {
                    sim.rescheduled_for = None;
                    sim.start();
                }
                _ => sim.start(),
            }
            return Reply::json(200, &json!({"code": "Success", "message": "triggered"}));
        }
        let body = sim.read();
        Reply::json(200, &data(body))
    });
    (server, sim)
}

fn running_sim() -> Sim {
    Sim {
        state: "syncing",
        succeeded: Some(T0.into()),
        failed: None,
        // The sync already running ends with T1; the one the caller asked for with T2.
        running: Some((2, T1.into())),
        queued: false,
        triggers: Vec::new(),
        schedule: "auto",
        rescheduled_for: None,
        stamps: vec![T2.into(), "2024-05-01T11:00:02Z".into()],
    }
}

#[test]
fn a_sync_running_at_the_call_is_waited_out_and_never_reported_as_the_requested_one() {
    for mode in [WhileSyncing::Drops, WhileSyncing::Remembers] {
        let (server, sim) = simulate(running_sim(), mode);
        let clock = Arc::new(fivetrex::retry::ManualClock::new());
        let client = builder(&server.url(), &clock).build().unwrap();
        let (seen, hook) = recorder();
        let opts = WaitOptions::new().poll_interval(secs(5)).on_progress(hook);
        let outcome = client.sync_and_wait("c1", &opts).unwrap();
        let SyncOutcome::Succeeded { at, .. } = &outcome else { panic!("{outcome:?}") };
        // T1 finished a sync that began before the call: only T2 counts.
        assert_eq!(*at, ts(T2));
        let sim = sim.lock().unwrap();
        assert_eq!(sim.triggers, [(false, false)], "one trigger, after the running sync ended");
        let requests: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
        // Baseline read, two polls until the running sync ends, trigger, three polls.
        assert_eq!(requests, ["GET", "GET", "GET", "POST", "GET", "GET", "GET"]);
        assert_eq!(clock.sleeps(), [secs(5); 4]);
        let triggered: Vec<bool> = seen.lock().unwrap().iter().map(|s| s.1 == Some(SyncState::Syncing)).collect();
        assert_eq!(triggered.len(), 5, "the hook sees the waiting-out polls too");
    }
}

#[test]
fn force_restarts_a_running_sync_and_the_next_finish_counts() {
    let mut s = running_sim();
    // A forced trigger replaces the running sync: it never stamps T1.
    s.stamps = vec![T2.into()];
    let (server, sim) = simulate(s, WhileSyncing::Drops);
    {
        // The restart: drop the running sync when a forced trigger comes.
        let mut sim = sim.lock().unwrap();
        sim.running = Some((2, T2.into()));
        sim.stamps = vec![T2.into()];
    }
    let clock = Arc::new(fivetrex::retry::ManualClock::new());
    let client = builder(&server.url(), &clock).build().unwrap();
    let outcome = client.sync_and_wait("c1", &WaitOptions::new().force(true).poll_interval(secs(5))).unwrap();
    let SyncOutcome::Succeeded { at, .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*at, ts(T2));
    assert_eq!(sim.lock().unwrap().triggers, [(true, true)], "triggered at once, with force, while syncing");
    let requests: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(requests[..2], ["GET", "POST"]);
}

#[test]
fn a_rescheduled_sync_on_a_manual_schedule_is_triggered_again_once_due() {
    let clock = Arc::new(fivetrex::retry::ManualClock::new());
    use fivetrex::retry::Clock;
    let due = Timestamp::from_system_time(clock.system_now() + secs(25)).to_string();
    for (schedule, triggers) in [("manual", 2), ("auto", 1)] {
        let sim = Sim {
            state: "rescheduled",
            succeeded: Some(T0.into()),
            failed: None,
            running: None,
            queued: false,
            triggers: Vec::new(),
            schedule,
            rescheduled_for: Some(due.clone()),
            stamps: vec![T1.into()],
        };
        let (server, sim) = simulate(sim, WhileSyncing::Drops);
        {
            // The first trigger is answered with a reschedule: the source's quota is used up.
            let mut s = sim.lock().unwrap();
            s.state = "scheduled";
        }
        let clock = Arc::new(fivetrex::retry::ManualClock::new());
        let client = builder(&server.url(), &clock).build().unwrap();
        let s2 = sim.clone();
        let first_post_reschedules = std::sync::atomic::AtomicBool::new(true);
        let opts = WaitOptions::new().timeout(secs(120)).on_progress(move |_| {
            let mut s = s2.lock().unwrap();
            if s.triggers.len() == 1 && first_post_reschedules.swap(false, Ordering::SeqCst) {
                s.running = None;
                s.state = "rescheduled";
                s.stamps = vec![T1.into()];
            }
        });
        let outcome = client.sync_and_wait("c1", &opts).unwrap();
        let posts = sim.lock().unwrap().triggers.len();
        assert_eq!(posts, triggers, "{schedule}");
        if schedule == "manual" {
            let SyncOutcome::Succeeded { at, elapsed, .. } = &outcome else { panic!("{outcome:?}") };
            assert_eq!(*at, ts(T1));
            assert!(*elapsed < secs(60), "re-triggered once due, not at the timeout: {elapsed:?}");
        } else {
            // An auto schedule runs it by itself; this simulation never does, so the wait times out.
            assert_eq!(outcome.as_str(), "timed_out", "{outcome:?}");
        }
    }
}

#[test]
fn each_timestamp_is_compared_with_its_own_baseline() {
    let server = MockServer::start();
    // An old failure stamped later (skewed clock) than the new success: the newer-of-the-two
    // baseline would be T2 and T1 would never pass it.
    let gets = script(&server, &[ok(conn(Some(T0), Some(T2), "scheduled")), ok(conn(Some(T1), Some(T2), "scheduled"))]);
    trigger(&server, false);
    let (client, clock) = client(&server.base_url());
    let outcome = client.sync_and_wait("c1", &WaitOptions::new().timeout(secs(60))).unwrap();
    let SyncOutcome::Succeeded { at, .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*at, ts(T1));
    assert!(clock.sleeps().is_empty());
    gets.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn the_first_read_survives_transient_errors() {
    let server = MockServer::start();
    let gets = script(
        &server,
        &[
            (503, Value::Null),
            (502, Value::Null),
            ok(conn(Some(T0), None, "scheduled")),
            ok(conn(Some(T1), None, "scheduled")),
        ],
    );
    let sync = trigger(&server, false);
    let clock = Arc::new(fivetrex::retry::ManualClock::new());
    let client = builder(&server.base_url(), &clock).retry_policy(fivetrex::RetryPolicy::none()).build().unwrap();
    let (seen, hook) = recorder();
    let outcome = client.sync_and_wait("c1", &WaitOptions::new().on_progress(hook)).unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    assert_eq!(clock.sleeps(), [secs(10), secs(10)]);
    sync.assert_calls(1);
    gets.iter().for_each(|m| m.assert_calls(1));
    let failed: Vec<bool> = seen.lock().unwrap().iter().map(|s| s.3).collect();
    assert_eq!(failed, [true, true, false], "the failed first reads reach the hook");
}

#[test]
fn resuming_a_paused_connection_is_reported() {
    let server = MockServer::start();
    let mut paused = conn(Some(T0), None, "paused");
    paused["paused"] = json!(true);
    script(&server, &[ok(paused), ok(conn(Some(T1), None, "scheduled"))]);
    let resume = server.mock(|when, then| {
        when.method(PATCH).path(PATH).json_body(json!({"paused": false}));
        then.status(200).json_body(data(conn(Some(T0), None, "scheduled")));
    });
    trigger(&server, false);
    let (client, _clock) = client(&server.base_url());
    let resumed = Arc::new(Mutex::new(Vec::new()));
    let r = resumed.clone();
    let opts = WaitOptions::new().resume_if_paused(true).on_progress(move |p| r.lock().unwrap().push(p.resumed));
    assert!(client.sync_and_wait("c1", &opts).unwrap().is_success());
    resume.assert_calls(1);
    assert_eq!(*resumed.lock().unwrap(), [true]);
}

#[test]
fn a_cancelled_wait_returns_within_100_ms() {
    let server = MockServer::start();
    script(&server, &[ok(conn(Some(T0), None, "scheduled"))]);
    let polls = server.mock(|when, then| {
        when.method(GET).path(PATH);
        then.status(200).json_body(data(conn(Some(T0), None, "syncing")));
    });
    trigger(&server, false);
    // The real clock and a 10 s poll interval: only the cancel can end the sleep early.
    let client =
        fivetrex::Client::builder().api_key(KEY).api_secret(SECRET).base_url(server.base_url()).build().unwrap();
    let token = fivetrex::CancelToken::new();
    let remote = token.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        tx.send(std::time::Instant::now()).unwrap();
        remote.cancel();
    });
    let opts = WaitOptions::new().poll_interval(secs(10)).cancel(&token);
    let err = client.sync_and_wait("c1", &opts).unwrap_err();
    let returned = std::time::Instant::now();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    let late = returned.duration_since(rx.recv().unwrap());
    assert!(late < Duration::from_millis(100), "{late:?}");
    polls.assert_calls(1);
}

#[test]
fn the_timeout_bounds_the_whole_wait_against_a_stalling_or_failing_server() {
    let budget = Duration::from_millis(400);
    for stall in [true, false] {
        let server = RawServer::start(move |seq, req| {
            if req.method == "POST" {
                Reply::json(200, &json!({"code": "Success"}))
            } else if seq == 0 {
                Reply::json(200, &data(conn(Some(T0), None, "scheduled")))
            } else if stall {
                Reply::Stall
            } else {
                Reply::json(503, &json!({"code": "Unavailable"}))
            }
        });
        let client =
            fivetrex::Client::builder().api_key(KEY).api_secret(SECRET).base_url(server.url()).build().unwrap();
        let t = std::time::Instant::now();
        let outcome = client
            .sync_and_wait("c1", &WaitOptions::new().poll_interval(Duration::from_millis(100)).timeout(budget))
            .unwrap();
        let took = t.elapsed();
        assert_eq!(outcome.as_str(), "timed_out", "{outcome:?}");
        assert!(took >= budget && took < budget + Duration::from_millis(100), "stall {stall}: {took:?}");
    }
}
