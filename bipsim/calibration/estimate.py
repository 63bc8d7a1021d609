"""The BIP-style analysis of a simulated study: a discrete-time hazard model.

From the quarterly survey panel, one row per citizen and wave: the answers given at
the wave (measured indicators, the caseworker's belief) and the caseworker changes
so far are the covariates; the outcome is an exit to job or education before the
next wave. A binomial GLM with complementary log-log link on such person-period
data is the grouped-time proportional hazards model, so ``exp(coefficient)`` is a
hazard ratio (Prentice & Gloeckler 1978). :func:`fit_cloglog` fits it by iteratively
reweighted least squares, the algorithm (and stopping rule) of statsmodels' GLM, in
a few milliseconds instead of a second: calibration fits it once per simulated study.
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
    """Covariates: a constant, believes (answer 'good chances' or 'yes'), caseworker
    changes so far, the ten measured indicators (1-5 answers), log duration, age band."""
    x = pd.DataFrame({
        "const": 1.0,
        "believes": (periods.belief >= BELIEVES).astype(float),
        "n_changes": periods.n_changes.astype(float),
        "log_weeks_on_benefit": np.log1p(periods.weeks_on_benefit.astype(float)),
        "under_30": periods.under_30.astype(float),
    })
    for name in INDICATORS:
        x[name] = periods[name].astype(float)
    return x


def fit_hazard(periods: pd.DataFrame) -> HazardFit:
    """Fit the cloglog discrete-time hazard model to person-period rows."""
    x = design_matrix(periods)
    coef, se = fit_cloglog(x.to_numpy(), periods.event.to_numpy(dtype=float))
    at = {name: k for k, name in enumerate(x.columns)}
    return HazardFit(
        hr_believes=float(np.exp(coef[at["believes"]])),
        se_log_believes=float(se[at["believes"]]),
        hr_per_change=float(np.exp(coef[at["n_changes"]])),
        se_log_per_change=float(se[at["n_changes"]]),
        n_rows=len(periods), n_events=int(periods.event.sum()))


def fit_cloglog(x: np.ndarray, y: np.ndarray, tol: float = 1e-8,
                max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood binomial GLM with complementary log-log link.

    Fisher scoring as statsmodels' ``GLM.fit()`` does it: start from
    ``mu = (y + 0.5) / 2``, stop when the deviance changes by less than ``tol``
    (relative); standard errors from the inverse Fisher information.

    Returns:
        Coefficients and their standard errors. NaNs when the information matrix
        is singular (a covariate without variation).
    """
    mu = (y + 0.5) / 2
    eta = np.log(-np.log1p(-mu))
    deviance = np.inf
    info = np.eye(x.shape[1])
    for _ in range(max_iter):
        exp_eta = np.exp(eta)
        mu = np.clip(-np.expm1(-exp_eta), 1e-12, 1 - 1e-12)
        slope = np.maximum(exp_eta * np.exp(-exp_eta), 1e-300)  # d mu / d eta
        weight = slope**2 / (mu * (1 - mu))
        working = eta + (y - mu) / slope
        info = (x * weight[:, None]).T @ x
        try:
            coef = np.linalg.solve(info, x.T @ (weight * working))
        except np.linalg.LinAlgError:
            nan = np.full(x.shape[1], np.nan)
            return nan, nan
        eta = x @ coef
        mu = np.clip(-np.expm1(-np.exp(eta)), 1e-12, 1 - 1e-12)
        new = -2 * float(np.sum(y * np.log(mu) + (1 - y) * np.log1p(-mu)))
        converged = abs(new - deviance) <= tol * (abs(new) + tol)
        deviance = new
        if converged:
            break
    exp_eta = np.exp(eta)
    mu = np.clip(-np.expm1(-exp_eta), 1e-12, 1 - 1e-12)
    slope = exp_eta * np.exp(-exp_eta)
    info = (x * (slope**2 / (mu * (1 - mu)))[:, None]).T @ x
    try:
        se = np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        se = np.full(x.shape[1], np.nan)
    return coef, se
