"""The trained network rebuilt from a snapshot log alone: no scene code, no retraining.

A log holds the network as data (meta "architecture", see nn.Sequential.architecture), its
parameters at every snapshot (float32) and the standardisation the network was trained in
(static arrays "standardizer/*"). `SnapshotLog.model` and `SnapshotLog.predict` are the
public doors; this module does the work so the log reader stays about reading.
"""
from __future__ import annotations

import numpy as np

from ..learn import data, nn
from ..errors import LogError, UsageError

STANDARDIZER = ("standardizer/x_mean", "standardizer/x_std",
                "standardizer/y_mean", "standardizer/y_std")


def _index(log, i) -> int:
    n = len(log)
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -n <= i < n:
        raise UsageError(f"snapshot index {i!r} is out of range; {log.path.name} has {n} "
                         f"snapshots: give 0 to {n - 1}, or -{n} to -1 counting from the end")
    return int(i) % n


def network(log) -> nn.Sequential:
    """The logged architecture as an nn.Sequential with zero parameters."""
    spec = log.meta.get("architecture")
    if spec is None:
        raise LogError(f"{log.path} does not describe its network (written by an older nnviz, "
                       f"or the scene uses its own layer kinds); train again with this nnviz "
                       f"and nnviz's own layers to rebuild the model")
    try:
        return nn.Sequential.from_architecture(spec)
    except ValueError as e:
        raise LogError(f"{log.path} holds an invalid architecture ({e}); "
                       f"train again to make a new log") from None


def model(log, i: int) -> nn.Sequential:
    """The network with snapshot i's parameters; see SnapshotLog.model."""
    i = _index(log, i)
    net = network(log)
    try:
        values = {name: log[f"param/{name}"] for name in net.params}
    except KeyError as e:
        raise LogError(f"{log.path} lacks a parameter of its network ({e.args[0]}); "
                       f"train again to make a new log") from None
    try:
        for name, value in values.items():
            if value.ndim == 0 or len(value) != len(log):
                raise ValueError(f"parameter {name!r} has {value.shape[:1]} snapshots, "
                                 f"not {len(log)}")
        net.load_parameters({name: value[i] for name, value in values.items()})
    except ValueError as e:
        raise LogError(f"{log.path} does not match its architecture ({e}); "
                       f"train again to make a new log") from None
    return net


def standardizers(log, net: nn.Sequential) -> tuple[data.Standardizer, data.Standardizer]:
    """The input and target standardisation training used, read and checked from the log."""
    if not all(name in log for name in STANDARDIZER):
        raise LogError(f"{log.path} does not record its standardisation (written by an older "
                       f"nnviz); train again with this nnviz to predict in data units")
    arrays = [np.asarray(log[name]) for name in STANDARDIZER]
    widths = (net.n_in, net.n_in, net.n_out, net.n_out)
    for name, a, width in zip(STANDARDIZER, arrays, widths):
        if (a.shape != (width,) or a.dtype.kind != "f" or not np.all(np.isfinite(a))
                or (name.endswith("std") and not np.all(a > 0))):
            raise LogError(f"{log.path} has an invalid {name} ({a.dtype} {a.shape}); "
                           f"train again to make a new log")
    return data.Standardizer(arrays[0], arrays[1]), data.Standardizer(arrays[2], arrays[3])


def predict(log, i: int, x) -> np.ndarray:
    """Snapshot i's predictions for inputs x in data units; see SnapshotLog.predict."""
    net = model(log, i)
    sx, sy = standardizers(log, net)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1 and net.n_in == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != net.n_in:
        raise UsageError(f"inputs must be an array of shape (n, {net.n_in}), got {x.shape}")
    out = net(sx(x))
    if log.meta.get("kind") == "classification":
        options = log.meta.get("options")
        if isinstance(options, dict) and options.get("loss") == "softmax_cross_entropy":
            out = nn.softmax(out)
        return out
    return sy.inverse(out)
