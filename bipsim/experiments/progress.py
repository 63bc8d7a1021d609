"""Progress of an experiment: runs done, runs left, time remaining.

On a terminal a live bar (rich); in a log file (a cluster job, CI) one line per
tenth of the runs, so the log shows progress without redrawing characters.
"""

from __future__ import annotations

import datetime as dt
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RunProgress:
    """Counts finished runs against a plan.

    Args:
        total: Runs in the plan.
        done: Runs already finished before this session (a resume).
        label: What is running, e.g. ``sweep``.
        console: Where to show progress (default: standard error).
        quiet: Show nothing.
    """

    def __init__(self, total: int, done: int, label: str, console: Console | None = None,
                 quiet: bool = False) -> None:
        self.total, self.done, self.label = total, done, label
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self._first = done  # runs of earlier sessions do not count towards the rate
        self._started = time.perf_counter()
        self._next_line = 0
        self._bar: Progress | None = None
        self._task = None

    def __enter__(self) -> RunProgress:
        if self.quiet:
            return self
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("runs, {task.fields[left]} left; elapsed"), TimeElapsedColumn(),
                TextColumn("remaining"), TimeRemainingColumn(), console=self.console)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, completed=self.done,
                                            left=self.total - self.done)
        else:
            self._next_line = self.done + max(1, self.total // 10)
            self.note(self.status())
        return self

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more finished runs."""
        self.done += n
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, left=self.total - self.done)
        elif not self.quiet and (self.done >= self._next_line or self.done == self.total):
            self._next_line = self.done + max(1, self.total // 10)
            self.note(self.status())

    def remaining_s(self) -> float | None:
        """Seconds left at this session's rate so far, None before the first run."""
        made = self.done - self._first
        if made <= 0:
            return None
        return (time.perf_counter() - self._started) / made * (self.total - self.done)

    def status(self) -> str:
        """``12/40 runs done, 28 left, about 0:01:10 remaining``."""
        text = f"{self.label}: {self.done}/{self.total} runs done, {self.total - self.done} left"
        remaining = self.remaining_s()
        if remaining is not None and self.done < self.total:
            text += f", about {dt.timedelta(seconds=round(remaining))} remaining"
        return text

    def note(self, text: str) -> None:
        """Print a message without breaking the bar."""
        if not self.quiet:
            self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
