"""The ten citizen-side BIP indicators and the readiness index built from them.

Scores are latent z-scores (0 = average entrant, 1 = one standard deviation).
BIP measured eleven indicators; the eleventh, the caseworker's belief, belongs to
the caseworker (see ``rules/meetings.py``).
"""

from __future__ import annotations

import numpy as np

#: Indicator keys, in column order of the citizens' indicator arrays.
INDICATORS: tuple[str, ...] = (
    "job_market_knowledge",
    "concentration",
    "self_efficacy",
    "purposefulness",
    "contact_ability",
    "cooperation",
    "network_support",
    "everyday_coping",
    "health_coping",
    "job_search",
)

#: What each indicator measures, in English.
LABELS_EN: dict[str, str] = {
    "job_market_knowledge": "knowledge of the job market",
    "concentration": "ability to concentrate",
    "self_efficacy": "belief in getting a job (self-efficacy)",
    "purposefulness": "purposefulness",
    "contact_ability": "ability to make contact",
    "cooperation": "ability to co-operate",
    "network_support": "support from the network",
    "everyday_coping": "coping with everyday life",
    "health_coping": "coping with health",
    "job_search": "job-search behaviour",
}

#: Labels a Danish trainer recognises (BIP terms).
LABELS_DA: dict[str, str] = {
    "job_market_knowledge": "Kendskab til arbejdsmarkedet",
    "concentration": "Koncentration",
    "self_efficacy": "Tro på at komme i job",
    "purposefulness": "Målrettethed",
    "contact_ability": "Evne til at skabe kontakt",
    "cooperation": "Samarbejdsevne",
    "network_support": "Netværksstøtte",
    "everyday_coping": "Hverdagsmestring",
    "health_coping": "Helbredsmestring",
    "job_search": "Jobsøgningsadfærd",
}

#: Indicators that predict job entry. BIP found 7 of 11 significant and named four
#: (health coping, job-market knowledge, self-efficacy, caseworker belief); network
#: support follows KORA 2017; job search and purposefulness complete the seven and
#: are this model's assumption.
PREDICTIVE: tuple[str, ...] = (
    "job_market_knowledge",
    "self_efficacy",
    "purposefulness",
    "network_support",
    "health_coping",
    "job_search",
)

N_INDICATORS = len(INDICATORS)


def readiness_weights(factor_loading: float) -> np.ndarray:
    """Weights that turn indicator scores into readiness with SD 1 among entrants.

    Readiness is the mean of the predictive indicators, rescaled by the standard
    deviation of a mean of ``k`` scores that correlate by ``factor_loading**2``.
    """
    k = len(PREDICTIVE)
    rho = factor_loading**2
    sd_of_mean = np.sqrt((1 + (k - 1) * rho) / k)
    weights = np.array([1.0 / k if name in PREDICTIVE else 0.0 for name in INDICATORS])
    return (weights / sd_of_mean).astype(np.float32)
