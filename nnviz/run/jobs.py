"""Many renders or trainings at once: one job description, run by a local process pool or by
the workers of a Dask cluster (nnviz.run.cluster), with the same failures and the same files.

A `Job` is a picklable description of one unit of work: which action (`render` or `train`,
the API functions of those names), on which scene, with which options, committed into which
OUT. Wherever it runs (a local worker process, nnviz.run.many, or a cluster worker, which
shares no disk with us), `run_detached(job)` has the action write into a private temporary
folder, and the files' bytes come back as a `Detached` result, which `deliver` commits into
OUT here with the commit a single render uses (nnviz.run.folders.commit_files).

Several jobs commit together, once all have ended (`finish`): a command stopped before then
(Ctrl-C, SIGTERM) leaves every earlier file in OUT as it was, the gallery included.

Actions are named, not pickled: a worker runs its own installed nnviz (the same version; the
job carries it and a worker with another refuses). A scene given as a file travels as its
source text, so a worker needs no copy of it (a scene file must therefore be self-contained:
it may import installed packages, not modules lying beside it).
"""
from __future__ import annotations

import os
import tempfile
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

from .. import interrupts
from ..version import __version__
from ..errors import NnvizError

ACTIONS = ("render", "compare", "train")   # the functions of these names (folders.COMMITS)


@dataclass(frozen=True)
class Job:
    """One render or training: everything needed to run it anywhere nnviz is installed.

    `scene` is what the user gave (a built-in name, `path.py` or `path.py:name`, or a Scene
    class or object made in code); `options` are the action's keyword arguments except `out`
    and `progress`; `label` names the job in a failure line.
    """
    action: str
    scene: object
    options: dict = field(default_factory=dict)
    out: str | Path = "output"
    label: str = ""
    source: bytes | None = None   # the scene file's text, for a worker without our disk
    source_path: str | None = None   # its absolute path here: errors on a worker name it
    version: str = __version__

    def __post_init__(self):
        assert self.action in ACTIONS, self.action
        if not self.label:
            object.__setattr__(self, "label", str(self.scene))

    def detached(self) -> "Job":
        """This job as sent to another machine: a scene file's source travels with it."""
        file = scene_file(self.scene)
        if file is None or self.source is not None:
            return self
        try:
            return replace(self, source=Path(file).read_bytes(), source_path=os.path.abspath(file))
        except OSError as e:
            raise NnvizError(f"cannot read scene file {file} ({e.strerror}); "
                             f"check the path and run again") from None


def scene_file(scene) -> str | None:
    """The file part of a scene given as `path.py` or `path.py:name` (None for a name or an
    object): the same rule nnviz.learn.scene.resolve applies."""
    if not isinstance(scene, str):
        return None
    file = scene.partition(":")[0] if ".py:" in scene else scene
    return file if file.endswith(".py") or "/" in file or Path(file).suffix else None


def _action(name: str):
    """The function a job of this action calls: the local one of nnviz.run (the job itself
    is what decides where it runs)."""
    if name == "compare":
        from .compare import compare
        return compare
    from . import render
    return getattr(render, name)   # render or train


@dataclass
class Detached:
    """What a job made on a worker: its files' bytes by file name, to be committed here."""
    action: str
    name: str
    files: dict[str, bytes]
    kinds: dict[str, str]   # kind (webm, png, npz, ...) -> file name, in the result's order
    frames: int = 0
    fps: float = 0.0
    checked: tuple[str, ...] = ()   # the formats the worker's `check=True` verified
    size: tuple[int, int] | None = None


def _check_version(job: Job) -> None:
    if job.version != __version__:
        import socket
        raise NnvizError(f"the worker on {socket.gethostname()} has nnviz {__version__}, this "
                         f"client {job.version}; install the same nnviz version on every worker")


@contextmanager
def _on_worker(job: Job) -> Iterator[tuple[object, Path]]:
    """A private temporary folder for a job on a worker, and the scene to give the action there.

    Nothing stays on the worker. A scene file's source is written into that folder; an error
    naming that copy names the user's own path instead, so the line reads as a local one.
    """
    _check_version(job)
    with tempfile.TemporaryDirectory(prefix="nnviz-job-") as tmp:
        scene, copy, file = job.scene, None, scene_file(job.scene)
        if job.source is not None and file is not None:
            copy = Path(tmp, "scene", Path(file).name)
            copy.parent.mkdir()
            copy.write_bytes(job.source)
            scene = str(copy) + job.scene[len(file):]   # keeps a `:name` suffix
        try:
            yield scene, Path(tmp)
        except NnvizError as e:
            if copy is not None:
                e.args = tuple(a.replace(str(copy), job.source_path or file)
                               if isinstance(a, str) else a for a in e.args)
            raise


def _detached(action: str, result, out: Path) -> Detached:
    """A result made under `out` on a worker, as the bytes of its files."""
    from ..log.snapshots import SnapshotLog
    if isinstance(result, SnapshotLog):   # train
        paths, name, frames, fps = {"npz": Path(result.path)}, result.meta["scene"], 0, 0.0
        checked, size = (), None
    else:
        paths, name, frames, fps = result.files, result.scene, result.frames, result.fps
        checked, size = tuple(result.checked), result.size and tuple(result.size)
    folder = out / name
    # names relative to OUT/NAME: a scene of several runs has its logs in runs/
    rel = {kind: p.relative_to(folder).as_posix() for kind, p in paths.items()}
    return Detached(action, name, {rel[k]: p.read_bytes() for k, p in paths.items()}, rel,
                    frames, fps, checked, size)


def run_detached(job: Job) -> Detached:
    """Run a job in a private temporary folder (a cluster worker) and return its files' bytes."""
    with _on_worker(job) as (scene, tmp):
        result = _action(job.action)(scene, out=tmp / "out", **job.options)
        return _detached(job.action, result, tmp / "out")


def run_count(job: Job) -> int:
    """How many runs a comparison job trains (checked on the client before anything is sent)."""
    from ..learn.comparison import SETTINGS, make_runs
    return len(make_runs(**{k: job.options.get(k) for k in SETTINGS}))


def train_run_detached(job: Job, index: int) -> tuple[str, bytes]:
    """Train run `index` of a comparison; its log's file name and bytes."""
    from .compare import compare_training
    from .pool import single_threaded_blas
    from ..log.record import train
    with _on_worker(job) as (scene, tmp), single_threaded_blas():
        _, _, plan, prepared, options = compare_training(scene, job.options)
        path = tmp / plan[index].file
        train(prepared[index].scene, path, **options[index])
        return plan[index].file, path.read_bytes()


def render_runs_detached(job: Job, *logs: tuple[str, bytes]) -> Detached:
    """Render a comparison from its runs' logs (what train_run_detached returned, in order):
    the shared landscape is added once all are here, as a local compare adds it."""
    from .compare import COMPARE_TRAINING, compare, compare_training
    from .pool import single_threaded_blas
    from .runtrain import _Own, add_shared_landscape
    with _on_worker(job) as (scene, tmp), single_threaded_blas():
        name, panels, *_ = compare_training(scene, job.options)
        folder = tmp / "runs"
        folder.mkdir()
        paths = []
        for file, data in logs:
            paths.append(folder / Path(file).name)
            paths[-1].write_bytes(data)
        if "landscape" in panels:
            add_shared_landscape([_Own(p) for p in paths], name, panels)
        options = {k: v for k, v in job.options.items() if k not in COMPARE_TRAINING}
        result = compare(from_log=paths, out=tmp / "out", **options)
        return _detached(job.action, result, tmp / "out")


def deliver(made: Detached, out: str | Path):
    """Commit a worker's files into OUT/NAME as a local run would; return what it returns."""
    from .folders import commit_files
    from .result import RenderResult
    from ..log.snapshots import SnapshotLog
    if not isinstance(made, Detached):
        raise NnvizError(f"the cluster returned {type(made).__name__}, not a result of nnviz; "
                         f"check that every worker runs the same nnviz version")
    folder = commit_files(out, made.name, made.action, made.files)
    if made.action == "train":
        return SnapshotLog(folder / made.kinds["npz"])
    files = {kind: folder / file_name for kind, file_name in made.kinds.items()}
    return RenderResult(made.name, folder, files, made.frames, made.fps, made.checked, made.size)


def failed_error(failed: list[tuple[Job, BaseException]], jobs: list[Job]) -> NnvizError:
    """One line naming each failure, in the jobs' order (see `failures_error`)."""
    failed = sorted(failed, key=lambda f: jobs.index(f[0]))
    return failures_error([(job.label, e) for job, e in failed], len(jobs))


def failures_error(failed: list[tuple[str, BaseException]], total: int) -> NnvizError:
    """`N of TOTAL renders failed: LABEL: error; ...`, in the order given; renders that failed
    with the same error (a cluster that stopped) share one mention of it."""
    by_error: dict[int, tuple[BaseException, list[str]]] = {}
    for label, e in failed:
        by_error.setdefault(id(e), (e, []))[1].append(label)
    return NnvizError(f"{len(failed)} of {total} renders failed: "
                      + "; ".join(f"{', '.join(labels)}: {e}" for e, labels in by_error.values()))


def finish(made: Iterable[tuple[Job, object]]) -> list[tuple[Job, object]]:
    """Commit what every job made (`run_many`'s outcomes, once all have ended) into its OUT;
    (job, result or NnvizError/OSError) in the same order.

    The point of no return (interrupts.decide): a signal that came before it stopped the
    command with nothing committed; from here on the commits run to the end.
    """
    made = list(made)
    interrupts.decide()
    done = []
    for job, outcome in made:
        if not isinstance(outcome, BaseException):
            try:
                outcome = deliver(outcome, job.out)
            except (NnvizError, OSError) as e:
                outcome = e
        done.append((job, outcome))
    return done


def collect(jobs: list[Job], outcomes: Iterable[tuple[Job, object]]) -> list:
    """Every job's result in the jobs' order, committed together once all have ended
    (`finish`); failures raised together then (the others' results are committed): one job's
    own error as is, several in one line. The error's `results` holds the results (None
    where a job failed)."""
    results, failed = {}, []
    with closing(outcomes) if hasattr(outcomes, "close") else nullcontext():
        ended = list(outcomes)
    for job, outcome in finish(ended):
        if isinstance(outcome, BaseException):
            failed.append((job, outcome))
        else:
            results[id(job)] = outcome
    ordered = [results.get(id(job)) for job in jobs]
    if failed:
        error = failed[0][1] if len(jobs) == 1 else failed_error(failed, jobs)
        error.results = ordered
        raise error
    return ordered
