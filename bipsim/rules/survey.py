"""Step 7, survey: every ``wave_interval`` weeks the BIP questionnaire is answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..compiled import njit
from ..indicators import INDICATORS
from ..streams import _inverse_normal, uniform_at

if TYPE_CHECKING:
    from ..model import BipModel

#: Cut-points of a measured score (latent + noise, rescaled to SD 1 among entrants)
#: into a 1-5 answer.
ANSWER_CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
#: A measured score this close to a cut-point is measured again with scipy's ``ndtri``
#: (the compiled inverse normal differs from it by < 1e-13 relative: tested).
CUT_MARGIN = 1e-9


def survey_wave(m: BipModel) -> None:
    """Citizens on benefit answer the indicator questions (latent score plus
    measurement noise, as a 1-5 answer) and the caseworker answers the belief
    question; one panel row per citizen is kept for analysis (calibration)."""
    p, c, week = m.p, m.citizens, m.week
    if p["wave_interval"] == 0 or week % p["wave_interval"] != 0 or len(c) == 0:
        return
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
    row.update(zip(INDICATORS, answers(m), strict=True))
    m.survey_rows.append(row)


def answers(m: BipModel) -> np.ndarray:
    """Each citizen's 1-5 answer to each indicator question (one row per indicator):
    the score plus noise ``measurement_noise_sd`` times a normal of the stream
    ``survey_<indicator>``, over ``sqrt(1 + sd ** 2)``, cut at :data:`ANSWER_CUTS`."""
    c, week, sd = m.citizens, m.week, m.p["measurement_noise_sd"]
    keys = np.array([m.streams.keys(f"survey_{name}", week) for name in INDICATORS],
                    dtype=np.uint64)
    scale = np.sqrt(1 + sd**2)
    out, near_cut = _answers(c.scores, c.uid, keys[:, 0].copy(), keys[:, 1].copy(), sd,
                             scale, ANSWER_CUTS)
    # the few near a cut: the answer ``Streams.normal`` (scipy's ndtri) gives
    for k, i in zip(*np.nonzero(near_cut), strict=True):
        noise = m.streams.normal(f"survey_{INDICATORS[k]}", week, c.uid[i : i + 1])
        measured = (c.scores[i : i + 1, k] + sd * noise) / scale
        out[k, i] = 1 + np.searchsorted(ANSWER_CUTS, measured)[0]
    return out


@njit
def _answers(scores, uid, keys0, keys1, sd, scale, cuts):  # pragma: no cover - compiled
    """Answers (indicator x citizen) and where the measured score is within
    ``CUT_MARGIN`` of a cut; in float64 as numpy computed them."""
    n, k = scores.shape
    out = np.empty((k, n), dtype=np.int8)
    near_cut = np.empty((k, n), dtype=np.bool_)
    noise = np.empty(n)
    for col in range(k):
        for i in range(n):
            noise[i] = _inverse_normal(max(uniform_at(uid[i], keys0[col], keys1[col]),
                                           2.0**-54))
        for i in range(n):  # apart from the draws, so that this loop is vectorised
            measured = (np.float64(scores[i, col]) + sd * noise[i]) / scale
            answer = 1
            gap = np.inf
            for cut in cuts:
                answer += cut < measured
                gap = min(gap, abs(measured - cut))
            out[col, i] = answer
            near_cut[col, i] = gap < CUT_MARGIN
    return out, near_cut
