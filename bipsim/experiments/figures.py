"""Figures of comparisons and sweeps, as PNG bytes (for files and the HTML report).

Built on :class:`matplotlib.figure.Figure` without pyplot, as ``bipsim.plots``; every
number on them is written by :mod:`bipsim.formatting`, in the locale in use.
Bands and error bars are 95 % intervals of the mean over replicates (Student t);
differences to the baseline are paired replicate by replicate.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from scipy import stats

from bipsim import formatting
from bipsim.outcomes import OUTCOMES
from bipsim.plots import localise_ticks, mark_reform, number_ticks

DPI = 120
BASELINE_COLOUR = "#4d4d4d"
#: Alternatives, sweep lines: colour-blind-safe (Okabe-Ito), no grey.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is cleared (pyplot-free figures are then freed)."""
    buffer = io.BytesIO()
    localise_ticks(fig)
    fig.savefig(buffer, format="png", dpi=DPI)
    fig.clear()
    return buffer.getvalue()


def comparison_over_time(weekly: pd.DataFrame, baseline: str,
                         alternatives: Sequence[str],
                         reform_weeks: Mapping[str, int] | None = None) -> Figure:
    """Stock on benefit and cumulative job entries per scenario (top), and each
    alternative's paired difference to the baseline (bottom), with 95 % bands; a
    dashed vertical line, in the scenario's colour, where a dated reform starts
    (``reform_weeks``: first week of each scenario's timeline, by label)."""
    fig = Figure(figsize=(11, 8), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    labels = [baseline, *alternatives]
    colours = dict(zip(labels, itertools.chain([BASELINE_COLOUR], itertools.cycle(PALETTE)),
                       strict=False))
    alpha = 0.25 if len(labels) <= 2 else 0.12  # overlapping bands stay readable
    panels = (("n_on_benefit", "Citizens on benefit"), ("cum_job", "Job entries since week 0"))
    for col, (series, title) in enumerate(panels):
        wide = {label: _wide(weekly, label, series) for label in labels}
        top, bottom = axes[0, col], axes[1, col]
        for label in labels:
            _band(top, wide[label], colours[label], label, alpha)
        top.set_title(title)
        for label in alternatives:
            _band(bottom, wide[label] - wide[baseline], colours[label], label, alpha)
        bottom.axhline(0, color=BASELINE_COLOUR, lw=1, ls="--")
        bottom.set_title(f"{title}: difference to {baseline} (paired)")
        bottom.set_xlabel("Week")
        for ax in (top, bottom):
            number_ticks(ax.yaxis)
            ax.grid(alpha=0.3)
    by_week: dict[int, list[str]] = {}
    for label, week in (reform_weeks or {}).items():
        by_week.setdefault(week, []).append(label)
    for week, names in by_week.items():
        mark_reform(list(axes.ravel()), week, colours.get(names[0], BASELINE_COLOUR),
                    f"{', '.join(names)}: reform from week {week}")
    axes[0, 0].legend(fontsize=9, loc="best")
    reps = weekly.loc[weekly["scenario"] == baseline, "replicate"].nunique()
    fig.suptitle(f"Mean over {reps} replicates with 95 % interval (shaded)")
    return fig


def difference_forest(differences: pd.DataFrame, outcomes: Sequence[str], baseline: str,
                      alternatives: Sequence[str]) -> Figure:
    """Each key outcome's paired difference, in % of the baseline mean, with 95 % bars."""
    names = [n for n in outcomes
             if np.isfinite(differences.loc[differences.outcome == n, "relative"]).any()]
    fig = Figure(figsize=(9, 1.2 + len(names) * (0.25 + 0.28 * max(1, len(alternatives)))),
                 layout="constrained")
    ax = fig.subplots()
    step = 0.7 / max(1, len(alternatives))
    table = differences.set_index(["alternative", "outcome"])
    for k, (label, colour) in enumerate(zip(alternatives, itertools.cycle(PALETTE),
                                            strict=False)):
        rows = table.loc[[(label, n) for n in names]]
        base = rows["baseline_mean"].abs().to_numpy(float)
        y = np.arange(len(names)) - 0.35 + step * (k + 0.5)
        mid = 100 * rows["mean"].to_numpy(float) / base
        low = 100 * rows["low"].to_numpy(float) / base
        high = 100 * rows["high"].to_numpy(float) / base
        ax.errorbar(mid, y, xerr=[mid - low, high - mid], fmt="o", color=colour, capsize=3,
                    label=label)
    ax.axvline(0, color=BASELINE_COLOUR, lw=1, ls="--")
    # linear within +-10 %, logarithmic beyond: small effects stay readable next to a
    # lever that doubles its own outcome
    ax.set_xscale("symlog", linthresh=10)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{formatting.general(v, sign=True)} %" if v else "0"))
    ax.set_yticks(np.arange(len(names)), [OUTCOMES[n].label for n in names])
    ax.invert_yaxis()
    ax.margins(x=0.08)
    ax.set_xlabel(f"Difference to {baseline}, % of the baseline mean, with 95 % interval\n"
                  "(scale linear within ±10 %, logarithmic beyond)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the rows
    return fig


def response_curves(results: pd.DataFrame, factors: Sequence[str],
                    outcomes: Sequence[str]) -> Figure:
    """Grid sweep: each outcome against the first factor, a line per combination of
    the others, mean over replicates with 95 % error bars."""
    first, others = factors[0], list(factors[1:])
    fig = Figure(figsize=(11, 3.6 * ((len(outcomes) + 1) // 2) + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots((len(outcomes) + 1) // 2, 2, squeeze=False)).ravel()
    levels = list(dict.fromkeys(results[first]))
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in levels)
    position = {v: (v if numeric else i) for i, v in enumerate(levels)}
    groups = list(results.groupby(others, sort=False)) if others else [((), results)]
    # lines side by side, so their error bars do not hide each other
    spread = (max(position.values()) - min(position.values()) or 1) * 0.012
    dodge = {k: (k - (len(groups) - 1) / 2) * spread for k in range(len(groups))}
    for ax, outcome in zip(axes, outcomes, strict=False):
        for k, ((key, group), colour) in enumerate(zip(groups, itertools.cycle(PALETTE),
                                                       strict=False)):
            stats_ = group.groupby(first, sort=False)[outcome].agg(["mean", "std", "count"])
            half = _half_width(stats_["std"], stats_["count"])
            x = [position[v] + dodge[k] for v in stats_.index]
            key = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{f.rsplit('.', 1)[-1]}={v}" for f, v in zip(
                others, key, strict=True)) or None
            ax.errorbar(x, stats_["mean"], yerr=half, marker="o", capsize=3, color=colour,
                        label=label)
        ax.set_title(OUTCOMES[outcome].label)
        ax.set_xlabel(first)
        if not numeric:
            ax.set_xticks(range(len(levels)), [str(v) for v in levels])
        elif len(levels) <= 12:
            ax.set_xticks(levels, [formatting.general(v) for v in levels])
        ax.grid(alpha=0.3)
        _unit_axis(ax, outcome)
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    if others:
        axes[0].legend(fontsize=8, loc="best")
    fig.suptitle("Mean over replicates with 95 % interval of each mean; points share "
                 "replicate seeds, so differences between them are more precise than the "
                 "bars", fontsize=10)
    return fig


def scatter(point_means: pd.DataFrame, factors: Sequence[str],
            outcomes: Sequence[str]) -> Figure:
    """Sampled sweep: each outcome (rows) against each factor (columns), per point."""
    fig = Figure(figsize=(3.2 * len(factors) + 0.8, 2.8 * len(outcomes) + 0.6),
                 layout="constrained")
    axes = fig.subplots(len(outcomes), len(factors), squeeze=False)
    for i, outcome in enumerate(outcomes):
        for j, factor in enumerate(factors):
            ax = axes[i, j]
            ax.scatter(point_means[factor], point_means[outcome], s=10, alpha=0.7,
                       color=PALETTE[0])
            if i == len(outcomes) - 1:
                ax.set_xlabel(factor, fontsize=9)
            if j == 0:
                ax.set_ylabel(OUTCOMES[outcome].label, fontsize=9)
            ax.grid(alpha=0.3)
            _unit_axis(ax, outcome)
    fig.suptitle("Design points: mean over replicates")
    return fig


def index_bars(indices: pd.DataFrame, method: str, outcomes: Sequence[str]) -> Figure:
    """Sobol' S1 and ST, or Morris mu*, per parameter, one panel per outcome."""
    fig = Figure(figsize=(11, 3.2 * ((len(outcomes) + 1) // 2) + 0.6), layout="constrained")
    axes = fig.subplots((len(outcomes) + 1) // 2, 2, squeeze=False).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices.outcome == outcome]
        y = np.arange(len(rows))
        if method == "sobol":
            for offset, (col, colour, label) in zip((-0.2, 0.2), (
                    ("S1", PALETTE[0], "first order S1"), ("ST", PALETTE[1], "total ST")),
                    strict=True):
                ax.barh(y + offset, rows[col], height=0.38, xerr=rows[f"{col}_conf"],
                        color=colour, label=label, capsize=2)
            ax.set_xlabel("share of variance")
        else:
            ax.barh(y, rows["mu_star"], height=0.6, xerr=rows["mu_star_conf"],
                    color=PALETTE[0], label="mu* (mean |effect|)", capsize=2)
            ax.set_xlabel(f"effect over the range ({OUTCOMES[outcome].unit})")
        ax.set_yticks(y, rows["parameter"], fontsize=9)
        ax.invert_yaxis()
        ax.axvline(0, color=BASELINE_COLOUR, lw=0.8)
        ax.set_title(OUTCOMES[outcome].label)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8, loc="best")
    title = ("Sobol' indices with 95 % bootstrap intervals" if method == "sobol"
             else "Morris elementary effects with 95 % bootstrap intervals")
    fig.suptitle(title)
    return fig


def _wide(weekly: pd.DataFrame, label: str, series: str) -> pd.DataFrame:
    """Weeks x replicates of one scenario's series."""
    rows = weekly[weekly["scenario"] == label]
    return rows.pivot(index="week", columns="replicate", values=series).astype(float)


def _band(ax: Axes, wide: pd.DataFrame, colour: str, label: str, alpha: float) -> None:
    mean = wide.mean(axis=1)
    half = _half_width(wide.std(axis=1, ddof=1), wide.count(axis=1))
    ax.plot(wide.index, mean, color=colour, lw=1.8, label=label)
    ax.fill_between(wide.index, mean - half, mean + half, color=colour, alpha=alpha, lw=0)


def _half_width(sd: pd.Series, n: pd.Series) -> np.ndarray:
    """Half-width of the 95 % t interval of a mean (0 where n < 2)."""
    n = np.asarray(n, dtype=float)
    t = stats.t.ppf(0.975, np.maximum(n - 1, 1))
    half = t * np.asarray(sd, dtype=float) / np.sqrt(np.maximum(n, 1))
    return np.where(n >= 2, np.nan_to_num(half), 0.0)


def _unit_axis(ax: Axes, outcome: str) -> None:
    unit = OUTCOMES[outcome].unit
    if unit == "share":
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _: f"{formatting.number(100 * v, 1)} %"))
    elif unit == "DKK":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _millions(ax, v)))
    elif unit == "citizens":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _millions(ax: Axes, v: float) -> str:
    """A DKK tick in millions, with the decimals the ticks need (``37,75`` beside ``38``)."""
    ticks = [t / 1e6 for t in ax.yaxis.get_majorticklocs()]
    return f"{formatting.number(v / 1e6, formatting.tick_decimals(ticks))} mio."
