"""The network and training knobs of the command line (--hidden, --activation, --optimizer,
--batch, --regularization, --reg-rate, --features, --noise, --ratio) applied to any scene.

A knob is a scene attribute (nnviz.learn.scene.Scene: `hidden`, `hidden_activation`,
`features`, `regularization`, `reg_rate`, `optimizer`, `batch_size`, `train_fraction`,
`noise`), so a knob is set the one way a scene's own choices are, a run of a comparison can
change it like any attribute, and the network it gives is built in one place
(Scene.network, with `rebuild` here).
"""
from __future__ import annotations

import copy

import numpy as np

from . import nn
from .features import Features
from ..errors import UsageError
from ..settings import NETWORK_CHECKS

# settings field -> the scene attribute it sets
ATTRIBUTE = {"hidden": "hidden", "activation": "hidden_activation", "optimizer": "optimizer",
             "batch": "batch_size", "regularization": "regularization", "reg_rate": "reg_rate",
             "features": "features", "noise": "noise", "ratio": "train_fraction"}


def apply(scene, train, compared=()):
    """`scene`, copied with the knobs `train` (a settings.Train) gives; itself if none.
    `compared`: the settings a comparison's runs set (a rate shared by runs comparing
    regularizations is checked per run, nnviz.learn.comparison)."""
    given = {k: getattr(train, k) for k in NETWORK_CHECKS if getattr(train, k) is not None}
    if not given:
        return scene
    if "noise" in given and getattr(scene, "noise", None) is None:
        raise UsageError(f"--noise changes the data of --data or --target; scene "
                         f"{scene.name!r} makes its own data: drop --noise")
    if "reg_rate" in given and "regularization" not in compared and \
            given.get("regularization", scene.regularization) == "none":
        raise UsageError("--reg-rate needs --regularization l1 or l2")
    if given.get("hidden") == () and "activation" in given:
        raise UsageError("--activation sets the hidden layers' activation, and --hidden none "
                         "leaves none: drop one of them")
    scene = copy.copy(scene)
    scene.given_knobs = frozenset(given)   # a refusal later names the option, not the attribute
    for name, value in given.items():
        setattr(scene, ATTRIBUTE[name], value)
    if given.get("hidden") == ():   # the scene's own activation was for layers now gone
        scene.hidden_activation = None
    changed = network_words(given)
    if changed:   # the scene's sentence may say its own network ("A 2-4-4-2 LeakyReLU ...")
        scene.description = f"{scene.description.rstrip()} Here with: {changed}.".lstrip()
    return scene


def network_words(given: dict) -> str:
    """What the knobs `given` change in the network, in words: `features x₁, x₂, x₁x₂;
    hidden layers 8-8; tanh hidden` ('' for none)."""
    from .features import pretty
    words = []
    if given.get("features") is not None:
        words.append(f"features {', '.join(pretty(given['features']))}")
    if given.get("hidden") is not None:
        words.append(f"hidden layers {'-'.join(map(str, given['hidden']))}" if given["hidden"]
                     else "no hidden layer")
    if given.get("activation") is not None:
        words.append(f"{given['activation']} hidden")
    return "; ".join(words)


def shape(architecture) -> tuple[list[int], str | None, float, str]:
    """(hidden widths, hidden activation or None, leaky slope, output activation) of a network
    described as data (nn.Sequential.architecture)."""
    dense = [i for i, layer in enumerate(architecture) if layer["layer"] == "dense"]
    widths = [architecture[i]["n_out"] for i in dense[:-1]]
    acts = [layer for layer in architecture[dense[0]:dense[-1]] if layer["layer"] != "dense"]
    hidden = acts[0]["layer"] if acts else None
    slope = acts[0].get("slope", 0.01) if acts else 0.01
    after = [layer["layer"] for layer in architecture[dense[-1] + 1:]]
    return widths, hidden, slope, after[-1] if after else "linear"


def rebuild(scene_name: str, own: nn.Sequential, rng: np.random.Generator, hidden, activation,
            features) -> nn.Sequential:
    """An MLP with the knobs given (None: as `own`, the scene's model, has it): the same
    inputs, outputs and output activation, freshly initialised from `rng`."""
    try:
        widths, own_act, slope, output = shape(own.architecture())
    except ValueError:
        raise UsageError(f"scene {scene_name!r} builds its network from layers of its own; "
                         f"--hidden, --activation and --features need nnviz's own layers") from None
    n_in = own.n_in
    if features is not None and n_in != 2:
        raise UsageError(f"--features are of two inputs (x1, x2); scene {scene_name!r} has "
                         f"{n_in}: drop --features")
    widths = list(widths if hidden is None else hidden)
    if activation is not None and not widths:
        raise UsageError(f"--activation sets the hidden layers' activation, and this network "
                         f"of scene {scene_name!r} has none: add hidden layers, e.g. --hidden 8")
    act = activation or (own_act if own_act not in (None, "linear") or not widths else "tanh")
    act = act if widths else "linear"   # no hidden layer: no hidden activation to choose
    first = [Features(features)] if features is not None else []
    width_in = len(features) if features is not None else n_in
    body = nn.mlp([width_in, *widths, own.n_out], act, output=output, slope=slope)
    return nn.Sequential(first + body.layers, rng)
