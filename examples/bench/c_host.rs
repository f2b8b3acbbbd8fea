//! HOOK for the C variant: builds examples/bench/walk.c against the C ABI when it can.
//!
//! The variant runs only when `include/fivetrex.h` declares `fivetrex_connection_list` and
//! `libfivetrex.so` sits in the target directory (`cargo build --release --workspace` puts it
//! there: the C ABI is the workspace member ffi/cdylib). Otherwise
//! the benchmark prints why it skipped the C variant and reports `c_vs_rust: skipped`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built C walker, or why there is none.
pub fn program(bench_exe: &Path) -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let include = root.join("include");
    let header = std::fs::read_to_string(include.join("fivetrex.h"))
        .map_err(|e| format!("no C header at include/fivetrex.h ({e}); the C ABI is not on this branch yet"))?;
    if !header.contains("fivetrex_connection_list(") {
        return Err(
            "include/fivetrex.h has no fivetrex_connection_list yet (the C ABI is not complete on this branch)".into(),
        );
    }
    // target/<profile>/examples/bench -> target/<profile>
    let lib_dir = bench_exe.parent().and_then(Path::parent).ok_or("cannot locate the target directory")?.to_path_buf();
    if !lib_dir.join("libfivetrex.so").exists() {
        return Err(format!(
            "no libfivetrex.so in {} (run `cargo build --release --workspace` first)",
            lib_dir.display()
        ));
    }
    let out = bench_exe.with_file_name("bench-walk-c");
    let built = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-O2", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(&include)
        .arg(root.join("examples/bench/walk.c"))
        .arg("-o")
        .arg(&out)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lfivetrex")
        .output()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !built.status.success() {
        return Err(format!("the C host did not compile: {}", String::from_utf8_lossy(&built.stderr)));
    }
    Ok(out)
}
