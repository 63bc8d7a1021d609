"""Experiments: many runs of the model, compared or swept, on any executor.

The vocabulary (after EMA Workbench):

- A **run** is one simulation: a scenario's parameters, possibly changed at a design
  point, and one replicate seed. It is a pure function of those two
  (:func:`~bipsim.experiments.worker.simulate`), so it gives the same outcomes on
  any machine process, in any order.
- A **plan** (:class:`~bipsim.experiments.plan.Plan`) lists every run of an
  experiment under a run id. It is fixed and saved (``plan.json``) before anything
  runs, so an interrupted experiment resumes exactly as planned.
- A **store** (:class:`~bipsim.experiments.store.RunStore`) keeps each finished run
  as one file, written atomically as it completes; the results table is assembled
  from the store, sorted by run id.
- An **executor** is any :class:`concurrent.futures.Executor`: this process, a pool
  of local processes, or a Dask cluster (:mod:`bipsim.experiments.executors`).

``bipsim compare`` (:mod:`~bipsim.experiments.compare`) runs scenarios on the same
replicate seeds and reports paired differences; ``bipsim sweep``
(:mod:`~bipsim.experiments.sweep`) runs a grid or a sampled design (SALib) and
reports response curves or sensitivity indices.

**The engine, for every command that runs many models** (compare, sweep,
calibration, validation); each a public, documented function in one place:

- :func:`~bipsim.experiments.plan.replicate_seeds`: replicate *r*'s seed, word *r*
  of ``SeedSequence(seed)``; the same for every scenario, point or candidate.
- :func:`~bipsim.experiments.executors.open_workers`: this process, local
  processes (``--workers``) or a Dask cluster (``--scheduler``, ``--dask-local``).
- :func:`~bipsim.experiments.engine.execute`: runs tasks on the executor, saves
  each result as it finishes, stops cleanly on a signal.
- :class:`~bipsim.experiments.store.RunStore`: one file per finished run, the saved
  plan, and what is left to do on ``--resume``.
- :class:`~bipsim.experiments.progress.RunProgress`: runs done, left and the time
  remaining (a bar on a terminal, a line per tenth in a log).

The names below are imported when first used (PEP 562): ``bipsim --help`` imports
:mod:`.arguments` from this package and must not pay for the model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import execute
    from .executors import open_workers
    from .plan import Plan, RunSpec, replicate_seeds
    from .progress import RunProgress
    from .store import RunStore, StoreError
    from .worker import Task, simulate

#: Where each public name lives.
_LAZY = {"Plan": ".plan", "RunSpec": ".plan", "replicate_seeds": ".plan",
         "RunStore": ".store", "StoreError": ".store", "Task": ".worker", "simulate": ".worker",
         "execute": ".engine", "open_workers": ".executors", "RunProgress": ".progress"}

__all__ = ["Plan", "RunProgress", "RunSpec", "RunStore", "StoreError", "Task", "execute",
           "open_workers", "replicate_seeds", "simulate"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
