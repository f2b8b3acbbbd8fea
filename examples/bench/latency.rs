//! The latency scenario: an account of G groups x C connections behind a loopback server that
//! answers every request after a fixed delay (50 ms, like a real API round trip), with an hourly
//! quota it enforces (`X-Rate-Limit`, `X-Rate-Limit-Remaining`, 429 with `Retry-After: 3600`).
//!
//! The task, done twice by the library: "list groups, list each group's connections, fetch each
//! connection's details", first as the obvious sequential loop, then with `FanOut` (16 workers).
//! The quota is set to the requests the task needs plus 5% and reset before each run.

use crate::data;
use fivetrex::fanout::FanOut;
use fivetrex::{Client, Group};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Config {
    pub groups: usize,
    pub per_group: usize,
    pub delay: Duration,
    pub workers: usize,
}

/// One run's figures.
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    pub wall: Duration,
    pub requests: u64,
    pub accepts: u64,
    pub too_many: u64,
    pub details: usize,
}

pub struct Report {
    pub needed: u64,
    pub quota: u64,
    pub sequential: Run,
    pub fanout: Run,
}

struct Shared {
    groups: usize,
    per_group: usize,
    delay: Duration,
    quota: AtomicU64,
    used: AtomicU64,
    requests: AtomicU64,
    accepts: AtomicU64,
    too_many: AtomicU64,
}

impl Shared {
    fn reset(&self, quota: u64) {
        self.quota.store(quota, SeqCst);
        for c in [&self.used, &self.requests, &self.accepts, &self.too_many] {
            c.store(0, SeqCst);
        }
    }

    fn counts(&self, wall: Duration, details: usize) -> Run {
        Run {
            wall,
            requests: self.requests.load(SeqCst),
            accepts: self.accepts.load(SeqCst),
            too_many: self.too_many.load(SeqCst),
            details,
        }
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

pub fn run(cfg: &Config) -> Res<Report> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let shared = Arc::new(Shared {
        groups: cfg.groups,
        per_group: cfg.per_group,
        delay: cfg.delay,
        quota: AtomicU64::new(0),
        used: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        accepts: AtomicU64::new(0),
        too_many: AtomicU64::new(0),
    });
    let s = shared.clone();
    std::thread::Builder::new().name("latency-accept".into()).spawn(move || accept_loop(listener, s))?;

    // One page of groups (the client asks for 1000 per page), one page per group's connections,
    // one request per connection.
    let needed = 1 + (cfg.groups + cfg.groups * cfg.per_group) as u64;
    let quota = needed + needed.div_ceil(20);

    // Each run gets a client of its own: its own connection pool, counted from zero.
    let client = || Client::builder().api_key("k").api_secret("s").base_url(url.as_str()).build();

    shared.reset(quota);
    let c = client()?;
    let t = Instant::now();
    let details = sequential(&c)?;
    let sequential = shared.counts(t.elapsed(), details);
    drop(c);

    shared.reset(quota);
    let c = client()?;
    let t = Instant::now();
    let details = fanout(&c, cfg.workers)?;
    let fanout = shared.counts(t.elapsed(), details);
    Ok(Report { needed, quota, sequential, fanout })
}

/// The obvious loop.
fn sequential(client: &Client) -> Res<usize> {
    let mut n = 0;
    for group in client.groups() {
        let group = group?;
        for c in client.group_connections(&group.id) {
            let details = client.connection(&c?.id)?;
            std::hint::black_box(&details);
            n += 1;
        }
    }
    Ok(n)
}

/// The same task on a fan-out: the group list, then each group's connections and each
/// connection's details on `workers` workers.
fn fanout(client: &Client, workers: usize) -> Res<usize> {
    let fan = FanOut::new().workers(workers);
    let groups: Vec<Group> = client.groups().collect::<Result<_, _>>()?;
    let mut ids = Vec::new();
    for s in fan.run(client, &groups, |g| {
        client.group_connections(&g.id).map(|c| c.map(|c| c.id)).collect::<Result<Vec<_>, _>>()
    }) {
        ids.extend(s.result?);
    }
    let mut n = 0;
    for s in fan.run(client, &ids, |id| client.connection(id)) {
        std::hint::black_box(s.result?);
        n += 1;
    }
    Ok(n)
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        shared.accepts.fetch_add(1, SeqCst);
        let s = shared.clone();
        // A broken connection just ends; the client reports its own error.
        let _ = std::thread::Builder::new().name("latency-conn".into()).spawn(move || serve(stream, &s));
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut content_length = 0u64;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        std::io::copy(&mut (&mut reader).take(content_length), &mut std::io::sink())?;
        shared.requests.fetch_add(1, SeqCst);
        let answer = answer(&target, shared);
        std::thread::sleep(shared.delay);
        writer.write_all(&answer)?;
    }
}

fn answer(target: &str, shared: &Shared) -> Vec<u8> {
    let quota = shared.quota.load(SeqCst);
    let used = shared.used.fetch_add(1, SeqCst) + 1;
    if used > quota {
        shared.too_many.fetch_add(1, SeqCst);
        return response(
            "429 Too Many Requests",
            quota,
            0,
            "Retry-After: 3600\r\n",
            br#"{"code":"TooManyRequests","message":"quota used up"}"#,
        );
    }
    let remaining = quota - used;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let param = |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='));
    let limit: usize = param("limit").and_then(|v| v.parse().ok()).unwrap_or(100).clamp(1, 1000);
    let offset: usize = param("cursor").and_then(|v| v.parse().ok()).unwrap_or(0);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let body = match segments.as_slice() {
        ["v1", "groups"] => page(shared.groups, offset, limit, |k, out| {
            out.push_str(&format!(r#"{{"id":"g{k:04}","name":"Group {k}","created_at":"2024-01-01T00:00:00Z"}}"#))
        }),
        ["v1", "groups", g, "connections"] => match g.strip_prefix('g').and_then(|k| k.parse::<usize>().ok()) {
            Some(k) if k < shared.groups => {
                page(shared.per_group, offset, limit, |j, out| data::connection(k * shared.per_group + j, out))
            }
            _ => None,
        },
        ["v1", "connections", id] => {
            let i = id.strip_prefix("conn_").and_then(|r| r.split('_').next()).and_then(|n| n.parse::<usize>().ok());
            match i {
                Some(i) if i < shared.groups * shared.per_group => {
                    let mut out = String::from(r#"{"code":"Success","data":"#);
                    data::connection(i, &mut out);
                    out.push('}');
                    Some(out)
                }
                _ => None,
            }
        }
        _ => None,
    };
    match body {
        Some(b) => response("200 OK", quota, remaining, "", b.as_bytes()),
        None => response("404 Not Found", quota, remaining, "", br#"{"code":"NotFound","message":"no such thing"}"#),
    }
}

/// Items `offset..offset+limit` of `n`, with an offset cursor while more remain.
fn page(n: usize, offset: usize, limit: usize, item: impl Fn(usize, &mut String)) -> Option<String> {
    let end = (offset + limit).min(n);
    let mut out = String::from(r#"{"code":"Success","data":{"items":["#);
    for i in offset..end {
        if i > offset {
            out.push(',');
        }
        item(i, &mut out);
    }
    out.push(']');
    if end < n {
        out.push_str(&format!(r#","next_cursor":"{end}""#));
    }
    out.push_str("}}");
    Some(out)
}

fn response(status: &str, quota: u64, remaining: u64, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Rate-Limit: {quota}\r\n\
         X-Rate-Limit-Remaining: {remaining}\r\n{extra}\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}
