"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


from .. import outputs
from ..learn import runs
from ..errors import NnvizError, UsageError
from ..settings import (HOLD, MAX_SIZE, MIN_SIZE, QUICK, SIZE, check_size,  # noqa: F401
                       check_timing, quick_every)
from ..names import check_scene_name
from ..encode.formats import FORMATS
from ..publish.tracks import SUFFIXES

def prepare_folder(root: str | Path, name: str) -> Path:
    """OUT/NAME, created if missing, checked writable before any work starts."""
    root = Path(root)
    for part in (root, *root.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"--out {root}: {part} is a file, not a folder; give a folder path")
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise UsageError(f"--out {root}: cannot write to {folder} ({e.strerror}); "
                         f"give a writable folder") from None
    return folder


@contextmanager
def output_folder(root: str | Path, name: str):
    """OUT/NAME, ready for writing; if the work inside fails, the folders it created go again."""
    target = Path(root) / name
    created = [p for p in (target, *target.parents) if not p.exists()]
    folder = prepare_folder(root, name)
    try:
        yield folder
    except BaseException:
        for path in created:   # deepest first; a folder that is not empty stays
            try:
                path.rmdir()
            except OSError:
                break
        raise


def owned(folder: Path, name: str) -> dict[str, Path]:
    """The files nnviz writes to OUT/NAME, by extension: one render's set is some of these."""
    extensions = ("npz", "png", "html", *(fmt.extension for fmt in FORMATS.values()),
                  *SUFFIXES)
    return {ext: folder / f"{name}.{ext}" for ext in extensions}


def refuse_rendered(folder: Path, name: str) -> None:
    """A new log beside videos made from another one would break the set: refuse instead."""
    made = [p.name for ext, p in owned(folder, name).items() if ext != "npz" and os.path.lexists(p)]
    if made:
        raise NnvizError(f"{folder} holds a render ({', '.join(made)}) made from its log; "
                         f"run `nnviz render {name}` to train and render again, or train into "
                         f"another --out")


def commit_train(folder: Path, name: str, pairs: dict[Path, Path]) -> None:
    """A trained log's commit: refused if a render appeared in the folder meanwhile."""
    outputs.commit(pairs, before=lambda: refuse_rendered(folder, name))


def commit_render(folder: Path, name: str, pairs: dict[Path, Path], stale_extra=()) -> None:
    """A render's commit: its set replaces the folder's, and NAME.* files the new set lacks (an
    earlier webm after --formats mp4; `stale_extra`: runs' logs of an earlier set) go."""
    stale = [p for p in (*owned(folder, name).values(), *stale_extra) if p not in pairs.values()]
    outputs.commit(pairs, remove=stale)


COMMITS = {"render": commit_render, "compare": commit_render, "train": commit_train}   # by action (nnviz.run.jobs)


def commit_files(out: str | Path, name: str, action: str, files: dict[str, bytes]) -> Path:
    """Files made elsewhere (by a cluster worker, see nnviz.run.jobs), by file name, committed into
    OUT/NAME exactly as a render or a training made here commits its own: temporaries beside
    the targets, then the same locked all-or-nothing commit. Returns the folder.

    The names come from another machine: only NAME.EXT names nnviz itself writes are taken.
    """
    check_scene_name(name, "a result from the cluster")
    allowed = {p.name for p in owned(Path(out) / name, name).values()}
    run_logs = {f for f in files if action != "train" and _is_run_log(f)}
    if action not in COMMITS or not files or not set(files) - run_logs <= allowed:
        raise NnvizError(f"a result from the cluster for {name!r} holds unexpected files "
                         f"({', '.join(sorted(files))}); check that every worker runs the same "
                         f"nnviz version and render again")
    with output_folder(out, name) as folder:
        outputs.remove_stale(folder, name)
        pairs, stale_runs = {}, []
        if run_logs:   # a scene of several runs: its set of run logs replaces the folder's
            (folder / runs.RUNS_FOLDER).mkdir(exist_ok=True)
            stale_runs = list((folder / runs.RUNS_FOLDER).glob("*.npz"))
        try:
            for file_name, data in files.items():
                tmp, fd = outputs.create(folder / file_name)
                pairs[tmp] = folder / file_name
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
            if stale_runs:
                commit_render(folder, name, pairs, stale_runs)
            else:
                COMMITS[action](folder, name, pairs)
        finally:
            for tmp in pairs:   # committed ones are gone already
                tmp.unlink(missing_ok=True)
    return folder


def _is_run_log(file_name: str) -> bool:
    """`runs/LABEL.npz` as nnviz.learn.runs names a run's log (from another machine: checked)."""
    folder, _, file = file_name.partition("/")
    stem = file[:-len(".npz")] if file.endswith(".npz") else ""
    return (folder == runs.RUNS_FOLDER and bool(stem) and "/" not in file
            and runs.file_name(stem) == file and not stem.startswith("."))
def refreshed(out, result, always: bool = False):
    """`result`, once OUT/index.html shows the new set (nnviz.publish.gallery.refresh)."""
    from ..publish import gallery
    gallery.refresh(out, always)
    return result
