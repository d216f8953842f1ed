"""scikit-learn's MLPClassifier and MLPRegressor recorded epoch by epoch (nnviz.record_sklearn),
against nnviz's own training from the same initial weights (full-batch plain SGD).

scikit-learn is in the test extra: CI runs these for real, never skipped."""
import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

import nnviz
from nnviz import UsageError
from nnviz.record.sklearn_mlp import _initial, _layers
from test_record import LR, STEPS, assert_same_training, nnviz_log, split


def plain_sgd(cls, lr, **options):
    """Full-batch plain gradient descent (84 training points), no L2, no shuffling."""
    return cls(hidden_layer_sizes=(3,), activation="tanh", solver="sgd", learning_rate_init=lr,
               momentum=0.0, nesterovs_momentum=False, alpha=0.0, shuffle=False, batch_size=84,
               random_state=0, **options)


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_recorded_sklearn_training_is_nnviz_own(tmp_path, kind):
    """Same weights, losses, predictions, gradients and updates as nnviz trains, within 1e-8.

    scikit-learn halves the squared error, so its learning rate is twice nnviz's for the
    same steps; its log-loss of a logistic output is nnviz's binary cross-entropy."""
    xt, yt, xv, yv, mean, std = split(tmp_path, kind)
    classify = kind == "classification"
    cls, lr = (MLPClassifier, LR) if classify else (MLPRegressor, 2 * LR)
    y, y_val = (yt[:, 0].astype(int), yv[:, 0].astype(int)) if classify else (yt[:, 0], yv[:, 0])
    model = plain_sgd(cls, lr)
    fit_args = {"classes": [0, 1]} if classify else {}
    initial = [(w.copy(), b.copy(), act) for w, b, act in _layers(_initial(
        plain_sgd(cls, lr), (xt - mean) / std, y, fit_args))]
    recorded = nnviz.record_sklearn(model, xt, y, epochs=STEPS, x_val=xv, y_val=y_val,
                                    x_mean=mean, x_std=std, save=tmp_path / "sk.npz")
    own = nnviz_log(tmp_path, kind, initial)
    assert recorded.meta["options"]["lr"] == LR and recorded.meta["options"]["optimizer"] == "sgd"
    assert_same_training(recorded, own)
    # what scikit-learn itself learned is what the log holds last
    np.testing.assert_allclose(recorded["param/2.W"][-1], model.coefs_[1].astype(np.float32),
                               rtol=0, atol=0)


@pytest.mark.parametrize("random_state", [0, None, "instance"])
def test_recording_never_changes_what_is_learned(tmp_path, random_state):
    """The same coefs_ with and without recording (the initial weights drawn by a copy from
    the same random state, put back), mini-batches, shuffling and Adam included."""
    xt, yt, xv, yv, _, _ = split(tmp_path, "classification")
    y, y_val = yt[:, 0].astype(int), yv[:, 0].astype(int)

    def model():
        state = np.random.RandomState(3) if random_state == "instance" else random_state
        return MLPClassifier((4, 3), solver="adam", batch_size=16, random_state=state,
                             learning_rate_init=0.01)
    coefs = []
    for record in (False, True):
        np.random.seed(5)   # random_state=None draws from here
        m = model()
        if record:
            nnviz.record_sklearn(m, xt, y, epochs=5, x_val=xv, y_val=y_val,
                                 save=tmp_path / "adam.npz")
        else:
            for _ in range(5):
                m.partial_fit(xt, y, classes=[0, 1])
        coefs.append([c.copy() for c in m.coefs_ + m.intercepts_])
    for a, b in zip(*coefs):
        np.testing.assert_array_equal(a, b)


def test_unrecordable_models_are_refused_before_training(tmp_path):
    x, y = np.random.default_rng(0).normal(size=(8, 2)), np.array([0, 1] * 4)
    cases = [(MLPClassifier(solver="lbfgs"), "solver 'lbfgs' has no partial_fit"),
             (MLPClassifier(early_stopping=True), "early_stopping=True"),
             (MLPRegressor(loss="poisson"), "loss 'poisson' is not recorded"),
             (MLPClassifier(), "the boundary panel cannot show a network of 3 inputs")]
    for model, message in cases:
        xs = np.hstack([x, x[:, :1]]) if "3 inputs" in message else x
        with pytest.raises(UsageError, match=message):
            nnviz.record_sklearn(model, xs, y, epochs=2, x_val=xs, y_val=y, panels="boundary,loss",
                                 save=tmp_path / "no.npz")
        assert not hasattr(model, "coefs_")   # never trained
    assert not (tmp_path / "no.npz").exists()
