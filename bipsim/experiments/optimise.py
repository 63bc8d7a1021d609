"""``bipsim optimise``: the best use of a yearly budget, searched over lever mixes.

The user names the levers and their ranges (``--lever KEY=LOW:HIGH``, levers of the
parameter table only, checked as ``--set`` checks a value) and a budget per year.
Every candidate mix runs in the same ``--reps`` plausible worlds as the baseline:
world ``r`` has the baseline's replicate seed ``r`` and its parameter draws ``r``
(:func:`bipsim.uncertainty.planning.in_worlds`, with the searched levers held), so
a candidate minus the baseline is a paired difference, with common random numbers.

Per candidate, over the worlds, alternative minus baseline (the definitions of
``compare``'s budget table, :mod:`.yearly`):

- **extra entries**: extra job plus extra education entries over the whole run;
- **net public cost**: extra cost - benefit saved, over the whole run;
- **extra cost per year**: activities, caseworker posts and the reform's own cost.

The two objectives are the mean extra entries (maximised) and the mean net public
cost (minimised) over the worlds. A candidate is **within the budget** when, in every
budget year, its mean extra cost is at most the budget (a part year: the budget for
its share of 52 weeks). Optuna's NSGA-II sampler, seeded, proposes the candidates in
generations of ``--population``; each generation is run as one batch through the
experiments engine and told back in candidate order, so the study, and the front,
depend on the seed alone, never on the executor or the order runs finish in. A
candidate proposed again is not run again: its first evaluation is reused.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bipsim.budget import YEAR_WEEKS, year_spans
from bipsim.parameters import BY_NAME
from bipsim.provenance import code_fingerprint
from bipsim.scenario import Scenario, ScenarioError, parse_override, resolve_path
from bipsim.uncertainty import planning
from bipsim.uncertainty.worlds import spread

from . import yearly
from .designs import Factor, parse_bounds
from .plan import Plan, RunSpec, replicate_seeds

FLAG = "--lever"
BUDGET_FLAG = "--budget-per-year"
MIN_REPS = 2
MIN_POPULATION = 4


@dataclass(frozen=True)
class Evaluation:
    """One candidate against the baseline, world by world.

    Attributes:
        entries: Extra job + education entries over the run, per world.
        net_cost: Net public cost (DKK) over the run, per world.
        extra_cost: Extra cost (DKK) per world (rows) and budget year (columns).
    """

    entries: np.ndarray
    net_cost: np.ndarray
    extra_cost: np.ndarray


@dataclass(frozen=True)
class Candidate:
    """One evaluated lever mix.

    Attributes:
        number: 1, 2, ... in the order first proposed (0 is the baseline).
        generation: The generation that first proposed it.
        levers: The searched levers' values, by keyword name.
        evaluation: Its differences to the baseline in the worlds.
        feasible: Its mean extra cost is within the budget in every year.
    """

    number: int
    generation: int
    levers: dict[str, Any]
    evaluation: Evaluation
    feasible: bool


#: Runs a generation's new lever mixes (numbered from ``first``) and returns each one's
#: evaluation, in the order given.
Evaluator = Callable[[list[dict[str, Any]], int], list[Evaluation]]


def parse_levers(texts: Sequence[str], scenario_overrides: Sequence[str] = ()) -> list[Factor]:
    """The searched levers from ``--lever KEY=LOW:HIGH``, in command-line order.

    Raises:
        ScenarioError: No lever; an unknown key (with a did-you-mean), a parameter
            that is not a lever, a lever that is a choice, bounds not ``LOW:HIGH`` or
            outside the allowed range, a key given twice or also set with ``--set``;
            every problem together, each naming ``--lever`` and its key.
    """
    if not texts:
        raise ScenarioError("give the levers to search and their ranges, e.g. --lever "
                            "caseworkers.expectations_training=0:1", FLAG)
    from bipsim.parameters import of_role

    fixed = {parse_override(text)[0] for text in scenario_overrides
             if isinstance(text, str)}
    factors: list[Factor] = []
    errors: list[ScenarioError] = []
    for text in texts:
        try:
            key = text.partition("=")[0].strip()
            spec = resolve_path(key, FLAG)
            if spec.role != "lever":
                raise ScenarioError(f"not a lever (its role is {spec.role}); levers: "
                                    + ", ".join(s.path for s in of_role("lever")
                                                if s.kind in ("int", "float")), FLAG, key=key)
            if spec.kind not in ("int", "float"):
                raise ScenarioError(f"a {spec.kind} lever has no range ({spec.allowed()}); "
                                    "fix it with --set, or compare its choices with bipsim "
                                    "compare --alt", FLAG, key=key)
            if spec.path in fixed:
                raise ScenarioError("set with --set and searched too; give it in one place "
                                    "only", FLAG, key=key)
            factors.extend(parse_bounds([text], where=FLAG))
        except ScenarioError as error:
            errors.extend(error.errors)
    seen: set[str] = set()
    for factor in factors:
        if factor.path in seen:
            errors.append(ScenarioError("given twice; give each lever once", FLAG,
                                        key=factor.path))
        seen.add(factor.path)
    if errors:
        raise ScenarioError.combine(errors)
    return factors


def check_settings(budget: float | None, reps: int, population: int, generations: int,
                   seed: int) -> None:
    """Refuse a missing or negative budget, too few worlds, candidates or generations,
    and a negative seed.

    Raises:
        ScenarioError: Every problem together, each naming its flag.
    """
    errors = []
    if budget is None:
        errors.append(ScenarioError("give the extra cost a year may have over the baseline, "
                                    "in DKK, e.g. --budget-per-year 20e6", BUDGET_FLAG))
    elif not math.isfinite(budget) or budget < 0:
        errors.append(ScenarioError(f"given {budget:g}, allowed: DKK per year, 0 or more",
                                    BUDGET_FLAG))
    for flag, given, least in (("--reps", reps, MIN_REPS),
                               ("--population", population, MIN_POPULATION),
                               ("--generations", generations, 1), ("--seed", seed, 0)):
        if given < least:
            errors.append(ScenarioError(f"given {given}, need at least {least}", flag))
    if errors:
        raise ScenarioError.combine(errors)


def plan_baseline(scenario: Scenario, levers: Sequence[Factor], reps: int, seed: int,
                  settings: dict[str, Any]) -> Plan:
    """The plan's start: the baseline in ``reps`` worlds (runs ``0..reps-1``); the
    candidates' runs are added by :func:`candidate_runs` as they are proposed."""
    seeds = replicate_seeds(seed, reps)
    label = scenario.name
    central = [RunSpec(r, label, 0, r, s) for r, s in enumerate(seeds)]
    runs, record = planning.in_worlds(central, {label: scenario}, seed, reps, 0,
                                      exclude=[f.spec.name for f in levers])
    resolved = {label: {"name": scenario.name, "description": scenario.description,
                        "files": scenario.files, "overrides": scenario.overrides,
                        "params": scenario.params,
                        **({"timeline": scenario.timeline.to_plain()} if scenario.timeline
                           else {})}}
    design = {"levers": [{"path": f.path, "bounds": list(f.bounds or ())} for f in levers],
              **settings, "uncertainty": record, "candidates": []}
    return Plan("optimise", f"optimise-{label}"[:80], seed, seeds, resolved, runs,
                yearly.SERIES, design, code_fingerprint())


def candidate_runs(plan: Plan, number: int, levers: dict[str, Any]) -> list[RunSpec]:
    """Candidate ``number``'s runs: the baseline's worlds (seeds and draws) with its
    lever values; added to ``plan``."""
    reps = plan.reps
    runs = [dataclasses.replace(base, run_id=number * reps + base.replicate, point=number,
                                changes=dict(levers))
            for base in plan.runs[:reps]]
    plan.runs.extend(runs)
    plan.design["candidates"].append({"number": number, "levers": dict(levers)})
    return runs


def evaluate_records(plan: Plan, records: dict[int, dict[str, Any]], number: int
                     ) -> Evaluation:
    """Candidate ``number`` minus the baseline, world by world, from the run records."""
    reps = plan.reps
    pairs = [yearly.pair_measures(yearly.run_years(records[number * reps + r]["series"]),
                                  yearly.run_years(records[r]["series"]))
             for r in range(reps)]
    entries = np.array([float(np.sum(p["extra_job_entries"] + p["extra_education_entries"]))
                        for p in pairs])
    return Evaluation(entries, np.array([float(np.sum(p["net_cost_dkk"])) for p in pairs]),
                      np.array([p["extra_cost_dkk"] for p in pairs], dtype=float))


def year_budgets(budget: float, weeks: int) -> np.ndarray:
    """The budget of each budget year of a run of ``weeks`` (a part year: its share)."""
    return np.array([budget * (last - first + 1) / YEAR_WEEKS
                     for _, first, last in year_spans(weeks)])


def search(levers: Sequence[Factor], budget: float, weeks: int, population: int,
           generations: int, seed: int, evaluate: Evaluator) -> list[Candidate]:
    """Search the lever mixes with Optuna's NSGA-II, ``generations`` batches of
    ``population`` proposals, each batch evaluated at once and told in order.

    Returns:
        Every distinct candidate, in the order first proposed.
    """
    import optuna  # only when optimising: ``bipsim --help`` stays quick

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=population, seed=seed)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    limits = year_budgets(budget, weeks)
    known: dict[tuple[Any, ...], Candidate] = {}
    for generation in range(1, generations + 1):
        trials = [study.ask() for _ in range(population)]
        points = [_suggest(trial, levers) for trial in trials]
        new = list(dict.fromkeys(_key(p) for p in points if _key(p) not in known))
        first = len(known) + 1
        evaluations = evaluate([dict(k) for k in new], first) if new else []
        for i, (key, evaluation) in enumerate(zip(new, evaluations, strict=True)):
            feasible = bool(np.all(evaluation.extra_cost.mean(axis=0) <= limits))
            known[key] = Candidate(first + i, generation, dict(key), evaluation, feasible)
        for trial, point in zip(trials, points, strict=True):
            candidate = known[_key(point)]
            worst = float(np.max(candidate.evaluation.extra_cost.mean(axis=0) - limits))
            trial.set_constraint("budget", worst)
            study.tell(trial, [float(candidate.evaluation.entries.mean()),
                               float(candidate.evaluation.net_cost.mean())])
    return sorted(known.values(), key=lambda c: c.number)


def pareto_front(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates within the budget that no other one within it beats on both mean
    extra entries (more) and mean net public cost (less), by extra cost. Of mixes with
    the very same means (levers that differ below what the model resolves, such as a
    fraction of a company place), the first proposed stands for them."""
    feasible = [c for c in candidates if c.feasible]
    front, seen = [], set()
    for c in feasible:
        means = (float(c.evaluation.entries.mean()), float(c.evaluation.net_cost.mean()))
        if means not in seen and not any(_dominates(o, c) for o in feasible):
            front.append(c)
        seen.add(means)
    return sorted(front, key=lambda c: float(c.evaluation.extra_cost.mean()))


def summary_row(candidate: Candidate, budget_limits: np.ndarray, weeks: int
                ) -> dict[str, Any]:
    """One row of ``candidates.csv``: levers (dotted keys), each measure's mean and
    the range of its value in 95 % of worlds, extra cost per year (the run's extra
    cost over its length in years), mean extra cost of each budget year, within
    budget."""
    ev = candidate.evaluation
    row: dict[str, Any] = {"candidate": candidate.number, "generation": candidate.generation,
                           **{BY_NAME[k].path: v for k, v in candidate.levers.items()}}
    for name, values in (("extra_entries", ev.entries), ("net_cost_dkk", ev.net_cost),
                         ("extra_cost_per_year_dkk",
                          ev.extra_cost.sum(axis=1) * YEAR_WEEKS / weeks)):
        s = spread(values)
        row.update({f"{name}_mean": s["parameters_mean"], f"{name}_low": s["parameters_low"],
                    f"{name}_high": s["parameters_high"]})
    by_year = ev.extra_cost.mean(axis=0)
    row.update({f"extra_cost_y{y + 1}_dkk_mean": float(v) for y, v in enumerate(by_year)})
    row["worst_year_over_budget_dkk"] = float(np.max(by_year - budget_limits))
    row["within_budget"] = candidate.feasible
    row["n_worlds"] = len(ev.entries)
    return row


def lever_effects(candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """Spearman's rank correlation of each lever's values with mean extra entries and
    mean net public cost among the candidates (descriptive: the candidates are where
    the search looked, not a random design)."""
    if len(candidates) < 3:
        return []
    entries = [float(c.evaluation.entries.mean()) for c in candidates]
    net = [float(c.evaluation.net_cost.mean()) for c in candidates]
    rows = []
    for name in candidates[0].levers:
        values = [float(c.levers[name]) for c in candidates]
        rows.append({"lever": BY_NAME[name].path, "rho_entries": _rank_correlation(values, entries),
                     "rho_net_cost": _rank_correlation(values, net)})
    return sorted(rows, key=lambda r: -abs(np.nan_to_num(r["rho_entries"])))


def _rank_correlation(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho; NaN when either side never varies (it is not defined then)."""
    from scipy.stats import spearmanr

    if len(set(x)) < 2 or len(set(y)) < 2:
        return math.nan
    return float(spearmanr(x, y).statistic)


def _suggest(trial: Any, levers: Sequence[Factor]) -> dict[str, Any]:
    point = {}
    for factor in levers:
        low, high = factor.bounds or (factor.spec.low, factor.spec.high)
        if factor.spec.kind == "int":
            point[factor.spec.name] = trial.suggest_int(factor.path, math.ceil(low),
                                                        math.floor(high))
        else:
            point[factor.spec.name] = trial.suggest_float(factor.path, float(low), float(high))
    return point


def _key(point: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(point.items())


def _dominates(a: Candidate, b: Candidate) -> bool:
    ea, eb = a.evaluation.entries.mean(), b.evaluation.entries.mean()
    na, nb = a.evaluation.net_cost.mean(), b.evaluation.net_cost.mean()
    return bool(ea >= eb and na <= nb and (ea > eb or na < nb))
