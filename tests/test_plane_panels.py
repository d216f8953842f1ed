"""The input-plane panels: the decision line stays a line, the legends' markers are neutral."""
import contourpy
import matplotlib.colors as mcolors
import numpy as np
import pytest

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.draw.theme import LIGHT
from nnviz.draw.panels.plane import Boundary, Heatmap, decision_line

X = np.linspace(-1, 1, 64)


def pieces(p):
    return contourpy.contour_generator(X, X, p, line_type="Separate").lines(0.5)


def test_a_field_grazing_one_half_draws_no_specks():
    """A ridge at 0.5 +- 0.01 along the diagonal (as xor_two_classes has near step 30)."""
    g0, g1 = np.meshgrid(X, X)
    wobble = 0.01 * np.where(np.arange(64)[:, None] % 2, 1, -1)   # alternating along the ridge
    ridge = np.abs(g0 - g1) < 0.02
    p = np.where(ridge, 0.5 + wobble, 0.5 - 0.4 * np.abs(g0 - g1))
    assert len(pieces(p)) > 10                     # the plain contour: a trail of specks
    assert decision_line(X, X, p) == []


def test_a_real_boundary_is_kept_however_small():
    g0, g1 = np.meshgrid(X, X)
    line = 1 / (1 + np.exp(-8 * (g0 + 0.3 * g1)))   # a clear boundary across the plane
    kept = decision_line(X, X, line)
    assert len(kept) == 1 and np.array_equal(kept[0], pieces(line)[0])
    island = np.full((64, 64), 0.1)
    island[20, 30] = 0.9                           # one grid value, clearly class 1
    assert len(decision_line(X, X, island)) == 1
    island[20, 30] = 0.52                          # one grid value barely over: a speck
    assert decision_line(X, X, island) == []


@pytest.fixture(scope="module")
def xor_log(tmp_path_factory):
    out = tmp_path_factory.mktemp("xor")
    return nnviz.train("xor_two_classes", out=out, steps=60, seed=0)


def test_the_decision_line_has_no_short_pieces_on_a_real_run(xor_log):
    """Seed 0 showed 10-17 specks under 8 px around step 30 at 1280x720."""
    renderer = FrameRenderer(xor_log, (1280, 720))
    panel = next(p for p in renderer.panels if isinstance(p, Boundary))
    short = []
    for i, _ in enumerate(renderer.frames()):
        for piece in panel.edge.get_segments():
            px = panel.ax.transData.transform(piece)
            length = np.hypot(*np.diff(px, axis=0).T).sum()
            if length < 8:
                short.append((i, round(length, 1)))
    renderer.close()
    assert short == []


def _legend(panel):
    """The plane's legend: outside its axes, above them (nnviz.draw.legible: over an image
    that fills the axes, every corner covers data)."""
    legend = panel.ax.get_legend()
    box, axes = legend.get_window_extent(panel.ax.figure.canvas.get_renderer()), panel.ax.bbox
    assert box.y0 >= axes.y1 - 0.5
    return legend


def test_legend_markers_are_neutral_and_the_class_colours_explained_once(xor_log):
    renderer = FrameRenderer(xor_log, (640, 480))
    panel = next(p for p in renderer.panels if isinstance(p, Boundary))
    legend = _legend(panel)
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["train", "validation", "misclassified", "class 0, class 1"]
    handles = legend.legend_handles
    for marker in handles[:2]:
        assert mcolors.same_color(marker.get_markerfacecolor(), LIGHT.neutral)
    renderer.close()


def test_heatmap_legend_says_what_the_point_colours_mean(tmp_path):
    log = nnviz.train("xor_function_regression", out=tmp_path, steps=3)
    renderer = FrameRenderer(log, (640, 480))
    panel = next(p for p in renderer.panels if isinstance(p, Heatmap))
    legend = _legend(panel)
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:2] == ["train", "validation"] and labels[2].startswith("target ")
    for marker in legend.legend_handles[:2]:
        assert mcolors.same_color(marker.get_markerfacecolor(), LIGHT.neutral)
    renderer.close()
