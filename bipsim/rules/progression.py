"""Step 5, indicator progression."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from ..chunks import chunk_rows, n_chunks
from ..compiled import njit

if TYPE_CHECKING:
    from ..model import BipModel

SHOCK_BITS = 6  # ten 6-bit shocks fit in one 64-bit random word
SHOCK_SD = float(np.sqrt((2 ** (2 * SHOCK_BITS) - 1) / 12))  # SD of a uniform 0..63


def progress_indicators(m: BipModel) -> None:
    """Each citizen's own level moves with what happens this week: company
    placement lifts every indicator, other activity less, passivity least (or
    erodes); caseworker belief above "in between" lifts it and below lowers it; a
    meeting lifts it a little; a caseworker change or an interrupted activity sets
    scores and level back. Gains and setbacks fade toward the level at entry unless
    sustained. Scores drift toward the level, plus noise.

    The weekly noise of each indicator is uniform rather than normal: one random
    word per citizen gives all ten, and shocks that accumulate in a drifting score
    are Gaussian anyway (central limit theorem).
    """
    c, p = m.citizens, m.p
    gains = np.array([p["gain_company"], p["gain_other"], p["gain_passive"],
                      p["gain_belief"], p["gain_meeting"]], dtype=np.float32)
    setbacks = np.array([p["setback_change"], p["setback_interruption"]], dtype=np.float32)
    _progress(c.scores, c.levels, c.anchor, c.readiness, c.in_company, c.in_other, c.belief, c.met,
              c.changed, c.interrupted, m.streams.words("progression", m.week, c.uid),
              gains, setbacks, np.float32(p["rel_drift"]), np.float32(p["rel_level_decay"]),
              np.float32(p["noise_sd"] / SHOCK_SD),
              m.readiness_weights, c.weeks_company, c.weeks_other, c.weeks_passive,
              c.weeks_on_benefit)


@njit(fastmath=True, parallel=True)
def _progress(scores, levels, anchor, readiness, in_company, in_other, belief, met, changed,
              interrupted, words, gains, setbacks, drift, decay, shock_scale, weights,
              weeks_company, weeks_other, weeks_passive,
              weeks_on_benefit):  # pragma: no cover - compiled
    """The rule above for each citizen in one pass (numba: a dozen numpy passes
    over all citizens cost more than the arithmetic itself)."""
    mask = 2**SHOCK_BITS - 1
    half = np.float32((2**SHOCK_BITS - 1) / 2)
    n = scores.shape[0]
    for chunk in numba.prange(n_chunks(n)):
        for i in chunk_rows(chunk, n):
            _progress_one(i, scores, levels, anchor, readiness, in_company, in_other, belief,
                          met, changed, interrupted, words[i], gains,
                          setbacks, drift, decay, shock_scale, weights, weeks_company,
                          weeks_other, weeks_passive, weeks_on_benefit, mask, half)


@njit(fastmath=True, inline="always")
def _progress_one(i, scores, levels, anchor, readiness, in_company, in_other, belief, met,
                  changed, interrupted, word, gains, setbacks, drift, decay, shock_scale,
                  weights, weeks_company, weeks_other, weeks_passive, weeks_on_benefit, mask,
                  half):  # pragma: no cover - compiled
    """One citizen's week of :func:`_progress` (``word``: its random word)."""
    passive = not (in_company[i] or in_other[i])
    gain = (gains[0] * in_company[i] + gains[1] * in_other[i] + gains[2] * passive
            + gains[4] * met[i])
    if belief[i] > 0:  # 0 = not yet formed by the current caseworker
        gain += gains[3] * np.float32(belief[i] - 3) / np.float32(2)
    setback = setbacks[0] * changed[i] + setbacks[1] * interrupted[i]
    signed = np.int64(word >> np.uint64(1))  # signed: int-to-float is one instruction
    total = np.float32(0.0)
    for k in range(scores.shape[1]):
        shock = np.float32((signed >> (SHOCK_BITS * k)) & mask) - half
        level = levels[i, k] + gain - setback + decay * (anchor[i, k] - levels[i, k])
        score = scores[i, k] + drift * (level - scores[i, k]) - setback
        score += shock * shock_scale
        levels[i, k] = level
        scores[i, k] = score
        total += weights[k] * score
    readiness[i] = total
    weeks_company[i] += in_company[i]
    weeks_other[i] += in_other[i]
    weeks_passive[i] += passive
    weeks_on_benefit[i] += 1
