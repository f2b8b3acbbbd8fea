//! The Go variant: builds ffi/go/cmd/benchwalk (the Go package over libfivetrex.so) with the
//! `go` tool when it is installed, offline (GOPROXY=off), against the library next to the bench.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built Go walker, or why there is none.
pub fn program(bench_exe: &Path) -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // target/<profile>/examples/bench -> target/<profile>
    let lib_dir = bench_exe.parent().and_then(Path::parent).ok_or("cannot locate the target directory")?.to_path_buf();
    if !lib_dir.join("libfivetrex.so").exists() {
        return Err(format!("no libfivetrex.so in {}", lib_dir.display()));
    }
    let out = bench_exe.with_file_name("bench-walk-go");
    let mut cmd = Command::new("go");
    cmd.current_dir(root.join("ffi/go"))
        .args(["build", "-o"])
        .arg(&out)
        .arg("./cmd/benchwalk")
        .env_remove("GOFLAGS")
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", "1")
        .env("CGO_LDFLAGS", format!("-L{0} -Wl,-rpath,{0}", lib_dir.display()));
    if std::env::var_os("HOME").is_none_or(|h| h.is_empty()) {
        cmd.env("GOCACHE", lib_dir.join("go-cache")).env("GOPATH", lib_dir.join("go-path"));
    }
    let built = cmd.output().map_err(|e| format!("cannot run go (is golang-go installed?): {e}"))?;
    if !built.status.success() {
        return Err(format!("the Go host did not build: {}", String::from_utf8_lossy(&built.stderr)));
    }
    Ok(out)
}
