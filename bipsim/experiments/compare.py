"""``bipsim compare``: scenarios on the same replicate seeds, paired differences.

Every scenario runs the same N seeds, so replicate ``r`` of the baseline and of an
alternative share every random number until their policies make them differ
(common random numbers). The difference alternative - baseline is taken replicate
by replicate, and its 95 % interval is a Student-t interval over the N paired
differences. The cost per extra job entry is the mean extra cost over the mean
extra job entries, with Fieller's interval (unbounded when the extra job entries
are not clearly different from zero).

With ``--uncertainty parameters`` (the default) every scenario also runs in N
plausible worlds (replicate ``r`` with parameter draw ``r``); those runs give the
second interval, the probability of being better, the cost-effectiveness
acceptability and the drivers of each difference (:mod:`bipsim.uncertainty`). The
tables above then come from the runs at the central values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bipsim.outcomes import OUTCOMES
from bipsim.parameters import BY_NAME
from bipsim.provenance import code_fingerprint
from bipsim.scenario import Scenario, ScenarioError
from bipsim.uncertainty import planning
from bipsim.uncertainty.worlds import WorldsSummary, summarise_worlds

from . import tables, yearly
from .plan import Plan, RunSpec, replicate_seeds
from .stats import Interval, fieller_ratio, mean_interval, paired_difference

#: Weekly columns each run keeps, for the plots over time and the budget years.
SERIES = tuple(dict.fromkeys(("n_on_benefit", "cum_job", "cum_education", "cum_other_benefit",
                              "cum_cost_dkk", *yearly.SERIES)))
#: Outcomes in the printed tables and the difference plot (every outcome is in the CSVs).
KEY_OUTCOMES = ("share_job_12m", "exits_job", "exits_education", "exits_other_benefit",
                "share_still_on_benefit", "mean_weeks_on_benefit",
                "caseworker_changes_per_citizen", "share_passive", "share_ever_company",
                "total_cost_dkk", "cost_per_job_entry_dkk")
MIN_REPS = 2


def plan_compare(scenarios: Sequence[Scenario], reps: int, seed: int,
                 uncertainty: str = planning.DEFAULT_MODE) -> Plan:
    """Plan N replicates of each scenario on shared seeds; the first is the baseline.

    With ``uncertainty="parameters"`` the plan also holds every scenario's N runs in
    the N worlds (after the central runs, see :mod:`bipsim.uncertainty.planning`).

    Raises:
        ScenarioError: Fewer than two scenarios, fewer than 2 replicates, or
            scenarios of different lengths (totals over different periods).
    """
    if len(scenarios) < 2:
        raise ScenarioError("give a baseline and at least one alternative scenario",
                            key="compare")
    if reps < MIN_REPS:
        raise ScenarioError(f"given {reps}, need at least {MIN_REPS} replicates for an "
                            "interval", key="--reps")
    weeks = {s.name: s.params["weeks"] for s in scenarios}
    if len(set(weeks.values())) > 1:
        listed = ", ".join(f"{name} {w}" for name, w in weeks.items())
        raise ScenarioError(f"the scenarios run for different numbers of weeks ({listed}); "
                            "compare them over one period with --weeks", key="run.weeks")
    labels = _labels([s.name for s in scenarios])
    seeds = replicate_seeds(seed, reps)
    central = planning.chance_reps(uncertainty, reps)
    runs = [RunSpec(i * central + r, label, i, r, s)
            for i, label in enumerate(labels) for r, s in enumerate(seeds[:central])]
    design = {"baseline": labels[0], "alternatives": labels[1:],
              "uncertainty": {"mode": "chance"}}
    if uncertainty == "parameters":
        all_reps = [RunSpec(0, label, i, r, s)
                    for i, label in enumerate(labels) for r, s in enumerate(seeds)]
        worlds, design["uncertainty"] = planning.in_worlds(
            all_reps, dict(zip(labels, scenarios, strict=True)), seed, reps, len(runs))
        runs += worlds
    resolved = {label: {"name": s.name, "description": s.description, "files": s.files,
                        "overrides": s.overrides, "params": s.params,
                        **({"timeline": s.timeline.to_plain()} if s.timeline else {})}
                for label, s in zip(labels, scenarios, strict=True)}
    name = "compare-" + "-".join(labels)
    return Plan("compare", name[:80], seed, seeds, resolved, runs, SERIES, design,
                code_fingerprint())


@dataclass
class Comparison:
    """The analysed comparison.

    Attributes:
        plan: The plan it was made from.
        results: One row per run: run id, scenario, replicate, seed, every outcome.
        weekly: One row per run and week: the plan's weekly series.
        outcomes: One row per scenario and outcome: mean, 95 % interval, sd, n.
        differences: One row per alternative and outcome: paired difference to
            the baseline, its interval, relative to the baseline mean.
        costs: One row per alternative: extra job entries, extra cost, and cost
            per extra job entry with Fieller's interval.
        worlds: The differences over plausible worlds (``--uncertainty
            parameters``), else None.
        budget: The budget per year and the payback (:mod:`.yearly`), if the runs
            kept the weekly series it needs.
    """

    plan: Plan
    results: pd.DataFrame
    weekly: pd.DataFrame
    outcomes: pd.DataFrame
    differences: pd.DataFrame
    costs: pd.DataFrame
    worlds: WorldsSummary | None = None
    budget: yearly.YearlyBudget | None = None

    @property
    def baseline(self) -> str:
        """Label of the baseline scenario."""
        return self.plan.design["baseline"]

    @property
    def alternatives(self) -> list[str]:
        """Labels of the alternatives, in command-line order."""
        return list(self.plan.design["alternatives"])


def analyse(plan: Plan, records: list[dict[str, Any]]) -> Comparison:
    """Tables of a finished comparison from its run records (any order)."""
    results = results_table(plan, records)
    central = results[results["uncertainty"] == "chance"]
    by_label = {label: frame.set_index("replicate").sort_index()
                for label, frame in central.groupby("scenario", sort=False)}
    labels = list(plan.scenarios)
    outcome_rows = [{"scenario": label, "outcome": name, **_interval(mean_interval(
        by_label[label][name].to_numpy(float)))} for label in labels for name in OUTCOMES]
    base_label, alternatives = plan.design["baseline"], plan.design["alternatives"]
    base = by_label[base_label]
    diff_rows, cost_rows = [], []
    for label in alternatives:
        alt = by_label[label]
        for name in OUTCOMES:
            d = paired_difference(alt[name].to_numpy(float), base[name].to_numpy(float))
            base_mean = float(base[name].mean())
            diff_rows.append({"alternative": label, "outcome": name,
                              "baseline_mean": base_mean, "alternative_mean": float(
                                  alt[name].mean()), **_interval(d),
                              "relative": d.mean / base_mean if base_mean else math.nan,
                              "excludes_zero": d.excludes_zero})
        cost_rows.append(_cost_row(label, alt, base))
    central_ids = set(central["run_id"])
    return Comparison(plan, results,
                      weekly_table(plan, [r for r in records if r["run_id"] in central_ids]),
                      pd.DataFrame(outcome_rows), pd.DataFrame(diff_rows),
                      pd.DataFrame(cost_rows), _worlds(plan, results),
                      yearly.analyse_years(plan, records)
                      if set(yearly.SERIES) <= set(plan.series) else None)


def _worlds(plan: Plan, results: pd.DataFrame) -> WorldsSummary | None:
    """The differences over the worlds, if the plan drew parameters."""
    record = plan.design.get("uncertainty", {})
    if record.get("mode") != "parameters":
        return None
    in_worlds = results[results["uncertainty"] == "parameters"]
    base_runs = sorted((run for run in plan.runs if run.uncertainty == "parameters"
                        and run.scenario == plan.design["baseline"]),
                       key=lambda run: run.replicate)
    draws = pd.DataFrame([run.draws for run in base_runs],
                         index=[run.replicate for run in base_runs])
    return summarise_worlds(in_worlds, draws, plan.design["baseline"],
                            plan.design["alternatives"], list(KEY_OUTCOMES),
                            planning.describe_mode(record))


def results_table(plan: Plan, records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per run, sorted by run id: scenario, replicate, seed, uncertainty
    (``chance`` or ``parameters``), the drawn values under their dotted keys (empty
    for central runs), every outcome."""
    drawn = list(dict.fromkeys(name for run in plan.runs for name in run.draws))
    return tables.results_table(plan, records, lambda run: {
        "scenario": run.scenario, "replicate": run.replicate, "seed": run.seed,
        "uncertainty": run.uncertainty,
        **{BY_NAME[name].path: run.draws.get(name) for name in drawn}})


def weekly_table(plan: Plan, records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per run and week, sorted by run id and week."""
    runs = {run.run_id: run for run in plan.runs}
    frames = []
    for record in sorted(records, key=lambda r: r["run_id"]):
        run = runs[record["run_id"]]
        frame = pd.DataFrame(record["series"])
        frame.insert(0, "week", np.arange(len(frame)))
        frame.insert(0, "replicate", run.replicate)
        frame.insert(0, "scenario", run.scenario)
        frame.insert(0, "run_id", run.run_id)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _cost_row(label: str, alt: pd.DataFrame, base: pd.DataFrame) -> dict[str, Any]:
    extra_jobs = (alt["exits_job"] - base["exits_job"]).to_numpy(float)
    extra_cost = (alt["total_cost_dkk"] - base["total_cost_dkk"]).to_numpy(float)
    jobs, cost = mean_interval(extra_jobs), mean_interval(extra_cost)
    ratio = fieller_ratio(extra_cost, extra_jobs)
    return {"alternative": label,
            **{f"extra_jobs_{k}": v for k, v in _interval(jobs).items()},
            **{f"extra_cost_dkk_{k}": v for k, v in _interval(cost).items()},
            "cost_per_extra_job_dkk": ratio.estimate, "cost_per_extra_job_low": ratio.low,
            "cost_per_extra_job_high": ratio.high, "bounded": ratio.bounded,
            "reading": reading(jobs, cost)}


def reading(jobs: Interval, cost: Interval) -> str:
    """What the extra job entries and extra cost say together, in words."""
    if not jobs.excludes_zero:
        return ("extra job entries not distinguishable from 0, so no cost per extra job "
                "entry")
    if jobs.mean < 0:
        return "fewer job entries than the baseline"
    if cost.excludes_zero and cost.mean < 0:
        return "more job entries at a lower total cost"
    if cost.excludes_zero:
        return "more job entries at a higher total cost"
    return "more job entries; total cost not distinguishable from the baseline"


def _labels(names: list[str]) -> list[str]:
    """Scenario names, made unique (``baseline``, ``baseline#2``) for self-comparisons."""
    labels: list[str] = []
    for name in names:
        label, k = name, 1
        while label in labels:
            k += 1
            label = f"{name}#{k}"
        labels.append(label)
    return labels


def _interval(iv: Interval) -> dict[str, float]:
    return {"mean": iv.mean, "low": iv.low, "high": iv.high, "sd": iv.sd, "n": iv.n}
