"""``bipsim compare``: paired statistics, common random numbers, outputs, errors."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import SMALL, cost_only_alternative, results, run_cli
from scipy import stats

from bipsim import formatting
from bipsim.experiments.compare import plan_compare
from bipsim.experiments.plan import replicate_seeds
from bipsim.experiments.report import html_table
from bipsim.experiments.stats import Interval, fieller_ratio, mean_interval, paired_difference
from bipsim.outcomes import OUTCOMES
from bipsim.scenario import ScenarioError, load_scenario

#: 60 weeks, so the 12-month job outcome is defined; chance only (parameter
#: uncertainty is tested in test_uncertainty.py).
COMPARE = ("--weeks", "60", "--reps", "3", "--workers", "0", "--uncertainty", "chance", *SMALL)


# --- statistics ----------------------------------------------------------------------
def test_mean_interval_is_the_student_t_interval():
    x = np.array([3.1, 2.7, 3.9, 3.3, 2.2, 3.0])
    iv = mean_interval(x)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert iv.mean == pytest.approx(x.mean())
    assert (iv.low, iv.high) == pytest.approx((low, high))
    assert iv.n == 6


def test_mean_interval_leaves_out_undefined_values_and_needs_two():
    assert mean_interval(np.array([1.0, np.nan, 3.0])).n == 2
    one = mean_interval(np.array([5.0]))
    assert one.mean == 5.0 and math.isnan(one.low) and math.isnan(one.high)
    assert math.isnan(mean_interval(np.array([])).mean)


def test_paired_difference_of_a_constant_shift_is_exact():
    base = np.array([10.0, 14.0, 9.0, 20.0])
    d = paired_difference(base + 3.0, base)
    assert (d.mean, d.low, d.high) == (3.0, 3.0, 3.0)
    assert d.excludes_zero


def test_fieller_ratio_of_proportional_pairs_is_exact():
    den = np.array([4.0, 6.0, 5.0, 7.0, 3.0])
    ratio = fieller_ratio(2.5 * den, den)
    assert ratio.bounded
    assert (ratio.estimate, ratio.low, ratio.high) == pytest.approx((2.5, 2.5, 2.5))


def test_fieller_ratio_is_unbounded_when_the_denominator_may_be_zero():
    den = np.array([1.0, -1.0, 2.0, -2.0, 0.5])
    ratio = fieller_ratio(np.array([5.0, 3.0, 4.0, 6.0, 5.0]), den)
    assert not ratio.bounded
    assert math.isnan(ratio.low) and math.isnan(ratio.high)


def test_fieller_interval_covers_the_true_ratio_95_percent_of_the_time():
    """Coverage over M simulated data sets of n pairs (seed 2024). The coverage estimate
    has binomial standard error sqrt(0.95 * 0.05 / M) = 0.0049 at M = 2000; the test
    allows four standard errors."""
    rng = np.random.default_rng(2024)
    m, n, true_ratio = 2000, 10, 3.0
    covered = 0
    for _ in range(m):
        den = rng.normal(5.0, 2.0, n)
        num = true_ratio * den + rng.normal(0.0, 4.0, n)
        ratio = fieller_ratio(num, den)
        covered += ratio.bounded and ratio.low <= true_ratio <= ratio.high
    se = math.sqrt(0.95 * 0.05 / m)
    assert abs(covered / m - 0.95) < 4 * se


# --- plan ------------------------------------------------------------------------------
def test_replicate_seeds_are_fixed_distinct_and_extend():
    seeds = replicate_seeds(1, 20)
    assert seeds == replicate_seeds(1, 20)
    assert len(set(seeds)) == 20
    assert replicate_seeds(1, 5) == seeds[:5]  # more replicates extend fewer
    assert not set(replicate_seeds(2, 20)) & set(seeds)  # nearby bases share nothing


def test_every_scenario_runs_the_same_seeds():
    scenarios = [load_scenario("baseline"), load_scenario("early_placement")]
    plan = plan_compare(scenarios, reps=4, seed=9, uncertainty="chance")
    by_scenario = {label: [r.seed for r in plan.runs if r.scenario == label]
                   for label in plan.scenarios}
    assert by_scenario["baseline"] == by_scenario["early_placement"] == replicate_seeds(9, 4)
    assert [r.run_id for r in plan.runs] == list(range(8))


@pytest.mark.parametrize(("names", "reps", "overrides", "message"), [
    (["baseline"], 3, [], "at least one alternative"),
    (["baseline", "early_placement"], 1, [], "at least 2 replicates"),
])
def test_plan_refuses_what_cannot_give_paired_intervals(names, reps, overrides, message):
    with pytest.raises(ScenarioError, match=message):
        plan_compare([load_scenario(n, overrides) for n in names], reps=reps, seed=1)


def test_plan_refuses_scenarios_of_different_lengths():
    short = load_scenario("early_placement", ["run.weeks=52"])
    with pytest.raises(ScenarioError, match="different numbers of weeks"):
        plan_compare([load_scenario("baseline"), short], reps=3, seed=1)


# --- formatting ------------------------------------------------------------------------
def test_formatting_shows_units_once_and_signs_differences():
    share = Interval(0.051, 0.049, 0.053, 0.001, 5)
    assert formatting.level("share_job_12m", share) == "5.1 % (4.9 to 5.3)"
    shift = Interval(0.003, 0.001, 0.005, 0.001, 5)
    assert formatting.difference("share_job_12m", shift) == "+0.3 pp (+0.1 to +0.5)"
    cost = Interval(3.57e9, 3.50e9, 3.64e9, 1e7, 5)
    assert formatting.level("total_cost_dkk", cost) == "3,570.00 mio. DKK (3,500.00 to 3,640.00)"
    assert formatting.level("exits_job", Interval(2371.4, 2300, 2440, 5, 5)) == \
        "2,371 (2,300 to 2,440)"


def test_one_formatter_for_values_spreads_and_intervals():
    """The run summary (value), the scenario table (spread) and the reports (level)
    show an outcome with the same unit and scale."""
    assert formatting.value("share_job_12m", 0.068) == "6.8 %"
    assert formatting.spread("share_job_12m", 0.068, 0.002) == "6.8 ± 0.2 %"
    assert formatting.value("total_cost_dkk", 2.64e6) == "2.64 mio. DKK"
    assert formatting.spread("total_cost_dkk", 2.64e6, 5e4) == "2.64 ± 0.05 mio. DKK"
    assert formatting.level("total_cost_dkk", Interval(2.64e6, 2.6e6, 2.7e6, 1, 5)) == \
        "2.64 mio. DKK (2.60 to 2.70)"
    assert formatting.value("exits_job", 3205) == "3,205"
    assert formatting.value("share_of_exits_job", None) == "-"
    assert formatting.value("share_of_exits_job", float("nan")) == "-"


# --- the command, end to end -------------------------------------------------------------
def test_compare_writes_paired_tables_plots_report_and_manifest(tmp_path, capsys):
    out = tmp_path / "cmp"
    code, stdout, stderr = run_cli(capsys, "compare", "baseline", "early_placement",
                                   *COMPARE, "--seed", "7", "--out", out)
    assert code == 0, stderr
    for name in ("plan.json", "results.csv", "results.parquet", "weekly.parquet",
                 "outcomes.csv", "differences.csv", "costs.csv", "summary.txt",
                 "over_time.png", "differences.png", "report.html", "manifest.json"):
        assert (out / name).is_file(), name
    table = results(out)
    assert len(table) == 6
    assert list(table.columns) == ["run_id", "scenario", "replicate", "seed", "uncertainty",
                                   *OUTCOMES]
    assert table.groupby("replicate")["seed"].nunique().eq(1).all()  # shared seeds
    assert sorted(set(table["seed"])) == sorted(replicate_seeds(7, 3))

    # each difference is the mean of the replicate-by-replicate differences
    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    wide = table.pivot(index="replicate", columns="scenario", values="exits_job")
    paired = wide["early_placement"] - wide["baseline"]
    assert diffs.loc["exits_job", "chance_mean"] == pytest.approx(paired.mean())
    half = stats.t.ppf(0.975, 2) * paired.std(ddof=1) / math.sqrt(3)
    assert diffs.loc["exits_job", "chance_high"] == pytest.approx(paired.mean() + half)

    assert "Difference to baseline, paired over the same 3 seeds" in stdout
    assert "Cost per extra job entry" in stdout
    assert "6 to run on this process" in stderr

    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 2
    assert not re.search(r'(src|href)="(https?:|//|file:)', html)  # self-contained
    assert "early_placement" in html and "Cost per extra job entry" in html
    assert "lever: interventions.placement_timing" in html  # read from the table's roles
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plan"]["seeds"] == replicate_seeds(7, 3)
    assert manifest["code_fingerprint"]
    assert manifest["libraries"]["SALib"] and manifest["libraries"]["distributed"]


def test_a_lever_without_behaviour_changes_only_costs(tmp_path, capsys):
    """Common random numbers: an alternative that differs only in the benefit rate has
    exactly the baseline's exits in every replicate, so every behavioural difference is
    exactly 0 with a zero-width interval; only the cost differs."""
    dearer = cost_only_alternative(tmp_path)
    out = tmp_path / "cmp"
    code, _, stderr = run_cli(capsys, "compare", "baseline", dearer, *COMPARE, "--out", out)
    assert code == 0, stderr
    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    for name in ("exits_job", "exits_education", "mean_weeks_on_benefit", "share_passive"):
        assert diffs.loc[name, ["chance_mean", "chance_low", "chance_high"]].tolist() == \
            [0.0, 0.0, 0.0], name
    assert diffs.loc["total_cost_dkk", "chance_low"] > 0
    costs = pd.read_csv(out / "costs.csv")
    assert "not distinguishable from 0" in costs.loc[0, "reading"]


def test_a_scenario_compared_with_itself_differs_by_nothing(tmp_path, capsys):
    out = tmp_path / "self"
    code, _, stderr = run_cli(capsys, "compare", "baseline", "baseline", "--weeks", "10",
                              "--reps", "2", "--workers", "0", *SMALL, "--out", out)
    assert code == 0, stderr
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs["alternative"]) == {"baseline#2"}
    for column in ("chance_mean", "parameters_mean", "parameters_low", "parameters_high"):
        assert (diffs[column].fillna(0) == 0).all(), column


@pytest.mark.parametrize(("argv", "message"), [
    (["baseline", "early_placement", "--reps", "1"], "at least 2 replicates"),
    (["baseline"], "at least one alternative"),
    (["baseline", "nosuch"], "no scenario named 'nosuch'"),
    (["baseline", "early_placement", "--set", "caseworkers.caseload=1"], "out of range"),
    (["baseline", "early_placement", "--workers", "-1"], "--workers: given -1"),
])
def test_bad_input_exits_non_zero_and_writes_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "never"
    code, _, stderr = run_cli(capsys, "compare", *argv, "--weeks", "5", "--out", out)
    assert code in (1, 2)
    assert message in stderr
    assert not out.exists()


def test_report_tables_escape_cells_and_align_numbers_right():
    frame = pd.DataFrame({"outcome": ["<script>x</script>"],
                          "baseline": ["5.1 % (4.9 to 5.3)"], "note": ["more job entries"]})
    html = html_table(frame)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<td class="num">5.1 % (4.9 to 5.3)</td>' in html
    assert '<td class="txt">more job entries</td>' in html
