"""The neuron scenes and panel: what is written and drawn follows the logged weights; refusals
are one line; both scenes render, decode and learn; `--panels fit,landscape,loss` everywhere."""
import numpy as np
import pytest

import nnviz
from nnviz.learn import data
from nnviz.draw.frames import FrameRenderer
from nnviz.log.record import train

from conftest import WORDS, assert_one_line_error, run_cli, tree

NEW_SCENES = ("gradient_descent", "artificial_neuron")


@pytest.fixture(scope="module")
def neuron_log(tmp_path_factory):
    return nnviz.train("artificial_neuron", tmp_path_factory.mktemp("neuron"), steps=30, every=10)


def drawn(log, size, panels, snapshots):
    """The renderer, its neuron panel (at the last snapshot given) and copies of the frames."""
    renderer = FrameRenderer(log, size, panels)
    frames = {}
    for i, buffer in enumerate(renderer.frames()):
        if i in snapshots:
            frames[i] = np.asarray(buffer).copy()
        if i == max(snapshots):   # the panel holds this snapshot's state
            break
    return renderer, next(p for p in renderer.panels if p.name == "neuron"), frames


def signed(v):
    return f"{v:.2f}".replace("-", "\u2212")


def in_data_units(log, k):
    """Snapshot k's (w, b) in the data's units, from the standardiser: y = sy·(w·(x − mx)/sx
    + b) + my with sy = 1, my = 0 when the targets were not standardised."""
    w, b = log["param/0.W"][k].ravel().astype(float), float(log["param/0.b"][k][0])
    mx, sx = log["standardizer/x_mean"], log["standardizer/x_std"]
    my, sy = (log["standardizer/y_mean"][0], log["standardizer/y_std"][0]) \
        if log.meta["standardize_targets"] else (0.0, 1.0)
    return sy * w / sx, sy * b + my - sy * np.sum(w * mx / sx)


def test_texts_show_the_logged_weights_of_the_snapshot(neuron_log):
    k = 2
    renderer, panel, frames = drawn(neuron_log, (640, 480), None, {1, k})
    (w1, w2), b = in_data_units(neuron_log, k)
    assert [t.get_text() for t in panel.labels] == [f"w₁ = {signed(w1)}", f"w₂ = {signed(w2)}",
                                                    f"b = {signed(b)}"]
    op = lambda v: f" − {abs(v):.2f}" if v < 0 else f" + {v:.2f}"
    assert panel.equation.get_text() == f"y = σ({signed(w1)}·x₁{op(w2)}·x₂{op(b)})"
    # the texts are drawn per frame: where the equation is, frames 1 and 2 differ
    box = panel.equation.get_window_extent(renderer.canvas.get_renderer())
    rows = slice(480 - int(box.y1) - 1, 480 - int(box.y0) + 1)
    cols = slice(int(box.x0) - 1, int(box.x1) + 1)
    assert not np.array_equal(frames[1][rows, cols], frames[k][rows, cols])


def test_edges_follow_the_logged_weights_on_one_scale(neuron_log):
    k = 3
    _, panel, _ = drawn(neuron_log, (1280, 720), None, {k})
    weights = np.append(*in_data_units(neuron_log, k))
    every = np.array([np.append(*in_data_units(neuron_log, i)) for i in range(len(neuron_log))])
    scale = np.abs(every).max()
    assert panel.scale == pytest.approx(scale)                 # one scale for the whole run
    widths = np.asarray(panel.edges.get_linewidths())
    order = np.argsort(np.abs(weights))
    assert np.all(np.diff(widths[order]) >= 0)                 # wider with |w|
    assert np.allclose(widths, panel.min_width + (panel.max_width - panel.min_width)
                       * np.abs(weights) / scale)
    colours = panel.edges.get_colors()
    assert np.array_equal(colours[:, 0] > colours[:, 2], weights > 0)   # red +, blue −


def test_a_linear_neuron_writes_its_line(tmp_path):
    log = nnviz.train("gradient_descent", tmp_path, steps=4, every=2)
    _, panel, _ = drawn(log, (640, 480), ["fit", "neuron", "loss"], {1})
    (w,), b = in_data_units(log, 1)
    sign = " − " if b < 0 else " + "
    assert panel.equation.get_text() == f"y = {signed(w)}·x{sign}{abs(b):.2f}"
    assert any("weights in data units" in t.get_text() for t in panel.ax.texts)


SINGLE_NEURON_TWO_OUTPUTS = '''
import numpy as np
from nnviz import Scene, data, nn

class Pair(Scene):
    name = "pair"
    steps = 4
    panels = ("boundary", "neuron", "loss")

    def dataset(self, rng):
        x = rng.normal(size=(40, 2))
        return data.Dataset(x, np.eye(2)[(x[:, 0] > 0).astype(int)], "classification")

    def model(self, rng, n_in, n_out):
        return nn.Sequential([nn.Dense(n_in, n_out)], rng)
'''


def test_refusals_are_one_line(tmp_path, neuron_log, scene_file):
    r = run_cli("render", "xor_two_classes", "--panels", "boundary,neuron,loss", "--quick",
                "--out", tmp_path / "a")
    assert_one_line_error(r, 2, "scene 'xor_two_classes': the neuron panel draws a single neuron",
                          "3 Dense layers", "use the network panel")
    assert not (tmp_path / "a").exists()
    xor = nnviz.train("xor_two_classes", tmp_path / "logs", steps=4, every=2)
    r = run_cli("render", "--from", xor.path, "--panels", "boundary,neuron,loss", "--out", tmp_path / "b")
    assert_one_line_error(r, 2, "(one Dense layer, one output, up to 3 inputs) and this network "
                                "has 3 Dense layers; use the network panel")
    r = run_cli("render", scene_file(SINGLE_NEURON_TWO_OUTPUTS), "--quick", "--out", tmp_path / "c")
    assert_one_line_error(r, 2, "scene 'pair': the neuron panel", "its Dense layer has 2 outputs")
    assert tree(tmp_path / "c") == {}


@pytest.mark.parametrize("name", NEW_SCENES)
def test_new_scenes_render_and_decode(tmp_path, name):
    r = run_cli("render", name, "--quick", "--check", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert {p.split(".")[-1] for p in tree(tmp_path / name)} == {"webm", "ogv", "mp4", "png",
                                                                 "npz", "html", "vtt"}


@pytest.mark.parametrize("name", sorted(nnviz.builtin_scenes()))
def test_fit_landscape_loss_on_every_scene(tmp_path, name):
    """Drawn on every one-input scene, refused in one line on the others."""
    n_in = nnviz.resolve(name)().dataset(np.random.default_rng(0)).x.shape[1]
    r = run_cli("render", name, "--panels", "fit,landscape,loss", "--quick", "--steps", "12",
                "--formats", "mp4", "--out", tmp_path)
    if getattr(nnviz.resolve(name), "runs", None):   # one landscape must hold every run's path
        assert_one_line_error(r, 2, f"scene {name!r}: runs", "train different networks, so they "
                              "have no common loss landscape; drop the landscape panel")
    elif n_in == 1:
        assert r.returncode == 0, r.stderr
        log = nnviz.load(tmp_path / name / f"{name}.npz")
        assert "landscape/loss" in log and log.meta["panels"] == ["fit", "landscape", "loss"]
    else:
        assert_one_line_error(r, 2, f"scene {name!r}: the fit panel needs a scene with one input")


@pytest.mark.parametrize("name", NEW_SCENES)
def test_new_scenes_learn_on_seeds_0_to_9(tmp_path, name):
    scene = nnviz.resolve(name)()
    failed = {}
    for seed in range(10):
        log = train(scene, tmp_path / f"{seed}.npz", seed=seed)
        failed.update({seed: why for why in [scene.learning_problems(log)] if why})
    assert failed == {}


def test_learning_problems_name_what_went_wrong(tmp_path):
    """The checks can fail: a few steps are not enough for either scene."""
    for name, fragment in (("gradient_descent", "from the least-squares"),
                           ("artificial_neuron", "val accuracy")):
        scene = nnviz.resolve(name)()
        log = train(scene, tmp_path / f"{name}.npz", steps=2)
        problems = scene.learning_problems(log)
        assert problems and any(fragment in p for p in problems), problems


def test_two_blobs_are_two_balanced_classes_in_one_column():
    a, b = (data.two_blobs(np.random.default_rng(4), n=101) for _ in range(2))
    assert np.array_equal(a.x, b.x) and a.kind == "classification" and a.y.shape == (101, 1)
    assert set(np.unique(a.y)) == {0.0, 1.0} and a.labels.sum() == 50
    centres = [a.x[a.labels == c].mean(axis=0) for c in (0, 1)]
    assert np.all(centres[1] - centres[0] > 1.5)   # apart along the diagonal


def test_one_column_classes_train_a_sigmoid_with_binary_cross_entropy(neuron_log):
    assert neuron_log.meta["options"]["loss"] == "binary_cross_entropy"
    p = neuron_log.predict(-1, neuron_log["data/x_val"])[:, 0]
    assert np.array_equal(neuron_log["predicted/val"][-1], (p > 0.5).astype(np.int8))
    labels = neuron_log["data/y_val"][:, 0]
    assert neuron_log["accuracy/val"][-1] == pytest.approx(np.mean((p > 0.5) == labels))


def test_binary_cross_entropy_needs_a_sigmoid_output(tmp_path, scene_file):
    body = SINGLE_NEURON_TWO_OUTPUTS.replace('np.eye(2)[(x[:, 0] > 0).astype(int)]',
                                             '(x[:, :1] > 0).astype(float)')
    r = run_cli("train", scene_file(body), "--out", tmp_path / "out")
    assert_one_line_error(r, 2, "scene 'pair': loss 'binary_cross_entropy' needs a network whose "
                                "last layer is a sigmoid")
    assert tree(tmp_path / "out") == {}


def test_no_negative_zero_in_the_neurons_numbers():
    """A value that rounds to zero is written 0.00 (or 0), never −0.00, in the equation, the
    edge labels and the learning step."""
    from nnviz.draw.panels.neuron import Neuron, equation, step_rule
    text = equation(np.array([-0.004, 0.5]), -0.001, "sigmoid")
    assert text == "y = σ(0.00·x₁ + 0.50·x₂ + 0.00)"
    assert equation(np.array([-0.0049]), -0.0031, "linear") == "y = 0.00·x + 0.00"
    assert "−0.00" not in Neuron._label(None, "w₁", -0.004)
    assert Neuron._label(None, "b", -0.006) == "b = −0.01"
    assert step_rule("w", -0.0, -0.0, 0.0, 0.1, True) == "w ← w − η·∂L/∂w = 0 − 0.1·(0)"
    assert step_rule("b", -0.0, 2.0, -0.0, 0.1, False).endswith("= 0 + 0,  ∂L/∂b = 2")


def test_the_equation_wraps_in_a_narrow_panel(tmp_path):
    """Three views at 1280x720 leave the neuron a narrow column: the equation, at its widest
    over the run, is split a term or two a line, each line inside the panel, at least the
    frame's minimum text size (nnviz.draw.legible)."""
    from nnviz.draw import legible
    panels = ["boundary", "neuron", "landscape", "loss"]
    log = train(nnviz.resolve("artificial_neuron")(), tmp_path / "n.npz", steps=12, every=4,
                landscape=True)
    renderer, panel, _ = drawn(log, (1280, 720), panels, {1})
    canvas = renderer.canvas.get_renderer()
    assert panel.per_line > 0 and "\n" in panel.equation.get_text()
    panel.widest()
    box, room = panel.equation.get_window_extent(canvas), panel.ax.bbox
    assert room.x0 <= box.x0 and box.x1 <= room.x1
    assert panel.equation.get_fontsize() * renderer.figure.dpi / 72 >= \
        legible.min_text_px((1280, 720)) - 0.05
