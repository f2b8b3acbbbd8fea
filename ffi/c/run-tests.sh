#!/usr/bin/env bash
# The C host suite, for .ci/run (or ffi/run-hosts.sh): regenerates include/fivetrex.h and fails if
# it differs from the committed one, then builds ffi/c/ and runs the C test and example under
# valgrind against a local server (tests/c_host.rs does the serving and the checking).
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== C ABI: header drift check"
# --all-features: the same build as the final `cargo test --all-features`, so nothing is built twice.
cargo build --all-features --lib --quiet
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if ! git diff --exit-code -- include/fivetrex.h; then
    echo "include/fivetrex.h differs from the committed header: the C ABI changed; review and commit it" >&2
    exit 1
  fi
fi

echo "== C host: example and test under valgrind"
cargo test --all-features --test c_host -- --nocapture --test-threads=1
