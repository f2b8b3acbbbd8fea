//! Groups end to end: walks over several pages, every operation with its exact request.

use crate::support::*;
use fivetrex::{Confirm, ErrorKind, UpdateGroup};
use httpmock::prelude::*;
use serde_json::json;

#[test]
fn walks_every_group_over_several_pages_lazily() {
    let server = MockServer::start();
    let mocks = serve_pages(&server, "/v1/groups", 3, 4, "1000", group);
    let (client, _) = client(&server.base_url());
    let mut list = client.groups();
    // Nothing is fetched before the first item is asked for.
    assert_eq!(list.requests(), 0);
    let first = list.next().unwrap().unwrap();
    assert_eq!(first.id, "group_0");
    assert_eq!(first.created_at.unwrap().to_string(), "2024-01-01T00:00:00.123456Z");
    assert_eq!(list.requests(), 1);
    mocks[1].assert_calls(0);
    let rest: Vec<_> = list.by_ref().map(|g| g.unwrap().id).collect();
    assert_eq!(rest.len(), 11);
    assert_eq!(rest.last().unwrap(), "group_11");
    assert_eq!(list.requests(), 3);
    for m in &mocks {
        m.assert_calls(1);
    }
    assert!(list.next().is_none());
}

#[test]
fn page_size_is_sent_and_pages_can_be_resumed() {
    let server = MockServer::start();
    let mocks = serve_pages(&server, "/v1/groups", 4, 2, "2", group);
    let (client, _) = client(&server.base_url());
    let mut list = client.groups().page_size(2);
    let page = list.next_page().unwrap().unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_cursor.as_deref(), Some("c1"));
    assert_eq!(list.cursor(), Some("c1"));
    drop(list);
    // Another walk picks up where that one stopped.
    let resumed: Vec<_> = client.groups().page_size(2).resume_from("c1").map(|g| g.unwrap().id).collect();
    assert_eq!(resumed, ["group_2", "group_3", "group_4", "group_5", "group_6", "group_7"]);
    mocks[0].assert_calls(1);
    for m in &mocks[1..] {
        m.assert_calls(1);
    }
    let pages: Vec<_> =
        client.groups().page_size(2).resume_from("c2").pages().map(|p| p.unwrap().items.len()).collect();
    assert_eq!(pages, [2, 2]);
}

#[test]
fn a_repeated_cursor_ends_with_an_error_instead_of_looping() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups").query_param_missing("cursor");
        then.status(200).json_body(page(vec![group(0)], Some("A")));
    });
    server.mock(|when, then| {
        when.path("/v1/groups").query_param("cursor", "A");
        then.status(200).json_body(page(vec![group(1)], Some("B")));
    });
    let again = server.mock(|when, then| {
        when.path("/v1/groups").query_param("cursor", "B");
        then.status(200).json_body(page(vec![group(2)], Some("A")));
    });
    let (client, _) = client(&server.base_url());
    let results: Vec<_> = client.groups().collect();
    assert_eq!(results.len(), 4, "three items (none lost) and one error, then the end");
    assert!(results[..3].iter().all(Result::is_ok));
    let err = results[3].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RepeatedCursor);
    again.assert_calls(1);
}

#[test]
fn empty_pages_mid_walk_and_null_or_empty_cursors() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups").query_param_missing("cursor");
        then.status(200).json_body(json!({"code": "Success", "data": {"items": [], "next_cursor": "c1"}}));
    });
    server.mock(|when, then| {
        when.path("/v1/groups").query_param("cursor", "c1");
        then.status(200).json_body(json!({"code": "Success", "data": {"items": null, "next_cursor": "c2"}}));
    });
    server.mock(|when, then| {
        when.path("/v1/groups").query_param("cursor", "c2");
        then.status(200).json_body(json!({"code": "Success", "data": {"items": [group(5)], "next_cursor": ""}}));
    });
    let (c, _) = client(&server.base_url());
    let ids: Vec<_> = c.groups().map(|g| g.unwrap().id).collect();
    assert_eq!(ids, ["group_5"]);

    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups");
        then.status(200).json_body(json!({"code": "Success", "data": {"items": [group(1)], "next_cursor": null}}));
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.groups().count(), 1);
}

#[test]
fn an_error_mid_walk_is_yielded_once_then_the_walk_ends() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups").query_param_missing("cursor");
        then.status(200).json_body(page(vec![group(0), group(1)], Some("c1")));
    });
    let failing = server.mock(|when, then| {
        when.path("/v1/groups").query_param("cursor", "c1");
        then.status(403).json_body(json!({"code": "Forbidden", "message": "no"}));
    });
    let (client, _) = client(&server.base_url());
    let mut list = client.groups();
    assert!(list.next().unwrap().is_ok());
    assert!(list.next().unwrap().is_ok());
    assert_eq!(list.next().unwrap().unwrap_err().kind(), ErrorKind::Forbidden);
    assert!(list.next().is_none());
    failing.assert_calls(1);
}

#[test]
fn get_create_update_and_delete() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/group_1").header("accept", "application/json");
        then.status(200).json_body(data(group(1)));
    });
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/groups")
            .header("content-type", "application/json")
            .json_body(json!({"name": "New"}));
        then.status(201).json_body(data(json!({"id": "g_new", "name": "New", "created_at": "2024-05-05T05:05:05Z"})));
    });
    let update = server.mock(|when, then| {
        when.method(PATCH).path("/v1/groups/g_new").json_body(json!({"name": "Renamed"}));
        then.status(200).json_body(data(
            json!({"id": "g_new", "name": "Renamed", "created_at": "2024-05-05T05:05:05Z", "new_field": 1}),
        ));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE).path("/v1/groups/g_new");
        then.status(200).json_body(json!({"code": "Success", "message": "Group with id 'g_new' has been deleted"}));
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.group("group_1").unwrap().name, "Group 1");
    let g = client.create_group("New").unwrap();
    assert_eq!(g.created_at.unwrap().unix_seconds(), 1_714_885_505);
    assert_eq!(client.update_group(&g.id, &UpdateGroup::new().name("Renamed")).unwrap().name, "Renamed");
    // Without the matching confirmation nothing is sent.
    let err = client.delete_group("g_new", &Confirm::delete_group("group_1")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfirmationRequired);
    let err = client.delete_group("g_new", &Confirm::delete_destination("g_new")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfirmationRequired);
    delete.assert_calls(0);
    let done = client.delete_group("g_new", &Confirm::delete_group("g_new")).unwrap();
    assert!(done.message.unwrap().contains("deleted"));
    // A group without a name is refused before anything is sent, as through call_by_id.
    let err = client.create_group("").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        client.call_by_id("create_group", &json!({}), Some(&json!({"name": ""})), None).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    for m in [get, create, update, delete] {
        m.assert_calls(1);
    }
}

#[test]
fn group_connections_and_users_walk_several_pages() {
    let server = MockServer::start();
    let conns = serve_pages(&server, "/v1/groups/g1/connections", 3, 2, "1000", |i| connection(i, "g1"));
    let users = serve_pages(&server, "/v1/groups/g1/users", 3, 3, "1000", user);
    let (client, _) = client(&server.base_url());
    let c: Vec<_> = client.group_connections("g1").map(|c| c.unwrap()).collect();
    assert_eq!(c.len(), 6);
    assert_eq!(c[5].id, "conn_5");
    assert_eq!(c[0].group_id, "g1");
    let u: Vec<_> = client.group_users("g1").map(|u| u.unwrap()).collect();
    assert_eq!(u.len(), 9);
    assert_eq!(u[8].email, "u8@example.com");
    assert_eq!(u[0].logged_in_at, None);
    for m in conns.iter().chain(&users) {
        m.assert_calls(1);
    }
}

#[test]
fn users_keys_and_service_accounts() {
    let server = MockServer::start();
    let add = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/groups/g1/users")
            .json_body(json!({"email": "a@b.c", "role": "Destination Reviewer"}));
        then.status(200).json_body(json!({"code": "Success", "message": "User has been added to the group"}));
    });
    let remove = server.mock(|when, then| {
        when.method(DELETE).path("/v1/groups/g1/users/u%2F1");
        then.status(200).json_body(json!({"code": "Success", "message": "removed"}));
    });
    let key = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1/public-key");
        then.status(200).json_body(data(json!({"public_key": "ssh-rsa AAAA fivetran user key"})));
    });
    let sa = server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1/service-account");
        then.status(200).json_body(data(json!({"service_account": "g-1@fivetran.iam"})));
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(client.add_user_to_group("g1", "a@b.c", "Destination Reviewer").unwrap().code, "Success");
    client.remove_user_from_group("g1", "u/1").unwrap();
    assert_eq!(client.group_public_key("g1").unwrap(), "ssh-rsa AAAA fivetran user key");
    assert_eq!(client.group_service_account("g1").unwrap(), "g-1@fivetran.iam");
    for m in [add, remove, key, sa] {
        m.assert_calls(1);
    }
}

#[test]
fn spec_examples_decode_into_the_group_models() {
    let Some(_) = spec() else { return };
    let server = MockServer::start();
    for (op, path) in [("group_details", "/v1/groups/g1"), ("list_all_groups", "/v1/groups")] {
        let body = example_response(op).expect("example");
        server.mock(|when, then| {
            when.method(GET).path(path);
            then.status(200).json_body(body.clone());
        });
    }
    let users = example_response("list_all_users_in_group").unwrap();
    server.mock(|when, then| {
        when.method(GET).path("/v1/groups/g1/users");
        then.status(200).json_body(users.clone());
    });
    let (client, _) = client(&server.base_url());
    let g = client.group("g1").unwrap();
    assert_eq!(g.id, "group_id");
    // The example's next_cursor is "cursor_value" and the mock serves it again for the second
    // page: a repeated cursor, which the walk reports after the items instead of looping.
    let groups: Vec<_> = client.groups().collect();
    assert_eq!(groups.len(), 3);
    assert_eq!(groups[0].as_ref().unwrap().name, "Group_Name");
    assert_eq!(groups[2].as_ref().unwrap_err().kind(), ErrorKind::RepeatedCursor);
    let user = client.group_users("g1").next().unwrap().unwrap();
    assert_eq!(user.email, "user@email.value");
}

/// A sourced walk keeps the text each item was decoded from, byte for byte (key order,
/// spacing and fields no model knows included), over pages of the usual shape and of an unusual
/// one (`items: null`, an escaped key), and item-style fetching skips the empty pages.
#[test]
fn sourced_pages_keep_each_items_text() {
    let server = MockServer::start();
    let text = |i: usize| format!(r#"{{ "name" : "g \"{i}\"", "id":"group_{i}" ,"unknown":[1, 2.50] }}"#);
    let pages = [
        server.mock(|when, then| {
            when.path("/v1/groups").query_param_missing("cursor");
            then.status(200).body(format!(
                r#"{{"code":"Success","data":{{"next_cursor":"c1","items":[ {} , {} ]}}}}"#,
                text(0),
                text(1)
            ));
        }),
        server.mock(|when, then| {
            when.path("/v1/groups").query_param("cursor", "c1");
            then.status(200).body(r#"{"code":"Success","data":{"items":null,"next_cursor":"c2"}}"#);
        }),
        server.mock(|when, then| {
            when.path("/v1/groups").query_param("cursor", "c2");
            then.status(200).body(format!(r#"{{"data":{{"it\u0065ms":[{}],"next_cursor":null}}}}"#, text(2)));
        }),
    ];
    let (client, _) = client(&server.base_url());
    let mut list = client.groups();
    let first = list.next_sourced_page().unwrap().unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.next_cursor.as_deref(), Some("c1"));
    for (i, g) in first.items.iter().enumerate() {
        assert_eq!(g.name, format!("g \"{i}\""));
        assert_eq!(first.source(i), Some(text(i).as_str()));
        assert_eq!(&first.text()[first.span(i).unwrap()], text(i));
    }
    assert_eq!(first.source(2), None);
    // Items-style: the empty page is skipped within one call; the escaped key takes the
    // general decoder, and the text still comes back whole.
    let last = list.next_sourced_items().unwrap().unwrap();
    assert_eq!((last.items.len(), last.items[0].id.as_str()), (1, "group_2"));
    assert_eq!(last.source(0), Some(text(2).as_str()));
    assert!(last.next_cursor.is_none());
    assert!(list.next_sourced_items().is_none());
    pages.iter().for_each(|m| m.assert_calls(1));
    assert_eq!(list.requests(), 3);
}

/// An item that does not decode as the model fails a sourced walk as it fails any walk, naming
/// the field.
#[test]
fn a_sourced_page_with_a_bad_item_is_a_decode_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/groups");
        then.status(200).json_body(json!({"data": {"items": [group(0), {"id": ["x"]}], "next_cursor": "c"}}));
    });
    let (client, _) = client(&server.base_url());
    let mut list = client.groups();
    let err = list.next_sourced_page().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.to_string().contains("id"), "{err}");
    assert!(list.next_sourced_page().is_none(), "an error ends the walk");
}
