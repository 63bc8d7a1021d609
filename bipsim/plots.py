"""Standard PNG plots of one model run, for a policy planner.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot), so
nothing global changes and no GUI backend is needed. Numbers on them are written by
:mod:`bipsim.formatting`, in the locale in use (:func:`localise_ticks`).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

from bipsim import formatting
from bipsim.indicators import INDICATORS, LABELS_DA

DPI = 120
#: One colour per state or exit route, shared by all figures.
COLOURS = {
    "company": "#1b7837",
    "other": "#5aae61",
    "passive": "#bdbdbd",
    "job": "#2166ac",
    "education": "#9970ab",
    "other_benefit": "#d6604d",
    "never": "#878787",
    "vacant": "#b2182b",
}
STATES = (  # (weekly column suffix, legend label, colour key)
    ("company", "Company placement (virksomhedsrettet)", "company"),
    ("other_activity", "Other activity", "other"),
    ("passive", "Passive (no activity)", "passive"),
)


#: Colour of the line marking the week a reform starts to act.
REFORM_COLOUR = "#e08214"


def write_run_plots(weekly: pd.DataFrame, citizens: pd.DataFrame, folder: Path,
                    title: str, reform_week: int | None = None) -> list[Path]:
    """Write the three standard plots of a run as PNG files.

    Args:
        weekly: ``BipModel.weekly()``, one row per week from week 0.
        citizens: ``BipModel.citizen_table()``, one row per citizen ever present.
        folder: Output folder; created if missing.
        title: Run title shown above each figure (e.g. scenario name and seed).
        reform_week: First week a change of the scenario's timeline acts in, marked
            by a vertical line in every plot over weeks; None without a timeline.

    Returns:
        Paths of ``stock_and_exits.png``, ``indicators_by_intervention.png`` and
        ``caseworker_changes.png``, in that order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = {
        "stock_and_exits.png": _stock_and_exits(weekly, title),
        "indicators_by_intervention.png": _indicators(weekly, citizens, title),
        "caseworker_changes.png": _caseworker_changes(weekly, citizens, title),
    }
    if reform_week is not None:
        for fig in figures.values():
            mark_reform(_weekly_axes(fig), reform_week)
    paths = []
    for name, fig in figures.items():
        path = folder / name
        localise_ticks(fig)
        fig.savefig(path, dpi=DPI)
        fig.clear()  # a pyplot-free Figure is freed once unreferenced
        paths.append(path)
    return paths


def _stock_and_exits(weekly: pd.DataFrame, title: str) -> Figure:
    """Top: stock on benefit by current state; bottom: cumulative exits by route."""
    fig = Figure(figsize=(10, 8), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    week = weekly["week"].to_numpy()
    stacks = [weekly[f"n_{col}"].to_numpy(float) for col, _, _ in STATES]
    top.stackplot(week, *stacks, labels=[label for _, label, _ in STATES],
                  colors=[COLOURS[key] for _, _, key in STATES], alpha=0.9)
    top.set_title("Citizens on social assistance (kontanthjælp) by current activity")
    top.set_ylabel("Citizens")
    top.legend(loc="lower right", fontsize=9, framealpha=0.9)
    for col, label in (("job", "Job"), ("education", "Education (uddannelse)"),
                       ("other_benefit", "Other benefit (anden ydelse)")):
        bottom.plot(week, weekly[f"cum_{col}"], color=COLOURS[col], lw=2, label=label)
    bottom.set_title("Cumulative exits from social assistance")
    bottom.set_ylabel("Citizens (cumulative)")
    bottom.set_xlabel("Week")
    bottom.legend(loc="upper left", fontsize=9)
    for ax in (top, bottom):
        _tidy(ax, integer="xy")
        ax.set_ylim(0, max(1.0, ax.get_ylim()[1]))
    bottom.set_xlim(week.min(), max(week.max(), week.min() + 1))
    fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def _indicators(weekly: pd.DataFrame, citizens: pd.DataFrame, title: str) -> Figure:
    """Left: mean readiness by current state; right: final indicator means by group."""
    fig = Figure(figsize=(13, 6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1, 1.15))
    week = weekly["week"]
    for suffix, (_, label, key) in zip(("company", "other", "passive"), STATES, strict=True):
        series = weekly[f"mean_readiness_{suffix}"].astype(float)
        left.plot(week, series, color=COLOURS[key], lw=2, label=label)
    left.plot(week, weekly["mean_readiness"].astype(float), color="black", lw=1.2, ls="--",
              label="All on benefit")
    left.axhline(0, color="grey", lw=0.8)
    left.set_title("Mean job readiness by current activity")
    left.set_xlabel("Week")
    left.set_ylabel("Readiness (SD units; 0 = average entrant)")
    left.legend(fontsize=9, loc="best")
    _tidy(left, integer="x")

    # Final latent scores; exited citizens keep their scores from the week they left.
    ever = citizens["weeks_company"].to_numpy() > 0
    groups = (("Ever in company placement", ever, "company"),
              ("Never in company placement", ~ever, "never"))
    y = np.arange(len(INDICATORS))
    height = 0.4
    for i, (label, mask, key) in enumerate(groups):
        means = _means(citizens.loc[mask, list(INDICATORS)])
        right.barh(y + (i - 0.5) * height, means, height=height, color=COLOURS[key],
                   label=f"{label} (n={formatting.number(int(mask.sum()))})")
    right.set_yticks(y, [LABELS_DA[name] for name in INDICATORS])
    right.invert_yaxis()
    right.axvline(0, color="black", lw=0.8)
    right.set_title("Final mean of the ten BIP indicators\n"
                    "(descriptive, not causal: placement depends on readiness)", fontsize=11)
    right.set_xlabel("Mean score (SD units; 0 = average entrant)")
    right.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2)
    _tidy(right, grid_axis="x")
    fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def _caseworker_changes(weekly: pd.DataFrame, citizens: pd.DataFrame, title: str) -> Figure:
    """Left: caseworker changes per week and vacant posts; right: changes per citizen."""
    fig = Figure(figsize=(13, 6.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(1.4, 1), height_ratios=(2, 1))
    left = fig.add_subplot(grid[0, 0])
    vacant = fig.add_subplot(grid[1, 0], sharex=left)
    right = fig.add_subplot(grid[:, 1])
    week = weekly["week"]
    changes = weekly["new_caseworker_changes"].astype(float)
    left.bar(week, changes, width=1.0, color="#92c5de", label="Changes this week")
    left.plot(week, changes.rolling(8, min_periods=1).mean(), color="#2166ac", lw=2,
              label="8-week average")
    left.set_ylabel("Citizens")
    left.set_title("Citizens changing caseworker per week (sagsbehandlerskift)")
    left.set_ylim(0, max(1.0, left.get_ylim()[1]))
    left.legend(fontsize=9, loc="upper left")
    left.tick_params(labelbottom=False)
    # Vacancies (caseworkers who left and are not yet replaced) drive reassignments.
    vacant.fill_between(week, weekly["n_posts_vacant"].astype(float), step="mid",
                        color=COLOURS["vacant"], alpha=0.6, lw=0)
    vacant.set_ylabel("Posts")
    vacant.set_title("Vacant caseworker posts", fontsize=10)
    vacant.set_xlabel("Week")
    vacant.set_ylim(0, max(1.0, float(weekly["n_posts_vacant"].max()) * 1.15))
    for ax in (left, vacant):
        _tidy(ax, integer="xy")

    # Share of citizens by number of changes (0..3, 4+).
    counts = citizens["n_changes"].clip(upper=4).value_counts().reindex(range(5), fill_value=0)
    shares = 100 * counts / max(1, len(citizens))
    bars = right.bar(["0", "1", "2", "3", "4+"], shares, color="#4393c3")
    right.bar_label(bars, fmt=lambda v: f"{formatting.number(v, 1)}%", fontsize=9)
    right.set_ylim(0, max(10.0, float(shares.max()) * 1.15))
    right.set_xlabel("Caseworker changes per citizen")
    right.set_ylabel("Share of citizens (%)")
    right.set_title(f"Caseworker changes per citizen (n={formatting.number(len(citizens))})")
    _tidy(right, grid_axis="y")
    fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def mark_reform(axes: list[Axes], week: int, colour: str = REFORM_COLOUR,
                label: str | None = None) -> None:
    """A dashed vertical line where ``week`` begins (its changes act from then on),
    named at the top of each axes."""
    text = label or f"reform from week {week}"
    for ax in axes:
        # week w's results are recorded at x = w; the change acts between w - 1 and w
        ax.axvline(week - 0.5, color=colour, lw=1.4, ls="--")
        ax.annotate(text, xy=(week - 0.5, 0.98), xycoords=("data", "axes fraction"),
                    xytext=(-2, 0), textcoords="offset points", ha="right", va="top",
                    rotation=90, fontsize=8, color=colour)


def _weekly_axes(fig: Figure) -> list[Axes]:
    """The axes of ``fig`` whose x axis is the week."""
    return [ax for ax in fig.axes if ax.get_xlabel() == "Week" or any(
        other.get_xlabel() == "Week" and ax.get_shared_x_axes().joined(ax, other)
        for other in fig.axes)]


def localise_ticks(fig: Figure) -> None:
    """Write the ticks matplotlib numbers itself (its default ``ScalarFormatter``) in
    the locale in use. English keeps matplotlib's own ticks; ticks a figure formats
    itself already go through :mod:`bipsim.formatting`."""
    if formatting.current_locale() == "en":
        return
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                number_ticks(axis)


def number_ticks(axis: Axis) -> None:
    """Write an axis's ticks with :func:`bipsim.formatting.number`, with the decimals
    its ticks need (``2,5`` beside ``5``, never rounded to ``2``)."""
    axis.set_major_formatter(FuncFormatter(functools.partial(_tick, axis)))


def _tick(axis: Axis, v: float, _position: int | None) -> str:
    """One tick, with the decimals the axis's ticks need."""
    return formatting.number(v, formatting.tick_decimals(axis.get_majorticklocs()))


def _means(frame: pd.DataFrame) -> np.ndarray:
    """Column means as floats; NaN (drawn as no bar) for an empty frame, without warnings."""
    if frame.empty:
        return np.full(frame.shape[1], np.nan)
    return frame.astype(float).mean().to_numpy()


def _tidy(ax: Axes, grid_axis: str = "both", integer: str = "") -> None:
    """Light grid, no top/right frame, and whole-number ticks on the ``integer`` axes."""
    for axis in integer:
        getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.grid(True, axis=grid_axis, alpha=0.3)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
