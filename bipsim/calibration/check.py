"""A parameter set checked against the targets on replicate studies.

The baseline (the posterior's central values) is checked on fresh replicates: the
mean of each statistic over the replicates against the target, in standard errors
that combine the target's stated uncertainty with the Monte Carlo error of the mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .targets import Target

#: Every simulated statistic is checked, not only those a target names; ratios on
#: the log scale.
LOG_STATISTICS = ("hr_believes", "hr_per_change")
#: The check replicates are seeded ``seed + CHECK_SEED_OFFSET``: fresh, not the
#: studies the fit was made with.
CHECK_SEED_OFFSET = 1_000_003
Z95 = 1.959964


@dataclass
class Evaluation:
    """Replicate statistics of one parameter set and their distance to the targets.

    Attributes:
        mean: Mean of each statistic over the replicates (geometric for ratios).
        spread: Standard deviation over replicates (of the log for ratios).
        z: Per target, the gap in combined standard errors.
        distance: Sum of squared z-scores.
        reps: Replicates.
    """

    mean: dict[str, float]
    spread: dict[str, float]
    z: dict[str, float]
    distance: float
    reps: int


def summarise(targets: Sequence[Target], runs: Sequence[Mapping[str, float]]) -> Evaluation:
    """Score the replicate studies ``runs`` (statistics by name) against ``targets``."""
    mean, spread, mc_se = {}, {}, {}
    for name in runs[0]:
        values = np.array([r[name] for r in runs], dtype=float)
        if name in LOG_STATISTICS:
            values = np.log(values)
        centre = float(np.nanmean(values))
        sd = float(np.nanstd(values, ddof=1)) if len(values) > 1 else 0.0
        mean[name] = float(np.exp(centre)) if name in LOG_STATISTICS else centre
        spread[name] = sd
        mc_se[name] = sd / np.sqrt(len(values))
    z = {t.name: t.z(mean[t.statistic], mc_se[t.statistic]) for t in targets}
    distance = float(sum(v * v for v in z.values()))
    return Evaluation(mean, spread, z, distance if np.isfinite(distance) else np.inf, len(runs))


def fit_table(targets: Sequence[Target], check: Evaluation) -> list[dict]:
    """Per target: published value and interval, simulated mean and 95 % spread of
    single studies, z and whether it is within 1.96."""
    rows = []
    for t in targets:
        mean, sd = check.mean[t.statistic], check.spread[t.statistic]
        if t.statistic in LOG_STATISTICS:
            spread = (mean * np.exp(-Z95 * sd), mean * np.exp(Z95 * sd))
        else:
            spread = (mean - Z95 * sd, mean + Z95 * sd)
        low, high = t.interval()
        rows.append({
            "target": t.name, "statistic": t.statistic, "kind": t.kind,
            "published": t.value, "published_interval": [round(low, 4), round(high, 4)],
            "simulated_mean": round(float(mean), 4),
            "simulated_95_spread": [round(float(spread[0]), 4), round(float(spread[1]), 4)],
            "z": round(check.z[t.name], 2),
            "within_tolerance": bool(abs(check.z[t.name]) <= Z95),
        })
    return rows
