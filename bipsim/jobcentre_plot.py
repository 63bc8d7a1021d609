"""``jobcentre_ranking.png``: the jobcentres of a run ranked on its main outcomes.

One panel per ranked outcome of :data:`bipsim.by_jobcentre.RANKED` (job entries per
100 citizens ever present, cost per job entry), best at the top, a bar per jobcentre
with the run's overall value as a line. From one run, one seed, a difference between
two small jobcentres can be chance. With ``bipsim run --reps N`` the bars are the
medians over the N replicate seeds, ranked by them, with their 90 % ranges as error
bars (:mod:`bipsim.ranking`: chance only).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from bipsim import formatting
from bipsim.by_jobcentre import RANKED
from bipsim.plots import DPI, _tidy, localise_ticks

FILE = "jobcentre_ranking.png"
BAR = "#2166ac"


def write_ranking_plot(frame: pd.DataFrame, folder: Path, title: str,
                       intervals: pd.DataFrame | None = None) -> Path:
    """Write the ranking of the jobcentres in ``frame`` (``by_jobcentre.table``); with
    ``intervals`` (:func:`bipsim.ranking.intervals`) their medians and 90 % ranges."""
    n = len(frame)
    fig = Figure(figsize=(11, max(3.0, 1.2 + 0.16 * n)), layout="constrained")
    how = ("one run; small jobcentres vary most by chance" if intervals is None else
           f"median and 90 % range over {int(intervals['replicates'].iloc[0])} replicate "
           "seeds: chance only, not parameter uncertainty")
    fig.suptitle(f"Jobcentres ranked: {title}\n({how})", fontsize=11)
    for ax, (column, label, higher) in zip(fig.subplots(1, len(RANKED)), RANKED,
                                           strict=True):
        shown = frame if intervals is None else intervals.rename(
            columns={f"{column}_median": column})
        ranked = shown.dropna(subset=[column]).sort_values(column, ascending=higher,
                                                           kind="stable")
        scale = 1e6 if column.endswith("_dkk") else 1.0  # DKK shown in mio. DKK
        error = None if intervals is None else [
            (ranked[column] - ranked[f"{column}_p05"]) / scale,
            (ranked[f"{column}_p95"] - ranked[column]) / scale]
        ax.barh(range(len(ranked)), ranked[column] / scale, color=BAR, height=0.7,
                xerr=error, error_kw={"elinewidth": 0.7, "ecolor": "#555555"})
        ax.set_yticks(range(len(ranked)), ranked["name"], fontsize=6 if n > 30 else 9)
        ax.set_ylim(-0.6, len(ranked) - 0.4)
        overall = _overall(frame, column) / scale
        ax.axvline(overall, color="black", lw=1, ls="--", label="all jobcentres")
        ax.set_xlabel(label.replace("(DKK)", f"({formatting.millions_unit()})")
                      if scale > 1 else label)
        ax.set_title(label + (" (higher is better)" if higher else " (lower is better)"),
                     fontsize=10)
        ax.legend(loc="lower right", fontsize=8)
        _tidy(ax, grid_axis="x")
    path = Path(folder) / FILE
    localise_ticks(fig)
    fig.savefig(path, dpi=DPI)
    fig.clear()
    return path


def _overall(frame: pd.DataFrame, column: str) -> float:
    """The run's value of a ranked outcome over all jobcentres together."""
    if column == "job_entries_per_100":
        return 100 * frame["exits_job"].sum() / frame["citizens_ever"].sum()
    jobs = frame["exits_job"].sum()
    return frame["total_cost_dkk"].sum() / jobs if jobs else float("nan")
