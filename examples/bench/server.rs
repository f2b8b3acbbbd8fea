//! A static HTTP/1.1 keep-alive server on 127.0.0.1 whose answers are rendered once, up front.
//!
//! `GET /v1/connections?cursor=pK` answers page K of the current data set (no cursor: page 0);
//! `GET /v1/groups/{id}` answers a tiny group. Each answer is one pre-rendered buffer (status line,
//! headers and body) written with one `write_all`, so serving costs a lookup and a copy into the
//! socket. It counts accepted TCP connections and requests, and the CPU time its threads spent
//! (one thread per connection; each adds its own CPU time when its connection closes).

use crate::data;
use crate::procfs::thread_cpu_ns;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const PAGE_SIZE: usize = 1000;

/// The answers for one walk of `n` items: page K at index K, each a whole HTTP response.
pub struct Dataset {
    pages: Vec<Arc<[u8]>>,
    /// Body bytes over all pages.
    pub body_bytes: usize,
}

/// Counters since the last [`Server::reset`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub accepts: u64,
    pub requests: u64,
    pub cpu_ns: u64,
}

struct Shared {
    current: Mutex<Arc<Dataset>>,
    tiny: Arc<[u8]>,
    accepts: AtomicU64,
    requests: AtomicU64,
    cpu_ns: AtomicU64,
    open: AtomicU64,
}

pub struct Server {
    pub url: String,
    shared: Arc<Shared>,
    /// Every page of the largest data set, with a next cursor on all but the last.
    full: Vec<Arc<[u8]>>,
    full_items: usize,
    cache: HashMap<usize, Arc<Dataset>>,
}

fn response(status: &str, body: &[u8]) -> Arc<[u8]> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Rate-Limit: 20000\r\nX-Rate-Limit-Remaining: 19999\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r.into()
}

fn page(from: usize, to: usize, next: Option<&str>) -> Arc<[u8]> {
    response("200 OK", &data::page_body(from, to, next))
}

impl Server {
    /// Renders every page for `max_items` items and starts listening.
    pub fn start(max_items: usize) -> std::io::Result<Server> {
        let pages = max_items.div_ceil(PAGE_SIZE).max(1);
        let full: Vec<Arc<[u8]>> = (0..pages)
            .map(|k| {
                let to = ((k + 1) * PAGE_SIZE).min(max_items);
                let next = (k + 1 < pages).then(|| format!("p{}", k + 1));
                page(k * PAGE_SIZE, to, next.as_deref())
            })
            .collect();
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let body_bytes = full.iter().map(|p| p.len()).sum();
        let first = Arc::new(Dataset { pages: full.clone(), body_bytes });
        let shared = Arc::new(Shared {
            current: Mutex::new(first.clone()),
            tiny: response("200 OK", data::TINY_GROUP.as_bytes()),
            accepts: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            cpu_ns: AtomicU64::new(0),
            open: AtomicU64::new(0),
        });
        let s = shared.clone();
        std::thread::Builder::new().name("bench-accept".into()).spawn(move || accept_loop(listener, s))?;
        let mut cache = HashMap::new();
        cache.insert(max_items, first);
        Ok(Server { url, shared, full, full_items: max_items, cache })
    }

    /// The answers for a walk of `n` items (at most the rendered maximum): the full pages are
    /// shared, only a shorter last page is rendered anew. Call before timing.
    pub fn prepare(&mut self, n: usize) -> Arc<Dataset> {
        let n = n.clamp(1, self.full_items);
        if let Some(d) = self.cache.get(&n) {
            return d.clone();
        }
        let last = (n - 1) / PAGE_SIZE;
        let mut pages: Vec<Arc<[u8]>> = self.full[..last].to_vec();
        pages.push(page(last * PAGE_SIZE, n, None));
        let body_bytes = pages.iter().map(|p| p.len()).sum();
        let d = Arc::new(Dataset { pages, body_bytes });
        self.cache.insert(n, d.clone());
        d
    }

    /// Serves the walk of `n` items from now on and zeroes the counters.
    pub fn serve(&mut self, n: usize) {
        let d = self.prepare(n);
        *self.shared.current.lock().unwrap() = d;
        self.shared.accepts.store(0, SeqCst);
        self.shared.requests.store(0, SeqCst);
        self.shared.cpu_ns.store(0, SeqCst);
    }

    /// The counters, once every connection has closed (the client process has exited), waiting
    /// at most two seconds for the server threads to notice.
    pub fn counts(&self) -> Counts {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.shared.open.load(SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        Counts {
            accepts: self.shared.accepts.load(SeqCst),
            requests: self.shared.requests.load(SeqCst),
            cpu_ns: self.shared.cpu_ns.load(SeqCst),
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        shared.accepts.fetch_add(1, SeqCst);
        shared.open.fetch_add(1, SeqCst);
        let s = shared.clone();
        let spawned = std::thread::Builder::new().name("bench-conn".into()).spawn(move || {
            let start = thread_cpu_ns();
            // A broken connection just ends; the client reports its own error.
            let _ = serve_connection(stream, &s);
            s.cpu_ns.fetch_add(thread_cpu_ns().saturating_sub(start), SeqCst);
            s.open.fetch_sub(1, SeqCst);
        });
        if spawned.is_err() {
            shared.open.fetch_sub(1, SeqCst);
        }
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    // A stuck client must not keep the benchmark alive.
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut content_length = 0usize;
        let mut close = line.ends_with("HTTP/1.0\r\n");
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.trim().eq_ignore_ascii_case("close");
            }
        }
        std::io::copy(&mut (&mut reader).take(content_length as u64), &mut std::io::sink())?;
        shared.requests.fetch_add(1, SeqCst);
        let answer = route(&target, shared);
        writer.write_all(&answer)?;
        if close {
            return Ok(());
        }
    }
}

fn route(target: &str, shared: &Shared) -> Arc<[u8]> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == "/v1/connections" {
        let cursor = query.split('&').find_map(|kv| kv.strip_prefix("cursor="));
        let index = match cursor {
            None => Some(0),
            Some(c) => c.strip_prefix('p').and_then(|k| k.parse::<usize>().ok()),
        };
        let dataset = shared.current.lock().unwrap().clone();
        return match index.and_then(|k| dataset.pages.get(k)) {
            Some(p) => p.clone(),
            None => response("400 Bad Request", br#"{"code":"InvalidInput","message":"unknown cursor"}"#),
        };
    }
    if path.starts_with("/v1/groups/") {
        return shared.tiny.clone();
    }
    response("404 Not Found", br#"{"code":"NotFound","message":"no such path"}"#)
}
