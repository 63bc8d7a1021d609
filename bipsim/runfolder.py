"""One run's folder: resolved scenario, manifest, series, per-citizen table, summary, plots.

The folder is reserved (made, atomically, so concurrent runs never share one) before
the run starts, written under a hidden temporary name beside it and renamed into
place only when complete, so a failed run leaves nothing behind and never touches an
earlier run's folder. What a killed run leaves is removed by the next run there.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import budget, by_jobcentre, formatting
from .errors import InputError
from .outcomes import OUTCOMES, summarise
from .provenance import manifest

if TYPE_CHECKING:
    from .model import BipModel
    from .ranking import Ranking
    from .scenario import Scenario



class RunFolderError(InputError):
    """The output folder cannot be used (exists and is not empty, not writable)."""


#: Marks a folder reserved by a running process: ``.bipsim-reserved-<pid>``.
_RESERVED = ".bipsim-reserved-"
#: A folder being written: ``.<final name>.<pid>.staging-<random>``.
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.staging-[A-Za-z0-9_]+$")
#: What earlier versions left when killed while writing: ``.<name>-<stamp>.<random>``.
_LEGACY_STAGING = re.compile(r"^\..+-\d{8}-\d{6}(-\d+)?\.[A-Za-z0-9_]{8}$")
_LEGACY_AGE_S = 3600.0
_reserved_here: set[Path] = set()


def choose_folder(out: str | Path | None, root: str | Path, name: str) -> Path:
    """Reserve the folder a run will be written to, before the run starts.

    ``out`` is used exactly and must not exist or be empty; otherwise a new
    ``<root>/<name>-<date>-<time>`` folder, with ``-2``, ``-3``... if taken. The folder
    is made at once (an atomic ``mkdir``, so two runs started in the same second never
    share one) and marked as reserved by this process; :func:`staged` fills it. Making
    it also checks that the place is writable before any simulation. Folders left by
    killed runs beside it are removed first.

    Raises:
        RunFolderError: ``out`` holds something, ``root`` is a file, or the place
            cannot be written.
    """
    if out is not None:
        folder = Path(out)
        _remove_debris(folder.parent)
        if folder.exists() and (not folder.is_dir() or _holds_something(folder)):
            raise RunFolderError(f"--out {folder}: exists and is not an empty folder; "
                                 "choose a new folder (runs never overwrite earlier results)")
        _reserve(folder, "--out", exist_ok=True)
        return folder
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise RunFolderError(f"--outputs {root}: is a file, not a folder")
    _remove_debris(root)
    # the scenario's name is free text: keep the folder inside root
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")[:80] or "run"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder, n = root / f"{safe}-{stamp}", 1
    while not _reserve(folder, "--outputs", exist_ok=False):
        n += 1
        folder = root / f"{safe}-{stamp}-{n}"
    return folder


@contextmanager
def staged(folder: Path, exact: bool = True) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``folder``; move it into place on success.

    ``folder`` is normally reserved by :func:`choose_folder`. If it was filled
    meanwhile, an ``exact`` folder is an error; otherwise the next free ``folder-N`` is
    used. On failure nothing is left: neither the temporary folder nor the reservation.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{os.getpid()}.staging-",
                                    dir=folder.parent))
    except OSError as err:
        raise RunFolderError(f"cannot create a folder in {folder.parent}: {err}") from err
    tmp.chmod(0o755)  # mkdtemp makes it private; a run folder is for sharing
    try:
        try:
            yield tmp
        except OSError as err:
            if err.filename is not None:
                raise
            raise OSError(err.errno, err.strerror, str(folder)) from err  # say where
        _unmark(folder)
        target, n = folder, 1
        while not _move_into_place(tmp, target):
            if exact:
                raise RunFolderError(f"{folder}: filled by someone else during the run")
            n += 1
            target = folder.with_name(f"{folder.name}-{n}")
        if target == folder:
            _reserved_here.discard(folder)  # filled: no longer ours to remove
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        release_reservations()


def check_writable(folder: Path, option: str) -> None:
    """Make ``folder`` (and its parents) if needed and check that files can be written
    in it, before a long computation whose results go there.

    Raises:
        RunFolderError: It cannot be made, or written in.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".bipsim-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as err:
        raise RunFolderError(f"{option} {folder}: cannot write there ({err.strerror or err}); "
                             "choose a folder you can write to") from None


def claim(folder: Path) -> None:
    """Take over a folder this process reserved, to fill it in place (not staged)."""
    if folder in _reserved_here:
        _unmark(folder)
        _reserved_here.discard(folder)


def release_reservations() -> None:
    """Remove the folders this process reserved and did not fill (at exit, or after a
    failed run)."""
    for folder in list(_reserved_here):
        _unmark(folder)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty: never a result
        _reserved_here.discard(folder)


def _reserve(folder: Path, option: str, exist_ok: bool) -> bool:
    """Make ``folder`` and mark it as this process's; False if it exists (and not
    ``exist_ok``)."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir(exist_ok=exist_ok)
        except FileExistsError:
            if exist_ok:  # a file of that name
                raise
            return False
    except OSError as err:
        raise RunFolderError(f"{option} {folder}: cannot create the folder "
                             f"({err.strerror or err}); choose a folder you can write "
                             "to") from None
    try:
        (folder / f"{_RESERVED}{os.getpid()}").touch()
    except OSError as err:
        with contextlib.suppress(OSError):
            folder.rmdir()
        raise RunFolderError(f"{option} {folder}: cannot write there ({err.strerror or err});"
                             " choose a folder you can write to") from None
    if not _reserved_here:
        atexit.register(release_reservations)
    _reserved_here.add(folder)
    return True


def _unmark(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / f"{_RESERVED}{os.getpid()}").unlink()


def _holds_something(folder: Path) -> bool:
    """Anything in ``folder`` but the mark of a process that is gone."""
    for entry in folder.iterdir():
        owner = _reservation_owner(entry.name)
        if owner is None or _alive(owner):
            return True
    return False


def _remove_debris(root: Path) -> None:
    """Remove what killed runs left in ``root``: their hidden temporary folders, and the
    empty folders they had reserved. Nothing a live process is writing is touched."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return  # no folder yet (or unreadable: making one will say so)
    for entry in entries:
        if _is_debris(entry):
            shutil.rmtree(entry, ignore_errors=True)


def _is_debris(entry: Path) -> bool:
    staging = _STAGING.match(entry.name)
    if staging:
        return not _alive(int(staging["pid"]))
    if _LEGACY_STAGING.match(entry.name):
        return _older_than(entry, _LEGACY_AGE_S)
    return not entry.name.startswith(".") and entry.is_dir() and _abandoned(entry)


def _abandoned(folder: Path) -> bool:
    """A folder holding nothing but the marks of processes that are gone."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return False
    owners = [_reservation_owner(name) for name in names]
    return bool(owners) and all(o is not None and not _alive(o) for o in owners)


def _reservation_owner(name: str) -> int | None:
    if name.startswith(_RESERVED) and name[len(_RESERVED):].isdigit():
        return int(name[len(_RESERVED):])
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


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
              plot: Callable[..., list[Path]] | None = None,
              excel_csv: bool = False,
              ranking: Ranking | None = None) -> dict[str, Any]:
    """Write every output of a finished run into ``folder``; returns the summary.
    ``excel_csv``: ``weekly.csv`` and ``budget.csv`` also as ``*.da.csv`` for a Danish
    Excel. ``ranking``: the jobcentres over replicate seeds
    (:func:`bipsim.ranking.replicate_ranking`), for ``jobcentre_intervals.csv`` and
    ``jobcentre_replicates.csv``."""
    weekly = model.weekly()
    citizens = model.citizen_table()
    summary = summarise(model, citizens, weekly)
    resolved = scenario.nested()
    resolved["run"]["seed"] = model.p["seed"]
    resolved["run"]["weeks"] = model.p["weeks"]
    with open(folder / "scenario.yaml", "w", encoding="utf-8") as f:
        yaml.safe_dump(resolved, f, sort_keys=False, allow_unicode=True)
    weekly.to_csv(folder / "weekly.csv", index=False)
    if excel_csv:
        (folder / "weekly.da.csv").write_bytes(formatting.excel_csv(weekly))
    citizens.to_parquet(folder / "citizens.parquet", index=False)
    panel = model.survey_panel()
    if not panel.empty:
        panel.to_parquet(folder / "survey.parquet", index=False)
    yearly = budget.yearly(weekly)
    yearly.to_csv(folder / "budget.csv", index=False)
    if excel_csv:
        (folder / "budget.da.csv").write_bytes(formatting.excel_csv(yearly))
    per_jobcentre = None
    if len(model.jobcentres) > 1:
        per_jobcentre = by_jobcentre.table(model, citizens)
        per_jobcentre.to_csv(folder / by_jobcentre.FILE, index=False)
    intervals, replicates = None, {}
    if ranking is not None:
        intervals = ranking.intervals
        intervals.to_csv(folder / by_jobcentre.INTERVALS_FILE, index=False)
        ranking.replicates.to_csv(folder / by_jobcentre.REPLICATES_FILE, index=False)
        replicates = {"ranking_replicates": {
            "seeds": ranking.seeds, "interval": "median and 5th-95th percentile over the "
            "replicate seeds: chance only, at the scenario's parameter values"}}
    timeline = _timeline_record(scenario)
    (folder / "summary.json").write_text(json.dumps(
        {"scenario": scenario.name, "seed": model.p["seed"], "weeks": model.p["weeks"],
         **timeline, "outcomes": summary,
         "definitions": {k: o.doc for k, o in OUTCOMES.items()},
         "budget": budget.summary_block(weekly)},
        indent=2, ensure_ascii=False), encoding="utf-8")
    if plot is not None:
        started = dt.datetime.now()
        plot(weekly, citizens, folder, f"{scenario.name} (seed {model.p['seed']})",
             reform_week=scenario.timeline.first_week)
        if per_jobcentre is not None:
            from .jobcentre_plot import write_ranking_plot  # matplotlib only when plotting
            write_ranking_plot(per_jobcentre, folder,
                               f"{scenario.name} (seed {model.p['seed']})", intervals)
        timings["plots_s"] = (dt.datetime.now() - started).total_seconds()
    (folder / "manifest.json").write_text(json.dumps(manifest(
        "run", argv, scenario=scenario.name, scenario_files=scenario.files,
        overrides=scenario.overrides, seed=model.p["seed"], weeks=model.p["weeks"],
        **timeline, **replicates, locale=formatting.current_locale(), excel_csv=excel_csv,
        timings_s=timings), indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


def _timeline_record(scenario: Scenario) -> dict[str, Any]:
    """The scenario's dated changes for ``summary.json`` and ``manifest.json``: the
    first week a reform acts in (None without one), the day week 1 begins (None if
    not given) and each change."""
    return {"reform_from_week": scenario.timeline.first_week,
            "start_date": scenario.start_date, "timeline": scenario.timeline.to_plain()}
