"""``bipsim calibrate``: fit the structural parameters to the BIP targets.

``bipsim --help`` imports this module to build the parser: the command imports
what it needs (numpy, rich, Optuna, the model) when it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .. import options
from ..resources import calibration_folder

#: The shipped calibration (the repository's calibration/, or its copy in an installed wheel).
CALIBRATION = calibration_folder()
#: The best candidate is checked on replicates seeded ``seed + CHECK_SEED_OFFSET``:
#: fresh, because the search has adapted to its own.
CHECK_SEED_OFFSET = 1_000_003
DEFAULT_SEED = 1
DEFAULT_REPS = 8


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``calibrate`` with the ``bipsim`` command line."""
    cal = sub.add_parser("calibrate", help="fit parameters to the published BIP estimates",
                         description="Search the structural parameters so the simulated BIP "
                                     "study, analysed as BIP did, reproduces the targets.")
    cal.add_argument("--targets", default=str(CALIBRATION / "targets.yaml"),
                     help="targets file (default: calibration/targets.yaml)")
    cal.add_argument("--scenario", default="bip_study", help="the study (default: bip_study)")
    options.add_set(cal, "the study")
    cal.add_argument("--budget", type=int, default=100, help="candidates to try (default 100)")
    options.add_reps(cal, DEFAULT_REPS, "candidate (replicate studies)")
    cal.add_argument("--check-reps", type=int, default=20,
                     help="fresh replicates to check the best candidate (default 20)")
    options.add_workers(cal)
    options.add_seed(cal, f"seed of replicates and sampler (default {DEFAULT_SEED})")
    cal.add_argument("--out", default=str(CALIBRATION),
                     help="folder for fitted.yaml and the report (default: calibration/)")
    cal.add_argument("--recheck", action="store_true",
                     help="no search: check the fit in --out/fitted.yaml again on its check "
                          "replicates (after a change of the model) and rewrite its report")
    cal.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Load, search, check on fresh replicates, write fitted.yaml and the report."""
    from ..runfolder import check_writable
    from ..scenario import load_scenario
    from .search import evaluate, replicate_seeds, search
    from .targets import TargetsError, load_targets

    args.workers = options.worker_count(args.workers)
    args.seed = DEFAULT_SEED if args.seed is None else args.seed
    args.reps = DEFAULT_REPS if args.reps is None else args.reps
    for name in ("budget", "reps", "check_reps"):
        if getattr(args, name) < 1:
            raise TargetsError(f"--{name.replace('_', '-')} {getattr(args, name)}: "
                               "must be at least 1")
    if args.workers < 0:
        raise TargetsError(f"--workers {args.workers}: give 0 (this process) or more")
    if args.seed < 0:
        raise TargetsError(f"--seed {args.seed}: allowed: a whole number, 0 or more")
    targets = load_targets(args.targets)
    scenario = load_scenario(args.scenario, args.set or [])
    out = Path(args.out)
    check_writable(out, "--out")  # before hours of search, not after
    if args.recheck:
        return _recheck(args, targets, scenario.params, out)
    started = time.perf_counter()
    with _executor(args.workers) as executor, _TrialProgress(args.budget) as progress:
        result = search(scenario.params, targets, args.budget,
                        replicate_seeds(args.seed, args.reps), executor, args.seed,
                        on_trial=progress.update)
        # what is checked and shipped is the fit as written: 6 significant digits
        fitted = {k: float(f"{v:.6g}") for k, v in result.best.params.items()}
        check = evaluate({**scenario.params, **fitted}, targets,
                         replicate_seeds(args.seed + CHECK_SEED_OFFSET, args.check_reps),
                         executor)
    ranges = result.plausible_ranges()
    meta: dict[str, Any] = {
        "scenario": scenario.name, "targets_file": str(args.targets), "seed": args.seed,
        "budget": args.budget, "reps": args.reps, "check_reps": args.check_reps,
        "distance_search": round(result.best.distance, 3),
        "distance_check": round(check.distance, 3),
        "minutes": round((time.perf_counter() - started) / 60, 2),
        "date": dt.date.today().isoformat(),
        "plausible_ranges": {k: [float(f"{lo:.6g}"), float(f"{hi:.6g}")]
                             for k, (lo, hi) in ranges.items()},
    }
    _write(out, targets, check, fitted, meta)
    return 0


def _recheck(args: argparse.Namespace, targets: list, params: dict, out: Path) -> int:
    """``--recheck``: check an existing fit again (after a change of the model) on
    its check replicates and rewrite its fit table and report; no search."""
    import yaml

    from .search import evaluate, replicate_seeds
    from .targets import TargetsError

    path = out / "fitted.yaml"
    if not path.is_file():
        raise TargetsError(f"--recheck: {path} not found; run a calibration first")
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))["calibration"]
    fitted = {k: params[k] for k in meta["plausible_ranges"]}
    with _executor(args.workers) as executor:
        check = evaluate(params, targets, replicate_seeds(meta["seed"] + CHECK_SEED_OFFSET,
                                                          meta["check_reps"]), executor)
    meta.update(distance_check=round(check.distance, 3), rechecked=dt.date.today().isoformat())
    _write(out, targets, check, fitted, meta)
    return 0


def _write(out: Path, targets: list, check: Any, fitted: dict[str, float],
           meta: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    from .report import fit_table, write_fitted, write_report

    table = fit_table(targets, check)
    ranges = {k: tuple(v) for k, v in meta["plausible_ranges"].items()}
    write_fitted(out / "fitted.yaml", fitted, table, meta)
    write_report(out, table, meta, fitted, ranges)
    console = Console()
    console.print(Markdown((out / "report.md").read_text(encoding="utf-8")))
    console.print(f"Wrote {out / 'fitted.yaml'}, report.md and report.png")


class _SerialExecutor(Executor):
    """Runs tasks in this process (``--workers 0``): same results, no pool."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout=None,
            chunksize=1) -> Iterator[Any]:
        return iter([fn(*args) for args in zip(*iterables, strict=True)])


def _executor(workers: int) -> Executor:
    return _SerialExecutor() if workers == 0 else ProcessPoolExecutor(workers)


class _TrialProgress:
    """Candidates done and left, the best distance so far, time remaining."""

    def __init__(self, budget: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        self.budget, self.started = budget, time.perf_counter()
        # a live bar needs a terminal; in a log, a line every tenth of the budget
        self.every = 0 if console.is_terminal else max(1, budget // 10)
        self.bar = Progress(TextColumn("calibrate"), BarColumn(),
                            TextColumn("{task.completed}/{task.total} candidates"),
                            TextColumn("best distance {task.fields[best]:.2f}"),
                            TimeRemainingColumn(), console=console)
        self.task = self.bar.add_task("search", total=budget, best=float("nan"))

    def __enter__(self) -> _TrialProgress:
        self.bar.start()
        return self

    def update(self, done: int, distance: float, best: float) -> None:
        self.bar.update(self.task, completed=done, best=best)
        if self.every and (done % self.every == 0 or done == self.budget):
            minutes = (time.perf_counter() - self.started) / 60
            left = minutes / done * (self.budget - done)
            self.bar.console.print(f"calibrate: {done}/{self.budget} candidates, best "
                                   f"distance {best:.2f}, {minutes:.1f} min, ~{left:.1f} min left")

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()
