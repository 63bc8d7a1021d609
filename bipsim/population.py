"""Building the population: jobcentres, caseworker posts and citizens."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from . import municipalities
from .agents import NEVER, CaseworkerSet
from .indicators import N_INDICATORS
from .parameters import ParameterError
from .streams import Streams

#: Longest time already on benefit at week 0, in years since age 18: under 30, and
#: otherwise up to the pension age.
MAX_YEARS_UNDER_30, MAX_YEARS = 12, 47
CASELOAD_CLIP = (25.0, 220.0)  # EVIDENCE.md: union guideline 25-40 .. central Copenhagen 220
TURNOVER_CLIP = (0.05, 0.40)   # EVIDENCE.md: ~13 %/yr (7-8 years tenure) .. 25 %/yr Copenhagen


@dataclass
class Jobcentres:
    """Per-jobcentre settings drawn once at set-up.

    Attributes:
        size: Citizens at week 0 (their uids come in this order, see ``bipsim.streams``).
        caseload: Citizens per caseworker: the jobcentre's target, which sets its posts.
        caseload_factor: The jobcentre's caseload relative to ``caseworkers.caseload``
            (the lognormal draw of ``caseload_spread``; 1 without spread), kept so a
            dated caseload reform re-derives the targets as the build does.
        turnover: Annual caseworker turnover.
        first_post: Index of the jobcentre's first post; its posts are contiguous.
        n_posts: Number of caseworker posts.
        company_slots: Company placement places.
        names: Municipality of each jobcentre, or None for anonymous jobcentres.
    """

    size: np.ndarray
    caseload: np.ndarray
    turnover: np.ndarray
    first_post: np.ndarray
    n_posts: np.ndarray
    company_slots: np.ndarray
    caseload_factor: np.ndarray
    names: tuple[str, ...] | None = None

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
    """Sizes, caseloads, turnover, posts and company slots of every jobcentre.

    Sizes are lognormal (``jobcentre_sizes: lognormal``) or in proportion to the 98
    municipalities' stocks (``municipalities``); the lognormal draws are made either
    way, so caseloads and turnover are the same random numbers in both.
    """
    rng = streams.generator("setup_jobcentres", 0)
    problem = municipalities.count_problem(p)
    if problem:
        raise ParameterError(problem, "population.n_jobcentres")
    n_jc = p["n_jobcentres"]
    weights = np.exp(p["jobcentre_size_spread"] * rng.standard_normal(n_jc))
    names = municipalities.jobcentre_names(p)
    if p["jobcentre_sizes"] == municipalities.BY_TABLE and p["municipality"] == \
            municipalities.NONE:
        weights = np.array([m.stock for m in municipalities.table()], dtype=np.float64)
    size = _split(p["n_citizens"], weights)
    factor = _spread(rng, 1.0, p["caseload_spread"], n_jc)
    caseload = caseload_targets(p["caseload"], factor)
    turnover = _spread(rng, p["annual_turnover"], p["turnover_spread"], n_jc)
    if p["turnover_spread"] > 0:
        turnover = np.clip(turnover, *TURNOVER_CLIP)
    n_posts = posts_for(size, caseload)
    slots = company_slots(p["company_slots_per_100"], size)
    return Jobcentres(size, caseload, turnover, first_posts(n_posts), n_posts, slots, factor,
                      names)


def caseload_targets(caseload: float, factor: np.ndarray) -> np.ndarray:
    """Each jobcentre's caseload target: ``caseworkers.caseload`` times its own factor,
    clipped to :data:`CASELOAD_CLIP` (widened to include ``caseload`` itself)."""
    return np.clip(caseload * factor, min(CASELOAD_CLIP[0], caseload),
                   max(CASELOAD_CLIP[1], caseload))


def posts_for(size: np.ndarray, caseload: np.ndarray) -> np.ndarray:
    """Caseworker posts of jobcentres of ``size`` citizens at their caseload targets."""
    return np.ceil(size / caseload).astype(np.int64)


def first_posts(n_posts: np.ndarray) -> np.ndarray:
    """Index of each jobcentre's first post when its ``n_posts`` are laid out in order."""
    return np.concatenate([[0], np.cumsum(n_posts)[:-1]]).astype(np.int64)


def company_slots(per_100: float, size: np.ndarray) -> np.ndarray:
    """Company placement places of jobcentres of ``size`` citizens."""
    return np.round(per_100 * size / 100).astype(np.int64)


def build_caseworkers(jc: Jobcentres, p: dict, streams: Streams) -> CaseworkerSet:
    """One caseworker in every post, optimism drawn from the trait distribution; the
    ``i``-th post of jobcentre ``j`` starts with caseworker uid ``i * n_jobcentres + j``."""
    n_jc, n = len(jc), int(jc.n_posts.sum())
    jobcentre = np.repeat(np.arange(n_jc, dtype=np.int32), jc.n_posts)
    uid = (np.arange(n) - np.repeat(jc.first_post, jc.n_posts)) * n_jc + jobcentre
    tenure = np.floor(streams.uniform("caseworker_tenure", 0, uid) * 8 * 52)
    return CaseworkerSet(
        jobcentre=jobcentre,
        uid=uid.astype(np.int64),
        optimism=draw_optimism(streams, uid, p),
        ti_hired=-tenure.astype(np.int32),
        vacant_until=np.full(n, NEVER, dtype=np.int32),
        hired=jc.n_posts.astype(np.int64),
    )


def draw_optimism(streams: Streams, uids: np.ndarray, p: dict) -> np.ndarray:
    """Optimism traits of the caseworkers ``uids`` (training shifts the mean)."""
    mean = p["optimism_mean"] + p["expectations_training"]
    z = streams.normal("caseworker_optimism", 0, uids)
    return (mean + p["optimism_sd"] * z).astype(np.float32)


def draw_traits(rows: dict[str, np.ndarray], p: dict, streams: Streams,
                weights: np.ndarray) -> None:
    """Traits of new citizens, in place: correlated indicator levels, age band,
    readiness. Each is drawn once per uid, whenever and wherever the citizen enters.

    Each indicator level is ``loading * common + sqrt(1 - loading**2) * own``: a
    common factor (health, resources) runs under all of them.
    """
    uid = rows["uid"]
    z = streams.normal_columns("entry_levels", uid, 1 + N_INDICATORS)
    loading = np.float32(p["factor_loading"])
    levels = loading * z[:, :1] + np.sqrt(np.float32(1) - loading**2) * z[:, 1:]
    rows["levels"] = levels
    rows["anchor"] = levels.copy()
    rows["scores"] = levels.copy()
    rows["readiness"] = weighted_sum(levels, weights)
    rows["under_30"] = streams.uniform("entry_under_30", 0, uid) < p["share_under_30"]


def weighted_sum(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Readiness of each row of ``scores``, summed in a fixed order so a citizen's value
    does not depend on which other rows are in the batch (a BLAS product may)."""
    total = np.zeros(len(scores), dtype=np.float32)
    for k in np.flatnonzero(weights):
        total += weights[k] * scores[:, k]
    return total


def assign_posts(rows: dict[str, np.ndarray], jc: Jobcentres, streams: Streams) -> np.ndarray:
    """Spread each jobcentre's citizens evenly over its posts, in an order drawn per
    uid (so one jobcentre's posts never shift another's assignment)."""
    jobcentre = rows["jobcentre"]
    word = streams.words("setup_post", 0, rows["uid"]) >> np.uint64(24)
    order = np.argsort((jobcentre.astype(np.uint64) << np.uint64(40)) | word, kind="stable")
    sizes = np.bincount(jobcentre, minlength=len(jc))
    rank = np.empty(len(jobcentre), dtype=np.int64)
    rank[order] = np.arange(len(jobcentre)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return (jc.first_post[jobcentre] + rank % jc.n_posts[jobcentre]).astype(np.int32)


def draw_time_on_benefit(rows: dict[str, np.ndarray], p: dict, streams: Streams) -> np.ndarray:
    """Weeks the week-0 stock has already spent on benefit (T3: heavy-tailed, about
    30 % with five years or more).

    Lognormal with median ``dur_initial_median`` and log-SD ``dur_initial_sigma``,
    truncated at the weeks since age 18 (at most ``MAX_YEARS_UNDER_30`` under 30,
    ``MAX_YEARS`` otherwise); one uniform per uid through the inverse CDF.
    """
    mu, sigma = np.log(p["dur_initial_median"]), p["dur_initial_sigma"]
    cap = np.where(rows["under_30"], MAX_YEARS_UNDER_30, MAX_YEARS) * 52.0
    top = ndtr((np.log(cap) - mu) / sigma)
    u = streams.uniform("setup_time_on_benefit", 0, rows["uid"]) * top
    return np.floor(np.exp(mu + sigma * ndtri(np.maximum(u, 2.0**-54)))).astype(np.int32)


def draw_past_changes(rows: dict[str, np.ndarray], jc: Jobcentres, p: dict,
                      streams: Streams) -> np.ndarray:
    """Caseworker changes the week-0 stock had before week 0: Poisson with the
    jobcentre's rate of changes (turnover, and reorganisations moving
    ``share_reassigned`` of cases) over the time already on benefit. Kept apart from
    ``n_changes``, which counts changes during the run as BIP counted them over its
    follow-up (T7's hazard ratio, T8's share)."""
    years = -rows["ti_entry"] / 52
    per_year = jc.turnover[rows["jobcentre"]] + p["reorganisations_per_year"] * p[
        "share_reassigned"]
    counts = streams.poisson("setup_past_changes", 0, rows["uid"], years * per_year)
    return np.minimum(counts, np.iinfo(np.int16).max).astype(np.int16)
