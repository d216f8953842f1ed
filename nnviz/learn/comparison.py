"""`nnviz compare`: runs of one scene made from lists of settings, shown in one video.

Nothing here trains or draws: the lists become a scene's `runs` (nnviz.learn.runs), one run per
combination, and the render of several runs does the rest. `--lr 0.003,0.01,0.03` makes three
runs labelled `lr=0.003`...; two lists make a grid (`lr=0.01 · adam`), in LISTS' order.

LISTS is the one table of what can be compared: per flag the scene attribute a run overrides,
the check of one value, its words in a run's label and the separator of values. `--lr`,
`--optimizer` and `--seed` are always lists; a network knob (nnviz.learn.knobs) is a list when
given two or more values (`--activation relu,tanh`) and otherwise one setting every run shares
(`--activation tanh`). Where one value is itself a comma list (`--hidden 8,8`, `--features
x1,x2`) values are separated by `;`: `--hidden "4;8,8"` compares 4 with 8,8. The output goes to
OUT/NAME-compare/ so it never replaces the scene's own render.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Callable

from . import nn, runs
from .knobs import ATTRIBUTE
from ..errors import UsageError
from ..numbers import plain
from ..settings import MAX_LR, NETWORK_CHECKS

SUFFIX = "-compare"


def _lr(item):
    try:
        if isinstance(item, str) and not plain(item, float):
            raise ValueError(item)
        v = float(item)
    except (TypeError, ValueError):
        raise UsageError(f"--lr: {item!r} is not a number; give learning rates in plain "
                         f"digits such as 0.001,0.01") from None
    if not 0 < v <= MAX_LR or isinstance(item, bool):
        raise UsageError(f"--lr: {item!r} must be a positive number (at most {MAX_LR:g})")
    return v


def _optimizer(item):
    if not isinstance(item, str) or item not in nn.OPTIMIZERS:
        raise UsageError(f"--optimizer: unknown optimizer {item!r}; choose from "
                         f"{', '.join(nn.OPTIMIZERS)}")
    return item


def _seed(item):
    try:
        v = (int(item) if not isinstance(item, str)
             or plain(item, int) and not item.startswith("-") else None)   # not "-0"
    except (TypeError, ValueError):
        v = None
    if v is None or isinstance(item, bool) or isinstance(item, float) or not 0 <= v < 2 ** 32:
        raise UsageError(f"--seed: {item!r} is not a whole number from 0 to 2**32 - 1")
    return v


@dataclass(frozen=True)
class Listed:
    """A setting `compare` takes a list of."""
    attribute: str                    # the scene attribute a run overrides ("seed": its seed)
    check: Callable[[object], object]  # one value, checked: the value a run gets
    label: Callable[[object], str]     # the value's words in the run's label
    example: str                      # two values, as typed
    sep: str = ","                    # between values
    always: bool = False              # a list even of one value (then refused)


def _knob(flag: str, label: Callable, example: str, sep: str = ",") -> Listed:
    return Listed(ATTRIBUTE[flag], NETWORK_CHECKS[flag], label, example, sep)


_widths = lambda v: ",".join(map(str, v)) or "none"
LISTS: dict[str, Listed] = {
    "lr": Listed("lr", _lr, lambda v: f"lr={v:g}", "0.001,0.01", always=True),
    "optimizer": Listed("optimizer", _optimizer, str, "sgd,adam", always=True),
    "seed": Listed("seed", _seed, lambda v: f"seed={v}", "0,1", always=True),
    "hidden": _knob("hidden", lambda v: f"hidden={_widths(v)}", '"4;8,8"', ";"),
    "activation": _knob("activation", str, "relu,tanh"),
    "batch": _knob("batch", lambda v: f"batch={v}", "8,64"),
    "regularization": _knob("regularization", lambda v: f"reg={v}", "none,l2"),
    "reg_rate": _knob("reg_rate", lambda v: f"rate={v:g}", "0.001,0.01"),
    "features": _knob("features", ",".join, '"x1,x2;x1,x2,x1x2"', ";"),
    "ratio": _knob("ratio", lambda v: f"ratio={v:g}", "0.3,0.7"),
}
SETTINGS = tuple(LISTS)
NETWORK = ("hidden", "activation", "features")   # runs of these train different networks
DATA = ("seed", "ratio")                          # and of these on different data


def _flag(flag: str) -> str:
    return "--" + flag.replace("_", "-")


def is_list(flag: str, value) -> bool:
    """Whether `value` given for `flag` is a list of runs' values (else one shared value):
    always for lr, optimizer and seed; for a knob, a text holding its separator, or (from
    Python) a list or tuple of values, each a list itself where one value is a list."""
    listed = LISTS.get(flag)
    if listed is None or value is None:
        return False
    if listed.always:
        return True
    if isinstance(value, str):
        return listed.sep in value
    if not isinstance(value, (list, tuple)):
        return False
    return listed.sep == "," or bool(value) and all(isinstance(v, (list, tuple)) for v in value)


def split(options: dict) -> tuple[dict, dict]:
    """(the lists to compare, the other options) of a compare call's options."""
    lists = {k: v for k, v in options.items() if is_list(k, v)}
    return lists, {k: v for k, v in options.items() if k not in lists}


def _items(flag: str, value) -> list:
    sep = LISTS[flag].sep
    texts = value.split(sep) if isinstance(value, str) else list(value)
    if any(isinstance(t, str) and not t.strip() for t in texts):
        raise UsageError(f"{_flag(flag)} {value!r} has an empty item; give a list such as "
                         f"{LISTS[flag].example}")
    return [t.strip() if isinstance(t, str) else t for t in texts]


def parse(flag: str, value) -> list:
    """One flag's list of values, checked: at least two, each valid, and each its own run: no
    value given twice (0.001 and 0.0010 are one value) and no two values making one label
    (a run's label names it in the video and its log's file: one would replace the other)."""
    listed = LISTS[flag]
    values, seen, labels = [], {}, {}
    for item in _items(flag, value):
        v = listed.check(item)
        if v in seen:
            if str(seen[v]) == str(item):
                raise UsageError(f"{_flag(flag)} repeats {item!r}; give each value once")
            raise UsageError(f"{_flag(flag)}: {seen[v]!r} and {item!r} are the same value; give "
                             f"each value once")
        label = listed.label(v)
        if label in labels:
            raise UsageError(f"{_flag(flag)}: {labels[label]!r} and {item!r} would both be run "
                             f"{label!r}; give values that differ in their first 6 significant "
                             f"digits")
        seen[v], labels[label] = item, item
        values.append(v)
    if len(values) < 2:
        raise UsageError(f"{_flag(flag)} {value!r} gives one value only; give at least two to "
                         f"compare, e.g. {_flag(flag)} {listed.example}")
    return values


def make_runs(**lists) -> dict[str, dict]:
    """The `runs` of a comparison: {label: overrides}, one per combination of the lists given."""
    unknown = [flag for flag in lists if flag not in LISTS]
    if unknown:
        raise UsageError(f"compare takes lists of {', '.join(SETTINGS)}, not {unknown[0]!r}")
    given = [(flag, parse(flag, lists[flag])) for flag in SETTINGS if lists.get(flag) is not None]
    if not given:
        raise UsageError("give what to compare: --lr, --optimizer, --seed or a network knob "
                         "(--hidden, --activation, --batch, --regularization, --reg-rate, "
                         "--features, --ratio) with two or more values, e.g. --lr 0.001,0.01,0.1")
    count = 1
    for _, values in given:
        count *= len(values)
    if count > runs.MAX_RUNS:
        sizes = " x ".join(f"{len(v)} {flag}" for flag, v in given)
        raise UsageError(f"{sizes} make {count} runs; one video holds at most {runs.MAX_RUNS}: "
                         f"give fewer values")
    made = {}
    for combo in itertools.product(*(values for _, values in given)):
        label = " · ".join(LISTS[flag].label(v) for (flag, _), v in zip(given, combo))
        if label in made:   # parse() keeps each flag's labels apart; a run is never dropped
            raise UsageError(f"two runs would both be {label!r}; give values that make "
                             f"different labels")
        if len(label) > runs.MAX_LABEL:
            raise UsageError(f"the run {label!r} makes a label of {len(label)} characters; a "
                             f"tile's title holds at most {runs.MAX_LABEL}: compare fewer "
                             f"settings at once, or give shorter values")
        made[label] = {LISTS[flag].attribute: v for (flag, _), v in zip(given, combo)}
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
            and not set(compared) & {*NETWORK, *DATA} and _parameters(scene) == 2:
        views = [p for p in chosen if p not in ("loss", "accuracy")]
        metrics = [p for p in chosen if p in ("loss", "accuracy")]
        chosen = (*views, "landscape", *metrics)
    from .scene import check_panel_choice
    chosen = check_panel_choice(scene.name, chosen)
    if "landscape" in chosen and "seed" in compared:
        raise UsageError("runs with different seeds train on different data, so they share no "
                         "loss landscape; drop the landscape panel or --seed")
    apart = next((flag for flag in compared if flag in NETWORK or flag in DATA), None)
    if "landscape" in chosen and apart:
        what = "different networks" if apart in NETWORK else "on different data"
        raise UsageError(f"runs with different {_flag(apart)} train {what}, so they share no "
                         f"loss landscape; drop the landscape panel or {_flag(apart)}")
    for label, overrides in made.items():   # as knobs.apply refuses it for one run
        if "reg_rate" in overrides and overrides.get("regularization",
                                                     scene.regularization) == "none":
            raise UsageError(f"run {label!r}: --reg-rate needs --regularization l1 or l2; "
                             f"give --regularization l2 (or l1) to every run")
    result = copy.copy(scene)
    result.runs = made
    result.panels = chosen
    result.title = (f"{scene.title or scene.name} · comparing "
                    f"{' and '.join(f.replace('_', ' ') for f in compared)}")
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
