"""Priors of the calibrated parameters, as the parameter table declares them.

Calibration samples each parameter on its *coordinate*: the value itself for a
``uniform`` prior, its natural log for a ``loguniform`` one, so the sampler's
perturbations are symmetric where the prior is flat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..parameters import BY_NAME, PARAMETERS

#: The prior shapes calibration samples (the table knows more).
SHAPES = ("uniform", "loguniform")


@dataclass(frozen=True)
class Prior:
    """A flat prior on a parameter's coordinate.

    Attributes:
        name: The parameter (keyword name, ``p_job``).
        shape: ``uniform`` (flat in the value) or ``loguniform`` (flat in its log).
        low: Smallest value the prior allows.
        high: Largest value.
        reason: Why this shape and range (the evidence behind them).
    """

    name: str
    shape: str
    low: float
    high: float
    reason: str

    def __post_init__(self) -> None:
        spec = BY_NAME.get(self.name)
        if spec is None or spec.kind != "float":
            raise ValueError(f"prior of {self.name!r}: not a numeric model parameter")
        if self.shape not in SHAPES:
            raise ValueError(f"prior of {self.name}: shape {self.shape!r}; allowed: "
                             + ", ".join(SHAPES))
        if not (spec.low <= self.low < self.high <= spec.high):
            raise ValueError(f"prior of {self.name}: range [{self.low}, {self.high}] must be "
                             f"increasing and inside the allowed {spec.allowed()}")
        if self.shape == "loguniform" and self.low <= 0:
            raise ValueError(f"prior of {self.name}: a loguniform range must be positive")

    @property
    def log(self) -> bool:
        """Whether the coordinate is the log of the value."""
        return self.shape == "loguniform"

    def coordinate(self, value: float) -> float:
        """The sampling coordinate of a value."""
        return math.log(value) if self.log else float(value)

    def value(self, coordinate: float) -> float:
        """The value at a sampling coordinate."""
        return math.exp(coordinate) if self.log else float(coordinate)

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's range on the coordinate."""
        return self.coordinate(self.low), self.coordinate(self.high)

    def quantile(self, q: float) -> float:
        """The value below which the prior puts probability ``q``."""
        lo, hi = self.bounds
        return self.value(lo + q * (hi - lo))

    def describe(self) -> str:
        """``loguniform 0.0005-0.005``."""
        return f"{self.shape} {self.low:g}-{self.high:g}"


def calibrated_priors() -> list[Prior]:
    """The prior of every calibrated parameter, in the parameter table's order (the
    table, ``bipsim/parameters.yaml``, gives each one's shape, range and reason)."""
    out = []
    for spec in PARAMETERS.values():
        if spec.calibrated:
            if spec.prior.dist not in SHAPES:
                raise ValueError(f"{spec.path}: calibrate samples {' or '.join(SHAPES)} priors, "
                                 f"the table gives {spec.prior.describe()}")
            out.append(Prior(spec.name, spec.prior.dist, spec.prior.low, spec.prior.high,
                             spec.prior.why))
    return out
