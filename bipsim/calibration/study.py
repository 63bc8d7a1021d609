"""The simulated BIP study and the statistics the targets compare with.

One replicate is the ``bip_study`` scenario (or any scenario with a survey) run with
one seed; :func:`study_statistics` turns it into every statistic a target may name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..agents import BELIEF_ANSWERS, EDUCATION, JOB
from ..model import BipModel
from .estimate import Columns, exits_of, fit_hazard, person_periods

#: T9's window: citizens of the cohort with at least LONG_TERM_WEEKS weeks on
#: benefit within the study's first ACTIVATION_WINDOW weeks.
ACTIVATION_WINDOW = 65
LONG_TERM_WEEKS = 52
#: T6's follow-up after a belief answer, and the answers compared.
FOLLOW_UP_WEEKS = 52
YES = next(k for k, v in BELIEF_ANSWERS.items() if v == "yes, unconditionally")
NO = next(k for k, v in BELIEF_ANSWERS.items() if v == "no")

#: Statistic name -> what it is. Targets name one of these.
STATISTICS: dict[str, str] = {
    "share_job_12m": "share of the cohort entering a job within 52 weeks",
    "share_on_benefit_82w": "share of the cohort still on benefit after 82 weeks",
    "education_share_of_job_or_education": "education exits over job + education exits",
    "hr_believes": "hazard ratio of job or education exit, caseworker believes vs not",
    "hr_per_change": "hazard ratio of job or education exit per caseworker change",
    "share_belief_yes": "share of belief answers 'yes, unconditionally'",
    "share_belief_good": "share of belief answers 'good chances'",
    "share_belief_no_or_doubtful": "share of belief answers 'no' or 'doubtful'",
    "share_any_change": "share of the cohort with at least one caseworker change",
    "share_job_12m_belief_yes": "share in a job within 52 weeks of a 'yes, unconditionally' "
                                "answer (answers with a full year of follow-up)",
    "share_job_12m_belief_no": "share in a job within 52 weeks of a 'no' answer (answers "
                               "with a full year of follow-up)",
    "share_no_activation_65w": "share of the long-term (>= 52 of the first 65 weeks on "
                               "benefit) with no week in an activity in those 65 weeks",
    "company_share_of_activation": "company placement weeks over all activity weeks of "
                                   "the cohort, over the follow-up",
}


def run_study(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Simulate one study with these parameters and seed; return its statistics.

    A top-level function of plain arguments, so process pools can run it.
    """
    model = BipModel(**{**params, "seed": seed})
    window: dict[str, np.ndarray] = {}

    def after_week(_: int) -> None:
        if model.week == ACTIVATION_WINDOW:
            window.update(activation_window(model))

    model.run(progress=after_week)
    return study_statistics(model, window or None)


def activation_window(model: BipModel) -> dict[str, np.ndarray]:
    """Per cohort citizen, in uid order, at the end of T9's window: weeks on
    benefit and weeks in an activity so far (call it after week ACTIVATION_WINDOW)."""
    cols = model.citizens.all_columns()
    cohort = cols["uid"] < model.p["n_citizens"]
    return {"weeks_on_benefit": cols["weeks_on_benefit"][cohort],
            "weeks_active": (cols["weeks_company"] + cols["weeks_other"])[cohort]}


def study_statistics(model: BipModel,
                     window: Mapping[str, np.ndarray] | None = None) -> dict[str, float]:
    """Every statistic in ``STATISTICS`` for a finished study.

    Args:
        model: The finished study.
        window: :func:`activation_window` taken after week ACTIVATION_WINDOW; without
            it (a study shorter than the window) ``share_no_activation_65w`` is NaN.
    """
    if model.p["wave_interval"] == 0:
        raise ValueError("the study needs a survey (survey.wave_interval > 0)")
    citizens = model.citizens.all_columns()
    panel = model.survey_columns()
    last_week = model.p["weeks"]
    cohort = citizens["uid"] < model.p["n_citizens"]
    status, ti_exit = exits_of(citizens, citizens["uid"][cohort])
    n_job, n_edu = (status == JOB).sum(), (status == EDUCATION).sum()
    answers = np.bincount(panel["belief"][panel["belief"] > 0], minlength=6)[1:]
    shares = answers / answers.sum()
    fit = fit_hazard(person_periods(panel, citizens, model.p["wave_interval"], last_week))
    job_after = _job_within_year_of_answer(panel, citizens, last_week)
    weeks_company = citizens["weeks_company"][cohort].astype(float).sum()
    weeks_active = weeks_company + citizens["weeks_other"][cohort].astype(float).sum()
    return {
        "share_job_12m": float(((status == JOB) & (ti_exit <= 52)).mean()),
        "share_on_benefit_82w": float((ti_exit > 82).mean()),
        "education_share_of_job_or_education": (float(n_edu / (n_job + n_edu))
                                                if n_job + n_edu else np.nan),
        "hr_believes": fit.hr_believes,
        "hr_per_change": fit.hr_per_change,
        "share_belief_yes": float(shares[4]),
        "share_belief_good": float(shares[3]),
        "share_belief_no_or_doubtful": float(shares[0] + shares[1]),
        "share_any_change": float((citizens["n_changes"][cohort] > 0).mean()),
        "share_job_12m_belief_yes": job_after(YES),
        "share_job_12m_belief_no": job_after(NO),
        "share_no_activation_65w": _share_not_activated(window),
        "company_share_of_activation": (float(weeks_company / weeks_active)
                                        if weeks_active else np.nan),
    }


def _job_within_year_of_answer(panel: Columns, citizens: Columns, last_week: int) -> Any:
    """A function of a belief answer: the share of the answers given (at waves with
    FOLLOW_UP_WEEKS of follow-up left) after which the citizen entered a job
    within FOLLOW_UP_WEEKS."""
    rows = np.flatnonzero(panel["week"] + FOLLOW_UP_WEEKS <= last_week)
    week, belief = panel["week"][rows], panel["belief"][rows]
    status, ti_exit = exits_of(citizens, panel["uid"][rows])
    in_job = (status == JOB) & (ti_exit > week) & (ti_exit <= week + FOLLOW_UP_WEEKS)

    def share(answer: int) -> float:
        given = belief == answer
        return float(in_job[given].mean()) if given.any() else np.nan

    return share


def _share_not_activated(window: Mapping[str, np.ndarray] | None) -> float:
    if window is None:
        return np.nan
    long_term = window["weeks_on_benefit"] >= LONG_TERM_WEEKS
    if not long_term.any():
        return np.nan
    return float((window["weeks_active"][long_term] == 0).mean())
