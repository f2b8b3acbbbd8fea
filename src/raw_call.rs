//! Requests by raw path ([`Client::raw`], [`Client::raw_json`], [`Client::raw_list`]), with the
//! `Accept` header of the operation the path belongs to, when it is one of the table's.

use crate::client::{to_body, Client};
use crate::endpoint::Operation;
use crate::error::{Error, Result};
use crate::page::List;
use crate::request::Request;
use crate::transport::Method;
use crate::wire::append_query;
use serde::de::DeserializeOwned;

impl Client {
    /// Sends any request through the same auth, retry, throttle and error handling and returns the
    /// whole answer as JSON (`Value::Null` for an empty body). `path` starts with `/` and is
    /// appended to the base URL as given; `query` values are percent-encoded. The `Accept` header
    /// is the one of the table's operation that `method` and `path` address ([`operation_at`]:
    /// `application/json;version=2` for the destination operations), `application/json` for a
    /// path of no operation.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// use fivetrex::Method;
    /// let answer = client.raw(Method::Get, "/v1/account/info", &[], None)?;
    /// println!("{}", answer["data"]["account_id"]);
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn raw(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value> {
        Ok(self.raw_into(method, path, query, body)?.unwrap_or(serde_json::Value::Null))
    }

    /// [`Client::raw`] with the answer as the server wrote it: its JSON text, checked to be JSON
    /// but neither reordered nor rounded (`None` for an empty body). For callers that pass the
    /// answer on, such as the C ABI.
    pub fn raw_json(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Option<Box<serde_json::value::RawValue>>> {
        self.raw_into(method, path, query, body)
    }

    fn raw_into<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Option<T>> {
        let url = self.raw_url(path, query)?;
        let body = body.map(to_body).transpose()?;
        let request = Request { accept: accept_of(method, path), ..Request::raw(method, url) };
        let response = self.execute(&request.json(body.as_deref()))?;
        self.decode_answer(&response)
    }

    /// A lazy pager over any list path (`data.items` / `data.next_cursor`), items as JSON.
    pub fn raw_list(&self, path: &str, query: &[(&str, &str)]) -> Result<List<serde_json::Value>> {
        let url = self.raw_url(path, query)?;
        let request = Request { accept: accept_of(Method::Get, path), ..Request::page(url) };
        Ok(List::from_request(Box::new(self.clone()), request))
    }

    fn raw_url(&self, path: &str, query: &[(&str, &str)]) -> Result<String> {
        if !path.starts_with('/') || path.contains("://") || path.contains('?') || path.contains('#') {
            return Err(Error::InvalidArgument(format!(
                "path {path:?} must start with '/' and carry no query (pass it separately)"
            )));
        }
        let mut url = format!("{}{}", self.base_url(), path);
        append_query(&mut url, query);
        Ok(url)
    }
}

/// The `Accept` header of the table's operation that `method` and `path` address (see
/// [`operation_at`]); `application/json` for a path of no operation.
fn accept_of(method: Method, path: &str) -> &'static str {
    operation_at(method, path).map_or(crate::request::JSON, |op| op.accept.as_str())
}

/// The operation of the table ([`crate::api::operations`]) that `method` and `path` (no query)
/// address: its template's literal segments equal the path's and each `{parameter}` takes one
/// non-empty segment. When two templates match (`/v1/groups/{groupId}` and a literal segment in
/// its place), the one with more literal segments wins.
///
/// ```
/// use fivetrex::{operation_call::operation_at, Method};
/// assert_eq!(operation_at(Method::Get, "/v1/destinations/d_1").unwrap().id, "destination_details");
/// assert!(operation_at(Method::Get, "/v1/nothing/here").is_none());
/// ```
pub fn operation_at(method: Method, path: &str) -> Option<&'static Operation> {
    let mut best: Option<(usize, &'static Operation)> = None;
    for op in crate::api::operations().filter(|op| op.method == method) {
        let (mut wanted, mut given) = (op.path.split('/'), path.split('/'));
        let mut literals = 0;
        let matched = loop {
            match (wanted.next(), given.next()) {
                (None, None) => break true,
                (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {}
                (Some(w), Some(g)) if w == g => literals += 1,
                _ => break false,
            }
        };
        if matched && best.is_none_or(|(n, _)| literals > n) {
            best = Some((literals, op));
        }
    }
    best.map(|(_, op)| op)
}
