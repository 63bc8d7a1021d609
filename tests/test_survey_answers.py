"""The compiled survey answers are the answers of the numpy formula, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from bipsim.indicators import INDICATORS
from bipsim.model import BipModel
from bipsim.rules.survey import ANSWER_CUTS, BOUND_BITS, NOISE_BOUNDS, answers


def numpy_answers(m: BipModel) -> np.ndarray:
    """The survey's answers as numpy and scipy's ndtri compute them."""
    c, sd = m.citizens, m.p["measurement_noise_sd"]
    rows = []
    for k, name in enumerate(INDICATORS):
        noise = m.streams.normal(f"survey_{name}", m.week, c.uid)
        measured = (c.scores[:, k] + sd * noise) / np.sqrt(1 + sd**2)
        rows.append((1 + np.searchsorted(ANSWER_CUTS, measured)).astype(np.int8))
    return np.array(rows)


@pytest.mark.parametrize("sd", [0.0, 0.5, 3.0])
def test_answers_are_the_numpy_formulas(sd: float) -> None:
    """Seed 3, 2,000 citizens, 20 weeks of answers each (400,000 answers): not one
    differs from numpy's, at no noise, the default and the largest allowed."""
    m = BipModel(seed=3, n_citizens=2000, weeks=10, measurement_noise_sd=sd)
    m.run()
    for week in range(10, 30):
        m.week = week
        assert np.array_equal(answers(m), numpy_answers(m)), week


def test_noise_bounds_hold_every_uniform_of_their_bucket() -> None:
    """Each bucket's bounds hold scipy's ndtri of its smallest and largest uniform."""
    from scipy.special import ndtri

    step = 2.0**-BOUND_BITS
    low = np.maximum(np.arange(2**BOUND_BITS) * step, 2.0**-54)
    high = np.minimum((np.arange(2**BOUND_BITS) + 1) * step - 2.0**-53, 1 - 2.0**-53)
    assert (NOISE_BOUNDS[:, 0] <= ndtri(low)).all()
    assert (ndtri(high) <= NOISE_BOUNDS[:, 1]).all()
