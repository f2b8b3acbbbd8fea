//! Certificates and fingerprints of connections and destinations end to end.

use crate::support::*;
use fivetrex::api::certificates::{self, Owner};
use fivetrex::{Certificate, CertificateApproval, Fingerprint};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn cert(i: usize) -> Value {
    json!({"id": format!("cert_{i}"), "name": "CN=db.internal", "hash": format!("h{i}/+="), "type": "X.509",
           "sha1": "aa", "sha256": "bb", "public_key": "MIIB", "validated_date": "2024-01-01T00:00:00.123Z",
           "validated_by": "user_1"})
}

fn print(i: usize) -> Value {
    json!({"id": format!("fp_{i}"), "hash": format!("SHA256:f{i}"), "public_key": "ssh-rsa AAAA",
           "validated_date": null, "validated_by": "user_1"})
}

#[test]
fn operations_match_the_spec() {
    assert_operations_match_spec(certificates::ALL);
    assert_eq!(certificates::ALL.len(), 17);
}

#[test]
fn lists_of_certificates_and_fingerprints_walk_three_pages() {
    let server = MockServer::start();
    let mut mocks = serve_list(&server, "/v1/connections/c%2F1/certificates", V1, &[], 3, 2, cert);
    mocks.extend(serve_list(&server, "/v1/connections/c%2F1/fingerprints", V1, &[], 3, 2, print));
    mocks.extend(serve_list(&server, "/v1/destinations/d1/certificates", V1, &[], 3, 1, cert));
    mocks.extend(serve_list(&server, "/v1/destinations/d1/fingerprints", V1, &[], 4, 1, print));
    let (client, _) = client(&server.base_url());
    let certs: Vec<Certificate> =
        client.approvals(Owner::Connection("c/1")).certificates().map(|c| c.unwrap()).collect();
    assert_eq!(certs.len(), 6);
    assert_eq!(certs[5].hash, "h5/+=");
    assert_eq!(certs[0].kind.as_deref(), Some("X.509"));
    assert_eq!(certs[0].validated_date.unwrap().subsec_nanos(), 123_000_000);
    let prints: Vec<Fingerprint> =
        client.approvals(Owner::Connection("c/1")).fingerprints().map(|c| c.unwrap()).collect();
    assert_eq!(prints.len(), 6);
    assert_eq!(prints[0].validated_date, None);
    assert_eq!(client.approvals(Owner::Destination("d1")).certificates().count(), 3);
    assert_eq!(
        client.approvals(Owner::Destination("d1")).fingerprints().map(|f| f.unwrap().id).last().unwrap(),
        "fp_3"
    );
    mocks.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn approve_get_and_revoke_certificates_with_hashes_that_need_encoding() {
    let server = MockServer::start();
    let mut mocks = Vec::new();
    for owner in ["connections/c1", "destinations/d1"] {
        mocks.push(server.mock(|when, then| {
            when.method(POST)
                .path(format!("/v1/{owner}/certificates"))
                .header("accept", V1)
                .header("content-type", "application/json")
                .json_body(json!({"hash": "h0/+=", "encoded_cert": "MIIBase64=="}));
            then.status(200).json_body(data(cert(0)));
        }));
        mocks.push(server.mock(|when, then| {
            when.method(GET).path(format!("/v1/{owner}/certificates/h0%2F%2B%3D")).header("accept", V1);
            then.status(200).json_body(data(cert(0)));
        }));
        mocks.push(server.mock(|when, then| {
            when.method(DELETE).path(format!("/v1/{owner}/certificates/h0%2F%2B%3D"));
            then.status(200).json_body(json!({"code": "Success", "message": "The certificate has been revoked"}));
        }));
    }
    let (client, _) = client(&server.base_url());
    assert_eq!(
        client.approvals(Owner::Connection("c1")).approve_certificate("h0/+=", "MIIBase64==").unwrap().unwrap().id,
        "cert_0"
    );
    assert_eq!(client.approvals(Owner::Connection("c1")).certificate("h0/+=").unwrap().hash, "h0/+=");
    assert_eq!(client.approvals(Owner::Connection("c1")).revoke_certificate("h0/+=").unwrap().code, "Success");
    assert_eq!(
        client.approvals(Owner::Destination("d1")).approve_certificate("h0/+=", "MIIBase64==").unwrap().unwrap().id,
        "cert_0"
    );
    assert_eq!(
        client.approvals(Owner::Destination("d1")).certificate("h0/+=").unwrap().name.as_deref(),
        Some("CN=db.internal")
    );
    client.approvals(Owner::Destination("d1")).revoke_certificate("h0/+=").unwrap();
    mocks.iter().for_each(|m| m.assert_calls(1));
}

#[test]
fn fingerprint_approval_accepts_200_or_201_with_or_without_the_fingerprint() {
    let server = MockServer::start();
    let body = json!({"hash": "SHA256:f0", "public_key": "ssh-rsa AAAA"});
    // 201 with the fingerprint in the envelope, 201 with a bare fingerprint (the spec's form),
    // 200 with only code and message, 200 with an empty body.
    let answers = [
        (201, data(print(0)).to_string()),
        (201, print(0).to_string()),
        (200, json!({"code": "Success", "message": "approved"}).to_string()),
        (200, String::new()),
    ];
    let mocks: Vec<_> = answers
        .iter()
        .map(|(status, answer)| {
            server.mock(|when, then| {
                when.method(POST).path("/v1/connections/c1/fingerprints").header("accept", V1).json_body(body.clone());
                then.status(*status).body(answer.as_str()).up_to_n_times(1);
            })
        })
        .collect();
    let (client, _) = client(&server.base_url());
    let got: Vec<Option<Fingerprint>> = (0..4)
        .map(|_| client.approvals(Owner::Connection("c1")).approve_fingerprint("SHA256:f0", "ssh-rsa AAAA").unwrap())
        .collect();
    assert_eq!(got[0].as_ref().unwrap().id, "fp_0");
    assert_eq!(got[1].as_ref().unwrap().hash, "SHA256:f0");
    assert!(got[2].is_none() && got[3].is_none());
    mocks.iter().for_each(|m| m.assert_calls(1));

    let get = server.mock(|when, then| {
        when.method(GET).path("/v1/destinations/d1/fingerprints/SHA256%3Af0");
        then.status(200).json_body(data(print(0)));
    });
    let approve = server.mock(|when, then| {
        when.method(POST).path("/v1/destinations/d1/fingerprints").json_body(body.clone());
        then.status(201).json_body(data(print(0)));
    });
    let revoke = server.mock(|when, then| {
        when.method(DELETE).path("/v1/destinations/d1/fingerprints/SHA256%3Af0");
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let c_get = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/c1/fingerprints/SHA256%3Af0");
        then.status(200).json_body(data(print(0)));
    });
    let c_revoke = server.mock(|when, then| {
        when.method(DELETE).path("/v1/connections/c1/fingerprints/SHA256%3Af0");
        then.status(200).json_body(json!({"code": "Success"}));
    });
    assert!(client
        .approvals(Owner::Destination("d1"))
        .approve_fingerprint("SHA256:f0", "ssh-rsa AAAA")
        .unwrap()
        .is_some());
    assert_eq!(
        client.approvals(Owner::Destination("d1")).fingerprint("SHA256:f0").unwrap().public_key.as_deref(),
        Some("ssh-rsa AAAA")
    );
    client.approvals(Owner::Destination("d1")).revoke_fingerprint("SHA256:f0").unwrap();
    assert_eq!(client.approvals(Owner::Connection("c1")).fingerprint("SHA256:f0").unwrap().id, "fp_0");
    client.approvals(Owner::Connection("c1")).revoke_fingerprint("SHA256:f0").unwrap();
    for m in [get, approve, revoke, c_get, c_revoke] {
        m.assert_calls(1);
    }
}

#[test]
#[allow(deprecated)]
fn the_deprecated_account_wide_approval_still_works() {
    let server = MockServer::start();
    let conn = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/certificates")
            .header("accept", V1)
            .json_body(json!({"hash": "h", "encoded_cert": "MII", "connection_id": "c1"}));
        then.status(200).json_body(json!({"code": "Success", "message": "The certificate has been approved."}));
    });
    let dest = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/certificates")
            .json_body(json!({"hash": "h", "encoded_cert": "MII", "destination_id": "d1"}));
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let (client, _) = client(&server.base_url());
    client.approve_certificate(&CertificateApproval::for_connection("c1", "h", "MII")).unwrap();
    client.approve_certificate(&CertificateApproval::for_destination("d1", "h", "MII")).unwrap();
    conn.assert_calls(1);
    dest.assert_calls(1);
}

#[test]
#[allow(deprecated)]
fn spec_examples_decode_into_the_certificate_models() {
    let Some(_) = spec() else { return };
    let server = MockServer::start();
    let serve = |method: httpmock::Method, path: &str, body: Value| {
        server.mock(|when, then| {
            when.method(method).path(path);
            then.status(200).json_body(body);
        })
    };
    let ex = |op: &str| example_response(op).unwrap_or_else(|| panic!("no example for {op}"));
    // The spec documents the fingerprint approvals' 201 answer only (its 200 has no body).
    let fp_201 = |op: &str| {
        let (_, _, o) = spec_operation(op).unwrap();
        example_from_schema(&o["responses"]["201"]["content"]["application/json"]["schema"])
    };
    for (owner, kind) in [("connections/c1", "connection"), ("destinations/d1", "destination")] {
        serve(GET, &format!("/v1/{owner}/certificates"), ex(&format!("get_{kind}_certificates_list")));
        serve(POST, &format!("/v1/{owner}/certificates"), ex(&format!("approve_{kind}_certificate")));
        serve(GET, &format!("/v1/{owner}/certificates/h"), ex(&format!("get_{kind}_certificate_details")));
        serve(DELETE, &format!("/v1/{owner}/certificates/h"), ex(&format!("revoke_{kind}_certificate")));
        serve(GET, &format!("/v1/{owner}/fingerprints"), ex(&format!("get_{kind}_fingerprints_list")));
        serve(POST, &format!("/v1/{owner}/fingerprints"), fp_201(&format!("approve_{kind}_fingerprint")));
        serve(GET, &format!("/v1/{owner}/fingerprints/h"), ex(&format!("get_{kind}_fingerprint_details")));
        serve(DELETE, &format!("/v1/{owner}/fingerprints/h"), ex(&format!("revoke_{kind}_fingerprint")));
    }
    serve(POST, "/v1/certificates", ex("approve_certificate"));
    let (client, _) = client(&server.base_url());
    let cert = client.approvals(Owner::Connection("c1")).certificates().next().unwrap().unwrap();
    assert!(!cert.hash.is_empty() && cert.validated_date.is_some());
    assert!(client.approvals(Owner::Connection("c1")).approve_certificate("h", "e").unwrap().is_some());
    assert!(!client.approvals(Owner::Connection("c1")).certificate("h").unwrap().hash.is_empty());
    client.approvals(Owner::Connection("c1")).revoke_certificate("h").unwrap();
    assert!(!client.approvals(Owner::Connection("c1")).fingerprints().next().unwrap().unwrap().hash.is_empty());
    assert!(client.approvals(Owner::Connection("c1")).approve_fingerprint("h", "k").unwrap().is_some());
    client.approvals(Owner::Connection("c1")).fingerprint("h").unwrap();
    client.approvals(Owner::Connection("c1")).revoke_fingerprint("h").unwrap();
    client.approvals(Owner::Destination("d1")).certificates().next().unwrap().unwrap();
    assert!(client.approvals(Owner::Destination("d1")).approve_certificate("h", "e").unwrap().is_some());
    client.approvals(Owner::Destination("d1")).certificate("h").unwrap();
    client.approvals(Owner::Destination("d1")).revoke_certificate("h").unwrap();
    client.approvals(Owner::Destination("d1")).fingerprints().next().unwrap().unwrap();
    assert!(client.approvals(Owner::Destination("d1")).approve_fingerprint("h", "k").unwrap().is_some());
    client.approvals(Owner::Destination("d1")).fingerprint("h").unwrap();
    client.approvals(Owner::Destination("d1")).revoke_fingerprint("h").unwrap();
    assert_eq!(
        client.approve_certificate(&CertificateApproval::for_connection("c1", "h", "e")).unwrap().code,
        "Success"
    );
}
