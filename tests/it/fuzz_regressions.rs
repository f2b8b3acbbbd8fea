//! Replays every input kept under fuzz/regressions/<target>/ (seeds and past crashes) through the
//! same code the fuzz targets run, on stable, in every test run (the C ABI's targets, ffi_json and
//! etf, in ffi/capi/tests/fuzz_regressions.rs).

mod responses {
    include!("../../fuzz/common/responses.rs");
}
mod timestamps {
    include!("../../fuzz/common/timestamps.rs");
}
mod webhooks {
    include!("../../fuzz/common/webhooks.rs");
}

fn replay(target: &str, run: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        run(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}

#[test]
fn responses_regressions_replay() {
    replay("responses", responses::fuzz_responses);
}

#[test]
fn timestamps_regressions_replay() {
    replay("timestamps", timestamps::fuzz_timestamps);
}

#[test]
fn webhooks_regressions_replay() {
    replay("webhooks", webhooks::fuzz_webhooks);
}
