//! TLS certificates and SSH fingerprints approved for connections and destinations.
//!
//! When a setup test meets a certificate or host key it does not know, it stops with a task;
//! approving it here (or passing `trust_certificates`/`trust_fingerprints` to the setup tests)
//! lets it through. Revoking removes the approval.

use crate::api::connections::lenient;
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::time::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

impl Client {
    /// Walks the certificates approved for a connection.
    pub fn connection_certificates(&self, connection_id: &str) -> List<Certificate> {
        self.list(&GET_CONNECTION_CERTIFICATES_LIST, &[connection_id])
    }

    /// Approves a certificate for a connection. `None` when the API confirms without echoing it.
    pub fn approve_connection_certificate(
        &self,
        connection_id: &str,
        hash: &str,
        encoded_cert: &str,
    ) -> Result<Option<Certificate>> {
        let body = to_body(&serde_json::json!({ "hash": hash, "encoded_cert": encoded_cert }))?;
        self.call_maybe(&APPROVE_CONNECTION_CERTIFICATE, &[connection_id], &body)
    }

    /// One certificate approved for a connection.
    pub fn connection_certificate(&self, connection_id: &str, hash: &str) -> Result<Certificate> {
        self.call(&GET_CONNECTION_CERTIFICATE_DETAILS, &[connection_id, hash], &[], None)
    }

    /// Revokes a connection's certificate approval.
    pub fn revoke_connection_certificate(&self, connection_id: &str, hash: &str) -> Result<ActionResponse> {
        self.action(&REVOKE_CONNECTION_CERTIFICATE, &[connection_id, hash], None)
    }

    /// Walks the SSH fingerprints approved for a connection.
    pub fn connection_fingerprints(&self, connection_id: &str) -> List<Fingerprint> {
        self.list(&GET_CONNECTION_FINGERPRINTS_LIST, &[connection_id])
    }

    /// Approves an SSH fingerprint for a connection. The API answers 200 or 201, with or
    /// without the fingerprint: `None` when it is not echoed.
    pub fn approve_connection_fingerprint(
        &self,
        connection_id: &str,
        hash: &str,
        public_key: &str,
    ) -> Result<Option<Fingerprint>> {
        let body = to_body(&serde_json::json!({ "hash": hash, "public_key": public_key }))?;
        self.call_maybe(&APPROVE_CONNECTION_FINGERPRINT, &[connection_id], &body)
    }

    /// One fingerprint approved for a connection.
    pub fn connection_fingerprint(&self, connection_id: &str, hash: &str) -> Result<Fingerprint> {
        self.call(&GET_CONNECTION_FINGERPRINT_DETAILS, &[connection_id, hash], &[], None)
    }

    /// Revokes a connection's fingerprint approval.
    pub fn revoke_connection_fingerprint(&self, connection_id: &str, hash: &str) -> Result<ActionResponse> {
        self.action(&REVOKE_CONNECTION_FINGERPRINT, &[connection_id, hash], None)
    }

    /// Walks the certificates approved for a destination.
    pub fn destination_certificates(&self, destination_id: &str) -> List<Certificate> {
        self.list(&GET_DESTINATION_CERTIFICATES_LIST, &[destination_id])
    }

    /// Approves a certificate for a destination. `None` when the API confirms without echoing it.
    pub fn approve_destination_certificate(
        &self,
        destination_id: &str,
        hash: &str,
        encoded_cert: &str,
    ) -> Result<Option<Certificate>> {
        let body = to_body(&serde_json::json!({ "hash": hash, "encoded_cert": encoded_cert }))?;
        self.call_maybe(&APPROVE_DESTINATION_CERTIFICATE, &[destination_id], &body)
    }

    /// One certificate approved for a destination.
    pub fn destination_certificate(&self, destination_id: &str, hash: &str) -> Result<Certificate> {
        self.call(&GET_DESTINATION_CERTIFICATE_DETAILS, &[destination_id, hash], &[], None)
    }

    /// Revokes a destination's certificate approval.
    pub fn revoke_destination_certificate(&self, destination_id: &str, hash: &str) -> Result<ActionResponse> {
        self.action(&REVOKE_DESTINATION_CERTIFICATE, &[destination_id, hash], None)
    }

    /// Walks the SSH fingerprints approved for a destination.
    pub fn destination_fingerprints(&self, destination_id: &str) -> List<Fingerprint> {
        self.list(&GET_DESTINATION_FINGERPRINTS_LIST, &[destination_id])
    }

    /// Approves an SSH fingerprint for a destination. The API answers 200 or 201, with or
    /// without the fingerprint: `None` when it is not echoed.
    pub fn approve_destination_fingerprint(
        &self,
        destination_id: &str,
        hash: &str,
        public_key: &str,
    ) -> Result<Option<Fingerprint>> {
        let body = to_body(&serde_json::json!({ "hash": hash, "public_key": public_key }))?;
        self.call_maybe(&APPROVE_DESTINATION_FINGERPRINT, &[destination_id], &body)
    }

    /// One fingerprint approved for a destination.
    pub fn destination_fingerprint(&self, destination_id: &str, hash: &str) -> Result<Fingerprint> {
        self.call(&GET_DESTINATION_FINGERPRINT_DETAILS, &[destination_id, hash], &[], None)
    }

    /// Revokes a destination's fingerprint approval.
    pub fn revoke_destination_fingerprint(&self, destination_id: &str, hash: &str) -> Result<ActionResponse> {
        self.action(&REVOKE_DESTINATION_FINGERPRINT, &[destination_id, hash], None)
    }

    /// Approves a certificate through the old account-wide endpoint.
    #[deprecated(note = "the API deprecated POST /v1/certificates; use approve_connection_certificate or \
                         approve_destination_certificate")]
    pub fn approve_certificate(&self, approval: &CertificateApproval) -> Result<ActionResponse> {
        let body = to_body(approval)?;
        self.action(&APPROVE_CERTIFICATE, &[], Some(&body))
    }

    /// Sends `op` and decodes what it echoed, if anything: the enveloped `data`, a bare object
    /// (the spec's 201 form of a fingerprint approval), or nothing (an empty body, or only
    /// `code` and `message`).
    fn call_maybe<T: DeserializeOwned>(&self, op: &Operation, params: &[&str], body: &[u8]) -> Result<Option<T>> {
        let response = self.execute(&self.request(op, params, &[])?.json(Some(body)))?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let mut answer: Value = self.decode(response.status, &response.body)?;
        let item = if let Some(data) = answer.get_mut("data") {
            data.take()
        } else if answer.get("hash").is_some() {
            answer
        } else {
            return Ok(None);
        };
        if item.is_null() {
            return Ok(None);
        }
        let bytes = to_body(&item)?;
        self.decode(response.status, &bytes).map(Some)
    }
}
