"""Step 4, interventions: activities end, and meetings start new ones by the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit, logit

from .caseload import offer_shift
from .meetings import first_in_group

if TYPE_CHECKING:
    from ..model import BipModel
    from ..streams import Streams


def end_activities(m: BipModel) -> None:
    """Activities that reached their planned end stop; a completed other activity
    is a step on the staircase."""
    c, week = m.citizens, m.week
    done_company = c.in_company & (c.ti_company_end <= week)
    done_other = c.in_other & (c.ti_other_end <= week)
    c.in_company[done_company] = False
    c.in_other[done_other] = False
    c.n_other_done[done_other] += 1


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
    c, p, week = m.citizens, m.p, m.week
    early = p["placement_timing"] == "early"
    rows = np.flatnonzero(c.met)  # a fraction of all: filter them, not everyone
    rows = rows[~c.in_company[rows] & (early | ~c.in_other[rows])]
    with np.errstate(divide="ignore"):
        p_offer = expit(logit(p["p_offer"]) + p["offer_readiness_slope"] * c.readiness[rows]
                        + offer_shift(p, m.jobcentres.caseload)[c.jobcentre[rows]])
    rows = rows[m.streams.uniform("offer", week, c.uid[rows]) < p_offer]
    ready = c.readiness[rows] >= p["staircase_threshold"]
    if early:
        wants_company = np.ones(len(rows), dtype=bool)
    else:
        wants_company = ready & (c.n_other_done[rows] >= p["staircase_steps"])
    candidates = np.flatnonzero(wants_company)
    got_place = np.zeros(len(rows), dtype=bool)
    got_place[candidates[allocate_company_places(m, rows[candidates])]] = True
    placed = rows[got_place]
    c.in_company[placed] = True
    c.ti_company_end[placed] = week + p["dur_company"]
    other = rows[~got_place | (early & ~ready)]
    other = other[~c.in_other[other]]
    c.in_other[other] = True
    c.ti_other_end[other] = week + p["dur_other"]
    m.flows["new_company_starts"] = len(placed)
    m.flows["new_other_starts"] = len(other)


def allocate_company_places(m: BipModel, rows: np.ndarray) -> np.ndarray:
    """Give free company places to the candidates in ``rows``, in random order
    within each jobcentre; returns the positions in ``rows`` that got one."""
    c, jc = m.citizens, m.jobcentres
    if len(rows) == 0:
        return np.empty(0, dtype=np.int64)
    taken = np.bincount(c.jobcentre, weights=c.in_company, minlength=len(jc))
    free = np.maximum(jc.company_slots - taken, 0).astype(np.int64)

    def random_order(pos: np.ndarray) -> np.ndarray:
        return m.streams.uniform("company_queue", m.week, c.uid[rows[pos]])

    return first_in_group(c.jobcentre[rows], free, random_order)


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
