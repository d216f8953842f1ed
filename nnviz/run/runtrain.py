"""Training the runs of a set (nnviz.learn.runs) in parallel processes, then their shared landscape.

Each run trains exactly as a single render of that run's scene would (training.train, same
seed): a run's log is an ordinary log plus meta "run". The runs are independent, so they go
to the same kind of process pool as `nnviz render --jobs` (forked workers that record
signals and stop between steps); results do not depend on the number of jobs.

The landscape of several runs is one surface for all of them (landscape.compute_shared),
computed once in the parent after every run has trained, from their logs, and added to every
run's log (the same plane and surface, each with its own path), so `--from` redraws it.
"""
from __future__ import annotations

import copy
import functools
import multiprocessing
import os
from pathlib import Path

import numpy as np

from .. import interrupts
from ..learn import landscape as loss_landscape
from ..errors import UsageError
from ..learn.runs import Run, meta as run_meta
from ..learn.training import STEP_PANELS
from ..log.snapshots import SnapshotLog, add_static, load
from ..log.record import train as train_scene
from .pool import stop_workers


def _check_panels(name: str, panels: list[str], landscape: bool, arrays) -> None:
    from ..draw.frames import check_panels
    check_panels(name, panels, set(arrays) | (set(loss_landscape.NAMES) if landscape else set()))


def _train_one(run_scene, path, options) -> str:
    train_scene(run_scene, path, **options)
    return str(path)


def train_runs(runs: list[Run], paths: list[Path], set_name: str, *, steps=None, every=None,
               seed: int = 0, lr=None, jobs: int | None = None, landscape: bool = False,
               panels: list[str] | None = None, progress=None, theme: str | None = None,
               title: str | None = None) -> list[SnapshotLog]:
    """Train every run into its path (each a temporary the caller owns); the logs, in order.

    `jobs` processes at once (None: one per core, at most one per run; 1: in this process).
    `panels` are checked against each run's arrays before its first step; `theme` and
    `title` go into every run's log (training.train).
    """
    tick = progress or (lambda n=1: None)
    panels = list(panels or runs[0].scene.panels)
    runs, options = prepare(runs, set_name, steps=steps, every=every, seed=seed, lr=lr,
                            landscape=landscape, panels=panels, theme=theme, title=title)
    workers = min(jobs or os.cpu_count() or 1, len(runs))
    if multiprocessing.current_process().daemon:   # a Dask worker's process may have no children
        workers = 1
    if workers == 1:
        for run, path, opts in zip(runs, paths, options):
            train_scene(run.scene, path, progress=tick, **opts)
    else:
        _in_pool(runs, paths, options, workers, tick)
    if landscape:
        add_shared_landscape([_Own(path) for path in paths], set_name, panels)
    return [load(path) for path in paths]


def prepare(runs: list[Run], set_name: str, *, steps=None, every=None, seed: int = 0, lr=None,
            landscape: bool = False, panels: list[str] | None = None, theme=None,
            title=None) -> tuple[list[Run], list[dict]]:
    """Each run as it is trained (with the landscape, added after all, left out of its panels)
    and its training.train options: one rule wherever a run trains (here, or a Dask worker
    that trains one run of the set, nnviz.run.jobs)."""
    panels = list(panels or runs[0].scene.panels)
    check = functools.partial(_check_panels, set_name, panels, landscape)
    options = [dict(steps=steps, every=every, seed=seed if run.seed is None else run.seed,
                    lr=lr, before=check, landscape=False,   # shared, added after all
                    gradients=any(p in panels for p in STEP_PANELS),
                    run=run_meta(run, runs, set_name), theme=theme, title=title)
               for run in runs]
    if landscape:   # each log is valid without it until the shared one is added after all
        runs = [copy.copy(run) for run in runs]
        for run in runs:
            run.scene = copy.copy(run.scene)
            run.scene.panels = tuple(p for p in panels if p != "landscape")
    return runs, options


class _Own:
    """A log this process has just written, read with numpy (it is ours, not a stranger's;
    checked by `load` once complete)."""

    def __init__(self, path):
        import json
        self.path = Path(path)
        self._npz = np.load(self.path, allow_pickle=False)
        self.meta = json.loads(self._npz["meta"].tobytes().decode())
        self.names = [n for n in self._npz.files if n != "meta"]

    def __getitem__(self, name):
        return self._npz[name]

    def __contains__(self, name):
        return name in self.names

    def __len__(self):
        return self.meta["snapshots"]


def _in_pool(runs, paths, options, workers, tick) -> None:
    import concurrent.futures as cf
    import multiprocessing
    n_steps = lambda run, opts: opts["steps"] or run.scene.steps
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        with interrupts.deferred():   # never raise inside the forks submit makes (see jobs)
            futures = {pool.submit(_train_one, run.scene, path, opts): (run, opts)
                       for run, path, opts in zip(runs, paths, options)}
        waiting = set(futures)
        while waiting:
            done, waiting = cf.wait(waiting, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            interrupts.check()   # the parent waits at a safe point: a signal stops the workers
            for future in sorted(done, key=lambda f: futures[f][0].index):
                future.result()   # the first failure (a diverging run, a scene error) is the error
                tick(n_steps(*futures[future]))
        pool.shutdown()
    except BaseException:
        stop_workers(pool)
        raise


def trajectory(log: SnapshotLog) -> np.ndarray:
    """Every snapshot's parameters (S, n_params) in the flat order the landscape uses."""
    from ..log.rebuild import network
    net = network(log)
    return np.concatenate([log[f"param/{name}"].reshape(len(log), -1) for name in net.params],
                          axis=1)


def training_set(log: SnapshotLog) -> tuple[np.ndarray, np.ndarray]:
    """The training set in the units the network trained in (as training.train computed it)."""
    x = (log["data/x_train"] - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    y = (log["data/y_train"] - log["standardizer/y_mean"]) / log["standardizer/y_std"]
    return x, y


def add_shared_landscape(logs: list[SnapshotLog], set_name: str, panels: list[str]) -> None:
    """One surface for all runs, each run's path on it, added to every run's log.

    Refused in one line when the runs do not share one surface: different networks (their
    losses are different functions of the parameters) or different training data (e.g. runs
    that differ in seed).
    """
    first = logs[0]
    if first.meta.get("architecture") is None:
        raise UsageError(f"scene {set_name!r}: the landscape panel needs a network of nnviz's "
                         f"own layers; drop the panel or build the model from nn layers")
    x, y = training_set(first)
    for log in logs[1:]:
        label = log.meta["run"]["label"]
        if log.meta["architecture"] != first.meta["architecture"] or \
                log.meta["options"]["loss"] != first.meta["options"]["loss"]:
            raise UsageError(f"scene {set_name!r}: runs {first.meta['run']['label']!r} and "
                             f"{label!r} train different networks, so they have no common loss "
                             f"landscape; drop the landscape panel")
        xo, yo = training_set(log)
        if not (np.array_equal(x, xo) and np.array_equal(y, yo)):
            raise UsageError(f"scene {set_name!r}: runs {first.meta['run']['label']!r} and "
                             f"{label!r} train on different data (another seed?), so they have "
                             f"no common loss landscape; drop the landscape panel")
    shared, paths = loss_landscape.compute_shared(
        first.meta["architecture"], [trajectory(log) for log in logs], x, y,
        first.meta["options"]["loss"])
    for log, path in zip(logs, paths):
        add_static(log.path, dict(shared, **{"landscape/path": path}), {"panels": panels})
