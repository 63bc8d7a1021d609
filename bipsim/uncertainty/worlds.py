"""What parameter uncertainty does to a comparison: differences over plausible worlds.

World ``r`` is replicate ``r`` run with parameter draw ``r`` (see
:mod:`bipsim.uncertainty.draws`); the baseline and an alternative share the world
and the seed, so ``d_r = alternative_r - baseline_r`` is the difference the policy
makes in that world, including that run's chance. Over the worlds:

- **chance plus parameters**: the mean of ``d_r`` and the 2.5-97.5 % quantiles of
  ``d_r``, the range of differences in 95 % of plausible worlds (a predictive
  interval: more replicates make it better known, not narrower);
- **probability the alternative is better**: the share of worlds where ``d_r`` points
  the better way (:data:`BETTER`; a tie counts half), with its binomial standard
  error;
- **cost per extra job entry** as a distribution over the worlds, and the
  **cost-effectiveness acceptability curve**: the share of worlds in which the
  alternative is worth it at a price ``lambda`` per extra job entry, i.e. whose net
  benefit ``lambda x extra jobs - extra cost`` is positive (for worlds with more job
  entries: cost per extra job entry below ``lambda``);
- **what drives the spread**: Spearman's rank correlation of each drawn parameter
  with ``d_r`` over the worlds (scipy), the five largest in absolute value named,
  with a 95 % interval (Fisher's z, standard error ``1.06 / sqrt(n - 3)``). With
  dozens of parameters and few worlds the largest correlations are partly chance:
  a driver is ``clear`` only if its interval at the Bonferroni level (95 % over all
  the parameters tested together) excludes 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from bipsim.outcomes import OUTCOMES
from bipsim.parameters import BY_NAME

#: Which way is better for each outcome: +1 more is better, -1 less is better.
#: Outcomes without a direction (exits to another benefit, the activity mix) get
#: no probability of being better.
BETTER = {"share_job_12m": 1, "share_job_12m_entrants": 1, "exits_job": 1,
          "exits_education": 1, "share_still_on_benefit": -1, "mean_weeks_on_benefit": -1,
          "caseworker_changes_per_citizen": -1, "share_with_caseworker_change": -1,
          "share_passive": -1, "total_cost_dkk": -1, "cost_per_job_entry_dkk": -1}
#: Parameters named as drivers of each difference.
TOP_DRIVERS = 5
#: Prices per extra job entry (DKK) at which the acceptability curve is tabulated.
CEAC_PRICES = (0.0, 250e3, 500e3, 1e6, 2e6, 3e6, 5e6, 10e6)
#: Quantiles of the interval over worlds.
LOW_Q, HIGH_Q = 0.025, 0.975


@dataclass
class WorldsSummary:
    """The parameter-uncertainty tables of a comparison.

    Attributes:
        differences: Per alternative and outcome: ``parameters_mean``,
            ``parameters_low``, ``parameters_high`` (2.5-97.5 % of worlds),
            ``parameters_sd``, ``n_worlds``, ``p_better`` and ``p_better_se``.
        costs: Per alternative: shares of worlds with more job entries / more job
            entries at lower cost, and the cost per extra job entry (median and
            2.5-97.5 % over the worlds with more job entries).
        ceac: Per alternative and price: share of worlds where it is worth it.
        drivers: Per alternative, outcome and rank: parameter, rank correlation and
            its 95 % interval.
        per_world: One row per alternative and world: the differences and the
            cost per extra job entry, for plots.
        note: What the reader must know about the draws (from the plan).
    """

    differences: pd.DataFrame
    costs: pd.DataFrame
    ceac: pd.DataFrame
    drivers: pd.DataFrame
    per_world: pd.DataFrame
    note: str = ""


def summarise_worlds(results: pd.DataFrame, draws: pd.DataFrame, baseline: str,
                     alternatives: list[str], outcomes: list[str], note: str = ""
                     ) -> WorldsSummary:
    """The tables above from the runs with drawn parameters.

    Args:
        results: One row per run with drawn parameters: ``scenario``, ``replicate``
            and every outcome.
        draws: One row per replicate (world), a column per drawn parameter
            (keyword names), the baseline's values.
        baseline: Label of the baseline.
        alternatives: Labels of the alternatives.
        outcomes: Outcomes to name drivers for.
        note: Carried to :attr:`WorldsSummary.note`.
    """
    by_label = {label: frame.set_index("replicate").sort_index()
                for label, frame in results.groupby("scenario", sort=False)}
    base = by_label[baseline]
    diff_rows, cost_rows, ceac_rows, driver_rows, worlds = [], [], [], [], []
    for label in alternatives:
        alt = by_label[label].reindex(base.index)
        for name in OUTCOMES:
            d = (alt[name] - base[name]).to_numpy(float)
            diff_rows.append({"alternative": label, "outcome": name, **spread(d),
                              **better(d, BETTER.get(name, 0))})
        extra_jobs = (alt["exits_job"] - base["exits_job"]).to_numpy(float)
        extra_cost = (alt["total_cost_dkk"] - base["total_cost_dkk"]).to_numpy(float)
        cost_rows.append({"alternative": label, **cost_distribution(extra_jobs, extra_cost)})
        ceac_rows += [{"alternative": label, "price_dkk": price,
                       "share_worth_it": acceptability(extra_jobs, extra_cost, price)}
                      for price in CEAC_PRICES]
        for name in outcomes:
            d = (alt[name] - base[name]).to_numpy(float)
            driver_rows += [{"alternative": label, "outcome": name, **row}
                            for row in drivers(draws.loc[base.index], d)]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(extra_jobs > 0, extra_cost / extra_jobs, np.nan)
        worlds.append(pd.DataFrame({"alternative": label, "replicate": base.index,
                                    "extra_jobs": extra_jobs, "extra_cost_dkk": extra_cost,
                                    "cost_per_extra_job_dkk": ratio}))
    driver_columns = ["alternative", "outcome", "rank", "parameter", "rank_correlation",
                      "rank_correlation_low", "rank_correlation_high", "clear"]
    return WorldsSummary(pd.DataFrame(diff_rows), pd.DataFrame(cost_rows),
                         pd.DataFrame(ceac_rows), pd.DataFrame(driver_rows, columns=driver_columns),
                         pd.concat(worlds, ignore_index=True), note)


def spread(d: np.ndarray) -> dict[str, float]:
    """Mean, 2.5 % and 97.5 % quantiles and SD of the finite differences ``d``."""
    x = d[np.isfinite(d)]
    if len(x) == 0:
        return {"parameters_mean": math.nan, "parameters_low": math.nan,
                "parameters_high": math.nan, "parameters_sd": math.nan, "n_worlds": 0}
    low, high = np.quantile(x, [LOW_Q, HIGH_Q]) if len(x) > 1 else (math.nan, math.nan)
    return {"parameters_mean": float(x.mean()), "parameters_low": float(low),
            "parameters_high": float(high),
            "parameters_sd": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
            "n_worlds": len(x)}


def better(d: np.ndarray, direction: int) -> dict[str, float]:
    """Share of worlds where ``d`` points the better way (ties half), and its SE."""
    x = d[np.isfinite(d)]
    if direction == 0 or len(x) == 0:
        return {"p_better": math.nan, "p_better_se": math.nan}
    share = float(np.mean(np.sign(x) * direction > 0) + 0.5 * np.mean(x == 0))
    return {"p_better": share, "p_better_se": math.sqrt(share * (1 - share) / len(x))}


def acceptability(extra_jobs: np.ndarray, extra_cost: np.ndarray, price: float) -> float:
    """Share of worlds whose net benefit ``price x extra_jobs - extra_cost`` is > 0."""
    keep = np.isfinite(extra_jobs) & np.isfinite(extra_cost)
    if not keep.any():
        return math.nan
    return float(np.mean(price * extra_jobs[keep] - extra_cost[keep] > 0))


def cost_distribution(extra_jobs: np.ndarray, extra_cost: np.ndarray) -> dict[str, float]:
    """Cost per extra job entry over the worlds, and how the worlds split.

    The ratio is only a price where the alternative gives more job entries; the
    shares say how often that is, and how often it also costs less (dominates).
    """
    keep = np.isfinite(extra_jobs) & np.isfinite(extra_cost)
    jobs, cost = extra_jobs[keep], extra_cost[keep]
    more = jobs > 0
    ratio = cost[more] / jobs[more]
    quantiles = (np.quantile(ratio, [0.5, LOW_Q, HIGH_Q]) if len(ratio) > 1
                 else (math.nan,) * 3)
    return {"share_more_jobs": float(more.mean()) if len(jobs) else math.nan,
            "share_more_jobs_lower_cost": float((more & (cost < 0)).mean())
            if len(jobs) else math.nan,
            "cost_per_extra_job_median": float(quantiles[0]),
            "cost_per_extra_job_low": float(quantiles[1]),
            "cost_per_extra_job_high": float(quantiles[2]), "n_worlds": len(jobs)}


def drivers(draws: pd.DataFrame, d: np.ndarray, top: int = TOP_DRIVERS) -> list[dict]:
    """The ``top`` drawn parameters most rank-correlated with ``d`` over the worlds.

    Parameters that take one value in every world (none drawn) are left out; so are
    worlds where ``d`` is undefined.
    """
    keep = np.isfinite(d)
    n = int(keep.sum())
    if n < 4 or np.ptp(d[keep]) == 0:
        return []
    varied = [name for name in draws.columns if np.ptp(draws[name].to_numpy(float)[keep]) > 0]
    se = 1.06 / math.sqrt(n - 3)
    strict = float(stats.norm.ppf(1 - 0.025 / max(len(varied), 1))) * se
    rows = []
    for name in varied:
        x = draws[name].to_numpy(float)[keep]
        rho = float(stats.spearmanr(x, d[keep]).statistic)
        z = math.atanh(max(min(rho, 0.999999), -0.999999))
        rows.append({"parameter": BY_NAME[name].path, "rank_correlation": rho,
                     "rank_correlation_low": math.tanh(z - 1.96 * se),
                     "rank_correlation_high": math.tanh(z + 1.96 * se),
                     "clear": abs(z) > strict})
    rows.sort(key=lambda row: -abs(row["rank_correlation"]))
    return [{"rank": i + 1, **row} for i, row in enumerate(rows[:top])]
