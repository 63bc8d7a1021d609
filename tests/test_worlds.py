"""Minimally different worlds: same seed, one lever changed (after Starsim's
``tests/test_randomness.py::test_worlds``).

Every random number a citizen gets depends only on (seed, decision, uid, week), and
uids are numbered per jobcentre (``bipsim.streams``). So whoever a lever cannot reach
must come out bit-identical, entrants included: these tests compare whole arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SMALL

from bipsim.model import BipModel

#: Columns that say nothing about a citizen (flags reset every week).
_WEEKLY_FLAGS = ("changed", "met", "interrupted")


def _citizens(model: BipModel, keep=None) -> dict[str, np.ndarray]:
    """Every column of every citizen ever present (uid order), rows where ``keep``."""
    cols = model.citizens.all_columns()
    mask = np.ones(len(cols["uid"]), bool) if keep is None else keep(cols)
    return {k: v[mask] for k, v in cols.items() if k not in _WEEKLY_FLAGS}


def _assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], what: str) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=f"{what}: {name}")


def _week_by_jobcentre(m: BipModel) -> dict[str, np.ndarray]:
    """This week's state of every jobcentre: its citizens on benefit (uid order), its
    posts, and its weekly series and costs as ``account_costs`` counts them."""
    c, cw, p, n_jc = m.citizens, m.caseworkers, m.p, len(m.jobcentres)
    order = np.argsort(c.uid)
    state = {f"citizen_{k}": v[order] for k, v in c.live_columns().items()}
    state |= {f"post_{k}": getattr(cw, k) for k in ("jobcentre", "uid", "optimism",
                                                   "ti_hired", "vacant_until")}
    def count(weights=None):
        return np.bincount(c.jobcentre, weights=weights, minlength=n_jc)
    series = {"n_on_benefit": count(), "n_company": count(c.in_company),
              "n_other": count(c.in_other), "sum_readiness": count(c.readiness),
              "n_caseworkers": np.bincount(cw.jobcentre, weights=cw.occupied, minlength=n_jc)}
    series["cost_dkk"] = (p["benefit_dkk"] * series["n_on_benefit"]
                          + p["company_dkk"] * series["n_company"]
                          + p["other_dkk"] * series["n_other"]
                          + p["caseworker_dkk"] * series["n_caseworkers"])
    return state | {f"jobcentre_{k}": v for k, v in series.items()}


def _run_weekly(model: BipModel, weeks: int) -> list[dict[str, np.ndarray]]:
    states = [_week_by_jobcentre(model)]
    for _ in range(weeks):
        model.step()
        states.append(_week_by_jobcentre(model))
    return states


def _other_jobcentres(state: dict[str, np.ndarray], model: BipModel,
                      changed: int) -> dict[str, np.ndarray]:
    """The parts of a week's state that belong to jobcentres other than ``changed``."""
    citizens = state["citizen_jobcentre"] != changed
    posts = state["post_jobcentre"] != changed
    centres = np.arange(len(model.jobcentres)) != changed
    parts = {"citizen": citizens, "post": posts, "jobcentre": centres}
    return {k: v[parts[k.split("_")[0]]] for k, v in state.items()}


@pytest.mark.parametrize("mode", ["replace", "rate"])
@pytest.mark.parametrize("lever", ["company_slots", "turnover"])
def test_a_lever_in_one_jobcentre_leaves_every_other_jobcentre_bit_identical(mode, lever):
    """Doubling jobcentre 0's company places or caseworker turnover changes jobcentre
    0, and nothing else: every other jobcentre's citizens (stock and entrants), posts,
    weekly series and costs are identical in every week, as are its survey answers."""
    params = {**SMALL, "mode": mode, "weeks": 78}
    base, alt = BipModel(seed=7, **params), BipModel(seed=7, **params)
    if lever == "company_slots":
        alt.jobcentres.company_slots[0] *= 2
    else:
        alt.jobcentres.turnover[0] = min(1.0, 2 * alt.jobcentres.turnover[0] + 0.2)
    states_base, states_alt = _run_weekly(base, 78), _run_weekly(alt, 78)
    for week, (a, b) in enumerate(zip(states_base, states_alt, strict=True)):
        _assert_same(_other_jobcentres(a, base, 0), _other_jobcentres(b, alt, 0),
                     f"week {week}")
    def others(cols):
        return cols["jobcentre"] != 0
    _assert_same(_citizens(base, others), _citizens(alt, others), "final citizens")
    panel_a, panel_b = base.survey_panel(), alt.survey_panel()
    panel_a = panel_a[panel_a.jobcentre != 0].sort_values(["week", "uid"], ignore_index=True)
    panel_b = panel_b[panel_b.jobcentre != 0].sort_values(["week", "uid"], ignore_index=True)
    assert panel_a.equals(panel_b)
    # the lever did reach jobcentre 0 (so the equality above is not for want of an effect)
    def mine(cols):
        return cols["jobcentre"] == 0
    a0, b0 = _citizens(base, mine), _citizens(alt, mine)
    assert len(a0["uid"]) != len(b0["uid"]) or any(
        not np.array_equal(a0[k], b0[k]) for k in a0)


def test_a_lever_only_the_young_feel_leaves_every_older_citizen_bit_identical():
    """The education hazard of citizens under 30 reaches nobody else when nothing
    links citizens: entrants at a fixed rate, company places and meeting time for
    everyone. Every citizen 30 or over, week-0 stock and entrants, is identical in
    every column and every survey answer; the young are not."""
    params = {**SMALL, "mode": "rate", "company_slots_per_100": 100,
              "meetings_per_week": 200}
    base = BipModel(seed=3, hr_education_under_30=1.0, **params)
    alt = BipModel(seed=3, hr_education_under_30=10.0, **params)
    base.run(), alt.run()
    def older(cols):
        return ~cols["under_30"]
    a, b = _citizens(base, older), _citizens(alt, older)
    _assert_same(a, b, "citizens 30 or over")
    assert (a["ti_entry"] > 0).sum() > 100  # entrants are among them
    panels = [m.survey_panel() for m in (base, alt)]
    panels = [p[~p.under_30].sort_values(["week", "uid"], ignore_index=True) for p in panels]
    assert panels[0].equals(panels[1])
    young = [m.citizen_table().query("under_30") for m in (base, alt)]
    assert (young[1].status == "education").sum() > (young[0].status == "education").sum()


def test_entrants_keep_their_traits_when_a_lever_moves_their_entry():
    """With ``replace`` inflow a lever that changes who leaves when also changes when
    the next citizens enter; each uid still enters with the same traits (indicator
    levels, age band, jobcentre), and the week-0 stock starts with the same traits,
    time on benefit, post and caseworker's belief (only its activities differ)."""
    a = BipModel(seed=5, company_slots_per_100=8, **SMALL)
    b = BipModel(seed=5, company_slots_per_100=9, **SMALL)
    week0 = ("uid", "jobcentre", "post", "levels", "anchor", "scores", "readiness",
             "under_30", "ti_entry", "ti_meeting", "belief")
    _assert_same({k: a.citizens.all_columns()[k] for k in week0},
                 {k: b.citizens.all_columns()[k] for k in week0}, "week 0")
    a.run(), b.run()
    ca, cb = _citizens(a), _citizens(b)
    _, ia, ib = np.intersect1d(ca["uid"], cb["uid"], return_indices=True)
    assert (ca["ti_entry"][ia] > 0).sum() > 200  # entrants are among them
    for name in ("anchor", "under_30", "jobcentre"):
        np.testing.assert_array_equal(ca[name][ia], cb[name][ib], err_msg=name)
    assert (ca["ti_entry"][ia] != cb["ti_entry"][ib]).any()  # the lever did move entrants


@pytest.mark.parametrize("mode", ["replace", "rate"])
def test_a_cost_only_lever_leaves_every_state_identical(mode):
    """Unit costs change no decision: every citizen, post, survey answer and weekly
    series but the costs is identical, and the costs differ."""
    params = {**SMALL, "mode": mode}
    a = BipModel(seed=5, benefit_dkk=3_100.0, caseworker_dkk=11_000.0, other_dkk=1_500.0,
                 **params)
    b = BipModel(seed=5, benefit_dkk=5_000.0, caseworker_dkk=20_000.0, other_dkk=900.0,
                 **params)
    wa, wb = _run_weekly(a, SMALL["weeks"]), _run_weekly(b, SMALL["weeks"])
    for week, (sa, sb) in enumerate(zip(wa, wb, strict=True)):
        costs = {"jobcentre_cost_dkk"}
        _assert_same({k: v for k, v in sa.items() if k not in costs},
                     {k: v for k, v in sb.items() if k not in costs}, f"week {week}")
    _assert_same(_citizens(a), _citizens(b), "citizens")
    assert a.survey_panel().equals(b.survey_panel())
    costs = [c for c in a.weekly().columns if c.endswith("_dkk")]  # by kind, and avoided
    assert a.weekly().drop(columns=costs).equals(b.weekly().drop(columns=costs))
    assert b.weekly()["cum_cost_dkk"].iloc[-1] > a.weekly()["cum_cost_dkk"].iloc[-1]
