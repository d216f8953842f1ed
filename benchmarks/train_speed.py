"""Training steps per second: nnviz's vectorised core against a per-sample Python loop.

For each of the five original networks (layer sizes, learning rates, batch = floor(sqrt(n_train)))
two kinds of step are timed:
  update     forward and backward over one mini-batch, then an Adam update;
  original   the step as the original series ran it: the update, then the loss over all the
             validation data (it drew train and validation loss at every step).
The reference loop does the same work the way the original code did: one sample at a time
through every layer, gradients summed over the batch, Adam applied array by array.

    python benchmarks/train_speed.py [--seconds S]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import nnviz
from nnviz.learn import data, nn

NETWORKS = {  # scene: (widths, hidden activation, output activation, loss, lr, dataset)
    "linear_regression": ([1, 1], "linear", "linear", "mse", 2e-2, data.noisy_linear),
    "xor_function_regression": ([2, 4, 4, 1], "leaky_relu", "sigmoid", "mse", 2e-2, data.xor_function),
    "non_linear_regression_tanh": ([1, 10, 20, 40, 80, 40, 20, 10, 1], "tanh", "linear", "mse", 5e-4, data.noisy_sine),
    "non_linear_regression_leaky_relu": ([1, 10, 20, 40, 80, 40, 20, 10, 1], "leaky_relu", "linear", "mse", 1e-3, data.noisy_sine),
    "xor_two_classes": ([2, 4, 4, 2], "leaky_relu", "linear", "softmax_cross_entropy", 1e-2, data.xor_classes),
}


def prepared(maker, seed=0):
    rng = np.random.default_rng(seed)
    ds = maker(rng)
    train, val = data.split(ds, rng)
    sx = data.Standardizer.fit(train.x)
    sy = (data.Standardizer.identity(ds.y.shape[1]) if ds.kind == "classification"
          else data.Standardizer.fit(train.y))
    return sx(train.x), sy(train.y), sx(val.x), sy(val.y), data.batch_size(len(train.x))


# ----------------------------------------------------------------------------- reference loop

def act(name, z, slope=0.01):
    if name == "tanh":
        return np.tanh(z)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    return z


def act_grad(name, z, a, slope=0.01):
    if name == "tanh":
        return 1 - a * a
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    if name == "sigmoid":
        return a * (1 - a)
    return np.ones_like(z)


class PerSampleNet:
    """The original style: vectors, one sample at a time, an Adam state per array."""

    def __init__(self, widths, hidden, output, loss, lr, rng):
        self.W = [rng.normal(0, np.sqrt(2 / (a + b)), (b, a)) for a, b in zip(widths, widths[1:])]
        self.b = [np.zeros(b) for b in widths[1:]]
        self.acts = [hidden] * (len(widths) - 2) + [output]
        self.loss, self.lr, self.t = loss, lr, 0
        self.m = [np.zeros_like(p) for p in self.W + self.b]
        self.v = [np.zeros_like(p) for p in self.W + self.b]

    def forward(self, x):
        for W, b, name in zip(self.W, self.b, self.acts):
            x = act(name, W @ x + b)
        return x

    def validation_loss(self, xv, yv):
        total = 0.0
        for x, y in zip(xv, yv):
            out = self.forward(x)
            if self.loss == "mse":
                total += np.mean((out - y) ** 2)
            else:
                z = out - out.max()
                total -= np.sum(y * (z - np.log(np.sum(np.exp(z)))))
        return total / len(xv)

    def step(self, xb, yb):
        gW = [np.zeros_like(w) for w in self.W]
        gb = [np.zeros_like(b) for b in self.b]
        for x, y in zip(xb, yb):
            zs, outs = [], [x]
            for W, b, name in zip(self.W, self.b, self.acts):
                z = W @ outs[-1] + b
                zs.append(z)
                outs.append(act(name, z))
            if self.loss == "mse":
                delta = 2 * (outs[-1] - y) / (len(xb) * len(y)) * act_grad(self.acts[-1], zs[-1], outs[-1])
            else:
                e = np.exp(outs[-1] - outs[-1].max())
                delta = (e / e.sum() - y) / len(xb)
            for i in reversed(range(len(self.W))):
                gW[i] += np.outer(delta, outs[i])
                gb[i] += delta
                if i:
                    delta = (self.W[i].T @ delta) * act_grad(self.acts[i - 1], zs[i - 1], outs[i])
        self.t += 1
        for k, (p, g) in enumerate(zip(self.W + self.b, gW + gb)):
            self.m[k] = 0.9 * self.m[k] + 0.1 * g
            self.v[k] = 0.999 * self.v[k] + 0.001 * g * g
            mh = self.m[k] / (1 - 0.9 ** self.t)
            vh = self.v[k] / (1 - 0.999 ** self.t)
            p -= self.lr * mh / (np.sqrt(vh) + 1e-8)


# ----------------------------------------------------------------------------- timing

def steps_per_second(step, batches, seconds):
    step(*batches[0])                      # warm up
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step(*batches[n % len(batches)])
        n += 1
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    print(f"nnviz {nnviz.__version__}, numpy {np.__version__}; {args.seconds:g} s per measurement\n"
          f"update: forward + backward over one mini-batch + Adam; original: the update + the loss "
          f"over all validation data,\nas the original series did every step\n")
    print(f"{'network':34} {'batch':>5} {'step':>8} {'nnviz steps/s':>14} "
          f"{'per-sample steps/s':>19} {'ratio':>7}")
    worst = {"update": np.inf, "original": np.inf}
    with threadpool_limits(1, "blas"):
        for name, (widths, hidden, output, loss_name, lr, maker) in NETWORKS.items():
            x, y, xv, yv, size = prepared(maker)
            rng = np.random.default_rng(1)
            batches = [(x[i], y[i]) for i in (rng.choice(len(x), size, replace=False) for _ in range(64))]

            model = nn.mlp(widths, hidden, output=output, rng=np.random.default_rng(2))
            loss, opt = nn.loss(loss_name), nn.Adam(lr)

            def nnviz_step(xb, yb):
                model.backward(loss(model(xb), yb)[1])
                opt.step(model.flat_params, model.flat_grads)

            def nnviz_original(xb, yb):
                nnviz_step(xb, yb)
                loss(model(xv), yv)

            ref = PerSampleNet(widths, hidden, output, loss_name, lr, np.random.default_rng(2))

            def ref_original(xb, yb):
                ref.step(xb, yb)
                ref.validation_loss(xv, yv)

            for kind, fast_step, slow_step in (("update", nnviz_step, ref.step),
                                               ("original", nnviz_original, ref_original)):
                fast = steps_per_second(fast_step, batches, args.seconds)
                slow = steps_per_second(slow_step, batches, args.seconds)
                worst[kind] = min(worst[kind], fast / slow)
                print(f"{name if kind == 'update' else '':34} {size if kind == 'update' else '':>5} "
                      f"{kind:>8} {fast:>14,.0f} {slow:>19,.0f} {fast / slow:>6.1f}x")
    print(f"\nworst ratio, update only: {worst['update']:.1f}x  (bounded by the batch of 16-26 "
          f"samples: a batched operation costs about what one per-sample operation does)")
    verdict = "met" if worst["original"] >= 30 else "NOT met"
    print(f"goal: nnviz >= 30x the per-sample loop on every network, per original step "
          f"(update + validation loss): {verdict} (worst {worst['original']:.1f}x)")


if __name__ == "__main__":
    main()
