"""A scene of the user's data, made from the command line with no Python: `--data NAME` (one of
Playground's datasets, nnviz.learn.playground), `--data FILE.csv` (nnviz.learn.csvdata) or
`--target EXPR` (a formula, nnviz.learn.formula). Its network is an MLP set by the knobs
(nnviz.learn.knobs); each built-in dataset has defaults that learn on nearly every seed
(benchmarks/datasets.py measures them).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from . import nn, playground
from .csvdata import is_float
from .data import Dataset, fewest_samples
from .scene import Scene
from ..errors import UsageError
from ..names import check_scene_name

ALL = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
# per built-in dataset, what differs from the class's defaults, chosen with
# benchmarks/datasets.py (seeds 0-99): spiral needs every feature (as in Playground), and
# multi-gauss's six bumps need them and more points than Playground's 500 to be learned
# between the samples (with 500, R² about 0.7 on validation)
DEFAULTS = {"circle": dict(noise=0.02), "xor": dict(noise=0.05),
            "gauss": dict(hidden=(4,), noise=0.1), "spiral": dict(hidden=(16, 16), features=ALL),
            "plane": dict(hidden=(4,), noise=0.1),
            "multi-gauss": dict(hidden=(16, 16), features=ALL, noise=0.0, samples=2000,
                                steps=1000, every=10, lr=0.02)}
TARGET_RANGE, TARGET_SAMPLES = 3.0, 500   # --target: inputs uniform in [-3, 3] (each)
LEARNED = 0.95   # val accuracy (classes) or R² (regression) a default run reaches


class DataScene(Scene):
    """The user's data: exactly one of `data` (a dataset name or CSV path) and `target`."""

    name = "data"
    steps, every, lr, optimizer = 600, 6, 0.03, "adam"
    hidden, hidden_activation = (8, 8), "tanh"

    def __init__(self, data: str | None = None, target: str | None = None,
                 target_column: str | None = None, task: str | None = None,
                 name: str | None = None):
        if (data is None) == (target is None):
            raise UsageError("give --data (a dataset or a CSV file) or --target (a formula), "
                             "not both" if data is not None else "give --data or --target")
        if (target_column is not None or task is not None) and not _is_csv(data):
            raise UsageError("--target-column and --task are for a CSV file given to --data")
        self.source, self.classes, self.noise = data, None, None
        if target is not None:
            from .formula import check, parse
            self.formula, self.inputs = parse(target)
            check(self.formula, self.inputs, TARGET_RANGE)
            self.noise, auto = 0.1, "target"
            self.title = f"Regression on y = {target.strip()}"[:120]
            self.description = f"A network fits y = {target.strip()} from noisy samples."
        elif data in playground.NAMES:
            self.noise, self.samples = 0.1, playground.N_SAMPLES
            for key, value in DEFAULTS[data].items():
                setattr(self, key, value)
            self.inputs, auto = 2, data
            kind = "classification" if data in playground.CLASSIFY else "regression"
            self.title = f"Playground's {data} dataset ({kind})"
            self.description = f"TensorFlow Playground's {data} dataset, {kind}."
        elif _is_csv(data):
            from .csvdata import load
            self.table, names, goal, self.classes = load(data, target_column, task)
            self.input_names = names   # the panels' axes and legends say them
            self.class_names = None if self.classes is None else [
                f"class {c}" if is_float(c) else c for c in self.classes]
            self.inputs = self.table.x.shape[1]
            if self.inputs > 2:
                raise UsageError(f"{Path(data).name} has {self.inputs} input columns; nnviz "
                                 f"draws one or two: keep two columns and the target")
            auto = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(data).stem).strip("._-") or "data"
            self.title = f"{Path(data).name}: {goal} from {', '.join(names)}"[:120]
            self.description = f"A network learns {goal} from {', '.join(names)}."
        else:
            raise UsageError(f"--data {data!r}: not a built-in dataset nor a .csv file; "
                             f"choose from {', '.join(playground.NAMES)}, or give FILE.csv")
        self.name = check_scene_name(name or auto, "--name" if name else "--data")
        self.panels = self._panels()

    def kind(self) -> str:
        if self.source in playground.NAMES:
            return "classification" if self.source in playground.CLASSIFY else "regression"
        return self.table.kind if self.source is not None else "regression"

    def _panels(self) -> tuple[str, ...]:
        classes = len(self.classes) if self.classes else 2
        if self.kind() == "regression":
            return ("fit" if self.inputs == 1 else "heatmap", "network", "loss")
        if self.inputs == 2 and classes == 2:
            return ("boundary", "network", "loss", "accuracy")
        return ("network", "loss", "accuracy")   # no input picture for these classes (yet)

    def dataset(self, rng: np.random.Generator) -> Dataset:
        if self.source in playground.NAMES:
            return playground.MAKERS[self.source](rng, self.samples, self.noise)
        if self.source is not None:
            fewest = fewest_samples(self.train_fraction)
            if len(self.table) < fewest:
                raise UsageError(f"{Path(self.source).name}: {len(self.table)} data rows are too "
                                 f"few to keep 2 for training and 2 for validation with --ratio "
                                 f"{self.train_fraction:g}; give at least {fewest} rows")
            return self.table
        from .formula import evaluate
        x = rng.uniform(-TARGET_RANGE, TARGET_RANGE, (TARGET_SAMPLES, self.inputs))
        y = evaluate(self.formula, x)
        if not np.isfinite(y).all():
            bad = x[np.argmax(~np.isfinite(y))]
            raise UsageError(f"--target: not a finite number at x = "
                             f"{', '.join(f'{v:.3g}' for v in bad)} (inputs span "
                             f"-{TARGET_RANGE:g} to {TARGET_RANGE:g}); give a formula defined there")
        spread = y.std() if y.std() > 0 else 1.0
        return Dataset(x, (y + rng.normal(0, self.noise * spread, len(y)))[:, None], "regression")

    def model(self, rng, n_in, n_out):
        return nn.Sequential([nn.Dense(n_in, n_out)], rng)   # the knobs' MLP replaces it

    def learning_problems(self, log) -> list[str]:
        """Validation accuracy >= 0.95 (classes) or R² >= 0.95 in the data's units."""
        if "accuracy/val" in log:
            acc = float(log["accuracy/val"][-1])
            return [f"val accuracy {acc:.3f} < {LEARNED}"] if acc < LEARNED else []
        r2 = r_squared(log)
        return [f"val R² {r2:.3f} < {LEARNED}"] if r2 < LEARNED else []


def r_squared(log) -> float:
    """1 - the validation MSE over the validation targets' variance, in the data's units."""
    y = log["data/y_val"][:, 0]
    mse = float(log["loss/val"][-1]) * float(log["standardizer/y_std"][0]) ** 2
    return 1.0 - mse / float(np.var(y))


def _is_csv(data) -> bool:
    return isinstance(data, str) and data.lower().endswith(".csv")

