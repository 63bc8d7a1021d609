"""Sensitivity indices of a sampled sweep, computed with SALib.

Each design point's outcome is the mean over its replicates. Replicate ``r`` has
the same seed at every point (common random numbers), so the noise left in the
point means is shared across points and hardly inflates the indices: a parameter
that cannot change an outcome gets a total index of exactly 0.

- ``sobol``: first-order ``S1`` (share of the outcome's variance due to the
  parameter alone) and total ``ST`` (including its interactions), with bootstrap
  95 % intervals ``S1_conf`` and ``ST_conf`` (half-widths).
- ``morris``: ``mu_star`` (mean absolute elementary effect, in the outcome's unit
  per unit of the parameter's range), ``mu_star_conf``, ``mu`` and ``sigma``
  (spread of the effects: interactions or non-linearity).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

#: Columns of the indices table for each method.
COLUMNS = {"sobol": ("S1", "S1_conf", "ST", "ST_conf"),
           "morris": ("mu_star", "mu_star_conf", "mu", "sigma")}


def indices(method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray,
            seed: int) -> pd.DataFrame:
    """Indices of one outcome: one row per parameter.

    Args:
        method: ``sobol`` or ``morris``.
        problem: The SALib problem (names, bounds).
        x: The design matrix as sampled (points x parameters).
        y: The outcome at each point, in design order.
        seed: Seed of the bootstrap intervals.

    Returns:
        ``parameter`` and the method's :data:`COLUMNS`; NaN where the outcome is
        undefined at some point; zeros where it does not vary at all.
    """
    from SALib.analyze import morris, sobol  # only imported when analysing

    names = problem["names"]
    columns = COLUMNS[method]
    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        values = {c: np.full(len(names), np.nan) for c in columns}
    elif np.ptp(y) == 0:  # SALib divides by the variance
        values = {c: np.zeros(len(names)) for c in columns}
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "sobol":
                found = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
            else:
                found = morris.analyze(problem, x, y, num_levels=4, seed=seed)
        values = {c: np.asarray(found[c], dtype=float) for c in columns}
    return pd.DataFrame({"parameter": names, **values})


def indices_table(method: str, problem: dict[str, Any], x: np.ndarray,
                  point_means: pd.DataFrame, outcomes: list[str], seed: int) -> pd.DataFrame:
    """Indices of every outcome: one row per (outcome, parameter), tidy.

    Args:
        point_means: One row per design point, in design order, a column per outcome.
    """
    frames = []
    for outcome in outcomes:
        frame = indices(method, problem, x, point_means[outcome].to_numpy(float), seed)
        frame.insert(0, "outcome", outcome)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
