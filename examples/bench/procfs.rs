//! CPU time and peak memory from /proc, without libc (so the benchmark needs no feature).
//!
//! CPU time is the calling thread's `/proc/thread-self/schedstat` (nanoseconds on the CPU); where
//! that file is missing or reads zero, `/proc/thread-self/stat` utime + stime (clock ticks, 10 ms
//! each, so coarse). The walks are single-threaded, so the thread's time is the process's time.

/// CPU time the calling thread has used, in nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    let precise = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()))
        .filter(|&v| v > 0);
    precise.unwrap_or_else(|| {
        let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else { return 0 };
        // The command name may hold spaces; the fields after it are plain numbers.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<u64> = rest.split_whitespace().map(|v| v.parse().unwrap_or(0)).collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; USER_HZ is
        // 100 on Linux.
        (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) * 10_000_000
    })
}

/// Peak resident set size of this process (`VmHWM`), in KiB.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
