"""Recording a training nnviz did not run: the framework-free Recorder, against nnviz's own
training of the same network from the same weights (nnviz.learn.training), and end to end."""
import subprocess
import sys

import numpy as np
import pytest

import nnviz
from nnviz import UsageError, data, nn
from nnviz.learn.scene import Scene
from nnviz.log.record import train
from nnviz.log.snapshots import SnapshotLog

LR, STEPS = 0.5, 40


def xor(kind: str, seed: int = 0) -> data.Dataset:
    """Jittered XOR corners: classes as one 0/1 column (one sigmoid output), or values."""
    rng = np.random.default_rng(seed)
    ds = data.xor_function(rng, n=120) if kind == "regression" else data.xor_classes(rng, n=120)
    return ds if kind == "regression" else data.Dataset(ds.x, ds.y[:, 1:], "classification")


def nnviz_log(tmp_path, kind, layers, lr=LR, steps=STEPS, name="own"):
    """nnviz's own training: full-batch SGD of `layers` [(W, b, activation)] (float64) on xor."""
    class Own(Scene):
        title = "own"
        optimizer = "sgd"
        loss = "binary_cross_entropy" if kind == "classification" else "mse"
        standardize_targets = False
        batch_size = 84   # 0.7 of 120: the whole training set
        panels = ("loss",)

        def dataset(self, rng):
            return xor(kind)

        def model(self, rng, n_in, n_out):
            net = []
            for w, b, act in layers:
                net.append(nn.Dense(*w.shape))
                if act != "linear":
                    net.append(nn.activation(act))
            model = nn.Sequential(net)
            dense = [i for i, l in enumerate(model.layers) if isinstance(l, nn.Dense)]
            model.load_parameters({f"{i}.{k}": v for i, (w, b, _) in zip(dense, layers)
                                   for k, v in (("W", w), ("b", b))})
            return model
    Own.name = name
    return train(Own(), tmp_path / f"{name}.npz", steps=steps, every=1, lr=lr, gradients=True)


def split(tmp_path, kind):
    """The training and validation sets and the scaling nnviz's own training uses."""
    log = nnviz_log(tmp_path, kind, [(np.zeros((2, 1)), np.zeros(1),
                                      "sigmoid" if kind == "classification" else "linear")],
                    steps=1, name="split")
    return (log["data/x_train"], log["data/y_train"], log["data/x_val"], log["data/y_val"],
            log["standardizer/x_mean"], log["standardizer/x_std"])


def assert_same_training(recorded: SnapshotLog, own: SnapshotLog):
    """Steps, layer shapes, parameters, losses, predictions, gradients and updates agree."""
    assert recorded["step"].tolist() == own["step"].tolist()
    assert recorded.meta["architecture"] == own.meta["architecture"]
    assert recorded.meta["options"]["loss"] == own.meta["options"]["loss"]
    names = [n for n in own.names if n.split("/")[0] in ("param", "grad", "update")]
    assert names and sorted(names) == sorted(n for n in recorded.names
                                             if n.split("/")[0] in ("param", "grad", "update"))
    for name in names + ["loss/train", "loss/val", "output", "data/x_train", "grid/x0"]:
        if name in own:
            assert recorded[name].shape == own[name].shape, name
            # no step follows the last recorded one (nnviz's own log holds the next one there)
            end = -1 if name.startswith("update/") else None
            np.testing.assert_allclose(recorded[name][:end], own[name][:end], rtol=0, atol=1e-8,
                                       err_msg=name)
    for name in ("accuracy/train", "accuracy/val", "predicted/train", "predicted/val"):
        if name in own:
            np.testing.assert_array_equal(recorded[name], own[name], err_msg=name)


def recorded_log(tmp_path, kind, layers_at, steps=STEPS, **options):
    """A Recorder fed `layers_at(step)` for steps 0..steps, on nnviz's split of the data."""
    xt, yt, xv, yv, mean, std = split(tmp_path, kind)
    rec = nnviz.Recorder(xt, yt, task=kind, x_val=xv, y_val=yv, x_mean=mean, x_std=std,
                         lr=LR, optimizer="sgd", **options)
    for step in range(steps + 1):
        rec.record(step, layers_at(step))
    return rec.save(tmp_path / "recorded.npz")


def test_recorder_of_nnviz_own_weights_gives_nnviz_own_log(tmp_path):
    """The Recorder fed nnviz's own float64 weights writes nnviz's own log (the reference the
    framework tests below stand on)."""
    rng = np.random.default_rng(1)
    init = [(rng.normal(size=(2, 3)), rng.normal(size=3), "tanh"),
            (rng.normal(size=(3, 1)), rng.normal(size=1), "sigmoid")]
    own = nnviz_log(tmp_path, "classification", init)
    xt, yt, xv, yv, mean, std = split(tmp_path, "classification")
    net = nn.Sequential([nn.Dense(2, 3), nn.Tanh(), nn.Dense(3, 1), nn.Sigmoid()])
    net.load_parameters({"0.W": init[0][0], "0.b": init[0][1], "2.W": init[1][0], "2.b": init[1][1]})
    loss, opt, xs = nn.loss("binary_cross_entropy"), nn.optimizer("sgd", LR), (xt - mean) / std
    trajectory = []
    for step in range(STEPS + 1):
        trajectory.append([(net.params["0.W"].copy(), net.params["0.b"].copy(), "tanh"),
                           (net.params["2.W"].copy(), net.params["2.b"].copy(), "sigmoid")])
        net.backward(loss(net(xs), yt)[1])
        opt.step(net.flat_params, net.flat_grads)
    recorded = recorded_log(tmp_path, "classification", lambda s: trajectory[s])
    assert_same_training(recorded, own)


def test_logit_outputs_become_nnviz_form(tmp_path):
    """A last linear layer of one class output is a logit (sigmoid added); of several, logits
    under softmax cross-entropy; a last softmax is left to the loss."""
    from nnviz.record.architecture import build, layer_values
    one = build(layer_values([(np.ones((2, 1)), np.zeros(1), "linear")]), "classification")
    assert one[1] == "binary_cross_entropy" and one[0].architecture()[-1] == {"layer": "sigmoid"}
    for last in ("linear", "softmax"):
        net, loss = build(layer_values([(np.ones((2, 3)), np.zeros(3), last)]), "classification")
        assert loss == "softmax_cross_entropy" and net.architecture() == [
            {"layer": "dense", "n_in": 2, "n_out": 3}]


@pytest.mark.parametrize("layers, message", [
    ([(np.ones((2, 3)), np.zeros(3), "swish"), (np.ones((3, 1)), np.zeros(1), "sigmoid")],
     "dense layer 0: unknown activation 'swish'"),
    ([(np.ones((2, 3)), np.zeros(3), "tanh"), (np.ones((4, 1)), np.zeros(1), "sigmoid")],
     "dense layer 1 takes 4 inputs but the layer before gives 3"),
    ([(np.ones((2, 3)), np.zeros(3), "tanh"), (np.ones((3, 1)), np.zeros(1), "tanh")],
     "dense layer 1: activation 'tanh' cannot give one class output"),
])
def test_unsupported_layers_are_refused_in_one_line(layers, message):
    x = np.zeros((4, 2))
    rec = nnviz.Recorder(x, [0, 1, 1, 0], task="classification", x_val=x, y_val=[0, 1, 1, 0])
    with pytest.raises(UsageError, match="^" + message.replace("(", r"\(")):
        rec.record(0, layers)


def test_more_than_two_inputs_cannot_have_a_plane_view():
    x = np.zeros((4, 3))
    with pytest.raises(UsageError, match=r"^the boundary panel cannot show a network of 3 inputs"):
        nnviz.Recorder(x, [0, 1, 1, 0], task="classification", x_val=x, y_val=[0, 1, 1, 0],
                       panels="boundary,loss")
    rec = nnviz.Recorder(x, [0, 1, 1, 0], task="classification", x_val=x, y_val=[0, 1, 1, 0])
    assert rec.panels == ("network", "landscape", "loss", "accuracy")


def test_steps_are_recorded_in_order_from_zero():
    x = np.zeros((4, 2))
    rec = nnviz.Recorder(x, [0, 1, 1, 0], task="classification", x_val=x, y_val=[0, 1, 1, 0])
    layers = [(np.ones((2, 1)), np.zeros(1), "sigmoid")]
    with pytest.raises(UsageError, match=r"^record step 0 first \(the initial weights\), got step 1"):
        rec.record(1, layers)
    rec.record(0, layers)
    with pytest.raises(UsageError, match="^record step 1, got step 2"):
        rec.record(2, layers)


def test_every_keeps_every_nth_step_and_the_last(tmp_path):
    rng = np.random.default_rng(0)
    weights = [[(rng.normal(size=(2, 1)), rng.normal(size=1), "sigmoid")] for _ in range(12)]
    log = recorded_log(tmp_path, "classification", lambda s: weights[s], steps=11, every=5)
    assert log["step"].tolist() == [0, 5, 10, 11]
    # each snapshot's update is the change to the step after it; none after the last
    np.testing.assert_allclose(log["update/0.W"][1], (weights[6][0][0] - weights[5][0][0]).astype(np.float32))
    assert not log["update/0.W"][-1].any() and log.meta["final_update"] == "zero"


def test_render_from_a_recorded_log(tmp_path):
    """End to end: a recording renders with every panel that applies, and nnviz check passes."""
    rng = np.random.default_rng(0)
    weights = [[(rng.normal(size=(2, 3)) * (1 + s / 10), rng.normal(size=3), "tanh"),
                (rng.normal(size=(3, 1)), rng.normal(size=1), "sigmoid")] for s in range(21)]
    log = recorded_log(tmp_path, "classification", lambda s: weights[s], steps=20)
    assert log.meta["panels"] == ["boundary", "network", "landscape", "loss", "accuracy"]
    out = tmp_path / "out"
    run = [sys.executable, "-m", "nnviz"]
    done = subprocess.run([*run, "render", "--from", str(log.path), "--quick", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    folder = out / "recorded"
    for suffix in ("webm", "ogv", "mp4", "png", "chapters.vtt", "descriptions.vtt", "html"):
        assert (folder / f"recorded.{suffix}").stat().st_size > 0, suffix
    checked = subprocess.run([*run, "check", str(folder)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
