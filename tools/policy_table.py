"""Print the README's table of every shipped policy against the baseline.

    bipsim compare baseline early_placement continuity positive_expectations \
        low_caseload combined --out outputs/policies
    python tools/policy_table.py outputs/policies

Reads the comparison's ``differences.csv``: per alternative, the mean paired
difference with its chance-only interval (at the central values) and with its
chance-and-parameters range (over the plausible worlds), and the share of worlds in
which the alternative is better.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from bipsim.formatting import number

#: Outcome, decimals, scale (DKK shown in millions), and which cells are shown: the
#: chance-only interval, and the share of worlds in which the alternative is better.
COLUMNS = (("exits_job", 0, 1.0, True, True), ("mean_weeks_on_benefit", 2, 1.0, False, True),
           ("total_cost_dkk", 1, 1e-6, True, False))


def _interval(mean: float, low: float, high: float, decimals: int) -> str:
    return (f"{number(mean, decimals, sign=True)} ({number(low, decimals, sign=True)} to "
            f"{number(high, decimals, sign=True)})")


def table(differences: pd.DataFrame) -> list[str]:
    """The table's Markdown lines."""
    lines = ["| alternative - baseline | exits to job: chance only | chance and parameters | "
             "better in | weeks on benefit per citizen: chance and parameters | better in | "
             "total public cost, mio. DKK: chance only | chance and parameters |",
             "|---|---|---|---|---|---|---|---|"]
    by = differences.set_index(["alternative", "outcome"])
    for alternative in differences.alternative.unique():
        cells = [alternative]
        for outcome, decimals, scale, chance, better in COLUMNS:
            r = by.loc[(alternative, outcome)]
            if chance:
                cells.append(_interval(r.chance_mean * scale, r.chance_low * scale,
                                       r.chance_high * scale, decimals))
            cells.append(_interval(r.parameters_mean * scale, r.parameters_low * scale,
                                   r.parameters_high * scale, decimals))
            if better:
                cells.append(f"{r.p_better:.0%}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a compare folder (its differences.csv)")
    args = parser.parse_args()
    print("\n".join(table(pd.read_csv(args.folder / "differences.csv"))))


if __name__ == "__main__":
    main()
