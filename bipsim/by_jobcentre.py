"""Results per jobcentre: ``jobcentres.csv`` of a run with more than one jobcentre.

Costs are counted system-wide each week, by kind, in whole kroner
(:mod:`bipsim.rules.costs`). :func:`account_by_jobcentre` runs right after and shares
each kind's weekly amount out over the jobcentres in proportion to what each one used
(its citizens on benefit, company placements, other activities, occupied posts and
caseworkers trained), in whole kroner by largest remainder. So every jobcentre's costs
are whole kroner and the jobcentres add up to the run's costs exactly. Exits and the
other outcomes come from the citizen table, which knows each citizen's jobcentre.

``python -m bipsim.by_jobcentre RUN_FOLDER`` prints the ranking (over the replicate
seeds when the folder has ``jobcentre_intervals.csv``, from ``bipsim run --reps``);
``--pair A B`` compares two jobcentres replicate by replicate
(:mod:`bipsim.jobcentre_pair`); ``--locale da`` writes the numbers the Danish way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import formatting
from .errors import InputError
from .rules.costs import COST_FLOWS, COST_KINDS, USED, largest_remainder, share_counted

if TYPE_CHECKING:
    import argparse

    from .model import BipModel

FILE = "jobcentres.csv"
#: The ranking over replicate seeds (``bipsim run --reps``, :mod:`bipsim.ranking`).
INTERVALS_FILE = "jobcentre_intervals.csv"
#: Every replicate's ranked outcomes per jobcentre (``bipsim run --reps``).
REPLICATES_FILE = "jobcentre_replicates.csv"
#: Columns ranked by the plot and the printout: (column, label, higher is better).
RANKED = (("job_entries_per_100", "Job entries per 100 citizens", True),
          ("cost_per_job_entry_dkk", "Cost per job entry (DKK)", False))


def account_by_jobcentre(m: BipModel) -> None:
    """This week's cost of each kind, shared out over the jobcentres (only when there
    are several: one jobcentre's costs are the run's), in proportion to what each used
    (``m.usage``, counted by :func:`~bipsim.rules.costs.account_costs`; the training by
    the belief SDs given at its posts)."""
    n_jc = len(m.jobcentres)
    if n_jc < 2:
        return
    amounts = np.array([m.flows[flow] for flow in COST_FLOWS])
    share_counted(amounts[: len(USED)], m.usage, m.jobcentre_costs)
    if amounts[-1]:  # the training (most weeks none): by the belief SDs given per post
        given = np.bincount(m.caseworkers.jobcentre, weights=m.training_record.given,
                            minlength=n_jc)
        m.jobcentre_costs[-1] += apportion(amounts[-1], given)


def apportion(total: float, weights: np.ndarray) -> np.ndarray:
    """Whole-kroner shares of ``total`` (itself whole) in proportion to ``weights``:
    floors, then one krone more to the largest remainders (ties by jobcentre order);
    they add up to ``total`` exactly. With no weight anywhere, equal weights."""
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones_like(w)
    return largest_remainder(float(round(total)), w, w.sum())


def table(model: BipModel, citizens: pd.DataFrame) -> pd.DataFrame:
    """One row per jobcentre: who it is, its size, and its outcomes and costs."""
    jc = model.jobcentres
    n_jc = len(jc)
    costs = model.jobcentre_costs
    if n_jc == 1:  # nothing is shared out: the run's own costs
        weekly = model.weekly()
        costs = np.array([[float(weekly[f"cum_{f.removeprefix('new_')}"].iloc[-1])]
                          for f in COST_FLOWS])
    where = citizens["jobcentre"].to_numpy()
    status = citizens["status"].astype(str).to_numpy()
    stock = citizens["uid"].to_numpy() < model.p["n_citizens"]
    ti_exit = citizens["ti_exit"].fillna(np.iinfo(np.int32).max).to_numpy()
    count = np.bincount(where, minlength=n_jc)

    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(where[mask], minlength=n_jc)

    job_12m = per(stock & (status == "job") & (ti_exit <= 52))
    stock_n = per(stock)
    frame = pd.DataFrame({
        "jobcentre": np.arange(n_jc),
        "name": list(jc.names) if jc.names else [f"jobcentre {j}" for j in range(n_jc)],
        "citizens_week0": jc.size,
        "citizens_ever": count,
        "caseload": jc.caseload,
        "caseworker_posts": jc.n_posts,
        "company_slots": jc.company_slots,
        "exits_job": per(status == "job"),
        "exits_education": per(status == "education"),
        "exits_other_benefit": per(status == "other_benefit"),
        "share_job_12m": (job_12m / np.maximum(stock_n, 1)
                          if model.p["weeks"] >= 52 else np.nan),
        "mean_weeks_on_benefit": np.bincount(where, citizens["weeks_on_benefit"].to_numpy(),
                                             minlength=n_jc) / np.maximum(count, 1),
    })
    frame["job_entries_per_100"] = 100 * frame["exits_job"] / frame["citizens_ever"]
    for k, kind in enumerate(COST_KINDS):
        frame[f"cost_{kind}_dkk"] = costs[k]
    frame["total_cost_dkk"] = costs.sum(axis=0)
    frame["cost_per_job_entry_dkk"] = (frame["total_cost_dkk"]
                                       / frame["exits_job"].where(frame["exits_job"] > 0))
    return frame


def ranking(frame: pd.DataFrame, n: int = 5, intervals: pd.DataFrame | None = None) -> str:
    """The best and worst ``n`` jobcentres on each ranked outcome, as text; with
    ``intervals`` (``jobcentre_intervals.csv``) ranked by the median over the replicate
    seeds, with the 90 % range of the value and of the place."""
    if intervals is None:
        lines = ["One run: the places of small jobcentres are mostly chance; rerun with "
                 "--reps N for their ranges over replicate seeds."]
    else:
        lines = [f"Median over {int(intervals['replicates'].iloc[0])} replicate seeds, "
                 "and the 90 % range of the value and of the place (chance only, not "
                 "parameter uncertainty)."]
    for column, label, higher in RANKED:
        key = column if intervals is None else f"{column}_median"
        source = frame if intervals is None else intervals
        ranked = source.dropna(subset=[key]).sort_values(key, ascending=not higher,
                                                         kind="stable")
        lines.append(f"{local_label(label)} ({len(ranked)} jobcentres; best first):")
        shown = ranked if len(ranked) <= 2 * n else pd.concat([ranked.head(n),
                                                                ranked.tail(n)])
        digits = 0 if column.endswith("_dkk") else 1
        for place, (_, row) in zip(_places(len(ranked), len(shown), n), shown.iterrows(),
                                   strict=True):
            value = formatting.number(row[key], digits)
            spread = "" if intervals is None else _spread(row, column, digits)
            lines.append(f"  {place:>3}. {row['name']:<18} {value:>12}{spread}   "
                         f"({formatting.number(row['citizens_week0'])} citizens at week 0)")
    return "\n".join(lines)


def local_label(label: str) -> str:
    """A :data:`RANKED` label with its unit in the current locale (``(kr.)`` in Danish)."""
    return label.replace("(DKK)", f"({formatting.dkk_unit()})")


def _spread(row: pd.Series, column: str, digits: int) -> str:
    """`` (low to high; place a-b)`` of one jobcentre, and in how many replicates the
    value is defined when not in all."""
    defined, reps = int(row[f"{column}_replicates"]), int(row["replicates"])
    return (f" ({formatting.number(row[f'{column}_p05'], digits)} to "
            f"{formatting.number(row[f'{column}_p95'], digits)}; place "
            f"{row[f'place_{column}_p05']:.0f}-{row[f'place_{column}_p95']:.0f}"
            + (f"; in {defined} of {reps}" if defined < reps else "") + ")")


def _places(total: int, shown: int, n: int) -> list[int]:
    return list(range(1, shown + 1)) if shown == total else [
        *range(1, n + 1), *range(total - n + 1, total + 1)]


def main(argv: list[str] | None = None) -> int:
    """Print the ranking of a run folder's ``jobcentres.csv``, or with ``--pair`` two
    of its jobcentres compared; returns the exit code (2 for bad input)."""
    from .cli import run_command
    from .options import Parser, add_locale

    parser = Parser(prog="python -m bipsim.by_jobcentre",
                    description="Print the jobcentre ranking of a run folder, or compare "
                                "two of its jobcentres replicate by replicate.")
    parser.add_argument("folder", type=Path, help=f"a run folder with {FILE}")
    parser.add_argument("--pair", nargs=2, metavar=("FIRST", "SECOND"),
                        help="compare two jobcentres by name over the replicate seeds of "
                             f"bipsim run --reps ({REPLICATES_FILE}): median difference, "
                             "90 %% range, share of replicates in which FIRST is better "
                             "(chance only)")
    add_locale(parser)
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:  # argparse has printed the help or the usage error
        return int(exit_.code or 0)
    args.func = _print_folder
    return run_command(args)


def _print_folder(args: argparse.Namespace) -> int:
    folder = args.folder
    if not (folder / FILE).is_file():
        raise InputError(f"no {FILE}: allowed: the folder of a bipsim run with several "
                         "jobcentres", str(folder))
    frame = pd.read_csv(folder / FILE)
    if args.pair:
        from .jobcentre_pair import folder_pair

        print(folder_pair(folder, args.pair,
                          dict(zip(frame["name"], frame["citizens_week0"], strict=True))))
        return 0
    intervals = folder / INTERVALS_FILE
    print(ranking(frame, intervals=pd.read_csv(intervals) if intervals.is_file() else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
