"""The posterior: parameter sets whose simulated study reproduces every target.

Likelihood-free Bayesian inference by pyabc's ABC-SMC (Toni et al. 2009; Klinger
et al. 2018). Each particle is one parameter set drawn from the prior (later:
perturbed from the last population) and one simulated study; it is accepted if
the study's statistics are within ``epsilon`` of the targets, where the distance
is the length of the vector of target z-scores (each target's gap in its stated
standard errors; one-sided for bounds). ``epsilon`` falls generation by
generation (a quantile of the last population's distances) down to a floor, the
radius inside which Gaussian errors of the stated size fall with 95 %
probability: the posterior is then the prior restricted to parameter sets whose
study is jointly consistent with every target at that level. Where the budget ends
the fit above the floor with too few effective particles, the particles come from
a wider epsilon (:func:`widened_epsilon`).

:class:`~.sampler.OrderedSampler` makes the result independent of the executor.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from scipy.stats import chi2

from .adjust import kernel_weights, regression_adjust
from .priors import Prior
from .reweight import effective_size, importance_ratios, mixture_weights
from .sampler import RUNS_PER_GENERATION, OrderedSampler, ReplayModel, Request, Simulate
from .settings import Settings
from .targets import Target

#: Run ids of the studies of the adjusted particles (the posterior predictive).
PREDICTIVE_RUNS = 800 * RUNS_PER_GENERATION
#: Probability that Gaussian target errors of the stated size fall inside the
#: final epsilon (the floor of the schedule).
FLOOR_LEVEL = 0.95


def epsilon_floor(targets: Sequence[Target], level: float = FLOOR_LEVEL) -> float:
    """Radius (in standard errors) that Gaussian errors of every target's stated
    size stay inside with probability ``level``: the square root of the
    chi-square quantile with one degree of freedom per target."""
    return float(math.sqrt(chi2.ppf(level, len(targets))))


def z_scores(targets: Sequence[Target], stats: Mapping[str, float]) -> np.ndarray:
    """Each target's z-score for one study's statistics (NaN if not computable)."""
    values = []
    for target in targets:
        value = stats.get(target.statistic, np.nan)
        if value is None or not np.isfinite(value) or (target.scale == "log" and value <= 0):
            values.append(np.nan)
        else:
            values.append(target.z(float(value)))
    return np.array(values)


def distance(targets: Sequence[Target], stats: Mapping[str, float]) -> float:
    """Length of the z-score vector; infinite when a statistic is missing."""
    z = z_scores(targets, stats)
    return float(np.sqrt(np.sum(z * z))) if np.all(np.isfinite(z)) else math.inf


@dataclass
class Posterior:
    """A fitted posterior.

    Attributes:
        priors: The calibrated parameters' priors, in order.
        particles: Every study of the fit within ``epsilon``: one row per
            particle, the parameters on their own scale as sampled, ``weight`` (sums
            to 1, :mod:`.reweight`), ``distance``, ``generation``, and the simulated
            statistics.
        draws: Equally weighted draws (systematic resampling of the particles, in
            random order): ``draw``, ``particle`` and the parameters (adjusted, if
            ``adjusted``).
        generations: Per generation: ``epsilon``, ``accepted``, ``evaluated``
            (pyabc's count), ``simulated`` (studies made), ``acceptance_rate``, ``ess``.
        epsilon_floor: The floor of the epsilon schedule.
        settings: How it was sampled.
        adjusted: Whether the draws are regression-adjusted.
        predictive_stats: Per particle (index), the statistics of a study at its
            draw values: its own study, or a new one at the adjusted values.
        studies: Studies the fit made (the pool the particles are taken from).
        ess: Effective sample size of the weights the draws are resampled with
            (importance weights, times the adjustment's kernel if adjusted).
        epsilon: The particles' epsilon: the last generation's, or wider where that
            left fewer than ``settings.min_ess`` effective particles
            (:func:`widened_epsilon`).
    """

    priors: list[Prior]
    particles: pd.DataFrame
    draws: pd.DataFrame
    generations: pd.DataFrame
    epsilon_floor: float
    settings: Settings
    adjusted: bool = False
    predictive_stats: pd.DataFrame | None = None
    studies: int = 0
    ess: float = 0.0
    epsilon: float = math.inf

    @property
    def names(self) -> list[str]:
        """The calibrated parameters."""
        return [p.name for p in self.priors]

    @property
    def reached_floor(self) -> bool:
        """Whether the last generation's epsilon is the floor (else the budget ended it)."""
        return bool(self.generations.epsilon.iloc[-1] <= self.epsilon_floor * (1 + 1e-12))

    def predictive(self) -> pd.DataFrame:
        """The simulated statistics of the draws' studies (posterior predictive)."""
        if self.predictive_stats is not None:
            return self.predictive_stats.loc[self.draws.particle].reset_index(drop=True)
        stats = [c for c in self.particles.columns
                 if c not in self.names
                 and c not in ("particle", "weight", "distance", "generation")]
        return self.particles.loc[self.draws.particle, stats].reset_index(drop=True)

    def central(self) -> dict[str, float]:
        """The posterior median of each parameter (the baseline's values)."""
        return {name: float(np.median(self.draws[name])) for name in self.names}

    def identification(self) -> pd.DataFrame:
        """Per parameter: the posterior's 90 % interval and its width relative to the
        prior's 90 % interval, both on the sampling coordinate (log for loguniform
        priors). Near 1: the targets say little about it; small: pinned down."""
        rows = []
        for prior in self.priors:
            x = np.array([prior.coordinate(v) for v in self.draws[prior.name]])
            lo, hi = np.quantile(x, [0.05, 0.95])
            a, b = prior.bounds
            rows.append({"parameter": prior.name, "prior": prior.describe(),
                         "median": float(np.median(self.draws[prior.name])),
                         "q05": prior.value(lo), "q95": prior.value(hi),
                         "width_ratio": float((hi - lo) / (0.9 * (b - a)))})
        return pd.DataFrame(rows)


def fit_posterior(targets: Sequence[Target], priors: Sequence[Prior], simulate: Simulate,
                  settings: Settings, db: Path, note: Callable[[str], None] | None = None,
                  predictive: bool = True) -> Posterior:
    """Sample the posterior of ``priors`` given ``targets``.

    Args:
        targets: What the simulated statistics must reproduce.
        priors: The calibrated parameters' priors.
        simulate: Makes the studies of a batch of parameter sets (the engine).
        settings: Population size, budget, seed.
        db: pyabc's database file (written anew).
        note: Prints a line of progress after each batch of studies.
        predictive: Simulate the adjusted draws for the posterior predictive (not
            needed where only the draws count, as in simulation-based calibration).
    """
    logging.getLogger("ABC").setLevel(logging.WARNING)  # our own progress instead
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    priors = list(priors)
    floor = epsilon_floor(targets)
    model = ReplayModel()
    eps = _FlooredQuantileEpsilon(floor, settings.alpha)

    def on_batch(t: int, accepted: int, wanted: int, evaluated: int) -> None:
        if note is not None:
            note(f"generation {t} (epsilon {eps(t):.3g}): {accepted}/{wanted} accepted "
                 f"of {evaluated} evaluated")

    sampler = OrderedSampler(model, simulate, settings.seed,
                             lambda pars: {p.name: p.value(pars[p.name]) for p in priors},
                             on_batch)
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.bounds[0],
                                                   p.bounds[1] - p.bounds[0]) for p in priors})
    abc = pyabc.ABCSMC(model, prior, lambda x, _x0: distance(targets, x),
                       population_size=settings.population, sampler=sampler,
                       eps=eps)
    db.unlink(missing_ok=True)
    abc.new(f"sqlite:///{db}", {t.statistic: t.value for t in targets})
    with warnings.catch_warnings():
        # pyabc compares the first epsilon (infinite) with its predecessor: inf - inf
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        history = abc.run(minimum_epsilon=floor, max_nr_populations=settings.generations,
                          max_total_nr_simulations=settings.max_simulations,
                          min_acceptance_rate=settings.min_acceptance_rate)
    posterior = _posterior(priors, targets, sampler, history, floor, settings)
    if posterior.adjusted and predictive:
        posterior.predictive_stats = _simulate_draws(posterior, simulate)
    return posterior


def widened_epsilon(dist: np.ndarray, ratios: np.ndarray, last: float, min_ess: float,
                    adjust: bool) -> float:
    """The smallest epsilon, at least ``last``, at which the posterior's weights have an
    effective sample size of ``min_ess`` (every study's distance, if none has).

    A fit that ends with a handful of effective particles gives intervals made of a
    handful of points: too narrow, as simulation-based calibration showed (90 %
    intervals covering the truth 33-75 % of the time). Widening epsilon takes in more
    studies, each already weighted for its proposal; the posterior at a larger epsilon
    is wider, which is the honest answer to a limited budget.

    Args:
        dist: Every study's distance (infinite where a statistic is missing).
        ratios: Every study's importance ratio (:func:`.reweight.importance_ratios`).
        last: The last generation's epsilon.
        min_ess: The effective sample size wanted.
        adjust: Whether the weights include the adjustment's kernel.
    """
    wider = dist[np.isfinite(dist) & (dist > last)]
    for epsilon in np.unique(np.r_[last, wider]):  # ascending, from the last epsilon
        accepted = dist <= epsilon
        weights = mixture_weights(ratios, accepted)
        if adjust:
            weights = kernel_weights(dist[accepted], epsilon, weights[accepted])
        if effective_size(weights) >= min_ess:
            break
    return float(epsilon)


def _simulate_draws(posterior: Posterior, simulate: Simulate) -> pd.DataFrame:
    """One new study at each drawn particle's adjusted values."""
    picked = sorted(set(posterior.draws.particle))
    values = posterior.draws.drop_duplicates("particle").set_index("particle")
    seed = posterior.settings.seed
    requests = [Request(PREDICTIVE_RUNS + k,
                        {name: float(values.loc[k, name]) for name in posterior.names},
                        int(np.random.SeedSequence([seed, 23, k]).generate_state(1)[0]))
                for k in picked]
    return pd.DataFrame(simulate(requests), index=picked)


class _FlooredQuantileEpsilon(pyabc.QuantileEpsilon):
    """pyabc's quantile epsilon, never below ``floor``; the first generation
    accepts everything (it is the prior sample)."""

    def __init__(self, floor: float, alpha: float) -> None:
        super().__init__(initial_epsilon=math.inf, alpha=alpha)
        self.floor = floor

    def _update(self, t: int, weighted_distances: pd.DataFrame) -> None:
        super()._update(t, weighted_distances)
        self._look_up[t] = max(self._look_up[t], self.floor)


def _posterior(priors: list[Prior], targets: Sequence[Target], sampler: OrderedSampler,
               history: Any, floor: float, settings: Settings) -> Posterior:
    """The particles: every study of the fit within the last generation's epsilon
    (widened if that leaves too few effective particles), weighted by multiple
    importance sampling over all generations' proposals (:mod:`.reweight`),
    regression-adjusted if the settings ask (:mod:`.adjust`), and resampled into
    equal-weight draws."""
    last = float(history.get_all_populations().epsilon.iloc[-1])
    names = [p.name for p in priors]
    pool = sampler.pool
    dist = np.array([distance(targets, stats) for _, _, stats in pool])
    if not (dist <= last).any():
        raise RuntimeError("the fit produced no population")
    coords_all = np.array([[pars[name] for name in names] for _, pars, _ in pool])
    ratios = importance_ratios(coords_all, np.array([t for t, _, _ in pool]),
                               np.isfinite(dist), history, names,
                               np.array([p.bounds for p in priors]), settings.seed)
    epsilon = widened_epsilon(dist, ratios, last, settings.min_ess, settings.adjust)
    accepted = dist <= epsilon
    mis = mixture_weights(ratios, accepted)
    picked_rows = np.flatnonzero(accepted)
    weights = mis[picked_rows]
    stats_of = [pool[i][2] for i in picked_rows]
    rows = []
    for k, i in enumerate(picked_rows):
        theta = {p.name: p.value(c) for p, c in zip(priors, coords_all[i], strict=True)}
        rows.append({"particle": k, **theta, "weight": weights[k], "distance": dist[i],
                     "generation": pool[i][0], **stats_of[k]})
    frame = pd.DataFrame(rows).set_index("particle", drop=False)
    values = frame[names].copy()
    adjusted = False
    if settings.adjust:
        kernel = kernel_weights(frame.distance.to_numpy(dtype=float), epsilon, weights)
        coords = coords_all[picked_rows]
        z = np.array([z_scores(targets, stats) for stats in stats_of])
        noise = np.random.default_rng(np.random.SeedSequence([settings.seed, 19]))
        errors = noise.standard_normal(z.shape) * [t.kind == "estimate" for t in targets]
        moved, adjusted = regression_adjust(coords, np.array([p.bounds for p in priors]), z,
                                            kernel, errors)
        if adjusted:
            weights = kernel
            values[:] = [[p.value(c) for p, c in zip(priors, row, strict=True)]
                         for row in moved]
    ess = effective_size(weights)  # of the weights the draws are resampled with
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, 7]))
    positions = (rng.random() + np.arange(settings.draws)) / settings.draws
    picked = np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)
    picked = picked[rng.permutation(len(picked))]
    draws = values.loc[picked].reset_index()
    draws.insert(0, "draw", np.arange(len(draws)))
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0].set_index("t")
    generations = pd.DataFrame({
        "generation": pops.index.to_numpy(),
        "epsilon": pops.epsilon.to_numpy(dtype=float),
        "accepted": pops.particles.to_numpy(dtype=int),
        "evaluated": pops.samples.to_numpy(dtype=int),
        "simulated": [sampler.simulations[t] for t in pops.index],
        "ess": [sampler.ess[t] for t in pops.index],
    })
    generations["acceptance_rate"] = generations.accepted / generations.evaluated
    return Posterior(priors, frame, draws, generations, floor, settings, adjusted,
                     studies=len(pool), ess=ess, epsilon=epsilon)
