"""How many threads the compiled rules of a process use.

Results never depend on it: the loops run over fixed chunks of rows (``chunks.py``).

How many threads a process uses:

* ``bipsim run`` (and the dashboard) use every core the process may run on, unless
  ``--threads N`` or the environment variable ``BIPSIM_THREADS`` says otherwise;
* the worker processes of ``compare``, ``sweep`` and ``calibrate`` use one thread
  each: those run many models side by side, one per process, which uses the cores
  better than threads within each model;
* a model built from Python uses numba's setting (every core by default), so
  ``set_threads(1)`` before a loop of models on a process pool.
"""

from __future__ import annotations

import os

#: The environment variable that sets the thread count of ``bipsim run``.
ENV = "BIPSIM_THREADS"


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def set_threads(n: int | None) -> int:
    """Use ``n`` threads in the compiled rules of this process (``None``: the
    ``BIPSIM_THREADS`` setting, else every available core); returns the count used."""
    import numba

    if n is None:
        n = int(os.environ.get(ENV) or available_cores())
    n = max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(n)
    return n


def get_threads() -> int:
    """Threads the compiled rules of this process use."""
    import numba

    return numba.get_num_threads()
