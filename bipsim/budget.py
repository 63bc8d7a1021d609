"""Budgets: the public cost by kind and year, and the benefit that exits avoid.

**Benefit saved is counted from the exits, not from the stock.** Under ``replace``
inflow (the shipped scenarios) every leaver is replaced next week, so the stock,
and with it the benefit paid, is the same whatever a reform does: comparing the
benefit paid would say that no reform ever saves benefit. So bipsim counts, in
every inflow mode alike, the *benefit-weeks avoided*: each exit to a job or to
education in week ``t`` avoids ``benefit_dkk`` in every week from ``t + 1`` to the
end of the run in which the citizen is off benefit. A move to another benefit
avoids nothing (it is still public support, costed like kontanthjælp). With a
closed cohort or ``rate`` inflow, where the reform does not change who enters, the
difference between two scenarios' avoided benefit-weeks is, without returns,
exactly the difference in weeks of public support of the same citizens (tested on
one run's identity), so the count agrees with the budget where the budget can tell.

**Returns to benefit.** A job or an education does not always last: a share of the
leavers (``return_share_job``, ``return_share_education``) comes back to benefit,
after a delay that is geometric with mean about ``return_mean_weeks`` (``P(back
within k weeks) = 1 - exp(-k / mean)`` among those who return). From the week of
return the citizen is on benefit again to the end of the run (a second exit is not
counted, so returns if anything understate the saving). Each leaver's fate is
drawn from its own stream keyed by its uid (:mod:`bipsim.streams`), so a citizen
who leaves in both scenarios of a comparison has the same fate in both. Returns
act in this accounting only: the simulated citizen stays gone, so the
simulation, the calibration's statistics and every outcome are unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .agents import EDUCATION, JOB
from .rules.costs import COST_KINDS

if TYPE_CHECKING:
    from .model import BipModel
    from .streams import Streams

#: Weeks of a budget year; the last year of a run may be shorter.
YEAR_WEEKS = 52
#: The stream that decides each leaver's return.
RETURN_STREAM = "return_to_benefit"
#: Delay of a leaver who does not return.
NO_RETURN = 10**9
#: The weekly columns of the accounting (added to the model's weekly series).
LEDGER_COLUMNS = ("new_returns", "n_off_benefit_after_exit", "new_benefit_avoided_dkk",
                  "cum_benefit_avoided_dkk")
#: What the budget's "benefit saved" means, for printouts and reports.
ACCOUNTING = (
    "Benefit saved counts benefit-weeks avoided by exits to job or education (benefit_dkk "
    "for each week a leaver is off benefit to the end of the run), less the weeks after a "
    "return to benefit; the same count in every inflow mode (under 'replace' inflow the "
    "benefit paid to the stock cannot change). Moves to another benefit save nothing.")


def return_delays(streams: Streams, uids: np.ndarray, status: np.ndarray,
                  p: dict[str, Any]) -> np.ndarray:
    """Weeks from each leaver's exit to their return to benefit (:data:`NO_RETURN`
    for those who stay off), drawn per uid.

    One uniform per leaver decides both, as the exits do: return if ``u < share``,
    and then ``v = u / share``, itself uniform, sets the delay ``1 + floor(-mean x
    ln(1 - v))``, so ``P(delay <= k) = 1 - exp(-k / mean)`` for whole weeks ``k``.
    """
    share = np.where(status == JOB, p["return_share_job"], p["return_share_education"])
    u = streams.uniform(RETURN_STREAM, 0, uids)
    back = u < share
    delays = np.full(len(uids), NO_RETURN, dtype=np.int64)
    v = u[back] / share[back]
    delays[back] = 1 + np.floor(-p["return_mean_weeks"] * np.log1p(-v)).astype(np.int64)
    return delays


def off_benefit(ti_exit: np.ndarray, delays: np.ndarray, weeks: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Leavers off benefit in each week ``0..weeks``, and returns in each week.

    A leaver of week ``t`` with delay ``d`` is off benefit in weeks ``t + 1`` to
    ``t + d - 1`` and back on benefit from week ``t + d``.
    """
    ti_exit = np.asarray(ti_exit, dtype=np.int64)
    back = ti_exit + delays
    starts = np.bincount(ti_exit + 1, minlength=weeks + 2)[:weeks + 1]
    stops = np.bincount(back[back <= weeks], minlength=weeks + 1)
    return np.cumsum(starts - stops), stops


def ledger(model: BipModel, weeks: int) -> dict[str, np.ndarray]:
    """The weekly accounting of avoided benefit over weeks ``0..weeks`` (:data:`LEDGER_COLUMNS`)."""
    left = model.citizens.leavers(("uid", "status", "ti_exit"))
    keep = (left["status"] == JOB) | (left["status"] == EDUCATION)
    delays = return_delays(model.streams, left["uid"][keep], left["status"][keep], model.p)
    n_off, returns = off_benefit(left["ti_exit"][keep], delays, weeks)
    avoided = np.rint(model.p["benefit_dkk"] * n_off)  # whole kroner: exact sums
    return {"new_returns": returns, "n_off_benefit_after_exit": n_off,
            "new_benefit_avoided_dkk": avoided, "cum_benefit_avoided_dkk": np.cumsum(avoided)}


def with_ledger(model: BipModel, weekly: pd.DataFrame) -> pd.DataFrame:
    """``weekly`` (one row per week from 0) with the :data:`LEDGER_COLUMNS` added."""
    for name, column in ledger(model, len(weekly) - 1).items():
        weekly[name] = column
    return weekly


def year_spans(weeks: int) -> list[tuple[int, int, int]]:
    """``(year, first week, last week)`` of each budget year of a run of ``weeks``."""
    return [(y + 1, y * YEAR_WEEKS + 1, min((y + 1) * YEAR_WEEKS, weeks))
            for y in range(-(-weeks // YEAR_WEEKS))]


#: Per-year columns: name -> (weekly flow summed over the year's weeks, short label,
#: meaning, unit).
YEARLY: dict[str, tuple[str, str, str, str]] = {
    **{f"cost_{kind}_dkk": (f"new_cost_{kind}_dkk", label, f"public cost: {COST_KINDS[kind]}",
                            "DKK")
       for kind, label in (("benefit", "benefit paid"), ("company", "company placements"),
                           ("other", "other activities"), ("caseworkers", "caseworker posts"),
                           ("training", "expectations training"))},
    "cost_dkk": ("new_cost_dkk", "total public cost", "public cost of every kind", "DKK"),
    "job_entries": ("new_job", "job entries", "exits to a job", "citizens"),
    "education_entries": ("new_education", "education entries", "exits to education",
                          "citizens"),
    "returns": ("new_returns", "back on benefit", "job and education leavers back on benefit "
                "(accounting)", "citizens"),
    "benefit_weeks_avoided": ("n_off_benefit_after_exit", "benefit-weeks avoided",
                              "citizen-weeks off benefit after an exit to job or education, "
                              "net of returns", "citizen-weeks"),
    "benefit_avoided_dkk": ("new_benefit_avoided_dkk", "benefit avoided",
                            "benefit not paid in those weeks", "DKK"),
}


def yearly(weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per budget year of a run: its weeks, each kind of cost and the total,
    job and education entries, returns and the benefit avoided.

    Every amount is a sum of whole kroner, so the years add up to the run's totals
    exactly.
    """
    weeks = len(weekly) - 1
    rows = []
    for year, first, last in year_spans(weeks):
        span = weekly.iloc[first:last + 1]
        rows.append({"year": year, "first_week": first, "last_week": last,
                     **{name: float(span[flow].sum()) for name, (flow, *_) in YEARLY.items()}})
    return pd.DataFrame(rows, columns=["year", "first_week", "last_week", *YEARLY])


def summary_block(weekly: pd.DataFrame) -> dict[str, Any]:
    """The ``budget`` block of ``summary.json``: per year, by kind over the run, and
    what the benefit saved means."""
    table = yearly(weekly)
    by_kind = {name: float(table[name].sum()) for name in YEARLY if name.startswith("cost_")}
    return {"per_year": table.to_dict("records"), "by_kind": by_kind,
            "benefit_avoided_dkk": float(table["benefit_avoided_dkk"].sum()),
            "accounting": ACCOUNTING}
