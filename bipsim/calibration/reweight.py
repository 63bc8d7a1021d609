"""Every study of a fit, weighted for the posterior at an epsilon: multiple importance sampling.

ABC-SMC weighs a generation's particles by ``prior / proposal`` with the proposal
fitted to the generation before; in 13 dimensions with a few hundred particles these
weights degenerate (measured: the final population of the first full fit had an
effective sample size of 3 of 200, two particles holding 85 % of the weight). Yet the
fit has simulated thousands of studies, from the prior and from every generation's
proposal. Each study ``i`` (parameters ``theta_i`` drawn from generation ``t_i``'s
proposal, distance ``d_i``) is a draw from the *mixture* of all proposals, and

    w_i = 1(d_i <= epsilon) x prior(theta_i) / sum_t (m_t / M) q_t(theta_i)

(``m_t`` studies of generation ``t``, ``M`` in all) weighs it for the ABC posterior
at ``epsilon``: the deterministic-mixture ("balance heuristic") weights of adaptive
multiple importance sampling (Veach & Guibas 1995; Owen & Zhou 2000; Cornuet,
Marin, Mira & Robert 2012). The mixture contains the prior, so no weight can blow
up where a later proposal is thin.

``q_t`` is exactly the proposal pyabc sampled generation ``t`` from: its
multivariate normal kernel fitted to generation ``t - 1`` (read back from the fit's
history), restricted to the prior's box, whose normalising mass is estimated from
seeded draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyabc

#: Draws per generation that estimate the share of its kernel inside the prior's box.
MASS_DRAWS = 20_000


def importance_ratios(coords: np.ndarray, generation: np.ndarray, candidates: np.ndarray,
                      history: pyabc.History, names: Sequence[str], bounds: np.ndarray,
                      seed: int) -> np.ndarray:
    """Each study's prior density over the mixture of all proposals (zero where not a
    ``candidate``); the posterior at an epsilon weighs the studies within it by these.

    Args:
        coords: Studies x parameters, on the sampling coordinates.
        generation: Each study's generation (0: drawn from the prior).
        candidates: The studies that may be weighted (e.g. every one with a finite
            distance); the proposals' densities are evaluated only at these.
        history: The fit's pyabc history (the populations the proposals were fitted to).
        names: The parameters, in the columns' order.
        bounds: Parameters x 2, the prior's box on the coordinates.
        seed: Seeds the draws that estimate each kernel's mass inside the box.
    """
    volume = float(np.prod(bounds[:, 1] - bounds[:, 0]))
    counts = np.bincount(generation, minlength=int(generation.max()) + 1)
    mixture = np.zeros(len(coords))
    rows = np.flatnonzero(candidates)
    frame = pd.DataFrame(coords[rows], columns=list(names))
    for t, m_t in enumerate(counts):
        if m_t == 0:
            continue
        if t == 0:
            density = np.full(len(rows), 1.0 / volume)
        else:
            kernel = _proposal(history, t, names)
            density = np.atleast_1d(kernel.pdf(frame)) / _mass_inside(kernel, bounds, seed, t)
        mixture[rows] += m_t / counts.sum() * density
    ratios = np.zeros(len(coords))
    ratios[rows] = (1.0 / volume) / mixture[rows]
    return ratios


def mixture_weights(ratios: np.ndarray, accepted: np.ndarray) -> np.ndarray:
    """The weight of each study for the posterior at an epsilon: its importance ratio
    where ``accepted`` (its distance within the epsilon), zero elsewhere; sums to 1."""
    weights = np.where(accepted, ratios, 0.0)
    return weights / weights.sum()


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised ``weights``."""
    return float(1.0 / np.sum(weights**2)) if weights.sum() > 0 else 0.0


def _proposal(history: pyabc.History, t: int, names: Sequence[str]) -> pyabc.Transition:
    """Generation ``t``'s kernel, fitted as pyabc fitted it (``ABCSMC._fit_transitions``)."""
    particles, w = history.get_distribution(0, t - 1)
    kernel = pyabc.MultivariateNormalTransition()
    kernel.fit(particles[list(names)], w)
    return kernel


def _mass_inside(kernel: pyabc.Transition, bounds: np.ndarray, seed: int, t: int) -> float:
    """Share of the kernel's mass inside the prior's box (pyabc redraws proposals
    outside it, so the proposal is the kernel restricted to the box)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 29, t]))
    centres = kernel._X_arr[rng.choice(len(kernel._X_arr), MASS_DRAWS, p=kernel.w)]
    draws = centres + rng.multivariate_normal(np.zeros(len(bounds)), kernel.cov, MASS_DRAWS)
    inside = np.all((draws >= bounds[:, 0]) & (draws <= bounds[:, 1]), axis=1)
    return max(float(inside.mean()), 1.0 / MASS_DRAWS)
