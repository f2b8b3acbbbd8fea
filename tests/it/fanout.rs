//! The fan-out over a real loopback server: ordering, per-item errors, cancellation, the slowdown
//! when the remaining quota runs low (virtual clock), no 429 storm, and sync-and-wait on many
//! connections (emulator).

use crate::support::{client, client_no_retry, connection, data, page};
use fivetrex::fanout::{FanOut, Order, StopHandle};
use fivetrex::{Connection, Error, ErrorKind};
use httpmock::prelude::*;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("conn_{i}")).collect()
}

/// Answers `GET /v1/connections/conn_i` for every i in `0..n`, the first after `slow_first`.
fn serve_details<'a>(server: &'a MockServer, n: usize, slow_first: Duration) -> Vec<httpmock::Mock<'a>> {
    (0..n)
        .map(|i| {
            server.mock(|when, then| {
                when.method(GET).path(format!("/v1/connections/conn_{i}"));
                let then = then.status(200).json_body(data(connection(i, "g"))).header("X-Rate-Limit", "20000");
                let then = then.header("X-Rate-Limit-Remaining", "19000");
                if i == 0 {
                    then.delay(slow_first);
                }
            })
        })
        .collect()
}

fn hits(mocks: &[httpmock::Mock<'_>]) -> usize {
    mocks.iter().map(|m| m.calls()).sum()
}

#[test]
fn input_order_waits_for_a_slow_item_and_completed_order_does_not() {
    let server = MockServer::start();
    let mocks = serve_details(&server, 24, Duration::from_millis(400));
    let (client, clock) = client(&server.base_url());
    let fan = FanOut::new().workers(4);

    let got = fan.run(&client, ids(24), |id| client.connection(&id));
    assert_eq!(got.iter().map(|s| s.index).collect::<Vec<_>>(), (0..24).collect::<Vec<_>>());
    for s in &got {
        assert_eq!(s.result.as_ref().unwrap().id, format!("conn_{}", s.index));
    }
    assert_eq!(hits(&mocks), 24, "one request per item");

    let got = fan.clone().order(Order::Completed).run(&client, ids(24), |id| client.connection(&id));
    let order: Vec<usize> = got.iter().map(|s| s.index).collect();
    assert_eq!(order.iter().copied().collect::<HashSet<_>>().len(), 24, "each item once: {order:?}");
    assert_ne!(order[0], 0, "the slow first item does not hold the others back: {order:?}");
    assert!(order.iter().position(|&i| i == 0).unwrap() >= 12, "{order:?}");
    assert_eq!(hits(&mocks), 48);
    assert!(clock.sleeps().is_empty(), "plenty of quota: no waits");
}

#[test]
fn the_workers_really_run_in_parallel_and_share_the_connection_pool() {
    let server = MockServer::start();
    // Every answer takes 200 ms: 16 items on 8 workers take two rounds, not sixteen.
    let mock = server.mock(|when, then| {
        when.method(GET).path_prefix("/v1/connections/");
        then.status(200).json_body(data(connection(1, "g"))).delay(Duration::from_millis(200));
    });
    let (client, _) = client(&server.base_url());
    let t = std::time::Instant::now();
    let got = FanOut::new().workers(8).run(&client, ids(16), |id| client.connection(&id));
    let took = t.elapsed();
    assert_eq!(got.len(), 16);
    assert!(got.iter().all(|s| s.result.is_ok()));
    assert_eq!(mock.calls(), 16);
    assert!(took < Duration::from_millis(1600), "took {took:?}: not parallel");
}

#[test]
fn each_item_has_its_own_error_and_the_others_go_on() {
    let server = MockServer::start();
    let mocks = serve_details(&server, 10, Duration::ZERO);
    let missing = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/gone");
        then.status(404).json_body(serde_json::json!({"code": "NotFound_Connector", "message": "no such connection"}));
    });
    let (client, _) = client(&server.base_url());
    let mut input = ids(10);
    input.insert(3, "gone".into());
    input.insert(8, "gone".into());
    let got = client.connections_by_id(&input, &FanOut::new().workers(3));
    assert_eq!(got.len(), 12);
    for (i, (id, result)) in got.iter().enumerate() {
        assert_eq!(id, &input[i]);
        match result {
            Ok(c) => assert_eq!(&c.id, id),
            Err(e) => {
                assert_eq!(id, "gone");
                assert_eq!(e.kind(), ErrorKind::NotFound);
                assert_eq!(e.api_code(), Some("NotFound_Connector"));
            }
        }
    }
    assert_eq!(got.iter().filter(|(_, r)| r.is_err()).count(), 2);
    // A 404 is not retried: one request per input.
    assert_eq!(hits(&mocks) + missing.calls(), 12);
}

#[test]
fn a_list_feeds_the_workers_page_by_page_and_its_error_is_an_item() {
    let server = MockServer::start();
    let items = |from: usize, to: usize| (from..to).map(|i| connection(i, "g")).collect::<Vec<_>>();
    let p1 = server.mock(|when, then| {
        when.method(GET).path("/v1/connections").query_param_missing("cursor");
        then.status(200).json_body(page(items(0, 5), Some("c2")));
    });
    let p2 = server.mock(|when, then| {
        when.method(GET).path("/v1/connections").query_param("cursor", "c2");
        then.status(200).json_body(page(items(5, 9), Some("c3")));
    });
    let p3 = server.mock(|when, then| {
        when.method(GET).path("/v1/connections").query_param("cursor", "c3");
        then.status(403).json_body(serde_json::json!({"code": "Forbidden", "message": "no"}));
    });
    let client = client_no_retry(&server.base_url());
    let got = FanOut::new()
        .workers(3)
        .run(&client, client.connections(), |c: fivetrex::Result<Connection>| c.map(|c| c.schema));
    let schemas: Vec<String> = got.iter().filter_map(|s| s.result.as_ref().ok().cloned()).collect();
    assert_eq!(schemas, (0..9).map(|i| format!("pg_{i}")).collect::<Vec<_>>());
    assert_eq!(got.len(), 10, "nine items and the page that failed");
    assert_eq!(got[9].result.as_ref().unwrap_err().kind(), ErrorKind::Forbidden);
    assert_eq!((p1.calls(), p2.calls(), p3.calls()), (1, 1, 1), "each page once, no page after the error");
}

#[test]
fn a_stop_handle_ends_the_fan_out_and_started_items_are_still_reported() {
    let server = MockServer::start();
    let mocks = serve_details(&server, 40, Duration::ZERO);
    let (client, _) = client(&server.base_url());
    let stop = StopHandle::new();
    let seen = AtomicUsize::new(0);
    let fan = FanOut::new().workers(2).stop_handle(&stop);
    let got = fan.run(&client, ids(40), |id| {
        if seen.fetch_add(1, Ordering::SeqCst) == 5 {
            stop.stop();
        }
        client.connection(&id)
    });
    let n = got.len();
    assert!((6..=7).contains(&n), "the item that stopped it and at most one in flight: {n}");
    assert_eq!(got.iter().map(|s| s.index).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
    assert!(got.iter().all(|s| s.result.is_ok()));
    assert_eq!(hits(&mocks), n, "no request for an item not started");

    // A stop check (any cancellation flag), and a consumer that breaks.
    let calls = AtomicUsize::new(0);
    let fan = FanOut::new().workers(2).stop_when(|| false);
    let stats = fan.for_each(
        &client,
        ids(40),
        |id| {
            calls.fetch_add(1, Ordering::SeqCst);
            client.connection(&id)
        },
        |s| if s.index == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) },
    );
    assert!(stats.stopped);
    assert!(stats.started < 40 && stats.started == calls.load(Ordering::SeqCst), "{stats:?}");
    let before = hits(&mocks);
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let f2 = flag.clone();
    let got =
        FanOut::new().stop_when(move || f2.load(Ordering::SeqCst)).run(&client, ids(40), |id| client.connection(&id));
    assert!(got.is_empty() && hits(&mocks) == before, "stopped before the start: nothing sent");
    drop(flag);
}

#[test]
fn dropping_the_results_stops_the_workers() {
    let server = MockServer::start();
    let mocks = serve_details(&server, 60, Duration::ZERO);
    let (client, _) = client(&server.base_url());
    std::thread::scope(|s| {
        let mut results = FanOut::new().workers(2).spawn(s, &client, ids(60), |id| client.connection(&id));
        assert_eq!(results.next().unwrap().index, 0);
        drop(results);
    });
    // The channel holds at most 4 per worker; the workers stop at their next send.
    assert!(hits(&mocks) <= 1 + 2 * 4 + 2, "{} requests after the results were dropped", hits(&mocks));
}

/// Every answer reports `limit` and `remaining`.
fn serve_quota(server: &MockServer, limit: u64, remaining: u64) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET).path_prefix("/v1/connections/");
        then.status(200)
            .json_body(data(connection(1, "g")))
            .header("X-Rate-Limit", limit.to_string())
            .header("X-Rate-Limit-Remaining", remaining.to_string());
    })
}

#[test]
fn low_remaining_quota_spaces_the_starts_to_what_the_quota_sustains() {
    let server = MockServer::start();
    let mock = serve_quota(&server, 100, 2);
    let (client, clock) = client(&server.base_url());
    // At or below the reserve (the larger of 2 x workers and 2% of 100): paced. One worker: the
    // first item starts before any reading, each later one waits for its slot.
    let fan = FanOut::new().workers(1);
    let got = fan.run(&client, ids(6), |id| client.connection(&id));
    assert_eq!(got.len(), 6);
    assert!(got.iter().all(|s| s.result.is_ok()));
    assert_eq!(mock.calls(), 6, "slower, not more requests");
    // 3,600 s / 100 requests: one start every 36 s, the first paced one at once.
    assert_eq!(clock.elapsed(), Duration::from_secs(4 * 36));
    assert!(clock.sleeps().iter().all(|d| *d <= Duration::from_secs(1)), "slept in steps a stop can cut short");
    assert_eq!(client.rate_limit().remaining, Some(2));

    // The same with eight workers: the spacing is shared, the requests too.
    let (client, clock) = crate::support::client(&server.base_url());
    let stats =
        FanOut::new().workers(8).for_each(&client, ids(12), |id| client.connection(&id), |_| ControlFlow::Continue(()));
    assert_eq!(stats.started, 12);
    assert!(stats.paced >= 4, "{stats:?}");
    // At least that much virtual time; more when several workers sleep at once (a manual clock
    // adds up every thread's sleeps).
    assert!(clock.elapsed() >= Duration::from_secs(36 * (stats.paced - 1)), "{:?} {stats:?}", clock.elapsed());
    assert_eq!(mock.calls(), 18);

    // A stop while waiting for quota is seen within a step: the next item never starts.
    let (client, clock) = crate::support::client(&server.base_url());
    let _ = client.connection("conn_0"); // a reading: 2 left
    let stop = StopHandle::new();
    let s2 = stop.clone();
    let clock2 = clock.clone();
    let fan =
        FanOut::new().workers(1).stop_when(move || clock2.elapsed() >= Duration::from_secs(40) || s2.is_stopped());
    let got = fan.run(&client, ids(10), |id| client.connection(&id));
    assert_eq!(got.len(), 2, "the first at once, the second after 36 s, the third never");
    assert!(clock.elapsed() < Duration::from_secs(42), "{:?}", clock.elapsed());
    assert_eq!(mock.calls(), 18 + 1 + 2);
}

#[test]
fn plenty_of_quota_means_no_waiting_and_the_reserve_is_configurable() {
    let server = MockServer::start();
    let mock = serve_quota(&server, 20000, 500);
    let (client, clock) = client(&server.base_url());
    let stats =
        FanOut::new().workers(4).for_each(&client, ids(20), |id| client.connection(&id), |_| ControlFlow::Continue(()));
    assert_eq!((stats.started, stats.paced), (20, 0));
    assert_eq!(clock.elapsed(), Duration::ZERO);
    // A reserve above what is left: paced at 3,600 s / 20,000 = 180 ms per start.
    let fan = FanOut::new().workers(1).quota_reserve(1000);
    let stats = fan.for_each(&client, ids(5), |id| client.connection(&id), |_| ControlFlow::Continue(()));
    assert_eq!(stats.paced, 5);
    assert_eq!(clock.elapsed(), Duration::from_millis(4 * 180));
    assert_eq!(mock.calls(), 25);
}

#[test]
fn a_spent_quota_costs_one_429_per_worker_not_one_per_item() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path_prefix("/v1/connections/");
        then.status(429)
            .header("Retry-After", "3600")
            .header("X-Rate-Limit", "20000")
            .header("X-Rate-Limit-Remaining", "0")
            .json_body(serde_json::json!({"code": "TooManyRequests", "message": "quota used up"}));
    });
    let (client, clock) = client(&server.base_url());
    let mut got = Vec::new();
    let stats = FanOut::new().workers(4).quota_reserve(0).for_each(
        &client,
        ids(200),
        |id| client.connection(&id),
        |s| {
            got.push(s);
            ControlFlow::Continue(())
        },
    );
    assert!(stats.rate_limited && stats.stopped, "{stats:?}");
    assert!(mock.calls() <= 4, "{} requests: a 429 storm", mock.calls());
    assert_eq!(got.len(), mock.calls(), "every request's item is reported");
    for s in &got {
        match &s.result {
            Err(Error::RateLimited { retry_after, .. }) => assert_eq!(*retry_after, Some(Duration::from_secs(3600))),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(clock.elapsed(), Duration::ZERO, "an hour-long Retry-After is returned, not slept");
}

#[test]
fn worker_counts_are_bounded_and_zero_means_the_default() {
    assert_eq!(FanOut::new().worker_count(), fivetrex::fanout::DEFAULT_WORKERS);
    assert_eq!(FanOut::new().workers(0).worker_count(), fivetrex::fanout::DEFAULT_WORKERS);
    assert_eq!(FanOut::new().workers(10_000).worker_count(), fivetrex::fanout::MAX_WORKERS);
    // No inputs: nothing sent, nothing reported.
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    assert!(FanOut::new().run(&client, Vec::<String>::new(), |id| client.connection(&id)).is_empty());
}

#[cfg(feature = "emulator")]
mod emulator {
    use super::*;
    use fivetrex::emulator::{Emulator, Outcome};
    use fivetrex::sync_many::SyncSettled;
    use fivetrex::{SyncOutcome, WaitOptions};
    use std::time::Instant;

    fn all_ids(emu: &Emulator) -> Vec<String> {
        emu.group_ids().iter().flat_map(|g| emu.connection_ids(g)).collect()
    }

    #[test]
    fn sync_and_wait_many_reports_each_outcome_as_it_settles() {
        let emu = Emulator::builder().seed(2, 10).sync_duration(Duration::from_millis(60)).start().unwrap();
        let ids = all_ids(&emu);
        // Connection 7 of each group is paused, 9 broken; make 2 fail.
        emu.set_sync_outcome(&ids[2], Outcome::Failure).unwrap();
        let mut input: Vec<String> = ids.clone();
        input.push("no_such_connection".into());
        let client = emu.client();
        let wait = WaitOptions::new().poll_interval(Duration::from_millis(20)).timeout(Duration::from_secs(20));
        let mut settled: Vec<SyncSettled> = Vec::new();
        let t = Instant::now();
        let stats = client
            .sync_and_wait_many(&input, &wait, &FanOut::new().workers(21).order(Order::Completed), |s| settled.push(s));
        let took = t.elapsed();
        assert_eq!(stats.started, 21);
        assert_eq!(settled.len(), 21);
        assert!(took < Duration::from_secs(5), "waited in parallel: {took:?}");
        let by_id = |id: &str| settled.iter().find(|s| s.connection_id == id).unwrap();
        for (j, id) in ids.iter().enumerate() {
            let outcome = by_id(id).result.as_ref().unwrap().as_str();
            let want = match j % 10 {
                7 => "paused",
                9 => "broken",
                _ if j == 2 => "failed",
                _ => "succeeded",
            };
            assert_eq!(outcome, want, "{id} (#{j})");
        }
        let gone = by_id("no_such_connection");
        assert_eq!(gone.result.as_ref().unwrap_err().kind(), ErrorKind::NotFound);
        // One trigger per syncable connection, none for the paused, broken and unknown ones.
        let triggers = emu.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/sync")).count();
        assert_eq!(triggers, 16);
    }

    #[test]
    fn a_stop_cuts_the_waits_short_with_a_baseline_to_resume_from() {
        let emu = Emulator::builder().seed(1, 4).sync_duration(Duration::from_secs(30)).start().unwrap();
        let ids: Vec<String> = all_ids(&emu).into_iter().take(3).collect();
        let client = emu.client();
        let stop = StopHandle::new();
        let wait = WaitOptions::new().poll_interval(Duration::from_millis(30)).timeout(Duration::from_secs(60));
        let mut settled = Vec::new();
        let stopper = stop.clone();
        let t = Instant::now();
        std::thread::scope(|s| {
            s.spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                stopper.stop();
            });
            client.sync_and_wait_many(&ids, &wait, &FanOut::new().workers(3).stop_handle(&stop), |r| settled.push(r));
        });
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert_eq!(settled.len(), 3);
        for s in &settled {
            match s.result.as_ref().unwrap() {
                SyncOutcome::TimedOut { baseline, connection, elapsed, .. } => {
                    assert!(baseline.is_some() && connection.is_some());
                    assert!(*elapsed >= Duration::from_millis(150), "the whole wait's time: {elapsed:?}");
                }
                other => panic!("{other:?}"),
            }
        }
        // Still syncing: the waits ended, the syncs did not.
        assert!(client.connection(&ids[0]).unwrap().is_syncing());
    }

    #[test]
    fn a_quota_with_five_percent_to_spare_finishes_slower_but_without_a_429() {
        let emu = Emulator::builder().seed(4, 25).start().unwrap();
        let clock = std::sync::Arc::new(fivetrex::retry::ManualClock::new());
        let client = emu.client_builder().clock(clock.clone()).build().unwrap();
        // The task: one account-wide list (100 items: one page of 1000), then 100 details.
        let needed: u64 = 1 + 100;
        let quota = needed + needed.div_ceil(20);
        emu.set_hourly_quota(quota);
        let ids: Vec<String> =
            client.connections().page_size(1000).map(|c| c.map(|c| c.id)).collect::<Result<_, _>>().unwrap();
        let fan = FanOut::new().workers(16);
        let mut ok = 0;
        let stats = fan.for_each(
            &client,
            &ids,
            |id| client.connection(id),
            |s| {
                ok += usize::from(s.result.is_ok());
                ControlFlow::Continue(())
            },
        );
        assert_eq!((ok, stats.started, stats.rate_limited), (100, 100, false), "{stats:?}");
        let statuses: Vec<Option<u16>> = emu.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses.len() as u64, needed);
        assert!(statuses.iter().all(|s| *s == Some(200)), "{statuses:?}");
        // The reserve here (32, twice the workers) is more than the 5% to spare: the last starts
        // were spaced by an hour / quota, on the virtual clock.
        assert!(stats.paced > 0, "{stats:?}");
        let interval = Duration::from_secs(3600) / quota as u32;
        // At least that much virtual time; more when several workers sleep at once (a manual
        // clock adds up every thread's sleeps).
        assert!(clock.elapsed() >= interval * (stats.paced as u32 - 1), "{:?} {stats:?}", clock.elapsed());
        assert!(emu.connections_accepted() <= 16, "{} TCP connections", emu.connections_accepted());
    }
}
