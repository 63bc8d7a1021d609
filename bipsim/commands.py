"""``bipsim run``: what it does once its flags are parsed.

The flags are declared in :mod:`bipsim.cli`; this module is imported only when the
command runs. ``bipsim params`` and ``bipsim scenarios`` are in
:mod:`bipsim.scenario_commands`.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .options import overrides
from .scenario import ScenarioError, load_scenario
from .scenario_commands import resolved_yaml

if TYPE_CHECKING:
    from .model import BipModel

#: Fewest replicate seeds ``--reps`` gives the ranking's intervals from.
MIN_REPS = 2
#: Runs projected to take longer than this show a progress bar.
PROGRESS_AFTER_S = 3.0


def cmd_run(args: argparse.Namespace) -> int:
    """``bipsim run``: load, validate, run, write the folder, print the summary.

    With ``--check``: load and validate only, and print the resolved scenario.
    """
    scenario = load_scenario(args.scenario, overrides(args, with_seed=True))
    if args.check:  # loading has checked every value and how they fit together
        print(resolved_yaml(scenario), end="")
        return 0
    from .model import BipModel
    from .runfolder import choose_folder, staged, write_run
    from .threads import from_environment, run_default, set_threads

    console = Console(quiet=args.quiet)
    if not console.is_terminal:
        console.width = 110  # piped output: room for the key column
    folder = choose_folder(args.out, args.outputs, scenario.name)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    model = BipModel.from_scenario(scenario)
    timings["build_s"] = time.perf_counter() - started
    set_threads(args.threads or from_environment(run_default(len(model.citizens))))
    if args.reps is not None and args.reps < MIN_REPS:
        raise ScenarioError(f"given {args.reps}; allowed: {MIN_REPS} or more replicate seeds "
                            "(for the ranking's intervals)", key="--reps")
    if args.reps and len(model.jobcentres) < 2:
        raise ScenarioError(f"given {args.reps}, but {scenario.name} has one jobcentre: "
                            "replicates give the jobcentre ranking its intervals; allowed: "
                            "a scenario with several jobcentres (for one, bipsim compare "
                            "--reps gives intervals)", key="--reps")
    started = time.perf_counter()
    with _WeeklyProgress(model.p["weeks"], scenario.name) as progress:
        model.run(progress=progress.advance)
    timings["run_s"] = time.perf_counter() - started
    ranking = None
    if args.reps:
        from .ranking import replicate_ranking

        started = time.perf_counter()
        ranking = replicate_ranking(scenario, model.p["seed"], args.reps, args.workers,
                                    args.quiet)
        timings["replicates_s"] = time.perf_counter() - started
    plot = None
    if not args.no_plots:
        from .plots import write_run_plots  # matplotlib only when plotting
        plot = write_run_plots
    with staged(folder, exact=args.out is not None) as tmp:
        summary = write_run(model, scenario, tmp, timings, argv=args.argv, plot=plot,
                            excel_csv=args.excel_csv, ranking=ranking)
        table = summary_table(scenario.name, model.p["seed"], model.p["weeks"], summary)
        budget = budget_table(model)
        with open(tmp / "summary.txt", "w", encoding="utf-8") as f:
            Console(file=f, width=110).print(table, budget)
    console.print(table, budget)
    console.print(f"Results in [bold]{folder}[/bold]")
    return 0


def budget_table(model: BipModel) -> Table:
    """The public cost per budget year and by kind, and the benefit that job and
    education exits avoided (``budget.csv``), as a readable table."""
    from .budget import YEAR_WEEKS, YEARLY, yearly
    from .formatting import dkk

    frame = yearly(model.weekly())
    table = Table(title="Budget per year (year 1 = weeks 1-52; benefit avoided by job and "
                        "education exits, net of returns to benefit)", title_justify="left")
    table.add_column("", no_wrap=True)
    for row in frame.itertuples(index=False):
        weeks = row.last_week - row.first_week + 1
        table.add_column(f"year {row.year}" + (f" ({weeks} weeks)" if weeks < YEAR_WEEKS
                                                else ""), justify="right")
    for name, (_, label, _, unit) in YEARLY.items():
        table.add_row(label, *(dkk(v) if unit == "DKK" else f"{v:,.0f}" for v in frame[name]))
    return table


def summary_table(name: str, seed: int, weeks: int, summary: dict) -> Table:
    """The summary as a readable table."""
    from .formatting import value
    from .outcomes import OUTCOMES

    table = Table(title=f"bipsim run: {name} (seed {seed}, {weeks} weeks)")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    table.add_column("key", style="dim")
    for key, outcome in OUTCOMES.items():
        table.add_row(outcome.label, value(key, summary[key]), key)
    return table


class _WeeklyProgress:
    """A progress bar that appears only when the run is projected to be slow."""

    def __init__(self, weeks: int, name: str) -> None:
        self.weeks, self.name, self.done = weeks, name, 0
        self.started = time.perf_counter()
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> _WeeklyProgress:
        return self

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.bar is None:
            elapsed = time.perf_counter() - self.started
            if elapsed > 0.5 and elapsed / self.done * self.weeks > PROGRESS_AFTER_S:
                self.bar = Progress(TextColumn(f"[bold]{self.name}[/bold] week"),
                                    TextColumn("{task.completed}/{task.total}"), BarColumn(),
                                    TimeRemainingColumn(), console=Console(stderr=True),
                                    transient=True)
                self.bar.start()
                self.task = self.bar.add_task("run", total=self.weeks, completed=self.done)
        else:
            self.bar.update(self.task, completed=self.done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
