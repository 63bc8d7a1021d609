"""Budgets per year: costs by kind and year add up, the reform's own cost, payback, and
returns to benefit in the accounting of benefit saved."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import SMALL, run_cli

from bipsim.agents import EDUCATION, JOB, OTHER_BENEFIT
from bipsim.budget import YEARLY, off_benefit, return_delays, yearly
from bipsim.experiments.yearly import pair_measures, payback_summary, payback_year, run_years
from bipsim.model import BipModel
from bipsim.rules.costs import COST_KINDS

#: Unit costs that are not whole kroner, so that rounding matters.
ODD_COSTS = {"benefit_dkk": 3123.457, "company_dkk": 1011.3, "other_dkk": 1499.91,
             "caseworker_dkk": 11017.77, "expectations_training_dkk": 29999.7}


def small_model(weeks: int, seed: int = 3, **kwargs) -> BipModel:
    model = BipModel(**{"n_citizens": 600, "n_jobcentres": 2, "weeks": weeks,
                        "wave_interval": 0, "seed": seed, **kwargs})
    model.run()
    return model


def test_costs_by_kind_and_year_add_up_to_the_total_exactly():
    model = small_model(130, expectations_training=0.5, annual_turnover=0.6,  # hires every year
                        **ODD_COSTS)  # 2 years and 26 weeks
    weekly = model.weekly()
    table = yearly(weekly)
    assert list(table["year"]) == [1, 2, 3]
    assert list(table["last_week"] - table["first_week"] + 1) == [52, 52, 26]
    kinds = [f"cost_{kind}_dkk" for kind in COST_KINDS]
    # whole kroner: every sum is exact, in any order
    assert (table[kinds].sum(axis=1) == table["cost_dkk"]).all()
    for kind in COST_KINDS:
        assert table[f"cost_{kind}_dkk"].sum() == weekly[f"cum_cost_{kind}_dkk"].iloc[-1]
    assert table["cost_dkk"].sum() == weekly["cum_cost_dkk"].iloc[-1]
    assert table["benefit_avoided_dkk"].sum() == weekly["cum_benefit_avoided_dkk"].iloc[-1]
    assert table["job_entries"].sum() == weekly["cum_job"].iloc[-1]
    assert (table[kinds] > 0).all().all()


def test_training_costs_each_caseworker_once_per_sd_of_shift():
    no_turnover = {"annual_turnover": 0.0, "reorganisations_per_year": 0.0}
    model = BipModel(n_citizens=600, n_jobcentres=2, weeks=30, wave_interval=0, seed=1,
                     expectations_training=0.5, expectations_training_dkk=30000.0,
                     **no_turnover)
    posts = len(model.caseworkers)
    model.run(10)
    model.set_lever("expectations_training", 1.0)  # a dated rise: train everyone again
    model.run(10)
    model.set_lever("expectations_training", 0.2)  # a cut refunds nothing
    model.run(10)
    cost = model.weekly()["new_cost_training_dkk"].to_numpy()
    assert cost[1] == 0.5 * 30000 * posts
    assert cost[11] == 0.5 * 30000 * posts
    assert cost.sum() == 2 * 0.5 * 30000 * posts
    free = small_model(20)
    assert free.weekly()["cum_cost_training_dkk"].iloc[-1] == 0


def test_new_caseworkers_are_trained_in_their_first_week():
    model = small_model(52, seed=5, expectations_training=0.5, annual_turnover=0.5,
                        expectations_training_dkk=10000.0)
    weekly = model.weekly()
    later = weekly["new_cost_training_dkk"].iloc[2:].sum()
    # every caseworker hired after week 1 is trained once, for the whole 0.5 SD
    hired_later = int(model.caseworkers.hired.sum()) - len(model.caseworkers)
    vacant_at_end = int((~model.caseworkers.occupied).sum())
    assert later / (0.5 * 10000) == pytest.approx(hired_later, abs=vacant_at_end + 1)
    assert later > 0


def test_payback_is_the_first_year_with_cumulative_net_cost_at_most_zero():
    assert payback_year(np.array([5.0, 2.0, -1.0, -3.0])) == 3
    assert payback_year(np.array([-1.0, 4.0])) == 1
    assert payback_year(np.array([3.0, 0.0])) == 2  # exactly paid back counts
    assert math.isinf(payback_year(np.array([1.0, 2.0])))
    summary = payback_summary(np.array([1.0, 2.0, 2.0, math.inf]), 3)
    assert (summary["paid_back_y1"], summary["paid_back_y2"], summary["paid_back_y3"]) == (
        0.25, 0.75, 0.75)
    assert summary["payback_year_median"] == 2
    assert math.isinf(payback_year(np.cumsum([10.0, -3.0, -3.0, -3.0])))
    # a reform from year 2 costs nothing extra in year 1: that is no payback
    assert payback_year(np.cumsum([0.0, 5.0, -8.0]), first_year=2) == 3
    assert payback_year(np.cumsum([0.0, -1.0]), first_year=2) == 2


def test_a_dated_reform_pays_back_no_earlier_than_the_year_it_starts():
    from types import SimpleNamespace

    from bipsim.experiments.yearly import start_year

    plan = SimpleNamespace(design={"baseline": "base"},
                           reform_weeks=lambda: {"from_2027": 53, "from_week_52": 52})
    assert start_year(plan, "from_2027") == 2
    assert start_year(plan, "from_week_52") == 1
    assert start_year(plan, "at_once") == 1
    assert payback_year(np.cumsum([10.0, -3.0, -3.0, -3.0, -3.0])) == 5


def test_pair_measures_on_constructed_series():
    weeks = 104
    base = {"cum_job": np.arange(weeks + 1), "cum_education": np.zeros(weeks + 1),
            "cum_benefit_avoided_dkk": np.zeros(weeks + 1)}
    for kind in COST_KINDS:
        base[f"cum_cost_{kind}_dkk"] = np.zeros(weeks + 1)
    alt = {k: v.copy() for k, v in base.items()}
    alt["cum_cost_caseworkers_dkk"] = 1000.0 * np.arange(weeks + 1)  # 52,000 a year more
    alt["cum_cost_benefit_dkk"] = -5e9 * np.arange(weeks + 1)  # benefit paid is not extra cost
    alt["cum_benefit_avoided_dkk"] = np.r_[0, np.cumsum(np.repeat([500.0, 1500.0], 52))]
    alt["cum_job"] = base["cum_job"] + np.minimum(np.arange(weeks + 1), 60)
    m = pair_measures(run_years(alt), run_years(base))
    assert list(m["extra_cost_dkk"]) == [52000, 52000]
    assert list(m["benefit_saved_dkk"]) == [26000, 78000]
    assert list(m["net_cost_dkk"]) == [26000, -26000]
    assert list(m["cumulative_net_cost_dkk"]) == [26000, 0]
    assert list(m["extra_job_entries"]) == [52, 8]
    assert payback_year(m["cumulative_net_cost_dkk"]) == 2


def test_returns_reduce_the_benefit_saved_by_the_expected_amount():
    """Seed 11, 4,000 citizens over 156 weeks (about 1,600 job and education exits):
    the reduction in avoided benefit-weeks is the sum over leavers of share x sum_j
    (1 - exp(-j / mean)), within 4 standard errors of the leavers' binomial spread."""
    weeks = 156
    model = BipModel(n_citizens=4000, n_jobcentres=4, weeks=weeks, wave_interval=0, seed=11)
    model.run()
    left = model.citizens.leavers(("uid", "status", "ti_exit"))
    keep = np.isin(left["status"], (JOB, EDUCATION))
    uid, status, t = left["uid"][keep], left["status"][keep], left["ti_exit"][keep]
    assert len(uid) > 1000
    p = {"return_share_job": 0.4, "return_share_education": 0.5, "return_mean_weeks": 20.0}
    never = {**p, "return_share_job": 0.0, "return_share_education": 0.0}
    with_returns = off_benefit(t, return_delays(model.streams, uid, status, p), weeks)[0]
    without = off_benefit(t, return_delays(model.streams, uid, status, never), weeks)[0]
    assert without.sum() == (weeks - t).sum()  # no returns: every week to the end
    observed = without.sum() - with_returns.sum()
    share = np.where(status == JOB, 0.4, 0.5)
    mean = var = 0.0
    for s, left_weeks in zip(share, weeks - t, strict=True):
        d = np.arange(1, left_weeks + 1)
        p_d = np.exp(-(d - 1) / 20.0) - np.exp(-d / 20.0)  # P(delay = d)
        lost = left_weeks - d + 1
        m1, m2 = s * (p_d * lost).sum(), s * (p_d * lost**2).sum()
        mean += m1
        var += m2 - m1**2
    assert mean == pytest.approx(sum(s * (1 - np.exp(-np.arange(1, n + 1) / 20.0)).sum()
                                     for s, n in zip(share, weeks - t, strict=True)))
    assert abs(observed - mean) < 4 * math.sqrt(var), (observed, mean, math.sqrt(var))
    assert observed > 0.1 * without.sum()


def test_avoided_benefit_weeks_match_the_benefit_paid_in_a_closed_cohort():
    """With no inflow and no returns, citizen-weeks of public support (benefit paid,
    plus other benefits after a move there) plus the avoided weeks make up the whole
    cohort's weeks: the accounting agrees with the budget where the budget can tell."""
    weeks, n = 104, 800
    model = small_model(weeks, mode="none", n_citizens=n, return_share_job=0.0,
                        return_share_education=0.0, benefit_dkk=3000.0)
    weekly = model.weekly()
    paid_weeks = weekly["new_cost_benefit_dkk"].iloc[1:].sum() / 3000.0
    left = model.citizens.leavers(("status", "ti_exit"))
    other = (weeks - left["ti_exit"][left["status"] == OTHER_BENEFIT]).sum()
    avoided = weekly["n_off_benefit_after_exit"].iloc[1:].sum()
    assert paid_weeks + other + avoided == n * weeks
    assert avoided * 3000.0 == weekly["cum_benefit_avoided_dkk"].iloc[-1]


def test_a_reform_with_a_known_cost_and_no_effect_never_pays_back(tmp_path, capsys):
    """Only the price of training differs: same citizens, same exits, so the extra cost
    is the training bill (0.5 SD for every post, all in week 1), no benefit is saved,
    and the net cost is the bill, world by world."""
    common = ("caseworkers: {expectations_training: 0.5, annual_turnover: 0.0, "
              "reorganisations_per_year: 0.0}")
    for name, price in (("free", 0), ("paid", 30000)):
        (tmp_path / f"{name}.yaml").write_text(
            f"extends: baseline\n{common}\ncosts: {{expectations_training_dkk: {price}}}\n",
            encoding="utf-8")
    out = tmp_path / "compare"
    code, _, _ = run_cli(capsys, "compare", tmp_path / "free.yaml", tmp_path / "paid.yaml",
                               "--reps", "3", "--weeks", "60", *SMALL, "--workers", "0",
                               "--quiet", "--out", out)
    assert code == 0
    posts = len(BipModel(n_citizens=300, n_jobcentres=2).caseworkers)
    table = pd.read_csv(out / "budget.csv").set_index(["year", "measure"])
    for basis in ("chance", "parameters"):
        values = table[f"{basis}_mean"]
        assert values[(1, "extra_cost_dkk")] == 0.5 * 30000 * posts
        assert values[(2, "extra_cost_dkk")] == 0
        assert values[(2, "cumulative_net_cost_dkk")] == 0.5 * 30000 * posts
        for measure in ("extra_job_entries", "extra_education_entries", "benefit_saved_dkk"):
            assert (values.xs(measure, level="measure") == 0).all(), measure
        assert (table[f"{basis}_low"] == table[f"{basis}_high"]).all()  # no spread at all
    payback = pd.read_csv(out / "payback.csv")
    assert (payback[["paid_back_y1", "paid_back_y2"]] == 0).all().all()
    assert np.isinf(payback["payback_year_median"]).all()
    printed = (out / "summary.txt").read_text(encoding="utf-8")
    assert "Budget per year, paid - free" in printed
    assert "not within 2 years" in printed


def test_every_yearly_column_is_a_weekly_series():
    model = small_model(5)
    weekly = model.weekly()
    for name, (flow, *_) in YEARLY.items():
        assert flow in weekly.columns, name
