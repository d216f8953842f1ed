"""The loss landscape: batched forward, the surface against independently rebuilt models, the path."""
import numpy as np
import pytest

import nnviz
from nnviz.learn import landscape, nn
from nnviz.run.pool import single_threaded_blas
from nnviz.log.record import train

from conftest import TINY_SCENE

SCENES = sorted(nnviz.builtin_scenes())
WIDTHS = {"linear_regression": (1, 1), "xor_function_regression": (2, 1), "xor_two_classes": (2, 2),
          "artificial_neuron": (2, 1)}


def architecture(name):
    n_in, n_out = WIDTHS.get(name, (1, 1))
    return nnviz.resolve(name)().model(np.random.default_rng(0), n_in, n_out).architecture()


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """Every built-in scene trained briefly with its landscape, once for this module."""
    folder = tmp_path_factory.mktemp("landscape")
    made = {}
    with single_threaded_blas():   # as renders run: threads only fight over the cores
        for name in SCENES:
            sc = nnviz.resolve(name)()
            made[name] = train(sc, folder / f"{name}.npz", steps=min(sc.steps, 60), every=3,
                               landscape=True)
    return made


def training_set(log):
    """The standardised training set, from the log's own arrays."""
    x = (log["data/x_train"] - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    y = (log["data/y_train"] - log["standardizer/y_mean"]) / log["standardizer/y_std"]
    return x, y


def trajectory(log):
    model = nn.Sequential.from_architecture(log.meta["architecture"])
    return np.concatenate([log[f"param/{k}"].reshape(len(log), -1) for k in model.params], axis=1)


@pytest.mark.parametrize("name", SCENES)
def test_surface_is_the_loss_of_the_model_rebuilt_at_each_point(logs, name):
    log = logs[name]
    x, y = training_set(log)
    a, b, surface = log["landscape/a"], log["landscape/b"], log["landscape/loss"]
    origin = log["landscape/origin"].astype(np.float64)
    d = log["landscape/directions"].astype(np.float64)
    loss = nn.loss(log.meta["options"]["loss"])
    rng = np.random.default_rng(7)
    points = [(0, 0), (len(b) - 1, len(a) - 1)] + [tuple(rng.integers(len(a), size=2)) for _ in range(6)]
    for j, i in points:
        model = nn.Sequential.from_architecture(log.meta["architecture"])
        model.flat_params[...] = origin + a[i] * d[0] + b[j] * d[1]
        expected = loss(model(x), y)[0]
        assert surface[j, i] == pytest.approx(expected, rel=1e-4), (j, i)


@pytest.mark.parametrize("name", SCENES)
def test_path_is_the_trajectory_on_the_plane_ending_at_the_final_parameters(logs, name):
    log = logs[name]
    traj, path = trajectory(log), log["landscape/path"]
    d, origin = log["landscape/directions"], log["landscape/origin"]
    assert path.shape == (len(log), 2)
    assert np.allclose(d.astype(np.float64) @ d.T.astype(np.float64), np.eye(2), atol=1e-6)
    if traj.shape[1] == 2:   # the w-b plane itself
        assert np.array_equal(d, np.eye(2)) and not origin.any()
        assert np.array_equal(path[-1], traj[-1])
    else:                    # the principal plane through the final parameters
        assert np.array_equal(origin, traj[-1]) and np.array_equal(path[-1], [0.0, 0.0])
        assert np.allclose(path, (traj - origin).astype(np.float64) @ d.T.astype(np.float64),
                           atol=1e-5 * np.abs(path).max())
        assert (path[0] < 0).all()   # signs fixed: the path runs towards +a, +b
    a, b = log["landscape/a"], log["landscape/b"]
    assert a[0] < path[:, 0].min() and path[:, 0].max() < a[-1]
    assert b[0] < path[:, 1].min() and path[:, 1].max() < b[-1]
    shares = log["landscape/explained"]
    assert (shares >= 0).all() and shares.sum() <= 1 + 1e-12 and shares[0] >= shares[1]


def test_principal_directions_explain_the_trajectory_as_sklearn_pca_would():
    rng = np.random.default_rng(3)
    traj = (rng.normal(size=(40, 1)) * [3.0, 0, 0, 0, 0] + rng.normal(size=(40, 1)) * [0, 1.0, 0, 0, 0]
            + 0.01 * rng.normal(size=(40, 5)))
    centred = traj - traj.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)   # the textbook PCA
    d, shares = landscape._principal_plane(traj)
    assert np.allclose(np.abs(d @ vt[:2].T), np.eye(2), atol=1e-9)
    assert np.allclose(shares, s[:2] ** 2 / np.sum(s ** 2))


@pytest.mark.parametrize("traj", [np.array([[0.0, 1, 2], [1, 1, 2]]), np.ones((4, 3))],
                         ids=["straight line", "no movement"])
def test_a_trajectory_without_two_directions_still_gives_a_plane(traj):
    d, shares = landscape._principal_plane(traj)
    assert np.allclose(d @ d.T, np.eye(2)) and shares[1] == 0
    result = landscape.compute([{"layer": "dense", "n_in": 2, "n_out": 1}], traj, np.ones((3, 2)),
                               np.ones((3, 1)), "mse", grid=5)
    assert np.isfinite(result["landscape/loss"]).all() and result["landscape/a"][0] < 0 < result["landscape/a"][-1]


def test_two_parameters_minimum_is_the_least_squares_solution(logs):
    log = logs["linear_regression"]
    x, y = training_set(log)
    w, b0 = np.polyfit(x[:, 0], y[:, 0], 1)   # least squares, computed another way
    assert np.allclose(log["landscape/minimum"], [w, b0], atol=1e-9)
    a, b, surface = log["landscape/a"], log["landscape/b"], log["landscape/loss"]
    j, i = np.unravel_index(np.argmin(surface), surface.shape)
    assert abs(a[i] - w) <= a[1] - a[0] and abs(b[j] - b0) <= b[1] - b[0]
    assert a[0] < w < a[-1] and b[0] < b0 < b[-1]
    assert "landscape/minimum" not in logs["xor_two_classes"]


@pytest.mark.parametrize("name", SCENES)
def test_batched_forward_equals_each_model_forward(name, monkeypatch):
    spec = architecture(name)
    model = nn.Sequential.from_architecture(spec)
    rng = np.random.default_rng(5)
    params = rng.normal(0, 0.7, (5, model.flat_params.size))
    x = rng.normal(size=(9, model.n_in))
    monkeypatch.setattr(landscape, "CHUNK_BYTES", 1)   # one vector a batch: batching exercised
    out64 = landscape.forward(spec, params, x, dtype=np.float64)
    out32 = landscape.forward(spec, params, x)
    assert out64.shape == (5, 9, model.n_out) and out32.dtype == np.float32
    for p, o64, o32 in zip(params, out64, out32):
        model.flat_params[...] = p
        assert np.allclose(o64, model(x), rtol=1e-12, atol=1e-12)
        assert np.allclose(o32, model(x), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layers", [
    [{"layer": "dense", "n_in": 3, "n_out": 4}, {"layer": "relu"},
     {"layer": "dense", "n_in": 4, "n_out": 3}, {"layer": "softmax"}],
    [{"layer": "tanh"}, {"layer": "dense", "n_in": 3, "n_out": 2}, {"layer": "sigmoid"}],
], ids=["relu-softmax", "activation first"])
@pytest.mark.parametrize("loss_name", ["mse", "softmax_cross_entropy"])
def test_losses_equal_nn_losses_for_every_layer_kind(layers, loss_name):
    model = nn.Sequential.from_architecture(layers)
    rng = np.random.default_rng(2)
    params = rng.normal(0, 1.0, (4, model.flat_params.size))
    x, y = rng.normal(size=(11, 3)), np.eye(model.n_out)[rng.integers(model.n_out, size=11)]
    got = landscape.losses(layers, params, x, y, loss_name)
    for p, value in zip(params, got):
        model.flat_params[...] = p
        assert value == pytest.approx(nn.loss(loss_name)(model(x), y)[0], rel=1e-5)


def test_binary_cross_entropy_losses_equal_nn_losses():
    layers = [{"layer": "dense", "n_in": 2, "n_out": 1}, {"layer": "sigmoid"}]
    model = nn.Sequential.from_architecture(layers)
    rng = np.random.default_rng(3)
    params = rng.normal(0, 1.0, (4, 3))
    x, y = rng.normal(size=(11, 2)), rng.integers(0, 2, (11, 1)).astype(float)
    got = landscape.losses(layers, params, x, y, "binary_cross_entropy")
    for p, value in zip(params, got):
        model.flat_params[...] = p
        assert value == pytest.approx(nn.loss("binary_cross_entropy")(model(x), y)[0], rel=1e-5)


def test_surface_is_deterministic(logs, tmp_path):
    log = logs["xor_two_classes"]
    x, y = training_set(log)
    runs = [landscape.compute(log.meta["architecture"], trajectory(log), x, y,
                              "softmax_cross_entropy") for _ in range(2)]
    for key in runs[0]:
        assert np.array_equal(runs[0][key], runs[1][key]) and np.array_equal(runs[0][key], log[key])
    sc = nnviz.resolve("xor_two_classes")()
    train(sc, tmp_path / "a.npz", steps=60, every=3, landscape=True)
    assert (tmp_path / "a.npz").read_bytes() == log.path.read_bytes()


def test_landscape_only_when_asked_and_announced_before_training(tmp_path):
    seen = []
    log = train(nnviz.resolve("xor_two_classes")(), tmp_path / "a.npz", steps=3, every=1,
                before=seen.append, landscape=True)
    assert set(landscape.NAMES) <= seen[0] and set(landscape.NAMES) <= set(log.names)
    plain = train(nnviz.resolve("xor_two_classes")(), tmp_path / "b.npz", steps=3, every=1)
    assert not [n for n in plain.names if n.startswith("landscape/")]


def test_user_layers_cannot_have_a_landscape(tmp_path, scene_file):
    body = TINY_SCENE.replace("        return nn.Sequential([nn.Dense(n_in, n_out)], rng)", """
        class Double(nn.Linear):
            def spec(self):
                return nn.Layer.spec(self)
        return nn.Sequential([nn.Dense(n_in, n_out), Double()], rng)""")
    with pytest.raises(nnviz.UsageError, match="'tiny': the landscape panel needs a network of "
                                               "nnviz's own layers"):
        train(nnviz.resolve(str(scene_file(body)))(), tmp_path / "u.npz", landscape=True)
    assert not (tmp_path / "u.npz").exists()


def test_bad_arguments_are_refused():
    spec = [{"layer": "dense", "n_in": 1, "n_out": 1}]
    with pytest.raises(ValueError, match=r"trajectory must have shape \(S, 2\)"):
        landscape.compute(spec, np.zeros((3, 5)), np.zeros((4, 1)), np.zeros((4, 1)), "mse")
    with pytest.raises(ValueError, match="grid must be an integer of at least 2"):
        landscape.compute(spec, np.zeros((3, 2)), np.zeros((4, 1)), np.zeros((4, 1)), "mse", grid=1)
    with pytest.raises(ValueError, match="loss must be one of"):
        landscape.losses(spec, np.zeros((3, 2)), np.zeros((4, 1)), np.zeros((4, 1)), "mae")


FEATURES = [{"layer": "features", "names": ["x1", "x2", "x1x2", "sinx1"]},
            {"layer": "dense", "n_in": 4, "n_out": 3}, {"layer": "tanh"},
            {"layer": "dense", "n_in": 3, "n_out": 2}]


def test_forward_and_losses_take_playground_features_first():
    """--features is a fixed first layer (nnviz.learn.features): the batched forward computes
    it as the network does."""
    model = nn.Sequential.from_architecture(FEATURES)
    rng = np.random.default_rng(4)
    params = rng.normal(0, 1.0, (3, model.flat_params.size))
    x, y = rng.normal(size=(13, 2)), np.eye(2)[rng.integers(2, size=13)]
    out = landscape.forward(FEATURES, params, x, dtype=np.float64)
    got = landscape.losses(FEATURES, params, x, y, "softmax_cross_entropy")
    for p, o, value in zip(params, out, got):
        model.flat_params[...] = p
        assert np.allclose(o, model(x), rtol=1e-12, atol=1e-12)
        assert value == pytest.approx(nn.loss("softmax_cross_entropy")(model(x), y)[0], rel=1e-5)


def test_a_scene_with_features_has_its_landscape(tmp_path):
    scene = nnviz.resolve("xor_two_classes")()
    scene.features, scene.panels = ("x1", "x2", "x1x2"), ("boundary", "landscape", "loss")
    log = train(scene, tmp_path / "f.npz", steps=30, every=3)
    assert log.meta["architecture"][0] == {"layer": "features", "names": ["x1", "x2", "x1x2"]}
    x, y = training_set(log)
    a, b, surface = log["landscape/a"], log["landscape/b"], log["landscape/loss"]
    origin, d = (log[f"landscape/{k}"].astype(np.float64) for k in ("origin", "directions"))
    for j, i in [(0, 0), (len(b) - 1, len(a) - 1), (len(b) // 3, len(a) // 2)]:
        model = nn.Sequential.from_architecture(log.meta["architecture"])
        model.flat_params[...] = origin + a[i] * d[0] + b[j] * d[1]
        assert surface[j, i] == pytest.approx(nn.loss(log.meta["options"]["loss"])(model(x), y)[0],
                                              rel=1e-4)
    from nnviz.draw.frames import FrameRenderer
    renderer = FrameRenderer(log, (320, 240))
    assert len(list(renderer.frames())) == len(log)
    renderer.close()
