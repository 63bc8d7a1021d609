"""What a worker process does: one run, as a pure function of parameters and seed.

The functions here are top-level so that a spawned process (``import mesa`` makes
"spawn" the start method) or a Dask worker can import them by name.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from bipsim.model import BipModel
from bipsim.outcomes import summarise


@dataclass(frozen=True)
class Task:
    """Everything one run needs, small enough to send to another process.

    Attributes:
        run_id: The run's id in its plan.
        params: Every model parameter by keyword name.
        seed: Seed of the run's random streams (replaces ``params["seed"]``).
        series: Weekly columns to return (``n_on_benefit``, ``cum_job``, ...).
    """

    run_id: int
    params: dict[str, Any]
    seed: int
    series: tuple[str, ...] = ()


def simulate(task: Task) -> dict[str, Any]:
    """Build, run and summarise one model.

    Returns:
        A JSON-ready record: ``run_id``, ``seed``, ``outcomes`` (every outcome of
        :data:`bipsim.outcomes.OUTCOMES`, None where undefined), ``series`` (the
        requested weekly columns as lists, week 0 first) and ``elapsed_s``.
    """
    started = time.perf_counter()
    model = BipModel(**{**task.params, "seed": task.seed})
    model.run()
    weekly = model.weekly()
    outcomes = {k: _plain(v) for k, v in summarise(model, weekly=weekly).items()}
    series = {col: [_plain(v) for v in weekly[col].tolist()] for col in task.series}
    return {"run_id": task.run_id, "seed": task.seed, "outcomes": outcomes,
            "series": series, "elapsed_s": round(time.perf_counter() - started, 4)}


def ignore_sigint() -> None:
    """Process-pool initializer: leave Ctrl-C to the parent.

    A terminal sends SIGINT to the whole process group; the parent then stops
    submitting and lets the running runs finish and be saved, which a worker killed
    by the same signal could not.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _plain(value: Any) -> Any:
    """A JSON-ready Python scalar (numpy scalars unwrapped; NaN becomes None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN: JSON has no NaN
        return None
    return value
