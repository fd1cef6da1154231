#!/usr/bin/env bash
# Builds the AWS Lambda function: target/lambda/ddb-backup/bootstrap.zip, a `bootstrap`
# executable for the provided.al2023 runtime on x86_64, from the `ddb-backup-lambda` binary
# of this crate (cargo feature `lambda`).
#
#   scripts/build-lambda.sh            release build (what you deploy)
#   scripts/build-lambda.sh --debug    the dev-profile binary of the test build (what the
#                                      test suite runs: built by `cargo test --no-run`, so
#                                      the SDK is compiled once, with the tests' features)
#
# provided.al2023 has glibc 2.34: the build fails if the executable needs a newer one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=release
dir=release
if [[ "${1:-}" == "--debug" ]]; then
  profile=dev
  dir=debug
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/build-lambda.sh [--debug]" >&2
  exit 2
fi
if [[ "$(uname -m)" != "x86_64" ]]; then
  echo "error: the function is built for x86_64 (provided.al2023); this machine is $(uname -m)" >&2
  exit 1
fi

if [[ "$profile" == dev ]]; then
  cargo test --no-run --locked --features lambda --test it
else
  cargo build --locked --profile "$profile" --features lambda --bin ddb-backup-lambda
fi

exe="target/$dir/ddb-backup-lambda"
max_glibc="2.34"
if command -v objdump >/dev/null 2>&1; then
  needed="$(objdump -T "$exe" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
  if [[ -n "$needed" && "$(printf '%s\n%s\n' "$needed" "$max_glibc" | sort -V | tail -1)" != "$max_glibc" ]]; then
    echo "error: $exe needs glibc $needed; provided.al2023 has $max_glibc" >&2
    exit 1
  fi
else
  echo "warning: objdump not found: the executable's glibc version was not checked" >&2
fi

out="target/lambda/ddb-backup"
mkdir -p "$out"
cp "$exe" "$out/bootstrap"
chmod 755 "$out/bootstrap"
python3 - "$out" <<'PY'
import sys, zipfile
out = sys.argv[1]
info = zipfile.ZipInfo("bootstrap", date_time=(2020, 1, 1, 0, 0, 0))
info.external_attr = 0o100755 << 16  # a regular, executable file
info.compress_type = zipfile.ZIP_DEFLATED
with open(f"{out}/bootstrap", "rb") as src, zipfile.ZipFile(f"{out}/bootstrap.zip", "w") as z:
    z.writestr(info, src.read())
PY
echo "built $out/bootstrap.zip ($(du -h "$out/bootstrap.zip" | cut -f1), x86_64, provided.al2023)"
