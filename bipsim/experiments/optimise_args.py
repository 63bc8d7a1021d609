"""The flags of ``bipsim optimise``, registered by :func:`add_command`.

Only the standard library is imported here (``bipsim --help`` builds this parser);
the command itself is in :mod:`bipsim.experiments.optimise_cli`.
"""

from __future__ import annotations

import argparse

from bipsim import options
from bipsim.options import Command

from .arguments import DEFAULT_SEED  # compare's and sweep's: one default seed

DEFAULT_REPS = 10
DEFAULT_POPULATION = 8
DEFAULT_GENERATIONS = 4


def add_command(sub: argparse._SubParsersAction) -> None:
    """Add ``optimise`` to the ``bipsim`` subcommands."""
    opt = sub.add_parser(
        "optimise", help="search lever mixes within a yearly budget (Pareto front)",
        description="Search mixes of the levers given with --lever (Optuna's NSGA-II, "
                    "seeded) for the most extra job and education entries and the lowest "
                    "net public cost over SCENARIO, within --budget-per-year of extra "
                    "cost; every candidate runs in the same --reps plausible worlds as the "
                    "baseline (seeds and parameter draws). Writes candidates.csv, "
                    "pareto.csv, pareto.png and prints the front and the levers that make "
                    "the difference.",
        epilog="example: bipsim optimise baseline --budget-per-year 20e6 --lever "
               "caseworkers.expectations_training=0:1 --lever "
               "interventions.company_slots_per_100=8:24 --lever caseworkers.caseload=50:80")
    opt.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO",
                     help="the scenario the levers change (file or name; default baseline)")
    opt.add_argument("--lever", action="append", metavar="KEY=LOW:HIGH",
                     help="a lever to search and its range, inside its allowed one "
                          "(repeatable; levers: bipsim params --role lever)")
    opt.add_argument("--budget-per-year", type=float, metavar="DKK",
                     help="the extra cost a year may have over the baseline (activities, "
                          "caseworker posts, the reform's own cost: compare's extra cost), "
                          "e.g. 20e6")
    options.add_reps(opt, DEFAULT_REPS, "candidate (plausible worlds, shared by all)")
    opt.add_argument("--population", type=int, metavar="N",
                     help=f"candidates per generation (default {DEFAULT_POPULATION})")
    opt.add_argument("--generations", type=int, metavar="N",
                     help=f"generations of the search (default {DEFAULT_GENERATIONS})")
    options.add_seed(opt, "base seed of the worlds and of the search (default "
                          f"{DEFAULT_SEED}): the same seed gives the same front")
    options.add_weeks(opt)
    options.add_set(opt)
    options.add_output(opt, "experiment")
    options.add_locale(opt)
    options.add_excel_csv(opt)
    options.add_executor(opt)
    options.add_quiet(opt)
    opt.set_defaults(func=Command("bipsim.experiments.optimise_cli:cmd_optimise"))
