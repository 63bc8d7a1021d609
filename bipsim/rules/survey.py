"""Step 7, survey: every ``wave_interval`` weeks the BIP questionnaire is answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from ..compiled import njit
from ..indicators import INDICATORS
from ..streams import _inverse_normal, word_at

if TYPE_CHECKING:
    from ..model import BipModel

#: Cut-points of a measured score (latent + noise, rescaled to SD 1 among entrants)
#: into a 1-5 answer.
ANSWER_CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
#: A measured score this close to a cut-point is measured again with scipy's ``ndtri``
#: (the compiled inverse normal differs from it by < 1e-13 relative: tested).
CUT_MARGIN = 1e-9
#: The noise's bounds for a uniform in each 1/1024 of [0, 1) (the top 10 bits of its
#: random word): scipy's ndtri at the ends, widened by 1e-9 relative for its rounding.
#: The rounded measurement is monotone in the noise, so when both bounds give the
#: same answer, so does the noise itself; only the rest (about 1 in 200) need it.
BOUND_BITS = 10
_ends = np.r_[2.0**-54, np.arange(1, 2**BOUND_BITS) / 2**BOUND_BITS, 1 - 2.0**-53]
NOISE_BOUNDS = np.stack([ndtri(_ends[:-1]), ndtri(_ends[1:])], axis=1)
NOISE_BOUNDS += np.array([-1e-9, 1e-9]) * np.maximum(1.0, np.abs(NOISE_BOUNDS))


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
                             scale, tuple(ANSWER_CUTS.tolist()), NOISE_BOUNDS)
    # the few near a cut: the answer ``Streams.normal`` (scipy's ndtri) gives
    for k, i in zip(*np.nonzero(near_cut), strict=True):
        noise = m.streams.normal(f"survey_{INDICATORS[k]}", week, c.uid[i : i + 1])
        measured = (c.scores[i : i + 1, k] + sd * noise) / scale
        out[k, i] = 1 + np.searchsorted(ANSWER_CUTS, measured)[0]
    return out


@njit
def _answers(scores, uid, keys0, keys1, sd, scale, cuts, bounds):  # pragma: no cover
    """Answers (indicator x citizen) and where the measured score is within
    ``CUT_MARGIN`` of a cut; in float64 as numpy computed them. The noise is computed
    only where its bounds (:data:`NOISE_BOUNDS`) leave the answer open."""
    n, k = scores.shape
    out = np.empty((k, n), dtype=np.int8)
    near_cut = np.zeros((k, n), dtype=np.bool_)
    words = np.empty(n, dtype=np.uint64)
    settled = np.empty(n, dtype=np.bool_)
    for col in range(k):
        # three loops, the first two without branches (so vectorised: the cut-points
        # are a tuple, of a length known when compiled)
        for i in range(n):
            words[i] = word_at(uid[i], keys0[col], keys1[col])
        for i in range(n):
            score = np.float64(scores[i, col])
            low, high = bounds[words[i] >> np.uint64(64 - BOUND_BITS)]
            answer = _answer((score + sd * low) / scale, cuts)
            out[col, i] = answer
            settled[i] = answer == _answer((score + sd * high) / scale, cuts)
        for i in range(n):
            if settled[i]:
                continue
            u = max(np.float64(words[i] >> np.uint64(11)) * (1.0 / 2**53), 2.0**-54)
            measured = (np.float64(scores[i, col]) + sd * _inverse_normal(u)) / scale
            out[col, i] = _answer(measured, cuts)
            for cut in cuts:
                near_cut[col, i] |= abs(measured - cut) < CUT_MARGIN
    return out, near_cut


@njit(inline="always")
def _answer(measured, cuts):  # pragma: no cover - compiled
    """1 plus the number of cut-points below ``measured`` (numpy's searchsorted)."""
    answer = 1
    for cut in cuts:
        answer += cut < measured
    return answer
