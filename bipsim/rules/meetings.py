"""Step 3, meetings: who meets the caseworker this week, and the belief formed there."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..compiled import njit
from ..streams import uniform_at
from .caseload import extra_meeting_gain, judgement

if TYPE_CHECKING:
    from ..model import BipModel

#: Cut-points of the latent belief (about N(0, 1) in the reference population) into
#: the five answers, set so the answers reproduce T5: no 25 %, doubtful 25 %,
#: in between 24 %, good chances 20 %, yes unconditionally 6 %.
BELIEF_CUTS = np.array([-0.674, 0.0, 0.643, 1.555])
BELIEVES = 4  # answers >= 4 ("good chances", "yes") count as believing (T4)
PAIR_BITS = 24  # a caseworker-citizen pair is keyed by uid and the caseworker's low bits
MAX_OVERDUE = 10_000  # weeks; entrants (never met) count as this overdue
LEVEL_BINS = 32  # distinct priority levels counted at once when choosing within groups


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


@njit
def _top_per_group(groups, priority, room, counts):  # pragma: no cover - compiled
    """Mask of the ``room[g]`` highest-priority rows of each group ``g``: a counting
    sort by group, then an insertion sort within each group."""
    start, order = _bucket_by_group(groups, counts.shape[0])
    chosen = np.zeros(groups.shape[0], dtype=np.bool_)
    for g in range(counts.shape[0]):
        lo, hi = start[g], start[g + 1]
        _sort_descending(order, priority, lo, hi)
        for a in range(lo, min(hi, lo + room[g])):
            chosen[order[a]] = True
    return chosen


@njit
def _bucket_by_group(groups, n_groups):  # pragma: no cover - compiled
    """Counting sort: ``order[start[g]:start[g + 1]]`` are the positions of group
    ``g``'s rows, in their original order."""
    start = np.zeros(n_groups + 1, dtype=np.int64)
    for g in groups:
        start[g + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    fill = start[:-1].copy()
    order = np.empty(groups.shape[0], dtype=np.int64)
    for i in range(groups.shape[0]):
        order[fill[groups[i]]] = i
        fill[groups[i]] += 1
    return start, order


@njit
def _sort_descending(order, priority, lo, hi):  # pragma: no cover - compiled
    """Insertion sort of ``order[lo:hi]`` by descending ``priority[order[.]]``, stable
    (groups are a caseload: tens of rows, where this beats a general sort)."""
    for a in range(lo + 1, hi):
        row = order[a]
        b = a
        while b > lo and priority[order[b - 1]] < priority[row]:
            order[b] = order[b - 1]
            b -= 1
        order[b] = row


@njit
def choose_in_groups(rows, group, room, n_groups, uid, level, key0,
                     key1):  # pragma: no cover - compiled
    """Mask over ``rows`` of those that fit: in each group (``group[row]``) the
    ``room[g]`` rows of highest priority ``level + u`` (ties by position), where
    ``level`` is an integer per row and ``u`` the row's uniform of the stream keyed
    ``key0, key1``: the choice :func:`first_in_group` makes. Levels decide what they
    can, so ``u`` is drawn only for the rows at the level where the room runs out."""
    groups = np.empty(rows.shape[0], dtype=np.int64)
    uids = np.empty(rows.shape[0], dtype=np.int64)
    for j in range(rows.shape[0]):  # rows ascend: reads in memory order
        groups[j] = group[rows[j]]
        uids[j] = uid[rows[j]]
    start, order = _bucket_by_group(groups, n_groups)
    levels = np.empty(rows.shape[0], dtype=level.dtype)  # in group order: each group
    for a in range(rows.shape[0]):                       # contiguous
        levels[a] = level[order[a]]
    chosen = np.zeros(rows.shape[0], dtype=np.bool_)
    tied = np.empty(rows.shape[0], dtype=np.int64)
    priority = np.empty(rows.shape[0])
    for g in range(n_groups):
        lo, hi, room_g = start[g], start[g + 1], room[g]
        if hi - lo <= room_g:
            for a in range(lo, hi):
                chosen[order[a]] = True
            continue
        if room_g <= 0:
            continue
        boundary, above = _boundary_level(levels[lo:hi], room_g)
        n_tied = 0
        for a in range(lo, hi):
            j = order[a]
            if levels[a] > boundary:
                chosen[j] = True
            elif levels[a] == boundary:
                tied[n_tied] = j
                n_tied += 1
                priority[j] = levels[a] + uniform_at(uids[j], key0, key1)
        for a in range(_top_k(tied, priority, n_tied, room_g - above)):
            chosen[tied[a]] = True
    return chosen


@njit
def _top_k(order, priority, n, k):  # pragma: no cover - compiled
    """Put in ``order[:k]`` the first ``k`` of ``order[:n]`` sorted stably by
    descending ``priority`` (the same set :func:`_sort_descending` would put
    first), and return how many that is. Only the ``k`` kept are ordered, so a
    group of many tied rows and little room costs ``n x k``, not ``n x n``."""
    kept = 0
    for a in range(n):
        row = order[a]
        if kept == k and not priority[order[k - 1]] < priority[row]:
            continue  # not above the last kept: a later row loses ties
        b = min(kept, k - 1)
        while b > 0 and priority[order[b - 1]] < priority[row]:
            order[b] = order[b - 1]
            b -= 1
        order[b] = row
        kept = min(kept + 1, k)
    return kept


@njit
def _boundary_level(levels, room):  # pragma: no cover - compiled
    """The level at which a group's room runs out (going down from the highest),
    and how many of the group's ``levels`` are above it."""
    # a histogram of the levels just above the lowest (where they nearly all are:
    # weeks overdue); the loop below handles the rest
    low = levels.min()
    counts = np.zeros(LEVEL_BINS, dtype=np.int64)
    for v in levels:
        counts[min(v - low, LEVEL_BINS - 1)] += 1
    above = 0
    for b in range(LEVEL_BINS - 1, -1, -1):
        if above + counts[b] >= room:
            if b < LEVEL_BINS - 1:
                return low + b, above
            break
        above += counts[b]
    boundary, above = levels.max(), 0
    while True:
        at, below = 0, low
        for v in levels:
            at += v == boundary
            below = max(below, v if v < boundary else below)
        if above + at >= room:
            return boundary, above
        above += at
        boundary = below


def hold_meetings(m: BipModel) -> None:
    """Citizens due a meeting (``interval`` weeks since the last) meet their
    caseworker, at most ``meetings_per_week`` per caseworker, most overdue first;
    citizens of a vacant post wait. A higher caseload thus means fewer meetings."""
    c, p, week, cw = m.citizens, m.p, m.week, m.caseworkers
    due, overdue = _due(week, p["interval"], c.ti_meeting, c.post, cw.occupied)  # weeks
    capacity = np.full(len(cw), int(p["meetings_per_week"]))
    chosen = choose_in_groups(due, c.post, capacity, len(cw), c.uid, overdue,
                              *m.streams.keys("meeting_order", week))
    held = _meet(due, chosen, week, c.met, c.ti_meeting, c.n_meetings, c.jobcentre,
                 extra_meeting_gain(m), c.levels)
    form_belief(m, held)
    m.flows["new_meetings"] = len(held)


@njit
def _due(week, interval, ti_meeting, post, occupied):  # pragma: no cover - compiled
    """Rows due a meeting at an occupied post, and how overdue each is (weeks)."""
    n = post.shape[0]
    rows = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):  # branch-free: a due row is kept by moving k on
        rows[k] = i
        k += (week - ti_meeting[i] >= interval) & occupied[post[i]]
    rows = rows[:k].copy()
    overdue = np.empty(k, dtype=np.int64)
    for j in range(k):
        overdue[j] = min(week - ti_meeting[rows[j]], MAX_OVERDUE)
    return rows, overdue


@njit
def _meet(due, chosen, week, met, ti_meeting, n_meetings, jobcentre, extra_gain,
          levels):  # pragma: no cover - compiled
    """The rows held (``due[chosen]``, in order): record their meetings and add the
    jobcentre's extra gain of a meeting (:func:`~bipsim.rules.caseload.extra_meeting_gain`;
    empty: none) to their own levels, in one pass."""
    held = np.empty(due.shape[0], dtype=np.int64)
    k = 0
    add = extra_gain.shape[0] > 0
    for j in range(due.shape[0]):
        if not chosen[j]:
            continue
        i = due[j]
        held[k] = i
        k += 1
        met[i] = True
        ti_meeting[i] = week
        n_meetings[i] += 1
        if add:
            gain = extra_gain[jobcentre[i]]
            for col in range(levels.shape[1]):
                levels[i, col] += gain
    return held[:k].copy()


def form_belief(m: BipModel, rows: np.ndarray) -> None:
    """The caseworker answers "will the citizen get a job within the next year?":
    latent belief = weight x true readiness + own optimism + impression, cut into
    five answers. The impression (noise) belongs to the caseworker-citizen pair: it
    stays while the pair lasts and is drawn anew with a new caseworker, so belief
    follows readiness from meeting to meeting without being redrawn by chance.

    Each citizen keeps the impression of its current pair (``impression``, drawn
    from the stream keyed by the pair, ``impression_of`` the caseworker's uid), so
    it is drawn once per pair rather than at every meeting.
    """
    c, p, cw = m.citizens, m.p, m.caseworkers
    new_pair = _new_pairs(rows, c.post, cw.uid, c.impression_of)
    if len(new_pair):
        caseworker = cw.uid[c.post[new_pair]]
        pair = (c.uid[new_pair] << PAIR_BITS) | (caseworker & (2**PAIR_BITS - 1))
        c.impression[new_pair] = m.streams.normal("belief_impression", 0, pair)
        c.impression_of[new_pair] = caseworker
    weight, noise = judgement(p, m.jobcentres.caseload)  # per jobcentre (caseload.py)
    # the weight in the readiness' precision, as the plain parameter was multiplied
    _form_belief(rows, weight.astype(c.readiness.dtype), c.readiness, c.jobcentre, c.post,
                 cw.optimism, noise, c.impression, BELIEF_CUTS, c.belief)


@njit
def _new_pairs(rows, post, caseworker_uid, impression_of):  # pragma: no cover - compiled
    """The rows whose impression belongs to another caseworker than their current one."""
    stale = np.empty(rows.shape[0], dtype=np.int64)
    k = 0
    for i in rows:
        if impression_of[i] != caseworker_uid[post[i]]:
            stale[k] = i
            k += 1
    return stale[:k].copy()


@njit
def _form_belief(rows, weight, readiness, jobcentre, post, optimism, noise_sd, impression,
                 cuts, belief):  # pragma: no cover - compiled
    # float32 weight x readiness + optimism, then float64 plus the impression: the
    # order of operations numpy used before, so every answer is unchanged
    for i in rows:
        j = jobcentre[i]
        latent = (np.float64(weight[j] * readiness[i] + optimism[post[i]])
                  + noise_sd[j] * impression[i])
        answer = 1
        for cut in cuts:
            answer += cut < latent
        belief[i] = answer
