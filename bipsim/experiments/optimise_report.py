"""What ``bipsim optimise`` writes and prints: the candidates, the Pareto front, the
plot of extra entries against extra cost, and the levers that make the difference.

Files: ``candidates.csv`` (every candidate: levers, each measure's mean over the
worlds and the range of its value in 95 % of worlds, mean extra cost per budget
year, within budget), ``pareto.csv`` (the front's rows), ``lever_effects.csv``,
``pareto.png``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from rich.table import Table

from bipsim import formatting
from bipsim.parameters import BY_NAME

from .figures import BASELINE_COLOUR, PALETTE, png
from .optimise import Candidate, lever_effects, pareto_front, summary_row, year_budgets
from .stats import Interval
from .store import OutputFiles
from .tables import rich_table

COVERS = ("mean over the worlds, and in brackets the range of the value in 95 % of "
          "plausible worlds (chance and parameters)")
READING = ("Candidate minus baseline, paired world by world (the same seeds and parameter "
           "draws). Extra entries: job + education entries over the run. Net public cost = "
           "extra cost - benefit saved, over the run. Extra cost per year: activities, "
           "caseworker posts and the reform's own cost (benefit is not in it), over the run "
           "per 52 weeks; within budget: the mean extra cost of every year at most the "
           "budget (a part year: its share).")


def tables(candidates: Sequence[Candidate], budget: float, weeks: int
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``candidates.csv``, ``pareto.csv`` and ``lever_effects.csv`` as frames."""
    limits = year_budgets(budget, weeks)
    front = {c.number for c in pareto_front(candidates)}
    rows = [{**summary_row(c, limits, weeks), "pareto": c.number in front} for c in candidates]
    frame = pd.DataFrame(rows)
    pareto = (frame[frame["pareto"]].sort_values("extra_cost_per_year_dkk_mean")
              .reset_index(drop=True))
    return frame, pareto, pd.DataFrame(lever_effects(candidates),
                                       columns=["lever", "rho_entries", "rho_net_cost"])


def write_outputs(files: OutputFiles, candidates: Sequence[Candidate], budget: float,
                  weeks: int, title: str) -> list[Table]:
    """Write the tables and the plot; return the tables to print."""
    frame, pareto, effects = tables(candidates, budget, weeks)
    files.table("candidates.csv", frame)
    files.table("pareto.csv", pareto)
    files.table("lever_effects.csv", effects)
    files.put("pareto.png", png(pareto_figure(frame, budget, title)))
    printed = [pareto_table(pareto, budget, len(candidates), _cheapest(frame)),
               effects_table(effects)]
    files.text("pareto.txt", printed)
    return printed


def pareto_table(pareto: pd.DataFrame, budget: float, n_candidates: int,
                 cheapest: str = "") -> Table:
    """The front as text: levers, extra cost per year, extra entries, net public cost;
    ``cheapest`` says what the cheapest mix costs when none is within the budget."""
    levers = [c for c in pareto.columns if c in _PATHS]
    rows = []
    for _, row in pareto.iterrows():
        cells = {"candidate": str(int(row["candidate"]))}
        for path in levers:
            cells[path] = _lever_text(path, row[path])
        cells["extra cost per year"] = _ranged(row, "extra_cost_per_year_dkk", dkk=True)
        cells["extra entries"] = _ranged(row, "extra_entries", dkk=False)
        cells["net public cost"] = _ranged(row, "net_cost_dkk", dkk=True)
        rows.append(cells)
    frame = pd.DataFrame(rows, columns=["candidate", *levers, "extra cost per year",
                                        "extra entries", "net public cost"])
    table = rich_table(frame, f"Pareto front within {formatting.dkk(budget)} a year: "
                              f"{len(pareto)} of {n_candidates} candidates ({COVERS})")
    table.caption = READING if len(pareto) else f"{cheapest} {READING}"
    table.caption_justify = "left"
    return table


def _cheapest(frame: pd.DataFrame) -> str:
    """``No candidate is within the budget: the cheapest, N, ...`` (empty if one is)."""
    if frame["within_budget"].any() or frame.empty:
        return ""
    row = frame.loc[frame["worst_year_over_budget_dkk"].idxmin()]
    return (f"No candidate is within the budget: the nearest, candidate {int(row['candidate'])},"
            f" is {formatting.dkk(float(row['worst_year_over_budget_dkk']))} over it in its "
            "dearest year; widen the lever ranges towards cheaper values or raise the budget.")


def effects_table(effects: pd.DataFrame) -> Table:
    """Which levers make the difference: rank correlations among the candidates."""
    frame = pd.DataFrame({"lever": effects["lever"],
                          "with extra entries": [formatting.number(v, 2, sign=True)
                                                 for v in effects["rho_entries"]],
                          "with net public cost": [formatting.number(v, 2, sign=True)
                                                   for v in effects["rho_net_cost"]]})
    table = rich_table(frame, "Levers that make the difference: Spearman's rank correlation "
                              "of each lever with the candidates' mean outcomes")
    table.caption = ("Among the candidates the search tried (not a random design: read the "
                     "sign and the order, not the size); +1 = more of the lever, more of the "
                     "outcome.")
    table.caption_justify = "left"
    return table


def pareto_figure(frame: pd.DataFrame, budget: float, title: str) -> Figure:
    """Extra entries against extra cost per year: every candidate, the front joined and
    with the range of both in 95 % of worlds, the budget as a line."""
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.add_subplot()
    scale = 1e6
    inside = frame[frame["within_budget"]]
    outside = frame[~frame["within_budget"]]
    ax.scatter(inside["extra_cost_per_year_dkk_mean"] / scale, inside["extra_entries_mean"],
               s=18, color=PALETTE[5], label="within budget")
    ax.scatter(outside["extra_cost_per_year_dkk_mean"] / scale, outside["extra_entries_mean"],
               s=18, marker="x", color=BASELINE_COLOUR, alpha=0.6, label="over budget")
    front = frame[frame["pareto"]].sort_values("extra_cost_per_year_dkk_mean")
    if len(front):
        x = front["extra_cost_per_year_dkk_mean"].to_numpy(float) / scale
        y = front["extra_entries_mean"].to_numpy(float)
        xerr = _errors(front, "extra_cost_per_year_dkk", scale)
        yerr = _errors(front, "extra_entries", 1.0)
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o-", color=PALETTE[1], ms=6, lw=1.5,
                    elinewidth=0.8, capsize=2, label="Pareto front (range in 95 % of worlds)")
    ax.axvline(budget / scale, color=PALETTE[0], ls="--", lw=1,
               label=f"budget {formatting.dkk(budget)} a year")
    ax.axhline(0, color=BASELINE_COLOUR, lw=0.6)
    ax.set_xlabel(f"extra cost per year ({formatting.millions_unit()}, mean over worlds)")
    ax.set_ylabel("extra job + education entries over the run")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return fig


def _errors(front: pd.DataFrame, name: str, scale: float) -> np.ndarray | None:
    mean = front[f"{name}_mean"].to_numpy(float)
    low, high = front[f"{name}_low"].to_numpy(float), front[f"{name}_high"].to_numpy(float)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        return None
    return np.vstack([np.maximum(mean - low, 0), np.maximum(high - mean, 0)]) / scale


def _ranged(row: pd.Series, name: str, dkk: bool) -> str:
    """A mean and its range in 95 % of worlds, as compare's budget table writes them."""
    mean, low, high = (float(row[f"{name}_{k}"]) for k in ("mean", "low", "high"))
    return formatting.difference("total_cost_dkk" if dkk else "exits_job",
                                 Interval(mean, low, high, math.nan, 0))


def _lever_text(path: str, value: float) -> str:
    return str(int(value)) if _PATHS[path] == "int" else formatting.general(float(value), 3)


_PATHS = {spec.path: spec.kind for spec in BY_NAME.values()}
