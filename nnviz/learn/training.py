"""The training loop: run a scene's optimiser and record a snapshot on a fixed schedule."""
from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Callable

import numpy as np

from .. import interrupts
from ..version import __version__
from . import data, nn, scene_checks
from . import landscape as loss_landscape
from ..errors import NnvizError, UsageError
from .scene import Scene
from ..settings import (DEFAULT_THEME, MAX_LR, MAX_SEED, MAX_STEPS,  # noqa: F401
                        check_count, check_options, check_theme)
from ..text import check_title

CURVE_POINTS = 400   # x positions of a 1-D regression curve
GRID_SIZE = 64       # cells per side of a 2-D output grid (drawn upsampled, bilinear)
MARGIN = 0.15        # grid reaches this fraction of the data's range beyond it
# Per snapshot, beside each param/NAME, the log records (float32, same shape):
#   grad/NAME    the gradient of the training loss over the FULL training set (not the
#                mini-batch), at the snapshot's parameters (training's float64 values);
#   update/NAME  the step the optimiser then took from them: params(s+1) - params(s), whatever
#                the optimiser (momentum and Adam steps are not -lr * gradient) and computed on
#                the next mini-batch, as training did. At the final snapshot no step is taken:
#                there update/ is the step the optimiser would take next (its next mini-batch,
#                a copy of its state; training is over and nothing it learned changes), and
#                meta "final_update" says "next"; "zero" if that step would not be finite (zeros
#                recorded). Recording them changes nothing that is learned (tested: same
#                parameters and losses, bit for bit).
# They are recorded only for the views that draw the step, like the landscape: on a deep network
# they cost an extra pass over the training set per snapshot and triple the log
# (non_linear_regression_tanh: training 2.2 -> 4.4 s CPU, its log 16.9 -> 49.3 MB).
STEP_PANELS = ("gradients", "neuron", "landscape")   # nnviz.draw.panels drawing grad/, update/


class TrainingDiverged(NnvizError):
    pass


class Schedule(Sequence):
    """Snapshot steps: 0 (untrained), every `every` steps, and always the final step.

    Lazy, like `range`: `--steps 1000000000` must not allocate gigabytes of step numbers
    before the first step. Indexing, `len`, `in` and iteration cost O(1) memory.
    """

    def __init__(self, steps: int, every: int):
        self.steps, self.every = check_count("steps", steps), check_count("every", every)
        self._regular = range(0, self.steps + 1, self.every)
        self._extra = self._regular[-1] != self.steps   # the final step, off the cadence

    def __len__(self) -> int:
        return len(self._regular) + self._extra

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("schedule index out of range")
        return self._regular[i] if i < len(self._regular) else self.steps

    def __contains__(self, step) -> bool:
        return step in self._regular or step == self.steps

    def __iter__(self):
        yield from self._regular
        if self._extra:
            yield self.steps

    def tolist(self) -> list[int]:
        return list(self)

    def __repr__(self):
        return f"Schedule(steps={self.steps}, every={self.every})"


def schedule(steps: int, every: int) -> Schedule:
    """The snapshot steps for `steps` and `every` (see Schedule), checked."""
    return Schedule(steps, every)


def _grid(x: np.ndarray) -> dict[str, np.ndarray]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = MARGIN * np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - pad, hi + pad
    if x.shape[1] == 1:
        return {"grid/x": np.linspace(lo[0], hi[0], CURVE_POINTS)}
    if x.shape[1] == 2:
        return {"grid/x0": np.linspace(lo[0], hi[0], GRID_SIZE),
                "grid/x1": np.linspace(lo[1], hi[1], GRID_SIZE)}
    return {}


def grid_inputs(grid: dict[str, np.ndarray]) -> np.ndarray | None:
    """The grid's points as network inputs (rows), in the data's units; None without a grid."""
    if "grid/x" in grid:
        return grid["grid/x"][:, None]
    if "grid/x0" in grid:
        g0, g1 = np.meshgrid(grid["grid/x0"], grid["grid/x1"])
        return np.column_stack([g0.ravel(), g1.ravel()])
    return None


def _architecture(model: nn.Sequential) -> list[dict] | None:
    """The model as data for the log, or None if a user's own layer cannot be described."""
    try:
        return model.architecture()
    except ValueError:
        return None


def _landscape(model: nn.Sequential, architecture: list[dict], log, xt, yt,
               loss_name: str) -> dict[str, np.ndarray]:
    """The loss landscape over the logged trajectory, on the standardised training set."""
    trajectory = np.concatenate([log.read(f"param/{name}").reshape(log.count, -1)
                                 for name in model.params], axis=1)   # flat_params order
    return loss_landscape.compute(architecture, trajectory, xt, yt, loss_name)


def train(scene: Scene, writer: Callable, *, steps: int | None = None, every: int | None = None,
          seed: int = 0, lr: float | None = None,
          progress: Callable[[int], None] | None = None,
          before: Callable[[set[str]], None] | None = None,
          landscape: bool | None = None, gradients: bool | None = None,
          run: dict | None = None,
          theme: str | None = None, title: str | None = None) -> None:
    """Train `scene`, handing its snapshots to `writer(meta, static)`; options left None come
    from the scene. The writer (nnviz.log.record gives a LogWriter) is a context manager with
    append(fields), meta, static, read(name), count and commit(): training knows no file.

    `before`, if given, sees the names of the arrays the log will hold before the first step,
    so a caller can refuse (e.g. panels that cannot be drawn) without waiting for training.
    `landscape` (the caller decides, e.g. from the panels drawn; None: whether the scene's own
    panels draw it, so its log can be drawn) adds the loss landscape (nnviz.learn.landscape),
    computed once after training. `gradients` (None: whether the scene's panels draw the step,
    STEP_PANELS) adds each snapshot's grad/ and update/ fields. `run` (nnviz.learn.runs.meta) marks the log as one run of a set; a
    single run's log has no such entry. `theme` and `title` (nnviz.draw.theme; None: light and the
    scene's title) are how its frames are drawn: recorded, so `render --from` draws them so.
    """
    scene_checks.check_attributes(scene)
    if landscape is None:
        landscape = "landscape" in scene.panels
    if gradients is None:
        gradients = any(p in scene.panels for p in STEP_PANELS)
    steps = scene.steps if steps is None else steps
    every = scene.every if every is None else every
    lr = scene.lr if lr is None else lr
    check_options(steps, every, seed, lr)
    check_theme(theme or DEFAULT_THEME)
    if title is not None:
        check_title(title)
    when = schedule(steps, every)

    data_rng, split_rng, init_rng, batch_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))
    ds = scene_checks.dataset(scene, data_rng)
    classify = ds.kind == "classification"
    train_set, val_set = scene_checks.split(scene, ds, split_rng)
    sx = data.Standardizer.fit(train_set.x)
    keep_y = classify or not scene.standardize_targets
    sy = data.Standardizer.identity(ds.y.shape[1]) if keep_y else data.Standardizer.fit(train_set.y)
    xt, yt, xv, yv = sx(train_set.x), sy(train_set.y), sx(val_set.x), sy(val_set.y)
    # the points the views draw (data.shown; None: all): predictions are logged for these only,
    # so a log of 70,000 points does not grow by 70,000 per snapshot
    show_t, show_v = data.shown(len(xt), data.SHOWN["train"]), data.shown(len(xv), data.SHOWN["val"])
    thin = {name: idx for name, idx in (("shown/train", show_t), ("shown/val", show_v))
            if idx is not None}

    model = scene_checks.model(scene, init_rng, ds)
    scene_checks.check_probability_output(scene, model, scene_checks.loss_name(scene, ds))
    architecture = _architecture(model)
    if landscape and architecture is None:
        raise UsageError(f"scene {scene.name!r}: the landscape panel needs a network of nnviz's "
                         f"own layers; drop the panel or build the model from nn layers")
    drawn = [p for p in ("network", "gradients", "neuron") if p in scene.panels]   # they draw its layers
    if drawn and architecture is None:
        raise UsageError(f"scene {scene.name!r}: the {drawn[0]} panel draws the network's "
                         f"layers, and this one has a layer of its own nnviz cannot describe; "
                         f"drop the panel or build the model from nn layers")
    data_loss = nn.loss(scene_checks.loss_name(scene, ds))
    penalty = nn.Penalty.of(scene.regularization, scene.reg_rate, model)
    if landscape and penalty.active:
        raise UsageError("the landscape panel shows the data's loss alone, and --regularization "
                         "adds a penalty to what is minimised: drop one of them")

    def loss_fn(out, target):
        """The loss minimised: the data's, plus the weights' penalty (and its gradient)."""
        value, grad = data_loss(out, target)
        return value + penalty.value(model.flat_params), grad
    loss_fn.name = data_loss.name
    opt = nn.optimizer(scene.optimizer, lr)
    size = scene_checks.batch_size(scene, len(xt))
    batches = data.batches(len(xt), size, batch_rng)

    grid = _grid(ds.x)
    if before:
        classes = {"predicted/train", "predicted/val", "accuracy/train", "accuracy/val"}
        params = {f"param/{name}" for name in model.parameters()}
        if gradients:
            params |= {f"{kind}/{name}" for kind in ("grad", "update") for name in model.params}
        before({"step", "loss/train", "loss/val", *grid, *(classes if classify else ()), *params,
                *thin,
                *(loss_landscape.NAMES if landscape else ())})
    grid_in = grid_inputs(grid)
    grid_in = None if grid_in is None else sx(grid_in)
    out_shape = (len(grid["grid/x1"]), len(grid["grid/x0"])) if "grid/x0" in grid else None

    def diverged(step, why):
        raise TrainingDiverged(f"training diverged at step {step} ({why}); "
                               f"try a smaller learning rate, e.g. --lr {lr / 10:g}")

    # one forward pass per snapshot over train, validation and grid inputs stacked together
    probe = np.vstack([xt, xv] + ([] if grid_in is None else [grid_in]))
    cut_t, cut_v = len(xt), len(xt) + len(xv)

    def snapshot(step: int) -> dict[str, np.ndarray]:
        out = model(probe)
        ot, ov, og = out[:cut_t], out[cut_t:cut_v], out[cut_v:]
        fields = {"step": np.int64(step),
                  "loss/train": np.float64(loss_fn(ot, yt)[0]),
                  "loss/val": np.float64(loss_fn(ov, yv)[0])}
        if not np.isfinite(fields["loss/train"] + fields["loss/val"]):
            diverged(step, f"loss is {fields['loss/train']}")
        if classify:
            pt = data.class_labels(ot).astype(np.int8)   # argmax, or p > 0.5
            pv = data.class_labels(ov).astype(np.int8)
            fields["accuracy/train"] = np.mean(pt == train_set.labels)   # of every point
            fields["accuracy/val"] = np.mean(pv == val_set.labels)
            fields["predicted/train"] = pt if show_t is None else pt[show_t]
            fields["predicted/val"] = pv if show_v is None else pv[show_v]
        if grid_in is not None:
            if classify and loss_fn.name == "softmax_cross_entropy":
                og = nn.softmax(og)
            og = og if classify else sy.inverse(og)
            if out_shape:
                og = og.reshape(*out_shape, -1)
            fields["output"] = og.astype(np.float32)
            if not nn.all_finite(fields["output"]):
                diverged(step, "the model's output overflows")
        for name, value in model.parameters().items():
            fields[f"param/{name}"] = value.astype(np.float32)
        return fields

    def gradient(step: int) -> dict[str, np.ndarray]:
        """grad/ fields: the full training set's loss gradient at the current parameters.

        An extra forward and backward pass over the training set; the gradient buffer is put
        back as it was, so the next training step starts from exactly what it would have."""
        saved = model.flat_grads.copy()
        model.backward(loss_fn(model(xt), yt)[1])
        penalty.add_gradient(model.flat_params, model.flat_grads)
        fields = {f"grad/{name}": g.astype(np.float32) for name, g in model.grads.items()}
        model.flat_grads[...] = saved
        if not all(nn.all_finite(g) for g in fields.values()):
            diverged(step, "the gradient overflows")
        return fields

    def update(before: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """update/ fields: the current parameters minus `before` (a snapshot's)."""
        return {f"update/{name}": (p - before[name]).astype(np.float32)
                for name, p in model.params.items()}

    def next_update(before: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
        """The step the optimiser would take next from the final parameters, on a copy of its
        state; the parameters are put back. None if that step is not finite."""
        idx = next(batches)
        value, grad = loss_fn(model(xt[idx]), yt[idx])
        model.backward(grad)
        penalty.add_gradient(model.flat_params, model.flat_grads)
        saved = model.flat_params.copy()
        copy.deepcopy(opt).step(model.flat_params, model.flat_grads)
        fields = update(before)
        model.flat_params[...] = saved
        if not np.isfinite(value) or not all(nn.all_finite(u) for u in fields.values()):
            return None
        return fields

    meta = {"scene": scene.name, "title": title or scene.title or scene.name,
            "theme": theme or DEFAULT_THEME,
            "description": scene.description, "kind": ds.kind, "panels": list(scene.panels),
            "options": {"steps": steps, "every": every, "seed": seed, "lr": lr,
                        "optimizer": scene.optimizer, "loss": loss_fn.name, "batch_size": size,
                        "train_fraction": scene.train_fraction,
                        "regularization": scene.regularization if penalty.active else "none",
                        **({"reg_rate": scene.reg_rate} if penalty.active else {}),
                        **({"features": list(scene.features)} if scene.features else {}),
                        **({"noise": scene.noise} if scene.noise is not None else {})},
            "model": repr(model), "architecture": architecture,
            "standardize_targets": not keep_y,
            "versions": {"nnviz": __version__, "numpy": np.__version__}}
    if run is not None:
        meta["run"] = run
    # a CSV's column and class names (nnviz.learn.datascene), for the panels' axes and legends
    for key, count in (("input_names", ds.x.shape[1]),
                       ("class_names", max(2, ds.y.shape[1]) if classify else None)):
        names = getattr(scene, key, None)
        if names is not None and count is not None:
            why = scene_checks.names_problem(key, list(names), count)
            if why:
                raise UsageError(f"scene {scene.name!r}: {why}")
            meta[key] = list(names)
    if getattr(scene, "words", None):   # the scene's own sentences, for the story (checked)
        meta["words"] = {str(k): v for k, v in scene.words.items()}
    # the network sees standardised units: with these a log alone turns data into predictions
    static = {"data/x_train": train_set.x, "data/y_train": train_set.y,
              "data/x_val": val_set.x, "data/y_val": val_set.y, **grid, **thin,
              "standardizer/x_mean": sx.mean, "standardizer/x_std": sx.std,
              "standardizer/y_mean": sy.mean, "standardizer/y_std": sy.std}

    # overflow is caught by the explicit finite checks, which name the step
    with writer(meta, static) as log, np.errstate(over="ignore", invalid="ignore"):
        # a snapshot waits for the step after it (its update/ fields) before it is written
        pending: tuple[dict, dict] | None = None

        def record(step: int):
            nonlocal pending
            fields = snapshot(step)
            if not gradients:
                log.append(fields)
                return
            fields.update(gradient(step))
            pending = fields, {name: p.copy() for name, p in model.params.items()}

        record(0)
        for step in range(1, steps + 1):
            interrupts.check()   # a safe point: between steps, never inside drawing code
            idx = next(batches)
            value, grad = loss_fn(model(xt[idx]), yt[idx])
            if not np.isfinite(value):
                diverged(step, f"loss is {value}")
            model.backward(grad)
            penalty.add_gradient(model.flat_params, model.flat_grads)
            opt.step(model.flat_params, model.flat_grads)
            if pending is not None:
                fields, before_step = pending
                step_fields = update(before_step)
                if not all(nn.all_finite(u) for u in step_fields.values()):
                    diverged(step, "the step overflows")
                log.append({**fields, **step_fields})
                pending = None
            if step in when:
                record(step)
            if progress:
                progress(1)
        if pending is not None:   # the final snapshot: the step that would come next
            fields, before_step = pending
            step_fields = next_update(before_step)
            log.meta["final_update"] = "next" if step_fields else "zero"
            fields.update(step_fields or {f"update/{name}": np.zeros_like(fields[f"param/{name}"])
                                          for name in model.params})
            log.append(fields)
        if landscape:
            log.static.update(_landscape(model, architecture, log, xt, yt, loss_fn.name))
        log.commit()
