"""scikit-learn: an MLPClassifier or MLPRegressor trained epoch by epoch (`partial_fit`) and
recorded; `pip install nnviz[sklearn]`. Only public scikit-learn API is used (coefs_,
intercepts_, partial_fit, get_params, config_context).

One recorded step is one epoch (one `partial_fit` over the training set; with batch_size=n
that is one optimiser step). Step 0 is the initial weights: scikit-learn draws them inside the
first `partial_fit`, so a copy of the model draws them first, in a first epoch that cannot
move them (learning rate 0); the random state it draws from is put back, so the model itself
then draws the same weights and learns exactly what it would unrecorded.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from ..errors import UsageError
from .recorder import Recorder

ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
               "softmax": "softmax"}


def record_sklearn(model, x, y, *, epochs: int, x_val, y_val, save: str | Path,
                   every: int = 1, classes=None, **options):
    """Train `model` (MLPClassifier or MLPRegressor) for `epochs` epochs of `partial_fit` on
    (x, y), record every epoch and save the log to `save`; return the log (a SnapshotLog).

    x_val, y_val: the validation set drawn in the frames (not trained on). `classes`: every
    class (None: those in y and y_val). Further options go to nnviz.Recorder (name, title,
    panels, theme). x_mean, x_std: the model is trained on (x - x_mean) / x_std (a
    StandardScaler's mean_ and scale_) and the frames show x in its own units.
    """
    from sklearn.base import is_classifier
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    import sklearn

    if not isinstance(model, (MLPClassifier, MLPRegressor)):
        raise UsageError(f"record_sklearn records an MLPClassifier or MLPRegressor, got "
                         f"{type(model).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise UsageError(f"epochs must be a whole number of at least 1, got {epochs!r}")
    params = model.get_params()
    if params["solver"] not in ("sgd", "adam"):
        raise UsageError(f"solver {params['solver']!r} has no partial_fit; use solver=\"sgd\" "
                         f"or \"adam\" to record epoch by epoch")
    if params["early_stopping"]:
        raise UsageError("early_stopping=True holds back its own validation data and keeps the "
                         "best epoch, which partial_fit cannot do; set early_stopping=False")
    if getattr(model, "loss", "squared_error") != "squared_error" and not is_classifier(model):
        raise UsageError(f"loss {model.loss!r} is not recorded; nnviz computes the squared error")
    x, x_val = np.asarray(x), np.asarray(x_val)
    if options.get("x_mean") is not None:   # the data in its units; the model sees it scaled
        x_fit = (x - np.asarray(options["x_mean"])) / np.asarray(options.get("x_std"))
    else:
        x_fit = x
    classify = is_classifier(model)
    fit_args = {}
    if classify:
        classes = np.unique(np.concatenate([np.ravel(y), np.ravel(y_val)])) if classes is None \
            else np.asarray(classes)
        fit_args["classes"] = classes
    first = _initial(model, x_fit, y, fit_args)
    layers = _layers(first)
    lr = params["learning_rate_init"] / (1 if classify else 2)   # the step on nnviz's loss
    optimizer = params["solver"] if params["solver"] == "adam" else (
        "sgd" if params["momentum"] == 0 else "momentum")
    if classify:
        y_idx = lambda t: np.searchsorted(first.classes_, np.ravel(t))   # columns' order
        if not (np.isin(np.ravel(y), first.classes_).all() and np.isin(np.ravel(y_val), first.classes_).all()):
            raise UsageError("y or y_val holds a class not among `classes`")
        targets = y_idx(y), y_idx(y_val)
    else:
        targets = y, y_val
    options.setdefault("source", f"scikit-learn {sklearn.__version__} {type(model).__name__}")
    recorder = Recorder(x, targets[0], task="classification" if classify else "regression",
                        x_val=x_val, y_val=targets[1], every=every, lr=lr, optimizer=optimizer,
                        **options)
    recorder.record(0, layers)
    for epoch in range(1, epochs + 1):
        model.partial_fit(x_fit, y, **fit_args)
        fit_args.pop("classes", None)
        recorder.record(epoch, lambda: _layers(model))
    return recorder.save(save)


def _initial(model, x, y, fit_args):
    """The model's weights before its first update: the model itself when it has weights
    already (recording continues from them), else a copy that drew them as the model will."""
    if hasattr(model, "coefs_"):
        return model
    import sklearn
    probe = copy.deepcopy(model)   # a RandomState instance is copied with it, untouched
    probe.set_params(solver="sgd", learning_rate_init=0.0, momentum=0.0, alpha=0.0,
                     learning_rate="constant", verbose=False)
    state = np.random.get_state()   # random_state=None draws from NumPy's global generator
    try:
        with sklearn.config_context(skip_parameter_validation=True):   # a learning rate of 0
            probe.partial_fit(x, y, **fit_args)
    finally:
        np.random.set_state(state)
    return probe


def _layers(model) -> list[tuple]:
    hidden, out = model.activation, model.out_activation_
    for name in (hidden, out):
        if name not in ACTIVATIONS:
            raise UsageError(f"activation {name!r} is not recorded; nnviz draws "
                             f"{', '.join(ACTIVATIONS)}")
    n = len(model.coefs_)
    return [(w, b, ACTIVATIONS[out if i == n - 1 else hidden])
            for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_))]
