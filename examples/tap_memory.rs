//! Peak memory of `fivetrex airbyte read` for 1,000 and 100,000 connections, reading
//! `connections` alone, then with `sync_outcomes` (both fed by one walk of the connection list):
//! records are written as pages arrive, so the first should stay flat and the second grow only by
//! the `sync_outcomes` bookmarks (two timestamps per connection, which the final STATE must carry).
//!
//! ```text
//! cargo build --release --features cli --bin fivetrex --example tap_memory --example emulator
//! target/release/examples/tap_memory    # FIVETREX_BIN / FIVETREX_EMULATOR pick other builds
//! ```
//!
//! The emulator runs as a process of its own (`examples/emulator.rs`), the tap as a child whose
//! peak resident set (`ru_maxrss` from `wait4`) is reported.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

#[path = "support/child.rs"]
mod child;
use child::{reap_peak_rss_kib, sibling, spawn_fivetrex, Emu};

struct Run {
    records: u64,
    bytes: u64,
    peak_rss_kib: i64,
    total_s: f64,
}

// Reaped by `reap_peak_rss_kib`, with `wait4`.
#[allow(clippy::zombie_processes)]
fn run(bin: &PathBuf, emu: &Emu, dir: &std::path::Path, outcomes: bool) -> Run {
    let config = dir.join("config.json");
    let base_url = &emu.base_url;
    std::fs::write(
        &config,
        format!(r#"{{"api_key":"emulator_key","api_secret":"emulator_secret","base_url":"{base_url}"}}"#),
    )
    .expect("config");
    let catalog = dir.join("catalog.json");
    let stream = |name: &str, mode: &str| {
        format!(
            r#"{{"stream":{{"name":"{name}","json_schema":{{}},"supported_sync_modes":["{mode}"]}},"sync_mode":"{mode}","destination_sync_mode":"append"}}"#
        )
    };
    let mut streams = stream("connections", "full_refresh");
    if outcomes {
        streams = [streams, stream("sync_outcomes", "incremental")].join(",");
    }
    std::fs::write(&catalog, format!(r#"{{"streams":[{streams}]}}"#)).expect("catalog");
    let start = Instant::now();
    let mut cmd = Command::new(bin);
    cmd.args(["-q", "airbyte", "read", "--config"]).arg(&config).arg("--catalog").arg(&catalog);
    let mut child = spawn_fivetrex(&mut cmd, bin);
    let mut out = BufReader::with_capacity(1 << 16, child.stdout.take().expect("stdout"));
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = out.read_until(b'\n', &mut line).expect("read");
        if n == 0 {
            break;
        }
        bytes += n as u64;
        if line.starts_with(br#"{"record""#) || line.windows(15).any(|w| w == br#""type":"RECORD""#) {
            records += 1;
        }
    }
    let peak_rss_kib = reap_peak_rss_kib(child);
    Run { records, bytes, peak_rss_kib, total_s: start.elapsed().as_secs_f64() }
}

fn main() {
    let bin = sibling("FIVETREX_BIN", "fivetrex");
    let dir = std::env::temp_dir().join(format!("fivetrex-tap-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("fivetrex airbyte read ({})", bin.display());
    println!(
        "{:>28} {:>12} {:>12} {:>10} {:>14} {:>9}",
        "streams", "connections", "records", "MB out", "peak RSS MB", "total s"
    );
    for outcomes in [false, true] {
        let name = if outcomes { "connections+sync_outcomes" } else { "connections" };
        let mut peaks = Vec::new();
        for (groups, per_group) in [(1, 1000), (100, 1000)] {
            let emu = Emu::start(groups, per_group);
            let r = run(&bin, &emu, &dir, outcomes);
            assert!(r.records >= (groups * per_group) as u64, "every connection written");
            println!(
                "{:>28} {:>12} {:>12} {:>10.1} {:>14.1} {:>9.2}",
                name,
                groups * per_group,
                r.records,
                r.bytes as f64 / 1e6,
                r.peak_rss_kib as f64 / 1024.0,
                r.total_s,
            );
            peaks.push(r.peak_rss_kib as f64 / 1024.0);
        }
        println!("{name}: peak RSS difference 100,000 vs 1,000: {:+.1} MB", peaks[1] - peaks[0]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
