"""The network and training knobs (issue 23, section 2): --hidden, --activation, --optimizer,
--batch, --regularization, --reg-rate, --features on any built-in scene: the network trained,
the penalty in the loss and its gradient, the log's meta, `nnviz show`, and the refusals."""
import numpy as np
import pytest

import nnviz
from nnviz.errors import UsageError
from nnviz.learn import features, knobs, nn
from nnviz.log.record import train
from nnviz.settings import build

from conftest import assert_one_line_error, run_cli
from test_step import finite_difference


def knobbed(name, **given):
    """Built-in scene `name` with the knobs `given` applied, as a render applies them."""
    return knobs.apply(nnviz.resolve(name)(), build([("call", given)]).train)




def test_the_network_follows_hidden_activation_and_features(tmp_path):
    log = train(knobbed("xor_two_classes", hidden="8,3", activation="tanh",
                        features="x1,x2,x1sq,sinx2"), tmp_path / "k.npz", steps=4, every=2)
    arch = log.meta["architecture"]
    assert arch[0] == {"layer": "features", "names": ["x1", "x2", "x1sq", "sinx2"]}
    assert [l["n_out"] for l in arch if l["layer"] == "dense"] == [8, 3, 2]
    assert [l["layer"] for l in arch if l["layer"] not in ("dense", "features")] == ["tanh", "tanh"]
    assert log.meta["options"]["features"] == ["x1", "x2", "x1sq", "sinx2"]
    # the logged parameters rebuild the function the log's grid outputs were made with
    net = log.model(len(log) - 1)
    sx = (log["grid/x0"], log["grid/x1"])
    g0, g1 = np.meshgrid(*sx)
    x = np.column_stack([g0.ravel(), g1.ravel()])
    z = (x - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    expected = nn.softmax(net(z)).reshape(len(sx[1]), len(sx[0]), 2)
    np.testing.assert_allclose(log["output"][-1], expected, atol=2e-5)


def test_features_layer_values_and_input_gradient():
    x = np.random.default_rng(1).normal(size=(5, 2))
    layer = features.Features(["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"])
    a, b = x[:, 0], x[:, 1]
    np.testing.assert_allclose(layer.forward(x), np.column_stack(
        [a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)]))
    up = np.random.default_rng(2).normal(size=(5, 7))
    got = layer.backward(up)
    f = lambda flat: float(np.sum(layer.forward(flat.reshape(5, 2)) * up))
    np.testing.assert_allclose(got.ravel(), finite_difference(f, x.ravel()), rtol=1e-6, atol=1e-8)


def test_hidden_none_and_sizes(tmp_path):
    log = train(knobbed("xor_two_classes", hidden="none"), tmp_path / "n.npz", steps=2, every=1)
    assert [l["layer"] for l in log.meta["architecture"]] == ["dense"]
    log = train(knobbed("linear_regression", hidden="5", activation="relu", optimizer="sgd",
                        batch=50), tmp_path / "l.npz", steps=2, every=1)
    assert [l["layer"] for l in log.meta["architecture"]] == ["dense", "relu", "dense"]
    assert log.meta["options"]["optimizer"] == "sgd" and log.meta["options"]["batch_size"] == 50


def test_hidden_none_with_data_keeps_no_activation_of_the_dataset(tmp_path):
    """A dataset's default activation (tanh) is not a user's --activation: --hidden none gives
    a network of no hidden layer, and Playground's classic, the circle from x1, x2 and their
    squares, is learned by it (the circle is linear in the squares)."""
    from nnviz.learn.datascene import DataScene
    scene = knobs.apply(DataScene("circle"), build([("call", dict(
        hidden="none", features="x1,x2,x1sq,x2sq"))]).train)
    log = train(scene, tmp_path / "c.npz", steps=300, every=300)
    assert log.meta["architecture"] == [
        {"layer": "features", "names": ["x1", "x2", "x1sq", "x2sq"]},
        {"layer": "dense", "n_in": 4, "n_out": 2}]
    assert log["accuracy/val"][-1] >= 0.95
    r = run_cli("render", "--data", "circle", "--hidden", "none", "--quick", "--formats", "mp4",
                "--out", tmp_path, "-q")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularization_enters_the_loss_and_the_gradient(tmp_path, kind):
    """grad/ is the full training set's gradient of data loss + penalty (central differences
    of the rebuilt network, as tests/test_step.py), and loss/train holds the penalty."""
    rate = 0.05
    log = train(knobbed("xor_two_classes", regularization=kind, reg_rate=rate),
                tmp_path / "r.npz", steps=6, every=3, gradients=True)
    assert log.meta["options"]["regularization"] == kind and log.meta["options"]["reg_rate"] == rate
    net = log.model(0)
    names = list(net.params)
    x = (log["data/x_train"] - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    y = log["data/y_train"]
    loss = nn.loss(log.meta["options"]["loss"])
    weights = np.concatenate([np.full(p.size, n.endswith(".W")) for n, p in net.params.items()])

    def objective(flat):
        net.flat_params[...] = flat
        w = flat[weights]
        return loss(net(x), y)[0] + rate * (np.abs(w).sum() if kind == "l1" else 0.5 * w @ w)

    for i in range(len(log)):
        p = np.concatenate([log[f"param/{n}"][i].ravel() for n in names]).astype(np.float64)
        g = np.concatenate([log[f"grad/{n}"][i].ravel() for n in names]).astype(np.float64)
        np.testing.assert_allclose(g, finite_difference(objective, p), rtol=1e-4, atol=1e-6)
        assert log["loss/train"][i] == pytest.approx(objective(p), rel=1e-5)
    # and the penalty changes what is learned: the weights end smaller than without it
    plain = train(nnviz.resolve("xor_two_classes")(), tmp_path / "p.npz", steps=6, every=3)
    size = lambda l: sum(np.abs(l[f"param/{n}"][-1]).sum() for n in names if n.endswith(".W"))
    assert size(log) < size(plain)


def test_knobs_are_deterministic(tmp_path):
    a = train(knobbed("xor_two_classes", hidden="6", activation="sigmoid", features="x1,x1x2"),
              tmp_path / "a.npz", steps=5, every=1)
    b = train(knobbed("xor_two_classes", hidden="6", activation="sigmoid", features="x1,x1x2"),
              tmp_path / "b.npz", steps=5, every=1)
    for name in a.names:
        if name.startswith(("param/", "loss/")):
            np.testing.assert_array_equal(a[name], b[name])


def test_no_knob_leaves_the_scene_as_it_was():
    scene = nnviz.resolve("xor_two_classes")()
    assert knobs.apply(scene, build([]).train) is scene


@pytest.mark.parametrize("args, fragments", [
    (["linear_regression", "--activation", "tanh"], ["has none: add hidden layers"]),
    (["xor_two_classes", "--hidden", "none", "--activation", "relu"],
     ["Error: --activation sets the hidden layers' activation, and --hidden none leaves none: "
      "drop one of them"]),
    (["--data", "circle", "--ratio", "0.9", "--batch", "1000"],
     ["Error: --batch 1000 is larger than the training set of circle (450 samples with --ratio "
      "0.9); give --batch 450 or less, or leave it out for the default (21)"]),
    (["xor_two_classes", "--batch", "300"],
     ["Error: --batch 300 is larger than the training set of xor_two_classes (280 samples with "
      "0.7 of them for training); give --batch 280 or less"]),
    (["linear_regression", "--features", "x1,x2"], ["--features are of two inputs"]),
    (["xor_two_classes", "--noise", "0.2"], ["--noise changes the data of --data"]),
    (["xor_two_classes", "--reg-rate", "0.1"], ["--reg-rate needs --regularization l1 or l2"]),
    (["xor_two_classes", "--hidden", "8,,8"], ["'--hidden'", "without empty items"]),
    (["xor_two_classes", "--hidden", "0"], ["0 is not a layer width"]),
    (["xor_two_classes", "--hidden", "65"], ["from 1 to 64"]),
    (["xor_two_classes", "--features", "x3"], ["unknown feature 'x3'; choose from x1, x2"]),
    (["xor_two_classes", "--features", "x1,x1"], ["names 'x1' twice"]),
    (["xor_two_classes", "--activation", "softmax"], ["must be one of relu, tanh"]),
    (["xor_two_classes", "--optimizer", "rmsprop"], ["must be one of sgd, momentum, adam"]),
    (["xor_two_classes", "--batch", "0"], ["from 1 to 10,000,000"]),
    (["xor_two_classes", "--reg-rate", "11", "--regularization", "l1"], ["from 0 to 10"]),
    (["xor_two_classes", "--ratio", "0.95"], ["from 0.1 to 0.9"]),
])
def test_bad_knobs_are_one_line_exit_2(tmp_path, args, fragments):
    r = run_cli("render", *args, "--out", tmp_path / "o", "--quick")
    assert_one_line_error(r, 2, *fragments)
    assert not (tmp_path / "o").exists()


def test_show_says_the_chosen_network_and_penalty():
    r = run_cli("show", "xor_two_classes", "--hidden", "8,8", "--activation", "tanh",
                "--features", "x1,x2,sinx1", "--regularization", "l1", "--reg-rate", "0.01")
    assert r.returncode == 0, r.stderr
    assert "features x₁, x₂, sin x₁ -> 3-8-8-2, tanh hidden" in r.stdout
    assert "+ L1 penalty, rate 0.01" in r.stdout


def test_the_description_says_what_the_knobs_changed(tmp_path):
    """A scene's sentence names its own network; with the knobs it must not stand alone."""
    r = run_cli("show", "xor_two_classes", "--hidden", "8,8", "--activation", "tanh",
                "--features", "x1,x2,x1x2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == (
        "xor_two_classes  A 2-4-4-2 LeakyReLU classifier separates the two XOR classes. "
        "Here with: features x₁, x₂, x₁x₂; hidden layers 8-8; tanh hidden.")
    log = train(knobbed("xor_two_classes", hidden="none"), tmp_path / "n.npz", steps=2, every=1)
    assert log.meta["description"].endswith("XOR classes. Here with: no hidden layer.")
    r = run_cli("render", "xor_two_classes", "--hidden", "3", "--quick", "--formats", "mp4",
                "--out", tmp_path, "-q")
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "xor_two_classes" / "xor_two_classes.html").read_text()
    assert "Here with: hidden layers 3." in page
    plain = run_cli("show", "xor_two_classes")
    assert "Here with" not in plain.stdout   # no knob, the scene's own words


def test_landscape_with_a_penalty_is_refused(tmp_path):
    r = run_cli("render", "linear_regression", "--panels", "fit,landscape,loss",
                "--regularization", "l2", "--out", tmp_path / "o", "--quick")
    assert_one_line_error(r, 2, "the landscape panel shows the data's loss alone")
    assert not (tmp_path / "o").exists()
