"""`nnviz compare` with lists of the network knobs (nnviz.learn.comparison.LISTS): one run per
value, labelled and logged; one value is a knob every run shares; a `;` separates values that
are themselves comma lists (--hidden, --features)."""
import numpy as np
import pytest

import nnviz
from nnviz.learn.comparison import is_list, make_runs, split
from nnviz.learn.runs import check_set

from conftest import assert_one_line_error, run_cli, tree

FAST = ("--quick", "--formats", "webm", "--size", "320x240", "--steps", "6", "--every", "3")


def run_logs(out):
    folder = out / "xor_two_classes-compare" / "runs"
    return check_set([nnviz.load(p) for p in sorted(folder.glob("*.npz"))])


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    r = run_cli("compare", "xor_two_classes", "--activation", "relu,tanh", "--hidden", "4;8,8",
                "--out", out, *FAST)
    assert r.returncode == 0, r.stderr
    return out


def test_lists_of_knobs_make_a_grid_of_labelled_runs(grid):
    logs = run_logs(grid)
    assert [log.meta["run"]["label"] for log in logs] == [
        "hidden=4 · relu", "hidden=4 · tanh", "hidden=8,8 · relu", "hidden=8,8 · tanh"]
    assert sorted(p.name for p in (grid / "xor_two_classes-compare" / "runs").iterdir()) == [
        "hidden_4_relu.npz", "hidden_4_tanh.npz", "hidden_8_8_relu.npz", "hidden_8_8_tanh.npz"]
    assert logs[2].meta["run"]["overrides"] == {"hidden": [8, 8], "hidden_activation": "relu"}
    assert logs[0].meta["title"].endswith("· comparing hidden and activation")
    for log, (widths, act) in zip(logs, [([4], "relu"), ([4], "tanh"), ([8, 8], "relu"),
                                         ([8, 8], "tanh")]):
        layers = log.meta["architecture"]
        assert [l["n_out"] for l in layers if l["layer"] == "dense"] == [*widths, 2]
        assert {l["layer"] for l in layers if l["layer"] != "dense"} == {act}


def test_a_knob_run_equals_the_single_render_with_that_knob(grid, tmp_path):
    r = run_cli("render", "xor_two_classes", "--activation", "tanh", "--hidden", "8,8",
                "--out", tmp_path, *FAST)
    assert r.returncode == 0, r.stderr
    single = nnviz.load(tmp_path / "xor_two_classes" / "xor_two_classes.npz")
    run = nnviz.load(grid / "xor_two_classes-compare" / "runs" / "hidden_8_8_tanh.npz")
    assert run.names == single.names
    for name in single.names:
        if name != "meta":
            assert np.array_equal(run[name], single[name]), name
    assert run.meta["options"] == single.meta["options"]
    assert run.meta["architecture"] == single.meta["architecture"]


def test_one_value_is_shared_by_every_run(tmp_path):
    r = run_cli("compare", "xor_two_classes", "--batch", "8,32", "--hidden", "3",
                "--activation", "sigmoid", "--out", tmp_path, *FAST)
    assert r.returncode == 0, r.stderr
    logs = run_logs(tmp_path)
    assert [log.meta["run"]["label"] for log in logs] == ["batch=8", "batch=32"]
    assert [log.meta["options"]["batch_size"] for log in logs] == [8, 32]
    for log in logs:
        assert log.meta["run"]["overrides"] == {"batch_size": log.meta["options"]["batch_size"]}
        assert [l["layer"] for l in log.meta["architecture"]] == ["dense", "sigmoid", "dense",
                                                                   "softmax"][:len(log.meta["architecture"])]
        assert log.meta["architecture"][0]["n_out"] == 3


def test_the_api_takes_python_lists(tmp_path):
    result = nnviz.compare("xor_two_classes", features=[("x1", "x2"), ("x1", "x2", "x1x2")],
                           regularization=["l1", "l2"], reg_rate=0.01, out=tmp_path, quick=True,
                           steps=6, every=3, formats="webm", size="320x240")
    assert result.folder == tmp_path / "xor_two_classes-compare"
    logs = run_logs(tmp_path)
    assert [log.meta["run"]["label"] for log in logs] == [
        "reg=l1 · x1,x2", "reg=l1 · x1,x2,x1x2", "reg=l2 · x1,x2", "reg=l2 · x1,x2,x1x2"]
    assert [log.meta["options"]["regularization"] for log in logs] == ["l1", "l1", "l2", "l2"]
    assert {log.meta["options"]["reg_rate"] for log in logs} == {0.01}
    assert logs[1].meta["options"]["features"] == ["x1", "x2", "x1x2"]


def test_what_is_a_list():
    assert is_list("lr", "0.1") and is_list("activation", "relu,tanh")
    assert not is_list("activation", "relu") and not is_list("activation", None)
    assert is_list("hidden", "4;8,8") and not is_list("hidden", "8,8")
    assert is_list("hidden", [(4,), (8, 8)]) and not is_list("hidden", [8, 8])
    assert is_list("features", [["x1"], ["x1", "x2"]]) and not is_list("features", ["x1", "x2"])
    assert not is_list("noise", "0.1,0.2")   # not compared: a scene of one dataset's noise
    assert split({"lr": "0.1,0.2", "hidden": "8", "theme": "dark"}) == (
        {"lr": "0.1,0.2"}, {"hidden": "8", "theme": "dark"})
    assert make_runs(hidden="none;4", ratio="0.3,0.5") == {
        "hidden=none · ratio=0.3": {"hidden": (), "train_fraction": 0.3},
        "hidden=none · ratio=0.5": {"hidden": (), "train_fraction": 0.5},
        "hidden=4 · ratio=0.3": {"hidden": (4,), "train_fraction": 0.3},
        "hidden=4 · ratio=0.5": {"hidden": (4,), "train_fraction": 0.5}}


@pytest.mark.parametrize("args, message", [
    (["--activation", "relu"], "Error: give what to compare: --lr, --optimizer, --seed or a "
                               "network knob"),
    (["--hidden", "4;0"], "Error: --hidden: 0 is not a layer width"),
    (["--hidden", "4;4"], "Error: --hidden repeats '4'; give each value once"),
    (["--hidden", "4;04"], "Error: --hidden: '4' and '04' are the same value; give each value once"),
    (["--activation", "relu,relux"], "Error: --activation must be one of relu, tanh, sigmoid, "
                                     "linear, leaky_relu, got 'relux'"),
    (["--batch", "8,"], "Error: --batch '8,' has an empty item; give a list such as 8,64"),
    (["--features", "x1,x2;x1,x2,x1x2", "--panels", "boundary,landscape,loss"],
     "Error: runs with different --features train different networks, so they share no loss "
     "landscape; drop the landscape panel or --features"),
    (["--ratio", "0.3,0.5", "--panels", "boundary,landscape,loss"],
     "Error: runs with different --ratio train on different data, so they share no loss "
     "landscape; drop the landscape panel or --ratio"),
    (["--regularization", "none,l2", "--reg-rate", "0.01,0.1"],
     "Error: run 'reg=none · rate=0.01': --reg-rate needs --regularization l1 or l2"),
    (["--activation", "relu,tanh", "--hidden", "0"], "Error: --hidden: 0 is not a layer width"),
    (["--activation", "relu,tanh", "--hidden", "none"], "--activation sets the hidden layers' "
                                                        "activation"),
    (["--features", "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2;x1", "--ratio", "0.3,0.5"],
     "makes a label of 44 characters; a tile's title holds at most 32"),
])
def test_bad_knob_lists_are_one_line_exit_2(tmp_path, args, message):
    r = run_cli("compare", "xor_two_classes", *args, "--out", tmp_path, *FAST)
    assert_one_line_error(r, 2, message)
    assert tree(tmp_path) == {}
