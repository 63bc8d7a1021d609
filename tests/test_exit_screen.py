"""The exits' screen: deciding with numpy's exp and expm1 only for the citizens the
screen cannot rule out gives every citizen the decision and destination that numpy's
functions over all citizens give."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from bipsim.model import BipModel
from bipsim.rules.exits import HazardCoefficients, _log_hazards, draw_exits


@numba.njit
def all_log_hazards(coef, week, dur_after, c_columns):  # pragma: no cover - compiled
    readiness, belief, n_changes, ti_entry, in_company, ti_company_end, under_30 = c_columns
    n = readiness.shape[0]
    out = np.empty((3, n), dtype=np.float32)
    for i in range(n):
        out[0, i], out[1, i], out[2, i] = _log_hazards(
            i, coef, week, dur_after, readiness, belief, n_changes, ti_entry, in_company,
            ti_company_end, under_30)
    return out


def decided_by_numpy(m: BipModel) -> tuple[np.ndarray, np.ndarray]:
    """Who leaves and to where, numpy's exp and expm1 over every citizen (the
    decision as made before the screen)."""
    c, p, week = m.citizens, m.p, m.week
    columns = (c.readiness, c.belief, c.n_changes, c.ti_entry, c.in_company,
               c.ti_company_end, c.under_30)
    job, edu, other = np.exp(all_log_hazards(HazardCoefficients.of(p), week,
                                             p["dur_after_company"], columns))
    total = job + edu + other
    p_exit = -np.expm1(-total)
    u = m.streams.uniform("exit", week, c.uid)
    leaving = u < p_exit
    where = u / p_exit.astype(np.float64) * total.astype(np.float64)
    kind = np.where(where < job, 1, np.where(where < (job + edu), 2, 3))
    return leaving, np.where(leaving, kind, 0)


@pytest.mark.parametrize("params", [
    {},  # the defaults: about 1 % leave a week
    {"p_job": 0.5, "p_education": 0.3, "p_other": 0.2, "hr_readiness_job": 3.0},  # many
    {"p_job": 1e-30, "p_education": 0.0, "p_other": 0.0},  # hazards near float32's end
    {"p_job": 0.5, "p_education": 0.5, "p_other": 0.5, "hr_readiness_other": 4.0},  # P(exit) near 1
])
def test_screened_decisions_are_numpys(params):
    m = BipModel(seed=3, n_citizens=20_000, n_jobcentres=2, weeks=10, **params)
    for _ in range(3):  # a few weeks, so the citizens differ in their histories
        m.step()
        m.week = m.steps
        expected_leaving, expected_kind = decided_by_numpy(m)
        m.citizens.status[:] = 0
        leaving, leavers = draw_exits(m)
        np.testing.assert_array_equal(leaving, expected_leaving)
        np.testing.assert_array_equal(leavers, np.flatnonzero(expected_leaving))
        np.testing.assert_array_equal(m.citizens.status, expected_kind)
        m.citizens.remove(leaving)
