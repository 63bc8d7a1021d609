"""The BIP-style analysis of a simulated study: a discrete-time hazard model.

From the quarterly survey panel, one row per citizen and wave: the answers given at
the wave (measured indicators, the caseworker's belief) and the caseworker changes
so far are the covariates; the outcome is an exit to job or education before the
next wave. A binomial GLM with complementary log-log link on such person-period
data is the grouped-time proportional hazards model, so ``exp(coefficient)`` is a
hazard ratio (Prentice & Gloeckler 1978). statsmodels fits it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..indicators import INDICATORS
from ..rules.meetings import BELIEVES

LEAVES_FOR = ("job", "education")


@dataclass(frozen=True)
class HazardFit:
    """Hazard ratios of the fitted model, with standard errors of their logs."""

    hr_believes: float
    se_log_believes: float
    hr_per_change: float
    se_log_per_change: float
    n_rows: int
    n_events: int


def person_periods(panel: pd.DataFrame, citizens: pd.DataFrame, wave_interval: int,
                   last_week: int) -> pd.DataFrame:
    """One row per citizen and wave with a full interval of follow-up after it.

    ``event`` is 1 when the citizen leaves for job or education within the interval
    after the wave; leaving for another benefit ends follow-up with ``event`` 0
    (cause-specific hazard). Waves where the caseworker had formed no belief yet
    (just after a change) are left out: BIP's caseworker always answered.
    """
    exits = citizens.set_index("uid")[["status", "ti_exit"]]
    rows = panel[(panel.week + wave_interval <= last_week) & (panel.belief > 0)]
    rows = rows.join(exits, on="uid")
    ti_exit = rows["ti_exit"].astype("float").fillna(np.inf).to_numpy()
    in_interval = (ti_exit > rows.week) & (ti_exit <= rows.week + wave_interval)
    wanted = rows["status"].astype(str).isin(LEAVES_FOR).to_numpy()
    out = rows.assign(event=(in_interval & wanted).astype(int))
    return out.reset_index(drop=True)


def design_matrix(periods: pd.DataFrame) -> pd.DataFrame:
    """Covariates: believes (answer 'good chances' or 'yes'), caseworker changes so
    far, the ten measured indicators (1-5 answers), log duration, age band."""
    import statsmodels.api as sm  # heavy: imported when a study is analysed

    x = pd.DataFrame({
        "believes": (periods.belief >= BELIEVES).astype(float),
        "n_changes": periods.n_changes.astype(float),
        "log_weeks_on_benefit": np.log1p(periods.weeks_on_benefit.astype(float)),
        "under_30": periods.under_30.astype(float),
    })
    for name in INDICATORS:
        x[name] = periods[name].astype(float)
    return sm.add_constant(x, has_constant="add")


def fit_hazard(periods: pd.DataFrame) -> HazardFit:
    """Fit the cloglog discrete-time hazard model to person-period rows."""
    import statsmodels.api as sm

    x = design_matrix(periods)
    model = sm.GLM(periods.event.astype(float), x,
                   family=sm.families.Binomial(link=sm.families.links.CLogLog()))
    result = model.fit()
    return HazardFit(
        hr_believes=float(np.exp(result.params["believes"])),
        se_log_believes=float(result.bse["believes"]),
        hr_per_change=float(np.exp(result.params["n_changes"])),
        se_log_per_change=float(result.bse["n_changes"]),
        n_rows=len(periods), n_events=int(periods.event.sum()))
