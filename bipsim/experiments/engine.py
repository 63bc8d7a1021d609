"""Running a plan: submit runs to an executor, save each one as it finishes.

At most ``2 x slots`` runs are in flight at once, so a sweep of a million runs
never queues a million futures, and a stop loses at most the runs not yet started.

A stop request (SIGINT, i.e. Ctrl-C, or SIGTERM, e.g. from a cluster's job
scheduler) is only noted by the signal handler; the loop then submits nothing
more, cancels what has not started, saves the running runs that finish within
:data:`STOP_WAIT_S` and raises :class:`StoppedError`. So a signal never lands in
the middle of writing a file, and the experiment ends within seconds. A second
signal acts as it normally would (abandon at once); the saved runs are complete
files either way. Runs made in this process (``--workers 0``) are interrupted at
once. When every worker is gone (killed, or the cluster went away) the loop raises
:class:`WorkersLostError` instead of waiting for ever.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from types import FrameType
from typing import Any

from bipsim.errors import Interrupted

from .executors import ExecutorError, Workers
from .progress import RunProgress
from .worker import Task, simulate

log = logging.getLogger(__name__)

#: Seconds between checks for a stop request while runs are in flight.
POLL_S = 0.2
#: After a stop request, seconds the runs in progress get to finish and be saved; the
#: rest are abandoned (they have no file, so ``--resume`` makes them).
STOP_WAIT_S = 3.0
#: Seconds with no worker alive after which the experiment fails.
WORKERS_GONE_S = 10.0


class StoppedError(Exception):
    """The experiment was stopped by a signal; finished runs are saved.

    Attributes:
        signum: The signal (``signal.SIGINT`` or ``signal.SIGTERM``).
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


class RunError(Exception):
    """A run raised an error; the runs finished before it are saved.

    Attributes:
        run_id: The failed run.
        error: What it raised.
    """

    def __init__(self, run_id: int, error: BaseException) -> None:
        self.run_id, self.error = run_id, error
        super().__init__(f"run {run_id} failed: {type(error).__name__}: {error}")


def execute(tasks: Iterable[Task], workers: Workers, save: Callable[[dict[str, Any]], None],
            progress: RunProgress | None = None,
            run: Callable[[Task], dict[str, Any]] = simulate) -> None:
    """Make every task's run on ``workers``; ``save`` each record as it arrives.

    Records arrive in completion order, which varies; the caller orders them by run
    id afterwards. ``run`` makes one record from one task (a top-level function, so
    other processes can import it): a model run summarised by default, a simulated
    study's statistics in calibration.

    Raises:
        StoppedError: A stop signal arrived (the runs that finished within
            :data:`STOP_WAIT_S` were saved first).
        WorkersLostError: Every worker is gone (killed, crashed, or the cluster went
            away); the finished runs are saved.
        RunError: A run raised (the other running runs were saved first).
    """
    waiting = deque(tasks)
    running: dict[Future, Task] = {}
    window = 2 * max(1, workers.slots)
    failure: Exception | None = None
    winding_down = False
    stop_deadline: float | None = None
    watch = _WorkerWatch(workers)
    with _StopRequest(interrupt_at_once=workers.alive is None) as stop:
        while waiting or running:
            while waiting and len(running) < window and not (stop.signum or failure):
                task = waiting.popleft()
                try:
                    running[workers.executor.submit(run, task)] = task
                except RuntimeError as err:  # a broken pool (a worker was killed) refuses
                    failure = _lost(workers, err) or RunError(task.run_id, err)
            if (stop.signum or failure) and not winding_down:
                winding_down = True
                waiting.clear()
                for future in running:
                    future.cancel()  # succeeds only for runs not started yet
            if stop.signum and stop_deadline is None:
                stop_deadline = time.monotonic() + STOP_WAIT_S
                if progress is not None and running:
                    progress.note(f"stopping: saving the runs that finish within "
                                  f"{STOP_WAIT_S:g} s ({signal.Signals(stop.signum).name} "
                                  "again to abandon them)")
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                break  # runs still going are abandoned: they have no file, resume makes them
            done, _ = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                if future.cancelled():
                    continue
                error = future.exception()
                if error is None:
                    save(future.result())
                    if progress is not None:
                        progress.advance()
                elif failure is None and not stop.signum:
                    log.debug("run %d failed", task.run_id, exc_info=error)
                    failure = _lost(workers, error) or RunError(task.run_id, error)
                # errors after a stop are the stop's doing (a worker hit by Ctrl-C)
            if running and failure is None and not stop.signum:
                failure = watch.check()
            if isinstance(failure, WorkersLostError):
                break  # nothing running will finish
    if stop.signum:
        raise StoppedError(stop.signum)
    if failure is not None:
        raise failure


class WorkersLostError(ExecutorError):
    """Every worker of the executor is gone; the finished runs are saved."""


def _lost(workers: Workers, error: BaseException) -> WorkersLostError | None:
    """The error as a :class:`WorkersLostError` if it says that the pool is broken."""
    if isinstance(error, BrokenProcessPool):
        return WorkersLostError(f"a worker process of {workers.description} died (killed, "
                                "or out of memory?), which stops the pool")
    return None


class _WorkerWatch:
    """Notices when no worker has been alive for :data:`WORKERS_GONE_S`."""

    def __init__(self, workers: Workers) -> None:
        self.workers = workers
        self.none_since: float | None = None
        self.next_check = 0.0

    def check(self) -> WorkersLostError | None:
        now = time.monotonic()
        if self.workers.alive is None or now < self.next_check:
            return None
        self.next_check = now + 1.0
        try:
            alive = self.workers.alive()
        except Exception:  # an executor that cannot answer has no workers
            alive = 0
        if alive:
            self.none_since = None
            return None
        self.none_since = self.none_since or now
        if now - self.none_since < WORKERS_GONE_S:
            return None
        return WorkersLostError(f"no worker of {self.workers.description} has been alive for "
                                f"{WORKERS_GONE_S:g} s")


class _StopRequest:
    """Notes the first SIGINT or SIGTERM instead of acting on it.

    After the first signal the previous handlers are back, so a second one
    interrupts as usual. With ``interrupt_at_once`` (runs made in this process, which
    cannot be left to finish elsewhere) the first signal interrupts the run at once
    instead. Outside the main thread, where Python allows no signal handlers,
    nothing is installed.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, interrupt_at_once: bool = False) -> None:
        self.signum: int | None = None
        self.interrupt_at_once = interrupt_at_once
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum
        self._restore()
        if self.interrupt_at_once:
            raise Interrupted(signum)

    def _restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def __exit__(self, *exc: object) -> None:
        self._restore()
