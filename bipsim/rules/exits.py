"""Step 6, exits: competing risks of leaving benefit for job, education or another benefit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents import EDUCATION, JOB, OTHER_BENEFIT
from .meetings import BELIEVES

if TYPE_CHECKING:
    from ..model import BipModel

MAX_DURATION_WEEKS = 5 * 52  # duration dependence stops after five years


def hazard_coefficients(p: dict) -> np.ndarray:
    """Log-hazard coefficients, in the order the kernel reads them.

    Job and education: base x readiness effect x belief (T4) x caseworker changes
    (T7) x duration; job also lock-in during and a boost after company placement;
    education is higher under 30. Other benefit falls with readiness.
    """
    log = np.log
    return np.array([
        log(-np.log1p(-p["p_job"])), log(-np.log1p(-p["p_education"])),
        log(-np.log1p(-p["p_other"])) if p["p_other"] > 0 else -np.inf,
        log(p["hr_readiness_job"]), log(p["hr_readiness_education"]),
        log(p["hr_readiness_other"]), log(p["hr_belief"]), log(p["hr_caseworker_change"]),
        log(p["hr_per_year_on_benefit"]) / 52, log(p["hr_company_lockin"]),
        log(p["hr_after_company"]), log(p["hr_education_under_30"]),
    ])


def leave_benefit(m: BipModel) -> None:
    """Citizens who leave this week get their exit status and move to the archive;
    their posts are kept for ``replace`` inflow next week."""
    leaving = draw_exits(m)
    m.vacated_posts = m.citizens.post[leaving]
    m.citizens.remove(leaving)


def draw_exits(m: BipModel) -> np.ndarray:
    """Decide who leaves this week and where to; returns the leavers' mask.

    One uniform per citizen decides both: leave if ``u < P(exit)``, and then
    ``u / P(exit)``, itself uniform, picks the destination by its share of the hazard.
    """
    c, p, week = m.citizens, m.p, m.week
    with np.errstate(divide="ignore"):  # a probability of 0 is a log-hazard of -inf
        coef = hazard_coefficients(p).astype(np.float32)
    f32 = np.float32
    weeks = np.minimum(week - c.ti_entry, MAX_DURATION_WEEKS).astype(f32)
    after = ~c.in_company & (week - c.ti_company_end < p["dur_after_company"])
    # multiplying by a boolean is cheaper than adding into a masked selection
    common = (coef[6] * (c.belief >= BELIEVES) + coef[7] * c.n_changes.astype(f32)
              + coef[8] * weeks)
    r = c.readiness
    job = np.exp(coef[0] + coef[3] * r + common + coef[9] * c.in_company + coef[10] * after)
    edu = np.exp(coef[1] + coef[4] * r + common + coef[11] * c.under_30)
    other = np.exp(coef[2] + coef[5] * r)
    total = job + edu + other
    p_exit = -np.expm1(-total)
    u = m.streams.uniform("exit", week, c.uid)
    leaving = u < p_exit
    where = u[leaving] / p_exit[leaving] * total[leaving]
    kind = np.where(where < job[leaving], JOB,
                    np.where(where < job[leaving] + edu[leaving], EDUCATION, OTHER_BENEFIT))
    c.status[leaving] = kind
    c.ti_exit[leaving] = week
    counts = np.bincount(kind, minlength=4)
    m.flows["new_job"] = int(counts[JOB])
    m.flows["new_education"] = int(counts[EDUCATION])
    m.flows["new_other_benefit"] = int(counts[OTHER_BENEFIT])
    return leaving
