"""What ``bipsim validate`` writes: ``report.md``, ``verdicts.csv``, ``values.csv``."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.table import Table

from bipsim import formatting
from bipsim.experiments.store import OutputFiles, RunStore
from bipsim.experiments.tables import rich_table
from bipsim.uncertainty import planning

from .experiment import Validation

INTRO = (
    "Published patterns that the calibration did not use, and whether bipsim reproduces "
    "them. The criteria (`{file}`) were written and committed before the model was first "
    "run against them. Each value is computed world by world: world r runs every arm of "
    "an experiment with parameter draw r and replicate seed r; shown are the median over "
    "{reps} worlds and the range of 95 % of worlds (chance and parameter uncertainty).")


def display(result: Validation) -> pd.DataFrame:
    """The verdicts as text, one row per pattern."""
    rows = []
    for row in result.verdicts.itertuples(index=False):
        shares = []
        if not math.isnan(getattr(row, "share_above", math.nan)):
            shares.append(f"{formatting.percent(row.share_above)} of worlds above")
        if not math.isnan(getattr(row, "share_below", math.nan)):
            shares.append(f"{formatting.percent(row.share_below)} of worlds below")
        value = f"{_number(row.median)} ({_number(row.low)} to {_number(row.high)})"
        rows.append({"id": row.id, "pattern": row.pattern, "criterion": row.criterion,
                     "model: median (95 % of worlds)": value
                     + ("; " + ", ".join(shares) if shares else ""),
                     "result": "pass" if row.passed else "FAIL"})
    return pd.DataFrame(rows)


def _shown(file: str) -> str:
    """``file`` relative to the working folder when inside it (a report that is shipped
    names the criteria by their place in the repository, not this machine's path)."""
    path = Path(file).resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else file


def markdown(result: Validation, command: str) -> str:
    """The whole report as Markdown."""
    table = display(result)
    lines = ["# bipsim validation against published patterns", "",
             INTRO.format(file=_shown(result.criteria.file), reps=result.plan.reps), "",
             planning.describe_mode(result.plan.design.get("uncertainty")), "",
             f"Made with `{command}`.", "", _md_table(table), "", "## Patterns", ""]
    for row, pattern in zip(result.verdicts.itertuples(index=False),
                            result.criteria.patterns, strict=True):
        lines += [f"### {pattern.id}: {pattern.name}", "",
                  f"- **Source.** {pattern.source}",
                  f"- **Definition.** {pattern.definition}",
                  f"- **Criterion.** {pattern.criterion_text}.",
                  f"- **Model.** median {_number(row.median)}, 95 % of worlds "
                  f"{_number(row.low)} to {_number(row.high)} ({row.n_defined} of "
                  f"{row.n_worlds} worlds defined): **{'pass' if row.passed else 'fail'}**.",
                  ""]
    n_pass = int(result.verdicts["passed"].sum())
    lines.append(f"{n_pass} of {len(result.verdicts)} patterns pass.")
    return "\n".join(lines) + "\n"


def text_tables(result: Validation) -> list[Table]:
    """The printed table."""
    return [rich_table(display(result), "Validation against published patterns "
                       f"({result.plan.reps} worlds)", words=("pattern", "criterion",
                                                              "model: median (95 % of worlds)"))]


def write_outputs(result: Validation, store: RunStore, command: str,
                  excel_csv: bool = False) -> list[str]:
    """Write ``report.md``, ``verdicts.csv`` and ``values.csv``; returns the names.
    ``excel_csv``: each CSV also as ``NAME.da.csv``."""
    out = OutputFiles(store, excel_csv)
    out.table("verdicts.csv", result.verdicts)
    out.table("values.csv", result.values)
    out.put("report.md", markdown(result, command).encode("utf-8"))
    return out.names


def _number(x: float) -> str:
    if x is None or math.isnan(x):
        return "-"
    if abs(x) >= 1e6:
        return f"{formatting.number(x / 1e6, 1, sign=True)} {formatting.millions_unit()}"
    if abs(x) < 10:
        return formatting.percent(x, 1, sign=True)
    return formatting.number(x, 0, sign=True)


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])
