"""What a worker process does: one run, as a pure function of parameters and seed.

The functions here are top-level so that a spawned process (``import mesa`` makes
"spawn" the start method) or a Dask worker can import them by name.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from bipsim.model import BipModel
from bipsim.outcomes import summarise

#: Seconds between a worker's checks that its parent process is alive.
PARENT_POLL_S = 0.5


@dataclass(frozen=True)
class Task:
    """Everything one run needs, small enough to send to another process.

    Attributes:
        run_id: The run's id in its plan.
        params: Every model parameter by keyword name.
        seed: Seed of the run's random streams (replaces ``params["seed"]``).
        series: Weekly columns to return (``n_on_benefit``, ``cum_job``, ...).
        timeline: The scenario's dated lever changes (``Timeline.to_plain`` records).
    """

    run_id: int
    params: dict[str, Any]
    seed: int
    series: tuple[str, ...] = ()
    timeline: tuple[dict[str, Any], ...] = ()


def simulate(task: Task) -> dict[str, Any]:
    """Build, run and summarise one model.

    Returns:
        A JSON-ready record: ``run_id``, ``seed``, ``outcomes`` (every outcome of
        :data:`bipsim.outcomes.OUTCOMES`, None where undefined), ``series`` (the
        requested weekly columns as lists, week 0 first) and ``elapsed_s``.
    """
    started = time.perf_counter()
    model = BipModel(**{**task.params, "seed": task.seed}, timeline=task.timeline)
    model.run()
    weekly = model.weekly()
    outcomes = {k: _plain(v) for k, v in summarise(model, weekly=weekly).items()}
    series = {col: [_plain(v) for v in weekly[col].tolist()] for col in task.series}
    return {"run_id": task.run_id, "seed": task.seed, "outcomes": outcomes,
            "series": series, "elapsed_s": round(time.perf_counter() - started, 4)}


def start_worker(parent: int) -> None:
    """Process-pool initializer: leave Ctrl-C to the parent, and die with it.

    A terminal sends SIGINT to the whole process group; the parent then stops
    submitting and saves the finished runs, which a worker killed by the same signal
    would break. The pool starts its workers with SIGINT and SIGTERM blocked (see
    ``executors._local``), so none dies of a signal while importing; here SIGINT is
    ignored for good and SIGTERM unblocked.

    A thread checks every :data:`PARENT_POLL_S` that ``parent`` is still this process's
    parent; when it is not (killed with SIGKILL, say), the worker exits: no worker
    outlives its experiment.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True,
                     name="watch-parent").start()


def warm_up() -> int:
    """A task that returns at once: its result says that a worker has started."""
    return os.getpid()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # no cleanup to do: a run in progress has written nothing


def _plain(value: Any) -> Any:
    """A JSON-ready Python scalar (numpy scalars unwrapped; NaN becomes None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN: JSON has no NaN
        return None
    return value
