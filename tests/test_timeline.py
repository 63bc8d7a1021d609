"""Reforms on a date (``timeline:``): when changes act, phase-in, common random numbers,
how timelines combine with ``extends`` and ``--set``, and what runs and compares record."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml
from experiment_helpers import SMALL, run_cli

from bipsim.model import BipModel
from bipsim.parameters import ParameterError
from bipsim.scenario import ScenarioError, load_scenario
from bipsim.timeline import Timeline

#: A small system, 60 weeks: enough for a reform at week 20 to show.
TINY = {"n_citizens": 800, "n_jobcentres": 2, "weeks": 60}
REFORM_WEEK = 20
REFORM = [{"from_week": REFORM_WEEK, "phase_in_weeks": 8,
           "set": {"interventions.placement_timing": "early",
                   "interventions.company_slots_per_100": 24,
                   "caseworkers.expectations_training": 0.5}}]


def _values_by_week(timeline: list[dict], names: list[str], weeks: int = 40,
                    **params) -> dict[str, list]:
    """The value in use of each lever in weeks 1..weeks (after the timeline applied)."""
    model = BipModel(seed=3, timeline=timeline, **{**TINY, **params})
    seen: dict[str, list] = {name: [] for name in names}
    for _ in range(weeks):
        model.step()
        for name in names:
            seen[name].append(model.p[name])
    return seen


def _write(path, text: str):
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- when and how much --------------------------------------------------------------------
def test_a_number_phases_in_linearly_week_by_week():
    """12 -> 24 over 4 weeks from week 10: a quarter of the way in week 10, the target
    in week 13, and the derived company places recounted by set_lever every week."""
    timeline = [{"from_week": 10, "phase_in_weeks": 4,
                 "set": {"interventions.company_slots_per_100": 24}}]
    model = BipModel(seed=3, timeline=timeline, **TINY)
    per_100, places = [], []
    for _ in range(16):
        model.step()
        per_100.append(model.p["company_slots_per_100"])
        places.append(int(model.jobcentres.company_slots.sum()))
    assert per_100 == [12.0] * 9 + [15.0, 18.0, 21.0, 24.0] + [24.0] * 3
    # the build's own arithmetic (population.company_slots), re-derived on each change
    assert places[8] == round(0.12 * 400) * 2 and places[12] == round(0.24 * 400) * 2
    assert places[9] == round(0.15 * 400) * 2


def test_an_integer_lever_takes_the_nearest_integer_and_a_choice_switches_at_once():
    timeline = [{"from_week": 5, "phase_in_weeks": 4,
                 "set": {"meetings.interval": 2, "interventions.placement_timing": "early"}}]
    seen = _values_by_week(timeline, ["interval", "placement_timing"], weeks=10)
    # 4 -> 2 over 4 weeks: 3.5, 3, 2.5, 2 rounded halves up
    assert seen["interval"] == [4, 4, 4, 4, 4, 3, 3, 2, 2, 2]
    assert seen["placement_timing"] == ["staircase"] * 4 + ["early"] * 6


def test_changes_of_one_lever_follow_each_other_from_the_value_reached():
    timeline = [{"from_week": 3, "set": {"caseworkers.expectations_training": 1.0}},
                {"from_week": 6, "phase_in_weeks": 2,
                 "set": {"caseworkers.expectations_training": 0.0}}]
    seen = _values_by_week(timeline, ["expectations_training"], weeks=8)
    assert seen["expectations_training"] == [0.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]


# --- common random numbers ----------------------------------------------------------------
def test_before_the_reform_everything_is_bit_identical_and_after_it_differs():
    """Seed 5: weekly series and every citizen's state equal, array for array, up to
    the week before the reform; from its week on the runs part."""
    with_reform = BipModel(seed=5, timeline=REFORM, **TINY)
    without = BipModel(seed=5, **TINY)
    for _ in range(REFORM_WEEK - 1):
        with_reform.step()
        without.step()
    for model in (with_reform, without):
        assert model.week == REFORM_WEEK - 1
    a, b = with_reform.citizens.all_columns(), without.citizens.all_columns()
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    np.testing.assert_array_equal(with_reform.caseworkers.optimism, without.caseworkers.optimism)
    with_reform.run()
    without.run()
    wa, wb = with_reform.weekly(), without.weekly()
    before = slice(0, REFORM_WEEK)  # rows of weeks 0 .. REFORM_WEEK - 1
    pd.testing.assert_frame_equal(wa.iloc[before], wb.iloc[before])
    after = wa.iloc[REFORM_WEEK:].reset_index(drop=True)
    differs = (after != wb.iloc[REFORM_WEEK:].reset_index(drop=True)).any(axis=1)
    assert differs.iloc[0], "the reform acts in its own week"
    assert wa["cum_company_starts"].iloc[-1] > wb["cum_company_starts"].iloc[-1]
    assert with_reform.weekly()["week"].iloc[REFORM_WEEK] == REFORM_WEEK


def test_a_timeline_without_any_change_in_value_changes_nothing():
    """Setting a lever to the value it already has is no reform: identical runs."""
    same = [{"from_week": 3, "phase_in_weeks": 5, "set": {"meetings.interval": 4}}]
    a = BipModel(seed=2, timeline=same, **TINY)
    b = BipModel(seed=2, **TINY)
    assert a.reforms == {}
    a.run(10)
    b.run(10)
    pd.testing.assert_frame_equal(a.weekly(), b.weekly())


# --- the scenario file -----------------------------------------------------------------
def test_a_date_acts_from_the_first_week_beginning_on_or_after_it(tmp_path):
    path = _write(tmp_path / "dated.yaml", """\
        extends: baseline
        start_date: 2026-01-05
        timeline:
          - from: 2027-01-04
            set: {caseworkers.expectations_training: 0.5}
          - from: 2026-01-06
            set: {meetings.interval: 3}
        """)
    scenario = load_scenario(path)
    assert [c.from_week for c in scenario.timeline.changes] == [53, 2]
    assert scenario.timeline.first_week == 2
    assert scenario.start_date == "2026-01-05"


def test_timelines_join_across_extends_and_set_changes_the_value_before(tmp_path):
    _write(tmp_path / "first.yaml", """\
        extends: baseline
        timeline:
          - from_week: 10
            set: {interventions.placement_timing: early}
        """)
    child = _write(tmp_path / "child.yaml", """\
        extends: first
        timeline:
          - from_week: 30
            phase_in_weeks: 10
            set: {interventions.company_slots_per_100: 30}
        """)
    scenario = load_scenario(child, ["interventions.company_slots_per_100=20"])
    assert [(c.from_week, c.file) for c in scenario.timeline.changes] == [
        (10, str(tmp_path / "first.yaml")), (30, str(child))]
    assert scenario.params["company_slots_per_100"] == 20.0  # the value before the reform
    schedule = scenario.timeline.schedule(scenario.params)
    assert schedule[30] == {"company_slots_per_100": 21.0}  # 20 -> 30 over 10 weeks
    assert schedule[39] == {"company_slots_per_100": 30.0}


def test_the_resolved_scenario_loads_back_with_the_same_timeline(tmp_path):
    scenario = load_scenario("reform_from_2027")
    path = tmp_path / "resolved.yaml"
    path.write_text(yaml.safe_dump(scenario.nested(), sort_keys=False), encoding="utf-8")
    again = load_scenario(path)
    assert again.params == scenario.params
    assert [(c.from_week, c.phase_in_weeks, c.values) for c in again.timeline.changes] == [
        (c.from_week, c.phase_in_weeks, c.values) for c in scenario.timeline.changes]


@pytest.mark.parametrize(("text", "overrides", "expect"), [
    ("- from_week: 40\n  set: {meetings.interval: 2}\n", ["run.weeks=30"],
     ["line 3", "timeline.from_week", "beyond the run's 30 weeks", "--set"]),
    ("- from_week: 25\n  phase_in_weeks: 10\n  set: {meetings.interval: 2}\n",
     ["run.weeks=30"], ["line 3", "weeks 25-34", "by week 30"]),
    ("- from_week: 5\n  phase_in_weeks: 5\n  set: {meetings.interval: 2}\n"
     "- from_week: 9\n  set: {meetings.interval: 3}\n", [],
     ["line 6", "timeline.set.meetings.interval", "overlaps the change from week 5 to week 9",
      "s.yaml:3", "from week 10 on"]),
])
def test_what_only_the_whole_scenario_shows_is_refused_with_its_line(tmp_path, text,
                                                                      overrides, expect):
    path = _write(tmp_path / "s.yaml", "extends: baseline\ntimeline:\n")
    path.write_text(path.read_text() + textwrap.indent(text, "  "), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, overrides)
    for part in expect:
        assert part in str(err.value), (part, str(err.value))


def test_python_timelines_are_checked_like_scenario_ones():
    with pytest.raises(ParameterError, match=r"population\.n_citizens: not a lever"):
        BipModel(timeline=[{"from_week": 2, "set": {"population.n_citizens": 400}}], **TINY)
    with pytest.raises(ParameterError, match="beyond the run's 60 weeks"):
        BipModel(timeline=[{"from_week": 61, "set": {"meetings.interval": 2}}], **TINY)
    with pytest.raises(ParameterError, match="from_week: given 0"):
        Timeline.from_plain([{"from_week": 0, "set": {"meetings.interval": 2}}])


# --- what a run and a comparison show ------------------------------------------------------
def test_a_run_records_the_timeline_and_marks_the_reform(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, stderr = run_cli(capsys, "run", "reform_from_2027", "--weeks", "80", *SMALL,
                              "--out", out)
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    for record in (summary, manifest):
        assert record["reform_from_week"] == 53
        assert record["start_date"] == "2026-01-05"
        assert record["timeline"][0]["from"] == "2027-01-04"
        assert record["timeline"][0]["set"]["interventions.placement_timing"] == "early"
    resolved = yaml.safe_load((out / "scenario.yaml").read_text())
    assert resolved["timeline"][0]["from_week"] == 53
    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == 81
    for name in ("stock_and_exits.png", "caseworker_changes.png"):
        assert (out / name).stat().st_size > 10_000


def test_params_shows_the_values_before_the_reform_and_lists_it(capsys):
    code, stdout, stderr = run_cli(capsys, "params", "reform_from_2027", "--group", "meetings")
    assert code == 0, stderr
    assert "values above are those before the timeline's dated changes" in stdout
    assert "interventions.company_slots_per_100 12 -> 24 over 26 weeks" in stdout


def test_the_weekly_plots_draw_a_line_at_the_reform():
    from bipsim.plots import REFORM_COLOUR, _stock_and_exits, _weekly_axes, mark_reform

    model = BipModel(seed=1, timeline=REFORM, **{**TINY, "weeks": 30})
    model.run()
    fig = _stock_and_exits(model.weekly(), "t")
    axes = _weekly_axes(fig)
    assert len(axes) == 2
    mark_reform(axes, REFORM_WEEK)
    for ax in axes:
        lines = [line for line in ax.get_lines() if line.get_color() == REFORM_COLOUR]
        assert len(lines) == 1 and lines[0].get_xdata()[0] == REFORM_WEEK - 0.5
        assert any(t.get_text() == f"reform from week {REFORM_WEEK}" for t in ax.texts)


def test_compare_says_from_which_week_the_reform_acts(tmp_path, capsys):
    """Before week 53 each replicate of the reform is its baseline replicate, so the
    paired difference of the weekly stock is exactly 0 there and not after."""
    out = tmp_path / "cmp"
    code, stdout, stderr = run_cli(capsys, "compare", "baseline", "reform_from_2027",
                                   "--weeks", "80", "--reps", "2", "--workers", "0",
                                   "--uncertainty", "chance", *SMALL, "--out", out)
    assert code == 0, stderr
    assert "Reforms on a date" in stdout and "from week 53 (2027-01-04)" in stdout
    assert "interventions.placement_timing staircase -> early" in stdout
    weekly = pd.read_parquet(out / "weekly.parquet")
    wide = weekly.pivot_table(index=["replicate", "week"], columns="scenario",
                              values="cum_job")
    gap = (wide["reform_from_2027"] - wide["baseline"]).abs().groupby("week").max()
    assert (gap.loc[:52] == 0).all()
    assert (gap.loc[53:] != 0).any()
    plan = json.loads((out / "plan.json").read_text())
    assert plan["scenarios"]["reform_from_2027"]["timeline"][0]["from_week"] == 53
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The reform acts from week 53" in html
