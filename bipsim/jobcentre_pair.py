"""Two jobcentres compared replicate by replicate ("How does Aarhus compare with Odense?").

``python -m bipsim.by_jobcentre FOLDER --pair Aarhus Odense`` reads the folder's
``jobcentre_replicates.csv`` (``bipsim run --reps N``): every replicate's ranked
outcomes per jobcentre. A replicate is one run of all jobcentres on one seed, so the
two jobcentres are compared within each replicate (paired): the first's value minus
the second's. Over the replicates this gives the difference's median, its 90 % range
(5th to 95th percentile, as the ranking's ranges, :mod:`bipsim.ranking`) and the
share of replicates in which the first jobcentre is better (a tie counts half).

**What it covers: chance only.** The replicates differ in their random numbers, at
the scenario's parameter values; parameter uncertainty, which would move both
jobcentres together, is not in it, nor is local practice, which the model does not
know (its municipalities differ in size, and in caseload and turnover drawn at
random). Both ranked outcomes are rates (:data:`PER`), so they compare jobcentres of
different sizes fairly; a smaller jobcentre's rate varies more by chance, and the
range shows that.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from . import formatting
from .by_jobcentre import RANKED, REPLICATES_FILE, local_label
from .errors import InputError
from .municipalities import suggest
from .ranking import PERCENTILES
from .uncertainty.worlds import better

#: What each ranked outcome is per, so that a planner sees why it is fair between sizes.
PER = {"job_entries_per_100": "exits to a job per 100 citizens ever present at the "
                              "jobcentre",
       "cost_per_job_entry_dkk": "the jobcentre's public cost per exit to a job"}
#: Names listed in full in an error; more are shortened to the first two and the last.
LISTED_NAMES = 6


def find_jobcentre(names: list[str], given: str, file: str) -> str:
    """The jobcentre of ``names`` called ``given`` (exactly, or but for case).

    Raises:
        InputError: No such jobcentre in ``file``; the message says what is allowed
            and the close names.
    """
    by_folded = {name.casefold(): name for name in names}
    if given.casefold() in by_folded:
        return by_folded[given.casefold()]
    listed = (", ".join(repr(n) for n in names) if len(names) <= LISTED_NAMES else
              f"{names[0]!r}, {names[1]!r}, ... {names[-1]!r}")
    raise InputError(f"given {given!r}, not a jobcentre of this run; allowed: one of its "
                     f"{len(names)} jobcentres ({listed}){suggest(given, names)}",
                     file, key="--pair")


def compare_pair(replicates: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """One row per ranked outcome: the two jobcentres' medians (over the replicates
    where both are defined), the median and 90 % range of their paired difference
    (``first`` minus ``second``, replicate by replicate), the share of replicates in
    which ``first`` is better (ties half), and in how many replicates both are defined
    (a replicate in which one has no job entry has no cost per job entry: it is left
    out)."""
    rows = []
    for column, label, higher in RANKED:
        wide = replicates.pivot(index="replicate", columns="name", values=column)
        a, b = wide[first].to_numpy(dtype=float), wide[second].to_numpy(dtype=float)
        both = np.isfinite(a) & np.isfinite(b)
        d = a[both] - b[both]
        median, low, high = (np.percentile(d, PERCENTILES) if both.any()
                             else (np.nan,) * 3)
        rows.append({"outcome": column, "label": label, "higher_is_better": higher,
                     "first_median": np.median(a[both]) if both.any() else np.nan,
                     "second_median": np.median(b[both]) if both.any() else np.nan,
                     "difference_median": median, "difference_p05": low,
                     "difference_p95": high,
                     "first_better": better(d, 1 if higher else -1)["p_better"],
                     "replicates": int(both.sum()), "of": len(wide)})
    return pd.DataFrame(rows)


def pair_text(frame: pd.DataFrame, first: str, second: str,
              sizes: Mapping[str, int] | None = None) -> str:
    """:func:`compare_pair` as text, in the current locale (:mod:`bipsim.formatting`);
    ``sizes``: citizens at week 0 by jobcentre name, shown when given."""
    n = int(frame["of"].iloc[0])
    lines = [f"{first} against {second} over {n} replicate seeds: {first} minus {second} "
             "in each replicate (the same run, the same seed), the median difference, its "
             f"90 % range, and the share of replicates in which {first} is better (a tie "
             "counts half). Chance only: not parameter uncertainty, not local practice."]
    for row in frame.itertuples(index=False):
        # one decimal more than the ranking: a difference of rates is small
        digits = 0 if row.outcome.endswith("_dkk") else 2
        better_way = "higher" if row.higher_is_better else "lower"
        lines.append(f"{local_label(row.label)}: {PER[row.outcome]}, {better_way} is "
                     "better")
        shown = ("" if row.replicates == n else
                 f" (in the {row.replicates} of {n} replicates where both are defined)")
        if row.replicates == 0:
            lines.append("  not defined in any replicate for both")
            continue
        lines.append(
            f"  median {first} {formatting.number(row.first_median, digits)} and {second} "
            f"{formatting.number(row.second_median, digits)}{shown}; difference "
            f"{formatting.number(row.difference_median, digits, sign=True)} "
            f"({formatting.number(row.difference_p05, digits, sign=True)} to "
            f"{formatting.number(row.difference_p95, digits, sign=True)}); {first} "
            f"better in {formatting.percent(row.first_better)} of {row.replicates} "
            "replicates")
    size = "" if sizes is None else (
        f" ({first} {formatting.number(sizes[first])} and {second} "
        f"{formatting.number(sizes[second])} citizens at week 0)")
    lines.append(f"Both are rates, fair between jobcentres of different size{size}; a "
                 "smaller jobcentre's rate varies more by chance, which widens the range.")
    return "\n".join(lines)


def folder_pair(folder: Path, given: list[str], sizes: Mapping[str, int]) -> str:
    """The comparison of the two jobcentres ``given`` in run folder ``folder`` as text.

    Raises:
        InputError: The folder has no ``jobcentre_replicates.csv``, or a name is not
            one of its jobcentres, or both name the same one.
    """
    path = folder / REPLICATES_FILE
    if not path.is_file():
        raise InputError(f"no {REPLICATES_FILE}: the pair needs the replicate seeds; "
                         "rerun with bipsim run SCENARIO --reps N (N of 2 or more), which "
                         "writes it", str(folder), key="--pair")
    replicates = pd.read_csv(path)
    names = list(dict.fromkeys(replicates["name"]))
    first, second = (find_jobcentre(names, name, str(path)) for name in given)
    if first == second:
        raise InputError(f"given {given[0]!r} and {given[1]!r}, the same jobcentre; "
                         "allowed: two different jobcentres", str(path), key="--pair")
    return pair_text(compare_pair(replicates, first, second), first, second, sizes)
