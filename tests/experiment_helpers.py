"""Small experiments for the compare, sweep and executor tests.

Runs are small (300 citizens, 2 jobcentres, a few weeks: about 0.05 s each) so a
whole experiment takes seconds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bipsim.cli import main

#: Options that make every run small.
SMALL = ("--set", "population.n_citizens=300", "--set", "population.n_jobcentres=2")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """``bipsim ARGV`` in-process; returns (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def results(folder: Path) -> pd.DataFrame:
    """The results table of a finished experiment folder."""
    return pd.read_parquet(folder / "results.parquet")


def run_files(folder: Path) -> list[Path]:
    """The saved run records of an experiment folder, sorted."""
    return sorted((folder / "runs").glob("run-*.json"))


def cost_only_alternative(folder: Path) -> Path:
    """A scenario that differs from the baseline only in the benefit rate: a cost, no
    behaviour, so exact pairing leaves every behavioural outcome identical."""
    path = folder / "dearer.yaml"
    path.write_text("extends: baseline\ncosts:\n  benefit_dkk: 4000\n", encoding="utf-8")
    return path

