"""Rule tests: each weekly rule at its extremes and in the direction of its lever.

Deterministic consequences are asserted exactly; "more of the lever gives more of
the effect" is asserted with common random numbers (same seed) and large enough
lever differences that noise cannot reverse it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import SMALL, run_model

from bipsim.agents import NEVER
from bipsim.indicators import INDICATORS
from bipsim.model import BELIEF_LABELS, BipModel
from bipsim.rules.meetings import BELIEVES


def test_no_turnover_and_no_reorganisation_means_no_caseworker_changes():
    m = run_model(annual_turnover=0.0, reorganisations_per_year=0.0)
    assert m.citizen_table()["n_changes"].sum() == 0
    assert m.weekly()["cum_caseworker_changes"].iloc[-1] == 0


def test_turnover_changes_caseworkers_and_leaves_posts_vacant():
    m = run_model(annual_turnover=0.5, reorganisations_per_year=0.0, dur_vacancy=8)
    weekly = m.weekly()
    assert weekly["cum_caseworker_changes"].iloc[-1] > 0
    assert weekly["n_posts_vacant"].max() > 0


def test_reorganisation_alone_changes_caseworkers():
    m = run_model(annual_turnover=0.0, reorganisations_per_year=12.0, share_reassigned=0.5)
    assert m.weekly()["new_reorganisations"].sum() > 0
    assert m.citizen_table()["n_changes"].sum() > 0


def test_no_vacancy_delay_means_no_vacant_posts():
    m = run_model(annual_turnover=0.5, dur_vacancy=0)
    assert m.weekly()["n_posts_vacant"].max() == 0


def test_belief_without_effects_changes_nothing():
    """With hazard ratio 1 and no progression effect, belief (here shifted by
    training) leaves every trajectory exactly as it was."""
    neutral = {"hr_belief": 1.0, "gain_belief": 0.0}
    plain = run_model(**neutral)
    trained = run_model(expectations_training=2.0, **neutral)
    cols = ["n_on_benefit", "cum_job", "cum_education", "cum_other_benefit", "mean_readiness"]
    assert plain.weekly()["share_believes"].mean() < trained.weekly()["share_believes"].mean()
    np.testing.assert_array_equal(plain.weekly()[cols], trained.weekly()[cols])


def test_belief_raises_job_entry_when_it_has_an_effect():
    effect = {"hr_belief": 3.0, "gain_belief": 0.0}
    plain = run_model(n_citizens=5_000, **effect)
    trained = run_model(n_citizens=5_000, expectations_training=2.0, **effect)
    assert trained.weekly()["cum_job"].iloc[-1] > 1.2 * plain.weekly()["cum_job"].iloc[-1]


def test_staircase_threshold_above_everyone_means_no_company_placement():
    m = run_model(placement_timing="staircase", staircase_threshold=5.0)
    assert m.weekly()["cum_company_starts"].iloc[-1] == 0
    assert m.citizen_table()["weeks_company"].sum() == 0


def test_early_placement_places_more_than_staircase():
    stair = run_model(placement_timing="staircase", company_slots_per_100=30)
    early = run_model(placement_timing="early", company_slots_per_100=30)
    assert (early.weekly()["cum_company_starts"].iloc[-1]
            > 1.5 * stair.weekly()["cum_company_starts"].iloc[-1])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_company_capacity_never_fewer_placements(seed):
    starts = [run_model(seed=seed, company_slots_per_100=slots, placement_timing="early")
              .weekly()["cum_company_starts"].iloc[-1] for slots in (0, 2, 5, 10, 20)]
    assert starts[0] == 0
    assert all(a <= b for a, b in itertools.pairwise(starts)), starts


def test_company_capacity_binds_every_week():
    m = run_model(placement_timing="early", company_slots_per_100=3)
    capacity = m.jobcentres.company_slots.sum()
    assert m.weekly()["n_company"].max() <= capacity


def test_no_offers_means_everyone_passive():
    m = run_model(p_offer=0.0)
    weekly = m.weekly()
    assert (weekly["n_passive"] == weekly["n_on_benefit"]).all()


def test_meeting_capacity_limits_meetings_per_caseworker():
    m = run_model(meetings_per_week=1, interval=1)
    assert (m.weekly()["new_meetings"].iloc[1:] <= len(m.caseworkers)).all()


def test_lower_caseload_means_more_meetings_per_citizen():
    high = run_model(caseload=150, interval=2)
    low = run_model(caseload=30, interval=2)
    per_citizen = [m.citizen_table().eval("n_meetings / weeks_on_benefit").mean()
                   for m in (high, low)]
    assert per_citizen[1] > 1.2 * per_citizen[0]
    assert len(low.caseworkers) > len(high.caseworkers)


def test_zero_exit_hazards_mean_nobody_leaves():
    m = run_model(p_job=0.0, p_education=0.0, p_other=0.0)
    weekly = m.weekly()
    assert weekly["cum_job"].iloc[-1] == weekly["cum_education"].iloc[-1] == 0
    assert (weekly["n_on_benefit"] == SMALL["n_citizens"]).all()





def test_each_exit_route_can_be_switched_off():
    m = run_model(p_job=0.0, p_other=0.0, p_education=0.02)
    table = m.citizen_table()
    assert set(table["status"].astype(str)) == {"on_benefit", "education"}


def test_replacement_inflow_holds_the_stock():
    m = run_model(mode="replace")
    weekly = m.weekly().iloc[1:]
    exits = weekly[["new_job", "new_education", "new_other_benefit"]].sum(axis=1)
    np.testing.assert_array_equal(weekly["n_on_benefit"], SMALL["n_citizens"] - exits)
    np.testing.assert_array_equal(weekly["new_entrants"].iloc[1:], exits.iloc[:-1])


def test_closed_cohort_only_shrinks():
    m = run_model(mode="none")
    assert m.weekly()["n_on_benefit"].is_monotonic_decreasing
    assert len(m.citizen_table()) == SMALL["n_citizens"]


def test_rate_inflow_adds_citizens():
    m = run_model(mode="rate", entrants_per_1000=10)
    entrants = m.weekly()["new_entrants"].sum()
    assert entrants > 0
    assert len(m.citizen_table()) == SMALL["n_citizens"] + entrants


def test_company_placement_raises_indicators_more_than_passivity():
    m = run_model(n_citizens=4_000, placement_timing="early", company_slots_per_100=100,
                  p_offer=1.0, interval=1, weeks=26, p_job=0.0, p_education=0.0, p_other=0.0)
    passive = run_model(n_citizens=4_000, p_offer=0.0, weeks=26, p_job=0.0, p_education=0.0,
                        p_other=0.0)
    assert m.weekly()["mean_readiness"].iloc[-1] > passive.weekly()["mean_readiness"].iloc[-1]


def test_caseworker_change_sets_indicators_back():
    calm = run_model(annual_turnover=0.0, reorganisations_per_year=0.0)
    churn = run_model(annual_turnover=0.9, dur_vacancy=0, reorganisations_per_year=6,
                      setback_change=0.3)
    assert churn.weekly()["mean_readiness"].iloc[-1] < calm.weekly()["mean_readiness"].iloc[-1]


def test_caseworker_changes_lower_job_entry():
    calm = run_model(n_citizens=5_000, annual_turnover=0.0, reorganisations_per_year=0.0,
                     setback_change=0.0, hr_caseworker_change=0.5)
    churn = run_model(n_citizens=5_000, annual_turnover=0.9, reorganisations_per_year=6,
                      setback_change=0.0, hr_caseworker_change=0.5)
    assert churn.weekly()["cum_job"].iloc[-1] < 0.9 * calm.weekly()["cum_job"].iloc[-1]


def test_lock_in_lowers_job_exits_during_placement():
    free = run_model(n_citizens=5_000, placement_timing="early", company_slots_per_100=50,
                     hr_company_lockin=1.0, hr_after_company=1.0)
    locked = run_model(n_citizens=5_000, placement_timing="early", company_slots_per_100=50,
                       hr_company_lockin=0.05, hr_after_company=1.0)
    assert locked.weekly()["cum_job"].iloc[-1] < free.weekly()["cum_job"].iloc[-1]


def test_under_30_leave_more_often_for_education():
    table = run_model(n_citizens=5_000, hr_education_under_30=5.0).citizen_table()
    young = table[table.under_30]
    old = table[~table.under_30]
    assert (young.status == "education").mean() > 2 * (old.status == "education").mean()


def test_belief_answers_are_on_the_five_point_scale():
    m = BipModel(seed=4, n_citizens=1_000, n_jobcentres=1)
    assert set(np.unique(m.citizens.belief)) <= {1, 2, 3, 4, 5}
    assert BELIEVES == 4


def test_caseworker_posts_follow_caseload():
    m = BipModel(seed=1, n_citizens=1_000, n_jobcentres=2, caseload=40)
    assert list(m.jobcentres.n_posts) == [13, 13]  # ceil(500 / 40)


def test_activity_end_weeks_are_consistent():
    m = run_model()
    c = m.citizens
    assert (c.ti_company_end[c.in_company] > m.week).all()
    assert (c.ti_other_end[c.in_other] > m.week).all()
    assert (c.ti_exit == NEVER).all()


def test_belief_moves_indicators_when_it_has_a_progression_effect():
    flat = run_model(gain_belief=0.0, hr_belief=1.0, expectations_training=2.0)
    lifted = run_model(gain_belief=0.05, hr_belief=1.0, expectations_training=2.0)
    assert lifted.weekly()["mean_readiness"].iloc[-1] > flat.weekly()["mean_readiness"].iloc[-1]


def test_interrupted_activities_set_indicators_back():
    churn = {"annual_turnover": 0.9, "dur_vacancy": 0, "reorganisations_per_year": 6.0,
             "setback_change": 0.0, "p_interrupt_on_change": 1.0}
    mild = run_model(setback_interruption=0.0, **churn)
    harsh = run_model(setback_interruption=0.5, **churn)
    assert harsh.weekly()["mean_readiness"].iloc[-1] < mild.weekly()["mean_readiness"].iloc[-1]


def test_meetings_lift_indicators():
    none = run_model(gain_meeting=0.0, interval=1, p_offer=0.0)
    some = run_model(gain_meeting=0.05, interval=1, p_offer=0.0)
    assert some.weekly()["mean_readiness"].iloc[-1] > none.weekly()["mean_readiness"].iloc[-1]


def test_duration_dependence_lowers_exits_of_long_stayers():
    flat = run_model(n_citizens=5_000, hr_per_year_on_benefit=1.0, dur_initial_median=300)
    falling = run_model(n_citizens=5_000, hr_per_year_on_benefit=0.5, dur_initial_median=300)
    assert falling.weekly()["cum_job"].iloc[-1] < 0.8 * flat.weekly()["cum_job"].iloc[-1]


def test_company_placement_boosts_job_exits_afterwards():
    common = {"n_citizens": 5_000, "placement_timing": "early", "company_slots_per_100": 50,
              "hr_company_lockin": 1.0}
    plain = run_model(hr_after_company=1.0, **common)
    boosted = run_model(hr_after_company=3.0, **common)
    assert boosted.weekly()["cum_job"].iloc[-1] > 1.1 * plain.weekly()["cum_job"].iloc[-1]


def test_readier_citizens_leave_for_jobs_more_often():
    table = run_model(n_citizens=5_000, hr_readiness_job=3.0).citizen_table()
    job = table.status == "job"
    assert table.loc[job, "uid"].size > 0
    m = BipModel(seed=11, n_citizens=5_000, n_jobcentres=4)  # same seed: week-0 readiness
    start = dict(zip(m.citizens.uid, m.citizens.readiness, strict=True))
    stock = table[table.uid < 5_000]
    ready_at_start = stock.uid.map(start)
    assert ready_at_start[stock.status == "job"].mean() > ready_at_start.mean() + 0.3


def test_survey_waves_measure_the_latent_scores():
    m = run_model(wave_interval=13, measurement_noise_sd=0.5)
    panel = m.survey_panel()
    assert sorted(panel.week.unique()) == [0, 13, 26, 39, 52]
    assert panel[list(INDICATORS)].isin([1, 2, 3, 4, 5]).all().all()
    assert set(panel.belief.dropna()) <= set(BELIEF_LABELS)  # null: not yet formed
    codes = m.survey_panel(codes=True).belief.to_numpy()
    assert set(np.unique(codes)) <= {0, 1, 2, 3, 4, 5}
    assert (codes == panel.belief.cat.codes.to_numpy() + 1).all()
    last = panel[panel.week == 52].set_index("uid")
    latent = dict(zip(m.citizens.uid, m.citizens.scores[:, 0], strict=True))
    r = np.corrcoef(last.index.map(latent), last[INDICATORS[0]])[0, 1]
    assert r > 0.6  # noise SD 0.5 against a latent SD near 1


def test_no_survey_when_switched_off():
    assert run_model(wave_interval=0).survey_panel().empty
