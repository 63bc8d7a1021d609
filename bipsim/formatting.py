"""Numbers as a planner reads them: the one formatter of every table, report and plot.

A value is shown in its outcome's unit (``OUTCOMES[name].unit``): shares in percent
(differences in percentage points), amounts in DKK (millions from a million up),
counts of citizens as whole numbers once large. A mean and its interval share one
unit and scale, shown once: ``5.1 % (4.9 to 5.3)``, ``+0.3 pp (+0.1 to +0.5)``,
``3.57 mio. DKK (3.50 to 3.64)``; a mean and its spread over replicates
``6.8 ± 0.2 %``. Used by the run summary, compare and sweep reports, plots and tools.

**Locale.** ``en`` (the default) writes ``8,463.70 mio. DKK`` and ``12.5 %``; ``da``
writes numbers the Danish way, ``8.463,70 mio. kr.``, ``12,5 %``, ``+0,3 pct.-point``
(thousands with ``.``, decimals with ``,``). The command line chooses it with
``--locale``, else the setting ``BIPSIM_LOCALE`` (``da``, ``da_DK.UTF-8``, ``en``),
and applies it to the whole command with :func:`use_locale`; every function here
reads :func:`current_locale`. Only what people read changes: CSV and Parquet files
stay machine-readable, and :func:`excel_csv` makes the Excel-friendly copy.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bipsim.errors import InputError
from bipsim.options import LOCALES
from bipsim.outcomes import OUTCOMES

if TYPE_CHECKING:
    import pandas as pd

#: The environment variable that sets the locale when ``--locale`` is not given.
LOCALE_ENV = "BIPSIM_LOCALE"
#: Most decimals a plot tick gets (ticks closer than this are not readable anyway).
MAX_TICK_DECIMALS = 6


@dataclass(frozen=True)
class _Style:
    """How one locale writes numbers and units."""

    thousands: str
    decimal: str
    dkk: str
    mio_dkk: str
    points: str  # percentage points
    percent: str  # after a rounded share in prose, e.g. "91%"


_STYLES = {"en": _Style(",", ".", " DKK", " mio. DKK", " pp", "%"),
           "da": _Style(".", ",", " kr.", " mio. kr.", " pct.-point", " %")}
_LOCALE: ContextVar[str | None] = ContextVar("bipsim_locale", default=None)


class Interval(Protocol):
    """What :func:`level` and :func:`difference` read of an interval
    (:class:`bipsim.experiments.stats.Interval` has it); NaN bounds: none known."""

    mean: float
    low: float
    high: float


# --- the locale --------------------------------------------------------------------------
def resolve_locale(given: str | None = None) -> str:
    """The locale to use: ``given`` (``--locale``), else ``BIPSIM_LOCALE``, else ``en``.

    The setting may be a plain code (``da``) or a POSIX locale name (``da_DK.UTF-8``).

    Raises:
        InputError: ``given`` or the setting is not one of :data:`LOCALES`.
    """
    if given is not None:
        source, text = "--locale", given
    else:
        source, text = LOCALE_ENV, os.environ.get(LOCALE_ENV, "").strip()
        if not text:
            return LOCALES[0]
    code = text.split(".", 1)[0].split("_", 1)[0].lower()
    if code not in LOCALES:
        raise InputError(f"given {text[:40]!r}, allowed: {', '.join(LOCALES)}", source)
    return code


def current_locale() -> str:
    """The locale in use: the one :func:`use_locale` set, else :func:`resolve_locale`."""
    return _LOCALE.get() or resolve_locale()


@contextmanager
def use_locale(code: str) -> Iterator[None]:
    """Format numbers in locale ``code`` (one of :data:`LOCALES`) within the block."""
    if code not in _STYLES:
        raise ValueError(f"unknown locale {code!r}; known: {', '.join(_STYLES)}")
    token = _LOCALE.set(code)
    try:
        yield
    finally:
        _LOCALE.reset(token)


# --- outcomes in their units ---------------------------------------------------------------
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
    scale, decimals, unit = _scale(name, x, sign)
    return number(x * scale, decimals, sign) + unit


def spread(name: str, mean: float, sd: float) -> str:
    """A mean and its standard deviation (over replicates) in the outcome's unit:
    ``6.8 ± 0.2 %``, ``3,205 ± 67``, ``2.64 ± 0.05 mio. DKK``."""
    if math.isnan(mean):
        return "-"
    scale, decimals, unit = _scale(name, mean, sign=False)
    return f"{number(mean * scale, decimals)} ± {number(sd * scale, decimals)}{unit}"


def dkk(x: float, sign: bool = False) -> str:
    """An amount in DKK, in millions from a million up."""
    return value("total_cost_dkk", x, sign)


# --- plain numbers ---------------------------------------------------------------------------
def number(x: float | None, decimals: int = 0, sign: bool = False) -> str:
    """``x`` with thousands separators and ``decimals`` decimals (``-`` when undefined).

    A value that rounds to zero shows no minus sign (``-0.04`` at one decimal is
    ``0.0``, or ``+0.0`` with ``sign``).
    """
    if x is None or math.isnan(x):
        return "-"
    return _localise(f"{x:{'+' if sign else ''}z,.{decimals}f}")


def percent(share: float | None, decimals: int = 0, sign: bool = False) -> str:
    """A share as a percentage in running text: ``91%`` (``91 %`` in Danish)."""
    if share is None or math.isnan(share):
        return "-"
    return number(100 * share, decimals, sign) + _style().percent


def general(x: float | None, digits: int = 6, sign: bool = False) -> str:
    """``x`` to ``digits`` significant digits, without trailing zeros (``format`` ``g``)."""
    if x is None or math.isnan(x):
        return "-"
    return _localise(f"{x:{'+' if sign else ''}z.{digits}g}")


def listing(numbers: Sequence[str]) -> str:
    """Numbers written by this module, listed: ``0.1, 0.25``; in Danish ``0,1; 0,25``
    (a comma is their decimal mark)."""
    return ("; " if _style().decimal == "," else ", ").join(numbers)


def dkk_unit() -> str:
    """The unit of an amount in kroner, for labels: ``DKK`` or ``kr.``"""
    return _style().dkk.strip()


def millions_unit() -> str:
    """The unit of an amount in millions, for axis labels: ``mio. DKK`` or ``mio. kr.``"""
    return _style().mio_dkk.strip()


def tick_decimals(ticks: Sequence[float]) -> int:
    """The fewest decimals that show every tick of an axis exactly (at most
    :data:`MAX_TICK_DECIMALS`): ``[0, 0.25, 0.5]`` needs 2, ``[0, 500, 1000]`` none."""
    for decimals in range(MAX_TICK_DECIMALS + 1):
        if all(abs(round(t, decimals) - t) <= 1e-9 * max(1.0, abs(t))
               for t in ticks if math.isfinite(t)):
            return decimals
    return MAX_TICK_DECIMALS


def excel_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV a Danish Excel opens by double-click: ``;`` between fields, ``,``
    as the decimal mark, UTF-8 with a byte-order mark (so æ, ø, å survive)."""
    return ("\ufeff" + frame.to_csv(index=False, sep=";", decimal=",")).encode("utf-8")


# --- internals ---------------------------------------------------------------------------
def _with_interval(name: str, interval: Interval, sign: bool) -> str:
    if math.isnan(interval.mean):
        return "-"
    scale, decimals, unit = _scale(name, interval.mean, sign)
    text = number(interval.mean * scale, decimals, sign) + unit
    if math.isnan(interval.low):
        return text
    low, high = (number(b * scale, decimals, sign) for b in (interval.low, interval.high))
    return f"{text} ({low} to {high})"


def _scale(name: str, x: float, sign: bool) -> tuple[float, int, str]:
    """Scale, decimals and unit suffix for an outcome of this size."""
    unit = OUTCOMES[name].unit if name in OUTCOMES else ""
    style = _style()
    if unit == "share":
        return 100.0, 1, style.points if sign else " %"
    if unit == "DKK":  # 999,999.6 DKK is 1.00 mio., not "1,000,000 DKK"
        return (1e-6, 2, style.mio_dkk) if round(abs(x)) >= 1e6 else (1.0, 0, style.dkk)
    if unit == "citizens":  # a mean of counts is rarely whole: a decimal while small
        return 1.0, 1 if abs(x) < 100 else 0, ""
    return 1.0, 2 if abs(x) >= 0.1 else 3, ""


def _style() -> _Style:
    return _STYLES[current_locale()]


def _localise(text: str) -> str:
    """English separators (``1,234.5``) in the current locale's."""
    style = _style()
    if style.thousands == "," and style.decimal == ".":
        return text
    return text.translate(str.maketrans({",": style.thousands, ".": style.decimal}))
