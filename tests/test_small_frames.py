"""Small and oddly shaped frames: a layout that fits, with no warning, at every size from the
smallest (160x120) up, for every panel combination that matters."""
import warnings

import numpy as np
import pytest

import nnviz
from nnviz.draw.frames import FULL, FrameRenderer, detail_for
from nnviz.log.record import train

SMALL = [(160, 120), (240, 180), (320, 240), (160, 400), (800, 160)]
EXTREME = [(7680, 120), (160, 4320), (480, 360)]   # the size range's corners, FULL's smallest
COMBOS = {   # scene -> panel combinations: each kind of view, the metrics, three views at once
    "xor_two_classes": ["boundary,loss,accuracy", "boundary,network,landscape,loss,accuracy",
                        "network", "loss", "landscape,accuracy"],
    "non_linear_regression_tanh": ["fit,loss", "fit,network,landscape,loss"],
    "xor_function_regression": ["heatmap,loss", "heatmap,network,loss"],
}
WIDEST = {scene: combos[1] for scene, combos in COMBOS.items()}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    return {name: train(nnviz.resolve(name)(), folder / f"{name}.npz", steps=6, every=3,
                        landscape=True) for name in COMBOS}


def first_frame(log, size, panels):
    """Build the frame renderer and draw one frame, failing on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        renderer = FrameRenderer(log, size, panels.split(","))
        frame = np.asarray(next(renderer.frames()))
    assert frame.shape == (size[1], size[0], 4)
    return renderer


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene, panels", [(s, p) for s, combos in COMBOS.items() for p in combos])
def test_small_frames_fit_without_warnings(logs, scene, panels, size):
    renderer = first_frame(logs[scene], size, panels)
    fig = renderer.figure
    # every panel keeps a real area, inside the frame, and no two panels overlap
    boxes = [p.ax.get_window_extent() for p in renderer.panels]
    for box in boxes:
        assert box.width >= 8 and box.height >= 8, (panels, size, box)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= size[0] + 0.5 and box.y1 <= size[1] + 0.5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (panels, size)
    # the title and the status line stay inside the frame and apart
    canvas = fig.canvas.get_renderer()
    title = fig.texts[0].get_window_extent(canvas)
    assert title.x1 <= size[0], fig.texts[0].get_text()
    assert renderer.style["detail"] >= detail_for(size)   # a level down only when needed


@pytest.mark.parametrize("size", EXTREME, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", WIDEST)
def test_extreme_shapes_fit_without_warnings(logs, scene, size):
    first_frame(logs[scene], size, WIDEST[scene])


def test_large_frames_keep_every_label(logs):
    """Small-frame economies stay on small frames: 640x480 keeps legends and axis labels."""
    renderer = first_frame(logs["xor_two_classes"], (640, 480), "boundary,loss,accuracy")
    assert renderer.style["detail"] == FULL
    assert all(p.ax.get_legend().get_visible() and p.ax.get_xlabel() for p in renderer.panels)
