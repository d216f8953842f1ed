"""Numbers in the reader's units: the neuron's equation and the landscape in the data's units,
every loss figure named and in one unit, the step (downhill and taken) drawn where it is."""
import re

import numpy as np
import pytest

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.learn.units import plane_map, to_data

MINUS = "\u2212"


def last_frame(log, size, panels, stop=None):
    """The renderer after drawing up to snapshot `stop` (default the last)."""
    renderer = FrameRenderer(log, size, panels)
    stop = len(log) - 1 if stop is None else stop
    for i, _ in enumerate(renderer.frames()):
        if i == stop:
            break
    return renderer


def panel(renderer, name):
    return next(p for p in renderer.panels if p.name == name)


def numbers(text):
    return [float(v.replace(MINUS, "-")) for v in re.findall(f"[{MINUS}-]?\\d+\\.?\\d*", text)]


def polyfit_with_noise(log):
    """np.polyfit of the log's training data, and the standard errors of slope and intercept."""
    x, y = log["data/x_train"][:, 0].astype(float), log["data/y_train"][:, 0].astype(float)
    (slope, intercept), cov = np.polyfit(x, y, 1, cov=True)
    return slope, intercept, np.sqrt(np.diag(cov))


@pytest.fixture(scope="module")
def regression(tmp_path_factory):
    return nnviz.train("linear_regression", tmp_path_factory.mktemp("lr"))


@pytest.fixture(scope="module")
def descent(tmp_path_factory):
    return nnviz.train("gradient_descent", tmp_path_factory.mktemp("gd"))


def test_data_units_algebra_predicts_what_the_network_predicts():
    rng = np.random.default_rng(3)
    mx, sx, my, sy = rng.normal(size=2), rng.uniform(0.5, 3, 2), rng.normal(size=1), rng.uniform(0.5, 3, 1)
    w, b = rng.normal(size=2), rng.normal()
    x = rng.normal(size=(50, 2)) * 4 + 1
    standardised = (((x - mx) / sx) @ w + b) * sy + my   # what training's network predicts
    slope, intercept = to_data(w, b, mx, sx, my, sy)
    assert np.allclose(x @ slope + intercept, standardised)
    a, c = plane_map(mx[:1], sx[:1], my, sy)
    assert np.allclose(a @ [w[0], b] + c, to_data(w[:1], b, mx[:1], sx[:1], my, sy)[0].tolist()
                       + [to_data(w[:1], b, mx[:1], sx[:1], my, sy)[1]])


def test_linear_regression_writes_the_least_squares_line_in_data_units(regression):
    renderer = last_frame(regression, (1280, 720), ["fit", "neuron", "loss"])
    text = panel(renderer, "neuron").equation.get_text()
    assert text.startswith("y = ") and "·x" in text
    slope, intercept = numbers(text)[0], numbers(text)[1] * (-1 if f"{MINUS} " in text else 1)
    want_slope, want_intercept, noise = polyfit_with_noise(regression)
    assert abs(want_slope - 4) < 0.3 and abs(want_intercept + 2) < 0.5   # the data's units
    assert abs(slope - want_slope) < max(2 * noise[0], 0.01)
    assert abs(intercept - want_intercept) < max(2 * noise[1], 0.01)


def test_landscape_minimum_and_surface_in_data_units(descent):
    renderer = last_frame(descent, (1280, 720), None, stop=0)
    ax = panel(renderer, "landscape").ax
    slope, intercept, _ = polyfit_with_noise(descent)
    star = next(line for line in ax.lines if line.get_marker() == "*")
    left, right, bottom, top = ax.images[0].get_extent()
    surface = np.asarray(ax.images[0].get_array())
    cell = np.array([(right - left) / (surface.shape[1] - 1), (top - bottom) / (surface.shape[0] - 1)])
    assert np.all(np.abs([star.get_xdata()[0] - slope, star.get_ydata()[0] - intercept]) <= cell)
    j, i = np.unravel_index(np.argmin(surface), surface.shape)   # the drawn surface's lowest cell
    assert np.all(np.abs([left + i * cell[0] - slope, bottom + j * cell[1] - intercept]) <= cell)
    assert "data units" in ax.get_xlabel()


def test_arrows_show_the_step_to_the_next_point(descent):
    k = 5
    renderer = last_frame(descent, (1280, 720), None, stop=k)
    land = panel(renderer, "landscape")
    downhill, step = land.arrow_artists
    (x0, y0), (x1, y1) = step._posA_posB
    path = land.path
    assert np.allclose([x0, y0], path[k])
    # the step arrow, unscaled, reaches the next snapshot's point (drawn in data units)
    assert np.allclose((np.array([x1, y1]) - path[k]) / land.scale, path[k + 1] - path[k], rtol=1e-3,
                       atol=1e-6)
    # downhill: −η·(full training set's gradient), mapped to data units like the path
    a, _ = plane_map(*(descent[f"standardizer/{n}"] for n in ("x_mean", "x_std", "y_mean", "y_std")))
    g = np.array([descent["grad/0.W"][k].ravel()[0], descent["grad/0.b"][k][0]], float)
    (u0, v0), (u1, v1) = downhill._posA_posB
    lr = descent.meta["options"]["lr"]
    assert np.allclose([u1 - u0, v1 - v0], land.scale * (a @ (-lr * g)), rtol=1e-4)
    # mini-batches of 26: the step taken is near the full-batch downhill step, not equal to it
    assert 0 < np.hypot(u1 - x1, v1 - y1) < 0.5 * np.hypot(u1 - u0, v1 - v0)
    labels = [t.get_text() for t in ax_legend_texts(land.ax)]
    assert any(t.startswith("downhill −η·gradient") for t in labels)
    assert any(t.startswith("step taken") for t in labels)
    # the legend lies off the data: below the axes
    r = renderer.canvas.get_renderer()
    assert land.ax.get_legend().get_window_extent(r).y1 <= land.ax.bbox.y0


def ax_legend_texts(ax):
    return ax.get_legend().get_texts()


def test_neuron_shows_the_update_rule_with_live_numbers(descent):
    log, k = descent, 3
    renderer = last_frame(log, (1280, 720), ["fit", "neuron", "loss"], stop=k)
    rule = panel(renderer, "neuron").rule.get_text().split("\n")
    w, g, u = (float(log[f"{f}/0.W"][k].ravel()[0]) for f in ("param", "grad", "update"))
    # a mini-batch step is not −η·(the full gradient): the step itself, the gradient beside it
    assert rule[0].startswith("w ← w + Δw = ")
    got = numbers(rule[0].split("=", 1)[1])
    assert [got[0], got[1] * np.sign(u), got[2]] == pytest.approx([w, u, g], rel=2e-3)
    assert rule[1].startswith("b ← b + Δb = ")
    assert any("standardised" in t.get_text() for t in panel(renderer, "neuron").ax.texts)


def test_the_gradient_descent_rule_when_the_step_is_minus_eta_gradient():
    from nnviz.draw.panels.neuron import step_rule
    assert step_rule("w", 3.1, -41.5, 0.83, 0.02, True) == "w ← w − η·∂L/∂w = 3.1 − 0.02·(−41.5)"
    assert step_rule("w", 3.1, -41.5, 0.5, 0.02, True).startswith("w ← w + Δw = 3.1 + 0.5")


def test_header_curves_and_landscape_name_one_loss_in_one_unit(descent):
    k = 10
    renderer = last_frame(descent, (1280, 720), None, stop=k)
    sy = float(descent["standardizer/y_std"][0])
    want = float(descent["loss/train"][k]) * sy ** 2   # MSE in the data's units
    status = renderer.status.text
    assert "train MSE" in renderer._status(0, fixed=True)
    assert float(status.split()[-1]) == pytest.approx(want, rel=2e-3)
    loss = panel(renderer, "loss")
    assert loss.ax.get_ylabel() == "MSE, data units"
    dot = loss.lines[0][2]
    assert dot.get_ydata()[0] == pytest.approx(want, rel=1e-6)
    labels = [a.get_ylabel() for a in renderer.figure.axes]
    assert "training MSE, data units" in labels


def test_the_optimiser_race_is_in_the_data_units_too(tmp_path):
    """Several runs over one linear neuron's landscape: the plane of y = W·x + B in the data's
    units as one run's is (the least-squares line starred, each run's path ending at its own
    last line), and their loss curves in the data's units."""
    from nnviz.draw.panels.runs import RunCurves, SharedLandscape
    from nnviz.draw.runframes import RunsRenderer
    from nnviz.learn.runs import check_set
    nnviz.compare("linear_regression", optimizer=["sgd", "adam"], panels=["fit", "landscape", "loss"],
                  steps=30, every=10, size=(320, 240), formats=["mp4"], hold=0, out=tmp_path)
    logs = check_set([nnviz.load(p) for p in sorted(
        (tmp_path / "linear_regression-compare" / "runs").glob("*.npz"))])
    renderer = RunsRenderer(logs, (1280, 720))
    for _ in renderer.frames():
        pass
    land = next(p for p in renderer.panels if isinstance(p, SharedLandscape))
    assert "data units" in land.ax.get_xlabel()
    slope, intercept, _ = polyfit_with_noise(logs[0])
    star = next(line for line in land.ax.lines if line.get_marker() == "*")
    left, right, bottom, top = land.ax.images[0].get_extent()
    cells = land.ax.images[0].get_array().shape
    cell = np.array([(right - left) / (cells[1] - 1), (top - bottom) / (cells[0] - 1)])
    assert np.all(np.abs([star.get_xdata()[0] - slope, star.get_ydata()[0] - intercept]) <= cell)
    for log, (trail, _) in zip(logs, land.lines):
        m = log["standardizer/x_mean"], log["standardizer/x_std"]
        w, b = log["param/0.W"][-1].ravel(), float(log["param/0.b"][-1][0])
        want = to_data(w, b, *m, log["standardizer/y_mean"], log["standardizer/y_std"])
        got = trail.get_xdata()[-1], trail.get_ydata()[-1]
        assert np.allclose(got, [float(np.ravel(want[0])[0]), float(np.ravel(want[1])[0])],
                           rtol=1e-4, atol=1e-4)
    curves = next(p for p in renderer.panels if isinstance(p, RunCurves))
    sy2 = float(logs[0]["standardizer/y_std"][0]) ** 2
    assert np.allclose(curves.values[0], np.maximum(logs[0]["loss/train"] * sy2, 1e-12))
    assert curves.ax.get_ylabel() == "MSE, data units"


@pytest.mark.parametrize("size, word", [((1280, 720), " train binary cross-entropy "),
                                        ((320, 240), " binary CE ")])
def test_the_header_names_a_binary_loss_as_the_axis_and_the_words_do(tmp_path, size, word):
    import nnviz
    from nnviz.story.tell import tell_log
    log = nnviz.train("artificial_neuron", tmp_path, steps=30, every=10)
    assert log.meta["options"]["loss"] == "binary_cross_entropy"
    renderer = last_frame(log, size, None, stop=0)
    assert word in renderer._status(0, fixed=True)
    if size[0] >= 640:
        assert panel(renderer, "loss").ax.get_ylabel() == "binary cross-entropy"
    story = tell_log(log, 25, len(log))
    assert "(binary cross-entropy)" in story.descriptions[0].text
