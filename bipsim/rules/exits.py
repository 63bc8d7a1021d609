"""Step 6, exits: competing risks of leaving benefit for job, education or another benefit."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numba
import numpy as np
from numba.cpython.unsafe.numbers import leading_zeros

from ..agents import EDUCATION, JOB, OTHER_BENEFIT
from ..chunks import CHUNK, chunk_rows, n_chunks, pack
from ..compiled import njit
from ..streams import uniform_at, word_at
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
    leaving, leavers = draw_exits(m)
    m.vacated_posts = m.citizens.post[leavers]
    m.citizens.remove(leaving)


def draw_exits(m: BipModel) -> tuple[np.ndarray, np.ndarray]:
    """Decide who leaves this week and where to; returns the leavers' mask and rows.

    One uniform per citizen decides both: leave if ``u < P(exit)``, and then
    ``u / P(exit)``, itself uniform, picks the destination by its share of the hazard.
    ``P(exit)`` is numpy's: float32 log-hazards, numpy's vectorised float32 ``exp``,
    their float32 sum and numpy's ``expm1`` (the numbers every decision was made
    with). A compiled pass computes the log-hazards and screens out the citizens
    who certainly stay (see :func:`_screen`); numpy's functions then run on the
    few left (about 2 %, who include every leaver), and a compiled loop decides
    for them as for everyone before.
    """
    c, p, week = m.citizens, m.p, m.week
    key0, key1 = m.streams.keys("exit", week)
    # one contiguous row each: job, education, other, minus the total
    hazards = c.scratch("exit_hazard", np.float32, 4)
    leaving = c.scratch("leaving", np.bool_)
    rows = c.scratch("exit_candidates", np.int64)
    k = _screen(HazardCoefficients.of(p), week, p["dur_after_company"], c.readiness, c.belief,
                c.n_changes, c.ti_entry, c.in_company, c.ti_company_end, c.under_30, c.uid,
                key0, key1, rows, hazards, leaving)
    rows = rows[:k]
    job, edu, other, minus_total = hazards[:, :k]
    for hazard in (job, edu, other):
        np.exp(hazard, out=hazard)
    _minus_total(job, edu, other, minus_total)
    p_stay_minus_1 = np.expm1(minus_total, out=minus_total)  # -P(exit)
    counts = np.zeros(4, dtype=np.int64)
    n_leavers = _decide(week, rows, c.uid, key0, key1, job, edu, other, p_stay_minus_1,
                        c.status, c.ti_exit, leaving, counts)
    m.flows["new_job"] = int(counts[JOB])
    m.flows["new_education"] = int(counts[EDUCATION])
    m.flows["new_other_benefit"] = int(counts[OTHER_BENEFIT])
    return leaving, rows[:n_leavers]


#: The screen's margin for numpy's rounding: ``P(exit)`` as numpy computes it is at
#: most ``(1 + SCREEN_MARGIN) x`` the sum of the true hazards, by far (numpy's
#: float32 ``exp`` and ``expm1`` are within 5e-7 of the true values relatively,
#: checked for every float32 input on this machine; the two float32 additions add
#: 1.2e-7 at most; ``1 - exp(-x) <= x``).
SCREEN_MARGIN = 1e-5
#: Below this log-hazard the screen counts a hazard as ``exp(SCREEN_FLOOR)``, more
#: than numpy's float32 ``exp`` of it can be, subnormal results included.
SCREEN_FLOOR = -80.0


@njit(parallel=True)
def _screen(coef, week, dur_after, readiness, belief, n_changes, ti_entry, in_company,
            ti_company_end, under_30, uid, key0, key1, rows, hazards,
            leaving):  # pragma: no cover - compiled
    """Log-hazards of job, education and other benefit (:func:`_log_hazards`), and
    the screen: a citizen whose uniform ``u`` is at least ``2**e`` (``e`` its binary
    exponent, read off the random word's leading zeros) with ``e x ln 2 >= ln 3 +
    max log-hazard + 2 x SCREEN_MARGIN`` stays, because numpy's ``P(exit)`` is below
    ``2**e`` (three hazards, none above the largest, and numpy's rounding within
    ``SCREEN_MARGIN``). Sets ``leaving`` false for all; the other
    citizens' rows and log-hazards go, in row order, to the front of ``rows`` and
    ``hazards`` (rows 0-2); returns how many."""
    n = readiness.shape[0]
    log3, log2 = np.log(3.0), np.log(2.0)
    counts = np.zeros(n_chunks(n), dtype=np.int64)
    for chunk in numba.prange(n_chunks(n)):
        # the screen, in a loop without stores in between (vectorised), marking in
        # ``leaving`` the rows left; then those rows' log-hazards, computed again
        for i in chunk_rows(chunk, n):
            job, edu, other = _log_hazards(i, coef, week, dur_after, readiness, belief,
                                           n_changes, ti_entry, in_company, ti_company_end,
                                           under_30)
            # u >= 2**e (e: u's binary exponent; m == 0 is u == 0, never screened)
            m = word_at(uid[i], key0, key1) >> np.uint64(11)
            e = np.float64(np.int64(10) - np.int64(leading_zeros(m)))
            top = max(max(np.float64(job), np.float64(edu)), np.float64(other))
            leaving[i] = not ((m > 0) & (e * log2 - log3 - 2 * SCREEN_MARGIN
                                         >= max(top, SCREEN_FLOOR)))
        k = chunk * CHUNK
        for i in chunk_rows(chunk, n):
            if leaving[i]:
                leaving[i] = False
                rows[k] = i
                hazards[0, k], hazards[1, k], hazards[2, k] = _log_hazards(
                    i, coef, week, dur_after, readiness, belief, n_changes, ti_entry,
                    in_company, ti_company_end, under_30)
                k += 1
        counts[chunk] = k - chunk * CHUNK
    n_left = pack(rows, counts)
    for j in range(3):
        pack(hazards[j], counts)
    return n_left


@njit(inline="always")
def _log_hazards(i, coef, week, dur_after, readiness, belief, n_changes, ti_entry, in_company,
                 ti_company_end, under_30):  # pragma: no cover - compiled
    """Row ``i``'s log-hazards of job, education and other benefit, in float32 and in
    the order of operations numpy used before (so every exit decision is unchanged)."""
    f32 = np.float32
    weeks = f32(min(week - ti_entry[i], MAX_DURATION_WEEKS))
    after = not in_company[i] and week - ti_company_end[i] < dur_after
    common = (coef.belief * f32(belief[i] >= BELIEVES)
              + coef.per_change * f32(n_changes[i]) + coef.per_week_on_benefit * weeks)
    r = readiness[i]
    job = (coef.job + coef.readiness_job * r + common
           + coef.company_lockin * f32(in_company[i]) + coef.after_company * f32(after))
    edu = (coef.education + coef.readiness_education * r + common
           + coef.education_under_30 * f32(under_30[i]))
    return job, edu, coef.other + coef.readiness_other * r


@njit
def _minus_total(job, edu, other, out):  # pragma: no cover - compiled
    for i in range(job.shape[0]):
        out[i] = -(job[i] + edu[i] + other[i])


@njit
def _decide(week, rows, uid, key0, key1, job, edu, other, p_stay_minus_1, status, ti_exit,
            leaving, counts):  # pragma: no cover - compiled
    """For ``rows`` (with their hazards ``job[j]`` ...): leave if ``u < P(exit)``; the
    destination by ``u / P(exit)`` against the cumulative hazard shares. Counts
    destinations; moves the leavers to the front of ``rows`` (in order) and
    returns how many."""
    n_leavers = 0
    for j in range(rows.shape[0]):
        i = rows[j]
        u = uniform_at(uid[i], key0, key1)
        p_exit = -p_stay_minus_1[j]
        if u < p_exit:
            total = job[j] + edu[j] + other[j]
            where = u / np.float64(p_exit) * np.float64(total)
            kind = (JOB if where < job[j] else
                    EDUCATION if where < np.float32(job[j] + edu[j]) else OTHER_BENEFIT)
            status[i] = kind
            ti_exit[i] = week
            leaving[i] = True
            counts[kind] += 1
            rows[n_leavers] = i
            n_leavers += 1
    return n_leavers
