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
use std::process::{Command, Stdio};
use std::time::Instant;

/// `target/<profile>/examples/cli_memory` -> `target/<profile>/<rel>`, unless `var` says.
fn sibling(var: &str, rel: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("own path");
    exe.parent().and_then(|p| p.parent()).expect("target dir").join(rel)
}

/// A standalone emulator with `groups` x `per_group` connections; it stops when `stdin` closes.
struct Emu {
    child: std::process::Child,
    base_url: String,
}

impl Emu {
    fn start(groups: usize, per_group: usize) -> Emu {
        let bin = sibling("FIVETREX_EMULATOR", "examples/emulator");
        let mut child = Command::new(&bin)
            .args(["--port", "0", "--quota", "10000000", "--groups", &groups.to_string()])
            .args(["--connections-per-group", &per_group.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run {}: {e} (cargo build --features emulator --example emulator)", bin.display())
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        let base_url = line.trim().strip_prefix("listening on ").expect("listening on ...").to_owned();
        Emu { child, base_url }
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

struct Run {
    records: u64,
    bytes: u64,
    peak_rss_kib: i64,
    total_s: f64,
}

// Reaped by `wait4` below, which also reports the peak memory `Child::wait` would not.
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
    let mut child = Command::new(bin)
        .args(["-q", "airbyte", "read", "--config"])
        .arg(&config)
        .arg("--catalog")
        .arg(&catalog)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {}: {e} (build it: cargo build --features cli --bin fivetrex)", bin.display())
        });
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
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 reaps our own child (not waited for elsewhere).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "fivetrex failed: status {status}");
    Run { records, bytes, peak_rss_kib: usage.ru_maxrss, total_s: start.elapsed().as_secs_f64() }
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
