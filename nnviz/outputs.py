"""Atomic outputs: exclusive temporaries beside the targets, one locked all-or-nothing commit,
stale clean-up.

A temporary is named `.FINAL.PID.RANDOM.tmp` and created exclusively (O_CREAT|O_EXCL|
O_NOFOLLOW, or mkdir): a name planted in advance, or a link, is never opened, so whoever can
write to the folder cannot make nnviz write anywhere else. The PID lets a later run tell a
crashed run's leftovers (its PID is gone) from a run in progress and remove only the former.

The lock is the folder's own directory, locked with flock: no lock file, nothing left behind.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import signal
import stat
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable, Iterable

from .errors import NnvizError

OLD_LOCK = ".nnviz.lock"   # the lock file of earlier versions; removed when found
_EXCL = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_TAG = r"\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp"
_OLD_TAG = r"\.(?P<old>\d+)\.tmp"   # `.FINAL.PID.tmp`, made by earlier versions


def _candidate(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


# what _candidate makes of a name: .NAME.PID.HEX8.tmp
_TEMPORARY = re.compile(r"(?<![A-Za-z0-9_.-])\.([A-Za-z0-9_][A-Za-z0-9_.-]*?)\.\d+\.[0-9a-f]{8}\.tmp\b")


def as_final(text: str) -> str:
    """`text` with every temporary's name (see _candidate) replaced by the name of the file it
    stands for: a message names the files a user knows, never nnviz's internal temporaries."""
    return _TEMPORARY.sub(r"\1", text)


@contextmanager
def final_names():
    """An NnvizError raised inside names files as `as_final` does (also a decorator)."""
    try:
        yield
    except NnvizError as e:
        if e.args and isinstance(e.args[0], str) and as_final(e.args[0]) != e.args[0]:
            e.args = (as_final(e.args[0]), *e.args[1:])
        raise


def exclusive(final: Path, make: Callable[[Path], object]):
    """Call `make` on fresh names until one did not exist yet."""
    for _ in range(100):
        path = _candidate(Path(final))
        try:
            return make(path)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(final))


def create(final: Path) -> tuple[Path, int]:
    """A new empty file beside `final` and a file descriptor open on it for writing."""
    return exclusive(final, lambda p: (p, os.open(p, os.O_WRONLY | _EXCL, 0o666)))


def temporary(final: Path) -> Path:
    """A new empty file beside `final`, for a writer that takes a path (see `rewrite`)."""
    path, fd = create(final)
    os.close(fd)
    return path


def temporary_dir(final: Path) -> Path:
    """A new private folder beside `final` (mode 0700)."""
    def make(path):
        os.mkdir(path, 0o700)
        return path
    return exclusive(final, make)


def open_new(path: Path, mode: str = "wb"):
    """Open a file that must not exist yet (never through a link)."""
    return os.fdopen(os.open(path, os.O_WRONLY | _EXCL, 0o600), mode)


def rewrite(path: Path, mode: str = "wb", **options):
    """Open our own temporary `path` again for writing from its start, never through a link.

    Someone who can write to the folder could swap the name for a link meanwhile: O_NOFOLLOW
    refuses a symbolic link, and a file with other names (a hard link) is refused too.
    """
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise NnvizError(f"{path} was replaced while nnviz was writing it; "
                         f"check who else writes to {Path(path).parent} and run again")
    os.set_blocking(fd, True)
    os.ftruncate(fd, 0)
    return os.fdopen(fd, mode, **options)   # options: e.g. encoding for text


def _stale_pattern(name: str) -> re.Pattern:
    # `.NAME.EXT…` and, for a temporary of a temporary, `..NAME.EXT…`
    return re.compile(rf"\.\.?{re.escape(name)}\..*?(?:{_TAG}|{_OLD_TAG})")


def _owner(pattern: re.Pattern, entry: str) -> int | None:
    match = pattern.fullmatch(entry)
    if not match:
        return None
    return int(match["pid"] or match["old"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path, name: str | None = None) -> list[Path]:
    """Remove temporaries of NAME left in `folder` by runs that no longer exist (kill -9).

    Only names of nnviz's own pattern are touched, and never through a link: a link is
    removed itself, a folder with rmtree (which does not follow links either).
    """
    folder = Path(folder)
    pattern = _stale_pattern(name or folder.name)
    removed = []
    for entry in os.listdir(folder):
        pid = _owner(pattern, entry)
        if entry == OLD_LOCK or (pid is not None and pid != os.getpid() and not _alive(pid)):
            path = folder / entry
            try:
                if stat.S_ISDIR(os.lstat(path).st_mode):
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


@contextmanager
def locked(folder: Path):
    """Hold the folder's lock: commits into one folder happen one at a time.

    flock on the folder itself (a directory fd), so there is no lock file to plant a link at
    or to leave in a folder people publish.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # releases the lock


def _check_target(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a link" if stat.S_ISLNK(mode)
                else "not a regular file")
        raise NnvizError(f"{path} is {kind}, not a file nnviz wrote; move it away and run again "
                         f"(nothing was changed)")


def _keep(final: Path) -> Path | None:
    """A second name for the file at `final` (None if there is none), to restore it from."""
    if not os.path.lexists(final):
        return None

    def link(path):
        os.link(final, path, follow_symlinks=False)
        return path
    try:
        return exclusive(final, link)
    except FileExistsError:
        raise
    except OSError:   # a file system without hard links: a copy does as well
        path, fd = create(final)
        with os.fdopen(fd, "wb") as dst, open(final, "rb") as src:
            shutil.copyfileobj(src, dst)
        return path


def commit(pairs: dict[Path, Path], remove: Iterable[Path] = (),
           before: Callable[[], None] | None = None) -> None:
    """Rename every temporary to its final name and delete `remove`, all or nothing.

    Under the folder's lock: `before()` runs first (it may refuse), then every target is
    checked to be absent or a regular file before the first rename; the old files are kept
    under second names, and if anything fails they are put back. SIGINT and SIGTERM wait
    until this is done: a folder never holds half of one render and half of another.
    """
    remove = [Path(p) for p in remove]
    folders = {Path(final).parent for final in (*pairs.values(), *remove)}
    top = min(folders, key=lambda f: len(f.parts))   # a render's folder, or its runs/ below it
    assert all(f == top or f.parent == top for f in folders), folders
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        with locked(top):
            if before:
                before()
            for final in (*pairs.values(), *remove):
                _check_target(final)
            kept: list[tuple[Path, Path | None]] = []
            try:
                for tmp, final in pairs.items():
                    kept.append((final, _keep(final)))
                    os.replace(tmp, final)
                for final in remove:
                    backup = _keep(final)
                    if backup:
                        kept.append((final, backup))
                        os.unlink(final)
            except BaseException:
                for final, backup in reversed(kept):
                    with suppress(OSError):
                        if backup:
                            os.replace(backup, final)
                        else:
                            os.unlink(final)
                raise
            finally:
                for _, backup in kept:
                    if backup:
                        with suppress(OSError):
                            os.unlink(backup)
                for tmp in pairs:   # a hard link of the file it replaced stays: rename is a no-op
                    with suppress(OSError):
                        os.unlink(tmp)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
