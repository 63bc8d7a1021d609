"""Loop timing of bipsim: each rule's milliseconds per week, and CPU per citizen-week.

Runs the ``national`` scenario (80,000 citizens, 208 weeks) in fresh processes, after an
untimed warm-up run (numba's cache loading), and times every rule of ``model.WEEK`` and
the weekly record, as Starsim's loop timing does. Times are **CPU time of the process**
(``time.process_time``: every thread of it, not the other work on this shared machine),
so the per-rule figures add up to the run's CPU time; wall time is printed beside them.
``--threads N`` sets the model's thread count (it changes no result, only the time).

The script only wraps the rules it finds in ``bipsim.model.WEEK``, so it measures any
version of bipsim: ``PYTHONPATH=/path/to/old/tree python benchmarks/bench_rules.py`` gives
the "before" of a paired comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def set_threads(n: int) -> None:
    """The model's thread count (older versions have one thread and no setting)."""
    try:
        from bipsim.threads import set_threads as set_model_threads
    except ImportError:
        return
    set_model_threads(n)


def timed(fn: Any, name: str, cpu: dict[str, int]) -> Any:
    """``fn`` wrapped to add its CPU nanoseconds to ``cpu[name]``."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time_ns()
        out = fn(*args, **kwargs)
        cpu[name] += time.process_time_ns() - t0
        return out
    wrapper.__name__ = name
    return wrapper


def worker(scenario: str, n_citizens: int | None, weeks: int, threads: int) -> dict[str, Any]:
    """One profiled run in this (fresh) process."""
    import bipsim.model as model_module
    from bipsim.model import BipModel
    from bipsim.scenario import load_scenario

    set_threads(threads)
    s = load_scenario(scenario)
    size = {} if n_citizens is None else {"n_citizens": n_citizens}
    BipModel.from_scenario(s, seed=0, n_citizens=2000, weeks=3).run()  # warm-up
    week_rules = model_module.WEEK
    cpu = dict.fromkeys([r.__name__ for r in week_rules] + ["record", "step"], 0)
    m = BipModel.from_scenario(s, seed=1, weeks=weeks, **size)
    model_module.WEEK = tuple(timed(r, r.__name__, cpu) for r in week_rules)
    m.record = timed(m.record, "record", cpu)
    step = m.step
    m.step = timed(step, "step", cpu)
    w0, c0 = time.perf_counter(), time.process_time()
    m.run()
    wall, run_cpu = time.perf_counter() - w0, time.process_time() - c0
    model_module.WEEK = week_rules
    weekly = m.weekly()
    citizen_weeks = int(weekly.loc[weekly["week"] > 0, "n_on_benefit"].sum())
    ms_per_week = {k: v / 1e6 / weeks for k, v in cpu.items() if k != "step"}
    ms_per_week["step overhead"] = (cpu["step"] - sum(
        v for k, v in cpu.items() if k != "step")) / 1e6 / weeks
    return {"ms_per_week": ms_per_week, "run_cpu_s": run_cpu, "run_wall_s": wall,
            "citizen_weeks": citizen_weeks, "ns_per_citizen_week": run_cpu / citizen_weeks * 1e9,
            "loadavg_1m": os.getloadavg()[0]}


def run_once(args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--scenario", args.scenario,
           "--weeks", str(args.weeks), "--threads", str(args.threads)]
    if args.n_citizens:
        cmd += ["--n-citizens", str(args.n_citizens)]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="national")
    ap.add_argument("--n-citizens", type=int, default=None, help="default: the scenario's")
    ap.add_argument("--weeks", type=int, default=208)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--label", default="", help="tag saved with the results (e.g. before)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.scenario, args.n_citizens, args.weeks, args.threads)))
        return 0

    runs = []
    for i in range(args.repeats):
        runs.append(run_once(args))
        r = runs[-1]
        print(f"  {i + 1}/{args.repeats}: cpu {r['run_cpu_s']:.3f} s, wall {r['run_wall_s']:.3f} s,"
              f" {r['ns_per_citizen_week']:.1f} ns/citizen-week, load {r['loadavg_1m']:.1f}",
              file=sys.stderr, flush=True)
    names = list(runs[0]["ms_per_week"])
    median = {k: statistics.median(r["ms_per_week"][k] for r in runs) for k in names}
    print(f"\n{args.scenario}, {args.weeks} weeks, {args.threads} thread(s), "
          f"median of {args.repeats} fresh processes (CPU time)")
    print(f"{'rule':<22}{'ms/week':>9}")
    for k in sorted(names, key=lambda k: -median[k]):
        print(f"{k:<22}{median[k]:>9.3f}")
    summary = {k: statistics.median(r[k] for r in runs)
               for k in ("run_cpu_s", "run_wall_s", "ns_per_citizen_week")}
    print(f"{'total':<22}{sum(median.values()):>9.3f}")
    print(f"run: CPU {summary['run_cpu_s']:.3f} s, wall {summary['run_wall_s']:.3f} s, "
          f"{summary['ns_per_citizen_week']:.1f} ns CPU per citizen-week")
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"bench_rules-{stamp}{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps({"args": vars(args), "median_ms_per_week": median, **summary,
                                "runs": runs}, indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
