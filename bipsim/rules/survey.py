"""Step 7, survey: every ``wave_interval`` weeks the BIP questionnaire is answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..indicators import INDICATORS

if TYPE_CHECKING:
    from ..model import BipModel

#: Cut-points of a measured score (latent + noise, rescaled to SD 1 among entrants)
#: into a 1-5 answer.
ANSWER_CUTS = np.array([-1.5, -0.5, 0.5, 1.5])


def survey_wave(m: BipModel) -> None:
    """Citizens on benefit answer the indicator questions (latent score plus
    measurement noise, as a 1-5 answer) and the caseworker answers the belief
    question; one panel row per citizen is kept for analysis (calibration)."""
    p, c, week = m.p, m.citizens, m.week
    if p["wave_interval"] == 0 or week % p["wave_interval"] != 0 or len(c) == 0:
        return
    sd = p["measurement_noise_sd"]
    row: dict[str, np.ndarray] = {
        "week": np.full(len(c), week, dtype=np.int32),
        "uid": c.uid.copy(),
        "jobcentre": c.jobcentre.copy(),
        "caseworker_uid": np.where(m.caseworkers.occupied[c.post],
                                   m.caseworkers.uid[c.post], -1),
        "weeks_on_benefit": (week - c.ti_entry).astype(np.int32),
        "n_changes": c.n_changes.copy(),
        "belief": c.belief.copy(),
        "in_company": c.in_company.copy(),
        "in_other": c.in_other.copy(),
        "under_30": c.under_30.copy(),
    }
    for k, name in enumerate(INDICATORS):
        noise = m.streams.normal(f"survey_{name}", week, c.uid)
        measured = (c.scores[:, k] + sd * noise) / np.sqrt(1 + sd**2)
        row[name] = (1 + np.searchsorted(ANSWER_CUTS, measured)).astype(np.int8)
    m.survey_rows.append(row)
