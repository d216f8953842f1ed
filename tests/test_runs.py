"""Several runs in one scene (nnviz.learn.runs) and `nnviz compare`, through the real CLI and API."""
import numpy as np
import pytest

import nnviz
from nnviz.draw.layout import tiles
from nnviz.learn.runs import check_set

from conftest import assert_one_line_error, run_cli, tree

FAST = ("--quick", "--formats", "webm", "--size", "320x240")


def logs_in(folder):
    return check_set([nnviz.load(p) for p in sorted((folder / "runs").glob("*.npz"))])


@pytest.fixture(scope="module")
def activations(tmp_path_factory):
    out = tmp_path_factory.mktemp("act")
    r = run_cli("render", "activation_functions", "--out", out, "--steps", "12", "--every", "4", *FAST)
    assert r.returncode == 0, r.stderr
    return out / "activation_functions"


@pytest.fixture(scope="module")
def lr_compare(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp")
    r = run_cli("compare", "xor_two_classes", "--lr", "0.01,0.03", "--out", out, "--steps", "6",
                "--every", "3", *FAST)
    assert r.returncode == 0, r.stderr
    return out


def test_runs_share_data_and_initial_weights(activations):
    logs = logs_in(activations)
    assert [log.meta["run"]["label"] for log in logs] == ["sigmoid", "tanh", "ReLU", "LeakyReLU"]
    assert sorted(p.name for p in (activations / "runs").iterdir()) == \
        ["LeakyReLU.npz", "ReLU.npz", "sigmoid.npz", "tanh.npz"]
    assert not (activations / "activation_functions.npz").exists()
    first = logs[0]
    for log in logs[1:]:
        for name in ("data/x_train", "data/y_train", "data/x_val", "data/y_val"):
            assert np.array_equal(log[name], first[name])
        for name in first.names:
            if name.startswith("param/"):
                assert np.array_equal(log[name][0], first[name][0]), name   # same start
        assert log.meta["architecture"] != first.meta["architecture"]   # only the activation differs
        assert log.meta["run"]["overrides"]["activation"] != first.meta["run"]["overrides"]["activation"]
    assert not np.array_equal(logs[0]["loss/train"], logs[2]["loss/train"])


def test_a_run_log_equals_the_single_render_with_that_setting(lr_compare, tmp_path):
    r = run_cli("render", "xor_two_classes", "--lr", "0.03", "--out", tmp_path, "--steps", "6",
                "--every", "3", *FAST)
    assert r.returncode == 0, r.stderr
    single = nnviz.load(tmp_path / "xor_two_classes" / "xor_two_classes.npz")
    run = nnviz.load(lr_compare / "xor_two_classes-compare" / "runs" / "lr_0.03.npz")
    assert run.meta["run"]["set"] == "xor_two_classes-compare"
    assert "run" not in single.meta
    assert run.names == single.names
    for name in single.names:
        if name != "meta":
            assert np.array_equal(run[name], single[name]), name
    assert run.meta["options"] == single.meta["options"]


def test_loss_panel_curves_are_the_logs_and_the_poster_is_the_last_frame(lr_compare):
    import imageio.v3 as iio
    from nnviz.draw.panels.runs import RunCurves
    from nnviz.draw.runframes import RunsRenderer
    folder = lr_compare / "xor_two_classes-compare"
    logs = logs_in(folder)
    renderer = RunsRenderer(logs, (320, 240))
    for frame in renderer.frames():
        pass
    last = np.asarray(frame)[..., :3]
    curves = [p for p in renderer.panels if isinstance(p, RunCurves)]
    assert len(curves) == 2   # loss and accuracy
    for (values, line, dot), log in zip(curves[0].lines, logs):
        x, y = line.get_data()
        assert np.array_equal(x, log["step"]) and np.allclose(y, log["loss/train"])
    colours = {line.get_color() for _, line, _ in curves[0].lines}
    assert len(colours) == len(logs)
    poster = iio.imread(folder / "xor_two_classes-compare.png")
    assert np.array_equal(poster, last)


def test_from_the_runs_folder_or_the_logs_gives_the_same_poster(lr_compare, tmp_path):
    folder = lr_compare / "xor_two_classes-compare"
    before = (folder / "xor_two_classes-compare.png").read_bytes()
    r = run_cli("render", "--from", folder / "runs", "--out", tmp_path, *FAST)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "xor_two_classes-compare" / "xor_two_classes-compare.png").read_bytes() == before
    logs = sorted((folder / "runs").glob("*.npz"))
    r = run_cli("compare", "--from", logs[1], "--from", logs[0], "--out", tmp_path / "b", *FAST)
    assert r.returncode == 0, r.stderr
    made = tmp_path / "b" / "xor_two_classes-compare"
    assert (made / "xor_two_classes-compare.png").read_bytes() == before
    for log in logs:
        assert (made / "runs" / log.name).read_bytes() == log.read_bytes()


def test_shared_landscape_paths_end_at_each_runs_final_parameters(tmp_path):
    result = nnviz.compare("linear_regression", optimizer=["sgd", "adam"], out=tmp_path,
                           panels="fit,landscape,loss", steps=10, every=5, size=(320, 240),
                           formats=["webm"], hold=0)
    logs = logs_in(result.folder)
    for log in logs:   # two parameters: the plane is (w, b) itself
        final = np.array([log["param/0.W"][-1, 0, 0], log["param/0.b"][-1, 0]])
        assert np.allclose(log["landscape/path"][-1], final)
        assert np.array_equal(log["landscape/loss"], logs[0]["landscape/loss"])
    assert np.array_equal(logs[0]["landscape/path"][0], logs[1]["landscape/path"][0])
    assert "landscape/minimum" in logs[0]
    assert logs[0].meta["panels"] == ["fit", "landscape", "loss"]
    result = nnviz.compare("xor_two_classes", optimizer="sgd,adam", out=tmp_path,
                           panels="boundary,landscape,loss", steps=10, every=5, size=(320, 240),
                           formats=["webm"], hold=0)
    from nnviz.run.runtrain import trajectory
    logs = logs_in(result.folder)
    for log in logs:   # more parameters: one plane for both, paths are projections onto it
        origin, d = log["landscape/origin"], log["landscape/directions"]
        assert np.array_equal(d, logs[0]["landscape/directions"])
        theta = trajectory(log)
        expected = (theta[-1].astype(np.float64) - origin) @ d.T.astype(np.float64)
        assert np.allclose(log["landscape/path"][-1], expected, atol=1e-5)


def test_several_runs_leave_single_runs_alone(tmp_path):
    r = run_cli("render", "xor_two_classes", "--out", tmp_path, "--steps", "4", *FAST)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "xor_two_classes" / "runs").exists()
    assert "run" not in nnviz.load(tmp_path / "xor_two_classes" / "xor_two_classes.npz").meta


@pytest.mark.parametrize("args, fragment", [
    (["--lr", "0.1"], "gives one value only"),
    (["--lr", "0.1,,0.3"], "has an empty item"),
    (["--lr", "0.1,x"], "is not a number"),
    (["--optimizer", "sgd,adamw"], "unknown optimizer 'adamw'"),
    (["--seed", "0,1,2,3,4", "--lr", "0.1,0.2"], "make 10 runs"),
    (["--seed", "1,1"], "repeats"),
    ([], "give what to compare"),
    (["--seed", "0,1", "--panels", "boundary,landscape,loss"], "share no loss landscape"),
    (["--lr", "0.1,0.2", "--panels", "boundary,network,loss"], "network panel shows one run"),
])
def test_compare_errors_are_one_line(tmp_path, args, fragment):
    r = run_cli("compare", "xor_two_classes", *args, "--out", tmp_path, *FAST)
    assert_one_line_error(r, 2, fragment)
    assert tree(tmp_path) == {}


RUNS_SCENE = '''
from nnviz import Scene, data, nn

class Runs(Scene):
    name = "runs_scene"
    steps = 4
    panels = ("fit", "loss")
    width = 4
    runs = {RUNS}

    def dataset(self, rng):
        return data.noisy_linear(rng, n=40)

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, self.width, n_out], "tanh", rng=rng)
'''


@pytest.mark.parametrize("runs, fragment", [
    ('{"a": {"depth": 3}, "b": {}}', "'depth' is not an attribute of the scene"),
    ('{"a": {"steps": 3}, "b": {}}', "cannot change 'steps'"),
    ('{"a": {"width": "wide"}, "b": {}}', "width = 'wide' is not allowed"),
    ('{"a": {"lr": -1.0}, "b": {}}', "(in run 'a')"),
    ('{"only": {}}', "2 to 9 runs"),
    ('{f"r{i}": {"width": i + 1} for i in range(10)}', "2 to 9 runs"),
    ('{"a b": {}, "a_b": {"width": 3}}', "make the same file name"),
    ('{"x" * 40: {}, "b": {}}', "is not allowed (1 to 32"),
    ('{"a": {"seed": -1}, "b": {}}', "seed must be a whole number"),
])
def test_bad_runs_in_a_scene_are_one_line(scene_file, tmp_path, runs, fragment):
    path = scene_file(RUNS_SCENE.replace("{RUNS}", runs))
    r = run_cli("render", path, "--out", tmp_path / "out", *FAST)
    assert_one_line_error(r, 2, fragment)
    assert tree(tmp_path / "out") == {}


def test_from_logs_of_different_sets_is_refused(lr_compare, activations, tmp_path):
    a = next((lr_compare / "xor_two_classes-compare" / "runs").glob("*.npz"))
    b = next((activations / "runs").glob("*.npz"))
    r = run_cli("render", "--from", a, "--from", b, "--out", tmp_path, *FAST)
    assert_one_line_error(r, 2, "belongs to another set of runs")
    r = run_cli("render", "--from", a, "--from", a, "--out", tmp_path, *FAST)
    assert_one_line_error(r, 2, "are the same run")


def test_tiles_table():
    assert tiles(4, 800, 650) == (2, 2)
    assert tiles(9, 800, 650) == (3, 3)
    assert tiles(2, 900, 400) == (1, 2)
    assert tiles(3, 892, 650) == (2, 2)
    assert tiles(3, 400, 650, 1.5) == (3, 1)
    assert tiles(6, 900, 600) == (2, 3)


def test_train_refuses_a_scene_of_several_runs(tmp_path):
    r = run_cli("train", "activation_functions", "--out", tmp_path)
    assert_one_line_error(r, 2, "holds several runs", "nnviz render activation_functions")
    assert tree(tmp_path) == {}


def test_runs_are_the_same_whatever_the_number_of_jobs(lr_compare, tmp_path):
    r = run_cli("compare", "xor_two_classes", "--lr", "0.01,0.03", "--out", tmp_path, "--steps",
                "6", "--every", "3", "--jobs", "1", *FAST)
    assert r.returncode == 0, r.stderr
    made = tmp_path / "xor_two_classes-compare"
    assert tree(made / "runs") == tree(lr_compare / "xor_two_classes-compare" / "runs")
    assert (made / "xor_two_classes-compare.png").read_bytes() == \
        (lr_compare / "xor_two_classes-compare" / "xor_two_classes-compare.png").read_bytes()


def test_a_new_set_replaces_the_old_runs_all_at_once(lr_compare, tmp_path):
    import shutil
    out = tmp_path / "out"
    shutil.copytree(lr_compare, out)
    r = run_cli("compare", "xor_two_classes", "--optimizer", "sgd,adam", "--out", out, "--steps",
                "4", *FAST)
    assert r.returncode == 0, r.stderr
    folder = out / "xor_two_classes-compare"
    assert sorted(p.name for p in (folder / "runs").iterdir()) == ["adam.npz", "sgd.npz"]
    r = run_cli("check", folder)
    assert r.returncode == 0, r.stderr
