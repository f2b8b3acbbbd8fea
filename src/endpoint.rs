//! Declarative descriptions of API operations.
//!
//! An [`Operation`] says everything the client needs to call one operation of the official API:
//! its operationId, method, path template, `Accept` header, whether it pages, its success status
//! and whether repeating it is harmless. Each resource module lists its operations once, with
//! [`operations!`](crate::operations); [`crate::api::operations`] gathers them all. Paths are
//! written only there.

use crate::error::{Error, Result};
use crate::transport::Method;
use std::fmt::Write;

/// The `Accept` header an operation is sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Accept {
    /// `application/json`
    Json,
    /// `application/json;version=2` (the spec's default on connection and destination operations).
    JsonV2,
}

impl Accept {
    /// The header value.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Accept::Json => "application/json",
            Accept::JsonV2 => "application/json;version=2",
        }
    }
}

/// How a list operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Paging {
    /// Not a list.
    None,
    /// `cursor` and `limit` query parameters, `data.items` and `data.next_cursor` in the answer.
    Cursor,
    /// Answers with `next_cursor` although the spec declares no `cursor`/`limit` parameters.
    CursorUndeclared,
}

/// One operation of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's operationId.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, `{name}` for each path parameter.
    pub path: &'static str,
    /// The `Accept` header to send.
    pub accept: Accept,
    /// How it pages: a list walk sends `limit` only for [`Paging::Cursor`], and allows the
    /// API's largest page otherwise.
    pub paging: Paging,
    /// The status the spec documents for success: the emulator answers with it; the client
    /// accepts every 2xx.
    pub success: u16,
    /// Whether sending it twice has the effect of sending it once (so it may be retried after an
    /// ambiguous failure). GET, PATCH, PUT and DELETE are; POST is not unless marked.
    pub idempotent: bool,
    /// False only for the public endpoints that need no credentials.
    pub auth: bool,
}

impl Operation {
    const fn new(id: &'static str, method: Method, path: &'static str) -> Self {
        Operation {
            id,
            method,
            path,
            accept: Accept::Json,
            paging: Paging::None,
            success: 200,
            idempotent: !matches!(method, Method::Post),
            auth: true,
        }
    }
    /// A GET operation.
    pub const fn get(id: &'static str, path: &'static str) -> Self {
        Self::new(id, Method::Get, path)
    }
    /// A POST operation.
    pub const fn post(id: &'static str, path: &'static str) -> Self {
        Self::new(id, Method::Post, path)
    }
    /// A PATCH operation.
    pub const fn patch(id: &'static str, path: &'static str) -> Self {
        Self::new(id, Method::Patch, path)
    }
    /// A DELETE operation.
    pub const fn delete(id: &'static str, path: &'static str) -> Self {
        Self::new(id, Method::Delete, path)
    }
    /// Sends `Accept: application/json;version=2`.
    pub const fn v2(mut self) -> Self {
        self.accept = Accept::JsonV2;
        self
    }
    /// Pages with `cursor`/`limit`.
    pub const fn paged(mut self) -> Self {
        self.paging = Paging::Cursor;
        self
    }
    /// Answers with `next_cursor` without declaring the parameters.
    pub const fn paged_undeclared(mut self) -> Self {
        self.paging = Paging::CursorUndeclared;
        self
    }
    /// Answers 201 on success (a create).
    pub const fn created(mut self) -> Self {
        self.success = 201;
        self
    }
    /// A POST that is harmless to repeat (an action such as a sync trigger or a setup test).
    pub const fn repeatable(mut self) -> Self {
        self.idempotent = true;
        self
    }
    /// Needs no credentials.
    pub const fn public(mut self) -> Self {
        self.auth = false;
        self
    }

    /// Names of the path parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name))
    }

    /// Appends the path with its parameters filled in (percent-encoded) to `out`.
    pub(crate) fn render_path(&self, params: &[&str], out: &mut String) -> Result<()> {
        let mut rest = self.path;
        let mut values = params.iter();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .ok_or_else(|| Error::InvalidArgument(format!("bad path template {}", self.path)))?;
            let name = &rest[open + 1..close];
            let value = values
                .next()
                .ok_or_else(|| Error::InvalidArgument(format!("{}: missing path parameter {name}", self.id)))?;
            if value.is_empty() {
                return Err(Error::InvalidArgument(format!("{}: {name} must not be empty", self.id)));
            }
            encode_component(value, out);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        if values.next().is_some() {
            return Err(Error::InvalidArgument(format!(
                "{}: takes {} path parameters, got {}",
                self.id,
                self.path_params().count(),
                params.len()
            )));
        }
        Ok(())
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so a schema named `a/b?c` stays
/// one path segment.
pub(crate) fn encode_component(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Declares a module's operations as constants plus an `ALL` slice listing them.
#[macro_export]
#[doc(hidden)]
macro_rules! operations {
    ($($(#[$doc:meta])* $name:ident = $op:expr;)*) => {
        $( $(#[$doc])* pub const $name: $crate::endpoint::Operation = $op; )*
        /// Every operation of this module.
        pub const ALL: &[$crate::endpoint::Operation] = &[$($name),*];
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_encodes_params() {
        let op = Operation::patch("x", "/v1/connections/{connectionId}/schemas/{schemaName}/tables/{tableName}");
        let mut s = String::new();
        op.render_path(&["c1", "my schema", "a/b?c%"], &mut s).unwrap();
        assert_eq!(s, "/v1/connections/c1/schemas/my%20schema/tables/a%2Fb%3Fc%25");
        assert_eq!(op.path_params().collect::<Vec<_>>(), ["connectionId", "schemaName", "tableName"]);
        assert!(op.render_path(&["c1", "", "t"], &mut String::new()).is_err());
        assert!(op.render_path(&["c1"], &mut String::new()).is_err());
        assert!(op.render_path(&["c1", "s", "t", "extra"], &mut String::new()).is_err());
        let mut s = String::new();
        encode_component("é", &mut s);
        assert_eq!(s, "%C3%A9");
    }
}
