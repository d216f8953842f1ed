"""Everything a user's Scene gives nnviz is checked here, before any training step.

A scene is code from a file we do not control: its methods can raise, call sys.exit(), or
return the wrong thing, and its class attributes can hold anything. Each problem becomes one
UsageError line naming the scene and the method or attribute (exit 2, like a broken scene
file), instead of a traceback from deep inside the training loop, a silent exit or a run that
"works" on a network whose outputs do not match the targets.
"""
from __future__ import annotations

import inspect
import traceback
from pathlib import Path

import numpy as np

from . import data, nn
from ..errors import UsageError

MAX_CLASSES = 127   # predicted classes are logged as int8


def _fail(scene, message: str):
    raise UsageError(f"scene {_name(scene)!r}: {message}")


def _name(scene) -> str:
    cls = scene if isinstance(scene, type) else type(scene)
    name = cls.__dict__.get("name") or getattr(cls, "name", "")
    return name if isinstance(name, str) and name else cls.__name__


def _where(scene, error: BaseException) -> str:
    """`file:line` of the deepest frame in the scene's own file, if the error passed through it."""
    try:
        source = Path(inspect.getsourcefile(scene if isinstance(scene, type) else type(scene))).resolve()
    except (TypeError, OSError):
        return ""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve() == source]
    return f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""


def _ours(scene) -> bool:
    """Is the scene one of nnviz's own (its class defined in the nnviz package)?"""
    try:
        source = Path(inspect.getsourcefile(scene if isinstance(scene, type) else type(scene)))
    except (TypeError, OSError):
        return False
    return source.resolve().is_relative_to(Path(__file__).resolve().parents[1])


def call(scene, what: str, function, *args):
    """Run a scene's own code; any exception or sys.exit() in it becomes one line. A
    UsageError of nnviz's own scenes (the data scene's "--target is not a finite number")
    already is that line, naming the option, and passes as it is."""
    try:
        return function(*args)
    except SystemExit as e:
        _fail(scene, f"{what} called sys.exit({'' if e.code is None else repr(e.code)})"
                     f"{_where(scene, e)}; a scene must return its result, not exit")
    except Exception as e:
        if isinstance(e, UsageError) and _ours(scene):
            raise
        text = " ".join(str(e).split())
        _fail(scene, f"{what} raised {type(e).__name__}{': ' + text if text else ''}{_where(scene, e)}")


def instantiate(cls):
    """The scene object, its attributes checked; a user's __init__ is scene code like any other."""
    scene = call(cls, "creating the scene", cls)
    check_attributes(scene)
    return scene


def _attr(scene, name: str):
    return call(scene, f"reading attribute {name}", getattr, scene, name)


def _is_int(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def check_attributes(scene) -> None:
    """The class attributes: types and ranges that do not depend on the data."""
    for name in ("steps", "every"):
        value = _attr(scene, name)
        if not _is_int(value) or value <= 0:
            _fail(scene, f"{name} must be a positive integer, got {value!r}")
        from ..settings import MAX_STEPS
        if value > MAX_STEPS:
            _fail(scene, f"{name} must be at most {MAX_STEPS:,}, got {value!r}")
    lr = _attr(scene, "lr")
    if not _is_number(lr) or not np.isfinite(lr) or lr <= 0:
        _fail(scene, f"lr must be a positive number, got {lr!r}")
    optimizer = _attr(scene, "optimizer")
    if not isinstance(optimizer, str) or optimizer not in nn.OPTIMIZERS:
        _fail(scene, f"optimizer must be one of {', '.join(nn.OPTIMIZERS)}, got {optimizer!r}")
    loss = _attr(scene, "loss")
    if loss is not None and (not isinstance(loss, str) or loss not in nn.LOSSES):
        _fail(scene, f"loss must be None (chosen from the data) or one of {', '.join(nn.LOSSES)}, "
                     f"got {loss!r}")
    size = _attr(scene, "batch_size")
    if size is not None and (not _is_int(size) or size <= 0):
        _fail(scene, f"batch_size must be None (floor(sqrt(n_train))) or a positive integer, "
                     f"got {size!r}")
    fraction = _attr(scene, "train_fraction")
    if not _is_number(fraction) or not 0 < fraction < 1:
        _fail(scene, f"train_fraction must be a number between 0 and 1 (both excluded), "
                     f"got {fraction!r}")
    from ..settings import NETWORK_CHECKS
    for name, field in (("hidden", "hidden"), ("hidden_activation", "activation"),
                        ("features", "features"), ("regularization", "regularization"),
                        ("reg_rate", "reg_rate")):
        value = _attr(scene, name)
        if value is not None or name in ("regularization", "reg_rate"):
            try:
                NETWORK_CHECKS[field](value)
            except UsageError as e:
                _fail(scene, f"{name}: {str(e).removeprefix(f'--{field} ')}")
    if not isinstance(_attr(scene, "standardize_targets"), bool):
        _fail(scene, f"standardize_targets must be True or False, "
                     f"got {scene.standardize_targets!r}")
    from ..text import text_problem
    for name in ("title", "description"):
        if not isinstance(_attr(scene, name), str):
            _fail(scene, f"{name} must be a string, got {getattr(scene, name)!r}")
        why = text_problem(getattr(scene, name), lines=name == "description")
        if why:
            _fail(scene, f"the {name} {why}; give printable text")
    why = words_problem(_attr(scene, "words"))
    if why:
        _fail(scene, why)


# the moments a scene's `words` may speak at (nnviz.story.moments finds them)
WORD_EVENTS = ("start", "descent", "slow", "plateau", "drop", "all_right", "converged",
               "diverging", "overfitting", "minimum", "dead", "saturated", "end")
MAX_WORDS = 100          # sentences a scene may give
MAX_SENTENCE = 300       # characters in one


def words_problem(words) -> str | None:
    """What is wrong with a scene's `words` (or a log's meta "words", where steps are text
    digits as JSON keys are), or None."""
    if words is None:
        return None
    if not isinstance(words, dict) or len(words) > MAX_WORDS:
        return (f"words must be a dict of at most {MAX_WORDS} entries from a moment's name or "
                f"a step to a sentence")
    from ..text import text_problem
    for key, text in words.items():
        step = (isinstance(key, int) and not isinstance(key, bool) and 0 <= key < 2 ** 53
                or isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 16)
        if not step and key not in WORD_EVENTS:
            return (f"words: {str(key)[:40]!r} is neither a step (a whole number from 0) nor "
                    f"a moment ({', '.join(WORD_EVENTS)})")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_SENTENCE:
            return (f"words[{str(key)[:40]!r}] must be a sentence of 1 to {MAX_SENTENCE} "
                    f"characters")
        why = text_problem(text)
        if why:
            return f"words[{str(key)[:40]!r}] {why}"
    return None


MAX_NAME = 100   # characters in an input's or a class's name (a CSV header's, a label's)


def names_problem(key: str, names, count: int | None = None) -> str | None:
    """What is wrong with `names` (a log's meta 'input_names' or 'class_names': one line of
    printable text each, `count` of them if given), or None."""
    from ..text import text_problem
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_CLASSES or not all(
            isinstance(n, str) and n.strip() and len(n) <= MAX_NAME for n in names):
        return (f"{key} must be a list of names of 1 to {MAX_NAME} characters, got "
                f"{str(names)[:60]!r}")
    if count is not None and len(names) != count:
        return f"{key} holds {len(names)} names for {count}"
    for n in names:
        why = text_problem(n)
        if why:
            return f"{key}: {n[:40]!r} {why}"
    return None


def dataset(scene, rng: np.random.Generator) -> data.Dataset:
    """Call `scene.dataset(rng)` and check what it returns."""
    ds = call(scene, "dataset()", scene.dataset, rng)
    bad = lambda why: _fail(scene, f"dataset() returned {why}")
    if not isinstance(ds, data.Dataset):
        bad(f"{type(ds).__name__ if ds is not None else 'None'}; "
            f"return data.Dataset(x, y, kind) with one row per sample")
    for label, a in (("x", ds.x), ("y", ds.y)):
        if not isinstance(a, np.ndarray) or a.ndim != 2 or a.shape[1] == 0:
            bad(f"{label} of shape {np.shape(a)}; x and y must be 2-D, one row per sample, "
                f"at least one column")
        if a.dtype.kind not in "fiu":
            bad(f"{label} of type {a.dtype}; x and y must hold numbers")
    if len(ds.x) != len(ds.y):
        bad(f"{len(ds.x)} rows of x but {len(ds.y)} rows of y; give one row of each per sample")
    if len(ds.x) < 2:
        bad(f"{len(ds.x)} samples; at least 2 are needed (one to train on, one to validate)")
    for label, a in (("x", ds.x), ("y", ds.y)):
        broken = ~np.isfinite(a)
        if broken.any():
            row = int(np.argwhere(broken)[0][0])
            what = "NaN" if np.isnan(a[row]).any() else "infinite values"
            _fail(scene, f"the data holds {what} ({label} row {row} of {len(a)}, from dataset()); "
                         f"remove or replace those samples")
    if ds.kind == "classification":
        classes = ds.y.shape[1]
        zero_one = np.isin(ds.y, (0, 1)).all()
        one_hot = zero_one and (ds.y.sum(axis=1) == 1).all()
        if not (classes == 1 and zero_one) and (classes < 2 or classes > MAX_CLASSES or not one_hot):
            bad(f"classification targets that are not one-hot rows of 2 to {MAX_CLASSES} classes "
                f"nor one 0/1 column (y has shape {ds.y.shape}); build y with "
                f"np.eye(n_classes)[labels], or labels[:, None] for two classes and one output")
    return ds


def split(scene, ds: data.Dataset, rng: np.random.Generator):
    """`data.split` of the scene's data, once both parts hold at least 2 samples."""
    n, fraction = len(ds), scene.train_fraction
    if n < data.fewest_samples(fraction):
        cut = data.train_size(n, fraction)
        _fail(scene, f"dataset() returned {n} samples, split {cut} to train and {n - cut} to "
                     f"validate with train_fraction (--ratio) {fraction:g}; each part needs at "
                     f"least 2: give at least {data.fewest_samples(fraction)} samples")
    return data.split(ds, rng, fraction)


def loss_name(scene, ds: data.Dataset) -> str:
    """The scene's loss, or the one its data calls for; it must suit the data.

    Classes as one 0/1 column are two classes answered by one probability: binary
    cross-entropy; one-hot rows: softmax cross-entropy on logits."""
    binary = ds.kind == "classification" and ds.y.shape[1] == 1
    default = ("binary_cross_entropy" if binary else "softmax_cross_entropy"
               if ds.kind == "classification" else "mse")
    name = scene.loss or default
    if name == "softmax_cross_entropy" and ds.kind != "classification":
        _fail(scene, "loss 'softmax_cross_entropy' needs classification data but dataset() "
                     "returned regression data; use loss = 'mse' or one-hot classes")
    if name == "softmax_cross_entropy" and binary:
        _fail(scene, "loss 'softmax_cross_entropy' needs one-hot classes but dataset() returned "
                     "one 0/1 column; use loss = None (binary cross-entropy) or build y with "
                     "np.eye(2)[labels]")
    if name == "binary_cross_entropy" and not binary:
        _fail(scene, "loss 'binary_cross_entropy' needs two classes as one 0/1 column "
                     "(classification data, y = labels[:, None]); use loss = None for the default")
    return name


def check_probability_output(scene, net: nn.Sequential, loss: str) -> None:
    """Binary cross-entropy takes probabilities: the network must end in a sigmoid."""
    if loss == "binary_cross_entropy" and not isinstance(net.layers[-1], nn.Sigmoid):
        _fail(scene, "loss 'binary_cross_entropy' needs a network whose last layer is a sigmoid "
                     "(its output is P(class 1)); end model() with nn.Sigmoid(), "
                     "e.g. nn.mlp(sizes, 'tanh', output='sigmoid')")


def model(scene, rng: np.random.Generator, ds: data.Dataset) -> nn.Sequential:
    """Call `scene.model(rng, n_in, n_out)` and check the network fits the data."""
    n_in, n_out = ds.x.shape[1], ds.y.shape[1]
    net = call(scene, "model()", scene.model, rng, n_in, n_out)
    if not isinstance(net, nn.Sequential):
        _fail(scene, f"model() returned {type(net).__name__ if net is not None else 'None'}; "
                     f"return an nn.Sequential (nn.mlp builds one)")
    targets = "classes" if ds.kind == "classification" else "target columns"
    if n_out == 1:
        targets = targets[:-1]
    fix = "build it from the n_in and n_out that model() receives"
    if not any(isinstance(layer, nn.Dense) for layer in net.layers):
        _fail(scene, "model() returned a network without a Dense layer; it has nothing to train")
    if net.n_in != n_in:
        _fail(scene, f"model() returned a network with {net.n_in} inputs, but the data has "
                     f"{n_in} input column{'s' if n_in > 1 else ''}; {fix}")
    if net.n_out != n_out:
        _fail(scene, f"model() returned a network with {net.n_out} outputs, but the data has "
                     f"{n_out} {targets}; {fix}")
    with np.errstate(all="ignore"):
        out = call(scene, "the network from model()", net, ds.x[:2].astype(np.float64))
    if not isinstance(out, np.ndarray) or out.shape != (min(2, len(ds.x)), n_out):
        _fail(scene, f"the network from model() gives outputs of shape {np.shape(out)} for "
                     f"{min(2, len(ds.x))} samples, not one row of {n_out} {targets} each; {fix}")
    return scene.network(net, rng)


def batch_size(scene, n_train: int) -> int:
    """The mini-batch size: the scene's, which must fit in the training set, or the default."""
    size = scene.batch_size
    if size is None:
        return data.batch_size(n_train)
    given = getattr(scene, "given_knobs", ())
    if size > n_train and "batch" in given:   # the user's --batch, not the scene's code
        share = (f"--ratio {scene.train_fraction:g}" if "ratio" in given else
                 f"{scene.train_fraction:g} of them for training")
        raise UsageError(f"--batch {size} is larger than the training set of {scene.name} "
                         f"({n_train} samples with {share}); give --batch {n_train} or less, "
                         f"or leave it out for the default ({data.batch_size(n_train)})")
    if size > n_train:
        _fail(scene, f"batch_size {size} is larger than the training set ({n_train} samples "
                     f"with train_fraction {scene.train_fraction:g}); use at most {n_train}, "
                     f"or None for the default")
    return int(size)
