//! The walks, each run in a child process of its own so its peak RSS is its own.
//!
//! - `typed`: `client.connections()` into the library's `Connection` model.
//! - `floor`: the least a plain Rust client does: a ureq agent, each page read into a buffer sized
//!   from Content-Length, `serde_json::from_slice` into a plain typed struct (`config` as a JSON
//!   map), following `next_cursor`.
//! - `value`: the same loop into `serde_json::Value`.
//! - `overhead`: many tiny GETs, alternating blocks through the client and through bare ureq.

use crate::procfs::{peak_rss_kb, thread_cpu_ns};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::io::Read;
use std::time::Instant;

pub const KEY: &str = "bench_key";
pub const SECRET: &str = "bench_secret";
/// `base64("bench_key:bench_secret")`, what the client sends.
pub const AUTH: &str = "Basic YmVuY2hfa2V5OmJlbmNoX3NlY3JldA==";
pub const ACCEPT_V2: &str = "application/json;version=2";

/// What a child reports, one `key=value` line on stdout.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outcome {
    pub items: u64,
    pub wall_ns: u64,
    pub cpu_ns: u64,
    pub peak_rss_kb: u64,
    /// Only for `overhead`: the bare side's wall and CPU time (the client's are above).
    pub bare_wall_ns: u64,
    pub bare_cpu_ns: u64,
}

impl Outcome {
    pub fn to_line(self) -> String {
        format!(
            "RESULT items={} wall_ns={} cpu_ns={} peak_rss_kb={} bare_wall_ns={} bare_cpu_ns={}",
            self.items, self.wall_ns, self.cpu_ns, self.peak_rss_kb, self.bare_wall_ns, self.bare_cpu_ns
        )
    }

    pub fn parse(out: &str) -> Option<Outcome> {
        let line = out.lines().find_map(|l| l.strip_prefix("RESULT "))?;
        let mut o = Outcome::default();
        for kv in line.split_whitespace() {
            let (k, v) = kv.split_once('=')?;
            let v: u64 = v.parse().ok()?;
            match k {
                "items" => o.items = v,
                "wall_ns" => o.wall_ns = v,
                "cpu_ns" => o.cpu_ns = v,
                "peak_rss_kb" => o.peak_rss_kb = v,
                "bare_wall_ns" => o.bare_wall_ns = v,
                "bare_cpu_ns" => o.bare_cpu_ns = v,
                _ => {}
            }
        }
        Some(o)
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Runs one walk and measures it; `n` is the item count the server was told to serve.
pub fn run(variant: &str, url: &str, n: u64) -> Res<Outcome> {
    let (t0, c0) = (Instant::now(), thread_cpu_ns());
    let (items, checksum) = match variant {
        "typed" => typed(url)?,
        "floor" => floor(url)?,
        "value" => value(url)?,
        "overhead" => return overhead(url, n),
        other => return Err(format!("unknown variant {other:?}").into()),
    };
    let (wall_ns, cpu_ns) = (t0.elapsed().as_nanos() as u64, thread_cpu_ns() - c0);
    if items != n {
        return Err(format!("{variant}: walked {items} items, expected {n}").into());
    }
    // Keeps the optimiser from dropping the reads.
    std::hint::black_box(checksum);
    Ok(Outcome { items, wall_ns, cpu_ns, peak_rss_kb: peak_rss_kb(), ..Outcome::default() })
}

fn client(url: &str) -> Res<fivetrex::Client> {
    Ok(fivetrex::Client::builder().api_key(KEY).api_secret(SECRET).base_url(url).build()?)
}

fn typed(url: &str) -> Res<(u64, usize)> {
    let client = client(url)?;
    let (mut items, mut checksum) = (0u64, 0usize);
    for c in client.connections() {
        let c = c?;
        items += 1;
        checksum += c.id.len() + usize::from(c.paused) + c.status.warnings.len();
    }
    Ok((items, checksum))
}

// The plain typed struct a hand-written client would decode into.
#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

#[derive(Deserialize)]
struct FloorPage<T> {
    items: Vec<T>,
    next_cursor: Option<String>,
}

#[allow(dead_code)] // Decoded to be paid for, not read.
#[derive(Deserialize)]
struct FloorConnection {
    id: String,
    group_id: String,
    service: String,
    service_version: Option<i64>,
    schema: String,
    connected_by: Option<String>,
    created_at: Option<String>,
    succeeded_at: Option<String>,
    failed_at: Option<String>,
    paused: bool,
    pause_after_trial: bool,
    sync_frequency: Option<u32>,
    daily_sync_time: Option<String>,
    schedule_type: Option<String>,
    data_delay_sensitivity: Option<String>,
    data_delay_threshold: Option<i64>,
    networking_method: Option<String>,
    proxy_agent_id: Option<String>,
    private_link_id: Option<String>,
    hybrid_deployment_agent_id: Option<String>,
    status: FloorStatus,
    config: Map<String, Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct FloorStatus {
    setup_state: Option<String>,
    schema_status: Option<String>,
    sync_state: Option<String>,
    update_state: Option<String>,
    is_historical_sync: bool,
    tasks: Vec<FloorAlert>,
    warnings: Vec<FloorAlert>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct FloorAlert {
    code: String,
    message: String,
    details: Option<Value>,
}

/// GETs one URL the plain way and returns the body.
fn get(agent: &ureq::Agent, url: &str, accept: &str) -> Res<Vec<u8>> {
    let response = agent.get(url).header("Authorization", AUTH).header("Accept", accept).call()?;
    let mut body = response.into_body();
    let mut buf = Vec::with_capacity(body.content_length().unwrap_or(0) as usize);
    body.as_reader().read_to_end(&mut buf)?;
    Ok(buf)
}

fn page_url(url: &str, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("{url}/v1/connections?cursor={c}&limit=1000"),
        None => format!("{url}/v1/connections?limit=1000"),
    }
}

fn floor(url: &str) -> Res<(u64, usize)> {
    let agent = ureq::Agent::new_with_defaults();
    let (mut items, mut checksum) = (0u64, 0usize);
    let mut cursor: Option<String> = None;
    loop {
        let body = get(&agent, &page_url(url, cursor.as_deref()), ACCEPT_V2)?;
        let page: Envelope<FloorPage<FloorConnection>> = serde_json::from_slice(&body)?;
        for c in &page.data.items {
            items += 1;
            checksum += c.id.len() + usize::from(c.paused) + c.status.warnings.len();
        }
        cursor = page.data.next_cursor.filter(|c| !c.is_empty());
        if cursor.is_none() {
            return Ok((items, checksum));
        }
    }
}

fn value(url: &str) -> Res<(u64, usize)> {
    let agent = ureq::Agent::new_with_defaults();
    let (mut items, mut checksum) = (0u64, 0usize);
    let mut cursor: Option<String> = None;
    loop {
        let body = get(&agent, &page_url(url, cursor.as_deref()), ACCEPT_V2)?;
        let page: Value = serde_json::from_slice(&body)?;
        for c in page["data"]["items"].as_array().ok_or("no items")? {
            items += 1;
            checksum += c["id"].as_str().map_or(0, str::len)
                + usize::from(c["paused"] == true)
                + c["status"]["warnings"].as_array().map_or(0, Vec::len);
        }
        cursor = page["data"]["next_cursor"].as_str().filter(|c| !c.is_empty()).map(str::to_owned);
        if cursor.is_none() {
            return Ok((items, checksum));
        }
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct FloorGroup {
    id: String,
    name: String,
    created_at: Option<String>,
}

/// `n` tiny GETs through each side, alternating blocks so load changes hit both alike.
fn overhead(url: &str, n: u64) -> Res<Outcome> {
    const BLOCK: u64 = 250;
    let client = client(url)?;
    let agent = ureq::Agent::new_with_defaults();
    let group_url = format!("{url}/v1/groups/bench_group");
    let bare = || -> Res<usize> {
        let body = get(&agent, &group_url, "application/json")?;
        let g: Envelope<FloorGroup> = serde_json::from_slice(&body)?;
        Ok(g.data.id.len())
    };
    let through_client = || -> Res<usize> { Ok(client.group("bench_group")?.id.len()) };
    // Warm both up: connections open, allocator pools filled.
    for _ in 0..200 {
        bare()?;
        through_client()?;
    }
    let mut o = Outcome::default();
    let mut done = 0;
    while done < n {
        let block = BLOCK.min(n - done);
        let (t, c) = (Instant::now(), thread_cpu_ns());
        for _ in 0..block {
            std::hint::black_box(through_client()?);
        }
        o.wall_ns += t.elapsed().as_nanos() as u64;
        o.cpu_ns += thread_cpu_ns() - c;
        let (t, c) = (Instant::now(), thread_cpu_ns());
        for _ in 0..block {
            std::hint::black_box(bare()?);
        }
        o.bare_wall_ns += t.elapsed().as_nanos() as u64;
        o.bare_cpu_ns += thread_cpu_ns() - c;
        done += block;
    }
    o.items = n;
    o.peak_rss_kb = peak_rss_kb();
    Ok(o)
}
