"""Array-backed agent sets: citizens on benefit and caseworker posts.

One column per state, one row per agent (STYLE.md habit 1). Citizens on benefit
are kept contiguous; a citizen who leaves benefit is moved, with its final
state, to the set's archive, so every weekly rule works on whole arrays
without masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .chunks import CHUNK, chunk_rows, n_chunks
from .compiled import njit
from .indicators import N_INDICATORS

NEVER = -(10**6)  # week of an event that has not happened

#: Exit status codes.
ON_BENEFIT, JOB, EDUCATION, OTHER_BENEFIT = 0, 1, 2, 3
STATUS_NAMES = {ON_BENEFIT: "on_benefit", JOB: "job", EDUCATION: "education",
                OTHER_BENEFIT: "other_benefit"}

#: Caseworker belief answer to "will the citizen get a job within the next year?"
#: (0 = not yet asked since the last caseworker change).
BELIEF_ANSWERS = {0: "not yet formed", 1: "no", 2: "doubtful", 3: "in between",
                  4: "good chances", 5: "yes, unconditionally"}

# name -> (dtype, columns); columns 0 means a 1-d array.
CITIZEN_COLUMNS: dict[str, tuple[type, int]] = {
    "uid": (np.int64, 0),
    "jobcentre": (np.int32, 0),
    "post": (np.int32, 0),               # caseworker post (index into CaseworkerSet)
    "under_30": (np.bool_, 0),
    "scores": (np.float32, N_INDICATORS),  # current indicator scores
    "levels": (np.float32, N_INDICATORS),  # the citizen's own level they drift toward
    "anchor": (np.float32, N_INDICATORS),  # own level at entry, where gains fade back to
    "readiness": (np.float32, 0),        # weighted mean of predictive scores
    "ti_entry": (np.int32, 0),           # week the spell on benefit began
    "n_changes": (np.int16, 0),          # caseworker changes during the run (T7, T8)
    "n_changes_before": (np.int16, 0),   # changes before week 0 (the stock's history)
    "changed": (np.bool_, 0),            # caseworker changed this week
    "belief": (np.int8, 0),              # current caseworker's answer, see BELIEF_ANSWERS
    "impression": (np.float64, 0),       # the current caseworker's impression (belief noise)
    "impression_of": (np.int64, 0),      # uid of the caseworker it belongs to; -1 none yet
    "ti_meeting": (np.int32, 0),         # week of the last meeting
    "met": (np.bool_, 0),                # had a meeting this week
    "n_meetings": (np.int32, 0),
    "in_company": (np.bool_, 0),         # company placement (praktik, løntilskud)
    "in_other": (np.bool_, 0),           # other activity (treatment, upskilling, mentor)
    "ti_company_end": (np.int32, 0),     # planned or actual end of the last placement
    "ti_other_end": (np.int32, 0),
    "n_other_done": (np.int16, 0),       # other activities completed (staircase steps)
    "interrupted": (np.bool_, 0),        # an activity was interrupted this week
    "weeks_company": (np.int32, 0),
    "weeks_other": (np.int32, 0),
    "weeks_passive": (np.int32, 0),
    "weeks_on_benefit": (np.int32, 0),   # during the run
    "status": (np.int8, 0),
    "ti_exit": (np.int32, 0),
}

#: Columns the rules work with that are no result: the week's events and the belief
#: impression; the archive of leavers does not keep them.
WORKING_COLUMNS = ("changed", "met", "interrupted", "impression", "impression_of")
ARCHIVED = tuple(name for name in CITIZEN_COLUMNS if name not in WORKING_COLUMNS)


def _empty(n: int) -> dict[str, np.ndarray]:
    return {name: np.zeros((n, cols) if cols else n, dtype=dtype)
            for name, (dtype, cols) in CITIZEN_COLUMNS.items()}


class CitizenSet:
    """Citizens on benefit as columns, plus the archive of those who left.

    Columns are attributes (``citizens.scores``, ``citizens.post`` ...): views of
    the first ``len(citizens)`` rows of arrays with spare capacity, so entrants
    are appended without copying everything each week. A leaver's row is filled
    by one of the last rows, so rows are in no particular uid order.

    Uids (see ``bipsim.streams``): the week-0 stock has uids ``0 .. n_stock - 1`` in
    blocks by jobcentre; the ``k``-th entrant of jobcentre ``j`` has uid
    ``n_stock + k * n_jobcentres + j``, so no jobcentre's flows shift another's uids.

    Args:
        stock_sizes: Citizens of each jobcentre at week 0.
    """

    def __init__(self, stock_sizes: np.ndarray) -> None:
        self._store = _empty(1024)
        self._scratch: dict[str, np.ndarray] = {}
        self._n = 0
        self._archive: list[dict[str, np.ndarray]] = []
        self.stock_sizes = np.asarray(stock_sizes, dtype=np.int64)
        self.n_stock = int(self.stock_sizes.sum())
        self.entered = np.zeros(len(self.stock_sizes), dtype=np.int64)  # entrants so far
        self.n_ever = 0  # citizens ever added
        self._resize(0)

    def __len__(self) -> int:
        return self._n

    def _resize(self, n: int) -> None:
        """``n`` citizens on benefit: the column attributes become views of ``n`` rows
        (set once here, so reading a column is a plain attribute lookup)."""
        self._n = n
        for name, col in self._store.items():
            self.__dict__[name] = col[:n]

    def __setattr__(self, name: str, value: np.ndarray) -> None:
        # Writing a column writes into the table, never shadows it.
        if name in CITIZEN_COLUMNS:
            self._store[name][: self._n] = value
        else:
            object.__setattr__(self, name, value)

    def scratch(self, name: str, dtype: type, width: int = 0) -> np.ndarray:
        """A working array of the rules, one entry per citizen on benefit (``width``
        rows of them if ``width``); kept between weeks so no week allocates it anew.
        Its content is whatever the last user left."""
        have = self._scratch.get(name)
        need = max(self._n, 1)
        if have is None or have.shape[-1] < need or have.dtype != dtype:
            size = max(need, len(self._store["uid"]))
            have = np.empty((width, size) if width else size, dtype=dtype)
            self._scratch[name] = have
        return have[..., : self._n]

    def stock_rows(self) -> dict[str, np.ndarray]:
        """Blank columns for the week-0 stock: uids ``0 .. n_stock - 1``, in blocks by
        jobcentre."""
        rows = self._blank(self.n_stock)
        rows["uid"] = np.arange(self.n_stock, dtype=np.int64)
        rows["jobcentre"] = np.repeat(np.arange(len(self.stock_sizes), dtype=np.int32),
                                      self.stock_sizes)
        return rows

    def entrant_rows(self, jobcentre: np.ndarray) -> dict[str, np.ndarray]:
        """Blank columns for entrants of the given jobcentres (one per element, in that
        order): each jobcentre's entrants take the next uids of its own counter. Add
        the rows (:meth:`add`) before asking for more."""
        jobcentre = np.asarray(jobcentre, dtype=np.int32)
        n_jc = len(self.stock_sizes)
        counts = np.bincount(jobcentre, minlength=n_jc)
        order = np.argsort(jobcentre, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.empty(len(jobcentre), dtype=np.int64)
        rank[order] = np.arange(len(jobcentre)) - np.repeat(starts, counts)
        rows = self._blank(len(jobcentre))
        rows["uid"] = self.n_stock + (self.entered[jobcentre] + rank) * n_jc + jobcentre
        rows["jobcentre"] = jobcentre
        self.entered += counts
        return rows

    @staticmethod
    def _blank(n: int) -> dict[str, np.ndarray]:
        rows = _empty(n)
        for col in ("ti_meeting", "ti_company_end", "ti_other_end", "ti_exit"):
            rows[col][:] = NEVER
        rows["impression_of"][:] = -1
        return rows

    def add(self, rows: dict[str, np.ndarray]) -> None:
        """Append citizens made by :meth:`stock_rows` or :meth:`entrant_rows`."""
        k = len(rows["uid"])
        self.n_ever += k
        if self._n + k > len(self._store["uid"]):
            grown = _empty(max(2 * len(self._store["uid"]), self._n + k))
            for name, col in self._store.items():
                grown[name][: self._n] = col[: self._n]
            self._store = grown
        for name, col in self._store.items():
            col[self._n : self._n + k] = rows[name]
        self._resize(self._n + k)

    def remove(self, leaving: np.ndarray) -> None:
        """Move the rows where ``leaving`` is true to the archive."""
        gone = np.flatnonzero(leaving)
        if len(gone) == 0:
            return
        n, k = self._n, len(gone)
        holes = gone[gone < n - k]                      # leavers' rows that stay in use
        movers = n - k + np.flatnonzero(~leaving[n - k :])  # stayers among the last k rows
        self._archive.append({name: self._store[name][gone] for name in ARCHIVED})
        for col in self._store.values():
            col[holes] = col[movers]
        self._resize(n - k)

    def live_columns(self) -> dict[str, np.ndarray]:
        """Every column of the citizens on benefit (views, not copies)."""
        return {k: v[: self._n] for k, v in self._store.items()}

    def row_of(self, uid: int) -> int | None:
        """Row of a citizen on benefit, or None."""
        hit = np.flatnonzero(self._store["uid"][: self._n] == uid)
        return int(hit[0]) if len(hit) else None

    def all_columns(self) -> dict[str, np.ndarray]:
        """Every citizen ever present, archived and current, in uid order (the
        columns the archive keeps, ``ARCHIVED``)."""
        parts = [*self._archive, self.live_columns()]
        cols = {k: np.concatenate([p[k] for p in parts]) for k in ARCHIVED}
        order = np.argsort(cols["uid"], kind="stable")
        return {k: v[order] for k, v in cols.items()}

    def leavers(self, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The named columns of every citizen who has left, in order of leaving."""
        return {k: np.concatenate([part[k] for part in self._archive])
                if self._archive else self._store[k][:0].copy() for k in names}

    def archived_row(self, uid: int) -> dict[str, np.ndarray] | None:
        """Final state of a citizen who has left, or None."""
        for part in self._archive:
            hit = np.flatnonzero(part["uid"] == uid)
            if len(hit):
                return {k: v[hit[0]] for k, v in part.items()}
        return None

    def row(self, i: int) -> dict[str, np.ndarray]:
        """Columns of one current citizen."""
        return {k: v[i] for k, v in self._store.items()}

    def tally(self, believes: int) -> Tally:
        """Counts and means over the citizens on benefit, in one pass."""
        tally = _tally if self._n > CHUNK else _tally_one_chunk  # threads only for more
        counts, readiness, n_believe, scores = tally(
            self.in_company, self.in_other, self.readiness, self.belief, self.scores, believes)
        return Tally(counts, readiness, n_believe, scores)


@dataclass
class CaseworkerSet:
    """Caseworker posts; a post keeps its citizens when its holder changes.

    Attributes:
        jobcentre: Jobcentre of each post (posts of a jobcentre are contiguous).
        uid: Id of the current holder (a new id for each new caseworker): the
            ``k``-th caseworker ever in jobcentre ``j`` has uid ``k * n_jobcentres + j``.
        optimism: Stable optimism trait of the holder.
        ti_hired: Week the holder started.
        vacant_until: Week a vacant post is filled; ``NEVER`` while occupied.
        hired: Caseworkers ever in each jobcentre (the next ``k``).
    """

    jobcentre: np.ndarray
    uid: np.ndarray
    optimism: np.ndarray
    ti_hired: np.ndarray
    vacant_until: np.ndarray
    hired: np.ndarray

    def __len__(self) -> int:
        return len(self.uid)

    def new_uids(self, posts: np.ndarray) -> np.ndarray:
        """Uids for new holders of ``posts`` (increasing post order), from each
        jobcentre's own counter."""
        return _new_uids(np.asarray(posts, dtype=np.int64), self.jobcentre, self.hired)

    @property
    def occupied(self) -> np.ndarray:
        """Posts with a caseworker in them."""
        return self.vacant_until == NEVER


@njit
def _new_uids(posts, jobcentre, hired):  # pragma: no cover - compiled
    """:meth:`CaseworkerSet.new_uids`: the ``r``-th of the posts in jobcentre ``j`` gets
    uid ``(hired[j] + r) * len(hired) + j``; then ``hired`` counts them."""
    uids = np.empty(posts.shape[0], dtype=np.int64)
    taken = np.zeros(hired.shape[0], dtype=np.int64)
    for a in range(posts.shape[0]):
        j = jobcentre[posts[a]]
        uids[a] = (hired[j] + taken[j]) * hired.shape[0] + j
        taken[j] += 1
    hired += taken
    return uids


@dataclass(frozen=True)
class Tally:
    """Stocks of one week: ``counts`` and ``readiness_sum`` by state (company
    placement, other activity only, passive), believers, and indicator sums."""

    counts: np.ndarray
    readiness_sum: np.ndarray
    n_believes: int
    score_sum: np.ndarray


@njit(parallel=True)
def _tally(in_company, in_other, readiness, belief, scores, believes):  # pragma: no cover
    # One pass instead of a dozen numpy reductions (and no BLAS threads). Sums in
    # float64 per chunk, then over the chunks in order: the same bits whatever the
    # number of threads.
    n = scores.shape[0]
    counts = np.zeros((n_chunks(n), 4), dtype=np.int64)  # company, other, passive, believes
    sums = np.zeros((n_chunks(n), 3 + N_INDICATORS))  # readiness by state, each indicator
    for chunk in numba.prange(n_chunks(n)):
        _tally_chunk(chunk, in_company, in_other, readiness, belief, scores, believes,
                     counts, sums)
    return _over_chunks(counts, sums)


@njit
def _tally_one_chunk(in_company, in_other, readiness, belief, scores,
                     believes):  # pragma: no cover - compiled
    """:func:`_tally` of at most one chunk of rows, without starting threads."""
    n = scores.shape[0]
    counts = np.zeros((n_chunks(n), 4), dtype=np.int64)
    sums = np.zeros((n_chunks(n), 3 + N_INDICATORS))
    for chunk in range(n_chunks(n)):
        _tally_chunk(chunk, in_company, in_other, readiness, belief, scores, believes,
                     counts, sums)
    return _over_chunks(counts, sums)


@njit(inline="always")
def _tally_chunk(chunk, in_company, in_other, readiness, belief, scores, believes, counts,
                 sums):  # pragma: no cover - compiled
    # Every sum runs over the chunk's rows in order; the readiness of the two states a
    # row is not in adds 0.0, which changes no sum (they start at +0.0 and so are
    # never -0.0), and spares a branch on the state.
    n = scores.shape[0]
    total = np.zeros(N_INDICATORS)
    n_company = n_other = n_believes = 0
    company = other = passive = 0.0
    for i in chunk_rows(chunk, n):
        r = np.float64(readiness[i])
        is_company = in_company[i]
        is_other = in_other[i] and not is_company
        n_company += is_company
        n_other += is_other
        n_believes += belief[i] >= believes
        company += r if is_company else 0.0
        other += r if is_other else 0.0
        passive += 0.0 if is_company or is_other else r
        for col in range(N_INDICATORS):  # a fixed count: the sums stay in registers
            total[col] += scores[i, col]
    rows = min(n, (chunk + 1) * CHUNK) - chunk * CHUNK
    counts[chunk, 0], counts[chunk, 1] = n_company, n_other
    counts[chunk, 2], counts[chunk, 3] = rows - n_company - n_other, n_believes
    sums[chunk, 0], sums[chunk, 1], sums[chunk, 2] = company, other, passive
    sums[chunk, 3:] = total


@njit(inline="always")
def _over_chunks(counts, sums):  # pragma: no cover - compiled
    """The chunks' counts and sums added up in chunk order."""
    count = counts.sum(axis=0)
    total = np.zeros(sums.shape[1])
    for chunk in range(sums.shape[0]):
        total += sums[chunk]
    return count[:3], total[:3], count[3], total[3:]
