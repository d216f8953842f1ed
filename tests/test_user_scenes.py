"""Scenes that users write: every mistake in one is one line naming the scene and the method.

Each case renders a variant of the tiny scene through the real CLI and checks the exit code,
the one-line message and that nothing was written.
"""
import pytest

from conftest import WORDS, TINY_SCENE, assert_one_line_error, run_cli, tree

QUICK = ["--quick", "--formats", "mp4"]
DATASET = "        return data.noisy_linear(rng, n=50)"
MODEL = "        return nn.Sequential([nn.Dense(n_in, n_out)], rng)"
CLASSES = "        return data.xor_classes(rng, n=40)"


def variant(dataset=None, model=None, attrs="", header=""):
    body = TINY_SCENE.replace('panels = ("fit", "loss")', 'panels = ("loss",)' + attrs)
    if dataset:
        body = body.replace(DATASET, "        import numpy as np\n        " + dataset)
    if model:
        body = body.replace(MODEL, "        " + model)
    return "import sys\n" + header + body


CASES = {
    # what dataset() returns
    "tuple": (variant("return (rng.normal(size=(50, 1)), rng.normal(size=(50, 1)))"), 2,
              "scene 'tiny': dataset() returned tuple; return data.Dataset(x, y, kind)"),
    "none": (variant("return None"), 2, "scene 'tiny': dataset() returned None"),
    "one_d": (variant("return data.Dataset(np.zeros(50), np.zeros(50), 'regression')"), 2,
              "scene 'tiny': dataset() raised ValueError: x and y must be 2-D", "my_scene.py:"),
    "zero_samples": (variant("return data.Dataset(np.zeros((0, 1)), np.zeros((0, 1)), 'regression')"), 2,
                     "scene 'tiny': dataset() raised ValueError: a dataset needs at least 2 samples, got 0"),
    "strings": (variant("return data.Dataset([['a']] * 5, [[1.0]] * 5, 'regression')"), 2,
                "scene 'tiny': dataset() raised ValueError: x must be an array of numbers"),
    "nan_x": (variant("x = rng.normal(size=(50, 1)); x[7] = np.nan\n"
                      "        return data.Dataset(x, np.ones((50, 1)), 'regression')"), 2,
              "scene 'tiny': the data holds NaN (x row 7 of 50, from dataset())"),
    "inf_y": (variant("y = rng.normal(size=(50, 1)); y[0] = np.inf\n"
                      "        return data.Dataset(rng.normal(size=(50, 1)), y, 'regression')"), 2,
              "scene 'tiny': the data holds infinite values (y row 0 of 50"),
    "not_one_hot": (variant("return data.Dataset(rng.normal(size=(40, 2)), rng.uniform(size=(40, 2)), "
                            "'classification')"), 2,
                    "scene 'tiny': dataset() returned classification targets that are not one-hot"),
    "raises": (variant("raise KeyError('column missing')"), 2,
               "scene 'tiny': dataset() raised KeyError: 'column missing' (", "my_scene.py:"),
    # what model() returns
    "model_none": (variant(model="return None"), 2,
                   "scene 'tiny': model() returned None; return an nn.Sequential"),
    "model_list": (variant(model="return [nn.Dense(n_in, n_out)]"), 2, "model() returned list"),
    "wide_output": (variant(model="return nn.Sequential([nn.Dense(n_in, 3)], rng)"), 2,
                    "scene 'tiny': model() returned a network with 3 outputs, but the data has 1 "
                    "target column"),
    "classes_output": (variant(CLASSES.strip(), model="return nn.mlp([n_in, 4, 3], 'tanh', rng=rng)"), 2,
                       "model() returned a network with 3 outputs, but the data has 2 classes"),
    "wrong_input": (variant(model="return nn.Sequential([nn.Dense(2, n_out)], rng)"), 2,
                    "model() returned a network with 2 inputs, but the data has 1 input column"),
    "no_dense": (variant(model="return nn.Sequential([nn.Tanh()])"), 2,
                 "model() returned a network without a Dense layer"),
    "model_raises": (variant(model="return nn.mlp([n_in, n_out], 'swish', rng=rng)"), 2,
                     "scene 'tiny': model() raised ValueError"),
    # class attributes
    "optimizer": (variant(attrs='\n    optimizer = "adamw"'), 2,
                  "scene 'tiny': optimizer must be one of sgd, momentum, adam, got 'adamw'"),
    "loss": (variant(attrs='\n    loss = "hinge"'), 2, "scene 'tiny': loss must be None"),
    "loss_kind": (variant(attrs='\n    loss = "softmax_cross_entropy"'), 2,
                  "loss 'softmax_cross_entropy' needs classification data"),
    "batch_too_big": (variant(attrs="\n    batch_size = 1000"), 2,
                      "scene 'tiny': batch_size 1000 is larger than the training set (35 samples"),
    "batch_zero": (variant(attrs="\n    batch_size = 0"), 2, "scene 'tiny': batch_size must be None"),
    "fraction_high": (variant(attrs="\n    train_fraction = 1.5"), 2,
                      "scene 'tiny': train_fraction must be a number between 0 and 1"),
    "fraction_one": (variant(attrs="\n    train_fraction = 1"), 2, "train_fraction must be a number"),
    "fraction_zero": (variant(attrs="\n    train_fraction = 0.0"), 2, "train_fraction must be a number"),
    "steps_text": (variant(attrs='\n    steps = "10"'), 2,
                   "scene 'tiny': steps must be a positive integer, got '10'"),
    "lr_negative": (variant(attrs="\n    lr = -1"), 2, "scene 'tiny': lr must be a positive number"),
    "title": (variant(attrs="\n    title = None"), 2, "scene 'tiny': title must be a string"),
    # scene code that exits or fails outside its methods
    "exit_in_dataset": (variant("sys.exit()"), 2,
                        "scene 'tiny': dataset() called sys.exit() (", "a scene must return its result, not exit"),
    "exit_in_model": (variant(model="sys.exit(0)"), 2, "scene 'tiny': model() called sys.exit(0)"),
    "exit_at_import": (variant(header="sys.exit(3)\n"), 2,
                       "my_scene.py:2: sys.exit() called while importing it"),
    "init_raises": (variant(attrs="\n\n    def __init__(self):\n        raise RuntimeError('no')"), 2,
                    "scene 'tiny': creating the scene raised RuntimeError: no ("),
}


@pytest.mark.parametrize("command", ["render", "train"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scene_is_one_line_and_writes_nothing(case, command, tmp_path, scene_file):
    body, code, *fragments = CASES[case]
    out = tmp_path / "out"
    path = scene_file(body)
    r = run_cli(command, path, "--out", out, *(QUICK if command == "render" else []), cwd=tmp_path)
    assert_one_line_error(r, code, *fragments)
    assert tree(out) == {}


def test_nan_is_not_called_divergence(tmp_path, scene_file):
    body = CASES["nan_x"][0]
    r = run_cli("train", scene_file(body), "--out", tmp_path / "out")
    assert "diverged" not in r.stderr and "holds NaN" in r.stderr


def test_good_variant_still_renders(tmp_path, scene_file):
    """The variants differ from a scene that works only by the mistake."""
    r = run_cli("render", scene_file(variant()), "--out", tmp_path, *QUICK, "-q")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "tiny" / "tiny.mp4").is_file()


def test_several_scenes_one_bad_fails_alone(tmp_path, scene_file):
    # distinct names: each scene has its own folder (a failed scene removes the one it made)
    bad_model = scene_file(CASES["wide_output"][0].replace('"tiny"', '"wide"'), "wide.py")
    exits = scene_file(CASES["exit_in_dataset"][0].replace('"tiny"', '"exits"'), "exits.py")
    good = scene_file(TINY_SCENE, "good.py")
    out = tmp_path / "out"
    r = run_cli("render", bad_model, "missing.py", good, exits, "--out", out, *QUICK, "-q",
                cwd=tmp_path)
    assert_one_line_error(r, 1, "Error: 3 of 4 renders failed: ")
    err = r.stderr
    # in command-line order, each naming its scene
    assert err.index("wide.py: scene 'wide': model() returned a network with 3 outputs") \
        < err.index("missing.py: scene file missing.py does not exist") \
        < err.index("exits.py: scene 'exits': dataset() called sys.exit()")
    # the gallery of the renders that succeeded (nnviz.publish.gallery)
    assert sorted(tree(out)) == ["index.html"] + sorted(f"tiny/tiny.{e}" for e in ("html", "mp4", "npz", "png", *WORDS))


def test_several_scenes_all_bad(tmp_path):
    r = run_cli("render", "nope_one", "nope_two", "--out", tmp_path / "out", *QUICK)
    assert_one_line_error(r, 1, "2 of 2 renders failed: nope_one: unknown scene 'nope_one'",
                          "nope_two: unknown scene 'nope_two'")
    assert not (tmp_path / "out").exists()
