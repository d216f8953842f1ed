"""A small NumPy network: layers with forward and backward side by side, losses, optimisers.

Everything is float64 and vectorised over the mini-batch (rows are samples). All parameters of
a model live in one flat buffer and all gradients in another, each layer holding views into
them, so an optimiser updates the whole model with a handful of array operations.
"""
from __future__ import annotations

import numpy as np

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")
OPTIMIZERS = ("sgd", "momentum", "adam")
INITS = ("glorot", "he")


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _positive_float(name: str, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def all_finite(*arrays) -> bool:
    """Cheap NaN/inf guard for the training loop."""
    return all(np.isfinite(np.sum(a)) for a in arrays)


# ----------------------------------------------------------------------------- layers

class Layer:
    """A layer maps a batch forward and its output gradient backward (to its input gradient)."""

    shapes: dict[str, tuple[int, ...]] = {}

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Receive views into the model's flat parameter and gradient buffers."""

    def init(self, rng: np.random.Generator) -> None:
        """Draw initial parameter values."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer y = x @ W + b."""

    def __init__(self, n_in: int, n_out: int, init: str = "glorot"):
        self.n_in = _positive_int("n_in", n_in)
        self.n_out = _positive_int("n_out", n_out)
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
        self.init_name = init
        self.shapes = {"W": (self.n_in, self.n_out), "b": (self.n_out,)}
        self.W = np.zeros(self.shapes["W"])
        self.b = np.zeros(self.shapes["b"])
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def bind(self, params, grads):
        params["W"][...] = self.W
        params["b"][...] = self.b
        self.W, self.b, self.dW, self.db = params["W"], params["b"], grads["W"], grads["b"]

    def init(self, rng):
        fan = self.n_in if self.init_name == "he" else (self.n_in + self.n_out) / 2
        gain = 2.0 if self.init_name == "he" else 1.0
        self.W[...] = rng.normal(0.0, np.sqrt(gain / fan), self.W.shape)
        self.b[...] = 0.0

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        np.matmul(self.x.T, grad, out=self.dW)
        np.sum(grad, axis=0, out=self.db)
        return grad @ self.W.T

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"


class Linear(Layer):
    def forward(self, x):
        return x

    def backward(self, grad):
        return grad

    def __repr__(self):
        return "Linear()"


class Sigmoid(Layer):
    def forward(self, x):
        # tanh form: stable for large |x| and no overflow warnings
        self.y = 0.5 * (1.0 + np.tanh(0.5 * x))
        return self.y

    def backward(self, grad):
        return grad * self.y * (1.0 - self.y)

    def __repr__(self):
        return "Sigmoid()"


class Tanh(Layer):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad):
        return grad * (1.0 - self.y * self.y)

    def __repr__(self):
        return "Tanh()"


class LeakyReLU(Layer):
    """max(x, slope * x); slope 0 is the plain ReLU."""

    def __init__(self, slope: float = 0.01):
        slope = float(slope)
        if not 0.0 <= slope < 1.0:
            raise ValueError(f"slope must be in [0, 1), got {slope!r}")
        self.slope = slope

    def forward(self, x):
        self.scale = np.where(x > 0, 1.0, self.slope)
        return x * self.scale

    def backward(self, grad):
        return grad * self.scale

    def __repr__(self):
        return f"LeakyReLU({self.slope})" if self.slope else "ReLU()"


def ReLU() -> LeakyReLU:
    return LeakyReLU(0.0)


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Softmax(Layer):
    def forward(self, x):
        self.y = softmax(x)
        return self.y

    def backward(self, grad):
        return self.y * (grad - np.sum(grad * self.y, axis=1, keepdims=True))

    def __repr__(self):
        return "Softmax()"


def activation(name: str, slope: float = 0.01) -> Layer:
    """The activation layer called `name` (one of ACTIVATIONS)."""
    makers = {"linear": Linear, "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU,
              "leaky_relu": lambda: LeakyReLU(slope), "softmax": Softmax}
    if name not in makers:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {name!r}")
    return makers[name]()


# ----------------------------------------------------------------------------- losses

class MSE:
    """Mean squared error over samples and outputs."""

    name = "mse"

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        diff = pred - target
        return float(np.mean(diff * diff)), (2.0 / diff.size) * diff

    def __repr__(self):
        return "MSE()"


class SoftmaxCrossEntropy:
    """Softmax and cross-entropy fused on logits: finite for any finite logits."""

    name = "softmax_cross_entropy"

    def __call__(self, logits: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        z = logits - logits.max(axis=1, keepdims=True)
        log_sum = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        log_p = z - log_sum
        n = logits.shape[0]
        loss = 0.0 - float(np.sum(target * log_p)) / n  # 0.0 - : never -0.0
        return loss, (np.exp(log_p) - target) / n

    def __repr__(self):
        return "SoftmaxCrossEntropy()"


LOSSES = {"mse": MSE, "softmax_cross_entropy": SoftmaxCrossEntropy}


def loss(name: str):
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {name!r}")
    return LOSSES[name]()


# ----------------------------------------------------------------------------- model

class Sequential:
    """Layers applied in order. Parameters are named '<layer index>.W' / '<layer index>.b'."""

    def __init__(self, layers: list[Layer], rng: np.random.Generator | None = None):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must not be empty")
        widths = [(i, l) for i, l in enumerate(self.layers) if isinstance(l, Dense)]
        for (i, a), (j, b) in zip(widths, widths[1:]):
            if a.n_out != b.n_in:
                raise ValueError(f"layer shapes do not match: layer {i} gives {a.n_out} "
                                 f"outputs but layer {j} takes {b.n_in} inputs")
        slots = [(f"{i}.{k}", shape) for i, layer in enumerate(self.layers)
                 for k, shape in layer.shapes.items()]
        sizes = [int(np.prod(shape)) for _, shape in slots]
        self.flat_params = np.zeros(sum(sizes))
        self.flat_grads = np.zeros(sum(sizes))
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        offset = 0
        for (name, shape), size in zip(slots, sizes):
            self.params[name] = self.flat_params[offset:offset + size].reshape(shape)
            self.grads[name] = self.flat_grads[offset:offset + size].reshape(shape)
            offset += size
        for i, layer in enumerate(self.layers):
            keys = layer.shapes
            layer.bind({k: self.params[f"{i}.{k}"] for k in keys},
                       {k: self.grads[f"{i}.{k}"] for k in keys})
        if rng is not None:
            for layer in self.layers:
                layer.init(rng)

    @property
    def n_in(self) -> int:
        return next(l.n_in for l in self.layers if isinstance(l, Dense))

    @property
    def n_out(self) -> int:
        return next(l.n_out for l in reversed(self.layers) if isinstance(l, Dense))

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Fill self.grads from the loss gradient w.r.t. the output; return the input gradient."""
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def parameters(self) -> dict[str, np.ndarray]:
        return self.params

    def gradients(self) -> dict[str, np.ndarray]:
        return self.grads

    def is_finite(self) -> bool:
        return all_finite(self.flat_params)

    def __repr__(self):
        return f"Sequential([{', '.join(map(repr, self.layers))}])"


def mlp(sizes: list[int], activation_name: str, output: str = "linear",
        rng: np.random.Generator | None = None, slope: float = 0.01) -> Sequential:
    """Dense layers of the given widths with `activation_name` between them and `output` last."""
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width, got {sizes!r}")
    activation(activation_name), activation(output)  # validate names early
    init = "he" if activation_name in ("relu", "leaky_relu") else "glorot"
    layers: list[Layer] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(Dense(a, b, init=init))
        last = i == len(sizes) - 2
        name = output if last else activation_name
        if name != "linear":
            layers.append(activation(name, slope))
    return Sequential(layers, rng)


# ----------------------------------------------------------------------------- optimisers

class SGD:
    def __init__(self, lr: float):
        self.lr = _positive_float("lr", lr)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update the flat parameter vector in place."""
        params -= self.lr * grads

    def __repr__(self):
        return f"SGD(lr={self.lr})"


class Momentum(SGD):
    def __init__(self, lr: float, beta: float = 0.9):
        super().__init__(lr)
        self.beta = float(beta)
        self.velocity = None

    def step(self, params, grads):
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        self.velocity *= self.beta
        self.velocity += grads
        params -= self.lr * self.velocity

    def __repr__(self):
        return f"Momentum(lr={self.lr}, beta={self.beta})"


class Adam(SGD):
    """Adam with bias correction (Kingma & Ba, 2015)."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = self.v = None
        self.t = 0

    def step(self, params, grads):
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.t += 1
        self.m *= self.beta1
        self.m += (1.0 - self.beta1) * grads
        self.v *= self.beta2
        self.v += (1.0 - self.beta2) * grads * grads
        step = self.lr * np.sqrt(1.0 - self.beta2 ** self.t) / (1.0 - self.beta1 ** self.t)
        params -= step * self.m / (np.sqrt(self.v) + self.eps)

    def __repr__(self):
        return f"Adam(lr={self.lr})"


def optimizer(name: str, lr: float) -> SGD:
    makers = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
    if name not in makers:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    return makers[name](lr)
