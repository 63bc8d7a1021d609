"""The ``bipsim`` command line: ``bipsim run SCENARIO`` and ``bipsim params``.

Every subcommand is a function ``(args) -> exit code``; :func:`main` is what the
console script and ``python -m bipsim`` call, and what tests call in-process.
Exit codes: 0 success, 2 bad input (scenario, parameter, output folder).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import parameters
from .calibration.cli import add_commands as add_calibrate
from .calibration.targets import TargetsError
from .dashboard.cli import add_commands as add_dashboard
from .experiments.cli import add_commands as add_experiments
from .model import BipModel
from .outcomes import OUTCOMES, format_value
from .parameters import ParameterError
from .runfolder import RunFolderError, choose_folder, staged, write_run
from .scenario import ScenarioError, load_scenario

#: Runs projected to take longer than this show a progress bar.
PROGRESS_AFTER_S = 3.0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="bipsim", description="Agent-based simulation of Danish jobcentre caseloads.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write a run folder",
                         description="Run SCENARIO (a YAML file or a name in scenarios/) "
                                     "and write its results into a new folder.")
    run.add_argument("scenario", help="scenario file or name, e.g. baseline")
    run.add_argument("--seed", type=int, help="seed of all random streams (run.seed)")
    run.add_argument("--weeks", type=int, help="weeks to simulate (run.weeks)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter, e.g. --set caseworkers.caseload=40 "
                          "(repeatable)")
    run.add_argument("--out", help="write exactly here (must be new or empty)")
    run.add_argument("--outputs", default="outputs",
                     help="folder for new run folders when --out is not given (default: "
                          "outputs)")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    run.add_argument("--quiet", action="store_true", help="print no summary table")
    run.set_defaults(func=cmd_run)

    params = sub.add_parser("params", help="list every scenario parameter")
    params.add_argument("--group", choices=parameters.GROUPS, help="only this group")
    params.add_argument("--markdown", action="store_true",
                        help="print a Markdown table (the README's model card uses it)")
    params.set_defaults(func=cmd_params)
    add_calibrate(sub)
    add_experiments(sub)
    add_dashboard(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parser.parse_args(argv)
        args.argv = ["bipsim", *argv]  # recorded in the manifest
    except SystemExit as exit_:  # argparse has printed the usage error
        return int(exit_.code or 0)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (ScenarioError, ParameterError, RunFolderError, TargetsError) as err:
        print(f"bipsim: error: {err}", file=sys.stderr)
        return 2


def cmd_run(args: argparse.Namespace) -> int:
    """``bipsim run``: load, validate, run, write the folder, print the summary."""
    console = Console(quiet=args.quiet)
    if not console.is_terminal:
        console.width = 110  # piped output: room for the key column
    overrides = list(args.set)
    if args.weeks is not None:
        overrides.append(f"run.weeks={args.weeks}")
    if args.seed is not None:
        overrides.append(f"run.seed={args.seed}")
    scenario = load_scenario(args.scenario, overrides)
    folder = choose_folder(args.out, args.outputs, scenario.name)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    model = BipModel.from_scenario(scenario)
    timings["build_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with _WeeklyProgress(model.p["weeks"], scenario.name) as progress:
        model.run(progress=progress.advance)
    timings["run_s"] = time.perf_counter() - started
    plot = None
    if not args.no_plots:
        from .plots import write_run_plots  # matplotlib only when plotting
        plot = write_run_plots
    with staged(folder, exact=args.out is not None) as tmp:
        summary = write_run(model, scenario, tmp, timings, argv=args.argv, plot=plot)
        table = summary_table(scenario.name, model.p["seed"], model.p["weeks"], summary)
        with open(tmp / "summary.txt", "w", encoding="utf-8") as f:
            Console(file=f, width=110).print(table)
    console.print(table)
    console.print(f"Results in [bold]{folder}[/bold]")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """``bipsim params``: every parameter with default, allowed values and source."""
    specs = [s for s in parameters.PARAMETERS.values() if args.group in (None, s.group)]
    if args.markdown:
        print(parameters.markdown_table(specs))
        return 0
    table = Table(title="bipsim parameters", show_lines=False)
    table.add_column("key", no_wrap=True)
    for column in ("default", "allowed", "meaning", "source"):
        table.add_column(column, overflow="fold")
    for spec in specs:
        table.add_row(spec.path, str(spec.default), spec.allowed(), spec.doc, spec.source)
    console = Console()
    if not console.is_terminal:
        console.width = 160  # piped into a file or pager: keep rows readable
    console.print(table)
    return 0


def summary_table(name: str, seed: int, weeks: int, summary: dict) -> Table:
    """The summary as a readable table."""
    table = Table(title=f"bipsim run: {name} (seed {seed}, {weeks} weeks)")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    table.add_column("key", style="dim")
    for key, outcome in OUTCOMES.items():
        table.add_row(outcome.label, format_value(key, summary[key]), key)
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


if __name__ == "__main__":
    sys.exit(main())
