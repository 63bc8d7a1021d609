"""``bipsim compare``, ``bipsim sweep`` and ``bipsim validate``: what they do (their
flags are in :mod:`.arguments`).

Both commands share one flow: validate everything and fix the plan; open the
executor (a scheduler that cannot be reached fails here, before any folder is
made); save the plan in a new experiment folder; run what is missing, saving each
run as it finishes; analyse the saved runs; write tables, plots, report, manifest.

Exit codes: 0 done; 1 a run failed or the executor cannot be used; 2 bad input
(scenario, key, value, bounds, folder); 128 + signal number when stopped by
SIGINT (130) or SIGTERM (143), with the finished runs saved for ``--resume``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.console import Console

from bipsim import formatting
from bipsim.errors import USER_OS_ERRORS, describe_os_error, stop_handled
from bipsim.options import overrides
from bipsim.parameters import BY_NAME, ParameterError
from bipsim.provenance import code_fingerprint, manifest
from bipsim.runfolder import choose_folder
from bipsim.scenario import ScenarioError, available_scenarios, load_scenario
from bipsim.validation import experiment as validation
from bipsim.validation import report as validation_report
from bipsim.validation.criteria import load_criteria

from . import compare, compare_report, sweep, sweep_report
from .alternatives import load_alternatives
from .arguments import DEFAULT_REPS, DEFAULT_SEED, DEFAULT_UNCERTAINTY, PLAN_OPTIONS
from .designs import grid_design, lever_factors, parse_bounds, parse_grid, sample_design
from .engine import RunError, StoppedError, execute
from .executors import ExecutorError, open_workers
from .plan import Plan
from .progress import RunProgress
from .store import RunStore, StoreError


def cmd_compare(args: argparse.Namespace) -> int:
    """``bipsim compare``."""
    if args.resume:
        _no_plan_options(args, args.scenarios)
        return _resume(args)
    common = overrides(args)
    scenarios = [load_scenario(name, common) for name in args.scenarios]
    if args.alt:
        if not scenarios:
            raise ScenarioError("give the scenario the alternatives change (the baseline) "
                                "before --alt, e.g. bipsim compare baseline --alt "
                                "caseload40:caseworkers.caseload=40", key="--alt")
        taken = {listed.name: f"the scenario file {listed.path}"
                 for listed in available_scenarios()}
        taken |= {s.name: f"the scenario {s.name} on this command line" for s in scenarios}
        scenarios += load_alternatives(args.alt, args.scenarios[0], taken, common)
    plan = compare.plan_compare(scenarios, _or(args.reps, DEFAULT_REPS["compare"]),
                                _base_seed(args),
                                args.uncertainty or DEFAULT_UNCERTAINTY["compare"])
    return _carry_out(args, plan, None)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``bipsim sweep``."""
    if args.resume:
        _no_plan_options(args, [args.scenario] if args.scenario else [])
        return _resume(args)
    if not args.scenario:
        raise ScenarioError("give the scenario to sweep (or --resume DIR)", key="sweep")
    seed = _base_seed(args)
    if args.grid and (args.sample or args.bounds or args.levers):
        raise ScenarioError("give either --grid, or --sample with --bounds or --levers, not "
                            "both", key="sweep")
    if args.grid:
        design = grid_design(parse_grid(args.grid))
    elif args.sample and (args.bounds or args.levers):
        if args.n is None:
            raise ScenarioError("give the base sample size with --n", key="--sample")
        factors = parse_bounds(args.bounds or [])
        if args.levers:
            factors = lever_factors(args.levers, factors)
        design = sample_design(args.sample, factors, args.n, seed)
    else:
        raise ScenarioError("give --grid KEY=V1,V2,..., or --sample METHOD with --bounds "
                            "KEY=LOW:HIGH or --levers", key="sweep")
    scenario = load_scenario(args.scenario, overrides(args))
    plan = sweep.plan_sweep(scenario, design, _or(args.reps, DEFAULT_REPS["sweep"]), seed,
                            args.uncertainty or DEFAULT_UNCERTAINTY["sweep"])
    return _carry_out(args, plan, None)


def cmd_validate(args: argparse.Namespace) -> int:
    """``bipsim validate``."""
    if args.resume:
        _no_plan_options(args, [args.criteria] if args.criteria else [])
        return _resume(args)
    criteria = load_criteria(args.criteria) if args.criteria else load_criteria()
    if args.uncertainty:
        criteria.design["uncertainty"] = args.uncertainty
    return _carry_out(args, validation.plan_validation(criteria, args.reps, args.seed), None)


def _resume(args: argparse.Namespace) -> int:
    try:
        store, plan = RunStore.open(args.resume)
    except StoreError as err:
        return _fail(err, 2)
    if plan.kind != args.command:
        return _fail(f"--resume {args.resume}: a {plan.kind} folder; resume it with "
                     f"bipsim {plan.kind} --resume", 2)
    if plan.fingerprint != code_fingerprint():
        return _fail(f"--resume {args.resume}: the model code has changed since this "
                     f"experiment started (fingerprint {plan.fingerprint}, now "
                     f"{code_fingerprint()}); finished and new runs would come from different "
                     "models. Start a new experiment.", 2)
    return _carry_out(args, plan, store)


def _carry_out(args: argparse.Namespace, plan: Plan, store: RunStore | None) -> int:
    """Run what is missing of ``plan``, then analyse and write the outputs."""
    out = Console(quiet=args.quiet, width=None if sys.stdout.isatty() else 150)
    err = Console(stderr=True, quiet=args.quiet)
    folder = store.folder if store else choose_folder(args.out, args.outputs, plan.name)
    started = time.perf_counter()
    try:
        with ExitStack() as stack:
            workers = None
            if store is None:  # open the executor first: a bad one leaves no folder
                workers = stack.enter_context(_workers(args))
                store = RunStore.create(folder, plan)
            stack.enter_context(store.lock())
            done = store.done() & {run.run_id for run in plan.runs}
            todo = [plan.task(run) for run in plan.runs if run.run_id not in done]
            if todo and workers is None:
                workers = stack.enter_context(_workers(args))
            where = workers.description if workers else "-"
            err.print(f"{plan.kind} {_summary(plan)}: {len(todo)} to run"
                      + (f" on {where}" if todo else "")
                      + (f", {len(done)} done before" if done else "") + f" -> {folder}",
                      highlight=False, soft_wrap=True)
            progress = RunProgress(len(plan.runs), len(done), plan.kind, err, args.quiet)
            with progress:
                if todo:
                    execute(todo, workers, store.save, progress)
            records = store.load(run.run_id for run in plan.runs)
    except ExecutorError as error:  # incl. every worker gone midway
        return _fail(f"{error}{_resumable(plan, store)}", 1)
    except StoreError as error:
        return _fail(error, 2)
    except (StoppedError, KeyboardInterrupt) as stop:  # the latter: before or after runs
        stop_handled()
        signum = getattr(stop, "signum", signal.SIGINT)
        return _fail(f"stopped by {signal.Signals(signum).name}{_resumable(plan, store)}",
                     128 + signum)
    except OSError as error:  # a full disk, say: what is saved is whole
        if error.errno not in USER_OS_ERRORS:
            raise
        return _fail(f"{describe_os_error(error)}{_resumable(plan, store)}", 2)
    except RunError as error:
        run = plan.runs[error.run_id]
        changes = ", ".join(f"{BY_NAME[k].path}={v}" for k, v in run.changes.items())
        what = f"{run.scenario}{': ' + changes if changes else ''}, seed {run.seed}"
        # values that are each allowed but do not fit together are bad input
        code = 2 if isinstance(error.error, ParameterError) else 1
        return _fail(f"{error} ({what}); the finished runs are saved in {folder}", code)
    run_s = time.perf_counter() - started
    try:
        _write(plan, store, records, args, out, {"run_s": round(run_s, 2), "executor": where,
                                                 "runs_this_session": len(todo)})
    except KeyboardInterrupt as stop:  # every run is saved: a resume writes the outputs
        stop_handled()
        signum = getattr(stop, "signum", signal.SIGINT)
        return _fail(f"stopped by {signal.Signals(signum).name} while writing the outputs"
                     f"{_resumable(plan, store)}", 128 + signum)
    out.print(f"Results in [bold]{folder}[/bold]")
    return 0


def _resumable(plan: Plan, store: RunStore | None) -> str:
    """What is saved and how to finish, for a message (nothing if nothing was started)."""
    if store is None:
        return " before the experiment started; nothing was saved"
    return (f": {len(store.done())} of {len(plan.runs)} runs saved in {store.folder}; finish "
            f"with: bipsim {plan.kind} --resume {store.folder}")


def _write(plan: Plan, store: RunStore, records: list[dict[str, Any]],
           args: argparse.Namespace, out: Console, session: dict[str, Any]) -> None:
    started = time.perf_counter()
    info = manifest(plan.kind, getattr(args, "argv", None), executor=session.pop("executor"),
                    plan=_plan_facts(plan), locale=formatting.current_locale(),
                    excel_csv=args.excel_csv, **session)
    subtitle = (f"{_summary(plan)}; {_weeks(plan)} weeks; replicate seeds from base seed "
                f"{plan.seed}. Made {dt.date.today():%d %B %Y}.")
    footer = (f"bipsim {info['bipsim_version']}, git commit {info['git_commit']}, model "
              f"code {info['code_fingerprint']}; folder {store.folder}")
    if plan.kind == "compare":
        result = compare.analyse(plan, records)
        files = compare_report.write_outputs(result, store, subtitle, footer, args.excel_csv)
        tables = compare_report.text_tables(result)
    elif plan.kind == "validate":
        result = validation.analyse(plan, records)
        files = validation_report.write_outputs(result, store, " ".join(info["command"] or []),
                                                args.excel_csv)
        tables = validation_report.text_tables(result)
    else:
        result = sweep.analyse(plan, records)
        files = sweep_report.write_outputs(result, store, subtitle, footer, args.excel_csv)
        tables = sweep_report.text_tables(result)
    info["timings_s"] = {"runs_s": session["run_s"],
                         "outputs_s": round(time.perf_counter() - started, 2)}
    info["files"] = files
    store.write("manifest.json", json.dumps(info, indent=2, ensure_ascii=False))
    for table in tables:
        out.print(table)


def _summary(plan: Plan) -> str:
    if plan.kind == "validate":
        return f"{len(plan.scenarios)} arms, {plan.reps} worlds each"
    if plan.kind == "compare":
        d = plan.design
        return (f"{d['baseline']} vs {', '.join(d['alternatives'])}, {plan.reps} replicates "
                f"each")
    label = next(iter(plan.scenarios))
    return f"{label}, " + sweep.describe(sweep.design_of(plan), plan.reps)


def _weeks(plan: Plan) -> int:
    return next(iter(plan.scenarios.values()))["params"]["weeks"]


def _plan_facts(plan: Plan) -> dict[str, Any]:
    return {"kind": plan.kind, "runs": len(plan.runs), "seed": plan.seed, "seeds": plan.seeds,
            "scenarios": {label: {k: s[k] for k in ("name", "description", "files",
                                                    "overrides")}
                          for label, s in plan.scenarios.items()},
            "design": {k: v for k, v in plan.design.items() if k not in ("x", "points")}}


def _workers(args: argparse.Namespace) -> Any:
    return open_workers(args.workers, args.scheduler, args.dask_local, args.connect_timeout)


def _no_plan_options(args: argparse.Namespace, scenarios: list[str]) -> None:
    given = [f"--{name}" for name in PLAN_OPTIONS
             if getattr(args, name, None) not in (None, [], False)]
    given += scenarios
    if given:
        raise ScenarioError(f"with --resume the plan comes from {Path(args.resume) / 'plan.json'}"
                            f"; drop {', '.join(given)} (only executor options may change)",
                            key="--resume")


def _base_seed(args: argparse.Namespace) -> int:
    """``--seed``, or its default; refused if negative (seeds are words of 64 bits)."""
    seed = _or(args.seed, DEFAULT_SEED)
    if seed < 0:
        raise ScenarioError(f"given {seed}, allowed: a whole number, 0 or more", key="--seed")
    return seed


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _fail(message: object, code: int) -> int:
    print(f"bipsim: error: {message}", file=sys.stderr)
    return code
