"""Costs of the week: after the week's activities are set, before anyone leaves.

The public cost is counted by kind (:data:`COST_KINDS`), each a weekly flow
``new_cost_<kind>_dkk`` whose sum is ``new_cost_dkk``. Each kind's weekly amount is
rounded to whole kroner (at most 0.5 DKK a kind and week), so every sum of them, by
year, by kind or over the run, is an exact sum of integers in float64 (exact below
9e15 DKK), whatever the order of summation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..agents import NEVER
from ..compiled import njit

if TYPE_CHECKING:
    from ..model import BipModel

#: Kinds of public cost, in the order of the weekly columns.
COST_KINDS: dict[str, str] = {
    "benefit": "benefit paid to the citizens on benefit this week (leavers included)",
    "company": "company placements running this week",
    "other": "other activities running this week (course, treatment, mentor)",
    "caseworkers": "occupied caseworker posts",
    "training": "the reform's own cost: expectations training of caseworkers trained this "
                "week (one-off per caseworker and belief SD of shift)",
}
#: The weekly flow of each kind.
COST_FLOWS: tuple[str, ...] = tuple(f"new_cost_{kind}_dkk" for kind in COST_KINDS)


@dataclass
class TrainingRecord:
    """Who has been trained, per caseworker post.

    Attributes:
        uid: Uid of the holder the record is about (a new holder is untrained).
        level: The training shift (belief SD) that holder has been trained to.
        given: The training (belief SDs) given at each post this week.
    """

    uid: np.ndarray
    level: np.ndarray
    given: np.ndarray

    @classmethod
    def untrained(cls, uid: np.ndarray) -> TrainingRecord:
        """Nobody trained yet."""
        return cls(uid.copy(), np.zeros(len(uid)), np.zeros(len(uid)))


#: Rows of :func:`usage`: what each jobcentre uses of the first four cost kinds.
USED = ("citizens on benefit", "company placements", "other activities", "occupied posts")


def account_costs(m: BipModel) -> None:
    """Public cost of this week in DKK, by kind: benefit for everyone on benefit this
    week (leavers included), company placements and other activities by the week,
    every occupied caseworker post, and the training of caseworkers not yet trained
    to the current ``expectations_training``. What each jobcentre used is kept in
    ``m.usage`` (:func:`usage`) for sharing the costs out over the jobcentres."""
    p = m.p
    m.usage = usage(m)
    n_citizens, n_company, n_other, n_staff = m.usage.sum(axis=1).tolist()
    amounts = (p["benefit_dkk"] * n_citizens,
               p["company_dkk"] * n_company,
               p["other_dkk"] * n_other,
               p["caseworker_dkk"] * n_staff,
               p["expectations_training_dkk"] * train_caseworkers(m))
    total = 0.0
    for name, amount in zip(COST_FLOWS, amounts, strict=True):
        whole = float(round(amount))  # to even at .5, as numpy's rint
        m.flows[name] = whole
        total += whole
    m.flows["new_cost_dkk"] = total


def train_caseworkers(m: BipModel) -> float:
    """Train every caseworker in post up to the current training shift; returns the
    belief SDs of shift given this week, summed over caseworkers.

    A caseworker is trained once per SD of shift: when training starts (or rises, say
    by a dated reform) everyone in post is trained for the increase, and every new
    caseworker in their first week in post. Lowering the lever refunds nothing.
    """
    target = float(m.p["expectations_training"])
    cw, record = m.caseworkers, m.training_record
    if target <= 0:
        record.given = np.zeros(len(cw))
        return 0.0
    record.level[record.uid != cw.uid] = 0.0  # a new holder of the post
    record.uid[:] = cw.uid
    record.given = np.where(cw.occupied, np.maximum(target - record.level, 0.0), 0.0)
    record.level = np.where(cw.occupied, np.maximum(record.level, target), record.level)
    return float(record.given.sum())


def usage(m: BipModel) -> np.ndarray:
    """Per jobcentre (columns), the rows of :data:`USED`: citizens on benefit, in company
    placement, in other activity, and occupied caseworker posts, counted in one pass."""
    c, cw = m.citizens, m.caseworkers
    return _usage(c.jobcentre, c.in_company, c.in_other, cw.jobcentre, cw.vacant_until,
                  len(m.jobcentres))


@njit
def _usage(jobcentre, in_company, in_other, post_jobcentre, vacant_until,
           n_jobcentres):  # pragma: no cover - compiled
    # one thread: integer counts, the same in any order; allocating per-chunk counts
    # for threads costs more than the pass at a study's size
    used = np.zeros((len(USED), n_jobcentres), dtype=np.int64)
    for i in range(jobcentre.shape[0]):
        j = jobcentre[i]
        used[0, j] += 1
        used[1, j] += in_company[i]
        used[2, j] += in_other[i]
    for post in range(post_jobcentre.shape[0]):
        used[3, post_jobcentre[post]] += vacant_until[post] == NEVER
    return used


@njit
def largest_remainder(amount, weights, total_weight):  # pragma: no cover - compiled
    """Whole shares of the whole ``amount`` in proportion to ``weights`` (which sum to
    ``total_weight`` > 0): floors of ``weights / total_weight * amount``, then one more
    to the largest remainders, ties to the lowest index, so they add up to ``amount``.
    (The floors never add up to more than ``amount``: each is at most its share
    rounded up by a last bit.)"""
    n = weights.shape[0]
    raw = weights / total_weight * amount
    share = np.floor(raw)
    short = int(amount - share.sum())
    behind = -(raw - share)  # ascending: the largest remainders first
    given = np.zeros(n, dtype=np.bool_)
    for _ in range(min(max(short, 0), n)):
        best = -1
        for j in range(n):
            if not given[j] and (best < 0 or behind[j] < behind[best]):
                best = j
        given[best] = True
        share[best] += 1.0
    return share


@njit
def share_counted(amounts, used, costs):  # pragma: no cover - compiled
    """Add to ``costs[k]`` each jobcentre's whole share of ``amounts[k]`` (whole; 0:
    nothing to share) in proportion to its count ``used[k]`` (equal shares if nobody
    used any): ``bipsim.by_jobcentre.apportion`` with integer weights, whose sum is
    exact in any order."""
    for k in range(amounts.shape[0]):
        if amounts[k] == 0:
            continue
        weights = used[k].astype(np.float64)
        total = weights.sum()
        if total <= 0:
            weights[:] = 1.0
            total = weights.sum()
        costs[k] += largest_remainder(amounts[k], weights, total)
