"""``bipsim validate``: the criteria's experiments as one plan, and their verdicts.

Every arm of every experiment is a scenario (the criteria's base, its ``set``
overrides, the arm's values); the plan runs each arm in N plausible worlds
(:mod:`bipsim.uncertainty.planning`), so the arms of an experiment are paired world
by world, on the experiments engine (executors, run store, resume) that ``compare``
and ``sweep`` use. Each pattern's value is computed world by world from the runs'
weekly series, then judged by its criterion over the worlds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bipsim.experiments.plan import Plan, RunSpec, replicate_seeds
from bipsim.provenance import code_fingerprint
from bipsim.scenario import ScenarioError, load_scenario
from bipsim.uncertainty import planning

from .criteria import Criteria, Pattern

#: Weekly columns each run keeps.
SERIES = ("n_on_benefit", "cum_job", "new_meetings", "cum_cost_dkk")


def label(experiment: str, arm: str) -> str:
    """The scenario label of one arm: ``caseload/caseload_50``."""
    return f"{experiment}/{arm}"


def plan_validation(criteria: Criteria, reps: int | None = None,
                    seed: int | None = None) -> Plan:
    """Every arm of every experiment in ``reps`` worlds (the criteria's by default).

    Raises:
        ScenarioError: A base scenario or arm value that does not load, or reps < 2.
    """
    design = criteria.design
    reps = design["reps"] if reps is None else reps
    seed = design["seed"] if seed is None else seed
    if reps < 2:
        raise ScenarioError(f"given {reps}, need at least 2 worlds", key="--reps")
    scenarios = {}
    for experiment, arms in criteria.experiments.items():
        for arm, values in arms.items():
            overrides = [*design["set"], *(f"{k}={v}" for k, v in values.items())]
            scenarios[label(experiment, arm)] = load_scenario(design["base"], overrides)
    seeds = replicate_seeds(seed, reps)
    runs = [RunSpec(0, name, i, r, s) for i, name in enumerate(scenarios)
            for r, s in enumerate(seeds)]
    record: dict[str, Any] = {"mode": "chance"}
    if design["uncertainty"] == "parameters":
        runs, record = planning.in_worlds(runs, scenarios, seed, reps, 0)
    else:
        runs = [RunSpec(k, run.scenario, run.point, run.replicate, run.seed)
                for k, run in enumerate(runs)]
    resolved = {name: {"name": s.name, "description": s.description, "files": s.files,
                       "overrides": s.overrides, "params": s.params}
                for name, s in scenarios.items()}
    return Plan("validate", "validate", seed, seeds, resolved, runs, SERIES,
                {"criteria": criteria.to_json(), "uncertainty": record}, code_fingerprint())


@dataclass
class Validation:
    """The verdicts.

    Attributes:
        plan: The plan run.
        criteria: The criteria judged.
        verdicts: One row per pattern: id, name, source, definition, criterion, the
            median and 2.5-97.5 % of worlds, the shares above/below the criterion's
            values, pass.
        values: One row per pattern and world: the value.
    """

    plan: Plan
    criteria: Criteria
    verdicts: pd.DataFrame
    values: pd.DataFrame


def analyse(plan: Plan, records: list[dict[str, Any]]) -> Validation:
    """Each pattern's values over the worlds and its verdict."""
    criteria = Criteria.from_json(plan.design["criteria"])
    runs = {run.run_id: run for run in plan.runs}
    series: dict[tuple[str, int], pd.DataFrame] = {}
    for record in records:
        run = runs[record["run_id"]]
        series[(run.scenario, run.replicate)] = pd.DataFrame(record["series"])
    n_citizens = next(iter(plan.scenarios.values()))["params"]["n_citizens"]
    verdicts, values = [], []
    for pattern in criteria.patterns:
        x = np.array([world_value(pattern, series, r, n_citizens) for r in range(plan.reps)])
        values += [{"id": pattern.id, "world": r, "value": v} for r, v in enumerate(x)]
        verdicts.append(verdict(pattern, x))
    return Validation(plan, criteria, pd.DataFrame(verdicts), pd.DataFrame(values))


def quantity(frame: pd.DataFrame, name: str, window: list[int]) -> float:
    """One run's quantity over weeks ``a+1..b`` (row ``w`` is the end of week ``w``)."""
    a, b = window
    if name == "jobs":
        return float(frame["cum_job"].iloc[b] - frame["cum_job"].iloc[a])
    if name == "benefit":
        return float(frame["n_on_benefit"].iloc[a + 1:b + 1].sum())
    if name == "meetings":
        return float(frame["new_meetings"].iloc[a + 1:b + 1].sum())
    return float(frame["cum_cost_dkk"].iloc[b])  # cost: up to week b


def world_value(pattern: Pattern, series: dict[tuple[str, int], pd.DataFrame], r: int,
                n_citizens: int) -> float:
    """The pattern's statistic in world ``r`` (see the criteria file's header)."""
    s = pattern.statistic
    alt = series[(label(pattern.experiment, s["alt"]), r)]
    ref = series[(label(pattern.experiment, s["ref"]), r)]
    kind = s["kind"]
    if kind == "per_meeting":
        window = s["window"]
        rise = quantity(ref, "benefit", window) / quantity(alt, "benefit", window) - 1
        lost = (quantity(alt, "meetings", window) - quantity(ref, "meetings", window))
        return rise / (lost / n_citizens) if lost > 0 else math.nan
    if kind == "later_minus_earlier":
        def relative(window: list[int]) -> float:
            q_ref = quantity(ref, s["quantity"], window)
            return quantity(alt, s["quantity"], window) / q_ref - 1 if q_ref else math.nan
        return relative(s["later"]) - relative(s["earlier"])
    q_alt, q_ref = (quantity(f, s["quantity"], s["window"]) for f in (alt, ref))
    if kind == "relative":
        return q_alt / q_ref - 1 if q_ref else math.nan
    if kind == "share":
        return (q_alt - q_ref) / n_citizens
    return q_alt - q_ref


def verdict(pattern: Pattern, x: np.ndarray) -> dict[str, Any]:
    """The pattern's row: its values over worlds and whether the criterion holds.

    Every rule of the criterion must hold; undefined worlds (NaN) count against it.
    """
    finite = x[np.isfinite(x)]
    row: dict[str, Any] = {"id": pattern.id, "pattern": pattern.name, "source": pattern.source,
                           "definition": pattern.definition,
                           "criterion": pattern.criterion_text, "n_worlds": len(x),
                           "n_defined": len(finite)}
    median = float(np.median(finite)) if len(finite) else math.nan
    low, high = (np.quantile(finite, [0.025, 0.975]) if len(finite) > 1
                 else (math.nan, math.nan))
    row.update(median=median, low=float(low), high=float(high))
    held = [len(finite) == len(x) and len(x) > 0]
    for rule, arg in pattern.criterion.items():
        if rule == "median_between":
            held.append(arg[0] <= median <= arg[1])
        elif rule == "share_above":
            share = float(np.mean(x > arg["value"]))
            row["share_above"] = share
            held.append(share >= arg["at_least"])
        else:
            share = float(np.mean(x < arg["value"]))
            row["share_below"] = share
            held.append(share >= arg["at_least"])
    row["passed"] = bool(all(held))
    return row
