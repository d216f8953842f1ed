"""Your data, no code (issue 23, section 1): Playground's datasets, CSV files and formulas
given to `nnviz render --data/--target`, and every bad input as one line, exit 2, nothing
written."""
import numpy as np
import pytest

from nnviz.errors import UsageError
from nnviz.learn import formula, playground
from nnviz.learn.csvdata import load
from nnviz.learn.datascene import DataScene

from conftest import assert_one_line_error, run_cli


@pytest.mark.parametrize("name", playground.NAMES)
def test_datasets_shapes_labels_and_seeds(name):
    a = playground.MAKERS[name](np.random.default_rng(3), 500, 0.1)
    b = playground.MAKERS[name](np.random.default_rng(3), 500, 0.1)
    np.testing.assert_array_equal(a.x, b.x)
    assert a.x.shape == (500, 2)
    if name in playground.CLASSIFY:
        assert a.kind == "classification" and a.y.shape == (500, 2)
        assert set(a.labels) == {0, 1}
    else:
        assert a.kind == "regression" and a.y.shape == (500, 1)
        assert np.abs(a.y).max() <= 1.32   # (6 + 6 + 2 x 0.6 noise) / 10 at most


def test_dataset_labels_follow_playground_rules_without_noise():
    rng = np.random.default_rng(0)
    c = playground.circle(rng, 400, 0.0)
    r = np.hypot(c.x[:, 0], c.x[:, 1])
    assert ((r < 2.5) == (c.labels == 1)).all() and not ((r > 2.5) & (r < 3.5)).any()
    x = playground.xor(rng, 400, 0.0)
    assert ((x.x[:, 0] * x.x[:, 1] >= 0) == (x.labels == 1)).all()
    assert (np.abs(x.x) >= 0.3).all()
    p = playground.plane(rng, 400, 0.0)
    np.testing.assert_allclose(p.y[:, 0], p.x.sum(axis=1) / 10)


def write(tmp_path, text, name="data.csv", raw=False):
    path = tmp_path / name
    path.write_bytes(text if raw else text.encode())
    return path


def test_csv_header_bom_crlf_quotes_and_classes(tmp_path):
    path = write(tmp_path, b'\xef\xbb\xbfa,"b, quoted",kind\r\n1,2,cat\r\n"3",4,dog\r\n5,6,cat\r\n'
                           b'7,8.5,dog\r\n', raw=True)
    ds, inputs, target, classes = load(path)
    assert inputs == ["a", "b, quoted"] and target == "kind" and classes == ["cat", "dog"]
    np.testing.assert_array_equal(ds.x, [[1, 2], [3, 4], [5, 6], [7, 8.5]])
    np.testing.assert_array_equal(ds.labels, [0, 1, 0, 1])


def test_csv_without_header_floats_are_regression_and_target_column(tmp_path):
    ds, inputs, target, classes = load(write(tmp_path, "1,0.5\n2,1.5\n3,2.5\n4,3.25\n"))
    assert ds.kind == "regression" and classes is None and inputs == ["column 1"]
    ds, *_ = load(write(tmp_path, "y,x\n0,1\n1,2\n0,3\n1,4\n"), target_column="y")
    np.testing.assert_array_equal(ds.x[:, 0], [1, 2, 3, 4])
    assert ds.kind == "classification"
    ds, *_ = load(write(tmp_path, "x,y\n1,0\n2,1\n3,0\n4,1\n"), task="regression")
    assert ds.kind == "regression"


@pytest.mark.parametrize("text, message", [
    ("", "data.csv: the file is empty"),
    ("a,b,y\n1,2,x\n3,4,x\n5,6,x\n7,8,x\n", "holds one class ('x'); give at least 2"),
    ("a,b,y\n1,2,0.5\n3,nan,1.5\n5,6,2.5\n7,8,3.5\n", "data.csv line 3, column 2: 'nan' is not a finite number"),
    ("a,b,y\n1,2,0\n3,4\n5,6,1\n7,8,1\n", "data.csv line 3: 2 fields where the header has 3"),
    ("a,y\n" + "".join(f"{i},c{i}\n" for i in range(11)), "holds 11 classes; at most 10"),
    ("a,b,y\n1,2,0.5\n1,4,1.5\n1,6,2.5\n1,8,3.5\n", "column 1 (a) holds one value (1) in every row"),
    ("a,b,y\n1,2,0.5\n3,oops,1.5\n5,6,2.5\n7,8,3.5\n", "data.csv line 3, column 2: 'oops' is not a number"),
    ("a,b,y\n1,2,0.5\n3,1_000,1.5\n5,6,2.5\n7,8,3.5\n", "data.csv line 3, column 2: '1_000' is not a number"),
    ("a,b,y\n1,2,0.5\n3,4,1.5\n5,\u0663,2.5\n7,8,3.5\n", "data.csv line 4, column 2: '\u0663' is not a number"),
    ("a,b,y\n1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,1_0.5\n", "data.csv line 5, column 3: '1_0.5' is not a number"),
    ("a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,3,2,1\n", "has 3 input columns; nnviz draws one or two"),
])
def test_bad_csv_is_one_line_exit_2_nothing_written(tmp_path, text, message):
    path = write(tmp_path, text)
    r = run_cli("render", "--data", path, "--out", tmp_path / "o", "--quick")
    assert_one_line_error(r, 2, message)
    assert not (tmp_path / "o").exists()


def test_formula_values_and_refusals():
    tree, inputs = formula.parse("sin(3*x) + 0.1*x**2 - abs(-x)/2")
    x = np.array([[0.5], [-2.0]])
    np.testing.assert_allclose(formula.evaluate(tree, x)[:, None],
                               np.sin(3 * x) + 0.1 * x ** 2 - np.abs(-x) / 2)
    assert inputs == 1 and formula.parse("x1 * exp(-x2)")[1] == 2
    with pytest.raises(UsageError, match=r"^--target: column 12: 'foo' is not a known name; "
                                         r"use x, x1, x2 or sin, cos"):
        formula.parse("sin(3*x) + foo")
    for evil in ('__import__("os").system("true")', "x.real", "[x]", "x if x else 1",
                 "(lambda: x)()", "x @ x", "x < 1", '"a"'):
        with pytest.raises(UsageError, match="^--target"):
            formula.parse(evil)


def test_cli_data_and_target_render(tmp_path):
    r = run_cli("render", "--data", "xor", "--quick", "--formats", "mp4", "--out", tmp_path, "-q")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "xor" / "xor.mp4").exists()
    r = run_cli("render", "--target", "sin(3*x)", "--name", "wave", "--quick", "--formats", "mp4",
                "--noise", "0.2", "--hidden", "12", "--out", tmp_path, "-q")
    assert r.returncode == 0, r.stderr
    from nnviz.log.snapshots import SnapshotLog
    log = SnapshotLog(tmp_path / "wave" / "wave.npz")
    assert log.meta["options"]["noise"] == 0.2 and log.meta["panels"][0] == "fit"


@pytest.mark.parametrize("args, message", [
    (["xor_two_classes", "--data", "circle"], "give no scene name"),
    (["--data", "moons"], "not a built-in dataset nor a .csv file; choose from circle"),
    (["--data", "nope.csv"], "no such file"),
    (["--target", "x +* 2"], "--target: column"),
    (["--target", "log(x)"], "Error: --target: not a finite number at x = -3 (inputs span -3 "
                             "to 3); give a formula defined there"),
    (["--target", "1/x"], "Error: --target: not a finite number at x = 0 "),
    (["--target", "1/(x-0.1234)"], "Error: --target: jumps by 7.5e+04 near x = 0.1234 (a pole?); "
                                   "give a formula continuous on -3 to 3"),
    (["--target", "tan(x)"], "Error: --target: jumps by 2.9e+05 near x = -1.571 (a pole?)"),
    (["--target", "1/(x1-0.1)*x2"], "Error: --target: jumps by 1.13e+03 near x = 0.102, -3 "),
    (["--data", "circle", "--target", "x"], "not both"),
    (["--data", "circle", "--task", "regression"], "are for a CSV file"),
    (["--name", "x"], "go with --data or --target"),
])
def test_cli_data_refusals(tmp_path, args, message):
    r = run_cli("render", *args, "--out", tmp_path / "o", "--quick")
    assert_one_line_error(r, 2, message)
    assert not (tmp_path / "o").exists()


def test_data_scene_is_deterministic(tmp_path):
    from nnviz.log.record import train
    a = train(DataScene("spiral"), tmp_path / "a.npz", steps=5, every=5, seed=4)
    b = train(DataScene("spiral"), tmp_path / "b.npz", steps=5, every=5, seed=4)
    np.testing.assert_array_equal(a["loss/train"], b["loss/train"])
    np.testing.assert_array_equal(a["data/x_train"], b["data/x_train"])


@pytest.mark.parametrize("rows, ratio, fewest", [(4, None, 6), (5, None, 6), (6, "0.9", 16),
                                                 (15, "0.1", 15)])
def test_too_few_rows_for_the_ratio_is_one_line(tmp_path, rows, ratio, fewest):
    """Both the training and the validation set keep 2 rows or more; the least is said for the
    --ratio given (a blank line is no row)."""
    text = "a,b,y\n" + "".join(f"{i},{i * i % 7},{i % 2}\n" + ("\n" if i == 1 else "")
                               for i in range(rows - (rows == 15)))
    path = write(tmp_path, text)
    r = run_cli("render", "--data", path, *(["--ratio", ratio] if ratio else []),
                "--out", tmp_path / "o", "--quick")
    n = rows - (rows == 15)
    assert_one_line_error(r, 2, f"Error: data.csv: {n} data rows are too few to keep 2 for "
                                f"training and 2 for validation with --ratio "
                                f"{ratio or '0.7'}; give at least {fewest} rows")
    assert not (tmp_path / "o").exists()


def test_fewest_rows_render_and_any_scene_is_checked(tmp_path):
    from nnviz.learn import data
    assert [data.fewest_samples(r) for r in (0.1, 0.5, 0.7, 0.9)] == [15, 4, 6, 16]
    for r in (0.1, 0.3, 0.5, 0.7, 0.9):   # the least is enough, one fewer is not
        n = data.fewest_samples(r)
        assert min(data.train_size(n, r), n - data.train_size(n, r)) >= 2
        assert min(data.train_size(n - 1, r), n - 1 - data.train_size(n - 1, r)) < 2
    path = write(tmp_path, "a,b,y\n" + "".join(f"{i},{i * i % 7},{i % 2}\n" for i in range(6)))
    r = run_cli("render", "--data", path, "--quick", "--formats", "mp4", "--out", tmp_path, "-q")
    assert r.returncode == 0, r.stderr
    from nnviz.learn import scene_checks
    from nnviz.learn.scene import Scene

    class Tiny(Scene):
        name = "tiny"
        train_fraction = 0.9

        def dataset(self, rng):
            return data.Dataset(np.arange(10.0)[:, None], np.arange(10.0)[:, None], "regression")
    with pytest.raises(UsageError, match=r"^scene 'tiny': dataset\(\) returned 10 samples, split "
                                         r"9 to train and 1 to validate with train_fraction "
                                         r"\(--ratio\) 0.9; each part needs at least 2: give "
                                         r"at least 16 samples$"):
        scene_checks.split(Tiny(), Tiny().dataset(None), np.random.default_rng(0))


@pytest.mark.parametrize("text", ["sin(3*x) + 0.1*x**2", "exp(3*x)", "sqrt(abs(x))", "sin(30*x)",
                                  "x1*exp(-x2)", "exp(-(x1**2 + x2**2))", "0*x"])
def test_continuous_formulas_are_not_taken_for_poles(text):
    tree, inputs = formula.parse(text)
    formula.check(tree, inputs, 3.0)


def test_csv_numbers_are_plain_ascii_and_minus_zero_is_zero(tmp_path):
    """float() takes '1_000' and Arabic-Indic digits; the README's numbers do not. '-0' is 0."""
    ds, *_ = load(write(tmp_path, "a,b,y\n-0,2,0.5\n3,-0.0,1.5\n5,6,2.5\n7,8e0,3.5\n+1,.5,-0\n"))
    np.testing.assert_array_equal(ds.x, [[0, 2], [3, 0], [5, 6], [7, 8], [1, 0.5]])
    np.testing.assert_array_equal(ds.y[:, 0], [0.5, 1.5, 2.5, 3.5, 0])
    assert ds.kind == "regression"


def test_csv_column_and_class_names_reach_the_panels(tmp_path):
    """Axes say the CSV's columns, the legend and colour bar its classes (P(virginica)); a
    '$' in a name is text, not mathematics; a log whose names do not fit is refused."""
    from nnviz.draw.frames import FrameRenderer
    from nnviz.log.record import train
    from nnviz.log.snapshots import SnapshotLog
    rng = np.random.default_rng(1)
    rows = "".join(f"{a + 5:.2f},{b + 4:.2f},{'setosa' if a * a + b * b < 1 else 'virginica'}\n"
                   for a, b in rng.normal(size=(60, 2)))
    path = write(tmp_path, "width $cm,length cm,species\n" + rows)
    train(DataScene(str(path)), tmp_path / "n.npz", steps=2, every=1)
    log = SnapshotLog(tmp_path / "n.npz")
    assert log.meta["input_names"] == ["width $cm", "length cm"]
    assert log.meta["class_names"] == ["setosa", "virginica"]
    fig = FrameRenderer(log, (640, 480)).figure
    texts = {t.get_text() for ax in fig.axes for t in ax.findobj(lambda o: hasattr(o, "get_text"))}
    plane = next(ax for ax in fig.axes if ax.get_xlabel())
    assert (plane.get_xlabel(), plane.get_ylabel()) == (r"width \$cm", "length cm")
    assert "P(virginica)" in texts and "setosa, virginica" in texts
    numbers = write(tmp_path, "a,b,y\n" + "".join(f"{i},{i * i % 7},{i % 2}\n" for i in range(8)),
                    name="numbers.csv")
    assert DataScene(str(numbers)).class_names == ["class 0", "class 1"]
    from nnviz.learn.scene_checks import names_problem
    assert names_problem("class_names", ["a"], 2) == "class_names holds 1 names for 2"
    assert "must be a list" in names_problem("input_names", "ab")
    assert names_problem("input_names", ["a\x07", "b"]) == \
        "input_names: 'a\\x07' holds the control character '\\x07'"
