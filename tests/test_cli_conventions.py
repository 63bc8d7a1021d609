"""The command line's conventions: help, version, did-you-mean, shared flags, light start.

In-process through ``main(argv)`` except where a fresh interpreter is the point
(what ``import bipsim.cli`` loads).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bipsim
from bipsim import options
from bipsim.cli import build_parser, main
from bipsim.scenario import load_scenario

#: Libraries ``bipsim --help`` must not import: each costs 0.1-1 s at start-up.
HEAVY = ("mesa", "numpy", "numba", "pandas", "scipy", "matplotlib", "rich", "dask",
         "distributed", "optuna", "statsmodels", "SALib", "solara", "pyarrow")
#: Flags several subcommands take; each must mean the same everywhere.
SHARED = ("--seed", "--weeks", "--set", "--reps", "--out", "--outputs", "--quiet",
          "--workers", "--scheduler", "--dask-local", "--connect-timeout")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_bare_bipsim_prints_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys)
    assert code == 0
    assert out.startswith("usage: bipsim")
    for command in subparsers():
        assert command in out
    assert err == ""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    assert out == f"bipsim {bipsim.__version__}\n"


@pytest.mark.parametrize(("argv", "hint"), [
    (["run", "baseline", "--sed", "3"], "did you mean --seed?"),
    (["run", "baseline", "--seed=3", "--wekes", "5"], "did you mean --weeks?"),
    (["compare", "baseline", "--worker", "2"], "did you mean --workers?"),
    (["sweep", "baseline", "--grids", "a=1"], "did you mean --grid?"),
    (["calibrate", "--populaton", "3"], "did you mean --population?"),
    (["dashboard", "--prot", "80"], "did you mean --port?"),
    (["rn", "baseline"], "did you mean 'run'?"),
    (["compre", "baseline"], "did you mean 'compare'?"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_mistyped_flag_or_command_gets_did_you_mean(
        argv: list[str], hint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert hint in err.splitlines()[-1]
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_abbreviated_flags_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """``--se`` could be --seed or --set: argparse's prefix matching is off."""
    code, _, err = run_cli(capsys, "run", "baseline", "--see", "3", "--check")
    assert code == 2
    assert "unrecognized arguments: --see 3" in err


def test_shared_flags_are_the_same_in_every_subcommand() -> None:
    """Same type, metavar, default and action wherever a shared flag appears
    (calibrate's --out names the fit's folder, not a new run folder)."""
    seen: dict[str, tuple] = {}
    for name, parser in subparsers().items():
        for action in parser._actions:
            for flag in set(action.option_strings) & set(SHARED):
                if (name, flag) == ("calibrate", "--out"):
                    continue
                shape = (type(action).__name__, action.type, action.metavar, action.default)
                assert seen.setdefault(flag, shape) == shape, (name, flag)
    assert set(seen) == set(SHARED)


def test_workers_default_is_one_per_core_everywhere() -> None:
    for name in ("calibrate", "compare", "sweep", "optimise"):
        args = subparsers()[name].parse_args([])
        assert args.workers is None, name
    assert options.worker_count(None) >= 1
    assert options.worker_count(0) == 0


def test_run_check_prints_the_resolved_scenario_and_runs_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "run", "early_placement", "--check", "--seed", "9",
                             "--weeks", "20", "--set", "caseworkers.caseload=40")
    assert code == 0, err
    printed = yaml.safe_load(out)
    expected = load_scenario("early_placement", ["caseworkers.caseload=40", "run.weeks=20",
                                                 "run.seed=9"]).nested()
    assert printed == expected
    assert printed["run"] == {"weeks": 20, "seed": 9}
    assert printed["caseworkers"]["caseload"] == 40
    assert list(tmp_path.iterdir()) == []  # no outputs/


def test_run_check_refuses_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "baseline", "--check", "--set",
                             "caseworkers.caseload=-1")
    assert code == 2
    assert out == ""
    assert err.startswith("bipsim: error: ") and "caseworkers.caseload" in err


def test_run_check_builds_no_model() -> None:
    """``bipsim run --check`` reads and validates without numba, Mesa or numpy (it
    answers in a fraction of a second), yet refuses what only fits together badly."""
    code = ("import sys; from bipsim.cli import main; code = main(sys.argv[1:]); "
            f"print(code, sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    ok = subprocess.run([sys.executable, "-c", code, "run", "national", "--check"],
                        capture_output=True, text=True, timeout=120, check=True)
    assert ok.stderr.splitlines()[-1] == "0 ['rich']"  # rich: the run's tables
    assert "n_jobcentres: 98" in ok.stdout
    bad = subprocess.run([sys.executable, "-c", code, "run", "national", "--check", "--set",
                          "population.n_citizens=50"], capture_output=True, text=True,
                         timeout=120, check=True)
    assert "population.n_jobcentres: given 98, more than population.n_citizens (50)" \
        in bad.stderr
    assert bad.stderr.splitlines()[-1] == "2 ['rich']"


def test_help_imports_no_heavy_library() -> None:
    """``import bipsim.cli`` and building every parser stay in the standard library
    (and PyYAML), so ``bipsim --help`` starts fast; ``from bipsim import BipModel``
    still works, on first use."""
    code = ("import sys; from bipsim.cli import build_parser; build_parser(); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules)); "
            "from bipsim import BipModel; print(BipModel.__name__)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    loaded, model = proc.stdout.splitlines()
    assert loaded == "[]", f"bipsim --help imports {loaded}"
    assert model == "BipModel"
