"""``bipsim compare ... --alt LABEL:KEY=VALUE,...``: an alternative made on the command
line is the scenario file it stands for, bit for bit; and a comparison printed and
written the Danish way (``--locale da``, ``--excel-csv``). Bad ``--alt`` values are in
the fault corpus (``fault_corpus.py``)."""

from __future__ import annotations

import io
import json
import re
import textwrap

import pandas as pd
import pytest
from experiment_helpers import SMALL, results, run_cli

from bipsim.experiments.alternatives import parse_alternative
from bipsim.experiments.plan import Plan
from bipsim.scenario import Override, ScenarioError

#: Small and short; parameter uncertainty on, so the draws must agree too.
QUICK = ("--weeks", "10", "--reps", "2", "--workers", "0", "--seed", "5", *SMALL)
BOTH = "caseworkers.caseload=40,interventions.placement_timing=early"


def test_an_alternative_splits_its_changes_at_commas_before_a_key():
    alt = parse_alternative(f"both:{BOTH}")
    assert alt.label == "both"
    assert alt.changes == (Override("caseworkers.caseload", 40, "--alt both"),
                           Override("interventions.placement_timing", "early", "--alt both"))
    # a comma not followed by group.name= belongs to the value (refused when loaded)
    assert parse_alternative("x:caseworkers.caseload=4,0").changes[0].value == "4,0"
    with pytest.raises(ScenarioError, match="label before ':' is empty"):
        parse_alternative(" :caseworkers.caseload=40")


def test_an_alternative_is_bit_identical_to_the_scenario_file_it_stands_for(tmp_path, capsys):
    """Same seeds, same draws (what the alternative sets is held, not drawn), same
    outcomes in every run and the same tables, with parameter uncertainty on."""
    (tmp_path / "both.yaml").write_text(textwrap.dedent("""\
        extends: baseline
        caseworkers:
          caseload: 40
        interventions:
          placement_timing: early
        """), encoding="utf-8")
    from_file, from_alt = tmp_path / "file", tmp_path / "alt"
    code, _, err = run_cli(capsys, "compare", "baseline", tmp_path / "both.yaml", *QUICK,
                           "--out", from_file)
    assert code == 0, err
    code, _, err = run_cli(capsys, "compare", "baseline", "--alt", f"both:{BOTH}", *QUICK,
                           "--out", from_alt)
    assert code == 0, err
    pd.testing.assert_frame_equal(results(from_alt), results(from_file), check_exact=True)
    assert (results(from_alt)["uncertainty"] == "parameters").any()
    for name in ("differences.csv", "outcomes.csv", "costs.csv", "worlds.csv"):
        assert (from_alt / name).read_bytes() == (from_file / name).read_bytes(), name
    file_plan, alt_plan = (Plan.from_json((f / "plan.json").read_text()) for f in
                           (from_file, from_alt))
    assert alt_plan.runs == file_plan.runs  # seeds, draws and scenario labels
    assert alt_plan.scenarios["both"]["params"] == file_plan.scenarios["both"]["params"]
    assert alt_plan.design["uncertainty"] == file_plan.design["uncertainty"]


def test_alternatives_mix_with_scenarios_and_are_recorded_for_resume(tmp_path, capsys):
    out = tmp_path / "mixed"
    code, stdout, err = run_cli(capsys, "compare", "baseline", "early_placement", "--alt",
                                "caseload40:caseworkers.caseload=40", "--alt", f"both:{BOTH}",
                                *QUICK, "--uncertainty", "chance", "--out", out)
    assert code == 0, err
    assert "baseline vs early_placement, caseload40, both" in err
    table = results(out)
    assert list(dict.fromkeys(table["scenario"])) == ["baseline", "early_placement",
                                                      "caseload40", "both"]
    assert table.groupby("replicate")["seed"].nunique().eq(1).all()  # the same seeds
    assert "caseload40 - baseline" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    both = manifest["plan"]["scenarios"]["both"]
    assert both["overrides"] == ["population.n_citizens=300", "population.n_jobcentres=2",
                                 "run.weeks=10", "caseworkers.caseload=40.0",
                                 'interventions.placement_timing="early"']
    assert both["description"] == ("baseline with caseworkers.caseload=40, "
                                   "interventions.placement_timing=early (--alt both).")
    assert "--alt" in manifest["command"]
    plan = Plan.from_json((out / "plan.json").read_text())
    assert plan.scenarios["caseload40"]["params"]["caseload"] == 40
    assert plan.scenarios["caseload40"]["files"] == plan.scenarios["baseline"]["files"]

    # a resumed comparison takes its alternatives from the plan: same results
    before = results(out)
    for run in sorted((out / "runs").glob("run-*.json"))[-3:]:
        run.unlink()
    code, _, err = run_cli(capsys, "compare", "--resume", out, "--workers", "0")
    assert code == 0, err
    assert "3 to run" in err
    pd.testing.assert_frame_equal(results(out), before, check_exact=True)


def test_a_comparison_in_danish_with_excel_csv(tmp_path, capsys):
    """``--locale da`` changes what people read (printout, summary.txt, report), never
    the CSV files; ``--excel-csv`` adds ``*.da.csv`` copies Excel reads as numbers."""
    english, danish = tmp_path / "en", tmp_path / "da"
    argv = ("compare", "baseline", "--alt", "caseload40:caseworkers.caseload=40", *QUICK,
            "--uncertainty", "chance")
    code, en_out, err = run_cli(capsys, *argv, "--out", english)
    assert code == 0, err
    code, da_out, err = run_cli(capsys, *argv, "--locale", "da", "--excel-csv", "--out", danish)
    assert code == 0, err
    assert "mio. DKK" in en_out and "mio. DKK" not in da_out
    assert re.search(r"\d+\.\d{3},\d\d mio\. kr\.|\d+,\d\d mio\. kr\.", da_out)
    assert re.search(r"\d,\d % \(\d+,\d to \d+,\d\)", da_out)  # a share: 7,6 % (4,4 to 10,7)
    assert "pct.-point" in da_out and " pp " not in da_out
    assert re.search(r"\d\.\d\d mio\. DKK", en_out)  # English unchanged
    summary = (danish / "summary.txt").read_text(encoding="utf-8")
    assert "mio. kr." in summary and "mio. DKK" not in summary
    html = (danish / "report.html").read_text(encoding="utf-8")
    assert "mio. kr." in html and '<td class="num">' in html
    manifest = json.loads((danish / "manifest.json").read_text())
    assert manifest["locale"] == "da" and manifest["excel_csv"] is True
    for name in ("results.csv", "outcomes.csv", "differences.csv", "costs.csv"):
        assert (danish / name).read_bytes() == (english / name).read_bytes(), name
        excel = pd.read_csv(danish / name.replace(".csv", ".da.csv"), sep=";", decimal=",")
        pd.testing.assert_frame_equal(excel, pd.read_csv(danish / name), check_exact=True)
    assert not list(english.glob("*.da.csv"))


def test_run_reads_the_locale_setting(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BIPSIM_LOCALE", "da")
    out = tmp_path / "run"
    code, stdout, err = run_cli(capsys, "run", "baseline", "--weeks", "5", *SMALL, "--no-plots",
                                "--excel-csv", "--out", out)
    assert code == 0, err
    assert "mio. kr." in stdout and "mio. DKK" not in stdout
    assert json.loads((out / "manifest.json").read_text())["locale"] == "da"
    weekly = pd.read_csv(out / "weekly.csv")
    excel = pd.read_csv(io.BytesIO((out / "weekly.da.csv").read_bytes()), sep=";", decimal=",")
    pd.testing.assert_frame_equal(excel, weekly, check_exact=True)
    code, stdout, _ = run_cli(capsys, "run", "baseline", "--weeks", "5", *SMALL, "--no-plots",
                              "--locale", "en", "--out", tmp_path / "en")
    assert code == 0 and "mio. DKK" in stdout  # the flag wins over the setting
