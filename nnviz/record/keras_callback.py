"""Keras 3: a callback that records a Sequential model of Dense layers while `fit` trains it;
`pip install nnviz[keras]` and a backend (jax[cpu], tensorflow-cpu or torch). Only public
Keras API is used (model.layers, get_weights(), the loss and optimizer's configuration).

    recorder = nnviz.KerasRecorder(x, y, x_val=..., y_val=...)
    model.fit(x, y, epochs=..., callbacks=[recorder])
    recorder.save("run.npz")

Step 0 (the initial weights) is recorded when training begins, before the first update. A step
is one batch by default (per="epoch": one epoch). With steps_per_execution=N, Keras calls batch
callbacks every N batches only, so a step is then N batches. What Keras reports per batch
(running means of the batches' losses) is not drawn: the losses are computed by nnviz from each
snapshot's weights. Keras clips probabilities at 1e-7 in its cross-entropy, nnviz at 1e-12:
the two differ only for probabilities that close to 0 or 1.
"""
from __future__ import annotations

from pathlib import Path

import keras

from ..errors import UsageError
from .recorder import Recorder

ACTIVATIONS = ("linear", "tanh", "relu", "sigmoid", "softmax", "leaky_relu")
LOSSES = {"mean_squared_error": "regression", "binary_crossentropy": "classification",
          "categorical_crossentropy": "classification",
          "sparse_categorical_crossentropy": "classification"}
ALIASES = {"mse": "mean_squared_error", "meansquarederror": "mean_squared_error",
           "binarycrossentropy": "binary_crossentropy",
           "categoricalcrossentropy": "categorical_crossentropy",
           "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy"}


def _activation(function, what: str) -> tuple[str, float]:
    name = getattr(function, "__name__", str(function))
    if name not in ACTIVATIONS:
        raise UsageError(f"{what}: activation {name!r} cannot be recorded; nnviz draws "
                         f"{', '.join(ACTIVATIONS)}")
    return name, 0.2   # keras.activations.leaky_relu's default negative_slope


def layout(model) -> list[list]:
    """[[Dense layer, activation, slope]]: the model read as dense layers, or UsageError naming
    the first layer nnviz cannot record."""
    found = []
    for i, layer in enumerate(model.layers):
        what = f"layer {i} ({type(layer).__name__} {layer.name!r})"
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Dense):
            if not layer.use_bias:
                raise UsageError(f"{what}: nnviz's dense layers have a bias; use use_bias=True")
            found.append([layer, *_activation(layer.activation, what)])
        elif isinstance(layer, (keras.layers.Activation, keras.layers.LeakyReLU,
                                keras.layers.ReLU, keras.layers.Softmax)):
            if not found or found[-1][1] != "linear":
                raise UsageError(f"{what}: an activation must follow a Dense layer without one")
            if isinstance(layer, keras.layers.Activation):
                found[-1][1:] = _activation(layer.activation, what)
            elif isinstance(layer, keras.layers.LeakyReLU):
                found[-1][1:] = ["leaky_relu", float(layer.negative_slope)]
            elif isinstance(layer, keras.layers.ReLU):
                if layer.max_value is not None or layer.threshold or layer.negative_slope:
                    raise UsageError(f"{what}: only the plain ReLU can be recorded")
                found[-1][1] = "relu"
            else:
                found[-1][1] = "softmax"
        else:
            raise UsageError(f"{what} cannot be recorded; nnviz draws Dense layers and "
                             f"activations")
    if not found:
        raise UsageError("the model has no Dense layer to record")
    return found


def _task(loss, last: str) -> str:
    """The task nnviz records for Keras's `loss`, checked against the last activation."""
    config = loss.get_config() if isinstance(loss, keras.losses.Loss) else {}
    name = loss if isinstance(loss, str) else (config.get("name") or getattr(loss, "__name__", None)
                                                or type(loss).__name__)
    name = ALIASES.get(str(name).lower(), str(name).lower())
    if name not in LOSSES:
        raise UsageError(f"loss {name!r} is not recorded; nnviz computes mean squared error "
                         f"or cross-entropy")
    if config.get("label_smoothing"):
        raise UsageError(f"loss {name!r} with label smoothing is not recorded")
    logits = bool(config.get("from_logits", False))
    if LOSSES[name] == "classification":
        probs = "sigmoid" if name == "binary_crossentropy" else "softmax"
        if (last == "linear") != logits or last not in ("linear", probs):
            want = "from_logits=True and no last activation" if logits or last == "linear" \
                else f"a last {probs}"
            raise UsageError(f"loss {name!r} with this model ends in {last}; use {want}")
    return LOSSES[name]


class KerasRecorder(keras.callbacks.Callback):
    """Records a Keras training as an nnviz log; give it to `fit(callbacks=[...])`, then call
    `save(path)`. x, y, x_val, y_val: the data `fit` trains on (targets as the loss takes
    them) and a validation set; per: "batch" (a step per batch) or "epoch"; further options go
    to nnviz.Recorder (every, name, title, panels, theme, x_mean, x_std)."""

    def __init__(self, x, y, *, x_val, y_val, per: str = "batch", **options):
        super().__init__()
        if per not in ("batch", "epoch"):
            raise UsageError(f"per must be \"batch\" or \"epoch\", got {per!r:.40}")
        self.data, self.per, self.options = (x, y, x_val, y_val), per, options
        self.recorder, self.count = None, 0

    def on_train_begin(self, logs=None):
        if self.recorder is not None:   # fit called again: recording goes on
            return
        self.found = layout(self.model)
        task = _task(self.model.loss, self.found[-1][1])
        optimizer = self.model.optimizer
        kind = type(optimizer).__name__.lower()
        if kind == "sgd":
            kind = "momentum" if float(optimizer.momentum) else "sgd"
        lr = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        x, y, x_val, y_val = (keras.ops.convert_to_numpy(a) for a in self.data)
        self.options.setdefault("source", f"Keras {keras.__version__} "
                                          f"({keras.backend.backend()} backend)")
        self.recorder = Recorder(x, y, task=task, x_val=x_val, y_val=y_val, lr=lr,
                                 optimizer=kind, **self.options)
        self.recorder.record(0, self._weights())   # before the first update

    def _weights(self) -> list[tuple]:
        self.model   # the property brings a JAX backend's training state into the layers
        out = []
        for layer, act, slope in self.found:
            w, b = layer.get_weights()
            out.append((w, b, act, slope) if act == "leaky_relu" else (w, b, act))
        return out

    def _step(self):
        self.count += 1
        self.recorder.record(self.count, self._weights)

    def on_train_batch_end(self, batch, logs=None):
        if self.per == "batch":
            self._step()

    def on_epoch_end(self, epoch, logs=None):
        if self.per == "epoch":
            self._step()

    def save(self, path: str | Path):
        """Write the log (a .npz `nnviz render --from` draws); return it opened."""
        if self.recorder is None:
            raise UsageError("nothing recorded yet: pass the recorder to fit(callbacks=[...])")
        return self.recorder.save(path)
