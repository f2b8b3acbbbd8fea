//! Replays the inputs kept under fuzz/regressions/ffi_json and fuzz/regressions/etf through the
//! same code the C ABI's fuzz targets run, on stable, in every test run.

mod ffi_json {
    include!("../../../fuzz/common/ffi_json.rs");
}
mod etf {
    include!("../../../fuzz/common/etf.rs");
}

fn replay(target: &str, run: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        run(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}

#[test]
fn ffi_json_regressions_replay() {
    replay("ffi_json", ffi_json::fuzz_ffi_json);
}

#[test]
fn etf_regressions_replay() {
    replay("etf", etf::fuzz_etf);
}
