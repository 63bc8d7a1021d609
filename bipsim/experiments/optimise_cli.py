"""``bipsim optimise``: validate, run the baseline's worlds, search, write the outputs.

The flow of ``compare``: everything is checked before anything runs (a bad lever,
range, budget or executor leaves no folder); the runs of each generation go through
the experiments engine (:func:`.engine.execute`) and are saved one file each in the
folder's ``runs/``; ``plan.json`` is rewritten after each generation with every run
planned so far, and ``manifest.json`` is written at the end. An interrupted search is
not resumed: run it again (the same seed gives the same candidates).

Exit codes: 0 done; 1 a run failed or the executor cannot be used; 2 bad input;
128 + signal number when stopped.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from typing import Any

from rich.console import Console

from bipsim.errors import stop_handled
from bipsim.options import overrides
from bipsim.provenance import manifest
from bipsim.runfolder import choose_folder
from bipsim.scenario import load_scenario

from . import optimise, optimise_report
from .engine import RunError, StoppedError, execute
from .executors import ExecutorError, open_workers
from .optimise_args import DEFAULT_GENERATIONS, DEFAULT_POPULATION, DEFAULT_REPS, DEFAULT_SEED
from .plan import Plan
from .progress import RunProgress
from .store import OutputFiles, RunStore, StoreError


def cmd_optimise(args: argparse.Namespace) -> int:
    """``bipsim optimise``."""
    reps = DEFAULT_REPS if args.reps is None else args.reps
    population = DEFAULT_POPULATION if args.population is None else args.population
    generations = DEFAULT_GENERATIONS if args.generations is None else args.generations
    seed = DEFAULT_SEED if args.seed is None else args.seed
    common = overrides(args)
    optimise.check_settings(args.budget_per_year, reps, population, generations, seed)
    levers = optimise.parse_levers(args.lever or [], args.set or [])
    scenario = load_scenario(args.scenario, common)
    budget = float(args.budget_per_year)
    settings = {"budget_per_year_dkk": budget, "population": population,
                "generations": generations}
    plan = optimise.plan_baseline(scenario, levers, reps, seed, settings)
    weeks = int(scenario.params["weeks"])
    out = Console(quiet=args.quiet, width=None if sys.stdout.isatty() else 150)
    err = Console(stderr=True, quiet=args.quiet)
    started = time.perf_counter()
    try:
        with open_workers(args.workers, args.scheduler, args.dask_local,
                          args.connect_timeout) as workers:
            folder = choose_folder(args.out, args.outputs, plan.name)
            store = RunStore.create(folder, plan)
            with store.lock():
                err.print(f"optimise {scenario.name}: {len(levers)} lever(s), {generations} "
                          f"generations of {population}, {reps} worlds each, on "
                          f"{workers.description} -> {folder}", highlight=False,
                          soft_wrap=True)
                _run(plan, list(range(reps)), workers, store, err, args.quiet, "baseline")

                def evaluate(points: list[dict[str, Any]], first: int
                             ) -> list[optimise.Evaluation]:
                    ids = []
                    for k, point in enumerate(points):
                        ids += [run.run_id for run in optimise.candidate_runs(
                            plan, first + k, point)]
                    store.write("plan.json", plan.to_json())
                    _run(plan, ids, workers, store, err, args.quiet,
                         f"candidates {first}-{first + len(points) - 1}")
                    records = {r["run_id"]: r for r in store.load(
                        [*range(reps), *ids])}
                    return [optimise.evaluate_records(plan, records, first + k)
                            for k in range(len(points))]

                candidates = optimise.search(levers, budget, weeks, population,
                                             generations, seed, evaluate)
                where = workers.description
    except ExecutorError as error:
        return _fail(str(error), 1)
    except StoreError as error:
        return _fail(str(error), 2)
    except (StoppedError, KeyboardInterrupt) as stop:
        stop_handled()
        signum = getattr(stop, "signum", signal.SIGINT)
        return _fail(f"stopped by {signal.Signals(signum).name}; rerun the same command to "
                     "get the same candidates", 128 + signum)
    except RunError as error:
        return _fail(f"{error}; the finished runs are saved", 1)
    files = OutputFiles(store, args.excel_csv)
    title = (f"{scenario.name}: {len(candidates)} candidates in {reps} worlds, seed {seed}")
    printed = optimise_report.write_outputs(files, candidates, budget, weeks, title)
    info = manifest("optimise", getattr(args, "argv", None), scenario=scenario.name,
                    seed=seed, runs=len(plan.runs), executor=where,
                    settings=settings, levers=[f.path for f in levers],
                    uncertainty=plan.design["uncertainty"],
                    timings_s={"total_s": round(time.perf_counter() - started, 2)},
                    files=files.names)
    store.write("manifest.json", json.dumps(info, indent=2, ensure_ascii=False))
    for table in printed:
        out.print(table)
    out.print(f"Results in [bold]{store.folder}[/bold]")
    return 0


def _run(plan: Plan, run_ids: list[int], workers: Any, store: RunStore, err: Console,
         quiet: bool, what: str) -> None:
    """Make the runs ``run_ids`` of ``plan`` on ``workers``, saving each in ``store``."""
    runs = {run.run_id: run for run in plan.runs}
    progress = RunProgress(len(run_ids), 0, f"optimise {what}", err, quiet)
    with progress:
        execute([plan.task(runs[i]) for i in run_ids], workers, store.save, progress)


def _fail(message: str, code: int) -> int:
    print(f"bipsim: error: {message}", file=sys.stderr)
    return code
