#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and property tests, the end-to-end tests of
# the compiled binary against the project's DynamoDB emulator (installed into .venv from
# PyPI on first use, with cfn-lint), the long-run simulation, the lint of the Lambda
# template and the test of the Lambda artifact. Needs the Rust toolchain, Python 3,
# faketime, chromium and promtool (installed with apt-get when missing).
#
# Everything is built once, in the dev profile with the `lambda` feature: the Lambda
# artifact, clippy's and the tests' builds share their compiled dependencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== emulator (moto from PyPI, in .venv)"
DDB_BACKUP_EMULATOR_PYTHON="$(scripts/emulator-env.sh)"
export DDB_BACKUP_EMULATOR_PYTHON
"$DDB_BACKUP_EMULATOR_PYTHON" -m py_compile tests/emulator/ddb_emulator.py \
  tests/lambda/runtime_api.py tests/lambda/check_template_policy.py

# Quiet unless it fails.
quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
}

# need COMMAND PACKAGE: installs Debian's PACKAGE with apt-get when COMMAND is missing.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local as_root=()
  if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $1 is not installed and apt-get is not available: install $2" >&2
    exit 1
  fi
  quietly ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update
  quietly ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$2"
}

echo "== faketime (the long-run simulation test runs the binary under libfaketime)"
need faketime faketime

echo "== chromium (the HTML report test opens the page in headless Chromium)"
need chromium chromium

echo "== promtool (the alert rules of docs/alerts/ are checked with promtool check rules)"
need promtool prometheus

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets --features lambda -- -D warnings"
cargo clippy --all-targets --features lambda --locked -- -D warnings

echo "== cfn-lint deploy/template.yaml"
"$(dirname "$DDB_BACKUP_EMULATOR_PYTHON")/cfn-lint" deploy/template.yaml

echo "== the Lambda artifact (scripts/build-lambda.sh --debug; tested below)"
scripts/build-lambda.sh --debug

echo "== cargo test (unit, property, end-to-end, simulation, Lambda artifact)"
cargo test --all-targets --features lambda --locked -- --test-threads "${DDB_BACKUP_TEST_THREADS:-4}"
