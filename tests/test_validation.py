"""``bipsim validate``: the criteria file, statistics and verdicts, the command."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml
from experiment_helpers import run_cli

from bipsim.scenario import ScenarioError
from bipsim.validation.criteria import CRITERIA_FILE, Pattern, load_criteria
from bipsim.validation.experiment import plan_validation, quantity, verdict, world_value


def test_the_shipped_criteria_load_and_name_a_source_and_rule_for_every_pattern():
    criteria = load_criteria()
    assert len(criteria.patterns) >= 5
    for pattern in criteria.patterns:
        assert pattern.source and pattern.definition and pattern.criterion_text
    plan = plan_validation(criteria, reps=2)
    arms = sum(len(a) for a in criteria.experiments.values())
    assert len(plan.runs) == 2 * arms
    assert plan.design["uncertainty"]["mode"] == "parameters"
    # arms of one experiment share each world's draws except what the arm sets
    first, second = [r for r in plan.runs
                     if r.replicate == 0 and r.scenario.startswith("placement/")]
    assert first.seed == second.seed
    shared = set(first.draws) & set(second.draws)
    assert shared and all(first.draws[k] == second.draws[k] for k in shared)


def _write(tmp_path, text):
    path = tmp_path / "criteria.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("design"), "missing key 'design'"),
    (lambda d: d["experiments"]["e"].update({"b": {"caseworkers.casload": 40}}),
     "unknown parameter"),
    (lambda d: d["patterns"][0]["statistic"].update(kind="ratio"), "statistic kind"),
    (lambda d: d["patterns"][0]["statistic"].update(alt="nosuch"), "not an arm"),
    (lambda d: d["patterns"][0].update(criterion={"mean_above": 0}), "criterion rules"),
])
def test_a_bad_criteria_file_is_refused_with_its_key(tmp_path, change, message):
    data = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    data["experiments"] = {"e": {"a": {}, "b": {"caseworkers.caseload": 40}}}
    data["patterns"] = [dict(data["patterns"][0], experiment="e",
                             statistic={"kind": "relative", "quantity": "jobs",
                                        "window": [0, 4], "alt": "b", "ref": "a"})]
    change(data)
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_criteria(path)


def _series(jobs, on_benefit, meetings, cost):
    return pd.DataFrame({"cum_job": np.cumsum(jobs), "n_on_benefit": on_benefit,
                         "new_meetings": meetings, "cum_cost_dkk": np.cumsum(cost)})


def test_quantities_and_statistics_on_known_series():
    ref = _series([0, 1, 1, 1, 1], [10, 10, 10, 10, 10], [0, 2, 2, 2, 2], [0, 5, 5, 5, 5])
    alt = _series([0, 2, 2, 2, 2], [10, 9, 9, 9, 9], [0, 4, 4, 4, 4], [0, 6, 6, 6, 6])
    assert quantity(ref, "jobs", [0, 4]) == 4 and quantity(alt, "jobs", [1, 3]) == 4
    assert quantity(alt, "benefit", [0, 4]) == 36 and quantity(ref, "meetings", [0, 2]) == 4
    assert quantity(alt, "cost", [0, 4]) == 24
    series = {("e/alt", 0): alt, ("e/ref", 0): ref}

    def pattern(**statistic):
        return Pattern("V", "n", "s", "d", "e", {"alt": "alt", "ref": "ref", **statistic},
                       {}, "")
    assert world_value(pattern(kind="relative", quantity="jobs", window=[0, 4]),
                       series, 0, 10) == pytest.approx(1.0)
    assert world_value(pattern(kind="share", quantity="jobs", window=[0, 4]),
                       series, 0, 10) == pytest.approx(0.4)
    assert world_value(pattern(kind="difference", quantity="cost", window=[0, 4]),
                       series, 0, 10) == pytest.approx(4)
    # benefit 40 vs 36 (+11.1 %) for 8 meetings fewer over 10 citizens
    assert world_value(pattern(kind="per_meeting", window=[0, 4]), series, 0, 10) == \
        pytest.approx((40 / 36 - 1) / 0.8)
    assert world_value(pattern(kind="later_minus_earlier", quantity="jobs", earlier=[0, 2],
                               later=[2, 4]), series, 0, 10) == pytest.approx(0.0)


def test_verdicts_need_every_rule_and_every_world():
    p = Pattern("V", "n", "s", "d", "e", {}, {"median_between": [0, 0.1],
                                             "share_above": {"value": 0, "at_least": 0.8}}, "")
    assert verdict(p, np.array([0.05, 0.02, 0.08, 0.01, 0.04]))["passed"]
    assert not verdict(p, np.array([0.05, -0.02, -0.01, 0.01, 0.04]))["passed"]  # 60 % > 0
    assert not verdict(p, np.array([0.2, 0.3, 0.15, 0.12, 0.4]))["passed"]       # median
    assert not verdict(p, np.array([0.05, 0.02, math.nan, 0.01, 0.04]))["passed"]  # undefined


def test_validate_writes_a_report_of_every_pattern(tmp_path, capsys):
    criteria = _write(tmp_path, """\
        version: 1
        design: {base: trainer_jobcentre, set: [run.weeks=30, population.n_citizens=200],
                 reps: 3, seed: 5, uncertainty: parameters}
        experiments:
          caseload:
            high: {caseworkers.caseload: 150}
            low: {caseworkers.caseload: 40}
        patterns:
          - id: T1
            name: lower caseload, more job entries
            source: test
            definition: relative job entries
            experiment: caseload
            statistic: {kind: relative, quantity: jobs, window: [0, 30], alt: low, ref: high}
            criterion: {share_above: {value: -100.0, at_least: 0.5}}
            criterion_text: anything
        """)
    out = tmp_path / "val"
    code, stdout, stderr = run_cli(capsys, "validate", "--criteria", criteria, "--workers",
                                   "0", "--out", out)
    assert code == 0, stderr
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| T1 |" in report and "pass" in report and "written and committed" in report
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert verdicts.loc[0, "n_worlds"] == 3 and bool(verdicts.loc[0, "passed"])
    assert len(pd.read_csv(out / "values.csv")) == 3
    assert "Validation against published patterns" in stdout


def test_validate_takes_no_set_or_weeks_the_criteria_fix_them(tmp_path, capsys):
    code, _, stderr = run_cli(capsys, "validate", "--weeks", "10", "--out", tmp_path / "v")
    assert code == 2 and "--weeks" in stderr
    assert not (tmp_path / "v").exists()
