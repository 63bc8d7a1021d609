"""A comparison's budget year by year, and when the reform pays for itself.

Per budget year (:func:`bipsim.budget.year_spans`), alternative minus baseline,
pair by pair (the same replicate seed, and in a world the same parameter draws):

- **extra cost**: the change in what the public spends on activities, caseworker
  posts and the reform's own cost (training); benefit is not in it;
- **extra job entries**, **extra education entries**;
- **benefit saved**: the change in benefit avoided by exits to job or education,
  net of returns to benefit (:data:`bipsim.budget.ACCOUNTING`: counted from the
  exits, so the same in every inflow mode);
- **net public cost** = extra cost - benefit saved, and its running sum.

The reform has **paid for itself** by the end of year ``y`` in a pair when the
running sum of its net public cost up to ``y`` is at most 0; its payback year is the
first such year from the year the reform starts in (a dated reform's earlier years
cost exactly nothing extra, which is no payback), never within the horizon if there
is none. Over the pairs:
the share paid back by the end of each year, and the median payback year with the
2.5-97.5 % range. Intervals as in the rest of ``compare``: *chance only* over the
replicates at the central parameter values (a Student-t interval of the mean
difference), *chance and parameters* over the plausible worlds (the range of the
difference in 95 % of worlds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bipsim.budget import YEAR_WEEKS, year_spans
from bipsim.rules.costs import COST_KINDS
from bipsim.uncertainty.worlds import spread

from .stats import mean_interval

#: Weekly series a run must keep for its budget years.
SERIES = ("cum_job", "cum_education", "cum_benefit_avoided_dkk",
          *(f"cum_cost_{kind}_dkk" for kind in COST_KINDS if kind != "benefit"))
#: The per-year measures, in the order shown: key -> (label, unit of formatting).
MEASURES: dict[str, tuple[str, str]] = {
    "extra_cost_dkk": ("extra cost", "total_cost_dkk"),
    "extra_job_entries": ("extra job entries", "exits_job"),
    "extra_education_entries": ("extra education entries", "exits_education"),
    "benefit_saved_dkk": ("benefit saved", "total_cost_dkk"),
    "net_cost_dkk": ("net public cost", "total_cost_dkk"),
    "cumulative_net_cost_dkk": ("net public cost so far", "total_cost_dkk"),
}
NEVER = math.inf


@dataclass
class YearlyBudget:
    """The per-year tables of a comparison.

    Attributes:
        years: One row per alternative, year and measure: weeks, ``chance_mean``,
            ``chance_low``, ``chance_high``, ``chance_n`` and, with parameter
            uncertainty, ``parameters_mean``, ``parameters_low``,
            ``parameters_high``, ``n_worlds``.
        payback: One row per alternative and basis (``chance``, ``parameters``):
            the share of pairs paid back by the end of each year
            (``paid_back_y1`` ...), the median payback year and its 2.5-97.5 %
            range (inf: not within the horizon), pairs.
    """

    years: pd.DataFrame
    payback: pd.DataFrame


def run_years(series: dict[str, list[Any]]) -> dict[str, np.ndarray]:
    """One run's budget years from its weekly series (:data:`SERIES`): programme
    cost, job and education entries, benefit avoided, per year."""
    weeks = len(series["cum_job"]) - 1
    ends = np.array([0] + [last for _, _, last in year_spans(weeks)])

    def per_year(name: str) -> np.ndarray:
        return np.diff(np.asarray(series[name], dtype=float)[ends])

    cost = sum(per_year(f"cum_cost_{kind}_dkk") for kind in COST_KINDS if kind != "benefit")
    return {"cost": cost, "jobs": per_year("cum_job"),
            "education": per_year("cum_education"),
            "avoided": per_year("cum_benefit_avoided_dkk")}


def pair_measures(alt: dict[str, np.ndarray], base: dict[str, np.ndarray]
                  ) -> dict[str, np.ndarray]:
    """The per-year :data:`MEASURES` of one pair, alternative minus baseline."""
    extra_cost = alt["cost"] - base["cost"]
    saved = alt["avoided"] - base["avoided"]
    net = extra_cost - saved
    return {"extra_cost_dkk": extra_cost, "extra_job_entries": alt["jobs"] - base["jobs"],
            "extra_education_entries": alt["education"] - base["education"],
            "benefit_saved_dkk": saved, "net_cost_dkk": net,
            "cumulative_net_cost_dkk": np.cumsum(net)}


def payback_year(cumulative_net: np.ndarray, first_year: int = 1) -> float:
    """The first year (``first_year``, the year the reform starts in, or later) whose
    running net cost is at most 0; inf if none."""
    paid = np.flatnonzero(np.asarray(cumulative_net)[first_year - 1:] <= 0)
    return float(paid[0] + first_year) if len(paid) else NEVER


def start_year(plan: Any, label: str) -> int:
    """The budget year in which ``label`` starts to differ from the baseline: the year
    of the first dated change of either (1 without one)."""
    reforms = plan.reform_weeks()
    weeks = [reforms[name] for name in (label, plan.design["baseline"]) if name in reforms]
    return 1 + (min(weeks) - 1) // YEAR_WEEKS if weeks else 1


def payback_summary(years: np.ndarray, n_years: int) -> dict[str, float]:
    """Shares paid back by each year's end, median payback year and 2.5-97.5 % range
    (observed years, inf for not within the horizon) over the pairs' payback years."""
    out = {f"paid_back_y{y}": float(np.mean(years <= y)) if len(years) else math.nan
           for y in range(1, n_years + 1)}
    if len(years):
        median, low, high = np.quantile(years, [0.5, 0.025, 0.975], method="inverted_cdf")
    else:
        median = low = high = math.nan
    return {**out, "payback_year_median": float(median), "payback_year_low": float(low),
            "payback_year_high": float(high), "pairs": len(years)}


def analyse_years(plan: Any, records: list[dict[str, Any]]) -> YearlyBudget:
    """The per-year tables from a finished comparison's run records."""
    runs = {run.run_id: run for run in plan.runs}
    by_key = {}
    for record in records:
        run = runs[record["run_id"]]
        by_key[(run.uncertainty, run.scenario, run.replicate)] = run_years(record["series"])
    base_label = plan.design["baseline"]
    n_weeks = next(iter(plan.scenarios.values()))["params"]["weeks"]
    spans = year_spans(n_weeks)
    bases = sorted({key[0] for key in by_key})
    rows, paybacks = [], []
    for label in plan.design["alternatives"]:
        per_basis: dict[str, dict[str, np.ndarray]] = {}
        for basis in bases:
            reps = sorted(r for (u, s, r) in by_key if u == basis and s == label
                          and (u, base_label, r) in by_key)
            pairs = [pair_measures(by_key[(basis, label, r)], by_key[(basis, base_label, r)])
                     for r in reps]
            per_basis[basis] = {m: np.array([p[m] for p in pairs]).reshape(len(pairs), -1)
                                for m in MEASURES}
            first = start_year(plan, label)
            years = np.array([payback_year(p["cumulative_net_cost_dkk"], first)
                              for p in pairs])
            paybacks.append({"alternative": label, "basis": basis,
                             **payback_summary(years, len(spans))})
        for i, (year, first, last) in enumerate(spans):
            for measure in MEASURES:
                row = {"alternative": label, "year": year, "first_week": first,
                       "last_week": last, "measure": measure}
                if "chance" in per_basis:
                    iv = mean_interval(per_basis["chance"][measure][:, i])
                    row.update(chance_mean=iv.mean, chance_low=iv.low, chance_high=iv.high,
                               chance_n=iv.n)
                if "parameters" in per_basis:
                    row.update(spread(per_basis["parameters"][measure][:, i]))
                rows.append(row)
    return YearlyBudget(pd.DataFrame(rows), pd.DataFrame(paybacks))
