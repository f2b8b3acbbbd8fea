#!/usr/bin/env bash
# Builds libfivetrex and the emulator, then runs the host suites over the C ABI: C
# (ffi/c/run-tests.sh: header drift, C programs under valgrind), Go (ffi/go: go test) and Elixir
# (ffi/elixir: mix test); the Go and Elixir tests start emulator processes. Prints each suite's
# closing line and how long it took, and exits non-zero if any suite failed. Idempotent; works
# from a fresh clone with an empty HOME (CI): the Go and Mix caches then live under target/.
#
#   bash ffi/run-hosts.sh            # every suite
#   bash ffi/run-hosts.sh go elixir  # only these
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
LIBDIR=$TARGET/debug
SUITES=${*:-c go elixir}

now_ms() { date +%s%3N; }
declare -a SUMMARY=()
failed=0

# record <suite> <status> <start ms> <closing line>
record() {
  local took=$(( $(now_ms) - $3 ))
  local verdict=passed
  if [ "$2" != 0 ]; then verdict="FAILED (exit $2)"; failed=1; fi
  SUMMARY+=("$(printf '%-7s %-16s %6d ms  %s' "$1" "$verdict" "$took" "$4")")
}

printf '\n== host suites: building libfivetrex and the emulator\n'
start=$(now_ms)
# --workspace --all-features: the build the C suite and the final `cargo test --workspace
# --all-features` use too (libfivetrex.so comes from the workspace member ffi/cdylib).
# --lib as well: building only the example would not link the cdylib the hosts load.
if ! cargo build --quiet --workspace --all-features --lib --example emulator; then
  record build 1 "$start" "cargo build failed"
  printf '%s\n' "${SUMMARY[@]}"
  exit 1
fi
record build 0 "$start" "$LIBDIR/libfivetrex.so"

# Caches for an empty HOME (CI), kept out of the source tree.
if [ -z "${HOME:-}" ] || [ ! -w "${HOME:-/nonexistent}" ]; then
  export GOCACHE=${GOCACHE:-$TARGET/go-cache} GOPATH=${GOPATH:-$TARGET/go-path}
fi
export MIX_HOME=${MIX_HOME:-$TARGET/mix-home} HEX_HOME=${HEX_HOME:-$TARGET/hex-home}
# The library the hosts link against and the emulator their tests start, wherever cargo put them.
export FIVETREX_LIBDIR=$LIBDIR FIVETREX_EMULATOR=$LIBDIR/examples/emulator
export CGO_LDFLAGS="-L$LIBDIR -Wl,-rpath,$LIBDIR ${CGO_LDFLAGS:-}"

for suite in $SUITES; do
  case $suite in
    c)
      if [ -x ffi/c/run-tests.sh ]; then
        printf '\n== C host (ffi/c/run-tests.sh)\n'
        start=$(now_ms)
        ffi/c/run-tests.sh 2>&1 | tee "$TARGET/host-c.log"
        status=${PIPESTATUS[0]}
        record C "$status" "$start" "$(grep -v '^\s*$' "$TARGET/host-c.log" | tail -n 1)"
      else
        SUMMARY+=("$(printf '%-7s %-16s %6s     %s' C skipped - 'no ffi/c/run-tests.sh')")
      fi
      ;;
    go)
      printf '\n== Go host (ffi/go: go test -race -count=1 ./...)\n'
      if ! command -v go >/dev/null 2>&1; then
        record Go 127 "$(now_ms)" "go is not installed"
        continue
      fi
      start=$(now_ms)
      (cd ffi/go && env -u GOFLAGS GOPROXY=off CGO_ENABLED=1 go test -race -count=1 -v ./... 2>&1) |
        tee "$TARGET/host-go.log" | grep -E '^(--- |ok |FAIL|PASS$|panic:|\s+\S+_test\.go:\d*)' 
      status=${PIPESTATUS[0]}
      record Go "$status" "$start" "$(grep -c '^--- PASS' "$TARGET/host-go.log") passed, $(grep -c '^--- FAIL' "$TARGET/host-go.log") failed; $(grep -E '^(ok|FAIL)\s' "$TARGET/host-go.log" | tail -n 1)"
      if [ "$status" != 0 ]; then tail -n 60 "$TARGET/host-go.log"; fi
      ;;
    elixir)
      printf '\n== Elixir host (ffi/elixir: mix test)\n'
      if ! command -v mix >/dev/null 2>&1; then
        record Elixir 127 "$(now_ms)" "mix is not installed"
        continue
      fi
      start=$(now_ms)
      (cd ffi/elixir && MIX_ENV=test mix test 2>&1) | tee "$TARGET/host-elixir.log"
      status=${PIPESTATUS[0]}
      record Elixir "$status" "$start" "$(grep -E '^[0-9]+ tests?, [0-9]+ failures?' "$TARGET/host-elixir.log" | tail -n 1)"
      ;;
    *)
      echo "unknown suite: $suite (c, go, elixir)" >&2
      exit 2
      ;;
  esac
done

printf '\n== host suites summary\n'
printf '%s\n' "${SUMMARY[@]}"
exit $failed
