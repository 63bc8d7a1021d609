"""Priors of the calibrated parameters: shape, range and the reason for them.

Calibration samples each parameter on its *coordinate*: the value itself for a
``uniform`` prior, its natural log for a ``log-uniform`` one, so the sampler's
perturbations are symmetric where the prior is flat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..parameters import BY_NAME

SHAPES = ("uniform", "log-uniform")


@dataclass(frozen=True)
class Prior:
    """A flat prior on a parameter's coordinate.

    Attributes:
        name: The parameter (keyword name, ``p_job``).
        shape: ``uniform`` (flat in the value) or ``log-uniform`` (flat in its log).
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
        if self.shape == "log-uniform" and self.low <= 0:
            raise ValueError(f"prior of {self.name}: a log-uniform range must be positive")

    @property
    def log(self) -> bool:
        """Whether the coordinate is the log of the value."""
        return self.shape == "log-uniform"

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
        """``log-uniform 0.0005-0.005``."""
        return f"{self.shape} {self.low:g}-{self.high:g}"


# Until the parameter table carries the priors, they are declared here.
_PRIORS = [
    Prior("p_job", "log-uniform", 0.0004, 0.006,
          "T1 (about 6 % in a job within a year) needs a weekly job hazard near 0.0012 "
          "for an average citizen; the reference hazard (readiness 0, no belief) is "
          "allowed a factor of about 3-5 either way"),
    Prior("p_education", "log-uniform", 0.0001, 0.004,
          "T2: education exits are about two thirds of job exits in the whole system; a "
          "wide range on the log scale around that"),
    Prior("p_other", "log-uniform", 0.0008, 0.01,
          "T2: a third of leavers go to another benefit; from one in 25 to one in 2.5 a "
          "year"),
    Prior("hr_readiness_job", "log-uniform", 1.0, 6.0,
          "BIP: readiness indicators predict job entry (7 of 11 significant); poor "
          "self-rated health alone has HR 0.58 (Carlier et al. 2014); from no effect to "
          "a strong gradient"),
    Prior("hr_belief", "log-uniform", 0.8, 2.5,
          "T4 (HR 1.33) mixes the structural effect with confounding by readiness: the "
          "structural part may be anything from slightly harmful to well above 1.33"),
    Prior("hr_caseworker_change", "log-uniform", 0.5, 1.1,
          "T7 (HR 0.78 per change) includes the setback path; the direct effect from "
          "twice as strong to none (or slightly positive)"),
    Prior("belief_readiness_weight", "uniform", 0.0, 1.5,
          "how much caseworkers see true readiness: from not at all to 1.5 SD of belief "
          "per SD of readiness (belief has SD about 1)"),
    Prior("optimism_mean", "uniform", -0.6, 0.6,
          "the belief answers' cut-points are set so T5 holds at optimism 0; a shift of "
          "0.6 SD moves the share of 'good chances or yes' by about 20 points"),
    Prior("optimism_sd", "uniform", 0.0, 1.2,
          "caseworkers differ in optimism (IZA World of Labor, 'Believing in clients'); "
          "from no spread to more than the spread of impressions"),
    Prior("annual_turnover", "uniform", 0.05, 0.35,
          "no national figure: 13 %/yr in well-run jobcentres (7-8 years tenure), 16.7 % "
          "in Roskilde, 25 % in Copenhagen; T8 (40 % with a change) pins it jointly "
          "with reorganisations"),
    Prior("p_offer", "log-uniform", 0.02, 0.6,
          "T9: one in four long-term recipients had no offer in 65 weeks, so with "
          "monthly meetings an offer per meeting well below the first guess of 0.3 is "
          "possible; the rules (an offer within 6 months, then yearly) bound it from below"),
    Prior("offer_readiness_slope", "uniform", 0.0, 2.0,
          "seeds 001, 004: the least ready are more often passive (direction); size "
          "from none to a factor of 7 in the odds per SD of readiness"),
    Prior("gain_passive", "uniform", -0.012, 0.002,
          "seeds 001, 004: citizens without an intervention develop least; from a loss "
          "of 0.6 SD a year to a slight gain"),
]

#: The prior of every calibrated parameter, by keyword name, in calibration order.
PRIORS: dict[str, Prior] = {prior.name: prior for prior in _PRIORS}
