"""An experiment folder: its plan, one file per finished run, and the final outputs.

Layout::

    DIR/plan.json            every planned run (written before the first run)
    DIR/runs/run-000017.json one finished run (written as it completes)
    DIR/...                  tables, plots, report, manifest (written at the end)

Every file is written to a hidden temporary name in the same folder, flushed to
disk and renamed into place, so a file is either complete or absent: an
interrupted or killed experiment leaves complete run files and perhaps stray
temporary files, which :meth:`RunStore.done` removes. ``--resume DIR`` then runs
only the runs without a file.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from bipsim import formatting
from bipsim.errors import InputError
from bipsim.runfolder import claim

from .plan import Plan

log = logging.getLogger(__name__)

PLAN_FILE = "plan.json"
RUNS = "runs"
LOCK_FILE = ".lock"
_RUN_FILE = re.compile(r"^run-(\d+)\.json$")
_TMP_PREFIX = ".tmp-"


class StoreError(InputError):
    """A folder that cannot be used as, or resumed as, an experiment folder."""


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` completely or not at all (temp file, fsync, rename)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f"{_TMP_PREFIX}{path.name}.{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        if err.filename is not None:
            raise
        raise OSError(err.errno, err.strerror, str(path)) from err  # say which file
    finally:
        if tmp.exists():
            tmp.unlink()


class RunStore:
    """The files of one experiment folder.

    Args:
        folder: The experiment folder (holding ``plan.json`` and ``runs/``).
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS

    @classmethod
    def create(cls, folder: str | os.PathLike[str], plan: Plan) -> RunStore:
        """Make the folder and save the plan; the folder must be new or empty.

        Raises:
            StoreError: The folder holds something already, or cannot be made.
        """
        store = cls(folder)
        claim(store.folder)  # reserved by choose_folder: now an experiment folder
        if store.folder.exists() and any(store.folder.iterdir()):
            raise StoreError(f"{store.folder}: exists and is not empty")
        try:
            store.folder.mkdir(parents=True, exist_ok=True)
            store.runs.mkdir()  # atomic: of two processes given one folder, one gets it
        except FileExistsError:
            raise StoreError(f"{store.folder}: taken by another bipsim process") from None
        except OSError as err:
            raise StoreError(f"cannot write the experiment folder {store.folder}: "
                             f"{err.strerror or err}") from None
        atomic_write(store.folder / PLAN_FILE, plan.to_json())
        return store

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> tuple[RunStore, Plan]:
        """Open an existing experiment folder for ``--resume``.

        Raises:
            StoreError: No such folder, no readable plan, or not an experiment.
        """
        store = cls(folder)
        path = store.folder / PLAN_FILE
        if not path.is_file():
            raise StoreError(f"--resume {store.folder}: no {PLAN_FILE} there, so it is not an "
                             "experiment folder made by bipsim compare or bipsim sweep")
        try:
            plan = Plan.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError) as err:
            raise StoreError(f"--resume {store.folder}: cannot read {PLAN_FILE} ({err})") from err
        store.runs.mkdir(exist_ok=True)
        return store, plan

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder for this process, so two processes never run one experiment.

        Raises:
            StoreError: Another process holds the folder (a resume of a running sweep).
        """
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks, run unguarded
            yield
            return
        with open(self.folder / LOCK_FILE, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise StoreError(f"{self.folder}: in use by another bipsim process; wait for "
                                 "it to finish or stop it, then resume") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def path(self, run_id: int) -> Path:
        """File of one finished run."""
        return self.runs / f"run-{run_id:06d}.json"

    def save(self, record: dict[str, Any]) -> None:
        """Persist one finished run (a record from :func:`~.worker.simulate`)."""
        atomic_write(self.path(int(record["run_id"])), json.dumps(record, allow_nan=False))

    def done(self) -> set[int]:
        """Run ids with a complete file; stray temporary files are removed."""
        ids = set()
        for path in self.runs.iterdir():
            if path.name.startswith(_TMP_PREFIX):  # left by a killed process
                path.unlink(missing_ok=True)
                continue
            match = _RUN_FILE.match(path.name)
            if match:
                ids.add(int(match.group(1)))
        return ids

    def load(self, run_ids: Iterable[int]) -> list[dict[str, Any]]:
        """The records of ``run_ids``, sorted by run id.

        Raises:
            StoreError: A record is missing or does not belong to its file name.
        """
        records = []
        for run_id in sorted(run_ids):
            path = self.path(run_id)
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise StoreError(f"cannot read {path}: {err}") from err
            if record.get("run_id") != run_id:
                raise StoreError(f"{path}: holds run {record.get('run_id')!r}, not {run_id}")
            records.append(record)
        return records

    def write(self, name: str, data: bytes | str) -> Path:
        """Write one output file into the folder, atomically; returns its path."""
        path = self.folder / name
        atomic_write(path, data)
        return path


class OutputFiles:
    """The output files of an experiment, written into its store as they come."""

    def __init__(self, store: RunStore, excel_csv: bool = False) -> None:
        """``excel_csv``: write each CSV table also as ``NAME.da.csv`` for a Danish Excel
        (:func:`bipsim.formatting.excel_csv`)."""
        self.store = store
        self.excel_csv = excel_csv
        self.names: list[str] = []

    def put(self, name: str, data: bytes | str) -> None:
        """Write one file and remember its name."""
        self.store.write(name, data)
        self.names.append(name)

    def table(self, name: str, frame: pd.DataFrame) -> None:
        """Write a table as CSV or Parquet, by the name's suffix."""
        if name.endswith(".parquet"):
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            self.put(name, buffer.getvalue())
        else:
            self.put(name, frame.to_csv(index=False))
            if self.excel_csv:
                self.put(name.removesuffix(".csv") + ".da.csv", formatting.excel_csv(frame))

    def text(self, name: str, tables: Iterable[Any], width: int = 150) -> None:
        """Write rich tables as plain text."""
        buffer = io.StringIO()
        console = Console(file=buffer, width=width)
        for table in tables:
            console.print(table)
        self.put(name, buffer.getvalue())
