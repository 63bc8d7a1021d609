"""Provenance of an experiment: which code made its runs, with which libraries.

:func:`code_fingerprint` hashes the source files a run depends on, so a resumed
experiment, or a Dask worker, can be checked to run the very same model code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from bipsim.runfolder import LIBRARIES, git_commit

PACKAGE = Path(__file__).resolve().parents[1]
#: Source files a run's outcome can depend on: the model, its rules, and the worker.
MODEL_SOURCES = ("*.py", "rules/*.py", "experiments/worker.py")
#: Top-level modules that cannot change a run's outcome once its parameters are
#: resolved (the plan holds them), so editing them does not block a resume.
NOT_MODEL = frozenset({"__main__.py", "cli.py", "plots.py", "runfolder.py", "scenario.py"})
#: Libraries recorded in an experiment's manifest.
EXPERIMENT_LIBRARIES = (*LIBRARIES, "dask", "distributed", "SALib")


def code_fingerprint() -> str:
    """Short SHA-256 of the model's source files (names and contents).

    A top-level function, so a Dask worker can run it too: a worker on other code
    would make different results under the same run ids.
    """
    digest = hashlib.sha256()
    files = sorted({p for pattern in MODEL_SOURCES for p in PACKAGE.glob(pattern)
                    if p.relative_to(PACKAGE).as_posix() not in NOT_MODEL})
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def manifest(kind: str, command: list[str] | None, executor: str,
             extra: dict[str, Any]) -> dict[str, Any]:
    """Provenance for ``manifest.json``: versions, commit, command, executor, timings."""
    return {
        "kind": kind,
        "bipsim_version": _version("bipsim"),
        "git_commit": git_commit(),
        "code_fingerprint": code_fingerprint(),
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "executor": executor,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in EXPERIMENT_LIBRARIES},
        **extra,
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
