"""One run's folder: resolved scenario, manifest, series, per-citizen table, summary, plots.

The folder is written under a temporary name beside its destination and renamed
into place only when complete, so a failed run leaves nothing behind and never
touches an earlier run's folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .outcomes import OUTCOMES, summarise
from .provenance import manifest

if TYPE_CHECKING:
    from .model import BipModel
    from .scenario import Scenario



class RunFolderError(Exception):
    """The output folder cannot be used (exists and is not empty, not writable)."""


def choose_folder(out: str | Path | None, root: str | Path, name: str) -> Path:
    """The folder a run will be written to, checked before the run starts.

    ``out`` is used exactly and must not exist or be empty; otherwise a new
    ``<root>/<name>-<date>-<time>`` folder (with a counter if taken).
    """
    if out is not None:
        folder = Path(out)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise RunFolderError(f"--out {folder}: exists and is not an empty folder; "
                                 "choose a new folder (runs never overwrite earlier results)")
        return folder
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise RunFolderError(f"--outputs {root}: is a file, not a folder")
    # the scenario's name is free text: keep the folder inside root
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "run"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = root / f"{safe}-{stamp}"
    n = 1
    while folder.exists():
        n += 1
        folder = root / f"{safe}-{stamp}-{n}"
    return folder


@contextmanager
def staged(folder: Path, exact: bool = True) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``; rename it into place on success.

    If ``folder`` was taken meanwhile (another run finished first), an ``exact``
    folder is an error; otherwise the next free ``folder-N`` is used.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError as err:
        raise RunFolderError(f"cannot create a folder in {folder.parent}: {err}") from err
    tmp.chmod(0o755)  # mkdtemp makes it private; a run folder is for sharing
    try:
        yield tmp
        target, n = folder, 1
        while not _move_into_place(tmp, target):
            if exact:
                raise RunFolderError(f"{folder}: filled by someone else during the run")
            n += 1
            target = folder.with_name(f"{folder.name}-{n}")
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def _move_into_place(tmp: Path, target: Path) -> bool:
    """Rename ``tmp`` to ``target`` unless ``target`` holds something already."""
    try:
        tmp.rename(target)  # replaces an empty folder, fails on a non-empty one
    except OSError:
        if target.exists():
            return False
        raise
    return True


def write_run(model: BipModel, scenario: Scenario, folder: Path, timings: dict[str, float],
              argv: list[str] | None = None,
              plot: Callable[..., list[Path]] | None = None) -> dict[str, Any]:
    """Write every output of a finished run into ``folder``; returns the summary."""
    weekly = model.weekly()
    citizens = model.citizen_table()
    summary = summarise(model, citizens, weekly)
    resolved = scenario.nested()
    resolved["run"]["seed"] = model.p["seed"]
    resolved["run"]["weeks"] = model.p["weeks"]
    with open(folder / "scenario.yaml", "w", encoding="utf-8") as f:
        yaml.safe_dump(resolved, f, sort_keys=False, allow_unicode=True)
    weekly.to_csv(folder / "weekly.csv", index=False)
    citizens.to_parquet(folder / "citizens.parquet", index=False)
    panel = model.survey_panel()
    if not panel.empty:
        panel.to_parquet(folder / "survey.parquet", index=False)
    (folder / "summary.json").write_text(json.dumps(
        {"scenario": scenario.name, "seed": model.p["seed"], "weeks": model.p["weeks"],
         "outcomes": summary,
         "definitions": {k: o.doc for k, o in OUTCOMES.items()}},
        indent=2, ensure_ascii=False), encoding="utf-8")
    if plot is not None:
        started = dt.datetime.now()
        plot(weekly, citizens, folder, f"{scenario.name} (seed {model.p['seed']})")
        timings["plots_s"] = (dt.datetime.now() - started).total_seconds()
    (folder / "manifest.json").write_text(json.dumps(manifest(
        "run", argv, scenario=scenario.name, scenario_files=scenario.files,
        overrides=scenario.overrides, seed=model.p["seed"], weeks=model.p["weeks"],
        timings_s=timings), indent=2, ensure_ascii=False), encoding="utf-8")
    return summary
