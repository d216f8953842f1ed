"""The architecture as data, and the trained network rebuilt from a log alone."""
import json

import numpy as np
import pytest

import nnviz
from nnviz.learn import data, nn
from nnviz.log.snapshots import LogError
from nnviz.learn.training import grid_inputs as grid_points
from nnviz.log.record import train

from conftest import TINY_SCENE, run_cli

SCENES = sorted(nnviz.builtin_scenes())


def scene_model(name, seed=0):
    return nnviz.resolve(name)().model(np.random.default_rng(seed), *{
        "linear_regression": (1, 1), "xor_function_regression": (2, 1),
        "xor_two_classes": (2, 2), "artificial_neuron": (2, 1)}.get(name, (1, 1)))


@pytest.mark.parametrize("name", SCENES)
def test_architecture_is_json_data_that_rebuilds_the_network(name):
    model = scene_model(name)
    spec = json.loads(json.dumps(model.architecture()))
    assert all(isinstance(layer, dict) and set(layer) <= {"layer", "n_in", "n_out", "slope"}
               for layer in spec)
    rebuilt = nn.Sequential.from_architecture(spec)
    assert rebuilt.architecture() == spec and repr(rebuilt) == repr(model)
    assert not rebuilt.flat_params.any()
    rebuilt.load_parameters(model.parameters())
    x = np.random.default_rng(1).normal(size=(7, model.n_in))
    assert np.array_equal(rebuilt(x), model(x))


def test_architecture_format():
    model = nn.mlp([2, 4, 1], "leaky_relu", output="sigmoid", slope=0.1)
    assert model.architecture() == [
        {"layer": "dense", "n_in": 2, "n_out": 4}, {"layer": "leaky_relu", "slope": 0.1},
        {"layer": "dense", "n_in": 4, "n_out": 1}, {"layer": "sigmoid"}]
    assert nn.mlp([1, 3, 2], "relu", output="softmax").architecture()[1::2] == [
        {"layer": "relu"}, {"layer": "softmax"}]


DENSE = {"layer": "dense", "n_in": 2, "n_out": 3}


@pytest.mark.parametrize("spec, fragment", [
    ({"layer": "dense"}, "must be a list of layers"),
    ([], "1 to 64 layers"),
    ([DENSE] + [{"layer": "tanh"}] * 64, "1 to 64 layers"),
    ([DENSE, "tanh"], "layer 1 must be a dict"),
    ([{"n_in": 2, "n_out": 3}], 'must be a dict with a "layer" name'),
    ([DENSE, {"layer": "conv"}], "unknown layer 'conv'"),
    ([dict(DENSE, bias=True)], "exactly the keys ['layer', 'n_in', 'n_out']"),
    ([{"layer": "dense", "n_in": 2}], "exactly the keys"),
    ([DENSE, {"layer": "tanh", "slope": 0.1}], "exactly the keys ['layer']"),
    ([DENSE, {"layer": "leaky_relu"}], "exactly the keys ['layer', 'slope']"),
    ([dict(DENSE, n_in=0)], "n_in must be an integer from 1 to 4096, got 0"),
    ([dict(DENSE, n_out=4097)], "n_out must be an integer from 1 to 4096"),
    ([dict(DENSE, n_in=True)], "n_in must be an integer"),
    ([dict(DENSE, n_in=2.0)], "n_in must be an integer"),
    ([DENSE, {"layer": "dense", "n_in": 4, "n_out": 1}], "layer 1 takes 4 inputs but the layer before gives 3"),
    ([DENSE, {"layer": "leaky_relu", "slope": 1.0}], "slope must be a number in [0, 1)"),
    ([DENSE, {"layer": "leaky_relu", "slope": -0.1}], "slope must be a number in [0, 1)"),
    ([DENSE, {"layer": "leaky_relu", "slope": "0.1"}], "slope must be a number"),
    ([DENSE, {"layer": "leaky_relu", "slope": float("nan")}], "slope must be a number"),
    ([{"layer": "tanh"}], "no dense layer"),
    ([{"layer": "dense", "n_in": 4096, "n_out": 4096}], "more than the 10,000,000 allowed"),
])
def test_from_architecture_rejects_untrusted_input(spec, fragment):
    with pytest.raises(ValueError) as e:
        nn.Sequential.from_architecture(spec)
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_load_parameters_needs_every_parameter_with_its_shape():
    model = nn.mlp([2, 3, 1], "tanh", rng=np.random.default_rng(0))
    other = nn.Sequential.from_architecture(model.architecture())
    with pytest.raises(ValueError, match=r"missing \['2.b'\], unexpected none"):
        other.load_parameters({k: v for k, v in model.params.items() if k != "2.b"})
    with pytest.raises(ValueError, match=r"'0.W' must be a number array of shape \(2, 3\)"):
        other.load_parameters(dict(model.params, **{"0.W": np.zeros((3, 2))}))
    assert not other.flat_params.any()   # nothing half-loaded


def grid_inputs(log):
    return grid_points({k: log[k] for k in log.names if k.startswith("grid/")})


def to_data_units(log, raw):
    """The logged grid's post-processing (training.snapshot), from the log's own arrays."""
    if log.meta["kind"] == "classification":   # logits, or a sigmoid's probability as it is
        return nn.softmax(raw) if log.meta["options"]["loss"] == "softmax_cross_entropy" else raw
    return raw * log["standardizer/y_std"] + log["standardizer/y_mean"]


@pytest.mark.parametrize("name", SCENES)
def test_model_rebuilt_from_log_reproduces_output_grid_at_every_snapshot(tmp_path, name):
    sc = nnviz.resolve(name)()
    log = train(sc, tmp_path / "l.npz", steps=min(sc.steps, 100), every=10)
    assert log.meta["architecture"] == scene_model(name).architecture()
    assert log.meta["model"] == repr(scene_model(name))
    xs = grid_inputs(log)
    sx = (xs - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    outputs = log["output"]
    for i in range(len(log)):
        expected = outputs[i].reshape(len(xs), -1)
        tol = 1e-5 * max(1.0, np.abs(expected).max())   # float32 parameters and output
        assert np.allclose(log.predict(i, xs), expected, rtol=0, atol=tol), i
        assert np.allclose(to_data_units(log, log.model(i)(sx)), expected, rtol=0, atol=tol), i
    assert np.array_equal(log.model(-1).flat_params, log.model(len(log) - 1).flat_params)
    assert np.array_equal(log.model(-len(log)).flat_params, log.model(0).flat_params)
    assert not np.array_equal(log.model(0).flat_params, log.model(-1).flat_params)


@pytest.mark.parametrize("name, standardized", [
    ("non_linear_regression_tanh", True), ("xor_function_regression", False),
    ("xor_two_classes", False)])
def test_log_records_the_standardisation(tmp_path, name, standardized):
    log = train(nnviz.resolve(name)(), tmp_path / "l.npz", steps=2, every=1)
    assert log.meta["standardize_targets"] is standardized
    sx, sy = data.Standardizer.fit(log["data/x_train"]), data.Standardizer.fit(log["data/y_train"])
    assert np.array_equal(log["standardizer/x_mean"], sx.mean)
    assert np.array_equal(log["standardizer/x_std"], sx.std)
    if standardized:
        assert np.array_equal(log["standardizer/y_mean"], sy.mean)
        assert np.array_equal(log["standardizer/y_std"], sy.std)
    else:
        assert not log["standardizer/y_mean"].any() and (log["standardizer/y_std"] == 1).all()


def test_trained_log_predicts_with_no_scene_code(tmp_path):
    result = run_cli("train", "linear_regression", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    log = nnviz.load(tmp_path / "linear_regression" / "linear_regression.npz")
    pred = log.predict(-1, np.array([[1.0], [3.0]]))[:, 0]   # the data: y = 4x - 2 + noise
    assert pred == pytest.approx([2.0, 10.0], abs=0.3)
    assert log.predict(-1, [1.0, 3.0]).shape == (2, 1)       # 1-D inputs for one input
    assert isinstance(log.model(-1), nn.Sequential)


def test_bad_index_or_inputs_are_usage_errors(tmp_path):
    log = train(nnviz.resolve("xor_two_classes")(), tmp_path / "l.npz", steps=2, every=1)
    for i in (3, -4, 1.0, True):
        with pytest.raises(nnviz.UsageError, match="give 0 to 2, or -3 to -1"):
            log.model(i)
    with pytest.raises(nnviz.UsageError, match=r"inputs must be an array of shape \(n, 2\)"):
        log.predict(0, np.zeros((4, 3)))


def rewrite(path, meta=None, drop=()):
    """The log at `path` with its metadata changed and some arrays left out."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files if k not in drop}
    old = json.loads(arrays["meta"].tobytes())
    for key, value in (meta or {}).items():
        if value is None:
            old.pop(key)
        else:
            old[key] = value
    arrays["meta"] = np.frombuffer(json.dumps(old).encode(), np.uint8)
    np.savez(path, **arrays)


@pytest.mark.parametrize("meta, drop, fragment", [
    ({"architecture": None}, (), "does not describe its network"),
    # these two are refused when the log is loaded (meta and field shapes are checked then)
    ({"architecture": [{"layer": "dense", "n_in": 2, "n_out": 1e9}]}, (), "meta 'architecture'"),
    ({"architecture": [{"layer": "dense", "n_in": 2, "n_out": 3}]}, (),
     r"'param/0.W' has shape \(3, 2, 4\), which disagrees"),
    ({}, ("param/2.b", "grad/2.b", "update/2.b"), "lacks a parameter of its network"),
    ({}, ("standardizer/x_std",), "does not record its standardisation"),
])
def test_damaged_or_old_logs_fail_clearly(tmp_path, meta, drop, fragment):
    train(nnviz.resolve("xor_two_classes")(), tmp_path / "l.npz", steps=2, every=1)
    rewrite(tmp_path / "l.npz", meta, drop)
    with pytest.raises(LogError, match=fragment) as e:
        nnviz.load(tmp_path / "l.npz").predict(-1, np.zeros((1, 2)))
    assert "\n" not in str(e.value) and "train" in str(e.value)


def test_user_layer_leaves_architecture_out(tmp_path, scene_file):
    body = TINY_SCENE.replace("        return nn.Sequential([nn.Dense(n_in, n_out)], rng)", """
        class Double(nn.Layer):   # a user's own layer: trains, but is not data nnviz rebuilds
            def forward(self, x):
                return 2 * x
            def backward(self, grad):
                return 2 * grad
        return nn.Sequential([nn.Dense(n_in, n_out), Double()], rng)""")
    log = train(nnviz.resolve(str(scene_file(body)))(), tmp_path / "u.npz")
    assert log.meta["architecture"] is None and len(log) == 5
    with pytest.raises(LogError, match="does not describe its network"):
        log.model(-1)
