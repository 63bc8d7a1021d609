"""Step 4, interventions: activities end, and meetings start new ones by the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit, logit

from .meetings import first_in_group

if TYPE_CHECKING:
    from ..model import BipModel


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
        p_offer = expit(logit(p["p_offer"]) + p["offer_readiness_slope"] * c.readiness[rows])
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
