"""The data's units: a linear neuron's weights and the loss as the reader measures them.

Training sees standardised data: x' = (x - mx) / sx and, for regression, y' = (y - my) / sy.
A neuron y' = w·x' + b is then, in the data's units,

    y = (sy·w / sx)·x + (sy·b + my - sy·Σ w·mx / sx)

(slope and intercept); the map from (w, b) to (W, B) is linear, so lines, paths and landscapes
map exactly. The MSE of standardised y is the data's MSE divided by sy² (one output).
"""
from __future__ import annotations

import numpy as np

LOSS_NAMES = {"mse": "MSE", "binary_cross_entropy": "binary cross-entropy",
              "softmax_cross_entropy": "cross-entropy"}


def to_data(w: np.ndarray, b: float, x_mean, x_std, y_mean=0.0, y_std=1.0
            ) -> tuple[np.ndarray, float]:
    """(W, B) of the neuron y = W·x + B in data units from its standardised (w, b)."""
    w = np.asarray(w, np.float64).ravel()
    mx, sx = np.asarray(x_mean, np.float64).ravel(), np.asarray(x_std, np.float64).ravel()
    my, sy = float(np.ravel(y_mean)[0]), float(np.ravel(y_std)[0])
    slope = sy * w / sx
    return slope, float(sy * b + my - np.sum(slope * mx))


def plane_map(x_mean, x_std, y_mean=0.0, y_std=1.0) -> tuple[np.ndarray, np.ndarray]:
    """(A, c) with (W, B) = A @ (w, b) + c for a neuron of one input (the landscape's plane)."""
    mx, sx = float(np.ravel(x_mean)[0]), float(np.ravel(x_std)[0])
    my, sy = float(np.ravel(y_mean)[0]), float(np.ravel(y_std)[0])
    return np.array([[sy / sx, 0.0], [-sy * mx / sx, sy]]), np.array([0.0, my])


def standardizer(log) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(x_mean, x_std, y_mean, y_std) of a log (y: mean 0, sd 1 when targets were kept), or
    None for a log that does not record them."""
    names = ("standardizer/x_mean", "standardizer/x_std", "standardizer/y_mean",
             "standardizer/y_std")
    if not all(n in log for n in names):
        return None
    mx, sx, my, sy = (np.asarray(log[n], np.float64).ravel() for n in names)
    if not log.meta.get("standardize_targets", False):
        my, sy = np.zeros_like(my), np.ones_like(sy)
    return mx, sx, my, sy


def loss_units(meta: dict, log=None) -> tuple[str, float]:
    """(what the loss is, the factor that takes logged values to it): "MSE, data units" and
    sy² when one standardised target can be converted back, "MSE, standardised y" when not,
    the cross-entropies as they are (they have no units)."""
    name = (meta.get("options") or {}).get("loss", "")
    label = LOSS_NAMES.get(name, name or "loss")
    if name != "mse":
        return label, 1.0
    if not meta.get("standardize_targets", False):
        return f"{label}, data units", 1.0
    sy = None if log is None or "standardizer/y_std" not in log else np.ravel(log["standardizer/y_std"])
    if sy is not None and len(sy) == 1:
        return f"{label}, data units", float(sy[0]) ** 2
    return f"{label}, standardised y", 1.0
