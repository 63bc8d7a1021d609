"""The run summary: named outcomes computed from a finished model.

Each outcome is declared once in ``OUTCOMES`` with its label, unit and meaning;
``summary.json`` and the printed table use exactly these names, and
:mod:`bipsim.formatting` shows a value in its unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .model import BipModel


@dataclass(frozen=True)
class Outcome:
    """One summary outcome: how it is shown and what it means."""

    label: str
    unit: str
    doc: str


OUTCOMES: dict[str, Outcome] = {
    "share_job_12m": Outcome(
        "Job within 12 months (week-0 stock)", "share",
        "Share of the citizens on benefit at week 0 who enter a job within 52 weeks "
        "(compare T1: ≈6 %)."),
    "share_job_12m_entrants": Outcome(
        "Job within 12 months of entry (entrants)", "share",
        "Share of citizens entering in weeks 1..weeks-52 who enter a job within 52 "
        "weeks of entry; empty when nobody enters."),
    "exits_job": Outcome("Exits to job", "citizens", "Exits to a job during the run."),
    "exits_education": Outcome("Exits to education", "citizens",
                               "Exits to education during the run."),
    "exits_other_benefit": Outcome("Exits to other benefit", "citizens",
                                   "Moves to another benefit during the run."),
    "share_of_exits_job": Outcome("Job share of exits", "share",
                                  "Exits to job over all exits (compare T2)."),
    "share_still_on_benefit": Outcome(
        "Week-0 stock still on benefit at the end", "share",
        "Share of the week-0 stock on benefit in the last week."),
    "mean_weeks_on_benefit": Outcome(
        "Weeks on benefit per citizen", "weeks",
        "Citizen-weeks on benefit during the run over citizens ever present."),
    "caseworker_changes_per_citizen": Outcome(
        "Caseworker changes per citizen", "changes",
        "Mean caseworker changes during the run over citizens ever present."),
    "share_with_caseworker_change": Outcome(
        "Citizens with at least one caseworker change", "share",
        "Share of citizens ever present with one or more changes (compare T8: 40 %)."),
    "share_passive": Outcome(
        "Passive (no activity)", "share",
        "Mean over weeks of the share of citizens on benefit with no activity."),
    "share_ever_company": Outcome(
        "Ever in company placement", "share",
        "Share of citizens ever present who had a company placement during the run."),
    "company_share_of_activity": Outcome(
        "Company placement share of activity weeks", "share",
        "Company-placement weeks over all activity weeks (older figure: ≈30 %)."),
    "share_believes": Outcome(
        "Caseworker believes in a job within a year", "share",
        "Mean over weeks of the share whose caseworker answers 'yes' or 'good chances' "
        "(T5: 26 %)."),
    "total_cost_dkk": Outcome(
        "Total public cost", "DKK",
        "Benefit, activities and caseworker posts over the run."),
    "cost_per_job_entry_dkk": Outcome(
        "Cost per job entry", "DKK", "Total public cost over exits to job."),
}


def summarise(model: BipModel, citizens: pd.DataFrame | None = None,
              weekly: pd.DataFrame | None = None) -> dict[str, float | None]:
    """Every outcome in ``OUTCOMES`` for a finished model (None where undefined)."""
    import numpy as np  # here: the outcomes' table is read by commands that run nothing

    citizens = model.citizen_table() if citizens is None else citizens
    weekly = model.weekly() if weekly is None else weekly
    weeks = int(weekly["week"].iloc[-1])
    status = citizens["status"].astype(str).to_numpy()
    ti_exit = citizens["ti_exit"].fillna(np.iinfo(np.int32).max).to_numpy()
    ti_entry = citizens["ti_entry"].to_numpy()
    job = status == "job"
    stock = citizens["uid"].to_numpy() < model.p["n_citizens"]  # uids 0..n-1 at week 0
    entrants = (ti_entry >= 1) & (ti_entry <= weeks - 52)
    during = weekly.iloc[1:]
    exits = {k: int(weekly[f"cum_{k}"].iloc[-1]) for k in ("job", "education", "other_benefit")}
    n_exits = sum(exits.values())
    activity_weeks = citizens["weeks_company"].sum() + citizens["weeks_other"].sum()
    cost = float(weekly["cum_cost_dkk"].iloc[-1])
    out: dict[str, float | None] = {
        "share_job_12m": _share(job[stock] & (ti_exit[stock] <= 52)) if weeks >= 52 else None,
        "share_job_12m_entrants": _share(job[entrants]
                                         & (ti_exit[entrants] - ti_entry[entrants] <= 52)),
        "exits_job": exits["job"],
        "exits_education": exits["education"],
        "exits_other_benefit": exits["other_benefit"],
        "share_of_exits_job": exits["job"] / n_exits if n_exits else None,
        "share_still_on_benefit": _share(status[stock] == "on_benefit"),
        "mean_weeks_on_benefit": float(citizens["weeks_on_benefit"].mean()),
        "caseworker_changes_per_citizen": float(citizens["n_changes"].mean()),
        "share_with_caseworker_change": _share(citizens["n_changes"].to_numpy() > 0),
        "share_passive": _ratio_mean(during["n_passive"], during["n_on_benefit"]),
        "share_ever_company": _share(citizens["weeks_company"].to_numpy() > 0),
        "company_share_of_activity": (float(citizens["weeks_company"].sum() / activity_weeks)
                                      if activity_weeks else None),
        "share_believes": float(during["share_believes"].mean()) if len(during) else None,
        "total_cost_dkk": cost,
        "cost_per_job_entry_dkk": cost / exits["job"] if exits["job"] else None,
    }
    return out


def _share(mask: np.ndarray) -> float | None:
    return float(mask.mean()) if len(mask) else None


def _ratio_mean(num: pd.Series, den: pd.Series) -> float | None:
    ok = den > 0
    return float((num[ok] / den[ok]).mean()) if ok.any() else None
