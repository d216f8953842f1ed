"""Keras 3 trainings recorded by a callback (nnviz.KerasRecorder, on the JAX backend), against
nnviz's own training from the same initial weights: within 1e-4, Keras computing in float32.

keras and jax are in the test extra: CI runs these for real, never skipped."""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnviz  # noqa: E402
from nnviz import UsageError  # noqa: E402
from test_record import LR, STEPS, nnviz_log, split  # noqa: E402

# Keras 3.15 on JAX copies its arrays with NumPy 1's __array__ protocol (its own warning)
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def model_of(initial, last, loss):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1, activation=last)])
    for layer, (w, b, _) in zip(model.layers, initial):
        layer.set_weights([w.astype(np.float32), b.astype(np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR), loss=loss)
    return model


@pytest.mark.parametrize("kind, last, loss", [
    ("classification", "sigmoid", "binary_crossentropy"),
    ("classification", "linear", keras.losses.BinaryCrossentropy(from_logits=True)),
    ("regression", "linear", "mse")])
def test_recorded_keras_training_is_nnviz_own(tmp_path, kind, last, loss):
    xt, yt, xv, yv, mean, std = split(tmp_path, kind)
    rng = np.random.default_rng(2)
    initial = [(rng.normal(size=(2, 3)), rng.normal(size=3), "tanh"),
               (rng.normal(size=(3, 1)), rng.normal(size=1),
                "sigmoid" if kind == "classification" else "linear")]
    # nnviz starts from the same float32 weights Keras holds
    initial = [(w.astype(np.float32).astype(float), b.astype(np.float32).astype(float), a)
               for w, b, a in initial]
    model = model_of(initial, last, loss)
    recorder = nnviz.KerasRecorder(xt, yt, x_val=xv, y_val=yv, x_mean=mean, x_std=std)
    model.fit((xt - mean) / std, yt, batch_size=len(xt), epochs=STEPS, shuffle=False,
              verbose=0, callbacks=[recorder])
    recorded = recorder.save(tmp_path / "keras.npz")
    own = nnviz_log(tmp_path, kind, initial)
    assert recorded["step"].tolist() == own["step"].tolist()
    assert recorded.meta["architecture"] == own.meta["architecture"]
    for name in [n for n in own.names if n.startswith(("param/", "grad/"))] + [
            "loss/train", "loss/val", "output"]:
        np.testing.assert_allclose(recorded[name], own[name], rtol=0, atol=1e-4, err_msg=name)
    np.testing.assert_allclose(recorded["update/0.W"][:-1], own["update/0.W"][:-1], atol=1e-4)
    np.testing.assert_array_equal(recorded["param/2.W"][-1], model.layers[1].get_weights()[0])


def test_unrecordable_models_are_refused_before_training(tmp_path):
    x, y = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    cases = [
        (keras.Sequential([keras.Input((2,)), keras.layers.Dense(4), keras.layers.Dropout(0.5),
                           keras.layers.Dense(1)]), "mse", "layer 1 (Dropout 'dropout"),
        (keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="gelu"),
                           keras.layers.Dense(1)]), "mse", "layer 0 (Dense 'dense"),
        (keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), "mae",
         "loss 'mae' is not recorded"),
    ]
    for model, loss, message in cases:
        model.compile(optimizer="sgd", loss=loss)
        before = [w.copy() for w in model.get_weights()]
        with pytest.raises(UsageError, match=message.replace("(", r"\(")):
            model.fit(x, y, epochs=1, verbose=0,
                      callbacks=[nnviz.KerasRecorder(x, y, x_val=x, y_val=y)])
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
