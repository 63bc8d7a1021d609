"""Parameter uncertainty: draws, pairing, summaries over worlds, compare end to end."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import SMALL, cost_only_alternative, results, run_cli

from bipsim.experiments.compare import plan_compare
from bipsim.experiments.plan import Plan
from bipsim.outcomes import OUTCOMES
from bipsim.parameters import BY_NAME, PARAMETERS
from bipsim.scenario import load_scenario
from bipsim.uncertainty import draws as draws_module
from bipsim.uncertainty.draws import (
    Posterior,
    draw_worlds,
    drawn_names,
    prior_draws,
    read_posterior,
    uncertain_parameters,
    uniforms,
)
from bipsim.uncertainty.worlds import acceptability, better, drivers, summarise_worlds

FIRST_GUESSES = [s.name for s in uncertain_parameters() if not s.calibrated]


# --- which parameters are drawn ---------------------------------------------------------
def test_only_uncertainties_are_drawn_never_levers_or_context():
    names = drawn_names(load_scenario("baseline"))
    assert names
    for name in names:
        spec = BY_NAME[name]
        assert spec.uncertainty is not None and spec.prior is not None, name
        assert spec.role == "uncertainty" or spec.calibrated, name
    levers = {s.name for s in PARAMETERS.values() if s.role == "lever" and not s.calibrated}
    context = {s.name for s in PARAMETERS.values() if s.role == "context"}
    assert not (levers | context) & set(names)


def test_every_first_guess_that_is_an_uncertainty_has_a_prior():
    missing = [s.path for s in PARAMETERS.values()
               if s.role == "uncertainty" and s.prior is None]
    assert not missing


def test_a_parameter_a_scenario_sets_keeps_its_value():
    """continuity sets caseworker turnover (a calibrated lever): it is drawn in the
    baseline and held in continuity; --set holds a parameter everywhere."""
    assert "annual_turnover" in drawn_names(load_scenario("baseline"))
    assert "annual_turnover" not in drawn_names(load_scenario("continuity"))
    held = load_scenario("baseline", ["progression.gain_company=0.02"])
    assert "gain_company" not in drawn_names(held)
    assert "gain_company" in drawn_names(load_scenario("baseline"))


# --- the draws ----------------------------------------------------------------------------
def test_draws_are_fixed_by_the_seed_and_more_worlds_extend_fewer():
    names = FIRST_GUESSES[:6]
    ten, five = draw_worlds(names, 3, 10, posterior=None), draw_worlds(names, 3, 5, None)
    assert ten.values == draw_worlds(names, 3, 10, posterior=None).values
    assert all(ten.values[n][:5] == five.values[n] for n in names)
    assert draw_worlds(names, 4, 10, None).values != ten.values


def test_adding_a_parameter_shifts_no_other_parameters_draws():
    few = draw_worlds(FIRST_GUESSES[1:4], 1, 8, None)
    more = draw_worlds(FIRST_GUESSES[:6], 1, 8, None)
    assert all(few.values[n] == more.values[n] for n in FIRST_GUESSES[1:4])


def test_streams_are_uniform_and_distinct():
    """2,000 uniforms of a stream (seed 5): mean within 4 standard errors of 1/2
    (SE = sqrt(1/12 / 2000) = 0.0065); two streams are not correlated beyond 4 SE
    (SE of a correlation = 1/sqrt(2000) = 0.022)."""
    a, b = uniforms(5, "a", 2000), uniforms(5, "b", 2000)
    assert ((a > 0) & (a < 1)).all()
    assert abs(a.mean() - 0.5) < 4 * math.sqrt(1 / 12 / 2000)
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / math.sqrt(2000)


@pytest.mark.parametrize("name", ["gain_company", "hr_company_lockin", "p_interrupt_on_change",
                                  "dur_after_company"])
def test_prior_draws_follow_the_prior(name):
    """4,000 draws (seed 11): the share below the prior's median is 1/2 within 4
    binomial standard errors (0.0079), and every draw is inside the allowed range."""
    spec = BY_NAME[name]
    values = np.array(prior_draws(spec, 11, 4000), dtype=float)
    assert ((values >= spec.low) & (values <= spec.high)).all()
    median = float(spec.prior.ppf(0.5))
    below = np.mean(values < median) + 0.5 * np.mean(values == median)
    tolerance = 4 * math.sqrt(0.25 / 4000) + (0.02 if spec.kind == "int" else 0)
    assert abs(below - 0.5) < tolerance
    if spec.kind == "int":
        assert all(isinstance(v, int) for v in prior_draws(spec, 11, 5))


def _posterior_file(tmp_path, weights=None):
    calibrated = [s for s in uncertain_parameters() if s.calibrated]
    frame = pd.DataFrame({s.name: [s.default, s.default, s.default] for s in calibrated})
    frame[calibrated[0].name] = [calibrated[0].prior.ppf(q) for q in (0.1, 0.5, 0.9)]
    frame["distance"] = [0.1, 0.2, 0.3]  # not a parameter: ignored
    if weights is not None:
        frame["weight"] = weights
    path = tmp_path / "posterior.parquet"
    frame.to_parquet(path)
    return path, calibrated, frame


def test_calibrated_parameters_come_jointly_from_the_posterior(tmp_path):
    path, calibrated, frame = _posterior_file(tmp_path, weights=[0.0, 1.0, 0.0])
    posterior = read_posterior(path)
    names = [s.name for s in calibrated] + FIRST_GUESSES[:2]
    worlds = draw_worlds(names, 2, 6, posterior)
    assert worlds.posterior_rows == [1] * 6  # the only row with weight
    first = calibrated[0].name
    assert worlds.values[first] == pytest.approx([frame.loc[1, first]] * 6)
    assert {worlds.origin[s.name] for s in calibrated} == {"posterior"}
    assert worlds.origin[FIRST_GUESSES[0]] == "prior"
    assert worlds.note == ""


def test_without_a_posterior_calibrated_parameters_fall_back_to_priors_and_say_so(
        tmp_path, monkeypatch):
    monkeypatch.setattr(draws_module, "POSTERIOR_FILE", tmp_path / "none.parquet")
    assert read_posterior(tmp_path / "none.parquet") is None
    calibrated = [s.name for s in uncertain_parameters() if s.calibrated]
    worlds = draw_worlds(calibrated, 2, 4, posterior=None)
    assert set(worlds.origin.values()) == {"prior"}
    assert "drawn from their priors" in worlds.note
    assert BY_NAME[calibrated[0]].path in worlds.note


def test_bad_posterior_weights_are_refused(tmp_path):
    path, _, _ = _posterior_file(tmp_path, weights=[0.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="weights"):
        read_posterior(path)


def test_posterior_rows_follow_the_weights():
    """10,000 worlds (seed 8) from weights 0.2/0.8: the share of row 1 within 4
    binomial standard errors (0.004) of 0.8."""
    posterior = Posterior("test", {}, np.array([0.2, 0.8]))
    rows = posterior.rows(8, 10_000)
    assert abs(np.mean(rows == 1) - 0.8) < 4 * math.sqrt(0.16 / 10_000)


# --- the plan: exact pairing -------------------------------------------------------------
def test_worlds_are_paired_except_where_a_policy_sets_a_parameter():
    scenarios = [load_scenario("baseline"), load_scenario("continuity")]
    plan = plan_compare(scenarios, reps=4, seed=9, uncertainty="parameters")
    central = [r for r in plan.runs if r.uncertainty == "chance"]
    worlds = [r for r in plan.runs if r.uncertainty == "parameters"]
    assert len(central) == len(worlds) == 8 and all(not r.draws for r in central)
    assert [r.run_id for r in plan.runs] == list(range(16))
    for r in range(4):
        base, alt = (next(w for w in worlds if w.scenario == s and w.replicate == r)
                     for s in ("baseline", "continuity"))
        assert base.seed == alt.seed
        assert set(base.draws) - set(alt.draws) == {"annual_turnover"}
        assert all(alt.draws[k] == v for k, v in base.draws.items() if k in alt.draws)
        assert plan.task(alt).params["annual_turnover"] == 0.08  # continuity's own value
    assert len({w.draws["gain_company"] for w in worlds if w.scenario == "baseline"}) == 4
    again = Plan.from_json(plan.to_json())
    assert again.runs == plan.runs and again.design == json.loads(json.dumps(plan.design))


def test_chance_mode_plans_todays_runs():
    scenarios = [load_scenario("baseline"), load_scenario("early_placement")]
    plan = plan_compare(scenarios, reps=3, seed=9, uncertainty="chance")
    assert len(plan.runs) == 6 and all(r.uncertainty == "chance" and not r.draws
                                       for r in plan.runs)


# --- summaries over worlds (known answers) ------------------------------------------------
def test_better_counts_worlds_the_right_way_and_ties_half():
    d = np.array([3.0, -1.0, 0.0, 2.0])
    assert better(d, 1)["p_better"] == pytest.approx(0.625)
    assert better(d, -1)["p_better"] == pytest.approx(0.375)
    assert math.isnan(better(d, 0)["p_better"])


def test_acceptability_is_the_share_with_positive_net_benefit():
    jobs = np.array([10.0, 10.0, -5.0, 20.0])
    cost = np.array([5e6, 30e6, 1e6, -1e6])  # 0.5 and 3 mio. per job; fewer jobs; dominant
    assert acceptability(jobs, cost, 0.0) == 0.25           # only the dominant world
    assert acceptability(jobs, cost, 1e6) == 0.5
    assert acceptability(jobs, cost, 5e6) == 0.75           # never the world with fewer jobs


def test_drivers_find_the_parameter_that_moves_the_difference():
    """200 worlds (seed 3): d = 5 x a + noise; b and c are unrelated. a is ranked
    first and clear; its rank correlation is near the population value."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"gain_company": rng.random(200), "gain_other": rng.random(200),
                          "noise_sd": rng.random(200)})
    d = 5 * frame["gain_company"].to_numpy() + rng.normal(0, 0.5, 200)
    found = drivers(frame, d)
    assert found[0]["parameter"] == "progression.gain_company" and found[0]["clear"]
    assert found[0]["rank_correlation"] > 0.8
    assert not any(row["clear"] for row in found[1:])


def test_summary_over_worlds_on_a_known_table():
    rows = []
    for r in range(5):
        rows.append({"scenario": "base", "replicate": r, **{n: 100.0 for n in
                     ("exits_job", "total_cost_dkk", "mean_weeks_on_benefit")}})
        rows.append({"scenario": "alt", "replicate": r, "exits_job": 100.0 + r - 1,
                     "total_cost_dkk": 100.0 + 2 * r, "mean_weeks_on_benefit": 100.0 - r})
    table = pd.DataFrame(rows)
    for name in ("exits_job", "total_cost_dkk", "mean_weeks_on_benefit"):
        table[name] = table[name].astype(float)
    for name in OUTCOMES:
        if name not in table:
            table[name] = 0.0
    draws = pd.DataFrame({"gain_company": [0.1, 0.2, 0.3, 0.4, 0.5]})
    summary = summarise_worlds(table, draws, "base", ["alt"], ["exits_job"])
    jobs = summary.differences.set_index("outcome").loc["exits_job"]
    assert jobs["parameters_mean"] == pytest.approx(1.0)
    assert (jobs["parameters_low"], jobs["parameters_high"]) == pytest.approx(
        tuple(np.quantile([-1, 0, 1, 2, 3], [0.025, 0.975])))
    assert jobs["p_better"] == pytest.approx(0.7)   # 3 better, 1 tie, 1 worse
    weeks = summary.differences.set_index("outcome").loc["mean_weeks_on_benefit"]
    assert weeks["p_better"] == pytest.approx(0.9)  # fewer weeks is better
    costs = summary.costs.iloc[0]
    assert costs["share_more_jobs"] == pytest.approx(0.6)
    assert costs["cost_per_extra_job_median"] == pytest.approx(np.median([4 / 1, 6 / 2, 8 / 3]))
    assert summary.drivers.iloc[0]["parameter"] == "progression.gain_company"


# --- compare end to end -------------------------------------------------------------------
COMPARE = ("--weeks", "20", "--reps", "4", "--workers", "0", *SMALL)


def test_compare_reports_both_intervals_and_the_chance_of_being_better(tmp_path, capsys):
    out = tmp_path / "cmp"
    code, stdout, stderr = run_cli(capsys, "compare", "baseline", "early_placement",
                                   *COMPARE, "--seed", "3", "--out", out)
    assert code == 0, stderr
    table = results(out)
    assert sorted(table["uncertainty"].unique()) == ["chance", "parameters"]
    assert "progression.gain_company" in table.columns
    worlds = table[table["uncertainty"] == "parameters"]
    assert worlds["progression.gain_company"].nunique() == 4
    # the baseline and the alternative of a world share its draws
    pivot = worlds.pivot(index="replicate", columns="scenario",
                         values="progression.gain_company")
    assert (pivot["baseline"] == pivot["early_placement"]).all()

    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    for column in ("chance_low", "chance_high", "parameters_low", "parameters_high",
                   "p_better"):
        assert column in diffs.columns
    wide = worlds.pivot(index="replicate", columns="scenario", values="exits_job")
    d = wide["early_placement"] - wide["baseline"]
    assert diffs.loc["exits_job", "parameters_mean"] == pytest.approx(d.mean())
    assert diffs.loc["exits_job", "p_better"] == pytest.approx(
        (d > 0).mean() + 0.5 * (d == 0).mean())
    for name in ("worlds.csv", "ceac.csv", "drivers.csv", "worlds.png", "ceac.png"):
        assert (out / name).is_file(), name
    assert "chance and parameters over 4 plausible worlds" in stdout
    assert "What drives the spread" in stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "plausible worlds" in html and html.count('src="data:image/png;base64,') == 4
    plan = json.loads((out / "plan.json").read_text())
    assert plan["design"]["uncertainty"]["mode"] == "parameters"


def test_a_cost_only_policy_changes_no_behaviour_in_any_world(tmp_path, capsys):
    """Pairing is exact in the worlds too: an alternative that only sets the benefit
    rate (an uncertainty it then holds) has exactly the baseline's exits in each world."""
    dearer = cost_only_alternative(tmp_path)
    out = tmp_path / "cmp"
    code, _, stderr = run_cli(capsys, "compare", "baseline", dearer, *COMPARE, "--out", out)
    assert code == 0, stderr
    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    for name in ("exits_job", "exits_education", "mean_weeks_on_benefit"):
        assert diffs.loc[name, ["parameters_low", "parameters_high"]].tolist() == [0.0, 0.0]


def test_the_same_seed_gives_the_same_worlds_on_any_executor(tmp_path, capsys):
    tables = []
    for workers in ("0", "2"):
        out = tmp_path / f"w{workers}"
        argv = [a if a != "0" else workers for a in COMPARE]
        code, _, stderr = run_cli(capsys, "compare", "baseline", "low_caseload", *argv,
                                  "--out", out)
        assert code == 0, stderr
        tables.append(results(out).drop(columns=["run_id"]))
    pd.testing.assert_frame_equal(tables[0], tables[1])
