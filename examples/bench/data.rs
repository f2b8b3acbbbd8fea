//! Realistic connection objects, rendered once as JSON text.
//!
//! Each object carries what the list endpoint returns for a real account: ids, service, schedule,
//! timestamps with varying fractions, a status block (some with warnings or tasks) and a
//! service-specific `config` with a masked secret. About 720 bytes on average, so a page of 1000 is
//! about 720 KB, like the API's.

use std::fmt::Write;

const SERVICES: [&str; 6] = ["postgres_rds", "salesforce", "google_ads", "mysql", "hubspot", "snowflake_db"];
const GROUPS: [&str; 4] = ["projected_sickle", "decent_dropsy", "intersect_anvil", "sponge_cost"];

/// Appends connection number `i` as one JSON object.
pub fn connection(i: usize, out: &mut String) {
    let service = SERVICES[i % SERVICES.len()];
    let group = GROUPS[(i / 7) % GROUPS.len()];
    let paused = i % 13 == 0;
    let frequency = [5, 15, 60, 360, 1440][i % 5];
    let daily = if frequency == 1440 { "\"03:00\"" } else { "null" };
    let failed_at = if i % 9 == 0 { format!("\"2025-06-{:02}T07:12:44.81Z\"", 1 + i % 28) } else { "null".into() };
    let sync_state = if paused { "paused" } else { ["scheduled", "syncing", "rescheduled"][i % 3] };
    let warnings = if i % 11 == 0 {
        r#"[{"code":"snowflake_discontinuing_password_auth","message":"Snowflake is discontinuing password authentication","details":{}}]"#
    } else {
        "[]"
    };
    let _ = write!(
        out,
        r#"{{"id":"conn_{i:06}_rabbit","group_id":"{group}","service":"{service}","service_version":{v},"schema":"{service}_{i}","connected_by":"concerning_batch","created_at":"2024-03-{day:02}T15:09:55.{frac}Z","succeeded_at":"2025-07-{day:02}T08:15:02.482Z","failed_at":{failed_at},"paused":{paused},"pause_after_trial":false,"sync_frequency":{frequency},"daily_sync_time":{daily},"schedule_type":"auto","networking_method":"Directly","status":{{"setup_state":"connected","sync_state":"{sync_state}","update_state":"on_schedule","is_historical_sync":false,"tasks":[],"warnings":{warnings}}},"config":"#,
        v = 1 + i % 3,
        day = 1 + i % 28,
        frac = 100 + i % 900,
    );
    match i % 3 {
        0 => {
            let _ = write!(
                out,
                r#"{{"host":"pg-{i}.c8w.us-east-1.rds.amazonaws.com","port":5432,"database":"analytics","user":"fivetran","password":"******","update_method":"XMIN","always_encrypted":true}}}}"#
            );
        }
        1 => {
            let _ = write!(
                out,
                r#"{{"auth_type":"OAuth","is_sandbox":false,"access_token":"******","refresh_token":"******","timeframe_months":"TWENTY_FOUR","sync_mode":"SPECIFIC_ACCOUNTS","accounts":["{i}","{j}"]}}}}"#,
                j = i * 7 + 3
            );
        }
        _ => {
            let _ = write!(
                out,
                r#"{{"host":"acct-{i}.snowflakecomputing.com","port":443,"database":"RAW","user":"FIVETRAN_USER","private_key":"******","role":"FIVETRAN_ROLE","is_private_key_encrypted":false,"schema_prefix":"fivetran_{i}"}}}}"#
            );
        }
    }
}

/// The JSON body of one list page: items `from..to`, and `next` as the cursor of the page after.
pub fn page_body(from: usize, to: usize, next: Option<&str>) -> Vec<u8> {
    let mut s = String::with_capacity((to - from) * 760 + 128);
    s.push_str(r#"{"code":"Success","message":"Operation performed successfully","data":{"items":["#);
    for i in from..to {
        if i > from {
            s.push(',');
        }
        connection(i, &mut s);
    }
    s.push_str(r#"],"next_cursor":"#);
    match next {
        Some(c) => {
            s.push('"');
            s.push_str(c);
            s.push('"');
        }
        None => s.push_str("null"),
    }
    s.push_str("}}");
    s.into_bytes()
}

/// The tiny answer used to time per-request overhead.
pub const TINY_GROUP: &str =
    r#"{"code":"Success","data":{"id":"bench_group","name":"Bench","created_at":"2024-01-01T00:00:00Z"}}"#;
