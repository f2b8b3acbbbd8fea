//! The receiving side of Fivetran webhooks: check a delivery's signature and read its event.
//!
//! When a webhook has a secret, Fivetran signs each delivery with HMAC-SHA256 of the raw request
//! body under that secret and sends the digest, hex-encoded, in the `X-Fivetran-Signature-256`
//! header. Verify the bytes exactly as received, before parsing them: re-serialised JSON does not
//! reproduce the signed bytes. Managing webhooks (create, list, test, ...) is in
//! [`crate::api::webhooks`].
//!
//! ```
//! use fivetrex::webhook::{parse_event, verify_signature, EventType};
//!
//! let secret = b"my_webhook_secret";
//! let body = br#"{"event":"sync_end","created":"2024-05-01T10:00:00.000Z","connector_id":"c1","data":{"status":"SUCCESSFUL"}}"#;
//! let header = fivetrex::webhook::sign(secret, body); // what Fivetran sends
//! verify_signature(secret, body, &header)?;
//! let event = parse_event(body)?;
//! assert_eq!(event.event, EventType::SyncEnd);
//! # Ok::<(), fivetrex::Error>(())
//! ```

use crate::api::common::api_enum;
use crate::error::{Error, Result};
use crate::json::RawJson;
use crate::time::Timestamp;
use ring::hmac;
use serde::{Deserialize, Serialize};

/// The header a delivery's signature arrives in.
pub const SIGNATURE_HEADER: &str = "X-Fivetran-Signature-256";

/// Checks that `header_value` (the `X-Fivetran-Signature-256` header) is the HMAC-SHA256 of
/// `body` under `secret`. Hex digits of either case are accepted, surrounding whitespace is
/// ignored; the comparison takes the same time wherever the first difference is.
///
/// Fails with [`Error::WebhookSignature`] (answer 401) when the header is not 64 hex digits or does
/// not match.
pub fn verify_signature(secret: &[u8], body: &[u8], header_value: &str) -> Result<()> {
    let tag = decode_hex(header_value.trim()).ok_or_else(|| {
        Error::WebhookSignature(format!("{SIGNATURE_HEADER} is not a hex-encoded SHA-256 digest (64 hex digits)"))
    })?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, body, &tag).map_err(|_| {
        Error::WebhookSignature(format!("{SIGNATURE_HEADER} does not match the body: reject the delivery"))
    })
}

/// The signature Fivetran sends for `body` under `secret`: HMAC-SHA256, upper-case hex. For
/// tests, and for relaying deliveries to another service.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let tag = hmac::sign(&key, body);
    let mut out = String::with_capacity(64);
    for b in tag.as_ref() {
        out.push(HEX_UPPER[usize::from(b >> 4)] as char);
        out.push(HEX_UPPER[usize::from(b & 15)] as char);
    }
    out
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// 64 hex digits (either case) to 32 bytes; anything else is `None`.
fn decode_hex(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

api_enum! {
    /// What a webhook delivery reports (`event`), and what a webhook subscribes to (`events`).
    EventType {
        /// A sync started.
        SyncStart = "sync_start",
        /// A sync ended; `data.status` says how.
        SyncEnd = "sync_end",
        /// A connection's status changed (deprecated by Fivetran).
        Status = "status",
        /// A dbt run started.
        DbtRunStart = "dbt_run_start",
        /// A dbt run succeeded.
        DbtRunSucceeded = "dbt_run_succeeded",
        /// A dbt run failed.
        DbtRunFailed = "dbt_run_failed",
        /// A transformation run started (deprecated by Fivetran).
        TransformationRunStart = "transformation_run_start",
        /// A transformation run succeeded (deprecated by Fivetran).
        TransformationRunSucceeded = "transformation_run_succeeded",
        /// A transformation run failed (deprecated by Fivetran).
        TransformationRunFailed = "transformation_run_failed",
        /// A connection's setup tests passed.
        ConnectionSuccessful = "connection_successful",
        /// A connection's setup tests failed.
        ConnectionFailure = "connection_failure",
        /// A connection was created.
        CreateConnector = "create_connector",
        /// A connection was paused.
        PauseConnector = "pause_connector",
        /// A connection was resumed.
        ResumeConnector = "resume_connector",
        /// A connection was changed.
        EditConnector = "edit_connector",
        /// A connection was deleted.
        DeleteConnector = "delete_connector",
        /// A sync was forced.
        ForceUpdateConnector = "force_update_connector",
        /// A historical re-sync of a connection was started.
        ResyncConnector = "resync_connector",
        /// A historical re-sync of a table was started.
        ResyncTable = "resync_table",
    }
}

/// One webhook delivery.
///
/// Older payloads name the connection `connector_*`, newer ones `connection_*` as well; both are
/// kept, and [`WebhookEvent::connection`] picks whichever is present.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// What happened.
    pub event: EventType,
    /// When it happened.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created: Option<Timestamp>,
    /// The connection's service (`postgres`, `salesforce`, ...).
    #[serde(default)]
    pub connector_type: Option<String>,
    /// The connection's id (older name).
    #[serde(default)]
    pub connector_id: Option<String>,
    /// The connection's schema name (older name).
    #[serde(default)]
    pub connector_name: Option<String>,
    /// The connection's id.
    #[serde(default)]
    pub connection_id: Option<String>,
    /// The connection's schema name.
    #[serde(default)]
    pub connection_name: Option<String>,
    /// The sync this event belongs to (a UUID).
    #[serde(default)]
    pub sync_id: Option<String>,
    /// The group (destination) of the connection.
    #[serde(default)]
    pub destination_group_id: Option<String>,
    /// Fivetran's identifier of an error, on failures.
    #[serde(default)]
    pub exception_id: Option<String>,
    /// Event-specific details (`{"status": "SUCCESSFUL"}` for `sync_end`), unparsed.
    #[serde(default)]
    pub data: Option<RawJson>,
}

impl WebhookEvent {
    /// The connection's id, whichever name the payload used.
    pub fn connection(&self) -> Option<&str> {
        self.connection_id.as_deref().or(self.connector_id.as_deref())
    }

    /// The connection's schema name, whichever name the payload used.
    pub fn connection_schema(&self) -> Option<&str> {
        self.connection_name.as_deref().or(self.connector_name.as_deref())
    }

    /// `data.status` (`SUCCESSFUL`, `FAILURE`, `FAILURE_WITH_TASK`, ...) when the event has one.
    pub fn status(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Status {
            status: Option<String>,
        }
        self.data.as_ref()?.parse::<Status>().ok()?.status
    }
}

/// Reads a delivery's body. Verify the signature first ([`verify_signature`]).
///
/// Fails with [`Error::WebhookPayload`] (answer 400) when the body is not a JSON object with an
/// `event`.
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent> {
    serde_json::from_slice(body)
        .map_err(|e| Error::WebhookPayload(format!("webhook body is not a Fivetran event: {e}")))
}

/// [`verify_signature`], then [`parse_event`].
pub fn verify_and_parse(secret: &[u8], body: &[u8], header_value: &str) -> Result<WebhookEvent> {
    verify_signature(secret, body, header_value)?;
    parse_event(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decoding_refuses_anything_but_64_hex_digits() {
        assert!(decode_hex(&"ab".repeat(32)).is_some());
        assert!(decode_hex(&"AB".repeat(32)).is_some());
        assert!(decode_hex(&"ab".repeat(31)).is_none());
        assert!(decode_hex(&"zz".repeat(32)).is_none());
        assert!(decode_hex(&format!("{}é", "a".repeat(62))).is_none());
    }
}
