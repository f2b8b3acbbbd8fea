//! The C host: builds ffi/c/ (example.c, test.c) with make against include/fivetrex.h and the
//! freshly built libfivetrex.so, runs the C programs under valgrind against the project's
//! emulator (in-process, on loopback), then checks from the emulator's request log that the C
//! calls sent what they should. Also checks that the committed header is the generated one.
//! Skips with a message when make, a C compiler or valgrind is missing. Run by
//! `cargo test --workspace --all-features` (or `-p fivetrex-ffi`), which also builds
//! libfivetrex.so (package fivetrex-cdylib).

use fivetrex_core::emulator::{Emulator, RequestRecord};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The repository's top level (this package is ffi/capi).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// True when `program` runs.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The directory holding a libfivetrex.so built from the current sources. The test executable
/// lives in `<target>/<profile>/deps/`; `cargo test --workspace` builds the library (package
/// fivetrex-cdylib) into `<target>/<profile>/` in the same run. With `cargo test -p
/// fivetrex-ffi` alone it may be missing or older than the code: such a copy (older than a source
/// file of the library or of this package, or lacking a function the header declares) is passed over,
/// and the library is built anew in a target directory of its own.
fn lib_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?.to_path_buf();
    let beside_deps = deps.parent()?.to_path_buf();
    // Every function the committed header declares must be in the library, or it is a stale one.
    let header = std::fs::read_to_string(Path::new(ROOT).join("include/fivetrex.h")).unwrap_or_default();
    let functions: Vec<&str> = header
        .split('(')
        .filter_map(|before| before.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next())
        .filter(|name| name.starts_with("fivetrex_"))
        .collect();
    // The newest source of the library or of this package: a libfivetrex.so older than it is stale.
    fn newest(dir: &Path) -> Option<std::time::SystemTime> {
        std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let kind = e.file_type().ok()?;
                if kind.is_dir() {
                    newest(&e.path())
                } else {
                    e.metadata().and_then(|m| m.modified()).ok()
                }
            })
            .max()
    }
    let newest_source =
        [Path::new(ROOT).join("src"), Path::new(ROOT).join("ffi/capi/src")].iter().filter_map(|d| newest(d)).max();
    let has_ffi = |d: &PathBuf| {
        let so = d.join("libfivetrex.so");
        let fresh = match (newest_source, so.metadata().and_then(|m| m.modified())) {
            (Some(source), Ok(built)) => built >= source,
            (None, Ok(_)) => true,
            (_, Err(_)) => false,
        };
        let Ok(bytes) = std::fs::read(&so) else { return false };
        let names: std::collections::HashSet<&[u8]> = bytes
            .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .filter(|w| w.starts_with(b"fivetrex_"))
            .collect();
        fresh && !functions.is_empty() && functions.iter().all(|f| names.contains(f.as_bytes()))
    };
    if let Some(d) = [deps, beside_deps.clone()].into_iter().find(has_ffi) {
        return Some(d);
    }
    let own = beside_deps.join("c-host-lib");
    let built = Command::new(env!("CARGO"))
        .args(["build", "-p", "fivetrex-cdylib", "--lib", "--target-dir"])
        .arg(&own)
        .current_dir(ROOT)
        .status()
        .is_ok_and(|s| s.success());
    let dir = own.join("debug");
    (built && has_ffi(&dir)).then_some(dir)
}

/// Builds the C programs once per test run; `Err` is a reason to skip.
fn c_programs() -> Result<&'static Path, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            for tool in ["make", "cc", "valgrind"] {
                if !have(tool) {
                    return Err(format!("skipped: `{tool}` is not installed"));
                }
            }
            let lib = lib_dir().ok_or("skipped: libfivetrex.so not found beside the test executable")?;
            let build = lib.join("c-host");
            let out = Command::new("make")
                .arg("-C")
                .arg(Path::new(ROOT).join("ffi/c"))
                .arg(format!("LIBDIR={}", lib.display()))
                .arg(format!("BUILD={}", build.display()))
                .output()
                .map_err(|e| format!("cannot run make: {e}"))?;
            // A compile error is a failure, not a skip.
            assert!(
                out.status.success(),
                "make failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(build)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// What a C program printed and whether valgrind was content.
struct Run {
    stdout: String,
    stderr: String,
    success: bool,
}

/// Runs `program` under valgrind, giving up (and killing it) after `limit`.
fn valgrind(program: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let log = |ext: &str| program.with_extension(ext);
    let (out_path, err_path) = (log("stdout"), log("stderr"));
    let mut child = Command::new("valgrind")
        .args(["--error-exitcode=1", "--leak-check=full"])
        .arg(format!("--suppressions={ROOT}/ffi/c/valgrind.supp"))
        .arg(program)
        .args(args)
        .env_remove("FIVETRAN_API_KEY")
        .env_remove("FIVETRAN_API_SECRET")
        .env_remove("FIVETRAN_BASE_URL")
        // cargo test puts target/debug ahead of deps/ in LD_LIBRARY_PATH, and LD_LIBRARY_PATH beats the
        // programs' RUNPATH: point it at the library they were linked against (the programs live in
        // `<lib dir>/c-host/`), or a stale copy with an older ABI gets loaded.
        .env("LD_LIBRARY_PATH", program.parent().and_then(Path::parent).unwrap_or(Path::new(".")))
        // The forced panic would otherwise symbolise a backtrace and keep the debug info in memory.
        .env("RUST_BACKTRACE", "0")
        .envs(env.iter().copied())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("valgrind starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{} did not finish within {limit:?}", program.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Run { stdout: read(&out_path), stderr: read(&err_path), success: status.success() }
}

/// Valgrind's verdict lines, for the test output and the report.
fn summary(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            ["in use at exit", "definitely lost", "indirectly lost", "possibly lost", "ERROR SUMMARY"]
                .iter()
                .any(|k| l.contains(k))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts what valgrind must say: no error, nothing lost.
fn assert_clean(run: &Run) {
    let verdict = summary(&run.stderr);
    let last = run.stdout.lines().last().unwrap_or("");
    println!("{last}\nvalgrind:\n{verdict}");
    assert!(
        run.success && run.stderr.contains("ERROR SUMMARY: 0 errors from 0 contexts"),
        "the C program failed or valgrind found errors:\n--- stdout\n{}\n--- stderr\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stderr.contains("definitely lost: ") || run.stderr.contains("definitely lost: 0 bytes"),
        "leaks:\n{}",
        run.stderr
    );
}

/// The emulator the C programs run against: 5 groups of 10 connections (in each group the 8th is
/// paused and the 10th broken), syncs of 100 ms.
fn emulator() -> Emulator {
    Emulator::builder().seed(5, 10).sync_duration(Duration::from_millis(100)).start().expect("the emulator starts")
}

fn credentials(emu: &Emulator) -> [(&'static str, String); 2] {
    [("FIVETRAN_API_KEY", emu.key().to_owned()), ("FIVETRAN_API_SECRET", emu.secret().to_owned())]
}

/// How many requests the emulator logged with this method and path.
fn count(log: &[RequestRecord], method: &str, path: &str) -> usize {
    log.iter().filter(|r| r.method == method && r.path == path).count()
}

#[test]
fn c_test_passes_under_valgrind() {
    let build = match c_programs() {
        Ok(b) => b,
        Err(why) => return println!("{why}"),
    };
    let emu = emulator();
    let env = credentials(&emu);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = valgrind(&build.join("test"), &[emu.base_url()], &env, Duration::from_secs(600));
    assert_clean(&run);
    assert!(run.stdout.contains(", 0 failed"), "the C test reports no failure:\n{}", run.stdout);

    // What the C calls did to the server, seen from its side.
    let log = emu.requests();
    let groups = emu.group_ids();
    let first = emu.connection_ids(&groups[0]);
    assert_eq!(groups.len(), 5, "every group the C test created was deleted again");
    // 8 threads x 25 gets spread over the 5 groups: 40 each on top of the test's own.
    assert!(count(&log, "GET", &format!("/v1/groups/{}", groups[1])) >= 40);
    // The unconfirmed deletes and resyncs never left; the confirmed ones did, once.
    let deletes = log.iter().filter(|r| r.method == "DELETE" && r.path.starts_with("/v1/groups/")).count();
    assert_eq!(deletes, 4, "fresh group, destination's group, generic delete, operation delete");
    assert_eq!(log.iter().filter(|r| r.method == "DELETE" && r.path.starts_with("/v1/destinations/")).count(), 1);
    assert_eq!(count(&log, "POST", &format!("/v1/connections/{}/resync", first[4])), 1);
    assert_eq!(count(&log, "POST", &format!("/v1/connections/{}/resync", first[0])), 0, "unconfirmed operation");
    // The operation entry: a list of 10 over pages of 2, one upload and one update of a package.
    let pages = log.iter().filter(|r| {
        r.method == "GET"
            && r.path == "/v1/connections"
            && r.query.split('&').any(|kv| kv == "limit=2")
            && r.query.contains("group_id=")
    });
    assert_eq!(pages.count(), 5, "the operation list's five pages");
    // Every family answered the operation entry (2xx, so the path and parameters were right).
    let ok = |method: &str, path: &str| {
        log.iter().any(|r| r.method == method && r.path == path && r.status.is_some_and(|s| (200..300).contains(&s)))
    };
    for path in [
        "/v1/groups",
        "/v1/connections",
        "/v1/destinations",
        "/v1/external-secrets-managers",
        "/v1/hybrid-deployment-agents",
        "/v1/external-logging",
        "/v1/metadata/connector-types",
        "/v1/private-links",
        "/v1/proxy",
        "/v1/roles",
        "/v1/system-keys",
        "/v1/teams",
        "/v1/transformations",
        "/v1/transformation-projects",
        "/v1/users",
        "/v1/webhooks",
        "/v1/connector-sdk/packages",
        "/v1/account/info",
        &format!("/v1/connections/{}/certificates", first[1]),
        &format!("/v1/connections/{}/schemas", first[1]),
    ] {
        assert!(ok("GET", path), "no 2xx GET {path}");
    }
    assert!(ok("POST", "/v1/hvr/register-hub"), "the HVR family");
    assert_eq!(count(&log, "POST", "/v1/connector-sdk/packages"), 1);
    assert_eq!(
        log.iter().filter(|r| r.method == "PATCH" && r.path.starts_with("/v1/connector-sdk/packages/")).count(),
        1
    );
    assert_eq!(count(&log, "POST", &format!("/v1/connections/{}/resync", first[2])), 1, "the 409 one");
    // Paused and broken connections are reported without triggering a sync; the paused one is
    // then resumed and synced once by `resume_if_paused = 2` (an integer flag: 2 is on).
    assert_eq!(count(&log, "POST", &format!("/v1/connections/{}/sync", first[7])), 1);
    assert_eq!(count(&log, "PATCH", &format!("/v1/connections/{}", first[7])), 1);
    assert_eq!(count(&log, "POST", &format!("/v1/connections/{}/sync", first[9])), 0);
    assert_eq!(count(&log, "POST", &format!("/v1/connections/{}/sync", first[0])), 1);
    // Retries: two injected 503s then the answer; the 429 over the cap was not retried.
    let faults: Vec<_> = log.iter().filter_map(|r| r.fault.map(|f| (r.status, f))).collect();
    assert_eq!(faults.iter().filter(|(s, _)| *s == Some(503)).count(), 3, "{faults:?}");
    assert_eq!(faults.iter().filter(|(s, _)| *s == Some(429)).count(), 1, "{faults:?}");
}

#[test]
fn c_example_lists_groups_and_connections() {
    let build = match c_programs() {
        Ok(b) => b,
        Err(why) => return println!("{why}"),
    };
    let emu = emulator();
    // What the example must print, read with the Rust client.
    let client = emu.client();
    let mut expected = String::new();
    for group in client.groups() {
        let group = group.unwrap();
        expected.push_str(&format!("{} ({})\n", group.name, group.id));
        for c in client.group_connections(&group.id) {
            let c = c.unwrap();
            expected.push_str(&format!("  {} [{}]\n", c.schema, c.service));
        }
    }
    emu.clear_log();
    let env = credentials(&emu);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = valgrind(&build.join("example"), &[emu.base_url()], &env, Duration::from_secs(300));
    assert_clean(&run);
    assert_eq!(run.stdout, format!("libfivetrex {}\n{expected}", env!("CARGO_PKG_VERSION")));
    assert_eq!(expected.lines().count(), 5 + 50);
    assert_eq!(emu.requests().len(), 1 + 5, "one page of groups, one page of connections per group");
}

/// The committed header must be the one the current sources generate: build.rs generates it into
/// OUT_DIR (never into the source tree), and this test fails while include/fivetrex.h differs.
/// `FIVETREX_UPDATE_HEADER=1 cargo test -p fivetrex-ffi --test c_host header` writes it.
#[test]
fn header_is_committed() {
    let committed = Path::new(ROOT).join("include/fivetrex.h");
    let generated = std::fs::read_to_string(env!("FIVETREX_GENERATED_HEADER")).expect("build.rs wrote the header");
    // The make-style step: only on request, never during a build, is the source tree written.
    if std::env::var_os("FIVETREX_UPDATE_HEADER").is_some() {
        std::fs::write(&committed, &generated).expect("include/fivetrex.h is writable");
        println!("include/fivetrex.h updated from the generated header: review and commit it");
    }
    let on_disk = std::fs::read_to_string(&committed).expect("include/fivetrex.h exists");
    assert_eq!(
        on_disk, generated,
        "include/fivetrex.h is not the header the sources generate; \
         FIVETREX_UPDATE_HEADER=1 cargo test -p fivetrex-ffi --test c_host header writes it"
    );
    let git = |args: &[&str]| Command::new("git").arg("-C").arg(ROOT).args(args).output();
    match git(&["rev-parse", "--is-inside-work-tree"]) {
        Ok(o) if o.status.success() => {}
        _ => return println!("skipped: not a git checkout, cannot compare with the committed header"),
    }
    let tracked = git(&["ls-files", "--error-unmatch", "include/fivetrex.h"]).unwrap();
    assert!(tracked.status.success(), "include/fivetrex.h is not committed");
    let diff = git(&["diff", "--exit-code", "HEAD", "--", "include/fivetrex.h"]).unwrap();
    assert!(
        diff.status.success(),
        "include/fivetrex.h differs from the committed one (the C ABI changed): review and commit it\n{}",
        String::from_utf8_lossy(&diff.stdout)
    );
}
