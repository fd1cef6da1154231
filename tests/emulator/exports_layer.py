"""Exports to S3, imports from it, and S3 itself, for ddb_emulator.py.

moto writes a full export as one data file under a made-up key, with none of DynamoDB's
manifest files, and has no incremental exports. This layer carries out
ExportTableToPointInTime, DescribeExport and ListExports itself, as DynamoDB does:

* Every write to a table with point-in-time recovery (PutItem, UpdateItem, DeleteItem,
  BatchWriteItem) leaves a snapshot of the table's items dated on the emulator's clock, so an export reads the
  table as it was at a point in time: a full export at ``ExportTime`` (default now), an
  incremental one the items changed in ``[ExportFromTime, ExportToTime)`` (a window of 15
  minutes to 24 hours, as DynamoDB allows), each written as ``NewImage`` / ``OldImage`` /
  ``Keys`` lines (a deleted item has no ``NewImage``).
* The files land where DynamoDB puts them: ``S3Prefix/AWSDynamoDB/<export id>/`` holding
  ``data/<uuid>.json.gz`` (DynamoDB JSON, gzip), ``manifest-files.json`` and
  ``manifest-summary.json``; the description names the summary in ``ExportManifest``.
  A table without point-in-time recovery is refused with
  PointInTimeRecoveryUnavailableException; a bucket that does not exist, or that the
  exporting account may not write (``bucket_access``), makes the export FAILED with
  S3NoSuchBucket / S3AccessDenied, as DynamoDB reports them.
* An export stays IN_PROGRESS for ``export_seconds`` (``exports_config``).

S3 requests are counted, and faulted with rules whose ``service`` is ``s3`` (operations
ListObjectsV2, GetObject, PutObject, DeleteObjects, HeadBucket...; ``later_pages`` matches
continued listings), answered with S3's XML errors. ``bucket_access`` (``{bucket:
[accounts]}``) refuses every other account's requests to a bucket with AccessDenied, as a
bucket of another account without a bucket policy does; ``key_errors`` (substrings) makes
DeleteObjects report an error for each matching key instead of deleting it; ``page_limits``
``ListObjectsV2`` makes listing pages smaller.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
import time
import urllib.parse
import uuid
from typing import Any, Callable

from moto.s3.models import s3_backends

EXPORT_OPS = ("ExportTableToPointInTime", "DescribeExport", "ListExports")
WRITE_OPS = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
MIN_WINDOW = 15 * 60
MAX_WINDOW = 24 * 3600


class ExportState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            # (account, region, table) -> [(time, {key: item})], oldest first.
            self.history: dict[tuple[str, str, str], list[tuple[float, dict[str, Any]]]] = {}
            self.exports: dict[str, dict[str, Any]] = {}
            self.export_seconds = 0.0
            self.bucket_access: dict[str, list[str]] = {}
            self.key_errors: list[str] = []


EXPORTS = ExportState()


# ------------------------------------------------------------------ table history


def items_of(table: Any) -> dict[str, Any]:
    keys = [k for k in (table.hash_key_attr, table.range_key_attr) if k]
    out = {}
    for item in table.all_items():
        doc = item.to_json()["Attributes"]
        out[json.dumps({k: doc[k] for k in keys if k in doc}, sort_keys=True)] = doc
    return out


def tables_written(op: str, body: dict[str, Any]) -> list[str]:
    if op == "BatchWriteItem":
        return [str(t) for t in (body.get("RequestItems") or {})]
    return [str(body["TableName"])] if body.get("TableName") else []


def recorded(table: Any) -> bool:
    """Only tables with point-in-time recovery keep a history (exports need it), so other
    tests' writes cost nothing."""
    pitr = table.continuous_backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
    return pitr == "ENABLED"


def before_write(place: tuple[str, str], table: Any) -> None:
    """The first write to a table dates what it held until then at the epoch."""
    if not recorded(table):
        return
    key = (place[0], place[1], table.name)
    with EXPORTS.lock:
        if key not in EXPORTS.history:
            EXPORTS.history[key] = [(0.0, items_of(table))]


def after_write(place: tuple[str, str], table: Any, now: float) -> None:
    if not recorded(table):
        return
    key = (place[0], place[1], table.name)
    with EXPORTS.lock:
        EXPORTS.history.setdefault(key, []).append((now, items_of(table)))


def state_before(place: tuple[str, str], table: Any, t: float) -> dict[str, Any]:
    """The table's items as they were just before time ``t``."""
    with EXPORTS.lock:
        snaps = EXPORTS.history.get((place[0], place[1], table.name))
        if not snaps:
            return items_of(table)
        found: dict[str, Any] = {}
        for at, items in snaps:
            if at < t:
                found = items
        return found


def forget_table(place: tuple[str, str], name: str) -> None:
    with EXPORTS.lock:
        EXPORTS.history.pop((place[0], place[1], name), None)


# ------------------------------------------------------------------------- S3 side


def bucket_of(name: str) -> Any:
    """The bucket (of whichever account owns it), or None."""
    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account = owner
    return s3_backends[account][partition].buckets.get(name)


def backend_of(name: str) -> Any:
    partition, account = s3_backends.bucket_accounts[name]
    return s3_backends[account][partition]


def allowed(bucket: str, account: str) -> bool:
    with EXPORTS.lock:
        allow = EXPORTS.bucket_access.get(bucket)
    if allow is None:
        return True
    owner = s3_backends.bucket_accounts.get(bucket, ("aws", account))[1]
    return account == owner or account in allow


def put(bucket: str, key: str, data: bytes) -> str:
    backend_of(bucket).put_object(bucket_name=bucket, key_name=key, value=data)
    return hashlib.md5(data).hexdigest()


# ------------------------------------------------------------------------ exports


def export_arn(place: tuple[str, str], table: str, export_id: str) -> str:
    return f"arn:aws:dynamodb:{place[1]}:{place[0]}:table/{table}/export/{export_id}"


def answer(place: tuple[str, str], op: str, body: dict[str, Any], table_of: Callable[[Any], Any],
           now: float, refuse: Callable[[str, str], Exception]) -> dict[str, Any]:
    if op == "ExportTableToPointInTime":
        return start_export(place, body, table_of(body.get("TableArn")), now, refuse)
    if op == "DescribeExport":
        with EXPORTS.lock:
            e = EXPORTS.exports.get(str(body.get("ExportArn", "")))
        if e is None or e["place"] != place:
            raise refuse("ExportNotFoundException", f"Export not found: {body.get('ExportArn')}")
        return {"ExportDescription": described(e)}
    table_arn = str(body.get("TableArn", ""))
    with EXPORTS.lock:
        mine = [e for e in EXPORTS.exports.values()
                if e["place"] == place and (not table_arn or e["desc"]["TableArn"] == table_arn)]
    return {"ExportSummaries": [
        {"ExportArn": e["desc"]["ExportArn"], "ExportStatus": described(e)["ExportStatus"],
         "ExportType": e["desc"]["ExportType"]} for e in mine]}


def described(e: dict[str, Any]) -> dict[str, Any]:
    """The description now: IN_PROGRESS (without its results) until the hold is over."""
    desc = dict(e["desc"])
    if desc["ExportStatus"] == "COMPLETED" and time.time() < e["ready_at"]:
        desc["ExportStatus"] = "IN_PROGRESS"
        for k in ("EndTime", "ItemCount", "BilledSizeBytes"):
            desc.pop(k, None)
    return desc


def start_export(place: tuple[str, str], body: dict[str, Any], table: Any, now: float,
                 refuse: Callable[[str, str], Exception]) -> dict[str, Any]:
    if table is None:
        raise refuse("TableNotFoundException", f"Table not found: {body.get('TableArn')}")
    pitr = table.continuous_backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
    if pitr != "ENABLED":
        raise refuse("PointInTimeRecoveryUnavailableException",
                     f"Point in time recovery is not enabled for table '{table.name}'")
    kind = body.get("ExportType") or "FULL_EXPORT"
    bucket = str(body.get("S3Bucket", ""))
    prefix = str(body.get("S3Prefix") or "")
    export_id = f"{int(now * 1000):013d}-{uuid.uuid4().hex[:8]}"
    arn = export_arn(place, table.name, export_id)
    desc: dict[str, Any] = {
        "ExportArn": arn, "ExportStatus": "COMPLETED", "StartTime": now, "EndTime": now,
        "TableArn": table.table_arn, "TableId": getattr(table, "table_id", None) or export_id,
        "S3Bucket": bucket, "S3BucketOwner": body.get("S3BucketOwner") or place[0],
        "S3Prefix": prefix, "S3SseAlgorithm": body.get("S3SseAlgorithm") or "AES256",
        "ExportFormat": body.get("ExportFormat") or "DYNAMODB_JSON", "ExportType": kind,
    }
    if body.get("S3SseKmsKeyId"):
        desc["S3SseKmsKeyId"] = body["S3SseKmsKeyId"]
    if kind == "INCREMENTAL_EXPORT":
        spec = body.get("IncrementalExportSpecification") or {}
        try:
            start, end = float(spec["ExportFromTime"]), float(spec["ExportToTime"])
        except (KeyError, TypeError, ValueError):
            raise refuse("ValidationException",
                         "IncrementalExportSpecification needs ExportFromTime and ExportToTime")
        if not MIN_WINDOW <= end - start <= MAX_WINDOW:
            raise refuse("ValidationException",
                         "the incremental export period must be between 15 minutes and 24 hours")
        if end > now + 60:
            raise refuse("ValidationException", "ExportToTime cannot be in the future")
        view = spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES"
        desc["IncrementalExportSpecification"] = {
            "ExportFromTime": start, "ExportToTime": end, "ExportViewType": view}
        old, new = state_before(place, table, start), state_before(place, table, end)
        lines = []
        for key in sorted(set(old) | set(new)):
            if old.get(key) == new.get(key):
                continue
            rec: dict[str, Any] = {"Metadata": {"WriteTimestampMicros": {"N": str(int(end * 1e6))}},
                                   "Keys": json.loads(key)}
            if key in new:
                rec["NewImage"] = new[key]
            if key in old and view == "NEW_AND_OLD_IMAGES":
                rec["OldImage"] = old[key]
            lines.append(rec)
    else:
        at = float(body.get("ExportTime") or now)
        if at > now + 60:
            raise refuse("InvalidExportTimeException", "ExportTime cannot be in the future")
        desc["ExportTime"] = at
        lines = [{"Item": item} for item in state_before(place, table, at + 0.001).values()]
    failure = None
    if bucket_of(bucket) is None:
        failure = ("S3NoSuchBucket", "The specified bucket does not exist")
    elif not allowed(bucket, place[0]):
        failure = ("S3AccessDenied", f"Access Denied to bucket {bucket}")
    if failure:
        desc.update({"ExportStatus": "FAILED", "FailureCode": failure[0], "FailureMessage": failure[1]})
    else:
        base = f"{prefix.rstrip('/')}/AWSDynamoDB/{export_id}/" if prefix else f"AWSDynamoDB/{export_id}/"
        text = "".join(json.dumps(rec) + "\n" for rec in lines).encode()
        data_key = f"{base}data/{uuid.uuid4().hex}.json.gz"
        blob = gzip.compress(text)
        etag = put(bucket, data_key, blob)
        files = json.dumps({"itemCount": len(lines), "md5Checksum": base64.b64encode(
            hashlib.md5(blob).digest()).decode(), "etag": etag, "dataFileS3Key": data_key}) + "\n"
        put(bucket, f"{base}manifest-files.json", files.encode())
        desc.update({"ItemCount": len(lines), "BilledSizeBytes": len(text),
                     "ExportManifest": f"{base}manifest-summary.json"})
        summary = {
            "version": "2023-08-01" if kind == "INCREMENTAL_EXPORT" else "2020-06-30",
            "exportArn": arn, "startTime": iso(now), "endTime": iso(now),
            "tableArn": table.table_arn, "tableId": desc["TableId"], "s3Bucket": bucket,
            "s3Prefix": prefix, "s3SseAlgorithm": desc["S3SseAlgorithm"],
            "manifestFilesS3Key": f"{base}manifest-files.json",
            "billedSizeBytes": len(text), "itemCount": len(lines),
            "outputFormat": "DYNAMODB_JSON", "exportType": kind,
        }
        if "ExportTime" in desc:
            summary["exportTime"] = iso(desc["ExportTime"])
        put(bucket, f"{base}manifest-summary.json", json.dumps(summary).encode())
    with EXPORTS.lock:
        entry = {"place": place, "desc": desc, "ready_at": time.time() + EXPORTS.export_seconds}
        EXPORTS.exports[arn] = entry
    return {"ExportDescription": described(entry)}


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 1000):03d}Z"


# ----------------------------------------------------------------------- S3 requests


def s3_op(method: str, path: str, query: str) -> tuple[str, str, str]:
    """(operation, bucket, key) of a path-style S3 request."""
    parts = urllib.parse.unquote(path).lstrip("/").split("/", 1)
    bucket = parts[0]
    key = parts[1] if len(parts) > 1 else ""
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    if not key:
        if method == "GET" and q.get("list-type") == ["2"]:
            return "ListObjectsV2", bucket, key
        if method == "GET":
            return "ListObjects" if not q else "GetBucket", bucket, key
        if method == "POST" and "delete" in q:
            return "DeleteObjects", bucket, key
        return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(
            method, "Bucket"), bucket, key
    return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject",
            "DELETE": "DeleteObject"}.get(method, "Object"), bucket, key


S3_ERRORS = {
    "500": ("500 Internal Server Error", "InternalError", "We encountered an internal error. Please try again."),
    "throttle": ("503 Slow Down", "SlowDown", "Please reduce your request rate."),
    "access_denied": ("403 Forbidden", "AccessDenied", "Access Denied"),
    "no_such_bucket": ("404 Not Found", "NoSuchBucket", "The specified bucket does not exist"),
}


def s3_error(start_response: Any, kind: str, method: str = "GET") -> list[bytes]:
    status, code, message = S3_ERRORS[kind]
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>emu</RequestId></Error>"
    ).encode()
    if method == "HEAD":
        data = b""
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(data))),
                            ("x-amz-request-id", "emu")])
    return [data]


def delete_objects(raw: bytes, bucket: str, start_response: Any) -> list[bytes]:
    """DeleteObjects carried out here, so that ``key_errors`` can refuse chosen keys."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(raw)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    keys = [k.text or "" for k in root.iter(f"{ns}Key")]
    quiet = any((q.text or "").lower() == "true" for q in root.iter(f"{ns}Quiet"))
    with EXPORTS.lock:
        bad = list(EXPORTS.key_errors)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">']
    be = backend_of(bucket)
    for key in keys:
        esc = key.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if any(b in key for b in bad):
            out.append(f"<Error><Key>{esc}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
            continue
        be.delete_object(bucket, key)
        if not quiet:
            out.append(f"<Deleted><Key>{esc}</Key></Deleted>")
    out.append("</DeleteResult>")
    data = "".join(out).encode()
    start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", str(len(data)))])
    return [data]


def control(cmd: str, body: dict[str, Any], account: str, region: str) -> Any:
    """The layer's control commands; None when ``cmd`` is not one of them."""
    if cmd == "exports_config":
        with EXPORTS.lock:
            if "export_seconds" in body:
                EXPORTS.export_seconds = float(body["export_seconds"])
            if "bucket_access" in body:
                EXPORTS.bucket_access = {k: list(v) for k, v in body["bucket_access"].items()}
            if "key_errors" in body:
                EXPORTS.key_errors = list(body["key_errors"])
        return {}
    if cmd == "create_bucket":
        s3_backends[account]["aws"].create_bucket(body["bucket"], region)
        return {}
    if cmd == "put_object":
        put(body["bucket"], body["key"], str(body.get("body", "")).encode())
        return {}
    if cmd == "put_objects":
        for key in body["keys"]:
            put(body["bucket"], key, str(body.get("body", "")).encode())
        return {}
    if cmd == "objects":
        b = bucket_of(body["bucket"])
        keys = sorted(k for k in (b.keys.keys() if b is not None else [])
                      if k.startswith(body.get("prefix", "")))
        return {"keys": keys}
    if cmd == "object":
        b = bucket_of(body["bucket"])
        data = b.keys[body["key"]].value
        if body["key"].endswith(".gz"):
            data = gzip.decompress(data)
        return {"body": data.decode()}
    return None
