"""Fixed chunks of rows for the compiled per-citizen loops.

Each weekly rule's loop runs ``numba.prange`` over chunk numbers and, within a chunk,
over its rows (``for i in chunk_rows(chunk, n)``). A chunk's work never depends on
how many threads share the chunks, and what a loop sums (counts, indicator totals)
is summed per chunk and then over the chunks in chunk order, so one thread and many
give the same numbers, bit for bit.
"""

from __future__ import annotations

import numpy as np

from .compiled import njit

#: Rows per chunk (a multiple of the SIMD width; small enough that two threads
#: share the work of a jobcentre-sized model).
CHUNK = 8192


@njit(inline="always")
def n_chunks(n):  # pragma: no cover - compiled
    """Number of chunks that cover ``n`` rows."""
    return (n + CHUNK - 1) // CHUNK


@njit(inline="always")
def chunk_rows(chunk, n):  # pragma: no cover - compiled
    """The rows of chunk ``chunk`` of ``n`` rows, as an unsigned range: an unsigned
    index needs no negative-index check, which lets the loop be vectorised."""
    lo = np.uint64(chunk * CHUNK)
    return range(lo, min(np.uint64(n), lo + np.uint64(CHUNK)))


@njit
def pack(buffer, counts):  # pragma: no cover - compiled
    """Close the gaps of a buffer whose chunk ``c`` wrote ``counts[c]`` entries from
    ``c * CHUNK`` on: the entries end up at the front, in chunk order (the order
    one thread writing them all would give). Returns how many there are."""
    k = 0
    for chunk in range(counts.shape[0]):
        lo = chunk * CHUNK
        for a in range(lo, lo + counts[chunk]):  # k <= a: moving forward is safe
            buffer[k] = buffer[a]
            k += 1
    return k
