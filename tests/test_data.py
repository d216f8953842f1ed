"""Datasets are the original series' definitions, seeded, split and standardised exactly."""
import numpy as np
import pytest

from nnviz.learn import data


def rng(seed=0):
    return np.random.default_rng(seed)


def test_noisy_linear_recovers_line_and_noise():
    ds = data.noisy_linear(rng(), n=20000)
    assert ds.x.shape == (20000, 1) and ds.y.shape == (20000, 1) and ds.kind == "regression"
    assert ds.x.min() >= 1 and ds.x.max() < 3
    slope, intercept = np.polyfit(ds.x[:, 0], ds.y[:, 0], 1)
    residual = ds.y[:, 0] - (slope * ds.x[:, 0] + intercept)
    assert slope == pytest.approx(4, abs=0.05) and intercept == pytest.approx(-2, abs=0.1)
    assert residual.std() == pytest.approx(0.8, rel=0.03)


def test_noisy_sine_recovers_noise():
    ds = data.noisy_sine(rng(), n=20000)
    assert ds.x.min() >= 0.2 and ds.x.max() < 2 * np.pi - 0.2
    assert (ds.y - np.sin(ds.x)).std() == pytest.approx(0.1, rel=0.03)
    assert (ds.y - np.sin(ds.x)).mean() == pytest.approx(0, abs=0.005)


def test_xor_function_and_classes():
    f, c = data.xor_function(rng(), n=400), data.xor_classes(rng(), n=400)
    assert f.x.shape == (400, 2) and f.y.shape == (400, 1) and c.y.shape == (400, 2)
    corner = np.round(c.x).astype(int)
    assert np.array_equal(c.labels, corner[:, 0] ^ corner[:, 1])
    assert np.bincount(c.labels).tolist() == [200, 200]
    assert (c.x - corner).std() == pytest.approx(0.05, rel=0.1)
    target = np.round(f.y[:, 0])
    assert np.array_equal(target, np.round(f.x[:, 0]).astype(int) ^ np.round(f.x[:, 1]).astype(int))
    assert (f.y[:, 0] - target).std() == pytest.approx(0.05, rel=0.15)


def test_same_seed_same_points():
    assert np.array_equal(data.noisy_sine(rng(3)).y, data.noisy_sine(rng(3)).y)
    assert not np.array_equal(data.noisy_sine(rng(3)).y, data.noisy_sine(rng(4)).y)


def test_split_sizes_and_disjoint():
    ds = data.noisy_linear(rng(), n=1000)
    train, val = data.split(ds, rng(1))
    assert len(train) == 700 and len(val) == 300
    assert np.array_equal(np.sort(np.concatenate([train.x, val.x])[:, 0]), np.sort(ds.x[:, 0]))


def test_standardise_round_trip():
    x = rng().normal(5, 3, (100, 2))
    s = data.Standardizer.fit(x)
    z = s(x)
    assert np.allclose(z.mean(axis=0), 0) and np.allclose(z.std(axis=0), 1)
    assert np.allclose(s.inverse(z), x, rtol=0, atol=1e-12)


def test_batches():
    assert data.batch_size(700) == 26
    b = next(data.batches(700, 26, rng()))
    assert len(b) == 26 and len(set(b)) == 26 and b.max() < 700


@pytest.mark.parametrize("make, message", [
    (lambda: data.noisy_linear(rng(), n=0), "n must be an integer >= 2, got 0"),
    (lambda: data.xor_classes(rng(), n=-5), "n must be an integer >= 2, got -5"),
    (lambda: data.split(data.noisy_sine(rng()), rng(), 1.5), "train_fraction must be between 0 and 1, got 1.5"),
    (lambda: data.Dataset(np.zeros((3, 1)), np.zeros((2, 1)), "regression"), "one row per sample"),
    (lambda: data.Dataset(np.zeros((3, 1)), np.zeros((3, 1)), "ranking"), "kind must be"),
    (lambda: next(data.batches(10, 0, rng())), "batch size must be between 1 and 10, got 0"),
])
def test_impossible_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()
