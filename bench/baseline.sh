#!/bin/sh
# Baseline (a): what an operator scripts over the aws CLI. POSIX sh.
#   baseline.sh backup TABLE...          one create-backup per table
#   baseline.sh prune TABLE DAYS         delete USER backups older than DAYS days
#   baseline.sh list TABLE...            list-backups per table (the CLI pages itself)
set -eu
cmd="$1"; shift
case "$cmd" in
backup)
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  for t in "$@"; do
    aws dynamodb create-backup --table-name "$t" --backup-name "$t-$stamp" --output text --query BackupDetails.BackupArn >/dev/null
  done
  ;;
prune)
  t="$1"; days="$2"
  cutoff="$(( $(date -u +%s) - days * 86400 ))"
  aws dynamodb list-backups --table-name "$t" --backup-type USER --time-range-upper-bound "$cutoff" \
      --query 'BackupSummaries[].BackupArn' --output text | tr '\t' '\n' | while read -r arn; do
    [ -n "$arn" ] && [ "$arn" != "None" ] || continue
    aws dynamodb delete-backup --backup-arn "$arn" --output text --query BackupDescription.BackupDetails.BackupStatus >/dev/null
  done
  ;;
list)
  for t in "$@"; do
    aws dynamodb list-backups --table-name "$t" --output json >/dev/null
  done
  ;;
*)
  echo "usage: baseline.sh backup|prune|list ..." >&2; exit 2
  ;;
esac
