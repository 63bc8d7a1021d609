"""How many threads the compiled rules of a process use.

Results never depend on it: the loops run over fixed chunks of rows (``chunks.py``).

* ``bipsim run`` uses every core the process may run on for a model of at least
  :data:`PARALLEL_FROM` citizens and one thread below, unless ``--threads N`` or the
  environment variable ``BIPSIM_THREADS`` says otherwise;
* a model built any other way (from Python, ``mesa.batch_run``, the worker processes
  of ``compare``, ``sweep`` and ``calibrate``, the dashboard) uses ``BIPSIM_THREADS``
  threads, or one: tools that run many models side by side use the cores better with
  one process per core than with threads inside each model. ``set_threads(n)`` in a
  process overrides both.
"""

from __future__ import annotations

import os

#: The environment variable that sets the thread count.
ENV = "BIPSIM_THREADS"

_chosen = False  # set_threads was called in this process

#: Citizens from which a second thread saves a run wall time. Below it the week's work
#: is mostly serial and waking the other thread for each short parallel loop costs
#: more than it saves (``benchmarks/bench_scale.py --sizes 300000 1000000``, idle
#: machine, medians of 3: national's 80,000 citizens 1.49 s with one thread, 1.71 s
#: with two; 300,000: 4.98 and 5.01 s; 1,000,000: 20.4 and 18.5 s).
PARALLEL_FROM = 1_000_000


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def from_environment(default: int) -> int:
    """``BIPSIM_THREADS`` as a count, or ``default`` when it is not set."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return default
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        from .parameters import ParameterError  # a usage error: exit 2 in the CLI
        raise ParameterError(f"{ENV}: given {text!r}; allowed: a whole number >= 1")
    return n


def set_threads(n: int | None = None) -> int:
    """Use ``n`` threads in the compiled rules of this process (``None``:
    ``BIPSIM_THREADS``, else every available core); returns the count used, at
    most numba's maximum (``NUMBA_NUM_THREADS``)."""
    import numba

    global _chosen
    if n is None:
        n = from_environment(available_cores())
    n = max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(n)
    _chosen = True
    return n


def run_default(n_citizens: int) -> int:
    """Threads ``bipsim run`` uses for a model of ``n_citizens`` when not told: every
    available core from :data:`PARALLEL_FROM` citizens, else one."""
    return available_cores() if n_citizens >= PARALLEL_FROM else 1


def use_default_threads() -> None:
    """Before a model runs: unless this process chose a count, ``BIPSIM_THREADS`` or 1."""
    if not _chosen:
        set_threads(from_environment(1))


def get_threads() -> int:
    """Threads the compiled rules of this process use."""
    import numba

    return numba.get_num_threads()
