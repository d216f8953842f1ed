"""Atomic outputs: temporary names beside the targets, one locked commit, stale clean-up.

A temporary file is named `.FINAL.PID.tmp`, so a later run can tell a crashed run's leftovers
(its PID is gone) from a run still in progress (its PID is alive) and remove only the former.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

LOCK = ".nnviz.lock"


def temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _owner(name: str) -> int | None:
    pid = name.split(".")[-2]
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove temporaries left in `folder` by runs that no longer exist (e.g. after kill -9)."""
    removed = []
    for entry in Path(folder).glob(".*.tmp"):
        pid = _owner(entry.name)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextmanager
def locked(folder: Path):
    """Hold the folder's lock: renders into one folder commit their files one at a time."""
    with open(Path(folder) / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def commit(pairs: dict[Path, Path]) -> None:
    """Rename every temporary to its final name, all under the folder's lock.

    SIGINT and SIGTERM wait until the renames are done: a folder never holds half of one
    render and half of another.
    """
    folders = {final.parent for final in pairs.values()}
    assert len(folders) == 1, folders
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        with locked(folders.pop()):
            for tmp, final in pairs.items():
                os.replace(tmp, final)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
