#!/usr/bin/env python3
"""A local AWS Lambda Runtime API for testing the function's real `bootstrap`.

It serves the documented runtime interface (version 2018-06-01) to one function process:

* ``GET  /2018-06-01/runtime/invocation/next`` waits for an invocation and answers its
  event, with the ``Lambda-Runtime-Aws-Request-Id``, ``Lambda-Runtime-Deadline-Ms``,
  ``Lambda-Runtime-Invoked-Function-Arn`` and ``Lambda-Runtime-Trace-Id`` headers;
* ``POST /2018-06-01/runtime/invocation/{id}/response`` and ``.../{id}/error`` take the
  function's answer;
* ``POST /2018-06-01/runtime/init/error`` records a failed start.

Tests invoke the function through ``POST /_test/invoke`` with ``{"event": ..., "timeout_ms":
N}`` (or ``"event_raw"``: the event's exact bytes as a string, e.g. with a key given twice): the call returns ``{"ok": true, "response": ...}`` or ``{"ok": false, "error":
{"errorType", "errorMessage"}}`` once the function answers (or ``{"timeout": true}``).

Usage: runtime_api.py [--port N] [--port-file PATH]; prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"

pending: "queue.Queue[dict[str, Any]]" = queue.Queue()
answers: dict[str, "queue.Queue[dict[str, Any]]"] = {}
init_errors: list[Any] = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:  # quiet
        pass

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, payload: Any, headers: dict[str, str] | None = None,
              raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == f"{PREFIX}/invocation/next":
            inv = pending.get()
            self.reply(200, inv["event"], raw=inv.get("raw"), headers={
                "Lambda-Runtime-Aws-Request-Id": inv["id"],
                "Lambda-Runtime-Deadline-Ms": str(inv["deadline_ms"]),
                "Lambda-Runtime-Invoked-Function-Arn":
                    "arn:aws:lambda:us-east-1:123456789012:function:ddb-backup",
                "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
            })
            return
        self.reply(404, {"message": "not found"})

    def do_POST(self) -> None:
        raw = self.body()
        if self.path == "/_test/invoke":
            req = json.loads(raw or b"{}")
            inv_id = str(uuid.uuid4())
            timeout_ms = int(req.get("timeout_ms", 60_000))
            box: "queue.Queue[dict[str, Any]]" = queue.Queue()
            with lock:
                answers[inv_id] = box
            raw = req.get("event_raw")
            pending.put({
                "id": inv_id,
                "event": req.get("event"),
                "raw": raw.encode() if isinstance(raw, str) else None,
                "deadline_ms": int(time.time() * 1000) + timeout_ms,
            })
            try:
                answer = box.get(timeout=timeout_ms / 1000 + 30)
            except queue.Empty:
                answer = {"timeout": True}
            self.reply(200, answer)
            return
        if self.path == f"{PREFIX}/init/error":
            init_errors.append(json.loads(raw or b"null"))
            self.reply(202, {"status": "OK"})
            return
        parts = self.path[len(PREFIX):].strip("/").split("/")
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            with lock:
                box = answers.pop(parts[1], None)
            if box is None:
                self.reply(400, {"errorMessage": "unknown request id"})
                return
            payload = json.loads(raw) if raw else None
            if parts[2] == "response":
                box.put({"ok": True, "response": payload})
            else:
                box.put({"ok": False, "error": payload})
            self.reply(202, {"status": "OK"})
            return
        self.reply(404, {"message": "not found"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if a.port_file:
        with open(a.port_file, "w") as fh:
            fh.write(str(port))
    print(f"PORT {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
