"""Errors the user caused: one shape, so every command reports them the same way.

An :class:`InputError` says which file, line and key are wrong, what was given and
what is allowed; the command line prints it and exits 2.
"""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """Bad input; ``str()`` is one message: ``file, line N: key: problem``.

    Attributes:
        problem: What is wrong (what was given, what is allowed), without the location.
        file: File as given (or a stand-in such as ``command line (--set)``), None if none.
        line: 1-based line in ``file``, None if unknown.
        key: Dotted key concerned (``caseworkers.annual_turnover``), None if none.
    """

    def __init__(self, problem: str, file: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.problem, self.file, self.line, self.key = problem, file, line, key
        where = f"{file}, line {line}" if file and line else file
        super().__init__(": ".join(part for part in (where, key, problem) if part))

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the attributes when pickled between processes (parallel sweeps).
        return type(self), (self.problem, self.file, self.line, self.key)
