"""The plan of an experiment: every run, its parameters and its seed, fixed up front.

A plan is built once from validated inputs, saved as ``plan.json`` in the
experiment folder before the first run starts, and read back by ``--resume``: a
resumed experiment runs exactly the runs it planned, even if the scenario files
have changed since.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .worker import Task

#: Version of the ``plan.json`` layout; a different version is refused on resume.
PLAN_VERSION = 1


def replicate_seeds(seed: int, reps: int) -> list[int]:
    """The seeds of replicates ``0..reps-1`` of an experiment with base ``seed``.

    Replicate ``r`` uses word ``r`` of ``numpy.random.SeedSequence(seed)``'s
    generated state (32-bit). The words do not depend on ``reps``, so an experiment
    with more replicates extends one with fewer, and nearby base seeds (1 and 2) do
    not share replicates the way ``seed + r`` would.
    """
    if reps < 0:
        raise ValueError(f"reps must be >= 0, given {reps}")
    words = np.random.SeedSequence(seed).generate_state(reps, dtype=np.uint32)
    return [int(w) for w in words]


@dataclass(frozen=True)
class RunSpec:
    """One planned run.

    Attributes:
        run_id: Position in the plan, 0-based; the results table is sorted by it.
        scenario: Label of the scenario whose parameters the run starts from.
        point: Design point (sweep) or scenario index (compare).
        replicate: Replicate index; every scenario and point shares replicate seeds.
        seed: Seed of the run's random streams.
        changes: Parameter values set at the design point, by keyword name.
        draws: Values of the uncertain parameters drawn for this run's world
            (:mod:`bipsim.uncertainty.draws`), by keyword name; empty for a run at
            the central values.
        uncertainty: ``chance`` (central parameter values) or ``parameters``
            (world ``replicate``'s parameter draws).
    """

    run_id: int
    scenario: str
    point: int
    replicate: int
    seed: int
    changes: dict[str, Any] = field(default_factory=dict)
    draws: dict[str, Any] = field(default_factory=dict)
    uncertainty: str = "chance"


@dataclass
class Plan:
    """Every run of one experiment.

    Attributes:
        kind: ``compare`` or ``sweep``.
        name: Short name, used for the output folder.
        seed: Base seed the replicate seeds derive from.
        seeds: Replicate seeds (see :func:`replicate_seeds`).
        scenarios: Label to resolved scenario: ``name``, ``description``, ``files``,
            ``overrides``, ``params`` (every parameter by keyword name) and, for a
            scenario with dated changes, ``timeline`` (``Timeline.to_plain`` records).
        runs: The runs, in run-id order.
        series: Weekly columns each run keeps (for plots over time).
        design: Kind-specific description (sweep: method, factors, points).
        fingerprint: Hash of the model code the runs are made with.
    """

    kind: str
    name: str
    seed: int
    seeds: list[int]
    scenarios: dict[str, dict[str, Any]]
    runs: list[RunSpec]
    series: tuple[str, ...] = ()
    design: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def reps(self) -> int:
        """Replicates per scenario or design point."""
        return len(self.seeds)

    def task(self, run: RunSpec) -> Task:
        """What a worker needs to make ``run``: full parameters, seed, series."""
        scenario = self.scenarios[run.scenario]
        params = {**scenario["params"], **run.draws, **run.changes}
        return Task(run.run_id, params, run.seed, self.series,
                    tuple(scenario.get("timeline", ())))

    def reform_weeks(self) -> dict[str, int]:
        """The first week a dated change acts in, by label of each scenario that has one."""
        return {label: min(change["from_week"] for change in s["timeline"])
                for label, s in self.scenarios.items() if s.get("timeline")}

    def to_json(self) -> str:
        """The plan as JSON text (``plan.json``)."""
        data = asdict(self)
        data["series"] = list(self.series)
        return json.dumps({"plan_version": PLAN_VERSION, **data}, indent=1,
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Read a plan written by :meth:`to_json`.

        Raises:
            ValueError: Not a plan, or a plan of another layout version.
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.pop("plan_version", None) != PLAN_VERSION:
            raise ValueError(f"not a bipsim plan of layout version {PLAN_VERSION}")
        data["runs"] = [RunSpec(**run) for run in data["runs"]]
        data["series"] = tuple(data["series"])
        return cls(**data)
