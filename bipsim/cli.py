"""The ``bipsim`` command line: the parser of every subcommand, and :func:`main`.

:func:`main` is what the console script and ``python -m bipsim`` call, and what
tests call in-process. Building the parser imports only the standard library:
each subcommand names its function with :class:`~bipsim.options.Command`, which
imports the module that does the work (Mesa, numpy, pandas, ...) when it runs.
So ``bipsim --help`` and a usage error answer at once.

Conventions: ``bipsim`` alone prints this help (exit 0); ``--version``; flags
are spelled out in full, a mistyped one gets a did-you-mean; the flags several
subcommands take come from :mod:`bipsim.options`, one definition each.
Exit codes: 0 success, 1 a run failed, 2 bad input (usage, scenario, parameter,
output folder), 128 + signal number when stopped.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from . import options
from .calibration.cli import add_commands as add_calibrate
from .dashboard.cli import add_commands as add_dashboard
from .errors import run_guarded
from .experiments.arguments import add_commands as add_experiments
from .experiments.optimise_args import add_command as add_optimise
from .options import Command, Parser
from .scenario_commands import add_commands as add_scenario_commands

EPILOG = ("Run 'bipsim COMMAND --help' for a command's flags. Exit codes: 0 done, 1 a run "
          "failed, 2 bad input, 130/143 stopped by SIGINT/SIGTERM.")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = Parser(prog="bipsim", epilog=EPILOG,
                    description="Agent-based simulation of Danish jobcentre caseloads.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write a run folder",
                         description="Run SCENARIO (a YAML file or a shipped scenario's "
                                     "name) and write its results into a new folder.")
    run.add_argument("scenario", help="scenario file or name, e.g. baseline")
    options.add_seed(run, "seed of all random streams (default: the scenario's run.seed)")
    options.add_weeks(run)
    options.add_set(run, "the scenario")
    options.add_output(run, "run")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    options.add_quiet(run, "print no summary table")
    options.add_threads(run)
    options.add_locale(run)
    options.add_excel_csv(run)
    run.add_argument("--reps", type=int, metavar="N",
                     help="with several jobcentres: also run N replicate seeds and write "
                          "each jobcentre's median and 90 %% range (chance only) of the "
                          "ranked outcomes and places (jobcentre_intervals.csv, error bars "
                          "in jobcentre_ranking.png)")
    options.add_workers(run)
    run.add_argument("--check", action="store_true",
                     help="validate only: print the resolved scenario, every value with its "
                          "source, and exit without building or running the model")
    run.set_defaults(func=Command("bipsim.commands:cmd_run"))

    add_scenario_commands(sub)
    add_calibrate(sub)
    add_experiments(sub)
    add_optimise(sub)
    add_dashboard(sub)
    return parser


def main(argv: list[str] | None = None, *, then_exit: bool = False) -> int:
    """Run the command line; returns the exit code. ``then_exit``: the process ends
    after it (see :func:`bipsim.errors.run_guarded`)."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 0
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the help, version or usage error
        return int(exit_.code or 0)
    args.argv = ["bipsim", *argv]  # recorded in the manifest
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run_command(args, then_exit=then_exit)


def entry() -> None:
    """The ``bipsim`` executable and ``python -m bipsim``: run, then exit with the code."""
    sys.exit(main(then_exit=True))


def run_command(args: argparse.Namespace, *, then_exit: bool = False) -> int:
    """Run the chosen subcommand: the one call site of every command, and its one error
    path (:func:`bipsim.errors.run_guarded`: bad input exits 2, a bug 1, a signal
    128 + its number, each with one message). A command with ``--locale`` runs in
    that locale (:func:`bipsim.formatting.use_locale`)."""
    return run_guarded(lambda: _in_locale(args), then_exit=then_exit)


def _in_locale(args: argparse.Namespace) -> int:
    if not hasattr(args, "locale"):
        return args.func(args)
    from .formatting import resolve_locale, use_locale  # numpy: only when a command runs

    with use_locale(resolve_locale(args.locale)):
        return args.func(args)


class _Version(argparse.Action):
    """``--version``: print ``bipsim X.Y.Z`` and exit 0 (the version is looked up only
    when asked for)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print bipsim's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from . import __version__
        print(f"bipsim {__version__}")
        parser.exit()


if __name__ == "__main__":
    entry()
