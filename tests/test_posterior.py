"""The posterior machinery on a fast toy simulator: the ordered sampler's
independence from evaluation order, and a reduced simulation-based calibration.

The toy: two parameters on bipsim's prior machinery, each observed directly with
small simulation noise, so a fit takes seconds and coverage can be checked on many
synthetic truths. ``calibration/sbc.py`` runs the same SBC on the real study.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bipsim.calibration.posterior import epsilon_floor, fit_posterior, widened_epsilon
from bipsim.calibration.priors import Prior
from bipsim.calibration.sbc import SbcResult, run_sbc, synthetic_targets
from bipsim.calibration.settings import Settings
from bipsim.calibration.targets import Target

PRIORS = [Prior("hr_belief", "loguniform", 0.8, 2.5, "toy"),
          Prior("optimism_mean", "uniform", -0.6, 0.6, "toy")]
TARGETS = [Target("ratio", "ratio", 1.3, 0.05, scale="log"),
           Target("shift", "shift", 0.1, 0.05)]
TOY = Settings(seed=3, population=40, generations=4, max_simulations=1000, draws=80)


def toy_study(theta: dict[str, float], seed: int) -> dict[str, float]:
    """One toy study: each parameter seen through small noise (seeded)."""
    rng = np.random.default_rng(seed)
    return {"ratio": theta["hr_belief"] * float(np.exp(rng.normal(0, 0.02))),
            "shift": theta["optimism_mean"] + float(rng.normal(0, 0.02))}


def serial(requests):
    return [toy_study(r.theta, r.seed) for r in requests]


def shuffled_threads(requests):
    """Evaluated on 4 threads, finishing in another order; returned in request order."""
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(toy_study, r.theta, r.seed) for r in reversed(requests)]
        results = [f.result() for f in futures]
    return results[::-1]


def test_posterior_does_not_depend_on_how_studies_are_made(tmp_path: Path):
    one = fit_posterior(TARGETS, PRIORS, serial, TOY, tmp_path / "a.db")
    other = fit_posterior(TARGETS, PRIORS, shuffled_threads, TOY, tmp_path / "b.db")
    pd.testing.assert_frame_equal(one.draws, other.draws, check_exact=True)
    pd.testing.assert_frame_equal(one.generations, other.generations, check_exact=True)
    assert len(one.draws) == TOY.draws and len(one.generations) >= 2
    # the toy's truth (1.3, 0.1) sits inside the 90 % intervals, which are narrow
    ident = one.identification().set_index("parameter")
    assert ident.loc["hr_belief", "q05"] < 1.3 < ident.loc["hr_belief", "q95"]
    assert ident.loc["optimism_mean", "q05"] < 0.1 < ident.loc["optimism_mean", "q95"]
    assert (ident.width_ratio < 0.5).all()
    # every particle is within the particles' epsilon, which is the last generation's
    # or wider, and they are as many effective particles as the settings want
    assert (one.particles.distance <= one.epsilon).all()
    assert one.epsilon >= one.generations.epsilon.iloc[-1]
    assert one.ess >= TOY.min_ess or one.epsilon == one.particles.distance.max()


def test_epsilon_is_widened_until_there_are_enough_effective_particles():
    dist = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.inf])
    ratios = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    # without the kernel, ESS at epsilon d_k is the number of studies within it
    assert widened_epsilon(dist, ratios, 2.0, 3, adjust=False) == 3.0
    assert widened_epsilon(dist, ratios, 2.0, 2, adjust=False) == 2.0  # enough already
    assert widened_epsilon(dist, ratios, 2.0, 99, adjust=False) == 5.0  # all there is
    # a study holding most of the weight counts as little more than one
    heavy = np.array([100.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    assert widened_epsilon(dist, heavy, 1.0, 2, adjust=False) == 5.0


def test_epsilon_floor_is_the_joint_95_percent_radius():
    # two targets: chi-square(2) 95 % quantile 5.991
    assert epsilon_floor(TARGETS) == pytest.approx(np.sqrt(5.991), rel=1e-3)


def test_synthetic_bounds_stay_on_their_side():
    rng = np.random.default_rng(1)
    bound = Target("b", "shift", 0.5, 0.1, kind="lower_bound")
    for _ in range(50):
        (t,) = synthetic_targets([bound], {"shift": 0.4}, rng)
        assert t.value <= 0.4 and t.kind == "lower_bound"


def test_reduced_simulation_based_calibration(tmp_path: Path):
    """12 toy truths from the prior, each fitted as the real fit is: the 90 %
    intervals cover at least 8 of 12 (nominal 90 %: fewer than 8 has probability
    0.4 %), the 50 % intervals at least 2 of 12 (0.3 %). ABC's posterior at a 95 %
    radius is wider than the exact one, so coverage above nominal is expected."""
    result = run_sbc(TARGETS, PRIORS, lambda j: serial, TOY, truths=12, seed=5,
                     folder=tmp_path)
    coverage = result.coverage().set_index("parameter")
    assert (coverage.truths == 12).all()
    assert (coverage.coverage_90 >= 8 / 12).all(), coverage
    assert (coverage.coverage_50 >= 2 / 12).all(), coverage
    hist = result.histogram(bins=4)
    assert (hist.sum(axis=1) == 12).all()
    for prior in PRIORS:  # each truth's place in its prior, from its value
        rows = result.ranks[result.ranks.parameter == prior.name]
        low, high = prior.bounds
        expected = [(prior.coordinate(v) - low) / (high - low) for v in rows.value]
        np.testing.assert_allclose(rows.prior_position, expected)
        assert rows.prior_position.between(0, 1).all()


def test_coverage_by_position_splits_truths_near_an_end_of_the_prior():
    ranks = pd.DataFrame({"prior_position": [0.02, 0.5, 0.95, 0.3, 0.7],
                          "covered_50": [False, True, False, True, False],
                          "covered_90": [False, True, True, True, True]})
    table = SbcResult(ranks).coverage_by_position(edge=0.1)
    assert table.loc["within 10% of an end"].tolist() == [2, 0.0, 0.5]
    assert table.loc["inside"].tolist() == pytest.approx([3, 2 / 3, 1.0])


def test_regression_adjusted_toy_posterior_still_holds_the_truth(tmp_path: Path):
    """The adjustment (off by default) on the toy: the truth (1.3, 0.1) stays inside
    the 90 % intervals and the draws stay inside the prior."""
    adjusted = fit_posterior(TARGETS, PRIORS, serial, dataclasses.replace(TOY, adjust=True),
                             tmp_path / "a.db")
    assert adjusted.adjusted
    ident = adjusted.identification().set_index("parameter")
    assert ident.loc["hr_belief", "q05"] < 1.3 < ident.loc["hr_belief", "q95"]
    assert ident.loc["optimism_mean", "q05"] < 0.1 < ident.loc["optimism_mean", "q95"]
    for prior in PRIORS:
        low, high = prior.value(prior.bounds[0]), prior.value(prior.bounds[1])
        assert adjusted.draws[prior.name].between(low, high).all()
