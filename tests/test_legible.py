"""The legibility rule (nnviz.draw.legible) and truthful geometry, checked on drawn frames.

For every built-in scene, the README's circle scene and the optimiser race, with each scene's
default panels and the other panel sets of the README's panel table that apply, at 1280x720,
640x480 and 320x240: one frame drawn from a short training, then measured from the artists'
window extents. Planes over the inputs must show as many pixels per data unit across as up.
"""
import warnings

import numpy as np
import pytest

import nnviz
from nnviz.draw import legible
from nnviz.draw.frames import FrameRenderer
from nnviz.draw.runframes import RunsRenderer
from nnviz.learn.runs import check_set
from nnviz.log.record import train

SIZES = [(1280, 720), (640, 480), (320, 240)]
CIRCLE = '''
import numpy as np
from nnviz import Scene, data, nn


class Circle(Scene):
    name = "circle"
    title = "Inside or outside the circle"
    steps = 300
    every = 2
    lr = 0.02
    optimizer = "adam"
    panels = ("boundary", "loss", "accuracy")

    def dataset(self, rng):
        x = rng.uniform(-1, 1, (600, 2))
        inside = (x ** 2).sum(axis=1) < 0.5
        return data.Dataset(x, np.eye(2)[inside.astype(int)], "classification")

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, 8, 8, n_out], "tanh", rng=rng)
'''
COMBOS = {   # scene -> its default panels first, then the README panel table's sets that apply
    "xor_two_classes": ["boundary,loss,accuracy", "boundary,network,loss,accuracy",
                        "boundary,network,landscape,loss,accuracy"],
    "xor_function_regression": ["heatmap,loss", "heatmap,network,landscape,loss"],
    "artificial_neuron": ["boundary,neuron,loss", "boundary,neuron,landscape,loss"],
    "linear_regression": ["fit,loss", "fit,neuron,loss", "fit,landscape,loss"],
    "gradient_descent": ["fit,landscape,loss", "fit,neuron,landscape,loss"],
    "non_linear_regression_tanh": ["fit,loss", "fit,network,landscape,loss"],
    "non_linear_regression_leaky_relu": ["fit,loss"],
    "circle": ["boundary,loss,accuracy", "boundary,network,loss,accuracy"],
}
RUNS = {"activation_functions": ["fit,loss"], "race": ["fit,landscape,loss"]}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    (folder / "circle.py").write_text(CIRCLE)
    found = {}
    for name in COMBOS:
        scene = nnviz.resolve(str(folder / "circle.py") if name == "circle" else name)()
        found[name] = train(scene, folder / f"{name}.npz", steps=12, every=4, landscape=True)
    common = dict(steps=12, every=4, size=(160, 120), formats=["mp4"], hold=0)
    nnviz.render("activation_functions", out=folder, **common)
    nnviz.compare("linear_regression", optimizer=["sgd", "momentum", "adam"], out=folder,
                  **common)
    for name, sub in (("activation_functions", "activation_functions"),
                      ("race", "linear_regression-compare")):
        found[name] = check_set([nnviz.load(p) for p in sorted((folder / sub / "runs").glob("*.npz"))])
    return found


def drawn(log, size, panels):
    """The renderer after one frame in the middle of the run, drawn without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if isinstance(log, list):
            renderer = RunsRenderer(log, size, panels.split(","))
        else:
            renderer = FrameRenderer(log, size, panels.split(","))
        frames = renderer.frames()
        for _ in range(2):
            next(frames)
    return renderer


CASES = [(s, p) for s, combos in {**COMBOS, **RUNS}.items() for p in combos]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene, panels", CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_frames_follow_the_legibility_rule(logs, scene, panels, size):
    renderer = drawn(logs[scene], size, panels)
    fig = renderer.figure
    found = legible.problems(fig, fig.canvas.get_renderer(), legible.min_text_px(size))
    assert not found, f"{scene} {panels} {size}: " + "; ".join(found)


def plane_axes(renderer):
    from nnviz.draw.panels.runs import SmallMultiples
    for panel in renderer.panels:
        if getattr(panel, "plane", False):
            yield panel.ax
        elif isinstance(panel, SmallMultiples) and getattr(panel.tiles[0], "plane", False):
            yield from (t.ax for t in panel.tiles)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene, panels", [(s, p) for s, p in CASES
                                           if "boundary" in p or "heatmap" in p])
def test_planes_over_the_inputs_keep_equal_aspect(logs, scene, panels, size):
    renderer = drawn(logs[scene], size, panels)
    canvas = renderer.figure.canvas.get_renderer()
    axes = list(plane_axes(renderer))
    assert axes
    for ax in axes:
        box = ax.get_window_extent(canvas)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        across, up = box.width / (x1 - x0), box.height / (y1 - y0)   # pixels per data unit
        assert across == pytest.approx(up, rel=0.01, abs=0.6 / min(x1 - x0, y1 - y0)), \
            (scene, panels, size, box.bounds)


def test_min_text_size_follows_the_short_side():
    assert legible.min_text_px((1280, 720)) == legible.min_text_px((640, 480)) == 10
    assert legible.min_text_px((320, 240)) == 7
    assert 7 < legible.min_text_px((480, 360)) < 10


GIF_CASES = [("xor_two_classes", "boundary,loss,accuracy"), ("artificial_neuron", "boundary,neuron,loss"),
             ("gradient_descent", "fit,landscape,loss"), ("activation_functions", "fit,loss")]


@pytest.mark.parametrize("scene, panels", GIF_CASES, ids=[s for s, _ in GIF_CASES])
def test_text_is_sized_for_the_gif_it_is_also_shown_in(logs, scene, panels):
    """A 1280x720 render with a GIF or WebP (640x360 by default) draws its text for the GIF:
    scaled down by 2, every text still meets the GIF's own minimum (7.5 px)."""
    size, gif = (1280, 720), (640, 360)
    assert legible.min_px(size, gif) == 2 * legible.min_text_px(gif) == 15
    assert legible.min_px(size, None) == legible.min_px(size, (1920, 1080)) == 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = logs[scene]
        renderer = (RunsRenderer(log, size, panels.split(","), read_at=gif) if isinstance(log, list)
                    else FrameRenderer(log, size, panels.split(","), read_at=gif))
        next(iter(renderer.frames()))
    fig = renderer.figure
    found = legible.problems(fig, fig.canvas.get_renderer(), 15)
    assert not found, f"{scene} {panels}: " + "; ".join(found)


def test_a_render_with_a_gif_sizes_its_text_for_it(tmp_path, monkeypatch):
    """Through a whole render: the renderer is told the GIF's size (and not without a GIF)."""
    seen = []
    real = FrameRenderer.__init__

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("read_at"))
        real(self, *args, **kwargs)
    monkeypatch.setattr(FrameRenderer, "__init__", spy)
    common = dict(out=tmp_path, steps=4, every=2, size=(1280, 720), hold=0)
    nnviz.render("xor_two_classes", formats=["mp4", "gif"], **common)
    nnviz.render("xor_two_classes", formats=["mp4"], **common)
    nnviz.render("xor_two_classes", formats=["mp4", "webp"], gif_width=320, **common)
    assert seen == [(640, 360), None, (320, 180)]
