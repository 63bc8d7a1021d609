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

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np

from ..agents import EDUCATION, JOB, NEVER
from ..indicators import INDICATORS
from ..rules.meetings import BELIEVES

LEAVES_FOR = (JOB, EDUCATION)
#: The covariates, in the order of the design matrix's columns.
COVARIATES = ("const", "believes", "n_changes", "log_weeks_on_benefit", "under_30",
              *INDICATORS)

Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class HazardFit:
    """Hazard ratios of the fitted model, with standard errors of their logs."""

    hr_believes: float
    se_log_believes: float
    hr_per_change: float
    se_log_per_change: float
    n_rows: int
    n_events: int


def exits_of(citizens: Columns, uids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per uid: the citizen's final status code and exit week as a float (``inf``
    while on benefit, and for a uid not in ``citizens``).

    Args:
        citizens: ``CitizenSet.all_columns()`` (every citizen ever present, in uid order).
        uids: The uids looked up.
    """
    known = citizens["uid"]
    at = np.minimum(np.searchsorted(known, uids), len(known) - 1)
    found = known[at] == uids
    ti_exit = citizens["ti_exit"][at]
    status = np.where(found, citizens["status"][at], -1)
    return status, np.where(found & (ti_exit != NEVER), ti_exit.astype(float), np.inf)


def person_periods(panel: Columns, citizens: Columns, wave_interval: int,
                   last_week: int) -> dict[str, np.ndarray]:
    """One row per citizen and wave with a full interval of follow-up after it.

    ``event`` is 1 when the citizen leaves for job or education within the interval
    after the wave; leaving for another benefit ends follow-up with ``event`` 0
    (cause-specific hazard). Waves where the caseworker had formed no belief yet
    (just after a change) are left out: BIP's caseworker always answered.

    Args:
        panel: The survey panel's columns (``BipModel.survey_columns()``).
        citizens: ``CitizenSet.all_columns()``.
        wave_interval: Weeks between waves.
        last_week: The study's last week.

    Returns:
        The panel's columns for those rows, with ``event``.
    """
    week = panel["week"]
    keep = np.flatnonzero((week + wave_interval <= last_week) & (panel["belief"] > 0))
    rows = {k: v[keep] for k, v in panel.items()}
    status, ti_exit = exits_of(citizens, rows["uid"])
    in_interval = (ti_exit > rows["week"]) & (ti_exit <= rows["week"] + wave_interval)
    rows["event"] = (in_interval & np.isin(status, LEAVES_FOR)).astype(int)
    return rows


def design_matrix(periods: Columns) -> np.ndarray:
    """Covariates (columns ``COVARIATES``): a constant, believes (answer 'good
    chances' or 'yes'), caseworker changes so far, the ten measured indicators (1-5
    answers), log duration, age band. Column-major, as the fit's products expect."""
    n = len(periods["belief"])
    x = np.empty((n, len(COVARIATES)), order="F")
    x[:, 0] = 1.0
    x[:, 1] = periods["belief"] >= BELIEVES
    x[:, 2] = periods["n_changes"]
    x[:, 3] = np.log1p(periods["weeks_on_benefit"].astype(float))
    x[:, 4] = periods["under_30"]
    for k, name in enumerate(INDICATORS, start=5):
        x[:, k] = periods[name]
    return x


def fit_hazard(periods: Columns) -> HazardFit:
    """Fit the cloglog discrete-time hazard model to person-period rows."""
    event = periods["event"]
    coef, se = fit_cloglog(design_matrix(periods), event.astype(float))
    at = {name: k for k, name in enumerate(COVARIATES)}
    return HazardFit(
        hr_believes=float(np.exp(coef[at["believes"]])),
        se_log_believes=float(se[at["believes"]]),
        hr_per_change=float(np.exp(coef[at["n_changes"]])),
        se_log_per_change=float(se[at["n_changes"]]),
        n_rows=len(event), n_events=int(event.sum()))


_blas: object | None = None  # threadpoolctl's controller, found on first use


def one_blas_thread() -> AbstractContextManager[object]:
    """A context in which numpy's BLAS uses one thread.

    OpenBLAS splits the rows of a matrix-vector product over its threads, and the
    rows at the seams come out different in the last bits (when the halves are
    odd), so ``x @ coef`` and the fit depend on the thread count. In one thread the
    fit is the same in every process (the calibration's workers run one BLAS thread
    anyway), and a fit of this size is faster on one: two threads spin waiting.
    """
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def fit_cloglog(x: np.ndarray, y: np.ndarray, tol: float = 1e-8,
                max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood binomial GLM with complementary log-log link.

    Fisher scoring as statsmodels' ``GLM.fit()`` does it: start from
    ``mu = (y + 0.5) / 2``, stop when the deviance changes by less than ``tol``
    (relative); standard errors from the inverse Fisher information. BLAS runs in
    one thread (:func:`one_blas_thread`), so the fit is the same in every process.

    Returns:
        Coefficients and their standard errors. NaNs when the information matrix
        is singular (a covariate without variation).
    """
    with one_blas_thread():
        return _fisher_scoring(x, y, tol, max_iter)


def _fisher_scoring(x: np.ndarray, y: np.ndarray, tol: float,
                    max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    # mu and exp(eta) of the last update are kept for the next iteration (and the
    # standard errors): the same numbers statsmodels recomputes from eta
    eta = np.log(-np.log1p(-((y + 0.5) / 2)))
    exp_eta = np.exp(eta)
    mu = _mean(exp_eta)
    not_y = 1 - y
    deviance = np.inf
    weighted = np.empty_like(x)  # x * weight, reused: one 48,000 x 15 buffer per fit
    for _ in range(max_iter):
        slope = np.maximum(exp_eta * np.exp(-exp_eta), 1e-300)  # d mu / d eta
        weight = slope**2 / (mu * (1 - mu))
        working = eta + (y - mu) / slope
        info = np.multiply(x, weight[:, None], out=weighted).T @ x
        try:
            coef = np.linalg.solve(info, x.T @ (weight * working))
        except np.linalg.LinAlgError:
            nan = np.full(x.shape[1], np.nan)
            return nan, nan
        eta = x @ coef
        exp_eta = np.exp(eta)
        mu = _mean(exp_eta)
        new = -2 * float(np.sum(y * np.log(mu) + not_y * np.log1p(-mu)))
        converged = abs(new - deviance) <= tol * (abs(new) + tol)
        deviance = new
        if converged:
            break
    slope = exp_eta * np.exp(-exp_eta)
    info = np.multiply(x, (slope**2 / (mu * (1 - mu)))[:, None], out=weighted).T @ x
    try:
        se = np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        se = np.full(x.shape[1], np.nan)
    return coef, se


def _mean(exp_eta: np.ndarray) -> np.ndarray:
    """The cloglog inverse link, ``1 - exp(-exp(eta))``, kept off 0 and 1."""
    return np.clip(-np.expm1(-exp_eta), 1e-12, 1 - 1e-12)
