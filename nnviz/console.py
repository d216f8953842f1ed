"""Standard output when nobody may be listening: closed (`>&-`) or a reader gone (`| head -0`).

The rule: the exit code says whether the command did its job.
- `nnviz list` (and --help, --version) exist to print: if stdout cannot take the text, that is
  the command failing, so it ends with one `Error:` line on stderr and exit 1.
- render, train and check do their work on files; what they print afterwards is a report. If the
  report cannot be written the work still stands: the exit code stays what the work earned and
  one line on stderr says the report was lost (never a silent success, never a failure made up).

`install()` routes sys.stdout through a guard that turns any write failure into StdoutError
(not an OSError with EPIPE, which click would turn into a silent exit 1) and then points file
descriptor 1 at /dev/null, so Python's final flush at exit cannot fail a second time (as the
Python docs advise for SIGPIPE). It also opens /dev/null on closed descriptors 0-2, so no file
nnviz opens later lands on them.
"""
from __future__ import annotations

import atexit
import contextlib
import io
import os
import re
import sys
import warnings

import click


class StdoutError(Exception):
    """Standard output cannot be written to."""


class _Guard(io.RawIOBase):
    """File descriptor 1, raising StdoutError once on failure and discarding from then on."""

    def __init__(self, fd: int | None, why: str = ""):
        self.fd, self.why, self.failed = fd, why, fd is None

    def writable(self):
        return True

    def isatty(self):
        return self.fd is not None and os.isatty(self.fd)

    def write(self, b):
        if self.fd is None:
            if self.why:
                why, self.why = self.why, ""
                raise StdoutError(why)
            return len(b)   # the failure was reported once; the rest goes nowhere
        try:
            return os.write(self.fd, b)
        except OSError as e:
            _to_devnull(self.fd)
            self.fd, self.failed = None, True
            why = e.strerror.lower() if e.strerror else str(e)
            raise StdoutError(f"{why}: its reader has gone" if isinstance(e, BrokenPipeError)
                              else why) from None


def _to_devnull(fd: int) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


_GLYPH = re.compile(r"Glyph (\d+) .*missing from font")
_missing: dict[str, None] = {}


def _warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning as one line, never its source line; the font's missing glyphs (a
    title in a script DejaVu Sans lacks) gathered into one line at the end."""
    text = str(message)
    glyph = _GLYPH.search(text)
    if glyph:
        if not _missing:
            atexit.register(_report_glyphs)
        _missing[chr(int(glyph[1]))] = None
        return
    print(f"Warning: {' '.join(text.split())}", file=sys.stderr)


def _report_glyphs() -> None:
    with contextlib.suppress(Exception):
        print(f"Warning: the font has no glyph for {''.join(_missing)!r}; those characters "
              f"are drawn as boxes (give text in Latin, Greek or Cyrillic letters)",
              file=sys.stderr)


def install() -> None:
    """Guard stdout for this process (the CLI only; the Python API leaves streams alone), and
    print library warnings as one line each."""
    warnings.showwarning = _warning
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            _to_devnull(fd)
    if sys.stderr is None:   # 2>&-: errors cannot be shown, but the exit code still tells
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    old = sys.stdout
    if old is None:
        guard = _Guard(None, "stdout is closed")
        encoding, errors, line_buffering = "utf-8", "backslashreplace", False
    else:
        try:
            guard = _Guard(old.fileno())
            old.flush()
        except (AttributeError, OSError, ValueError):   # not a real file (e.g. captured)
            return
        encoding, errors, line_buffering = old.encoding, old.errors, old.line_buffering
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(guard), encoding=encoding, errors=errors,
                                  line_buffering=line_buffering)


_lost: list[str] = []


def report(line: str) -> None:
    """Print one line of a report; if stdout cannot take it, note that and carry on."""
    if _lost:
        return
    try:
        click.echo(line)
    except StdoutError as e:
        _lost.append(str(e))


def lost_report() -> str | None:
    """Why the report could not be printed, if it could not."""
    return _lost[0] if _lost else None
