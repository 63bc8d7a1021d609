"""The flags of ``bipsim compare``, ``sweep`` and ``validate``, registered by
:func:`add_commands`.

Only the standard library is imported here (``bipsim --help`` builds these
parsers); the commands themselves are in :mod:`bipsim.experiments.cli`.
"""

from __future__ import annotations

import argparse

from bipsim import options
from bipsim.options import Command

#: Defaults of the options that define a plan (None on the parser, so ``--resume``
#: can tell that they were not given).
DEFAULT_SEED = 1
DEFAULT_REPS = {"compare": 40, "sweep": 1, "validate": None}
#: Default of --uncertainty: a comparison carries its parameters' uncertainty; a sweep
#: varies parameters on purpose and draws the others only when asked; validate takes
#: the criteria file's.
DEFAULT_UNCERTAINTY = {"compare": "parameters", "sweep": "chance", "validate": None}
#: Flags that define a plan: refused with ``--resume``, which takes the saved plan.
PLAN_OPTIONS = ("reps", "seed", "weeks", "set", "alt", "grid", "bounds", "levers", "sample", "n",
                "uncertainty")


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``compare``, ``sweep`` and ``validate`` to the ``bipsim`` subcommands."""
    cmp = sub.add_parser(
        "compare", help="run scenarios on the same seeds; paired differences to a baseline",
        description="Run the baseline (the first SCENARIO) and each alternative on the same "
                    "replicate seeds; report each outcome per scenario and each alternative "
                    "minus the baseline, paired by seed, with 95 % intervals; plots and an "
                    "HTML report.",
        epilog="examples: bipsim compare baseline early_placement --reps 20;  bipsim "
               "compare baseline --alt caseload40:caseworkers.caseload=40 --alt "
               "early:interventions.placement_timing=early;  bipsim compare baseline "
               "early_placement --alt both:caseworkers.caseload=40,"
               "interventions.placement_timing=early")
    cmp.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                     help="the baseline, then the alternatives (files or names)")
    cmp.add_argument("--alt", action="append", metavar="LABEL:KEY=VALUE[,KEY=VALUE...]",
                     help="an alternative made here: the first SCENARIO with these changes "
                          "(commas between them), named LABEL, compared exactly as a "
                          "scenario file with 'extends:' and those values would be; after "
                          "the SCENARIO alternatives, in order (repeatable, one per label)")
    _add_shared(cmp, "compare")
    cmp.set_defaults(func=Command("bipsim.experiments.cli:cmd_compare"))

    swp = sub.add_parser(
        "sweep", help="run a scenario over a grid or a sampled design (SALib)",
        description="Run SCENARIO at every point of a design, --reps times each: a full "
                    "factorial --grid, or --sample lhs|sobol|morris within --bounds or over "
                    "the levers' ranges (--levers). One "
                    "row per run in results.parquet/.csv; sensitivity indices for sobol "
                    "and morris.",
        epilog="examples: bipsim sweep baseline --grid caseworkers.annual_turnover=0.1,0.2,0.3"
               " --grid caseworkers.expectations_training=0,0.5 --reps 5;  bipsim sweep "
               "bip_study --sample sobol --n 64 --bounds caseworkers.annual_turnover=0.05:0.4"
               " --bounds caseworkers.expectations_training=0:1")
    swp.add_argument("scenario", nargs="?", metavar="SCENARIO",
                     help="the scenario swept (file or name)")
    swp.add_argument("--grid", action="append", metavar="KEY=V1,V2,...",
                     help="levels of one parameter (repeatable: the full factorial)")
    swp.add_argument("--sample", metavar="METHOD",
                     help="sample a design within --bounds: lhs (Latin hypercube), sobol "
                          "(Sobol' indices, N x (D+2) points), morris (N x (D+1) points)")
    swp.add_argument("--bounds", action="append", metavar="KEY=LOW:HIGH",
                     help="range of one sampled parameter (repeatable)")
    swp.add_argument("--levers", nargs="?", const="all", metavar="KEY,KEY,...",
                     help="sample the levers (the parameter table's role 'lever': what a "
                          "jobcentre chooses) over their allowed ranges with --sample: all "
                          "that are numbers, or the keys given; --bounds narrows one")
    swp.add_argument("--n", type=int, help="base sample size for --sample (sobol: a power "
                                           "of 2)")
    _add_shared(swp, "sweep")
    swp.set_defaults(func=Command("bipsim.experiments.cli:cmd_sweep"))

    vld = sub.add_parser(
        "validate", help="check the model against published patterns the calibration "
                         "did not use",
        description="Run the experiments of a criteria file (default: the shipped "
                    "validation/criteria.yaml, written before the model was run against "
                    "it) in plausible worlds and judge each published pattern by its "
                    "criterion; writes report.md, verdicts.csv and values.csv.",
        epilog="example: bipsim validate --reps 40 --out validation-results")
    vld.add_argument("--criteria", metavar="FILE",
                     help="criteria file (default: the shipped validation/criteria.yaml)")
    _add_shared(vld, "validate")
    vld.set_defaults(func=Command("bipsim.experiments.cli:cmd_validate"))


def _add_shared(parser: argparse.ArgumentParser, kind: str) -> None:
    what = {"compare": "scenario", "sweep": "point", "validate": "arm (worlds)"}[kind]
    options.add_reps(parser, DEFAULT_REPS[kind] or "the criteria file's", what)
    options.add_seed(parser, "base seed of the replicate seeds"
                     + (" and of a sampled design" if kind == "sweep" else "")
                     + (f" (default {DEFAULT_SEED})" if kind != "validate"
                        else " (default: the criteria file's)"))
    if kind != "validate":  # the criteria file fixes the scenarios and their weeks
        options.add_weeks(parser)
        options.add_set(parser)
    options.add_uncertainty(parser, DEFAULT_UNCERTAINTY[kind])
    options.add_output(parser, "experiment")
    options.add_locale(parser)
    options.add_excel_csv(parser)
    parser.add_argument("--resume", metavar="DIR",
                        help="finish an interrupted experiment: run only its missing runs")
    options.add_executor(parser)
    options.add_quiet(parser)
