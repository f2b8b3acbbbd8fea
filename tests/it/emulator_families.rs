//! The emulator's families beyond groups, connections, destinations and users, through the
//! public client: create, get, list across several pages, update, delete and each family's
//! actions; webhooks delivered and signed; account shapes with chosen ids.

use fivetrex::api::certificates::Owner;
use fivetrex::api::schemas::{ColumnUpdate, ExcludeMode, TableUpdate};
use fivetrex::api::system_keys::NewSystemKey;
use fivetrex::api::teams::{NewTeam, UpdateTeam};
use fivetrex::api::webhooks::{NewWebhook, UpdateWebhook};
use fivetrex::emulator::cli::{self, Command};
use fivetrex::emulator::Emulator;
use fivetrex::webhook::{verify_and_parse, EventType, SIGNATURE_HEADER};
use fivetrex::Client;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn start() -> (Emulator, Client) {
    let emu = Emulator::builder().seed(2, 3).sync_duration(Duration::from_millis(20)).start().unwrap();
    let client = emu.client();
    (emu, client)
}

fn first_group(client: &Client) -> String {
    client.groups().next().unwrap().unwrap().id
}

fn connections_of(client: &Client, group: &str) -> Vec<String> {
    client.group_connections(group).map(|c| c.unwrap().id).collect()
}

#[test]
fn teams_crud_pages_and_memberships() {
    let (_emu, client) = start();
    let ids: Vec<String> = (0..5)
        .map(|i| client.create_team(&NewTeam::new().name(format!("team {i}")).role("Account Reviewer")).unwrap().id)
        .collect();
    let mut list = client.teams().page_size(2);
    let listed: Vec<String> = list.by_ref().map(|t| t.unwrap().id).collect();
    assert_eq!(listed, ids);
    assert_eq!(list.requests(), 3, "5 teams in pages of 2");

    let t = client.update_team(&ids[0], &UpdateTeam::new().description("the first")).unwrap();
    assert_eq!((t.name.as_deref(), t.description.as_deref()), (Some("team 0"), Some("the first")), "updates merge");
    assert_eq!(client.team(&ids[0]).unwrap().description.as_deref(), Some("the first"));
    let dup = client.create_team(&NewTeam::new().name("team 1")).unwrap_err();
    assert_eq!(dup.status(), Some(409));
    let bad =
        client.raw(fivetrex::Method::Post, "/v1/teams", &[], Some(&json!({"description": "no name"}))).unwrap_err();
    assert_eq!((bad.status(), bad.api_code()), (Some(400), Some("InvalidInput")));

    // Memberships name real users, groups and connections.
    let users: Vec<String> = client.users().map(|u| u.unwrap().id).collect();
    for u in &users {
        client.add_user_to_team(&ids[0], u, Some("Team Member")).unwrap();
    }
    let mut members = client.team_users(&ids[0]).page_size(2);
    assert_eq!(members.by_ref().map(|m| m.unwrap().user_id).collect::<Vec<_>>(), users);
    assert_eq!(members.requests(), 2);
    assert_eq!(client.update_team_user(&ids[0], &users[1], "Team Manager").unwrap().role, "Team Manager");
    assert_eq!(client.team_user(&ids[0], &users[1]).unwrap().role, "Team Manager");
    client.remove_user_from_team(&ids[0], &users[1]).unwrap();
    assert_eq!(client.team_user(&ids[0], &users[1]).unwrap_err().status(), Some(404));
    let nobody = client.add_user_to_team(&ids[0], "no_such_user", None).unwrap_err();
    assert_eq!((nobody.status(), nobody.api_code()), (Some(404), Some("NotFound_User")));

    let group = first_group(&client);
    client.add_team_group_membership(&ids[0], &group, "Destination Analyst").unwrap();
    assert_eq!(client.team_group_membership(&ids[0], &group).unwrap().role, "Destination Analyst");
    let connection = connections_of(&client, &group)[0].clone();
    client.add_team_connection_membership(&ids[0], &connection, "Connector Reviewer").unwrap();
    assert_eq!(client.team_connection_memberships(&ids[0]).count(), 1);
    // A connection that goes away leaves no membership behind.
    client.delete_connection(&connection, &fivetrex::Confirm::delete_connection(&connection)).unwrap();
    assert_eq!(client.team_connection_memberships(&ids[0]).count(), 0);

    client.delete_team_account_role(&ids[0]).unwrap();
    assert_eq!(client.team(&ids[0]).unwrap().role, None);
    client.delete_team(&ids[0]).unwrap();
    let gone = client.team(&ids[0]).unwrap_err();
    assert_eq!((gone.status(), gone.api_code()), (Some(404), Some("NotFound_Team")));
    assert_eq!(client.team_users(&ids[0]).next().unwrap().unwrap_err().status(), Some(404));
}

#[test]
fn user_memberships_follow_group_membership_both_ways() {
    let (_emu, client) = start();
    let group = first_group(&client);
    let user = client.create_user(&fivetrex::NewUser::new("m@example.com", "Mem", "Ber")).unwrap().id;
    let body = json!({"id": group, "role": "Destination Analyst"});
    client.raw(fivetrex::Method::Post, &format!("/v1/users/{user}/groups"), &[], Some(&body)).unwrap();
    // Seen from the group too.
    let in_group: Vec<String> = client.group_users(&group).map(|u| u.unwrap().id).collect();
    assert!(in_group.contains(&user));
    let memberships = client.raw(fivetrex::Method::Get, &format!("/v1/users/{user}/groups"), &[], None).unwrap();
    assert_eq!(memberships["data"]["items"][0]["role"], "Destination Analyst");
    client.raw(fivetrex::Method::Delete, &format!("/v1/users/{user}/groups/{group}"), &[], None).unwrap();
    assert!(!client.group_users(&group).any(|u| u.unwrap().id == user));
    let again = client.raw(fivetrex::Method::Get, &format!("/v1/users/{user}/groups/{group}"), &[], None).unwrap_err();
    assert_eq!(again.status(), Some(404));
}

#[test]
fn certificates_and_fingerprints_are_approved_listed_and_revoked() {
    let (_emu, client) = start();
    let group = first_group(&client);
    let connection = connections_of(&client, &group)[0].clone();
    for i in 0..5 {
        let c = client
            .approvals(Owner::Connection(&connection))
            .approve_certificate(&format!("hash{i}"), "Y2VydA==")
            .unwrap();
        let c = c.expect("the answer carries the certificate");
        assert_eq!(c.hash, format!("hash{i}"));
    }
    let mut list = client.approvals(Owner::Connection(&connection)).certificates().page_size(2);
    assert_eq!(list.by_ref().count(), 5);
    assert_eq!(list.requests(), 3);
    assert!(client.approvals(Owner::Connection(&connection)).certificate("hash3").unwrap().sha256.is_some());
    client.approvals(Owner::Connection(&connection)).revoke_certificate("hash3").unwrap();
    let gone = client.approvals(Owner::Connection(&connection)).certificate("hash3").unwrap_err();
    assert_eq!((gone.status(), gone.api_code()), (Some(404), Some("NotFound_Certificate")));

    client.approvals(Owner::Destination(&group)).approve_fingerprint("fp1", "ssh-rsa AAAA").unwrap();
    assert_eq!(
        client.approvals(Owner::Destination(&group)).fingerprint("fp1").unwrap().public_key.as_deref(),
        Some("ssh-rsa AAAA")
    );
    client.approvals(Owner::Destination(&group)).revoke_fingerprint("fp1").unwrap();
    assert_eq!(client.approvals(Owner::Destination(&group)).fingerprints().count(), 0);
    let unknown = client.approvals(Owner::Connection("no_such_connection")).certificates().next().unwrap().unwrap_err();
    assert_eq!((unknown.status(), unknown.api_code()), (Some(404), Some("NotFound_Connector")));
}

#[test]
fn schema_config_exists_reloads_and_toggles_per_schema_table_and_column() {
    let (_emu, client) = start();
    let group = first_group(&client);
    let connection = connections_of(&client, &group)[0].clone();
    let config = client.schema_config(&connection).unwrap();
    let (schema, s) = config.schemas.iter().next().unwrap();
    let schema = schema.clone();
    assert!(s.enabled && s.tables.len() == 3);

    let after = client.update_table(&connection, &schema, "orders", &TableUpdate::new().enabled(false)).unwrap();
    assert!(!after.schemas[&schema].tables["orders"].enabled);
    let after = client
        .update_column(&connection, &schema, "events", "payload", &ColumnUpdate::new().hashed(true).enabled(true))
        .unwrap();
    assert!(after.schemas[&schema].tables["events"].columns["payload"].hashed);
    // PRESERVE keeps what was configured; EXCLUDE disables everything.
    let kept = client.reload_schema_config(&connection, Some(ExcludeMode::Preserve)).unwrap();
    assert!(!kept.schemas[&schema].tables["orders"].enabled);
    assert!(kept.schemas[&schema].tables["accounts"].enabled);
    let excluded = client.reload_schema_config(&connection, Some(ExcludeMode::Exclude)).unwrap();
    assert!(excluded.schemas[&schema].tables.values().all(|t| !t.enabled));

    client
        .drop_column(&connection, &schema, "events", "payload", &fivetrex::Confirm::drop_columns(&connection))
        .unwrap();
    let columns = client.table_columns(&connection, &schema, "events").unwrap();
    assert!(!columns.contains_key("payload") && columns.contains_key("id"));
    let missing = client.update_table(&connection, &schema, "nope", &TableUpdate::new().enabled(true)).unwrap_err();
    assert_eq!((missing.status(), missing.api_code()), (Some(404), Some("NotFound_Table")));
    let bad = client
        .raw(
            fivetrex::Method::Patch,
            &format!("/v1/connections/{connection}/schemas/{schema}"),
            &[],
            Some(&json!({"enabled": "yes"})),
        )
        .unwrap_err();
    assert_eq!(bad.status(), Some(400));
}

#[test]
fn connection_state_is_read_and_written_but_not_during_a_sync() {
    let (emu, client) = start();
    let group = first_group(&client);
    let connection = connections_of(&client, &group)[0].clone();
    assert_eq!(client.connection_state(&connection).unwrap(), json!({}));
    let state = json!({"cursor": "2024-05-01", "tables": {"orders": 42}});
    client.update_connection_state(&connection, &state).unwrap();
    assert_eq!(client.connection_state(&connection).unwrap(), state);
    emu.set_sync_duration(Duration::from_secs(60));
    client.sync(&connection).unwrap();
    let busy = client.update_connection_state(&connection, &json!({"cursor": 0})).unwrap_err();
    assert_eq!(busy.status(), Some(409));
}

/// One delivery a receiver got: headers (names lower-cased) and body.
type Delivery = (Vec<(String, String)>, Vec<u8>);

/// A loopback receiver that records every POST.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = Vec::new();
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    let l = line.trim_end();
                    if l.is_empty() {
                        break;
                    }
                    let (k, v) = l.split_once(':').unwrap();
                    headers.push((k.to_ascii_lowercase(), v.trim().to_owned()));
                }
                let len: usize =
                    headers.iter().find(|(k, _)| k == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                g.lock().unwrap().push((headers, body));
                let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Receiver { url, got }
    }

    fn wait_for(&self, n: usize) -> Vec<Delivery> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.got.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.got.lock().unwrap().clone()
    }
}

fn signature(headers: &[(String, String)]) -> &str {
    let name = SIGNATURE_HEADER.to_ascii_lowercase();
    headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).expect("a signed delivery")
}

#[test]
fn webhooks_crud_test_delivery_and_sync_end_events_are_signed() {
    let (emu, client) = start();
    let receiver = Receiver::start(200);
    let group = first_group(&client);
    let hook = client
        .create_group_webhook(&group, &NewWebhook::new(receiver.url.clone(), [EventType::SyncEnd]).secret("s3cr3t"))
        .unwrap();
    assert_eq!(hook.url, receiver.url);
    for i in 0..4 {
        client
            .create_account_webhook(&NewWebhook::new(format!("http://127.0.0.1:9/{i}"), [EventType::SyncStart]))
            .unwrap();
    }
    let mut list = client.webhooks().page_size(2);
    assert_eq!(list.by_ref().count(), 5);
    assert_eq!(list.requests(), 3);
    let raw = client.raw(fivetrex::Method::Get, &format!("/v1/webhooks/{}", hook.id), &[], None).unwrap();
    assert_eq!(raw["data"]["secret"], "******", "the secret is never shown");

    // A test delivery, answered with what the receiver said.
    let test = client.test_webhook(&hook.id, &EventType::SyncEnd).unwrap();
    assert!(test.succeed, "{test:?}");
    assert_eq!(test.status, Some(200));
    let got = receiver.wait_for(1);
    let event = verify_and_parse(b"s3cr3t", &got[0].1, signature(&got[0].0)).unwrap();
    assert_eq!(event.event, EventType::SyncEnd);

    // A sync's start and end, announced without anyone polling the emulator.
    let connection = connections_of(&client, &group)[0].clone();
    client.update_webhook(&hook.id, &UpdateWebhook::new().events([EventType::SyncStart, EventType::SyncEnd])).unwrap();
    client.sync(&connection).unwrap();
    let got = receiver.wait_for(3);
    assert_eq!(got.len(), 3, "the sync_start and sync_end events arrived");
    let start = verify_and_parse(b"s3cr3t", &got[1].1, signature(&got[1].0)).unwrap();
    let event = verify_and_parse(b"s3cr3t", &got[2].1, signature(&got[2].0)).unwrap();
    assert_eq!(start.event, EventType::SyncStart);
    assert_eq!((&event.event, event.connection()), (&EventType::SyncEnd, Some(connection.as_str())));
    assert_eq!(event.status().as_deref(), Some("SUCCESSFUL"));
    assert_eq!(start.sync_id, event.sync_id, "one run, one sync_id");
    assert!(verify_and_parse(b"wrong", &got[2].1, signature(&got[2].0)).is_err());

    // Inactive webhooks stay quiet; deleted ones are gone.
    client.update_webhook(&hook.id, &UpdateWebhook::new().active(false)).unwrap();
    client.sync(&connections_of(&client, &group)[1]).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(receiver.got.lock().unwrap().len(), 3);
    client.delete_webhook(&hook.id).unwrap();
    let gone = client.webhook(&hook.id).unwrap_err();
    assert_eq!((gone.status(), gone.api_code()), (Some(404), Some("NotFound_Webhook")));
    let unreachable = client.webhooks().map(|w| w.unwrap()).next().unwrap();
    let t = client.test_webhook(&unreachable.id, &EventType::SyncStart).unwrap();
    assert!(!t.succeed);
    drop(emu);
}

#[test]
fn system_keys_show_their_secret_once_and_rotate() {
    let (_emu, client) = start();
    let ids: Vec<String> =
        (0..3).map(|i| client.create_system_key(&NewSystemKey::new(format!("k{i}"), [])).unwrap().id).collect();
    let created = client.system_key(&ids[0]).unwrap();
    assert_eq!(created.secret.as_ref().map(|s| s.expose().to_owned()).as_deref(), Some("******"));
    let mut list = client.system_keys().page_size(2);
    assert_eq!(list.by_ref().count(), 3);
    assert_eq!(list.requests(), 2);
    let rotated = client.rotate_system_key(&ids[0], None).unwrap();
    assert_ne!(rotated.key, created.key);
    assert_ne!(rotated.secret.as_ref().map(|s| s.expose().to_owned()).as_deref(), Some("******"));
    client.delete_system_key(&ids[0]).unwrap();
    assert_eq!(client.system_key(&ids[0]).unwrap_err().api_code(), Some("NotFound_SystemKey"));
}

#[test]
fn dispatch_comes_from_the_operation_table() {
    let (emu, client) = start();
    // The public endpoint needs no credentials.
    let anonymous = fivetrex::Client::builder()
        .api_key("nobody")
        .api_secret("nothing")
        .base_url(emu.base_url())
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let types = anonymous.raw(fivetrex::Method::Get, "/public/connector-types", &[], None).unwrap();
    assert!(types["data"]["items"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(anonymous.raw(fivetrex::Method::Get, "/v1/roles", &[], None).unwrap_err().status(), Some(401));
    // A known path with another method, and an unknown path.
    assert_eq!(client.raw(fivetrex::Method::Put, "/v1/teams", &[], None).unwrap_err().status(), Some(405));
    let e = client.raw(fivetrex::Method::Get, "/v1/nothing-here", &[], None).unwrap_err();
    assert_eq!((e.status(), e.api_code()), (Some(404), Some("NotFound")));
    // The literal template wins over the parameter one.
    let account = client.raw(fivetrex::Method::Get, "/v1/external-logging/account", &[], None).unwrap_err();
    assert_eq!(account.api_code(), Some("NotFound_LogService"));
    let roles: Vec<Value> = client.raw_list("/v1/roles", &[]).unwrap().page_size(5).map(|r| r.unwrap()).collect();
    assert!(roles.iter().any(|r| r["name"] == "Account Administrator"));
}

#[test]
fn account_shapes_and_predefined_ids_load_and_survive_reset() {
    let shape = json!({
        "groups": [{"id": "g_one", "name": "One"}],
        "users": [{"id": "u_one", "email": "one@example.com", "given_name": "O", "family_name": "Ne",
                   "groups": [{"id": "g_one", "role": "Destination Administrator"}]}],
        "destinations": [{"group_id": "g_one", "service": "snowflake", "time_zone_offset": "0"}],
        "connections": [{"id": "c_one", "group_id": "g_one", "service": "mysql", "config": {"schema_prefix": "one"}}],
        "collections": {"/v1/teams": [{"id": "t_one", "name": "Ones", "description": null, "role": null}]}
    });
    let t = Instant::now();
    let emu = Emulator::builder()
        .seed(0, 0)
        .predefined_group("sepulchre_settlement", "GoSdkTesting")
        .predefined_user("recoup_befell", "go@example.com", "Go", "5Tran")
        .account(shape)
        .start()
        .unwrap();
    println!("seeded with an account shape in {:?} (started in {:?})", emu.seeded_in(), t.elapsed());
    let client = emu.client();
    assert_eq!(client.group("sepulchre_settlement").unwrap().name, "GoSdkTesting");
    assert_eq!(client.user("recoup_befell").unwrap().given_name.as_deref(), Some("Go"));
    assert_eq!(client.connection("c_one").unwrap().group_id, "g_one");
    assert_eq!(
        client.connection("c_one").unwrap().connected_by.as_deref(),
        Some("recoup_befell"),
        "the first predefined user owns the key"
    );
    assert_eq!(client.team("t_one").unwrap().name.as_deref(), Some("Ones"));
    assert!(client.group_users("g_one").any(|u| u.unwrap().id == "u_one"));
    client.delete_group("g_one", &fivetrex::Confirm::delete_group("g_one")).unwrap();
    emu.reset();
    assert_eq!(client.connection("c_one").unwrap().id, "c_one", "reset returns to the loaded shape");
    // New ids never collide with chosen ones.
    let g = client.create_group("fresh").unwrap();
    assert_ne!(g.id, "sepulchre_settlement");
    let bad = Emulator::builder().account(json!({"connections": [{"group_id": "none", "service": "x"}]})).start();
    assert!(bad.unwrap_err().to_string().contains("connections"));
}

#[test]
fn the_command_line_takes_seed_options_and_an_account_file() {
    let dir = std::env::temp_dir().join(format!("fivetrex-emu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("account.json");
    std::fs::write(&file, json!({"groups": [{"id": "from_file", "name": "File"}]}).to_string()).unwrap();
    let args = [
        "--groups",
        "0",
        "--group",
        "g1=Named",
        "--user",
        "u1=a@example.com,Ann,Lee,+1234567890",
        "--user",
        "u2=b@example.com",
        "--member",
        "u1=g1",
        "--account",
    ];
    let args = args.iter().map(|s| s.to_string()).chain([file.display().to_string()]);
    let Command::Run(o) = cli::parse(args).unwrap() else { panic!("not a run") };
    assert_eq!(o.account.as_ref().unwrap()["owner"], "u1", "the first --user owns the key");
    let emu = o.builder().start().unwrap();
    let client = emu.client();
    let groups: Vec<String> = client.groups().map(|g| g.unwrap().id).collect();
    assert_eq!(groups, ["g1", "from_file"]);
    let u1 = client.user("u1").unwrap();
    assert_eq!((u1.family_name.as_deref(), u1.phone.as_deref()), (Some("Lee"), Some("+1234567890")));
    assert!(u1.logged_in_at.is_some() && u1.verified == Some(true) && u1.invited == Some(false));
    let members: Vec<_> = client.group_users("g1").map(|u| u.unwrap()).collect();
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].id.as_str(), members[0].role.as_deref()), ("u1", Some("Destination Administrator")));
    let info = client.raw(fivetrex::Method::Get, "/v1/account/info", &[], None).unwrap();
    assert_eq!(info["data"]["user_id"], "u1");
    assert!(cli::parse(["--group".to_string(), "no-equals".to_string()]).is_err());
    assert!(cli::parse(["--member".to_string(), "no-equals".to_string()]).is_err());
    let Command::Run(o) = cli::parse(["--member".to_string(), "u9=g9".to_string()]).unwrap() else { panic!() };
    assert!(o.builder().start().unwrap_err().to_string().contains("no user 'u9'"));
    assert!(cli::parse(["--account".to_string(), "/no/such/file.json".to_string()]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deleting_a_group_takes_what_belongs_to_it_along() {
    let (emu, client) = start();
    let group = first_group(&client);
    let hook =
        client.create_group_webhook(&group, &NewWebhook::new("http://127.0.0.1:9/h", [EventType::SyncEnd])).unwrap();
    let log = json!({"group_id": group, "service": "datadog_log", "enabled": true, "config": {"api_key": "k"}});
    let created = client.raw(fivetrex::Method::Post, "/v1/external-logging", &[], Some(&log)).unwrap();
    assert_eq!(created["data"]["config"]["api_key"], "******", "secrets are masked");
    client.approvals(Owner::Destination(&group)).approve_certificate("dh", "Y2VydA==").unwrap();
    let connection = connections_of(&client, &group)[0].clone();
    client.approvals(Owner::Connection(&connection)).approve_certificate("ch", "Y2VydA==").unwrap();
    client.delete_group(&group, &fivetrex::Confirm::delete_group(&group)).unwrap();
    assert_eq!(client.webhook(&hook.id).unwrap_err().status(), Some(404));
    let log = client.raw(fivetrex::Method::Get, &format!("/v1/external-logging/{group}"), &[], None).unwrap_err();
    assert_eq!(log.api_code(), Some("NotFound_LogService"));
    assert_eq!(client.connection(&connection).unwrap_err().api_code(), Some("NotFound_Connector"));
    // A new group and connection under old names start clean.
    emu.load_account(json!({
        "groups": [{"id": group, "name": "again"}],
        "connections": [{"id": connection, "group_id": group, "service": "mysql", "config": {"schema_prefix": "again"}}]
    }))
    .unwrap();
    assert_eq!(client.approvals(Owner::Connection(&connection)).certificates().count(), 0);
    assert_eq!(client.webhooks().count(), 0);
}

/// The properties a spec schema documents (through `$ref`, `allOf` and the schemas a
/// `discriminator` maps to, where per-service fields such as `config` live), `None` when it
/// leaves them open (no `properties`, or `additionalProperties`).
fn documented(schema: &'static Value) -> Option<Documented> {
    documented_at(schema, true)
}

/// Each documented property with its schema (the first one met, for a property several
/// mapped schemas document).
type Documented = std::collections::BTreeMap<String, &'static Value>;

/// The JSON type a schema documents (`object` for one with properties), if it says.
fn json_type(schema: &'static Value) -> Option<&'static str> {
    let s = crate::support::resolve(schema);
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        return Some(t);
    }
    if let Some(first) = s.get("allOf").and_then(Value::as_array).and_then(|a| a.first()) {
        return json_type(first);
    }
    s.get("properties").map(|_| "object")
}

/// The properties of `answer` that the spec does not document, or documents with another JSON
/// type (null is always accepted: the API leaves fields empty).
fn deviations(what: &str, answer: &Value, fields: &Documented) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in answer.as_object().into_iter().flatten() {
        let Some(schema) = fields.get(key) else {
            out.push(format!("{what}: {key}"));
            continue;
        };
        let sent = match value {
            Value::Null => continue,
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        match json_type(schema) {
            Some(t) if t == sent || (t == "number" && sent == "integer") => {}
            Some(t) => out.push(format!("{what}: {key} is {sent}, the spec says {t}")),
            None => {}
        }
    }
    out
}

fn documented_at(schema: &'static Value, mapped: bool) -> Option<Documented> {
    let s = crate::support::resolve(schema);
    let mut out = Documented::new();
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for part in all {
            for (k, v) in documented_at(part, mapped)? {
                out.entry(k).or_insert(v);
            }
        }
        return Some(out);
    }
    if s.get("oneOf").is_some() || s.get("anyOf").is_some() || s.get("additionalProperties").is_some() {
        return None;
    }
    for (k, v) in s.get("properties")?.as_object()? {
        out.entry(k.clone()).or_insert(v);
    }
    // The mapped schemas include this one again: follow the mapping once.
    let targets = s.pointer("/discriminator/mapping").and_then(Value::as_object).filter(|_| mapped);
    for target in targets.into_iter().flat_map(|m| m.values()) {
        let spec = crate::support::spec()?;
        let schema = target.as_str()?.trim_start_matches("#/").split('/').fold(spec, |v, k| &v[k]);
        for (k, v) in documented_at(schema, false).unwrap_or_default() {
            out.entry(k).or_insert(v);
        }
    }
    Some(out)
}

/// The schema of an operation's 200 answer.
fn ok_schema(op: &'static Value) -> Option<&'static Value> {
    op.pointer("/responses/200/content")?.as_object()?.values().next()?.get("schema")
}

/// The spec's operations and a seeded account with one object of each family (with their ids,
/// as [`one_of_each_family`] gives them); `None` without the spec.
#[allow(clippy::type_complexity)]
fn spec_and_account() -> Option<(
    &'static std::collections::BTreeMap<String, crate::support::SpecOp>,
    Emulator,
    Client,
    String,
    Vec<(&'static str, String)>,
)> {
    let ops = crate::support::spec_ops()?;
    let (emu, client) = start();
    let group = first_group(&client);
    let made = one_of_each_family(&client, &group);
    Some((ops, emu, client, group, made))
}

/// Creates one object in each family a seeded account has none of, and returns each one's id by
/// the path segment of its collection.
fn one_of_each_family(client: &Client, group: &str) -> Vec<(&'static str, String)> {
    let made = [
        ("teams", "create_team", json!({"name": "t", "role": "Account Reviewer"})),
        (
            "webhooks",
            "create_account_webhook",
            json!({"url": "https://example.com/h", "events": ["sync_end"], "active": true, "secret": "s"}),
        ),
        ("proxy", "create_proxy_agent", json!({"display_name": "p", "group_region": "GCP_US_EAST4"})),
        (
            "hybrid-deployment-agents",
            "create_hybrid_deployment_agent",
            json!({"group_id": group, "display_name": "h", "env_type": "DOCKER", "accept_terms": true}),
        ),
        (
            "external-logging",
            "add_log_service",
            json!({"group_id": group, "service": "datadog_log", "enabled": true, "config": {"api_key": "k"}}),
        ),
        (
            "private-links",
            "create_private_link",
            json!({"name": "pl", "region": "us-east-1", "service": "SOURCE_AWS", "config": {}}),
        ),
        (
            "transformation-projects",
            "create_transformation_project",
            json!({"group_id": group, "type": "DBT_GIT", "run_tests": true, "project_config": {"git_remote_url": "git@example.com:x.git", "git_branch": "main", "folder_path": "", "dbt_version": "1.7.0", "default_schema": "s", "target_name": "t", "environment_vars": [], "threads": 1}}),
        ),
        (
            "system-keys",
            "create_system_key",
            json!({"name": "k", "expiration_period": "NINETY_DAYS", "permissions": []}),
        ),
        (
            "external-secrets-managers",
            "create_esm",
            json!({"name": "vault", "type": "AWS_SECRETS_MANAGER", "config": {"region": "us-east-1", "secret_access_key": "k"}}),
        ),
    ];
    made.into_iter()
        .map(|(segment, op, body)| {
            let answer = client.call_by_id(op, &json!({}), Some(&body), None).unwrap_or_else(|e| panic!("{op}: {e}"));
            let id = answer["data"]["id"].as_str().or(answer["data"]["agent_id"].as_str()).unwrap_or_default();
            assert!(!id.is_empty() && !id.contains('*'), "{op} answers the new object's id: {answer}");
            (segment, id.to_owned())
        })
        .collect()
}

/// What the emulator answers to every list operation without path parameters, on a seeded
/// account with one object of each family: each item's fields are fields the spec documents for
/// it, of the JSON type it documents (a misspelt or invented field, or a string where the spec
/// has an object, is what a test against the emulator would then trust).
#[test]
fn list_items_carry_only_documented_fields() {
    let Some((ops, _emu, client, _, _)) = spec_and_account() else {
        return println!("skipped: spec not found");
    };
    let mut undocumented = Vec::new();
    let mut checked = 0;
    for (id, s) in ops {
        if s.method != "GET" || s.path.contains('{') || s.paging == fivetrex::endpoint::Paging::None {
            continue;
        }
        let Some(schema) = ok_schema(s.op) else { continue };
        let data = crate::support::resolve(schema).pointer("/properties/data").unwrap_or(&Value::Null);
        let items = crate::support::resolve(data).pointer("/properties/items/items");
        let Some(fields) = items.and_then(documented) else { continue };
        let answer = client.call_by_id(id, &json!({}), None, None).unwrap_or_else(|e| panic!("{id}: {e}"));
        for item in answer["data"]["items"].as_array().into_iter().flatten() {
            checked += 1;
            undocumented.extend(deviations(id, item, &fields));
        }
    }
    undocumented.sort();
    undocumented.dedup();
    assert!(checked >= 8, "only {checked} items checked");
    assert!(undocumented.is_empty(), "fields the spec does not document:\n{}", undocumented.join("\n"));
}

/// The same for the answers of the GET operations that name one object by its path: each field of
/// `data` is one the spec documents for that answer. The ids come from a seeded account with one
/// object of each family, found by the path segment before each parameter.
#[test]
fn object_answers_carry_only_documented_fields() {
    let Some((ops, _emu, client, group, made)) = spec_and_account() else {
        return println!("skipped: spec not found");
    };
    let connection = connections_of(&client, &group)[0].clone();
    let user = client.users().next().unwrap().unwrap().id;
    let mut ids: std::collections::BTreeMap<&str, String> =
        [("groups", group.clone()), ("destinations", group.clone()), ("connections", connection), ("users", user)]
            .into_iter()
            .collect();
    ids.extend(made);
    let mut undocumented = Vec::new();
    let mut checked = Vec::new();
    for (id, s) in ops {
        if s.method != "GET" || !s.path.ends_with('}') || s.paging != fivetrex::endpoint::Paging::None {
            continue;
        }
        let segments: Vec<&str> = s.path.trim_start_matches('/').split('/').collect();
        let mut params = serde_json::Map::new();
        let found = segments.iter().enumerate().filter(|(_, p)| p.starts_with('{')).all(|(i, p)| {
            let name = p.trim_matches(|c| c == '{' || c == '}');
            let value = i.checked_sub(1).and_then(|j| ids.get(segments[j]));
            value.map(|v| params.insert(name.to_owned(), json!(v))).is_some()
        });
        let Some(schema) = ok_schema(s.op) else { continue };
        let data = crate::support::resolve(schema).pointer("/properties/data");
        let Some(fields) = data.and_then(documented) else { continue };
        if !found {
            continue;
        }
        let Ok(answer) = client.call_by_id(id, &Value::Object(params), None, None) else { continue };
        checked.push(id.as_str());
        undocumented.extend(deviations(id, &answer["data"], &fields));
    }
    assert!(checked.len() >= 10, "only {} answers checked: {checked:?}", checked.len());
    assert!(undocumented.is_empty(), "fields the spec does not document:\n{}", undocumented.join("\n"));
}

/// A connector SDK package keeps the file of the multipart upload, not the multipart body: the
/// download gives back exactly the uploaded bytes and `file_sha256_hash` is their digest, for a
/// create and for a replacement; a body without a file part is refused.
#[test]
fn sdk_packages_keep_the_uploaded_file() {
    let (_emu, client) = start();
    let hex = |bytes: &[u8]| {
        ring::digest::digest(&ring::digest::SHA256, bytes)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let zip = b"PK\x03\x04\r\n--not-a-boundary\r\n\x00\xff bytes".to_vec();
    let created = client.create_connector_sdk_package("connector.zip", &zip).unwrap();
    assert_eq!(created.file_sha256_hash.as_deref(), Some(hex(&zip).as_str()));
    assert_eq!(client.download_connector_sdk_package(&created.id).unwrap(), zip);
    let replaced = b"PK\x03\x04 second".to_vec();
    let updated = client.update_connector_sdk_package(&created.id, "connector.zip", &replaced).unwrap();
    assert_eq!(updated.file_sha256_hash.as_deref(), Some(hex(&replaced).as_str()));
    assert_eq!(client.download_connector_sdk_package(&created.id).unwrap(), replaced);
    let refused = client
        .raw(fivetrex::Method::Post, "/v1/connector-sdk/packages", &[], Some(&json!({"file": "not multipart"})))
        .unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused}");
}
