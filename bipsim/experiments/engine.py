"""Running a plan: submit runs to an executor, save each one as it finishes.

At most ``2 x slots`` runs are in flight at once, so a sweep of a million runs
never queues a million futures, and a stop loses at most the runs not yet started.

A stop request (SIGINT, i.e. Ctrl-C, or SIGTERM, e.g. from a cluster's job
scheduler) is only noted by the signal handler; the loop then submits nothing
more, cancels what has not started, waits for the running runs, saves them and
raises :class:`StoppedError`. So a signal never lands in the middle of writing a
file. A second signal acts as it normally would (abandon at once); the saved runs
are complete files either way.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from types import FrameType
from typing import Any

from .executors import Workers
from .progress import RunProgress
from .worker import Task, simulate

log = logging.getLogger(__name__)

#: Seconds between checks for a stop request while runs are in flight.
POLL_S = 0.2


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
            progress: RunProgress | None = None) -> None:
    """Make every task's run on ``workers``; ``save`` each record as it arrives.

    Records arrive in completion order, which varies; the caller orders them by run
    id afterwards.

    Raises:
        StoppedError: A stop signal arrived (the running runs were saved first).
        RunError: A run raised (the other running runs were saved first).
    """
    waiting = deque(tasks)
    running: dict[Future, Task] = {}
    window = 2 * max(1, workers.slots)
    failure: RunError | None = None
    with _StopRequest() as stop:
        while waiting or running:
            while waiting and len(running) < window and not (stop.signum or failure):
                task = waiting.popleft()
                try:
                    running[workers.executor.submit(simulate, task)] = task
                except RuntimeError as err:  # a broken pool (a worker was killed) refuses
                    failure = RunError(task.run_id, err)
            if (stop.signum or failure) and waiting:
                waiting.clear()
                for future in running:
                    future.cancel()  # succeeds only for runs not started yet
                if stop.signum and progress is not None and running:
                    progress.note(f"stopping: saving the runs in progress "
                                  f"({signal.Signals(stop.signum).name} again to abandon them)")
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
                    failure = RunError(task.run_id, error)
                # errors after a stop are the stop's doing (a worker hit by Ctrl-C)
    if stop.signum:
        raise StoppedError(stop.signum)
    if failure is not None:
        raise failure


class _StopRequest:
    """Notes the first SIGINT or SIGTERM instead of acting on it.

    After the first signal the previous handlers are back, so a second one
    interrupts as usual. Outside the main thread, where Python allows no signal
    handlers, nothing is installed.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum
        self._restore()

    def _restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def __exit__(self, *exc: object) -> None:
        self._restore()
