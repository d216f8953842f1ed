"""SIGINT and SIGTERM as an `Interrupted` error raised only where it is safe to stop.

A Python signal handler runs between bytecodes, which includes the Python callbacks matplotlib's
C drawing code makes: an exception raised there comes out as a matplotlib `ValueError` with a
traceback. So while rendering or training (`deferred()`), the handler only records the signal,
and the loops call `check()` between frames and steps (and while waiting for ffmpeg), which
raises `Interrupted` from a known place. Elsewhere (the `check` command, the parent of
`--jobs`, which draws nothing) it raises at once, and from then on records only, so the
clean-up that follows cannot itself be cut short by a second signal.

Nothing here is active until `install()` is called: the CLI does, library users keep their own
handlers.
"""
from __future__ import annotations

import os
import signal
from contextlib import contextmanager

from .errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_pending: int | None = None   # the first signal received
_at_once = True               # raise in the handler, or only record


def _on_signal(signum, frame):
    global _pending, _at_once
    if _pending is None:
        _pending = signum
    if _at_once:
        _at_once = False
        raise Interrupted(_pending)


def install() -> None:
    """Route SIGINT and SIGTERM through this module (main thread only)."""
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    if not _installed:
        _installed.append(True)
        os.register_at_fork(after_in_child=_in_worker)


_installed: list[bool] = []
_worker = False   # a forked worker: its parent decides the outcome


def _in_worker() -> None:
    """In a forked worker (`--jobs`), before any of its Python code runs: SIGTERM is only
    recorded, and the terminal's SIGINT is left to the parent, which stops the workers."""
    global _at_once, _worker
    _at_once, _worker = False, True
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def settle() -> int | None:
    """The outcome is decided: ignore SIGINT and SIGTERM from now on; the signal received so far.

    Ignoring, not blocking: blocking holds a signal off the calling thread only, and once
    Python's shutdown has reset the handlers to the default action, a signal delivered to
    another thread (OpenBLAS starts some) would kill the process without a word.
    """
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    return _pending


def decide() -> None:
    """The point of no return, just before a command commits its outputs into OUT.

    A signal received until now stops it here (Interrupted: nothing was committed); from now
    on the CLI ignores SIGINT and SIGTERM (settle), so the commits, the gallery and the report
    run to the end and the command succeeds. Outputs either stay as they were or all change.
    A forked worker and a library caller (no `install()`) only check.
    """
    check()
    if _installed and not _worker:
        settle()


def pending() -> int | None:
    """The signal received so far, if any."""
    return _pending


def check() -> None:
    """A safe point: raise `Interrupted` if a signal has arrived."""
    if _pending is not None:
        raise Interrupted(_pending)


@contextmanager
def deferred(defer: bool = True):
    """Inside, signals are only recorded (defer=False: raised at once) until `check()`."""
    global _at_once
    before = _at_once
    _at_once = not defer
    if not defer:
        check()
    try:
        yield
    finally:
        _at_once = before and _pending is None
    check()
