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


def test_train_takes_data_as_render_does(tmp_path):
    """`nnviz train --data SOURCE` writes the log `render --data` trains, knobs and all; the
    log renders with --from."""
    csv = tmp_path / "points.csv"
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (60, 2))
    csv.write_text("a,b,label\n" + "".join(f"{p:.4f},{q:.4f},{'yes' if p * q > 0 else 'no'}\n"
                                           for p, q in x))
    args = ("--steps", "20", "--every", "10", "--hidden", "5", "--activation", "relu")
    r = run_cli("train", "--data", csv, *args, "--out", tmp_path / "t")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("points: 3 snapshots, final loss train")
    trained = nnviz.load(tmp_path / "t" / "points" / "points.npz")
    assert trained.meta["scene"] == "points" and trained.meta["architecture"][0]["n_out"] == 5
    r = run_cli("render", "--data", csv, *args, "--out", tmp_path / "r", "--formats", "webm",
                "--size", "320x240")
    assert r.returncode == 0, r.stderr
    rendered = nnviz.load(tmp_path / "r" / "points" / "points.npz")
    for name in trained.names:
        if name != "meta":
            assert np.array_equal(trained[name], rendered[name]), name
    r = run_cli("train", "--target", "x1 * x2", "--name", "saddle", "--steps", "5", "-q",
                "--out", tmp_path / "t")
    assert r.returncode == 0 and r.stdout == "", r.stderr
    assert nnviz.load(tmp_path / "t" / "saddle" / "saddle.npz").meta["kind"] == "regression"


def test_train_data_errors_are_one_line(tmp_path):
    for args, code, message in [
            ((), 2, "Error: give a scene name (see `nnviz list`), or --data SOURCE or --target EXPR"),
            (("xor_two_classes", "--data", "circle"), 2,
             "Error: --data and --target make their own scene: give no scene name"),
            (("--data", tmp_path / "none.csv"), 2, "none.csv: no such file; give a CSV file"),
            (("--data", "circle", "--task", "regression"), 2,
             "Error: --target-column and --task are for a CSV file given to --data"),
            (("--name", "x"), 2, "Error: --target-column, --task and --name go with --data or "
                                 "--target")]:
        r = run_cli("train", *args, "--out", tmp_path / "out")
        assert_one_line_error(r, code, message)
    assert not (tmp_path / "out").exists()
