//! The C host: builds ffi/c/ (example.c, test.c) with make against include/fivetrex.h and the
//! freshly built libfivetrex.so, serves the pages and faults test.c expects from a loopback
//! server, runs the C programs under valgrind, then checks on the server side that the C calls
//! sent exactly the requests they should. Also checks that the committed header is the generated
//! one. Skips with a message when make, a C compiler or valgrind is missing.

#![cfg(feature = "ffi")]

#[path = "it/support.rs"]
mod support;

use httpmock::prelude::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::{auth_header, connection, data, group, page, KEY, SECRET};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// True when `program` runs.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The directory holding the libfivetrex.so that cargo built with this test: the test executable
/// lives in `<target>/<profile>/deps/`, the cdylib one level up.
fn lib_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let beside_deps = exe.parent()?.parent()?.to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| Path::new(ROOT).join("target"), PathBuf::from);
    [beside_deps, target.join("debug")].into_iter().find(|d| d.join("libfivetrex.so").is_file())
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
    println!("{}\nvalgrind:\n{verdict}", run.stdout);
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

/// Serves `total` items of `path`, `per_page` a page, pages chained by cursors `c1`, `c2`, ...
fn serve_pages<'a>(
    server: &'a MockServer,
    path: &str,
    total: usize,
    per_page: usize,
    limit: &str,
    item: impl Fn(usize) -> serde_json::Value,
) -> Vec<httpmock::Mock<'a>> {
    let pages = total.div_ceil(per_page);
    (0..pages)
        .map(|p| {
            let cursor = (p > 0).then(|| format!("c{p}"));
            let next = (p + 1 < pages).then(|| format!("c{}", p + 1));
            let items = (p * per_page..((p + 1) * per_page).min(total)).map(&item).collect();
            server.mock(|when, then| {
                let when = when
                    .method(GET)
                    .path(path)
                    .query_param("limit", limit)
                    .header("authorization", auth_header())
                    .header("accept", "application/json");
                match &cursor {
                    Some(c) => when.query_param("cursor", c.as_str()),
                    None => when.query_param_missing("cursor"),
                };
                then.status(200).json_body(page(items, next.as_deref()));
            })
        })
        .collect()
}

#[test]
fn c_test_passes_under_valgrind() {
    let build = match c_programs() {
        Ok(b) => b,
        Err(why) => return println!("{why}"),
    };
    let server = MockServer::start();
    let authed = |when: httpmock::When, method: httpmock::Method, path: &str| {
        when.method(method).path(path).header("authorization", auth_header())
    };
    // Five groups and five connections of group_0, two per page: three pages each.
    let group_pages = serve_pages(&server, "/v1/groups", 5, 2, "2", group);
    let connection_pages =
        serve_pages(&server, "/v1/groups/group_0/connections", 5, 2, "2", |i| connection(i, "group_0"));
    let get_group = server.mock(|when, then| {
        authed(when, GET, "/v1/groups/group_0");
        then.status(200).json_body(data(group(0)));
    });
    let create = server.mock(|when, then| {
        authed(when, POST, "/v1/groups").header("content-type", "application/json").json_body(json!({"name": "Fresh"}));
        then.status(201)
            .json_body(data(json!({"id": "group_new", "name": "Fresh", "created_at": "2024-05-01T00:00:00Z"})));
    });
    let rename = server.mock(|when, then| {
        authed(when, PATCH, "/v1/groups/group_new").json_body(json!({"name": "Renamed"}));
        then.status(200).json_body(data(json!({"id": "group_new", "name": "Renamed"})));
    });
    let delete = server.mock(|when, then| {
        authed(when, DELETE, "/v1/groups/group_new");
        then.status(200).json_body(json!({"code": "Success", "message": "Group has been deleted"}));
    });
    let missing = server.mock(|when, then| {
        authed(when, GET, "/v1/groups/missing");
        then.status(404).json_body(json!({"code": "NotFound_Group", "message": "Group missing not found"}));
    });
    let busy = server.mock(|when, then| {
        authed(when, GET, "/v1/groups/busy");
        then.status(429)
            .header("Retry-After", "3600")
            .json_body(json!({"code": "TooManyRequests", "message": "Rate limit exceeded"}));
    });
    let flaky_fails = server.mock(|when, then| {
        authed(when, GET, "/v1/groups/flaky").header("user-agent", "fivetrex-c-test");
        then.status(503).body("<html>upstream down</html>").up_to_n_times(2);
    });
    let flaky_ok = server.mock(|when, then| {
        authed(when, GET, "/v1/groups/flaky").header("user-agent", "fivetrex-c-test");
        then.status(200).json_body(data(json!({"id": "flaky", "name": "Flaky"})));
    });
    let account = server.mock(|when, then| {
        authed(when, GET, "/v1/account/info")
            .query_param("mode", "full")
            .query_param("n", "2")
            .query_param("flag", "true")
            .query_param("tag", "x")
            .query_param("tag", "y")
            .query_param_missing("skip");
        then.status(200).json_body(data(json!({"account_id": "acc_1", "account_name": "Acme"})));
    });
    let add_user = server.mock(|when, then| {
        authed(when, POST, "/v1/groups/group_0/users")
            .header("content-type", "application/json")
            .json_body(json!({"email": "new@example.com", "role": "Account Reviewer"}));
        then.status(200).json_body(json!({"code": "Success", "message": "User has been added"}));
    });
    let remove_user = server.mock(|when, then| {
        authed(when, DELETE, "/v1/groups/group_0/users/user_9");
        then.status(200).json_body(json!({"code": "Success", "message": "User removed"}));
    });

    let run = valgrind(&build.join("test"), &[&server.base_url()], &[], Duration::from_secs(600));
    assert_clean(&run);
    assert!(run.stdout.contains(", 0 failed"), "the C test reports no failure:\n{}", run.stdout);

    // What the C calls sent. Groups pages: the walk, the raw walk and 8 threads start at page 1;
    // the page-level walk starts at c1.
    group_pages[0].assert_calls(10);
    group_pages[1].assert_calls(11);
    group_pages[2].assert_calls(11);
    for p in &connection_pages {
        p.assert_calls(1);
    }
    // 8 threads x 25, the client from the environment, the call after the forced panic.
    get_group.assert_calls(8 * 25 + 2);
    create.assert_calls(1);
    rename.assert_calls(1);
    delete.assert_calls(1); // the unconfirmed delete never left
    missing.assert_calls(4);
    busy.assert_calls(1); // over the Retry-After cap: no retry
    flaky_fails.assert_calls(2);
    flaky_ok.assert_calls(1);
    account.assert_calls(1);
    add_user.assert_calls(1);
    remove_user.assert_calls(1);
}

#[test]
fn c_example_lists_groups_and_connections() {
    let build = match c_programs() {
        Ok(b) => b,
        Err(why) => return println!("{why}"),
    };
    let server = MockServer::start();
    let groups = serve_pages(&server, "/v1/groups", 5, 2, "1000", group);
    let connections: Vec<_> = (0..5)
        .map(|g| {
            let id = format!("group_{g}");
            let item = move |i| connection(10 * g + i, &format!("group_{g}"));
            serve_pages(&server, &format!("/v1/groups/{id}/connections"), 5, 2, "1000", item)
        })
        .collect();
    let env = [("FIVETRAN_API_KEY", KEY), ("FIVETRAN_API_SECRET", SECRET)];
    let run = valgrind(&build.join("example"), &[&server.base_url()], &env, Duration::from_secs(300));
    assert_clean(&run);
    assert!(run.stdout.contains("Group 0 (group_0)\n  pg_0 [postgres]\n  pg_1 [postgres]"), "{}", run.stdout);
    assert!(run.stdout.contains("Group 4 (group_4)\n  pg_40 [postgres]"), "{}", run.stdout);
    assert_eq!(run.stdout.matches("[postgres]").count(), 25, "{}", run.stdout);
    for m in groups.iter().chain(connections.iter().flatten()) {
        m.assert_calls(1);
    }
}

/// The committed header must be the one the current sources generate: build.rs rewrites
/// include/fivetrex.h when the ABI changes, and this test (like CI's `git diff --exit-code`) fails
/// until the new header is committed.
#[test]
fn header_is_committed() {
    let committed = Path::new(ROOT).join("include/fivetrex.h");
    let on_disk = std::fs::read_to_string(&committed).expect("include/fivetrex.h exists");
    let generated = std::fs::read_to_string(env!("FIVETREX_GENERATED_HEADER")).expect("build.rs wrote the header");
    assert_eq!(on_disk, generated, "include/fivetrex.h is not the header the sources generate");
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
