"""Several runs of one scene: trained alike, shown in lockstep in one video.

A scene holds several runs by naming them in its class attribute `runs`, a dict from each
run's label to the scene attributes that run changes:

    runs = {"sigmoid": {"activation": "sigmoid"}, "tanh": {"activation": "tanh"}}

Why overrides of attributes, and not, say, a list of scenes or a `model(self, rng, run)`
argument: the attributes are already the scene's whole configuration (lr, optimizer,
batch_size, or the scene's own such as `activation`), they are data (JSON in every run's log,
so a log says exactly what its run changed), and a single-run scene is the same class without
`runs`: nothing about writing `dataset` and `model` changes. `nnviz compare` is then only runs
made from command-line flags (nnviz.compare).

Each run is the scene copied with its overrides set on the copy. One key is not an attribute:
`seed` (a whole number) gives a run its own seed, for "is that a lucky seed?" (`nnviz compare
--seed 0,1,2`). Otherwise every run trains with the same seed (the render's `--seed`), so all get the same data, split, batch order and (for the same architecture) the
same initial weights: only the overrides differ. What the frames share cannot vary by run:
the name, title, description, panels, steps and snapshot schedule (FIXED).

Runs are stored as ordinary logs, OUT/SET/runs/FILE.npz, one per run; meta "run" says which
run of which set a log is (`meta`), and `check_set` checks that logs given to `--from`
make one whole set.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

from ..errors import UsageError
from ..names import check_scene_name

MAX_RUNS = 9            # a 3x3 grid of small multiples is the most a 640x480 frame can read
MIN_RUNS = 2
MAX_LABEL = 32          # a label is a small multiple's title: it must fit above a 1/3-wide tile
FIXED = ("name", "title", "description", "runs", "panels", "steps", "every")
RUNS_FOLDER = "runs"
_FILE_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Run:
    """One run of a scene: its label, its place in the set, what it changes, its scene."""
    label: str
    index: int
    overrides: dict
    scene: object   # the scene copy with the overrides set
    file: str       # its log's file name in OUT/SET/runs/
    seed: int | None = None   # its own seed; None: the render's


def check_label(label, what: str, error: type[Exception] = UsageError) -> str:
    """A run label: a short printable text (it is a tile's title and, made safe, a file name)."""
    if not isinstance(label, str):
        raise error(f"{what}: a run label must be a string, got {type(label).__name__}")
    if not label or len(label) > MAX_LABEL or not label.isprintable() or label != label.strip():
        raise error(f"{what}: run label {label!r} is not allowed (1 to {MAX_LABEL} printable "
                    f"characters, no leading or trailing spaces)")
    return label


def file_name(label: str) -> str:
    """The run's log file name: the label with every run of other characters made one `_`."""
    return f"{_FILE_SAFE.sub('_', label).strip('_.-') or 'run'}.npz"


def _json_value(value) -> bool:
    if value is None or isinstance(value, (bool, str)):
        return not isinstance(value, str) or len(value) <= 100
    if isinstance(value, int):
        return abs(value) < 2 ** 53
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (tuple, list)):
        return len(value) <= 32 and all(
            not isinstance(v, (tuple, list)) and _json_value(v) for v in value)
    return False


def _compatible(old, new) -> bool:
    """An override keeps the attribute's kind: a number stays a number, a text a text."""
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if old is None or new is None:
        return True
    if number(old):
        return number(new)
    if isinstance(old, (tuple, list)):
        return isinstance(new, (tuple, list))
    return type(old) is type(new)


def plan(scene, set_name: str | None = None) -> list[Run] | None:
    """The runs of `scene` (an instance), checked; None for an ordinary single-run scene.

    Every problem is one UsageError naming the scene and the run: not a dict, too few or too
    many runs, a bad label, two labels making one file name, an override of an attribute the
    scene does not have (or one the frames share), a value that is not plain data or changes
    the attribute's kind; the run's scene is then checked like any scene (scene_checks).
    """
    from .scene_checks import _attr, _fail, check_attributes
    runs = _attr(scene, "runs")
    if runs is None:
        return None
    if not isinstance(runs, dict):
        _fail(scene, f"runs must be a dict from each run's label to the attributes it changes, "
                     f"got {type(runs).__name__}")
    if not MIN_RUNS <= len(runs) <= MAX_RUNS:
        _fail(scene, f"runs must name {MIN_RUNS} to {MAX_RUNS} runs, got {len(runs)}")
    plans, files = [], {}
    for index, (label, overrides) in enumerate(runs.items()):
        check_label(label, f"scene {scene.name!r}")
        where = f"run {label!r}"
        file = file_name(label)
        if file.lower() in files:
            _fail(scene, f"runs {files[file.lower()]!r} and {label!r} make the same file name "
                         f"{file}; give labels that differ in letters or digits")
        files[file.lower()] = label
        if not isinstance(overrides, dict):
            _fail(scene, f"{where}: give a dict of attribute overrides, got {type(overrides).__name__}")
        run = copy.copy(scene)
        seed = overrides.get("seed")
        if "seed" in overrides and (not isinstance(seed, int) or isinstance(seed, bool)
                                    or not 0 <= seed < 2 ** 32):
            _fail(scene, f"{where}: seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
        for key, value in overrides.items():
            if key == "seed":
                continue
            if not isinstance(key, str) or key.startswith("_") or not hasattr(scene, key):
                _fail(scene, f"{where}: {key!r} is not an attribute of the scene; a run can "
                             f"only change attributes the scene has (define it on the class)")
            old = getattr(scene, key)
            if key in FIXED or callable(old):
                what = "a method" if callable(old) else "shared by every run of one video"
                _fail(scene, f"{where}: cannot change {key!r} ({what})")
            if not _json_value(value) or not _compatible(old, value):
                _fail(scene, f"{where}: {key} = {value!r} is not allowed; a run's value must be "
                             f"plain data (a number, text, True/False, None or a short list of "
                             f"those) of the same kind as the scene's {old!r}")
            setattr(run, key, value)
        try:
            check_attributes(run)
        except UsageError as e:
            raise UsageError(f"{e} (in run {label!r})") from None
        plans.append(Run(label, index, dict(overrides), run, file, seed))
    return plans


def check_panels(name: str, panels) -> None:
    """Panels a video of several runs can draw: all but the network (one run's network per
    frame would be a tile too small to read; render a run alone with --from runs/FILE.npz)."""
    for one in ("network", "gradients"):
        if one in panels:
            raise UsageError(f"scene {name!r}: the {one} panel shows one run; drop it for "
                             f"several runs, or render one run alone with --from "
                             f"OUT/{name}/runs/FILE.npz")


def meta(run: Run, runs: list[Run], set_name: str) -> dict:
    """What a run's log records about its set (meta "run"), checked by `check_meta` on load."""
    return {"label": run.label, "index": run.index, "labels": [r.label for r in runs],
            "set": set_name, "overrides": {k: (list(v) if isinstance(v, tuple) else v)
                                           for k, v in run.overrides.items()}}


def check_meta(value, error: type[Exception]) -> None:
    """meta 'run' of a stranger's log: its types, sizes and the rule for labels and names."""
    if not isinstance(value, dict):
        raise error(f"meta 'run' must be a dict, got {type(value).__name__}")
    labels = value.get("labels")
    if not isinstance(labels, list) or not MIN_RUNS <= len(labels) <= MAX_RUNS:
        raise error(f"meta 'run' 'labels' must list {MIN_RUNS} to {MAX_RUNS} run labels")
    for label in labels:
        check_label(label, "meta 'run' 'labels'", error)
    if len({file_name(l).lower() for l in labels}) < len(labels):
        raise error("meta 'run' 'labels' holds labels making the same file name")
    index = value.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(labels):
        raise error(f"meta 'run' 'index' must be a whole number from 0 to {len(labels) - 1}, "
                    f"got {index!r}")
    if value.get("label") != labels[index]:
        raise error(f"meta 'run' 'label' {value.get('label')!r} is not label {index} of its set")
    check_scene_name(value.get("set"), "meta 'run' 'set'", error)
    if not isinstance(value.get("overrides"), dict):
        raise error("meta 'run' 'overrides' must be a dict")


def check_set(logs: list) -> list:
    """Logs given to `--from` as one set of runs, in the set's order; one line if they are not.

    They must all be runs (meta "run") of one set: the same set name and labels, each run
    exactly once, every one present, and the same snapshot steps (the frames are lockstep).
    """
    if len(logs) < MIN_RUNS:
        raise UsageError(f"--from: {len(logs)} log given; several runs need {MIN_RUNS} to "
                         f"{MAX_RUNS} logs of one set (or their folder OUT/NAME/runs)")
    for log in logs:
        if "run" not in log.meta:
            raise UsageError(f"--from: {log.path} is a single run's log, not one of a set of "
                             f"runs; give it alone, or the logs of one set")
    first = logs[0].meta["run"]
    key = lambda log: (log.meta["run"]["set"], log.meta["run"]["labels"], log.meta["scene"])
    for log in logs[1:]:
        if key(log) != key(logs[0]):
            raise UsageError(f"--from: {log.path} belongs to another set of runs than "
                             f"{logs[0].path}; give the logs of one set")
    by_index = {}
    for log in logs:
        i = log.meta["run"]["index"]
        if i in by_index:
            raise UsageError(f"--from: {by_index[i].path} and {log.path} are the same run "
                             f"{log.meta['run']['label']!r}; give each run once")
        by_index[i] = log
    missing = [l for i, l in enumerate(first["labels"]) if i not in by_index]
    if missing:
        raise UsageError(f"--from: the set {first['set']!r} lacks run "
                         f"{missing[0]!r}; give all {len(first['labels'])} runs")
    ordered = [by_index[i] for i in range(len(first["labels"]))]
    import numpy as np
    steps = ordered[0]["step"]
    for log in ordered[1:]:
        if not np.array_equal(log["step"], steps) or log.meta["panels"] != ordered[0].meta["panels"]:
            raise UsageError(f"--from: {log.path} has other snapshot steps or panels than "
                             f"{ordered[0].path}; runs of one video must be in lockstep")
    return ordered
