"""How sure a jobcentre ranking is: the ranked outcomes over replicate seeds.

``bipsim run SCENARIO --reps N`` runs the scenario again on N replicate seeds (the
seeds ``bipsim compare`` derives from the run's ``--seed``,
:func:`bipsim.experiments.plan.replicate_seeds`), through the experiments' executors
(``--workers``), and writes ``jobcentre_intervals.csv``: per jobcentre, the median
and the 90 % range (5th to 95th percentile over the replicates) of each outcome
ranked in ``jobcentre_ranking.png``, and of the jobcentre's place in that ranking;
and ``jobcentre_replicates.csv``: every replicate's value of those outcomes for every
jobcentre (one row per replicate and jobcentre). The replicates are whole runs of all
jobcentres, so two jobcentres can be compared replicate by replicate
(:mod:`bipsim.jobcentre_pair`).

**What the range covers: chance only.** The replicates differ in their random
numbers alone (who leaves when, which caseworker, ...), at the scenario's parameter
values: not in how the world works (the calibrated and prior parameters), which
would move all jobcentres together. Two jobcentres whose ranges of the place overlap
widely cannot be told apart by this model; nor does the model know local practice
(the municipalities differ in size, and in caseload and turnover drawn at random).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from .by_jobcentre import RANKED, table

if TYPE_CHECKING:  # the worker imports the model: not needed to read a run folder
    from .experiments.worker import Task

#: The share of replicates inside the range, and its percentiles.
LEVEL = 0.90
PERCENTILES = (50.0, 100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2)
#: Column suffixes of the median and the range.
SUFFIXES = ("median", "p05", "p95")


class Ranking(NamedTuple):
    """What ``bipsim run --reps`` adds to a run folder."""

    intervals: pd.DataFrame  #: :func:`intervals`: ``jobcentre_intervals.csv``
    replicates: pd.DataFrame  #: :func:`replicate_table`: ``jobcentre_replicates.csv``
    seeds: list[int]  #: the replicate seeds, in replicate order


def simulate_jobcentres(task: Task) -> dict[str, Any]:
    """One replicate (a worker's run function): the ranked outcomes per jobcentre."""
    from .model import BipModel

    model = BipModel(**{**task.params, "seed": task.seed}, timeline=task.timeline)
    model.run()
    frame = table(model, model.citizen_table())
    return {"run_id": task.run_id, "seed": task.seed, "names": frame["name"].tolist(),
            "sizes": frame["citizens_week0"].tolist(),
            "jobcentres": {column: frame[column].tolist() for column, *_ in RANKED}}


def replicate_tasks(params: dict[str, Any], timeline: list[dict[str, Any]],
                    seeds: list[int]) -> list[Task]:
    """One task per replicate seed, the scenario's parameters and dated changes."""
    from .experiments.worker import Task

    return [Task(r, dict(params), seed, (), tuple(timeline)) for r, seed in enumerate(seeds)]


def replicate_ranking(scenario: Any, seed: int, reps: int, workers: int | None,
                      quiet: bool = False) -> Ranking:
    """Run ``scenario`` on the ``reps`` replicate seeds of ``seed`` (on ``workers``
    local processes, None: one per core) and summarise its jobcentres' ranking.

    Returns:
        The :func:`intervals` table, the :func:`replicate_table` and the seeds.
    """
    from .experiments.engine import execute
    from .experiments.executors import open_workers
    from .experiments.plan import replicate_seeds
    from .experiments.progress import RunProgress

    seeds = replicate_seeds(seed, reps)
    tasks = replicate_tasks(scenario.params, scenario.timeline.to_plain(), seeds)
    records: list[dict[str, Any]] = []
    with open_workers(workers) as opened, RunProgress(
            len(tasks), 0, "ranking replicates", quiet=quiet) as progress:
        execute(tasks, opened, records.append, progress, run=simulate_jobcentres)
    records.sort(key=lambda record: record["run_id"])
    return Ranking(intervals(records, records[0]["names"], np.array(records[0]["sizes"])),
                   replicate_table(records), seeds)


def replicate_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Every replicate's ranked outcomes per jobcentre, in long format: one row per
    replicate (in run order) and jobcentre (in jobcentre order)."""
    frames = [pd.DataFrame({"replicate": r, "seed": record["seed"],
                            "jobcentre": np.arange(len(record["names"])),
                            "name": record["names"],
                            **{column: np.asarray(record["jobcentres"][column], dtype=float)
                               for column, *_ in RANKED}})
              for r, record in enumerate(records)]
    return pd.concat(frames, ignore_index=True)


def intervals(records: list[dict[str, Any]], names: list[str],
              sizes: np.ndarray) -> pd.DataFrame:
    """Per jobcentre: the median and 90 % range over the replicates of each ranked
    outcome and of the jobcentre's place on it (1 = best; tied jobcentres share the
    mean of their places), and in how many replicates the outcome is defined (a
    replicate without a job entry has no cost per job entry: it is left out, and the
    places of that replicate are among the jobcentres where it is defined)."""
    frame = pd.DataFrame({"jobcentre": np.arange(len(names)), "name": names,
                          "citizens_week0": sizes, "replicates": len(records)})
    for column, _, higher in RANKED:
        values = np.array([record["jobcentres"][column] for record in records], dtype=float)
        places = np.full_like(values, np.nan)
        for r, row in enumerate(values):
            known = np.isfinite(row)
            places[r, known] = rankdata(-row[known] if higher else row[known])
        for name, data in ((column, values), (f"place_{column}", places)):
            with warnings.catch_warnings():  # no defined value in any replicate: null
                warnings.simplefilter("ignore", RuntimeWarning)
                stats = np.nanpercentile(data, PERCENTILES, axis=0)
            for suffix, stat in zip(SUFFIXES, stats, strict=True):
                frame[f"{name}_{suffix}"] = stat
        frame[f"{column}_replicates"] = np.isfinite(values).sum(axis=0)
    return frame
