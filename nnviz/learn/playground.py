"""TensorFlow Playground's datasets (its src/dataset.ts), made with a numpy Generator so a seed
gives the same points: four classification sets (circle, xor, gauss, spiral; classes 0 and 1
as one-hot rows) and two regression sets (plane, multi-gauss; targets in [-1, 1]).

`noise` is Playground's slider (0 to 0.5, here up to 1): for circle, xor, plane and
multi-gauss the label is taken at the point moved by uniform noise of `noise` x the data's
radius (so labels near a border flip), for spiral the points themselves move, for gauss the
clouds widen (variance 0.5 at noise 0 to 4 at 0.5).
"""
from __future__ import annotations

import numpy as np

from .data import Dataset

N_SAMPLES = 500   # Playground's number of points
CLASSIFY = ("circle", "xor", "gauss", "spiral")
REGRESS = ("plane", "multi-gauss")
NAMES = CLASSIFY + REGRESS


def _classes(x, label) -> Dataset:
    return Dataset(x, np.eye(2)[label.astype(int)], "classification")


def _shift(rng, n, radius, noise):
    return rng.uniform(-radius, radius, (n, 2)) * noise


def circle(rng, n=N_SAMPLES, noise=0.0) -> Dataset:
    """Class 1 inside radius 2.5, class 0 in the ring from 3.5 to 5 (radius 5 in all)."""
    half = np.arange(n) < n // 2
    r = np.where(half, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    seen = x + _shift(rng, n, 5.0, noise)
    return _classes(x, np.hypot(seen[:, 0], seen[:, 1]) < 2.5)


def xor(rng, n=N_SAMPLES, noise=0.0) -> Dataset:
    """Points in [-5.3, 5.3]², kept 0.3 off the axes; class 1 where x1 x2 >= 0."""
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)
    seen = x + _shift(rng, n, 5.0, noise)
    return _classes(x, seen[:, 0] * seen[:, 1] >= 0)


def gauss(rng, n=N_SAMPLES, noise=0.0) -> Dataset:
    """Two Gaussian clouds, class 1 around (2, 2), class 0 around (-2, -2)."""
    variance = 0.5 + 3.5 * min(noise, 0.5) / 0.5 + 7.0 * max(noise - 0.5, 0.0)
    label = (np.arange(n) < n // 2).astype(int)
    centre = np.where(label[:, None] == 1, 2.0, -2.0)
    return _classes(centre + rng.normal(0, np.sqrt(variance), (n, 2)), label)


def spiral(rng, n=N_SAMPLES, noise=0.0) -> Dataset:
    """Two interleaved spirals of 1.75 turns out to radius 5, class 1 and class 0."""
    half = n // 2
    i = np.concatenate([np.arange(half), np.arange(n - half)])
    label = (np.arange(n) < half).astype(int)
    count = np.where(label == 1, half, n - half)
    r = i / count * 5
    t = 1.75 * i / count * 2 * np.pi + np.where(label == 1, 0.0, np.pi)
    x = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (n, 2)) * noise
    return _classes(x, label)


def plane(rng, n=N_SAMPLES, noise=0.0) -> Dataset:
    """y = (x1 + x2) / 10 over [-6, 6]², read at the noisy point."""
    x = rng.uniform(-6, 6, (n, 2))
    seen = x + _shift(rng, n, 6.0, noise)
    return Dataset(x, (seen.sum(axis=1) / 10)[:, None], "regression")


GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                      [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=float)


def multi_gauss(rng, n=N_SAMPLES, noise=0.0) -> Dataset:
    """Six bumps of height +1 or -1 (falling linearly to 0 at distance 2) on [-6, 6]²; each
    point takes the bump largest in absolute value."""
    x = rng.uniform(-6, 6, (n, 2))
    seen = x + _shift(rng, n, 6.0, noise)
    d = np.hypot(seen[:, None, 0] - GAUSSIANS[:, 0], seen[:, None, 1] - GAUSSIANS[:, 1])
    value = GAUSSIANS[:, 2] * np.clip(1 - d / 2, 0, 1)
    pick = np.argmax(np.abs(value), axis=1)
    return Dataset(x, value[np.arange(n), pick][:, None], "regression")


MAKERS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "plane": plane,
          "multi-gauss": multi_gauss}


def make(name: str, rng: np.random.Generator, noise: float) -> Dataset:
    return MAKERS[name](rng, noise=noise)
