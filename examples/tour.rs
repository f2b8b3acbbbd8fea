//! A tour of fivetrex: `cargo run --example tour --features emulator`.
//!
//! Without credentials it starts the Fivetran emulator in-process, seeds it, and shows the
//! library at work: walking groups and connections page by page, creating and updating a
//! connection, a sync with progress, a rate limit being waited out, and a structured error.
//!
//! With `FIVETRAN_API_KEY` and `FIVETRAN_API_SECRET` set it runs only the read-only part (the
//! walk and the error) against the real API, and changes nothing there.

use fivetrex::emulator::{Emulator, Fault};
use fivetrex::sync::WaitOptions;
use fivetrex::{Client, Connection, Error, LastOutcome, NewConnection, SyncOutcome, UpdateConnection};
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let real = std::env::var_os("FIVETRAN_API_KEY").is_some() || std::env::var_os("FIVETRAN_API_SECRET").is_some();
    let result = if real { against_the_api() } else { against_the_emulator() };
    if let Err(e) = result {
        eprintln!("\ntour failed: {e}");
        std::process::exit(1);
    }
}

fn against_the_api() -> Result<(), Error> {
    let client = Client::from_env()?;
    println!("fivetrex tour, read-only, against {}\n", client.base_url());
    walk(&client, 1000, 10)?;
    structured_error(&client);
    Ok(())
}

fn against_the_emulator() -> Result<(), Error> {
    let started = Instant::now();
    let emu = Emulator::builder().seed(2, 10).sync_duration(Duration::from_millis(1200)).start()?;
    println!("fivetrex tour against a local Fivetran emulator (no credentials needed)");
    println!(
        "  emulator at {}, 2 groups x 10 connections seeded in {:.1} ms",
        emu.base_url(),
        emu.seeded_in().as_secs_f64() * 1000.0
    );
    println!("  (set FIVETRAN_API_KEY and FIVETRAN_API_SECRET to walk your own account, read-only)");

    // Retries are announced as they happen.
    let retries = Arc::new(AtomicU32::new(0));
    let seen = retries.clone();
    let client = emu
        .client_builder()
        .on_retry(move |event| {
            seen.fetch_add(1, Ordering::SeqCst);
            println!(
                "  on_retry: attempt {} failed ({}), waiting {:.1} s",
                event.attempt,
                event.error,
                event.delay.as_secs_f64()
            );
        })
        .build()?;

    // Small pages, to show the paging that a real account needs.
    walk(&client, 4, usize::MAX)?;
    let group = emu.group_ids()[0].clone();

    heading("2. Create and update a connection");
    let new = NewConnection::new(&group, "postgres")
        .config(json!({"schema_prefix": "tour_demo", "host": "db.example.com", "port": 5432,
                       "user": "fivetran", "password": "never-shown", "database": "shop"}))
        .sync_frequency(360);
    let created = client.create_connection(&new)?;
    let config = created.config.as_ref().and_then(|c| c.to_value().ok()).unwrap_or_default();
    println!(
        "  created  {} ({}, schema {}), every {} min",
        created.id,
        created.service,
        created.schema,
        minutes(&created)
    );
    println!("           config as the API returns it: {config}");
    let updated = client.update_connection(&created.id, &UpdateConnection::new().sync_frequency(60))?;
    println!("  updated  {}: now every {} min", updated.id, minutes(&updated));

    heading("3. Trigger a sync and wait for it");
    let options = WaitOptions::new()
        .poll_interval(Duration::from_millis(300))
        .timeout(Duration::from_secs(30))
        .on_progress(|p| {
            let state = p.sync_state.map_or_else(|| "?".to_owned(), |s| s.to_string());
            println!("  poll {:>2} at {:>4.1} s: {state}", p.poll, p.elapsed.as_secs_f64());
        });
    match client.sync_and_wait(&created.id, &options)? {
        SyncOutcome::Succeeded { at, elapsed, .. } => {
            println!("  succeeded at {at} after {:.1} s", elapsed.as_secs_f64())
        }
        SyncOutcome::Failed { at, tasks, .. } => println!("  failed at {at}: {tasks:?}"),
        other => println!("  ended as {}", other.as_str()),
    }

    heading("4. A rate limit, waited out");
    println!("  the emulator answers the next request with 429 and `Retry-After: 1`");
    emu.add_fault(Fault::status("/v1/groups", 429).method("GET").retry_after("1"));
    let t = Instant::now();
    let groups = client.groups().count();
    let quota = client.rate_limit();
    println!(
        "  then {groups} groups arrived after {} retry, {:.1} s later; X-Rate-Limit-Remaining {} of {}",
        retries.load(Ordering::SeqCst),
        t.elapsed().as_secs_f64(),
        quota.remaining.unwrap_or_default(),
        quota.limit.unwrap_or_default()
    );

    structured_error(&client);

    let stats = emu.stats();
    println!(
        "\n{} API requests over {} TCP connection(s), {:.1} s in all.",
        stats.api_requests,
        stats.api_connections,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn heading(title: &str) {
    println!("\n{title}");
}

fn minutes(c: &Connection) -> String {
    c.sync_frequency.map_or_else(|| "?".to_owned(), |m| m.to_string())
}

/// Groups and their connections as a table, at most `rows` connections per group.
fn walk(client: &Client, page_size: u32, rows: usize) -> Result<(), Error> {
    heading("1. Groups and their connections (lazy, page by page)");
    println!("  {:<22} {:<24} {:<14} {:<12} LAST SYNC", "GROUP", "CONNECTION", "SERVICE", "STATE");
    let (mut groups, mut connections, mut requests) = (0, 0, 0);
    let mut group_list = client.groups().page_size(page_size);
    for group in group_list.by_ref() {
        let group = group?;
        groups += 1;
        let mut list = client.group_connections(&group.id).page_size(page_size);
        let (mut shown, mut total) = (0, 0);
        for c in list.by_ref() {
            let c = c?;
            connections += 1;
            total += 1;
            if shown == rows {
                continue;
            }
            shown += 1;
            let name = if shown == 1 { cut(&group.name, 22) } else { String::new() };
            println!(
                "  {:<22} {:<24} {:<14} {:<12} {}",
                name,
                cut(&c.schema, 24),
                cut(&c.service, 14),
                state(&c),
                last_sync(&c)
            );
        }
        if shown == 0 {
            println!("  {:<22} (no connections)", cut(&group.name, 22));
        } else if total > shown {
            println!("  {:<22} … and {} more", "", total - shown);
        }
        requests += list.requests();
    }
    requests += group_list.requests();
    println!("  {connections} connections in {groups} groups, {requests} requests of up to {page_size} items");
    Ok(())
}

fn state(c: &Connection) -> String {
    if c.is_broken() {
        "broken".into()
    } else if c.is_paused() {
        "paused".into()
    } else {
        c.status.sync_state.as_ref().map_or_else(|| "?".into(), |s| s.to_string())
    }
}

fn last_sync(c: &Connection) -> String {
    let mark = match c.last_outcome() {
        LastOutcome::Succeeded => "ok    ",
        LastOutcome::Failed => "FAILED",
        LastOutcome::Never => return "never".into(),
    };
    let at = c.last_sync_at().map(|t| t.to_string()).unwrap_or_default();
    format!("{mark} {}", at.get(..16).unwrap_or(&at).replace('T', " "))
}

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

fn structured_error(client: &Client) {
    heading("5. A structured error");
    println!("  client.connection(\"no_such_connection\") returns");
    match client.connection("no_such_connection") {
        Ok(c) => println!("  a connection?! {}", c.id),
        Err(e) => {
            println!("    kind()        {:?}", e.kind());
            println!("    status()      {:?}", e.status());
            println!("    api_code()    {:?}", e.api_code());
            println!("    api_message() {:?}", e.api_message());
            println!("    Display       {e}");
        }
    }
}
