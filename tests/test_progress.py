"""The progress bar appears only when a run is projected to be slow."""

from __future__ import annotations

from bipsim import commands


class FakeClock:
    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_fast_run_shows_no_bar(monkeypatch):
    monkeypatch.setattr(commands.time, "perf_counter", FakeClock(0.001))
    with commands._WeeklyProgress(208, "fast") as progress:
        for _ in range(208):
            progress.advance()
        assert progress.bar is None


def test_slow_run_shows_a_bar_that_counts_weeks(monkeypatch):
    monkeypatch.setattr(commands.time, "perf_counter", FakeClock(0.2))
    with commands._WeeklyProgress(52, "slow") as progress:
        for _ in range(52):
            progress.advance()
        assert progress.bar is not None
        assert progress.bar.tasks[0].completed == 52
