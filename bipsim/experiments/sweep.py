"""``bipsim sweep``: one scenario over a grid or a sampled design, with replicates.

Runs are numbered point by point (all replicates of point 0, then point 1, ...),
and replicate ``r`` has the same seed at every point (common random numbers), so
differences between points are not blurred by different luck. The results table
has one row per run: run id, point, replicate, seed, the swept parameters (dotted
keys) and every outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bipsim import formatting
from bipsim.outcomes import OUTCOMES
from bipsim.parameters import BY_NAME, PARAMETERS
from bipsim.provenance import code_fingerprint
from bipsim.scenario import Scenario, ScenarioError, parse_override
from bipsim.uncertainty import planning

from . import tables
from .designs import Design, Factor
from .plan import Plan, RunSpec, replicate_seeds
from .sensitivity import indices_table

#: Outcomes in the plots (those defined for the sweep's runs).
KEY_OUTCOMES = ("exits_job", "share_job_12m", "mean_weeks_on_benefit", "total_cost_dkk")


def plan_sweep(scenario: Scenario, design: Design, reps: int, seed: int,
               uncertainty: str = "chance") -> Plan:
    """Plan ``reps`` replicates of every design point of ``scenario``.

    With ``uncertainty="parameters"`` replicate ``r`` of every point runs in world
    ``r``: the uncertain parameters that neither the design nor the scenario sets
    take their draw ``r`` (:mod:`bipsim.uncertainty.planning`).

    Raises:
        ScenarioError: No replicates, or a swept key also set with ``--set``.
    """
    if reps < 1:
        raise ScenarioError(f"given {reps}, need at least 1", key="--reps")
    fixed = {parse_override(text)[0] for text in scenario.overrides}
    for factor in design.factors:
        if factor.path in fixed:
            raise ScenarioError("set with --set and swept too; give it in one place only",
                                key=factor.path)
    seeds = replicate_seeds(seed, reps)
    label = scenario.name
    runs = [RunSpec(p * reps + r, label, p, r, s, dict(point))
            for p, point in enumerate(design.points) for r, s in enumerate(seeds)]
    record: dict[str, Any] = {"mode": "chance"}
    if uncertainty == "parameters":
        runs, record = planning.in_worlds(runs, {label: scenario}, seed, reps, 0,
                                          exclude=[f.spec.name for f in design.factors])
    resolved = {label: {"name": scenario.name, "description": scenario.description,
                        "files": scenario.files, "overrides": scenario.overrides,
                        "params": scenario.params,
                        **({"timeline": scenario.timeline.to_plain()} if scenario.timeline
                           else {})}}
    described = {
        "method": design.method, "n": design.n,
        "factors": [{"path": f.path, "values": list(f.values),
                     "bounds": list(f.bounds) if f.bounds else None} for f in design.factors],
        "x": design.x.tolist() if design.x is not None else None,
        "points": design.points,
        "uncertainty": record,
    }
    return Plan("sweep", f"sweep-{label}", seed, seeds, resolved, runs, (), described,
                code_fingerprint())


def design_of(plan: Plan) -> Design:
    """The design of a sweep plan (as saved in ``plan.json``)."""
    d = plan.design
    factors = [Factor(PARAMETERS[f["path"]], tuple(f["values"]),
                      tuple(f["bounds"]) if f["bounds"] else None) for f in d["factors"]]
    x = np.asarray(d["x"], dtype=float) if d["x"] is not None else None
    return Design(d["method"], factors, d["points"], x, d["n"])


@dataclass
class SweepResult:
    """The analysed sweep.

    Attributes:
        plan: The plan it was made from.
        design: The design.
        results: One row per run.
        points: One row per design point: the swept values and each outcome's mean
            over replicates.
        indices: Sensitivity indices (sobol, morris), one row per outcome and
            parameter; None for grid and lhs designs.
        outcomes: Key outcomes defined at every point (for plots).
    """

    plan: Plan
    design: Design
    results: pd.DataFrame
    points: pd.DataFrame
    indices: pd.DataFrame | None
    outcomes: list[str]


def analyse(plan: Plan, records: list[dict[str, Any]]) -> SweepResult:
    """Tables of a finished sweep from its run records (any order)."""
    design = design_of(plan)
    results = results_table(plan, design, records)
    paths = [f.path for f in design.factors]
    points = (results.groupby("point", sort=True)
              .agg(**{p: (p, "first") for p in paths}, reps=("run_id", "size"),
                   **{name: (name, "mean") for name in OUTCOMES})
              .reset_index())
    defined = [n for n in KEY_OUTCOMES if np.isfinite(points[n].to_numpy(float)).all()]
    table = None
    if design.method in ("sobol", "morris"):
        table = indices_table(design.method, design.problem(), design.x, points,
                              [n for n in OUTCOMES if n in points], plan.seed)
    return SweepResult(plan, design, results, points, table, defined)


def results_table(plan: Plan, design: Design, records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per run, sorted by run id: point, replicate, seed, swept values, drawn
    values (``--uncertainty parameters``), outcomes; all under dotted keys."""
    paths = {f.spec.name: f.path for f in design.factors}
    return tables.results_table(plan, records, lambda run: {
        "point": run.point, "replicate": run.replicate, "seed": run.seed,
        **{paths[k]: v for k, v in run.changes.items()},
        **{BY_NAME[k].path: v for k, v in run.draws.items()}})


def describe(design: Design, reps: int) -> str:
    """``grid of 3 x 2 = 6 points x 2 replicates = 12 runs``."""
    points = len(design.points)
    if design.method == "grid":
        shape = " x ".join(str(len(f.values)) for f in design.factors)
        head = f"grid of {shape} = {points} points"
    else:
        per = {"lhs": "", "sobol": f" (N={design.n} x (D+2))",
               "morris": f" (N={design.n} trajectories x (D+1))"}[design.method]
        head = f"{design.method} design of {points} points{per}"
    return f"{head} x {reps} replicate{'s' * (reps != 1)} = {points * reps} runs"


def factor_table(design: Design) -> pd.DataFrame:
    """The swept parameters: key, values or bounds, unit, meaning."""
    rows = []
    for f in design.factors:
        spec = BY_NAME[f.spec.name]
        swept = (formatting.listing([formatting.general(v, 12) if isinstance(v, float)
                                     else str(v) for v in f.values]) if f.values
                 else f"{_num(f.bounds[0])} to {_num(f.bounds[1])}")
        rows.append({"parameter": f.path, "swept over": swept, "unit": spec.unit,
                     "meaning": spec.doc})
    return pd.DataFrame(rows)


def _num(x: float) -> str:
    return formatting.general(x) if math.isfinite(x) else "-"
