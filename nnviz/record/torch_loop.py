"""PyTorch: a torch.nn.Sequential of Linear layers and activations, recorded from the user's own
loop; `pip install nnviz[torch]`. Only public PyTorch API is used (the model's modules and
named_parameters(), the loss module's class and options, the optimiser's param_groups).

    recorder = nnviz.TorchRecorder(model, loss_fn, optimizer, x, y, x_val=..., y_val=...)
    for step in range(500):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        recorder.step()          # after optimizer.step(): the weights this step made
    recorder.save("run.npz")

The initial weights (step 0) are recorded when the recorder is made, before the first update.
torch stores a Linear weight as (out, in): it is transposed to nnviz's (in, out). The gradient
drawn is the whole training set's at each snapshot's weights, computed by nnviz (the .grad a
loop leaves behind is its last mini-batch's, at the weights before the step).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import UsageError
from .recorder import Recorder


def _activations(torch):
    nn = torch.nn
    return {nn.Tanh: "tanh", nn.ReLU: "relu", nn.Sigmoid: "sigmoid",
            nn.LeakyReLU: "leaky_relu", nn.Softmax: "softmax"}


def _losses(torch):
    nn = torch.nn   # the loss module -> the task nnviz records it as
    return {nn.MSELoss: "regression", nn.CrossEntropyLoss: "classification",
            nn.BCEWithLogitsLoss: "classification", nn.BCELoss: "classification"}


def layout(model, torch) -> list[tuple[str, str, float]]:
    """[(module name of a Linear, its activation, slope)]: the model read as dense layers, or
    UsageError naming the first module nnviz cannot record (before any training)."""
    if not isinstance(model, torch.nn.Sequential):
        raise UsageError(f"record a torch.nn.Sequential of Linear layers and activations; "
                         f"{type(model).__name__} defines its own forward, which nnviz cannot read")
    acts, found = _activations(torch), []
    for name, module in model.named_children():
        what = f"layer {name} ({module!r:.60})"
        if isinstance(module, torch.nn.Linear):
            if module.bias is None:
                raise UsageError(f"{what}: nnviz's dense layers have a bias; use bias=True")
            found.append([name, "linear", 0.01])
        elif isinstance(module, torch.nn.Identity):
            continue
        elif type(module) in acts:
            if not found or found[-1][1] != "linear":
                raise UsageError(f"{what}: an activation must follow a Linear layer directly")
            if isinstance(module, torch.nn.Softmax) and module.dim not in (-1, 1):
                raise UsageError(f"{what}: softmax over dim={module.dim}; nnviz takes dim=-1")
            found[-1][1] = acts[type(module)]
            if isinstance(module, torch.nn.LeakyReLU):
                found[-1][2] = float(module.negative_slope)
        else:
            raise UsageError(f"{what} cannot be recorded; nnviz draws Linear layers with "
                             f"Tanh, ReLU, LeakyReLU, Sigmoid or Softmax")
    if not found:
        raise UsageError("the model has no Linear layer to record")
    return [tuple(f) for f in found]


class TorchRecorder:
    """Records a PyTorch training: make it before the first update, call `step()` after every
    `optimizer.step()`, then `save(path)`. loss_fn is the loss module the loop minimises
    (MSELoss: regression; CrossEntropyLoss, BCEWithLogitsLoss, BCELoss: classes, mean
    reduction); x, y, x_val, y_val as the loop sees them (tensors or arrays); further options
    go to nnviz.Recorder (every, name, title, panels, theme, x_mean, x_std)."""

    def __init__(self, model, loss_fn, optimizer, x, y, *, x_val, y_val, **options):
        import torch
        self.torch = torch
        task = _losses(torch).get(type(loss_fn))
        if task is None:
            raise UsageError(f"loss {type(loss_fn).__name__} is not recorded; nnviz computes "
                             f"MSELoss, CrossEntropyLoss, BCEWithLogitsLoss or BCELoss")
        extra = [k for k in ("weight", "pos_weight") if getattr(loss_fn, k, None) is not None]
        if getattr(loss_fn, "reduction", "mean") != "mean" or extra or \
                getattr(loss_fn, "label_smoothing", 0.0):
            raise UsageError(f"{type(loss_fn).__name__}: record the plain mean loss (no weights, "
                             f"label smoothing or reduction={loss_fn.reduction!r})")
        self.layers = layout(model, torch)
        last = self.layers[-1][1]
        wants = {torch.nn.CrossEntropyLoss: ("linear", "logits"),
                 torch.nn.BCEWithLogitsLoss: ("linear", "logits"),
                 torch.nn.BCELoss: ("sigmoid", "a Sigmoid's probabilities")}.get(type(loss_fn))
        if wants and last != wants[0]:
            raise UsageError(f"{type(loss_fn).__name__} takes {wants[1]}, but the model ends "
                             f"in {last}; {'drop' if wants[0] == 'linear' else 'add'} the "
                             f"last activation")
        named = dict(model.named_parameters())
        self.params = [(named[f"{name}.weight"], named[f"{name}.bias"], act, slope)
                       for name, act, slope in self.layers]
        group = optimizer.param_groups[0]
        kind = type(optimizer).__name__.lower()
        if kind == "sgd":
            kind = "momentum" if group.get("momentum", 0) else "sgd"
        options.setdefault("source", f"PyTorch {torch.__version__}")
        array = lambda a: a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
        self.recorder = Recorder(array(x), array(y), task=task, x_val=array(x_val),
                                 y_val=array(y_val), lr=float(group["lr"]), optimizer=kind,
                                 **options)
        self.count = 0
        self.recorder.record(0, self._weights())   # step 0: before the first update

    def _weights(self) -> list[tuple]:
        out = []
        for w, b, act, slope in self.params:   # torch's Linear weight is (out, in)
            w, b = w.detach().cpu().numpy().T, b.detach().cpu().numpy()
            out.append((w, b, act, slope) if act == "leaky_relu" else (w, b, act))
        return out

    def step(self) -> None:
        """Record the weights `optimizer.step()` just made (the next step)."""
        self.count += 1
        self.recorder.record(self.count, self._weights)

    def save(self, path: str | Path):
        """Write the log (a .npz `nnviz render --from` draws); return it opened."""
        return self.recorder.save(path)
