//! Peak memory of `fivetrex connections list --output jsonl` for 1,000 and 100,000 connections:
//! a list streams page by page, so the second should stay within a few MB of the first.
//!
//! ```text
//! cargo build --release --features cli --bin fivetrex --example cli_memory --example emulator
//! target/release/examples/cli_memory    # FIVETREX_BIN / FIVETREX_EMULATOR pick other builds
//! ```
//!
//! The emulator runs as a process of its own (`examples/emulator.rs`): were it in this process,
//! the child forked from it would count this process's pages in its peak before `exec`. The
//! command line runs as a child whose peak resident set (`ru_maxrss` from `wait4`) is reported,
//! with the time to the first row and to the end.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

#[path = "support/child.rs"]
mod child;
use child::{reap_peak_rss_kib, sibling, spawn_fivetrex, Emu};

struct Run {
    lines: u64,
    bytes: u64,
    peak_rss_kib: i64,
    first_row_ms: f64,
    total_s: f64,
}

// Reaped by `reap_peak_rss_kib`, with `wait4`.
#[allow(clippy::zombie_processes)]
fn run(bin: &PathBuf, emu: &Emu) -> Run {
    let start = Instant::now();
    let mut cmd = Command::new(bin);
    cmd.args(["connections", "list", "--output", "jsonl"])
        .env("FIVETRAN_BASE_URL", &emu.base_url)
        .env("FIVETRAN_API_KEY", "emulator_key")
        .env("FIVETRAN_API_SECRET", "emulator_secret");
    let mut child = spawn_fivetrex(&mut cmd, bin);
    let mut out = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut bytes, mut first_row) = (0u64, 0u64, None);
    loop {
        let n = out.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        first_row.get_or_insert_with(|| start.elapsed());
        bytes += n as u64;
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    let peak_rss_kib = reap_peak_rss_kib(child);
    Run {
        lines,
        bytes,
        peak_rss_kib,
        first_row_ms: first_row.unwrap_or_default().as_secs_f64() * 1000.0,
        total_s: start.elapsed().as_secs_f64(),
    }
}

fn main() {
    let bin = sibling("FIVETREX_BIN", "fivetrex");
    println!("fivetrex connections list --output jsonl ({})", bin.display());
    println!(
        "{:>12} {:>12} {:>10} {:>14} {:>14} {:>9}",
        "connections", "lines", "MB out", "peak RSS MB", "first row ms", "total s"
    );
    let mut peaks = Vec::new();
    for (groups, per_group) in [(1, 1000), (100, 1000)] {
        let emu = Emu::start(groups, per_group);
        let r = run(&bin, &emu);
        assert_eq!(r.lines, (groups * per_group) as u64, "every connection written once");
        println!(
            "{:>12} {:>12} {:>10.1} {:>14.1} {:>14.1} {:>9.2}",
            groups * per_group,
            r.lines,
            r.bytes as f64 / 1e6,
            r.peak_rss_kib as f64 / 1024.0,
            r.first_row_ms,
            r.total_s,
        );
        peaks.push(r.peak_rss_kib as f64 / 1024.0);
    }
    println!("peak RSS difference 100,000 vs 1,000: {:+.1} MB", peaks[1] - peaks[0]);
}
