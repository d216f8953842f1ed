"""`nnviz compare`: runs of one scene made from lists of settings, shown in one video.

Nothing here trains or draws: the lists become a scene's `runs` (nnviz.learn.runs), one run per
combination, and the render of several runs does the rest. `--lr 0.003,0.01,0.03` makes three
runs labelled `lr=0.003`...; two lists make a grid (`lr=0.01 · adam`), in the order lr,
optimizer, seed. The output goes to OUT/NAME-compare/ so it never replaces the scene's own
render.
"""
from __future__ import annotations

import copy
import itertools

from . import nn, runs
from ..errors import UsageError
from ..numbers import plain

from ..settings import MAX_LR
SUFFIX = "-compare"
SETTINGS = ("lr", "optimizer", "seed")


def _items(flag: str, value) -> list[str]:
    texts = value.split(",") if isinstance(value, str) else list(value)
    if any(isinstance(t, str) and not t.strip() for t in texts):
        raise UsageError(f"--{flag} {value!r} has an empty item; give a comma list such as "
                         f"{ {'lr': '0.001,0.01', 'optimizer': 'sgd,adam', 'seed': '0,1,2'}[flag]}")
    return [t.strip() if isinstance(t, str) else t for t in texts]


def parse(flag: str, value) -> list:
    """One flag's list of values, checked: at least two, each valid, and each its own run: no
    value given twice (0.001 and 0.0010 are one value) and no two values making one label
    (a run's label names it in the video and its log's file: one would replace the other)."""
    items = _items(flag, value)
    values, seen, labels = [], {}, {}
    for item in items:
        if flag == "lr":
            try:
                if isinstance(item, str) and not plain(item, float):
                    raise ValueError(item)
                v = float(item)
            except (TypeError, ValueError):
                raise UsageError(f"--lr: {item!r} is not a number; give learning rates in plain "
                                 f"digits such as 0.001,0.01") from None
            if not 0 < v <= MAX_LR or isinstance(item, bool):
                raise UsageError(f"--lr: {item!r} must be a positive number (at most {MAX_LR:g})")
        elif flag == "optimizer":
            v = item
            if not isinstance(v, str) or v not in nn.OPTIMIZERS:
                raise UsageError(f"--optimizer: unknown optimizer {item!r}; choose from "
                                 f"{', '.join(nn.OPTIMIZERS)}")
        else:
            try:
                v = (int(item) if not isinstance(item, str)
                     or plain(item, int) and not item.startswith("-") else None)   # not "-0"
            except (TypeError, ValueError):
                v = None
            if v is None or isinstance(item, bool) or isinstance(item, float) or not 0 <= v < 2 ** 32:
                raise UsageError(f"--seed: {item!r} is not a whole number from 0 to 2**32 - 1")
        if v in seen:
            if str(seen[v]) == str(item):
                raise UsageError(f"--{flag} repeats {item!r}; give each value once")
            raise UsageError(f"--{flag}: {seen[v]!r} and {item!r} are the same value; give each "
                             f"value once")
        label = _label(flag, v)
        if label in labels:
            raise UsageError(f"--{flag}: {labels[label]!r} and {item!r} would both be run "
                             f"{label!r}; give values that differ in their first 6 significant "
                             f"digits")
        seen[v], labels[label] = item, item
        values.append(v)
    if len(values) < 2:
        raise UsageError(f"--{flag} {value!r} gives one value only; give at least two to "
                         f"compare, e.g. --{flag} "
                         f"{ {'lr': '0.001,0.01', 'optimizer': 'sgd,adam', 'seed': '0,1'}[flag]}")
    return values


def _label(flag: str, value) -> str:
    return {"lr": f"lr={value:g}" if flag == "lr" else "", "optimizer": str(value),
            "seed": f"seed={value}"}[flag]


def make_runs(**lists) -> dict[str, dict]:
    """The `runs` of a comparison: {label: overrides}, one per combination of the lists given."""
    given = [(flag, parse(flag, lists[flag])) for flag in SETTINGS if lists.get(flag) is not None]
    if not given:
        raise UsageError("give what to compare: --lr, --optimizer or --seed with two or more "
                         "values each, e.g. --lr 0.001,0.01,0.1")
    count = 1
    for _, values in given:
        count *= len(values)
    if count > runs.MAX_RUNS:
        sizes = " x ".join(f"{len(v)} {flag}" for flag, v in given)
        raise UsageError(f"{sizes} make {count} runs; one video holds at most {runs.MAX_RUNS}: "
                         f"give fewer values")
    made = {}
    for combo in itertools.product(*(values for _, values in given)):
        label = " · ".join(_label(flag, v) for (flag, _), v in zip(given, combo))
        if label in made:   # parse() keeps each flag's labels apart; a run is never dropped
            raise UsageError(f"two runs would both be {label!r}; give values that make "
                             f"different labels")
        if len(label) > runs.MAX_LABEL:
            raise UsageError(f"the run {label!r} makes a label of {len(label)} characters; a "
                             f"tile's title holds at most {runs.MAX_LABEL}: compare fewer "
                             f"settings at once, or give shorter values")
        made[label] = {flag: v for (flag, _), v in zip(given, combo)}
    return made


def scene_for(scene, panels=None, **lists):
    """The scene copied with the comparison's runs, name NAME-compare and a title saying what
    is compared. `panels` (already checked) replaces the scene's; without it, an --optimizer
    comparison of a scene of two parameters adds the landscape (the paths racing on it)."""
    if getattr(scene, "runs", None) is not None:
        raise UsageError(f"scene {scene.name!r} already holds several runs; compare a scene "
                         f"of one run")
    made = make_runs(**lists)
    compared = [flag for flag in SETTINGS if lists.get(flag) is not None]
    chosen = tuple(panels) if panels is not None else tuple(scene.panels)
    if panels is None and "optimizer" in compared and "landscape" not in chosen \
            and _parameters(scene) == 2:
        views = [p for p in chosen if p not in ("loss", "accuracy")]
        metrics = [p for p in chosen if p in ("loss", "accuracy")]
        chosen = (*views, "landscape", *metrics)
    from .scene import check_panel_choice
    chosen = check_panel_choice(scene.name, chosen)
    if "landscape" in chosen and "seed" in compared:
        raise UsageError("runs with different seeds train on different data, so they share no "
                         "loss landscape; drop the landscape panel or --seed")
    result = copy.copy(scene)
    result.runs = made
    result.panels = chosen
    result.title = f"{scene.title or scene.name} · comparing {' and '.join(compared)}"
    name = f"{scene.name}{SUFFIX}"
    from ..names import check_scene_name
    check_scene_name(name, f"scene {scene.name!r}")
    return result, name


def _parameters(scene) -> int:
    """How many parameters the scene's network has (built once on its own data, not trained)."""
    import numpy as np
    from . import scene_checks
    rng = np.random.default_rng(0)
    ds = scene_checks.dataset(scene, rng)
    return scene_checks.model(scene, rng, ds).flat_params.size
