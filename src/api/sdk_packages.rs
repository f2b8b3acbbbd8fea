//! Connector SDK packages: the code (a ZIP file) behind custom connectors built with Fivetran's
//! Connector SDK. Uploads are `multipart/form-data` with one `file` part; downloads are the raw
//! bytes.

use crate::api::common::lenient;
use crate::client::{ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::{Error, Result};
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/connector-sdk/packages`
    LIST_CONNECTOR_SDK_PACKAGES =
        Operation::get("list_connector_sdk_packages", "/v1/connector-sdk/packages").paged();
    /// `POST /v1/connector-sdk/packages` (multipart upload)
    CREATE_CONNECTOR_SDK_PACKAGE =
        Operation::post("create_connector_sdk_package", "/v1/connector-sdk/packages").created();
    /// `GET /v1/connector-sdk/packages/{package_id}`
    GET_CONNECTOR_SDK_PACKAGE =
        Operation::get("get_connector_sdk_package", "/v1/connector-sdk/packages/{package_id}");
    /// `DELETE /v1/connector-sdk/packages/{package_id}`
    DELETE_CONNECTOR_SDK_PACKAGE =
        Operation::delete("delete_connector_sdk_package", "/v1/connector-sdk/packages/{package_id}");
    /// `PATCH /v1/connector-sdk/packages/{package_id}` (multipart upload)
    UPDATE_CONNECTOR_SDK_PACKAGE =
        Operation::patch("update_connector_sdk_package", "/v1/connector-sdk/packages/{package_id}");
    /// `GET /v1/connector-sdk/packages/{package_id}/download` (the ZIP file's bytes)
    DOWNLOAD_CONNECTOR_SDK_PACKAGE =
        Operation::get("download_connector_sdk_package", "/v1/connector-sdk/packages/{package_id}/download");
}

/// An uploaded Connector SDK package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectorSdkPackage {
    /// The package's id.
    pub id: String,
    /// The connection that runs it, once one does.
    #[serde(default)]
    pub connection_id: Option<String>,
    /// Who uploaded it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Who uploaded the current version.
    #[serde(default)]
    pub last_updated_by: Option<String>,
    /// When it was first uploaded.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// When the current version was uploaded.
    #[serde(default, with = "crate::time::opt_serde")]
    pub updated_at: Option<Timestamp>,
    /// SHA-256 of the uploaded file, hex.
    #[serde(default, deserialize_with = "opt_text")]
    pub file_sha256_hash: Option<String>,
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(Some(lenient::string(d)?).filter(|s| !s.is_empty()))
}

/// A `multipart/form-data` body with one file part named `file`, and its content type.
///
/// The boundary is derived from the clock, a counter and the file's length, and is changed until
/// it occurs nowhere in the file, so no file content can end the part early.
pub(crate) fn multipart_file(file_name: &str, bytes: &[u8]) -> Result<(Vec<u8>, String)> {
    if file_name.is_empty() || file_name.contains(['"', '\r', '\n']) {
        return Err(Error::InvalidArgument(format!(
            "file name {file_name:?} must be non-empty and contain no quote or line break"
        )));
    }
    let boundary = boundary_for(bytes);
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"");
    body.extend_from_slice(file_name.as_bytes());
    body.extend_from_slice(b"\"\r\nContent-Type: application/zip\r\n\r\n");
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    Ok((body, format!("multipart/form-data; boundary={boundary}")))
}

fn boundary_for(bytes: &[u8]) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    // RandomState is seeded per process from the OS: enough to make the boundary unguessable
    // for a file's author, which is all a boundary needs.
    let seed = std::collections::hash_map::RandomState::new();
    loop {
        let mut h = seed.build_hasher();
        h.write_u64(nanos);
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_usize(bytes.len());
        let candidate = format!("fivetrex-{:016x}{:016x}", h.finish(), nanos.rotate_left(17) ^ h.finish());
        if !contains(bytes, candidate.as_bytes()) {
            return candidate;
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl Client {
    /// Walks every Connector SDK package of the account.
    pub fn connector_sdk_packages(&self) -> List<ConnectorSdkPackage> {
        self.list(&LIST_CONNECTOR_SDK_PACKAGES, &[])
    }

    /// One package.
    pub fn connector_sdk_package(&self, package_id: &str) -> Result<ConnectorSdkPackage> {
        self.call(&GET_CONNECTOR_SDK_PACKAGE, &[package_id], &[], None)
    }

    /// Uploads a new package: `zip` is the file's content, `file_name` what to call it
    /// (`code.zip`). Not retried after an ambiguous failure.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// let zip = std::fs::read("code.zip").expect("readable");
    /// let package = client.create_connector_sdk_package("code.zip", &zip)?;
    /// println!("{} {:?}", package.id, package.file_sha256_hash);
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn create_connector_sdk_package(&self, file_name: &str, zip: &[u8]) -> Result<ConnectorSdkPackage> {
        let (body, content_type) = multipart_file(file_name, zip)?;
        self.call_typed(&CREATE_CONNECTOR_SDK_PACKAGE, &[], (&body, &content_type))
    }

    /// Replaces a package's file.
    pub fn update_connector_sdk_package(
        &self,
        package_id: &str,
        file_name: &str,
        zip: &[u8],
    ) -> Result<ConnectorSdkPackage> {
        let (body, content_type) = multipart_file(file_name, zip)?;
        self.call_typed(&UPDATE_CONNECTOR_SDK_PACKAGE, &[package_id], (&body, &content_type))
    }

    /// Deletes a package.
    pub fn delete_connector_sdk_package(&self, package_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_CONNECTOR_SDK_PACKAGE, &[package_id], None)
    }

    /// The package's file (a ZIP), as bytes.
    pub fn download_connector_sdk_package(&self, package_id: &str) -> Result<Vec<u8>> {
        Ok(self.execute(&self.request(&DOWNLOAD_CONNECTOR_SDK_PACKAGE, &[package_id], &[])?)?.body)
    }

    /// Sends a non-JSON body and decodes the envelope's `data`.
    fn call_typed(&self, op: &Operation, params: &[&str], body: (&[u8], &str)) -> Result<ConnectorSdkPackage> {
        let response = self.execute(&self.request(op, params, &[])?.body(body.0, body.1))?;
        self.data(&response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_body_is_well_formed_and_the_boundary_avoids_the_content() {
        let (body, content_type) = multipart_file("code.zip", b"PK\x03\x04 zip bytes").unwrap();
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("Content-Disposition: form-data; name=\"file\"; filename=\"code.zip\"\r\n"));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        // Two uploads get different boundaries.
        let (_, other) = multipart_file("code.zip", b"x").unwrap();
        assert_ne!(content_type, other);
        // A file made of a boundary never contains the boundary chosen for it.
        let tricky = format!("--{boundary}--\r\n").into_bytes();
        let (body, ct) = multipart_file("a.zip", &tricky).unwrap();
        let b = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert!(!contains(&tricky, b.as_bytes()));
        assert_eq!(String::from_utf8_lossy(&body).matches(b).count(), 2);
        assert!(multipart_file("a\"b.zip", b"x").is_err());
        assert!(multipart_file("", b"x").is_err());
    }
}
