"""One provenance writer: every manifest.json carries the same facts of what made it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bipsim.cli import main
from bipsim.provenance import LIBRARIES, code_fingerprint, manifest

#: What every manifest says about the code, whatever wrote it.
COMMON = {"kind", "bipsim_version", "git_commit", "code_fingerprint", "created", "command",
          "python", "platform", "libraries"}


def test_manifest_has_the_common_facts_then_the_callers() -> None:
    info = manifest("run", ["bipsim", "run", "x"], seed=3, timings_s={"run_s": 1.0})
    assert set(info) >= COMMON
    assert info["kind"] == "run" and info["seed"] == 3
    assert set(info["libraries"]) == set(LIBRARIES)
    assert info["libraries"]["numpy"]  # installed, so a version
    assert info["code_fingerprint"] == code_fingerprint()
    assert len(info["code_fingerprint"]) == 16


def test_run_and_compare_manifests_come_from_the_same_writer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = ["--weeks", "3", "--set", "population.n_citizens=200", "--set",
             "population.n_jobcentres=1"]
    assert main(["run", "baseline", *small, "--no-plots", "--quiet",
                 "--out", str(tmp_path / "run")]) == 0
    assert main(["compare", "baseline", "continuity", *small, "--reps", "2", "--workers", "0",
                 "--quiet", "--out", str(tmp_path / "cmp")]) == 0
    capsys.readouterr()
    run = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    cmp = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    assert set(run) >= COMMON and set(cmp) >= COMMON
    assert (run["kind"], cmp["kind"]) == ("run", "compare")
    assert run["code_fingerprint"] == cmp["code_fingerprint"]
    assert run["libraries"].keys() == cmp["libraries"].keys()
    assert run["command"][:2] == ["bipsim", "run"]
