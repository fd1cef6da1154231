"""ddb-backup report benchmark: one `report` over N tables x 30 daily backups (sizes
seeded) with the documented ListBackups rate enforced: its ListBackups pages against
ceil(backups/100) + 1, its peak RSS, the size of its HTML page, and how long headless
Chromium takes to open the page (`--dump-dom`, best of three).

Run it with `bench/run.sh --report` (which installs everything); see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import DAY, ROOT, Emulator, run_measured, stamp  # noqa: E402

PER_TABLE = 30


def seed(emu: Emulator, n: int) -> None:
    names = [f"r-{i:04d}" for i in range(n)]
    emu.ctl("create_tables", {"names": names})
    now = time.time()
    for k, t in enumerate(names):
        emu.ctl("seed_backups", {"table": t, "backups": [
            {"name": f"ddb-backup.{t}.{stamp(now - i * DAY - 3600)}", "created": now - i * DAY - 3600,
             "size": 1_000_000 + 1000 * k + i}
            for i in range(PER_TABLE) if not (k % 7 == 0 and i == 5)]})


def chromium_dom(page: Path) -> tuple[float, str]:
    """Seconds of one headless Chromium process printing the page's DOM, and the DOM."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed"
    with tempfile.TemporaryDirectory() as profile:
        t0 = time.monotonic()
        out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                             check=True, capture_output=True, text=True).stdout
        return time.monotonic() - t0, out


def browser_open(page: Path) -> tuple[float, float] | None:
    """(the page's load in the browser, from navigation start to its load event, in
    seconds; the whole Chromium process, start-up included), best of three. The load is
    read by a bench-only wrapper page that opens the report in a frame and writes
    performance.now() at the frame's load event into its title (the report itself has no
    script)."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return None
    wrapper = page.with_name("open-" + page.name)
    wrapper.write_text(
        "<!doctype html><html><head><title>-</title></head><body>"
        f"<iframe src='{page.name}' style='width:1280px;height:900px' "
        "onload='document.title=\"loaded \"+performance.now().toFixed(1)'></iframe></body></html>")
    best_load, best_total = None, None
    for _ in range(3):
        total, dom = chromium_dom(wrapper)
        m = re.search(r"<title>loaded ([0-9.]+)</title>", dom)
        assert m, "the wrapper page did not record the report's load"
        load = float(m.group(1)) / 1000
        best_load = load if best_load is None else min(best_load, load)
        best_total = total if best_total is None else min(best_total, total)
    return best_load, best_total


def report(emu: Emulator, a: argparse.Namespace, env: dict[str, str], n: int) -> dict[str, Any]:
    emu.fresh()
    seed(emu, n)
    emu.ctl("reset_stats")
    with tempfile.TemporaryDirectory() as d:
        page = Path(d) / "report.html"
        argv = [a.bin, "--output", "json", "--rate-multiplier", "1", "report", "--all-tables",
                "--keep-daily", "7", "--keep-weekly", "2", "--max-age", "1d", "--html", str(page)]
        wall, rss, code = run_measured(argv, env)
        html_bytes = page.stat().st_size if page.exists() else 0
        opened = browser_open(page) if page.exists() else None
    stats = emu.ctl("stats")
    calls = stats["calls"]
    backups = n * PER_TABLE - math.ceil(n / 7)
    row = {
        "what": f"report over {n} tables x {PER_TABLE} backups", "tables": n, "ok": code == 0,
        "wall_s": round(wall, 2), "calls": calls, "throttled": stats["throttled"],
        # Pages answered (a throttled call is asked again: it is no page).
        "list_pages": calls.get("ListBackups", 0) - stats["throttled"].get("ListBackups", 0),
        "list_pages_max": math.ceil(backups / 100) + 1,
        "peak_rss_kib": rss, "html_bytes": html_bytes,
        "browser_open_s": None if opened is None else round(opened[0], 3),
        "browser_process_s": None if opened is None else round(opened[1], 3),
    }
    print(f"report {n:5} tables: wall {wall:.2f}s  ListBackups {row['list_pages']} (<= {row['list_pages_max']})  "
          f"rss {rss / 1024:.1f} MiB  html {html_bytes / 1e6:.2f} MB  page load in chromium {row['browser_open_s']}s "
          f"(whole process {row['browser_process_s']}s){'' if code == 0 else '  FAILED'}", flush=True)
    return row


def render(data: dict[str, Any]) -> str:
    meta = data["meta"]
    lines = [
        f"Date {meta['date']}; {meta['machine']}; emulator round trip {meta['latency_ms']:g} ms, documented rate "
        "limits enforced (ListBackups 5/s); one run each. Page load: headless Chromium (`--dump-dom`) from "
        "navigation start to the page's load event (parsed and styled; sections below the fold are laid out when scrolled to), best of three; the whole Chromium "
        "process, start-up included, beside it.",
        "",
        "| report | wall (s) | ListBackups pages | DescribeContinuousBackups | peak RSS (MiB) | HTML (MB) | "
        "page load (s) | Chromium process (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["report"]:
        c = r["calls"]
        lines.append(
            f"| {r['what']} | {r['wall_s']:.2f} | {r['list_pages']} (≤ {r['list_pages_max']}; "
            f"{r['throttled'].get('ListBackups', 0)} throttled) | "
            f"{c.get('DescribeContinuousBackups', 0)} | {r['peak_rss_kib'] / 1024:.1f} | "
            f"{r['html_bytes'] / 1e6:.2f} | {r['browser_open_s']} | {r['browser_process_s']} |"
            + ("" if r["ok"] else " FAILED"))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--emulator-python", required=True)
    ap.add_argument("--baseline-python", help="unused (the report runs ddb-backup alone)")
    ap.add_argument("--latency-ms", type=float, default=5.0)
    ap.add_argument("--sizes", default="2000")
    ap.add_argument("--out", default=str(ROOT / "bench" / "report-results"))
    ap.add_argument("--small", action="store_true", help="tiny sizes (smoke test)")
    a = ap.parse_args()
    if a.small:
        a.sizes = "20"
    emu = Emulator(a.emulator_python, a.latency_ms)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": emu.url, "HOME": str(ROOT / "target"),
    })
    try:
        rows = [report(emu, a, env, int(n)) for n in a.sizes.split(",")]
    finally:
        emu.stop()
    data = {
        "meta": {"date": dt.date.today().isoformat(), "latency_ms": a.latency_ms,
                 "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}"},
        "report": rows,
    }
    Path(a.out).with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    Path(a.out).with_suffix(".md").write_text(render(data))
    if not all(r["ok"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
