"""The chosen practice and today's practice, run side by side with the same seed.

Both models are built from the same scenario and seed, so they hold the same
citizens with the same luck (common random numbers, see ``bipsim/streams.py``):
whatever differs between the two jobcentres is the practice. The baseline is the
scenario as loaded ("i dag"); the chosen practice is the scenario with the
trainer's lever settings, changed while it runs.

One pair per browser session. The page's play loop runs in a thread while button
handlers run in others, so every change goes through the pair's lock.
"""

from __future__ import annotations

import threading
from typing import Any

from bipsim.model import BipModel
from bipsim.parameters import BY_NAME, ParameterError
from bipsim.scenario import Scenario

from .levers import BY_LEVER, LEVERS, LeverError
from .record import ModelLog


class ModelPair:
    """Two models of one scenario and seed that step together.

    Args:
        scenario: The scenario both start from.
        seed: Seed of both; None uses the scenario's ``run.seed``.

    Attributes:
        scenario: The scenario.
        seed: The seed of the current pair.
        settings: The chosen practice's lever values (model units), by name.
        pending: Lever values that apply at the next :meth:`reset` (structure).
        practice: The model of the chosen practice.
        baseline: The model of today's practice.
        logs: Week records of ``practice`` and ``baseline``.
        lock: Held while the models change or are read for drawing.
        revision: Counts every change (step, lever, reset), so a page knows when to redraw.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.settings: dict[str, Any] = {lever.name: scenario.params[lever.name]
                                         for lever in LEVERS}
        self.pending: dict[str, Any] = {}
        self.lock = threading.RLock()
        self.revision = 0
        self.reset(scenario.params["seed"] if seed is None else seed)

    @property
    def week(self) -> int:
        """The week both models have reached."""
        return self.practice.week

    @property
    def weeks(self) -> int:
        """Length of the run (the scenario's ``run.weeks``)."""
        return int(self.scenario.params["weeks"])

    @property
    def finished(self) -> bool:
        """True when the run has reached its last week."""
        return not self.practice.running

    def reset(self, seed: int | None = None) -> None:
        """Rebuild both models at week 0, with the pending settings applied.

        Args:
            seed: New seed for both; None keeps the current one.

        Raises:
            LeverError: A seed outside the allowed range.
        """
        with self.lock:
            seed = _as_lever_error(BY_NAME["seed"].validate, self.seed if seed is None else seed)
            self.settings.update(self.pending)
            self.pending = {}
            self.seed = seed
            self.practice = BipModel.from_scenario(self.scenario, seed=seed, **self.settings)
            self.baseline = BipModel.from_scenario(self.scenario, seed=seed)
            self.logs = {"practice": ModelLog(self.practice), "baseline": ModelLog(self.baseline)}
            self.revision += 1

    def set_lever(self, name: str, value: Any) -> bool:
        """Set a lever of the chosen practice.

        A live lever reaches the running model at once (from the next week on,
        through :meth:`BipModel.set_lever`); a lever the table marks ``live: false``
        shapes the model's structure and waits for :meth:`reset`.

        Returns:
            True if the change is live, False if it waits for the reset.

        Raises:
            LeverError: Not a dashboard lever, or a value the schema does not allow.
        """
        lever = BY_LEVER.get(name)
        if lever is None:
            raise LeverError(f"{name!r} is not a dashboard lever")
        with self.lock:
            if not lever.live:
                value = _as_lever_error(BY_NAME[name].validate, value)
                if value == self.settings[name]:
                    self.pending.pop(name, None)
                else:
                    self.pending[name] = value
                self.revision += 1
                return False
            self.settings[name] = _as_lever_error(self.practice.set_lever, name, value)
            self.revision += 1
            return True

    def step(self, weeks: int = 1) -> int:
        """Advance both models by up to ``weeks`` weeks (not past the end).

        Returns:
            The number of weeks stepped.
        """
        done = 0
        with self.lock:
            while done < weeks and not self.finished:
                for name, model in (("practice", self.practice), ("baseline", self.baseline)):
                    model.step()
                    self.logs[name].record()
                done += 1
            if done:
                self.revision += 1
        return done

    def current(self, name: str) -> dict[str, float]:
        """This week's stocks, flows and cumulative counts of ``practice`` or ``baseline``."""
        return (self.practice if name == "practice" else self.baseline).current


def _as_lever_error(call: Any, *args: Any) -> Any:
    """``call(*args)``, a refused value raised as :class:`LeverError` (the page shows it)."""
    try:
        return call(*args)
    except ParameterError as err:
        raise LeverError(str(err)) from None
