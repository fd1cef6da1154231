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
  (``restore_drop_items``, for drills that must notice a bad restore). At most
  ``max_restores_in_progress`` restores (requested, not ACTIVE yet) per account and region
  when set: one more is answered LimitExceededException, as DynamoDB's concurrent-restore
  quota does. A restore sent to region B naming a backup ARN of region A restores it
  (cross-Region restore). A point-in-time restore's RestoreSummary carries the time asked for.
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
  e.g. BackupCreationDateTime, removed from it), ``zero_date`` (dated 1970), ``bad_status``
  (``available`` in lower case), ``other_account`` (a copy under another account's ARN),
  ``redate_oldest`` (T's oldest backup re-dated, in place, to a minute ago), ``foreign`` (a per-table listing of T also
  holds the newest backup of table ``other``; an account-wide one names ``other`` as its
  TableName). ListTables rules: ``tables_twice`` (the last page lists the first table
  again) and ``malformed_table`` (the last page also names ``bad/name``).
* Call counters per operation, so tests can assert how many calls were made (or none).
* Table settings moto ignores, as DynamoDB keeps them: ``TableClass`` (CreateTable,
  UpdateTable; DescribeTable's ``TableClassSummary``, shown once a class was set),
  ``OnDemandThroughput`` of tables and global secondary indexes, an on-demand table's zero
  provisioned capacity, and the restores' ``BillingModeOverride``,
  ``ProvisionedThroughputOverride``, ``OnDemandThroughputOverride`` and
  ``GlobalSecondaryIndexOverride`` (only the named indexes, each with its capacity),
  checked like DynamoDB checks them; a restored table is of class STANDARD and keeps the
  source's on-demand throughput unless overridden. PITR's ``RecoveryPeriodInDays`` must be
  1..35 (moto keeps it, 35 by default).
* Kinesis streaming destinations (Enable/Disable/Update/DescribeKinesisStreamingDestination:
  ACTIVE at once, a disabled one listed as DISABLED) and contributor insights
  (Update/Describe/ListContributorInsights, of a table or a global secondary index: ENABLED
  or DISABLED at once), which moto lacks; both go with the table, and so do its
  resource-based policies (moto keeps them for a new table of the same name) and its
  Application Auto Scaling targets, policies (with their alarms) and scheduled actions.
* Tags: TagResource (and CreateTable) refuse the whole request when a key starts with the
  reserved ``aws:`` prefix; a tag key set again keeps one value (moto adds a second);
  ``plant_system_tags`` (``{"table": T, "tags": {K: V}}``) sets tags only AWS can set,
  such as ``aws:cloudformation:stack-name``.
* Application Auto Scaling (JSON) and CloudWatch (the Smithy RPC v2 CBOR that recent SDKs
  speak, translated to and from moto's JSON, or JSON) on the same endpoint, counted, limited
  and faulted like DynamoDB's operations; a fault rule with ``service``
  (``application-autoscaling``, ``cloudwatch``, ``tagging``, ``dynamodb``) and no ``op``
  hits every operation of that service, and ``access_denied`` names the denied action. The
  scaling listings and DescribeAlarms are paged here (moto's paging repeats pages, or
  there is none), a dynamodb scalable target needs its table or index, a target without a
  role gets the service-linked one, deregistering a target removes its policies and
  scheduled actions, and a target tracking policy's alarms carry the table's (and index's)
  dimensions. ``config`` ``page_limits`` (``{op: n}``) makes these listings' pages
  smaller; ``aws_call`` (``{"service", "op", "body"}``) runs one of these operations
  uncounted, as ``call`` does for DynamoDB.

Exports to S3 (full and incremental, with DynamoDB's manifest files), ImportTable's
source files and S3 faults: see exports_layer.py.

Test code drives it through a small JSON control API under ``/_emu/``; those requests
are never counted as DynamoDB calls.

Usage: ddb_emulator.py [--port N] [--port-file PATH]
Prints ``PORT <n>`` on stdout once it accepts connections.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import datetime as dt
import email.utils
import itertools
import json
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from typing import Any

from moto.applicationautoscaling.models import (
    FakeApplicationAutoscalingPolicy,
    applicationautoscaling_backends,
)
from moto.applicationautoscaling.responses import (
    _build_policy,
    _build_scheduled_action,
    _build_target,
)
from moto.cloudwatch.models import Dimension, cloudwatch_backends
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

import exports_layer

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
            # The concurrent-restore quota per account and region (0: none), and the restore
            # requests being carried out now, per place (counted against it).
            self.max_restores = 0
            self.restores_requested: dict[Any, int] = {}
            # The most restores in progress seen at once, per "account/region" (``stats``).
            self.peak_restores: dict[str, int] = {}
            # Backups of another region lent to a cross-Region restore: (place, arn) -> users.
            self.lent: dict[Any, int] = {}
            # DescribeBackup answers without SourceTableFeatureDetails (see the docstring).
            self.describe_without_features = False
            # Rewrites of ListBackups / ListTables answers (see the module docstring).
            self.anomalies: list[dict[str, Any]] = []
            self.first_table = ""
            # The most items one page of a listing this layer pages holds, per operation
            # (``config`` ``page_limits``), below the API's own maximum.
            self.page_limits: dict[str, int] = {}


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
                # A listing may have rebuilt the index between moto's answer and this
                # update: the backup is then in it already, and is never added twice.
                i = bisect.bisect_left(keys, key)
                if i < len(keys) and keys[i] == key:
                    continue
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
        if kind == "redate_oldest":
            # The table's oldest backup dated a minute ago, in place: it looks the newest.
            mine = [x for x in summaries if x.get("TableName") == rule["table"]]
            if mine:
                oldest = min(mine, key=lambda x: x["BackupCreationDateTime"])
                oldest["BackupCreationDateTime"] = time.time() + STATE.clock_offset - 60
            continue
        if kind not in ("duplicate", "redate", "drop_field", "foreign", "zero_date",
                        "other_account", "bad_status"):
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
        elif kind == "zero_date":
            s["BackupCreationDateTime"] = 0
        elif kind == "bad_status":
            s["BackupStatus"] = "available"
        elif kind == "other_account":
            copy = dict(s)
            account = s["BackupArn"].split(":")[4]
            copy["BackupArn"] = s["BackupArn"].replace(f":{account}:", ":999999999999:")
            summaries.insert(i + 1, copy)
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


def lend_backup(place: Place, op: str, raw: bytes) -> Any:
    """A cross-Region restore: the backup ARN names another region of the same account.
    Its backup is lent to this region's backend while the request is carried out (moto
    restores only backups of its own region). The loan, to give back, or None."""
    if op != "RestoreTableFromBackup":
        return None
    try:
        arn = str(json.loads(raw).get("BackupArn", ""))
    except (ValueError, AttributeError):
        return None
    parts = arn.split(":")
    if len(parts) < 6 or parts[3] == place[1]:
        return None
    with STATE.moto_lock:
        b = backend((place[0], parts[3])).backups.get(arn)
        if b is None:
            return None
        key = (place, arn)
        STATE.lent[key] = STATE.lent.get(key, 0) + 1
        backend(place).backups[arn] = b
    return key


def lend_table(place: Place, op: str, raw: bytes) -> tuple[Any, bytes]:
    """A cross-Region point-in-time restore: SourceTableArn names a table of another region
    of the same account (moto takes only a SourceTableName of its own region). The table is
    lent to this region's backend under a name of its own while the request is carried
    out, and the request names it: the restored table's RestoreSummary still names the
    source's own ARN. The loan, to give back (or None), and the request to carry out."""
    if op != "RestoreTableToPointInTime":
        return None, raw
    try:
        body = json.loads(raw)
        arn = str(body.get("SourceTableArn", ""))
    except (ValueError, AttributeError):
        return None, raw
    parts = arn.split(":")
    if body.get("SourceTableName") or len(parts) < 6 or parts[3] == place[1]:
        return None, raw
    with STATE.moto_lock:
        table = find_table((place[0], parts[3]), arn)
        if table is None:
            return None, raw
        loan = f"ddb-emulator-loan-{uuid.uuid4().hex}"
        backend(place).tables[loan] = table
    del body["SourceTableArn"]
    body["SourceTableName"] = loan
    return ("table", place, loan), json.dumps(body).encode()


def give_back(key: Any) -> None:
    if key is None:
        return
    if key[0] == "table":
        with STATE.moto_lock:
            backend(key[1]).tables.pop(key[2], None)
        changed()
        return
    with STATE.moto_lock:
        STATE.lent[key] -= 1
        if STATE.lent[key] == 0:
            del STATE.lent[key]
            backend(key[0]).backups.pop(key[1], None)
    changed()


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
    """The table a request is about: TableName, the table in a BackupArn, or the table of an
    Application Auto Scaling ResourceId (table/T or table/T/index/I)."""
    if body.get("TableName"):
        return str(body["TableName"])
    resource = str(body.get("ResourceId", ""))
    if resource.startswith("table/"):
        return resource.split("/")[1]
    arn = str(body.get("BackupArn", ""))
    if "/backup/" in arn:
        return arn.split(":table/", 1)[-1].split("/backup/", 1)[0]
    return None


def pick_fault(op: str, call_no: int, body: dict[str, Any],
               service: str = "dynamodb") -> dict[str, Any] | None:
    """The first matching fault rule. A rule names an ``op`` (or "*") and may narrow it
    by ``table`` (TableName, or the table of a BackupArn), ``later_pages`` (requests carrying ExclusiveStartBackupArn),
    ``calls`` (call numbers), ``from_call``, ``next`` (the next k matches) and ``fraction``.
    A rule with a ``service`` (dynamodb, tagging, application-autoscaling, cloudwatch) only
    matches that service's operations, every one of them when it names no ``op``."""
    with STATE.lock:
        for rule in STATE.rules:
            if "service" in rule and rule["service"] != service:
                continue
            if rule.get("op", "*" if "service" in rule else None) not in (op, "*"):
                continue
            if "table" in rule and table_of(body) != rule["table"]:
                continue
            if rule.get("later_pages") and not (
                body.get("ExclusiveStartBackupArn") or body.get("ContinuationToken")
            ):
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
        exports_layer.EXPORTS.reset()
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
            if "max_restores_in_progress" in body:
                STATE.max_restores = int(body["max_restores_in_progress"])
            if "restore_drop_items" in body:
                STATE.restore_drop_items = int(body["restore_drop_items"])
            if "describe_backup_without_features" in body:
                STATE.describe_without_features = bool(body["describe_backup_without_features"])
            if body.get("documented_limits"):
                STATE.limits.update(DOCUMENTED_LIMITS)
            STATE.limits.update({k: float(v) for k, v in body.get("limits", {}).items()})
            STATE.burst.update({k: float(v) for k, v in body.get("burst", {}).items()})
            STATE.page_limits.update({k: int(v) for k, v in body.get("page_limits", {}).items()})
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
                "peak_restores": dict(STATE.peak_restores),
                "faulted": dict(STATE.faulted),
                "log": list(STATE.log) if body.get("log") else [],
            }
    if cmd == "reset_stats":
        with STATE.lock:
            STATE.calls.clear()
            STATE.calls_at.clear()
            STATE.sts_calls.clear()
            STATE.throttled.clear()
            STATE.peak_restores.clear()
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
    if cmd == "aws_call":
        # One Application Auto Scaling or CloudWatch operation (uncounted, no faults).
        try:
            status, doc = SERVICES[body["service"]][0](moto_app, place, body["op"], body.get("body", {}))
        except Refused as r:
            status, doc = r.status, {"__type": r.code, "message": r.message}
        return {"status": status, "body": doc}
    if cmd == "plant_system_tags":
        # Tags only AWS can set (aws:cloudformation:stack-name, ...) put on a table.
        with STATE.moto_lock:
            merge_tags(need_table(place, body["table"]), {str(k): str(v) for k, v in body["tags"].items()})
        return {}
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
    done = exports_layer.control(cmd, body, account, region)
    if done is not None:
        return done
    raise KeyError(f"unknown control command {cmd}")


def before_write(place: Place, op: str, body: dict[str, Any]) -> None:
    """Item writes leave dated snapshots of their tables, for exports at a point in time."""
    if op in exports_layer.WRITE_OPS:
        for name in exports_layer.tables_written(op, body):
            table = backend(place).tables.get(name)
            if table is not None:
                exports_layer.before_write(place, table)


def after_write(place: Place, op: str, body: dict[str, Any]) -> None:
    if op == "DeleteTable" and body.get("TableName"):
        exports_layer.forget_table(place, str(body["TableName"]))
    if op in exports_layer.WRITE_OPS:
        for name in exports_layer.tables_written(op, body):
            table = backend(place).tables.get(name)
            if table is not None:
                exports_layer.after_write(place, table, emu_now())


def internal_call(moto_app: Any, place: Place, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """Runs one DynamoDB operation in-process (uncounted, no faults): moto carries it out,
    with this layer's own operations and table settings, as a request over HTTP would."""
    try:
        own = own_answer(place, op, body)
    except Refused as r:
        return {"status": r.status, "body": {"__type": ERROR_PREFIX + r.code, "message": r.message}}
    if own is not None:
        return {"status": 200, "body": own}
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
        before_write(place, op, body)
        resp = Client(moto_app).post("/", headers=headers, data=json.dumps(body))
        after_write(place, op, body)
    if not op.startswith(("List", "Describe")):
        changed()
    text = resp.get_data(as_text=True)
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        parsed = {"raw": text}
    if resp.status_code == 200 and op in TABLE_OPS and isinstance(parsed, dict):
        parsed = after_table_op(place, op, body, parsed)
    return {"status": resp.status_code, "body": parsed}


# --------------------------------- table settings, and the services around a table
#
# Settings a restore does not carry, kept on moto's table objects (so they go with the
# table: a new table of the same name starts without them), and the parts of the
# Application Auto Scaling and CloudWatch APIs a table's settings live in.


class Refused(Exception):
    """A request answered with an error (400 unless said otherwise), as the service would."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
# The DynamoDB operations whose answers describe a table, and the key of that description.
TABLE_OPS = {
    "CreateTable": "TableDescription",
    "UpdateTable": "TableDescription",
    "DescribeTable": "Table",
    "DeleteTable": "TableDescription",
    "RestoreTableFromBackup": "TableDescription",
    "RestoreTableToPointInTime": "TableDescription",
}
RESTORE_OPS = ("RestoreTableFromBackup", "RestoreTableToPointInTime")
KINESIS_OPS = (
    "EnableKinesisStreamingDestination",
    "DisableKinesisStreamingDestination",
    "DescribeKinesisStreamingDestination",
    "UpdateKinesisStreamingDestination",
)
INSIGHTS_OPS = ("UpdateContributorInsights", "DescribeContributorInsights", "ListContributorInsights")
STREAM_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]{1,128}$")
PRECISIONS = ("MILLISECOND", "MICROSECOND")
INSIGHTS_MODES = ("ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS")


def emu_now() -> float:
    """Now on the emulator's clock (see ``clock_offset_seconds``)."""
    return time.time() + STATE.clock_offset


def find_table(place: Place, name_or_arn: Any) -> Any:
    name = str(name_or_arn or "").split(":table/", 1)[-1].split("/", 1)[0]
    return backend(place).tables.get(name)


def need_table(place: Place, name_or_arn: Any) -> Any:
    table = find_table(place, name_or_arn)
    if table is None:
        raise Refused("ResourceNotFoundException",
                      f"Requested resource not found: Table: {name_or_arn} not found")
    return table


def units(spec: dict[str, Any], keys: tuple[str, ...]) -> dict[str, int]:
    return {k: int(spec[k]) for k in keys if k in spec}


ON_DEMAND_KEYS = ("MaxReadRequestUnits", "MaxWriteRequestUnits")
PROVISIONED_KEYS = ("ReadCapacityUnits", "WriteCapacityUnits")


def refuse_reserved_tags(tags: list[dict[str, Any]]) -> None:
    """DynamoDB refuses a whole request naming a tag key with the reserved ``aws:`` prefix."""
    for tag in tags:
        key = str(tag.get("Key", ""))
        if key.lower().startswith("aws:"):
            raise Refused(
                "ValidationException",
                f"One or more parameter values were invalid: tag key '{key}' starts with the "
                "reserved prefix 'aws:', which only AWS may use",
            )


def merge_tags(table: Any, tags: dict[str, str]) -> None:
    """Sets tags on a table: a key it has gets the new value (DynamoDB keeps one value a key)."""
    for tag in table.tags:
        if tag["Key"] in tags:
            tag["Value"] = tags.pop(tag["Key"])
    table.tags.extend({"Key": k, "Value": v} for k, v in tags.items())


def own_answer(place: Place, op: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The answer of an operation this layer carries out itself (moto lacks it or differs
    from DynamoDB), None when moto answers. Raises Refused for a request DynamoDB refuses
    (checked here, before moto acts on it)."""
    with STATE.moto_lock:
        if op == "TagResource":
            tags = body.get("Tags") or []
            refuse_reserved_tags(tags)
            arn = str(body.get("ResourceArn", ""))
            table = next((t for t in backend(place).tables.values() if t.table_arn == arn), None)
            if table is None:
                raise Refused("ResourceNotFoundException",
                              f"Requested resource not found: ResourcArn: {arn} not found")
            merge_tags(table, {str(t["Key"]): str(t.get("Value", "")) for t in tags})
            return {}
        if op in KINESIS_OPS:
            return kinesis_destinations(place, op, body)
        if op in INSIGHTS_OPS:
            return contributor_insights(place, op, body)
        if op in exports_layer.EXPORT_OPS:
            return exports_layer.answer(
                place, op, body, lambda arn: find_table(place, arn), emu_now(), Refused
            )
        check_settings(place, op, body)
    return None


def check_settings(place: Place, op: str, body: dict[str, Any]) -> None:
    """The checks DynamoDB makes and moto does not, on requests moto then carries out."""
    if op in ("CreateTable", "UpdateTable"):
        cls = body.get("TableClass")
        if cls is not None and cls not in TABLE_CLASSES:
            raise Refused("ValidationException",
                          f"1 validation error detected: Value '{cls}' at 'tableClass' failed to "
                          f"satisfy constraint: Member must satisfy enum value set: {list(TABLE_CLASSES)}")
    if op == "CreateTable":
        refuse_reserved_tags(body.get("Tags") or [])
    if op == "UpdateContinuousBackups":
        spec = body.get("PointInTimeRecoverySpecification") or {}
        days = spec.get("RecoveryPeriodInDays")
        if days is not None and not 1 <= int(days) <= 35:
            raise Refused("ValidationException",
                          f"1 validation error detected: Value '{days}' at "
                          "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to "
                          "satisfy constraint: Member must have value between 1 and 35")
    if op == "DeleteResourcePolicy":
        arn = str(body.get("ResourceArn", ""))
        if find_table(place, arn) is not None and arn not in backend(place).resource_policies:
            raise Refused("PolicyNotFoundException",
                          f"Resource-based policy not found for the provided ResourceArn: {arn}")
    if op in RESTORE_OPS:
        check_restore(place, op, body)


def restore_source(place: Place, op: str, body: dict[str, Any]) -> Any:
    """The table a restore copies: the backup's copy of it, or the live source table."""
    if op == "RestoreTableFromBackup":
        b = backend(place).backups.get(str(body.get("BackupArn", "")))
        return b.table if b is not None else None
    return find_table(place, body.get("SourceTableName") or body.get("SourceTableArn"))


def check_restore(place: Place, op: str, body: dict[str, Any]) -> None:
    """A restore's overrides, checked like DynamoDB does before it starts."""
    src = restore_source(place, op, body)
    if src is None:
        return
    billing = body.get("BillingModeOverride") or src.billing_mode or "PROVISIONED"
    pt = body.get("ProvisionedThroughputOverride")
    invalid = "One or more parameter values were invalid: "
    if billing == "PAY_PER_REQUEST" and pt:
        raise Refused("ValidationException", invalid + "Neither ReadCapacityUnits nor "
                      "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
    if billing == "PROVISIONED" and src.billing_mode == "PAY_PER_REQUEST" and not pt:
        raise Refused("ValidationException", invalid + "ProvisionedThroughputOverride must be "
                      "specified when BillingModeOverride is PROVISIONED")
    source_indexes = {g.name: g for g in src.global_indexes}
    overrides = body.get("GlobalSecondaryIndexOverride")
    for spec in overrides or []:
        name = spec.get("IndexName")
        if name not in source_indexes:
            raise Refused("ValidationException", invalid + f"GlobalSecondaryIndexOverride names "
                          f"index {name}, which the source table does not have")
        if billing == "PAY_PER_REQUEST" and spec.get("ProvisionedThroughput"):
            raise Refused("ValidationException", invalid + "ProvisionedThroughput should not be "
                          f"specified for index: {name} when BillingMode is PAY_PER_REQUEST")
    if billing == "PROVISIONED":
        kept = overrides if overrides is not None else [{"IndexName": n} for n in source_indexes]
        for spec in kept:
            had = source_indexes[spec["IndexName"]].throughput.get("ReadCapacityUnits")
            if not spec.get("ProvisionedThroughput") and not had:
                raise Refused("ValidationException", invalid + "ProvisionedThroughput must be "
                              f"specified for index: {spec['IndexName']}")


def after_table_op(place: Place, op: str, body: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """After moto carried out a table operation: the settings it ignores are applied to the
    table (table class, on-demand throughput, a restore's overrides), and its description
    in the answer shows them. A deleted table's policy and auto scaling go with it."""
    desc = doc.get(TABLE_OPS[op])
    if not isinstance(desc, dict):
        return doc
    with STATE.moto_lock:
        if op == "DeleteTable":
            forget_table(place, str(desc.get("TableArn", "")), str(desc.get("TableName", "")))
            return doc
        table = find_table(place, desc.get("TableName"))
        if table is None:
            return doc
        if op == "CreateTable":
            create_settings(table, body)
        elif op == "UpdateTable":
            update_settings(table, body)
        elif op in RESTORE_OPS:
            restore_settings(place, op, body, table)
        describe_settings(table, desc)
    return doc


def index_named(table: Any, name: Any) -> Any:
    return next((g for g in table.global_indexes if g.name == name), None)


def create_settings(table: Any, body: dict[str, Any]) -> None:
    if body.get("TableClass"):
        table.emu_table_class = (body["TableClass"], None)
    if body.get("OnDemandThroughput"):
        table.emu_on_demand = units(body["OnDemandThroughput"], ON_DEMAND_KEYS)
    for spec in body.get("GlobalSecondaryIndexes") or []:
        g = index_named(table, spec.get("IndexName"))
        if g is not None and spec.get("OnDemandThroughput"):
            g.emu_on_demand = units(spec["OnDemandThroughput"], ON_DEMAND_KEYS)


def on_demand_only(table: Any) -> None:
    """An on-demand table (and its indexes) has no provisioned capacity."""
    table.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0}
    for g in table.global_indexes:
        g.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}


def update_settings(table: Any, body: dict[str, Any]) -> None:
    if body.get("TableClass"):
        table.emu_table_class = (body["TableClass"], emu_now())
    if body.get("OnDemandThroughput"):
        merged = dict(table.__dict__.get("emu_on_demand") or {})
        merged.update(units(body["OnDemandThroughput"], ON_DEMAND_KEYS))
        table.emu_on_demand = merged
    for change in body.get("GlobalSecondaryIndexUpdates") or []:
        spec = change.get("Update") or change.get("Create") or {}
        g = index_named(table, spec.get("IndexName"))
        if g is not None and spec.get("OnDemandThroughput"):
            merged = dict(g.__dict__.get("emu_on_demand") or {})
            merged.update(units(spec["OnDemandThroughput"], ON_DEMAND_KEYS))
            g.emu_on_demand = merged
    if body.get("BillingMode") == "PAY_PER_REQUEST":
        on_demand_only(table)
    elif body.get("BillingMode") == "PROVISIONED":
        table.__dict__.pop("emu_on_demand", None)
        for g in table.global_indexes:
            g.__dict__.pop("emu_on_demand", None)


def restore_settings(place: Place, op: str, body: dict[str, Any], table: Any) -> None:
    """A restored table as DynamoDB makes it: the source's billing mode and capacity unless
    overridden, the overrides' indexes only (each with its own capacity), table class
    STANDARD, and none of the source's streaming destinations or contributor insights."""
    src = restore_source(place, op, body)
    billing = body.get("BillingModeOverride") or (src.billing_mode if src is not None else None)
    # Without an override the table keeps moto's description, without a billing mode
    # summary, as DescribeBackup's SourceTableDetails here has no BillingMode either.
    if body.get("BillingModeOverride"):
        table.billing_mode = billing
    if body.get("ProvisionedThroughputOverride"):
        table.throughput = {**units(body["ProvisionedThroughputOverride"], PROVISIONED_KEYS),
                            "NumberOfDecreasesToday": 0}
    source_on_demand = src.__dict__.get("emu_on_demand") if src is not None else None
    if body.get("OnDemandThroughputOverride"):
        table.emu_on_demand = units(body["OnDemandThroughputOverride"], ON_DEMAND_KEYS)
    elif source_on_demand:
        table.emu_on_demand = dict(source_on_demand)
    else:
        table.__dict__.pop("emu_on_demand", None)
    table.emu_table_class = ("STANDARD", None)
    table.__dict__.pop("emu_kinesis", None)
    table.__dict__.pop("emu_insights", None)
    overrides = body.get("GlobalSecondaryIndexOverride")
    if overrides is not None:
        kept = []
        for spec in overrides:
            g = index_named(table, spec.get("IndexName"))
            if g is None:
                continue
            if spec.get("ProvisionedThroughput"):
                g.throughput = units(spec["ProvisionedThroughput"], PROVISIONED_KEYS)
            if spec.get("OnDemandThroughput"):
                g.emu_on_demand = units(spec["OnDemandThroughput"], ON_DEMAND_KEYS)
            if spec.get("WarmThroughput"):
                g.warm_throughput = {**spec["WarmThroughput"], "Status": "ACTIVE"}
            kept.append(g)
        table.global_indexes = kept
    if billing == "PAY_PER_REQUEST":
        on_demand_only(table)
    else:
        table.__dict__.pop("emu_on_demand", None)
        for g in table.global_indexes:
            g.__dict__.pop("emu_on_demand", None)


def describe_settings(table: Any, desc: dict[str, Any]) -> None:
    """A table description as DynamoDB gives it, from the table's current state."""
    if table.billing_mode:
        desc["BillingModeSummary"] = {"BillingMode": table.billing_mode}
    desc["ProvisionedThroughput"] = dict(table.throughput)
    cls = table.__dict__.get("emu_table_class")
    if cls:
        desc["TableClassSummary"] = {"TableClass": cls[0]}
        if cls[1] is not None:
            desc["TableClassSummary"]["LastUpdateDateTime"] = cls[1]
    if table.__dict__.get("emu_on_demand"):
        desc["OnDemandThroughput"] = dict(table.emu_on_demand)
    if "GlobalSecondaryIndexes" in desc:
        described = []
        for d in desc["GlobalSecondaryIndexes"]:
            g = index_named(table, d.get("IndexName"))
            if g is None:
                continue
            d["ProvisionedThroughput"] = dict(g.throughput)
            d["WarmThroughput"] = dict(g.warm_throughput)
            if g.__dict__.get("emu_on_demand"):
                d["OnDemandThroughput"] = dict(g.emu_on_demand)
            described.append(d)
        desc["GlobalSecondaryIndexes"] = described


def of_table(name: str) -> Any:
    """Whether an Application Auto Scaling resource id is the table's or one of its indexes'."""
    return lambda rid: rid == f"table/{name}" or str(rid).startswith(f"table/{name}/index/")


def forget_table(place: Place, arn: str, name: str) -> None:
    """A table was deleted: its resource-based policies go (a new table of the same name has
    none), and so do its scalable targets, scaling policies (with their alarms) and
    scheduled actions, as DynamoDB deletes them with the table."""
    policies = backend(place).resource_policies
    for key in [k for k in policies if k == arn or k.startswith(arn + "/")]:
        del policies[key]
    forget_scaling(place, of_table(name))


def forget_scaling(place: Place, mine: Any, dimension: str | None = None) -> None:
    """Removes the dynamodb scalable targets, scaling policies and scheduled actions whose
    resource id ``mine`` accepts (and of one dimension, when given)."""
    be = applicationautoscaling_backends[place[0]][place[1]]

    def gone(x: Any) -> bool:
        return (x.service_namespace == "dynamodb" and mine(x.resource_id)
                and (dimension is None or x.scalable_dimension == dimension))

    for targets in be.targets.values():
        for rid in [r for r, t in targets.items() if gone(t)]:
            del targets[rid]
    for key, policy in list(be.policies.items()):
        if gone(policy):
            policy.delete_alarms(place[0], place[1])
            del be.policies[key]
    be.scheduled_actions = [a for a in be.scheduled_actions if not gone(a)]


def kinesis_destinations(place: Place, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """Kinesis Data Streams destinations of a table (moto lacks them). A destination is
    ACTIVE at once; a disabled one stays listed as DISABLED, as DynamoDB lists it."""
    table = need_table(place, body.get("TableName"))
    dests: list[dict[str, Any]] = table.__dict__.setdefault("emu_kinesis", [])
    if op == "DescribeKinesisStreamingDestination":
        return {"TableName": table.name, "KinesisDataStreamDestinations": [dict(d) for d in dests]}
    arn = str(body.get("StreamArn", ""))
    if not STREAM_ARN_RE.match(arn):
        raise Refused("ValidationException", f"Invalid StreamArn: {arn}")
    found = next((d for d in dests if d["StreamArn"] == arn), None)
    conf_key = ("UpdateKinesisStreamingConfiguration" if op == "UpdateKinesisStreamingDestination"
                else "EnableKinesisStreamingConfiguration")
    conf = body.get(conf_key) or {}
    precision = conf.get("ApproximateCreationDateTimePrecision")
    if precision is not None and precision not in PRECISIONS:
        raise Refused("ValidationException",
                      f"Invalid ApproximateCreationDateTimePrecision: {precision}")
    answer: dict[str, Any] = {"TableName": table.name, "StreamArn": arn}
    if conf:
        answer[conf_key] = conf
    if op == "EnableKinesisStreamingDestination":
        if found is not None and found["DestinationStatus"] == "ACTIVE":
            raise Refused("ValidationException",
                          f"Table {table.name} is already streaming to the destination {arn}")
        if found is None:
            found = {"StreamArn": arn}
            dests.append(found)
        found["DestinationStatus"] = "ACTIVE"
        found.pop("ApproximateCreationDateTimePrecision", None)
        if precision:
            found["ApproximateCreationDateTimePrecision"] = precision
        return {**answer, "DestinationStatus": "ACTIVE"}
    if found is None or found["DestinationStatus"] != "ACTIVE":
        raise Refused("ValidationException",
                      f"Table {table.name} is not streaming to the destination {arn}")
    if op == "DisableKinesisStreamingDestination":
        found["DestinationStatus"] = "DISABLED"
        return {**answer, "DestinationStatus": "DISABLED"}
    if precision:
        found["ApproximateCreationDateTimePrecision"] = precision
    return {**answer, "DestinationStatus": found["DestinationStatus"]}


def contributor_insights(place: Place, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """CloudWatch Contributor Insights for DynamoDB, of a table or one of its global
    secondary indexes (moto lacks it). ENABLE and DISABLE take effect at once."""
    if op == "ListContributorInsights":
        return list_insights(place, body)
    table = need_table(place, body.get("TableName"))
    index = body.get("IndexName")
    if index is not None and index_named(table, index) is None:
        raise Refused("ResourceNotFoundException",
                      f"Requested resource not found: Index: {index} not found")
    state: dict[str, dict[str, Any]] = table.__dict__.setdefault("emu_insights", {})
    key = index or ""
    if op == "UpdateContributorInsights":
        action = body.get("ContributorInsightsAction")
        if action not in ("ENABLE", "DISABLE"):
            raise Refused("ValidationException",
                          f"Invalid ContributorInsightsAction: {action}")
        mode = body.get("ContributorInsightsMode")
        if mode is not None and mode not in INSIGHTS_MODES:
            raise Refused("ValidationException", f"Invalid ContributorInsightsMode: {mode}")
        entry = {"status": "ENABLED" if action == "ENABLE" else "DISABLED", "updated": emu_now()}
        if action == "ENABLE":
            entry["mode"] = mode or "ACCESSED_AND_THROTTLED_KEYS"
        state[key] = entry
    entry = state.get(key)
    answer: dict[str, Any] = {"TableName": table.name}
    if index is not None:
        answer["IndexName"] = index
    answer["ContributorInsightsStatus"] = entry["status"] if entry else "DISABLED"
    if entry and entry["status"] == "ENABLED":
        answer["ContributorInsightsMode"] = entry["mode"]
    if op == "DescribeContributorInsights" and entry:
        answer["LastUpdateDateTime"] = entry["updated"]
        if entry["status"] == "ENABLED":
            subject = table.name + (f"-{index}" if index else "")
            stamp = int(entry["updated"] * 1000)
            answer["ContributorInsightsRuleList"] = [
                f"DynamoDBContributorInsights-{kind}-{subject}-{stamp}" for kind in ("PKC", "PKT")
            ]
    return answer


def list_insights(place: Place, body: dict[str, Any]) -> dict[str, Any]:
    """ListContributorInsights: every table's (or one table's) insights, paged."""
    only = find_table(place, body.get("TableName")) if body.get("TableName") else None
    if body.get("TableName") and only is None:
        raise Refused("ResourceNotFoundException",
                      f"Requested resource not found: Table: {body['TableName']} not found")
    tables = [only] if only is not None else list(backend(place).tables.values())
    rows = []
    for table in tables:
        for key, entry in sorted(table.__dict__.get("emu_insights", {}).items()):
            row = {"TableName": table.name, "ContributorInsightsStatus": entry["status"]}
            if key:
                row["IndexName"] = key
            if entry["status"] == "ENABLED":
                row["ContributorInsightsMode"] = entry["mode"]
            rows.append(row)
    page, token = paged("ListContributorInsights", rows, body.get("MaxResults"), 100,
                        body.get("NextToken"))
    out: dict[str, Any] = {"ContributorInsightsSummaries": page}
    if token:
        out["NextToken"] = token
    return out


def paged(op: str, items: list[Any], wanted: Any, most: int, token: Any,
          field: str = "maxResults") -> tuple[list[Any], str | None]:
    """One page of a listing this layer pages: at most ``wanted`` (1..``most``, default
    ``most``) items, fewer under a ``page_limits`` entry; the token continues after it."""
    size = most if wanted is None else int(wanted)
    if not 1 <= size <= most:
        raise Refused("ValidationException",
                      f"1 validation error detected: Value '{wanted}' at '{field}' failed to "
                      f"satisfy constraint: Member must have value between 1 and {most}")
    size = min(size, STATE.page_limits.get(op, size))
    start = 0
    if token:
        text = str(token)
        if not text.startswith("emu-page-") or not text[9:].isdigit():
            raise Refused("ValidationException", f"Invalid NextToken: {text}")
        start = int(text[9:])
    page = items[start:start + size]
    more = start + size < len(items)
    return page, (f"emu-page-{start + size}" if more else None)


def without_nulls(value: Any) -> Any:
    """A JSON document without its null members (moto writes absent members as null)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def moto_json(moto_app: Any, place: Place, scope: str, target: str, op: str,
              body: dict[str, Any], version: str) -> tuple[int, dict[str, Any]]:
    """One operation of a JSON-protocol service carried out by moto in-process."""
    account, region = place
    headers = {
        "x-moto-account-id": account,
        "X-Amz-Target": f"{target}.{op}",
        "Content-Type": f"application/x-amz-json-{version}",
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/20260101/"
            f"{region}/{scope}/aws4_request, SignedHeaders=host, Signature=0"
        ),
        "Host": f"{scope}.{region}.amazonaws.com",
    }
    with STATE.moto_lock:
        resp = Client(moto_app).post("/", headers=headers, data=json.dumps(body))
    text = resp.get_data(as_text=True)
    try:
        doc = json.loads(text) if text else {}
    except ValueError:
        doc = {"__type": "InternalFailure", "message": text[:500]}
    if resp.status_code != 200 and not isinstance(doc, dict):
        doc = {"__type": "InternalFailure", "message": str(doc)}
    return resp.status_code, without_nulls(doc) if isinstance(doc, dict) else {}


AAS_LISTINGS = {
    # operation: (answer key, build, filters by (request key, item attribute, list?))
    "DescribeScalableTargets": ("ScalableTargets", _build_target,
                                (("ResourceIds", "resource_id", True),
                                 ("ScalableDimension", "scalable_dimension", False))),
    "DescribeScalingPolicies": ("ScalingPolicies", _build_policy,
                                (("PolicyNames", "policy_name", True),
                                 ("ResourceId", "resource_id", False),
                                 ("ScalableDimension", "scalable_dimension", False))),
    "DescribeScheduledActions": ("ScheduledActions", _build_scheduled_action,
                                 (("ScheduledActionNames", "scheduled_action_name", True),
                                  ("ResourceId", "resource_id", False),
                                  ("ScalableDimension", "scalable_dimension", False))),
}


def service_linked_role(account: str) -> str:
    return (f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling."
            "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable")


def autoscaling_call(moto_app: Any, place: Place, op: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Application Auto Scaling: moto answers, except that the listings are paged here
    (moto's paging repeats pages), a dynamodb target needs its table (or index) to exist,
    a target without a role gets the service-linked role, deregistering a target removes
    its policies and scheduled actions, and a target tracking policy's alarms are those
    DynamoDB's would be (the table's and index's dimensions, read or write metrics)."""
    be = applicationautoscaling_backends[place[0]][place[1]]
    dynamodb = body.get("ServiceNamespace") == "dynamodb"
    rid = str(body.get("ResourceId", ""))
    if op in AAS_LISTINGS:
        key, build, filters = AAS_LISTINGS[op]
        if body.get("ServiceNamespace") is None:
            raise Refused("ValidationException", "ServiceNamespace is required")
        with STATE.moto_lock:
            if op == "DescribeScalableTargets":
                items = [t for ts in be.targets.values() for t in ts.values()]
            elif op == "DescribeScalingPolicies":
                items = list(be.policies.values())
            else:
                items = list(be.scheduled_actions)
            items = [x for x in items if x.service_namespace == body["ServiceNamespace"]]
            for field, attr, many in filters:
                wanted = body.get(field)
                if wanted:
                    items = [x for x in items
                             if (getattr(x, attr) in wanted if many else getattr(x, attr) == wanted)]
            page, token = paged(op, items, body.get("MaxResults"), 50, body.get("NextToken"))
            out: dict[str, Any] = {key: [without_nulls(build(x)) for x in page]}
        if token:
            out["NextToken"] = token
        return 200, out
    if op == "RegisterScalableTarget" and dynamodb:
        parts = rid.split("/")
        with STATE.moto_lock:
            table = find_table(place, parts[1]) if len(parts) in (2, 4) and parts[0] == "table" else None
            index_ok = len(parts) == 2 or (table is not None and parts[2] == "index"
                                           and index_named(table, parts[3]) is not None)
            known = any(rid in ts for ts in be.targets.values())
        if table is None or not index_ok:
            raise Refused("ValidationException", f"DynamoDB resource {rid} does not exist")
        if not body.get("RoleARN") and not known:
            body = {**body, "RoleARN": service_linked_role(place[0])}
    status, doc = moto_json(moto_app, place, "application-autoscaling",
                            "AnyScaleFrontendService", op, body, "1.1")
    if status == 200 and dynamodb:
        with STATE.moto_lock:
            if op == "DeregisterScalableTarget":
                forget_scaling(place, lambda r: r == rid, str(body.get("ScalableDimension")))
            elif op == "PutScalingPolicy":
                dynamodb_alarms(place, body)
    return status, doc


ALARM_KINDS = ("-AlarmHigh-", "-AlarmLow-", "-ProvisionedCapacityHigh-", "-ProvisionedCapacityLow-")


def dynamodb_alarms(place: Place, body: dict[str, Any]) -> None:
    """Makes the alarms moto created for a target tracking policy look like DynamoDB's:
    named after the resource id, with the TableName (and GlobalSecondaryIndexName)
    dimensions and the read or write capacity metrics of the policy's dimension."""
    be = applicationautoscaling_backends[place[0]][place[1]]
    rid, dim = str(body.get("ResourceId", "")), str(body.get("ScalableDimension", ""))
    key = FakeApplicationAutoscalingPolicy.formulate_key("dynamodb", rid, dim, body.get("PolicyName"))
    policy = be.policies.get(key)
    parts = rid.split("/")
    if policy is None or len(parts) < 2:
        return
    unit = "Write" if "Write" in dim else "Read"
    dimensions = [Dimension("TableName", parts[1])]
    if len(parts) >= 4:
        dimensions.append(Dimension("GlobalSecondaryIndexName", parts[3]))
    cw = cloudwatch_backends[place[0]][place[1]]
    for alarm in policy.alarms:
        kind = next((k for k in ALARM_KINDS if k in alarm.name), None)
        if kind is None:
            continue
        name = f"TargetTracking-{rid}{kind}{alarm.name.split(kind, 1)[1]}"
        cw.alarms.pop(alarm.name, None)
        alarm.name = name
        alarm.alarm_arn = f"arn:aws:cloudwatch:{place[1]}:{place[0]}:alarm:{name}"
        alarm.metric_name = ("Provisioned" if "Provisioned" in kind else "Consumed") + f"{unit}CapacityUnits"
        alarm.dimensions = list(dimensions)
        cw.alarms[name] = alarm


def alarm_actions(alarm: dict[str, Any]) -> list[str]:
    return [a for k in ("AlarmActions", "OKActions", "InsufficientDataActions") for a in alarm.get(k, [])]


def cloudwatch_call(moto_app: Any, place: Place, op: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """CloudWatch: moto answers; DescribeAlarms is filtered and paged here as CloudWatch
    does (moto neither pages nor combines filters): by name, AlarmNames, AlarmNamePrefix,
    StateValue, ActionPrefix and AlarmTypes (metric alarms only by default), at most
    MaxRecords (1..100, default 50) a page, NextToken to continue."""
    if op != "DescribeAlarms":
        return moto_json(moto_app, place, "monitoring", CW_TARGET, op, body, "1.0")
    status, doc = moto_json(moto_app, place, "monitoring", CW_TARGET, op, {}, "1.0")
    if status != 200:
        return status, doc
    kinds = body.get("AlarmTypes") or ["MetricAlarm"]
    rows = [("MetricAlarms", a) for a in doc.get("MetricAlarms", []) if "MetricAlarm" in kinds]
    rows += [("CompositeAlarms", a) for a in doc.get("CompositeAlarms", []) if "CompositeAlarm" in kinds]
    names, prefix = body.get("AlarmNames"), body.get("AlarmNamePrefix")
    state, action = body.get("StateValue"), body.get("ActionPrefix")
    rows = [
        (k, a) for k, a in rows
        if (not names or a["AlarmName"] in names)
        and (not prefix or a["AlarmName"].startswith(prefix))
        and (not state or a.get("StateValue") == state)
        and (not action or any(x.startswith(action) for x in alarm_actions(a)))
    ]
    rows.sort(key=lambda r: r[1]["AlarmName"])
    page, token = paged(op, rows, body.get("MaxRecords"), 100, body.get("NextToken"), "maxRecords")
    out: dict[str, Any] = {"MetricAlarms": [a for k, a in page if k == "MetricAlarms"],
                           "CompositeAlarms": [a for k, a in page if k == "CompositeAlarms"]}
    if token:
        out["NextToken"] = token
    return 200, out


CW_TARGET = "GraniteServiceVersion20100801"
AAS_TARGET = "AnyScaleFrontendService"
CBOR_PATH_RE = re.compile(r"^/service/([A-Za-z0-9_]+)/operation/([A-Za-z0-9]+)$")
# A service this layer serves besides DynamoDB: its handler and its IAM prefix.
SERVICES = {
    "application-autoscaling": (autoscaling_call, "application-autoscaling"),
    "cloudwatch": (cloudwatch_call, "cloudwatch"),
}


def service_of(target: str, path: str) -> tuple[str, str, bool] | None:
    """(service, operation, CBOR?) of a request to Application Auto Scaling (JSON 1.1) or
    CloudWatch (Smithy RPC v2 CBOR, which recent SDKs speak, or JSON 1.0)."""
    if target.startswith(AAS_TARGET + "."):
        return "application-autoscaling", target.split(".", 1)[1], False
    if target.startswith(CW_TARGET + "."):
        return "cloudwatch", target.split(".", 1)[1], False
    match = CBOR_PATH_RE.match(path)
    if match and match.group(1) == CW_TARGET:
        return "cloudwatch", match.group(2), True
    return None


# ---- CBOR (RFC 8949), the subset Smithy RPC v2 uses: enough to read requests and write
# answers typed by the service's model (botocore's, installed with moto).


def cbor_decode(data: bytes) -> Any:
    if not data:
        return {}
    value, end = _cbor_item(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes after the CBOR item")
    return value


_BREAK = object()


def _cbor_item(d: bytes, i: int) -> tuple[Any, int]:
    if i >= len(d):
        raise ValueError("truncated CBOR")
    first = d[i]
    i += 1
    major, info = first >> 5, first & 31
    if first == 0xFF:
        return _BREAK, i
    if major == 7:
        if info in (20, 21):
            return info == 21, i
        if info in (22, 23):
            return None, i
        width = {25: (2, ">e"), 26: (4, ">f"), 27: (8, ">d")}.get(info)
        if width is None or i + width[0] > len(d):
            raise ValueError(f"unsupported CBOR simple value {info}")
        return struct.unpack(width[1], d[i:i + width[0]])[0], i + width[0]
    if info < 24:
        n: int | None = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if i + size > len(d):
            raise ValueError("truncated CBOR")
        n, i = int.from_bytes(d[i:i + size], "big"), i + size
    elif info == 31 and major in (2, 3, 4, 5):
        n = None
    else:
        raise ValueError(f"bad CBOR header {first:#x}")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - (n or 0), i
    if major in (2, 3):
        if n is None:
            chunks = []
            while True:
                chunk, i = _cbor_item(d, i)
                if chunk is _BREAK:
                    break
                chunks.append(chunk.encode() if isinstance(chunk, str) else chunk)
            raw = b"".join(chunks)
        else:
            if i + n > len(d):
                raise ValueError("truncated CBOR")
            raw, i = d[i:i + n], i + n
        return (raw.decode("utf-8") if major == 3 else raw), i
    if major == 4:
        items = []
        while n is None or len(items) < n:
            item, i = _cbor_item(d, i)
            if item is _BREAK:
                if n is None:
                    break
                raise ValueError("unexpected CBOR break")
            items.append(item)
        return items, i
    if major == 5:
        out: dict[Any, Any] = {}
        count = 0
        while n is None or count < n:
            key, i = _cbor_item(d, i)
            if key is _BREAK:
                if n is None:
                    break
                raise ValueError("unexpected CBOR break")
            out[key], i = _cbor_item(d, i)
            count += 1
        return out, i
    # major 6: a tag; timestamps (tag 1) read as their epoch seconds.
    return _cbor_item(d, i)


def cbor_encode(value: Any, shape: Any = None) -> bytes:
    out = bytearray()
    _cbor_put(out, value, shape)
    return bytes(out)


def _cbor_head(out: bytearray, major: int, n: int) -> None:
    if n < 24:
        out.append(major << 5 | n)
    else:
        size = 1 if n < 0x100 else 2 if n < 0x10000 else 4 if n < 0x100000000 else 8
        out.append(major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[size])
        out += n.to_bytes(size, "big")


def _cbor_put(out: bytearray, v: Any, shape: Any) -> None:
    kind = shape.type_name if shape is not None else None
    if v is None:
        out.append(0xF6)
    elif kind == "timestamp":
        if isinstance(v, str):
            v = epoch(dt.datetime.fromisoformat(v.replace("Z", "+00:00")))
        out.append(0xC1)
        out.append(0xFB)
        out += struct.pack(">d", float(v))
    elif kind in ("double", "float") or (kind is None and isinstance(v, float)):
        out.append(0xFB)
        out += struct.pack(">d", float(v))
    elif kind == "boolean" or isinstance(v, bool):
        out.append(0xF5 if v else 0xF4)
    elif kind in ("integer", "long", "short", "byte") or isinstance(v, int):
        n = int(v)
        _cbor_head(out, 0 if n >= 0 else 1, n if n >= 0 else -1 - n)
    elif kind == "blob" or isinstance(v, (bytes, bytearray)):
        raw = bytes(v) if isinstance(v, (bytes, bytearray)) else base64.b64decode(str(v))
        _cbor_head(out, 2, len(raw))
        out += raw
    elif isinstance(v, list):
        _cbor_head(out, 4, len(v))
        for item in v:
            _cbor_put(out, item, shape.member if kind == "list" else None)
    elif isinstance(v, dict):
        items = [(k, x) for k, x in v.items() if x is not None]
        _cbor_head(out, 5, len(items))
        for k, x in items:
            _cbor_put(out, str(k), None)
            sub = shape.members.get(k) if kind == "structure" else shape.value if kind == "map" else None
            _cbor_put(out, x, sub)
    else:
        raw = str(v).encode()
        _cbor_head(out, 3, len(raw))
        out += raw


_MODELS: dict[str, Any] = {}


def output_shape(service: str, op: str) -> Any:
    """The output shape of an operation in botocore's model of the service (None if unknown)."""
    if service not in _MODELS:
        import botocore.session

        _MODELS[service] = botocore.session.get_session().get_service_model(service)
    try:
        return _MODELS[service].operation_model(op).output_shape
    except Exception:  # an operation the model lacks: written untyped
        return None


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
        other = service_of(target, path)
        if other is not None:
            return self.service(environ, start_response, raw, *other)
        if target.startswith("ResourceGroupsTaggingAPI_"):
            return self.tagging(environ, start_response, raw, target.split(".", 1)[1])
        if "/sts/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            return self.sts(environ, start_response, raw)
        if "/s3/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            return self.s3(environ, start_response, raw)
        if not target.startswith("DynamoDB_"):
            return self.pass_through(environ, start_response, raw)
        op = target.split(".", 1)[1]
        match = REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region = match.group(1) if match else "us-east-1"
        place: Place = (account_of(environ), region)
        if op not in RESTORE_OPS:
            return self.dynamo(environ, start_response, raw, op, place)
        lent = lend_backup(place, op, raw)
        table_loan, raw = lend_table(place, op, raw)
        try:
            return self.restore(environ, start_response, raw, op, place)
        finally:
            give_back(lent)
            give_back(table_loan)

    def restore(self, environ: dict[str, Any], start_response: Any, raw: bytes, op: str,
                place: Place) -> list[bytes]:
        """A restore request, counted against ``max_restores_in_progress`` while it is
        carried out and, once made, while its table is CREATING."""
        now = time.time()
        with STATE.lock:
            busy = sum(1 for (p, _), until in STATE.restoring.items() if p == place and until > now)
            busy += STATE.restores_requested.get(place, 0)
            if STATE.max_restores and busy >= STATE.max_restores:
                STATE.calls[op] = STATE.calls.get(op, 0) + 1
                where = STATE.calls_at.setdefault(f"{place[0]}/{place[1]}", {})
                where[op] = where.get(op, 0) + 1
                STATE.throttled[op] = STATE.throttled.get(op, 0) + 1
                return dynamo_error(
                    start_response, 400, "LimitExceededException",
                    f"Too many concurrent restores: the limit is {STATE.max_restores} in progress",
                )
            STATE.restores_requested[place] = STATE.restores_requested.get(place, 0) + 1
            where = f"{place[0]}/{place[1]}"
            STATE.peak_restores[where] = max(STATE.peak_restores.get(where, 0), busy + 1)
        try:
            return self.dynamo(environ, start_response, raw, op, place)
        finally:
            with STATE.lock:
                STATE.restores_requested[place] -= 1

    def dynamo(self, environ: dict[str, Any], start_response: Any, raw: bytes, op: str,
               place: Place) -> list[bytes]:
        """A DynamoDB operation: limits, faults, this layer's answers, then moto's."""
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
        try:
            own = own_answer(place, op, body)
        except Refused as r:
            return dynamo_error(start_response, r.status, r.code, r.message)
        if own is not None:
            if lost:
                return dynamo_error(start_response, 500, "InternalServerError", "the answer was lost")
            return json_response(start_response, 200, own)
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
                doc = after_table_op(place, op, body, doc)
                doc["Table"]["TableStatus"] = "CREATING"
                return doc

            return self.rewritten(environ, start_response, raw, creating)
        doomed = backend(place).backups.get(body.get("BackupArn", "")) if op == "DeleteBackup" else None
        # A lost answer is not started: the 500 below is the one answer.
        quiet = lambda _status, _headers, _exc_info=None: (lambda _data: None)  # noqa: E731
        reply = quiet if lost else start_response
        if op in TABLE_OPS:
            answer = self.rewritten(environ, reply, raw,
                                    lambda doc: after_table_op(place, op, body, doc))
        else:
            with STATE.moto_lock:
                before_write(place, op, body)
            answer = self.pass_through(environ, reply, raw)
            with STATE.moto_lock:
                after_write(place, op, body)
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
            self.restored(place, str(body.get("TargetTableName", "")), body.get("RestoreDateTime"))
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
        rule = pick_fault(op, call_no, body, "tagging")
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

    def service(self, environ: dict[str, Any], start_response: Any, raw: bytes, service: str,
                op: str, cbor: bool) -> Any:
        """Application Auto Scaling and CloudWatch: counted, rate-limited and faulted like
        DynamoDB's operations (a rule's ``service`` picks a whole service), answered by
        moto through this layer (see autoscaling_call, cloudwatch_call), in the protocol
        the request spoke (CloudWatch's CBOR translated to and from moto's JSON)."""
        match = REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        place: Place = (account_of(environ), match.group(1) if match else "us-east-1")
        call_no = arrive(op, place)
        if call_no is None:
            return self.service_answer(start_response, service, op, cbor, 400, {
                "__type": "ThrottlingException", "message": "Rate exceeded"})
        try:
            body = cbor_decode(raw) if cbor else (json.loads(raw) if raw else {})
        except ValueError as exc:
            return self.service_answer(start_response, service, op, cbor, 400, {
                "__type": "SerializationException", "message": str(exc)})
        if not isinstance(body, dict):
            body = {}
        rule = pick_fault(op, call_no, body, service)
        lost = rule is not None and rule["kind"] == "lost_answer"
        if rule is not None and rule["kind"] != "stuck_cursor":
            with STATE.lock:
                STATE.faulted[op] = STATE.faulted.get(op, 0) + 1
        if rule is not None and rule["kind"] not in ("stuck_cursor", "lost_answer"):
            if rule["kind"] == "access_denied":
                return self.service_answer(start_response, service, op, cbor, 400, {
                    "__type": "AccessDeniedException",
                    "message": f"User: arn:aws:iam::{place[0]}:user/emulator is not authorized "
                               f"to perform: {SERVICES[service][1]}:{op}"})
            got: dict[str, Any] = {}

            def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                got["status"], got["headers"] = status, headers
                return lambda _data: None

            data = b"".join(apply_fault(rule, environ, keep))
            if dict(got["headers"]).get("Content-Type") == "application/x-amz-json-1.0":
                return self.service_answer(start_response, service, op, cbor,
                                           int(got["status"].split()[0]), json.loads(data))
            start_response(got["status"], got["headers"])
            return [data]
        with STATE.lock:
            STATE.log.append({"op": op, "t": time.time(), "arn": None})
        try:
            status, doc = SERVICES[service][0](self.moto, place, op, body)
        except Refused as r:
            status, doc = r.status, {"__type": r.code, "message": r.message}
        if lost:
            status, doc = 500, {"__type": "InternalFailure", "message": "the answer was lost"}
        return self.service_answer(start_response, service, op, cbor, status, doc)

    def service_answer(self, start_response: Any, service: str, op: str, cbor: bool,
                       status: int, doc: dict[str, Any]) -> list[bytes]:
        if not cbor:
            version = "1.1" if service == "application-autoscaling" else "1.0"
            data = json.dumps(doc).encode()
            headers = [("Content-Type", f"application/x-amz-json-{version}")]
        else:
            if status != 200:
                doc = {"__type": doc.get("__type", "InternalFailure"),
                       "message": doc.get("message", doc.get("Message", ""))}
            data = cbor_encode(doc, output_shape(service, op) if status == 200 else None)
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        headers += [("Content-Length", str(len(data))), ("x-amzn-RequestId", f"emu-{time.time_ns()}")]
        if status != 200:
            headers.append(("x-amzn-ErrorType", str(doc.get("__type", "")).split("#")[-1]))
        reason = {200: "OK", 400: "Bad Request", 500: "Internal Server Error"}.get(status, "Error")
        start_response(f"{status} {reason}", headers)
        return [data]

    def restored(self, place: Place, target: str, at: Any = None) -> None:
        """A table was restored: it stays CREATING for ``restore_creating_seconds``, and
        loses ``restore_drop_items`` items (a restore that went wrong, for drill tests).
        A point-in-time restore to a given time names that time in its RestoreSummary."""
        with STATE.lock:
            STATE.restoring[(place, target)] = time.time() + STATE.restore_creating_seconds
            drop = STATE.restore_drop_items
        table = backend(place).tables.get(target)
        if at is not None and table is not None:
            table.restore_date_time = dt.datetime.fromtimestamp(float(at), dt.timezone.utc).replace(tzinfo=None)
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

    def s3(self, environ: dict[str, Any], start_response: Any, raw: bytes) -> Any:
        """S3 (moto answers): counted, faulted (rules with ``service`` ``s3``), smaller
        listing pages (``page_limits`` ListObjectsV2), per-bucket access (``bucket_access``)
        and DeleteObjects key errors (``key_errors``), see exports_layer.py."""
        method = environ.get("REQUEST_METHOD", "GET")
        query = environ.get("QUERY_STRING", "")
        op, bucket, key = exports_layer.s3_op(method, environ.get("PATH_INFO", ""), query)
        match = REGION_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        place: Place = (account_of(environ), match.group(1) if match else "us-east-1")
        call_no = arrive(op, place)
        if call_no is None:
            return exports_layer.s3_error(start_response, "throttle", method)
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        body = {"Bucket": bucket, "Key": key, "ContinuationToken": (q.get("continuation-token") or [None])[0]}
        rule = pick_fault(op, call_no, body, "s3")
        if rule is not None:
            with STATE.lock:
                STATE.faulted[op] = STATE.faulted.get(op, 0) + 1
            if rule["kind"] in exports_layer.S3_ERRORS:
                return exports_layer.s3_error(start_response, rule["kind"], method)
            return apply_fault(rule, environ, start_response)
        with STATE.lock:
            STATE.log.append({"op": op, "t": time.time(), "arn": None})
            limit = STATE.page_limits.get(op)
        if bucket and exports_layer.bucket_of(bucket) is not None and not exports_layer.allowed(bucket, place[0]):
            return exports_layer.s3_error(start_response, "access_denied", method)
        if op == "DeleteObjects" and exports_layer.bucket_of(bucket) is not None:
            with STATE.moto_lock:
                return exports_layer.delete_objects(raw, bucket, start_response)
        if op == "ListObjectsV2" and limit:
            wanted = int((q.get("max-keys") or ["1000"])[0])
            q["max-keys"] = [str(min(wanted, limit))]
            environ["QUERY_STRING"] = urllib.parse.urlencode(q, doseq=True)
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
