"""PyTorch trainings recorded from the user's loop (nnviz.TorchRecorder), against nnviz's own
training from the same initial weights (full-batch plain SGD, float64).

torch is in the test extra: CI runs these for real, never skipped."""
import numpy as np
import pytest
import torch

import nnviz
from nnviz import UsageError
from test_record import LR, STEPS, assert_same_training, nnviz_log, split


def run(tmp_path, kind, logits):
    """Train a 2-3-1 tanh network in torch from chosen weights; return (recorded, initial)."""
    xt, yt, xv, yv, mean, std = split(tmp_path, kind)
    rng = np.random.default_rng(2)
    initial = [(rng.normal(size=(2, 3)), rng.normal(size=3), "tanh"),
               (rng.normal(size=(3, 1)), rng.normal(size=1),
                "sigmoid" if kind == "classification" else "linear")]
    layers = [torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)]
    if kind == "classification" and not logits:
        layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers).double()
    with torch.no_grad():   # the same initial weights in both: torch's Linear weight is (out, in)
        for linear, (w, b, _) in zip([layers[0], layers[2]], initial):
            linear.weight.copy_(torch.from_numpy(w.T))
            linear.bias.copy_(torch.from_numpy(b))
    loss_fn = {"regression": torch.nn.MSELoss(),
               "classification": torch.nn.BCEWithLogitsLoss() if logits else torch.nn.BCELoss()}[kind]
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = torch.from_numpy((xt - mean) / std), torch.from_numpy(yt)
    recorder = nnviz.TorchRecorder(model, loss_fn, optimizer, xt, yt, x_val=xv, y_val=yv,
                                   x_mean=mean, x_std=std)
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        recorder.step()
    return recorder.save(tmp_path / "torch.npz"), initial, model


@pytest.mark.parametrize("kind, logits", [("classification", False), ("classification", True),
                                          ("regression", False)])
def test_recorded_torch_training_is_nnviz_own(tmp_path, kind, logits):
    recorded, initial, model = run(tmp_path, kind, logits)
    own = nnviz_log(tmp_path, kind, initial)
    assert recorded.meta["options"]["optimizer"] == "sgd" and recorded.meta["options"]["lr"] == LR
    assert_same_training(recorded, own)
    last = model[2].weight.detach().numpy().T.astype(np.float32)
    np.testing.assert_array_equal(recorded["param/2.W"][-1], last)


@pytest.mark.parametrize("model, loss, message", [
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Dropout(0.5), torch.nn.Linear(4, 1)),
     torch.nn.MSELoss(), r"layer 1 \(Dropout\(p=0.5, inplace=False\)\) cannot be recorded"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1)),
     torch.nn.MSELoss(), r"layer 1 \(BatchNorm1d"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.GELU(), torch.nn.Linear(4, 1)),
     torch.nn.MSELoss(), r"layer 1 \(GELU"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softmax(dim=1)),
     torch.nn.CrossEntropyLoss(), "CrossEntropyLoss takes logits, but the model ends in softmax"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 1)), torch.nn.L1Loss(),
     "loss L1Loss is not recorded"),
])
def test_unrecordable_models_are_refused_before_training(model, loss, message):
    x = np.zeros((4, 2))
    net = model()
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(UsageError, match=message):
        nnviz.TorchRecorder(net, loss, torch.optim.SGD(net.parameters(), lr=0.1), x, np.zeros((4, 1)),
                            x_val=x, y_val=np.zeros((4, 1)))
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
