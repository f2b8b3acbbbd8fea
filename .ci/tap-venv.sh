#!/usr/bin/env bash
# Creates (once) the Python virtual environment the tap tests use: the official Airbyte protocol
# models, and a real Singer target. Idempotent: a complete venv is left alone.
# Usage: .ci/tap-venv.sh [DIR]   (default: target/tap-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-${CARGO_TARGET_DIR:-target}/tap-venv}
stamp="$dir/.fivetrex-complete"
[ -f "$stamp" ] && exit 0
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/pip" install --quiet --disable-pip-version-check "airbyte-protocol-models==0.18.0" "target-jsonl==0.1.4"
touch "$stamp"
