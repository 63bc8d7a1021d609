"""What ``bipsim sweep`` shows and writes: tables, plots, indices, HTML.

Files written into the experiment folder (besides ``plan.json`` and ``runs/``):

| file | content |
|---|---|
| ``results.parquet``, ``.csv`` | one row per run: point, replicate, seed, swept values, outcomes |
| ``points.csv`` | one row per design point: swept values, replicates, mean of every outcome |
| ``indices.csv`` | sobol, morris: one row per outcome and parameter (SALib) |
| ``response.png`` | grid: key outcomes against the first factor, a line per other level |
| ``scatter.png`` | lhs, sobol, morris: key outcomes against each factor |
| ``indices.png`` | sobol, morris: the indices of the key outcomes as bars |
| ``report.html`` | everything above in one self-contained file |
"""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from bipsim import formatting
from bipsim.outcomes import OUTCOMES

from . import figures
from .report import Section, html_page
from .sensitivity import COLUMNS
from .store import OutputFiles, RunStore
from .sweep import SweepResult, describe, factor_table
from .tables import rich_table

#: Design points beyond which the report shows no per-point table (the CSV has it).
MAX_POINT_ROWS = 60


def text_tables(result: SweepResult) -> list[Table]:
    """The printed summary: per-point means (small designs) and the top indices."""
    tables = []
    points = display_points(result)
    if result.design.method == "grid" and len(points) <= MAX_POINT_ROWS:
        tables.append(rich_table(points, f"Mean over {result.plan.reps} replicates per "
                                         "point"))
    if result.indices is not None:
        tables.append(rich_table(display_indices(result), "Sensitivity indices (SALib)"))
    return tables


def write_outputs(result: SweepResult, store: RunStore, subtitle: str, footer: str,
                  excel_csv: bool = False) -> list[str]:
    """Write the tables, plots and the report; returns the file names. ``excel_csv``:
    each CSV also as ``NAME.da.csv`` (:class:`~bipsim.experiments.store.OutputFiles`)."""
    out = OutputFiles(store, excel_csv)
    out.table("results.csv", result.results)
    out.table("results.parquet", result.results)
    out.table("points.csv", result.points)
    if result.indices is not None:
        out.table("indices.csv", result.indices)
    paths = [f.path for f in result.design.factors]
    images = {}
    if result.outcomes:
        if result.design.method == "grid":
            images["response.png"] = figures.response_curves(result.results, paths,
                                                             result.outcomes)
        else:
            images["scatter.png"] = figures.scatter(result.points, paths, result.outcomes)
        if result.indices is not None:
            images["indices.png"] = figures.index_bars(result.indices, result.design.method,
                                                       result.outcomes)
    pngs = {name: figures.png(fig) for name, fig in images.items()}
    for name, data in pngs.items():
        out.put(name, data)
    out.text("summary.txt", text_tables(result))
    out.put("report.html", report_html(result, pngs, subtitle, footer))
    return out.names


def report_html(result: SweepResult, pngs: dict[str, bytes], subtitle: str, footer: str) -> str:
    """The self-contained HTML report of a sweep."""
    plan, design = result.plan, result.design
    scenario = next(iter(plan.scenarios.values()))
    sections = [Section("Design", f"{describe(design, plan.reps)}. Scenario "
                        f"{scenario['name']}: {scenario['description']} Replicate r has the "
                        "same seed at every point (common random numbers).",
                        factor_table(design))]
    if "response.png" in pngs:
        sections.append(Section("Response", image=pngs["response.png"],
                                caption="Mean over replicates with the 95 % interval of each "
                                        "mean. Replicate r has the same seed at every point, "
                                        "so the difference between two points is more "
                                        "precise than overlapping bars suggest; pair runs "
                                        "by replicate in results.csv to measure it."))
    if "scatter.png" in pngs:
        sections.append(Section("Outcomes across the design", image=pngs["scatter.png"]))
    if result.indices is not None:
        sections.append(Section("Sensitivity indices", _indices_text(design.method),
                                display_indices(result), image=pngs.get("indices.png")))
    points = display_points(result)
    if len(points) <= MAX_POINT_ROWS:
        sections.append(Section("Design points", "", points,
                                caption="Mean over replicates; every run is in results.csv."))
    return html_page(f"bipsim sweep: {scenario['name']}", subtitle, sections, footer)


def display_points(result: SweepResult) -> pd.DataFrame:
    """Per-point means of the key outcomes as text."""
    paths = [f.path for f in result.design.factors]
    frame = result.points[["point", *paths]].copy()
    for path in paths:  # sampled values: enough digits to tell points apart
        frame[path] = [formatting.general(v, 4) if isinstance(v, float) else str(v)
                       for v in frame[path]]
    frame = frame.rename(columns={f.path: f.spec.name for f in result.design.factors})
    for name in result.outcomes:
        frame[OUTCOMES[name].label] = [formatting.value(name, v) for v in result.points[name]]
    return frame


def display_indices(result: SweepResult) -> pd.DataFrame:
    """The indices of the key outcomes, rounded."""
    table = result.indices
    table = table[table.outcome.isin(result.outcomes)].copy()
    table["outcome"] = table["outcome"].map(lambda k: OUTCOMES[k].label)
    for column in COLUMNS[result.design.method]:
        table[column] = table[column].map(lambda v: formatting.general(v, 3))
    return table


def _indices_text(method: str) -> str:
    if method == "sobol":
        return ("S1: share of the outcome's variance across the design due to the parameter "
                "alone; ST: including its interactions with the others. _conf columns are "
                "half-widths of 95 % bootstrap intervals. Outcomes are means over replicates.")
    return ("mu_star: mean absolute change of the outcome when the parameter moves by a "
            "step of its range, in the outcome's unit; sigma: how much that change varies "
            "(interactions, non-linearity). _conf: half-width of the 95 % bootstrap interval.")
