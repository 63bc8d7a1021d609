"""A week-by-week record of one model's citizens and caseworker posts.

The jobcentre picture needs who sits with which caseworker, in which state, whose
caseworker just changed and who just left; "follow one citizen" needs any
citizen's past, chosen after the fact. ``BipModel.track`` keeps histories only for
citizens named in advance, one Python dict per citizen-week, so the dashboard keeps
its own copy of a few columns per week instead: for the trainer's jobcentre (300
citizens, 104 weeks) about 2 MB per model and a millisecond or two a week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bipsim.agents import NEVER, STATUS_NAMES
from bipsim.indicators import INDICATORS

from .states import BELIEF_DA, SHORT_DA, activity_state, exit_state

if TYPE_CHECKING:
    from bipsim.model import BipModel

_STATUS_CODE = {name: code for code, name in STATUS_NAMES.items()}


@dataclass(frozen=True)
class WeekRecord:
    """Citizens on benefit and caseworker posts at the end of one week.

    Citizen columns are aligned (one row per citizen on benefit); post columns
    have one row per caseworker post; ``left_*`` are this week's leavers.
    """

    week: int
    uid: np.ndarray
    post: np.ndarray
    state: np.ndarray
    changed: np.ndarray
    belief: np.ndarray
    n_changes: np.ndarray
    readiness: np.ndarray
    scores: np.ndarray
    holder: np.ndarray
    vacant: np.ndarray
    hired: np.ndarray
    left_uid: np.ndarray
    left_post: np.ndarray
    left_state: np.ndarray


@dataclass
class ModelLog:
    """The records of one model, one per week from week 0.

    Attributes:
        model: The model recorded; call :meth:`record` after each step.
        records: One :class:`WeekRecord` per recorded week, in order.
    """

    model: BipModel
    records: list[WeekRecord] = field(default_factory=list)
    _last_change: np.ndarray = field(default_factory=lambda: np.full(0, NEVER, np.int32))

    def __post_init__(self) -> None:
        self.record()

    def record(self) -> WeekRecord:
        """Record the model's current week (the state after its last step)."""
        m = self.model
        c, cw = m.citizens, m.caseworkers
        uid = c.uid.copy()
        left_uid, left_post, left_state = self._leavers(uid)
        self._note_changes(uid, c.changed)
        rec = WeekRecord(
            week=m.week, uid=uid, post=c.post.copy(),
            state=activity_state(c.in_company, c.in_other), changed=c.changed.copy(),
            belief=c.belief.copy(), n_changes=c.n_changes.copy(),
            readiness=c.readiness.copy(), scores=c.scores.copy(),
            holder=cw.uid.copy(), vacant=~cw.occupied,
            hired=cw.occupied & (cw.ti_hired == m.week) & (m.week > 0),
            left_uid=left_uid, left_post=left_post, left_state=left_state,
        )
        self.records.append(rec)
        return rec

    @property
    def current(self) -> WeekRecord:
        """The latest record."""
        return self.records[-1]

    def _leavers(self, uid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = np.empty(0, dtype=np.int64)
        if not self.records:
            return empty, empty.astype(np.int32), empty.astype(np.int8)
        prev = self.records[-1]
        gone = ~np.isin(prev.uid, uid)
        left_uid = prev.uid[gone]
        # few leavers a week: the model's per-citizen view is cheap enough
        status = np.array([_STATUS_CODE[self.model.citizen(int(u))["status"]] for u in left_uid],
                          dtype=np.int8)
        return left_uid, prev.post[gone], exit_state(status)

    def _note_changes(self, uid: np.ndarray, changed: np.ndarray) -> None:
        top = int(uid.max()) + 1 if len(uid) else 0
        if top > len(self._last_change):
            grown = np.full(max(top, 2 * len(self._last_change)), NEVER, np.int32)
            grown[: len(self._last_change)] = self._last_change
            self._last_change = grown
        self._last_change[uid[changed]] = self.model.week

    def weeks_since_change(self, rec: WeekRecord | None = None) -> np.ndarray:
        """Weeks since each citizen's last caseworker change (large if never)."""
        rec = self.current if rec is None else rec
        return rec.week - self._last_change[rec.uid].astype(np.int64)

    def share_ever_changed(self) -> float:
        """Share of the citizens present at some point whose caseworker changed at least
        once during the run (T8 counts this over BIP's follow-up: 40 %)."""
        seen = self.model.citizens.n_ever
        if seen == 0:
            return float("nan")
        return float(np.count_nonzero(self._last_change != NEVER) / seen)

    def history(self, uid: int) -> pd.DataFrame:
        """One citizen's weeks: state, caseworker, belief, readiness and indicators.

        A citizen who left has a last row with the exit as state. Empty if the
        citizen was never seen.
        """
        rows = []
        for rec in self.records:
            hit = np.flatnonzero(rec.uid == uid)
            if len(hit):
                i = int(hit[0])
                post = int(rec.post[i])
                rows.append({
                    "week": rec.week, "state": int(rec.state[i]),
                    "state_da": SHORT_DA[int(rec.state[i])], "post": post,
                    "caseworker": None if rec.vacant[post] else int(rec.holder[post]),
                    "changed": bool(rec.changed[i]), "n_changes": int(rec.n_changes[i]),
                    "belief": BELIEF_DA[int(rec.belief[i])],
                    "readiness": float(rec.readiness[i]),
                    **{k: float(v) for k, v in zip(INDICATORS, rec.scores[i], strict=True)},
                })
                continue
            gone = np.flatnonzero(rec.left_uid == uid)
            if len(gone):
                state = int(rec.left_state[gone[0]])
                rows.append({"week": rec.week, "state": state, "state_da": SHORT_DA[state],
                             "post": int(rec.left_post[gone[0]]), "caseworker": None})
                break
        return pd.DataFrame(rows)
