"""What a log holds beyond its loss curves that a teacher would point at, per snapshot:
the line a linear neuron draws in the data's units, how far the landscape's path is from the
least-squares minimum, and the hidden units that are dead (ReLU: 0 on every training input)
or saturated (sigmoid, tanh: flat on every training input, so they barely learn).

Everything is computed from the log's arrays (parameters, data, standardiser): no frame, no
scene code. nnviz.story.tell turns these numbers into sentences.
"""
from __future__ import annotations

import numpy as np

from ..learn.units import LOSS_NAMES, loss_units, plane_map, standardizer

# a unit is saturated when its slope is below 1 % of its largest on every training input:
# tanh' = 1 - tanh(z)^2 < 0.01 for |z| > 2.99, sigmoid' / (1/4) < 0.01 for |z| > 5.99
SATURATED = {"tanh": 2.99, "sigmoid": 5.99}
CHUNK = 64          # snapshots at a time through the network (memory: CHUNK x points x units)


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


def hidden_units(log) -> dict[str, np.ndarray] | None:
    """{"dead": (S,), "saturated": (S,), "units": total} counts of hidden units, over every
    hidden layer, that are dead (ReLU) or saturated (sigmoid, tanh) on all training inputs at
    each snapshot; None when the network has no such unit."""
    spec = log.meta.get("architecture") or []
    units = standardizer(log)
    if units is None or len(spec) < 3:
        return None
    kinds = [item.get("layer") for item in spec]
    watched = [i for i, k in enumerate(kinds[1:], 1)
               if kinds[i - 1] == "dense" and k in ("relu", "sigmoid", "tanh") and i < len(spec) - 1]
    if not watched:
        return None
    x = (np.asarray(log["data/x_train"], np.float64) - units[0]) / units[1]
    n = len(log)
    dead, saturated, total = np.zeros(n, int), np.zeros(n, int), 0
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        a = np.broadcast_to(x, (stop - start, *x.shape))
        for i, kind in enumerate(kinds):
            if kind == "dense":
                w = np.asarray(log[f"param/{i}.W"][start:stop], np.float64)
                b = np.asarray(log[f"param/{i}.b"][start:stop], np.float64)
                a = np.einsum("snk,skh->snh", a, w) + b[:, None, :]
                continue
            z = a
            if i in watched:
                if kind == "relu":
                    dead[start:stop] += np.all(z <= 0, axis=1).sum(axis=1)
                else:
                    saturated[start:stop] += np.all(np.abs(z) > SATURATED[kind], axis=1).sum(axis=1)
                if start == 0:
                    total += z.shape[2]
            if i == max(watched):
                break
            if kind == "relu":
                a = np.maximum(z, 0.0)
            elif kind == "leaky_relu":
                a = np.where(z > 0, z, spec[i].get("slope", 0.01) * z)
            elif kind == "sigmoid":
                a = 0.5 * (1.0 + np.tanh(0.5 * z))
            elif kind == "tanh":
                a = np.tanh(z)
            else:   # a layer we do not follow: stop here
                break
    flat = [kinds[i] for i in watched if kinds[i] != "relu"]
    return {"dead": dead if "relu" in (kinds[i] for i in watched) else None,
            "saturated": saturated if flat else None, "units": total,
            "flat": flat[0] if flat else None}


def of_log(log) -> dict:
    """Every fact above of a log (None where it does not apply)."""
    unit, factor = loss_facts(log)
    return {"loss_unit": unit, "factor": factor, "line": line(log),
            "minimum": minimum(log), "hidden": hidden_units(log)}
