//! The build script of the C ABI package (`ffi/capi`, which names this file as its `build`): it
//! generates the C header from `ffi/capi/src/` with cbindgen into `OUT_DIR` and nothing else.
//! The Rust library at the top level has no build script (`build = false`).
//!
//! A build never writes into the source tree. `include/fivetrex.h` is committed; the
//! `header_is_committed` test (ffi/capi/tests/c_host.rs) fails when it differs from the generated
//! one and, run with `FIVETREX_UPDATE_HEADER=1`, copies the generated one over it (the
//! make-style step, as rustls-ffi has).

use std::path::PathBuf;

fn main() {
    let package = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = package.join("..").join("..");
    for path in [package.join("src"), root.join("cbindgen.toml"), root.join("build.rs")] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(package.join("src").join("lib.rs"))
        .generate()
        .expect("cbindgen can generate the header from ffi/capi/src/");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("fivetrex.h");
    bindings.write_to_file(&out);
    println!("cargo:rustc-env=FIVETREX_GENERATED_HEADER={}", out.display());
}
