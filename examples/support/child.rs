//! What the memory benchmarks (`cli_memory`, `tap_memory`) share: finding the binaries they run, a
//! standalone emulator process, and reaping a child with its peak resident set.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `target/<profile>/examples/<this example>` -> `target/<profile>/<rel>`, unless `var` says.
pub fn sibling(var: &str, rel: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("own path");
    exe.parent().and_then(|p| p.parent()).expect("target dir").join(rel)
}

/// A standalone emulator with `groups` x `per_group` connections; it stops when `stdin` closes.
/// It runs as a process of its own: were it in the benchmark's process, the child forked from
/// that process would count its pages in its peak before `exec`.
pub struct Emu {
    child: Child,
    /// Where it listens.
    pub base_url: String,
}

impl Emu {
    /// Starts `examples/emulator` (or `$FIVETREX_EMULATOR`) and reads the URL it prints.
    pub fn start(groups: usize, per_group: usize) -> Emu {
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

/// Spawns `fivetrex` (`bin`) with its stdout piped, or says how to build it.
pub fn spawn_fivetrex(cmd: &mut Command, bin: &Path) -> Child {
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap_or_else(|e| {
        panic!("cannot run {}: {e} (build it: cargo build --features cli --bin fivetrex)", bin.display())
    })
}

/// Reaps `child` with `wait4`, which also reports the peak memory `Child::wait` would not, checks
/// that it exited 0, and returns its peak resident set in KiB.
#[allow(clippy::zombie_processes)] // wait4 reaps it; `Child` is only dropped after.
pub fn reap_peak_rss_kib(child: Child) -> i64 {
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 reaps our own child (not waited for elsewhere).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "fivetrex failed: status {status}");
    usage.ru_maxrss
}
