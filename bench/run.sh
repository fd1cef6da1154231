#!/usr/bin/env bash
# The whole benchmark, on a fresh machine: builds ddb-backup (release), installs the
# emulator (.venv) and the baselines' aws CLI and boto3 (.venv-bench) from PyPI, runs
# every scenario and writes bench/results.md and bench/results.json.
# Extra arguments go to bench.py (e.g. --runs 5, --only prune, --small); with --fleet first,
# the fleet scenarios of bench/fleet.py run instead (e.g. --fleet --sizes 600,2000); with
# --fleet-restore first, the fleet restore of bench/fleet_restore.py (e.g. --tables 200); with
# --report first, the report over a fleet of bench/report.py (e.g. --sizes 2000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
emu_py="$(scripts/emulator-env.sh)"
venv="$root/.venv-bench"
req="$root/bench/requirements.txt"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.requirements.sha" 2>/dev/null)" != "$want" ]]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$venv/.requirements.sha"
fi
cargo build --release --locked --quiet
script=bench/bench.py
if [[ "${1:-}" == "--fleet" ]]; then
  # The fleet scenarios (ddb-backup alone): bench/fleet.py.
  shift
  script=bench/fleet.py
elif [[ "${1:-}" == "--report" ]]; then
  # The report over a fleet (ddb-backup alone): bench/report.py.
  shift
  script=bench/report.py
elif [[ "${1:-}" == "--fleet-restore" ]]; then
  # The fleet restore (ddb-backup alone): bench/fleet_restore.py.
  shift
  script=bench/fleet_restore.py
fi
exec "$emu_py" "$script" --bin "$root/target/release/ddb-backup" \
  --emulator-python "$emu_py" --baseline-python "$venv/bin/python" "$@"
