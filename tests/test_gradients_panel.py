"""The gradients panel: the network drawn with each weight's full-training-set gradient,
where the learning signal flows and how it fades as training converges."""
import numpy as np
import pytest

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.log import record

from conftest import assert_one_line_error, run_cli

LAYERS = ("0", "2", "4")   # xor_two_classes' Dense layers


@pytest.fixture(scope="module")
def xor_log(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xor")
    return record.train(nnviz.resolve("xor_two_classes")(), folder / "x.npz", steps=120,
                        every=20, gradients=True)


def panel_at(log, snapshot, size=(640, 480)):
    renderer = FrameRenderer(log, size, ["boundary", "gradients", "loss"])
    for i, _ in enumerate(renderer.frames()):
        if i == snapshot:
            return next(p for p in renderer.panels if p.name == "gradients")


def test_edges_show_the_downhill_step_of_each_weight(xor_log):
    """Colour: red where −∂L/∂w > 0 (the step raises w); size grows with |∂L/∂w| on one scale
    for the whole run, the largest gradient of any snapshot."""
    k = 1
    panel = panel_at(xor_log, k)
    grads = np.concatenate([xor_log[f"grad/{d}.W"][k].ravel() for d in LAYERS])
    scale = max(np.abs(xor_log[f"grad/{d}.W"]).max() for d in LAYERS)
    assert panel.w_scale == pytest.approx(scale)
    assert np.array_equal(panel.edges.positive, (-grads > 0).astype(np.float32))
    order = np.argsort(np.abs(grads))
    assert np.all(np.diff(panel.edges.half[order]) >= -1e-6)
    assert np.all(np.diff(panel.edges.alpha_[order]) >= -1e-6)


def test_the_signal_fades_as_training_converges(xor_log):
    """XOR's loss falls 100-fold over these steps, and so does the gradient: the edges of the
    last frame are fainter than the first's, on the same scale."""
    first, last = panel_at(xor_log, 0), panel_at(xor_log, len(xor_log) - 1)
    assert last.edges.alpha_.sum() < 0.5 * first.edges.alpha_.sum()


def test_a_log_without_the_step_is_refused_in_one_line(tmp_path):
    """--from a log trained without a panel that draws the step: one line saying how to get it."""
    r = run_cli("train", "xor_two_classes", "--steps", "4", "--every", "2", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    log = tmp_path / "xor_two_classes" / "xor_two_classes.npz"
    r = run_cli("render", "--from", log, "--panels", "boundary,gradients", "--quick",
                "--out", tmp_path / "out")
    assert_one_line_error(r, 2, "gradients panel needs a log with the step recorded")
    assert not (tmp_path / "out").exists()


def test_render_with_the_gradients_panel_records_the_step(tmp_path):
    """Choosing the panel makes training record grad/ (it does not by default for this scene)."""
    r = run_cli("render", "xor_two_classes", "--panels", "boundary,gradients,loss", "--quick",
                "--formats", "mp4", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    log = nnviz.load(tmp_path / "xor_two_classes" / "xor_two_classes.npz")
    assert all(f"grad/{d}.W" in log for d in LAYERS)


def test_several_runs_refuse_it(tmp_path):
    r = run_cli("render", "activation_functions", "--panels", "fit,gradients,loss", "--quick",
                "--out", tmp_path)
    assert_one_line_error(r, 2, "the gradients panel shows one run")
