"""ddb-backup fleet benchmark: one `run` over N tables × 15 managed daily backups with the
documented per-operation limits enforced, against the run's floor; the same over two
regions at once (the emulator limits each account and region apart, as DynamoDB does);
tag selection over 1,000 tables; peak memory at 2,000 tables × 30 backups.

Run it with `bench/run.sh --fleet` (which installs everything); see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import DAY, LIMITS, ROOT, Emulator, run_measured, stamp  # noqa: E402

PER_TABLE = 15


def seed_fleet(emu: Emulator, n: int, per_table: int, prefix: str = "f",
               region: str = "us-east-1") -> list[str]:
    names = [f"{prefix}-{i:04d}" for i in range(n)]
    emu.ctl("create_tables", {"names": names, "region": region})
    now = time.time()
    for t in names:
        emu.ctl("seed_backups", {"table": t, "region": region, "backups": [
            {"name": f"ddb-backup.{t}.{stamp(now - i * DAY - 3600)}", "created": now - i * DAY - 3600}
            for i in range(per_table)]})
    return names


def floors(n: int) -> tuple[float, float]:
    """(the run's floor, the sum of the three floors) for N tables × 15 backups, one new
    backup and one deletion each: CreateBackup overlaps the listing, deletions follow it."""
    create = n / LIMITS["CreateBackup"]
    listing = math.ceil(n * PER_TABLE / 100) / LIMITS["ListBackups"]
    delete = n / LIMITS["DeleteBackup"]
    return max(create, listing) + delete, create + listing + delete


def fleet_run(emu: Emulator, a: argparse.Namespace, env: dict[str, str], n: int) -> dict[str, Any]:
    emu.fresh()
    seed_fleet(emu, n, PER_TABLE)
    emu.ctl("reset_stats")
    argv = [a.bin, "--output", "json", "--rate-multiplier", "1", "run", "--all-tables",
            "--keep-last", str(PER_TABLE)]
    wall, rss, code = run_measured(argv, env)
    stats = emu.ctl("stats")
    calls, throttled = stats["calls"], stats["throttled"]
    run_floor, sum_floor = floors(n)
    total = sum(calls.values())
    row = {
        "what": f"run over {n} tables x {PER_TABLE} backups", "tables": n, "ok": code == 0,
        "wall_s": round(wall, 2), "run_floor_s": round(run_floor, 2), "sum_floor_s": round(sum_floor, 2),
        "ratio_run_floor": round(wall / run_floor, 3), "ratio_sum_floor": round(wall / sum_floor, 3),
        "calls": calls, "throttled": throttled,
        "throttled_pct": round(100 * sum(throttled.values()) / max(total, 1), 2),
        "list_pages_max": math.ceil(n * (PER_TABLE + 1) / 100) + 1,
        "peak_rss_kib": rss,
    }
    row["minimal_calls"] = (calls.get("CreateBackup", 0) - throttled.get("CreateBackup", 0) == n
                            and calls.get("DeleteBackup", 0) - throttled.get("DeleteBackup", 0) == n
                            and calls.get("ListBackups", 0) <= row["list_pages_max"])
    print(f"fleet {n:5} tables: wall {wall:7.2f}s  run floor {run_floor:7.2f}s ({row['ratio_run_floor']:.3f}x)  "
          f"sum of floors {sum_floor:7.2f}s ({row['ratio_sum_floor']:.3f}x)  calls {calls}  "
          f"throttled {row['throttled_pct']}%  rss {rss / 1024:.1f} MiB{'' if code == 0 else '  FAILED'}",
          flush=True)
    return row


def regions(emu: Emulator, a: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """The same run over N tables in one region, then over N tables in each of two regions
    (two targets side by side): with limits per account and region, two take about as
    long as one."""
    n = 20 if a.small else 100
    walls = {}
    for regs in (["us-east-1"], ["us-east-1", "eu-west-1"]):
        emu.fresh()
        for r in regs:
            seed_fleet(emu, n, PER_TABLE, region=r)
        emu.ctl("reset_stats")
        argv = [a.bin, "--output", "json", "--rate-multiplier", "1", "--region", ",".join(regs),
                "run", "--all-tables", "--keep-last", str(PER_TABLE)]
        wall, _rss, code = run_measured(argv, env)
        stats = emu.ctl("stats")
        walls[len(regs)] = {"wall_s": round(wall, 2), "ok": code == 0, "calls_at": stats["calls_at"],
                            "throttled": stats["throttled"]}
    run_floor, _ = floors(n)
    row = {
        "what": f"run over {n} tables in one region, then in each of two", "tables_per_region": n,
        "one_region_s": walls[1]["wall_s"], "two_regions_s": walls[2]["wall_s"],
        "ratio_two_to_one": round(walls[2]["wall_s"] / max(walls[1]["wall_s"], 0.001), 3),
        "run_floor_per_region_s": round(run_floor, 2), "ok": walls[1]["ok"] and walls[2]["ok"],
        "calls_at": walls[2]["calls_at"], "throttled": walls[2]["throttled"],
    }
    print(f"regions: {n} tables: one region {row['one_region_s']:.2f}s, two regions {row['two_regions_s']:.2f}s "
          f"({row['ratio_two_to_one']:.3f}x; floor per region {row['run_floor_per_region_s']:.2f}s)"
          f"{'' if row['ok'] else '  FAILED'}", flush=True)
    return row


def tag_selection(emu: Emulator, a: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Which of 1,000 tables carry a tag (250 do): `config check` resolves a tag policy."""
    emu.fresh()
    total = 40 if a.small else 1000
    names = [f"t-{i:04d}" for i in range(total)]
    emu.ctl("create_tables", {"names": names[:total // 4], "tags": {"backup": "daily"}})
    emu.ctl("create_tables", {"names": names[total // 4:], "tags": {"backup": "none"}})
    emu.ctl("reset_stats")
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write('[[policy]]\nname = "tagged"\ntags = { backup = "daily" }\n')
        path = f.name
    wall, rss, code = run_measured([a.bin, "--output", "json", "--rate-multiplier", "1",
                                    "config", "check", "--config", path], env)
    os.unlink(path)
    stats = emu.ctl("stats")
    row = {"what": f"select the {total // 4} tagged of {total} tables", "ok": code == 0, "wall_s": round(wall, 2),
           "calls": stats["calls"], "throttled": stats["throttled"], "peak_rss_kib": rss}
    print(f"tags: wall {wall:.2f}s calls {stats['calls']}{'' if code == 0 else '  FAILED'}", flush=True)
    return row


def memory(emu: Emulator, a: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Peak RSS of a run over 2,000 tables × 30 backups (pacing off, limits off)."""
    emu.fresh()
    emu.ctl("config", {"latency_ms": 0, "limits": {op: 100000 for op in LIMITS}})
    tables = 50 if a.small else 2000
    seed_fleet(emu, tables, 30, prefix="m")
    wall, rss, code = run_measured([a.bin, "--output", "json", "--rate-multiplier", "0", "run",
                                    "--all-tables", "--keep-last", "30"], env)
    row = {"what": f"run over {tables} tables x 30 backups", "ok": code == 0, "wall_s": round(wall, 2),
           "peak_rss_kib": rss}
    print(f"memory: {row['what']}: {rss / 1024:.1f} MiB in {wall:.1f}s{'' if code == 0 else '  FAILED'}", flush=True)
    return row


def render(data: dict[str, Any]) -> str:
    meta = data["meta"]
    lines = [
        f"Date {meta['date']}; {meta['machine']}; emulator round trip {meta['latency_ms']:g} ms, documented rate "
        "limits enforced; one run each.",
        "",
        "| run | wall (s) | run's floor (s) | ratio | sum of floors (s) | ratio | ListBackups | CreateBackup | "
        "DeleteBackup | throttled | peak RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["fleet"]:
        c = r["calls"]
        lines.append(
            f"| {r['what']} | {r['wall_s']:.2f} | {r['run_floor_s']:.2f} | {r['ratio_run_floor']:.3f} | "
            f"{r['sum_floor_s']:.2f} | {r['ratio_sum_floor']:.3f} | {c.get('ListBackups', 0)} "
            f"(≤ {r['list_pages_max']}) | {c.get('CreateBackup', 0)} | {c.get('DeleteBackup', 0)} | "
            f"{r['throttled_pct']:.2f}% | {r['peak_rss_kib'] / 1024:.1f} |" + ("" if r["ok"] else " FAILED"))
    g = data["regions"]
    lines += ["", f"Two regions at once, {g['tables_per_region']} tables each: {g['two_regions_s']:.2f} s against "
              f"{g['one_region_s']:.2f} s for one region ({g['ratio_two_to_one']:.3f}×; the run's floor in each "
              f"region is {g['run_floor_per_region_s']:.2f} s)." + ("" if g["ok"] else " FAILED")]
    t = data["tags"]
    calls = ", ".join(f"{op} {k}" for op, k in sorted(t["calls"].items()))
    m = data["memory"]
    lines += ["", f"Tag selection, {t['what']}: {t['wall_s']:.2f} s ({calls}).", "",
              f"Peak RSS of a {m['what']} (pacing and limits off): {m['peak_rss_kib'] / 1024:.1f} MiB."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--emulator-python", required=True)
    ap.add_argument("--baseline-python", help="unused (the fleet runs ddb-backup alone)")
    ap.add_argument("--latency-ms", type=float, default=5.0)
    ap.add_argument("--sizes", default="600,2000")
    ap.add_argument("--out", default=str(ROOT / "bench" / "fleet-results"))
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
        fleet = [fleet_run(emu, a, env, int(n)) for n in a.sizes.split(",")]
        regs = regions(emu, a, env)
        tags = tag_selection(emu, a, env)
        mem = memory(emu, a, env)
    finally:
        emu.stop()
    data = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "latency_ms": a.latency_ms,
        },
        "fleet": fleet, "regions": regs, "tags": tags, "memory": mem,
    }
    out = Path(a.out)
    out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(data))
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")
    if not all(r["ok"] for r in [*fleet, regs, tags, mem]):
        sys.exit(1)


if __name__ == "__main__":
    main()
