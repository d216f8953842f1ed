"""A large data set (issue 23): every number is of every point, the views draw a fixed sample
of at most 2,000 training and 1,000 validation points and say so in their legend, and the log
holds predictions for the drawn points only (benchmarks/large_data.py measures the speed)."""
import io
import zipfile

import numpy as np
import pytest

from nnviz.draw.frames import FrameRenderer
from nnviz.draw.panels.base import data_points, predicted_rows, shown_note, shown_rows
from nnviz.draw.panels.plane import Boundary, Fit
from nnviz.learn.data import SHOWN, class_labels, shown
from nnviz.learn.datascene import DataScene
from nnviz.log.record import train
from nnviz.log.snapshots import load

from conftest import run_cli, tree

ROWS = 5000   # 3,500 train (2,000 shown) and 1,500 validation (1,000 shown)


def circle_csv(path, rows=ROWS):
    rng = np.random.default_rng(23)
    x = rng.uniform(-5, 5, (rows, 2))
    label = (np.hypot(x[:, 0], x[:, 1]) < 2.5).astype(int)
    path.write_text("x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{c}\n"
                                               for (a, b), c in zip(x, label)))
    return path


@pytest.fixture(scope="module")
def big_log(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return train(DataScene(str(circle_csv(folder / "circle.csv"))), folder / "circle.npz",
                 steps=40, every=10, seed=0)


def test_shown_is_an_even_fixed_sample():
    assert shown(2000, 2000) is None and shown(10, 2000) is None
    rows = shown(70_000, 2000)
    assert len(rows) == 2000 and rows[0] == 0 and rows[-1] == 69_999
    assert np.all(np.diff(rows) > 0) and set(np.diff(rows)) <= {34, 35, 36}
    np.testing.assert_array_equal(rows, shown(70_000, 2000))
    assert len(shown(2001, 2000)) == 2000


def test_the_log_holds_predictions_of_the_shown_points_and_accuracy_of_all(big_log):
    n_train, n_val = len(big_log["data/x_train"]), len(big_log["data/x_val"])
    assert (n_train, n_val) == (3500, 1500)
    np.testing.assert_array_equal(big_log["shown/train"], shown(3500, SHOWN["train"]))
    np.testing.assert_array_equal(big_log["shown/val"], shown(1500, SHOWN["val"]))
    assert big_log["predicted/train"].shape == (5, 2000)
    assert big_log["predicted/val"].shape == (5, 1000)
    for i in range(len(big_log)):   # independently: the rebuilt network on the data
        for part in ("train", "val"):
            x = big_log[f"data/x_{part}"]
            every = class_labels(big_log.predict(i, x))
            truth = class_labels(big_log[f"data/y_{part}"])
            got = big_log[f"predicted/{part}"][i]
            # float32 parameters: a point within rounding of the boundary may differ
            assert np.mean(got != every[big_log[f"shown/{part}"]]) < 0.002
            assert abs(big_log[f"accuracy/{part}"][i] - np.mean(every == truth)) < 0.002
    # the accuracy is of all 3,500 points, not the 2,000 shown: a multiple of 1/3500
    acc = float(big_log["accuracy/train"][-1]) * 3500
    assert abs(acc - round(acc)) < 1e-9


def test_boundary_draws_the_sample_says_so_and_rings_the_sample(big_log):
    renderer = FrameRenderer(big_log, (1280, 720))
    panel = next(p for p in renderer.panels if isinstance(p, Boundary))
    assert panel.ax.get_legend().get_title().get_text() == "3,000 of 5,000 points shown"
    assert [len(x) for x, _ in panel.data] == [2000, 1000]
    for i, _ in enumerate(renderer.frames()):
        want = np.concatenate([
            big_log[f"data/x_{part}"][big_log[f"shown/{part}"]][
                big_log[f"predicted/{part}"][i] != class_labels(
                    big_log[f"data/y_{part}"][big_log[f"shown/{part}"]])]
            for part in ("train", "val")])
        np.testing.assert_array_equal(panel.wrong.get_offsets(), want)
    renderer.close()


def test_a_small_set_draws_every_point_and_no_note(tmp_path):
    log = train(DataScene(str(circle_csv(tmp_path / "small.csv", 1000))), tmp_path / "s.npz",
                steps=10, every=5)
    assert "shown/train" not in log and log["predicted/train"].shape == (3, 700)
    assert shown_note(log) is None
    assert [len(x) for x, *_ in data_points(log)] == [700, 300]
    renderer = FrameRenderer(log, (640, 480))
    panel = next(p for p in renderer.panels if isinstance(p, Boundary))
    assert panel.ax.get_legend().get_title().get_text() == ""
    renderer.close()


class FullLog(dict):
    """A log of a large set with no shown/ (one written by the Recorder, or by hand)."""


def test_a_log_without_shown_is_thinned_alike_when_drawn():
    log = FullLog({"data/x_train": np.zeros((3500, 2)), "data/y_train": np.zeros((3500, 1)),
                   "data/x_val": np.zeros((800, 2)), "data/y_val": np.zeros((800, 1))})
    np.testing.assert_array_equal(shown_rows(log, "train"), shown(3500, 2000))
    np.testing.assert_array_equal(predicted_rows(log, "train"), shown(3500, 2000))
    assert shown_rows(log, "val") is None and predicted_rows(log, "val") is None
    assert shown_note(log) == "2,800 of 4,300 points shown"
    log["shown/train"] = shown(3500, 2000)
    assert predicted_rows(log, "train") is None   # predicted/ holds the shown points only


def test_a_regression_fit_draws_the_sample(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, 4000)
    path = tmp_path / "wave.csv"
    path.write_text("x,y\n" + "".join(f"{a:.4f},{np.sin(a) + 0.01 * k % 0.1:.5f}\n"
                                      for k, a in enumerate(x)))
    log = train(DataScene(str(path)), tmp_path / "w.npz", steps=10, every=5)
    assert "predicted/train" not in log and len(log["shown/train"]) == 2000
    renderer = FrameRenderer(log, (640, 480))
    panel = next(p for p in renderer.panels if isinstance(p, Fit))
    assert [len(c.get_offsets()) for c in panel.ax.collections] == [2000, 1000]
    assert panel.ax.get_legend().get_title().get_text() == "3,000 of 4,000 points shown"
    renderer.close()


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            name = item.filename[:-4]
            data = zin.read(item)
            if name in change:
                if change[name] is None:
                    continue
                buf = io.BytesIO()
                np.lib.format.write_array(buf, change[name])
                data = buf.getvalue()
            zout.writestr(item, data)
    return dst


@pytest.mark.parametrize("change, message", [
    (lambda log: {"shown/train": log["shown/train"] + 2000},
     "field 'shown/train' holds index 5499, beyond the 3500 points of 'data/x_train'"),
    (lambda log: {"shown/val": log["shown/val"][::-1].copy()},
     "field 'shown/val' is not strictly increasing"),
    (lambda log: {"shown/train": None},
     "field 'predicted/train' has 2000 points, which disagrees with the 3500 of "
     "'data/x_train' (and no 'shown/train' says which it holds)"),
    (lambda log: {"predicted/val": log["predicted/val"][:, :999]},
     "field 'predicted/val' has shape (5, 999), which disagrees with SV = 1000 "
     "(from 'shown/val')"),
], ids=["beyond", "order", "no-shown", "short"])
def test_bad_shown_fields_are_refused_in_one_line(big_log, tmp_path, change, message):
    bad = _rewrite(big_log.path, tmp_path / "bad.npz", change(big_log))
    before = tree(tmp_path)
    result = run_cli("render", "--from", str(bad), "--out", str(tmp_path / "out"), "--quick",
                     "--formats", "mp4", "-q")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and message in lines[0], lines[0]
    assert tree(tmp_path) == before
