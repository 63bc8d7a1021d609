"""Scale benchmark for bipsim: wall time and peak memory of whole simulation runs.

Cases: ``national`` (the national scenario as shipped: 80,000 citizens, 208 weeks) with one
thread (target: <= 35 ns CPU per citizen-week) and with two (target run <= 0.4 s wall), and
with ``--curve`` the scaling curve: the national scenario scaled to 10,000 ... 5,000,000
citizens, 208 weeks, with one thread and with two (``--curve-threads``; target for
5,000,000: <= 120 s wall within 8 GiB), so the curve shows whether the second thread
saves wall time at each size.
Each repeat runs in a fresh subprocess (this script in a hidden worker mode), so the peak
RSS (``ru_maxrss``) belongs to that one run and no allocator or cache state carries over.
Each worker first does a small untimed warm-up run so numba's cache loading is not timed.
Model construction ("build") and ``m.run()`` ("run") are timed separately, in wall and CPU
time (the process's, every thread); per citizen-week divides by the sum of ``n_on_benefit``
over weeks 1..W. The worker also reports what the run holds at the end: the live citizens'
columns, the archive of leavers and the weekly series. The 1-minute load average is
recorded because other processes on the machine distort timings.

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


def worker(n_citizens: int, weeks: int, threads: int) -> dict[str, Any]:
    """One measured run in this (fresh) process; returns its figures."""
    from bipsim.model import BipModel
    from bipsim.scenario import load_scenario

    try:
        from bipsim.threads import set_threads
    except ImportError:  # a version before threads: one thread
        pass
    else:
        set_threads(threads)
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
            "weeks_run": int(w["week"].max()), "threads": threads,
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "base_rss_kib": rss_base, "loadavg_1m_after": os.getloadavg()[0],
            **held_bytes(m)}


def held_bytes(m: Any) -> dict[str, int]:
    """Bytes the finished model holds: live citizens' columns (with spare capacity and
    working arrays), the archive of leavers, the survey panel."""
    c = m.citizens
    store = getattr(c, "_store", {})
    return {"live_bytes": sum(a.nbytes for a in store.values())
            + sum(a.nbytes for a in getattr(c, "_scratch", {}).values()),
            "archive_bytes": sum(a.nbytes for part in getattr(c, "_archive", [])
                                 for a in part.values()),
            "survey_bytes": sum(a.nbytes for row in m.survey_rows for a in row.values())}


def run_case(n_citizens: int, weeks: int, threads: int, blas_threads: int | None
             ) -> dict[str, Any]:
    """Run one repeat in a fresh subprocess and parse its JSON report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(n_citizens),
           str(weeks), str(threads)]
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
    for key in ("run", "build", "run_cpu"):
        xs = [r[f"{key}_s"] for r in runs]
        out |= {f"{key}_median_s": statistics.median(xs), f"{key}_min_s": min(xs),
                f"{key}_max_s": max(xs)}
    peak = max(r["peak_rss_kib"] for r in runs)
    cw = statistics.median(r["citizen_weeks"] for r in runs)
    out |= {"cpu_ns_per_citizen_week": out["run_cpu_median_s"] / cw * 1e9,
            "wall_ns_per_citizen_week": out["run_median_s"] / cw * 1e9,
            "peak_bytes_per_citizen_week": peak * 1024 / cw,
            "held_bytes": {k: max(r.get(k, 0) for r in runs)
                           for k in ("live_bytes", "archive_bytes", "survey_bytes")}}
    ok = None
    if target:
        ok = (out["run_median_s"] <= target.get("run_s", float("inf"))
              and out["cpu_ns_per_citizen_week"] <= target.get("cpu_ns", float("inf"))
              and peak * 1024 <= target.get("mem_gib", float("inf")) * GIB)
    return out | {"peak_rss_kib_max": peak, "target": target, "pass": ok, "runs": runs}


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (f"{'case':<32}{'reps':>5}{'run wall':>10}{'min/max':>13}{'run CPU':>9}"
            f"{'ns/cit-wk':>10}{'build':>8}{'peak mem':>10}{'B/cit-wk':>9}{'archive':>9}"
            "  target")
    print(head)
    print("-" * (len(head) + 24))
    for r in rows:
        t = r["target"]
        parts = [text.format(t[key]) for key, text in (
            ("run_s", "run<={:g}s"), ("cpu_ns", "<={:g}ns CPU"), ("mem_gib", "<={:g}GiB"))
            if t and key in t]  # only the targets this case has (the curve's: none but 5M)
        tgt = "-" if not t else ", ".join(parts) + (" PASS" if r["pass"] else " MISS")
        mm = f"{r['run_min_s']:.2f}/{r['run_max_s']:.2f}"
        print(f"{r['case']:<32}{r['repeats']:>5}{r['run_median_s']:>9.2f}s{mm:>13}"
              f"{r['run_cpu_median_s']:>8.2f}s{r['cpu_ns_per_citizen_week']:>10.1f}"
              f"{r['build_median_s']:>7.2f}s{fmt_mem(r['peak_rss_kib_max']):>10}"
              f"{r['peak_bytes_per_citizen_week']:>9.1f}"
              f"{fmt_mem(r['held_bytes']['archive_bytes'] / 1024):>9}  {tgt}")


CURVE = (10_000, 30_000, 100_000, 300_000, 1_000_000, 2_000_000, 5_000_000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=None,
                    help="repeats per case (default: 5 national, 3 up to 1,000,000 "
                         "citizens, 1 above)")
    ap.add_argument("--curve", action="store_true",
                    help="also the scaling curve, 10,000 to 5,000,000 citizens")
    ap.add_argument("--sizes", type=int, nargs="+", default=None,
                    help="citizens of the curve's points (default: 10k ... 5M)")
    ap.add_argument("--curve-threads", type=int, nargs="+", default=[1, 2],
                    help="thread counts of the curve's runs (default: 1 2)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 repeat each")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="set OPENBLAS/OMP/MKL_NUM_THREADS in the workers (default: inherit)")
    ap.add_argument("--worker", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0

    import numpy as np

    from bipsim.scenario import load_scenario

    national_n = int(load_scenario("national").params["n_citizens"])
    cases = [("national, 1 thread", national_n, 208, 1, 5, {"cpu_ns": 35.0}),
             ("national, 2 threads", national_n, 208, 2, 5, {"run_s": 0.4})]
    if args.curve or args.sizes:
        for n in args.sizes or CURVE:
            target = {"run_s": 120.0, "mem_gib": 8.0} if n == 5_000_000 else None
            for threads in args.curve_threads:
                cases.append((f"{n:,} citizens, {threads} thread{'s' * (threads > 1)}", n, 208,
                              threads, 3 if n <= 1_000_000 else 1, target))
    now = dt.datetime.now()
    machine = {"python": platform.python_version(), "numpy": np.__version__,
               "cpu_count": os.cpu_count(), "cpu": cpu_model(), "platform": platform.platform(),
               "git": git_state(), "loadavg_1m": round(os.getloadavg()[0], 2),
               "blas_threads": args.blas_threads or os.environ.get(BLAS_VARS[0], "default"),
               "date": now.isoformat(timespec="seconds")}
    print(" | ".join(f"{k}: {v}" for k, v in machine.items()), flush=True)

    rows = []
    for name, n, weeks, threads, default_reps, target in cases:
        reps = args.repeats or (1 if args.quick else default_reps)
        runs = []
        for i in range(reps):
            runs.append(run_case(n, weeks, threads, args.blas_threads))
            r = runs[-1]
            print(f"  {name} {i + 1}/{reps}: run {r['run_s']:.2f}s (cpu {r['run_cpu_s']:.2f}s), "
                  f"build {r['build_s']:.2f}s, peak {fmt_mem(r['peak_rss_kib'])}, "
                  f"load {r['loadavg_1m_after']:.2f}", file=sys.stderr, flush=True)
        rows.append(summarise(name, runs, target) | {"n_citizens": n, "weeks": weeks,
                                                     "threads": threads})
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
