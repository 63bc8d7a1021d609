"""A caseload reform on a date: posts re-derived at the reform week, citizens moved (a
caseworker change each), the weeks before bit-identical, and the posts' cost in the
budget year it starts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bipsim.budget import yearly
from bipsim.model import BipModel
from bipsim.parameters import ParameterError
from bipsim.population import posts_for
from bipsim.posts import resize_posts

#: Two jobcentres of 405 citizens: 6 posts each at caseload 80, 11 at 40, 3 at 160.
TINY = {"n_citizens": 810, "n_jobcentres": 2, "weeks": 40, "wave_interval": 0}
WEEK = 15


def _reform(caseload: float, week: int = WEEK, phase_in: int = 0) -> list[dict]:
    return [{"from_week": week, "phase_in_weeks": phase_in,
             "set": {"caseworkers.caseload": caseload}}]


def _per_post(model: BipModel) -> np.ndarray:
    return np.bincount(model.citizens.post, minlength=len(model.caseworkers))


def test_before_a_caseload_reform_everything_is_bit_identical():
    """Seed 5: every citizen's and caseworker's state equal up to week 14, the weekly
    series equal up to week 14; in week 15 the posts double and the runs part."""
    reform, without = BipModel(seed=5, timeline=_reform(40), **TINY), BipModel(seed=5, **TINY)
    for _ in range(WEEK - 1):
        reform.step()
        without.step()
    a, b = reform.citizens.all_columns(), without.citizens.all_columns()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    for name in ("jobcentre", "uid", "optimism", "ti_hired", "vacant_until", "hired"):
        np.testing.assert_array_equal(getattr(reform.caseworkers, name),
                                      getattr(without.caseworkers, name), err_msg=name)
    reform.run()
    without.run()
    wa, wb = reform.weekly(), without.weekly()
    pd.testing.assert_frame_equal(wa.iloc[:WEEK], wb.iloc[:WEEK])
    assert list(wa["n_caseworkers"].iloc[WEEK - 1:WEEK + 1]) == [12, 22]
    assert wa["new_caseworker_changes"].iloc[WEEK] > wb["new_caseworker_changes"].iloc[WEEK]


def test_the_reform_evens_caseloads_out_with_the_fewest_moves_each_a_change():
    """At the reform: 11 posts per jobcentre holding 36 or 37 citizens (405 / 11), every
    moved citizen counted once as a caseworker change, and no more moved than the
    new posts need plus the surplus of posts above their share."""
    model = BipModel(seed=2, **TINY)
    for _ in range(WEEK - 1):
        model.step()
    before_post = model.citizens.post.copy()
    before_uid = model.caseworkers.uid.copy()
    before_changes = model.citizens.n_changes.copy()
    held = _per_post(model)
    model.flows["new_caseworker_changes"] = 0
    model.p["caseload"] = 40.0
    moved = resize_posts(model)
    assert list(model.jobcentres.n_posts) == [11, 11]
    assert list(model.jobcentres.first_post) == [0, 11]
    per_jc = [_per_post(model)[first:first + 11] for first in (0, 11)]
    for counts, j in zip(per_jc, (0, 1), strict=True):
        assert counts.sum() == np.count_nonzero(model.citizens.jobcentre == j)
        assert counts.max() - counts.min() <= 1
    # the old posts keep their caseworkers, in their order, and lose only their surplus
    old_place = before_post - np.where(before_post >= 6, 6, 0)
    new_post = np.where(before_post >= 6, 11, 0) + old_place
    stayed = model.citizens.post == new_post
    assert moved == np.count_nonzero(~stayed) == model.flows["new_caseworker_changes"]
    np.testing.assert_array_equal(model.citizens.n_changes - before_changes, ~stayed)
    np.testing.assert_array_equal(model.caseworkers.uid[[0, 5, 11, 16]],
                                  before_uid[[0, 5, 6, 11]])
    # the fewest: each old post keeps its share, the 6 fullest the remainder first
    base, extra = np.divmod(np.array([c.sum() for c in per_jc]), 11)
    assert moved == int(held.sum() - 6 * base.sum() - np.minimum(extra, 6).sum())
    # new caseworkers: hired now, uids from each jobcentre's counter (k * 2 + j)
    new = model.caseworkers.uid[np.r_[6:11, 17:22]]
    assert np.all(new % 2 == np.repeat([0, 1], 5))
    assert len(np.unique(model.caseworkers.uid)) == 22
    assert np.all(model.caseworkers.ti_hired[np.r_[6:11, 17:22]] == WEEK - 1)
    assert len(model.training_record.uid) == 22


def test_after_the_reform_the_caseload_is_near_the_target_and_the_run_goes_on():
    """Replace inflow holds each jobcentre at 405 citizens: 405 / 11 = 36.8 per post
    (the posts are ceil(405 / 40)), 405 / 3 = 135 after a rise to 160."""
    for target, posts in ((40, 11), (160, 3)):
        model = BipModel(seed=4, timeline=_reform(target), **TINY)
        model.run()
        assert list(model.jobcentres.n_posts) == [posts, posts]
        for j in (0, 1):
            mean = np.count_nonzero(model.citizens.jobcentre == j) / posts
            assert target * (1 - target / 405) < mean <= target
        assert model.citizens.post.max() < len(model.caseworkers) == 2 * posts
        assert (model.caseworkers.jobcentre == np.repeat([0, 1], posts)).all()


def test_removing_posts_moves_their_citizens_and_costs_less():
    """A rise to 160: the 3 last posts of each jobcentre go, all their citizens move."""
    reform, without = BipModel(seed=6, timeline=_reform(160), **TINY), BipModel(seed=6, **TINY)
    for _ in range(WEEK - 1):
        reform.step()
    in_removed = int(_per_post(reform)[np.r_[3:6, 9:12]].sum())
    reform.run()
    without.run()
    wa, wb = reform.weekly(), without.weekly()
    assert wa["n_caseworkers"].iloc[WEEK] + wa["n_posts_vacant"].iloc[WEEK] == 6
    # every citizen of the 6 removed posts moved (and the week's turnover may add more)
    assert in_removed > 6 * 60
    assert wa["new_caseworker_changes"].iloc[WEEK] >= in_removed
    assert wa["new_cost_caseworkers_dkk"].iloc[WEEK + 1:].sum() < \
        0.6 * wb["new_cost_caseworkers_dkk"].iloc[WEEK + 1:].sum()


def test_phase_in_adds_posts_step_by_step():
    """80 -> 40 over 8 weeks: 75, 70, ... 40 citizens per post, so 6, 6, 6, 7, 7, 8, 9,
    9, 11 posts a jobcentre (ceil(405 / caseload)), one week at a time."""
    model = BipModel(seed=3, timeline=_reform(40, phase_in=8), **TINY)
    posts = []
    for _ in range(WEEK + 9):
        model.step()
        posts.append(int(model.jobcentres.n_posts[0]))
    caseloads = [80 + (40 - 80) * (k + 1) / 8 for k in range(8)]
    expected = [6] * (WEEK - 1) + [int(posts_for(np.array([405]), np.array([c]))[0])
                                   for c in caseloads] + [11, 11]
    assert posts == expected
    assert len(set(posts)) >= 5


def test_extra_posts_cost_from_the_reform_year_as_a_caseload_set_from_week_0():
    """A cut to 40 from week 53 of 104: year 1's post cost is the reform-free run's to
    the krone, year 2's is that of caseload 40 from week 0 within the chance of vacancies
    (the same 22 posts; 2 % covers a few vacant posts more or less)."""
    run = {**TINY, "weeks": 104}
    reform = BipModel(seed=7, timeline=_reform(40, week=53), **run)
    without, low = BipModel(seed=7, **run), BipModel(seed=7, caseload=40, **run)
    years = {}
    for name, model in (("reform", reform), ("without", without), ("low", low)):
        model.run()
        years[name] = yearly(model.weekly())["cost_caseworkers_dkk"].to_numpy()
    assert years["reform"][0] == years["without"][0]
    assert years["reform"][1] == pytest.approx(years["low"][1], rel=0.02)
    assert years["reform"][1] > 1.6 * years["without"][1]


def test_bad_caseload_values_on_a_timeline_are_refused_with_the_allowed_range():
    with pytest.raises(ParameterError, match=r"caseworkers\.caseload.*given 2.*5 to 400"):
        BipModel(timeline=_reform(2), **TINY)
    with pytest.raises(ParameterError, match=r"caseworkers\.caseload_spread: not a lever"):
        BipModel(timeline=[{"from_week": 3, "set": {"caseworkers.caseload_spread": 0.2}}],
                 **TINY)
    with pytest.raises(ParameterError, match="overlaps the change from week 15"):
        BipModel(timeline=[*_reform(40, phase_in=8), *_reform(60, week=20)], **TINY)
