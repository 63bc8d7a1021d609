"""Step 1, staff: caseworkers leave and are replaced; reorganisations move cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents import NEVER
from ..compiled import njit
from ..population import draw_optimism

if TYPE_CHECKING:
    from ..model import BipModel


def change_caseworker(m: BipModel, moved: np.ndarray) -> None:
    """Give the citizens in rows ``moved`` a new caseworker.

    The new caseworker has formed no belief yet, the change is counted (T7, T8),
    and an ongoing activity may be interrupted (a setback, see progression).
    """
    c, p = m.citizens, m.p
    m.flows["new_caseworker_changes"] += len(moved)
    c.n_changes[moved] += 1
    c.changed[moved] = True
    c.belief[moved] = 0
    busy = moved[c.in_company[moved] | c.in_other[moved]]
    u = m.streams.uniform("interrupt", m.week, c.uid[busy])
    stop = busy[u < p["p_interrupt_on_change"]]
    c.ti_company_end[stop[c.in_company[stop]]] = m.week
    c.in_company[stop] = False
    c.in_other[stop] = False
    c.interrupted[stop] = True


def citizens_of(m: BipModel, first: np.ndarray,
                second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the citizens whose post is marked in the boolean ``first``, and in
    ``second``: one pass over the citizens for both."""
    if not (first.any() or second.any()):  # most weeks: skip the pass over all citizens
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return _rows_marked(first, second, m.citizens.post)


@njit
def _rows_marked(first, second, group):  # pragma: no cover - compiled
    """Rows ``i`` with ``first[group[i]]``, and with ``second[group[i]]``, ascending
    (one branch-free pass)."""
    rows_first = np.empty(group.shape[0], dtype=np.int64)
    rows_second = np.empty(group.shape[0], dtype=np.int64)
    k1 = k2 = 0
    for i in range(group.shape[0]):
        g = group[i]
        rows_first[k1] = i
        k1 += first[g]
        rows_second[k2] = i
        k2 += second[g]
    return rows_first[:k1].copy(), rows_second[:k2].copy()


def staff_turnover(m: BipModel) -> None:
    """Caseworkers leave at their jobcentre's turnover rate; posts stay vacant for
    ``dur_vacancy`` weeks (no meetings, no belief); the replacement is a change of
    caseworker for every citizen of the post."""
    cw, c, week = m.caseworkers, m.citizens, m.week
    # keyed by caseworker uid, numbered per jobcentre: no jobcentre's staff shift another's
    p_leave = 1 - (1 - m.jobcentres.turnover[cw.jobcentre]) ** (1 / 52)
    leaving = cw.occupied & (m.streams.uniform("staff_turnover", week, cw.uid) < p_leave)
    cw.vacant_until[leaving] = week + round(m.p["dur_vacancy"])
    filled = ~cw.occupied & (cw.vacant_until <= week)
    cw.uid[filled] = cw.new_uids(np.flatnonzero(filled))
    cw.optimism[filled] = draw_optimism(m.streams, cw.uid[filled], m.p)
    cw.ti_hired[filled] = week
    cw.vacant_until[filled] = NEVER
    of_leaving, of_filled = citizens_of(m, leaving, filled)
    c.belief[of_leaving] = 0
    change_caseworker(m, of_filled)
    m.flows["new_caseworkers_leaving"] = int(leaving.sum())


def reorganise(m: BipModel) -> None:
    """A reorganisation in a jobcentre moves ``share_reassigned`` of its cases to
    another post of the same jobcentre, chosen at random."""
    p, c, jc, week = m.p, m.citizens, m.jobcentres, m.week
    hit = m.streams.uniform("reorganisation", week, np.arange(len(jc))) < (
        p["reorganisations_per_year"] / 52)
    hit &= jc.n_posts > 1
    m.flows["new_reorganisations"] = int(hit.sum())
    if not hit.any():
        return
    in_hit = np.flatnonzero(hit[c.jobcentre])
    u = m.streams.uniform("reassign", week, c.uid[in_hit])
    moved = in_hit[u < p["share_reassigned"]]
    n_posts = jc.n_posts[c.jobcentre[moved]]
    first = jc.first_post[c.jobcentre[moved]]
    step = 1 + np.floor(m.streams.uniform("reassign_post", week, c.uid[moved]) * (n_posts - 1))
    c.post[moved] = first + (c.post[moved] - first + step.astype(np.int64)) % n_posts
    change_caseworker(m, moved)
