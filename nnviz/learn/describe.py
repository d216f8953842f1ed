"""A scene in words, for `nnviz list -v` and `nnviz show NAME`.

A scene's description is one sentence someone wrote; what it really trains is in its code. So
this builds the scene's data and network exactly as training does with seed 0 (through
nnviz.learn.scene_checks: a broken scene is one line, as for a render) and reads the network from
the model's own architecture, the optimiser and cadence from the scene's attributes.
"""
from __future__ import annotations

import numpy as np

from . import data, scene_checks
from .features import pretty


def network(architecture: list[dict] | None, n_params: int) -> str:
    """`2-4-4-2, leaky_relu (slope 0.01) hidden, 34 parameters` from a model's architecture."""
    if architecture is None:
        return f"a network of the scene's own layers, {n_params:,} parameters"
    features = [layer["names"] for layer in architecture if layer["layer"] == "features"]
    architecture = [layer for layer in architecture if layer["layer"] != "features"]
    dense = [layer for layer in architecture if layer["layer"] == "dense"]
    widths = "-".join(str(w) for w in [dense[0]["n_in"]] + [d["n_out"] for d in dense])

    def name(layer):
        extra = [f"{k} {v:g}" for k, v in layer.items() if k != "layer"]
        return layer["layer"] + (f" ({', '.join(extra)})" if extra else "")

    # the activation after each Dense layer; the last one is the output's
    acts, current = [], None
    for layer in architecture:
        if layer["layer"] == "dense":
            if current is not None or acts:
                acts.append(current)
            current = None
        elif current is None:
            current = name(layer)
    acts.append(current)
    hidden, output = acts[:-1], acts[-1]
    parts = [widths]
    if hidden:
        kinds = list(dict.fromkeys(a or "linear" for a in hidden))
        parts.append(f"{' / '.join(kinds)} hidden")
    parts.append(f"{output} output" if output else "linear output")
    if features:   # Playground's features of the two inputs feed the first layer
        parts.insert(0, f"features {', '.join(pretty(features[0]))} ->")
    return ", ".join(parts).replace("->,", "->") + f", {n_params:,} parameters"


def describe(scene) -> list[tuple[str, str]]:
    """(field, text) rows: runs (a scene of several), network, training, snapshots, panels,
    data."""
    data_rng, split_rng, init_rng, _ = (
        np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(4))
    ds = scene_checks.dataset(scene, data_rng)
    train_set, val_set = scene_checks.split(scene, ds, split_rng)
    model = scene_checks.model(scene, init_rng, ds)
    try:
        architecture = model.architecture()
    except ValueError:
        architecture = None
    n_params = sum(int(np.size(p)) for p in model.params.values())
    n_in, n_out = ds.x.shape[1], ds.y.shape[1]
    classify = ds.kind == "classification"
    if classify:   # one 0/1 column is two classes answered by one probability
        targets = "2 classes, one probability" if n_out == 1 else f"{n_out} classes"
    else:
        targets = f"{n_out} target{'s' if n_out > 1 else ''}"
    scaled = "inputs" if classify or not scene.standardize_targets else "inputs and targets"
    batch = scene_checks.batch_size(scene, len(train_set))
    snapshots = len(np.unique(np.append(np.arange(0, scene.steps + 1, scene.every), scene.steps)))
    every = (f"every step, 0 to {scene.steps}" if scene.every == 1
             else f"every {scene.every} steps and the last")
    loss = scene_checks.loss_name(scene, ds)
    net = network(architecture, n_params)
    if loss == "softmax_cross_entropy":   # the softmax is part of the loss
        net = net.replace("linear output", "softmax output (in the loss)")
    from .runs import plan
    several = plan(scene)
    rows = [] if several is None else [
        ("runs", f"{len(several)} in one video, in lockstep: "
                 f"{', '.join(run.label for run in several)}")]
    return rows + [
        ("network", net),
        ("training", f"{scene.optimizer}, lr {scene.lr:g}, {scene.steps} steps, batches of "
                     f"{batch}, loss {loss}" + (f" + {scene.regularization.upper()} penalty, rate "
                                                f"{scene.reg_rate:g}" if scene.regularization
                                                != "none" and scene.reg_rate > 0 else "")),
        ("snapshots", f"{every}: {snapshots} frames"),
        ("panels", ", ".join(scene.panels)),
        ("data", f"{len(ds)} samples, {n_in} input{'s' if n_in > 1 else ''} -> {targets} "
                 f"({ds.kind}); {len(train_set)} train, {len(val_set)} validation; "
                 f"{scaled} standardised"),
    ]


def made_with(meta: dict) -> str:
    """How a log's run was made, in one sentence from its meta (for the page and the gallery):
    `network 2-8-8-2, tanh hidden, ...; adam, lr 0.01, batches of 16; 200 steps, seed 0.`
    A log is a stranger's file: a field missing or of the wrong kind is left out."""
    options = meta.get("options") if isinstance(meta.get("options"), dict) else {}
    parts = []
    arch = meta.get("architecture")
    if isinstance(arch, list):
        try:
            from . import nn
            n = nn.Sequential.from_architecture(arch).flat_params.size
            net = network(arch, n)
            if options.get("loss") == "softmax_cross_entropy":   # the softmax is in the loss
                net = net.replace("linear output", "softmax output")
            parts.append("network " + net)
        except (ValueError, KeyError, TypeError):
            pass
    train = [str(options[k]) if k == "optimizer" else f"{label} {options[k]:g}"
             for k, label in (("optimizer", ""), ("lr", "lr"))
             if isinstance(options.get(k), (str, int, float))]
    if isinstance(options.get("batch_size"), int):
        train.append(f"batches of {options['batch_size']}")
    if options.get("regularization") in ("l1", "l2") and isinstance(options.get("reg_rate"), float):
        train.append(f"{options['regularization'].upper()} penalty, rate {options['reg_rate']:g}")
    if train:
        parts.append(", ".join(train))
    run = [f"{options[k]} {label}" for k, label in (("steps", "steps"),) if isinstance(options.get(k), int)]
    run += [f"seed {options['seed']}"] if isinstance(options.get("seed"), int) else []
    if isinstance(options.get("noise"), float):
        run.append(f"noise {options['noise']:g}")
    if run:
        parts.append(", ".join(run))
    return ("Made with: " + "; ".join(parts) + ".") if parts else ""
