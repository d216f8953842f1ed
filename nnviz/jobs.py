"""Many renders or trainings at once: one job description, run by a local process pool or by
the workers of a Dask cluster (nnviz.cluster), with the same failures and the same files.

A `Job` is a picklable description of one unit of work: which action (`render` or `train`,
the API functions of those names), on which scene, with which options, committed into which
OUT. Where it runs decides only how its files reach OUT:

- `run(job)` in this process: the action writes into OUT itself, as one render does
  (temporaries beside the targets, one locked commit);
- `run_detached(job)` in a local worker process or on a cluster worker (which shares no disk
  with us): the action writes into a private temporary folder and the files' bytes come back
  as a `Detached` result, which `deliver` commits into OUT here with the very same commit
  (api.commit_files).

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
import time
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

from . import __version__, interrupts
from .errors import NnvizError, UsageError

ACTIONS = ("render", "compare", "train")   # api functions of these names (api.COMMITS)


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
    object): the same rule nnviz.scene.resolve applies."""
    if not isinstance(scene, str):
        return None
    file = scene.partition(":")[0] if ".py:" in scene else scene
    return file if file.endswith(".py") or "/" in file or Path(file).suffix else None


def _action(name: str):
    from . import api
    return getattr(api, name)


def run(job: Job):
    """Run a job here: it commits into its OUT itself. Returns what the action returns."""
    return _action(job.action)(job.scene, out=job.out, **job.options)


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
    """A private temporary folder for a job on a worker, and the scene to give the api there.

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
    from .snapshots import SnapshotLog
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


# A comparison on a cluster is a small graph: one task per run trains that run
# (train_run_detached) and one more renders them all (render_runs_detached), fed the runs'
# logs by Dask straight from the workers that made them. Both rebuild the set from the job by
# the rule a local compare uses (api.compare_training), so the logs and poster are the same
# bytes as a local compare's.

def run_count(job: Job) -> int:
    """How many runs a comparison job trains (checked on the client before anything is sent)."""
    from .comparison import make_runs
    return len(make_runs(**{k: job.options.get(k) for k in ("lr", "optimizer", "seed")}))


def train_run_detached(job: Job, index: int) -> tuple[str, bytes]:
    """Train run `index` of a comparison; its log's file name and bytes."""
    from .api import compare_training, single_threaded_blas
    from .training import train
    with _on_worker(job) as (scene, tmp), single_threaded_blas():
        _, _, plan, prepared, options = compare_training(scene, job.options)
        path = tmp / plan[index].file
        train(prepared[index].scene, path, **options[index])
        return plan[index].file, path.read_bytes()


def render_runs_detached(job: Job, *logs: tuple[str, bytes]) -> Detached:
    """Render a comparison from its runs' logs (what train_run_detached returned, in order):
    the shared landscape is added once all are here, as a local compare adds it."""
    from .api import COMPARE_TRAINING, compare, compare_training, single_threaded_blas
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
    from .api import RenderResult, commit_files
    from .snapshots import SnapshotLog
    if not isinstance(made, Detached):
        raise NnvizError(f"the cluster returned {type(made).__name__}, not a result of nnviz; "
                         f"check that every worker runs the same nnviz version")
    folder = commit_files(out, made.name, made.action, made.files)
    if made.action == "train":
        return SnapshotLog(folder / made.kinds["npz"])
    files = {kind: folder / file_name for kind, file_name in made.kinds.items()}
    return RenderResult(made.name, folder, files, made.frames, made.fps, made.checked, made.size)


# --- running many -------------------------------------------------------------------------

def run_many(jobs: list[Job], *, workers: int | None = None,
             scheduler: str | None = None) -> Iterator[tuple[Job, object]]:
    """Run jobs at once and yield (job, Detached or NnvizError/OSError) as each finishes;
    nothing is committed into OUT yet (see `finish`).

    A job that fails fails alone. On a cluster (`scheduler`, see nnviz.cluster), else in
    `workers` local processes. Close the iterator (or let it finish): that stops the rest.
    """
    if scheduler is not None:
        if workers is not None:
            raise UsageError("--jobs sets local processes; with --scheduler the cluster's "
                             "workers run the scenes: drop --jobs (or --scheduler)")
        from .cluster import run_on_cluster
        return run_on_cluster(jobs, scheduler)
    return in_processes(jobs, workers or os.cpu_count() or 1)


def in_processes(jobs: list[Job], workers: int) -> Iterator[tuple[Job, object]]:
    """The local pool: forked processes, each job rendering into a private folder
    (run_detached) for `finish` to commit.

    A forked worker only records its signals (interrupts._in_worker) and stops between
    frames; on our way out the workers are stopped and wait until they have cleaned up.
    """
    import concurrent.futures as cf
    import multiprocessing

    pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                  mp_context=multiprocessing.get_context("fork"))
    try:
        # the workers are forked inside submit: a signal raised at once there would surface in
        # an at-fork hook as an "Exception ignored" traceback, so it waits until all are started
        with interrupts.deferred():
            futures = {pool.submit(run_detached, job): job for job in jobs}
        for future in cf.as_completed(futures):
            try:
                outcome = future.result()
            except (NnvizError, OSError) as e:
                outcome = e
            yield futures[future], outcome
        pool.shutdown()
    except BaseException:
        _stop_workers(pool)
        raise


def _stop_workers(pool, patience: float = 60.0) -> None:
    """Stop a pool of render workers and wait until they have cleaned up.

    Work not started is cancelled; running workers get SIGTERM, which they record and act on
    between frames: they stop ffmpeg, remove their temporaries and report back. A worker that
    does not end within `patience` seconds is killed (the next render removes what it left).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + patience
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    pool.shutdown(wait=True)


def failed_error(failed: list[tuple[Job, BaseException]], jobs: list[Job]) -> NnvizError:
    """One line naming each failure, in the jobs' order; jobs that failed with the same
    error (a cluster that stopped) share one mention of it."""
    failed = sorted(failed, key=lambda f: jobs.index(f[0]))
    by_error: dict[int, tuple[BaseException, list[str]]] = {}
    for job, e in failed:
        by_error.setdefault(id(e), (e, []))[1].append(job.label)
    return NnvizError(f"{len(failed)} of {len(jobs)} renders failed: "
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

