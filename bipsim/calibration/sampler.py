"""A pyabc sampler whose result does not depend on what runs the simulations.

pyabc's parallel samplers accept particles in the order their simulations
finish, so two workers give another posterior than one. This sampler instead
works in batches of particles with fixed indices:

1. *Propose*, here: particle ``i`` of generation ``t`` seeds the global random
   state from ``(seed, t, i)`` and runs pyabc's ``simulate_one`` until it asks the
   model for a simulation, which is recorded instead of made.
2. *Simulate*, anywhere: the recorded parameter sets go to ``simulate`` (the
   experiments engine, in calibration), which returns the statistics in the order
   given, whatever order they finished in.
3. *Accept*, here: ``simulate_one`` runs again from the same random state, now
   handed the statistics, and decides acceptance; particles are accepted in
   index order until the population is full.

Batch sizes follow from acceptance rates already seen, so they are as
reproducible as the rest. A simulation is a pure function of its parameters and
seed, so a resumed fit that finds some of them stored reuses them and arrives
at the same posterior.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyabc

#: Run id of particle ``i`` of generation ``t``: ``t * RUNS_PER_GENERATION + i``.
RUNS_PER_GENERATION = 1_000_000
#: The first batch of a generation expects this fraction of the last acceptance rate.
RATE_DECAY = 0.7
#: A batch after the first aims this much above the particles still wanted.
MARGIN = 1.1
#: No batch is smaller than this (a batch keeps every worker busy).
MIN_BATCH = 8


@dataclass(frozen=True)
class Request:
    """One simulation the sampler needs.

    Attributes:
        run_id: Unique within a fit (generation and particle index).
        theta: The proposed parameter set, on the parameters' own scale.
        seed: Seed of the simulation's random streams.
    """

    run_id: int
    theta: dict[str, float]
    seed: int


#: Makes the requested simulations; returns their statistics in the same order.
Simulate = Callable[[Sequence[Request]], list[dict[str, float]]]


class _Proposed(Exception):  # noqa: N818 - a signal, not an error
    """Raised by the model in the propose pass to hand back the proposal."""

    def __init__(self, pars: Mapping[str, float]) -> None:
        super().__init__("proposal recorded")
        self.pars = dict(pars)


class ReplayModel(pyabc.Model):
    """The model pyabc calls: records proposals, then returns given statistics."""

    def __init__(self) -> None:
        super().__init__(name="bipsim")
        self.answer: dict[str, float] | None = None

    def sample(self, pars: Any) -> dict[str, float]:
        """Return the statistics handed in, or record the proposal."""
        if self.answer is None:
            raise _Proposed(pars)
        return self.answer


class OrderedSampler(pyabc.sampler.Sampler):
    """Proposes fixed-size batches from seeded random states, has them simulated by
    ``simulate`` (any executor), and accepts in index order.

    Args:
        model: The :class:`ReplayModel` given to ``pyabc.ABCSMC``.
        simulate: Makes a batch of simulations (order-preserving).
        seed: Seed of proposals, acceptance and simulation seeds.
        to_theta: Converts pyabc's parameter (sampling coordinates) to the
            parameters' own scale.
        on_batch: Called after each batch with (generation, accepted, wanted,
            evaluated) for progress messages.
    """

    def __init__(self, model: ReplayModel, simulate: Simulate, seed: int,
                 to_theta: Callable[[Mapping[str, float]], dict[str, float]],
                 on_batch: Callable[[int, int, int, int], None] | None = None) -> None:
        super().__init__()
        self.model, self.simulate, self.seed = model, simulate, seed
        self.to_theta, self.on_batch = to_theta, on_batch
        #: Simulations made per generation (more than pyabc's count of evaluations:
        #: a batch's particles after the population was full are simulated too).
        self.simulations: dict[int, int] = {}
        #: Effective sample size of each generation's population.
        self.ess: dict[int, float] = {}
        #: The last population sampled (its particles' weights are normalised by pyabc).
        self.last_sample: pyabc.Sample | None = None
        #: Every study made: (generation, proposal on the sampling coordinates,
        #: statistics), accepted or not, in run-id order (see :mod:`.reweight`).
        self.pool: list[tuple[int, dict[str, float], dict[str, float]]] = []
        self._last_rate = 1.0

    def sample_until_n_accepted(self, n: int, simulate_one: Callable, t: int, *,
                                max_eval: float = np.inf, all_accepted: bool = False,
                                ana_vars: Any = None) -> pyabc.Sample:
        """The generation-``t`` population of ``n`` accepted particles."""
        del ana_vars  # no look-ahead
        saved_state, saved_py = np.random.get_state(), random.getstate()
        try:
            return self._sample(n, simulate_one, t, max_eval, all_accepted)
        finally:
            np.random.set_state(saved_state)
            random.setstate(saved_py)

    def _sample(self, n: int, simulate_one: Callable, t: int, max_eval: float,
                all_accepted: bool) -> pyabc.Sample:
        sample = self._create_empty_sample()
        accepted = evaluated = made = 0
        # the first generation (epsilon infinite) accepts every particle
        rate = 1.0 if all_accepted or t == 0 else self._last_rate * RATE_DECAY
        while accepted < n:
            margin = MARGIN if accepted else 1.0
            size = max(MIN_BATCH, math.ceil(margin * (n - accepted) / max(rate, 1e-3)))
            size = min(size, 4 * n)
            indices = range(made, made + size)
            proposals = [self._propose(simulate_one, t, i) for i in indices]
            requests = [Request(self.run_id(t, i), self.to_theta(pars), self.study_seed(t, i))
                        for i, pars in zip(indices, proposals, strict=True)]
            results = self.simulate(requests)
            self.pool.extend((t, dict(pars), result)
                             for pars, result in zip(proposals, results, strict=True))
            made += size
            for i, result in zip(indices, results, strict=True):
                particle = self._accept(simulate_one, t, i, result)
                sample.append(particle)
                evaluated = i + 1
                accepted += particle.accepted
                if accepted == n:
                    break
            if self.on_batch is not None:
                self.on_batch(t, accepted, n, evaluated)
            rate = max(accepted, 1) / evaluated
            if evaluated >= max_eval and accepted < n:
                sample.ok = False
                break
        self.nr_evaluations_ = evaluated
        self.simulations[t] = made
        self._last_rate = accepted / evaluated
        self.last_sample = sample
        weights = np.array([p.weight for p in sample.accepted_particles], dtype=float)
        self.ess[t] = float(weights.sum() ** 2 / (weights**2).sum()) if accepted else 0.0
        return sample

    def run_id(self, t: int, i: int) -> int:
        """Run id of particle ``i`` of generation ``t``."""
        return t * RUNS_PER_GENERATION + i

    def study_seed(self, t: int, i: int) -> int:
        """Seed of the simulation of particle ``i`` of generation ``t``."""
        return int(np.random.SeedSequence([self.seed, t, i, 1]).generate_state(1)[0])

    def _seed_random_state(self, t: int, i: int) -> None:
        words = np.random.SeedSequence([self.seed, t, i, 0]).generate_state(4)
        np.random.seed(words)
        random.seed(int(words[0]))

    def _propose(self, simulate_one: Callable, t: int, i: int) -> dict[str, float]:
        self._seed_random_state(t, i)
        self.model.answer = None
        try:
            simulate_one()
        except _Proposed as proposal:
            return proposal.pars
        raise RuntimeError("pyabc accepted a particle without simulating it")

    def _accept(self, simulate_one: Callable, t: int, i: int,
                result: dict[str, float]) -> pyabc.Particle:
        self._seed_random_state(t, i)
        self.model.answer = result
        try:
            return simulate_one()
        finally:
            self.model.answer = None
