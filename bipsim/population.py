"""Building the population: jobcentres, caseworker posts and citizens."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .agents import NEVER, CaseworkerSet, CitizenSet
from .indicators import N_INDICATORS
from .parameters import ParameterError
from .streams import Streams

CASELOAD_CLIP = (25.0, 220.0)  # EVIDENCE.md: union guideline 25-40 .. central Copenhagen 220
TURNOVER_CLIP = (0.05, 0.40)   # EVIDENCE.md: ~13 %/yr (7-8 years tenure) .. 25 %/yr Copenhagen


@dataclass
class Jobcentres:
    """Per-jobcentre settings drawn once at set-up.

    Attributes:
        size: Citizens at week 0.
        caseload: Citizens per caseworker.
        turnover: Annual caseworker turnover.
        first_post: Index of the jobcentre's first post; its posts are contiguous.
        n_posts: Number of caseworker posts.
        company_slots: Company placement places.
    """

    size: np.ndarray
    caseload: np.ndarray
    turnover: np.ndarray
    first_post: np.ndarray
    n_posts: np.ndarray
    company_slots: np.ndarray

    def __len__(self) -> int:
        return len(self.size)


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer shares of ``total`` proportional to ``weights``, each at least 1."""
    raw = weights / weights.sum() * total
    counts = np.maximum(np.floor(raw).astype(np.int64), 1)
    short = total - counts.sum()
    if short > 0:  # largest remainders first, ties by index
        counts[np.argsort(-(raw - np.floor(raw)), kind="stable")[:short]] += 1
    return counts


def _spread(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    """Lognormal values with the given mean and coefficient of variation."""
    sigma = np.sqrt(np.log1p(cv**2))
    return mean * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)


def build_jobcentres(p: dict, streams: Streams) -> Jobcentres:
    """Sizes, caseloads, turnover, posts and company slots of every jobcentre."""
    rng = streams.generator("setup_jobcentres", 0)
    n_jc = p["n_jobcentres"]
    if n_jc > p["n_citizens"]:
        raise ParameterError(f"population.n_jobcentres ({n_jc}) exceeds population.n_citizens "
                             f"({p['n_citizens']}): every jobcentre needs a citizen")
    weights = np.exp(p["jobcentre_size_spread"] * rng.standard_normal(n_jc))
    size = _split(p["n_citizens"], weights)
    caseload = _spread(rng, p["caseload"], p["caseload_spread"], n_jc)
    caseload = np.clip(caseload, min(CASELOAD_CLIP[0], p["caseload"]),
                       max(CASELOAD_CLIP[1], p["caseload"]))
    turnover = _spread(rng, p["annual_turnover"], p["turnover_spread"], n_jc)
    if p["turnover_spread"] > 0:
        turnover = np.clip(turnover, *TURNOVER_CLIP)
    n_posts = np.ceil(size / caseload).astype(np.int64)
    first_post = np.concatenate([[0], np.cumsum(n_posts)[:-1]])
    slots = company_slots(p["company_slots_per_100"], size)
    return Jobcentres(size, caseload, turnover, first_post, n_posts, slots)


def company_slots(per_100: float, size: np.ndarray) -> np.ndarray:
    """Company placement places of jobcentres of ``size`` citizens."""
    return np.round(per_100 * size / 100).astype(np.int64)


def build_caseworkers(jc: Jobcentres, p: dict, streams: Streams) -> CaseworkerSet:
    """One caseworker in every post, optimism drawn from the trait distribution."""
    n = int(jc.n_posts.sum())
    rng = streams.generator("setup_caseworkers", 0)
    return CaseworkerSet(
        jobcentre=np.repeat(np.arange(len(jc), dtype=np.int32), jc.n_posts),
        uid=np.arange(n, dtype=np.int64),
        optimism=draw_optimism(rng, n, p),
        ti_hired=-rng.integers(0, 8 * 52, n).astype(np.int32),
        vacant_until=np.full(n, NEVER, dtype=np.int32),
        next_uid=n,
    )


def draw_optimism(rng: np.random.Generator, n: int, p: dict) -> np.ndarray:
    """Optimism traits of ``n`` new caseworkers (training shifts the mean)."""
    mean = p["optimism_mean"] + p["expectations_training"]
    return (mean + p["optimism_sd"] * rng.standard_normal(n)).astype(np.float32)


def draw_citizens(citizens: CitizenSet, n: int, week: int, p: dict,
                  streams: Streams, stream: str) -> dict[str, np.ndarray]:
    """Rows for ``n`` new citizens: correlated indicator levels, age band, entry week.

    Each indicator level is ``loading * common + sqrt(1 - loading**2) * own``: a
    common factor (health, resources) runs under all of them.
    """
    rows = citizens.new_rows(n)
    rng = streams.generator(stream, week)
    loading = p["factor_loading"]
    common = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, N_INDICATORS))
    levels = (loading * common + np.sqrt(1 - loading**2) * own).astype(np.float32)
    rows["levels"] = levels
    rows["anchor"] = levels.copy()
    rows["scores"] = levels.copy()
    rows["under_30"] = rng.random(n) < p["share_under_30"]
    rows["ti_entry"][:] = week
    return rows


def assign_posts(size: np.ndarray, jc: Jobcentres, rng: np.random.Generator) -> np.ndarray:
    """Spread each jobcentre's citizens evenly over its posts, in random order."""
    posts = []
    for j, n in enumerate(size):
        cycle = jc.first_post[j] + np.arange(n) % jc.n_posts[j]
        posts.append(rng.permutation(cycle))
    return np.concatenate(posts).astype(np.int32)
