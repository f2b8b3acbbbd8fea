//! A small HTTP/1.1 server on `std::net`: one thread per connection, keep-alive, `Content-Length`
//! and chunked request bodies, bounded head and body sizes, an idle timeout per connection, and a
//! shutdown that stops the accept loop and closes every open connection.
//!
//! It is hand-written rather than taken from a crate because fault injection needs the raw socket:
//! a reset (`SO_LINGER` 0), an answer cut short after its head promised more, a request that is
//! read and never answered. The handler says which of those to do through [`Action`].

use crate::lock::lock;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: u64 = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Most connections served at once; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 512;
/// How often a waiting connection (delay, stall) looks at the shutdown flag.
const POLL: Duration = Duration::from_millis(20);

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Which accepted connection carried it (1-based, in accept order).
    pub connection: u64,
    /// Whether the connection stays open after the answer (HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`).
    pub keep_alive: bool,
}

impl Request {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An answer to send.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response { status, headers: vec![("Content-Type".into(), content_type.into())], body }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// What the server does with a request after an optional delay.
#[derive(Debug)]
pub(crate) enum Action {
    /// Send this answer.
    Answer(Response),
    /// Send the head with the full `Content-Length`, then half the body, then close.
    Truncate(Response),
    /// Close the connection without answering, with a TCP reset where the platform allows.
    Reset,
    /// Never answer; hold the connection until the client gives up or the server stops.
    Stall,
}

/// The handler's decision for one request.
#[derive(Debug)]
pub(crate) struct Reply {
    pub delay: Duration,
    pub action: Action,
}

/// Turns requests into replies; shared by every connection thread.
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, request: &Request) -> Reply;
}

/// Counters the server keeps.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// TCP connections accepted.
    pub accepted: AtomicU64,
    /// Requests read (answered or not).
    pub requests: AtomicU64,
}

struct Shared {
    stop: AtomicBool,
    counters: Arc<Counters>,
    /// A clone of every open connection's socket, so shutdown can close them.
    live: Mutex<HashMap<u64, TcpStream>>,
    idle_timeout: Duration,
    handler: Arc<dyn Handler>,
}

/// A running server; dropping it stops it.
pub(crate) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` and starts accepting.
    pub fn start(
        addr: SocketAddr,
        handler: Arc<dyn Handler>,
        counters: Arc<Counters>,
        idle_timeout: Duration,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            counters,
            live: Mutex::new(HashMap::new()),
            idle_timeout,
            handler,
        });
        let s = shared.clone();
        let accept_thread = std::thread::Builder::new()
            .name("fivetrex-emulator-accept".into())
            .spawn(move || accept_loop(&listener, &s))?;
        Ok(Server { addr, shared, accept_thread: Some(accept_thread) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every open connection and waits (briefly) for their threads.
    pub fn stop(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the blocking accept with a connection of our own; it sees the flag and returns.
        // Should that connection fail (it does not on loopback), the accept thread is left
        // blocked until the process ends rather than joined forever.
        let woken = TcpStream::connect_timeout(&wake_addr(self.addr), Duration::from_secs(1)).is_ok();
        if let Some(t) = self.accept_thread.take() {
            if woken {
                let _ = t.join();
            }
        }
        for stream in lock(&self.shared.live).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        // Connection threads notice within one poll interval; do not wait on a stuck one forever.
        let deadline = Instant::now() + Duration::from_secs(2);
        while !lock(&self.shared.live).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where to connect to reach a listener bound to `addr` (an unspecified address means loopback).
fn wake_addr(addr: SocketAddr) -> SocketAddr {
    let mut a = addr;
    if a.ip().is_unspecified() {
        a.set_ip(match a {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    a
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                log::debug!("emulator: accept failed: {e}");
                // Out of descriptors and the like: back off instead of spinning.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let id = shared.counters.accepted.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = stream.set_nodelay(true);
        let clone = match stream.try_clone() {
            Ok(c) => c,
            Err(_) => continue,
        };
        {
            let mut live = lock(&shared.live);
            if live.len() >= MAX_CONNECTIONS {
                drop(live);
                let mut s = stream;
                let _ = write_response(&mut s, &busy(), true, false);
                continue;
            }
            live.insert(id, clone);
        }
        let s = shared.clone();
        let spawned = std::thread::Builder::new().name(format!("fivetrex-emulator-{id}")).spawn(move || {
            serve_connection(stream, id, &s);
            lock(&s.live).remove(&id);
        });
        if spawned.is_err() {
            lock(&shared.live).remove(&id);
        }
    }
}

fn busy() -> Response {
    Response::new(
        503,
        "application/json",
        br#"{"code":"ServiceUnavailable","message":"too many connections"}"#.to_vec(),
    )
}

/// Why reading a request stopped.
enum ReadError {
    /// The peer closed, timed out, or the server is stopping: close quietly.
    Closed,
    /// The request was malformed or too large: answer this, then close.
    Bad(u16, &'static str),
}

fn serve_connection(stream: TcpStream, id: u64, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(shared.idle_timeout));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let request = match read_request(&mut reader, &mut writer, id) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, why)) => {
                let body = format!(r#"{{"code":"BadRequest","message":"{why}"}}"#).into_bytes();
                let _ = write_response(&mut writer, &Response::new(status, "application/json", body), true, false);
                lingering_close(reader.get_mut());
                return;
            }
        };
        shared.counters.requests.fetch_add(1, Ordering::SeqCst);
        let keep_alive = request.keep_alive;
        let head_only = request.method == "HEAD";
        let reply = shared.handler.handle(&request);
        if !wait(reply.delay, &shared.stop) {
            return;
        }
        match reply.action {
            Action::Answer(response) => {
                if write_response(&mut writer, &response, !keep_alive, head_only).is_err() || !keep_alive {
                    let _ = writer.shutdown(Shutdown::Write);
                    return;
                }
            }
            Action::Truncate(response) => {
                let _ = write_truncated(&mut writer, &response);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Action::Reset => {
                // The live-map clone must go before this thread's handles, or no close happens.
                lock(&shared.live).remove(&id);
                reset(&writer);
                return;
            }
            Action::Stall => {
                stall(reader.get_mut(), &shared.stop);
                return;
            }
        }
    }
}

/// Closes after an early answer without resetting it away: a close with unread input makes the
/// kernel send a reset, which can destroy the answer before the client reads it. So: stop
/// writing, then read and discard for a little while.
fn lingering_close(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut budget = 1usize << 20;
    while Instant::now() < deadline && budget > 0 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => budget = budget.saturating_sub(n),
        }
    }
}

/// Sleeps `d` in slices, giving up early (false) when the server stops.
fn wait(d: Duration, stop: &AtomicBool) -> bool {
    let end = Instant::now() + d;
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(POLL));
    }
}

/// Holds the connection open without answering until the client closes it or the server stops.
fn stall(stream: &mut TcpStream, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(POLL));
    let mut sink = [0u8; 1024];
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

/// Closes with a TCP reset (`SO_LINGER` 0) on Unix; elsewhere a plain close, which the client
/// sees the same way: the connection ended without an answer.
fn reset(stream: &TcpStream) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let linger = libc::linger { l_onoff: 1, l_linger: 0 };
        // SAFETY: the descriptor is open (we hold the stream) and the option value is a valid
        // `linger` of the size passed.
        let _ = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&linger as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
    }
    #[cfg(not(unix))]
    {
        let _ = stream.shutdown(Shutdown::Both);
    }
}

fn wants_keep_alive(version: &str, headers: &[(String, String)]) -> bool {
    let connection = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    let has = |token: &str| connection.split(',').any(|t| t.trim() == token);
    if has("close") {
        return false;
    }
    version != "HTTP/1.0" || has("keep-alive")
}

fn read_request(reader: &mut BufReader<TcpStream>, writer: &mut TcpStream, id: u64) -> Result<Request, ReadError> {
    let mut head_budget = MAX_HEAD_BYTES;
    let mut line = Vec::new();
    // Blank lines before a request are tolerated (RFC 9112 2.2).
    loop {
        line.clear();
        read_line(reader, &mut line, &mut head_budget)?;
        if line.is_empty() {
            return Err(ReadError::Closed);
        }
        if !trim_crlf(&line).is_empty() {
            break;
        }
    }
    let request_line = String::from_utf8_lossy(trim_crlf(&line)).into_owned();
    let mut parts = request_line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) if !m.is_empty() && v.starts_with("HTTP/1.") => (m, t, v),
        _ => return Err(ReadError::Bad(400, "malformed request line")),
    };
    let mut headers = Vec::new();
    loop {
        line.clear();
        read_line(reader, &mut line, &mut head_budget)?;
        if line.is_empty() {
            return Err(ReadError::Closed);
        }
        let l = trim_crlf(&line);
        if l.is_empty() {
            break;
        }
        if l[0] == b' ' || l[0] == b'\t' {
            return Err(ReadError::Bad(400, "folded header lines are not accepted"));
        }
        let text = String::from_utf8_lossy(l);
        let (k, v) = text.split_once(':').ok_or(ReadError::Bad(400, "malformed header line"))?;
        if k.is_empty() || k.ends_with(' ') {
            return Err(ReadError::Bad(400, "malformed header name"));
        }
        headers.push((k.to_owned(), v.trim().to_owned()));
    }
    let keep_alive = wants_keep_alive(version, &headers);
    let target = strip_authority(target);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target.to_owned(), String::new()),
    };
    let mut request =
        Request { method: method.to_owned(), path, query, headers, body: Vec::new(), connection: id, keep_alive };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().split(',').any(|t| t.trim() == "chunked"));
    let length = match request.header("content-length") {
        Some(v) => Some(v.parse::<usize>().map_err(|_| ReadError::Bad(400, "invalid Content-Length"))?),
        None => None,
    };
    if chunked && length.is_some() {
        return Err(ReadError::Bad(400, "both Content-Length and chunked Transfer-Encoding"));
    }
    if length.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    if (chunked || length.is_some_and(|n| n > 0))
        && request.header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").map_err(|_| ReadError::Closed)?;
    }
    if chunked {
        request.body = read_chunked(reader)?;
    } else if let Some(n) = length {
        let mut body = vec![0; n];
        reader.read_exact(&mut body).map_err(|_| ReadError::Closed)?;
        request.body = body;
    }
    Ok(request)
}

/// `http://host:port/path` (absolute form) -> `/path`.
fn strip_authority(target: &str) -> &str {
    match target.split_once("://") {
        Some((scheme, rest)) if !scheme.contains('/') => rest.find('/').map_or("/", |i| &rest[i..]),
        _ => target,
    }
}

/// Reads one line (with its terminator) within what is left of the head budget. An empty result
/// means the peer closed before sending anything.
fn read_line(reader: &mut BufReader<TcpStream>, line: &mut Vec<u8>, budget: &mut u64) -> Result<(), ReadError> {
    let n = reader.by_ref().take(*budget).read_until(b'\n', line).map_err(|_| ReadError::Closed)?;
    *budget -= n as u64;
    if n > 0 && !line.ends_with(b"\n") {
        return Err(if *budget == 0 { ReadError::Bad(431, "request head too large") } else { ReadError::Closed });
    }
    Ok(())
}

fn trim_crlf(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut budget = MAX_HEAD_BYTES;
    let mut line = Vec::new();
    loop {
        line.clear();
        read_line(reader, &mut line, &mut budget)?;
        let text = String::from_utf8_lossy(trim_crlf(&line)).into_owned();
        let size_text = text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| ReadError::Bad(400, "malformed chunk size"))?;
        if size == 0 {
            // Trailers, up to the blank line.
            loop {
                line.clear();
                read_line(reader, &mut line, &mut budget)?;
                if line.is_empty() || trim_crlf(&line).is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY_BYTES {
            return Err(ReadError::Bad(413, "request body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).map_err(|_| ReadError::Closed)?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).map_err(|_| ReadError::Closed)?;
        if &crlf != b"\r\n" {
            return Err(ReadError::Bad(400, "malformed chunk"));
        }
    }
}

fn head(response: &Response, close: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let _ = write!(out, "HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (k, v) in &response.headers {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    let _ = write!(out, "Content-Length: {}\r\n", response.body.len());
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn write_response(w: &mut TcpStream, response: &Response, close: bool, head_only: bool) -> io::Result<()> {
    // One write: a separate small head would meet Nagle and delayed ACKs on some stacks.
    let mut out = head(response, close);
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    w.write_all(&out)?;
    w.flush()
}

fn write_truncated(w: &mut TcpStream, response: &Response) -> io::Result<()> {
    let mut out = head(response, true);
    out.extend_from_slice(&response.body[..response.body.len() / 2]);
    w.write_all(&out)?;
    w.flush()
}

/// The reason phrase for the statuses the emulator sends.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl Handler for Echo {
        fn handle(&self, r: &Request) -> Reply {
            let body = format!("{} {} {} {}", r.method, r.path, r.query, String::from_utf8_lossy(&r.body));
            Reply { delay: Duration::ZERO, action: Action::Answer(Response::new(200, "text/plain", body.into_bytes())) }
        }
    }

    fn start() -> (Server, Arc<Counters>) {
        let counters = Arc::new(Counters::default());
        let server =
            Server::start("127.0.0.1:0".parse().unwrap(), Arc::new(Echo), counters.clone(), Duration::from_secs(5))
                .unwrap();
        (server, counters)
    }

    fn exchange(addr: SocketAddr, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(raw).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn keep_alive_pipelined_requests_and_chunked_bodies() {
        let (server, counters) = start();
        let out = exchange(
            server.addr(),
            b"POST /a?x=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        assert!(out.contains("POST /a x=1 hi"), "{out}");
        assert!(out.contains("POST /b  abcde"), "{out}");
        assert!(out.contains("Connection: close\r\n\r\nGET /c"), "{out}");
        assert_eq!(counters.accepted.load(Ordering::SeqCst), 1);
        assert_eq!(counters.requests.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn refuses_oversized_heads_and_bodies_and_http_1_0_closes() {
        let (server, _) = start();
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(70 * 1024));
        assert!(exchange(server.addr(), huge.as_bytes()).starts_with("HTTP/1.1 431"));
        let big = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", MAX_BODY_BYTES + 1);
        assert!(exchange(server.addr(), big.as_bytes()).starts_with("HTTP/1.1 413"));
        assert!(exchange(server.addr(), b"GARBAGE\r\n\r\n").starts_with("HTTP/1.1 400"));
        // HTTP/1.0 without keep-alive: answered, then closed (read_to_string returns).
        let out = exchange(server.addr(), b"GET /old HTTP/1.0\r\n\r\n");
        assert!(out.contains("Connection: close") && out.ends_with("GET /old  "), "{out}");
    }

    #[test]
    fn stop_closes_idle_connections_and_the_listener() {
        let (mut server, _) = start();
        let addr = server.addr();
        let mut idle = TcpStream::connect(addr).unwrap();
        idle.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let mut buf = [0u8; 256];
        let n = idle.read(&mut buf).unwrap();
        assert!(n > 0);
        let t = Instant::now();
        server.stop();
        assert!(t.elapsed() < Duration::from_secs(2));
        idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        assert!(matches!(idle.read(&mut buf), Ok(0) | Err(_)));
        assert!(TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err());
    }
}
