"""The simulated BIP study the calibration runs: time of one study, and studies per minute.

One study is ``bipsim.calibration.study.run_study`` on the ``bip_study`` scenario (10
jobcentres, 4,000 citizens, 208 weeks, the quarterly survey) with the shipped
parameters: the simulation, then the statistics and the hazard-model fit the targets
compare with. "One study" is timed in this process after an untimed warm-up (numba's
cache, statsmodels' or scipy's imports): the median of ``--repeats`` studies, CPU and
wall time, split into simulation and analysis. Throughput runs ``--studies`` studies
on a pool of 1 and of 2 worker processes (one thread each, as the calibration runs
them; the pools are started and warmed up before the clock starts).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def study_params() -> dict[str, Any]:
    from bipsim.scenario import load_scenario

    return dict(load_scenario("bip_study").params)


def one_study(seed: int) -> dict[str, float]:
    """One study, timed in parts (CPU and wall seconds)."""
    from bipsim.calibration.study import study_statistics
    from bipsim.model import BipModel

    w0, c0 = time.perf_counter(), time.process_time()
    model = BipModel(**{**study_params(), "seed": seed})
    model.run()
    w1, c1 = time.perf_counter(), time.process_time()
    study_statistics(model)
    w2, c2 = time.perf_counter(), time.process_time()
    return {"simulate_wall_s": w1 - w0, "simulate_cpu_s": c1 - c0,
            "analyse_wall_s": w2 - w1, "analyse_cpu_s": c2 - c1,
            "study_wall_s": w2 - w0, "study_cpu_s": c2 - c0}


def pool_study(seed: int) -> float:
    """A worker's task: one study (the calibration's own entry point)."""
    from bipsim.calibration.study import run_study

    run_study(study_params(), seed)
    return os.getpid()


def throughput(workers: int, studies: int) -> float:
    """Studies per minute on ``workers`` processes."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(pool_study, range(1000, 1000 + 2 * workers)))  # warm-up, untimed
        t0 = time.perf_counter()
        list(pool.map(pool_study, range(studies)))
        return studies / (time.perf_counter() - t0) * 60


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9, help="studies timed one by one")
    ap.add_argument("--studies", type=int, default=40, help="studies per throughput run")
    ap.add_argument("--label", default="", help="tag saved with the results (e.g. before)")
    args = ap.parse_args(argv)
    try:
        from bipsim.threads import set_threads
    except ImportError:  # an older version: one thread anyway
        pass
    else:
        set_threads(1)
    one_study(999)  # warm-up: cache loading, imports
    runs = [one_study(seed) for seed in range(1, args.repeats + 1)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"one study (bip_study, 4,000 citizens, 208 weeks), median of {args.repeats}:")
    for part in ("simulate", "analyse", "study"):
        print(f"  {part:<9} CPU {median[part + '_cpu_s']:.3f} s, "
              f"wall {median[part + '_wall_s']:.3f} s")
    rates = {}
    for workers in (1, 2):
        rates[workers] = throughput(workers, args.studies)
        print(f"  {workers} worker(s): {rates[workers]:.0f} studies per minute", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared with other work)")
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"bench_study-{stamp}{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps({"args": vars(args), "median": median, "studies_per_minute": rates,
                                "runs": runs, "loadavg_1m": os.getloadavg()[0]}, indent=2))
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
