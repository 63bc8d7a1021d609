"""Step 3, meetings: who meets the caseworker this week, and the belief formed there."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..model import BipModel

#: Cut-points of the latent belief (about N(0, 1) in the reference population) into
#: the five answers, set so the answers reproduce T5: no 25 %, doubtful 25 %,
#: in between 24 %, good chances 20 %, yes unconditionally 6 %.
BELIEF_CUTS = np.array([-0.674, 0.0, 0.643, 1.555])
BELIEVES = 4  # answers >= 4 ("good chances", "yes") count as believing (T4)


def first_in_group(groups: np.ndarray, room: np.ndarray,
                   priority: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Positions of the rows that fit: per group, the ``room[group]`` rows of highest
    priority. Only groups with more rows than room are sorted, and ``priority``
    (given the positions to rank) is computed only for their rows."""
    crowded = np.bincount(groups, minlength=len(room)) > room
    if not crowded.any():
        return np.arange(len(groups))
    contested = np.flatnonzero(crowded[groups])
    sub_groups = groups[contested]
    # one float key sorts by group, then by priority descending (priority < 2**20)
    order = np.argsort(sub_groups * 2.0**21 - priority(contested))
    sorted_groups = sub_groups[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_groups, sorted_groups, side="left")
    winners = contested[order[rank < room[sorted_groups]]]
    keep = ~crowded[groups]
    keep[winners] = True
    return np.flatnonzero(keep)


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
    form_belief(m, held)
    m.flows["new_meetings"] = len(held)


def form_belief(m: BipModel, rows: np.ndarray) -> None:
    """The caseworker answers "will the citizen get a job within the next year?":
    latent belief = weight x true readiness + own optimism + noise, cut into five answers."""
    c, p = m.citizens, m.p
    latent = (p["belief_readiness_weight"] * c.readiness[rows]
              + m.caseworkers.optimism[c.post[rows]]
              + p["belief_noise_sd"] * m.streams.normal("belief", m.week, c.uid[rows]))
    c.belief[rows] = 1 + np.searchsorted(BELIEF_CUTS, latent)
