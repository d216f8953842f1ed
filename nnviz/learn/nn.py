"""A small NumPy network: layers with forward and backward side by side, and the model.
Losses and optimisers live in nnviz.learn.optim; this namespace (nnviz.nn for scenes) has both.

Everything is float64 and vectorised over the mini-batch (rows are samples). All parameters of
a model live in one flat buffer and all gradients in another, each layer holding views into
them, so an optimiser updates the whole model with a handful of array operations.
"""
from __future__ import annotations

import numpy as np

from .optim import (LOSSES, OPTIMIZERS, SGD, Adam, BinaryCrossEntropy, Momentum, MSE, Penalty,  # noqa: F401
                    SoftmaxCrossEntropy, _positive_float, _positive_int, all_finite, loss,
                    optimizer)
from .features import Features

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")
INITS = ("glorot", "he")


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

    def spec(self) -> dict:
        """This layer as plain JSON-able data (see Sequential.architecture)."""
        raise ValueError(f"layer {self!r} ({type(self).__name__}) cannot be described as data; "
                         f"only nnviz's own layers can")


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

    def spec(self):
        return {"layer": "dense", "n_in": self.n_in, "n_out": self.n_out}

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"


class Linear(Layer):
    def forward(self, x):
        return x

    def backward(self, grad):
        return grad

    def spec(self):
        return {"layer": "linear"}

    def __repr__(self):
        return "Linear()"


class Sigmoid(Layer):
    def forward(self, x):
        # tanh form: stable for large |x| and no overflow warnings
        self.y = 0.5 * (1.0 + np.tanh(0.5 * x))
        return self.y

    def backward(self, grad):
        return grad * self.y * (1.0 - self.y)

    def spec(self):
        return {"layer": "sigmoid"}

    def __repr__(self):
        return "Sigmoid()"


class Tanh(Layer):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad):
        return grad * (1.0 - self.y * self.y)

    def spec(self):
        return {"layer": "tanh"}

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

    def spec(self):
        return {"layer": "leaky_relu", "slope": self.slope} if self.slope else {"layer": "relu"}

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

    def spec(self):
        return {"layer": "softmax"}

    def __repr__(self):
        return "Softmax()"


def activation(name: str, slope: float = 0.01) -> Layer:
    """The activation layer called `name` (one of ACTIVATIONS)."""
    makers = {"linear": Linear, "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU,
              "leaky_relu": lambda: LeakyReLU(slope), "softmax": Softmax}
    if name not in makers:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {name!r}")
    return makers[name]()


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
        return next(l.n_in for l in self.layers if isinstance(l, (Dense, Features)))

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

    def architecture(self) -> list[dict]:
        """The layers as plain JSON-able data, e.g. `[{"layer": "dense", "n_in": 2, "n_out": 4},
        {"layer": "leaky_relu", "slope": 0.1}, ...]`: what `from_architecture` rebuilds.

        It describes shapes and kinds only, not initialisation or values: a log stores it
        next to the parameters so that loading a log needs no scene code.
        Raises ValueError for a layer that is not one of nnviz's own.
        """
        return [layer.spec() for layer in self.layers]

    @classmethod
    def from_architecture(cls, spec) -> "Sequential":
        """The network `spec` describes (see `architecture`), every parameter zero.

        `spec` is treated as untrusted (it comes from a file): anything but a list of at most
        MAX_LAYERS known layers with consistent widths of at most MAX_WIDTH, and at most
        MAX_PARAMS parameters in all, raises ValueError saying what is wrong.
        """
        return cls([_layer_from_spec(i, item) for i, item in enumerate(_check_spec(spec))])

    def load_parameters(self, values: dict[str, np.ndarray]) -> None:
        """Copy `values` (name -> array, the names and shapes of `parameters()`) into the model.

        Every parameter must be given, with its exact shape, and nothing else: a partial or
        mismatched set raises ValueError rather than leaving a half-loaded network.
        """
        if not isinstance(values, dict):
            raise ValueError(f"parameters must be a dict of name -> array, got {type(values).__name__}")
        missing = sorted(set(self.params) - set(values))
        extra = sorted(set(values) - set(self.params))
        if missing or extra:
            raise ValueError(f"parameters do not match the network: "
                             f"missing {missing or 'none'}, unexpected {extra or 'none'}")
        arrays = {}
        for name, target in self.params.items():
            value = np.asarray(values[name])
            if value.shape != target.shape or value.dtype.kind not in "fiu":
                raise ValueError(f"parameter {name!r} must be a number array of shape "
                                 f"{target.shape}, got {value.dtype} {value.shape}")
            arrays[name] = value
        for name, value in arrays.items():
            self.params[name][...] = value

    def __repr__(self):
        return f"Sequential([{', '.join(map(repr, self.layers))}])"


MAX_LAYERS = 64        # bounds on an architecture read from a file: a log is untrusted
MAX_WIDTH = 4096
MAX_PARAMS = 10_000_000
_SPEC_KEYS = {"dense": {"layer", "n_in", "n_out"}, "leaky_relu": {"layer", "slope"},
              "features": {"layer", "names"}}


def _check_spec(spec) -> list[dict]:
    """`spec` as a list of well-formed layer dicts, or ValueError naming the first fault."""
    if not isinstance(spec, list):
        raise ValueError(f"architecture must be a list of layers, got {type(spec).__name__}")
    if not 1 <= len(spec) <= MAX_LAYERS:
        raise ValueError(f"architecture must have 1 to {MAX_LAYERS} layers, got {len(spec)}")
    n_params, width = 0, None
    for i, item in enumerate(spec):
        where = f"architecture layer {i}"
        if not isinstance(item, dict) or not isinstance(item.get("layer"), str):
            raise ValueError(f"{where} must be a dict with a \"layer\" name, got {item!r:.80}")
        kind = item["layer"]
        if kind not in ("dense", "features") and kind not in ACTIVATIONS:
            raise ValueError(f"{where}: unknown layer {kind!r:.40}; known: dense, features, "
                             f"{', '.join(ACTIVATIONS)}")
        keys = _SPEC_KEYS.get(kind, {"layer"})
        if set(item) != keys:
            raise ValueError(f"{where} ({kind}) must have exactly the keys {sorted(keys)}, "
                             f"got {sorted(map(str, item))!r:.120}")
        if kind == "dense":
            for key in ("n_in", "n_out"):
                value = item[key]
                if (isinstance(value, bool) or not isinstance(value, int)
                        or not 1 <= value <= MAX_WIDTH):
                    raise ValueError(f"{where}: {key} must be an integer from 1 to {MAX_WIDTH}, "
                                     f"got {value!r:.40}")
            if width is not None and item["n_in"] != width:
                raise ValueError(f"{where} takes {item['n_in']} inputs but the layer before "
                                 f"gives {width}")
            width = item["n_out"]
            n_params += (item["n_in"] + 1) * item["n_out"]
        elif kind == "features":   # Playground's features of two inputs: first, or nowhere
            names = item["names"]
            if i or not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ValueError(f"{where}: features must be the first layer, a list of names")
            width = Features(names).n_out   # ValueError names a bad list
        elif kind == "leaky_relu":
            slope = item["slope"]
            if (isinstance(slope, bool) or not isinstance(slope, (int, float))
                    or not 0.0 <= slope < 1.0):
                raise ValueError(f"{where}: slope must be a number in [0, 1), got {slope!r:.40}")
    if width is None:
        raise ValueError("architecture has no dense layer")
    if n_params > MAX_PARAMS:
        raise ValueError(f"architecture has {n_params:,} parameters, more than the "
                         f"{MAX_PARAMS:,} allowed")
    return spec


def _layer_from_spec(i: int, item: dict) -> Layer:
    if item["layer"] == "features":
        return Features(item["names"])
    if item["layer"] == "dense":
        return Dense(item["n_in"], item["n_out"])
    return activation(item["layer"], item.get("slope", 0.01))


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
