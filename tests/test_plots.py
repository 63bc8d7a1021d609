"""Tests for bipsim.plots: the three run plots are written as valid PNG files."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import pytest

from bipsim.model import BipModel
from bipsim.plots import write_run_plots

NAMES = ["stock_and_exits.png", "indicators_by_intervention.png", "caseworker_changes.png"]


def run(**params: object) -> BipModel:
    model = BipModel(**params)
    model.run()
    return model


def check_pngs(paths: list[Path], folder: Path, min_bytes: int) -> None:
    assert [p.name for p in paths] == NAMES
    for path in paths:
        assert path.parent == folder
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), path.name
        assert len(data) > min_bytes, path.name


def test_small_run_writes_three_pngs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = run(seed=3, n_citizens=500, n_jobcentres=2, weeks=30)
    backend = matplotlib.get_backend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = write_run_plots(model.weekly(), model.citizen_table(), tmp_path / "out",
                                "small run, seed 3")
    check_pngs(paths, tmp_path / "out", min_bytes=20_000)
    assert matplotlib.get_backend() == backend  # nothing global changed
    assert capsys.readouterr().out == ""


def test_degenerate_tiny_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One week, nobody in company placement: NaN readiness series and an empty group.
    model = run(seed=1, n_citizens=20, n_jobcentres=1, weeks=1, company_slots_per_100=0)
    citizens = model.citizen_table()
    assert (citizens["weeks_company"] == 0).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = write_run_plots(model.weekly(), citizens, tmp_path, "tiny")
    check_pngs(paths, tmp_path, min_bytes=5_000)
    assert capsys.readouterr().out == ""
