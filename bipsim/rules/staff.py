"""Step 1, staff: caseworkers leave and are replaced; reorganisations move cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents import NEVER
from ..compiled import njit
from ..population import draw_optimism
from ..remember import remember_last
from ..streams import uniform_at

if TYPE_CHECKING:
    from ..model import BipModel


def change_caseworker(m: BipModel, moved: np.ndarray) -> None:
    """Give the citizens in rows ``moved`` a new caseworker.

    The new caseworker has formed no belief yet, the change is counted (T7, T8),
    and an ongoing activity may be interrupted (a setback, see progression).
    """
    c = m.citizens
    m.flows["new_caseworker_changes"] += len(moved)
    if len(moved) == 0:
        return
    _change(np.asarray(moved, dtype=np.int64), m.week, m.p["p_interrupt_on_change"],
            *m.streams.keys("interrupt", m.week), c.uid, c.n_changes, c.changed, c.belief,
            c.in_company, c.in_other, c.ti_company_end, c.interrupted)


@njit
def _change(moved, week, p_interrupt, key0, key1, uid, n_changes, changed, belief,
            in_company, in_other, ti_company_end, interrupted):  # pragma: no cover
    """:func:`change_caseworker` of each row in ``moved`` (distinct rows): a busy
    citizen's activity stops if its uniform of the ``interrupt`` stream is below
    ``p_interrupt``."""
    for i in moved:
        n_changes[i] += 1
        changed[i] = True
        belief[i] = 0
        if (in_company[i] or in_other[i]) and uniform_at(uid[i], key0, key1) < p_interrupt:
            if in_company[i]:
                ti_company_end[i] = week
            in_company[i] = False
            in_other[i] = False
            interrupted[i] = True


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
    leaving, filled, n_leaving, n_filled = _leave_and_fill(
        week, cw.uid, *m.streams.keys("staff_turnover", week), weekly_leave_chance(m),
        cw.vacant_until, week + round(m.p["dur_vacancy"]))
    m.flows["new_caseworkers_leaving"] = n_leaving
    if not (n_leaving or n_filled):  # most weeks at a study's size: nobody comes or goes
        return
    cw.uid[filled] = cw.new_uids(np.flatnonzero(filled))
    cw.optimism[filled] = draw_optimism(m.streams, cw.uid[filled], m.p)
    cw.ti_hired[filled] = week
    cw.vacant_until[filled] = NEVER
    of_leaving, of_filled = citizens_of(m, leaving, filled)
    c.belief[of_leaving] = 0
    change_caseworker(m, of_filled)


def weekly_leave_chance(m: BipModel) -> np.ndarray:
    """Per post, the chance its caseworker leaves this week: ``1 - (1 - turnover) **
    (1 / 52)`` of the post's jobcentre (numpy's ``**``, as the chances always were)."""
    return _leave_chance(m.jobcentres.turnover, m.caseworkers.jobcentre)


@remember_last(lambda turnover, jobcentre: (turnover.tobytes(), jobcentre.tobytes(),
                                            str(jobcentre.dtype)))
def _leave_chance(turnover: np.ndarray, jobcentre: np.ndarray) -> np.ndarray:
    """Computed again only when the turnover or the posts change."""
    return 1 - (1 - turnover[jobcentre]) ** (1 / 52)


@njit
def _leave_and_fill(week, uid, key0, key1, p_leave, vacant_until,
                    vacant_to):  # pragma: no cover - compiled
    """Caseworkers in post leave when their uniform is below ``p_leave`` (the post is
    vacant until ``vacant_to``); then posts whose vacancy ends this week are filled.
    Returns the masks of posts left and filled, and how many of each."""
    n = uid.shape[0]
    leaving = np.zeros(n, dtype=np.bool_)
    filled = np.zeros(n, dtype=np.bool_)
    n_leaving = n_filled = 0
    for post in range(n):
        if vacant_until[post] == NEVER and uniform_at(uid[post], key0, key1) < p_leave[post]:
            leaving[post] = True
            n_leaving += 1
            vacant_until[post] = vacant_to
        if vacant_until[post] != NEVER and vacant_until[post] <= week:
            filled[post] = True
            n_filled += 1
    return leaving, filled, n_leaving, n_filled


def reorganise(m: BipModel) -> None:
    """A reorganisation in a jobcentre moves ``share_reassigned`` of its cases to
    another post of the same jobcentre, chosen at random."""
    p, c, jc, week = m.p, m.citizens, m.jobcentres, m.week
    hit, n_hit = _reorganised(*m.streams.keys("reorganisation", week),
                              p["reorganisations_per_year"] / 52, jc.n_posts)
    m.flows["new_reorganisations"] = n_hit
    if not n_hit:
        return
    in_hit = np.flatnonzero(hit[c.jobcentre])
    u = m.streams.uniform("reassign", week, c.uid[in_hit])
    moved = in_hit[u < p["share_reassigned"]]
    n_posts = jc.n_posts[c.jobcentre[moved]]
    first = jc.first_post[c.jobcentre[moved]]
    step = 1 + np.floor(m.streams.uniform("reassign_post", week, c.uid[moved]) * (n_posts - 1))
    c.post[moved] = first + (c.post[moved] - first + step.astype(np.int64)) % n_posts
    change_caseworker(m, moved)


@njit
def _reorganised(key0, key1, chance, n_posts):  # pragma: no cover - compiled
    """Jobcentres (keyed by their index) reorganised this week: a uniform below
    ``chance``, and more than one post to move cases between; and how many."""
    hit = np.zeros(n_posts.shape[0], dtype=np.bool_)
    for j in range(n_posts.shape[0]):
        hit[j] = uniform_at(j, key0, key1) < chance and n_posts[j] > 1
    return hit, int(hit.sum())
