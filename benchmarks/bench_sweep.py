"""Sweep throughput: runs per minute of the ``bip_study`` scenario for 52 weeks.

Each case opens an executor (local processes, or a local Dask cluster with
``--dask``), warms every worker up with untimed runs (imports, numba's compiled
kernels), then times ``--runs`` runs through the same engine and store a sweep uses
(each run saved as a JSON file, fsync'd). A repeat is one such timed batch; the
median over repeats is reported, min and max show the spread. Every run has its own
replicate seed, as in a sweep. The 1-minute load average is recorded because other
processes on the machine distort timings.

    python benchmarks/bench_sweep.py                 # 1 and 2 workers, 5 repeats of 40 runs
    python benchmarks/bench_sweep.py --quick         # smoke test: 1 repeat of 8 runs
    python benchmarks/bench_sweep.py --workers 1 2 4 --dask
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def measure(workers: int, runs: int, repeats: int, dask: bool) -> dict[str, Any]:
    """Runs per minute over ``repeats`` timed batches of ``runs`` runs on one executor."""
    from bipsim.experiments.engine import execute
    from bipsim.experiments.executors import open_workers
    from bipsim.experiments.plan import replicate_seeds
    from bipsim.experiments.store import RunStore
    from bipsim.experiments.worker import Task
    from bipsim.scenario import load_scenario

    params = load_scenario("bip_study", ["run.weeks=52"]).params
    seeds = replicate_seeds(2026, (repeats + 1) * runs + 2 * workers)
    tasks = [Task(i, params, seed) for i, seed in enumerate(seeds)]
    warm, timed = tasks[:2 * workers], tasks[2 * workers:]
    opened = open_workers(dask_local=workers) if dask else open_workers(workers=workers)
    batches = []
    with opened as pool, tempfile.TemporaryDirectory() as tmp:
        store = RunStore(tmp)
        store.runs.mkdir()
        execute(warm, pool, store.save)  # untimed: imports and compiled kernels
        for k in range(repeats):
            batch = timed[k * runs:(k + 1) * runs]
            load = os.getloadavg()[0]
            started = time.perf_counter()
            execute(batch, pool, store.save)
            elapsed = time.perf_counter() - started
            batches.append({"runs": len(batch), "seconds": elapsed,
                            "runs_per_minute": 60 * len(batch) / elapsed, "loadavg_1m": load})
            rate = batches[-1]["runs_per_minute"]
            print(f"  {_name(workers, dask)} {k + 1}/{repeats}: {rate:.0f} runs/min "
                  f"({elapsed:.2f} s, load {load:.2f})", file=sys.stderr, flush=True)
        description = pool.description
    rates = [b["runs_per_minute"] for b in batches]
    return {"case": _name(workers, dask), "executor": description, "workers": workers,
            "runs_per_repeat": runs, "repeats": repeats,
            "runs_per_minute_median": statistics.median(rates),
            "runs_per_minute_min": min(rates), "runs_per_minute_max": max(rates),
            "seconds_per_run_median": 60 / statistics.median(rates), "batches": batches}


def _name(workers: int, dask: bool) -> str:
    return f"{'dask' if dask else 'processes'} x{workers}"


def machine() -> dict[str, Any]:
    """Where the figures come from."""
    import numpy as np

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], capture_output=True, text=True,
                              cwd=RESULTS.parent).stdout.strip()

    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):  # not Linux: name unknown
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    return {"python": platform.python_version(), "numpy": np.__version__,
            "cpu_count": os.cpu_count(), "cpu": cpu, "platform": platform.platform(),
            "git": (git("rev-parse", "--short", "HEAD") or "unknown")
            + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else ""),
            "loadavg_1m": round(os.getloadavg()[0], 2),
            "date": dt.datetime.now().isoformat(timespec="seconds")}


def main(argv: list[str] | None = None) -> int:
    """Measure each case, print a table, save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts to measure (default: 1 2)")
    parser.add_argument("--runs", type=int, default=40, help="runs per timed repeat")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per case")
    parser.add_argument("--dask", action="store_true",
                        help="also measure a local Dask cluster of each size")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 repeat of 8 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.repeats = 8, 1
    facts = machine()
    print(" | ".join(f"{k}: {v}" for k, v in facts.items()), flush=True)
    cases = [(w, False) for w in args.workers] + [(w, True) for w in args.workers if args.dask]
    rows = [measure(w, args.runs, args.repeats, dask) for w, dask in cases]
    print(f"\nbip_study, 52 weeks, 4,000 citizens: {args.repeats} repeats of {args.runs} runs")
    print(f"{'case':<14}{'runs/min median':>17}{'min-max':>15}{'s/run':>8}{'speed-up':>10}")
    base = rows[0]["runs_per_minute_median"]
    for r in rows:
        spread = f"{r['runs_per_minute_min']:.0f}-{r['runs_per_minute_max']:.0f}"
        print(f"{r['case']:<14}{r['runs_per_minute_median']:>17.0f}{spread:>15}"
              f"{r['seconds_per_run_median']:>8.3f}{r['runs_per_minute_median'] / base:>9.2f}x")
    save_results("bench_sweep", {"machine": facts, "quick": args.quick, "cases": rows})
    return 0


def save_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``results/<name>-<timestamp>.json`` and say where."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(payload, indent=2))
    print(f"\nresults: {path}")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
