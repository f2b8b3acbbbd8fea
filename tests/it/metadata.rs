//! Connector metadata and Connector SDK packages: the public endpoint without credentials, the
//! multipart upload and the binary download.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::{json, Value};

fn connector_type(i: usize) -> Value {
    json!({ "id": format!("svc_{i}"), "name": format!("Service {i}"), "type": "Marketing",
            "description": "d", "icons": ["a.png", "a.svg"], "icon_url": "a.png",
            "link_to_docs": "https://fivetran.com/docs", "connector_class": "standard",
            "supported_features": [{"id": "HISTORY", "notes": null}],
            "service_status": "general_availability", "service_status_updated_at": "2024-03-01T00:00:00Z" })
}

fn package(i: usize) -> Value {
    json!({ "id": format!("pkg_{i}"), "connection_id": null, "created_by": "user_1", "last_updated_by": "user_2",
            "created_at": "2024-01-14T19:30:00Z", "updated_at": "2024-01-14T20:15:00Z",
            "file_sha256_hash": "a1b2c3" })
}

#[test]
fn connector_types_walk_three_pages() {
    let types = walk_three_pages("/v1/metadata/connector-types", connector_type, |c| c.connector_types());
    assert_eq!(types[3].id, "svc_3");
    assert_eq!(types[3].category.as_deref(), Some("Marketing"));
    assert_eq!(types[3].supported_features[0].id, "HISTORY");
    assert_eq!(types[3].config, None);
}

#[test]
fn one_connector_type_with_its_config_fields() {
    let server = MockServer::start();
    let mut details = connector_type(1);
    details["config"] = json!({"properties": {"password": {"type": "string"}}});
    details["auth"] = json!({"properties": {}});
    let m = expect(&server, "GET", "/v1/metadata/connector-types/google_ads", None, 200, data(details));
    let (client, _) = client(&server.base_url());
    let t = client.connector_type("google_ads").unwrap();
    assert_eq!(t.name, "Service 1");
    assert_eq!(t.config.unwrap().to_value().unwrap()["properties"]["password"]["type"], "string");
    m.assert_calls(1);
}

#[test]
fn the_public_endpoint_sends_no_credentials_and_reads_any_shape() {
    let server = MockServer::start();
    let (client, _) = client(&server.base_url());
    for (shape, answer) in [
        ("list", json!({"code": "Success", "data": [connector_type(1), connector_type(2)]})),
        ("page", json!({"code": "Success", "data": {"items": [connector_type(1), connector_type(2)]}})),
        ("one", json!({"code": "Success", "data": connector_type(1)})),
    ] {
        let mut m = server.mock(|when, then| {
            when.method(GET)
                .path("/public/connector-types")
                .header("accept", "application/json")
                .header_missing("authorization");
            then.status(200).json_body(answer.clone());
        });
        let types = client.public_connector_types().unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(types[0].id, "svc_1", "{shape}");
        assert_eq!(types.len(), if shape == "one" { 1 } else { 2 });
        m.assert_calls(1);
        m.delete();
    }
    let m = server.mock(|when, then| {
        when.path("/public/connector-types");
        then.status(200).json_body(json!({"code": "Success"}));
    });
    assert_eq!(client.public_connector_types().unwrap_err().kind(), fivetrex::ErrorKind::Decode);
    m.assert_calls(1);
}

#[test]
fn sdk_packages_walk_three_pages() {
    let packages = walk_three_pages("/v1/connector-sdk/packages", package, |c| c.connector_sdk_packages());
    assert_eq!(packages[5].id, "pkg_5");
    assert_eq!(packages[5].file_sha256_hash.as_deref(), Some("a1b2c3"));
}

/// The file part of a multipart body, checked byte for byte: boundary from the content type,
/// the part's headers, the content, the closing delimiter.
fn is_multipart_upload(req: &httpmock::HttpMockRequest, file_name: &str, content: &[u8]) -> bool {
    let Some(ct) = req.headers_vec().iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")) else {
        return false;
    };
    let Some(boundary) = ct.1.strip_prefix("multipart/form-data; boundary=") else {
        return false;
    };
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(content);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    req.body().to_vec() == expected
}

#[test]
fn sdk_packages_upload_as_multipart_and_download_as_bytes() {
    // Bytes that are not UTF-8 and contain CR LF and dashes, as a real ZIP may.
    let zip: Vec<u8> = b"PK\x03\x04\xff\xfe\r\n--\r\n\x00\x01".iter().copied().chain(0..=255u8).collect();
    let server = MockServer::start();
    let (z1, z2) = (zip.clone(), zip.clone());
    let create = server.mock(move |when, then| {
        when.method(POST)
            .path("/v1/connector-sdk/packages")
            .header("accept", "application/json")
            .header("authorization", auth_header())
            .is_true(move |req| is_multipart_upload(req, "code.zip", &z1));
        then.status(201).json_body(data(package(1)));
    });
    let update = server.mock(move |when, then| {
        when.method(PATCH)
            .path("/v1/connector-sdk/packages/pkg_1")
            .header("accept", "application/json")
            .is_true(move |req| is_multipart_upload(req, "v2.zip", &z2));
        then.status(200).json_body(data(package(1)));
    });
    let download = server.mock(|when, then| {
        when.method(GET).path("/v1/connector-sdk/packages/pkg_1/download").header("accept", "application/json");
        then.status(200).header("content-type", "application/octet-stream").body(zip.clone());
    });
    let get = expect(&server, "GET", "/v1/connector-sdk/packages/pkg_1", None, 200, data(package(1)));
    let delete = expect(&server, "DELETE", "/v1/connector-sdk/packages/pkg_1", None, 200, done("Package deleted"));
    let (client, _) = client(&server.base_url());
    let created = client.create_connector_sdk_package("code.zip", &zip).unwrap();
    assert_eq!(created.created_by.as_deref(), Some("user_1"));
    client.update_connector_sdk_package("pkg_1", "v2.zip", &zip).unwrap();
    assert_eq!(client.download_connector_sdk_package("pkg_1").unwrap(), zip);
    assert_eq!(client.connector_sdk_package("pkg_1").unwrap().id, "pkg_1");
    client.delete_connector_sdk_package("pkg_1").unwrap();
    for m in [create, update, download, get, delete] {
        m.assert_calls(1);
    }
    // A file name that would break the part's headers is refused before anything is sent.
    assert_eq!(
        client.create_connector_sdk_package("a\"\r\nX: y", &zip).unwrap_err().kind(),
        fivetrex::ErrorKind::InvalidArgument
    );
}

#[test]
fn an_upload_is_retried_with_the_same_bytes_only_when_idempotent() {
    let server = MockServer::start();
    // Every attempt must carry the whole, identical multipart body.
    let failing = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connector-sdk/packages/pkg_1")
            .is_true(|req| is_multipart_upload(req, "code.zip", b"zip bytes"));
        then.status(503);
    });
    let (client, clock) = client(&server.base_url());
    let err = client.update_connector_sdk_package("pkg_1", "code.zip", b"zip bytes").unwrap_err();
    assert_eq!(err.kind(), fivetrex::ErrorKind::Server);
    failing.assert_calls(5);
    assert_eq!(clock.sleeps().len(), 4);
    // A create is not repeated after a 503: it may have been made.
    let create = server.mock(|when, then| {
        when.method(POST).path("/v1/connector-sdk/packages");
        then.status(503);
    });
    client.create_connector_sdk_package("code.zip", b"zip bytes").unwrap_err();
    create.assert_calls(1);
}
