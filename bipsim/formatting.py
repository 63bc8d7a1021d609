"""Outcome values as a planner reads them: the one formatter of every table and report.

A value is shown in its outcome's unit (``OUTCOMES[name].unit``): shares in percent
(differences in percentage points), amounts in DKK (millions from a million up),
counts of citizens as whole numbers once large. A mean and its interval share one
unit and scale, shown once: ``5.1 % (4.9 to 5.3)``, ``+0.3 pp (+0.1 to +0.5)``,
``3.57 mio. DKK (3.50 to 3.64)``; a mean and its spread over replicates
``6.8 ± 0.2 %``. Used by the run summary, compare and sweep reports and tools.
"""

from __future__ import annotations

import math
from typing import Protocol

from bipsim.outcomes import OUTCOMES


class Interval(Protocol):
    """What :func:`level` and :func:`difference` read of an interval
    (:class:`bipsim.experiments.stats.Interval` has it); NaN bounds: none known."""

    mean: float
    low: float
    high: float


def level(name: str, interval: Interval) -> str:
    """A mean and its 95 % interval in the outcome's unit."""
    return _with_interval(name, interval, sign=False)


def difference(name: str, interval: Interval) -> str:
    """A signed difference and its 95 % interval; shares in percentage points (pp)."""
    return _with_interval(name, interval, sign=True)


def value(name: str, x: float | None, sign: bool = False) -> str:
    """One number in the outcome's unit (``-`` when undefined)."""
    if x is None or math.isnan(x):
        return "-"
    scale, decimals, unit = _style(name, x, sign)
    return _number(x, scale, decimals, sign) + unit


def spread(name: str, mean: float, sd: float) -> str:
    """A mean and its standard deviation (over replicates) in the outcome's unit:
    ``6.8 ± 0.2 %``, ``3,205 ± 67``, ``2.64 ± 0.05 mio. DKK``."""
    if math.isnan(mean):
        return "-"
    scale, decimals, unit = _style(name, mean, sign=False)
    return (f"{_number(mean, scale, decimals, False)} ± "
            f"{_number(sd, scale, decimals, False)}{unit}")


def dkk(x: float, sign: bool = False) -> str:
    """An amount in DKK, in millions from a million up."""
    return value("total_cost_dkk", x, sign)


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
