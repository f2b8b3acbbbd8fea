//! The request path: errors by status, retry and its waits, the shared pause, configuration.

use crate::support::*;
use fivetrex::retry::{Clock, ManualClock};
use fivetrex::transport::{HttpRequest, HttpResponse, Transport};
use fivetrex::{Client, Error, ErrorKind, Method, RetryPolicy, TransportError};
use httpmock::prelude::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const S: fn(u64) -> Duration = Duration::from_secs;
const MS: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn each_status_maps_to_its_kind_with_json_html_and_empty_bodies() {
    let table = [
        (400, ErrorKind::InvalidRequest),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (405, ErrorKind::InvalidRequest),
        (406, ErrorKind::InvalidRequest),
        (409, ErrorKind::Conflict),
        (415, ErrorKind::InvalidRequest),
        (422, ErrorKind::InvalidRequest),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
        (502, ErrorKind::Server),
        (503, ErrorKind::Server),
        (504, ErrorKind::Server),
        (418, ErrorKind::Http),
    ];
    let server = MockServer::start();
    let client = client_no_retry(&server.base_url());
    for (status, kind) in table {
        for (body_kind, body, content_type) in [
            ("json", json!({"code": format!("Code{status}"), "message": "nope"}).to_string(), "application/json"),
            ("html", "<html><body><h1>502 Bad Gateway</h1></body></html>".to_string(), "text/html"),
            ("empty", String::new(), "text/plain"),
        ] {
            let path = format!("/v1/groups/g_{status}_{body_kind}");
            let mut mock = server.mock(|when, then| {
                when.method(GET).path(path.as_str());
                then.status(status).header("content-type", content_type).body(body.clone());
            });
            let err = client.group(&format!("g_{status}_{body_kind}")).unwrap_err();
            assert_eq!(err.kind(), kind, "{status} {body_kind}: {err}");
            assert_eq!(err.status(), Some(status));
            match body_kind {
                "json" => {
                    assert_eq!(err.api_code(), Some(format!("Code{status}").as_str()));
                    assert_eq!(err.api_message(), Some("nope"));
                }
                "html" => {
                    assert_eq!(err.api_code(), None);
                    assert!(err.api_error().unwrap().body_snippet.contains("Bad Gateway"));
                }
                _ => assert_eq!(err.api_error().unwrap().body_snippet, ""),
            }
            mock.assert_calls(1);
            mock.delete();
        }
    }
}

#[test]
fn error_snippet_is_bounded() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups/big");
        then.status(500).body("x".repeat(100_000));
    });
    let err = client_no_retry(&server.base_url()).group("big").unwrap_err();
    let snippet = &err.api_error().unwrap().body_snippet;
    assert!(snippet.len() <= 520, "{}", snippet.len());
    assert!(err.to_string().len() < 700);
}

#[test]
fn every_2xx_is_success_and_204_empty_is_accepted() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(DELETE).path("/v1/groups/g1/users/u1");
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(POST).path("/v1/groups");
        then.status(201).json_body(data(group(7)));
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.remove_user_from_group("g1", "u1").unwrap().code, "Success");
    assert_eq!(client.create_group("Group 7").unwrap().id, "group_7");
}

fn rate_limited<'a>(server: &'a MockServer, path: &str, times: usize, retry_after: Option<&str>) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(GET).path(path);
        let then = then.status(429).json_body(json!({"code": "TooManyRequests", "message": "slow down"}));
        let then = match retry_after {
            Some(v) => then.header("Retry-After", v),
            None => then,
        };
        then.up_to_n_times(times);
    })
}

fn ok_group<'a>(server: &'a MockServer, path: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(GET).path(path);
        then.status(200).json_body(data(group(1)));
    })
}

#[test]
fn retry_after_in_seconds_is_slept() {
    let server = MockServer::start();
    let limited = rate_limited(&server, "/v1/groups/g", 2, Some("3"));
    let ok = ok_group(&server, "/v1/groups/g");
    let (client, clock) = client(&server.base_url());
    assert_eq!(client.group("g").unwrap().id, "group_1");
    limited.assert_calls(2);
    ok.assert_calls(1);
    // The wait is the larger of Retry-After and the backoff (500 ms, 1 s).
    assert_eq!(clock.sleeps(), vec![S(3), S(3)]);
}

#[test]
fn retry_after_as_http_date_is_slept_until_then() {
    let server = MockServer::start();
    let clock = Arc::new(ManualClock::new());
    let at = fivetrex::time::format_http_date(clock.system_now() + S(8));
    let limited = rate_limited(&server, "/v1/groups/g", 1, Some(&at));
    let ok = ok_group(&server, "/v1/groups/g");
    let client = builder(&server.base_url(), &clock).build().unwrap();
    client.group("g").unwrap();
    limited.assert_calls(1);
    ok.assert_calls(1);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    // HTTP-dates have whole seconds: the wait is within the second before the date.
    assert!(sleeps[0] > S(7) && sleeps[0] <= S(8), "{sleeps:?}");
}

#[test]
fn missing_or_garbage_retry_after_falls_back_to_backoff() {
    for header in [None, Some("soon"), Some("-5"), Some("")] {
        let server = MockServer::start();
        let limited = rate_limited(&server, "/v1/groups/g", 3, header);
        let ok = ok_group(&server, "/v1/groups/g");
        let (client, clock) = client(&server.base_url());
        client.group("g").unwrap();
        limited.assert_calls(3);
        ok.assert_calls(1);
        assert_eq!(clock.sleeps(), vec![MS(500), S(1), S(2)], "{header:?}");
    }
}

#[test]
fn retry_after_over_the_cap_is_returned_not_slept() {
    let server = MockServer::start();
    let limited = rate_limited(&server, "/v1/groups/g", 1, Some("3600"));
    let ok = ok_group(&server, "/v1/groups/g");
    let (client, clock) = client(&server.base_url());
    let err = client.group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(S(3600)));
    assert_eq!(err.api_code(), Some("TooManyRequests"));
    limited.assert_calls(1);
    ok.assert_calls(0);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn retry_after_cap_is_configurable() {
    let server = MockServer::start();
    let limited = rate_limited(&server, "/v1/groups/g", 1, Some("120"));
    let ok = ok_group(&server, "/v1/groups/g");
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.base_url(), &clock)
        .retry_policy(RetryPolicy::default().with_jitter(false).with_max_retry_after(S(300)))
        .build()
        .unwrap();
    client.group("g").unwrap();
    limited.assert_calls(1);
    ok.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![S(120)]);
}

#[test]
fn server_errors_that_end_are_retried() {
    let server = MockServer::start();
    let failing = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g");
        then.status(503).body("<html>unavailable</html>").up_to_n_times(2);
    });
    let ok = ok_group(&server, "/v1/groups/g");
    let (client, clock) = client(&server.base_url());
    client.group("g").unwrap();
    failing.assert_calls(2);
    ok.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![MS(500), S(1)]);
}

#[test]
fn server_errors_that_persist_fail_after_max_attempts() {
    let server = MockServer::start();
    let failing = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g");
        then.status(500);
    });
    let (client, clock) = client(&server.base_url());
    let err = client.group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    failing.assert_calls(5);
    assert_eq!(clock.sleeps(), vec![MS(500), S(1), S(2), S(4)]);
}

#[test]
fn other_4xx_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = MockServer::start();
        let m = server.mock(|when, then| {
            when.path("/v1/groups/g");
            then.status(status);
        });
        let (client, clock) = client(&server.base_url());
        client.group("g").unwrap_err();
        m.assert_calls(1);
        assert!(clock.sleeps().is_empty());
    }
}

#[test]
fn request_timeout_408_is_retried() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(408).up_to_n_times(1);
    });
    let ok = ok_group(&server, "/v1/groups/g");
    let (client, clock) = client(&server.base_url());
    client.group("g").unwrap();
    m.assert_calls(1);
    ok.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![MS(500)]);
}

fn failing_then_created(server: &MockServer, status: u16) -> (httpmock::Mock<'_>, httpmock::Mock<'_>) {
    let failing = server.mock(|when, then| {
        when.method(POST).path("/v1/groups");
        then.status(status).up_to_n_times(1);
    });
    let created = server.mock(|when, then| {
        when.method(POST).path("/v1/groups");
        then.status(201).json_body(data(group(1)));
    });
    (failing, created)
}

#[test]
fn create_is_not_retried_after_a_500() {
    let server = MockServer::start();
    let (failing, created) = failing_then_created(&server, 500);
    let (client, clock) = client(&server.base_url());
    assert_eq!(client.create_group("x").unwrap_err().kind(), ErrorKind::Server);
    failing.assert_calls(1);
    created.assert_calls(0);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn create_is_retried_after_a_502_when_the_policy_allows() {
    let server = MockServer::start();
    let (failing, created) = failing_then_created(&server, 502);
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.base_url(), &clock)
        .retry_policy(RetryPolicy::default().with_jitter(false).with_retry_non_idempotent(true))
        .build()
        .unwrap();
    assert_eq!(client.create_group("x").unwrap().id, "group_1");
    failing.assert_calls(1);
    created.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![MS(500)]);
}

#[test]
fn create_is_retried_after_a_429() {
    let server = MockServer::start();
    let limited = server.mock(|when, then| {
        when.method(POST).path("/v1/groups");
        then.status(429).header("Retry-After", "2").up_to_n_times(1);
    });
    let created = server.mock(|when, then| {
        when.method(POST).path("/v1/groups");
        then.status(201).json_body(data(group(1)));
    });
    let (client, clock) = client(&server.base_url());
    client.create_group("x").unwrap();
    limited.assert_calls(1);
    created.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![S(2)]);
}

#[test]
fn connection_refused_is_retried_then_reported_as_transport() {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (client, clock) = client(&format!("http://127.0.0.1:{port}"));
    let err = client.group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(!err.request_may_have_been_sent());
    assert_eq!(clock.sleeps().len(), 4, "connect errors are safe to retry, even for creates");
    let (client, clock) = client_and_clock(port);
    client.create_group("x").unwrap_err();
    assert_eq!(clock.sleeps().len(), 4);
}

fn client_and_clock(port: u16) -> (Client, Arc<ManualClock>) {
    client(&format!("http://127.0.0.1:{port}"))
}

#[test]
fn a_slow_server_times_out_instead_of_hanging() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(200).json_body(data(group(1))).delay(MS(1500));
    });
    let clock = Arc::new(ManualClock::new());
    let client =
        builder(&server.base_url(), &clock).timeout(MS(200)).retry_policy(RetryPolicy::none()).build().unwrap();
    let started = std::time::Instant::now();
    let err = client.group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < MS(1200));
    m.assert_calls(1);
}

#[test]
fn deadline_stops_retrying() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(503);
    });
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.base_url(), &clock)
        .retry_policy(RetryPolicy::default().with_jitter(false).with_max_attempts(10).with_deadline(Some(S(4))))
        .build()
        .unwrap();
    client.group("g").unwrap_err();
    // 0.5 + 1 = 1.5 s slept; the next wait (2 s) would end past 4 s only after that: 1.5 + 2 = 3.5 <= 4,
    // then 3.5 + 4 > 4 stops.
    assert_eq!(clock.sleeps(), vec![MS(500), S(1), S(2)]);
    m.assert_calls(4);
}

#[test]
fn jitter_keeps_waits_between_half_and_all_of_the_backoff() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(503);
    });
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.base_url(), &clock).retry_policy(RetryPolicy::default()).build().unwrap();
    client.group("g").unwrap_err();
    m.assert_calls(5);
    let sleeps = clock.sleeps();
    let backoff = [MS(500), S(1), S(2), S(4)];
    assert_eq!(sleeps.len(), 4);
    for (s, b) in sleeps.iter().zip(backoff) {
        assert!(*s >= b / 2 && *s <= b, "{s:?} vs {b:?}");
    }
}

#[test]
fn hooks_see_each_retry_and_the_predicate_decides() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(404);
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.base_url(), &clock)
        .retry_policy(RetryPolicy::default().with_jitter(false).with_max_attempts(3))
        .on_retry(move |e| seen2.lock().unwrap().push((e.attempt, e.delay, e.error.kind())))
        .retry_if(|e, _| (e.kind() == ErrorKind::NotFound).then_some(true))
        .build()
        .unwrap();
    client.group("g").unwrap_err();
    m.assert_calls(3);
    assert_eq!(*seen.lock().unwrap(), vec![(1, MS(500), ErrorKind::NotFound), (2, S(1), ErrorKind::NotFound)]);
}

#[test]
fn with_retry_wraps_any_closure() {
    let server = MockServer::start();
    let m = ok_group(&server, "/v1/groups/g");
    let (client, clock) = client(&server.base_url());
    let mut calls = 0;
    let out = client.with_retry(true, || {
        calls += 1;
        if calls < 3 {
            Err(Error::Timeout { message: "flaky step".into(), request_sent: true })
        } else {
            client.group("g")
        }
    });
    assert_eq!(out.unwrap().id, "group_1");
    assert_eq!(calls, 3);
    m.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![MS(500), S(1)]);
    // A non-idempotent closure is not repeated after an ambiguous failure.
    let mut calls = 0;
    let err = client.with_retry(false, || {
        calls += 1;
        Err::<(), _>(Error::Timeout { message: "sent, no answer".into(), request_sent: true })
    });
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Timeout);
    assert_eq!(calls, 1);
}

/// A transport that answers from a script and notes the (virtual) time of each request.
struct Scripted {
    clock: Arc<ManualClock>,
    answers: Mutex<Vec<HttpResponse>>,
    sent_at: Mutex<Vec<Duration>>,
}

impl Transport for Scripted {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        self.sent_at.lock().unwrap().push(self.clock.elapsed());
        let mut answers = self.answers.lock().unwrap();
        Ok(if answers.is_empty() {
            HttpResponse { status: 200, headers: vec![], body: data(group(1)).to_string().into_bytes() }
        } else {
            answers.remove(0)
        })
    }
}

#[test]
fn a_429_pauses_every_thread_of_the_client_and_its_clones() {
    let clock = Arc::new(ManualClock::new());
    let transport = Arc::new(Scripted {
        clock: clock.clone(),
        answers: Mutex::new(vec![HttpResponse {
            status: 429,
            headers: vec![("Retry-After".into(), "5".into())],
            body: vec![],
        }]),
        sent_at: Mutex::new(vec![]),
    });
    struct Shared(Arc<Scripted>);
    impl Transport for Shared {
        fn send(&self, r: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
            self.0.send(r)
        }
    }
    let client = Client::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url("https://api.fivetran.com")
        .transport(Shared(transport.clone()))
        .clock(clock.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(client.group("g").unwrap_err().retry_after(), Some(S(5)));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            std::thread::spawn(move || c.group("g").map(|g| g.id))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), "group_1");
    }
    let sent = transport.sent_at.lock().unwrap().clone();
    assert_eq!(sent.len(), 9);
    assert_eq!(sent[0], Duration::ZERO);
    assert!(sent[1..].iter().all(|t| *t >= S(5)), "a request left during the pause: {sent:?}");
    // Nobody spun: the waits add up to the pause, not more.
    assert_eq!(clock.sleeps().iter().sum::<Duration>(), S(5));
}

#[test]
fn client_side_rate_limit_spaces_requests() {
    let server = MockServer::start();
    let m = ok_group(&server, "/v1/groups/g");
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.base_url(), &clock).max_requests_per_second(4.0).build().unwrap();
    for _ in 0..3 {
        client.group("g").unwrap();
    }
    m.assert_calls(3);
    assert_eq!(clock.sleeps(), vec![MS(250), MS(250)]);
}

#[test]
fn rate_limit_headers_are_recorded() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(200)
            .header("X-Rate-Limit", "20000")
            .header("X-Rate-Limit-Remaining", "19998")
            .json_body(data(group(1)));
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.rate_limit().limit, None);
    client.group("g").unwrap();
    let clone = client.clone();
    assert_eq!(clone.rate_limit().limit, Some(20000));
    assert_eq!(clone.rate_limit().remaining, Some(19998));
}

#[test]
fn requests_carry_auth_accept_and_user_agent() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(GET)
            .path("/v1/groups/g")
            .header("authorization", auth_header())
            .header("accept", "application/json")
            .header_exists("user-agent");
        then.status(200).json_body(data(group(1)));
    });
    let (client, _) = client(&server.base_url());
    client.group("g").unwrap();
    m.assert_calls(1);
}

#[test]
fn configuration_errors_are_errors_not_panics() {
    let cases: Vec<(fivetrex::ClientBuilder, &str)> = vec![
        (Client::builder().api_secret("s"), "key"),
        (Client::builder().api_key("").api_secret("s"), "key"),
        (Client::builder().api_key("k"), "secret"),
        (Client::builder().api_key("k").api_secret("  "), "secret"),
        (Client::builder().api_key("k").api_secret("s").base_url("http://api.example.com"), "plain http"),
        (Client::builder().api_key("k").api_secret("s").base_url("http://10.0.0.1:8080"), "plain http"),
        (Client::builder().api_key("k").api_secret("s").base_url("ftp://x"), "https"),
        (Client::builder().api_key("k").api_secret("s").base_url("not a url"), "URL"),
        (Client::builder().api_key("k").api_secret("s").base_url("https://x/?a=b"), "query"),
        (Client::builder().api_key("k:x").api_secret("s"), "':'"),
        (Client::builder().api_key("k").api_secret("s").proxy("::::"), "proxy"),
    ];
    for (b, needle) in cases {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains(needle), "{err} should mention {needle}");
    }
    for ok in ["http://127.0.0.1:1", "http://localhost:8080/", "http://[::1]:9", "https://api.example.com/prefix/"] {
        let c = Client::builder().api_key("k").api_secret("s").base_url(ok).build().unwrap();
        assert!(!c.base_url().ends_with('/'));
    }
    Client::builder()
        .api_key("k")
        .api_secret("s")
        .base_url("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(Client::new("k", "s").unwrap().base_url(), "https://api.fivetran.com");
}

#[test]
fn the_secret_never_shows_in_debug_display_or_errors() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(401).json_body(json!({"code": "AuthFailed", "message": "Invalid credentials"}));
    });
    let builder = Client::builder().api_key(KEY).api_secret(SECRET).base_url(server.base_url());
    let client = builder.clone().build().unwrap();
    let err = client.group("g").unwrap_err();
    let encoded = auth_header();
    let encoded = encoded.trim_start_matches("Basic ");
    for text in [
        format!("{client:?}"),
        format!("{builder:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{:?}", fivetrex::Secret::new(SECRET)),
        format!(
            "{:?}",
            HttpRequest {
                method: Method::Get,
                url: "u",
                headers: &[("Authorization", &auth_header())],
                body: None,
                timeout: None
            }
        ),
    ] {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(!text.contains(encoded), "auth header leaked: {text}");
    }
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[test]
fn decode_errors_name_the_field_and_keep_the_status() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups/g");
        then.status(200).json_body(json!({"code": "Success", "data": {"id": "g", "name": "n", "created_at": 42}}));
    });
    server.mock(|when, then| {
        when.path("/v1/groups/h");
        then.status(200).body("<html>not json</html>");
    });
    let client = client_no_retry(&server.base_url());
    let err = client.group("g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("data.created_at"), "{err}");
    let err = client.group("h").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("not json"));
}

#[test]
fn empty_path_parameters_are_refused_before_sending() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.group("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(client.groups().page_size(0).next().unwrap().unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(client.groups().page_size(1001).next().unwrap().unwrap_err().kind(), ErrorKind::InvalidArgument);
    any.assert_calls(0);
}

#[test]
fn raw_calls_share_the_request_path() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/new-thing/a%20b")
            .query_param("x", "1 2")
            .header("authorization", auth_header())
            .header("content-type", "application/json")
            .json_body(json!({"k": "v"}));
        then.status(503).up_to_n_times(1);
    });
    let ok = server.mock(|when, then| {
        when.method(PATCH).path("/v1/new-thing/a%20b");
        then.status(200).json_body(data(json!({"done": true})));
    });
    let (client, clock) = client(&server.base_url());
    let v = client.raw(Method::Patch, "/v1/new-thing/a%20b", &[("x", "1 2")], Some(&json!({"k": "v"}))).unwrap();
    assert_eq!(v["data"]["done"], true);
    m.assert_calls(1);
    ok.assert_calls(1);
    assert_eq!(clock.sleeps(), vec![MS(500)]);
    assert_eq!(client.raw(Method::Get, "v1/no-slash", &[], None).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn raw_list_walks_any_paged_path() {
    let server = MockServer::start();
    for (cursor, next, base) in [(None, Some("c1"), 0), (Some("c1"), Some("c2"), 10), (Some("c2"), None, 20)] {
        server.mock(|when, then| {
            let when = when.path("/v1/brand-new").query_param("kind", "x").query_param("limit", "1000");
            match cursor {
                Some(c) => when.query_param("cursor", c),
                None => when.query_param_missing("cursor"),
            };
            then.status(200).json_body(page((base..base + 10).map(|i| json!({"n": i})).collect(), next));
        });
    }
    let (client, _) = client(&server.base_url());
    let all: Vec<_> = client
        .raw_list("/v1/brand-new", &[("kind", "x")])
        .unwrap()
        .map(|v| v.unwrap()["n"].as_u64().unwrap())
        .collect();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
}

#[test]
fn raw_paths_of_a_table_operation_get_its_accept_header() {
    let server = MockServer::start();
    let v2_get = server.mock(|when, then| {
        when.method(GET).path("/v1/destinations/d_1").header("accept", V2);
        then.status(200).json_body(data(json!({"id": "d_1"})));
    });
    let v1_get = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g_1").header("accept", V1);
        then.status(200).json_body(data(json!({"id": "g_1"})));
    });
    let unknown = server.mock(|when, then| {
        when.method(GET).path("/v1/brand-new/x").header("accept", V1);
        then.status(200).json_body(data(json!({"new": true})));
    });
    // A list of a v2 operation, three pages, every page request with the v2 header.
    let pages: Vec<_> = [(None, Some("c1"), 0), (Some("c1"), Some("c2"), 2), (Some("c2"), None, 4)]
        .into_iter()
        .map(|(cursor, next, base)| {
            server.mock(|when, then| {
                let when = when.method(GET).path("/v1/destinations").header("accept", V2);
                match cursor {
                    Some(c) => when.query_param("cursor", c),
                    None => when.query_param_missing("cursor"),
                };
                then.status(200)
                    .json_body(page((base..base + 2).map(|i| json!({"id": format!("d_{i}")})).collect(), next));
            })
        })
        .collect();
    let (client, _) = client(&server.base_url());
    assert_eq!(client.raw(Method::Get, "/v1/destinations/d_1", &[], None).unwrap()["data"]["id"], "d_1");
    assert_eq!(
        client.raw_json(Method::Get, "/v1/groups/g_1", &[], None).unwrap().unwrap().get(),
        r#"{"code":"Success","data":{"id":"g_1"},"message":"ok"}"#
    );
    assert_eq!(client.raw(Method::Get, "/v1/brand-new/x", &[], None).unwrap()["data"]["new"], true);
    let ids: Vec<String> = client
        .raw_list("/v1/destinations", &[])
        .unwrap()
        .map(|v| v.unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["d_0", "d_1", "d_2", "d_3", "d_4", "d_5"]);
    for m in [&v2_get, &v1_get, &unknown] {
        m.assert_calls(1);
    }
    pages.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn operation_at_prefers_literal_segments() {
    use fivetrex::operation_call::operation_at;
    assert_eq!(operation_at(Method::Get, "/v1/groups/g_1").unwrap().id, "group_details");
    assert_eq!(operation_at(Method::Get, "/v1/groups/g_1/connections").unwrap().id, "list_all_connections_in_group");
    assert_eq!(operation_at(Method::Post, "/v1/connections/c_1/sync").unwrap().id, "sync_connection");
    assert!(operation_at(Method::Get, "/v1/groups/").is_none(), "an empty segment fills no parameter");
    assert!(operation_at(Method::Put, "/v1/groups/g_1").is_none());
    // Every operation's own template, filled with ids, comes back to that operation or to one
    // with more literal segments at the same path.
    for op in fivetrex::api::operations() {
        let path: String =
            op.path.split('/').map(|s| if s.starts_with('{') { "x1" } else { s }).collect::<Vec<_>>().join("/");
        let found = operation_at(op.method, &path).unwrap_or_else(|| panic!("{} {path}", op.id));
        assert_eq!(found.method, op.method);
        assert!(
            found.id == op.id
                || !found.path.contains('{')
                || found.path.matches('{').count() < op.path.matches('{').count(),
            "{} -> {}",
            op.id,
            found.id
        );
    }
}
