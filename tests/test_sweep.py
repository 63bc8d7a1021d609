"""``bipsim sweep``: designs, checks before running, sensitivity indices, outputs."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import SMALL, results, run_cli

from bipsim.experiments.designs import (
    grid_design,
    lever_factors,
    parse_bounds,
    parse_grid,
    sample_design,
)
from bipsim.experiments.plan import replicate_seeds
from bipsim.experiments.sensitivity import indices
from bipsim.outcomes import OUTCOMES
from bipsim.parameters import of_role
from bipsim.scenario import ScenarioError

QUICK = ("--weeks", "10", "--workers", "0", *SMALL)


# --- designs ---------------------------------------------------------------------------
def test_grid_is_the_full_factorial_first_factor_slowest():
    design = grid_design(parse_grid(["caseworkers.caseload=40,80,120",
                                     "interventions.placement_timing=staircase,early"]))
    assert len(design.points) == 6
    assert design.points[0] == {"caseload": 40.0, "placement_timing": "staircase"}
    assert design.points[1] == {"caseload": 40.0, "placement_timing": "early"}
    assert design.points[-1] == {"caseload": 120.0, "placement_timing": "early"}


@pytest.mark.parametrize(("grid", "message"), [
    (["caseworkers.anual_turnover=0.1,0.2"], "did you mean caseworkers.annual_turnover"),
    (["caseworkers.annual_turnover=0.1,1.5"], "given 1.5, out of range"),
    (["meetings.interval=2,2.5"], "given 2.5, not an integer"),
    (["interventions.placement_timing=early,sideways"], "not an allowed choice"),
    (["caseworkers.caseload=40,40"], "given twice"),
    (["caseworkers.caseload=40", "caseworkers.caseload=80"], "given twice"),
    (["caseworkers.caseload"], "expected KEY=V1,V2,..."),
    (["caseworkers.caseload=40,"], "an empty value"),
    (["run.seed=1,2"], "replicate seeds come from --seed"),
])
def test_bad_grids_are_refused_naming_the_key(grid, message):
    with pytest.raises(ScenarioError, match=message):
        parse_grid(grid)


@pytest.mark.parametrize(("bounds", "message"), [
    (["caseworkers.annual_turnover=0.1:1.3"], "bound given 1.3, out of range"),
    (["caseworkers.annual_turnover=0.3:0.1"], "low bound must be below"),
    (["caseworkers.annual_turnover=0.3"], "expected LOW:HIGH"),
    (["interventions.placement_timing=a:b"], "sweep it with --grid"),
    (["meetings.interval=1.5:4"], "not an integer"),
])
def test_bad_bounds_are_refused_naming_the_key(bounds, message):
    with pytest.raises(ScenarioError, match=message):
        parse_bounds(bounds)


def test_bounds_read_numbers_as_python_does():
    (factor,) = parse_bounds(["exits.p_job=1e-4:2e-3"])  # YAML 1.1 would read text
    assert factor.bounds == (1e-4, 2e-3)


@pytest.mark.parametrize(("method", "n", "points"), [("lhs", 10, 10), ("sobol", 8, 8 * (2 + 2)),
                                                     ("morris", 5, 5 * (2 + 1))])
def test_sampled_designs_have_salib_sizes_and_respect_bounds(method, n, points):
    factors = parse_bounds(["caseworkers.annual_turnover=0.05:0.4", "meetings.interval=2:8"])
    design = sample_design(method, factors, n, seed=3)
    assert len(design.points) == points == len(design.x)
    turnover = [p["annual_turnover"] for p in design.points]
    interval = [p["interval"] for p in design.points]
    assert min(turnover) >= 0.05 and max(turnover) <= 0.4
    assert all(isinstance(v, int) and 2 <= v <= 8 for v in interval)  # integers rounded
    again = sample_design(method, factors, n, seed=3)
    assert again.points == design.points  # reproducible from the seed
    assert sample_design(method, factors, n, seed=4).points != design.points


def test_sobol_needs_a_power_of_two():
    factors = parse_bounds(["caseworkers.annual_turnover=0.05:0.4"])
    with pytest.raises(ScenarioError, match="try 8 or 16"):
        sample_design("sobol", factors, 10, seed=1)


# --- sensitivity indices on functions with a known answer ----------------------------------
def test_sobol_indices_of_a_linear_function():
    """y = 2 x1 + x2 with x uniform on [0, 1] and x3 unused: S1 = ST = (0.8, 0.2, 0).
    The tolerance is four standard errors as SALib's bootstrap estimates them at this
    sample size (N = 1024); x3's total index is exactly 0 because y never depends on it."""
    factors = parse_bounds([f"caseworkers.{k}=0:1" for k in
                            ("annual_turnover", "share_reassigned", "turnover_spread")])
    design = sample_design("sobol", factors, 1024, seed=11)
    y = 2 * design.x[:, 0] + design.x[:, 1]
    table = indices("sobol", design.problem(), design.x, y, seed=1).set_index("parameter")
    expected = pd.Series([0.8, 0.2, 0.0], index=table.index)
    for col in ("S1", "ST"):
        se = table[f"{col}_conf"] / 1.96
        assert (abs(table[col] - expected) <= 4 * se + 1e-9).all(), table
    assert table.loc["caseworkers.turnover_spread", "ST"] == 0.0


def test_morris_effects_of_a_linear_function_are_its_coefficients():
    """For y = 3 x1 - x2 on [0, 1]^2 every elementary effect of x_i is exactly its
    coefficient: mu* = |a_i|, sigma = 0."""
    factors = parse_bounds(["caseworkers.annual_turnover=0:1", "caseworkers.share_reassigned=0:1"])
    design = sample_design("morris", factors, 10, seed=5)
    y = 3 * design.x[:, 0] - design.x[:, 1]
    table = indices("morris", design.problem(), design.x, y, seed=1)
    assert table["mu_star"].to_numpy() == pytest.approx([3.0, 1.0])
    assert table["mu"].to_numpy() == pytest.approx([3.0, -1.0])
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-12)


def test_an_outcome_that_never_varies_has_zero_indices():
    factors = parse_bounds(["caseworkers.annual_turnover=0:1"])
    design = sample_design("sobol", factors, 8, seed=1)
    table = indices("sobol", design.problem(), design.x, np.full(len(design.x), 4.0), seed=1)
    assert (table[["S1", "ST"]] == 0).all().all()


# --- levers: the parameter table's roles -----------------------------------------------
def test_levers_are_every_numeric_lever_of_the_table_over_its_range():
    factors = lever_factors("all")
    numeric = [s for s in of_role("lever") if s.kind in ("int", "float")]
    assert [f.spec for f in factors] == numeric
    assert len(numeric) < len(of_role("lever"))  # the choice lever is left to --grid
    for factor in factors:
        assert factor.bounds == (factor.spec.low, factor.spec.high)


def test_named_levers_and_bounds_narrowing_one():
    bounds = parse_bounds(["caseworkers.caseload=40:120", "costs.benefit_dkk=2000:5000"])
    factors = lever_factors("interventions.p_offer,caseworkers.caseload", bounds)
    assert [f.path for f in factors] == ["interventions.p_offer", "caseworkers.caseload",
                                         "costs.benefit_dkk"]
    assert factors[0].bounds == (0.0, 1.0)
    assert factors[1].bounds == (40.0, 120.0)  # --bounds narrows the lever's range


@pytest.mark.parametrize(("text", "message"), [
    ("exits.p_job", "not a lever (its role is uncertainty)"),
    ("population.n_citizens", "not a lever (its role is context)"),
    ("interventions.placement_timing", "sweep it with --grid"),
    ("caseworkers.casload", "did you mean"),
    ("caseworkers.caseload,caseworkers.caseload", "given twice"),
])
def test_bad_levers_are_refused_naming_the_key(text, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        lever_factors(text)


def test_lever_sweep_varies_the_levers_within_their_ranges(tmp_path, capsys):
    out = tmp_path / "levers"
    code, _, stderr = run_cli(
        capsys, "sweep", "baseline", "--levers", "caseworkers.caseload,meetings.interval",
        "--sample", "lhs", "--n", "3", *QUICK, "--out", out)
    assert code == 0, stderr
    table = results(out)
    assert len(table) == 3
    assert table["caseworkers.caseload"].between(5, 400).all()
    assert table["meetings.interval"].between(1, 52).all()
    assert table["caseworkers.caseload"].nunique() == 3  # a Latin hypercube: all differ


# --- the command, end to end -------------------------------------------------------------
def test_grid_sweep_has_one_row_per_run_and_shares_seeds_across_points(tmp_path, capsys):
    out = tmp_path / "grid"
    code, stdout, stderr = run_cli(
        capsys, "sweep", "baseline", "--grid", "caseworkers.annual_turnover=0.1,0.4",
        "--grid", "costs.benefit_dkk=3000,5000", "--reps", "2", "--seed", "5", *QUICK,
        "--out", out)
    assert code == 0, stderr
    table = results(out)
    assert len(table) == 4 * 2
    assert list(table.columns) == ["run_id", "point", "replicate", "seed",
                                   "caseworkers.annual_turnover", "costs.benefit_dkk",
                                   *OUTCOMES]
    assert table["run_id"].tolist() == list(range(8))
    seeds = replicate_seeds(5, 2)
    assert table.groupby("point")["seed"].apply(list).tolist() == [seeds] * 4
    # common random numbers: the benefit rate changes costs only, never who exits
    for _, same in table.groupby(["caseworkers.annual_turnover", "replicate"]):
        assert same["exits_job"].nunique() == 1
        assert same["total_cost_dkk"].nunique() == 2
    csv = pd.read_csv(out / "results.csv")
    assert csv["exits_job"].tolist() == table["exits_job"].tolist()
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 4 and (points["reps"] == 2).all()
    for name in ("response.png", "report.html", "manifest.json", "summary.txt"):
        assert (out / name).is_file(), name
    assert "grid of 2 x 2 = 4 points x 2 replicates = 8 runs" in stderr
    assert "Mean over 2 replicates per point" in stdout


def test_sobol_sweep_gives_zero_total_index_to_a_lever_without_behaviour(tmp_path, capsys):
    """The benefit rate cannot change who exits: with common random numbers its total
    Sobol' index for exits to job is exactly 0, while it drives the total cost."""
    out = tmp_path / "sobol"
    code, _, stderr = run_cli(
        capsys, "sweep", "baseline", "--sample", "sobol", "--n", "4",
        "--bounds", "caseworkers.annual_turnover=0.05:0.4",
        "--bounds", "costs.benefit_dkk=2000:5000", *QUICK, "--out", out)
    assert code == 0, stderr
    assert len(results(out)) == 4 * (2 + 2)
    table = pd.read_csv(out / "indices.csv").set_index(["outcome", "parameter"])
    assert table.loc[("exits_job", "costs.benefit_dkk"), "ST"] == 0.0
    assert table.loc[("total_cost_dkk", "costs.benefit_dkk"), "ST"] > 0.5
    assert (out / "indices.png").is_file() and (out / "scatter.png").is_file()
    plan = json.loads((out / "plan.json").read_text())
    assert plan["design"]["method"] == "sobol" and len(plan["design"]["x"]) == 16


@pytest.mark.parametrize(("argv", "message"), [
    (["--grid", "caseworkers.anual_turnover=0.1"], "did you mean"),
    (["--sample", "lhs", "--bounds", "caseworkers.annual_turnover=0:2", "--n", "4"],
     "out of range"),
    (["--sample", "lhs", "--bounds", "caseworkers.annual_turnover=0:1"], "--n"),
    (["--grid", "caseworkers.caseload=40", "--sample", "lhs"], "not both"),
    ([], "give --grid"),
    (["--levers"], "give --grid"),
    (["--levers", "exits.p_job", "--sample", "lhs", "--n", "2"], "not a lever"),
    (["--grid", "caseworkers.caseload=40,80", "--set", "caseworkers.caseload=60"],
     "set with --set and swept too"),
    (["--grid", "caseworkers.caseload=40", "--reps", "0"], "need at least 1"),
])
def test_bad_sweeps_exit_2_before_anything_runs(tmp_path, capsys, argv, message):
    out = tmp_path / "never"
    code, _, stderr = run_cli(capsys, "sweep", "baseline", *argv, *QUICK, "--out", out)
    assert code == 2
    assert message in stderr
    assert not out.exists()


def test_points_that_do_not_fit_together_fail_clearly_and_keep_finished_runs(tmp_path, capsys):
    out = tmp_path / "misfit"
    code, _, stderr = run_cli(capsys, "sweep", "baseline", "--grid",
                              "population.n_citizens=300,1", "--weeks", "5", "--workers", "0",
                              "--set", "population.n_jobcentres=2", "--out", out)
    assert code == 2
    assert "run 1 failed: ParameterError" in stderr and "population.n_citizens=1" in stderr
    assert [p.name for p in (out / "runs").iterdir()] == ["run-000000.json"]


def test_resume_takes_the_plan_from_the_folder_only(tmp_path, capsys):
    out = tmp_path / "grid"
    code, _, _ = run_cli(capsys, "sweep", "baseline", "--grid", "caseworkers.caseload=40,80",
                         *QUICK, "--out", out)
    assert code == 0
    code, _, stderr = run_cli(capsys, "sweep", "--resume", out, "--reps", "3")
    assert code == 2 and "drop --reps" in stderr
    code, _, stderr = run_cli(capsys, "compare", "--resume", out)
    assert code == 2 and "a sweep folder" in stderr
    code, _, stderr = run_cli(capsys, "sweep", "--resume", tmp_path / "nothing")
    assert code == 2 and "no plan.json there" in stderr
    code, _, stderr = run_cli(capsys, "sweep", "--resume", out, "--workers", "0")
    assert code == 0 and "0 to run, 2 done before" in stderr  # finished: outputs remade


def test_resume_refuses_changed_model_code(tmp_path, capsys):
    out = tmp_path / "grid"
    assert run_cli(capsys, "sweep", "baseline", "--grid", "caseworkers.caseload=40,80",
                   *QUICK, "--out", out)[0] == 0
    plan = json.loads((out / "plan.json").read_text())
    plan["fingerprint"] = "0" * 16
    (out / "plan.json").write_text(json.dumps(plan))
    code, _, stderr = run_cli(capsys, "sweep", "--resume", out)
    assert code == 2 and "model code has changed" in stderr
