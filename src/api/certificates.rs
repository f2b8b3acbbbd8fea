//! TLS certificates and SSH fingerprints approved for connections and destinations.
//!
//! When a setup test meets a certificate or host key it does not know, it stops with a task;
//! approving it here (or passing `trust_certificates`/`trust_fingerprints` to the setup tests)
//! lets it through. Revoking removes the approval.
//!
//! Connections and destinations have the same calls; [`Client::approvals`] picks the owner:
//!
//! ```no_run
//! # let client = fivetrex::Client::new("k", "s")?;
//! use fivetrex::api::certificates::Owner;
//! let approvals = client.approvals(Owner::Connection("conn_1"));
//! for certificate in approvals.certificates() {
//!     let certificate = certificate?;
//!     println!("{} {:?}", certificate.hash, certificate.name);
//! }
//! approvals.approve_fingerprint("SHA256:abc", "ssh-rsa AAAA...")?;
//! # Ok::<(), fivetrex::Error>(())
//! ```

use crate::api::common::lenient;
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::time::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

crate::operations! {
    /// `POST /v1/certificates` (deprecated by the API)
    APPROVE_CERTIFICATE = Operation::post("approve_certificate", "/v1/certificates");
    /// `GET /v1/connections/{connectionId}/certificates`
    GET_CONNECTION_CERTIFICATES_LIST = Operation::get("get_connection_certificates_list", "/v1/connections/{connectionId}/certificates").paged();
    /// `POST /v1/connections/{connectionId}/certificates`
    APPROVE_CONNECTION_CERTIFICATE = Operation::post("approve_connection_certificate", "/v1/connections/{connectionId}/certificates");
    /// `GET /v1/connections/{connectionId}/certificates/{hash}`
    GET_CONNECTION_CERTIFICATE_DETAILS = Operation::get("get_connection_certificate_details", "/v1/connections/{connectionId}/certificates/{hash}");
    /// `DELETE /v1/connections/{connectionId}/certificates/{hash}`
    REVOKE_CONNECTION_CERTIFICATE = Operation::delete("revoke_connection_certificate", "/v1/connections/{connectionId}/certificates/{hash}");
    /// `GET /v1/connections/{connectionId}/fingerprints`
    GET_CONNECTION_FINGERPRINTS_LIST = Operation::get("get_connection_fingerprints_list", "/v1/connections/{connectionId}/fingerprints").paged();
    /// `POST /v1/connections/{connectionId}/fingerprints` (answers 200 or 201)
    APPROVE_CONNECTION_FINGERPRINT = Operation::post("approve_connection_fingerprint", "/v1/connections/{connectionId}/fingerprints");
    /// `GET /v1/connections/{connectionId}/fingerprints/{hash}`
    GET_CONNECTION_FINGERPRINT_DETAILS = Operation::get("get_connection_fingerprint_details", "/v1/connections/{connectionId}/fingerprints/{hash}");
    /// `DELETE /v1/connections/{connectionId}/fingerprints/{hash}`
    REVOKE_CONNECTION_FINGERPRINT = Operation::delete("revoke_connection_fingerprint", "/v1/connections/{connectionId}/fingerprints/{hash}");
    /// `GET /v1/destinations/{destinationId}/certificates`
    GET_DESTINATION_CERTIFICATES_LIST = Operation::get("get_destination_certificates_list", "/v1/destinations/{destinationId}/certificates").paged();
    /// `POST /v1/destinations/{destinationId}/certificates`
    APPROVE_DESTINATION_CERTIFICATE = Operation::post("approve_destination_certificate", "/v1/destinations/{destinationId}/certificates");
    /// `GET /v1/destinations/{destinationId}/certificates/{hash}`
    GET_DESTINATION_CERTIFICATE_DETAILS = Operation::get("get_destination_certificate_details", "/v1/destinations/{destinationId}/certificates/{hash}");
    /// `DELETE /v1/destinations/{destinationId}/certificates/{hash}`
    REVOKE_DESTINATION_CERTIFICATE = Operation::delete("revoke_destination_certificate", "/v1/destinations/{destinationId}/certificates/{hash}");
    /// `GET /v1/destinations/{destinationId}/fingerprints`
    GET_DESTINATION_FINGERPRINTS_LIST = Operation::get("get_destination_fingerprints_list", "/v1/destinations/{destinationId}/fingerprints").paged();
    /// `POST /v1/destinations/{destinationId}/fingerprints` (answers 200 or 201)
    APPROVE_DESTINATION_FINGERPRINT = Operation::post("approve_destination_fingerprint", "/v1/destinations/{destinationId}/fingerprints");
    /// `GET /v1/destinations/{destinationId}/fingerprints/{hash}`
    GET_DESTINATION_FINGERPRINT_DETAILS = Operation::get("get_destination_fingerprint_details", "/v1/destinations/{destinationId}/fingerprints/{hash}");
    /// `DELETE /v1/destinations/{destinationId}/fingerprints/{hash}`
    REVOKE_DESTINATION_FINGERPRINT = Operation::delete("revoke_destination_fingerprint", "/v1/destinations/{destinationId}/fingerprints/{hash}");
}

/// An approved TLS certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Certificate {
    /// The approval's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// The certificate's hash (the key for get and revoke).
    #[serde(default, deserialize_with = "lenient::string")]
    pub hash: String,
    /// The certificate's subject name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// The certificate type.
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    pub kind: Option<String>,
    /// SHA-1 fingerprint.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub sha1: Option<String>,
    /// SHA-256 fingerprint.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub sha256: Option<String>,
    /// The public key.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub public_key: Option<String>,
    /// When it was approved.
    #[serde(default, with = "crate::time::opt_serde")]
    pub validated_date: Option<Timestamp>,
    /// Who approved it.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub validated_by: Option<String>,
}

/// An approved SSH host-key fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fingerprint {
    /// The approval's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// The fingerprint's hash (the key for get and revoke).
    #[serde(default, deserialize_with = "lenient::string")]
    pub hash: String,
    /// The host's public key.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub public_key: Option<String>,
    /// When it was approved.
    #[serde(default, with = "crate::time::opt_serde")]
    pub validated_date: Option<Timestamp>,
    /// Who approved it.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub validated_by: Option<String>,
}

/// What the deprecated `POST /v1/certificates` approves: a certificate for a connection or a
/// destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CertificateApproval {
    /// The certificate's hash.
    pub hash: String,
    /// The certificate, base64-encoded.
    pub encoded_cert: String,
    /// The connection it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The destination it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_id: Option<String>,
}

impl CertificateApproval {
    /// Approves `encoded_cert` (hash `hash`) for a connection.
    pub fn for_connection(
        connection_id: impl Into<String>,
        hash: impl Into<String>,
        encoded_cert: impl Into<String>,
    ) -> Self {
        CertificateApproval {
            hash: hash.into(),
            encoded_cert: encoded_cert.into(),
            connection_id: Some(connection_id.into()),
            destination_id: None,
        }
    }

    /// Approves `encoded_cert` (hash `hash`) for a destination.
    pub fn for_destination(
        destination_id: impl Into<String>,
        hash: impl Into<String>,
        encoded_cert: impl Into<String>,
    ) -> Self {
        CertificateApproval {
            hash: hash.into(),
            encoded_cert: encoded_cert.into(),
            connection_id: None,
            destination_id: Some(destination_id.into()),
        }
    }
}

/// Whose approvals: a connection's or a destination's (by id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner<'a> {
    /// The connection with this id.
    Connection(&'a str),
    /// The destination with this id.
    Destination(&'a str),
}

/// The operations of one owner kind; the calls below are written once over them.
struct Operations {
    certificates: &'static Operation,
    approve_certificate: &'static Operation,
    certificate: &'static Operation,
    revoke_certificate: &'static Operation,
    fingerprints: &'static Operation,
    approve_fingerprint: &'static Operation,
    fingerprint: &'static Operation,
    revoke_fingerprint: &'static Operation,
}

static CONNECTION: Operations = Operations {
    certificates: &GET_CONNECTION_CERTIFICATES_LIST,
    approve_certificate: &APPROVE_CONNECTION_CERTIFICATE,
    certificate: &GET_CONNECTION_CERTIFICATE_DETAILS,
    revoke_certificate: &REVOKE_CONNECTION_CERTIFICATE,
    fingerprints: &GET_CONNECTION_FINGERPRINTS_LIST,
    approve_fingerprint: &APPROVE_CONNECTION_FINGERPRINT,
    fingerprint: &GET_CONNECTION_FINGERPRINT_DETAILS,
    revoke_fingerprint: &REVOKE_CONNECTION_FINGERPRINT,
};

static DESTINATION: Operations = Operations {
    certificates: &GET_DESTINATION_CERTIFICATES_LIST,
    approve_certificate: &APPROVE_DESTINATION_CERTIFICATE,
    certificate: &GET_DESTINATION_CERTIFICATE_DETAILS,
    revoke_certificate: &REVOKE_DESTINATION_CERTIFICATE,
    fingerprints: &GET_DESTINATION_FINGERPRINTS_LIST,
    approve_fingerprint: &APPROVE_DESTINATION_FINGERPRINT,
    fingerprint: &GET_DESTINATION_FINGERPRINT_DETAILS,
    revoke_fingerprint: &REVOKE_DESTINATION_FINGERPRINT,
};

impl<'a> Owner<'a> {
    fn split(self) -> (&'static Operations, &'a str) {
        match self {
            Owner::Connection(id) => (&CONNECTION, id),
            Owner::Destination(id) => (&DESTINATION, id),
        }
    }
}

/// The certificate and fingerprint calls of one connection or destination
/// ([`Client::approvals`]).
#[derive(Clone, Copy, Debug)]
pub struct Approvals<'a> {
    client: &'a Client,
    ops: &'static Operations,
    id: &'a str,
}

impl std::fmt::Debug for Operations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if std::ptr::eq(self, &CONNECTION) { "connection" } else { "destination" })
    }
}

impl Client {
    /// The certificate and fingerprint approvals of `owner`.
    pub fn approvals<'a>(&'a self, owner: Owner<'a>) -> Approvals<'a> {
        let (ops, id) = owner.split();
        Approvals { client: self, ops, id }
    }

    /// Approves a certificate through the old account-wide endpoint.
    #[deprecated(note = "the API deprecated POST /v1/certificates; use Client::approvals(owner).approve_certificate")]
    pub fn approve_certificate(&self, approval: &CertificateApproval) -> Result<ActionResponse> {
        let body = to_body(approval)?;
        self.action(&APPROVE_CERTIFICATE, &[], Some(&body))
    }
}

impl Approvals<'_> {
    /// Walks the approved certificates.
    pub fn certificates(&self) -> List<Certificate> {
        self.client.list(self.ops.certificates, &[self.id])
    }

    /// Approves a certificate (base64 `encoded_cert`, hash `hash`). `None` when the API confirms
    /// without echoing it.
    pub fn approve_certificate(&self, hash: &str, encoded_cert: &str) -> Result<Option<Certificate>> {
        self.approve(self.ops.approve_certificate, &json!({ "hash": hash, "encoded_cert": encoded_cert }))
    }

    /// One approved certificate.
    pub fn certificate(&self, hash: &str) -> Result<Certificate> {
        self.client.call(self.ops.certificate, &[self.id, hash], &[], None)
    }

    /// Revokes a certificate approval.
    pub fn revoke_certificate(&self, hash: &str) -> Result<ActionResponse> {
        self.client.action(self.ops.revoke_certificate, &[self.id, hash], None)
    }

    /// Walks the approved SSH fingerprints.
    pub fn fingerprints(&self) -> List<Fingerprint> {
        self.client.list(self.ops.fingerprints, &[self.id])
    }

    /// Approves an SSH fingerprint. The API answers 200 or 201, with or without the fingerprint:
    /// `None` when it is not echoed.
    pub fn approve_fingerprint(&self, hash: &str, public_key: &str) -> Result<Option<Fingerprint>> {
        self.approve(self.ops.approve_fingerprint, &json!({ "hash": hash, "public_key": public_key }))
    }

    /// One approved fingerprint.
    pub fn fingerprint(&self, hash: &str) -> Result<Fingerprint> {
        self.client.call(self.ops.fingerprint, &[self.id, hash], &[], None)
    }

    /// Revokes a fingerprint approval.
    pub fn revoke_fingerprint(&self, hash: &str) -> Result<ActionResponse> {
        self.client.action(self.ops.revoke_fingerprint, &[self.id, hash], None)
    }

    /// Sends an approval and decodes what it echoed, if anything: the enveloped `data`, a bare
    /// object (the spec's 201 form of a fingerprint approval), or nothing (an empty body, or
    /// only `code` and `message`). The item is decoded once, from its own text.
    fn approve<T: DeserializeOwned>(&self, op: &Operation, body: &Value) -> Result<Option<T>> {
        #[derive(Deserialize)]
        struct Echo {
            data: Option<Box<RawValue>>,
            hash: Option<serde::de::IgnoredAny>,
        }
        let Some(answer) = self.client.call_operation_json(op, &[self.id], &[], Some(body))? else {
            return Ok(None);
        };
        let echo: Echo = self.client.decode(200, answer.get().as_bytes())?;
        let item = match (&echo.data, echo.hash) {
            (Some(data), _) => data.get(),
            (None, Some(_)) => answer.get(),
            (None, None) => return Ok(None),
        };
        self.client.decode(200, item.as_bytes()).map(Some)
    }
}
