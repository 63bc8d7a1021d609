"""Simulation-based calibration (Talts et al. 2018) of the posterior fit.

For each synthetic truth drawn from the prior: simulate one study at the truth,
turn its statistics into synthetic "published" targets by adding errors of each
target's stated size (Gaussian; for a bound, on the side the bound allows), fit
the posterior to them exactly as the real fit is made, and record where the truth
falls among the posterior draws. If the posterior is calibrated, the truth's rank
is uniform and the central 50 % and 90 % intervals cover it 50 % and 90 % of the
time; more coverage means wider intervals than needed (conservative), less
means overconfident.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .posterior import Posterior, fit_posterior
from .priors import Prior
from .sampler import RUNS_PER_GENERATION, Request, Simulate
from .settings import Settings
from .targets import Target

#: Run id of a truth's own study (beyond any generation's particles).
TRUTH_RUN = 900 * RUNS_PER_GENERATION
LEVELS = (0.5, 0.9)


@dataclass
class SbcResult:
    """Per truth and parameter: the truth, its rank among the draws, and whether
    the 50 % and 90 % central intervals cover it.

    Attributes:
        ranks: One row per truth and parameter: ``truth``, ``parameter``, ``value``,
            ``rank`` (draws below the truth), ``draws``, ``covered_50``, ``covered_90``,
            ``reached_floor`` (the fit's last epsilon was the floor), ``epsilon`` (the
            particles'), ``ess`` (their effective number), ``adjusted``, ``studies``
            and ``prior_position`` (the truth's place in its prior's range on the
            sampling scale: 0 the low end, 1 the high end).
    """

    ranks: pd.DataFrame

    def coverage(self) -> pd.DataFrame:
        """Per parameter: truths, and the share covered by the 50 % and 90 % intervals."""
        grouped = self.ranks.groupby("parameter", sort=False)
        return pd.DataFrame({"truths": grouped.size(),
                             "coverage_50": grouped.covered_50.mean(),
                             "coverage_90": grouped.covered_90.mean()}).reset_index()

    def coverage_by_position(self, edge: float = 0.1) -> pd.DataFrame:
        """Coverage of truths near an end of their prior's range (within ``edge`` of
        it, on the sampling scale) against the others. A posterior that the data
        narrow only a little leans on its prior: even when it covers as claimed on
        average, it covers the inner truths more often and misses those near an end,
        its interval drawn towards the middle of the range."""
        r = self.ranks
        near = (r.prior_position < edge) | (r.prior_position > 1 - edge)
        where = np.where(near, f"within {edge:.0%} of an end", "inside")
        grouped = r.groupby(where)
        return pd.DataFrame({"pairs": grouped.size(),
                             "coverage_50": grouped.covered_50.mean(),
                             "coverage_90": grouped.covered_90.mean()})

    def histogram(self, bins: int = 5) -> pd.DataFrame:
        """Per parameter, counts of the normalised rank in ``bins`` equal bins."""
        r = self.ranks
        position = np.minimum((r["rank"] / (r["draws"] + 1) * bins).astype(int), bins - 1)
        counts = pd.crosstab(r.parameter, position).reindex(columns=range(bins), fill_value=0)
        return counts.reindex(r.parameter.unique())


def draw_truths(priors: Sequence[Prior], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` parameter sets from the prior."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    truths = []
    for _ in range(n):
        truths.append({p.name: p.value(rng.uniform(*p.bounds)) for p in priors})
    return truths


def synthetic_targets(targets: Sequence[Target], stats: dict[str, float],
                      rng: np.random.Generator) -> list[Target]:
    """The targets as they would have been published had the study given ``stats``:
    each value moved by an error of its stated size (on the log scale for ratios);
    a bound moves only to the side it allows, so the truth always satisfies it."""
    out = []
    for t in targets:
        error = rng.normal(0.0, t.se)
        if t.kind == "lower_bound":
            error = -abs(error)
        elif t.kind == "upper_bound":
            error = abs(error)
        simulated = stats[t.statistic]
        value = simulated * np.exp(error) if t.scale == "log" else simulated + error
        out.append(dataclasses.replace(t, value=float(value)))
    return out


def run_sbc(targets: Sequence[Target], priors: Sequence[Prior],
            simulate_for: Callable[[int], Simulate], settings: Settings, truths: int,
            seed: int, folder: Path, note: Callable[[str], None] | None = None,
            on_truth: Callable[[SbcResult], None] | None = None) -> SbcResult:
    """Fit ``truths`` synthetic truths and rank each truth among its posterior draws.

    Args:
        targets: The real targets (their statistics and stated uncertainties).
        priors: The calibrated parameters' priors (the truths are drawn from them).
        simulate_for: Truth index -> the simulator of that truth's fit (each its own
            run store, so a stopped SBC resumes truth by truth).
        settings: The fit's settings (its seed is varied per truth).
        truths: How many.
        seed: Seed of the truths and the synthetic errors.
        folder: Where each fit keeps its pyabc database.
        note: Progress lines.
        on_truth: Called with the result so far after each truth (a long SBC
            stopped part-way still leaves its table).
    """
    rows = []
    for j, truth in enumerate(draw_truths(priors, truths, seed)):
        simulate = simulate_for(j)
        study_seed = int(np.random.SeedSequence([seed, 13, j]).generate_state(1)[0])
        stats = simulate([Request(TRUTH_RUN, truth, study_seed)])[0]
        rng = np.random.default_rng(np.random.SeedSequence([seed, 17, j]))
        synthetic = synthetic_targets(targets, stats, rng)
        if not all(np.isfinite(t.value) and (t.scale != "log" or t.value > 0)
                   for t in synthetic):
            raise ValueError(f"truth {j}: its study gives no value for some target "
                             f"({truth})")
        fit_settings = dataclasses.replace(settings, seed=settings.seed + j)
        posterior = fit_posterior(synthetic, priors, simulate, fit_settings,
                                  folder / f"abc-{j:03d}.db", predictive=False)
        rows += _ranks(j, truth, posterior)
        if note is not None:
            note(f"sbc: truth {j + 1}/{truths} done ({posterior.studies} studies, epsilon "
                 f"{posterior.epsilon:.3g}, effective particles {posterior.ess:.0f})")
        if on_truth is not None:
            on_truth(SbcResult(pd.DataFrame(rows)))
    return SbcResult(pd.DataFrame(rows))


def _ranks(j: int, truth: dict[str, float], posterior: Posterior) -> list[dict]:
    rows = []
    for prior in posterior.priors:
        draws = posterior.draws[prior.name].to_numpy(dtype=float)
        value = truth[prior.name]
        low, high = prior.bounds
        row = {"truth": j, "parameter": prior.name, "value": value,
               "rank": int((draws < value).sum()), "draws": len(draws),
               "reached_floor": posterior.reached_floor, "epsilon": posterior.epsilon,
               "ess": posterior.ess, "adjusted": posterior.adjusted,
               "studies": posterior.studies,
               "prior_position": (prior.coordinate(value) - low) / (high - low)}
        for level in LEVELS:
            lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
            row[f"covered_{round(level * 100)}"] = bool(lo <= value <= hi)
        rows.append(row)
    return rows
