"""A caseload reform mid-run: each jobcentre's caseworker posts re-derived from a new
``caseworkers.caseload`` at the start of a week (a dated change of the timeline).

The build sets each jobcentre's posts from its size and caseload target
(:func:`bipsim.population.posts_for`) and lays them out contiguously by jobcentre.
:func:`resize_posts` does the same again with the caseload in use now:

- **Targets.** Each jobcentre's target is the new caseload times its own factor
  (``caseload_spread``'s draw, kept from the build), so a reform from week 1 gives the
  posts of the same caseload set in ``caseworkers:``.
- **New posts** come last in their jobcentre. Each gets a new caseworker, hired this
  week, whose uid comes from the jobcentre's own counter (the uid scheme of
  :class:`bipsim.agents.CaseworkerSet`) and whose optimism is drawn from its uid's
  stream; the expectations training, if any, trains them in their first week.
- **Removed posts** are the jobcentre's last ones; their caseworkers go (no turnover
  is counted) and their citizens move.
- **Citizens move** so that every post of a changed jobcentre holds its share of the
  jobcentre's citizens, within one: the posts with the most citizens keep the
  remainder, the others give their surplus (chosen by a draw per citizen) to the
  posts below their share. That moves as few citizens as evening out allows. A move
  is a caseworker change (:func:`bipsim.rules.staff.change_caseworker`: counted, belief
  re-formed, an activity may be interrupted): BIP's finding that each change lowers
  the chance of a job is a real cost of a caseload reform.

A jobcentre whose number of posts does not change is left exactly as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .agents import NEVER, CaseworkerSet
from .population import Jobcentres, caseload_targets, draw_optimism, first_posts, posts_for
from .rules.costs import TrainingRecord
from .rules.staff import change_caseworker

if TYPE_CHECKING:
    from .model import BipModel

#: The stream that picks which citizens of a post move to another.
MOVE_STREAM = "caseload_reform_move"


def resize_posts(m: BipModel) -> int:
    """Re-derive every jobcentre's posts from ``m.p["caseload"]``, hire or remove
    caseworkers, and move citizens so the caseloads even out.

    Returns:
        The number of citizens moved to another caseworker.
    """
    jc, cw, c = m.jobcentres, m.caseworkers, m.citizens
    jc.caseload[:] = caseload_targets(m.p["caseload"], jc.caseload_factor)
    old_n, new_n = jc.n_posts.copy(), posts_for(jc.size, jc.caseload)
    if np.array_equal(old_n, new_n):
        return 0
    new_first = first_posts(new_n)
    place = np.arange(len(cw)) - jc.first_post[cw.jobcentre]  # each old post's place
    kept = place < new_n[cw.jobcentre]
    new_index = np.where(kept, new_first[cw.jobcentre] + place, -1)
    # last week's leavers' posts, where this week's entrants come in (replace inflow):
    # a removed post's entrant goes to a kept post of its jobcentre
    vacated, vacated_jc = m.vacated_posts, cw.jobcentre[m.vacated_posts]
    m.vacated_posts = np.where(
        kept[vacated], new_index[vacated],
        new_first[vacated_jc] + place[vacated] % new_n[vacated_jc]).astype(np.int32)
    jobcentre = np.repeat(np.arange(len(jc), dtype=np.int32), new_n)
    added = np.flatnonzero(np.arange(len(jobcentre)) - new_first[jobcentre]
                           >= old_n[jobcentre])
    _relay(cw, m.training_record, new_index, kept, jobcentre)
    _hire(m, added)
    jc.n_posts[:], jc.first_post[:] = new_n, new_first
    c.post = new_index[c.post]  # -1: the post was removed
    moved = _even_out(m, new_n != old_n)
    change_caseworker(m, moved)
    return len(moved)


def _relay(cw: CaseworkerSet, record: TrainingRecord, new_index: np.ndarray,
           kept: np.ndarray, jobcentre: np.ndarray) -> None:
    """Lay the kept posts out at ``new_index`` among ``len(jobcentre)`` posts, in place
    (a kept post keeps its holder, vacancy and training); the new posts are blank
    (uid -1, untrained) until :func:`_hire` fills them."""
    n, to = len(jobcentre), new_index[kept]

    def moved(column: np.ndarray, blank: float) -> np.ndarray:
        out = np.full(n, blank, dtype=column.dtype)
        out[to] = column[kept]
        return out

    cw.jobcentre = jobcentre
    cw.uid, cw.optimism = moved(cw.uid, -1), moved(cw.optimism, 0)
    cw.ti_hired, cw.vacant_until = moved(cw.ti_hired, 0), moved(cw.vacant_until, NEVER)
    record.uid, record.level = moved(record.uid, -1), moved(record.level, 0)
    record.given = moved(record.given, 0)


def _hire(m: BipModel, posts: np.ndarray) -> None:
    """A new caseworker, hired this week, in each of the new ``posts`` (ascending)."""
    cw = m.caseworkers
    cw.uid[posts] = cw.new_uids(posts)
    cw.optimism[posts] = draw_optimism(m.streams, cw.uid[posts], m.p)
    cw.ti_hired[posts] = m.week
    cw.vacant_until[posts] = NEVER


def _even_out(m: BipModel, changed: np.ndarray) -> np.ndarray:
    """Move citizens of the ``changed`` jobcentres so each of their posts holds its
    share within one (the fewest moves that do it); returns the rows moved."""
    c, jc, n_posts = m.citizens, m.jobcentres, len(m.caseworkers)
    rows = np.flatnonzero(changed[c.jobcentre])
    post, where = c.post[rows].astype(np.int64), c.jobcentre[rows]
    held = np.bincount(post[post >= 0], minlength=n_posts)
    quota = _shares(held, np.bincount(where, minlength=len(jc)), changed, jc)
    key = m.streams.words(MOVE_STREAM, m.week, c.uid[rows])
    order = np.lexsort((key, post))  # by post, then by each citizen's draw
    rank = np.empty(len(rows), dtype=np.int64)
    rank[order] = _place_in_runs(post[order])
    moves = (post < 0) | (rank >= quota[np.maximum(post, 0)])
    movers = rows[moves][np.lexsort((key[moves], where[moves]))]
    to = np.repeat(np.arange(n_posts), np.maximum(quota - held, 0))  # open places
    c.post[movers] = to  # both in jobcentre order, as many of each in every jobcentre
    return np.sort(movers)


def _shares(held: np.ndarray, citizens: np.ndarray, changed: np.ndarray,
            jc: Jobcentres) -> np.ndarray:
    """Citizens each post should hold: in a changed jobcentre its citizens split
    evenly, the remainder to the posts holding most now (ties: the first); elsewhere
    what a post holds."""
    post_jc = np.repeat(np.arange(len(jc)), jc.n_posts)
    base, extra = np.divmod(citizens, jc.n_posts)
    order = np.lexsort((np.arange(len(held)), -held, post_jc))
    place = np.empty(len(held), dtype=np.int64)
    place[order] = np.arange(len(held)) - jc.first_post[post_jc[order]]
    share = base[post_jc] + (place < extra[post_jc])
    return np.where(changed[post_jc], share, held)


def _place_in_runs(values: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of the sorted ``values``."""
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    run = np.cumsum(np.r_[True, values[1:] != values[:-1]]) - 1
    return np.arange(len(values)) - starts[run]
