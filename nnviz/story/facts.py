"""What a log holds beyond its loss curves that a teacher would point at, per snapshot:
the line a linear neuron draws in the data's units, how far the landscape's path is from the
least-squares minimum, and the first hidden layer's units that are dead (ReLU: 0 on every
training input) or saturated (sigmoid, tanh: flat on every training input: they barely learn).

Everything is computed from the log's arrays (parameters, data, standardiser): no frame, no
scene code. nnviz.story.tell turns these numbers into sentences.
"""
from __future__ import annotations

import numpy as np

from ..learn.units import LOSS_NAMES, loss_units, plane_map, standardizer

# a unit is saturated when its slope is below 1 % of its largest on every training input:
# tanh' = 1 - tanh(z)^2 < 0.01 for |z| > 2.99, sigmoid' / (1/4) < 0.01 for |z| > 5.99
SATURATED = {"tanh": 2.99, "sigmoid": 5.99}
# values of the first hidden layer computed at a time (snapshots x points x units): 2 M, 16 MB
# of float64, so memory stays bounded however many training points (a 100,000-row CSV took
# 550 MB with 64 snapshots at a time)
CHUNK_VALUES = 2_000_000


def loss_facts(log) -> tuple[str, float]:
    """(the unit words for the loss, the factor taking logged values to it): the header's and
    the loss panel's, so the words state the same numbers the frames show."""
    label, factor = loss_units(log.meta, log)
    name = (log.meta.get("options") or {}).get("loss", "")
    if name == "mse" and label.endswith("data units"):
        return "MSE, in the data's units", factor
    if name == "mse":
        return "MSE, in standardised units", factor
    return LOSS_NAMES.get(name, label), factor


def _linear_neuron(log) -> bool:
    spec = log.meta.get("architecture") or []
    return (len(spec) == 1 and spec[0].get("layer") == "dense" and spec[0].get("n_in") == 1
            and spec[0].get("n_out") == 1 and log.meta.get("kind") == "regression")


def line(log) -> np.ndarray | None:
    """(S, 2) slope and intercept of the line y = W·x + B in the data's units at every
    snapshot, for a linear neuron of one input fitting one target; else None."""
    units = standardizer(log)
    if not _linear_neuron(log) or units is None or "param/0.W" not in log:
        return None
    w = np.asarray(log["param/0.W"], np.float64).reshape(len(log), -1)[:, 0]
    b = np.asarray(log["param/0.b"], np.float64).reshape(len(log), -1)[:, 0]
    a, c = plane_map(*units)
    return np.column_stack([w, b]) @ a.T + c


def minimum(log) -> tuple[np.ndarray, np.ndarray] | None:
    """(the least-squares minimum's (W, B) in the data's units, every snapshot's distance to
    it as a fraction of the start's), for a landscape that marks the true minimum."""
    if "landscape/minimum" not in log or "landscape/path" not in log:
        return None
    units = standardizer(log)
    if units is None or not _linear_neuron(log):
        return None
    path = np.asarray(log["landscape/path"], np.float64)
    best = np.asarray(log["landscape/minimum"], np.float64)
    if path.shape != (len(log), 2):
        return None
    distance = np.linalg.norm(path - best, axis=1)
    if not distance[0] > 0:
        return None
    a, c = plane_map(*units)
    return a @ best + c, distance / distance[0]


def hidden_units(log) -> dict | None:
    """{"dead": (S,) or None, "saturated": (S,) or None, "units": H, "flat": its kind,
    "layers": hidden layers} for the first hidden layer when it is ReLU (dead: 0 for every
    training input) or sigmoid/tanh (saturated: flat for every training input), at every
    snapshot; None otherwise. The first layer only: it sees the inputs themselves, and the
    count costs one small product per snapshot (deep layers would cost a whole forward pass
    per snapshot: seconds for the 7-layer sine scene, against a 2 % budget for the words)."""
    spec = log.meta.get("architecture") or []
    units = standardizer(log)
    kinds = [item.get("layer") for item in spec]
    if units is None or len(kinds) < 3 or kinds[0] != "dense":
        return None
    kind = kinds[1]
    if kind not in ("relu", "sigmoid", "tanh") or "dense" not in kinds[2:]:
        return None
    x = (np.asarray(log["data/x_train"], np.float64) - units[0]) / units[1]
    weights, biases = log["param/0.W"], log["param/0.b"]
    n = len(log)
    counts = np.zeros(n, int)
    if x.shape[1] == 1:   # one input: z = w·x + b is monotonic in x, so exact and cheap
        return {**_one_input(x[:, 0], np.asarray(weights, np.float64)[:, 0, :],
                             np.asarray(biases, np.float64), kind),
                "layers": sum(k == "dense" for k in kinds) - 1}
    chunk = max(1, CHUNK_VALUES // (len(x) * weights.shape[-1]))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        w = np.asarray(weights[start:stop], np.float64)
        z = x[None, :, 0, None] * w[:, None, 0, :] + np.asarray(biases[start:stop], np.float64)[:, None, :]
        for k in range(1, x.shape[1]):   # a few inputs: products, faster than a batched matmul
            z += x[None, :, k, None] * w[:, None, k, :]
        if kind == "relu":
            counts[start:stop] = (z.max(axis=1) <= 0).sum(axis=1)
        else:
            counts[start:stop] = (np.abs(z).min(axis=1) > SATURATED[kind]).sum(axis=1)
    return {"dead": counts if kind == "relu" else None,
            "saturated": None if kind == "relu" else counts, "units": int(w.shape[2]),
            "flat": None if kind == "relu" else kind,
            "layers": sum(k == "dense" for k in kinds) - 1}


def _one_input(x: np.ndarray, w: np.ndarray, b: np.ndarray, kind: str) -> dict:
    """hidden_units for one input: a ReLU unit is dead when z is <= 0 at both ends of the
    inputs' range; a sigmoid/tanh unit is flat when |z| is large at the training inputs next
    to its zero (|z| grows away from it on both sides). w, b: (S, H)."""
    if kind == "relu":
        top = b + np.maximum(w * x.max(), w * x.min())
        return {"dead": (top <= 0).sum(axis=1), "saturated": None, "units": w.shape[1],
                "flat": None}
    xs = np.sort(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(w != 0, -b / w, xs[0])
    at = np.searchsorted(xs, root)
    near = [xs[np.clip(at - 1, 0, len(xs) - 1)], xs[np.clip(at, 0, len(xs) - 1)]]
    least = np.minimum(*(np.abs(w * v + b) for v in near))
    return {"dead": None, "saturated": (least > SATURATED[kind]).sum(axis=1),
            "units": w.shape[1], "flat": kind}


def of_log(log) -> dict:
    """Every fact above of a log (None where it does not apply)."""
    unit, factor = loss_facts(log)
    return {"loss_unit": unit, "factor": factor, "line": line(log),
            "minimum": minimum(log), "hidden": hidden_units(log)}
