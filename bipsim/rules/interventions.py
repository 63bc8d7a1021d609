"""Step 4, interventions: activities end, and meetings start new ones by the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np
from scipy.special import expit, logit

from ..chunks import chunk_rows, n_chunks
from ..compiled import njit
from ..streams import uniform_at
from .caseload import offer_shift
from .meetings import choose_in_groups

if TYPE_CHECKING:
    from ..model import BipModel
    from ..streams import Streams


def end_activities(m: BipModel) -> None:
    """Activities that reached their planned end stop; a completed other activity
    is a step on the staircase."""
    c = m.citizens
    _end_activities(m.week, c.in_company, c.ti_company_end, c.in_other, c.ti_other_end,
                    c.n_other_done)


@njit(parallel=True)
def _end_activities(week, in_company, ti_company_end, in_other, ti_other_end,
                    n_other_done):  # pragma: no cover - compiled
    n = in_company.shape[0]
    for chunk in numba.prange(n_chunks(n)):
        for i in chunk_rows(chunk, n):
            if in_company[i] and ti_company_end[i] <= week:
                in_company[i] = False
            if in_other[i] and ti_other_end[i] <= week:
                in_other[i] = False
                n_other_done[i] += 1


def start_activities(m: BipModel) -> None:
    """At a meeting a citizen not in company placement may get an offer, more
    often the readier they are (the least ready are more often passive).

    *Staircase*: passive citizens only; company placement if readiness is at least
    ``staircase_threshold`` after ``staircase_steps`` other activities, otherwise
    another activity. *Early*: company placement for anyone offered, also while in
    another activity, and citizens below the threshold get other support alongside.
    Company places are limited per jobcentre; who does not get one gets (or keeps)
    another activity.
    """
    c, p, week, jc = m.citizens, m.p, m.week, m.jobcentres
    early = p["placement_timing"] == "early"
    with np.errstate(divide="ignore"):
        base = float(logit(p["p_offer"]))
    offered, wants_company, ready = _offers(
        np.flatnonzero(c.met), early, c.in_company, c.in_other, c.readiness, base,
        np.float32(p["offer_readiness_slope"]), offer_shift(p, jc.caseload), c.jobcentre,
        c.uid, *m.streams.keys("offer", week),
        np.float32(p["staircase_threshold"]), c.n_other_done, p["staircase_steps"])
    candidates = offered[wants_company]
    if len(candidates):
        taken = _count_by_group(c.jobcentre, c.in_company, len(jc))
        free = np.maximum(jc.company_slots - taken, 0)
        got_place = np.zeros(len(offered), dtype=bool)
        got_place[wants_company] = choose_in_groups(
            candidates, c.jobcentre, free, len(jc), c.uid, np.zeros(len(candidates), np.int64),
            *m.streams.keys("company_queue", week))
    else:
        got_place = wants_company
    n_placed, n_other = _start(offered, got_place, ready, early, week + p["dur_company"],
                               week + p["dur_other"], c.in_company, c.ti_company_end,
                               c.in_other, c.ti_other_end)
    m.flows["new_company_starts"] = n_placed
    m.flows["new_other_starts"] = n_other


@njit
def _offers(met, early, in_company, in_other, readiness, base, slope, shift, jobcentre, uid,
            key0, key1, threshold, n_other_done, steps):  # pragma: no cover - compiled
    """Who of the citizens met gets an offer (``P = expit(base + slope x readiness +
    shift[jobcentre])``, slope x readiness in float32 as numpy computed it, the
    caseload's shift per jobcentre); whether each wants company placement, and is
    ready for it."""
    offered = np.empty(met.shape[0], dtype=np.int64)
    k = 0
    for i in met:
        if in_company[i] or (in_other[i] and not early):
            continue
        log_odds = base + np.float64(slope * readiness[i]) + shift[jobcentre[i]]
        p_offer = 1.0 / (1.0 + np.exp(-log_odds))
        if uniform_at(uid[i], key0, key1) < p_offer:
            offered[k] = i
            k += 1
    offered = offered[:k].copy()
    ready = np.empty(k, dtype=np.bool_)
    wants_company = np.empty(k, dtype=np.bool_)
    for j in range(k):
        ready[j] = readiness[offered[j]] >= threshold
        wants_company[j] = early or (ready[j] and n_other_done[offered[j]] >= steps)
    return offered, wants_company, ready


@njit
def _start(offered, got_place, ready, early, company_end, other_end, in_company,
           ti_company_end, in_other, ti_other_end):  # pragma: no cover - compiled
    """Start the activities of the rows offered, in one pass rather than numpy's
    four fancy-indexed gathers and scatters: company placement for those who got a
    place; another activity for those who did not (and, under early placement, for
    those not ready), unless already in one. Returns how many of each started."""
    n_placed = n_other = 0
    for j in range(offered.shape[0]):
        i = offered[j]
        if got_place[j]:
            in_company[i] = True
            ti_company_end[i] = company_end
            n_placed += 1
        if (not got_place[j] or (early and not ready[j])) and not in_other[i]:
            in_other[i] = True
            ti_other_end[i] = other_end
            n_other += 1
    return n_placed, n_other


@njit(parallel=True)
def _count_by_group(group, flag, n_groups):  # pragma: no cover - compiled
    """Rows with ``flag`` set, per group (counted per chunk, in integers)."""
    n = group.shape[0]
    n_chunk = n_chunks(n)
    counts = np.zeros((n_chunk, n_groups), dtype=np.int64)
    for chunk in numba.prange(n_chunk):
        for i in chunk_rows(chunk, n):
            counts[chunk, group[i]] += flag[i]
    return counts.sum(axis=0)


def initial_activities(m: BipModel) -> None:
    """Put the week-0 stock into activities near the policy's steady state, so a
    run does not start with everyone passive and every activity ending together.

    A citizen's share of time in other activity is the renewal ratio
    ``dur_other / (dur_other + interval / p_offer_i)``; each is in one with that
    chance, at a random point of it, and has completed the steps that share
    implies over its time on benefit. Company places are filled at random among
    those eligible under the policy.
    """
    c, p, jc, streams = m.citizens, m.p, m.jobcentres, m.streams
    with np.errstate(divide="ignore"):
        p_offer = expit(logit(p["p_offer"]) + p["offer_readiness_slope"] * c.readiness
                        + offer_shift(p, jc.caseload)[c.jobcentre])
        waiting = np.where(p_offer > 0, p["interval"] / p_offer, np.inf)
    share_active = p["dur_other"] / (p["dur_other"] + waiting)
    # every draw keyed by uid, so no jobcentre's set-up shifts another's
    active = streams.uniform("setup_active", 0, c.uid) < share_active
    c.in_other[active] = True
    c.ti_other_end[active] = _weeks_left(streams, "setup_other_left", c.uid[active],
                                         p["dur_other"])
    c.n_other_done = np.floor(-c.ti_entry * share_active / p["dur_other"])
    eligible = active.copy()
    if p["placement_timing"] == "staircase":
        eligible &= ((c.readiness >= p["staircase_threshold"])
                     & (c.n_other_done >= p["staircase_steps"]))
    # each jobcentre's places go to its eligible citizens in an order drawn per uid: a
    # sort, not first_in_group (tuned for caseload-sized groups, quadratic in a
    # jobcentre's thousands of candidates)
    rows = np.flatnonzero(eligible)
    group = c.jobcentre[rows]
    rows = rows[np.lexsort((streams.uniform("setup_company_order", 0, c.uid[rows]), group))]
    group = c.jobcentre[rows]
    counts = np.bincount(group, minlength=len(jc))
    rank = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    placed = rows[rank < jc.company_slots[group]]
    c.in_company[placed] = True
    c.ti_company_end[placed] = _weeks_left(streams, "setup_company_left", c.uid[placed],
                                           p["dur_company"])
    if p["placement_timing"] == "staircase":  # on the staircase, one step at a time
        c.in_other[placed] = False


def _weeks_left(streams: Streams, name: str, uids: np.ndarray, duration: int) -> np.ndarray:
    """Weeks 1..``duration`` left of an activity under way at week 0, uniform per uid."""
    return 1 + np.floor(streams.uniform(name, 0, uids) * duration).astype(np.int32)
