//! The seam every request goes through: method, URL, headers and body in; status, headers and
//! body out. [`UreqTransport`] is the default. Retry, throttling and error decoding live above this
//! trait, so they apply to any transport a caller plugs in (recording, custom TLS, a test double).

use crate::error::{TransportError, TransportErrorKind};
use std::fmt;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses a method name, in any case.
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request as handed to a [`Transport`]. `Debug` hides the `Authorization` value.
pub struct HttpRequest<'a> {
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: &'a str,
    /// Headers to send, `Authorization` among them.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, if any.
    pub body: Option<&'a [u8]>,
    /// The most this request may take, when the call it belongs to has a deadline or a time
    /// budget; a transport should give up by then (`None`: its own timeout applies).
    pub timeout: Option<Duration>,
}

impl fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|&(k, v)| if k.eq_ignore_ascii_case("authorization") { (k, "***") } else { (k, v) })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_len", &self.body.map(<[u8]>::len))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One answer from a [`Transport`], whatever its status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers (names as received).
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP request and returns the answer; a non-2xx status is an answer, not an error.
///
/// Implementations must be thread-safe: one client is shared by many threads.
///
/// A wrapper around the default transport ([`UreqTransport`], from
/// [`ClientBuilder::default_transport`](crate::ClientBuilder::default_transport) or
/// [`UreqTransport::new`]); `Transport` is implemented for `Arc<T>` and `Box<T>` too, so the
/// caller can keep a handle on it:
///
/// ```
/// use fivetrex::transport::{HttpRequest, HttpResponse, Transport};
/// use fivetrex::TransportError;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// /// Counts requests, then hands them to the transport it wraps.
/// struct Counting<T> {
///     inner: T,
///     sent: AtomicUsize,
/// }
///
/// impl<T: Transport> Transport for Counting<T> {
///     fn send(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
///         self.sent.fetch_add(1, Ordering::Relaxed);
///         self.inner.send(req)
///     }
/// }
///
/// # #[cfg(feature = "emulator")] {
/// // A local Fivetran (cargo feature `emulator`) with three groups.
/// let emu = fivetrex::emulator::Emulator::builder().seed(3, 0).start()?;
/// let builder = emu.client_builder();
/// let counting = Arc::new(Counting { inner: builder.default_transport()?, sent: AtomicUsize::new(0) });
/// let client = builder.transport(counting.clone()).build()?;
/// let groups: Vec<_> = client.groups().page_size(2).collect::<Result<_, _>>()?;
/// assert_eq!(groups.len(), 3);
/// assert_eq!(counting.sent.load(Ordering::Relaxed), 2); // two pages
/// # }
/// # Ok::<(), fivetrex::Error>(())
/// ```
pub trait Transport: Send + Sync {
    /// Sends the request and reads the whole answer.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}

/// Settings for the default transport, [`UreqTransport`]. [`Default`] gives the client's
/// defaults; [`ClientBuilder::default_transport`](crate::ClientBuilder::default_transport) fills
/// them from a builder.
///
/// ```
/// use std::time::Duration;
/// use fivetrex::transport::{UreqSettings, UreqTransport};
///
/// let mut settings = UreqSettings::default();
/// settings.timeout = Duration::from_secs(120);
/// let transport = UreqTransport::new(&settings)?;
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UreqSettings {
    /// Time allowed to open a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, body included (default 60 s).
    pub timeout: Duration,
    /// The `User-Agent` header (default `fivetrex/<version>`).
    pub user_agent: String,
    /// An HTTP(S) or SOCKS proxy URL; `None` honours `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`.
    pub proxy: Option<String>,
    /// Largest response body accepted, in bytes (default 64 MiB).
    pub max_body: u64,
    /// Idle keep-alive connections kept in the pool (default 16).
    pub max_idle_connections: usize,
}

impl Default for UreqSettings {
    fn default() -> Self {
        UreqSettings {
            connect_timeout: crate::DEFAULT_CONNECT_TIMEOUT,
            timeout: crate::DEFAULT_TIMEOUT,
            user_agent: concat!("fivetrex/", env!("CARGO_PKG_VERSION")).to_owned(),
            proxy: None,
            max_body: crate::DEFAULT_MAX_RESPONSE_BYTES,
            max_idle_connections: 16,
        }
    }
}

/// The default transport over a `ureq` 3 agent: a keep-alive connection pool shared by every clone
/// of the client, rustls with webpki roots, proxy from the environment unless set explicitly.
/// Redirects are not followed: a 3xx comes back as an answer (and becomes
/// [`Error::Http`](crate::Error::Http)), so the credentials never go to another host. A request's
/// [`HttpRequest::timeout`] shortens the configured timeout for that request.
#[derive(Debug)]
pub struct UreqTransport {
    agent: ureq::Agent,
    max_body: u64,
    resolved: Arc<ResolvedHosts>,
    /// The two limits, so a timeout can say which one was hit and how to raise it.
    connect_timeout: Duration,
    timeout: Duration,
}

/// The log target under which `ureq-proto` dumps every byte it sends and receives at `TRACE`.
pub const WIRE_DUMP_TARGET: &str = "ureq_proto::util";

/// `ureq-proto` (under ureq) logs the raw traffic at `TRACE`: request heads with the
/// `Authorization` header, request bodies with connector passwords. This crate cannot silence a
/// dependency's log lines, so when a client is built while that target is enabled, it says so
/// once per process, naming the target to filter.
fn warn_if_wire_dump_enabled() {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if log::log_enabled!(target: WIRE_DUMP_TARGET, log::Level::Trace)
        && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        log::warn!(
            "TRACE logging is on for {WIRE_DUMP_TARGET}: ureq-proto dumps raw HTTP traffic there, credentials \
             included. Filter that target below TRACE outside a debugging session."
        );
    }
}

impl UreqTransport {
    /// A transport with these settings. Fails with [`Error::Config`](crate::Error::Config) when
    /// the proxy URL is invalid.
    pub fn new(s: &UreqSettings) -> Result<Self, crate::Error> {
        warn_if_wire_dump_enabled();
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(s.connect_timeout))
            .timeout_global(Some(s.timeout))
            .user_agent(s.user_agent.as_str())
            .max_idle_connections(s.max_idle_connections)
            .max_idle_connections_per_host(s.max_idle_connections)
            // The API does not redirect. Following one could hand the credentials to another
            // host, so a 3xx comes back as an answer (and becomes `Error::Http`).
            .max_redirects(0)
            .max_redirects_will_error(false)
            // The API never compresses unless asked; we do not ask, to avoid a decoder dependency.
            .accept_encoding("identity");
        if let Some(p) = &s.proxy {
            let proxy = ureq::Proxy::new(p).map_err(|e| crate::Error::Config(format!("invalid proxy: {e}")))?;
            config = config.proxy(Some(proxy));
        }
        let resolved = Arc::new(ResolvedHosts::default());
        let resolver = CachingResolver { system: DefaultResolver::default(), hosts: resolved.clone() };
        let agent = ureq::Agent::with_parts(config.build(), DefaultConnector::default(), resolver);
        Ok(UreqTransport {
            agent,
            max_body: s.max_body,
            resolved,
            connect_timeout: s.connect_timeout,
            timeout: s.timeout,
        })
    }

    /// A timeout's message names the limit that was hit and the option that raises it: a timeout
    /// before the request left can only be the connect limit.
    fn explain(&self, mut e: TransportError) -> TransportError {
        if e.kind == TransportErrorKind::Timeout {
            e.message = if e.request_sent {
                format!(
                    "no complete answer within the request timeout of {} (connect, send, answer and body \
                     together); raise it with ClientBuilder::timeout (`timeout_ms` in C, `Timeout` in Go, \
                     `:timeout` in Elixir)",
                    human(self.timeout)
                )
            } else {
                format!(
                    "could not connect within the connect timeout of {}; raise it with \
                     ClientBuilder::connect_timeout (`connect_timeout_ms` in C, `ConnectTimeout` in Go, \
                     `:connect_timeout` in Elixir)",
                    human(self.connect_timeout)
                )
            };
        }
        e
    }
}

/// `60 s`, `1.5 s`, `250 ms`.
fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// How long a host's addresses are reused before the system resolver is asked again.
const RESOLVE_TTL: Duration = Duration::from_secs(30);
/// Hosts remembered at once (a client talks to one or two).
const RESOLVE_SLOTS: usize = 8;

/// Addresses of recently resolved hosts, shared by the resolver and the transport (which forgets
/// them when a connection cannot be opened, so a retry resolves afresh).
#[derive(Debug, Default)]
struct ResolvedHosts(Mutex<Vec<ResolvedHost>>);

#[derive(Debug)]
struct ResolvedHost {
    scheme: String,
    authority: String,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

impl ResolvedHosts {
    fn forget(&self) {
        crate::lock::lock(&self.0).clear();
    }
}

/// ureq resolves the host of every request before it looks for a pooled connection, and with a
/// timeout set it does so on a freshly spawned thread: about 30 µs of CPU per request even on a
/// kept-alive connection to an IP address (examples/bench measured it), more with a DNS round
/// trip. The addresses only matter when a new connection is opened, so they are reused for
/// [`RESOLVE_TTL`]; a lookup that is due still goes through ureq's resolver, timeout included.
#[derive(Debug)]
struct CachingResolver {
    system: DefaultResolver,
    hosts: Arc<ResolvedHosts>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let scheme = uri.scheme_str().unwrap_or("");
        let authority = uri.authority().map_or("", |a| a.as_str());
        let now = Instant::now();
        {
            let hosts = crate::lock::lock(&self.hosts.0);
            let hit = hosts.iter().find(|h| h.scheme == scheme && h.authority == authority);
            if let Some(h) = hit.filter(|h| now.duration_since(h.at) < RESOLVE_TTL) {
                return Ok(h.addrs.clone());
            }
        }
        let addrs = self.system.resolve(uri, config, timeout)?;
        let mut hosts = crate::lock::lock(&self.hosts.0);
        hosts.retain(|h| !(h.scheme == scheme && h.authority == authority) && now.duration_since(h.at) < RESOLVE_TTL);
        if hosts.len() >= RESOLVE_SLOTS {
            hosts.remove(0);
        }
        hosts.push(ResolvedHost {
            scheme: scheme.to_owned(),
            authority: authority.to_owned(),
            at: now,
            addrs: addrs.clone(),
        });
        Ok(addrs)
    }
}

impl Transport for UreqTransport {
    fn send(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let mut builder = ureq::http::Request::builder().method(req.method.as_str()).uri(req.url);
        for (k, v) in req.headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(req.body.unwrap_or(&[]))
            // A URI too long (or otherwise not sendable) stays so however often it is tried.
            .map_err(|e| transport_error(TransportErrorKind::Protocol, format!("cannot build request: {e}"), false))?;
        // Only a budget shorter than the configured timeout needs a per-request setting.
        let request = match req.timeout.filter(|t| *t < self.timeout) {
            Some(t) => self.agent.configure_request(request).timeout_global(Some(t)).build(),
            None => request,
        };
        let response = self.agent.run(request).map_err(|e| {
            let e = map_ureq_error(e);
            // Could not connect: the next attempt resolves the host again.
            if !e.request_sent {
                self.resolved.forget();
            }
            self.explain(e)
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let mut body = response.into_body();
        let mut buf = match body.content_length() {
            Some(n) if n <= self.max_body => Vec::with_capacity(n as usize),
            Some(n) => return Err(too_large(self.max_body, Some(n))),
            None => Vec::new(),
        };
        // Read one byte past the limit so "exactly the limit" and "more" can be told apart.
        let mut reader = body.as_reader().take(self.max_body + 1);
        reader.read_to_end(&mut buf).map_err(|e| self.explain(map_io_error(&e)))?;
        if buf.len() as u64 > self.max_body {
            return Err(too_large(self.max_body, None));
        }
        Ok(HttpResponse { status, headers, body: buf })
    }
}

fn too_large(limit: u64, declared: Option<u64>) -> TransportError {
    let msg = match declared {
        Some(n) => format!("response body of {n} bytes exceeds the limit of {limit} bytes"),
        None => format!("response body exceeds the limit of {limit} bytes"),
    };
    transport_error(TransportErrorKind::BodyTooLarge, msg, true)
}

fn transport_error(kind: TransportErrorKind, message: String, request_sent: bool) -> TransportError {
    TransportError { kind, message, request_sent }
}

fn map_io_error(e: &std::io::Error) -> TransportError {
    use std::io::ErrorKind as K;
    // ureq wraps its own errors (timeouts, a malformed chunk size) in io::Error when reading a
    // body: classify what is inside, so a protocol violation is not taken for a broken line.
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
        match inner {
            ureq::Error::Protocol(p) => return transport_error(TransportErrorKind::Protocol, p.to_string(), true),
            ureq::Error::LargeResponseHeader(..) => {
                return transport_error(TransportErrorKind::Protocol, inner.to_string(), true)
            }
            _ => {}
        }
    }
    let msg = e.to_string();
    match e.kind() {
        K::TimedOut | K::WouldBlock => transport_error(TransportErrorKind::Timeout, msg, true),
        K::ConnectionRefused => transport_error(TransportErrorKind::Connect, msg, false),
        // ureq hands rustls failures up as io errors; they happen in the handshake, before the
        // request is written.
        _ if is_tls_message(&msg) => transport_error(TransportErrorKind::Tls, msg, false),
        _ if msg.to_ascii_lowercase().contains("timeout") => transport_error(TransportErrorKind::Timeout, msg, true),
        _ => transport_error(TransportErrorKind::Io, msg, true),
    }
}

fn is_tls_message(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("certificate") || m.contains("handshake") || m.contains("tls")
}

fn map_ureq_error(e: ureq::Error) -> TransportError {
    use ureq::Timeout as T;
    match e {
        ureq::Error::Timeout(t) => {
            let before_send = matches!(t, T::Resolve | T::Connect);
            transport_error(TransportErrorKind::Timeout, format!("{t:?} timeout"), !before_send)
        }
        ureq::Error::HostNotFound => transport_error(TransportErrorKind::Dns, "host not found".into(), false),
        ureq::Error::ConnectionFailed => {
            transport_error(TransportErrorKind::Connect, "connection failed".into(), false)
        }
        ureq::Error::Tls(m) => transport_error(TransportErrorKind::Tls, m.to_string(), false),
        ureq::Error::BodyExceedsLimit(n) => {
            transport_error(TransportErrorKind::BodyTooLarge, format!("body exceeds limit of {n} bytes"), true)
        }
        ureq::Error::Protocol(p) => transport_error(TransportErrorKind::Protocol, p.to_string(), true),
        // A head over ureq's limit comes back just as large on a retry.
        e @ ureq::Error::LargeResponseHeader(..) => transport_error(TransportErrorKind::Protocol, e.to_string(), true),
        ureq::Error::BadUri(m) => transport_error(TransportErrorKind::Protocol, format!("bad URI: {m}"), false),
        ureq::Error::Http(h) => transport_error(TransportErrorKind::Protocol, h.to_string(), false),
        ureq::Error::Io(io) => map_io_error(&io),
        other => transport_error(TransportErrorKind::Other, other.to_string(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    fn transport() -> UreqTransport {
        UreqTransport::new(&UreqSettings {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
            user_agent: "test".into(),
            proxy: None,
            max_body: 1024,
            max_idle_connections: 4,
        })
        .unwrap()
    }

    /// Answers `{}` to every request on one connection, then stops.
    fn one_connection_server() -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").unwrap();
                }
            }
        });
        addr
    }

    #[test]
    fn a_host_is_resolved_once_and_forgotten_when_a_connection_cannot_be_opened() {
        let t = transport();
        let url = format!("http://{}/x", one_connection_server());
        let get =
            |url: &str| t.send(&HttpRequest { method: Method::Get, url, headers: &[], body: None, timeout: None });
        assert_eq!(get(&url).unwrap().body, b"{}");
        let first = crate::lock::lock(&t.resolved.0)[0].at;
        for _ in 0..3 {
            assert_eq!(get(&url).unwrap().status, 200);
        }
        {
            let hosts = crate::lock::lock(&t.resolved.0);
            assert_eq!(hosts.len(), 1);
            assert_eq!(hosts[0].at, first, "looked up again");
        }
        let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let err = get(&format!("http://{closed}/x")).unwrap_err();
        assert!(!err.request_sent, "{err:?}");
        assert!(crate::lock::lock(&t.resolved.0).is_empty());
    }
}
