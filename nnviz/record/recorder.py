"""Record a training that nnviz did not run: any loop hands its weights over, step by step.

The loop (scikit-learn, PyTorch, Keras or a user's own; see the adapters beside this module)
calls `Recorder.record(step, layers)` with plain NumPy arrays at step 0 (the initial weights,
before the first update) and after every update. Everything else the panels draw is computed
here from those weights with nnviz's own layers (nnviz.learn.nn), exactly as nnviz's own
training computes it (nnviz.learn.training): the losses over the whole training and validation
sets, predictions and accuracy, the output over the grid, the full training set's gradient and
the update to the next step, and the loss landscape. So every figure a frame shows belongs to
the weights on screen, whatever a framework reports (running means of mini-batch losses,
losses of the weights before the step, halved squared errors, L2 terms).
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np

from . import architecture as arch
from ..errors import UsageError
from ..learn import data, nn
from ..learn import landscape as loss_landscape
from ..learn.scene import INPUT_VIEWS, check_panel_choice
from ..learn.training import _grid, grid_inputs
from ..log.snapshots import LogWriter, SnapshotLog
from ..names import check_scene_name
from ..settings import DEFAULT_THEME, check_theme
from ..text import check_title
from ..version import __version__

TASKS = ("classification", "regression")


def _array(value, what: str) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{what} must be an array of numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(a)):
        raise UsageError(f"{what} holds NaN or infinite values")
    return a


def _inputs(x, what: str) -> np.ndarray:
    x = _array(x, what)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) < 1:
        raise UsageError(f"{what} must be (n, inputs), got shape {x.shape}")
    return x


def _targets(y, n: int, what: str) -> np.ndarray:
    y = _array(y, what)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or len(y) != n:
        raise UsageError(f"{what} must have one row per input ({n}), got shape {y.shape}")
    return y


def _classes(y: np.ndarray, n_out: int, what: str) -> np.ndarray:
    """Class targets in the network's form: one-hot rows (several outputs) or one 0/1 column."""
    if y.shape[1] == n_out and (n_out > 1 and np.all(y.sum(axis=1) == 1) or n_out == 1) \
            and np.all((y == 0) | (y == 1)):
        return y
    labels = y[:, 0]
    if y.shape[1] != 1 or not np.all(labels == np.round(labels)) or labels.min() < 0 \
            or labels.max() >= max(n_out, 2):
        raise UsageError(f"{what} must be class numbers 0 to {max(n_out, 2) - 1}, one-hot rows "
                         f"or one 0/1 column for a network of {n_out} output(s)")
    return labels[:, None] if n_out == 1 else np.eye(n_out)[labels.astype(int)]


class Recorder:
    """Collects a training's steps and writes them as an nnviz log (`save`).

    x, y: the training set as the loop trains on it (targets: values, class numbers or
    one-hot rows); x_val, y_val: a validation set (every nnviz log shows validation loss).
    task: "classification" or "regression". x_mean, x_std: when the network sees
    (x - x_mean) / x_std (a StandardScaler), give them and the data in its own units: the
    frames then show the data's units. every: a snapshot (a video frame) every this many
    steps, and always the last step. lr and optimizer: what the loop used, shown and used for
    the landscape's gradient arrow (−lr·gradient beside the update). panels: nnviz's panel
    names (None: the input view that fits the data, network, landscape, loss, accuracy).
    """

    def __init__(self, x, y, *, task: str, x_val, y_val, every: int = 1,
                 lr: float | None = None, optimizer: str | None = None,
                 x_mean=None, x_std=None, name: str = "recorded", title: str | None = None,
                 description: str | None = None, panels=None, theme: str | None = None,
                 source: str = "a training loop"):
        if task not in TASKS:
            raise UsageError(f"task must be one of {', '.join(TASKS)}, got {task!r:.40}")
        self.task, self.name = task, check_scene_name(name, "Recorder name")
        self.x, self.x_val = _inputs(x, "x"), _inputs(x_val, "x_val")
        self.y, self.y_val = _targets(y, len(self.x), "y"), _targets(y_val, len(self.x_val), "y_val")
        n_in = self.x.shape[1]
        if self.x_val.shape[1] != n_in:
            raise UsageError(f"x_val has {self.x_val.shape[1]} inputs, x has {n_in}")
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise UsageError(f"every must be a whole number of at least 1, got {every!r}")
        self.every = int(every)
        if lr is not None and not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
            raise UsageError(f"lr must be a positive number, got {lr!r}")
        self.lr, self.optimizer, self.source = lr, optimizer, source
        if (x_mean is None) != (x_std is None):
            raise UsageError("give x_mean and x_std together (the scaling the network sees)")
        mean = np.zeros(n_in) if x_mean is None else _array(x_mean, "x_mean").reshape(-1)
        std = np.ones(n_in) if x_std is None else _array(x_std, "x_std").reshape(-1)
        if mean.shape != (n_in,) or std.shape != (n_in,) or not np.all(std > 0):
            raise UsageError(f"x_mean and x_std must be {n_in} numbers each, x_std positive")
        self.sx = data.Standardizer(mean, std)
        self.theme = check_theme(theme or DEFAULT_THEME, "theme")
        self.title = check_title(title) if title is not None else None
        self.description = description
        self.panels = self._panels(panels, n_in)
        self.grid = _grid(np.vstack([self.x, self.x_val]))
        grid_in = grid_inputs(self.grid)
        self.probe = np.vstack([self.sx(self.x), self.sx(self.x_val)]
                               + ([] if grid_in is None else [self.sx(grid_in)]))
        self.out_shape = ((len(self.grid["grid/x1"]), len(self.grid["grid/x0"]))
                          if "grid/x0" in self.grid else None)
        self.net = self.loss_fn = self.writer = None
        self._signature = self._pending = self._latest = None
        self._step = -1
        self._saved = None
        self._tmp = None

    def _panels(self, panels, n_in: int) -> tuple[str, ...]:
        view = {1: "fit" if self.task == "regression" else None,
                2: "boundary" if self.task == "classification" else "heatmap"}.get(n_in)
        if panels is None:
            panels = ((view,) if view else ()) + ("network", "landscape", "loss") + (
                ("accuracy",) if self.task == "classification" else ())
        elif isinstance(panels, str):
            panels = tuple(p.strip() for p in panels.split(","))
        panels = check_panel_choice(self.name, panels)
        for p in panels:
            if p in INPUT_VIEWS and p != view:
                have = f"{n_in} inputs" + (" for classes" if self.task == "classification" else "")
                fits = f"the {view} panel" if view else "no picture of the input space"
                raise UsageError(f"the {p} panel cannot show a network of {have}; "
                                 f"it fits {fits}: choose other panels")
        if "accuracy" in panels and self.task != "classification":
            raise UsageError("the accuracy panel needs task=\"classification\"")
        return panels

    # ------------------------------------------------------------------ recording

    def check(self, layers) -> None:
        """Refuse, before training, layers nnviz cannot record (UsageError naming the layer)."""
        values = arch.layer_values(layers)
        self._build(values)

    def _build(self, values):
        net, loss = arch.build(values, self.task)
        if net.n_in != self.x.shape[1]:
            raise UsageError(f"dense layer 0 takes {net.n_in} inputs, the data has "
                             f"{self.x.shape[1]}")
        if "neuron" in self.panels and len(values) > 1:
            raise UsageError(f"the neuron panel draws a single neuron and this network has "
                             f"{len(values)} dense layers; use the network panel")
        return net, loss

    def record(self, step: int, layers) -> None:
        """Step `step`'s weights: 0 (before the first update), then 1, 2, ... after each.

        `layers`: one (weights (in, out), bias (out,), activation) per dense layer, activation
        one of nnviz's (architecture.ACTIVATIONS); ("leaky_relu", slope) as a 4th item. Or a
        function returning that list, called only for the steps a snapshot needs (each
        `every`-th, the one after it, and the last, at `save`): a step between costs nothing,
        so the model must not change between the last step recorded and `save`.
        """
        if self._saved is not None:
            raise UsageError(f"this recording was saved to {self._saved}; start a new Recorder")
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step != self._step + 1:
            want = "step 0 first (the initial weights)" if self._step < 0 else f"step {self._step + 1}"
            raise UsageError(f"record {want}, got step {step!r}: every step is recorded, in order")
        self._step = int(step)
        if self._pending is None and step % self.every:   # needed only if it is the last
            self._latest = layers if callable(layers) else [
                tuple(np.array(v, np.float64) if k < 2 else v for k, v in enumerate(layer))
                for layer in layers] if isinstance(layers, (list, tuple)) else layers
            return
        params = self._params(step, layers() if callable(layers) else layers)
        if self._pending is not None:   # the snapshot before: its update is this step's change
            fields, before = self._pending
            self._append(fields, {f"update/{n}": (p - before[n]).astype(np.float32)
                                  for n, p in params.items()})
        if step % self.every == 0:
            self._pending = self._snapshot(step, params), params
        self._latest = params

    def _params(self, step: int, layers) -> dict[str, np.ndarray]:
        """Checked float64 copies of `layers`' weights, by nnviz's parameter names."""
        values = arch.layer_values(layers)
        if self.net is None:
            self._start(values)
        elif arch.signature(values) != self._signature:
            raise UsageError(f"step {step}: the layers changed shape or activation since step 0")
        params = {k: v.copy() for k, v in arch.parameters(self.net, values).items()}
        if not all(np.all(np.isfinite(p)) for p in params.values()):
            raise UsageError(f"step {step}: the weights hold NaN or infinite values (the "
                             f"training diverged); try a smaller learning rate")
        return params

    def _start(self, values) -> None:
        self.net, loss = self._build(values)
        self.loss_fn = nn.loss(loss)
        self._signature = arch.signature(values)
        n_out = self.net.n_out
        if self.task == "classification":
            self.y, self.y_val = _classes(self.y, n_out, "y"), _classes(self.y_val, n_out, "y_val")
        elif self.y.shape[1] != n_out or self.y_val.shape[1] != n_out:
            raise UsageError(f"the network gives {n_out} output(s), the targets have "
                             f"{self.y.shape[1]}")
        self.xt, self.xv = self.probe[:len(self.x)], self.probe[len(self.x):len(self.x) + len(self.x_val)]
        self._tmp = Path(tempfile.mkdtemp(prefix="nnviz-record-"))
        self.writer = LogWriter(self._tmp / f"{self.name}.npz", self._meta(), self._static())
        weakref.finalize(self, _cleanup, self.writer, self._tmp)

    def _snapshot(self, step: int, params) -> dict[str, np.ndarray]:
        """The fields of one snapshot (nnviz.learn.training's, from these weights)."""
        net, loss_fn = self.net, self.loss_fn
        net.load_parameters(params)
        with np.errstate(over="ignore", invalid="ignore"):
            out = net(self.probe)
            n, m = len(self.x), len(self.x) + len(self.x_val)
            ot, ov, og = out[:n], out[n:m], out[m:]
            fields = {"step": np.int64(step), "loss/train": np.float64(loss_fn(ot, self.y)[0]),
                      "loss/val": np.float64(loss_fn(ov, self.y_val)[0])}
            if self.task == "classification":
                fields["predicted/train"] = data.class_labels(ot).astype(np.int8)
                fields["predicted/val"] = data.class_labels(ov).astype(np.int8)
                fields["accuracy/train"] = np.mean(fields["predicted/train"] == data.class_labels(self.y))
                fields["accuracy/val"] = np.mean(fields["predicted/val"] == data.class_labels(self.y_val))
            if self.out_shape is not None or "grid/x" in self.grid:
                if loss_fn.name == "softmax_cross_entropy":
                    og = nn.softmax(og)
                fields["output"] = (og.reshape(*self.out_shape, -1) if self.out_shape else og
                                    ).astype(np.float32)
            for k, p in params.items():
                fields[f"param/{k}"] = p.astype(np.float32)
            net.backward(loss_fn(net(self.xt), self.y)[1])
            fields.update({f"grad/{k}": g.astype(np.float32) for k, g in net.grads.items()})
        for k in ("loss/train", "loss/val", "output", *(f"grad/{k}" for k in params)):
            if k in fields and not nn.all_finite(fields[k]):
                raise UsageError(f"step {step}: the {k.replace('/', ' ')} is not finite (the "
                                 f"training diverged); try a smaller learning rate")
        return fields

    def _append(self, fields, updates) -> None:
        self.writer.append({**fields, **updates})
        self._pending = None

    # ------------------------------------------------------------------ the log

    def _meta(self) -> dict:
        options = {"loss": self.loss_fn.name}
        if self.lr is not None:
            options["lr"] = float(self.lr)
        if self.optimizer is not None:
            options["optimizer"] = str(self.optimizer)
        return {"scene": self.name, "title": self.title or self.name,
                "theme": self.theme, "description": self._description(),
                "kind": self.task, "panels": list(self.panels), "options": options,
                "model": repr(self.net), "architecture": self.net.architecture(),
                "standardize_targets": False, "recorded_from": self.source,
                "versions": {"nnviz": __version__, "numpy": np.__version__}}

    def _description(self) -> str:
        if self.description is not None:
            return self.description
        widths = [self.net.n_in] + [l.n_out for l in self.net.layers if isinstance(l, nn.Dense)]
        return f"A {'-'.join(map(str, widths))} network trained by {self.source}, recorded by nnviz."

    def _static(self) -> dict[str, np.ndarray]:
        k = self.net.n_out
        return {"data/x_train": self.x, "data/y_train": self.y, "data/x_val": self.x_val,
                "data/y_val": self.y_val, **self.grid,
                "standardizer/x_mean": self.sx.mean, "standardizer/x_std": self.sx.std,
                "standardizer/y_mean": np.zeros(k), "standardizer/y_std": np.ones(k)}

    def save(self, path: str | Path) -> SnapshotLog:
        """Write the log to `path` (a .npz `nnviz render --from` draws) and return it opened."""
        if self._saved is not None:
            raise UsageError(f"this recording was already saved to {self._saved}")
        if self._step < 1:
            raise UsageError("record step 0 (the initial weights) and at least one step after "
                             "it before saving")
        path = Path(path)
        if not path.parent.is_dir():
            raise UsageError(f"folder {path.parent} does not exist; create it first")
        if self._pending is None:   # the last step, off the cadence, is always a snapshot
            latest = self._latest
            if not isinstance(latest, dict):   # kept as given: checked now
                latest = self._params(self._step, latest() if callable(latest) else latest)
            self._pending = self._snapshot(self._step, latest), latest
        fields, params = self._pending
        self.writer.meta["final_update"] = "zero"   # no step follows the last recorded one
        self._append(fields, {f"update/{n}": np.zeros_like(fields[f"param/{n}"]) for n in params})
        self.writer.meta["options"].update(steps=self._step, every=self.every)
        if "landscape" in self.panels:
            trajectory = np.concatenate([self.writer.read(f"param/{n}").reshape(self.writer.count, -1)
                                         for n in self.net.params], axis=1)
            self.writer.static.update(loss_landscape.compute(
                self.net.architecture(), trajectory, self.xt, self.y, self.loss_fn.name))
        self.writer.path = path
        self.writer.commit()
        self._saved = path
        _cleanup(self.writer, self._tmp)
        return SnapshotLog(path)


def _cleanup(writer, tmp) -> None:
    writer.close()
    shutil.rmtree(tmp, ignore_errors=True)
