"""How ``bipsim compare`` shows its budget years: printed tables, report sections.

Files: ``budget.csv`` (:attr:`YearlyBudget.years`: one row per alternative, year
and measure, with both intervals) and ``payback.csv`` (:attr:`YearlyBudget.payback`).
"""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table

from bipsim import formatting
from bipsim.budget import ACCOUNTING

from .report import Section
from .stats import Interval
from .tables import rich_table
from .yearly import MEASURES, YearlyBudget

#: What the intervals of each basis cover.
COVERS = {"chance": "chance only: 95 % interval of the mean paired difference at the "
                    "central parameter values",
          "parameters": "chance and parameters: the range of the difference in 95 % of "
                        "plausible worlds"}
READING = ("Per budget year (weeks 1-52 = year 1), alternative minus baseline. Extra cost: "
           "activities, caseworker posts and the reform's own cost (benefit is not in it). "
           "Net public cost = extra cost - benefit saved; paid back when its running sum "
           "is at most 0. " + ACCOUNTING)


def display_years(budget: YearlyBudget, label: str, basis: str) -> pd.DataFrame:
    """One alternative's budget years as text, intervals of one basis."""
    table = budget.years[budget.years["alternative"] == label]
    prefix = "chance" if basis == "chance" else "parameters"
    rows = []
    for (year, first, last), group in table.groupby(["year", "first_week", "last_week"],
                                                    sort=True):
        cells = group.set_index("measure")
        row = {"year": f"{year} (weeks {first}-{last})"}
        for measure, (title, unit) in MEASURES.items():
            c = cells.loc[measure]
            row[title] = formatting.difference(unit, Interval(
                float(c[f"{prefix}_mean"]), float(c[f"{prefix}_low"]),
                float(c[f"{prefix}_high"]), math.nan, 0))
        rows.append(row)
    return pd.DataFrame(rows)


def payback_text(budget: YearlyBudget, label: str, basis: str) -> str:
    """``Paid back by the end of year 1, 2, ...: 0 %, 10 %, ... of 40 worlds; median
    payback: year 3 (95 %: year 2 to not within 4 years).``"""
    table = budget.payback
    row = table[(table["alternative"] == label) & (table["basis"] == basis)].iloc[0]
    n_years = sum(1 for k in row.index if k.startswith("paid_back_y"))
    years = ", ".join(str(y) for y in range(1, n_years + 1))
    shares = ", ".join(f"{row[f'paid_back_y{y}']:.0%}" for y in range(1, n_years + 1))
    pairs = "worlds" if basis == "parameters" else "seeds at the central values"
    median, low, high = (_year(row[f"payback_year_{k}"], n_years)
                         for k in ("median", "low", "high"))
    return (f"Paid back (net public cost so far <= 0) by the end of year {years}: {shares} "
            f"of {row['pairs']} {pairs}; median payback: {median} (95 %: {low} to {high}).")


def headline(budget: YearlyBudget, label: str) -> str:
    """The payback sentence of the widest basis, for the report's summary."""
    basis = _bases(budget)[-1]
    return f"Budget ({COVERS[basis].split(':')[0]}): " + payback_text(budget, label, basis)


def text_tables(budget: YearlyBudget, baseline: str) -> list[Table]:
    """The printed budget: per alternative and basis, the years; payback below."""
    tables = []
    for label in budget.years["alternative"].unique():
        for basis in _bases(budget):
            tables.append(rich_table(
                display_years(budget, label, basis),
                f"Budget per year, {label} - {baseline} ({COVERS[basis]})\n"
                + payback_text(budget, label, basis), words=("year",)))
    if tables:  # how it is counted, once, below the last table
        tables[-1].caption, tables[-1].caption_justify = READING, "left"
    return tables


def sections(budget: YearlyBudget, baseline: str) -> list[Section]:
    """The report's budget sections."""
    out = []
    for label in budget.years["alternative"].unique():
        for basis in _bases(budget):
            out.append(Section(f"{label} - {baseline}: budget per year ({basis})",
                               payback_text(budget, label, basis),
                               display_years(budget, label, basis),
                               caption=COVERS[basis].capitalize() + ". " + READING))
    return out


def _bases(budget: YearlyBudget) -> list[str]:
    return [b for b in ("chance", "parameters") if f"{b}_mean" in budget.years.columns]


def _year(x: float, n_years: int) -> str:
    if math.isnan(x):
        return "-"
    return f"not within {n_years} years" if math.isinf(x) else f"year {int(x)}"
