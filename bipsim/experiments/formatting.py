"""Outcome values as a planner reads them: levels with intervals, signed differences.

A mean and its interval share one unit and scale, shown once:
``5.1 % (4.9 to 5.3)``, ``+0.3 pp (+0.1 to +0.5)``, ``3.57 mio. DKK (3.50 to 3.64)``.
"""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table

from bipsim.outcomes import OUTCOMES

from .stats import Interval


def level(name: str, interval: Interval) -> str:
    """A mean and its 95 % interval in the outcome's unit."""
    return _with_interval(name, interval, sign=False)


def difference(name: str, interval: Interval) -> str:
    """A signed difference and its 95 % interval; shares in percentage points (pp)."""
    return _with_interval(name, interval, sign=True)


def value(name: str, x: float, sign: bool = False) -> str:
    """One number in the outcome's unit (``-`` when undefined)."""
    if x is None or math.isnan(x):
        return "-"
    scale, decimals, unit = _style(name, x, sign)
    return _number(x, scale, decimals, sign) + unit


def dkk(x: float, sign: bool = False) -> str:
    """An amount in DKK, in millions from a million up."""
    return value("total_cost_dkk", x, sign)


def rich_table(frame: pd.DataFrame, title: str, words: tuple[str, ...] = ("reading",)
               ) -> Table:
    """A table of text cells for the terminal: numbers right, the first column and
    columns of ``words`` left."""
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(frame.columns):
        left = i == 0 or column in words
        table.add_column(str(column), justify="left" if left else "right", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*("-" if isinstance(v, float) and math.isnan(v) else str(v) for v in row))
    return table


def _with_interval(name: str, interval: Interval, sign: bool) -> str:
    if math.isnan(interval.mean):
        return "-"
    scale, decimals, unit = _style(name, interval.mean, sign)
    text = _number(interval.mean, scale, decimals, sign) + unit
    if math.isnan(interval.low):
        return text
    low, high = (_number(b, scale, decimals, sign) for b in (interval.low, interval.high))
    return f"{text} ({low} to {high})"


def _style(name: str, x: float, sign: bool) -> tuple[float, int, str]:
    """Scale, decimals and unit suffix for an outcome of this size."""
    unit = OUTCOMES[name].unit if name in OUTCOMES else ""
    if unit == "share":
        return 100.0, 1, " pp" if sign else " %"
    if unit == "DKK":
        return (1e-6, 2, " mio. DKK") if abs(x) >= 1e6 else (1.0, 0, " DKK")
    if unit == "citizens":  # a mean of counts is rarely whole: a decimal while small
        return 1.0, 1 if abs(x) < 100 else 0, ""
    return 1.0, 2 if abs(x) >= 0.1 else 3, ""


def _number(x: float, scale: float, decimals: int, sign: bool) -> str:
    return f"{x * scale:{'+' if sign else ''},.{decimals}f}"
