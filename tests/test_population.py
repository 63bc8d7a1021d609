"""The week-0 stock: time already on benefit like Denmark's (T3), and its history."""

from __future__ import annotations

import numpy as np

from bipsim.model import BipModel
from bipsim.population import MAX_YEARS_UNDER_30

#: A stock large enough for shares to within a percentage point (seed 2).
N = 40_000


def _stock() -> BipModel:
    """A model at week 0 (built, not run)."""
    return BipModel(seed=2, n_citizens=N, n_jobcentres=8, weeks=1)


def _within(share: float, expected: float, n: int) -> bool:
    """Within four binomial standard errors of ``expected`` at sample size ``n``."""
    return abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n)


def test_the_stock_has_spent_as_long_on_benefit_as_denmarks():
    """T3: about 30 % of the stock with five years or more; the default lognormal
    also puts about half at three years or more, below the 66 % with three years of
    any public support (KL 2021)."""
    years = -_stock().citizens.ti_entry / 52
    assert _within((years >= 5).mean(), 0.30, N)
    assert _within((years >= 3).mean(), 0.505, N)


def test_the_time_on_benefit_has_a_heavy_tail():
    """Far more very long spells than an exponential with the same share of five
    years, which has 0.3**4 = 0.8 % with 20 years or more (the lognormal ~2 %)."""
    years = -_stock().citizens.ti_entry / 52
    exponential = 0.30**4
    assert (years >= 20).mean() > 2 * exponential + 4 * np.sqrt(exponential / N)


def test_nobody_under_30_has_been_on_benefit_since_before_18():
    c = _stock().citizens
    assert c.under_30.any()
    assert (-c.ti_entry[c.under_30]).max() < MAX_YEARS_UNDER_30 * 52


def test_past_caseworker_changes_are_kept_apart_from_the_follow_up_count():
    """Before week 0 a citizen had changes at the jobcentre's rate over the time
    already on benefit (Poisson): recorded as ``n_changes_before``, while
    ``n_changes`` (T7's dose, T8's share) starts at 0."""
    m = _stock()
    c, jc, p = m.citizens, m.jobcentres, m.p
    assert (c.n_changes == 0).all()
    rate = jc.turnover[c.jobcentre] + p["reorganisations_per_year"] * p["share_reassigned"]
    mean = -c.ti_entry / 52 * rate
    # the sum of Poisson counts has variance equal to its mean
    assert abs(c.n_changes_before.sum() - mean.sum()) < 4 * np.sqrt(mean.sum())
    assert (c.n_changes_before[mean > 3] > 0).mean() > 0.9


def test_a_longer_stock_leaves_benefit_more_slowly():
    """Duration dependence: the same stock, with more years already on benefit, has
    fewer exits to job in its first year (seed 4, 5,000 citizens)."""
    fresh = BipModel(seed=4, n_citizens=5_000, n_jobcentres=2, weeks=52, dur_initial_median=26)
    old = BipModel(seed=4, n_citizens=5_000, n_jobcentres=2, weeks=52, dur_initial_median=520)
    fresh.run(), old.run()
    jobs = [m.weekly()["cum_job"].iloc[-1] for m in (fresh, old)]
    # about 350 exits each: a Poisson SD of ~19, the expected gap ~100
    assert jobs[1] < jobs[0] - 4 * np.sqrt(jobs[0])


def test_trait_normals_are_the_inverse_normal_of_the_uid_streams():
    """The compiled inverse CDF (AS 241) behind the traits gives scipy's ndtri of the
    same per-uid uniforms, to float32, including the far tails."""
    from scipy.special import ndtri

    from bipsim.streams import Streams, _inverse_normal

    streams, uid = Streams(9), np.arange(200_000)
    z = streams.normal_columns("trait", uid, 3)
    for k in range(3):
        expected = ndtri(np.maximum(streams.uniform("trait", k, uid), 2.0**-54))
        np.testing.assert_array_equal(z[:, k], expected.astype(np.float32))
    for p in (2.0**-54, 1e-300, 1e-10, 0.02, 0.5, 0.97, 1 - 1e-12):
        assert abs(_inverse_normal(p) - ndtri(p)) < 1e-13 * max(1.0, abs(ndtri(p)))
