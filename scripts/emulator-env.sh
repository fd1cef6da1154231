#!/usr/bin/env bash
# Creates (once) the project-local Python virtualenv that holds the DynamoDB emulator
# (moto, from PyPI) and prints the path of its python interpreter.
# Usage: PY=$(scripts/emulator-env.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DDB_BACKUP_VENV:-$root/.venv}"
req="$root/tests/emulator/requirements.txt"
stamp="$venv/.requirements.sha"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$stamp"
fi
echo "$venv/bin/python"
