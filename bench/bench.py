"""ddb-backup benchmark: wall time, API calls, throttling and peak RSS against the floor
set by DynamoDB's documented rate limits, and against two baselines (a shell script over
the aws CLI, a boto3 script), all against the project's emulator in one run.

Run it with bench/run.sh (which installs everything); see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
DAY = 86400
# Documented per-operation limits (calls/s), as the emulator enforces them.
LIMITS = {"CreateBackup": 50.0, "DeleteBackup": 10.0, "DescribeBackup": 10.0, "ListBackups": 5.0}


class Emulator:
    def __init__(self, python: str, latency_ms: float) -> None:
        port_file = ROOT / "target" / "bench-emulator.port"
        port_file.parent.mkdir(exist_ok=True)
        port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [python, str(ROOT / "tests/emulator/ddb_emulator.py"), "--port", "0", "--port-file", str(port_file)],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        self.port = int(port_file.read_text())
        self.url = f"http://127.0.0.1:{self.port}"
        self.latency_ms = latency_ms

    def ctl(self, cmd: str, body: dict[str, Any] | None = None) -> Any:
        req = urllib.request.Request(f"{self.url}/_emu/{cmd}", data=json.dumps(body or {}).encode(), method="POST")
        return json.loads(urllib.request.urlopen(req, timeout=300).read())

    def fresh(self) -> None:
        """Empty state, DynamoDB-like latency and documented limits, zeroed counters."""
        self.ctl("reset")
        self.ctl("config", {"latency_ms": self.latency_ms, "documented_limits": True})

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def stamp(t: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds and peak RSS (KiB) of the command, as bench/measure.py reports them
    (measured from a small parent, so neither includes this process), and the exit code."""
    measure = [sys.executable, "-S", "-I", str(ROOT / "bench/measure.py")]
    proc = subprocess.run(measure + argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.decode(errors="replace")
    last = err.strip().splitlines()[-1] if err.strip() else ""
    fields = dict(f.split("=", 1) for f in last.split()[1:]) if last.startswith("measured ") else {}
    if proc.returncode != 0 or not fields:
        problems = [l for l in err.splitlines() if " ERROR " in l or " WARN " in l]
        shown = "\n".join(problems[-10:]) or err.strip()[-500:]
        print(f"  ! {' '.join(argv[:4])}... exited {proc.returncode}: {shown}", file=sys.stderr)
    return float(fields.get("wall", "nan")), int(fields.get("maxrss", "0")), proc.returncode


class Scenario:
    def __init__(self, key: str, title: str, setup: Callable[[Emulator], None], floor: float,
                 min_calls: dict[str, int], tools: dict[str, list[str]]) -> None:
        self.key, self.title, self.setup, self.floor = key, title, setup, floor
        self.min_calls, self.tools = min_calls, tools


def scenarios(n: dict[str, int], bin_path: str, py: str, rtt: float) -> list[Scenario]:
    sh = [str(ROOT / "bench/baseline.sh")]
    b3 = [py, str(ROOT / "bench/baseline_boto3.py")]
    ddb = [bin_path, "--output", "json"]
    t1 = [f"s1-{i:03d}" for i in range(n["tables"])]
    t3 = [f"s3-{i:02d}" for i in range(n["list_tables"])]
    per3 = n["list_backups"] // n["list_tables"]
    prune_total, prune_delete = n["prune_backups"], n["prune_backups"] // 2

    def setup1(e: Emulator) -> None:
        e.ctl("create_tables", {"names": t1})

    def setup2(e: Emulator) -> None:
        e.ctl("create_tables", {"names": ["s2-orders"]})
        now = time.time()
        e.ctl("seed_backups", {"table": "s2-orders", "backups": [
            {"name": f"ddb-backup.s2-orders.{stamp(now - i * DAY - 3600)}", "created": now - i * DAY - 3600}
            for i in range(prune_total)]})

    def setup3(e: Emulator) -> None:
        e.ctl("create_tables", {"names": t3})
        now = time.time()
        for t in t3:
            e.ctl("seed_backups", {"table": t, "backups": [
                {"name": f"ddb-backup.{t}.{stamp(now - i * 3600 - 60)}", "created": now - i * 3600 - 60}
                for i in range(per3)]})

    def setup4(e: Emulator) -> None:
        e.ctl("create_tables", {"names": ["s4-small"]})
        now = time.time()
        e.ctl("seed_backups", {"table": "s4-small", "backups": [
            {"name": f"ddb-backup.s4-small.{stamp(now - i * DAY - 60)}", "created": now - i * DAY - 60}
            for i in range(10)]})

    pages = lambda k: -(-k // 100)  # noqa: E731
    days = prune_total - prune_delete
    return [
        Scenario("backup", f"back up {len(t1)} tables", setup1,
                 len(t1) / LIMITS["CreateBackup"] + rtt, {"CreateBackup": len(t1)},
                 {"ddb-backup": ddb + ["backup", *sum((["--table", t] for t in t1), [])],
                  "aws CLI (sh)": sh + ["backup", *t1],
                  "boto3": b3 + ["backup", *t1]}),
        Scenario("prune", f"prune 1 table of {prune_total} daily backups, deleting {prune_delete}", setup2,
                 pages(prune_total) / LIMITS["ListBackups"] + prune_delete / LIMITS["DeleteBackup"] + 2 * rtt,
                 {"ListBackups": pages(prune_total), "DeleteBackup": prune_delete},
                 {"ddb-backup": ddb + ["prune", "--table", "s2-orders", "--keep-within", f"{days}d"],
                  "aws CLI (sh)": sh + ["prune", "s2-orders", str(days)],
                  "boto3": b3 + ["prune", "s2-orders", str(days)]}),
        Scenario("list", f"list {per3 * len(t3)} backups across {len(t3)} tables", setup3,
                 len(t3) * pages(per3) / LIMITS["ListBackups"] + rtt,
                 {"ListBackups": len(t3) * pages(per3)},
                 {"ddb-backup": ddb + ["list", *sum((["--table", t] for t in t3), [])],
                  "aws CLI (sh)": sh + ["list", *t3],
                  "boto3": b3 + ["list", *t3]}),
        Scenario("startup", "one list of a 10-backup table", setup4, rtt, {"ListBackups": 1},
                 {"ddb-backup": ddb + ["list", "--table", "s4-small"],
                  "aws CLI (sh)": ["aws", "dynamodb", "list-backups", "--table-name", "s4-small"],
                  "boto3": b3 + ["list", "s4-small"]}),
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--emulator-python")
    ap.add_argument("--baseline-python")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-runs", type=int, default=1, help="runs of the boto3 baseline")
    ap.add_argument("--shell-runs", type=int, default=1,
                    help="runs of the aws CLI baseline (30-100x slower; 1 keeps the whole run under 10 minutes)")
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--small", action="store_true", help="tiny sizes (smoke test)")
    ap.add_argument("--only", help="comma-separated scenario keys")
    ap.add_argument("--tools", default="ddb-backup,aws CLI (sh),boto3")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    ap.add_argument("--render", metavar="JSON", help="only rewrite the Markdown table of a results file")
    a = ap.parse_args()
    if a.render:
        src = Path(a.render)
        src.with_suffix(".md").write_text(render(json.loads(src.read_text())))
        return
    n = ({"tables": 5, "prune_backups": 12, "list_tables": 2, "list_backups": 240} if a.small else
         {"tables": 100, "prune_backups": 300, "list_tables": 10, "list_backups": 3000})
    rtt = a.latency_ms / 1000.0
    emu = Emulator(a.emulator_python, a.latency_ms)
    env = dict(os.environ)
    for k in [k for k in env if k.startswith("AWS_")]:
        env.pop(k)
    env.update({
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": emu.url, "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "10",
        "AWS_PAGER": "", "HOME": str(ROOT / "target"),
        "PATH": f"{Path(a.baseline_python).parent}{os.pathsep}{env.get('PATH', '')}",
    })
    tools = a.tools.split(",")
    results: list[dict[str, Any]] = []
    try:
        for sc in scenarios(n, a.bin, a.baseline_python, rtt):
            if a.only and sc.key not in a.only.split(","):
                continue
            for tool in tools:
                runs = {"ddb-backup": a.runs, "boto3": a.baseline_runs}.get(tool, a.shell_runs)
                walls, rss, calls, throttled, ok = [], [], {}, {}, True
                for _ in range(runs):
                    emu.fresh()
                    sc.setup(emu)
                    emu.ctl("reset_stats")
                    wall, maxrss, code = run_measured(sc.tools[tool], env)
                    stats = emu.ctl("stats")
                    walls.append(wall)
                    rss.append(maxrss)
                    calls, throttled = stats["calls"], stats["throttled"]
                    ok = ok and code == 0
                med = statistics.median(walls)
                total = sum(calls.values())
                row = {
                    "scenario": sc.key, "title": sc.title, "tool": tool, "runs": runs, "ok": ok,
                    "wall_s": round(med, 3), "walls_s": [round(w, 3) for w in walls],
                    "floor_s": round(sc.floor, 3), "ratio": round(med / sc.floor, 2),
                    "calls": calls, "throttled": throttled, "throttled_pct": round(100 * sum(throttled.values()) / max(total, 1), 1),
                    "minimal_calls": all(calls.get(op, 0) - throttled.get(op, 0) == k for op, k in sc.min_calls.items()),
                    "peak_rss_kib": max(rss),
                }
                results.append(row)
                print(f"{sc.key:8} {tool:14} wall {med:7.2f}s floor {sc.floor:6.2f}s ratio {row['ratio']:6.2f} "
                      f"calls {total:5} throttled {row['throttled_pct']:5.1f}% rss {max(rss) / 1024:6.1f} MiB"
                      f"{'' if ok else '  FAILED'}", flush=True)
        memory = memory_growth(emu, a, env, n)
    finally:
        emu.stop()
    write(results, a, n, memory)
    if not all(r["ok"] for r in results):
        sys.exit(1)


def memory_growth(emu: Emulator, a: argparse.Namespace, env: dict[str, str], n: dict[str, int]) -> list[dict[str, Any]]:
    """ddb-backup's peak RSS as backups per table, and tables per run, grow."""
    rows = []
    now = time.time()
    sizes = [n["list_backups"] // 10, n["list_backups"], n["list_backups"] * 3]
    for k in sizes:
        emu.fresh()
        emu.ctl("create_tables", {"names": ["m-one"]})
        emu.ctl("seed_backups", {"table": "m-one", "backups": [
            {"name": f"ddb-backup.m-one.{stamp(now - i * 60 - 60)}", "created": now - i * 60 - 60} for i in range(k)]})
        emu.ctl("config", {"limits": {"ListBackups": 1000}})
        _, rss, _ = run_measured([a.bin, "--output", "json", "--rate-multiplier", "0", "list", "--table", "m-one"], env)
        rows.append({"what": f"list 1 table of {k} backups", "peak_rss_kib": rss})
    for k in [n["tables"] // 10 or 1, n["tables"], n["tables"] * 3]:
        emu.fresh()
        names = [f"m-{i:04d}" for i in range(k)]
        emu.ctl("create_tables", {"names": names})
        emu.ctl("config", {"limits": {"CreateBackup": 100000}, "latency_ms": 0})
        _, rss, _ = run_measured([a.bin, "--output", "json", "--rate-multiplier", "0", "backup", "--match", "m-*"], env)
        rows.append({"what": f"back up {k} tables", "peak_rss_kib": rss})
    for r in rows:
        print(f"memory   {r['what']:32} rss {r['peak_rss_kib'] / 1024:6.1f} MiB", flush=True)
    return rows


def secs(x: float) -> str:
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def write(results: list[dict[str, Any]], a: argparse.Namespace, n: dict[str, int],
          memory: list[dict[str, Any]]) -> None:
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "rss_floor_kib": run_measured(["true"], dict(os.environ))[1],
        "latency_ms": a.latency_ms, "sizes": n, "runs": a.runs, "baseline_runs": a.baseline_runs,
        "shell_runs": a.shell_runs,
    }
    data = {"meta": meta, "results": results, "memory": memory}
    out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(data))
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")


def render(data: dict[str, Any]) -> str:
    """The Markdown table of a results JSON document."""
    meta, results, memory = data["meta"], data["results"], data["memory"]
    lines = [
        f"Date {meta['date']}; {meta['machine']}; emulator round trip {meta['latency_ms']:g} ms, documented rate limits; "
        f"median of {meta['runs']} runs (boto3: {meta['baseline_runs']}, aws CLI: {meta['shell_runs']}). "
        f"Peak RSS is measured from a small parent whose own {meta['rss_floor_kib'] / 1024:.1f} MiB is the floor of the measurement.",
        "",
        "| scenario | tool | wall (s) | floor (s) | ratio | API calls | throttled | minimal calls | peak RSS (MiB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for r in results:
        calls = ", ".join(f"{op} {k}" for op, k in sorted(r["calls"].items()))
        lines.append(
            f"| {r['title']} | {r['tool']} | {secs(r['wall_s'])} | {secs(r['floor_s'])} | {r['ratio']:.2f} | {calls} | "
            f"{r['throttled_pct']:.1f}% | {'yes' if r['minimal_calls'] else 'no'} | {r['peak_rss_kib'] / 1024:.1f} |"
            + ("" if r["ok"] else " FAILED"))
    lines += ["", "ddb-backup's peak RSS as the work grows (client pacing off):", "",
              "| run | peak RSS (MiB) |", "| --- | ---: |"]
    lines += [f"| {m['what']} | {m['peak_rss_kib'] / 1024:.1f} |" for m in memory]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
