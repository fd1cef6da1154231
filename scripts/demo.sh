#!/usr/bin/env bash
# See ddb-backup work without an AWS account: starts the local DynamoDB emulator, creates
# a sample table with a month of aged backups, and runs backup, list, prune --dry-run,
# prune and restore against it, then one run across two accounts and two regions (the
# emulator's STS assumes roles into other account ids). Needs only the Rust toolchain and Python 3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="$(scripts/emulator-env.sh)"
echo "== building ddb-backup"
cargo build --release --quiet --locked
BIN="$PWD/target/release/ddb-backup"

workdir="$(mktemp -d)"
"$PY" tests/emulator/ddb_emulator.py --port 0 --port-file "$workdir/port" >/dev/null &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 100); do [[ -s "$workdir/port" ]] && break; sleep 0.1; done
port="$(cat "$workdir/port")"

# The emulator accepts any credentials; nothing here reaches AWS.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB
export HOME="$workdir"
run() { echo; echo "\$ ddb-backup $*"; "$BIN" --endpoint-url "http://127.0.0.1:$port" "$@"; }

echo "== emulator on 127.0.0.1:$port: table demo-orders with 30 daily backups made by ddb-backup"
"$PY" - "$port" <<'PYEOF'
import json, sys, time, urllib.request
port = sys.argv[1]
def ctl(cmd, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/_emu/{cmd}", data=json.dumps(body).encode(), method="POST")
    return json.loads(urllib.request.urlopen(req).read())
ctl("create_tables", {"names": ["demo-orders"], "tags": {"backup": "daily"}})
now = time.time()
stamp = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
backups = [{"name": f"ddb-backup.demo-orders.{stamp(now - d * 86400 - 3600)}", "created": now - d * 86400 - 3600, "size": 1048576 * (d + 1)} for d in range(1, 31)]
backups.append({"name": "before-migration-by-hand", "created": now - 20 * 86400})
ctl("seed_backups", {"table": "demo-orders", "backups": backups})
PYEOF

run backup --table demo-orders --wait --output table
run list --table demo-orders --output table
run prune --table demo-orders --keep-daily 7 --keep-weekly 4 --dry-run --output table
run prune --table demo-orders --keep-daily 7 --keep-weekly 4 --output table
run restore --table demo-orders --latest --target demo-orders-restored --wait --output table
run check --table demo-orders --max-age 1d --output table
run config check --config examples/ddb-backup.toml --offline --output table

echo
echo "== the same table name in accounts 123456789012 and 222222222222, in us-east-1 and eu-west-1"
"$PY" - "$port" <<'PYEOF'
import json, sys, urllib.request
port = sys.argv[1]
def ctl(cmd, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/_emu/{cmd}", data=json.dumps(body).encode(), method="POST")
    return json.loads(urllib.request.urlopen(req).read())
for account in ("123456789012", "222222222222"):
    for region in ("us-east-1", "eu-west-1"):
        ctl("create_tables", {"names": ["demo-fleet"], "account": account, "region": region})
PYEOF
run --region us-east-1,eu-west-1 \
  --role-arn arn:aws:iam::123456789012:role/ddb-backup --role-arn arn:aws:iam::222222222222:role/ddb-backup \
  run --table demo-fleet --keep-daily 7 --output table
echo
echo "demo finished: backup, list, prune --dry-run, prune, restore and check ran against the local emulator, then one run across two accounts and two regions"
