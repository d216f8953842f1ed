"""A framework's dense network as nnviz's own: layers checked, named and put in nnviz's form.

A recorded step gives, per dense layer, its weights (in, out), bias (out,) and activation.
nnviz draws and recomputes everything from an `nn.Sequential` (nnviz.learn.nn), so the layers
become one, with the loss nnviz computes with:

- classes, several outputs: softmax cross-entropy on logits. A last softmax is left out of the
  network (nnviz keeps logits and applies the softmax itself, as its own classifiers do); a
  last linear layer's outputs are taken as logits (PyTorch's CrossEntropyLoss).
- classes, one output: binary cross-entropy of a sigmoid. A last linear layer's output is taken
  as a logit (PyTorch's BCEWithLogitsLoss) and the sigmoid is added.
- regression: the mean squared error, any last activation.
"""
from __future__ import annotations

import numpy as np

from ..errors import UsageError
from ..learn import nn

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")


def _where(i: int) -> str:
    return f"dense layer {i}"


def layer_values(layers) -> list[tuple[np.ndarray, np.ndarray, str, float]]:
    """`layers` (a list of (weights, bias, activation) or (weights, bias, "leaky_relu",
    slope)) as float64 arrays with checked shapes: ValueError-free, UsageError naming the layer."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise UsageError("layers must be a non-empty list of (weights, bias, activation), "
                         "one per dense layer")
    found, width = [], None
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) not in (3, 4):
            raise UsageError(f"{_where(i)}: give (weights, bias, activation) or (weights, bias, "
                             f"\"leaky_relu\", slope), got {type(layer).__name__}")
        w, b, act = np.asarray(layer[0], np.float64), np.asarray(layer[1], np.float64), layer[2]
        slope = float(layer[3]) if len(layer) == 4 else 0.01
        if act not in ACTIVATIONS:
            raise UsageError(f"{_where(i)}: unknown activation {act!r:.40}; nnviz draws "
                             f"{', '.join(ACTIVATIONS)}")
        if act == "softmax" and i != len(layers) - 1:
            raise UsageError(f"{_where(i)}: softmax only as the last layer's activation")
        if act == "leaky_relu" and not 0.0 <= slope < 1.0:
            raise UsageError(f"{_where(i)}: leaky_relu slope must be in [0, 1), got {slope:g}")
        if w.ndim != 2 or b.shape != (w.shape[1],):
            raise UsageError(f"{_where(i)}: weights must be (in, out) and bias (out,), got "
                             f"{w.shape} and {b.shape}")
        if width is not None and w.shape[0] != width:
            raise UsageError(f"{_where(i)} takes {w.shape[0]} inputs but the layer before "
                             f"gives {width}")
        width = w.shape[1]
        found.append((w, b, act, slope))
    return found


def build(values, task: str) -> tuple[nn.Sequential, str]:
    """The nn.Sequential (zero parameters) for checked `values` and the loss name it trains
    with; UsageError when the last activation does not fit the task."""
    last, n_out = values[-1][2], values[-1][0].shape[1]
    if task == "classification":
        allowed = ("softmax", "linear") if n_out > 1 else ("sigmoid", "linear")
        if last not in allowed:
            kind = f"{n_out} class outputs" if n_out > 1 else "one class output"
            raise UsageError(f"{_where(len(values) - 1)}: activation {last!r} cannot give "
                             f"{kind}; use {' or '.join(allowed)} (logits)")
        loss = "softmax_cross_entropy" if n_out > 1 else "binary_cross_entropy"
    else:
        loss = "mse"
    layers: list[nn.Layer] = []
    for i, (w, _, act, slope) in enumerate(values):
        layers.append(nn.Dense(w.shape[0], w.shape[1]))
        final = i == len(values) - 1
        if final and loss == "binary_cross_entropy":
            act = "sigmoid"   # a logit: the sigmoid is the loss's, put in the network
        if final and loss == "softmax_cross_entropy":
            act = "linear"    # logits: nnviz applies the softmax with the loss
        if act != "linear":
            layers.append(nn.activation(act, slope))
    net = nn.Sequential(layers)
    try:   # the bounds every log is read back with (a log is a stranger's file)
        nn.Sequential.from_architecture(net.architecture())
    except ValueError as e:
        raise UsageError(f"nnviz cannot record this network: {e}") from None
    return net, loss


def signature(values) -> list:
    """What must stay the same from step to step: each layer's shape and activation."""
    return [(w.shape, act, slope) for w, _, act, slope in values]


def parameters(net: nn.Sequential, values) -> dict[str, np.ndarray]:
    """{nnviz parameter name: array} for `values` in `net` (built from the same layers)."""
    dense = [i for i, layer in enumerate(net.layers) if isinstance(layer, nn.Dense)]
    out = {}
    for i, (w, b, *_) in zip(dense, values):
        out[f"{i}.W"], out[f"{i}.b"] = w, b
    return out
