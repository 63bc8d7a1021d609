"""What ``bipsim compare`` shows and writes: text tables, CSV/Parquet, plots, HTML.

Files written into the experiment folder (besides ``plan.json`` and ``runs/``):

| file | content |
|---|---|
| ``results.csv``, ``results.parquet`` | one row per run: scenario, replicate, seed, every outcome |
| ``weekly.parquet`` | one row per run and week: stock, cumulative exits, cost |
| ``outcomes.csv`` | per scenario and outcome: mean, 95 % interval, sd, n |
| ``differences.csv`` | per alternative and outcome: paired difference to baseline, intervals |
| ``costs.csv`` | per alternative: extra job entries, extra cost, cost per extra job entry |
| ``budget.csv`` | per alternative, budget year and measure: extra cost, entries, benefit saved |
| ``payback.csv`` | per alternative: share paid back by each year's end, payback year |
| ``summary.txt`` | the printed tables |
| ``over_time.png``, ``differences.png`` | the plots |
| ``report.html`` | everything above in one self-contained file |

``differences.csv`` names its intervals ``chance_low``/``chance_high`` and, with
``--uncertainty parameters``, ``parameters_low``/``parameters_high``; that mode adds
``worlds.csv``, ``ceac.csv``, ``drivers.csv``, ``worlds.png`` and ``ceac.png``
(:mod:`bipsim.uncertainty.report`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from rich.table import Table

from bipsim import formatting
from bipsim.outcomes import OUTCOMES
from bipsim.parameters import BY_NAME
from bipsim.timeline import Timeline
from bipsim.uncertainty import planning
from bipsim.uncertainty import report as uncertainty_report

from . import figures, yearly_report
from .compare import KEY_OUTCOMES, Comparison
from .report import Section, html_page
from .stats import Interval
from .store import OutputFiles, RunStore
from .tables import rich_table

HOW_TO_READ = (
    "Every scenario ran on the same {reps} replicate seeds, so replicate r of the "
    "baseline and of an alternative share their random numbers until the policies make "
    "them differ (common random numbers). Differences are taken replicate by replicate "
    "(paired); a difference whose 95 % interval does not include 0 is unlikely to be "
    "chance variation between runs. {coverage}")


REFORMS_TITLE = ("Reforms on a date: each change acts from the start of its week; every "
                 "week before is bit for bit the scenario without it (same seeds)")


def display_reforms(comp: Comparison) -> pd.DataFrame:
    """One row per scenario with dated changes: the week it first acts in, and each
    change (from what value to what, over how many weeks)."""
    rows = []
    for label, s in comp.plan.scenarios.items():
        if s.get("timeline"):
            timeline = Timeline.from_plain(s["timeline"])
            rows.append({"scenario": label, "acts from week": str(timeline.first_week),
                         "changes": "; ".join(timeline.describe(s["params"]))})
    return pd.DataFrame(rows)


def text_tables(comp: Comparison) -> list[Table]:
    """The printed summary: outcomes, differences, costs; then, with parameter
    uncertainty, both intervals, drivers and costs over the worlds."""
    reps = _chance_reps(comp)
    reforms = display_reforms(comp)
    tables = [
        *([rich_table(reforms, REFORMS_TITLE, ("changes",))] if not reforms.empty else []),
        rich_table(display_outcomes(comp),
                   f"Outcomes: mean (95 % interval) over {reps} replicates"),
        rich_table(display_differences(comp), f"Difference to {comp.baseline}, paired over "
                                              f"the same {reps} seeds: mean (95 % interval)"),
        rich_table(display_costs(comp), "Cost per extra job entry (Fieller's 95 % interval)"),
    ]
    if comp.worlds is not None:
        tables += uncertainty_report.text_tables(
            comp.differences, comp.worlds, comp.alternatives, comp.baseline, KEY_OUTCOMES[:-1],
            reps, comp.plan.reps)
    if comp.budget is not None:
        tables += yearly_report.text_tables(comp.budget, comp.baseline)
    return tables


def write_outputs(comp: Comparison, store: RunStore, subtitle: str, footer: str,
                  excel_csv: bool = False) -> list[str]:
    """Write every table, plot and the report; returns the file names. ``excel_csv``:
    each CSV also as ``NAME.da.csv`` (:class:`~bipsim.experiments.store.OutputFiles`)."""
    out = OutputFiles(store, excel_csv)
    out.table("results.csv", comp.results)
    out.table("results.parquet", comp.results)
    out.table("weekly.parquet", comp.weekly)
    out.table("outcomes.csv", _labelled(comp.outcomes))
    out.table("differences.csv", uncertainty_report.differences_csv(
        _labelled(comp.differences), comp.worlds))
    out.table("costs.csv", comp.costs)
    if comp.budget is not None:
        out.table("budget.csv", comp.budget.years)
        out.table("payback.csv", comp.budget.payback)
    out.text("summary.txt", text_tables(comp))
    over_time = figures.png(figures.comparison_over_time(
        comp.weekly, comp.baseline, comp.alternatives, comp.plan.reform_weeks()))
    forest = figures.png(figures.difference_forest(comp.differences, KEY_OUTCOMES,
                                                   comp.baseline, comp.alternatives))
    out.put("over_time.png", over_time)
    out.put("differences.png", forest)
    images = {}
    if comp.worlds is not None:
        out.table("worlds.csv", comp.worlds.per_world)
        out.table("ceac.csv", comp.worlds.ceac)
        out.table("drivers.csv", comp.worlds.drivers)
        images = {"ceac.png": figures.png(uncertainty_report.ceac_figure(comp.worlds)),
                  "worlds.png": figures.png(uncertainty_report.worlds_figure(
                      comp.results, comp.differences, comp.worlds, comp.baseline,
                      comp.alternatives, KEY_OUTCOMES[:4]))}
        for name, data in images.items():
            out.put(name, data)
    out.put("report.html", report_html(comp, over_time, forest, subtitle, footer, images))
    return out.names


def differs_by_role(baseline: dict[str, Any], params: dict[str, Any]) -> str:
    """The parameters a scenario sets otherwise than the baseline, grouped by their
    role in the parameter table: ``lever: ...; context: ...`` (``-`` if none). A
    difference outside the levers is more than a change of practice."""
    changed: dict[str, list[str]] = {}
    for name, value in params.items():
        if baseline.get(name) != value:
            spec = BY_NAME[name]
            changed.setdefault(spec.role, []).append(spec.path)
    return "; ".join(f"{role}: {', '.join(paths)}" for role, paths in changed.items()) or "-"


def report_html(comp: Comparison, over_time: bytes, forest: bytes, subtitle: str,
                footer: str, images: dict[str, bytes] | None = None) -> str:
    """The self-contained HTML report a planner can send on."""
    plan = comp.plan
    scenarios = pd.DataFrame([{"scenario": label, "role": "baseline" if label == comp.baseline
                               else "alternative", "description": s["description"],
                               "files": ", ".join(s["files"]),
                               "changes (--set, --alt)": ", ".join(s["overrides"]) or "-",
                               "differs from the baseline in": differs_by_role(
                                   plan.scenarios[comp.baseline]["params"], s["params"]),
                               "dated changes (timeline)": "; ".join(Timeline.from_plain(
                                   s.get("timeline")).describe(s["params"])) or "-"}
                              for label, s in plan.scenarios.items()])
    definitions = pd.DataFrame([{"outcome": o.label, "key": k, "unit": o.unit,
                                 "definition": o.doc} for k, o in OUTCOMES.items()])
    sections = [
        Section("In short", headline(comp)),
        Section("Scenarios", HOW_TO_READ.format(reps=_chance_reps(comp), coverage=(
            planning.describe_mode(plan.design.get("uncertainty")))), scenarios),
        Section("Difference to the baseline", "", display_differences(comp),
                caption="Alternative minus baseline, replicate by replicate; shares in "
                        "percentage points (pp)."),
        Section("Cost per extra job entry", "", display_costs(comp),
                caption="Extra total public cost (benefit, activities, caseworkers) over "
                        "extra job entries, both against the baseline over the whole run."),
        *(yearly_report.sections(comp.budget, comp.baseline) if comp.budget is not None
          else []),
        *(uncertainty_report.sections(comp.differences, comp.worlds, comp.alternatives,
                                      comp.baseline, KEY_OUTCOMES[:-1], _chance_reps(comp),
                                      plan.reps, images or {})
          if comp.worlds is not None else []),
        Section("Outcomes per scenario", "", display_outcomes(comp, list(OUTCOMES)),
                caption="Mean over replicates, 95 % interval in brackets."),
        Section("Over time", "", image=over_time,
                caption="Top: each scenario's mean with its 95 % interval. Bottom: the "
                        "paired difference of each alternative to the baseline. A dashed "
                        "vertical line marks the week a scenario's dated reform starts."),
        Section("Differences at a glance", "", image=forest,
                caption="Paired difference in % of the baseline mean; bars are 95 % "
                        "intervals; a bar that crosses the dashed line is not "
                        "distinguishable from no difference."),
        Section("Definitions", "", definitions),
    ]
    title = f"{comp.baseline} vs {', '.join(comp.alternatives)}"
    return html_page(f"bipsim compare: {title}", subtitle, sections, footer)


def headline(comp: Comparison) -> str:
    """One paragraph per alternative: extra job entries, extra cost, what they mean."""
    weeks = next(iter(comp.plan.scenarios.values()))["params"]["weeks"]
    reform_weeks = comp.plan.reform_weeks()
    paragraphs = []
    for row in display_costs(comp).itertuples(index=False):
        text = (f"{row.alternative} against {comp.baseline}, over {weeks} weeks: "
                f"{row._1} job entries, total public cost {row._2} (95 % intervals in "
                f"brackets): {row.reading}")
        if row._3 != "-":
            text += f"; {row._3} per extra job entry"
        if row.alternative in reform_weeks:
            text += (f". The reform acts from week {reform_weeks[row.alternative]}; the "
                     "totals include the weeks before it")
        text += " (at the central parameter values; intervals from chance only)."
        if comp.worlds is not None:
            text += " " + uncertainty_report.headline(comp.worlds, row.alternative)
        if comp.budget is not None:
            text += " " + yearly_report.headline(comp.budget, row.alternative)
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def display_outcomes(comp: Comparison, names: Sequence[str] = KEY_OUTCOMES) -> pd.DataFrame:
    """Outcomes per scenario as text: mean (95 % interval), a column per scenario."""
    rows = []
    table = comp.outcomes.set_index(["scenario", "outcome"])
    for name in names:
        row = {"outcome": OUTCOMES[name].label}
        for label in comp.plan.scenarios:
            row[label] = formatting.level(name, _as_interval(table.loc[(label, name)]))
        rows.append(row)
    return pd.DataFrame(rows)


def display_differences(comp: Comparison, names: Sequence[str] = KEY_OUTCOMES) -> pd.DataFrame:
    """Paired differences as text: a column per alternative."""
    rows = []
    table = comp.differences.set_index(["alternative", "outcome"])
    for name in names:
        row = {"outcome": OUTCOMES[name].label}
        for label in comp.alternatives:
            row[f"{label} - {comp.baseline}"] = formatting.difference(
                name, _as_interval(table.loc[(label, name)]))
        rows.append(row)
    return pd.DataFrame(rows)


def display_costs(comp: Comparison) -> pd.DataFrame:
    """Extra job entries, extra cost, cost per extra job entry, per alternative, as text."""
    rows = []
    for row in comp.costs.itertuples(index=False):
        jobs = Interval(row.extra_jobs_mean, row.extra_jobs_low, row.extra_jobs_high, math.nan, 0)
        cost = Interval(row.extra_cost_dkk_mean, row.extra_cost_dkk_low, row.extra_cost_dkk_high,
                        math.nan, 0)
        ratio = "-"
        if row.bounded and row.extra_jobs_mean > 0:
            ratio = formatting.level("total_cost_dkk", Interval(
                row.cost_per_extra_job_dkk, row.cost_per_extra_job_low,
                row.cost_per_extra_job_high, math.nan, 0))
        rows.append({"alternative": row.alternative,
                     "extra job entries": formatting.difference("exits_job", jobs),
                     "extra total cost": formatting.difference("total_cost_dkk", cost),
                     "cost per extra job entry": ratio, "reading": row.reading})
    return pd.DataFrame(rows)


def _chance_reps(comp: Comparison) -> int:
    """Replicates at the central values (the chance-only interval)."""
    return int(comp.differences["n"].max()) if len(comp.differences) else comp.plan.reps


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """With each outcome's label and unit after its key."""
    out = frame.copy()
    at = list(out.columns).index("outcome") + 1
    out.insert(at, "label", out["outcome"].map(lambda k: OUTCOMES[k].label))
    out.insert(at + 1, "unit", out["outcome"].map(lambda k: OUTCOMES[k].unit))
    return out


def _as_interval(row: pd.Series) -> Interval:
    return Interval(float(row["mean"]), float(row["low"]), float(row["high"]),
                    float(row["sd"]), int(row["n"]))
