"""Many jobs at once, here or on a Dask cluster: the local pool of processes, the dispatch
between it and nnviz.run.cluster, render_many, and render/compare sent to a cluster."""
from __future__ import annotations

import os
from contextlib import suppress
from typing import Iterator


from .. import interrupts, outputs
from ..errors import NnvizError, UsageError
from ..settings import Settings
from ..settings import (HOLD, MAX_SIZE, MIN_SIZE, QUICK, SIZE, check_size,  # noqa: F401
                       check_timing, quick_every)
from ..learn.scene import resolve
from .compare import compared_scene
from .folders import refreshed
from .inputs import for_scene, settings_of
from .jobs import Job, collect, run_detached
from .pool import stop_workers
from .result import RenderResult

@outputs.final_names()
def render_many(renders, *, jobs: int | None = None, scheduler: str | None = None,
                **common) -> list[RenderResult]:
    """Render several scenes at once: in `jobs` local processes (default: one per CPU) or, with
    `scheduler` (tcp://HOST:8786), on the workers of a Dask cluster (`pip install nnviz[cluster]`).

    `renders` holds scene names or paths, or dicts of render() keywords (`scene` and any
    others, e.g. its own `lr`, `seed` and `out` for a sweep); `common` keywords apply to all.
    Results come back in order. A render that fails fails alone: once all have ended (the
    others committed) one NnvizError names every failure; its `results` holds the results,
    None where a render failed. A single render's own error is raised as is.
    """
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int)
                             or not 1 <= jobs <= 1024):
        raise UsageError(f"jobs must be a whole number from 1 to 1024, got {jobs!r}")
    work = []
    for item in renders:
        options = dict(common, **(item if isinstance(item, dict) else {"scene": item}))
        for name in ("from_log", "progress", "scheduler", "jobs"):
            if options.pop(name, None) is not None:
                raise UsageError(f"render_many does not take {name}=; call render() for that")
        if options.get("scene") is None:
            raise UsageError(f"each render needs a scene, got {item!r}")
        scene, out = options.pop("scene"), options.pop("out", "output")
        quick = options.pop("quick", False)
        # bad input is refused here, before any work starts anywhere; a worker reads no
        # config file of its own: the settings travel whole
        options = {"settings": settings_of(options, quick), "quick": quick}
        if isinstance(scene, str):
            resolve(scene)
        work.append(Job("render", scene, options, out=out,
                        label=scene if isinstance(scene, str) else getattr(scene, "name", repr(scene))))
    labels = [job.label for job in work]
    work = [job if labels.count(job.label) == 1 else
            Job(job.action, job.scene, job.options, job.out, f"{job.label} (out {job.out})")
            for job in work]
    if not work:
        return []
    outs = list(dict.fromkeys(str(job.out) for job in work))
    try:
        results = collect(work, run_many(work, workers=jobs, scheduler=scheduler))
    except NnvizError as e:   # some failed: the page still shows the others, committed
        if any(getattr(e, "results", None) or ()):
            with suppress(NnvizError, OSError):
                for out in outs:
                    refreshed(out, None, always=len(work) > 1)
        raise
    for out in outs:
        refreshed(out, None, always=len(work) > 1)
    return results


def run_many(jobs: list[Job], *, workers: int | None = None,
             scheduler: str | None = None) -> Iterator[tuple[Job, object]]:
    """Run jobs at once and yield (job, Detached or NnvizError/OSError) as each finishes;
    nothing is committed into OUT yet (see `finish`).

    A job that fails fails alone. On a cluster (`scheduler`, see nnviz.run.cluster), else in
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
        stop_workers(pool)
        raise


def render_remote(scene=None, *, scheduler: str, from_log=None, jobs=None, progress=None,
                  **options) -> RenderResult:
    """render(scheduler=...): train and render `scene` on a worker of that Dask cluster, the
    files committed here (render_many checks every option first)."""
    if from_log is not None:
        raise UsageError("scheduler= sends scenes to train and render; re-render a log "
                         "with from_log= here, without scheduler=")
    if scene is None:
        raise UsageError("give a scene name or --from LOG.npz")
    return render_many([scene], scheduler=scheduler, **options)[0]


@outputs.final_names()
def compare_remote(scene=None, *, scheduler: str, from_log=None, out="output",
                   quick: bool = False, jobs=None, progress=None,
                   settings: Settings | None = None, **options) -> RenderResult:
    """compare(scheduler=...): each run trains on a worker of that Dask cluster and another
    worker renders the video (nnviz.run.jobs); the files come back into OUT as a local
    compare's. Bad input fails here, before the cluster is asked."""
    from ..learn.comparison import split
    lists, options = split(options)
    settings = settings if settings is not None else settings_of(options, quick)
    if from_log is not None:
        raise UsageError("--scheduler sends runs to train and render; re-render saved runs "
                         "with --from here, without --scheduler")
    if scene is None:
        raise UsageError("give a scene name, or --from OUT/NAME-compare/runs")
    made, name = compared_scene(scene, settings.look.panels, settings.train, **lists)
    job = Job("compare", scene, dict(lists, settings=for_scene(settings, made, quick)),
              out=out, label=name)
    return refreshed(out, collect([job], run_many([job], workers=jobs, scheduler=scheduler))[0],
                     always=True)
