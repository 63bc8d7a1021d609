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


def account_costs(m: BipModel) -> None:
    """Public cost of this week in DKK, by kind: benefit for everyone on benefit this
    week (leavers included), company placements and other activities by the week,
    every occupied caseworker post, and the training of caseworkers not yet trained
    to the current ``expectations_training``."""
    c, p = m.citizens, m.p
    amounts = (p["benefit_dkk"] * len(c),
               p["company_dkk"] * np.count_nonzero(c.in_company),
               p["other_dkk"] * np.count_nonzero(c.in_other),
               p["caseworker_dkk"] * np.count_nonzero(m.caseworkers.occupied),
               p["expectations_training_dkk"] * train_caseworkers(m))
    total = 0.0
    for name, amount in zip(COST_FLOWS, amounts, strict=True):
        whole = float(np.rint(amount))
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
