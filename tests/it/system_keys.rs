//! System keys: permissions as typed values, and the secret that comes back on create and rotate
//! never shows in `Debug`.

use crate::support::*;
use fivetrex::{AccessLevel, ExpirationPeriod, NewSystemKey, Permission, ResourceType, UpdateSystemKey};
use httpmock::prelude::*;
use serde_json::{json, Value};

const KEY_SECRET: &str = "uytFfdSfDADFgfCgFBVsdCSFg4fsGfFg87fhRuuFASuTHkETSfg";

fn key(i: usize) -> Value {
    json!({ "id": format!("key_{i}"), "name": "ci", "key": format!("ft_key{i}"),
            "permissions": [{"resource_type": "CONNECTOR", "access_level": "MANAGE",
                             "resource_filter": {"group_ids": ["g1"]}},
                            {"resource_type": "FUTURE_THING", "access_level": "read"}],
            "created_at": "2023-08-20T10:15:20.677566Z", "updated_at": "2023-08-20T10:15:20.677566Z",
            "expired_at": "2024-08-20T10:15:20.677566Z", "last_used_at": null })
}

fn key_with_secret(i: usize) -> Value {
    let mut k = key(i);
    k["secret"] = json!(KEY_SECRET);
    k
}

#[test]
fn keys_walk_three_pages_without_secrets() {
    let keys = walk_three_pages("/v1/system-keys", key, |c| c.system_keys());
    assert_eq!(keys[5].key.as_deref(), Some("ft_key5"));
    assert_eq!(keys[5].secret, None);
    let p = &keys[5].permissions;
    assert_eq!(p[0].resource_type, ResourceType::Connector);
    assert_eq!(p[0].access_level, AccessLevel::Manage);
    assert_eq!(p[0].resource_filter.as_ref().unwrap().group_ids.as_deref(), Some(&["g1".to_string()][..]));
    assert_eq!(p[1].resource_type, ResourceType::Unknown("FUTURE_THING".into()));
    assert_eq!(p[1].access_level, AccessLevel::Read, "casing is not reliable");
}

#[test]
fn create_rotate_update_and_delete_with_the_secret_hidden() {
    let server = MockServer::start();
    let mocks = [
        expect(
            &server,
            "POST",
            "/v1/system-keys",
            Some(json!({"name": "ci", "expiration_period": "SIX_MONTHS",
                        "permissions": [{"resource_type": "CONNECTOR", "access_level": "MANAGE",
                                         "resource_filter": {"group_ids": ["g1"]}},
                                        {"resource_type": "USER", "access_level": "READ"}]})),
            201,
            data(key_with_secret(1)),
        ),
        expect(
            &server,
            "POST",
            "/v1/system-keys/key_1/rotate",
            Some(json!({"expiration_period": "ONE_WEEK"})),
            200,
            data(key_with_secret(1)),
        ),
        expect(&server, "POST", "/v1/system-keys/key_2/rotate", Some(json!({})), 200, data(key_with_secret(2))),
        expect(&server, "GET", "/v1/system-keys/key_1", None, 200, data(key(1))),
        expect(&server, "PATCH", "/v1/system-keys/key_1", Some(json!({"name": "ci-2"})), 200, data(key(1))),
        expect(
            &server,
            "DELETE",
            "/v1/system-keys/key_1",
            None,
            200,
            done("System key with id 'key_1' has been deleted"),
        ),
    ];
    let (client, _) = client(&server.base_url());
    let new = NewSystemKey::new(
        "ci",
        [
            Permission::new(ResourceType::Connector, AccessLevel::Manage).group_ids(["g1"]),
            Permission::new(ResourceType::User, AccessLevel::Read),
        ],
    )
    .expires(ExpirationPeriod::SixMonths);
    let created = client.create_system_key(&new).unwrap();
    assert_eq!(created.secret.as_ref().unwrap().expose(), KEY_SECRET);
    assert!(!format!("{created:?}").contains(KEY_SECRET));
    assert!(!format!("{:#?}", created).contains(KEY_SECRET));
    // The key can make a client of its own.
    let ci = fivetrex::Client::builder()
        .api_key(created.key.clone().unwrap())
        .api_secret(created.secret.clone().unwrap())
        .base_url(server.base_url())
        .build()
        .unwrap();
    assert!(!format!("{ci:?}").contains(KEY_SECRET));
    let rotated = client.rotate_system_key("key_1", Some(ExpirationPeriod::OneWeek)).unwrap();
    assert!(rotated.secret.is_some());
    assert!(!format!("{rotated:?}").contains(KEY_SECRET));
    client.rotate_system_key("key_2", None).unwrap();
    assert_eq!(client.system_key("key_1").unwrap().secret, None);
    client.update_system_key("key_1", &UpdateSystemKey::new().name("ci-2")).unwrap();
    client.delete_system_key("key_1").unwrap();
    for m in mocks {
        m.assert_calls(1);
    }
}

#[test]
fn a_rotation_is_not_repeated_after_an_ambiguous_failure() {
    let server = MockServer::start();
    let rotate = server.mock(|when, then| {
        when.method(POST).path("/v1/system-keys/key_1/rotate");
        then.status(500);
    });
    let (client, _) = client(&server.base_url());
    client.rotate_system_key("key_1", None).unwrap_err();
    rotate.assert_calls(1);
}
