"""The results table (one row per run, assembled from run records in run-id order),
and text tables for the terminal."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from rich.table import Table

from bipsim.outcomes import OUTCOMES

from .plan import Plan, RunSpec


def results_table(plan: Plan, records: list[dict[str, Any]],
                  describe: Callable[[RunSpec], dict[str, Any]]) -> pd.DataFrame:
    """One row per record, sorted by run id: ``run_id``, ``describe(run)``, outcomes.

    Records may come in any order (they are saved as they finish); sorting by run id
    makes the table the same whichever executor made them.
    """
    runs = {run.run_id: run for run in plan.runs}
    rows = []
    for record in sorted(records, key=lambda r: r["run_id"]):
        run = runs[record["run_id"]]
        rows.append({"run_id": run.run_id, **describe(run), **record["outcomes"]})
    columns = ["run_id", *describe(plan.runs[0]), *OUTCOMES]
    return outcome_dtypes(pd.DataFrame(rows, columns=columns))


def outcome_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Outcome columns as int64 where every value is a whole count, else float64.

    Undefined outcomes (None) become NaN. Decided from the values alone, so the same
    records always give the same table.
    """
    for name in OUTCOMES:
        column = frame[name]
        if len(column) and column.map(lambda v: isinstance(v, int)).all():
            frame[name] = column.astype("int64")
        else:
            frame[name] = pd.to_numeric(column, errors="coerce").astype("float64")
    return frame


def rich_table(frame: pd.DataFrame, title: str, words: tuple[str, ...] = ("reading",)
               ) -> Table:
    """A table of text cells for the terminal: numbers right, the first column and
    columns of ``words`` left."""
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(frame.columns):
        left = i == 0 or column in words
        table.add_column(str(column), justify="left" if left else "right", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*("-" if isinstance(v, float) and math.isnan(v) else str(v) for v in row))
    return table
