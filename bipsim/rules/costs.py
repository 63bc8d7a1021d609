"""Costs of the week: after the week's activities are set, before anyone leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..model import BipModel


def account_costs(m: BipModel) -> None:
    """Public cost of this week in DKK: benefit for everyone on benefit this week
    (leavers included), company placements and other activities by the week, and
    every occupied caseworker post."""
    c, p = m.citizens, m.p
    m.flows["new_cost_dkk"] = float(
        p["benefit_dkk"] * len(c)
        + p["company_dkk"] * np.count_nonzero(c.in_company)
        + p["other_dkk"] * np.count_nonzero(c.in_other)
        + p["caseworker_dkk"] * np.count_nonzero(m.caseworkers.occupied))
