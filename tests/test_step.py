"""The learning step in the log: grad/ (the full training set's loss gradient at each snapshot)
and update/ (the step the optimiser took from there), checked against the network rebuilt from
the log (finite differences) and against the parameters of the snapshots around them."""

import numpy as np
import pytest

import nnviz
from conftest import run_cli
from nnviz.learn import data, nn, training
from nnviz.log import record


def train(scene, path, **options):
    """A log with the step recorded (training adds it for the panels that draw it)."""
    return record.train(scene, path, **{"gradients": True, **options})


def scene(name, **attributes):
    """Built-in scene `name`, with class attributes changed (e.g. the optimiser)."""
    cls = nnviz.resolve(name)
    if attributes:
        cls = type(cls.__name__, (cls,), {"name": f"{name}_{len(attributes)}", **attributes})
    return cls()


def params(log, kind, i):
    """Field family `kind` (param, grad, update) at snapshot i, flattened in the network's order."""
    names = log.model(0).params
    return np.concatenate([log[f"{kind}/{name}"][i].ravel() for name in names]).astype(np.float64)


def training_loss(log):
    """The full training set's loss as a function of the rebuilt network's flat parameters."""
    net = log.model(0)
    sx = data.Standardizer(log["standardizer/x_mean"], log["standardizer/x_std"])
    sy = data.Standardizer(log["standardizer/y_mean"], log["standardizer/y_std"])
    x, y = sx(log["data/x_train"]), sy(log["data/y_train"])
    loss = nn.loss(log.meta["options"]["loss"])

    def at(flat):
        net.flat_params[...] = flat
        return loss(net(x), y)[0]
    return at


def finite_difference(f, p, h=1e-6):
    grad = np.empty_like(p)
    for k in range(len(p)):
        up, down = p.copy(), p.copy()
        up[k] += h
        down[k] -= h
        grad[k] = (f(up) - f(down)) / (2 * h)
    return grad


@pytest.mark.parametrize("name", ["linear_regression", "xor_two_classes", "artificial_neuron"])
def test_gradient_is_the_full_training_set_gradient(tmp_path, name):
    """Central differences (float64) of the training loss of the network rebuilt from the log,
    at each snapshot's parameters. Those are float32 in the log, the gradient was taken at
    training's float64 values: they agree to 2e-7 relative (measured), well inside 1e-5, while
    a mini-batch gradient or the gradient one step off misses by 1e-3 or more."""
    log = train(scene(name), tmp_path / "s.npz", steps=6, every=3)
    loss = training_loss(log)
    for i in range(len(log)):
        fd = finite_difference(loss, params(log, "param", i))
        recorded = params(log, "grad", i)
        assert np.linalg.norm(recorded - fd) <= 1e-5 * np.linalg.norm(fd), (i, recorded, fd)
        np.testing.assert_allclose(recorded, fd, rtol=1e-4, atol=1e-6 * np.abs(fd).max())


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_update_is_the_next_snapshots_parameters_minus_these(tmp_path, optimizer):
    """every == 1: update at snapshot s is params(s + 1) - params(s), to the float32 rounding of
    the parameters (a few 1e-8 of their size); with momentum and Adam it is not -lr * grad."""
    log = train(scene("xor_two_classes", optimizer=optimizer), tmp_path / "s.npz", steps=8,
                every=1)
    lr = log.meta["options"]["lr"]
    for i in range(len(log) - 1):
        here, there = params(log, "param", i), params(log, "param", i + 1)
        update = params(log, "update", i)
        scale = np.abs(np.concatenate([here, there])).max()
        np.testing.assert_allclose(update, there - here, rtol=0, atol=3e-7 * scale)
        assert np.abs(update).max() > 1e-4 * scale   # a real step, not rounding noise
        if optimizer != "sgd" or i:   # (at step 1 momentum's step is exactly -lr * gradient)
            gap = np.linalg.norm(update + lr * params(log, "grad", i))
            assert gap > 0.05 * np.linalg.norm(update), i   # a mini-batch, momentum, Adam


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_final_update_is_the_step_training_would_take_next(tmp_path, optimizer):
    """At the final snapshot nothing is taken: update/ is the step one more training step takes
    (bit for bit), and training up to there is the same as without it."""
    make = lambda: scene("xor_two_classes", optimizer=optimizer)   # noqa: E731
    short = train(make(), tmp_path / "short.npz", steps=5, every=1)
    longer = train(make(), tmp_path / "long.npz", steps=6, every=1)
    assert short.meta["final_update"] == longer.meta["final_update"] == "next"
    for name in short.model(0).params:
        assert np.array_equal(short[f"param/{name}"], longer[f"param/{name}"][:6])
        assert np.array_equal(short[f"grad/{name}"], longer[f"grad/{name}"][:6])
        assert np.array_equal(short[f"update/{name}"], longer[f"update/{name}"][:6])
        assert np.abs(short[f"update/{name}"][-1]).max() > 0


@pytest.mark.parametrize("name, n_train", [("linear_regression", 700), ("xor_two_classes", 280)])
def test_full_batch_sgd_steps_minus_lr_times_the_gradient(tmp_path, name, n_train):
    """Plain gradient descent on the whole training set: update == -lr * grad at every snapshot,
    the final one included (the batch is the training set in another order, so the two sums
    differ in the last bits only)."""
    log = train(scene(name, optimizer="sgd", batch_size=n_train), tmp_path / "s.npz", steps=7,
                every=2)
    assert log.meta["options"]["batch_size"] == n_train == len(log["data/x_train"])
    lr = log.meta["options"]["lr"]
    for i in range(len(log)):
        grad, update = params(log, "grad", i), params(log, "update", i)
        np.testing.assert_allclose(update, -lr * grad, rtol=1e-5, atol=1e-6 * np.abs(update).max())


@pytest.mark.parametrize("name, steps, every", [("xor_two_classes", 30, 7),
                                                ("linear_regression", 12, 1),
                                                ("gradient_descent", 10, 3)])
def test_recording_the_step_changes_nothing_learned(tmp_path, name, steps, every):
    """The same training without grad/ and update/: every other array is the same, bit for bit
    (parameters, losses, outputs, the landscape), and so is the metadata but for what they add."""
    with_step = train(scene(name), tmp_path / "with.npz", steps=steps, every=every, gradients=True)
    without = train(scene(name), tmp_path / "without.npz", steps=steps, every=every,
                    gradients=False)
    added = {n for n in with_step.names if n.startswith(("grad/", "update/"))}
    assert added and set(without.names) == set(with_step.names) - added
    for field in set(without.names) - {"meta"}:
        a, b = without[field], with_step[field]
        assert a.dtype == b.dtype and np.array_equal(a, b), field
    assert "final_update" not in without.meta
    ranges = without.meta.pop("ranges")
    assert {k: v for k, v in with_step.meta.pop("ranges").items() if k in ranges} == ranges
    with_step.meta.pop("final_update")
    assert with_step.meta == without.meta


def test_the_step_is_recorded_for_the_views_that_draw_it(tmp_path):
    """grad/ and update/ cost a pass over the training set per snapshot and triple a deep
    network's log: training adds them only when a panel drawn (neuron, landscape) draws them,
    as it adds the landscape; `render --panels` decides as the scene's own panels do."""
    assert training.STEP_PANELS == ("gradients", "neuron", "landscape")
    plain = record.train(scene("linear_regression"), tmp_path / "plain.npz", steps=4, every=2)
    assert not any(n.startswith(("grad/", "update/")) for n in plain.names)
    assert "final_update" not in plain.meta
    drawn = record.train(scene("gradient_descent"), tmp_path / "drawn.npz", steps=4, every=2)
    assert "grad/0.W" in drawn and "update/0.b" in drawn
    out = tmp_path / "out"
    r = run_cli("render", "linear_regression", "--panels", "fit,neuron", "--quick",
                "--formats", "mp4", "--out", out)
    assert r.returncode == 0, r.stderr
    log = nnviz.load(out / "linear_regression" / "linear_regression.npz")
    assert "grad/0.W" in log and log.meta["final_update"] == "next"
