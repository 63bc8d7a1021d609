"""Common random numbers: one named stream per stochastic decision, keyed by citizen.

Per-citizen draws are *counter-based*: the number citizen ``uid`` gets from stream
``name`` in week ``week`` is a hash of ``(seed, name, week, uid)``, computed on its
own. So changing one decision never shifts the numbers another decision sees, and
a citizen gets the same number whoever else is on benefit: two scenarios run with
the same seed give each citizen the same luck until their policies make them
differ (Starsim's ``distributions.py`` aims at the same with slot-indexed draws).
The hash is two rounds of the SplitMix64 finaliser keyed by two 64-bit words that
``numpy.random.SeedSequence`` derives from ``(seed, name, week)``; the test suite
checks uniformity and independence. Draws made once per citizen (traits at entry,
set-up) use a fixed counter rather than the week, so a citizen who enters in another
week still gets the same traits; several numbers of one decision use the counter as
an index (:meth:`Streams.normal_columns`).

**Uids, and why each jobcentre counts its own.** A draw is only as stable as the uid
it is keyed by. The week-0 stock has uids ``0 .. n_citizens - 1`` in blocks by
jobcentre (so ``uid < n_citizens`` marks the stock). The ``k``-th entrant of
jobcentre ``j`` (``k = 0, 1, ...``) has uid ``n_citizens + k * n_jobcentres + j``, and
the ``k``-th caseworker ever in jobcentre ``j`` (the first ones hold its posts in
order) has uid ``k * n_jobcentres + j`` (:class:`bipsim.agents.CitizenSet`,
:class:`bipsim.agents.CaseworkerSet`). A citizen's uid thus depends on its own
jobcentre's history only: one extra leaver in one jobcentre shifts no other
jobcentre's uids, and so none of their numbers. Where an entrant goes depends on its
own jobcentre too (``rules.inflow``), and the few draws that are per jobcentre (how
many enter in ``rate`` inflow, whether a reorganisation happens) are keyed by the
jobcentre's index. Together: any random number a citizen or caseworker gets depends
only on (seed, decision, uid, week or counter), and a lever changed in one jobcentre
leaves every other jobcentre's citizens bit-identical (``tests/test_worlds.py``).

Draws that are not per citizen, caseworker or jobcentre (the jobcentres' own sizes
and settings at set-up) use an ordinary ``numpy.random.Generator`` seeded from
``(seed, name, week)``.
"""

from __future__ import annotations

import zlib

import numba
import numpy as np
from scipy.special import ndtri


def stream_key(name: str) -> int:
    """Stable integer for a stream name (independent of declaration order)."""
    return zlib.crc32(name.encode())


class Streams:
    """Named random streams derived from one seed.

    Args:
        seed: The run's seed; ``0`` is a valid seed like any other.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def _sequence(self, name: str, week: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(stream_key(name), week + 1_000_000))

    def generator(self, name: str, week: int) -> np.random.Generator:
        """A fresh generator for draws that are not per citizen (posts, jobcentres)."""
        return np.random.Generator(np.random.PCG64(self._sequence(name, week)))

    def words(self, name: str, week: int, uids: np.ndarray) -> np.ndarray:
        """One random 64-bit word per uid."""
        key = self._sequence(name, week).generate_state(2, np.uint64)
        return _hash_words(np.ascontiguousarray(uids, dtype=np.int64), key[0], key[1])

    def uniform(self, name: str, week: int, uids: np.ndarray) -> np.ndarray:
        """One uniform number in [0, 1) per uid."""
        return (self.words(name, week, uids) >> np.uint64(11)) * (1.0 / 2**53)

    def normal(self, name: str, week: int, uids: np.ndarray) -> np.ndarray:
        """One standard normal number per uid (inverse CDF of :meth:`uniform`)."""
        return ndtri(np.maximum(self.uniform(name, week, uids), 2.0**-54))

    def normal_columns(self, name: str, uids: np.ndarray, k: int) -> np.ndarray:
        """``k`` standard normal numbers per uid, shape ``(len(uids), k)``: column ``i``
        is :meth:`normal` with counter ``i`` (for draws made once per citizen)."""
        out = np.empty((len(uids), k))
        for i in range(k):
            out[:, i] = self.normal(name, i, uids)
        return out


@numba.njit(cache=True, nogil=True)
def _mix(z):  # pragma: no cover - compiled
    """SplitMix64 finaliser: a bijection on 64-bit words that mixes every bit."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, nogil=True)
def _hash_words(uids, key0, key1):  # pragma: no cover - compiled
    out = np.empty(uids.shape[0], dtype=np.uint64)
    golden = np.uint64(0x9E3779B97F4A7C15)
    for i in range(uids.shape[0]):
        out[i] = _mix(_mix(key0 + np.uint64(uids[i]) * golden) ^ key1)
    return out
