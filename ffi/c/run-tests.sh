#!/usr/bin/env bash
# The C host suite, for .ci/run (or ffi/run-hosts.sh): builds libfivetrex.so (workspace member
# ffi/cdylib), then runs ffi/capi/tests/c_host.rs: the header drift check (include/fivetrex.h
# against the one build.rs generates into OUT_DIR) and the C test and example under valgrind
# against a local server.
set -euo pipefail
cd "$(dirname "$0")/../.."

# --workspace --all-features: the same build as the final `cargo test --workspace --all-features`,
# so nothing is built twice.
cargo build --workspace --all-features --lib --quiet

echo "== C ABI: header drift check, example and test under valgrind"
cargo test -p fivetrex-ffi --test c_host -- --nocapture --test-threads=1
