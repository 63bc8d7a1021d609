"""Provenance: which code, libraries and command made a folder's results.

One writer for every ``manifest.json`` (a run folder, a compare or sweep
experiment, a calibration): :func:`manifest` gives the common facts, the caller
adds its own (scenario and seed of a run; plan and executor of an experiment).
:func:`code_fingerprint` hashes the source files a run depends on, so a resumed
experiment, or a Dask worker, can be checked to run the very same model code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
#: Libraries whose versions every manifest records (bipsim's dependencies).
LIBRARIES = ("mesa", "numpy", "pandas", "scipy", "numba", "pyarrow", "matplotlib", "pyyaml",
             "rich", "statsmodels", "optuna", "dask", "distributed", "SALib", "solara")
#: Source files a run's outcome can depend on: the model, its rules, and the worker.
MODEL_SOURCES = ("*.py", "rules/*.py", "experiments/worker.py")
#: Top-level modules that cannot change a run's outcome once its parameters are
#: resolved (the plan holds them), so editing them does not block a resume.
NOT_MODEL = frozenset({"__main__.py", "cli.py", "commands.py", "data_dictionary.py",
                       "errors.py", "formatting.py", "options.py", "plots.py",
                       "provenance.py", "runfolder.py", "scenario.py", "yamlsafe.py"})


def manifest(kind: str, command: list[str] | None, **facts: Any) -> dict[str, Any]:
    """The facts of ``manifest.json``: what made the folder, then the caller's ``facts``.

    Args:
        kind: What wrote the folder: ``run``, ``compare``, ``sweep``, ``calibrate``.
        command: The command line (``["bipsim", "run", ...]``), None from Python.
        **facts: The caller's own entries (scenario, seed, plan, executor, timings).
    """
    return {
        "kind": kind,
        "bipsim_version": version("bipsim"),
        "git_commit": git_commit(),
        "code_fingerprint": code_fingerprint(),
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {name: version(name) for name in LIBRARIES},
        **facts,
    }


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


def git_commit() -> str | None:
    """Commit of the bipsim source tree (``+dirty`` if changed), or None outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PACKAGE, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=PACKAGE,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def version(name: str) -> str | None:
    """The installed version of a distribution, None if it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
