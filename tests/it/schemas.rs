//! Schema config end to end: every operation with its exact request, names that need encoding,
//! and the spec's examples.

use crate::support::*;
use fivetrex::api::schemas::{
    self, ColumnSelection, ColumnUpdate, DatabaseSchemaUpdate, ExcludeMode, SchemaChangeHandling, SchemaConfigUpdate,
    SyncMode, TableUpdate,
};
use fivetrex::Confirm;
use fivetrex::{ErrorKind, TableSelection};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

fn config() -> Value {
    json!({
        "enable_new_by_default": true,
        "schema_change_handling": "allow_columns",
        "future_field": {"anything": 1},
        "schemas": {
            "public": {
                "name_in_destination": "pg_public", "enabled": true,
                "tables": {
                    "orders": {
                        "name_in_destination": "orders", "enabled": true, "sync_mode": "HISTORY",
                        "supports_columns_config": true, "supports_history_mode": "true",
                        "enabled_patch_settings": {"allowed": true},
                        "columns": {
                            "id": {"name_in_destination": "id", "enabled": true, "hashed": false, "is_primary_key": true,
                                   "enabled_patch_settings": {"allowed": false, "reason_code": "SYSTEM_COLUMN", "reason": "key"}},
                            "ssn": {"name_in_destination": "ssn", "enabled": false, "hashed": true}
                        }
                    },
                    "events": {"enabled": false, "sync_mode": "live_plus", "columns": null}
                }
            },
            "a/b c%": {"enabled": false, "tables": {}}
        }
    })
}

#[test]
fn operations_match_the_spec() {
    assert_operations_match_spec(schemas::ALL);
    assert_eq!(schemas::ALL.len(), 11);
    const { assert!(schemas::RELOAD_CONNECTION_SCHEMA_CONFIG.idempotent) };
    const { assert!(!schemas::RESYNC_TABLES.idempotent) };
}

#[test]
fn reads_the_schema_config_into_maps_keyed_by_source_name() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/conn_1/schemas").header("accept", V1);
        then.status(200).json_body(data(config()));
    });
    let (client, _) = client(&server.base_url());
    let cfg = client.schema_config("conn_1").unwrap();
    get.assert_calls(1);
    assert_eq!(cfg.enable_new_by_default, Some(true));
    assert_eq!(cfg.schema_change_handling, Some(SchemaChangeHandling::AllowColumns));
    assert_eq!(cfg.schemas.keys().collect::<Vec<_>>(), ["a/b c%", "public"]);
    let public = &cfg.schemas["public"];
    assert_eq!(public.name_in_destination.as_deref(), Some("pg_public"));
    let orders = &public.tables["orders"];
    assert_eq!(orders.sync_mode, Some(SyncMode::History));
    assert_eq!(orders.supports_history_mode, Some(true));
    assert!(orders.enabled_patch_settings.as_ref().unwrap().allowed);
    let id = &orders.columns["id"];
    assert_eq!(id.is_primary_key, Some(true));
    assert_eq!(id.enabled_patch_settings.as_ref().unwrap().reason_code.as_deref(), Some("SYSTEM_COLUMN"));
    assert!(orders.columns["ssn"].hashed && !orders.columns["ssn"].enabled);
    let events = &public.tables["events"];
    assert_eq!(events.sync_mode, Some(SyncMode::Unknown("live_plus".into())));
    assert!(events.columns.is_empty());
}

#[test]
fn reload_sends_exclude_mode_or_an_empty_body_and_is_retried() {
    let server = MockServer::start();
    let flaky = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_1/schemas/reload").json_body(json!({}));
        then.status(502).body("<html>bad gateway</html>").up_to_n_times(1);
    });
    let plain = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/schemas/reload")
            .header("accept", V1)
            .header("content-type", "application/json")
            .json_body(json!({}));
        then.status(200).json_body(data(config()));
    });
    let exclude = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_1/schemas/reload").json_body(json!({"exclude_mode": "EXCLUDE"}));
        then.status(200).json_body(data(config()));
    });
    let (client, clock) = client(&server.base_url());
    assert_eq!(client.reload_schema_config("conn_1", None).unwrap().schemas.len(), 2);
    assert_eq!(clock.sleeps(), [Duration::from_millis(500)]);
    client.reload_schema_config("conn_1", Some(ExcludeMode::Exclude)).unwrap();
    flaky.assert_calls(1);
    plain.assert_calls(1);
    exclude.assert_calls(1);
}

#[test]
fn creates_and_updates_the_whole_config_with_only_what_was_set() {
    let server = MockServer::start();
    let body = json!({
        "schema_change_handling": "BLOCK_ALL",
        "schemas": {"public": {"enabled": true, "tables": {
            "orders": {"enabled": true, "sync_mode": "SOFT_DELETE", "columns": {"ssn": {"hashed": true}}},
            "logs": {"enabled": false}
        }}}
    });
    let create = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_1/schemas").header("accept", V1).json_body(body.clone());
        then.status(200).json_body(data(config()));
    });
    let update = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connections/conn_1/schemas")
            .json_body(json!({"is_type_locked": true, "schemas": {"a/b c%": {"enabled": true}}}));
        then.status(200).json_body(data(config()));
    });
    let (client, _) = client(&server.base_url());
    let whole = SchemaConfigUpdate::new().schema_change_handling(SchemaChangeHandling::BlockAll).schema(
        "public",
        DatabaseSchemaUpdate::new()
            .enabled(true)
            .table(
                "orders",
                TableUpdate::new()
                    .enabled(true)
                    .sync_mode(SyncMode::SoftDelete)
                    .column("ssn", ColumnUpdate::new().hashed(true)),
            )
            .table("logs", TableUpdate::new().enabled(false)),
    );
    client.create_schema_config("conn_1", &whole).unwrap();
    let changes =
        SchemaConfigUpdate::new().is_type_locked(true).schema("a/b c%", DatabaseSchemaUpdate::new().enabled(true));
    client.update_schema_config("conn_1", &changes).unwrap();
    create.assert_calls(1);
    update.assert_calls(1);
}

#[test]
fn one_schema_table_and_column_with_names_that_need_encoding() {
    let server = MockServer::start();
    let schema = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connections/conn_1/schemas/my%20schema%2Fx%25")
            .header("accept", V1)
            .json_body(json!({"enabled": false}));
        then.status(200).json_body(data(config()));
    });
    let table = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connections/conn_1/schemas/my%20schema%2Fx%25/tables/a%2Fb%20c%25")
            .json_body(json!({"sync_mode": "LIVE", "columns": {"e mail": {"enabled": true, "is_primary_key": false}}}));
        then.status(200).json_body(data(config()));
    });
    let column = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/connections/conn_1/schemas/my%20schema%2Fx%25/tables/a%2Fb%20c%25/columns/e%20mail%3F")
            .json_body(json!({"enabled": true, "hashed": false}));
        then.status(200).json_body(data(config()));
    });
    let columns = server.mock(|when, then| {
        when.method(GET).path("/v1/connections/conn_1/schemas/my%20schema%2Fx%25/tables/a%2Fb%20c%25/columns");
        then.status(200).json_body(data(json!({"columns": {
            "e mail?": {"name_in_destination": "e_mail", "enabled": true, "hashed": false, "is_primary_key": null}
        }})));
    });
    let (client, _) = client(&server.base_url());
    let (s, t) = ("my schema/x%", "a/b c%");
    client.update_schema("conn_1", s, &DatabaseSchemaUpdate::new().enabled(false)).unwrap();
    let changes = TableUpdate::new()
        .sync_mode(SyncMode::Live)
        .column("e mail", ColumnUpdate::new().enabled(true).is_primary_key(false));
    client.update_table("conn_1", s, t, &changes).unwrap();
    client.update_column("conn_1", s, t, "e mail?", &ColumnUpdate::new().enabled(true).hashed(false)).unwrap();
    let cols = client.table_columns("conn_1", s, t).unwrap();
    assert_eq!(cols["e mail?"].name_in_destination.as_deref(), Some("e_mail"));
    assert_eq!(cols["e mail?"].is_primary_key, None);
    for m in [schema, table, column, columns] {
        m.assert_calls(1);
    }
    // An empty name is refused before sending.
    let err = client.update_table("conn_1", s, "", &TableUpdate::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn drops_columns_and_resyncs_tables() {
    let server = MockServer::start();
    let drop_many = server.mock(|when, then| {
        when.method(POST).path("/v1/connections/conn_1/schemas/drop-columns").header("accept", V1).json_body(
            json!({"schemas": {"public": {"tables": {
                "users": {"columns": ["ssn", "dob"]}, "a/b": {"columns": ["x"]}
            }}}}),
        );
        then.status(200).json_body(json!({"code": "Success", "message": "Column(s) successfully marked for deletion"}));
    });
    let drop_one = server.mock(|when, then| {
        when.method(DELETE).path("/v1/connections/conn_1/schemas/public/tables/users/columns/a%25b");
        then.status(200).json_body(json!({"code": "Success"}));
    });
    let resync = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connections/conn_1/schemas/tables/resync")
            .header("accept", V1)
            .json_body(json!({"public": ["orders", "users"], "crm": ["leads"]}));
        then.status(503).body("busy");
    });
    let (client, clock) = client(&server.base_url());
    let cols = ColumnSelection::new()
        .column("public", "users", "ssn")
        .column("public", "users", "dob")
        .column("public", "a/b", "x");
    assert!(client
        .drop_columns("conn_1", &cols, &Confirm::drop_columns("conn_1"))
        .unwrap()
        .message
        .unwrap()
        .contains("deletion"));
    client.drop_column("conn_1", "public", "users", "a%b", &Confirm::drop_columns("conn_1")).unwrap();
    // Re-reading history is not repeated after an ambiguous failure.
    let tables = TableSelection::new().tables("public", ["orders", "users"]).table("crm", "leads");
    assert_eq!(
        client.resync_tables("conn_1", &tables, &Confirm::resync_tables("conn_1")).unwrap_err().kind(),
        ErrorKind::Server
    );
    resync.assert_calls(1);
    assert!(clock.sleeps().is_empty());
    // Empty selections are refused unsent.
    assert_eq!(
        client.drop_columns("conn_1", &ColumnSelection::new(), &Confirm::drop_columns("conn_1")).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        client.resync_tables("conn_1", &TableSelection::new(), &Confirm::resync_tables("conn_1")).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let no_tables = TableSelection::new().tables("public", Vec::<&str>::new());
    assert_eq!(
        client.resync_tables("conn_1", &no_tables, &Confirm::resync_tables("conn_1")).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    drop_many.assert_calls(1);
    drop_one.assert_calls(1);
    resync.assert_calls(1);
}

#[test]
fn spec_examples_decode_into_the_schema_models() {
    let Some(_) = spec() else { return };
    let server = MockServer::start();
    let serve = |method: httpmock::Method, path: &str, op: &str| {
        let body = example_response(op).unwrap_or_else(|| panic!("no example for {op}"));
        server.mock(|when, then| {
            when.method(method).path(path);
            then.status(200).json_body(body);
        })
    };
    serve(GET, "/v1/connections/c1/schemas", "connection_schema_config");
    serve(POST, "/v1/connections/c1/schemas", "pre_create_connection_schema_config");
    serve(PATCH, "/v1/connections/c1/schemas", "modify_connection_schema_config");
    serve(POST, "/v1/connections/c1/schemas/reload", "reload_connection_schema_config");
    serve(POST, "/v1/connections/c1/schemas/drop-columns", "delete_multiple_columns_connection_config");
    serve(POST, "/v1/connections/c1/schemas/tables/resync", "resync_tables");
    serve(PATCH, "/v1/connections/c1/schemas/s", "modify_connection_database_schema_config");
    serve(PATCH, "/v1/connections/c1/schemas/s/tables/t", "modify_connection_table_config");
    serve(PATCH, "/v1/connections/c1/schemas/s/tables/t/columns/c", "modify_connection_column_config");
    serve(DELETE, "/v1/connections/c1/schemas/s/tables/t/columns/c", "delete_column_connection_config");
    serve(GET, "/v1/connections/c1/schemas/s/tables/t/columns", "connection_column_config");
    let (client, _) = client(&server.base_url());
    let cfg = client.schema_config("c1").unwrap();
    let table = &cfg.schemas["schema"].tables["table"];
    assert_eq!(table.sync_mode, Some(SyncMode::SoftDelete));
    assert_eq!(table.columns["column"].is_primary_key, Some(true));
    assert_eq!(cfg.schema_change_handling, Some(SchemaChangeHandling::AllowAll));
    let update = SchemaConfigUpdate::new();
    client.create_schema_config("c1", &update).unwrap();
    client.update_schema_config("c1", &update).unwrap();
    client.reload_schema_config("c1", None).unwrap();
    assert_eq!(
        client
            .drop_columns("c1", &ColumnSelection::new().column("s", "t", "c"), &Confirm::drop_columns("c1"))
            .unwrap()
            .code,
        "Success"
    );
    assert_eq!(
        client.resync_tables("c1", &TableSelection::new().table("s", "t"), &Confirm::resync_tables("c1")).unwrap().code,
        "Success"
    );
    client.update_schema("c1", "s", &DatabaseSchemaUpdate::new()).unwrap();
    client.update_table("c1", "s", "t", &TableUpdate::new()).unwrap();
    client.update_column("c1", "s", "t", "c", &ColumnUpdate::new()).unwrap();
    client.drop_column("c1", "s", "t", "c", &Confirm::drop_columns("c1")).unwrap();
    let cols = client.table_columns("c1", "s", "t").unwrap();
    assert_eq!(cols["column"].name_in_destination.as_deref(), Some("column_name_in_destination"));
}
