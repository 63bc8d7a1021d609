"""Caseload below the meeting cap: time per meeting, offers and judgement."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bipsim.experiments.plan import replicate_seeds
from bipsim.model import BipModel
from bipsim.outcomes import summarise
from bipsim.parameters import defaults
from bipsim.rules.caseload import REFERENCE_CASELOAD, judgement, meeting_gain, offer_shift
from bipsim.scenario import load_scenario
from bipsim.uncertainty.draws import draw_worlds, drawn_names

CASELOADS = (25, 40, 80, 200)
#: Worlds (prior and posterior draws) and their seed.
WORLDS, SEED = 24, 7
SMALL = ["population.n_citizens=3000", "population.n_jobcentres=3", "run.weeks=208",
         "survey.wave_interval=0"]


def test_at_the_reference_caseload_nothing_changes():
    p = defaults()
    at = np.array([REFERENCE_CASELOAD])
    assert meeting_gain(p, at)[0] == p["gain_meeting"]
    assert offer_shift(p, at)[0] == 0.0
    weight, noise = judgement(p, at)
    assert (weight[0], noise[0]) == (p["belief_readiness_weight"], p["belief_noise_sd"])


def test_more_time_per_citizen_means_better_meetings_offers_and_judgement():
    p = defaults()
    loads = np.array(CASELOADS, dtype=float)
    assert np.all(np.diff(meeting_gain(p, loads)) < 0)
    assert np.all(np.diff(offer_shift(p, loads)) < 0)
    weight, noise = judgement(p, loads)  # capped where judgement would remove all noise
    assert np.all(np.diff(weight) <= 0) and np.all(np.diff(noise) >= 0)
    assert weight[-1] < weight[0] and noise[-1] > noise[0]
    assert np.all(noise > 0)
    # the spread of the latent belief (and so of the answers, T5) stays as calibrated
    assert weight**2 + noise**2 == pytest.approx(
        p["belief_readiness_weight"] ** 2 + p["belief_noise_sd"] ** 2)


def _outcomes_by_caseload() -> dict[str, np.ndarray]:
    """Exits to job and weeks on benefit, one row per world, a column per caseload."""
    scenario = load_scenario("baseline", SMALL)
    names = drawn_names(scenario, exclude=["caseload"])
    worlds = draw_worlds(names, SEED, WORLDS)
    seeds = replicate_seeds(SEED, WORLDS)
    jobs, weeks = np.zeros((WORLDS, len(CASELOADS))), np.zeros((WORLDS, len(CASELOADS)))
    for r in range(WORLDS):
        for k, load in enumerate(CASELOADS):
            params = {**scenario.params, **worlds.world(r, names), "caseload": float(load)}
            model = BipModel(**{**params, "seed": seeds[r]})
            model.run()
            summary = summarise(model)
            jobs[r, k], weeks[r, k] = summary["exits_job"], summary["mean_weeks_on_benefit"]
    return {"exits_job": jobs, "mean_weeks_on_benefit": weeks}


@pytest.fixture(scope="module")
def by_caseload() -> dict[str, np.ndarray]:
    return _outcomes_by_caseload()


@pytest.mark.slow
@pytest.mark.parametrize(("outcome", "better"), [("exits_job", 1), ("mean_weeks_on_benefit", -1)])
def test_outcomes_fall_monotonically_with_caseload_in_expectation_over_the_prior(
        by_caseload, outcome, better):
    """24 worlds (seed 7): each world draws every uncertain parameter (the caseload
    effects included) and runs caseloads 25, 40, 80 and 200 on one seed, so the steps
    are paired. The expectation over the prior is estimated by the mean over worlds,
    with standard error SE = SD / sqrt(24): every step to a higher caseload is worse
    on average, the whole range 25 -> 200 by more than 3 SE, and for job entries the
    step from 25 to 40 (both below the meeting cap, where the cap alone makes no
    difference) by more than 2 SE."""
    x = by_caseload[outcome] * better  # larger is better
    steps = x[:, :-1] - x[:, 1:]       # lower caseload minus the next higher one

    def t(d: np.ndarray) -> float:
        return float(d.mean() / (d.std(ddof=1) / math.sqrt(len(d))))

    for k in range(steps.shape[1]):
        assert steps[:, k].mean() > 0, (CASELOADS[k], CASELOADS[k + 1], t(steps[:, k]))
    assert t(x[:, 0] - x[:, -1]) > 3
    if outcome == "exits_job":
        assert t(steps[:, 0]) > 2, t(steps[:, 0])
