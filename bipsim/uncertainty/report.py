"""How ``bipsim compare`` shows parameter uncertainty: tables, plots, report sections.

Files added to a comparison's folder with ``--uncertainty parameters``:

- ``differences.csv``: both intervals, ``chance_low``/``chance_high`` and
  ``parameters_low``/``parameters_high``, and ``p_better``;
- ``worlds.csv``: per alternative and world, extra job entries, extra cost, cost per
  extra job entry;
- ``ceac.csv``: per alternative and price per extra job entry, the share of worlds
  where the alternative is worth it;
- ``drivers.csv``: per alternative and outcome, the five parameters most
  rank-correlated with the difference, with 95 % intervals;
- ``worlds.png``, ``ceac.png``: the differences over the worlds; the acceptability
  curves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from rich.table import Table

from bipsim import formatting
from bipsim.experiments.report import Section
from bipsim.experiments.stats import Interval
from bipsim.experiments.tables import rich_table
from bipsim.outcomes import OUTCOMES

from .worlds import CEAC_PRICES, WorldsSummary

READING = (
    "Two intervals per difference. 'Chance only' is the 95 % interval of the mean "
    "paired difference at the central parameter values (fitted values and first "
    "guesses) over {chance} replicate seeds: the model's randomness alone. 'Chance and "
    "parameters' is the range of the difference in 95 % of {worlds} plausible worlds: "
    "in world r every scenario runs with parameter draw r and replicate seed r, so it "
    "adds what is not known about the parameters to the run's chance. 'Better in' is "
    "the share of worlds in which the alternative is better on that outcome.")


def differences_csv(differences: pd.DataFrame, worlds: WorldsSummary | None) -> pd.DataFrame:
    """The paired differences with the chance interval as ``chance_*`` columns and, with
    parameter uncertainty, the ``parameters_*`` interval and ``p_better`` beside it."""
    out = differences.rename(columns={"mean": "chance_mean", "low": "chance_low",
                                      "high": "chance_high", "sd": "chance_sd",
                                      "n": "chance_n"})
    if worlds is None:
        return out
    return out.merge(worlds.differences, on=["alternative", "outcome"], how="left")


def display_two_intervals(differences: pd.DataFrame, worlds: WorldsSummary, label: str,
                          names: Sequence[str]) -> pd.DataFrame:
    """One alternative's differences as text: both intervals and the share better."""
    chance = differences.set_index(["alternative", "outcome"])
    spread = worlds.differences.set_index(["alternative", "outcome"])
    rows = []
    for name in names:
        c, w = chance.loc[(label, name)], spread.loc[(label, name)]
        rows.append({
            "outcome": OUTCOMES[name].label,
            "chance only": formatting.difference(name, Interval(
                c["mean"], c["low"], c["high"], c["sd"], int(c["n"]))),
            "chance and parameters": formatting.difference(name, Interval(
                w["parameters_mean"], w["parameters_low"], w["parameters_high"],
                w["parameters_sd"], int(w["n_worlds"]))),
            "better in": "-" if math.isnan(w["p_better"])
            else f"{formatting.percent(w['p_better'])} of worlds",
        })
    return pd.DataFrame(rows)


def headline(worlds: WorldsSummary, label: str) -> str:
    """``More job entries in 91 % of plausible worlds; +150 (-40 to +330); what drives
    the spread: ...``"""
    row = worlds.differences.set_index(["alternative", "outcome"]).loc[(label, "exits_job")]
    jobs = formatting.difference("exits_job", Interval(
        row["parameters_mean"], row["parameters_low"], row["parameters_high"], math.nan, 0))
    named = worlds.drivers[(worlds.drivers["alternative"] == label)
                           & (worlds.drivers["outcome"] == "exits_job")]
    top = named[named["clear"].astype(bool)]["parameter"].head(2)
    text = (f"Over {int(row['n_worlds'])} plausible worlds: more job entries in "
            f"{formatting.percent(row['p_better'])} of them; {jobs} (95 % of worlds)")
    if len(top):
        text += "; what drives the spread: " + " and ".join(top)
    return text + "."


def display_costs(worlds: WorldsSummary) -> pd.DataFrame:
    """Cost per extra job entry over the worlds, and the acceptability at a few prices."""
    ceac = worlds.ceac.set_index(["alternative", "price_dkk"])["share_worth_it"]
    rows = []
    for row in worlds.costs.itertuples(index=False):
        ratio = formatting.level("total_cost_dkk", Interval(
            row.cost_per_extra_job_median, row.cost_per_extra_job_low,
            row.cost_per_extra_job_high, math.nan, 0))
        cells = {"alternative": row.alternative,
                 "more job entries in": f"{formatting.percent(row.share_more_jobs)} of worlds",
                 "and at lower cost in": formatting.percent(row.share_more_jobs_lower_cost),
                 "cost per extra job entry, median (95 % of worlds)": ratio}
        for price in (500e3, 1e6, 2e6, 5e6):
            cells[f"worth {formatting.dkk(price)}"] = formatting.percent(
                ceac[(row.alternative, price)])
        rows.append(cells)
    return pd.DataFrame(rows)


def display_drivers(worlds: WorldsSummary, label: str) -> pd.DataFrame:
    """The parameters driving each of one alternative's differences, strongest first."""
    rows = []
    table = worlds.drivers[worlds.drivers["alternative"] == label]
    for name, group in table.groupby("outcome", sort=False):
        named = "; ".join(f"{r.parameter} ({formatting.number(r.rank_correlation, 2, True)}"
                          + ("" if r.clear else ", within noise") + ")"
                          for r in group.itertuples(index=False))
        rows.append({"outcome": OUTCOMES[name].label,
                     "top parameters (rank correlation with the difference)": named})
    return pd.DataFrame(rows)


def text_tables(differences: pd.DataFrame, worlds: WorldsSummary, alternatives: list[str],
                baseline: str, names: Sequence[str], chance: int, n_worlds: int
                ) -> list[Table]:
    """The printed tables: per alternative both intervals and drivers; the costs."""
    tables = []
    for label in alternatives:
        tables.append(rich_table(
            display_two_intervals(differences, worlds, label, names),
            f"{label} - {baseline}: mean (95 % interval), chance only over {chance} seeds; "
            f"chance and parameters over {n_worlds} plausible worlds"))
        tables.append(rich_table(
            display_drivers(worlds, label), f"What drives the spread of {label} - {baseline}",
            words=("top parameters (rank correlation with the difference)",)))
    tables.append(rich_table(
        display_costs(worlds), f"Cost per extra job entry over {n_worlds} plausible worlds; "
                               "share of worlds where it is worth a given price"))
    return tables


def sections(differences: pd.DataFrame, worlds: WorldsSummary, alternatives: list[str],
             baseline: str, names: Sequence[str], chance: int, n_worlds: int,
             images: dict[str, bytes]) -> list[Section]:
    """The report's parameter-uncertainty sections."""
    out = [Section("What is uncertain", READING.format(chance=chance, worlds=n_worlds)
                   + "\n\n" + worlds.note)]
    for label in alternatives:
        out.append(Section(f"{label} - {baseline}: two intervals", "",
                           display_two_intervals(differences, worlds, label, names)))
        out.append(Section(f"{label} - {baseline}: what drives the spread", "",
                           display_drivers(worlds, label),
                           caption="Spearman rank correlation of each drawn parameter with "
                                   "the difference over the worlds; the five strongest. "
                                   "'within noise': not distinguishable from 0 when all "
                                   "the drawn parameters are tested together (Bonferroni); "
                                   "more replicates sharpen them. drivers.csv has their "
                                   "95 % intervals."))
    out.append(Section("Cost per extra job entry over the worlds", "", display_costs(worlds),
                       image=images["ceac.png"],
                       caption="Acceptability: share of worlds in which the alternative's "
                               "net benefit (price x extra job entries - extra cost) is "
                               "positive, by the price a planner would pay per extra job "
                               "entry."))
    out.append(Section("Differences over the worlds", "", image=images["worlds.png"],
                       caption="Each dot one world (its own parameter draws and seed); "
                               "black bar: the chance-only 95 % interval at central values; "
                               "grey band: 95 % of worlds."))
    return out


def ceac_figure(worlds: WorldsSummary) -> Figure:
    """Acceptability curves: share of worlds worth it by price per extra job entry."""
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    prices = np.linspace(0, max(CEAC_PRICES), 201)
    for label, group in worlds.per_world.groupby("alternative", sort=False):
        jobs, cost = group["extra_jobs"].to_numpy(float), group["extra_cost_dkk"].to_numpy(float)
        share = [(p * jobs - cost > 0).mean() for p in prices]
        ax.plot(prices / 1e6, share, label=label)
    ax.set_xlabel(f"price per extra job entry ({formatting.millions_unit()})")
    ax.set_ylabel("share of worlds worth it")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig


def worlds_figure(results: pd.DataFrame, differences: pd.DataFrame, worlds: WorldsSummary,
                  baseline: str, alternatives: list[str], names: Sequence[str]) -> Figure:
    """Per outcome, each alternative's difference in every world, with both intervals."""
    in_worlds = results[results["uncertainty"] == "parameters"]
    base = in_worlds[in_worlds["scenario"] == baseline].set_index("replicate")
    chance = differences.set_index(["alternative", "outcome"])
    fig = Figure(figsize=(8, 1.3 + 1.1 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names, strict=True):
        for k, label in enumerate(alternatives):
            alt = in_worlds[in_worlds["scenario"] == label].set_index("replicate")
            d = (alt[name] - base[name]).to_numpy(float)
            d = d[np.isfinite(d)]
            if len(d):
                low, high = np.quantile(d, [0.025, 0.975])
                ax.fill_betweenx([k - 0.3, k + 0.3], low, high, color="0.85")
                jitter = np.linspace(-0.2, 0.2, len(d))
                ax.scatter(d, k + jitter, s=6, alpha=0.6)
            row = chance.loc[(label, name)]
            ax.errorbar(row["mean"], k, xerr=[[row["mean"] - row["low"]],
                                              [row["high"] - row["mean"]]],
                        fmt="o", color="black", capsize=3)
        ax.axvline(0, color="0.4", linestyle="--", linewidth=1)
        ax.set_yticks(range(len(alternatives)), alternatives)
        ax.set_title(OUTCOMES[name].label, fontsize=9, loc="left")
    return fig
