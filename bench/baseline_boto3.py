"""Baseline (b): the blog's Lambda logic (back up, delete backups older than the
retention days) as a boto3 script, with its pagination done correctly.

    baseline_boto3.py backup TABLE...
    baseline_boto3.py prune TABLE DAYS
    baseline_boto3.py list TABLE...
"""

import datetime as dt
import sys

import boto3


def client():
    return boto3.client("dynamodb")


def backup(tables):
    ddb = client()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for t in tables:
        ddb.create_backup(TableName=t, BackupName=f"{t}-{stamp}")


def backups(ddb, table, **filters):
    args = {"TableName": table, "BackupType": "USER", "Limit": 100, **filters}
    while True:
        page = ddb.list_backups(**args)
        yield from page.get("BackupSummaries", [])
        last = page.get("LastEvaluatedBackupArn")
        if not last:
            return
        args["ExclusiveStartBackupArn"] = last


def prune(table, days):
    ddb = client()
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=int(days))
    old = [b["BackupArn"] for b in backups(ddb, table, TimeRangeUpperBound=cutoff)]
    for arn in old:
        ddb.delete_backup(BackupArn=arn)


def list_all(tables):
    ddb = client()
    for t in tables:
        for _ in backups(ddb, t):
            pass


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    {"backup": lambda: backup(rest), "prune": lambda: prune(*rest), "list": lambda: list_all(rest)}[cmd]()
