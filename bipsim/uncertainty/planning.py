"""Planning runs with parameter uncertainty: ``--uncertainty parameters|chance``.

``chance`` runs every scenario at its central parameter values (the fitted values
and the first guesses); intervals then cover the model's randomness only.
``parameters`` (the default) also runs replicate ``r`` of every scenario in world
``r`` (its parameter draws, :mod:`bipsim.uncertainty.draws`). ``compare`` keeps
the central runs too, for the chance-only interval, on the first
:data:`CHANCE_REPS` replicate seeds (a paired interval is well determined by then);
``sweep`` runs each design point in the worlds only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bipsim.options import UNCERTAINTY_MODES
from bipsim.parameters import BY_NAME, PARAMETERS
from bipsim.scenario import Scenario

from .draws import draw_worlds, drawn_names

#: Values of ``--uncertainty``; the first is compare's default.
MODES = UNCERTAINTY_MODES
DEFAULT_MODE = MODES[0]
#: Replicates at the central values that ``compare --uncertainty parameters`` runs
#: for the chance-only interval (all replicates when there are fewer).
CHANCE_REPS = 20


def chance_reps(mode: str, reps: int) -> int:
    """Replicates ``compare`` runs at the central values in ``mode``."""
    return reps if mode == "chance" else min(reps, CHANCE_REPS)


def in_worlds(runs: Sequence[Any], scenarios: Mapping[str, Scenario], seed: int, reps: int,
              first_id: int, exclude: Iterable[str] = ()) -> tuple[list[Any], dict[str, Any]]:
    """Copies of ``runs`` in their replicate's world, numbered from ``first_id``.

    Args:
        runs: Run specs (:class:`~bipsim.experiments.plan.RunSpec`) at central values.
        scenarios: Each run's scenario by label.
        seed: The experiment's base seed (the draws derive from it).
        reps: Replicates (worlds) of the experiment.
        first_id: Run id of the first copy.
        exclude: Parameters held by the design (a sweep's factors), never drawn.

    Returns:
        The copies, and a record for the plan's design: the mode, what each
        scenario draws (dotted keys), where draws come from, and the note.
    """
    drawn = {label: drawn_names(s, exclude) for label, s in scenarios.items()}
    order = {name: i for i, name in enumerate(BY_NAME)}
    names = sorted(set().union(*drawn.values()), key=order.__getitem__)
    worlds = draw_worlds(names, seed, reps)
    copies = [dataclasses.replace(run, run_id=first_id + k, uncertainty="parameters",
                                  draws=worlds.world(run.replicate, drawn[run.scenario]))
              for k, run in enumerate(runs)]
    held = {label: [spec.path for spec in PARAMETERS.values() if spec.uncertainty
                    and spec.name not in drawn[label]] for label in scenarios}
    record = {"mode": "parameters", "drawn": {label: [BY_NAME[n].path for n in names_]
                                              for label, names_ in drawn.items()},
              "held": held, **worlds.describe()}
    return copies, record


def describe_mode(record: Mapping[str, Any] | None) -> str:
    """One sentence on what the intervals cover, for printouts and reports."""
    if not record or record.get("mode") != "parameters":
        return ("Intervals cover the model's chance only: every run uses the central "
                "parameter values (--uncertainty chance).")
    origin = record.get("origin", {})
    n_post = sum(1 for v in origin.values() if v == "posterior")
    n_prior = len(origin) - n_post
    text = (f"Parameter uncertainty: {len(origin)} uncertain parameters drawn per world "
            f"({n_post} from the calibration's posterior, {n_prior} from their priors); "
            "levers and context are never drawn, and a parameter a scenario sets keeps "
            "its value.")
    if record.get("note"):
        text += " NOTE: " + record["note"]
    return text
