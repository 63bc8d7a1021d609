"""How a posterior is sampled: the settings of ``bipsim calibrate`` (standard library
only, so building the command line stays fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How a posterior is sampled.

    Attributes:
        seed: Seed of the whole fit (proposals, acceptance, simulation seeds).
        population: Accepted particles per generation.
        generations: Most generations (the first samples the prior).
        max_simulations: Stop after the generation in which pyabc's count of
            evaluations passes this.
        alpha: Quantile of the last population's distances that sets the next
            epsilon (0.5: the median).
        draws: Equally weighted draws resampled from the final population.
        adjust: Regression-adjust the final population (:mod:`.adjust`); the draws
            are then simulated once more for the posterior predictive. Off by
            default: simulation-based calibration found the adjusted posterior's
            intervals narrower than the unadjusted ones and covering the truth less
            often (the linear fit is not local at the epsilon a modest budget ends at).
        min_ess: Effective particles the posterior needs: where the last
            generation's epsilon leaves fewer, the particles are taken from a wider
            epsilon (:func:`.posterior.widened_epsilon`).
        min_acceptance_rate: A generation that would accept fewer of its studies
            than this stops the fit (at most ``population / min_acceptance_rate``
            evaluations in one generation; 0: no limit).
    """

    seed: int = 2026
    population: int = 200
    generations: int = 8
    max_simulations: int = 9000
    alpha: float = 0.5
    draws: int = 400
    adjust: bool = False
    min_ess: int = 100
    min_acceptance_rate: float = 0.02

    def __post_init__(self) -> None:
        for name in ("population", "generations", "max_simulations", "draws", "min_ess"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, given {getattr(self, name)}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, given {self.alpha}")
        if not 0 <= self.min_acceptance_rate < 1:
            raise ValueError("min_acceptance_rate must be at least 0 and below 1, given "
                             f"{self.min_acceptance_rate}")


#: The shipped fit's settings are the defaults; ``--quick`` serves tests and trials.
QUICK = Settings(population=12, generations=2, max_simulations=60, draws=24, min_ess=8)
