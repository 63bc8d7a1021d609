"""How a caseworker's caseload changes what a meeting does, below the meeting cap.

The meeting cap (``meetings_per_week``) makes a high caseload mean fewer meetings.
The evidence says caseload also changes what happens *in* them: with fewer
citizens each gets more of the caseworker's time, more follow-up and more offers,
and the caseworker knows them better (Hainmueller et al. 2016: offices given extra
caseworkers intensified search support and monitoring and registered more
vacancies; Ravn & Nielsen 2019: a Danish municipality's much lower caseloads with
intensified measures raised employment; Lærkevej cut caseloads from about 200 to 50
to change practice; Maibom, Rosholm & Svarer 2017 and Schiprowski 2020: what a
meeting achieves depends on the time and the caseworker put into it).

Time per citizen is measured against :data:`REFERENCE_CASELOAD`, the caseload at
which the first guesses of the meeting gain, the offer chance and the belief
parameters are stated (today's mean, ≈82 in 2013, and the baseline's 80): at that
caseload nothing changes, so the calibrated baseline and the BIP study are the same
model as before. With ``time = REFERENCE_CASELOAD / caseload`` of the jobcentre:

- **time per meeting**: a meeting lifts the own level by
  ``gain_meeting x time ** caseload_meeting_elasticity``;
- **follow-up and offers**: the log-odds that a meeting starts an activity rise by
  ``caseload_offer_elasticity x ln(time)``;
- **judgement**: the caseworker's belief tracks readiness with weight
  ``belief_readiness_weight x q`` and an impression of SD
  ``sqrt(belief_noise_sd ** 2 + weight ** 2 x (1 - q ** 2))``, with
  ``q = time ** caseload_judgement_elasticity`` (at most :data:`MAX_JUDGEMENT` of the
  value that leaves no noise): the spread of the answers stays as calibrated (T5),
  only how well they sort citizens by readiness changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..agents import CITIZEN_COLUMNS
from ..remember import remember_last

if TYPE_CHECKING:
    from ..model import BipModel

LEVELS = CITIZEN_COLUMNS["levels"][0]  # the citizens' levels' dtype

#: Caseload at which the meeting, offer and belief parameters are stated.
REFERENCE_CASELOAD = 80.0
#: Largest share of the noise-free weight that better judgement can reach.
MAX_JUDGEMENT = 0.95


def _remembered(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Remember a function of the parameters ``names`` and the caseloads
    (:func:`~bipsim.remember.remember_last`): it changes only with a reform."""
    return remember_last(lambda p, caseload: (tuple(p[name] for name in names),
                                              np.asarray(caseload, np.float64).tobytes()))


def time_per_citizen(caseload: np.ndarray) -> np.ndarray:
    """Caseworker time per citizen relative to the reference caseload, per jobcentre."""
    return REFERENCE_CASELOAD / np.asarray(caseload, dtype=np.float64)


@_remembered("gain_meeting", "caseload_meeting_elasticity")
def meeting_gain(p: dict, caseload: np.ndarray) -> np.ndarray:
    """The gain of a meeting (SD of the own level) in each jobcentre."""
    return p["gain_meeting"] * time_per_citizen(caseload) ** p["caseload_meeting_elasticity"]


@_remembered("caseload_offer_elasticity")
def offer_shift(p: dict, caseload: np.ndarray) -> np.ndarray:
    """Change of the log-odds of an offer at a meeting, per jobcentre."""
    return p["caseload_offer_elasticity"] * np.log(time_per_citizen(caseload))


@_remembered("belief_readiness_weight", "belief_noise_sd", "caseload_judgement_elasticity")
def judgement(p: dict, caseload: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Belief weight on readiness and impression SD in each jobcentre.

    ``weight ** 2 + noise ** 2`` is the same in every jobcentre (the reference's), so
    the answers keep their calibrated spread.
    """
    weight, noise = p["belief_readiness_weight"], p["belief_noise_sd"]
    q = time_per_citizen(caseload) ** p["caseload_judgement_elasticity"]
    if weight > 0:  # better judgement can remove noise, not more than there is
        q = np.minimum(q, MAX_JUDGEMENT * np.sqrt(1 + (noise / weight) ** 2))
    w = weight * q
    # at the reference (q = 1) exactly the parameters, not a rounded recomputation
    noise_j = np.where(q == 1, noise, np.sqrt(np.maximum(noise**2 + weight**2 - w**2, 0.0)))
    return w, noise_j


def extra_meeting_gain(m: BipModel) -> np.ndarray:
    """Per jobcentre, the part of the meeting gain that comes from more (or less) time
    per citizen than at the reference caseload, in the levels' precision: what a
    meeting adds to the citizen's own levels on top of the reference gain, which the
    progression step adds. Empty when it is 0 everywhere (nothing to add)."""
    return _extra_gain(m.p, m.jobcentres.caseload)


@_remembered("gain_meeting", "caseload_meeting_elasticity")
def _extra_gain(p: dict, caseload: np.ndarray) -> np.ndarray:
    extra = meeting_gain(p, caseload) - p["gain_meeting"]
    if not np.any(extra != 0):
        return np.empty(0, dtype=LEVELS)
    return extra.astype(LEVELS)
