"""Roles at run time: ``BipModel.set_lever`` changes a live lever of a running model and
re-derives what the build made of it; it refuses what is not a live lever.

Models are one small jobcentre (120 citizens, 4 caseworkers), so the file takes seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from bipsim.live import RE_DERIVE
from bipsim.model import BipModel
from bipsim.parameters import BY_NAME, PARAMETERS, ParameterError

SMALL = {"n_citizens": 120, "n_jobcentres": 1, "caseload": 30, "weeks": 52}


def test_set_lever_refuses_unknown_non_levers_build_time_and_bad_values():
    m = BipModel(seed=1, **SMALL)
    with pytest.raises(ParameterError, match="no parameter named 'turnover'"):
        m.set_lever("turnover", 0.3)
    with pytest.raises(ParameterError, match=r"exits\.p_job: not a lever \(uncertainty"):
        m.set_lever("p_job", 0.01)
    with pytest.raises(ParameterError, match=r"caseworkers\.caseload: fixed when the model is"):
        m.set_lever("caseload", 10)
    with pytest.raises(ParameterError, match=r"given 1\.5, out of range"):
        m.set_lever("annual_turnover", 1.5)
    assert m.p["annual_turnover"] == BY_NAME["annual_turnover"].default
    assert m.p["caseload"] == 30
    assert m.set_lever("interval", 2.0) == 2  # coerced to the parameter's kind
    assert m.p["interval"] == 2


def test_re_derived_levers_are_live_levers():
    assert all(BY_NAME[name].role == "lever" and BY_NAME[name].live for name in RE_DERIVE)


@pytest.mark.parametrize("spec", [s for s in PARAMETERS.values()
                                  if s.role == "lever" and s.live], ids=lambda s: s.name)
def test_every_live_lever_can_be_set_mid_run_and_the_run_goes_on(spec):
    m = BipModel(seed=2, **SMALL)
    m.run(3)
    value = spec.choices[-1] if spec.kind == "choice" else spec.validate(
        spec.low + (spec.high - spec.low) * 0.25 if spec.kind == "float"
        else round(spec.low + (spec.high - spec.low) * 0.25))
    assert m.set_lever(spec.name, value) == value
    m.run(3)
    assert m.p[spec.name] == value and m.week == 6


def test_expectations_training_lifts_the_caseworkers_in_post_and_their_belief():
    trained, today = BipModel(seed=3, **SMALL), BipModel(seed=3, **SMALL)
    before = trained.caseworkers.optimism.copy()
    trained.set_lever("expectations_training", 1.5)
    np.testing.assert_allclose(trained.caseworkers.optimism, before + 1.5, rtol=1e-6)
    for _ in range(8):  # every citizen meets within two meeting intervals
        trained.step()
        today.step()
    assert trained.current["share_believes"] > today.current["share_believes"] + 0.2


def test_training_mid_run_equals_training_from_the_start_for_staff_in_post():
    """Setting the lever at week 0 gives the optimism a model built with it draws."""
    built = BipModel(seed=4, expectations_training=0.7, **SMALL)
    moved = BipModel(seed=4, **SMALL)
    moved.set_lever("expectations_training", 0.7)
    np.testing.assert_allclose(moved.caseworkers.optimism, built.caseworkers.optimism,
                               rtol=1e-6)


def test_turnover_lever_reaches_the_running_model():
    m = BipModel(seed=5, **SMALL)
    m.set_lever("annual_turnover", 0.0)
    assert (m.jobcentres.turnover == 0).all()
    m.run(26)
    assert m.weekly().new_caseworkers_leaving.sum() == 0
    m.set_lever("annual_turnover", 1.0)
    m.run(26)
    assert m.weekly().new_caseworkers_leaving.sum() >= 1


def test_turnover_lever_keeps_the_jobcentres_differences():
    m = BipModel(seed=5, n_citizens=2000, n_jobcentres=8, turnover_spread=0.3, weeks=10)
    before = m.jobcentres.turnover.copy()
    m.set_lever("annual_turnover", m.p["annual_turnover"] * 1.2)
    np.testing.assert_array_equal(np.argsort(m.jobcentres.turnover), np.argsort(before))


def test_company_places_lever_recounts_places_as_the_build_does():
    m = BipModel(seed=6, **SMALL)
    m.set_lever("company_slots_per_100", 0.0)
    assert (m.jobcentres.company_slots == 0).all()
    m.run(30)  # placements last 13 weeks: all over
    assert m.current["n_company"] == 0
    m.set_lever("company_slots_per_100", 40.0)
    built = BipModel(seed=6, **{**SMALL, "company_slots_per_100": 40.0})
    np.testing.assert_array_equal(m.jobcentres.company_slots, built.jobcentres.company_slots)
    assert m.jobcentres.company_slots.sum() == 48
