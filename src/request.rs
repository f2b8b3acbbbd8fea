//! One request as [`Client::execute`](crate::Client) sends it, built from an
//! [`Operation`](crate::endpoint::Operation) or from a raw URL.

use crate::transport::Method;
use std::fmt;

/// The content type of every JSON request body.
pub(crate) const JSON: &str = "application/json";

/// One request, ready for `Client::execute`: built from an `Operation`
/// (`Client::request`) or from a raw URL ([`Request::raw`]).
#[derive(Clone)]
pub(crate) struct Request<'a> {
    pub(crate) method: Method,
    /// The whole URL: base, rendered path and query.
    pub(crate) url: String,
    pub(crate) accept: &'a str,
    /// Whether to send the `Authorization` header (the public metadata endpoint goes without).
    pub(crate) auth: bool,
    /// Whether a failure after the request was sent may be retried.
    pub(crate) idempotent: bool,
    /// The body and its content type.
    pub(crate) body: Option<(&'a [u8], &'a str)>,
}

impl<'a> Request<'a> {
    /// A request to `url` as `Client::raw` sends it: JSON, with credentials, retried unless
    /// it is a `POST`.
    pub(crate) fn raw(method: Method, url: String) -> Self {
        Request { method, url, accept: JSON, auth: true, idempotent: method != Method::Post, body: None }
    }

    /// A page request to `url`: a `GET` with credentials, retried.
    pub(crate) fn page(url: String) -> Self {
        Request { method: Method::Get, url, accept: JSON, auth: true, idempotent: true, body: None }
    }

    /// With `body` (if any) as JSON.
    pub(crate) fn json(self, body: Option<&'a [u8]>) -> Self {
        Request { body: body.map(|b| (b, JSON)), ..self }
    }

    /// With a body of any content type (`multipart/form-data; boundary=...`).
    pub(crate) fn body(self, body: &'a [u8], content_type: &'a str) -> Self {
        Request { body: Some((body, content_type)), ..self }
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may carry connector passwords: only its size.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("accept", &self.accept)
            .field("auth", &self.auth)
            .field("idempotent", &self.idempotent)
            .field("body_len", &self.body.map(|(b, _)| b.len()))
            .finish()
    }
}
