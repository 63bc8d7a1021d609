"""Packaging: every Python package is listed for the wheel, and the shipped data files
are found where an installed wheel keeps them and where a checkout keeps them.

The wheel itself is built, installed into a fresh venv and run from an unrelated
folder by ``.ci/run`` (a step after the tests), not here: it takes minutes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from bipsim import resources

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_python_package_is_listed_for_the_wheel():
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bipsim").rglob(
        "__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to pyproject.toml"


def test_the_shipped_folders_map_to_the_top_level_folders_and_hold_the_data():
    setuptools = pyproject()["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"bipsim.shipped.scenarios": "scenarios",
                                         "bipsim.shipped.calibration": "calibration",
                                         "bipsim.shipped.validation": "validation"}
    assert set(setuptools["package-data"]["bipsim"]) == {"parameters.yaml", "municipalities.csv",
                                                          "py.typed"}
    for package, folder in setuptools["package-dir"].items():
        patterns = setuptools["package-data"][package]
        assert any((ROOT / folder).glob(pattern) for pattern in patterns), package
    assert (ROOT / "bipsim" / "py.typed").is_file()
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_resources_prefer_the_packaged_copy_and_fall_back_to_the_checkout(
        tmp_path: Path, monkeypatch):
    # a checkout: no bipsim/shipped, the top-level folders
    assert resources.scenarios_folder() == ROOT / "scenarios"
    assert (resources.calibration_folder() / "fitted.yaml").is_file()
    # an installed wheel: bipsim/shipped/<name> inside the package
    (tmp_path / "scenarios").mkdir()
    monkeypatch.setattr(resources, "SHIPPED", tmp_path)
    assert resources.scenarios_folder() == tmp_path / "scenarios"
    assert resources.calibration_folder() == ROOT / "calibration"  # no packaged copy
