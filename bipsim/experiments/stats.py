"""Means, paired differences and ratios over replicates, with 95 % intervals.

Replicates are independent runs (distinct seeds), so a mean over them has a
Student-t interval. Two scenarios run on the same seeds share their random numbers
(common random numbers): their difference is taken replicate by replicate, which
removes the noise they share and gives a much narrower interval than comparing two
means would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval.

    Attributes:
        mean: Sample mean (NaN without data).
        low: Lower bound (NaN with fewer than 2 values).
        high: Upper bound (NaN with fewer than 2 values).
        sd: Sample standard deviation (ddof 1).
        n: Values used (undefined ones, NaN, are left out).
    """

    mean: float
    low: float
    high: float
    sd: float
    n: int

    @property
    def excludes_zero(self) -> bool:
        """The interval lies wholly above or wholly below zero."""
        return bool(self.low > 0 or self.high < 0)


def mean_interval(values: np.ndarray, level: float = LEVEL) -> Interval:
    """Mean and two-sided Student-t interval of the finite ``values``."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Interval(mean, math.nan, math.nan, math.nan, n)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, sd, n)


def paired_difference(alternative: np.ndarray, base: np.ndarray,
                      level: float = LEVEL) -> Interval:
    """Mean of ``alternative - base`` replicate by replicate, with its interval.

    Replicates where either value is undefined (NaN) are left out.
    """
    return mean_interval(np.asarray(alternative, float) - np.asarray(base, float), level)


@dataclass(frozen=True)
class Ratio:
    """A ratio of two mean differences, with Fieller's interval.

    Attributes:
        estimate: Mean numerator over mean denominator (NaN if the latter is 0).
        low: Lower bound; NaN when the interval is unbounded.
        high: Upper bound; NaN when the interval is unbounded.
        bounded: False when the denominator is not clearly away from zero, so
            the ratio could be arbitrarily large (of either sign).
    """

    estimate: float
    low: float
    high: float
    bounded: bool


def fieller_ratio(numerator: np.ndarray, denominator: np.ndarray,
                  level: float = LEVEL) -> Ratio:
    """Ratio of the means of paired values, with Fieller's confidence interval.

    Used for cost per extra job entry: numerator the extra cost, denominator the
    extra job entries of each replicate. Fieller's interval is the set of ratios
    ``theta`` for which ``mean(num) - theta * mean(den)`` is not significantly
    different from 0; it is bounded only when the denominator's mean is
    significantly different from 0 (a t test at ``level``).
    """
    num, den = np.asarray(numerator, float), np.asarray(denominator, float)
    keep = np.isfinite(num) & np.isfinite(den)
    num, den = num[keep], den[keep]
    n = len(num)
    if n < 2:
        return Ratio(math.nan, math.nan, math.nan, False)
    m_n, m_d = float(num.mean()), float(den.mean())
    estimate = m_n / m_d if m_d != 0 else math.nan
    cov = np.cov(num, den, ddof=1) / n  # covariance matrix of the two means
    v_n, v_d, c = float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1])
    t2 = float(stats.t.ppf(0.5 + level / 2, n - 1)) ** 2
    # (m_n - theta m_d)^2 <= t2 (v_n - 2 theta c + theta^2 v_d), a quadratic in theta
    a = m_d**2 - t2 * v_d
    b = -2 * (m_n * m_d - t2 * c)
    k = m_n**2 - t2 * v_n
    disc = b * b - 4 * a * k
    if a <= 0 or disc < 0:
        return Ratio(estimate, math.nan, math.nan, False)
    root = math.sqrt(disc)
    low, high = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
    return Ratio(estimate, low, high, True)
