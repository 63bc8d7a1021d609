"""Tests for the ``bipsim`` command line, called in-process through ``main(argv)``.

Runs are small (400 citizens, 2 jobcentres, a few weeks) so the file takes seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from bipsim.cli import main
from bipsim.outcomes import OUTCOMES
from bipsim.scenario import PACKAGE_SCENARIOS, load_scenario

N_CITIZENS = 400
WEEKS = 8
#: A small, fast run of the baseline scenario.
SMALL = ["--weeks", str(WEEKS), "--set", f"population.n_citizens={N_CITIZENS}",
         "--set", "population.n_jobcentres=2"]
BASELINE = str(PACKAGE_SCENARIOS / "baseline.yaml")
PLOTS = ("stock_and_exits.png", "caseworker_changes.png", "indicators_by_intervention.png")
RUN_FILES = ("scenario.yaml", "manifest.json", "weekly.csv", "citizens.parquet",
             "survey.parquet", "summary.json", "summary.txt")
FOLDER_NAME = re.compile(r"^baseline-\d{8}-\d{6}(-\d+)?$")


def write_yaml(folder: Path, name: str, text: str) -> Path:
    """Write a dedented scenario file into ``folder``."""
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """``main(argv)`` in-process; returns (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_small(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> tuple[int, str]:
    """A small baseline run without plots into ``out``; returns (exit code, stdout)."""
    code, stdout, err = run_cli(capsys, "run", "baseline", *SMALL, "--no-plots", "--out", out,
                                *extra)
    assert code == 0, err
    return code, stdout


def assert_complete(folder: Path, plots: bool = False) -> None:
    names = {p.name for p in folder.iterdir()}
    expected = {*RUN_FILES, *(PLOTS if plots else ())}
    assert expected <= names, f"missing: {expected - names}"
    if not plots:
        assert not names & set(PLOTS)


@pytest.fixture
def scen(tmp_path: Path) -> Path:
    """Folder for scenario files written by a test."""
    folder = tmp_path / "scen"
    folder.mkdir()
    return folder


# --- a successful run ---------------------------------------------------------------------
def test_run_writes_complete_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code, stdout, err = run_cli(capsys, "run", "baseline", *SMALL, "--seed", "7", "--out", out)
    assert code == 0, err
    assert_complete(out, plots=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    for name in PLOTS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "baseline"
    assert (summary["seed"], summary["weeks"]) == (7, WEEKS)
    assert set(summary["outcomes"]) == set(OUTCOMES)
    assert set(summary["definitions"]) == set(OUTCOMES)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    assert manifest["weeks"] == WEEKS
    assert manifest["bipsim_version"]
    for lib in ("mesa", "numpy", "pandas", "pyarrow", "pyyaml"):
        assert manifest["libraries"][lib], lib
    assert {"build_s", "run_s", "plots_s"} <= set(manifest["timings_s"])
    assert all(t >= 0 for t in manifest["timings_s"].values())
    assert [Path(f).name for f in manifest["scenario_files"]] == ["baseline.yaml"]
    assert f"population.n_citizens={N_CITIZENS}" in manifest["overrides"]

    resolved = load_scenario(out / "scenario.yaml")
    assert resolved.params["weeks"] == WEEKS
    assert resolved.params["n_citizens"] == N_CITIZENS
    assert resolved.params["n_jobcentres"] == 2
    assert resolved.params["seed"] == 7
    assert resolved.name == "baseline"
    assert resolved.params["caseload"] == load_scenario("baseline").params["caseload"]

    citizens = pd.read_parquet(out / "citizens.parquet")
    assert len(citizens) >= N_CITIZENS
    assert citizens["uid"].is_unique
    assert set(range(N_CITIZENS)) <= set(citizens["uid"])  # the week-0 stock
    assert len(pd.read_parquet(out / "survey.parquet")) > 0

    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == WEEKS + 1
    assert list(weekly["week"]) == list(range(WEEKS + 1))

    saved = (out / "summary.txt").read_text(encoding="utf-8")
    for text in (stdout, saved):
        assert "bipsim run: baseline (seed 7, 8 weeks)" in text
        for key in OUTCOMES:
            assert key in text, key
    assert str(out) in stdout


def test_quiet_prints_nothing_but_writes_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, stdout = run_small(capsys, tmp_path / "run", "--quiet")
    assert stdout == ""
    assert "share_job_12m" in (tmp_path / "run" / "summary.txt").read_text(encoding="utf-8")


def test_no_survey_no_survey_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_small(capsys, tmp_path / "run", "--set", "survey.wave_interval=0", "--quiet")
    assert not (tmp_path / "run" / "survey.parquet").exists()
    assert (tmp_path / "run" / "summary.json").exists()


def test_out_may_be_an_existing_empty_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    run_small(capsys, out, "--quiet")
    assert_complete(out)


def test_default_folders_are_new_and_distinct(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "out"
    for _ in range(2):
        code, _, err = run_cli(capsys, "run", "baseline", *SMALL, "--no-plots", "--quiet",
                               "--outputs", root)
        assert code == 0, err
    folders = sorted(root.iterdir())
    assert len(folders) == 2, folders  # and no hidden staging folder left
    for folder in folders:
        assert FOLDER_NAME.match(folder.name), folder.name
        assert_complete(folder)


# --- refusing to overwrite ----------------------------------------------------------------
def test_out_not_empty_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "earlier"
    out.mkdir()
    (out / "results.csv").write_text("precious", encoding="utf-8")
    code, stdout, err = run_cli(capsys, "run", "baseline", *SMALL, "--no-plots", "--out", out)
    assert code == 2
    assert stdout == ""
    assert str(out) in err
    assert "not an empty folder" in err
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["results.csv"]
    assert (out / "results.csv").read_text(encoding="utf-8") == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["earlier"]


# --- bad input ----------------------------------------------------------------------------
# Each case: scenario files to write into scen/, the argv after "run" ({scen} is the
# folder), and fragments the one error line must contain.
BAD_INPUT = {
    "malformed_yaml": (
        {"bad.yaml": "run:\n  weeks: 8\n\tseed: 3\n"},
        ["{scen}/bad.yaml"],
        ["bad.yaml", "line 3", "invalid YAML"]),
    "missing_file": (
        {},
        ["{scen}/nope.yaml"],
        ["nope.yaml", "file not found", "available scenarios: baseline"]),
    "missing_name": (
        {},
        ["no_such_scenario"],
        ["no scenario named 'no_such_scenario'", "available scenarios: baseline"]),
    "unknown_key": (
        {"typo.yaml": "caseworkers:\n  caseload: 40\n  anual_turnover: 0.1\n"},
        ["{scen}/typo.yaml"],
        ["typo.yaml", "line 3", "caseworkers.anual_turnover", "unknown parameter",
         "did you mean caseworkers.annual_turnover"]),
    "unknown_section": (
        {"section.yaml": "casworkers:\n  caseload: 40\n"},
        ["{scen}/section.yaml"],
        ["section.yaml", "line 1", "casworkers", "unknown section", "did you mean caseworkers"]),
    "wrong_type": (
        {"type.yaml": "run:\n  weeks: 8\ncaseworkers:\n  caseload: forty\n"},
        ["{scen}/type.yaml"],
        ["type.yaml", "line 4", "caseworkers.caseload", "given 'forty'", "not a number",
         "allowed: a number from 5 to 400"]),
    "out_of_range": (
        {"range.yaml": "caseworkers:\n  annual_turnover: 1.5\n"},
        ["{scen}/range.yaml"],
        ["range.yaml", "line 2", "caseworkers.annual_turnover", "given 1.5", "out of range",
         "allowed: a number from 0 to 1"]),
    "bad_choice": (
        {"choice.yaml": "interventions:\n  placement_timing: sometimes\n"},
        ["{scen}/choice.yaml"],
        ["choice.yaml", "line 2", "interventions.placement_timing", "given 'sometimes'",
         "'staircase'", "'early'"]),
    "extends_loop": (
        {"a.yaml": "extends: b.yaml\n", "b.yaml": "run:\n  weeks: 4\nextends: a.yaml\n"},
        ["{scen}/a.yaml"],
        ["b.yaml, line 3", "extends loop", "a.yaml -> ", "b.yaml -> ", "a.yaml"]),
    "extends_missing": (
        {"orphan.yaml": "extends: gone\n"},
        ["{scen}/orphan.yaml"],
        ["orphan.yaml, line 1", "extends", "given 'gone'", "file not found"]),
    "object_tag": (
        {"evil.yaml": 'caseworkers:\n  caseload: !!python/object/apply:os.system '
                      '["touch {scen}/PWNED"]\n'},
        ["{scen}/evil.yaml"],
        ["evil.yaml", "line 2", "caseworkers.caseload",
         "tag !!python/object/apply:os.system is not allowed"]),
    "set_unknown_key": (
        {},
        ["baseline", *SMALL, "--set", "caseworkers.casload=40"],
        ["error: --set: ", "caseworkers.casload", "unknown parameter",
         "did you mean caseworkers.caseload"]),
    "set_without_equals": (
        {},
        ["baseline", *SMALL, "--set", "caseworkers.caseload"],
        ["error: --set: ", "given 'caseworkers.caseload'", "expected group.name=value"]),
    "set_wrong_type": (
        {},
        ["baseline", *SMALL, "--set", "caseworkers.caseload=lots"],
        ["error: --set: ", "caseworkers.caseload", "given 'lots'", "not a number",
         "allowed: a number from 5 to 400"]),
    "weeks_zero": (
        {},
        ["baseline", *SMALL, "--weeks", "0"],
        ["error: --weeks: run.weeks", "given 0", "out of range",
         "allowed: an integer from 1 to 2,080"]),
    "weeks_twice": (
        {},
        ["baseline", *SMALL, "--weeks", "5", "--set", "run.weeks=6"],
        ["run.weeks: given twice (by --set and --weeks)"]),
    "negative_seed": (
        {},
        ["baseline", *SMALL, "--seed", "-1"],
        ["error: --seed: run.seed", "given -1", "out of range"]),
    "more_jobcentres_than_citizens": (
        {},
        ["baseline", "--weeks", "2", "--set", "population.n_citizens=3",
         "--set", "population.n_jobcentres=5"],
        ["population.n_jobcentres: given 5", "population.n_citizens (3)"]),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_exit_2_one_message_no_folder(
        case: tuple[dict[str, str], list[str], list[str]], scen: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    files, argv, fragments = case
    for name, text in files.items():
        write_yaml(scen, name, text.replace("{scen}", str(scen)))
    results = tmp_path / "results"
    results.mkdir()
    out = results / "run"
    code, stdout, err = run_cli(capsys, "run", *[a.replace("{scen}", str(scen)) for a in argv],
                                "--no-plots", "--out", out)
    assert code == 2
    assert stdout == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bipsim: error: ")
    for fragment in fragments:
        assert fragment.replace("{scen}", str(scen)) in lines[0], (fragment, lines[0])
    assert list(results.iterdir()) == []  # neither --out nor a hidden staging folder
    assert sorted(p.name for p in scen.iterdir()) == sorted(files)  # nothing ran (PWNED)


@pytest.mark.parametrize("argv", [
    ["run", "baseline", "--weeks", "x"],
    ["run"],
    ["run", "baseline", "--colour"],
    ["frobnicate"],
], ids=["weeks_not_int", "no_scenario", "unknown_option", "unknown_command"])
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path,
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert "usage: bipsim" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no outputs/ folder


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", "--help")
    assert code == 0
    assert "--set KEY=VALUE" in out


# --- reproducibility ----------------------------------------------------------------------
def test_same_seed_same_results_other_seed_differs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        run_small(capsys, tmp_path / name, "--seed", seed, "--quiet")
    a, b, c = (tmp_path / name for name in "abc")
    assert (a / "weekly.csv").read_bytes() == (b / "weekly.csv").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(a / "citizens.parquet"),
                                  pd.read_parquet(b / "citizens.parquet"))
    pd.testing.assert_frame_equal(pd.read_parquet(a / "survey.parquet"),
                                  pd.read_parquet(b / "survey.parquet"))
    assert (json.loads((a / "summary.json").read_text(encoding="utf-8"))
            == json.loads((b / "summary.json").read_text(encoding="utf-8")))
    assert (a / "weekly.csv").read_bytes() != (c / "weekly.csv").read_bytes()


def test_scenario_yaml_reruns_identically(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The resolved scenario.yaml alone reproduces the run (no flags needed)."""
    first = tmp_path / "first"
    run_small(capsys, first, "--seed", "11", "--quiet")
    code, _, err = run_cli(capsys, "run", first / "scenario.yaml", "--no-plots", "--quiet",
                           "--out", tmp_path / "again")
    assert code == 0, err
    assert ((first / "weekly.csv").read_bytes()
            == (tmp_path / "again" / "weekly.csv").read_bytes())


# --- params --------------------------------------------------------------------------------
def test_params_lists_every_key(capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_cli(capsys, "params")
    assert code == 0, err
    for key in ("caseworkers.annual_turnover", "population.n_citizens", "run.weeks",
                "interventions.placement_timing"):
        assert key in out, key


def test_params_group(capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(capsys, "params", "--group", "caseworkers")
    assert code == 0
    assert "caseworkers.annual_turnover" in out
    assert "population.n_citizens" not in out


def test_params_keys_not_folded_when_piped(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = run_cli(capsys, "params")
    assert code == 0
    assert "caseworkers.annual_turnover" in out


def test_params_of_a_scenario_name_each_values_source(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mine.yaml").write_text("extends: baseline\nmeetings:\n  interval: 2\n",
                                 encoding="utf-8")
    code, out, err = run_cli(capsys, "params", "mine.yaml", "--group", "meetings")
    assert code == 0, err
    assert "mine.yaml:3" in out
    code, out, _ = run_cli(capsys, "params", "mine.yaml", "--set", "caseworkers.caseload=40",
                           "--group", "caseworkers")
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("│ case")}
    assert "--set" in rows["caseworkers.caseload"]
    assert "fit" in rows["caseworkers.annual_turnover"]
    assert "default" in rows["caseworkers.caseload_spread"]
    assert "shipped scenarios/baseline.yaml:" in rows["caseworkers.dur_vacancy"]
    code, _, err = run_cli(capsys, "params", "--group", "caseworker")
    assert code == 2 and "no such group" in err


def test_scenarios_lists_the_shipped_ones_with_descriptions(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "scenarios")
    assert code == 0, err
    for name in ("baseline", "combined", "national", "trainer_jobcentre"):
        assert name in out
    assert "Today's practice" in out


def test_run_check_comments_every_values_source_and_checks_how_they_fit(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "run", "combined", "--check", "--weeks", "9")
    assert code == 0, err
    assert not (tmp_path / "outputs").exists()
    assert "weeks: 9" in out and "# --weeks" in out
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(out, encoding="utf-8")
    again = load_scenario(resolved)
    assert again.params == load_scenario("combined", ["run.weeks=9"]).params
    code, _, err = run_cli(capsys, "run", "baseline", "--check", "--set",
                           "population.n_citizens=3", "--set", "population.n_jobcentres=5")
    assert code == 2 and "population.n_jobcentres: given 5, more than " \
        "population.n_citizens (3)" in err and "given by --set" in err


# --- known gaps in output-folder handling -------------------------------------------------
def test_outputs_is_a_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    code, _, err = run_cli(capsys, "run", "baseline", *SMALL, "--no-plots", "--outputs", blocker)
    assert code == 2
    assert "afile" in err


def test_scenario_name_stays_inside_outputs(
        scen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_yaml(scen, "escape.yaml", f"extends: {BASELINE}\nname: ../../escaped\n")
    root = tmp_path / "a" / "b"
    code, _, err = run_cli(capsys, "run", path, *SMALL, "--no-plots", "--quiet",
                           "--outputs", root)
    assert not list(tmp_path.glob("escaped-*"))
    assert code == 2 or len(list(root.iterdir())) == 1, err


# --- python -m bipsim ---------------------------------------------------------------------
def test_python_m_bipsim(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "bipsim", "run", "baseline", "--weeks", "3",
         "--set", "population.n_citizens=300", "--no-plots", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_complete(out)
    assert "share_job_12m" in proc.stdout
    assert len(pd.read_csv(out / "weekly.csv")) == 4
