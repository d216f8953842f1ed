"""What recording costs: a 500-step XOR training in each framework with and without nnviz's
recorder (a snapshot every 10 steps: the 64x64 grid, losses, gradient; the landscape and the
log written at save), best of --repeat runs each. The goal is at most 10 % more wall time.

    python benchmarks/record_overhead.py [--steps 500] [--every 10] [--repeat 3] [--only sklearn,torch,keras]

Needs the frameworks (pip install -e '.[test]'); Keras runs on the JAX backend.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np

import nnviz
from nnviz import data


def xor_data():
    ds = data.xor_classes(np.random.default_rng(0), n=400)
    y = ds.labels
    return ds.x[:280], y[:280], ds.x[280:], y[280:]


def sklearn_run(steps, every, record, out):
    from sklearn.neural_network import MLPClassifier
    x, y, xv, yv = xor_data()
    model = MLPClassifier((4, 4), activation="tanh", solver="sgd", learning_rate_init=0.5,
                          momentum=0.0, batch_size=len(x), shuffle=False, random_state=0)
    if record:
        nnviz.record_sklearn(model, x, y, epochs=steps, x_val=xv, y_val=yv, every=every, save=out)
    else:
        for _ in range(steps):
            model.partial_fit(x, y, classes=[0, 1])


def torch_run(steps, every, record, out):
    import torch
    torch.set_num_threads(1)   # a tiny network: threads only add noise on a shared machine
    torch.manual_seed(0)
    x, y, xv, yv = xor_data()
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 4),
                                torch.nn.Tanh(), torch.nn.Linear(4, 2))
    loss_fn, opt = torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.5)
    xs, ys = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    rec = nnviz.TorchRecorder(model, loss_fn, opt, x, y, x_val=xv, y_val=yv, every=every) \
        if record else None
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(xs), ys).backward()
        opt.step()
        if rec:
            rec.step()
    if rec:
        rec.save(out)


def keras_run(steps, every, record, out):
    import keras
    keras.utils.set_random_seed(0)
    x, y, xv, yv = xor_data()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    rec = nnviz.KerasRecorder(x, y, x_val=xv, y_val=yv, every=every) if record else None
    model.fit(x, y, batch_size=len(x), epochs=steps, shuffle=False, verbose=0,
              callbacks=[rec] if rec else [])
    if rec:
        rec.save(out)


RUNS = {"sklearn": sklearn_run, "torch": torch_run, "keras": keras_run}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=",".join(RUNS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            run = RUNS[name]
            run(20, 10, True, Path(tmp) / "warm.npz")   # imports and compilation, not timed
            best = {}
            for record in (False, True, False, True) * args.repeat:
                out = Path(tmp) / f"{name}.npz"
                out.unlink(missing_ok=True)
                start = time.perf_counter()
                run(args.steps, args.every, record, out)
                elapsed = time.perf_counter() - start
                best[record] = min(best.get(record, elapsed), elapsed)
            extra = best[True] - best[False]
            print(f"{name:8s} {args.steps} steps: {best[False]:.3f} s unrecorded, "
                  f"{best[True]:.3f} s recorded (every {args.every}, log saved): "
                  f"+{extra:.3f} s = {100 * extra / best[False]:.1f} %")


if __name__ == "__main__":
    main()
