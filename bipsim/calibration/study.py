"""The simulated BIP study and the statistics the targets compare with.

One replicate is the ``bip_study`` scenario (or any scenario with a survey) run with
one seed; :func:`study_statistics` turns it into every statistic a target may name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..model import BipModel
from .estimate import fit_hazard, person_periods

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
}


def run_study(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Simulate one study with these parameters and seed; return its statistics.

    A top-level function of plain arguments, so process pools can run it.
    """
    model = BipModel(**{**params, "seed": seed})
    model.run()
    return study_statistics(model)


def study_statistics(model: BipModel) -> dict[str, float]:
    """Every statistic in ``STATISTICS`` for a finished study."""
    if model.p["wave_interval"] == 0:
        raise ValueError("the study needs a survey (survey.wave_interval > 0)")
    citizens = model.citizen_table()
    panel = model.survey_panel(codes=True)
    cohort = citizens[citizens.uid < model.p["n_citizens"]]
    status = cohort.status.astype(str).to_numpy()
    ti_exit = cohort.ti_exit.astype("float").fillna(np.inf).to_numpy()
    n_job, n_edu = (status == "job").sum(), (status == "education").sum()
    answers = np.bincount(panel.belief[panel.belief > 0], minlength=6)[1:]
    shares = answers / answers.sum()
    fit = fit_hazard(person_periods(panel, citizens, model.p["wave_interval"],
                                    model.p["weeks"]))
    return {
        "share_job_12m": float(((status == "job") & (ti_exit <= 52)).mean()),
        "share_on_benefit_82w": float((ti_exit > 82).mean()),
        "education_share_of_job_or_education": (float(n_edu / (n_job + n_edu))
                                                if n_job + n_edu else np.nan),
        "hr_believes": fit.hr_believes,
        "hr_per_change": fit.hr_per_change,
        "share_belief_yes": float(shares[4]),
        "share_belief_good": float(shares[3]),
        "share_belief_no_or_doubtful": float(shares[0] + shares[1]),
        "share_any_change": float((cohort.n_changes > 0).mean()),
    }
