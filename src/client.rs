//! The client: configuration, credentials and the one request path every call takes.
//!
//! `Client` -> a `Request` (built from an [`Operation`] or a raw path) -> `Client::execute` ->
//! [`Retrier`] (throttle, retry) -> [`Transport`] -> status check -> `wire` (envelope
//! decoding) -> the model.

use crate::cancel::CancelToken;
use crate::endpoint::Operation;
use crate::error::{snippet, Error, Result, TransportError, TransportErrorKind};
use crate::page::{List, PageSource};
use crate::request::Request;
use crate::retry::{
    Clock, RateLimitStatus, Retrier, RetryEvent, RetryHook, RetryOptions, RetryPolicy, RetryPredicate, Scope,
    SystemClock, Throttle,
};
use crate::secret::{basic_auth, Secret};
use crate::transport::{HttpRequest, HttpResponse, Transport, UreqSettings, UreqTransport};
use crate::wire::{append_query, decode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The API's address unless told otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.fivetran.com";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one whole request (connect, send, answer, body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// A Fivetran API client. Cheap to clone: clones share the connection pool, the retry policy and
/// the throttle state (a 429 seen by one pauses all), and it is `Send + Sync`.
///
/// ```no_run
/// let client = fivetrex::Client::new("my_key", "my_secret")?;
/// for group in client.groups() {
///     let group = group?;
///     println!("{} {}", group.id, group.name);
/// }
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The cancellation and deadline this handle's calls observe (none for a plain client).
    scope: Scope,
}

struct Inner {
    base_url: String,
    api_key: String,
    auth: Secret,
    user_agent: String,
    transport: Arc<dyn Transport>,
    retrier: Retrier,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &mask_key(&self.inner.api_key))
            .field("api_secret", &"***")
            .field("user_agent", &self.inner.user_agent)
            .field("retry", &self.inner.retrier.policy)
            .finish_non_exhaustive()
    }
}

/// Shows the first four characters of an API key, for telling keys apart in logs.
fn mask_key(key: &str) -> String {
    let head: String = key.chars().take(4).collect();
    format!("{head}…")
}

/// Builds a [`Client`]. Every option has a documented default; only the key and secret are required.
///
/// ```
/// use fivetrex::{Client, RetryPolicy};
/// use std::time::Duration;
///
/// # #[cfg(feature = "emulator")] {
/// // A local Fivetran (cargo feature `emulator`); against the API, leave `base_url` out and take
/// // the credentials from wherever you keep them (or use `Client::from_env()`).
/// let emu = fivetrex::emulator::Emulator::builder().seed(2, 0).start()?;
/// let client = Client::builder()
///     .api_key(emu.key())
///     .api_secret(emu.secret())
///     .base_url(emu.base_url()) // default https://api.fivetran.com
///     .connect_timeout(Duration::from_secs(5)) // default 10 s
///     .timeout(Duration::from_secs(30)) // per attempt, default 60 s
///     .retry_policy(RetryPolicy::default().with_max_attempts(3))
///     .max_requests_per_second(10.0) // for this client and its clones
///     .on_retry(|event| log::warn!("retry {} in {:?}: {}", event.attempt, event.delay, event.error))
///     .build()?;
/// assert_eq!(client.groups().count(), 2);
///
/// // What is wrong is said when building, not at the first request.
/// let err = Client::builder().api_key("key").build().unwrap_err();
/// assert!(err.to_string().contains("API secret is missing"));
/// # }
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    api_secret: Option<Secret>,
    base_url: Option<String>,
    allow_insecure_http: bool,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    proxy: Option<String>,
    max_response_bytes: Option<u64>,
    retry: Option<RetryPolicy>,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
    requests_per_second: Option<f64>,
    on_retry: Option<RetryHook>,
    predicate: Option<RetryPredicate>,
    /// Whether [`ClientBuilder::from_env`] was called, so a missing key can name the variable.
    from_env: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_deref().map(mask_key))
            .field("api_secret", &self.api_secret.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_ref().map(|_| "(set)"))
            .field("retry", &self.retry)
            .field("custom_transport", &self.transport.is_some())
            .field("requests_per_second", &self.requests_per_second)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API secret.
    pub fn api_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.api_secret = Some(secret.into());
        self
    }

    /// Reads `FIVETRAN_API_KEY`, `FIVETRAN_API_SECRET` and (if set) `FIVETRAN_BASE_URL`, keeping
    /// values already given for anything the environment lacks.
    pub fn from_env(mut self) -> Self {
        self.from_env = true;
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        if let Some(k) = var("FIVETRAN_API_KEY") {
            self.api_key = Some(k);
        }
        if let Some(s) = var("FIVETRAN_API_SECRET") {
            self.api_secret = Some(Secret::new(s));
        }
        if let Some(u) = var("FIVETRAN_BASE_URL") {
            self.base_url = Some(u);
        }
        self
    }

    /// Where the API lives (default `https://api.fivetran.com`). Plain `http://` is accepted only
    /// for loopback hosts unless [`ClientBuilder::allow_insecure_http`] is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Allows plain `http://` to a host that is not loopback: credentials then cross the network
    /// unencrypted. Only for a trusted network (a TLS-terminating sidecar, say).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Time allowed for one whole request, body included (default 60 s). Retries each get it anew.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// The `User-Agent` (default `fivetrex/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// An HTTP(S) or SOCKS proxy URL. Without it the usual `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`
    /// environment variables are honoured.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Largest response body accepted (default 64 MiB); a larger one fails with a transport error
    /// of kind [`TransportErrorKind::BodyTooLarge`] without being held in memory.
    pub fn max_response_bytes(mut self, n: u64) -> Self {
        self.max_response_bytes = Some(n);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Replaces the HTTP transport (the connect, timeout, proxy and size options then belong to it).
    pub fn transport(mut self, t: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(t));
        self
    }

    /// Replaces the clock used for retry waits, pauses and deadlines (for tests).
    pub fn clock(mut self, c: Arc<dyn Clock>) -> Self {
        self.clock = Some(c);
        self
    }

    /// Spaces requests so that no more than `n` per second leave this client and its clones. `n`
    /// must be positive and finite, and `1/n` seconds must fit in a `Duration`; otherwise
    /// [`ClientBuilder::build`] fails with [`Error::Config`].
    pub fn max_requests_per_second(mut self, n: f64) -> Self {
        self.requests_per_second = Some(n);
        self
    }

    /// Called before each retry with the error, the attempt number and the wait.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Overrides what is retried: return `Some(true)`/`Some(false)` to decide, `None` to let the
    /// policy decide. Attempts, deadline and the `Retry-After` cap still apply.
    pub fn retry_if(mut self, predicate: impl Fn(&Error, u32) -> Option<bool> + Send + Sync + 'static) -> Self {
        self.predicate = Some(Arc::new(predicate));
        self
    }

    /// The transport [`ClientBuilder::build`] uses when none is given: a [`UreqTransport`] with
    /// this builder's connect timeout, timeout, user agent, proxy and body limit. Wrap it and pass
    /// the wrapper to [`ClientBuilder::transport`] to add behaviour around the default one.
    ///
    /// ```
    /// use fivetrex::transport::{HttpRequest, HttpResponse, Transport};
    /// use fivetrex::{Client, TransportError};
    /// use std::time::Duration;
    ///
    /// /// Logs each request's method and URL (never its headers) before sending it.
    /// struct Logged<T>(T);
    /// impl<T: Transport> Transport for Logged<T> {
    ///     fn send(&self, req: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
    ///         log::info!("{} {}", req.method, req.url);
    ///         self.0.send(req)
    ///     }
    /// }
    ///
    /// let builder = Client::builder().api_key("key").api_secret("secret").timeout(Duration::from_secs(30));
    /// let default = builder.default_transport()?; // keeps the 30 s timeout
    /// let client = builder.transport(Logged(default)).build()?;
    /// # let _ = client;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn default_transport(&self) -> Result<UreqTransport> {
        let defaults = UreqSettings::default();
        UreqTransport::new(&UreqSettings {
            connect_timeout: self.connect_timeout.unwrap_or(defaults.connect_timeout),
            timeout: self.timeout.unwrap_or(defaults.timeout),
            user_agent: self.user_agent.clone().unwrap_or(defaults.user_agent),
            proxy: self.proxy.clone(),
            max_body: self.max_response_bytes.unwrap_or(defaults.max_body),
            max_idle_connections: defaults.max_idle_connections,
        })
    }

    /// Checks the configuration and builds the client.
    pub fn build(mut self) -> Result<Client> {
        let api_key = self.api_key.take().filter(|k| !k.trim().is_empty());
        let secret = self.api_secret.take().filter(|s| !s.expose().trim().is_empty());
        let (api_key, secret) = match (api_key, secret) {
            (Some(k), Some(s)) => (k, s),
            (k, s) => return Err(Error::Config(missing_credentials(k.is_none(), s.is_none(), self.from_env))),
        };
        if api_key.contains(':') || api_key.chars().any(char::is_control) {
            return Err(Error::Config("API key contains ':' or control characters".into()));
        }
        if secret.expose().chars().any(char::is_control) {
            return Err(Error::Config("API secret contains control characters".into()));
        }
        let base_url = check_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL), self.allow_insecure_http)?;
        let throttle = Throttle::new(self.requests_per_second)?;
        let transport: Arc<dyn Transport> = match &self.transport {
            Some(t) => t.clone(),
            None => Arc::new(self.default_transport()?),
        };
        let user_agent = self.user_agent.unwrap_or_else(|| UreqSettings::default().user_agent);
        let auth = basic_auth(&api_key, secret.expose());
        Ok(Client {
            scope: Scope::default(),
            inner: Arc::new(Inner {
                base_url,
                api_key,
                auth,
                user_agent,
                transport,
                retrier: Retrier {
                    policy: self.retry.unwrap_or_default(),
                    clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                    throttle: Arc::new(throttle),
                    on_retry: self.on_retry,
                    predicate: self.predicate,
                },
            }),
        })
    }
}

/// Says which credential is missing and where it is expected: the environment variable when
/// [`ClientBuilder::from_env`] was used, the builder method otherwise.
fn missing_credentials(key: bool, secret: bool, from_env: bool) -> String {
    let what = match (key, secret) {
        (true, true) => "API key and secret are",
        (true, false) => "API key is",
        _ => "API secret is",
    };
    if from_env {
        let vars = match (key, secret) {
            (true, true) => "FIVETRAN_API_KEY and FIVETRAN_API_SECRET",
            (true, false) => "FIVETRAN_API_KEY",
            _ => "FIVETRAN_API_SECRET",
        };
        format!(
            "{what} missing or empty: set {vars} in the environment (Client::from_env reads \
             FIVETRAN_API_KEY, FIVETRAN_API_SECRET and optionally FIVETRAN_BASE_URL), or pass them with \
             ClientBuilder::api_key and ClientBuilder::api_secret"
        )
    } else {
        format!(
            "{what} missing or empty: pass them with ClientBuilder::api_key and ClientBuilder::api_secret, or \
             set FIVETRAN_API_KEY and FIVETRAN_API_SECRET and use Client::from_env"
        )
    }
}

/// Validates a base URL and returns it without a trailing slash.
fn check_base_url(url: &str, allow_insecure: bool) -> Result<String> {
    let bad = |why: &str| Error::Config(format!("base URL {url:?} {why}"));
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad("is not a valid URL"))?;
    let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| bad("has no host"))?;
    if uri.query().is_some() || url.contains('#') {
        return Err(bad("must not have a query or fragment"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_insecure || is_loopback(host) => {}
        Some("http") => return Err(bad("uses plain http to a host that is not loopback; credentials would travel unencrypted (use https, or allow_insecure_http(true) if you really mean it)")),
        _ => return Err(bad("must start with https:// (or http:// for loopback)")),
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.to_ascii_lowercase().ends_with(".localhost")
        || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// What an action endpoint (sync, delete, resync, ...) answered: the envelope's `code` and `message`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct ActionResponse {
    /// Usually `Success`.
    #[serde(default)]
    pub code: String,
    /// A human-readable summary.
    #[serde(default)]
    pub message: Option<String>,
}

/// A request body, already serialised once so retries resend the same bytes.
pub(crate) fn to_body<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::InvalidArgument(format!("cannot serialise request body: {e}")))
}

impl Client {
    /// A builder with every option at its default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for `https://api.fivetran.com` with the given key and secret.
    pub fn new(api_key: impl Into<String>, api_secret: impl Into<Secret>) -> Result<Client> {
        Client::builder().api_key(api_key).api_secret(api_secret).build()
    }

    /// A client from `FIVETRAN_API_KEY`, `FIVETRAN_API_SECRET` and optional `FIVETRAN_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        Client::builder().from_env().build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retrier.policy
    }

    /// The clock used for waits (the real one unless replaced).
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.retrier.clock
    }

    /// The last `X-Rate-Limit` / `X-Rate-Limit-Remaining` values any request of this client saw.
    pub fn rate_limit(&self) -> RateLimitStatus {
        self.inner.retrier.throttle.status()
    }

    /// A handle to the same client (same pool, policy and pause window) whose calls, list walks
    /// and waits watch `token`: once it is cancelled, every wait wakes at once, no new request
    /// starts, and the call fails with [`Error::Cancelled`]. See [`crate::cancel`].
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// let token = fivetrex::CancelToken::new();
    /// let watched = client.with_cancel(&token);
    /// let stopper = token.clone();
    /// std::thread::spawn(move || { std::thread::sleep(std::time::Duration::from_secs(5)); stopper.cancel() });
    /// for group in watched.groups() {
    ///     match group {
    ///         Ok(g) => println!("{}", g.name),
    ///         Err(e) if e.kind() == fivetrex::ErrorKind::Cancelled => break,
    ///         Err(e) => return Err(e),
    ///     }
    /// }
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn with_cancel(&self, token: &CancelToken) -> Client {
        let scope = self.scope.and(&Scope { cancel: Some(token.clone()), deadline: None });
        Client { inner: self.inner.clone(), scope }
    }

    /// The cancellation token this handle watches, if any.
    pub fn cancel_token(&self) -> Option<&CancelToken> {
        self.scope.cancel.as_ref()
    }

    /// A handle bounded by `scope` as well as by this handle's own bounds.
    pub(crate) fn scoped(&self, scope: &Scope) -> Client {
        Client { inner: self.inner.clone(), scope: self.scope.and(scope) }
    }

    /// A handle whose calls end by `deadline` (every wait and request clipped to it).
    pub(crate) fn until(&self, deadline: Option<Instant>) -> Client {
        self.scoped(&Scope { cancel: None, deadline })
    }

    pub(crate) fn scope(&self) -> &Scope {
        &self.scope
    }

    pub(crate) fn retrier(&self) -> &Retrier {
        &self.inner.retrier
    }

    /// Runs `f` under this client's retry policy, throttle and hooks, as if it were one request.
    /// `idempotent` says whether `f` may be repeated after an ambiguous failure.
    ///
    /// Requests that `f` makes on this thread make one attempt each (the closure as a whole is
    /// what is retried, so attempts never multiply) and are bounded by this call's deadline and
    /// cancellation. Return [`Error::caller`] from `f` for a failure of your own; by default it
    /// is not retried (see [`RetryOptions::retry_if`]).
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// let group = client.with_retry(true, || client.group("group_id"))?;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn with_retry<T>(&self, idempotent: bool, f: impl FnMut() -> Result<T>) -> Result<T> {
        self.with_retry_opts(&RetryOptions::new().idempotent(idempotent), f)
    }

    /// [`Client::with_retry`] with per-call settings: attempts, backoff, jitter, `retry_if`,
    /// `on_retry` and a cancellation token. Unset settings come from the client; the shared pause
    /// window and rate limit apply as to any call.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::retry::RetryOptions;
    /// use std::time::Duration;
    /// let opts = RetryOptions::new().idempotent(true).max_attempts(10).backoff(Duration::from_secs(1), Duration::from_secs(10));
    /// let connection = client.with_retry_opts(&opts, || {
    ///     let c = client.connection("conn_1")?;
    ///     if c.is_syncing() { return Err(fivetrex::Error::caller("still syncing")); }
    ///     Ok(c)
    /// });
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn with_retry_opts<T>(&self, opts: &RetryOptions, f: impl FnMut() -> Result<T>) -> Result<T> {
        let base = &self.inner.retrier;
        let mut policy = base.policy.clone();
        if let Some(n) = opts.max_attempts {
            policy.max_attempts = n;
        }
        if let Some(d) = opts.base_delay {
            policy.base_delay = d;
        }
        if let Some(d) = opts.max_delay {
            policy.max_delay = d;
        }
        if let Some(j) = opts.jitter {
            policy.jitter = j;
        }
        let retrier = Retrier {
            policy,
            clock: base.clock.clone(),
            throttle: base.throttle.clone(),
            on_retry: opts.on_retry.clone().or_else(|| base.on_retry.clone()),
            predicate: opts.retry_if.clone().or_else(|| base.predicate.clone()),
        };
        let scope = self.scope.and(&Scope { cancel: opts.cancel.clone(), deadline: None });
        retrier.run_closure(&scope, opts.idempotent, f)
    }

    /// A request for `op`: its method, `Accept`, auth and idempotency, with `params` filling the
    /// path template and `query` appended, percent-encoded.
    pub(crate) fn request<'a>(
        &self,
        op: &'a Operation,
        params: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Request<'a>> {
        let mut url = String::with_capacity(self.inner.base_url.len() + op.path.len() + 64);
        url.push_str(&self.inner.base_url);
        op.render_path(params, &mut url)?;
        append_query(&mut url, query);
        Ok(Request {
            method: op.method,
            url,
            accept: op.accept.as_str(),
            auth: op.auth,
            idempotent: op.idempotent,
            body: None,
        })
    }

    /// Sends `req` through the throttle and retries and returns the successful (2xx) answer;
    /// any other status becomes its [`Error`], with this client's credentials masked.
    pub(crate) fn execute(&self, req: &Request<'_>) -> Result<HttpResponse> {
        let (method, url) = (req.method, req.url.as_str());
        let mut headers: [(&str, &str); 4] =
            [("Accept", req.accept), ("User-Agent", &self.inner.user_agent), ("", ""), ("", "")];
        let mut n = 2;
        if req.auth {
            headers[n] = ("Authorization", self.inner.auth.expose());
            n += 1;
        }
        if let Some((_, content_type)) = req.body {
            headers[n] = ("Content-Type", content_type);
            n += 1;
        }
        let mut request =
            HttpRequest { method, url, headers: &headers[..n], body: req.body.map(|(b, _)| b), timeout: None };
        let retrier = &self.inner.retrier;
        retrier.run(&self.scope, req.idempotent, |time_left| {
            log::debug!("{method} {url}");
            request.timeout = time_left;
            let response = self.inner.transport.send(&request).map_err(|e| self.scrub(from_transport(e)))?;
            retrier.throttle.record_headers(&response);
            if (200..300).contains(&response.status) {
                return Ok(response);
            }
            let retry_after = crate::retry::retry_after_of(&response, &*retrier.clock);
            let err =
                self.scrub(Error::from_status(crate::wire::api_error(response.status, &response.body), retry_after));
            log::debug!("{method} {url} -> {}", response.status);
            Err(err)
        })
    }

    /// Masks this client's secret and `Authorization` value (its base64 part) wherever the error
    /// kept text from an answer: a server or proxy that echoes the request must not put the
    /// credentials into messages and logs. Costs nothing until an error is made.
    pub(crate) fn scrub(&self, err: Error) -> Error {
        match crate::secret::basic_auth_parts(self.inner.auth.expose()) {
            Some((secret, encoded)) => err.mask(&[encoded, secret.as_str()]),
            None => err,
        }
    }

    /// [`decode`] with this client's credentials masked in the error.
    pub(crate) fn decode<T: DeserializeOwned>(&self, status: u16, bytes: &[u8]) -> Result<T> {
        decode(status, bytes).map_err(|e| self.scrub(e))
    }

    /// Calls an operation that answers with `data` and decodes it.
    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        op: &Operation,
        params: &[&str],
        query: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<T> {
        let response = self.execute(&self.request(op, params, query)?.json(body))?;
        self.data(&response)
    }

    /// The envelope's `data` of a successful answer, decoded; its absence is a decode error.
    pub(crate) fn data<T: DeserializeOwned>(&self, response: &HttpResponse) -> Result<T> {
        let env: crate::wire::Envelope<T> = self.decode(response.status, &response.body)?;
        env.data.ok_or_else(|| {
            self.scrub(Error::Decode {
                status: response.status,
                message: "the answer has no `data`".into(),
                snippet: snippet(&response.body),
            })
        })
    }

    /// Calls an operation that answers with only `code` and `message`.
    pub(crate) fn action(&self, op: &Operation, params: &[&str], body: Option<&[u8]>) -> Result<ActionResponse> {
        let response = self.execute(&self.request(op, params, &[])?.json(body))?;
        let answer = crate::wire::answer(response.status, &response.body).map_err(|e| self.scrub(e))?;
        Ok(answer.unwrap_or_else(|| ActionResponse { code: "Success".into(), message: None }))
    }

    /// A lazy walk over a list operation.
    pub(crate) fn list<T: DeserializeOwned>(&self, op: &'static Operation, params: &[&str]) -> List<T> {
        List::new(Box::new(self.clone()), &self.inner.base_url, op, params)
    }

    /// Sends any operation of the table ([`crate::api::operations`]) with its own method,
    /// `Accept`, auth and idempotency, and returns the whole answer as JSON (`Value::Null` for an
    /// empty body). `params` fill the path template in order ([`Operation::path_params`]).
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// let op = fivetrex::api::operation("group_details").expect("known operation");
    /// let answer = client.call_operation(op, &["group_1"], &[], None)?;
    /// println!("{}", answer["data"]["name"]);
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn call_operation(
        &self,
        op: &Operation,
        params: &[&str],
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value> {
        Ok(self.call_operation_into(op, params, query, body)?.unwrap_or(serde_json::Value::Null))
    }

    /// [`Client::call_operation`] with the answer as the server wrote it: its JSON text, checked
    /// to be JSON but neither reordered nor rounded (`None` for an empty body).
    pub fn call_operation_json(
        &self,
        op: &Operation,
        params: &[&str],
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Option<Box<serde_json::value::RawValue>>> {
        self.call_operation_into(op, params, query, body)
    }

    pub(crate) fn call_operation_into<T: DeserializeOwned>(
        &self,
        op: &Operation,
        params: &[&str],
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Option<T>> {
        let body = body.map(to_body).transpose()?;
        let response = self.execute(&self.request(op, params, query)?.json(body.as_deref()))?;
        self.decode_answer(&response)
    }

    /// The whole answer decoded as `T`; `None` for an empty (or all-whitespace) body, which
    /// the operations that answer with no content send.
    pub(crate) fn decode_answer<T: DeserializeOwned>(&self, response: &HttpResponse) -> Result<Option<T>> {
        crate::wire::answer(response.status, &response.body).map_err(|e| self.scrub(e))
    }

    /// A lazy walk over any list operation of the table, items as JSON (add filters with
    /// [`List::query`]).
    pub fn list_operation(&self, op: &'static Operation, params: &[&str]) -> List<serde_json::Value> {
        self.list(op, params)
    }
}

impl PageSource for Client {
    fn execute(&self, request: &Request<'_>) -> Result<HttpResponse> {
        Client::execute(self, request)
    }
    fn scrub(&self, err: Error) -> Error {
        Client::scrub(self, err)
    }
    fn cancelled(&self) -> bool {
        self.scope.cancelled()
    }
    fn with_cancel(&self, token: &CancelToken) -> Box<dyn PageSource> {
        Box::new(Client::with_cancel(self, token))
    }
    fn bounded(&self) -> Box<dyn PageSource> {
        let deadline = self.retry_policy().deadline.and_then(|d| self.clock().now().checked_add(d));
        Box::new(self.until(deadline))
    }
}

fn from_transport(e: TransportError) -> Error {
    if e.kind == TransportErrorKind::Timeout {
        Error::Timeout { message: e.message, request_sent: e.request_sent }
    } else {
        Error::Transport(e)
    }
}
