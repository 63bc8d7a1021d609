"""numba for bipsim's compiled loops: one decorator, and a cache that cannot go stale.

Every compiled function is ``@njit`` from here: numba with its on-disk cache (a
run loads the machine code compiled by an earlier one instead of compiling again)
and without the GIL; its threads wait asleep (below). numba checks a cached function
against its own source file only, not against the functions it calls in other files
(the random-number hash in ``streams.py``, the chunks in ``chunks.py``). So the
cache lives in a folder named after a hash of all the files with compiled code:
after any change there, everything compiles afresh once (about 20 s), and an
unchanged tree never compiles.

The folder is ``$NUMBA_CACHE_DIR/bipsim-<hash>`` when that variable is set, else
``$XDG_CACHE_HOME/bipsim/numba-<hash>`` (``~/.cache``). Old folders are not removed.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numba

PACKAGE = Path(__file__).resolve().parent

#: The files with compiled code (and whatever those functions call).
COMPILED_SOURCES = ("agents.py", "chunks.py", "compiled.py", "streams.py", "rules/*.py")


def source_hash() -> str:
    """Short SHA-256 of the files with compiled code (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in COMPILED_SOURCES for p in PACKAGE.glob(pattern)}):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """The cache folder for this version of the compiled code."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]) / f"bipsim-{source_hash()}"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "bipsim" / f"numba-{source_hash()}"


# before any function below is decorated: numba reads it when a function enables caching
numba.config.CACHE_DIR = str(cache_dir())

# numba's OpenMP threads wait between parallel loops; by default they spin for a long
# while, so on a busy machine a waiting thread takes the core from the one with work:
# national with two threads took 11-22 s instead of about 2 under a load of 4-5. Waiting
# asleep costs a little on an idle machine. Read when numba starts its threads (the
# first parallel loop); a value already set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#: ``numba.njit`` with the cache on and the GIL released.
njit = functools.partial(numba.njit, cache=True, nogil=True)
