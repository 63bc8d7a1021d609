"""Step 3, meetings: who meets the caseworker this week, and the belief formed there."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numba
import numpy as np

from .caseload import add_meeting_time, judgement

if TYPE_CHECKING:
    from ..model import BipModel

#: Cut-points of the latent belief (about N(0, 1) in the reference population) into
#: the five answers, set so the answers reproduce T5: no 25 %, doubtful 25 %,
#: in between 24 %, good chances 20 %, yes unconditionally 6 %.
BELIEF_CUTS = np.array([-0.674, 0.0, 0.643, 1.555])
BELIEVES = 4  # answers >= 4 ("good chances", "yes") count as believing (T4)
PAIR_BITS = 24  # a caseworker-citizen pair is keyed by uid and the caseworker's low bits


def first_in_group(groups: np.ndarray, room: np.ndarray,
                   priority: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Positions of the rows that fit: per group, the ``room[group]`` rows of highest
    priority. ``priority`` (given the positions to rank) is computed only for the
    rows of groups with more rows than room."""
    counts = np.bincount(groups, minlength=len(room))
    crowded = counts > room
    if not crowded.any():
        return np.arange(len(groups))
    contested = np.flatnonzero(crowded[groups])
    keep = ~crowded[groups]
    winners = _top_per_group(groups[contested], priority(contested), room, counts)
    keep[contested[winners]] = True
    return np.flatnonzero(keep)


@numba.njit(cache=True, nogil=True)
def _top_per_group(groups, priority, room, counts):  # pragma: no cover - compiled
    """Mask of the ``room[g]`` highest-priority rows of each group ``g``: a counting
    sort by group, then an insertion sort within each group."""
    n_groups = counts.shape[0]
    start = np.zeros(n_groups + 1, dtype=np.int64)
    for g in range(n_groups):
        start[g + 1] = start[g]
    for g in groups:
        start[g + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    fill = start[:-1].copy()
    order = np.empty(groups.shape[0], dtype=np.int64)
    for i in range(groups.shape[0]):
        order[fill[groups[i]]] = i
        fill[groups[i]] += 1
    chosen = np.zeros(groups.shape[0], dtype=np.bool_)
    for g in range(n_groups):
        lo, hi = start[g], start[g + 1]
        # insertion sort of the group's rows by descending priority, in place
        # (groups are a caseload: tens of rows, where this beats a general sort)
        for a in range(lo + 1, hi):
            row = order[a]
            b = a
            while b > lo and priority[order[b - 1]] < priority[row]:
                order[b] = order[b - 1]
                b -= 1
            order[b] = row
        for a in range(lo, min(hi, lo + room[g])):
            chosen[order[a]] = True
    return chosen


def hold_meetings(m: BipModel) -> None:
    """Citizens due a meeting (``interval`` weeks since the last) meet their
    caseworker, at most ``meetings_per_week`` per caseworker, most overdue first;
    citizens of a vacant post wait. A higher caseload thus means fewer meetings."""
    c, p, week = m.citizens, m.p, m.week
    due = np.flatnonzero((week - c.ti_meeting >= p["interval"]) & m.caseworkers.occupied[c.post])
    capacity = np.full(len(m.caseworkers), int(p["meetings_per_week"]))

    def most_overdue(pos: np.ndarray) -> np.ndarray:
        rows = due[pos]
        overdue = np.minimum(week - c.ti_meeting[rows], 10_000)
        return overdue + m.streams.uniform("meeting_order", week, c.uid[rows])

    held = due[first_in_group(c.post[due], capacity, most_overdue)]
    c.met[held] = True
    c.ti_meeting[held] = week
    c.n_meetings[held] += 1
    add_meeting_time(m, held)
    form_belief(m, held)
    m.flows["new_meetings"] = len(held)


def form_belief(m: BipModel, rows: np.ndarray) -> None:
    """The caseworker answers "will the citizen get a job within the next year?":
    latent belief = weight x true readiness + own optimism + impression, cut into
    five answers. The impression (noise) belongs to the caseworker-citizen pair: it
    stays while the pair lasts and is drawn anew with a new caseworker, so belief
    follows readiness from meeting to meeting without being redrawn by chance."""
    c, p = m.citizens, m.p
    weight, noise = judgement(p, m.jobcentres.caseload)  # per jobcentre (caseload.py)
    jc = c.jobcentre[rows]
    caseworker = m.caseworkers.uid[c.post[rows]]
    pair = (c.uid[rows] << PAIR_BITS) | (caseworker & (2**PAIR_BITS - 1))
    # the weight in the readiness' precision, as the plain parameter was multiplied
    latent = (weight[jc].astype(c.readiness.dtype) * c.readiness[rows]
              + m.caseworkers.optimism[c.post[rows]]
              + noise[jc] * m.streams.normal("belief_impression", 0, pair))
    c.belief[rows] = 1 + np.searchsorted(BELIEF_CUTS, latent)
