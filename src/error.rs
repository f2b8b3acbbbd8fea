//! The one error type of the crate.
//!
//! Every call returns [`Result<T>`]. HTTP failures are classified by status first (so an HTML 502
//! from a proxy or an empty 500 still has the right kind) and the API's `code`/`message` are read
//! from the body only when it parses. Nothing here ever holds a credential: the client masks its
//! own key's secret and `Authorization` value in every text it keeps from an answer, and
//! `Display` escapes control characters (`\r`, `\n`, ESC, NUL, ...) a server sent, so an error
//! written to a log or a terminal cannot forge lines or drive the terminal.

use std::fmt;
use std::time::Duration;

/// Shorthand for `Result<T, fivetrex::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Most bytes of a response body kept in an error, so logs stay small.
pub(crate) const SNIPPET_LIMIT: usize = 512;

/// What the API said when it refused a request: the HTTP status, the envelope's `code` and
/// `message` when the body had them, and the start of the raw body.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: u16,
    /// The envelope's `code` (`NotFound_Connector`, `InvalidInput`, ...), when the body was JSON.
    pub code: Option<String>,
    /// The envelope's `message`, when the body was JSON.
    pub message: Option<String>,
    /// The first bytes of the raw body (at most 512), lossily decoded as UTF-8.
    pub body_snippet: String,
}

/// The start of a body as text, cut on a character boundary, with the values of secret-looking
/// JSON keys masked: an answer that echoes a connector's `config` (a proxy, an API bug, a decode
/// failure of a 2xx) must not carry its password into an error message or a log line.
pub(crate) fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(SNIPPET_LIMIT)];
    let mut s = crate::json::redact_text(&String::from_utf8_lossy(cut));
    if body.len() > SNIPPET_LIMIT {
        s.push('…');
    }
    s
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("body_snippet", &self.body_snippet)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {}", Escaped(code))?;
        }
        match &self.message {
            Some(m) => write!(f, ": {}", Escaped(m)),
            None if self.body_snippet.is_empty() => write!(f, " (empty body)"),
            None => write!(f, ": {}", Escaped(&self.body_snippet)),
        }
    }
}

/// Text from a server, displayed with its control characters escaped (`\n`, `\r`, `\0`,
/// `\u{1b}`, ...) and everything else as is.
pub(crate) struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(char::is_control) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "{}", c.escape_debug())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// Replaces every occurrence of each needle in `text` with `***`, and a tail of `text` that
/// starts a needle (a snippet cut in the middle of it), four characters or more, as well.
pub(crate) fn mask(text: &mut String, needles: &[&str]) {
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        if text.contains(needle) {
            *text = text.replace(needle, "***");
        }
        let body = text.strip_suffix('…').unwrap_or(text);
        let tail = (4..needle.len()).rev().find(|&n| needle.is_char_boundary(n) && body.ends_with(&needle[..n]));
        if let Some(n) = tail {
            let cut = body.len() - n;
            let ellipsis = text.ends_with('…');
            text.truncate(cut);
            text.push_str("***");
            if ellipsis {
                text.push('…');
            }
        }
    }
}

/// How a request failed below HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name did not resolve.
    Dns,
    /// The TCP connection could not be made (refused, unreachable).
    Connect,
    /// TLS failed (handshake, certificate).
    Tls,
    /// The connection broke while the request or the answer was on the wire.
    Io,
    /// The exchange broke HTTP/1.1's rules: a malformed head or chunk size, a head over the size
    /// limit, a request (a URI too long, say) that cannot be written. Never retried: it fails
    /// the same way every time.
    Protocol,
    /// The response body was larger than the configured limit.
    BodyTooLarge,
    /// The connect, or the whole exchange, took longer than allowed.
    Timeout,
    /// Anything else the transport reported.
    Other,
}

/// A failure below HTTP: what kind, and whether the server may have seen the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// The kind of failure.
    pub kind: TransportErrorKind,
    /// A description (never contains headers or credentials).
    pub message: String,
    /// False when the request cannot have reached the server (DNS, connect, TLS handshake), so
    /// retrying it can never duplicate an action.
    pub request_sent: bool,
}

/// What failed, without the details; handy for `match` and for the C ABI.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use fivetrex::emulator::{Emulator, Fault};
/// use fivetrex::{Error, ErrorKind};
///
/// fn advice(err: &Error) -> String {
///     match err.kind() {
///         ErrorKind::NotFound => format!("no such thing ({})", err.api_code().unwrap_or("-")),
///         ErrorKind::RateLimited => match err.retry_after() {
///             Some(wait) => format!("rate limited: come back in {} s", wait.as_secs()),
///             None => "rate limited".into(),
///         },
///         ErrorKind::Unauthorized => "check the API key and secret".into(),
///         _ => err.to_string(),
///     }
/// }
///
/// // A local Fivetran (cargo feature `emulator`).
/// let emu = Emulator::builder().seed(1, 0).start()?;
/// let client = emu.client();
///
/// // 404: an id that does not exist.
/// let err = client.group("no_such_group").unwrap_err();
/// assert_eq!(advice(&err), "no such thing (NotFound_Group)");
///
/// // 429 asking for a longer wait than the retry policy sleeps (60 s by default): returned at
/// // once, with the wait the server asked for.
/// emu.add_fault(Fault::status("/v1/groups", 429).retry_after("120"));
/// let err = client.groups().next().unwrap().unwrap_err();
/// assert_eq!(advice(&err), "rate limited: come back in 120 s");
///
/// // 401: a wrong secret.
/// let wrong = emu.client_builder().api_secret("not_the_secret").build()?;
/// let err = wrong.group("any").unwrap_err();
/// assert_eq!(advice(&err), "check the API key and secret");
/// # }
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 401: bad or missing credentials.
    Unauthorized,
    /// 403: the key lacks the permission.
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 409: conflict (a sync is running, ...).
    Conflict,
    /// 400, 405, 406, 415, 422: the request was refused as invalid.
    InvalidRequest,
    /// 429: rate limited.
    RateLimited,
    /// 5xx.
    Server,
    /// Another non-2xx status (408, 410, 3xx, ...).
    Http,
    /// DNS, connect, TLS, reset, cut-short body.
    Transport,
    /// A timeout (connect or whole request).
    Timeout,
    /// A 2xx answer whose body could not be decoded.
    Decode,
    /// The client was configured wrongly.
    Config,
    /// An argument was refused before anything was sent.
    InvalidArgument,
    /// A destructive call was made without the matching confirmation value.
    ConfirmationRequired,
    /// A list answered with a cursor it had already given: the walk stops instead of looping.
    RepeatedCursor,
    /// The call was cancelled through its [`CancelToken`](crate::CancelToken).
    Cancelled,
    /// A webhook delivery's signature is missing, malformed or wrong (answer 401).
    WebhookSignature,
    /// A webhook delivery's body is not a Fivetran event (answer 400).
    WebhookPayload,
    /// The caller's own error, returned from a [`Client::with_retry`](crate::Client::with_retry)
    /// closure.
    Caller,
}

/// Every way a call can fail.
///
/// Match on the variant for details, or on [`Error::kind`] for the category. Use
/// [`Error::status`], [`Error::api_code`] and [`Error::retry_after`] for what a caller acts on.
/// The messages say what to do where there is something to do (which variable is missing, which
/// timeout was hit and how to raise it).
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use fivetrex::emulator::{Emulator, Fault};
/// use fivetrex::Error;
/// use std::time::Duration;
///
/// // A local Fivetran (cargo feature `emulator`).
/// let emu = Emulator::builder().seed(1, 1).start()?;
/// let client = emu.client();
///
/// match client.connection("no_such_connection") {
///     Err(Error::NotFound(api)) => {
///         assert_eq!(api.status, 404);
///         assert_eq!(api.code.as_deref(), Some("NotFound_Connector"));
///     }
///     other => panic!("expected a 404, got {other:?}"),
/// }
///
/// emu.add_fault(Fault::status("/v1/groups/*", 429).retry_after("90"));
/// match client.group(&emu.group_ids()[0]) {
///     Err(Error::RateLimited { retry_after, error }) => {
///         assert_eq!(retry_after, Some(Duration::from_secs(90)));
///         assert_eq!(error.status, 429);
///     }
///     other => panic!("expected a 429, got {other:?}"),
/// }
///
/// let wrong = emu.client_builder().api_key("not_the_key").build()?;
/// let err = wrong.group("any").unwrap_err();
/// assert!(matches!(err, Error::Unauthorized(_)));
/// assert_eq!(err.status(), Some(401));
/// assert!(err.to_string().starts_with("unauthorized (check the API key and secret): HTTP 401"));
/// # }
/// # Ok::<(), fivetrex::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401.
    #[error("unauthorized (check the API key and secret): {0}")]
    Unauthorized(ApiError),
    /// 403.
    #[error("forbidden: {0}")]
    Forbidden(ApiError),
    /// 404.
    #[error("not found: {0}")]
    NotFound(ApiError),
    /// 409.
    #[error("conflict: {0}")]
    Conflict(ApiError),
    /// 400, 405, 406, 415, 422.
    #[error("invalid request: {0}")]
    InvalidRequest(ApiError),
    /// 429. `retry_after` is the server's `Retry-After`, when it sent a usable one.
    #[error("rate limited{}: {error}", fmt_wait(.retry_after))]
    RateLimited {
        /// The API's answer.
        error: ApiError,
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("server error: {0}")]
    Server(ApiError),
    /// Another non-2xx status.
    #[error("unexpected status: {0}")]
    Http(ApiError),
    /// DNS, connect, TLS, reset, cut-short body.
    #[error("transport error ({:?}): {}", .0.kind, Escaped(&.0.message))]
    Transport(TransportError),
    /// The connect or the whole request took longer than allowed.
    #[error("timed out: {}", Escaped(.message))]
    Timeout {
        /// What timed out.
        message: String,
        /// False when it was the connect (the request never left).
        request_sent: bool,
    },
    /// A 2xx answer that could not be decoded into the expected shape.
    #[error("cannot decode HTTP {status} answer: {}; body starts: {}", Escaped(.message), Escaped(.snippet))]
    Decode {
        /// HTTP status of the answer.
        status: u16,
        /// What did not fit, naming the field where possible.
        message: String,
        /// The first bytes of the body.
        snippet: String,
    },
    /// The client was configured wrongly (missing key, plain http to a remote host, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// An argument was refused before anything was sent (empty id, page size out of range, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A destructive call was made without the matching confirmation value.
    #[error("confirmation required: {0}")]
    ConfirmationRequired(String),
    /// A list answered with a cursor it had already given.
    #[error("the server repeated cursor {cursor:?}; stopping the walk instead of looping")]
    RepeatedCursor {
        /// The repeated cursor.
        cursor: String,
    },
    /// The call was cancelled through its [`CancelToken`](crate::CancelToken): it stopped at
    /// once without starting another request.
    #[error("cancelled")]
    Cancelled,
    /// A webhook delivery's signature header is missing, malformed or does not match the body:
    /// reject it (401).
    #[error("webhook signature rejected: {0}")]
    WebhookSignature(String),
    /// A webhook delivery's body is not a Fivetran event (400).
    #[error("webhook body rejected: {0}")]
    WebhookPayload(String),
    /// An error of the caller's own, returned from a closure run by
    /// [`Client::with_retry`](crate::Client::with_retry); it is the [`source`](std::error::Error::source).
    #[error("{0}")]
    Caller(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

fn fmt_wait(d: &Option<Duration>) -> String {
    match d {
        Some(d) => format!(" (retry after {}s)", d.as_secs_f64()),
        None => String::new(),
    }
}

impl Error {
    /// Wraps an error of the caller's own (for a [`Client::with_retry`](crate::Client::with_retry)
    /// closure); it stays reachable through [`std::error::Error::source`] and
    /// [`Error::caller_error`].
    ///
    /// ```
    /// #[derive(Debug)]
    /// struct NotReady;
    /// impl std::fmt::Display for NotReady {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("not ready") }
    /// }
    /// impl std::error::Error for NotReady {}
    /// let err = fivetrex::Error::caller(NotReady);
    /// assert_eq!(err.kind(), fivetrex::ErrorKind::Caller);
    /// assert!(err.caller_error().unwrap().is::<NotReady>());
    /// ```
    pub fn caller(e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Error::Caller(e.into())
    }

    /// The caller's own error inside an [`Error::Caller`].
    pub fn caller_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match self {
            Error::Caller(e) => Some(&**e),
            _ => None,
        }
    }

    /// Classifies a non-2xx answer by its status, then reads the body if it parses.
    pub(crate) fn from_status(error: ApiError, retry_after: Option<Duration>) -> Self {
        match error.status {
            401 => Error::Unauthorized(error),
            403 => Error::Forbidden(error),
            404 => Error::NotFound(error),
            409 => Error::Conflict(error),
            400 | 405 | 406 | 415 | 422 => Error::InvalidRequest(error),
            429 => Error::RateLimited { error, retry_after },
            500..=599 => Error::Server(error),
            _ => Error::Http(error),
        }
    }

    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unauthorized(_) => ErrorKind::Unauthorized,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Server(_) => ErrorKind::Server,
            Error::Http(_) => ErrorKind::Http,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Config(_) => ErrorKind::Config,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::ConfirmationRequired(_) => ErrorKind::ConfirmationRequired,
            Error::RepeatedCursor { .. } => ErrorKind::RepeatedCursor,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::WebhookSignature(_) => ErrorKind::WebhookSignature,
            Error::WebhookPayload(_) => ErrorKind::WebhookPayload,
            Error::Caller(_) => ErrorKind::Caller,
        }
    }

    /// The API's answer, for errors that came from an HTTP status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::InvalidRequest(e)
            | Error::Server(e)
            | Error::Http(e)
            | Error::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } => Some(*status),
            _ => self.api_error().map(|e| e.status),
        }
    }

    /// The API's error `code` (`NotFound_Connector`, ...), when the body carried one.
    pub fn api_code(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.code.as_deref())
    }

    /// The API's error `message`, when the body carried one.
    pub fn api_message(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.message.as_deref())
    }

    /// The wait the server asked for with `Retry-After` (429 only).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Masks `needles` (the client's credentials) in every text this error kept from an answer.
    pub(crate) fn mask(mut self, needles: &[&str]) -> Self {
        match &mut self {
            Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::InvalidRequest(e)
            | Error::Server(e)
            | Error::Http(e)
            | Error::RateLimited { error: e, .. } => {
                for text in [e.code.as_mut(), e.message.as_mut(), Some(&mut e.body_snippet)].into_iter().flatten() {
                    mask(text, needles);
                }
            }
            Error::Transport(t) => mask(&mut t.message, needles),
            Error::Timeout { message, .. } => mask(message, needles),
            Error::Decode { message, snippet, .. } => {
                mask(message, needles);
                mask(snippet, needles);
            }
            Error::RepeatedCursor { cursor } => mask(cursor, needles),
            _ => {}
        }
        self
    }

    /// False when the failed request certainly never reached the server.
    pub fn request_may_have_been_sent(&self) -> bool {
        match self {
            Error::Transport(t) => t.request_sent,
            Error::Timeout { request_sent, .. } => *request_sent,
            Error::Config(_)
            | Error::InvalidArgument(_)
            | Error::ConfirmationRequired(_)
            | Error::RepeatedCursor { .. }
            | Error::WebhookSignature(_)
            | Error::WebhookPayload(_) => false,
            _ => true,
        }
    }
}
