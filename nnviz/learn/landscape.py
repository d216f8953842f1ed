"""The loss landscape: the training loss over a plane in parameter space, with the optimiser's path.

Computed once, after training, on the (standardised) training set, and stored in the log as
static arrays, so a render from a log needs no recomputation:

  landscape/a, landscape/b     (G,) axis coordinates along the plane's two directions
  landscape/loss               (G, G) float32 loss; loss[j, i] is at (a[i], b[j]) (rows are b)
  landscape/path               (S, 2) every snapshot's parameters projected onto the plane
  landscape/origin             (n_params,) float32, the plane's (0, 0)
  landscape/directions         (2, n_params) float32, orthonormal; a point (a, b) of the plane is
                               the parameter vector origin + a * directions[0] + b * directions[1]
  landscape/explained          (2,) share of the trajectory's variance each direction explains
  landscape/minimum            (2,) only for a linear neuron (two parameters) under the MSE loss:
                               the least-squares solution, the true minimum

Two parameters (one input, one linear neuron): the plane is the parameter space itself, the
axes are w and b in the units the network trains in (origin 0, directions the identity).
More parameters: the plane through the final parameters spanned by the first two principal
components of the logged trajectory (Li et al., "Visualizing the Loss Landscape of Neural
Nets", NeurIPS 2018, section 7); the final parameters are (0, 0).

Every grid point is a whole network: `losses` runs many parameter vectors at once with
stacked matrix products (float32, well within 1e-4 of float64), never a loop per point.
"""
from __future__ import annotations

import numpy as np

from . import nn
from .features import columns
from .units import plane_map

GRID = 41                  # points per axis: the deep sine surface in about 1 s (benchmark)
MARGIN = 0.2               # the window reaches this fraction of the path's extent beyond it
MIN_ASPECT = 0.1           # an axis spans at least this fraction of the other axis
PCA_ROWS = 1000            # snapshots (evenly spaced) the principal components are taken from
CHUNK_BYTES = 4 << 20      # working set of one batch of parameter vectors (cache-sized: fastest)
NAMES = ("landscape/a", "landscape/b", "landscape/loss", "landscape/path", "landscape/origin",
         "landscape/directions", "landscape/explained")   # always present; minimum may be


def _layout(architecture) -> tuple[list[tuple], int, int]:
    """The forward pass as steps over the flat parameter layout of nn.Sequential.flat_params.

    Returns (steps, n_params, widest): a dense step is ("dense", offset, n_in, n_out) with W
    (n_in, n_out) row-major at offset and b right after it, as Sequential lays them out.
    """
    nn.Sequential.from_architecture(architecture)   # validates (an architecture may come from a file)
    steps, offset, widest = [], 0, 1
    for layer in architecture:
        if layer["layer"] == "dense":
            a, b = layer["n_in"], layer["n_out"]
            steps.append(("dense", offset, a, b))
            offset += a * b + b
            widest = max(widest, a, b)
        elif layer["layer"] == "features":   # Playground's fixed input features
            steps.append(("features", tuple(layer["names"])))
        elif layer["layer"] != "linear":
            steps.append((layer["layer"], layer.get("slope", 0.0)))
    return steps, offset, widest


def _forward(steps, params: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Outputs (P, N, n_out) of P networks (params (P, n_params)) on the same inputs x (N, n_in)."""
    while steps and steps[0][0] == "features":   # of the inputs alone: once for every network
        x, steps = columns(steps[0][1], x).astype(x.dtype), steps[1:]
    h = x if steps[0][0] == "dense" else np.repeat(x[None], len(params), axis=0)
    for step in steps:
        kind = step[0]
        if kind == "dense":
            _, offset, a, b = step
            w = params[:, offset:offset + a * b].reshape(-1, a, b)
            h = np.matmul(h, w)                      # (N, a) or (P, N, a) @ (P, a, b)
            h += params[:, None, offset + a * b:offset + a * b + b]
        elif kind == "features":
            h = columns(step[1], h).astype(h.dtype)
        elif kind == "tanh":
            np.tanh(h, out=h)
        elif kind == "sigmoid":
            h *= 0.5
            np.tanh(h, out=h)
            h += 1.0
            h *= 0.5
        elif kind in ("relu", "leaky_relu"):
            np.maximum(h, h * h.dtype.type(step[1]), out=h)   # max(x, s x) for s in [0, 1)
        elif kind == "softmax":
            h -= h.max(axis=2, keepdims=True)
            np.exp(h, out=h)
            h /= h.sum(axis=2, keepdims=True)
    return h


def forward(architecture, params: np.ndarray, x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Outputs (P, N, n_out) of the networks with each row of params (P, n_params) on x (N, n_in).

    The same function as nn.Sequential.from_architecture(architecture) with those parameters,
    for many parameter vectors at once; computed in `dtype`, in batches of bounded memory.
    """
    return np.concatenate(list(_batches(architecture, params, x, dtype, lambda out: out)), axis=0)


def losses(architecture, params: np.ndarray, x: np.ndarray, y: np.ndarray, loss_name: str,
           dtype=np.float32) -> np.ndarray:
    """The loss (P,) of each parameter vector (rows of params) on inputs x and targets y.

    The same values as nn.loss(loss_name) on each network's output, up to `dtype` rounding.
    """
    nn.loss(loss_name)   # validates the name
    y = np.asarray(y, dtype)

    def loss(out):
        if loss_name == "mse":
            out -= y
            return np.mean(out * out, axis=(1, 2))
        if loss_name == "binary_cross_entropy":   # out holds probabilities, as nn's loss takes
            eps = max(nn.BinaryCrossEntropy.EPS, float(np.finfo(out.dtype).eps))   # float32: 1.2e-7
            np.clip(out, eps, 1 - eps, out=out)
            return 0.0 - np.mean(y * np.log(out) + (1 - y) * np.log1p(-out), axis=(1, 2))
        out -= out.max(axis=2, keepdims=True)          # softmax cross-entropy on logits
        log_p = out - np.log(np.sum(np.exp(out), axis=2, keepdims=True))
        return 0.0 - np.sum(y * log_p, axis=(1, 2)) / len(y)

    return np.concatenate(list(_batches(architecture, params, x, dtype, loss)))


def _batches(architecture, params, x, dtype, reduce):
    steps, n_params, widest = _layout(architecture)
    params = np.asarray(params)
    if params.ndim != 2 or params.shape[1] != n_params:
        raise ValueError(f"params must have shape (P, {n_params}), got {params.shape}")
    x = np.asarray(x, dtype)
    itemsize = np.dtype(dtype).itemsize
    per_vector = itemsize * (3 * len(x) * widest + n_params)   # activations, a temporary, params
    size = max(1, CHUNK_BYTES // per_vector)
    for start in range(0, len(params), size):
        yield reduce(_forward(steps, params[start:start + size].astype(dtype), x))


# ----------------------------------------------------------------------------- the plane

def _principal_plane(trajectory: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first two principal components (2, n) of the trajectory and their variance shares.

    Taken from at most PCA_ROWS evenly spaced snapshots, via the (rows x rows) Gram matrix:
    the trajectory has far more parameters than snapshots. Signs are fixed so the first
    snapshot lies at negative coordinates (the path runs towards +a, +b); a direction the
    trajectory never moves along is completed by a fixed orthogonal vector, explaining 0.
    """
    rows = np.unique(np.linspace(0, len(trajectory) - 1, min(len(trajectory), PCA_ROWS)).astype(int))
    m = trajectory[rows].astype(np.float64)
    m -= m.mean(axis=0)
    values, vectors = np.linalg.eigh(m @ m.T)
    values, vectors = values[::-1], vectors[:, ::-1]
    total = values.clip(min=0).sum()
    directions, explained = [], []
    for k in range(2):
        if k < len(values) and total > 0 and values[k] > 1e-12 * total:
            d = m.T @ vectors[:, k]
            explained.append(values[k] / total)
        else:   # no movement along a second (or any) direction: any orthogonal one will do
            d = np.random.default_rng(k).normal(size=trajectory.shape[1])
            explained.append(0.0)
        for e in directions:
            d -= (d @ e) * e
        d /= np.linalg.norm(d)
        if (trajectory[0] - trajectory[-1]) @ d > 0:
            d = -d
        directions.append(d)
    return np.array(directions), np.array(explained)


def _axis(lo: float, hi: float, other_span: float, grid: int) -> np.ndarray:
    span = hi - lo
    pad = max(MARGIN * span, (MIN_ASPECT * other_span - span) / 2, 1e-3 * max(1.0, abs(lo), abs(hi)))
    return np.linspace(lo - pad, hi + pad, grid)


def _least_squares(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(w, b) minimising the mean squared error of y = w x + b (one input, one output)."""
    design = np.column_stack([x[:, 0], np.ones(len(x))])
    return np.linalg.lstsq(design, y[:, 0], rcond=None)[0]


def _is_linear_neuron(architecture) -> bool:
    return all(layer["layer"] in ("dense", "linear") for layer in architecture)


def compute(architecture, trajectory: np.ndarray, x_train: np.ndarray, y_train: np.ndarray,
            loss_name: str, grid: int = GRID) -> dict[str, np.ndarray]:
    """The landscape arrays (see the module docstring) for a trained network.

    `trajectory` (S, n_params) holds the logged parameters (float32) of every snapshot, last
    the final ones; x_train and y_train are the training set in the units the network trained
    in (standardised), on which the loss is computed. Deterministic.
    """
    steps, n_params, _ = _layout(architecture)
    trajectory = np.asarray(trajectory, np.float32)
    if trajectory.ndim != 2 or trajectory.shape[1] != n_params or len(trajectory) < 1:
        raise ValueError(f"trajectory must have shape (S, {n_params}), got {trajectory.shape}")
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise ValueError(f"grid must be an integer of at least 2, got {grid!r}")
    result = {}
    if n_params == 2:   # w and b themselves
        origin, directions = np.zeros(2), np.eye(2)
        path = trajectory.astype(np.float64)
        points = path
        if _is_linear_neuron(architecture) and loss_name == "mse":
            result["landscape/minimum"] = _least_squares(x_train, y_train)
            points = np.vstack([path, result["landscape/minimum"]])
        explained = _explained_by_axes(path)
    else:
        origin = trajectory[-1].astype(np.float64)
        directions, explained = _principal_plane(trajectory)
        directions = directions.astype(np.float32).astype(np.float64)
        path = np.concatenate([(trajectory[start:start + PCA_ROWS] - origin) @ directions.T
                               for start in range(0, len(trajectory), PCA_ROWS)])  # bounded memory
        path[-1] = 0.0   # exactly: the final parameters are the plane's origin
        points = path
    result.update(_surface(architecture, origin, directions, points, x_train, y_train,
                           loss_name, grid, n_params))
    result.update({"landscape/path": path, "landscape/explained": explained})
    return result


def _explained_by_axes(path: np.ndarray) -> np.ndarray:
    """For the w-b plane: each parameter's share of the trajectory's variance."""
    var = path.var(axis=0)
    return var / var.sum() if var.sum() > 0 else np.zeros(2)


def _surface(architecture, origin, directions, points, x_train, y_train, loss_name, grid,
             n_params) -> dict[str, np.ndarray]:
    """The grid over the window around `points` (plane coordinates) and the loss at each point."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    a = _axis(lo[0], hi[0], hi[1] - lo[1], grid)
    b = _axis(lo[1], hi[1], hi[0] - lo[0], grid)
    origin32, directions32 = origin.astype(np.float32), directions.astype(np.float32)
    ga, gb = np.meshgrid(a, b)   # rows are b: loss[j, i] is at (a[i], b[j])
    coords = np.column_stack([ga.ravel(), gb.ravel()]).astype(np.float32)
    rows = max(1, CHUNK_BYTES // (4 * n_params))   # the grid's parameter vectors, a batch at a time
    loss = np.concatenate([
        losses(architecture, origin32 + coords[start:start + rows] @ directions32,
               x_train, y_train, loss_name)
        for start in range(0, len(coords), rows)]).reshape(grid, grid)
    return {"landscape/a": a, "landscape/b": b, "landscape/loss": loss.astype(np.float32),
            "landscape/origin": origin32, "landscape/directions": directions32}


def compute_shared(architecture, trajectories: list[np.ndarray], x_train: np.ndarray,
                   y_train: np.ndarray, loss_name: str, grid: int = GRID
                   ) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    """One plane and surface for several runs of one network on one training set, and each
    run's path on it: (the landscape arrays but the path, [path of each run]).

    Runs can only be compared on one plane: a plane per run (each its own principal
    directions) gives each path its own axes. Two parameters: the parameter space itself, as
    for one run. More: the plane through the mean of all runs' snapshots spanned by the first
    two principal components of all trajectories stacked together (evenly sampled, each run
    the same number of rows), so every path is a projection onto the same two directions and
    `explained` is their share of the variance of all runs' parameters together. A path
    therefore ends at its run's final parameters projected onto the plane (not at (0, 0)).
    """
    steps, n_params, _ = _layout(architecture)
    trajectories = [np.asarray(t, np.float32) for t in trajectories]
    if not trajectories or any(t.ndim != 2 or t.shape[1] != n_params or len(t) < 1
                               for t in trajectories):
        raise ValueError(f"trajectories must each have shape (S, {n_params})")
    if n_params == 2:
        origin, directions = np.zeros(2), np.eye(2)
        paths = [t.astype(np.float64) for t in trajectories]
        points = np.vstack(paths)
        result = {}
        if _is_linear_neuron(architecture) and loss_name == "mse":
            result["landscape/minimum"] = _least_squares(x_train, y_train)
            points = np.vstack([points, result["landscape/minimum"]])
        explained = _explained_by_axes(np.vstack(paths))
    else:
        share = max(1, PCA_ROWS // len(trajectories))
        sample = np.vstack([t[np.unique(np.linspace(0, len(t) - 1, min(len(t), share)).astype(int))]
                            for t in trajectories])
        origin = sample.astype(np.float64).mean(axis=0)
        directions, explained = _principal_plane(sample)
        directions = directions.astype(np.float32).astype(np.float64)
        origin = origin.astype(np.float32).astype(np.float64)
        paths = [np.concatenate([(t[start:start + PCA_ROWS] - origin) @ directions.T
                                 for start in range(0, len(t), PCA_ROWS)]) for t in trajectories]
        points = np.vstack(paths)
        result = {}
    result.update(_surface(architecture, origin, directions, points, x_train, y_train,
                           loss_name, grid, n_params))
    result["landscape/explained"] = explained
    return result, paths


def in_data_units(architecture, path: np.ndarray, x_train: np.ndarray, y_train: np.ndarray,
                  units: tuple, loss_name: str, grid: int = GRID) -> dict[str, np.ndarray]:
    """A linear neuron's landscape over (W, B) in the data's units (nnviz.learn.units).

    `path` (S, 2) is the logged (w, b) in the units training used, x_train and y_train the
    training set in the data's units and `units` its standardiser (x_mean, x_std, y_mean,
    y_std). The window is chosen around the path and the least-squares line in data units,
    and each grid point is taken back to standardised (w, b), where the training loss is
    computed: the surface is the same function, drawn on the reader's axes. Returns
    landscape/a, b, loss, path, minimum and "landscape/map" (A, c): (W, B) = A (w, b) + c.
    """
    a_map, c = units_map = plane_map(*units)
    mx, sx, my, sy = (np.ravel(np.asarray(u, np.float64)) for u in units)
    path = np.asarray(path, np.float64) @ a_map.T + c
    minimum = _least_squares(np.asarray(x_train, np.float64), np.asarray(y_train, np.float64))
    points = np.vstack([path, minimum])
    lo, hi = points.min(axis=0), points.max(axis=0)
    a = _axis(lo[0], hi[0], hi[1] - lo[1], grid)
    b = _axis(lo[1], hi[1], hi[0] - lo[0], grid)
    ga, gb = np.meshgrid(a, b)   # rows are b
    standard = (np.column_stack([ga.ravel(), gb.ravel()]) - c) @ np.linalg.inv(a_map).T
    xt = (np.asarray(x_train, np.float64) - mx) / sx
    yt = (np.asarray(y_train, np.float64) - my) / sy
    loss = losses(architecture, standard, xt, yt, loss_name).reshape(grid, grid)
    return {"landscape/a": a, "landscape/b": b, "landscape/loss": loss.astype(np.float32),
            "landscape/path": path, "landscape/minimum": minimum, "landscape/map": units_map}
