"""The search: structural parameters that make the simulated study match the targets.

Every candidate runs the same replicate seeds (common random numbers), so two
candidates differ only by their parameters, not by luck. The distance is the sum of
squared z-scores of the targets (:meth:`Target.z`), each combining the published
uncertainty with the Monte Carlo error of the replicate mean. Optuna's TPE sampler,
seeded, proposes the candidates; replicates run in parallel on local processes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .study import run_study
from .targets import Target

#: Statistics compared on the log scale are averaged as logs.
LOG_STATISTICS = ("hr_believes", "hr_per_change")
#: A one-parameter 95 % profile: candidates within this distance of the best are
#: consistent with the targets (chi-square, 1 degree of freedom).
PROFILE_DELTA = 3.84


@dataclass(frozen=True)
class Dimension:
    """One searched parameter: its range, and whether to search it on a log scale."""

    low: float
    high: float
    log: bool = False


#: The structural parameters the targets identify, and where to look for them.
SPACE: dict[str, Dimension] = {
    "p_job": Dimension(0.0003, 0.005, log=True),            # T1
    "p_education": Dimension(0.0002, 0.005, log=True),      # T2 education share
    "p_other": Dimension(0.0003, 0.006, log=True),          # T2 still on benefit
    "hr_belief": Dimension(0.7, 2.5, log=True),             # T4
    "belief_readiness_weight": Dimension(0.0, 1.5),         # T4 confounding, T5
    "optimism_mean": Dimension(-1.0, 1.0),                  # T5 level
    "optimism_sd": Dimension(0.05, 1.5),                    # T5 spread
    "hr_caseworker_change": Dimension(0.4, 1.2, log=True),  # T7
    "annual_turnover": Dimension(0.05, 0.45),               # T8
}


@dataclass
class Evaluation:
    """A candidate's replicate statistics and its distance to the targets."""

    params: dict[str, float]
    mean: dict[str, float]
    spread: dict[str, float]
    z: dict[str, float]
    distance: float


@dataclass
class SearchResult:
    """The best candidate, every candidate's distance, and plausible ranges."""

    best: Evaluation
    trials: list[tuple[dict[str, float], float]] = field(default_factory=list)

    def plausible_ranges(self, space: Mapping[str, Dimension] | None = None,
                         delta: float = PROFILE_DELTA) -> dict[str, tuple[float, float]]:
        """Per parameter, a rough 95 % profile interval: where a quadratic fitted to
        the distances of the candidates near the best (against that parameter, on
        the searched scale) stays within ``delta`` of the best, and at least the
        range of the candidates that do. As good as the candidates sampled."""
        space = SPACE if space is None else space
        best = self.best.distance
        ranges = {}
        for name, value in self.best.params.items():
            d = space[name]
            inside = [p[name] for p, dist in self.trials if dist <= best + delta]
            low, high = min(inside), max(inside)
            near = [(_to_unit(p[name], d), dist) for p, dist in self.trials
                    if dist <= best + 4 * delta]
            if len({u for u, _ in near}) >= 3:
                u, dist = np.array(near).T
                c2, c1, _ = np.polyfit(u, dist, 2)
                if c2 > 0:
                    vertex, half = -c1 / (2 * c2), np.sqrt(delta / c2)
                    low = min(low, _from_unit(vertex - half, d))
                    high = max(high, _from_unit(vertex + half, d))
            ranges[name] = (min(low, value), max(high, value))
        return ranges


def replicate_seeds(seed: int, reps: int) -> list[int]:
    """The replicate seeds every candidate runs (derived, so any ``seed`` works)."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(reps, np.uint32)]


def evaluate(params: Mapping[str, Any], targets: list[Target], seeds: list[int],
             executor: Executor) -> Evaluation:
    """Run one study per seed and score the mean statistics against the targets."""
    runs = list(executor.map(run_study, [dict(params)] * len(seeds), seeds))
    mean, spread, mc_se = {}, {}, {}
    for name in runs[0]:
        values = np.array([r[name] for r in runs], dtype=float)
        if name in LOG_STATISTICS:
            values = np.log(values)
        centre = float(np.nanmean(values))
        sd = float(np.nanstd(values, ddof=1)) if len(values) > 1 else 0.0
        mean[name] = float(np.exp(centre)) if name in LOG_STATISTICS else centre
        spread[name] = sd  # on the log scale for LOG_STATISTICS
        mc_se[name] = sd / np.sqrt(len(values))
    z = {t.name: t.z(mean[t.statistic], mc_se[t.statistic]) for t in targets}
    distance = float(sum(v * v for v in z.values()))
    if not np.isfinite(distance):
        distance = 1e12  # a candidate whose study cannot be analysed loses
    return Evaluation(dict(params), mean, spread, z, distance)


def search(base: Mapping[str, Any], targets: list[Target], budget: int, seeds: list[int],
           executor: Executor, seed: int, space: Mapping[str, Dimension] | None = None,
           on_trial: Callable[[int, float, float], None] | None = None) -> SearchResult:
    """Minimise the distance over ``space`` with ``budget`` candidates.

    Half the budget explores globally (Optuna's TPE, seeded, starting from the base's
    values); the other half refines the best candidate locally (Nelder-Mead in the
    unit cube of the space, deterministic because the replicates are fixed).

    Args:
        base: Every other parameter (the study scenario's).
        targets: What to match.
        budget: Number of candidates.
        seeds: Replicate seeds, the same for every candidate.
        executor: Runs the replicates (a process pool, or any Executor).
        seed: Seed of the sampler, so the search itself is reproducible.
        space: Parameters searched (default ``SPACE``); the base's values of these
            are tried first.
        on_trial: Called after each candidate with (number, distance, best so far).
    """
    import optuna  # heavy: imported when a search runs
    from scipy.optimize import minimize

    space = SPACE if space is None else space
    names = list(space)
    evaluations: list[Evaluation] = []

    def score(theta: dict[str, float]) -> float:
        result = evaluate({**base, **theta}, targets, seeds, executor)
        result.params = dict(theta)
        evaluations.append(result)
        if on_trial is not None:
            best = min(e.distance for e in evaluations)
            on_trial(len(evaluations), result.distance, best)
        return result.distance

    explore = max(1, budget // 2) if budget > 1 else 1
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                         n_startup_trials=min(20, max(5, explore // 4)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial({k: float(np.clip(base[k], d.low, d.high)) for k, d in space.items()})
    study.optimize(lambda trial: score({k: trial.suggest_float(k, d.low, d.high, log=d.log)
                                        for k, d in space.items()}), n_trials=explore)

    refine = budget - explore
    if refine > 0:
        start = min(evaluations, key=lambda e: e.distance).params
        x0 = np.array([_to_unit(start[k], space[k]) for k in names])
        simplex = [x0] + [x0 + np.where(np.arange(len(names)) == i,
                                         0.1 if x0[i] < 0.9 else -0.1, 0.0)
                          for i in range(len(names))]
        minimize(lambda x: score({k: _from_unit(v, space[k]) for k, v in zip(names, x,
                                                                               strict=True)})
                 if budget > len(evaluations) else np.inf,
                 x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(names),
                 options={"maxfev": refine, "initial_simplex": np.array(simplex),
                          "xatol": 1e-3, "fatol": 1e-3})
    best = min(evaluations, key=lambda e: e.distance)
    return SearchResult(best, [(e.params, e.distance) for e in evaluations])


def _to_unit(value: float, d: Dimension) -> float:
    """Position of ``value`` in the searched range, 0..1 (log ranges on a log scale)."""
    if d.log:
        return float((np.log(value) - np.log(d.low)) / (np.log(d.high) - np.log(d.low)))
    return float((value - d.low) / (d.high - d.low))


def _from_unit(u: float, d: Dimension) -> float:
    u = float(np.clip(u, 0.0, 1.0))
    if d.log:
        return float(np.exp(np.log(d.low) + u * (np.log(d.high) - np.log(d.low))))
    return float(d.low + u * (d.high - d.low))
