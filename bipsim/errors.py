"""The one error path of every command: what the user caused, what a signal stopped,
and what is a bug.

An :class:`InputError` says which file, line and key are wrong, what was given and
what is allowed; :func:`run_guarded`, which ``bipsim.cli.main`` calls for every
command, prints it and exits 2, as for an OSError the user can act on (a full disk, a
folder without permission, a bad path). A stop signal exits 128 + signal number. Any
other exception is a bug: one line, exit 1, its traceback saved in a file.
Standard library only, so ``bipsim --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
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


class Interrupted(KeyboardInterrupt):
    """A stop signal (SIGINT or SIGTERM) raised where the program was, so that cleanup
    (``finally`` blocks, staged folders) runs before it exits ``128 + signum``.

    Attributes:
        signum: The signal.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


#: OSError numbers the user or the machine caused (a path, permissions, a full disk),
#: with what to do about them. Any other OSError is a bug.
USER_OS_ERRORS = {
    errno.ENOSPC: "the disk is full: free some space or write to another disk",
    errno.EDQUOT: "the disk quota is used up: free some space or write elsewhere",
    errno.EFBIG: "the file would be too large for this file system",
    errno.EACCES: "no permission: choose a folder you can write to",
    errno.EPERM: "not permitted: choose a folder you can write to",
    errno.EROFS: "a read-only file system: choose a folder you can write to",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "a folder where a file was expected",
    errno.EEXIST: "exists already: choose a new name",
    errno.ENOTEMPTY: "the folder is not empty: choose a new one",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many symbolic links in the path",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n)",
    errno.ENFILE: "too many open files on this machine",
    errno.EIO: "the disk reported an input/output error",
}
#: Characters of a value quoted in a message.
QUOTE_CHARS = 60
#: Seconds between repeats of a stop not yet handled (see ``_Interrupts``).
REPEAT_S = 2.0
EXIT_INPUT = 2
EXIT_INTERNAL = 1


def run_guarded(command: Callable[[], int], *, then_exit: bool = False) -> int:
    """Run one command; every exception ends as one message on stderr and an exit code.

    ``then_exit``: the process ends once the command returns (the ``bipsim``
    executable), so a stop signal arriving after it finished is ignored rather than
    killing the process with its work done (measured: a Ctrl-C in that window ended a
    complete sweep with "killed by SIGINT").

    - bad input (:class:`InputError`, ``ParameterError``, an OSError of
      :data:`USER_OS_ERRORS`): the message, exit 2;
    - SIGINT or SIGTERM: ``stopped by ...``, exit 128 + signal (both raise
      :class:`Interrupted`, so cleanup runs; see :class:`_Interrupts`);
    - anything else is a bug: one line naming it and the file its traceback was saved
      in, exit 1.
    """
    with _Interrupts(then_exit):
        try:
            return command()
        except KeyboardInterrupt as stop:
            return _stopped(stop)
        except BrokenPipeError:  # the reader of our output went away (| head): not an error
            _silence_stdout()
            return 0
        except Exception as err:
            stop = _interrupt_behind(err)
            if stop is not None:  # a stop signal that a library's error wraps
                return _stopped(stop)
            if _is_input_error(err):
                _print(f"bipsim: error: {_shorten_message(str(err))}")
                return EXIT_INPUT
            if isinstance(err, OSError) and err.errno in USER_OS_ERRORS:
                _print(f"bipsim: error: {describe_os_error(err)}")
                return EXIT_INPUT
            _print(f"bipsim: internal error: {type(err).__name__}: "
                   f"{_shorten_message(str(err), 200)} ({_save_traceback(err)})")
            return EXIT_INTERNAL
        finally:
            runfolder = sys.modules.get("bipsim.runfolder")  # imported if a folder was reserved
            if runfolder is not None:
                runfolder.release_reservations()


def _stopped(stop: KeyboardInterrupt) -> int:
    signum = getattr(stop, "signum", signal.SIGINT)
    _print(f"bipsim: stopped by {signal.Signals(signum).name}")
    return 128 + signum


def _interrupt_behind(err: BaseException) -> KeyboardInterrupt | None:
    """The stop signal's exception an error was raised from, if any. Python wraps what
    a class body's ``__set_name__`` raises in a RuntimeError: a signal arriving while
    matplotlib defines its classes on import (measured, in the fault tests' sweep)
    reached here as "RuntimeError: Error calling __set_name__ ...", an internal error."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def stop_handled() -> None:
    """Say that the :class:`Interrupted` raised by a stop signal has been caught and
    acted upon, so it is not raised again (see :class:`_Interrupts`)."""
    if _Interrupts.active is not None:
        _Interrupts.active.handled()


class _Interrupts:
    """While a command runs: SIGINT and SIGTERM raise :class:`Interrupted`, and keep
    raising it every :data:`REPEAT_S` until it is handled.

    Some libraries swallow a KeyboardInterrupt while they are imported (a bare
    ``except:``; measured: a Ctrl-C 1.5 s into ``import bipsim.experiments.cli`` was
    lost and the sweep ran on); raising it again makes a stop certain. Whoever catches
    it and ends the command calls :func:`stop_handled`, or simply returns.
    """

    active: _Interrupts | None = None
    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, then_exit: bool = False) -> None:
        self.signum: int | None = None
        self.previous: dict[int, Any] = {}
        self.then_exit = then_exit

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in (*self.SIGNALS, signal.SIGALRM):
                self.previous[signum] = signal.signal(signum, self._raise)
            _Interrupts.active = self
        return self

    def _raise(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGALRM:
            if self.signum is None:
                return
            signum = self.signum  # not handled yet: again
        else:
            self.signum = signum
            signal.setitimer(signal.ITIMER_REAL, REPEAT_S, REPEAT_S)
        raise Interrupted(signum)

    def handled(self) -> None:
        self.signum = None
        signal.setitimer(signal.ITIMER_REAL, 0)

    def __exit__(self, *exc: object) -> None:
        if self.previous:
            self.handled()
            for signum, handler in self.previous.items():
                if self.then_exit and signum in self.SIGNALS:
                    handler = signal.SIG_IGN  # the command is over: nothing left to stop
                signal.signal(signum, handler)
            _Interrupts.active = None


def describe_os_error(err: OSError) -> str:
    """``PATH: reason (ERRNO); what to do`` for an OSError the user can act on."""
    path = err.filename if err.filename is not None else ""
    where = f"{_shorten_message(os.fsdecode(path), 200)}: " if path != "" else ""
    name = errno.errorcode.get(err.errno or 0, "")
    advice = USER_OS_ERRORS.get(err.errno or 0, "")
    reason = err.strerror or str(err)
    return f"{where}{reason}" + (f" ({name})" if name else "") + (f"; {advice}" if advice else "")


def shorten(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` cut to about ``limit`` characters, its full length noted: how every
    message quotes a value, so a huge one still gives a readable message."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else f"{len(text):,} long"
    return f"{text[:limit]}... ({size})"


def _is_input_error(err: Exception) -> bool:
    if isinstance(err, InputError):
        return True
    parameters = sys.modules.get("bipsim.parameters")  # imported if it raised
    return parameters is not None and isinstance(err, parameters.ParameterError)


def _shorten_message(message: str, limit: int = 2000) -> str:
    # messages quote values shortened already; this only guards against a new one
    message = " ".join(message.split())
    return message if len(message) <= limit else f"{message[:limit]}... (shortened)"


def _save_traceback(err: BaseException) -> str:
    """Write the traceback to a file in the temporary folder; say where (or why not)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.gettempdir()) / f"bipsim-traceback-{stamp}-{os.getpid()}.txt"
    text = "".join(traceback.format_exception(err))
    try:
        path.write_text(f"bipsim {' '.join(sys.argv)}\n{text}", encoding="utf-8")
    except OSError as write_error:
        return f"a bug; its traceback could not be saved: {write_error.strerror}"
    return f"a bug: please report it with the traceback saved in {path}"


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (captured in tests)
        pass


def _print(message: str) -> None:
    with contextlib.suppress(OSError):  # stderr gone: the exit code is all that is left
        print(message, file=sys.stderr, flush=True)
