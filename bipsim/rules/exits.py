"""Step 6, exits: competing risks of leaving benefit for job, education or another benefit."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numba
import numpy as np

from ..agents import EDUCATION, JOB, OTHER_BENEFIT
from ..chunks import chunk_rows, n_chunks
from ..compiled import njit
from ..streams import uniform_at
from .meetings import BELIEVES

if TYPE_CHECKING:
    from ..model import BipModel

MAX_DURATION_WEEKS = 5 * 52  # duration dependence stops after five years


class HazardCoefficients(NamedTuple):
    """Log-hazard coefficients of the exit hazards (float32, as the kernel computes).

    Job and education: base x readiness effect x belief (T4) x caseworker changes
    (T7) x duration; job also lock-in during and a boost after company placement;
    education is higher under 30. Other benefit falls with readiness.
    """

    job: np.float32                # log weekly job hazard at the reference
    education: np.float32          # log weekly education hazard at the reference
    other: np.float32              # log weekly hazard of another benefit (-inf if none)
    readiness_job: np.float32      # per readiness SD
    readiness_education: np.float32
    readiness_other: np.float32
    belief: np.float32             # caseworker answers "good chances" or "yes"
    per_change: np.float32         # per caseworker change
    per_week_on_benefit: np.float32
    company_lockin: np.float32     # job, during company placement
    after_company: np.float32      # job, within dur_after_company weeks after one
    education_under_30: np.float32

    @classmethod
    def of(cls, p: dict) -> HazardCoefficients:
        """The coefficients of parameter values ``p``."""
        log = np.log
        with np.errstate(divide="ignore"):  # a probability of 0 is a log-hazard of -inf
            values = np.array([
                log(-np.log1p(-p["p_job"])), log(-np.log1p(-p["p_education"])),
                log(-np.log1p(-p["p_other"])) if p["p_other"] > 0 else -np.inf,
                log(p["hr_readiness_job"]), log(p["hr_readiness_education"]),
                log(p["hr_readiness_other"]), log(p["hr_belief"]),
                log(p["hr_caseworker_change"]), log(p["hr_per_year_on_benefit"]) / 52,
                log(p["hr_company_lockin"]), log(p["hr_after_company"]),
                log(p["hr_education_under_30"]),
            ]).astype(np.float32)
        return cls(*values)


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
    Compiled loops compute the log-hazards and decide; numpy's vectorised ``exp`` and
    ``expm1`` (float32) run in between.
    """
    c, p, week = m.citizens, m.p, m.week
    # one contiguous row each: job, education, other, minus the total
    job, edu, other, minus_total = c.scratch("exit_hazard", np.float32, 4)
    _log_hazards(HazardCoefficients.of(p), week, p["dur_after_company"], c.readiness,
                 c.belief, c.n_changes, c.ti_entry, c.in_company, c.ti_company_end,
                 c.under_30, job, edu, other)
    for hazard in (job, edu, other):
        np.exp(hazard, out=hazard)
    _minus_total(job, edu, other, minus_total)
    p_stay_minus_1 = np.expm1(minus_total, out=minus_total)  # -P(exit)
    leaving = c.scratch("leaving", np.bool_)
    counts = np.zeros((n_chunks(len(c)), 4), dtype=np.int64)
    _decide(week, c.uid, *m.streams.keys("exit", week), job, edu, other, p_stay_minus_1,
            c.status, c.ti_exit, leaving, counts)
    counts = counts.sum(axis=0)
    m.flows["new_job"] = int(counts[JOB])
    m.flows["new_education"] = int(counts[EDUCATION])
    m.flows["new_other_benefit"] = int(counts[OTHER_BENEFIT])
    return leaving


@njit(parallel=True)
def _log_hazards(coef, week, dur_after, readiness, belief, n_changes, ti_entry, in_company,
                 ti_company_end, under_30, job, edu, other):  # pragma: no cover - compiled
    """Log-hazards of job, education and other benefit, in float32 and in the
    order of operations numpy used before (so every exit decision is unchanged)."""
    f32 = np.float32
    n = readiness.shape[0]
    for chunk in numba.prange(n_chunks(n)):
        for i in chunk_rows(chunk, n):
            weeks = f32(min(week - ti_entry[i], MAX_DURATION_WEEKS))
            after = not in_company[i] and week - ti_company_end[i] < dur_after
            common = (coef.belief * f32(belief[i] >= BELIEVES)
                      + coef.per_change * f32(n_changes[i]) + coef.per_week_on_benefit * weeks)
            r = readiness[i]
            job[i] = (coef.job + coef.readiness_job * r + common
                         + coef.company_lockin * f32(in_company[i])
                         + coef.after_company * f32(after))
            edu[i] = (coef.education + coef.readiness_education * r + common
                         + coef.education_under_30 * f32(under_30[i]))
            other[i] = coef.other + coef.readiness_other * r


@njit(parallel=True)
def _minus_total(job, edu, other, out):  # pragma: no cover - compiled
    n = job.shape[0]
    for chunk in numba.prange(n_chunks(n)):
        for i in chunk_rows(chunk, n):
            out[i] = -(job[i] + edu[i] + other[i])


@njit(parallel=True)
def _decide(week, uid, key0, key1, job, edu, other, p_stay_minus_1, status, ti_exit, leaving,
            counts):  # pragma: no cover - compiled
    """Leave if ``u < P(exit)``; the destination by ``u / P(exit)`` against the
    cumulative hazard shares. Counts destinations per chunk."""
    n = uid.shape[0]
    for chunk in numba.prange(n_chunks(n)):
        for i in chunk_rows(chunk, n):
            u = uniform_at(uid[i], key0, key1)
            p_exit = -p_stay_minus_1[i]
            leaving[i] = u < p_exit
            if leaving[i]:
                total = job[i] + edu[i] + other[i]
                where = u / np.float64(p_exit) * np.float64(total)
                kind = (JOB if where < job[i] else
                        EDUCATION if where < np.float32(job[i] + edu[i]) else OTHER_BENEFIT)
                status[i] = kind
                ti_exit[i] = week
                counts[chunk, kind] += 1
