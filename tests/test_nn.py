"""The network core against finite differences and the optimisers against a real regression."""
import numpy as np
import pytest

from nnviz.learn import nn

EPS = 1e-6


def numeric_grad(f, x):
    """Central differences of scalar f with respect to array x (changed in place, restored)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + EPS
        up = f()
        x[i] = old - EPS
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * EPS)
    return g


def rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def check_layer(layer, x, rng):
    """Backward of `layer` against finite differences of sum(w * forward(x))."""
    weights = rng.normal(size=layer.forward(x).shape)
    loss = lambda: float(np.sum(weights * layer.forward(x)))
    layer.forward(x)
    dx = layer.backward(weights)
    assert rel_error(dx, numeric_grad(loss, x)) < 1e-6
    return loss


@pytest.mark.parametrize("name", nn.ACTIVATIONS)
def test_activation_gradients(name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 3)) * 2 + 0.05  # away from relu's kink at 0
    check_layer(nn.activation(name, slope=0.2), x, rng)


def test_dense_gradients():
    rng = np.random.default_rng(2)
    layer = nn.Dense(3, 4)
    model = nn.Sequential([layer], rng)
    layer.b[...] = rng.normal(size=4)
    x = rng.normal(size=(6, 3))
    loss = check_layer(layer, x, rng)
    for key in ("W", "b"):
        assert rel_error(model.grads[f"0.{key}"], numeric_grad(loss, model.params[f"0.{key}"])) < 1e-6


@pytest.mark.parametrize("loss_name", list(nn.LOSSES))
def test_loss_gradients(loss_name):
    rng = np.random.default_rng(3)
    pred = rng.normal(size=(7, 3))
    target = np.eye(3)[rng.integers(0, 3, 7)] if loss_name != "mse" else rng.normal(size=(7, 3))
    if loss_name == "binary_cross_entropy":   # probabilities against yes/no answers
        pred, target = nn.Sigmoid().forward(pred), rng.integers(0, 2, (7, 3)).astype(float)
    fn = nn.loss(loss_name)
    _, grad = fn(pred, target)
    assert rel_error(grad, numeric_grad(lambda: fn(pred, target)[0], pred)) < 1e-6


def test_whole_model_gradients():
    rng = np.random.default_rng(4)
    model = nn.mlp([3, 5, 4, 2], "tanh", output="sigmoid", rng=rng)
    x, y = rng.normal(size=(8, 3)), rng.uniform(size=(8, 2))
    mse = nn.MSE()
    _, grad = mse(model(x), y)
    model.backward(grad)
    assert list(model.params) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    for name, value in model.params.items():
        assert rel_error(model.grads[name], numeric_grad(lambda: mse(model(x), y)[0], value)) < 1e-6


def test_softmax_cross_entropy_is_finite_on_extreme_logits():
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [1000.0, 1000.0]])
    target = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    value, grad = nn.SoftmaxCrossEntropy()(logits, target)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value == pytest.approx((2000 + 0 + np.log(2)) / 3)
    assert np.allclose(grad, [[1 / 3, -1 / 3], [0, 0], [-1 / 6, 1 / 6]])


def test_binary_cross_entropy_through_a_sigmoid_is_p_minus_y():
    rng = np.random.default_rng(6)
    z, y = rng.normal(scale=8, size=(9, 1)), rng.integers(0, 2, (9, 1)).astype(float)
    sigmoid = nn.Sigmoid()
    value, grad = nn.BinaryCrossEntropy()(sigmoid.forward(z), y)
    p = 1 / (1 + np.exp(-z))
    assert value == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert np.allclose(sigmoid.backward(grad), (p - y) / 9)
    value, grad = nn.BinaryCrossEntropy()(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]))
    assert np.isfinite(value) and np.all(np.isfinite(grad))   # saturated: large, finite


@pytest.mark.parametrize("opt_name", nn.OPTIMIZERS)
def test_optimizers_reduce_regression_loss(opt_name):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 2))
    y = x @ np.array([[1.5], [-2.0]]) + 0.5
    model = nn.mlp([2, 8, 1], "tanh", rng=rng)
    opt = nn.optimizer(opt_name, 0.05)
    first = nn.MSE()(model(x), y)[0]
    for _ in range(200):
        value, grad = nn.MSE()(model(x), y)
        model.backward(grad)
        opt.step(model.flat_params, model.flat_grads)
    assert value < 0.1 * first


def adam_run(seed):
    rng = np.random.default_rng(seed)
    model = nn.mlp([2, 4, 4, 1], "leaky_relu", rng=rng)
    x, y = rng.normal(size=(32, 2)), rng.normal(size=(32, 1))
    opt = nn.Adam(0.01)
    for _ in range(100):
        model.backward(nn.MSE()(model(x), y)[1])
        opt.step(model.flat_params, model.flat_grads)
    return model.flat_params.copy()


@pytest.mark.parametrize("g", [1e-8, 0.3])
def test_adam_adds_eps_to_the_uncorrected_root(g):
    """The form nn.Adam's docstring states: eps beside sqrt(v), bias correction in the step."""
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt, params, m, v = nn.Adam(lr), np.zeros(1), 0.0, 0.0
    for t in (1, 2, 3):
        before = params.copy()
        opt.step(params, np.array([g]))
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        stated = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        assert before - params == pytest.approx(stated, rel=1e-12)
        after_correction = lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        assert bool(stated == pytest.approx(after_correction, rel=1e-3)) is (g > 1e-3)


def test_same_seed_bit_identical_other_seed_different():
    assert np.array_equal(adam_run(7), adam_run(7))
    assert not np.array_equal(adam_run(7), adam_run(8))


def test_parameters_are_views_into_flat_buffers():
    model = nn.mlp([2, 3, 1], "relu", rng=np.random.default_rng(0))
    model.flat_params[:] = 1.0
    assert np.all(model.layers[0].W == 1.0) and np.all(model.params["2.b"] == 1.0)


def test_finite_check():
    model = nn.mlp([2, 3, 1], "relu", rng=np.random.default_rng(0))
    assert model.is_finite() and nn.all_finite(np.ones(3))
    model.params["0.W"][0, 0] = np.nan
    assert not model.is_finite() and not nn.all_finite(np.array([1.0, np.inf]))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Dense(0, 3), "n_in must be a positive integer, got 0"),
    (lambda: nn.Dense(2, -1), "n_out must be a positive integer, got -1"),
    (lambda: nn.Sequential([nn.Dense(2, 3), nn.Dense(4, 1)]), "layer 0 gives 3 outputs but layer 1 takes 4"),
    (lambda: nn.Sequential([]), "layers must not be empty"),
    (lambda: nn.activation("swish"), "activation must be one of linear, sigmoid, tanh, relu, leaky_relu, softmax, got 'swish'"),
    (lambda: nn.optimizer("rmsprop", 0.1), "optimizer must be one of sgd, momentum, adam, got 'rmsprop'"),
    (lambda: nn.Adam(0), "lr must be a positive number, got 0"),
    (lambda: nn.SGD(-0.1), "lr must be a positive number, got -0.1"),
    (lambda: nn.loss("hinge"), "loss must be one of mse, softmax_cross_entropy, binary_cross_entropy, got 'hinge'"),
    (lambda: nn.mlp([3], "tanh"), "sizes needs at least an input and an output width"),
])
def test_impossible_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()
