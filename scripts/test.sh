#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and property tests, and the end-to-end
# tests of the compiled binary against the project's DynamoDB emulator (installed into
# .venv from PyPI on first use). Needs only the Rust toolchain and Python 3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== emulator (moto from PyPI, in .venv)"
DDB_BACKUP_EMULATOR_PYTHON="$(scripts/emulator-env.sh)"
export DDB_BACKUP_EMULATOR_PYTHON
"$DDB_BACKUP_EMULATOR_PYTHON" -m py_compile tests/emulator/ddb_emulator.py

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test (unit, property and end-to-end tests)"
cargo test --all-targets --locked -- --test-threads "${DDB_BACKUP_TEST_THREADS:-4}"
