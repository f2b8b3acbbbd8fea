#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each; FUZZ_SECONDS to change).
# Needs a nightly toolchain and cargo-fuzz; says clearly when it skips. Crash inputs found are kept
# under fuzz/artifacts/ — copy them into fuzz/regressions/<target>/ so tests/it/fuzz_regressions.rs
# replays them on stable in every test run.
set -uo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-60}
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: skipped: no nightly toolchain on this machine"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz missing; installing it"
  cargo install cargo-fuzz --locked >/dev/null 2>&1 || { echo "fuzz: skipped: cannot install cargo-fuzz"; exit 0; }
fi
status=0
for target in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$target"
  if [ -d "regressions/$target" ]; then cp -n regressions/"$target"/* "corpus/$target/" 2>/dev/null; fi
  echo "fuzz: $target for ${secs}s"
  log=$(mktemp)
  if cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -rss_limit_mb=2048 >"$log" 2>&1; then
    grep -E '^Done [0-9]+ runs' "$log" || tail -n 3 "$log"
  else
    grep -E 'panicked|SUMMARY|Test unit written' "$log" | head -n 5
    echo "fuzz: $target FOUND A CRASH (see fuzz/artifacts/$target)"
    status=1
  fi
  rm -f "$log"
done
exit $status
