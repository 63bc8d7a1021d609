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

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from scipy.special import ndtri

from .compiled import njit


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
        self._column_keys: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        self._week_keys: dict[str, tuple[int, np.ndarray]] = {}  # first week, keys()
        # the seed as SeedSequence reads it: 32-bit words, lowest first, padded to its
        # pool size because every stream adds a spawn key
        words = [(self.seed >> (32 * k)) & 0xFFFFFFFF
                 for k in range(max(1, (self.seed.bit_length() + 31) // 32))]
        self._entropy = words + [0] * (POOL_SIZE - len(words))

    def _sequence(self, name: str, week: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(stream_key(name), week + 1_000_000))

    def generator(self, name: str, week: int) -> np.random.Generator:
        """A fresh generator for draws that are not per citizen (posts, jobcentres):
        PCG64 seeded by ``self._sequence(name, week)``, through :class:`_Entropy`."""
        return np.random.Generator(np.random.PCG64(_Entropy(self._entropy_of(name, week))))

    def keys(self, name: str, week: int) -> tuple[np.uint64, np.uint64]:
        """The two words that key stream ``name`` in ``week``; compiled rules pass
        them to :func:`word_at` / :func:`uniform_at` to draw inside their loops.

        They are ``self._sequence(name, week).generate_state(2, np.uint64)``, computed
        by a compiled copy of SeedSequence's mixing (numpy's takes ~20 us a call; a
        test checks the two agree). A stream asked for again (a weekly one) gets
        :data:`KEY_WEEKS` weeks' keys at once: the rules ask every week."""
        found = self._week_keys.get(name)
        if found is not None and 0 <= week - found[0] < len(found[1]):
            key = found[1][week - found[0]]
            return key[0], key[1]
        keys = _weeks_of_keys(self._entropy_of(name, week), 1 if found is None else KEY_WEEKS)
        self._week_keys[name] = (week, keys)
        return keys[0, 0], keys[0, 1]

    def _entropy_of(self, name: str, week: int) -> np.ndarray:
        """The 32-bit words ``self._sequence(name, week)`` mixes (in uint64)."""
        return np.array([*self._entropy, stream_key(name), week + 1_000_000], dtype=np.uint64)

    def words(self, name: str, week: int, uids: np.ndarray) -> np.ndarray:
        """One random 64-bit word per uid."""
        key0, key1 = self.keys(name, week)
        return _hash_words(np.ascontiguousarray(uids, dtype=np.int64), key0, key1)

    def uniform(self, name: str, week: int, uids: np.ndarray) -> np.ndarray:
        """One uniform number in [0, 1) per uid."""
        return (self.words(name, week, uids) >> np.uint64(11)) * (1.0 / 2**53)

    def normal(self, name: str, week: int, uids: np.ndarray) -> np.ndarray:
        """One standard normal number per uid (inverse CDF of :meth:`uniform`)."""
        return ndtri(np.maximum(self.uniform(name, week, uids), 2.0**-54))

    def poisson(self, name: str, week: int, uids: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """One Poisson(``mean``) count per uid (inverse CDF of :meth:`uniform`)."""
        return poisson_quantile(self.uniform(name, week, uids), np.asarray(mean, dtype=float))

    def normal_columns(self, name: str, uids: np.ndarray, k: int) -> np.ndarray:
        """``k`` standard normal numbers per uid as float32, shape ``(len(uids), k)``:
        column ``i`` is the normal of :meth:`uniform` with counter ``i`` (for draws made
        once per citizen). One compiled pass (hash and inverse CDF together), so the
        week-0 stock of millions is drawn as fast as from a ``Generator``."""
        keys = self._column_keys.get((name, k))
        if keys is None:  # the same every week: derive them once (~20 us a column)
            words = np.array([self._sequence(name, i).generate_state(2, np.uint64)
                              for i in range(k)], dtype=np.uint64).reshape(k, 2)
            keys = self._column_keys[name, k] = (np.ascontiguousarray(words[:, 0]),
                                                 np.ascontiguousarray(words[:, 1]))
        return _normal_columns(np.ascontiguousarray(uids, dtype=np.int64), *keys)


#: Weeks of a stream whose keys :meth:`Streams.keys` derives at once.
KEY_WEEKS = 32


#: Above this mean a Poisson count is drawn from its normal approximation (with
#: continuity correction): the inverse-CDF recurrence would underflow, and the error
#: of the approximation is far below anything the model resolves.
POISSON_NORMAL_FROM = 500.0


def poisson_quantile(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The Poisson(``mean``) count at cumulative probability ``u``, elementwise: the
    smallest ``k`` with ``P(X <= k) > u`` (``scipy.stats.poisson.ppf`` gives the same
    for small means but is ~30 times slower)."""
    u, mean = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(mean, dtype=float))
    k = np.zeros(u.shape, dtype=np.int64)
    big = mean > POISSON_NORMAL_FROM
    k[big] = np.maximum(np.floor(mean[big] + np.sqrt(mean[big]) * ndtri(u[big]) + 0.5), 0)
    idx = np.flatnonzero(~big & (mean > 0))
    pmf = np.exp(-mean[idx])
    cdf = pmf.copy()
    n = 0
    while len(idx):  # add one to every count whose cumulative probability is still <= u
        more = u[idx] >= cdf
        idx, pmf, cdf = idx[more], pmf[more], cdf[more]
        n += 1
        k[idx] += 1
        pmf = pmf * mean[idx] / n
        cdf = cdf + pmf
        if n > 4 * POISSON_NORMAL_FROM:  # u within rounding of 1
            break
    return k


class _Entropy(ISeedSequence):
    """A SeedSequence of these entropy words whose ``generate_state`` is compiled: the
    same state as ``numpy.random.SeedSequence`` (tested) in a fraction of the time."""

    def __init__(self, entropy: np.ndarray) -> None:
        self.entropy = entropy

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if np.dtype(dtype) == np.uint64:
            return _seed_sequence_state(self.entropy, n_words)
        return _seed_sequence_state(self.entropy, (n_words + 1) // 2).view(np.uint32)[:n_words]


# numpy.random.SeedSequence's constants (bit_generator.pyx, after O'Neill's seed_seq)
POOL_SIZE = 4
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _MASK32 = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF


@njit
def _hashmix(value, hash_const):  # pragma: no cover - compiled
    """SeedSequence's ``hashmix`` in 32-bit arithmetic; returns (value, hash_const)."""
    m = np.uint64(_MASK32)
    value = (value ^ hash_const) & m
    hash_const = (hash_const * np.uint64(_MULT_A)) & m
    value = (value * hash_const) & m
    return value ^ (value >> np.uint64(16)), hash_const


@njit
def _mix32(x, y):  # pragma: no cover - compiled
    m = np.uint64(_MASK32)
    result = ((np.uint64(_MIX_L) * x) - (np.uint64(_MIX_R) * y)) & m
    return result ^ (result >> np.uint64(16))


@njit
def _seed_sequence_state(entropy, n_words):  # pragma: no cover - compiled
    """``SeedSequence`` of these 32-bit entropy words (at least ``POOL_SIZE``), then
    ``generate_state(n_words, np.uint64)``."""
    m = np.uint64(_MASK32)
    pool = np.zeros(POOL_SIZE, dtype=np.uint64)
    h = np.uint64(_INIT_A)
    for i in range(POOL_SIZE):
        pool[i], h = _hashmix(entropy[i], h)
    for i_src in range(POOL_SIZE):
        for i_dst in range(POOL_SIZE):
            if i_src != i_dst:
                mixed, h = _hashmix(pool[i_src], h)
                pool[i_dst] = _mix32(pool[i_dst], mixed)
    for i_src in range(POOL_SIZE, entropy.shape[0]):
        for i_dst in range(POOL_SIZE):
            mixed, h = _hashmix(entropy[i_src], h)
            pool[i_dst] = _mix32(pool[i_dst], mixed)
    h = np.uint64(_INIT_B)
    words = np.zeros(2 * n_words, dtype=np.uint64)
    for i in range(2 * n_words):
        value = (pool[i % POOL_SIZE] ^ h) & m
        h = (h * np.uint64(_MULT_B)) & m
        value = (value * h) & m
        words[i] = value ^ (value >> np.uint64(16))
    state = np.empty(n_words, dtype=np.uint64)
    for i in range(n_words):  # little-endian pairs of 32-bit words, as numpy's view
        state[i] = words[2 * i] | (words[2 * i + 1] << np.uint64(32))
    return state


@njit
def _weeks_of_keys(entropy, n_weeks):  # pragma: no cover - compiled
    """The keys (one row of two words each) of the ``n_weeks`` weeks from the one whose
    entropy words are ``entropy`` (the week is the last word)."""
    keys = np.empty((n_weeks, 2), dtype=np.uint64)
    words = entropy.copy()
    for w in range(n_weeks):
        words[-1] = entropy[-1] + np.uint64(w)
        keys[w] = _seed_sequence_state(words, 2)
    return keys


@njit
def _mix(z):  # pragma: no cover - compiled
    """SplitMix64 finaliser: a bijection on 64-bit words that mixes every bit."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit
def word_at(uid, key0, key1):  # pragma: no cover - compiled
    """The random word of ``uid`` in the stream keyed by ``key0, key1``."""
    return _mix(_mix(key0 + np.uint64(uid) * np.uint64(0x9E3779B97F4A7C15)) ^ key1)


@njit
def uniform_at(uid, key0, key1):  # pragma: no cover - compiled
    """:meth:`Streams.uniform` of one uid, for compiled loops (the same number)."""
    return np.float64(word_at(uid, key0, key1) >> np.uint64(11)) * (1.0 / 2**53)


@njit
def _hash_words(uids, key0, key1):  # pragma: no cover - compiled
    out = np.empty(uids.shape[0], dtype=np.uint64)
    for i in range(uids.shape[0]):
        out[i] = word_at(uids[i], key0, key1)
    return out


@njit
def _normal_columns(uids, keys0, keys1):  # pragma: no cover - compiled
    out = np.empty((uids.shape[0], keys0.shape[0]), dtype=np.float32)
    golden = np.uint64(0x9E3779B97F4A7C15)
    for i in range(uids.shape[0]):
        for k in range(keys0.shape[0]):
            word = _mix(_mix(keys0[k] + np.uint64(uids[i]) * golden) ^ keys1[k])
            u = max(np.float64(word >> np.uint64(11)) * (1.0 / 2**53), 2.0**-54)
            out[i, k] = _inverse_normal(u)
    return out


# Wichura's AS 241 (PPND16, Appl. Statist. 37, 1988): the inverse normal CDF to about
# 1e-16, compiled (scipy's ndtri cannot be called from numba); tested against ndtri.
_A = (3.3871328727963666080, 1.3314166789178437745e2, 1.9715909503065514427e3,
      1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
      3.3430575583588128105e4, 2.5090809287301226727e3)
_B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
      2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
      5.2264952788528545610e3)
_C = (1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550,
      3.64784832476320460504, 1.27045825245236838258, 2.41780725177450611770e-1,
      2.27238449892691845833e-2, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187, 1.67638483018380384940, 6.89767334985100004550e-1,
      1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
      1.05075007164441684324e-9)
_E = (6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580,
      2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
      2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1,
      1.48753612908506148525e-2, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
      1.42151175831644588870e-7, 2.04426310338993978564e-15)


@njit
def _poly(c, x):  # pragma: no cover - compiled
    total = c[7]
    for j in range(6, -1, -1):
        total = total * x + c[j]
    return total


@njit
def _inverse_normal(p):  # pragma: no cover - compiled
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(_A, r) / _poly(_B, r)
    r = np.sqrt(-np.log(p if q < 0 else 1.0 - p))
    if r <= 5.0:
        value = _poly(_C, r - 1.6) / _poly(_D, r - 1.6)
    else:
        value = _poly(_E, r - 5.0) / _poly(_F, r - 5.0)
    return -value if q < 0 else value
