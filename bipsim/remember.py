"""Remember a rule's last answer while what it depends on stays the same.

Several rules ask every week for values that change only with a reform (the caseload
effects per jobcentre, the weekly chance that a post's caseworker leaves): a few
numpy calls each, which at a study's size are a visible part of the week.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np


def remember_last(key_of: Callable[..., Hashable]) -> Callable[[Callable[..., Any]],
                                                               Callable[..., Any]]:
    """Decorate a function so that it computes again only when ``key_of`` of its
    arguments differs from the last call's. One answer is kept per function, shared by
    every model of the process, so the arrays it returns are made read-only."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        last: list[Any] = [None, None]  # key, value

        @functools.wraps(fn)
        def remembered(*args: Any) -> Any:
            key = key_of(*args)
            if last[0] != key:
                value = fn(*args)
                for array in value if isinstance(value, tuple) else (value,):
                    if isinstance(array, np.ndarray):
                        array.flags.writeable = False
                last[:] = key, value
            return last[1]
        return remembered
    return wrap
