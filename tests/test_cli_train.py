"""`nnviz list` and `nnviz train` through the real CLI."""
import numpy as np

import nnviz

from conftest import TINY_SCENE, assert_one_line_error, run_cli, tree


def test_list_names_every_builtin_scene():
    r = run_cli("list")
    assert r.returncode == 0
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == ["activation_functions", "artificial_neuron", "gradient_descent",
                     "linear_regression", "non_linear_regression_leaky_relu",
                     "non_linear_regression_tanh", "xor_function_regression", "xor_two_classes"]
    assert "softmax" not in r.stdout.splitlines()[1] and "classifier" in r.stdout


def test_help_and_version():
    assert run_cli("--help").returncode == 0
    r = run_cli("--version")
    from importlib.metadata import version
    assert r.returncode == 0 and r.stdout.strip() == f"nnviz, version {nnviz.__version__}"
    assert nnviz.__version__ == version("nnviz") == "0.2.0"   # one number: nnviz/version.py


def test_train_writes_log_and_prints_losses(tmp_path):
    r = run_cli("train", "xor_two_classes", "--steps", "30", "--every", "10", "--seed", "2",
                "--lr", "0.02", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "final loss train" in r.stdout and "validation accuracy" in r.stdout
    log = np.load(tmp_path / "xor_two_classes" / "xor_two_classes.npz")
    assert log["step"].tolist() == [0, 10, 20, 30]


def test_train_user_scene_file(tmp_path, scene_file):
    r = run_cli("train", scene_file(TINY_SCENE), "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "tiny" / "tiny.npz").is_file()


def test_bad_train_input(tmp_path, scene_file):
    cases = [
        (["train", "xor_tw_classes"], 2, "unknown scene 'xor_tw_classes'; did you mean xor_two_classes?"),
        (["train", "nope.py"], 2, "scene file nope.py does not exist"),
        (["train", scene_file("x = 1\n", "empty.py")], 2, "defines no scene"),
        (["train", scene_file("import nnviz\n\n1 / 0\n", "boom.py")], 2, "boom.py:3: ZeroDivisionError: division by zero"),
        (["train", scene_file("def f(:\n", "syntax.py")], 2, "syntax.py:1: SyntaxError"),
        (["train", "xor_two_classes", "--steps", "0"], 2, "Invalid value for '--steps': 0 is not in the range 1<=x<=1000000000"),
        (["train", "xor_two_classes", "--every", "-3"], 2, "Invalid value for '--every'"),
        (["train", "xor_two_classes", "--steps", "2.5"], 2, "'2.5' is not a valid integer"),
        (["train", "xor_two_classes", "--lr", "0"], 2, "--lr': 0 must be a positive number"),
        (["train", "xor_two_classes", "--lr", "fast"], 2, "'fast' is not a number"),
    ]
    out = tmp_path / "out"
    for args, code, fragment in cases:
        assert_one_line_error(run_cli(*args, "--out", out, cwd=tmp_path), code, fragment)
    assert not out.exists()


def test_out_is_a_file(tmp_path):
    (tmp_path / "f").write_text("keep")
    r = run_cli("train", "xor_two_classes", "--steps", "2", "--out", tmp_path / "f")
    assert_one_line_error(r, 2, "is a file, not a folder")
    assert (tmp_path / "f").read_text() == "keep"


def test_divergence_exits_1_and_writes_nothing(tmp_path, scene_file):
    path = scene_file(TINY_SCENE.replace("lr = 0.05", 'lr = 1e3\n    optimizer = "sgd"').replace("steps = 8", "steps = 50"))
    before = tree(tmp_path / "out")
    r = run_cli("train", path, "--out", tmp_path / "out")
    assert_one_line_error(r, 1, "training diverged at step", "try a smaller learning rate")
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == list(before)
