//! Generates `include/fivetrex.h` from `src/ffi/` with cbindgen when the `ffi` feature is on, and
//! does nothing else (so a build without the feature pays nothing).
//!
//! The header is committed. It is rewritten only when its text changes, so a build after an ABI
//! change leaves a diff that `git diff --exit-code include/fivetrex.h` (CI, ffi/c/run-tests.sh)
//! and the `header_is_committed` test catch.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_FFI").is_none() {
        return;
    }
    #[cfg(feature = "ffi")]
    header::generate();
}

#[cfg(feature = "ffi")]
mod header {
    use std::path::PathBuf;

    pub fn generate() {
        let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let header = root.join("include").join("fivetrex.h");
        for path in ["src/ffi", "cbindgen.toml", "include/fivetrex.h"] {
            println!("cargo:rerun-if-changed={path}");
        }
        let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml is readable");
        // Parsing only src/ffi/ keeps the build quick and the header free of anything else.
        let bindings = cbindgen::Builder::new()
            .with_config(config)
            .with_src(root.join("src").join("ffi").join("mod.rs"))
            .generate()
            .expect("cbindgen can generate the header from src/ffi/");
        let mut text = Vec::new();
        bindings.write(&mut text);
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("fivetrex.h");
        std::fs::write(&out, &text).expect("OUT_DIR is writable");
        println!("cargo:rustc-env=FIVETREX_GENERATED_HEADER={}", out.display());
        if std::fs::read(&header).ok().as_deref() != Some(&text[..]) {
            std::fs::create_dir_all(header.parent().expect("include/ has a parent")).expect("include/ can be created");
            std::fs::write(&header, &text).expect("include/fivetrex.h is writable");
            println!("cargo:warning=include/fivetrex.h was regenerated: commit it");
        }
    }
}
