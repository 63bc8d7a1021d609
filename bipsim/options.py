"""The flags the ``bipsim`` subcommands share, each defined once with one default.

A subcommand takes a shared flag by calling its builder on its parser, e.g.
``add_seed(parser, "base seed of the replicate seeds")``; the flag's name, type,
metavar and default then agree across subcommands. Every builder leaves the
parser's default at ``None`` where "not given" must stay visible (``--resume``
refuses plan options, ``--workers`` excludes ``--scheduler``), and the command
resolves it with the function named in the builder's docstring.

:class:`Parser` is the ``ArgumentParser`` of every subcommand: no abbreviated
flags (``--se`` could be ``--seed`` or ``--set``), a did-you-mean for a mistyped
flag or subcommand, and exit code 2 for every usage error.

This module is imported by ``bipsim --help``: keep it to the standard library.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import importlib
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scenario import Override

#: Seconds to wait for a Dask scheduler before giving up (``--connect-timeout``).
CONNECT_TIMEOUT_S = 10.0
#: Default of ``--outputs``: where new run and experiment folders go.
OUTPUTS = "outputs"


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with bipsim's conventions.

    Flags must be spelled out (``allow_abbrev=False``); an unknown flag or an
    invalid subcommand is refused with the closest known one (``--sed`` ->
    ``did you mean --seed?``); every usage error exits 2 after the usage line.
    Subparsers made by :meth:`add_subparsers` are ``Parser`` too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args: Sequence[str] | None = None,
                         namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        """Parse ``args``; an unknown flag is an error here, not left to the caller.

        A subcommand's parser is called through this method, so it refuses its own
        unknown flags and shows its own usage line and suggestions.
        """
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}"
                       + self._suggest(extras))
        return namespace, extras

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and ``message`` (with a did-you-mean), exit 2."""
        wrong = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if wrong:
            choices = re.findall(r"'([^']*)'", wrong.group(2))
            close = difflib.get_close_matches(wrong.group(1), choices, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
        super().error(message)

    def _suggest(self, extras: list[str]) -> str:
        flags = [s for s in self._option_string_actions if s.startswith("--")]
        unknown = [word.split("=", 1)[0] for word in extras if word.startswith("-")]
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, flags, n=1, cutoff=0.6)
            if close:
                hints.append(f"did you mean {close[0]}?" if len(unknown) == 1
                             else f"{name}: did you mean {close[0]}?")
        return "; " + "; ".join(hints) if hints else ""


class _Formatter(argparse.HelpFormatter):
    """Help with room for the longest subcommand name before its description."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)


class Command:
    """A subcommand's function named by ``"module:function"``, imported when it runs.

    ``parser.set_defaults(func=Command("bipsim.commands:cmd_run"))`` keeps the
    module that builds the parser free of what the command needs (Mesa, numpy,
    pandas, rich, Dask...), so ``bipsim --help`` starts fast.
    """

    def __init__(self, target: str) -> None:
        self.module, _, self.name = target.partition(":")

    def __call__(self, args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(self.module), self.name)(args)

    def __repr__(self) -> str:
        return f"Command({self.module}:{self.name})"


def add_seed(parser: argparse.ArgumentParser, help: str) -> None:
    """``--seed N`` (an integer; default None: the command's documented default)."""
    parser.add_argument("--seed", type=int, metavar="N", help=help)


def add_weeks(parser: argparse.ArgumentParser) -> None:
    """``--weeks N``: weeks to simulate, for every run (default None: ``run.weeks``)."""
    parser.add_argument("--weeks", type=int, metavar="N",
                        help="weeks to simulate, for every run (default: the scenario's "
                             "run.weeks)")


def add_set(parser: argparse.ArgumentParser, what: str = "every run") -> None:
    """``--set KEY=VALUE``, repeatable (default None: no overrides; see :func:`overrides`)."""
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help=f"override a parameter of {what}, e.g. --set "
                             "caseworkers.caseload=40 (repeatable)")


def add_reps(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    """``--reps N``: replicates (default None, so the command can tell it was not given;
    ``default`` is what the command uses then, shown in the help)."""
    parser.add_argument("--reps", type=int, metavar="N",
                        help=f"replicates per {what} (default {default})")


#: Values of ``--locale`` (see :mod:`bipsim.formatting`); the first is the default.
LOCALES = ("en", "da")


def add_locale(parser: argparse.ArgumentParser) -> None:
    """``--locale en|da`` (default None: the setting ``BIPSIM_LOCALE``, else ``en``; see
    :func:`bipsim.formatting.resolve_locale`). Only what people read changes."""
    parser.add_argument("--locale", choices=LOCALES,
                        help="how printed tables, reports and plots write numbers: en "
                             "8,463.70 mio. DKK, 12.5 %%; da 8.463,70 mio. kr., 12,5 %% "
                             "(default: the setting BIPSIM_LOCALE, else en; CSV files "
                             "never change)")


def add_excel_csv(parser: argparse.ArgumentParser) -> None:
    """``--excel-csv``: also write each CSV table as ``NAME.da.csv`` for Excel."""
    parser.add_argument("--excel-csv", action="store_true",
                        help="also write every CSV table as NAME.da.csv beside it, for a "
                             "Danish Excel: ';' between fields, ',' as decimal mark, UTF-8 "
                             "with BOM (the .csv files stay as they are)")


#: Values of ``--uncertainty`` (see :mod:`bipsim.uncertainty.planning`).
UNCERTAINTY_MODES = ("parameters", "chance")


def add_uncertainty(parser: argparse.ArgumentParser, default: str | None) -> None:
    """``--uncertainty parameters|chance`` (default None: the command's, shown in the
    help; ``default`` None means the command takes it from elsewhere, e.g. a file)."""
    shown = default or "the criteria file's"
    parser.add_argument("--uncertainty", choices=UNCERTAINTY_MODES,
                        help="parameters: replicate r also draws the uncertain parameters "
                             "(posterior draw r of calibrated ones, prior draw r of first "
                             "guesses; what a scenario sets keeps its value); chance: the "
                             "central values only, intervals cover chance alone "
                             f"(default {shown})")


def add_output(parser: argparse.ArgumentParser, what: str = "run") -> None:
    """``--out DIR`` (exactly there, new or empty) and ``--outputs DIR`` (default ``outputs``)."""
    parser.add_argument("--out", metavar="DIR", help="write exactly here (must be new or empty)")
    parser.add_argument("--outputs", default=OUTPUTS, metavar="DIR",
                        help=f"folder for new {what} folders when --out is not given "
                             f"(default: {OUTPUTS})")


def add_quiet(parser: argparse.ArgumentParser, what: str = "no progress, no tables") -> None:
    """``--quiet``: print nothing but errors."""
    parser.add_argument("--quiet", action="store_true", help=what)


def add_workers(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    """``--workers N``: local processes (default None: one per core, see
    :func:`worker_count`; 0 runs in this process)."""
    parser.add_argument("--workers", type=count(0), metavar="N",
                        help=f"local worker processes (default: one per core, {worker_count()} "
                             "here; 0: in this process, for a debugger)")


def add_threads(parser: argparse.ArgumentParser) -> None:
    """``--threads N`` (default None: ``BIPSIM_THREADS``, else every core from a
    million citizens and one thread below; see :mod:`bipsim.threads`)."""
    parser.add_argument("--threads", type=_threads, metavar="N",
                        help="threads of the model's compiled loops (default: the "
                             "BIPSIM_THREADS variable, else every core from 1,000,000 "
                             "citizens and 1 below); results do not "
                             "depend on it")


def _threads(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"given {text!r}; allowed: a whole number >= 1")
    return n


def add_executor(parser: argparse.ArgumentParser) -> None:
    """Where runs execute: ``--workers``, or ``--scheduler``, or ``--dask-local`` (one of
    them), and ``--connect-timeout``."""
    where = parser.add_mutually_exclusive_group()
    add_workers(where)
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="run on the Dask cluster of this scheduler")
    where.add_argument("--dask-local", type=count(1), metavar="N",
                       help="start a Dask cluster of N worker processes on this machine")
    parser.add_argument("--connect-timeout", type=seconds, default=CONNECT_TIMEOUT_S,
                        metavar="SECONDS", help="give up on a scheduler after this long "
                                                f"(default {CONNECT_TIMEOUT_S:g})")


@functools.cache  # one function per bound: flags defined with it compare equal
def count(least: int) -> Any:
    """An argparse ``type``: a whole number of at least ``least``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"given {text[:40]!r}, expected a whole number "
                                             f"(at least {least})") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"given {value}, allowed: {least} or more")
        return value

    parse.__name__ = f"whole number >= {least}"
    return parse


def seconds(text: str) -> float:
    """An argparse ``type``: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {text[:40]!r}, expected seconds") from None
    if not 0 < value < 1e6:  # NaN fails both; inf and negatives fail one
        raise argparse.ArgumentTypeError(f"given {text[:40]!r}, allowed: more than 0 and "
                                         "less than 1000000 seconds")
    return value


def worker_count(workers: int | None = None) -> int:
    """The number of local worker processes: ``workers``, or one per core this process
    may use when None (``--workers`` not given)."""
    if workers is not None:
        return workers
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def overrides(args: argparse.Namespace, with_seed: bool = False) -> list[str | Override]:
    """The ``--set`` overrides, then ``--weeks`` (and ``--seed`` if ``with_seed``) as
    ``run.weeks``/``run.seed`` overrides when given, each naming its flag (a bad value,
    or the same key given by ``--set`` too, is blamed on the flag)."""
    from .scenario import Override

    given: list[str | Override] = list(args.set or [])
    if args.weeks is not None:
        given.append(Override("run.weeks", args.weeks, "--weeks"))
    if with_seed and args.seed is not None:
        given.append(Override("run.seed", args.seed, "--seed"))
    return given
