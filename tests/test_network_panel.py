"""The network panel and --panels: what is drawn follows the logged parameters."""
import imageio_ffmpeg
import numpy as np
import pytest

import nnviz
from nnviz.learn import nn
from nnviz.draw.frames import FrameRenderer
from nnviz.draw.panels.network import EDGES_SHOWN, layer_outputs

from conftest import assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def xor_log(tmp_path_factory):
    return nnviz.train("xor_two_classes", tmp_path_factory.mktemp("xor"), steps=30, every=10)


@pytest.fixture(scope="module")
def deep_log(tmp_path_factory):
    return nnviz.train("non_linear_regression_tanh", tmp_path_factory.mktemp("deep"), steps=6, every=3)


def frame_panel(log, size, panels, snapshot):
    renderer = FrameRenderer(log, size, panels)
    for i, _ in enumerate(renderer.frames()):
        if i == snapshot:
            return renderer, next(p for p in renderer.panels if p.name == "network")


def test_edges_follow_the_logged_weights(xor_log):
    k = 2
    _, net = frame_panel(xor_log, (640, 480), ["boundary", "network", "loss"], k)
    weights = np.concatenate([xor_log[f"param/{d}.W"][k].ravel() for d in ("0", "2", "4")])
    scale = max(np.abs(xor_log[f"param/{d}.W"]).max() for d in ("0", "2", "4"))
    assert net.w_scale == pytest.approx(scale)               # one scale for the whole run
    edges = net.edges
    assert np.array_equal(edges.positive, (weights > 0).astype(np.float32))   # colour = sign
    size = np.abs(weights) / scale
    order = np.argsort(size)
    assert np.all(np.diff(edges.half[order]) >= -1e-6)        # wider with |w| ...
    assert np.all(np.diff(edges.alpha_[order]) >= -1e-6)      # ... and more opaque
    assert len(net.shown) == len(net.drawable) == 32          # 32 edges: all drawn
    biases = np.concatenate([xor_log[f"param/{d}.b"][k] for d in ("0", "2", "4")])
    faces = net.nodes.faces
    reds_minus_blues = faces[:, 0] - faces[:, 2]
    assert np.array_equal(np.sign(reds_minus_blues[2:]).astype(int)[np.abs(biases) > 1e-3],
                          np.sign(biases[np.abs(biases) > 1e-3]).astype(int))


def test_maps_equal_activations_computed_independently(xor_log):
    k = 3
    _, net = frame_panel(xor_log, (640, 480), ["network", "loss"], k)
    model = xor_log.model(k)
    g0, g1 = np.meshgrid(xor_log["grid/x0"], xor_log["grid/x1"])
    x = np.column_stack([g0.ravel(), g1.ravel()])
    xs = (x - xor_log["standardizer/x_mean"]) / xor_log["standardizer/x_std"]
    slope = xor_log.meta["architecture"][1]["slope"]    # the scene's LeakyReLU slope
    h1 = np.maximum(xs @ model.params["0.W"] + model.params["0.b"], 0) + \
        slope * np.minimum(xs @ model.params["0.W"] + model.params["0.b"], 0)
    maps = net.maps.values                       # (nodes, gy, gx): inputs, 4, 4, 2 outputs
    assert maps.shape == (2 + 4 + 4 + 2, 64, 64)
    assert np.allclose(maps[2:6].reshape(4, -1).T, h1, atol=1e-6)
    probs = nnviz.learn.nn.softmax(layer_outputs(model, xs)[-1])
    assert np.allclose(maps[-2:].reshape(2, -1).T, probs, atol=1e-6)   # shown as probabilities
    assert np.allclose(probs[:, 1].reshape(64, 64), xor_log["output"][k][..., 1], atol=1e-5)


def test_deep_network_draws_the_strongest_edges_of_each_layer(deep_log):
    _, net = frame_panel(deep_log, (1280, 720), ["fit", "network", "loss"], 1)
    shown = net.shown
    assert set(shown) <= set(net.drawable)                   # pixels found for every drawn edge ...
    assert len(net.drawable) < 1000 and net.edges.counts.size == len(net.drawable)   # ... only
    sizes = [a * b for a, b in zip([1, 10, 20, 40, 80, 40, 20, 10], [10, 20, 40, 80, 40, 20, 10, 1])]
    assert len(shown) == sum(min(s, EDGES_SHOWN) for s in sizes)
    w = np.abs(np.concatenate([deep_log[f"param/{2 * i}.W"][1].ravel() for i in range(8)]))
    start = 10 + 200 + 800       # the 40x80 layer: its shown edges are its strongest
    block = w[start:start + 3200]
    chosen = shown[(shown >= start) & (shown < start + 3200)] - start
    assert np.min(block[chosen]) >= np.max(np.delete(block, chosen))
    assert any("of 8,420 weights" in t.get_text() for t in net.ax.texts)   # the key says so


@pytest.mark.parametrize("size", ["640x480", "1280x720"])
@pytest.mark.parametrize("scene, picture", [
    ("linear_regression", "fit"), ("non_linear_regression_tanh", "fit"),
    ("non_linear_regression_leaky_relu", "fit"), ("xor_function_regression", "heatmap"),
    ("xor_two_classes", "boundary")])
def test_every_scene_renders_with_the_network_panel(tmp_path, scene, picture, size):
    r = run_cli("render", scene, "--out", tmp_path, "--size", size, "--steps", "6", "--every", "2",
                "--hold", "0", "--formats", "mp4", "--panels", f"{picture},network,loss", "-q", "--check")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""       # no layout warnings
    video = tmp_path / scene / f"{scene}.mp4"
    reader = imageio_ffmpeg.read_frames(str(video))
    meta = next(reader)
    assert meta["size"] == tuple(map(int, size.split("x")))
    assert sum(1 for _ in reader) == 4


def test_panels_option_errors_are_one_line(tmp_path):
    cases = [
        (["linear_regression", "--panels", "fit,bogus"], "unknown panel 'bogus'; choose from"),
        (["linear_regression", "--panels", "fit,,loss"], "without empty items"),
        (["linear_regression", "--panels", "fit,heatmap"], "at most one of fit, heatmap, boundary"),
        (["linear_regression", "--panels", "heatmap,loss"], "the heatmap panel needs a scene with two inputs"),
        (["linear_regression", "--panels", "loss,loss"], "panels must be distinct"),
    ]
    for args, fragment in cases:
        assert_one_line_error(run_cli("render", *args, "--out", tmp_path, "--quick"), 2, fragment)
    assert not (tmp_path / "linear_regression").exists()


def test_panels_with_from_overrides_the_logs_panels(tmp_path, xor_log):
    r = run_cli("render", "--from", xor_log.path, "--panels", "network", "--out", tmp_path,
                "--quick", "--formats", "mp4", "-q")
    assert r.returncode == 0, r.stderr
    assert nnviz.load(xor_log.path).meta["panels"] == ["boundary", "loss", "accuracy"]


def test_landscape_panel_draws_the_logged_path(tmp_path):
    r = run_cli("render", "linear_regression", "--panels", "fit,landscape,loss", "--out", tmp_path,
                "--steps", "40", "--every", "10", "--hold", "0", "--formats", "mp4", "-q", "--check")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    log = nnviz.load(tmp_path / "linear_regression" / "linear_regression.npz")
    renderer = FrameRenderer(log, (640, 480))
    panel = next(p for p in renderer.panels if p.name == "landscape")
    for i, _ in enumerate(renderer.frames()):
        if i == 2:
            break
    w, b = log["param/0.W"][:, 0, 0].astype(float), log["param/0.b"][:, 0].astype(float)
    mx, sx, my, sy = (log[f"standardizer/{n}"][0] for n in ("x_mean", "x_std", "y_mean", "y_std"))
    # drawn in the data's units: y = (sy·w/sx)·x + (sy·b + my − sy·w·mx/sx)
    path = np.column_stack([sy * w / sx, sy * b + my - sy * w * mx / sx])
    assert np.allclose(np.column_stack(panel.trail.get_data()), path[:3], rtol=1e-5, atol=1e-5)
    assert np.allclose(np.column_stack(panel.now.get_data()), path[2:3], rtol=1e-5, atol=1e-5)


def test_landscape_needs_a_log_trained_with_it(tmp_path, xor_log):
    r = run_cli("render", "--from", xor_log.path, "--panels", "boundary,landscape", "--out", tmp_path, "--quick")
    assert_one_line_error(r, 2, "the landscape panel needs a log trained with it")


def test_edge_raster_covers_exactly_the_line_and_composites_opacity():
    """Independent check of the rasteriser: a horizontal edge of width 4 covers its 4 rows
    fully and nothing else; where two edges cross, opacity is 1 - (1 - a)(1 - b)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from nnviz.draw.panels.artists import EdgeRaster
    fig = Figure(figsize=(1, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    segments = np.array([[[0.0, 0.5], [1.0, 0.5]], [[0.5, 0.0], [0.5, 1.0]]])
    raster = EdgeRaster(ax, segments, np.array([4.0, 4.0]), "blue", "red")
    raster.set_edges(np.array([4.0, 4.0]), np.array([0.5, 0.4]), np.array([1.0, 0.0]))
    raster.draw(canvas.get_renderer())
    image = raster.image[::-1]                        # top row first, as on screen
    rows = image[:, 10, 3]                            # a column far from the vertical edge
    assert np.array_equal(np.flatnonzero(rows), np.arange(48, 52))     # rows 48..51: width 4
    assert np.all(np.abs(rows[48:52].astype(int) - 127) <= 1)          # opacity 0.5 there
    assert tuple(image[50, 10, :3]) == (255, 0, 0)                     # the positive colour
    crossing = image[50, 50, 3] / 255
    assert abs(crossing - (1 - (1 - 0.5) * (1 - 0.4))) < 0.01


def test_edge_raster_redraws_only_visible_steps_and_stays_true():
    """Frames after the first redraw only edges that moved by a visible step: after many small
    moves and a few large ones the image is within a few levels of one drawn from scratch
    with the final values, a large move shows at once, and a sub-step wobble changes nothing."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from nnviz.draw.panels.artists import EdgeRaster
    rng = np.random.default_rng(0)
    segments = rng.random((40, 2, 2))
    max_width = np.full(40, 6.0)

    def raster():
        fig = Figure(figsize=(2, 2), dpi=100)
        canvas = FigureCanvasAgg(fig)
        return EdgeRaster(fig.add_axes((0, 0, 1, 1)), segments, max_width, "blue", "red"), \
            canvas.get_renderer()

    kept, renderer = raster()
    width, alpha, sign = rng.uniform(1, 6, 40), rng.uniform(0, 1, 40), rng.random(40) > 0.5
    for step in range(60):   # drifting slowly, every edge a little each frame; some jump
        width = np.clip(width + rng.normal(0, 0.01, 40), 0, 6)
        alpha = np.clip(alpha + rng.normal(0, 0.002, 40), 0, 1)
        if step % 20 == 19:
            jump = rng.random(40) < 0.2
            width[jump], sign[jump] = rng.uniform(0, 6, jump.sum()), ~sign[jump]
        kept.set_edges(width, alpha, sign)
        kept.draw(renderer)
    fresh, fresh_renderer = raster()
    fresh.set_edges(width, alpha, sign)
    fresh.draw(fresh_renderer)
    def seen(image):   # as on a white background: colours where nothing shows do not count
        a = image[..., 3:] / 255
        return image[..., :3] * a + 255 * (1 - a)
    diff = np.abs(seen(kept.image) - seen(fresh.image))
    assert diff.max() <= 8 and diff.mean() < 0.1, (diff.max(), diff.mean())   # measured 5.6, 0.06
    before = fresh.image.copy()
    fresh.set_edges(width + EdgeRaster.WIDTH_STEP, alpha + EdgeRaster.ALPHA_STEP / 2, sign)
    fresh.draw(fresh_renderer)                  # not a visible step: nothing is redrawn
    assert np.array_equal(fresh.image, before)
    width[0] = 6.0 if width[0] < 3 else 0.0     # one edge moves a lot: its pixels change now
    fresh.set_edges(width, alpha, sign)
    fresh.draw(fresh_renderer)
    assert not np.array_equal(fresh.image, before)


def three_view_log(tmp_path_factory, name, picture):
    from nnviz.learn.scene import resolve
    from nnviz.learn.scene_checks import instantiate
    scene = instantiate(resolve(name))
    scene.panels = (picture, "network", "landscape", "loss")
    return nnviz.train(scene, tmp_path_factory.mktemp(name), steps=30, every=10)


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
@pytest.mark.parametrize("name, picture", [("xor_function_regression", "heatmap"),
                                           ("non_linear_regression_tanh", "fit")])
def test_three_view_frames_keep_every_label_inside_its_own_panel(tmp_path_factory, size, name,
                                                                picture):
    """Words under the network's columns, its key and the landscape's labels fit the room the
    layout gave them: inside the frame, clear of every other panel, column labels apart."""
    log = three_view_log(tmp_path_factory, name, picture)
    renderer = FrameRenderer(log, size, [picture, "network", "landscape", "loss"])
    next(iter(renderer.frames()))
    drawer = renderer.canvas.get_renderer()
    frame = renderer.figure.bbox
    for name in ("network", "landscape"):
        panel = next(p for p in renderer.panels if p.name == name)
        others = [p.ax.get_tightbbox(drawer) for p in renderer.panels if p is not panel]
        texts = ([*panel.col_labels, panel.caption, panel.key] if name == "network" else
                 [panel.ax.xaxis.label, *(t for t in panel.ax.texts if t.get_gid() == "note")])
        for t in texts:
            if not t.get_text() or not t.get_visible():   # a small frame's detail level hides some
                continue
            box = t.get_window_extent(drawer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0, t.get_text()
            assert not any(box.overlaps(o) for o in others), t.get_text()
            assert box.x0 >= panel.ax.bbox.x0 - 0.2 * panel.ax.bbox.width, t.get_text()
    net = next(p for p in renderer.panels if p.name == "network")
    boxes = [t.get_window_extent(drawer) for t in net.col_labels if t.get_visible()]
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:]))     # column labels never touch


WIDE = '''
import numpy as np
from nnviz import Scene, data, nn


class Wide(Scene):
    name = "wide"
    steps = 4
    every = 2
    panels = ("boundary", "network", "loss")

    def dataset(self, rng):
        x = rng.uniform(-1, 1, (200, 2)) * [2.0, 0.5]
        return data.Dataset(x, np.eye(2)[(x[:, 0] * x[:, 1] > 0).astype(int)], "classification")

    def model(self, rng, n_in, n_out):
        return nn.mlp([n_in, 3, n_out], "tanh", rng=rng)
'''


def test_neuron_maps_keep_the_planes_data_aspect(tmp_path):
    """A plane four times wider than high: each neuron's map is drawn four times wider than
    high too (as the boundary panel draws the plane), pixel for pixel what the panel computed."""
    from nnviz.log.record import train
    (tmp_path / "wide.py").write_text(WIDE)
    log = train(nnviz.resolve(str(tmp_path / "wide.py"))(), tmp_path / "wide.npz", steps=4, every=2)
    x0, x1 = log["grid/x0"], log["grid/x1"]
    aspect = (x0[-1] - x0[0]) / (x1[-1] - x1[0])
    assert aspect > 2.5
    renderer = FrameRenderer(log, (1280, 720), ["boundary", "network", "loss"])
    for i, frame in enumerate(renderer.frames()):
        if i == 1:
            break
    net = next(p for p in renderer.panels if p.name == "network")
    maps = net.maps
    assert maps.width / maps.height == pytest.approx(aspect, rel=0.1)
    assert maps.width == max(net.side)
    lo, hi = maps.lo[:, None, None], maps.hi[:, None, None]
    images = maps.colour(maps.values, lo, hi, maps.height, maps.width)
    rgba = np.asarray(frame)[::-1]   # bottom row first, as draw_image placed them
    bx, by = net.ax.bbox.x0, net.ax.bbox.y0
    for (cx, cy), image in zip(maps.centres, images):
        x, y = int(round(bx + cx - maps.width / 2)), int(round(by + cy - maps.height / 2))
        drawn = rgba[y:y + maps.height, x:x + maps.width, :3]
        assert np.array_equal(drawn, image[..., :3])
