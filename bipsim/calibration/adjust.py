"""Local-linear regression adjustment of an ABC posterior (Beaumont, Zhang &
Balding 2002, Genetics 162).

ABC accepts parameter sets whose simulated statistics are within epsilon of the
targets, not at them; with a limited budget epsilon stays well above zero and the
accepted sets are spread wider than the targets justify. Within the accepted
population, each parameter is regressed on the targets' z-scores (weighted by the
Epanechnikov kernel of the distance and the particle's importance weight), and
moved along the fitted line to where the z-scores equal ``e``:
``theta* = theta - beta' (z - e)``.

``e`` is each particle's own draw of the targets' errors (standard normal in
standard errors, zero for bounds): adjusting to ``e = 0`` would condition on the
published values as if they were exact, and the posterior would ignore their
stated uncertainty ("noisy ABC", Wilkinson 2013). Parameters are adjusted on the
logit of their position in the prior's range, so an adjusted value stays inside
the prior.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

#: Fewer effective particles than regressors plus this: no adjustment (too few to fit).
MIN_SPARE = 10
_EDGE = 1e-6


def kernel_weights(distance: np.ndarray, epsilon: float, weights: np.ndarray) -> np.ndarray:
    """Importance weight times the Epanechnikov kernel of distance / epsilon (sums to 1)."""
    ratio = np.clip(distance / epsilon, 0.0, 1.0) if np.isfinite(epsilon) else 0 * distance
    k = weights * (1.0 - ratio**2)
    return k / k.sum() if k.sum() > 0 else weights / weights.sum()


def regression_adjust(coords: np.ndarray, bounds: np.ndarray, z: np.ndarray,
                      kernel: np.ndarray, errors: np.ndarray) -> tuple[np.ndarray, bool]:
    """Adjusted coordinates of every particle.

    Args:
        coords: Particles x parameters, on the sampling coordinates.
        bounds: Parameters x 2, the prior's range on the coordinates.
        z: Particles x targets, the z-scores of each particle's study.
        kernel: Particle weights of the regression (:func:`kernel_weights`).
        errors: Particles x targets, the z-scores each particle is moved to.

    Returns:
        The adjusted coordinates, and whether an adjustment was made (not when the
        population is too small or its statistics are not all finite).
    """
    n_eff = 1.0 / np.sum(kernel**2)
    if n_eff < z.shape[1] + 1 + MIN_SPARE or not np.all(np.isfinite(z)):
        return coords, False
    low, high = bounds[:, 0], bounds[:, 1]
    u = logit(np.clip((coords - low) / (high - low), _EDGE, 1 - _EDGE))
    x = np.column_stack([np.ones(len(z)), z])
    root = np.sqrt(kernel)[:, None]
    beta, *_ = np.linalg.lstsq(x * root, u * root, rcond=None)  # rank-deficient safe
    adjusted = u - (z - errors) @ beta[1:]
    return low + (high - low) * expit(adjusted), True
