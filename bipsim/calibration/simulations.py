"""Simulated studies on the experiments engine: its executors, run store and progress.

:class:`StudySimulations` is what :class:`~.sampler.OrderedSampler` calls to make
a batch of studies. Each finished study is saved in the calibration folder's run
store as it arrives; a study already stored (a resumed fit) is read, not made
again, after checking that it is the very study asked for.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..experiments.engine import execute
from ..experiments.executors import Workers
from ..experiments.progress import RunProgress
from ..experiments.store import RunStore, StoreError
from ..experiments.worker import Task
from ..provenance import code_fingerprint
from .sampler import Request
from .study import run_study

#: Sources a simulated study's statistics depend on beyond the model's.
STUDY_SOURCES = ("study.py", "estimate.py", "simulations.py")


def fingerprint() -> str:
    """Short hash of the model's code and of the study's analysis code: a resumed
    fit must make its remaining studies with the code that made the stored ones."""
    digest = hashlib.sha256(code_fingerprint().encode())
    here = Path(__file__).resolve().parent
    for name in STUDY_SOURCES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    return digest.hexdigest()[:16]


def study_run(task: Task) -> dict[str, Any]:
    """Worker: one simulated study as a JSON-ready record (NaN statistics as null)."""
    started = time.perf_counter()
    stats = run_study(task.params, task.seed)
    return {"run_id": task.run_id, "seed": task.seed,
            "statistics": {k: (None if not math.isfinite(v) else float(v))
                           for k, v in stats.items()},
            "elapsed_s": round(time.perf_counter() - started, 4)}


class StudySimulations:
    """Makes studies of the base scenario at requested parameter sets.

    Args:
        base: Every parameter of the study scenario, by keyword name.
        store: The calibration folder's run store.
        workers: Returns the open executor (called only when a study must be made,
            so a finished fit resumed starts no processes).
        label: Progress label (``calibrate``).
        quiet: No progress output.
    """

    def __init__(self, base: Mapping[str, Any], store: RunStore,
                 workers: Callable[[], Workers], label: str = "calibrate",
                 quiet: bool = False) -> None:
        self.base, self.store, self.label, self.quiet = dict(base), store, label, quiet
        self.workers = workers
        self.done = store.done()
        #: Studies made in this session, and read from the store.
        self.made = self.reused = 0
        self.description = "-"

    def __call__(self, requests: Sequence[Request], label: str | None = None
                 ) -> list[dict[str, float]]:
        """The statistics of each request's study, in the order of ``requests``."""
        todo = [r for r in requests if r.run_id not in self.done]
        theta = {r.run_id: r.theta for r in requests}
        self.reused += len(requests) - len(todo)
        if todo:
            tasks = [Task(r.run_id, {**self.base, **r.theta}, r.seed) for r in todo]

            def save(record: dict[str, Any]) -> None:
                self.store.save({**record, "theta": theta[record["run_id"]]})
                self.done.add(record["run_id"])

            progress = RunProgress(len(requests), len(requests) - len(todo),
                                   label or self.label, quiet=self.quiet)
            workers = self.workers()
            self.description = workers.description
            with progress:
                execute(tasks, workers, save, progress, run=study_run)
            self.made += len(todo)
        records = self.store.load(r.run_id for r in requests)
        by_id = {rec["run_id"]: rec for rec in records}
        out = []
        for r in requests:
            rec = by_id[r.run_id]
            if rec["seed"] != r.seed or rec.get("theta") != r.theta:
                raise StoreError(f"{self.store.path(r.run_id)}: holds another study than this "
                                 "calibration asks for (other seed or parameters); the folder "
                                 "belongs to another calibration")
            out.append({k: (math.nan if v is None else v) for k, v in rec["statistics"].items()})
        return out
