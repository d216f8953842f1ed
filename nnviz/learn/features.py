"""TensorFlow Playground's input features as a layer: x1, x2 become chosen columns among x1, x2,
x1², x2², x1·x2, sin x1, sin x2 (computed on the standardised inputs the network sees).

A fixed layer (no parameters) first in the network rather than a change to the data: the data,
the grid and every panel stay in the two inputs a viewer reads, and the log's architecture
holds the features, so a log alone rebuilds the whole function (nnviz.log.rebuild).
"""
from __future__ import annotations

import numpy as np

from ..settings import FEATURE_NAMES

# each feature's value and its derivatives by x1 and x2, on arrays of x1 and x2 (any shape)
_VALUE = {"x1": lambda a, b: a, "x2": lambda a, b: b, "x1sq": lambda a, b: a * a,
          "x2sq": lambda a, b: b * b, "x1x2": lambda a, b: a * b,
          "sinx1": lambda a, b: np.sin(a), "sinx2": lambda a, b: np.sin(b)}
_ZERO = lambda a, b: np.zeros_like(a)
_SLOPE = {"x1": (lambda a, b: np.ones_like(a), _ZERO), "x2": (_ZERO, lambda a, b: np.ones_like(b)),
          "x1sq": (lambda a, b: 2 * a, _ZERO), "x2sq": (_ZERO, lambda a, b: 2 * b),
          "x1x2": (lambda a, b: b, lambda a, b: a), "sinx1": (lambda a, b: np.cos(a), _ZERO),
          "sinx2": (_ZERO, lambda a, b: np.cos(b))}


def columns(names, x: np.ndarray) -> np.ndarray:
    """The features `names` of inputs x (..., 2), stacked on the last axis (..., len(names))."""
    a, b = x[..., 0], x[..., 1]
    return np.stack([_VALUE[n](a, b) for n in names], axis=-1)


def pretty(names) -> list[str]:
    """The names frames show: x₁², sin x₁..."""
    return [FEATURE_NAMES[n] for n in names]


class Features:
    """A layer of Playground features of two inputs; nn.Sequential takes it first."""

    shapes: dict = {}
    n_in = 2

    def __init__(self, names):
        unknown = [n for n in names if n not in _VALUE]
        if not names or unknown or len(set(names)) < len(names):
            raise ValueError(f"features must be distinct names among {', '.join(_VALUE)}, "
                             f"got {list(names)!r:.80}")
        self.names = tuple(names)
        self.n_out = len(self.names)

    def bind(self, params, grads):
        pass

    def init(self, rng):
        pass

    def forward(self, x):
        self.x = x
        return columns(self.names, x)

    def backward(self, grad):
        a, b = self.x[:, 0], self.x[:, 1]
        return np.column_stack([sum(grad[:, k] * _SLOPE[n][i](a, b) for k, n in enumerate(self.names))
                                for i in range(2)])

    def spec(self):
        return {"layer": "features", "names": list(self.names)}

    def __repr__(self):
        return f"Features({', '.join(self.names)})"
