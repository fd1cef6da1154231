"""ddb-backup fleet-restore benchmark: one `restore --match ... --latest --target-template`
of N tables on the emulator, where each restored table stays CREATING for R seconds, at
most 50 restores are in progress per account and region (one more is LimitExceeded) and
RestoreTableFromBackup is limited to 10/s, against the floor of those two limits; and the
peak memory of a restore of 2,000 tables.

Run it with `bench/run.sh --fleet-restore` (which installs everything); see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import LIMITS, ROOT, Emulator, run_measured, stamp  # noqa: E402

RESTORE_RATE = 10.0  # RestoreTableFromBackup, documented (the emulator enforces it)
# ListTagsOfResource, documented: a table's settings read its source's tags and its new
# table's before applying (2 calls a table; a third when tags are applied and read back).
LIMITS_TAGS = 10.0


def floor(n: int, rate: float, most: int, r: float) -> float:
    """The earliest the last of n restores can be ACTIVE: restore i can be requested no
    sooner than i/rate (the request rate) nor before restore i − most is ACTIVE (the
    concurrency limit), and takes r: req(i) = max(i/rate, req(i − most) + r)."""
    req: list[float] = []
    for i in range(n):
        req.append(max(i / rate, req[i - most] + r if i >= most else 0.0))
    return (req[-1] + r) if req else 0.0


def seed(emu: Emulator, n: int, prefix: str) -> list[str]:
    """n tables, each with one backup named as ddb-backup names them (made an hour ago)."""
    names = [f"{prefix}-{i:04d}" for i in range(n)]
    emu.ctl("create_tables", {"names": names})
    made = time.time() - 3600
    for t in names:
        emu.ctl("seed_backups", {"table": t, "backups": [
            {"name": f"ddb-backup.{t}.{stamp(made)}", "created": made}]})
    return names


def restore_argv(a: argparse.Namespace, prefix: str, most: int, pacing: str) -> list[str]:
    return [a.bin, "--output", "json", "--rate-multiplier", pacing, "restore", "--match", f"{prefix}-*", "--latest",
            "--target-template", "{table}-r", "--max-restores", str(most)]


def timed(emu: Emulator, a: argparse.Namespace, env: dict[str, str], n: int, r: float,
          most: int, extra: list[str]) -> dict[str, Any]:
    """The fleet against its floor, with the documented limits enforced."""
    emu.fresh()
    seed(emu, n, "r")
    emu.ctl("config", {"restore_creating_seconds": r, "max_restores_in_progress": most})
    emu.ctl("reset_stats")
    wall, rss, code = run_measured(restore_argv(a, "r", most, "1") + extra, env)
    stats = emu.ctl("stats")
    calls, throttled = stats["calls"], stats["throttled"]
    fl = floor(n, RESTORE_RATE, most, r)
    restores = calls.get("RestoreTableFromBackup", 0)
    row = {
        "what": f"restore {n} tables (R = {r:g} s, at most {most} in progress, {RESTORE_RATE:g} restores/s)"
                + (f" {' '.join(extra)}" if extra else ", settings applied"),
        "settings_floor_s": round(n * 2 / LIMITS_TAGS, 2) if not extra else None,
        "tables": n, "restore_seconds": r, "max_in_progress": most, "ok": code == 0,
        "wall_s": round(wall, 2), "floor_s": round(fl, 2), "ratio": round(wall / fl, 3),
        "calls": calls, "throttled": throttled,
        "restores_refused": throttled.get("RestoreTableFromBackup", 0),
        "peak_in_progress": max(stats.get("peak_restores", {}).values(), default=0),
        "minimal_calls": restores - throttled.get("RestoreTableFromBackup", 0) == n,
        "peak_rss_kib": rss,
    }
    print(f"restore {n:5} tables{''.join(' ' + x for x in extra)}: wall {wall:7.2f}s  floor {fl:7.2f}s ({row['ratio']:.3f}x)  "
          f"RestoreTableFromBackup {restores} ({row['restores_refused']} refused)  "
          f"peak in progress {row['peak_in_progress']}  rss {rss / 1024:.1f} MiB"
          f"{'' if code == 0 else '  FAILED'}", flush=True)
    return row


def memory(emu: Emulator, a: argparse.Namespace, env: dict[str, str], n: int) -> dict[str, Any]:
    """Peak RSS of a restore of n tables (R small, pacing and rate limits off, the
    concurrency limit on)."""
    emu.fresh()
    emu.ctl("config", {"latency_ms": 0, "limits": {op: 100000 for op in [*LIMITS, "RestoreTableFromBackup"]},
                       "restore_creating_seconds": 0.2, "max_restores_in_progress": 50})
    seed(emu, n, "m")
    wall, rss, code = run_measured(restore_argv(a, "m", 50, "0"), env)
    row = {"what": f"restore {n} tables (R = 0.2 s)", "tables": n, "ok": code == 0,
           "wall_s": round(wall, 2), "peak_rss_kib": rss}
    print(f"memory: {row['what']}: {rss / 1024:.1f} MiB in {wall:.1f}s{'' if code == 0 else '  FAILED'}",
          flush=True)
    return row


def render(data: dict[str, Any]) -> str:
    meta = data["meta"]
    lines = [
        f"Date {meta['date']}; {meta['machine']}; emulator round trip {meta['latency_ms']:g} ms, documented rate "
        "limits enforced; one run each.",
        "",
        "| run | wall (s) | floor (s) | ratio | RestoreTableFromBackup | refused (LimitExceeded) | "
        "peak in progress | peak RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["timed"]:
        lines.append(
            f"| {r['what']} | {r['wall_s']:.2f} | {r['floor_s']:.2f} | {r['ratio']:.3f} | "
            f"{r['calls'].get('RestoreTableFromBackup', 0)} | {r['restores_refused']} | {r['peak_in_progress']} | "
            f"{r['peak_rss_kib'] / 1024:.1f} |" + ("" if r["ok"] else " FAILED"))
    m = data["memory"]
    lines += ["", f"Peak RSS of a {m['what']}, pacing and rate limits off: {m['peak_rss_kib'] / 1024:.1f} MiB "
              f"({m['wall_s']:.1f} s)." + ("" if m["ok"] else " FAILED")]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--emulator-python", required=True)
    ap.add_argument("--baseline-python", help="unused (ddb-backup runs alone)")
    ap.add_argument("--latency-ms", type=float, default=5.0)
    ap.add_argument("--tables", type=int, default=200)
    ap.add_argument("--restore-seconds", type=float, default=10.0, help="R: how long a restore takes")
    ap.add_argument("--max-in-progress", type=int, default=50)
    ap.add_argument("--memory-tables", type=int, default=2000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "fleet-restore-results"))
    ap.add_argument("--small", action="store_true", help="tiny sizes (smoke test)")
    a = ap.parse_args()
    if a.small:
        a.tables, a.restore_seconds, a.max_in_progress, a.memory_tables = 20, 1.0, 5, 30
    emu = Emulator(a.emulator_python, a.latency_ms)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": emu.url, "HOME": str(ROOT / "target"),
    })
    try:
        rows = [timed(emu, a, env, a.tables, a.restore_seconds, a.max_in_progress, extra)
                for extra in (["--no-settings"], [])]
        mem = memory(emu, a, env, a.memory_tables)
    finally:
        emu.stop()
    data = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "latency_ms": a.latency_ms,
        },
        "timed": rows, "memory": mem,
    }
    out = Path(a.out)
    out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(data))
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")
    if not all(r["ok"] for r in [*rows, mem]):
        sys.exit(1)


if __name__ == "__main__":
    main()
