"""What the network minimises and how it steps: losses (value and gradient side by side) and
optimisers (SGD, momentum, Adam) that update the model's flat parameter buffer in place."""
from __future__ import annotations

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")


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


class BinaryCrossEntropy:
    """Cross-entropy of probabilities p (a sigmoid output) against 0/1 targets, one column per
    yes/no question: two classes with one output, the classic single neuron's loss.

    The log is taken of p clipped to [EPS, 1 - EPS], so a saturated sigmoid gives a large but
    finite loss; the gradient (p - y) / (p (1 - p)) / n meets the sigmoid's p (1 - p) on the
    way back, so the pair trains with the well-behaved gradient (p - y) / n.
    """

    name = "binary_cross_entropy"
    EPS = 1e-12

    def __call__(self, prob: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        p = np.clip(prob, self.EPS, 1.0 - self.EPS)
        n = prob.shape[0]
        loss = 0.0 - float(np.sum(target * np.log(p) + (1.0 - target) * np.log1p(-p))) / n
        return loss, (p - target) / (p * (1.0 - p)) / n

    def __repr__(self):
        return "BinaryCrossEntropy()"


LOSSES = {"mse": MSE, "softmax_cross_entropy": SoftmaxCrossEntropy,
          "binary_cross_entropy": BinaryCrossEntropy}


def loss(name: str):
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {name!r}")
    return LOSSES[name]()


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
    """Adam (Kingma & Ba, 2015) in the paper's "more efficient" form (end of its section 2).

    With g the gradient, m = beta1 * m + (1 - beta1) * g and v = beta2 * v + (1 - beta2) * g**2
    (both from zero), step t updates

        params -= lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)

    The bias correction is folded into the step size, so eps is added to the *uncorrected*
    sqrt(v), before bias correction. This equals Algorithm 1's
    lr * m_hat / (sqrt(v_hat) + eps_t) with m_hat = m / (1 - beta1**t),
    v_hat = v / (1 - beta2**t) and eps_t = eps / sqrt(1 - beta2**t): eps is not added after
    bias correction. The two forms differ only for gradients within a few orders of magnitude
    of eps (about 1e-8 to 1e-5); for a gradient of 1e-8 at t = 1 this form steps lr * 0.03
    where Algorithm 1 steps lr * 0.5.
    """

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


# ----------------------------------------------------------------------------- regularisation

class Penalty:
    """L1 (rate * sum |w|) or L2 (rate / 2 * sum w², Playground's) on a model's weights, not
    its biases: added to the loss minimised and its gradient to the gradient, so training, the
    logged losses and the logged gradients all see one objective."""

    def __init__(self, kind: str, rate: float, names, sizes):
        if kind not in ("none", "l1", "l2"):
            raise ValueError(f"regularization must be none, l1 or l2, got {kind!r}")
        self.kind, self.rate = kind, float(rate)
        # the weights' places in the flat parameter buffer (names in its order, e.g. '0.W')
        self.mask = np.concatenate([np.full(size, name.endswith(".W"))
                                    for name, size in zip(names, sizes)] or [np.zeros(0, bool)])

    @classmethod
    def of(cls, kind: str, rate: float, model) -> "Penalty":
        return cls(kind, rate, list(model.params), [p.size for p in model.params.values()])

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.rate > 0

    def value(self, flat_params: np.ndarray) -> float:
        if not self.active:
            return 0.0
        w = flat_params[..., self.mask]
        total = np.abs(w).sum(axis=-1) if self.kind == "l1" else 0.5 * (w * w).sum(axis=-1)
        return self.rate * total

    def add_gradient(self, flat_params: np.ndarray, flat_grads: np.ndarray) -> None:
        if self.active:
            w = flat_params[self.mask]
            flat_grads[self.mask] += self.rate * (np.sign(w) if self.kind == "l1" else w)
