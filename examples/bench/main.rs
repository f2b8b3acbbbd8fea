//! How much the client costs over the network floor, measured on loopback.
//!
//! `cargo run --release --example bench [-- --n 100000 --runs 5 --requests 5000]`
//!
//! A local static server renders N realistic connections (about 720 bytes each, `config`
//! included) once, in pages of 1000, then each variant walks them in a child process of its own
//! (so its peak RSS is its own), `--runs` times, interleaved so that load changes hit every
//! variant alike; the medians are printed:
//! - `floor`: a bare ureq + serde_json loop into a plain typed struct (`config` as a JSON map);
//! - `typed`: `client.connections()` into the library's model;
//! - `value`: the bare loop into `serde_json::Value`;
//! - `c`: the C ABI from a small C program (after `cargo build --release --workspace`, which
//!   builds libfivetrex.so).
//!
//! Each variant also walks 1000 items (one page) to give the RSS growth, and a last child times
//! tiny GETs through the client and through bare ureq to give the client's per-request overhead.
//! The output ends with one `name: value` line per figure.

mod c_host;
mod data;
mod go_host;
mod latency;
mod procfs;
mod server;
mod walk;

use server::{Counts, Server, PAGE_SIZE};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use walk::Outcome;

/// A child that has not finished after this long is killed and the benchmark fails.
const CHILD_TIMEOUT: Duration = Duration::from_secs(120);

struct Args {
    n: usize,
    runs: usize,
    requests: u64,
    /// Internal: run one walk against `url` and print its outcome.
    variant: Option<String>,
    url: Option<String>,
    /// Run the server and one variant in this process, `runs` times (for profilers).
    inline: Option<String>,
    /// Only serve `n` items for this many seconds, printing the URL (to profile the C host).
    serve: Option<u64>,
    /// Groups of the latency scenario (0 skips it).
    latency_groups: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench [--n ITEMS (100000)] [--runs RUNS (5)] [--requests TINY_GETS (5000)]\n\
         \x20      [--inline VARIANT (server and walk in this process, for profilers)] [--serve SECONDS]\n\
         \x20      [--latency-groups GROUPS (200; 0 skips the latency scenario)]\n\
         variants: floor, typed, value, overhead"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        n: 100_000,
        runs: 5,
        requests: 5000,
        variant: None,
        url: None,
        inline: None,
        serve: None,
        latency_groups: 200,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--n" => a.n = value().parse().unwrap_or_else(|_| usage()),
            "--runs" => a.runs = value().parse().unwrap_or_else(|_| usage()),
            "--requests" => a.requests = value().parse().unwrap_or_else(|_| usage()),
            "--variant" => a.variant = Some(value()),
            "--url" => a.url = Some(value()),
            "--inline" => a.inline = Some(value()),
            "--serve" => a.serve = Some(value().parse().unwrap_or_else(|_| usage())),
            "--latency-groups" => a.latency_groups = value().parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    if a.n == 0 || a.runs == 0 || a.requests == 0 {
        usage();
    }
    a
}

fn main() {
    let args = parse_args();
    if let Some(variant) = &args.variant {
        let outcome = match (variant.as_str(), &args.url) {
            ("overhead", Some(url)) => walk::run(variant, url, args.requests),
            (_, Some(url)) => walk::run(variant, url, args.n as u64),
            // The tiny GETs are served from this process, so that the whole measurement can be
            // pinned to one CPU (see `overhead_child`).
            ("overhead", None) => Server::start(1).map_err(Into::into).and_then(|mut server| {
                server.serve(1);
                walk::run(variant, &server.url, args.requests)
            }),
            _ => usage(),
        };
        match outcome {
            Ok(o) => println!("{}", o.to_line()),
            Err(e) => {
                eprintln!("{variant}: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if let Err(e) = parent(&args) {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

/// One child's outcome with the server's view of it.
#[derive(Clone, Copy)]
struct Sample {
    o: Outcome,
    server: Counts,
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn parent(args: &Args) -> Res<()> {
    let t_start = Instant::now();
    let small = PAGE_SIZE.min(args.n);
    let t = Instant::now();
    let mut server = Server::start(args.n)?;
    let body_bytes = server.prepare(args.n).body_bytes;
    server.prepare(small);
    let render = t.elapsed();

    if let Some(variant) = &args.inline {
        return inline(&mut server, variant, args);
    }
    if let Some(secs) = args.serve {
        server.serve(args.n);
        println!("{}", server.url);
        std::thread::sleep(Duration::from_secs(secs));
        return Ok(());
    }

    let exe = std::env::current_exe()?;
    let c = c_host::program(&exe);
    let mut variants: Vec<&str> = vec!["floor", "typed", "value"];
    if c.is_ok() {
        variants.push("c");
    }
    let go = go_host::program(&exe);
    if go.is_ok() {
        variants.push("go");
    }
    let pages = args.n.div_ceil(PAGE_SIZE);
    println!(
        "fivetrex benchmark: {} connections in {pages} pages of {PAGE_SIZE} ({:.1} MB of JSON, {} bytes per item), \
         {} runs per variant, loopback; pages rendered once in {:.0} ms",
        args.n,
        body_bytes as f64 / 1e6,
        body_bytes / args.n,
        args.runs,
        render.as_secs_f64() * 1e3
    );
    println!("load average before: {}", loadavg());

    let run_child = |server: &mut Server, variant: &str, n: usize| -> Res<Sample> {
        server.serve(n);
        let o = match variant {
            "c" => child(Command::new(c.as_ref().map_err(|e| e.clone())?).args([&server.url, &n.to_string()]))?,
            "go" => child(Command::new(go.as_ref().map_err(|e| e.clone())?).args([&server.url, &n.to_string()]))?,
            _ => child(Command::new(&exe).args([
                "--variant",
                variant,
                "--url",
                &server.url,
                "--n",
                &n.to_string(),
                "--requests",
                &args.requests.to_string(),
            ]))?,
        };
        Ok(Sample { o, server: server.counts() })
    };

    let mut full: Vec<Vec<Sample>> = vec![Vec::new(); variants.len()];
    let mut one_page: Vec<Vec<Sample>> = vec![Vec::new(); variants.len()];
    for _ in 0..args.runs {
        for (i, v) in variants.iter().enumerate() {
            full[i].push(run_child(&mut server, v, args.n)?);
            one_page[i].push(run_child(&mut server, v, small)?);
        }
    }
    let (mut cmd, pinned) = overhead_child(&exe, args.requests);
    let mut overhead = Vec::new();
    for _ in 0..args.runs {
        overhead.push(Sample { o: child(&mut cmd)?, server: Counts::default() });
    }

    // The table.
    println!(
        "\n{:<7} {:>9} {:>15} {:>11} {:>5} {:>4} {:>8} {:>9} {:>10} {:>11} {:>8} {:>8}",
        "variant",
        "wall ms",
        "(min..max)",
        "items/s",
        "reqs",
        "tcp",
        "cpu ms",
        "peak MB",
        "1-page MB",
        "server ms",
        "wall/fl",
        "cpu/fl"
    );
    let floor_wall = median(&full[0], |s| s.o.wall_ns);
    let floor_cpu = median(&full[0], |s| s.o.cpu_ns);
    for (i, v) in variants.iter().enumerate() {
        let s = &full[i];
        let wall = median(s, |s| s.o.wall_ns);
        println!(
            "{:<7} {:>9.1} {:>15} {:>11.0} {:>5} {:>4} {:>8.1} {:>9.1} {:>10.1} {:>11.1} {:>8.2} {:>8.2}",
            v,
            ms(wall),
            format!("{:.1}..{:.1}", ms(min(s, |s| s.o.wall_ns) as f64), ms(max(s, |s| s.o.wall_ns) as f64)),
            args.n as f64 / (wall / 1e9),
            max(s, |s| s.server.requests),
            max(s, |s| s.server.accepts),
            ms(median(s, |s| s.o.cpu_ns)),
            median(s, |s| s.o.peak_rss_kb) / 1024.0,
            median(&one_page[i], |s| s.o.peak_rss_kb) / 1024.0,
            ms(median(s, |s| s.server.cpu_ns)),
            wall / floor_wall,
            median(s, |s| s.o.cpu_ns) / floor_cpu,
        );
    }
    if let Err(why) = &c {
        println!("{:<7} skipped: {why}", "c");
    }
    if let Err(why) = &go {
        println!("{:<7} skipped: {why}", "go");
    }

    let per_req = |f: fn(&Sample) -> u64| median(&overhead, f) / args.requests as f64 / 1e3;
    let (client_us, bare_us) = (per_req(|s| s.o.wall_ns), per_req(|s| s.o.bare_wall_ns));
    let (client_cpu_us, bare_cpu_us) = (per_req(|s| s.o.cpu_ns), per_req(|s| s.o.bare_cpu_ns));
    // Paired per run: both sides of one run saw the same load.
    let diffs: Vec<f64> =
        overhead.iter().map(|s| (s.o.wall_ns as f64 - s.o.bare_wall_ns as f64) / args.requests as f64 / 1e3).collect();
    let cpu_diffs: Vec<f64> =
        overhead.iter().map(|s| (s.o.cpu_ns as f64 - s.o.bare_cpu_ns as f64) / args.requests as f64 / 1e3).collect();
    println!(
        "\nper request, {} tiny GETs per side per run ({pinned}): client {client_us:.1} µs (cpu {client_cpu_us:.1}), \
         bare ureq {bare_us:.1} µs (cpu {bare_cpu_us:.1}); difference per run: {}",
        args.requests,
        diffs.iter().map(|d| format!("{d:+.1}")).collect::<Vec<_>>().join(" ")
    );
    let latency = latency_scenario(args.latency_groups)?;
    println!("load average after: {}; whole benchmark took {:.1} s", loadavg(), t_start.elapsed().as_secs_f64());

    // One figure per line, for comparing runs over time.
    let idx = |name: &str| variants.iter().position(|v| *v == name);
    let typed = idx("typed").ok_or("no typed variant")?;
    let value = idx("value").ok_or("no value variant")?;
    let typed_wall = median(&full[typed], |s| s.o.wall_ns);
    let noise = |s: &[Sample]| {
        let m = median(s, |s| s.o.wall_ns);
        (max(s, |s| s.o.wall_ns) as f64 - min(s, |s| s.o.wall_ns) as f64) / m * 100.0
    };
    let mut figures: Vec<(&str, String)> = vec![
        ("items", args.n.to_string()),
        ("runs", args.runs.to_string()),
        ("floor_ms", format!("{:.1}", ms(floor_wall))),
        ("typed_ms", format!("{:.1}", ms(typed_wall))),
        ("value_ms", format!("{:.1}", ms(median(&full[value], |s| s.o.wall_ns)))),
        ("typed_items_per_s", format!("{:.0}", args.n as f64 / (typed_wall / 1e9))),
        ("typed_vs_floor", format!("{:.2}", typed_wall / floor_wall)),
        ("typed_cpu_vs_floor", format!("{:.2}", median(&full[typed], |s| s.o.cpu_ns) / floor_cpu)),
        ("value_vs_floor", format!("{:.2}", median(&full[value], |s| s.o.wall_ns) / floor_wall)),
        ("typed_peak_rss_mb", format!("{:.1}", median(&full[typed], |s| s.o.peak_rss_kb) / 1024.0)),
        ("floor_peak_rss_mb", format!("{:.1}", median(&full[0], |s| s.o.peak_rss_kb) / 1024.0)),
        (
            "rss_growth_mb",
            format!(
                "{:.1}",
                (median(&full[typed], |s| s.o.peak_rss_kb) - median(&one_page[typed], |s| s.o.peak_rss_kb)) / 1024.0
            ),
        ),
        ("tcp_connections", max(&full[typed], |s| s.server.accepts).to_string()),
        ("requests_per_walk", max(&full[typed], |s| s.server.requests).to_string()),
        ("server_cpu_share", format!("{:.2}", median(&full[typed], |s| s.server.cpu_ns) / typed_wall)),
    ];
    match idx("c") {
        Some(ci) => {
            let c_wall = median(&full[ci], |s| s.o.wall_ns);
            figures.push(("c_ms", format!("{:.1}", ms(c_wall))));
            figures.push(("c_vs_rust", format!("{:.2}", c_wall / typed_wall)));
        }
        None => figures.push(("c_vs_rust", "skipped".into())),
    }
    match idx("go") {
        Some(gi) => {
            let go_wall = median(&full[gi], |s| s.o.wall_ns);
            figures.push(("go_ms", format!("{:.1}", ms(go_wall))));
            figures.push(("go_vs_rust", format!("{:.2}", go_wall / typed_wall)));
        }
        None => figures.push(("go_vs_rust", "skipped".into())),
    }
    figures.push(("overhead_us_per_request", format!("{:.1}", median_f(&diffs))));
    figures.push(("overhead_cpu_us_per_request", format!("{:.1}", median_f(&cpu_diffs))));
    figures.push(("typed_noise_pct", format!("{:.0}", noise(&full[typed]))));
    figures.push(("floor_noise_pct", format!("{:.0}", noise(&full[0]))));
    figures.extend(latency);
    println!();
    for (name, value) in figures {
        println!("{name}: {value}");
    }
    Ok(())
}

/// The latency scenario (see `latency.rs`): prints its table and returns its figure lines.
fn latency_scenario(groups: usize) -> Res<Vec<(&'static str, String)>> {
    if groups == 0 {
        return Ok(vec![("latency_requests", "skipped".into())]);
    }
    let cfg = latency::Config { groups, per_group: 25, delay: Duration::from_millis(50), workers: 16 };
    println!(
        "\nlatency: {} groups x {} connections, {} ms added to every answer; task: list groups, list each \
         group's connections, fetch each connection's details (load average before: {})",
        cfg.groups,
        cfg.per_group,
        cfg.delay.as_millis(),
        loadavg()
    );
    let r = latency::run(&cfg)?;
    println!("{:<22} {:>10} {:>9} {:>5} {:>6} {:>8}", "run", "wall s", "requests", "tcp", "429s", "details");
    for (name, run) in
        [("sequential".to_owned(), r.sequential), (format!("fan-out, {} workers", cfg.workers), r.fanout)]
    {
        println!(
            "{name:<22} {:>10.2} {:>9} {:>5} {:>6} {:>8}",
            run.wall.as_secs_f64(),
            run.requests,
            run.accepts,
            run.too_many,
            run.details
        );
    }
    let speedup = r.sequential.wall.as_secs_f64() / r.fanout.wall.as_secs_f64();
    println!(
        "the task needs {} requests; the server's quota was {} (+5%), reset before each run; speedup {speedup:.1}x",
        r.needed, r.quota
    );
    Ok(vec![
        ("latency_requests", r.fanout.requests.to_string()),
        ("latency_sequential_requests", r.sequential.requests.to_string()),
        ("latency_tcp_connections", r.fanout.accepts.to_string()),
        ("latency_sequential_s", format!("{:.2}", r.sequential.wall.as_secs_f64())),
        ("latency_fanout_s", format!("{:.2}", r.fanout.wall.as_secs_f64())),
        ("fanout_speedup", format!("{speedup:.1}")),
        ("latency_429s", (r.sequential.too_many + r.fanout.too_many).to_string()),
    ])
}

/// Runs the server and one walk in this process, for `perf record` or callgrind.
fn inline(server: &mut Server, variant: &str, args: &Args) -> Res<()> {
    for _ in 0..args.runs {
        let n = if variant == "overhead" { args.requests } else { args.n as u64 };
        server.serve(args.n);
        let o = walk::run(variant, &server.url, n)?;
        println!("{variant}: {:.1} ms wall, {:.1} ms cpu", ms(o.wall_ns as f64), ms(o.cpu_ns as f64));
        if variant == "overhead" {
            println!("  bare: {:.1} ms wall, {:.1} ms cpu", ms(o.bare_wall_ns as f64), ms(o.bare_cpu_ns as f64));
        }
    }
    Ok(())
}

/// The child that times tiny GETs, with its own server thread, pinned to the idlest CPU when
/// `taskset` is there. Unpinned, a round trip takes about 10 µs when the client and the server
/// thread share a core and 50-90 µs when a wake-up crosses to an idle core of this VM, and which
/// one a connection gets is luck: that noise is far larger than the overhead being measured.
fn overhead_child(exe: &Path, requests: u64) -> (Command, String) {
    let args = ["--variant".to_owned(), "overhead".to_owned(), "--requests".to_owned(), requests.to_string()];
    let has_taskset = Command::new("taskset")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_taskset {
        let mut cmd = Command::new(exe);
        cmd.args(args);
        return (cmd, "unpinned: no taskset, expect noise".into());
    }
    let cpu = idlest_cpu();
    let mut cmd = Command::new("taskset");
    cmd.arg("-c").arg(cpu.to_string()).arg(exe).args(args);
    (cmd, format!("client and server pinned to CPU {cpu}"))
}

/// The CPU that was idle the longest over the last 200 ms (0 if /proc/stat cannot be read).
fn idlest_cpu() -> usize {
    let idle = || -> Vec<u64> {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        stat.lines()
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .map(|l| l.split_whitespace().nth(4).and_then(|v| v.parse().ok()).unwrap_or(0))
            .collect()
    };
    let before = idle();
    std::thread::sleep(Duration::from_millis(200));
    let after = idle();
    (0..after.len().min(before.len())).max_by_key(|&i| after[i].saturating_sub(before[i])).unwrap_or(0)
}

/// Runs a child to completion (killing it after [`CHILD_TIMEOUT`]) and reads its outcome.
fn child(cmd: &mut Command) -> Res<Outcome> {
    let mut proc = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let deadline = Instant::now() + CHILD_TIMEOUT;
    while proc.try_wait()?.is_none() {
        if Instant::now() > deadline {
            proc.kill()?;
            proc.wait()?;
            return Err(format!("{cmd:?} took more than {CHILD_TIMEOUT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = proc.wait_with_output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match Outcome::parse(&stdout) {
        Some(o) if out.status.success() => Ok(o),
        _ => Err(format!("{cmd:?} failed ({}): {}{}", out.status, stdout, String::from_utf8_lossy(&out.stderr)).into()),
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn ms(ns: f64) -> f64 {
    ns / 1e6
}

fn median(s: &[Sample], f: impl Fn(&Sample) -> u64) -> f64 {
    median_f(&s.iter().map(|x| f(x) as f64).collect::<Vec<_>>())
}

fn median_f(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn min(s: &[Sample], f: impl Fn(&Sample) -> u64) -> u64 {
    s.iter().map(f).min().unwrap_or(0)
}

fn max(s: &[Sample], f: impl Fn(&Sample) -> u64) -> u64 {
    s.iter().map(f).max().unwrap_or(0)
}
