//! Webhooks: managing them through the API, and receiving deliveries (signatures, events).

use crate::support::*;
use fivetrex::webhook::{self, parse_event, verify_and_parse, verify_signature, EventType};
use fivetrex::{ErrorKind, NewWebhook, UpdateWebhook, WebhookType};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn hook(i: usize) -> Value {
    json!({ "id": format!("hook_{i}"), "type": if i % 2 == 0 { "account" } else { "group" },
            "url": "https://example.com/hook", "events": ["sync_start", "sync_end", "brand_new_event"],
            "active": true, "secret": "******", "group_id": if i % 2 == 0 { Value::Null } else { json!("g1") },
            "created_at": "2024-01-01T00:00:00Z", "created_by": "user_1" })
}

#[test]
fn webhooks_walk_three_pages_and_keep_unknown_events() {
    let hooks = walk_three_pages("/v1/webhooks", hook, |c| c.webhooks());
    assert_eq!(hooks[0].kind, Some(WebhookType::Account));
    assert_eq!(hooks[1].kind, Some(WebhookType::Group));
    assert_eq!(hooks[1].group_id.as_deref(), Some("g1"));
    assert_eq!(
        hooks[2].events,
        [EventType::SyncStart, EventType::SyncEnd, EventType::Unknown("brand_new_event".into())]
    );
    assert!(!format!("{:?}", hooks[2]).contains("******"), "the masked secret is not echoed either");
}

#[test]
fn create_update_test_and_delete_webhooks() {
    let server = MockServer::start();
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/webhooks/account",
            Some(json!({"url": "https://example.com/hook", "events": ["sync_end"], "secret": "hook-secret-1"})),
            200,
            data(hook(0)),
        ),
        expect(
            &server,
            "POST",
            "/v1/webhooks/group/g1",
            Some(
                json!({"url": "https://example.com/hook", "events": ["sync_start", "dbt_run_failed"], "active": false}),
            ),
            200,
            data(hook(1)),
        ),
        expect(&server, "GET", "/v1/webhooks/hook_1", None, 200, data(hook(1))),
        expect(
            &server,
            "PATCH",
            "/v1/webhooks/hook_1",
            Some(json!({"active": true, "events": ["sync_end"]})),
            200,
            data(hook(1)),
        ),
        expect(
            &server,
            "POST",
            "/v1/webhooks/hook_1/test",
            Some(json!({"event": "sync_end"})),
            200,
            data(json!({"succeed": true, "status": 200, "message": "Success"})),
        ),
        expect(&server, "DELETE", "/v1/webhooks/hook_1", None, 200, done("Webhook with id 'hook_1' has been deleted")),
    ];
    let (client, _) = client(&server.base_url());
    let new = NewWebhook::new("https://example.com/hook", [EventType::SyncEnd]).secret("hook-secret-1");
    assert!(!format!("{new:?}").contains("hook-secret-1"));
    assert_eq!(client.create_account_webhook(&new).unwrap().id, "hook_0");
    let group =
        NewWebhook::new("https://example.com/hook", [EventType::SyncStart, EventType::DbtRunFailed]).active(false);
    assert_eq!(client.create_group_webhook("g1", &group).unwrap().kind, Some(WebhookType::Group));
    assert!(client.webhook("hook_1").unwrap().active);
    client.update_webhook("hook_1", &UpdateWebhook::new().active(true).events([EventType::SyncEnd])).unwrap();
    let test = client.test_webhook("hook_1", &EventType::SyncEnd).unwrap();
    assert!(test.succeed);
    assert_eq!(test.status, Some(200));
    client.delete_webhook("hook_1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn signatures_match_rfc_4231_vectors_in_either_case() {
    // RFC 4231, test case 2.
    let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assert_eq!(webhook::sign(b"Jefe", b"what do ya want for nothing?"), expected.to_uppercase());
    verify_signature(b"Jefe", b"what do ya want for nothing?", expected).unwrap();
    verify_signature(b"Jefe", b"what do ya want for nothing?", &expected.to_uppercase()).unwrap();
    verify_signature(b"Jefe", b"what do ya want for nothing?", &format!("  {expected}\r\n")).unwrap();
    // RFC 4231, test case 1.
    let key = [0x0b_u8; 20];
    verify_signature(&key, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7").unwrap();
}

#[test]
fn a_tampered_body_a_wrong_secret_or_a_malformed_header_is_refused() {
    let body = br#"{"event":"sync_end","connector_id":"c1","data":{"status":"SUCCESSFUL"}}"#;
    let header = webhook::sign(b"secret", body);
    verify_signature(b"secret", body, &header).unwrap();
    let tampered = br#"{"event":"sync_end","connector_id":"c2","data":{"status":"SUCCESSFUL"}}"#;
    let err = verify_signature(b"secret", tampered, &header).unwrap_err();
    // Its own kind, so a receiver answers 401 without matching message text.
    assert_eq!(err.kind(), ErrorKind::WebhookSignature);
    assert!(err.to_string().contains("does not match"));
    assert!(verify_signature(b"other", body, &header).is_err());
    // One flipped digit, a truncated digest, an empty header, a prefix this API does not use.
    let mut flipped = header.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    for bad in [std::str::from_utf8(&flipped).unwrap(), &header[..62], "", &format!("sha256={header}")] {
        assert_eq!(verify_signature(b"secret", body, bad).unwrap_err().kind(), ErrorKind::WebhookSignature, "{bad}");
    }
    assert_eq!(verify_signature(b"other", body, &header).unwrap_err().kind(), ErrorKind::WebhookSignature);
    // The error carries neither the secret nor any digest.
    let good_for_tampered = webhook::sign(b"hook-s3cr3t", tampered);
    let err = format!("{:?}", verify_signature(b"hook-s3cr3t", tampered, &header).unwrap_err());
    assert!(!err.contains("hook-s3cr3t") && !err.contains(&good_for_tampered) && !err.contains(&header));
    assert_eq!(verify_and_parse(b"secret", tampered, &header).unwrap_err().kind(), ErrorKind::WebhookSignature);
    // A correctly signed body that is not an event is the sender's malformed payload (400).
    let junk = b"not json";
    let err = verify_and_parse(b"secret", junk, &webhook::sign(b"secret", junk)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WebhookPayload);
}

#[test]
fn events_decode_with_either_naming_and_unknown_events() {
    let body = br#"{
        "event": "sync_end", "created": "2021-08-18T11:38:34.386Z", "connector_type": "asana",
        "connector_id": "mystified_presiding", "connector_name": "asana_schema",
        "sync_id": "4b4ae9a1-bd93-4d5a-9a5d-1c7ba4c2e4d3", "destination_group_id": "deck_enjoy",
        "data": {"status": "FAILURE_WITH_TASK", "reason": "timeout"}, "new_field": true
    }"#;
    let header = webhook::sign(b"k", body);
    let e = verify_and_parse(b"k", body, &header).unwrap();
    assert_eq!(e.event, EventType::SyncEnd);
    assert_eq!(e.created.unwrap().to_string(), "2021-08-18T11:38:34.386Z");
    assert_eq!(e.connection(), Some("mystified_presiding"));
    assert_eq!(e.connection_schema(), Some("asana_schema"));
    assert_eq!(e.destination_group_id.as_deref(), Some("deck_enjoy"));
    assert_eq!(e.status().as_deref(), Some("FAILURE_WITH_TASK"));
    assert_eq!(e.data.unwrap().to_value().unwrap()["reason"], "timeout");

    let e = parse_event(br#"{"event":"PAUSE_CONNECTOR","connection_id":"c9","connection_name":"pg"}"#).unwrap();
    assert_eq!(e.event, EventType::PauseConnector);
    assert_eq!((e.connection(), e.connection_schema()), (Some("c9"), Some("pg")));
    assert_eq!(e.status(), None);
    let e = parse_event(br#"{"event":"something_new","created":null}"#).unwrap();
    assert_eq!(e.event, EventType::Unknown("something_new".into()));
    assert_eq!(e.event.as_str(), "something_new");
    for bad in [&b"not json"[..], b"[]", b"{}", b""] {
        assert_eq!(parse_event(bad).unwrap_err().kind(), ErrorKind::WebhookPayload, "{:?}", bad);
    }
}
