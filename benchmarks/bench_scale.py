"""Scale benchmark for bipsim: wall time and peak memory of whole simulation runs.

Cases: ``national`` (national scenario as shipped: 80,000 citizens, 208 weeks; target run
<= 2 s) and ``million`` (the same with 1,000,000 citizens, 52 weeks; target run <= 30 s
within 4 GiB peak memory). Each repeat runs in a fresh subprocess (this script in a hidden
worker mode), so the peak RSS (``ru_maxrss``) belongs to that one run and no allocator or
cache state carries over. Each worker first does a small untimed warm-up run so numba
compilation / cache loading is not timed. Model construction ("build") and ``m.run()``
("run") are timed separately; throughput is citizen-weeks per second, the sum of
``n_on_benefit`` over weeks 1..W divided by run time. The 1-minute load average is recorded
because other processes on the machine distort timings.

Medians are reported because wall times have a long right tail (other processes, frequency
scaling, page faults): one slow repeat does not move the median; min/max show the spread.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
GIB = 1024**3
BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def worker(n_citizens: int, weeks: int) -> dict[str, Any]:
    """One measured run in this (fresh) process; returns its figures."""
    from bipsim.model import BipModel
    from bipsim.scenario import load_scenario

    s = load_scenario("national")
    BipModel.from_scenario(s, seed=0, n_citizens=2000, weeks=3).run()  # warm-up: numba/JIT
    rss_base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    m = BipModel.from_scenario(s, seed=1, n_citizens=n_citizens, weeks=weeks)
    t1, c1 = time.perf_counter(), time.process_time()
    m.run()
    t2, c2 = time.perf_counter(), time.process_time()
    w = m.weekly()
    return {"build_s": t1 - t0, "run_s": t2 - t1, "run_cpu_s": c2 - c1,
            "citizen_weeks": int(w.loc[w["week"] > 0, "n_on_benefit"].sum()),
            "weeks_run": int(w["week"].max()),
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "base_rss_kib": rss_base, "loadavg_1m_after": os.getloadavg()[0]}


def run_case(n_citizens: int, weeks: int, blas_threads: int | None) -> dict[str, Any]:
    """Run one repeat in a fresh subprocess and parse its JSON report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(n_citizens), str(weeks)]
    env = dict(os.environ)
    if blas_threads:
        env |= dict.fromkeys(BLAS_VARS, str(blas_threads))
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def git_state() -> str:
    """Commit of the benchmarked tree, with "+dirty" if it has uncommitted changes."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], capture_output=True, text=True,
                              cwd=RESULTS.parent).stdout.strip()
    return (git("rev-parse", "--short", "HEAD") or "unknown") + (
        "+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_mem(kib: float) -> str:
    b = kib * 1024
    return f"{b / GIB:.2f} GiB" if b >= GIB else f"{b / 1024**2:.0f} MiB"


def summarise(name: str, runs: list[dict[str, Any]], target: dict[str, float] | None
              ) -> dict[str, Any]:
    out: dict[str, Any] = {"case": name, "repeats": len(runs)}
    for key in ("run", "build"):
        xs = [r[f"{key}_s"] for r in runs]
        out |= {f"{key}_median_s": statistics.median(xs), f"{key}_min_s": min(xs),
                f"{key}_max_s": max(xs)}
    peak = max(r["peak_rss_kib"] for r in runs)
    ok = None if not target else out["run_median_s"] <= target["run_s"] and (
        peak * 1024 <= target.get("mem_gib", float("inf")) * GIB)
    cwps = statistics.median(r["citizen_weeks"] / r["run_s"] for r in runs)
    return out | {"citizen_weeks_per_s_median": cwps, "peak_rss_kib_max": peak,
                  "target": target, "pass": ok, "runs": runs}


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (f"{'case':<14}{'reps':>5}{'run med':>9}{'run min/max':>15}{'build med':>11}"
            f"{'build min/max':>15}{'cit-wk/s':>12}{'peak mem':>11}  target")
    print(head)
    print("-" * (len(head) + 22))
    for r in rows:
        t = r["target"]
        tgt = "-" if not t else (f"run<={t['run_s']:g}s"
                                 + (f", <={t['mem_gib']:g}GiB" if "mem_gib" in t else "")
                                 + (" PASS" if r["pass"] else " MISS"))
        run_mm = f"{r['run_min_s']:.2f}/{r['run_max_s']:.2f}s"
        build_mm = f"{r['build_min_s']:.2f}/{r['build_max_s']:.2f}s"
        print(f"{r['case']:<14}{r['repeats']:>5}{r['run_median_s']:>8.2f}s{run_mm:>15}"
              f"{r['build_median_s']:>10.2f}s{build_mm:>15}"
              f"{r['citizen_weeks_per_s_median']:>12,.0f}{fmt_mem(r['peak_rss_kib_max']):>11}"
              f"  {tgt}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=None,
                    help="repeats per case (default: 5 national, 3 million)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 1 repeat each, 200,000 citizens instead of 1,000,000")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="set OPENBLAS/OMP/MKL_NUM_THREADS in the workers (default: inherit)")
    ap.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0

    import numpy as np

    from bipsim.scenario import load_scenario

    national_n = int(load_scenario("national").params["n_citizens"])
    big = 200_000 if args.quick else 1_000_000
    cases = [("national", national_n, 208, 5, {"run_s": 2.0}),
             ("million" if big == 1_000_000 else f"{big // 1000}k(quick)", big, 52, 3,
              {"run_s": 30.0, "mem_gib": 4.0} if big == 1_000_000 else None)]
    now = dt.datetime.now()
    machine = {"python": platform.python_version(), "numpy": np.__version__,
               "cpu_count": os.cpu_count(), "cpu": cpu_model(), "platform": platform.platform(),
               "git": git_state(), "loadavg_1m": round(os.getloadavg()[0], 2),
               "blas_threads": args.blas_threads or os.environ.get(BLAS_VARS[0], "default"),
               "date": now.isoformat(timespec="seconds")}
    print(" | ".join(f"{k}: {v}" for k, v in machine.items()), flush=True)

    rows = []
    for name, n, weeks, default_reps, target in cases:
        reps = args.repeats or (1 if args.quick else default_reps)
        runs = []
        for i in range(reps):
            runs.append(run_case(n, weeks, args.blas_threads))
            r = runs[-1]
            print(f"  {name} {i + 1}/{reps}: run {r['run_s']:.2f}s (cpu {r['run_cpu_s']:.2f}s), "
                  f"build {r['build_s']:.2f}s, peak {fmt_mem(r['peak_rss_kib'])}, "
                  f"load {r['loadavg_1m_after']:.2f}", file=sys.stderr, flush=True)
        rows.append(summarise(name, runs, target) | {"n_citizens": n, "weeks": weeks})
    print()
    print_table(rows)

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench_scale-{now:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps({"machine": machine, "quick": args.quick, "cases": rows},
                               indent=2))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
