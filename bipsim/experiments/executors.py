"""Where runs execute: one :class:`concurrent.futures.Executor` interface for all.

- ``workers=0``: this process, one run at a time (for debugging).
- ``workers=N``: a pool of N local processes (the default, one per core).
- ``scheduler="tcp://HOST:PORT"``: an existing Dask cluster.
- ``dask_local=N``: a Dask cluster of N worker processes started for the experiment.

Every run is a pure function of its parameters and seed, so the choice changes
how fast results come, never what they are.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from bipsim.options import CONNECT_TIMEOUT_S, worker_count
from bipsim.provenance import code_fingerprint

from .worker import start_worker, warm_up

log = logging.getLogger(__name__)

#: Threads for BLAS/OpenMP in local worker processes: one run per core, so extra
#: threads would only compete (Dask's nanny sets the same for its workers).
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Seconds idle local workers get to stop when the pool closes, before they are killed.
CLOSE_S = 2.0


class ExecutorError(Exception):
    """An executor cannot be started, reached, or trusted to run the same code."""


@dataclass
class Workers:
    """An open executor and how many runs it can make at once.

    Attributes:
        executor: Accepts ``submit(fn, *args)`` and returns futures.
        slots: Runs it makes at the same time (processes or Dask threads).
        description: For messages and the manifest (``2 local processes``).
        alive: How many workers are alive now; None where they cannot be lost.
    """

    executor: Executor
    slots: int
    description: str
    alive: Callable[[], int] | None = None


class InlineExecutor(Executor):
    """Runs each submitted call at once, in this process (``--workers 0``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Call ``fn(*args, **kwargs)`` now; return a finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # delivered through the future, as pools do
            future.set_exception(err)
        return future


@contextmanager
def open_workers(workers: int | None = None, scheduler: str | None = None,
                 dask_local: int | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Workers]:
    """Open an executor; closed (and a local cluster stopped) on exit.

    Args:
        workers: Local processes; 0 runs in this process; None: one per core.
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``).
        dask_local: Start a local Dask cluster with this many worker processes.
        connect_timeout: Seconds to wait for the scheduler before giving up.

    Raises:
        ExecutorError: More than one choice given, a bad count, or a scheduler that
            cannot be reached, has no workers, or whose workers run other code.
    """
    chosen = [name for name, value in (("--workers", workers), ("--scheduler", scheduler),
                                        ("--dask-local", dask_local)) if value is not None]
    if len(chosen) > 1:
        raise ExecutorError(f"choose one of {' and '.join(chosen)}")
    if scheduler is not None:
        with _dask(scheduler, None, connect_timeout) as opened:
            yield opened
    elif dask_local is not None:
        if dask_local < 1:
            raise ExecutorError(f"--dask-local {dask_local}: give 1 or more worker processes")
        with _dask(None, dask_local, connect_timeout) as opened:
            yield opened
    else:
        with _local(worker_count(workers)) as opened:
            yield opened


@contextmanager
def _local(workers: int) -> Iterator[Workers]:
    if workers < 0:
        raise ExecutorError(f"--workers {workers}: give 0 (this process) or more")
    if workers == 0:
        yield Workers(InlineExecutor(), 1, "this process")
        return
    # Spawned children copy the environment when they start: keep the variables set
    # for the pool's lifetime (it may replace a worker).
    with _environment(SINGLE_THREADED):
        pool = ProcessPoolExecutor(max_workers=workers, initializer=start_worker,
                                   initargs=(os.getpid(),),
                                   mp_context=multiprocessing.get_context("spawn"))
        finished = False
        try:
            _start_all(pool, workers)
            yield Workers(pool, workers, f"{workers} local process{'es' * (workers > 1)}",
                          alive=lambda: _alive_processes(pool))
            finished = True
        finally:
            _close_pool(pool, CLOSE_S if finished else 0.0)


def _start_all(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start every worker now, with SIGINT and SIGTERM blocked while they are made.

    Children inherit the blocked signals, so a Ctrl-C to the process group during
    start-up cannot kill one half-way through its imports (which broke the pool and
    hung the shutdown); each unblocks them in its initializer, and a signal sent to
    this process meanwhile is delivered once they are made, a moment later.
    """
    with _stop_signals_blocked():
        started = [pool.submit(warm_up) for _ in range(workers)]
    try:
        for future in started:
            future.result()
    except BrokenProcessPool as err:
        raise ExecutorError(f"--workers {workers}: a worker process died while starting "
                            f"({err})") from None


def _alive_processes(pool: ProcessPoolExecutor) -> int:
    processes = getattr(pool, "_processes", None) or {}
    return sum(process.is_alive() for process in list(processes.values()))


def _close_pool(pool: ProcessPoolExecutor, grace_s: float) -> None:
    """Shut the pool down, killing the workers that have not stopped within ``grace_s``.

    After a normal end every worker is idle and stops when told; after an error or a
    signal (``grace_s`` 0) what they do is abandoned, so they are killed at once.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace_s
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(1.0)
    if not any(process.is_alive() for process in processes):
        pool.shutdown(wait=True)  # joins the pool's own thread, now quick


@contextmanager
def _dask(address: str | None, n_workers: int | None, timeout: float) -> Iterator[Workers]:
    from distributed import Client, LocalCluster  # only imported when asked for

    with ExitStack() as stack:
        # Dask logs every connection and its closing at INFO; keep the terminal readable,
        # also when an interrupted cluster is closed at exit
        _raise_level(logging.getLogger("distributed"), logging.WARNING)
        if address is None:
            # its worker processes start with the stop signals blocked, as a local
            # pool's do: the terminal's Ctrl-C is this process's to handle
            with _stop_signals_blocked(), _kill_children_on_error():
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                       processes=True, host="127.0.0.1",
                                       dashboard_address=":0")
            stack.enter_context(cluster)
            stack.enter_context(_kill_children_on_error())  # closed before the cluster
            client = stack.enter_context(Client(cluster, set_as_default=False))
            where = f"a local Dask cluster ({n_workers} worker processes)"
        else:
            _check_reachable(address, timeout)
            _check_handshake(address, timeout)
            try:
                client = Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as err:
                raise ExecutorError(f"--scheduler {address}: no Dask scheduler answered within "
                                    f"{timeout:g} s ({err})") from None
            stack.callback(client.close)
            where = f"the Dask cluster at {address}"
        threads = _check_workers(client, where, timeout)
        executor = client.get_executor(pure=False)
        stack.callback(executor.shutdown, wait=False)  # cancels what is still queued
        yield Workers(executor, threads, f"{where}, {threads} threads",
                      alive=lambda: _dask_workers(client))


def _dask_workers(client: Any) -> int:
    """Workers the scheduler knows now (0 when the scheduler is gone too)."""
    if client.status != "running":
        return 0
    return len(client.scheduler_info().get("workers", {}))


def _check_reachable(address: str, timeout: float) -> None:
    """Fail in seconds, not after Dask's retries, when nothing listens at ``address``."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except ValueError as err:
        raise ExecutorError(f"--scheduler {address}: not an address like tcp://HOST:PORT "
                            f"({err})") from None
    if scheme not in ("tcp", "tls"):
        return  # other transports have no plain socket to try
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise ExecutorError(f"--scheduler {address}: cannot connect ({reason}); is the "
                            "scheduler running (`dask scheduler`), and the address right? "
                            "Or use --dask-local N for a cluster on this machine") from None


def _check_handshake(address: str, timeout: float) -> None:
    """Check that a Dask scheduler, not some other server, answers at ``address``.

    Done before making a Client, whose failed construction leaves noise at exit.
    """
    from distributed.comm import connect

    async def handshake() -> None:
        comm = await connect(address, timeout=timeout)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), timeout))
    # anything at all can come back from a port that is not a Dask scheduler
    # (an HTTP server's reply read as a frame length gives a MemoryError)
    except Exception as err:
        raise ExecutorError(f"--scheduler {address}: something listens there but did not "
                            f"answer as a Dask scheduler within {timeout:g} s "
                            f"({type(err).__name__}: {err})") from None


def _check_workers(client: Any, where: str, timeout: float) -> int:
    """Threads of the cluster's workers, once they are known to run this code."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ExecutorError(f"{where}: no workers joined within {timeout:g} s; start some "
                            "with `dask worker ADDRESS`") from None
    try:
        prints = client.run(code_fingerprint)
    except Exception as err:  # whatever a worker's import raised
        raise ExecutorError(f"{where}: the workers cannot run bipsim ({type(err).__name__}: "
                            f"{err}); install bipsim in the workers' environment") from None
    mine = code_fingerprint()
    other = sorted(worker for worker, fingerprint in prints.items() if fingerprint != mine)
    if other:
        raise ExecutorError(f"{where}: workers {', '.join(other)} run other bipsim model code "
                            f"than this machine (fingerprint {mine}); install the same "
                            "version on every worker")
    return sum(client.nthreads().values())


@contextmanager
def _kill_children_on_error() -> Iterator[None]:
    """Kill this process's worker processes if the block fails (a signal, an error):
    their runs are abandoned, and a graceful close would wait for them."""
    try:
        yield
    except BaseException:
        for process in multiprocessing.active_children():
            process.kill()
        raise


@contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Block SIGINT and SIGTERM in this thread (and the processes it starts) for the
    block's duration; one that arrives meanwhile is delivered at its end."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables (where not set already) for the block's duration."""
    added = {k: v for k, v in values.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def _raise_level(logger: logging.Logger, level: int) -> None:
    """Raise a logger's level (never lower it)."""
    logger.setLevel(max(level, logger.getEffectiveLevel()))
