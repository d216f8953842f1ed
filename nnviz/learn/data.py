"""Seeded datasets of the original blog series, the train/validation split and standardisation.

Every maker takes a `numpy.random.Generator`, so the same seed gives the same points.
Inputs are rows of `x` (n, d); targets are rows of `y` (n, k): values for regression,
one-hot rows for classification.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])


@dataclass(frozen=True)
class Dataset:
    x: np.ndarray
    y: np.ndarray
    kind: str  # "regression" or "classification"

    def __post_init__(self):
        for label in ("x", "y"):   # lists and integer arrays are welcome; training wants floats
            try:
                object.__setattr__(self, label, np.asarray(getattr(self, label), dtype=np.float64))
            except (TypeError, ValueError):
                raise ValueError(f"{label} must be an array of numbers, got "
                                 f"{type(getattr(self, label)).__name__}") from None
        if self.kind not in ("regression", "classification"):
            raise ValueError(f"kind must be 'regression' or 'classification', got {self.kind!r}")
        if self.x.ndim != 2 or self.y.ndim != 2 or len(self.x) != len(self.y):
            raise ValueError(f"x and y must be 2-D with one row per sample, got shapes "
                             f"{self.x.shape} and {self.y.shape}")
        if len(self.x) < 2:
            raise ValueError(f"a dataset needs at least 2 samples, got {len(self.x)}")

    def __len__(self):
        return len(self.x)

    @property
    def labels(self) -> np.ndarray:
        """Class index per sample (classification only)."""
        return class_labels(self.y)


def class_labels(y: np.ndarray) -> np.ndarray:
    """Class index per row of classification targets: one-hot rows (argmax), or two classes as
    one 0/1 column (1 is class 1), as a single sigmoid neuron is trained on."""
    y = np.asarray(y)
    return (y[:, 0] > 0.5).astype(np.int64) if y.shape[1] == 1 else np.argmax(y, axis=1)


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    return int(n)


def noisy_linear(rng: np.random.Generator, n: int = 1000, slope: float = 4.0,
                 intercept: float = -2.0, noise: float = 0.8, low: float = 1.0,
                 high: float = 3.0) -> Dataset:
    """y = slope * x + intercept + N(0, noise^2), x uniform in [low, high)."""
    n = _check_n(n)
    x = rng.uniform(low, high, (n, 1))
    return Dataset(x, slope * x + intercept + rng.normal(0.0, noise, (n, 1)), "regression")


def noisy_sine(rng: np.random.Generator, n: int = 1000, noise: float = 0.1,
               low: float = 0.2, high: float = 2 * np.pi - 0.2) -> Dataset:
    """y = sin(x) + N(0, noise^2), x uniform in [low, high)."""
    n = _check_n(n)
    x = rng.uniform(low, high, (n, 1))
    return Dataset(x, np.sin(x) + rng.normal(0.0, noise, (n, 1)), "regression")


def _xor_points(rng, n, jitter):
    n = _check_n(n)
    corner = np.arange(n) % 4
    return XOR_CORNERS[corner] + rng.normal(0.0, jitter, (n, 2)), corner


def xor_function(rng: np.random.Generator, n: int = 400, jitter: float = 0.05) -> Dataset:
    """XOR corners repeated to n jittered points; targets 0/1 with the same jitter."""
    x, corner = _xor_points(rng, n, jitter)
    y = XOR_LABELS[corner][:, None] + rng.normal(0.0, jitter, (len(x), 1))
    return Dataset(x, y, "regression")


def xor_classes(rng: np.random.Generator, n: int = 400, jitter: float = 0.05) -> Dataset:
    """XOR corners repeated to n jittered points; one-hot classes 0/1."""
    x, corner = _xor_points(rng, n, jitter)
    return Dataset(x, np.eye(2)[XOR_LABELS[corner]], "classification")


def two_blobs(rng: np.random.Generator, n: int = 400, distance: float = 3.0,
              spread: float = 0.6) -> Dataset:
    """Two round Gaussian clouds of points, the classes 0 and 1, their centres `distance` apart
    along the diagonal x1 = x2 (so the separating line is tilted and both inputs matter);
    targets one 0/1 column: two classes with one output, for a single sigmoid neuron.

    Alternating labels give n // 2 points per class (one more of class 0 for odd n).
    """
    n = _check_n(n)
    label = np.arange(n) % 2
    centre = (label[:, None] - 0.5) * distance / np.sqrt(2) * np.array([1.0, 1.0])
    x = centre + rng.normal(0.0, spread, (n, 2))
    return Dataset(x, label[:, None].astype(float), "classification")


def split(ds: Dataset, rng: np.random.Generator, train_fraction: float = 0.7
          ) -> tuple[Dataset, Dataset]:
    """Shuffle and cut into train and validation parts."""
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction!r}")
    order = rng.permutation(len(ds))
    cut = train_size(len(ds), train_fraction)
    part = lambda idx: Dataset(ds.x[idx], ds.y[idx], ds.kind)
    return part(order[:cut]), part(order[cut:])


def train_size(n: int, train_fraction: float) -> int:
    """How many of `n` samples `split` trains on (the rest validate): at least 1 each side."""
    return min(max(int(round(train_fraction * n)), 1), n - 1)


def fewest_samples(train_fraction: float) -> int:
    """The fewest samples `split` cuts into a training and a validation set of 2 or more each
    (a set of 1 has no spread to standardise by nor a mean to measure)."""
    n = 4
    while min(train_size(n, train_fraction), n - train_size(n, train_fraction)) < 2:
        n += 1
    return n


@dataclass(frozen=True)
class Standardizer:
    """Shift and scale to zero mean, unit variance; `inverse` returns to the data's own units."""
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, a: np.ndarray) -> "Standardizer":
        std = a.std(axis=0)
        return cls(a.mean(axis=0), np.where(std > 0, std, 1.0))

    @classmethod
    def identity(cls, width: int) -> "Standardizer":
        return cls(np.zeros(width), np.ones(width))

    def __call__(self, a: np.ndarray) -> np.ndarray:
        return (a - self.mean) / self.std

    def inverse(self, a: np.ndarray) -> np.ndarray:
        return a * self.std + self.mean


def batch_size(n_train: int) -> int:
    """The original series' mini-batch size: floor(sqrt(n_train))."""
    return max(1, int(np.sqrt(n_train)))


def batches(n: int, size: int, rng: np.random.Generator):
    """Endless mini-batch index arrays: each a fresh random draw without replacement."""
    if not 0 < size <= n:
        raise ValueError(f"batch size must be between 1 and {n}, got {size!r}")
    while True:
        yield rng.choice(n, size, replace=False)


# A scatter of every point costs its time on every frame it is drawn and hides the picture
# under it past a few thousand: views show at most these many of each set (the panels' legends
# say "2,000 of 70,000 shown"); the numbers (loss, accuracy) are still of every point
SHOWN = {"train": 2000, "val": 1000}


def shown(n: int, most: int) -> np.ndarray | None:
    """Which of `n` points a view draws: `most` evenly spaced indices (the sets are shuffled by
    `split`, so an even spread of them is a random sample, and the same every time), or None
    when all `n` are drawn."""
    if n <= most:
        return None
    return np.unique(np.linspace(0, n - 1, most).round().astype(np.int64))
