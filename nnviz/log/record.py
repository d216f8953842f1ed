"""A training recorded as a snapshot log: nnviz.learn.training learns, this writes the file.

Kept apart so the learning stage never imports the log's format (imports point down).
"""
from __future__ import annotations

from pathlib import Path

from ..learn import training
from .snapshots import LogWriter, SnapshotLog


def train(scene, path: str | Path, **options) -> SnapshotLog:
    """Train `scene` and write its snapshot log to `path` (the options of
    nnviz.learn.training.train); return the log."""
    path = Path(path)
    training.train(scene, lambda meta, static: LogWriter(path, meta, static), **options)
    return SnapshotLog(path)
