#!/usr/bin/env python3
"""A DynamoDB emulator for ddb-backup's end-to-end tests, demo and benchmark.

moto (in server mode) provides tables and backups. Its backup support differs from
DynamoDB in ways that matter to a backup tool, so this layer, which sits in front of
moto's WSGI application, closes the gaps:

* ListBackups pages like DynamoDB: at most ``Limit`` (default and maximum 100) summaries a
  page, ordered by creation time, ``LastEvaluatedBackupArn`` while more remain,
  ``ExclusiveStartBackupArn`` to continue, and the ``BackupType`` (USER by default) and
  ``TimeRangeLowerBound`` (inclusive) / ``TimeRangeUpperBound`` (exclusive) filters.
* Backups can be seeded with a chosen creation time, status and type (tests need a year
  of daily backups, SYSTEM and AWS_BACKUP ones, and CREATING ones).
* New backups can stay CREATING for a configurable time, as real ones do.
* A clock offset (``config`` ``clock_offset_seconds``, may be negative): backups made
  by CreateBackup get the creation time "real now + offset", every answer's ``Date``
  header is on that clock too (as DynamoDB's responses carry its own), so a test can run the tool
  under faketime at a simulated date and see backups made "on that day". Seeded backups
  keep their explicit ``created``; the CREATING hold stays measured in real time.
* Restores: a restored table can stay CREATING for a while (``restore_creating_seconds``;
  DeleteTable is refused meanwhile, as DynamoDB does) and can lose items
  (``restore_drop_items``, for drills that must notice a bad restore).
* DescribeBackup / DeleteBackup / RestoreTableFromBackup answer BackupNotFoundException
  and BackupInUseException like DynamoDB instead of failing with a server error.
* DescribeBackup answers carry ``SourceTableFeatureDetails`` with the backed-up table's
  ``GlobalSecondaryIndexes`` and ``LocalSecondaryIndexes`` (empty lists when it had none),
  which moto leaves out; ``config`` ``describe_backup_without_features`` strips
  ``SourceTableFeatureDetails`` instead, as a description that lists no index details.
* Per-operation rate limits (token buckets, answering LimitExceededException), a
  round-trip latency, and injected faults (500, throttling, dropped connections, stalls)
  for the next k calls, a fraction of calls, or call number k (``lost_answer``: the operation
  is carried out, then answered with a 500, as when a connection breaks after DynamoDB
  acted). Besides DynamoDB errors a
  rule can answer like something that is not DynamoDB (``not_dynamo``: a 404 HTML page;
  ``plain_200``: 200 with a ``text/plain`` body ``hello``), or with a cursor that never
  advances (``stuck_cursor``: a valid page of ListBackups / ListTables /
  ListTagsOfResource whose LastEvaluatedBackupArn / LastEvaluatedTableName / NextToken
  is the request's own cursor, or on a first page that page's last item, so a client
  that does not guard its cursors pages forever).
* The Resource Groups Tagging API (GetResources), served by moto, is counted, limited and
  faulted like the DynamoDB operations; ``ghost_tables`` makes GetResources name tables
  that no longer exist, as the real API may after a tagged table is deleted.
* Listing anomalies (``listing_anomalies`` control: a list of rules), the answers a faulty
  endpoint or a man in the middle could give, so tests can show no such answer makes the
  tool delete more. A rule ``{"kind": K, "table": T}`` rewrites every ListBackups answer
  that holds T's newest backup: ``duplicate`` (that summary twice on its page),
  ``later_page`` (every continued page starts with the previous page's last summary
  again), ``redate`` (a second copy dated 400 days earlier), ``drop_field`` (``field``,
  e.g. BackupCreationDateTime, removed from it), ``foreign`` (a per-table listing of T also
  holds the newest backup of table ``other``; an account-wide one names ``other`` as its
  TableName). ListTables rules: ``tables_twice`` (the last page lists the first table
  again) and ``malformed_table`` (the last page also names ``bad/name``).
* Call counters per operation, so tests can assert how many calls were made (or none).

Test code drives it through a small JSON control API under ``/_emu/``; those requests
are never counted as DynamoDB calls.

Usage: ddb_emulator.py [--port N] [--port-file PATH]
Prints ``PORT <n>`` on stdout once it accepts connections.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import email.utils
import itertools
import json
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Backup
from moto.iam.models import get_account_id_from
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.test import Client

ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"
# The documented per-operation limits (calls per second) of the backup control plane.
DOCUMENTED_LIMITS = {
    "CreateBackup": 50.0,
    "DeleteBackup": 10.0,
    "DescribeBackup": 10.0,
    "ListBackups": 5.0,
    "RestoreTableFromBackup": 10.0,
}
REGION_RE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
KEY_RE = re.compile(r"Credential=([^/]+)/")


# --------------------------------------------------------------------------- state


class State:
    """Everything the layer adds on top of moto, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.moto_lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.creating_seconds = 0.0
            self.clock_offset = 0.0
            self.latency_ms = 0.0
            self.limits: dict[str, float] = {}
            self.burst: dict[str, float] = {}
            self.buckets: dict[str, list[float]] = {}
            self.rules: list[dict[str, Any]] = []
            self.calls: dict[str, int] = {}
            # Calls per "account/region", then per operation.
            self.calls_at: dict[str, dict[str, int]] = {}
            # STS calls (AssumeRole, GetCallerIdentity), apart from the DynamoDB counters.
            self.sts_calls: dict[str, int] = {}
            self.throttled: dict[str, int] = {}
            self.faulted: dict[str, int] = {}
            self.log: list[dict[str, Any]] = []
            self.rng = random.Random(7)
            # Bumped by every change to backups; invalidates the sorted listing index.
            self.version = 0
            self.index: dict[Any, Any] = {}
            self.index_version = -1
            # Tables GetResources still names after they were deleted (as the real API may).
            self.ghosts: list[dict[str, Any]] = []
            # Restores: how long a restored table stays CREATING, how many items a restore
            # loses (a test hook for drills that must notice), and the tables being restored.
            self.restore_creating_seconds = 0.0
            self.restore_drop_items = 0
            self.restoring: dict[Any, float] = {}
            # DescribeBackup answers without SourceTableFeatureDetails (see the docstring).
            self.describe_without_features = False
            # Rewrites of ListBackups / ListTables answers (see the module docstring).
            self.anomalies: list[dict[str, Any]] = []
            self.first_table = ""


STATE = State()


def changed() -> None:
    """Backups may have changed: the sorted listing index is rebuilt on the next listing."""
    with STATE.lock:
        STATE.version += 1


# ---------------------------------------------------------------- moto patches


def _status_get(self: Backup) -> str:
    status = self.__dict__.get("_status", "AVAILABLE")
    ready_at = self.__dict__.get("_ready_at")
    if status == "CREATING" and ready_at is not None and time.time() >= ready_at:
        status = "AVAILABLE"
        self.__dict__["_status"] = status
    return status


def _status_set(self: Backup, value: str) -> None:
    self.__dict__["_status"] = value


_backup_init = Backup.__init__


def _patched_init(self: Backup, *args: Any, **kwargs: Any) -> None:
    _backup_init(self, *args, **kwargs)
    offset = STATE.clock_offset
    if offset:
        # The simulated "now" of a backup made by CreateBackup (seed_backups sets its own
        # creation time afterwards). The identifier embeds the creation time, as moto's does.
        self.creation_date_time = dt.datetime.fromtimestamp(
            time.time() + offset, dt.timezone.utc
        ).replace(tzinfo=None)
        self.identifier = self._make_identifier()
        forget_key(self)
    hold = STATE.creating_seconds
    if hold > 0 and self.status == "AVAILABLE" and not kwargs.get("status"):
        self.__dict__["_status"] = "CREATING"
        self.__dict__["_ready_at"] = time.time() + hold


Backup.status = property(_status_get, _status_set)  # type: ignore[assignment]
Backup.__init__ = _patched_init  # type: ignore[method-assign]


# Where a request works: (account, region). moto keeps accounts apart by the access key
# (credentials from its STS AssumeRole belong to the role's account); so does this layer.
Place = tuple[str, str]


def backend(place: Place) -> Any:
    return dynamodb_backends[place[0]][place[1]]


def account_of(environ: dict[str, Any]) -> str:
    """The account of the request's access key, as moto decides it."""
    match = KEY_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return DEFAULT_ACCOUNT_ID
    return get_account_id_from(match.group(1))


def epoch(value: dt.datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def sort_key(b: Backup) -> tuple[float, str]:
    """Creation time, then ARN: ListBackups's order. Cached on the backup (a datetime to
    epoch conversion per backup per sort would make sorting tens of thousands slow); code
    that changes a creation time drops the cache with ``forget_key``."""
    key = b.__dict__.get("_sort_key")
    if key is None:
        key = (epoch(b.creation_date_time), b.arn)
        b.__dict__["_sort_key"] = key
    return key


def forget_key(b: Backup) -> None:
    b.__dict__.pop("_sort_key", None)


def index_update(place: Place, b: Backup, add: bool) -> None:
    """Keeps the sorted listing indexes current after one CreateBackup or DeleteBackup,
    instead of rebuilding them: a rebuild between every page of a listing would stall the
    server (and make paced clients look bursty)."""
    key = sort_key(b)
    with STATE.lock:
        if STATE.index_version != STATE.version:
            return
        for name in (None, b.table.name):
            entry = STATE.index.get((place, name))
            if entry is None:
                continue
            items, keys = entry
            if add:
                i = bisect.bisect_right(keys, key)
                keys.insert(i, key)
                items.insert(i, b)
            else:
                i = bisect.bisect_left(keys, key)
                if i < len(keys) and keys[i] == key:
                    del keys[i]
                    del items[i]


def summary(b: Backup) -> dict[str, Any]:
    out = {
        "TableName": b.table.name,
        "TableArn": b.table.table_arn,
        "TableId": getattr(b.table, "table_id", None) or "00000000-0000-0000-0000-000000000000",
        "BackupArn": b.arn,
        "BackupName": b.name,
        "BackupCreationDateTime": epoch(b.creation_date_time),
        "BackupStatus": b.status,
        "BackupType": b.type,
        "BackupSizeBytes": getattr(b, "size_bytes", 123),
    }
    if b.type == "SYSTEM":
        out["BackupExpiryDateTime"] = epoch(b.creation_date_time) + 35 * 86400
    return out


# --------------------------------------------------------------- responses


def http_date(timestamp: float | None = None) -> str:
    """The responses' Date header, on the emulator's clock (real time + clock offset), as
    DynamoDB's responses carry its own clock. The HTTP server writes it (see main)."""
    return email.utils.formatdate((timestamp or time.time()) + STATE.clock_offset, usegmt=True)


def json_response(start_response: Any, status: int, body: Any, error_type: str | None = None) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 500: "Internal Server Error"}.get(status, "Error")
    headers = [
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Content-Length", str(len(data))),
        ("x-amzn-RequestId", f"emu-{time.time_ns()}"),
    ]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(f"{status} {reason}", headers)
    return [data]


def dynamo_error(start_response: Any, status: int, code: str, message: str) -> list[bytes]:
    return json_response(
        start_response, status, {"__type": ERROR_PREFIX + code, "message": message}, code
    )


# ------------------------------------------------------------ DynamoDB handlers


def sorted_backups(place: Place, table: str | None) -> tuple[list[Backup], list[tuple[float, str]]]:
    """The backups of a region (or of one table), ordered as ListBackups returns them, and
    their sort keys. Cached until anything changes (STATE.version), so that a listing of
    tens of thousands of backups costs one page of work per call, as DynamoDB's does, and
    the emulator does not become the slowest part of a benchmark."""
    name = table.split(":table/", 1)[-1].split("/", 1)[0] if table else None
    with STATE.lock:
        if STATE.index_version != STATE.version:
            STATE.index, STATE.index_version = {}, STATE.version
        key = (place, name)
        if key not in STATE.index:
            items = list(backend(place).backups.values())
            if name:
                items = [b for b in items if b.table.name == name]
            items.sort(key=sort_key)
            STATE.index[key] = (items, [sort_key(b) for b in items])
        return STATE.index[key]


def list_backups(place: Place, body: dict[str, Any]) -> dict[str, Any]:
    limit = int(body.get("Limit", 100))
    if limit < 1 or limit > 100:
        raise ValueError("Limit must be between 1 and 100")
    wanted_type = body.get("BackupType", "USER")
    lower = body.get("TimeRangeLowerBound")
    upper = body.get("TimeRangeUpperBound")
    start = body.get("ExclusiveStartBackupArn")
    items, keys = sorted_backups(place, body.get("TableName"))
    first = bisect.bisect_right(keys, start_key(place, start)) if start else 0
    out: list[Backup] = []
    for b in itertools.islice(items, first, None):
        if wanted_type != "ALL" and b.type != wanted_type:
            continue
        created = epoch(b.creation_date_time)
        if lower is not None and created < float(lower):
            continue
        if upper is not None and created >= float(upper):
            continue
        out.append(b)
        if len(out) > limit:
            break
    page = out[:limit]
    response: dict[str, Any] = {"BackupSummaries": [summary(b) for b in page]}
    if len(out) > limit:
        response["LastEvaluatedBackupArn"] = page[-1].arn
    return response


def newest_arn(place: Place, table: str) -> str | None:
    items, _ = sorted_backups(place, table)
    return items[-1].arn if items else None


def rewrite_backups(place: Place, body: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    """Applies the listing anomaly rules to one ListBackups page."""
    summaries: list[dict[str, Any]] = page["BackupSummaries"]
    per_table = body.get("TableName")
    for rule in STATE.anomalies:
        kind = rule["kind"]
        if kind == "later_page":
            start = body.get("ExclusiveStartBackupArn")
            b = backend(place).backups.get(start) if start else None
            if b is not None:
                summaries.insert(0, summary(b))
            continue
        if kind not in ("duplicate", "redate", "drop_field", "foreign"):
            continue
        target = newest_arn(place, rule["table"])
        where = [i for i, s in enumerate(summaries) if s["BackupArn"] == target]
        if not where:
            continue
        i = where[0]
        s = summaries[i]
        if kind == "duplicate":
            summaries.insert(i + 1, dict(s))
        elif kind == "redate":
            copy = dict(s)
            copy["BackupCreationDateTime"] = s["BackupCreationDateTime"] - 400 * 86400
            summaries.insert(i + 1, copy)
        elif kind == "drop_field":
            s.pop(rule["field"], None)
        elif kind == "foreign":
            if per_table:
                other = newest_arn(place, rule["other"])
                if other:
                    summaries.append(summary(backend(place).backups[other]))
            else:
                s["TableName"] = rule["other"]
    return page


def rewrite_tables(page: dict[str, Any], first_page: bool) -> dict[str, Any]:
    """Applies the ListTables anomaly rules to one ListTables page."""
    names: list[str] = page.setdefault("TableNames", [])
    last = "LastEvaluatedTableName" not in page
    for rule in STATE.anomalies:
        if rule["kind"] == "tables_twice" and last and names:
            names.append(STATE.first_table if not first_page else names[0])
        if rule["kind"] == "malformed_table" and last:
            names.append("bad/name")
    if first_page and names:
        STATE.first_table = names[0]
    return page


def backup_features(place: Place, doc: dict[str, Any]) -> dict[str, Any]:
    """A DescribeBackup answer with the SourceTableFeatureDetails DynamoDB gives (the
    indexes of the table as backed up), or without any (``describe_backup_without_features``)."""
    desc = doc.get("BackupDescription", {})
    b = backend(place).backups.get(desc.get("BackupDetails", {}).get("BackupArn", ""))
    if STATE.describe_without_features or b is None:
        desc.pop("SourceTableFeatureDetails", None)
        return doc
    gsis = []
    for index in b.table.global_indexes:
        info = {k: v for k, v in index.describe().items()
                if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput") and v}
        gsis.append(info)
    lsis = [
        {k: v for k, v in index.describe().items() if k in ("IndexName", "KeySchema", "Projection")}
        for index in b.table.indexes
    ]
    desc["SourceTableFeatureDetails"] = {
        "GlobalSecondaryIndexes": gsis,
        "LocalSecondaryIndexes": lsis,
    }
    return doc


def start_key(place: Place, arn: str) -> tuple[float, str]:
    b = backend(place).backups.get(arn)
    if b is not None:
        return sort_key(b)
    # The start backup is gone (deleted meanwhile): its identifier starts with its
    # creation time in milliseconds, which is enough to continue after it.
    ident = arn.rsplit("/", 1)[-1]
    millis = ident.split("-", 1)[0]
    try:
        return (int(millis) / 1000.0, arn)
    except ValueError:
        return (0.0, arn)


def check_backup(place: Place, op: str, body: dict[str, Any]) -> tuple[str, str] | None:
    """DynamoDB's answers for a missing or busy backup, which moto lacks."""
    arn = body.get("BackupArn")
    if not arn:
        return None
    b = backend(place).backups.get(arn)
    if b is None:
        return ("BackupNotFoundException", f"Backup not found: {arn}")
    if op in ("DeleteBackup", "RestoreTableFromBackup") and b.status == "CREATING":
        return ("BackupInUseException", f"Backup is being created: {arn}")
    return None


# ---------------------------------------------------------- limits and faults


def take_token(op: str, place: Place) -> bool:
    """DynamoDB's limits are per account and region: so are the buckets."""
    with STATE.lock:
        rate = STATE.limits.get(op)
        if not rate:
            return True
        cap = STATE.burst.get(op, max(1.0, rate / 10.0))
        now = time.monotonic()
        key = (op, place)
        tokens, last = STATE.buckets.get(key, [cap, now])
        tokens = min(cap, tokens + (now - last) * rate)
        if tokens >= 1.0:
            STATE.buckets[key] = [tokens - 1.0, now]
            return True
        STATE.buckets[key] = [tokens, now]
        return False


def arrive(op: str, place: Place) -> int | None:
    """A call arrives: it is counted (overall and per account and region), waits the
    round trip, and takes a token of its operation's rate limit in its account and region.
    Its call number, or None when it is throttled."""
    with STATE.lock:
        call_no = STATE.calls.get(op, 0) + 1
        STATE.calls[op] = call_no
        where = STATE.calls_at.setdefault(f"{place[0]}/{place[1]}", {})
        where[op] = where.get(op, 0) + 1
    if STATE.latency_ms:
        time.sleep(STATE.latency_ms / 1000.0)
    if not take_token(op, place):
        with STATE.lock:
            STATE.throttled[op] = STATE.throttled.get(op, 0) + 1
        return None
    return call_no


def table_of(body: dict[str, Any]) -> str | None:
    """The table a request is about: TableName, or the table in a BackupArn."""
    if body.get("TableName"):
        return str(body["TableName"])
    arn = str(body.get("BackupArn", ""))
    if "/backup/" in arn:
        return arn.split(":table/", 1)[-1].split("/backup/", 1)[0]
    return None


def pick_fault(op: str, call_no: int, body: dict[str, Any]) -> dict[str, Any] | None:
    """The first matching fault rule. A rule names an ``op`` (or "*") and may narrow it
    by ``table`` (TableName, or the table of a BackupArn), ``later_pages`` (requests carrying ExclusiveStartBackupArn),
    ``calls`` (call numbers), ``from_call``, ``next`` (the next k matches) and ``fraction``."""
    with STATE.lock:
        for rule in STATE.rules:
            if rule.get("op") not in (op, "*"):
                continue
            if "table" in rule and table_of(body) != rule["table"]:
                continue
            if rule.get("later_pages") and not body.get("ExclusiveStartBackupArn"):
                continue
            if "calls" in rule and call_no not in rule["calls"]:
                continue
            if "from_call" in rule and call_no < rule["from_call"]:
                continue
            if "next" in rule:
                if rule["next"] <= 0:
                    continue
                rule["next"] -= 1
            if "fraction" in rule and STATE.rng.random() >= rule["fraction"]:
                continue
            return rule
    return None


def apply_fault(rule: dict[str, Any], environ: dict[str, Any], start_response: Any) -> list[bytes]:
    kind = rule["kind"]
    if kind == "stall":
        time.sleep(float(rule.get("seconds", 30)))
        return dynamo_error(start_response, 500, "InternalServerError", "stalled")
    if kind == "drop":
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        start_response("500 Internal Server Error", [("Content-Length", "0")])
        return [b""]
    codes = {
        "500": (500, "InternalServerError", "Internal server error"),
        "throttle": (400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
        "limit": (400, "LimitExceededException", "Too many operations for this account"),
        "backup_in_use": (400, "BackupInUseException", "Backup is in use"),
        "backup_not_found": (400, "BackupNotFoundException", "Backup not found"),
        "table_in_use": (400, "TableInUseException", "Table is in use"),
        "table_not_found": (400, "ResourceNotFoundException", "Requested resource not found"),
        "access_denied": (400, "AccessDeniedException", "User is not authorized to perform this action"),
    }
    if kind == "not_dynamo":
        page = (
            b"<html><head><title>404 Not Found</title></head>"
            b"<body><h1>Not Found</h1></body></html>\n"
        )
        start_response(
            "404 Not Found",
            [("Content-Type", "text/html"), ("Content-Length", str(len(page)))],
        )
        return [page]
    if kind == "plain_200":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"hello"]
    status, code, message = codes[kind]
    return dynamo_error(start_response, status, code, message)


STUCK_CURSOR_OPS = ("ListBackups", "ListTables", "ListTagsOfResource")


def stuck_cursor(moto_app: Any, place: Place, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """A valid page whose cursor does not advance: the request's own cursor, or on a first
    page that page's last item (also when nothing remains). A request whose page would be
    empty gets the first page instead, so every answer has items while any exist."""
    if op == "ListBackups":
        with STATE.moto_lock:
            page = list_backups(place, body)
            if not page["BackupSummaries"]:
                first = {k: v for k, v in body.items() if k != "ExclusiveStartBackupArn"}
                page = list_backups(place, first)
        items = page["BackupSummaries"]
        cursor = body.get("ExclusiveStartBackupArn") or (items[-1]["BackupArn"] if items else None)
        page.pop("LastEvaluatedBackupArn", None)
        if cursor:
            page["LastEvaluatedBackupArn"] = cursor
        return page
    cursor_in, cursor_out, items_key, item_id = {
        "ListTables": (
            "ExclusiveStartTableName", "LastEvaluatedTableName", "TableNames", lambda t: t
        ),
        "ListTagsOfResource": ("NextToken", "NextToken", "Tags", lambda t: t["Key"]),
    }[op]
    r = internal_call(moto_app, place, op, body)
    if r["status"] != 200 or not r["body"].get(items_key):
        first = {k: v for k, v in body.items() if k != cursor_in}
        r = internal_call(moto_app, place, op, first)
    if r["status"] != 200:
        raise ValueError(f"{op} failed: {r['body']}")
    page = r["body"]
    items = page.get(items_key, [])
    cursor = body.get(cursor_in) or (item_id(items[-1]) if items else None)
    page.pop(cursor_out, None)
    if cursor:
        page[cursor_out] = cursor
    return page


# -------------------------------------------------------------- control API


def control(cmd: str, body: dict[str, Any], moto_app: Any) -> Any:
    region = body.get("region", "us-east-1")
    account = str(body.get("account", DEFAULT_ACCOUNT_ID))
    place: Place = (account, region)
    if cmd == "reset":
        STATE.reset()
        Client(moto_app).post("/moto-api/reset")
        return {}
    if cmd == "config":
        with STATE.lock:
            if "creating_seconds" in body:
                STATE.creating_seconds = float(body["creating_seconds"])
            if "latency_ms" in body:
                STATE.latency_ms = float(body["latency_ms"])
            if "clock_offset_seconds" in body:
                STATE.clock_offset = float(body["clock_offset_seconds"])
            if "restore_creating_seconds" in body:
                STATE.restore_creating_seconds = float(body["restore_creating_seconds"])
            if "restore_drop_items" in body:
                STATE.restore_drop_items = int(body["restore_drop_items"])
            if "describe_backup_without_features" in body:
                STATE.describe_without_features = bool(body["describe_backup_without_features"])
            if body.get("documented_limits"):
                STATE.limits.update(DOCUMENTED_LIMITS)
            STATE.limits.update({k: float(v) for k, v in body.get("limits", {}).items()})
            STATE.burst.update({k: float(v) for k, v in body.get("burst", {}).items()})
            STATE.buckets.clear()
        return {
            "limits": STATE.limits,
            "burst": STATE.burst,
            "clock_offset_seconds": STATE.clock_offset,
        }
    if cmd == "listing_anomalies":
        with STATE.lock:
            STATE.anomalies = [dict(r) for r in body.get("rules", [])]
        return {}
    if cmd == "faults":
        with STATE.lock:
            STATE.rules = [dict(r) for r in body.get("rules", [])]
            if "seed" in body:
                STATE.rng = random.Random(body["seed"])
        return {}
    if cmd == "stats":
        with STATE.lock:
            return {
                "calls": dict(STATE.calls),
                "calls_at": {k: dict(v) for k, v in STATE.calls_at.items()},
                "sts_calls": dict(STATE.sts_calls),
                "throttled": dict(STATE.throttled),
                "faulted": dict(STATE.faulted),
                "log": list(STATE.log) if body.get("log") else [],
            }
    if cmd == "reset_stats":
        with STATE.lock:
            STATE.calls.clear()
            STATE.calls_at.clear()
            STATE.sts_calls.clear()
            STATE.throttled.clear()
            STATE.faulted.clear()
            STATE.log.clear()
        return {}
    if cmd == "call":
        return internal_call(moto_app, place, body["op"], body.get("body", {}))
    if cmd == "create_tables":
        out = []
        for name in body["names"]:
            req = {
                "TableName": name,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            }
            if body.get("tags"):
                req["Tags"] = [{"Key": k, "Value": v} for k, v in body["tags"].items()]
            out.append(internal_call(moto_app, place, "CreateTable", req)["status"])
        return {"statuses": out}
    if cmd == "seed_backups":
        be = backend(place)
        table = be.get_table(body["table"])
        arns = []
        with STATE.moto_lock:
            for spec in body["backups"]:
                b = Backup(
                    account,
                    region,
                    spec["name"],
                    table,
                    status=spec.get("status", "AVAILABLE"),
                    type_=spec.get("type", "USER"),
                )
                b.creation_date_time = dt.datetime.fromtimestamp(
                    float(spec["created"]), dt.timezone.utc
                ).replace(tzinfo=None)
                b.identifier = b._make_identifier()
                forget_key(b)
                b.size_bytes = int(spec.get("size", 123))
                be.backups[b.arn] = b
                arns.append(b.arn)
        changed()
        return {"arns": arns}
    if cmd == "ghost_tables":
        with STATE.lock:
            for name in body["names"]:
                STATE.ghosts.append({
                    "ResourceARN": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
                    "Tags": [{"Key": k, "Value": v} for k, v in body.get("tags", {}).items()],
                })
        return {}
    if cmd == "backups":
        items = sorted(backend(place).backups.values(), key=sort_key)
        table = body.get("table")
        return {
            "backups": [summary(b) for b in items if not table or b.table.name == table]
        }
    if cmd == "set_backup":
        b = backend(place).backups[body["arn"]]
        if "status" in body:
            b.status = body["status"]
        if "created" in body:
            b.creation_date_time = dt.datetime.fromtimestamp(
                float(body["created"]), dt.timezone.utc
            ).replace(tzinfo=None)
            forget_key(b)
        changed()
        return {}
    raise KeyError(f"unknown control command {cmd}")


def internal_call(moto_app: Any, place: Place, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """Runs one DynamoDB operation on moto in-process (uncounted, no faults)."""
    account, region = place
    headers = {
        "x-moto-account-id": account,
        "X-Amz-Target": f"DynamoDB_20120810.{op}",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/20260101/"
            f"{region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
        ),
        "Host": f"dynamodb.{region}.amazonaws.com",
    }
    with STATE.moto_lock:
        resp = Client(moto_app).post("/", headers=headers, data=json.dumps(body))
    if not op.startswith(("List", "Describe")):
        changed()
    text = resp.get_data(as_text=True)
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        parsed = {"raw": text}
    return {"status": resp.status_code, "body": parsed}


# ------------------------------------------------------------------ the app


class EmulatorApp:
    def __init__(self) -> None:
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        if path.startswith("/_emu/"):
            try:
                body = json.loads(raw) if raw else {}
                result = control(path[len("/_emu/"):], body, self.moto)
                return json_response(start_response, 200, result)
            except Exception as exc:  # the test sees the message
                return json_response(start_response, 500, {"error": repr(exc)})
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("ResourceGroupsTaggingAPI_"):
            return self.tagging(environ, start_response, raw, target.split(".", 1)[1])
        if "/sts/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            return self.sts(environ, start_response, raw)
        if not target.startswith("DynamoDB_"):
            return self.pass_through(environ, start_response, raw)
        op = target.split(".", 1)[1]
        match = REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region = match.group(1) if match else "us-east-1"
        place: Place = (account_of(environ), region)
        call_no = arrive(op, place)
        if call_no is None:
            return dynamo_error(
                start_response, 400, "LimitExceededException",
                f"Too many {op} requests: the rate limit is {STATE.limits[op]:g}/s",
            )
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        rule = pick_fault(op, call_no, body)
        # "lost_answer": the operation is done, then its answer is lost (a 500), as when a
        # connection breaks after DynamoDB acted: a retry must not do it twice.
        lost = rule is not None and rule["kind"] == "lost_answer"
        if lost:
            with STATE.lock:
                STATE.faulted[op] = STATE.faulted.get(op, 0) + 1
            rule = None
        if rule is not None and (rule["kind"] != "stuck_cursor" or op in STUCK_CURSOR_OPS):
            with STATE.lock:
                STATE.faulted[op] = STATE.faulted.get(op, 0) + 1
            if rule["kind"] == "stuck_cursor":
                try:
                    page = stuck_cursor(self.moto, place, op, body)
                    return json_response(start_response, 200, page)
                except ValueError as exc:
                    return dynamo_error(start_response, 400, "ValidationException", str(exc))
            return apply_fault(rule, environ, start_response)
        with STATE.lock:
            STATE.log.append({"op": op, "t": time.time(), "arn": body.get("BackupArn")})
        if op == "ListBackups":
            try:
                with STATE.moto_lock:
                    page = rewrite_backups(place, body, list_backups(place, body))
                    return json_response(start_response, 200, page)
            except ValueError as exc:
                return dynamo_error(start_response, 400, "ValidationException", str(exc))
        if op in ("DescribeBackup", "DeleteBackup", "RestoreTableFromBackup"):
            with STATE.moto_lock:
                problem = check_backup(place, op, body)
            if problem:
                return dynamo_error(start_response, 400, problem[0], problem[1])
        if op == "DescribeBackup" and not lost:
            return self.rewritten(environ, start_response, raw,
                                  lambda doc: backup_features(place, doc))
        still_creating = STATE.restoring.get((place, body.get("TableName")), 0) > time.time()
        if op == "DeleteTable" and still_creating:
            return dynamo_error(start_response, 400, "ResourceInUseException",
                                f"Table is being created: {body.get('TableName')}")
        if op == "ListTables" and STATE.anomalies:
            first = "ExclusiveStartTableName" not in body
            return self.rewritten(environ, start_response, raw,
                                  lambda doc: rewrite_tables(doc, first))
        if op == "DescribeTable" and still_creating:
            def creating(doc: dict[str, Any]) -> dict[str, Any]:
                doc["Table"]["TableStatus"] = "CREATING"
                return doc

            return self.rewritten(environ, start_response, raw, creating)
        doomed = backend(place).backups.get(body.get("BackupArn", "")) if op == "DeleteBackup" else None
        # A lost answer is not started: the 500 below is the one answer.
        quiet = lambda _status, _headers, _exc_info=None: (lambda _data: None)  # noqa: E731
        answer = self.pass_through(environ, quiet if lost else start_response, raw)
        if op == "CreateBackup":
            try:
                arn = json.loads(b"".join(answer))["BackupDetails"]["BackupArn"]
                index_update(place, backend(place).backups[arn], add=True)
            except (ValueError, KeyError, TypeError):
                changed()
        elif op == "DeleteBackup":
            if doomed is not None and doomed.arn not in backend(place).backups:
                index_update(place, doomed, add=False)
        elif not op.startswith(("List", "Describe")):
            changed()
        if op in ("RestoreTableFromBackup", "RestoreTableToPointInTime"):
            self.restored(place, str(body.get("TargetTableName", "")))
        if lost:
            return dynamo_error(start_response, 500, "InternalServerError", "the answer was lost")
        return answer

    def rewritten(self, environ: dict[str, Any], start_response: Any, raw: bytes,
                  edit: Any) -> list[bytes]:
        """moto's answer, its JSON document changed by ``edit`` when it succeeded."""
        got: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            got["status"], got["headers"] = status, headers
            return lambda _data: None

        data = b"".join(self.pass_through(environ, keep, raw))
        if got["status"].startswith("200"):
            return json_response(start_response, 200, edit(json.loads(data)))
        start_response(got["status"], got["headers"])
        return [data]

    def tagging(self, environ: dict[str, Any], start_response: Any, raw: bytes, op: str) -> Any:
        """The Resource Groups Tagging API: counted, rate-limited and faulted like DynamoDB's
        operations; moto answers, and GetResources's first page also names the ghost tables
        (deleted, but still tagged) that match its tag filters."""
        match = REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        place: Place = (account_of(environ), match.group(1) if match else "us-east-1")
        call_no = arrive(op, place)
        if call_no is None:
            return json_response(
                start_response, 400,
                {"__type": "ThrottledException", "Message": "Rate exceeded"}, "ThrottledException",
            )
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        rule = pick_fault(op, call_no, body)
        if rule is not None and rule["kind"] != "stuck_cursor":
            with STATE.lock:
                STATE.faulted[op] = STATE.faulted.get(op, 0) + 1
            return apply_fault(rule, environ, start_response)
        with STATE.lock:
            STATE.log.append({"op": op, "t": time.time(), "arn": None})
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        data = b"".join(self.pass_through(environ, capture, raw))
        if op == "GetResources" and captured["status"].startswith("200"):
            page = json.loads(data or b"{}")
            if not body.get("PaginationToken"):
                wanted = {f["Key"]: set(f.get("Values", [])) for f in body.get("TagFilters", [])}
                prefix = f"arn:aws:dynamodb:{place[1]}:{place[0]}:"
                for ghost in (g for g in STATE.ghosts if g["ResourceARN"].startswith(prefix)):
                    tags = {t["Key"]: t["Value"] for t in ghost["Tags"]}
                    if all(k in tags and (not v or tags[k] in v) for k, v in wanted.items()):
                        page.setdefault("ResourceTagMappingList", []).append(ghost)
            data = json.dumps(page).encode()
            captured["headers"] = [
                (k, str(len(data)) if k.lower() == "content-length" else v)
                for k, v in captured["headers"]
            ]
        start_response(captured["status"], captured["headers"])
        return [data]

    def restored(self, place: Place, target: str) -> None:
        """A table was restored: it stays CREATING for ``restore_creating_seconds``, and
        loses ``restore_drop_items`` items (a restore that went wrong, for drill tests)."""
        with STATE.lock:
            STATE.restoring[(place, target)] = time.time() + STATE.restore_creating_seconds
            drop = STATE.restore_drop_items
        if drop <= 0 or not target:
            return
        items = internal_call(self.moto, place, "Scan", {"TableName": target})["body"].get("Items", [])
        table = backend(place).get_table(target)
        keys = [k["AttributeName"] for k in table.schema]
        for item in items[:drop]:
            internal_call(self.moto, place, "DeleteItem",
                          {"TableName": target, "Key": {k: item[k] for k in keys if k in item}})

    def sts(self, environ: dict[str, Any], start_response: Any, raw: bytes) -> Any:
        """STS (moto answers): counted apart, and AssumeRole can be refused for a role with a
        fault rule ``{"op": "AssumeRole", "role": ARN, "kind": "access_denied"}``."""
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
        op = form.get("Action", ["?"])[0]
        with STATE.lock:
            STATE.sts_calls[op] = STATE.sts_calls.get(op, 0) + 1
            refused = None
            for rule in STATE.rules:
                if rule.get("op") == op and rule.get("role") in (None, form.get("RoleArn", [None])[0]):
                    refused = rule
                    break
        if refused is not None:
            message = (
                f"User is not authorized to perform: sts:AssumeRole on resource: "
                f"{form.get('RoleArn', ['?'])[0]}"
            )
            data = (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                f"<Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
                "</Error><RequestId>emu</RequestId></ErrorResponse>"
            ).encode()
            start_response("403 Forbidden", [("Content-Type", "text/xml"), ("Content-Length", str(len(data)))])
            return [data]
        return self.pass_through(environ, start_response, raw)

    def pass_through(self, environ: dict[str, Any], start_response: Any, raw: bytes) -> Any:
        import io

        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        with STATE.moto_lock:
            return list(self.moto(environ, start_response))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args()

    class Handler(MotoRequestHandler):
        def log_request(self, *a: Any, **k: Any) -> None:
            if args.verbose:
                super().log_request(*a, **k)

        def date_time_string(self, timestamp: float | None = None) -> str:
            # The one Date header of every answer, on the emulator's (offset) clock.
            return http_date(timestamp)

    server = make_server(args.host, args.port, EmulatorApp(), threaded=True, request_handler=Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file, "w") as fh:
            fh.write(str(port))
    print(f"PORT {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
