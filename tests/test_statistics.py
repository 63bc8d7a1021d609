"""Statistical tests: rates and distributions against their parameters.

Each test states its seed; tolerances are four standard errors of the estimate
at the sample size used, so a correct model fails about once in 16,000 runs.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from bipsim.model import BipModel
from bipsim.rules.meetings import BELIEF_CUTS
from bipsim.streams import Streams

Z = 4.0  # standard errors allowed


def _binomial_tolerance(p: float, n: int) -> float:
    return Z * np.sqrt(p * (1 - p) / n)


def test_constant_hazard_gives_binomial_exits():
    """With every hazard ratio 1 the weekly job exit probability is exactly p_job."""
    n, p_job = 40_000, 0.01
    neutral = {name: 1.0 for name in (
        "hr_readiness_job", "hr_readiness_education", "hr_readiness_other", "hr_belief",
        "hr_caseworker_change", "hr_company_lockin", "hr_after_company",
        "hr_per_year_on_benefit", "hr_education_under_30")}
    m = BipModel(seed=101, n_citizens=n, n_jobcentres=1, p_job=p_job, p_education=0.0,
                 p_other=0.0, mode="none", weeks=1, **neutral)
    m.run()
    share = m.weekly()["new_job"].iloc[1] / n
    assert abs(share - p_job) < _binomial_tolerance(p_job, n)


def test_competing_risks_split_exits_by_hazard_share():
    n = 40_000
    m = BipModel(seed=102, n_citizens=n, n_jobcentres=1, p_job=0.02, p_education=0.01,
                 p_other=0.01, hr_readiness_job=1.0, hr_readiness_education=1.0,
                 hr_readiness_other=1.0, hr_belief=1.0, hr_education_under_30=1.0,
                 hr_per_year_on_benefit=1.0, hr_caseworker_change=1.0, hr_company_lockin=1.0,
                 hr_after_company=1.0, mode="none", weeks=1)
    m.run()
    week = m.weekly().iloc[1]
    leavers = week[["new_job", "new_education", "new_other_benefit"]].sum()
    # hazards -log(1-p): job holds ~50.2 % of the total
    rates = -np.log1p(-np.array([0.02, 0.01, 0.01]))
    expected = rates[0] / rates.sum()
    assert abs(week["new_job"] / leavers - expected) < _binomial_tolerance(expected, leavers)


def test_belief_answers_reproduce_t5_when_latent_belief_is_standard_normal():
    """Readiness has SD 1 among entrants, so weight 0.6, optimism mean 0 and SD 0.5
    and noise SD sqrt(1 - 0.36 - 0.25) make the latent belief N(0, 1): the answers
    must then split as the cut-points say (T5: 25/25/24/20/6 %)."""
    n = 50_000
    m = BipModel(seed=103, n_citizens=n, n_jobcentres=1, caseload=25,
                 belief_readiness_weight=0.6, optimism_mean=0.0, optimism_sd=0.5,
                 belief_noise_sd=float(np.sqrt(1 - 0.36 - 0.25)))
    shares = np.bincount(m.citizens.belief, minlength=6)[1:] / n
    expected = np.diff(np.concatenate([[0], stats.norm.cdf(BELIEF_CUTS), [1]]))
    np.testing.assert_allclose(expected, [0.25, 0.25, 0.24, 0.20, 0.06], atol=0.005)
    # posts share an optimism draw, so the effective sample is smaller: use the posts
    n_eff = len(m.caseworkers) * 25 / (1 + 24 * 0.25)  # design effect, ICC = 0.25
    for got, want in zip(shares, expected, strict=True):
        assert abs(got - want) < _binomial_tolerance(want, n_eff), (shares, expected)


def test_readiness_has_unit_sd_and_indicators_correlate_by_loading_squared():
    n, loading = 50_000, 0.6
    m = BipModel(seed=104, n_citizens=n, n_jobcentres=1, factor_loading=loading)
    c = m.citizens
    # SE of an SD estimate is sd / sqrt(2n); of a correlation (1 - r^2) / sqrt(n)
    assert abs(c.readiness.std() - 1) < Z / np.sqrt(2 * n)
    r = np.corrcoef(c.scores[:, 0], c.scores[:, 1])[0, 1]
    assert abs(r - loading**2) < Z * (1 - loading**4) / np.sqrt(n)


def test_annual_turnover_rate():
    """Posts are left at the annual rate: over 52 weeks, with replacement, the count
    of departures is Poisson-like with mean posts x (-log(1 - turnover))."""
    turnover = 0.25
    m = BipModel(seed=105, n_citizens=40_000, n_jobcentres=4, caseload=10,
                 annual_turnover=turnover, dur_vacancy=0, weeks=52)
    m.run()
    leaving = m.weekly()["new_caseworkers_leaving"].sum()
    expected = len(m.caseworkers) * -np.log(1 - turnover)
    assert abs(leaving - expected) < Z * np.sqrt(expected)


def test_uniform_streams_are_uniform_and_independent():
    streams = Streams(7)
    uids = np.arange(200_000)
    a = streams.uniform("a", 3, uids)
    b = streams.uniform("b", 3, uids)
    c = streams.uniform("a", 4, uids)
    assert stats.kstest(a, "uniform").pvalue > 1e-4
    for other in (b, c):
        assert abs(np.corrcoef(a, other)[0, 1]) < Z / np.sqrt(len(uids))
    # neighbouring uids are independent too
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < Z / np.sqrt(len(uids))


def test_normal_stream_is_standard_normal():
    z = Streams(8).normal("belief", 1, np.arange(100_000))
    assert stats.kstest(z, "norm").pvalue > 1e-4


def test_streams_are_aligned_by_uid():
    """A citizen's number does not depend on who else is drawn (common random numbers)."""
    streams = Streams(9)
    everyone = streams.uniform("exit", 5, np.arange(1_000))
    some = np.array([999, 3, 500])
    np.testing.assert_array_equal(streams.uniform("exit", 5, some), everyone[some])
    words = streams.words("progression", 5, np.arange(1_000))
    np.testing.assert_array_equal(streams.words("progression", 5, some), words[some])


def test_seed_zero_is_a_seed():
    a = Streams(0).uniform("x", 1, np.arange(10))
    b = Streams(1).uniform("x", 1, np.arange(10))
    assert not np.array_equal(a, b)
