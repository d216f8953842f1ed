"""The metric curves: a long run draws a bounded amount per frame, and still every data point's
pixel column shows that column's lowest and highest value (spikes stay visible)."""
import numpy as np
import pytest

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.draw.panels.curves import CHUNK, History


def envelope(x_pixels, y):
    """Per pixel column: (lowest, highest) of the values in it."""
    return {c: (y[x_pixels == c].min(), y[x_pixels == c].max()) for c in np.unique(x_pixels)}


def test_history_keeps_each_columns_extremes_in_pieces():
    rng = np.random.default_rng(0)
    x = np.arange(5000)
    y = rng.normal(size=5000)
    y[1234] = 40.0                      # a spike inside a crowded column
    column = x * 97 // 5000             # about 52 points per pixel column
    history = History(x, y, column)
    # pieces as a curve settles them (each from the first point of a column), then the live part
    cuts = [0, *np.searchsorted(column, [1, 20, 20, 58]).tolist(), 4999]
    xs, ys = zip(*(history.between(a, b) for a, b in zip(cuts, cuts[1:])))
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    assert envelope(column[xs], ys) == envelope(column, y)
    assert 40.0 in ys and xs[0] == 0 and xs[-1] == 4999
    # at most four a column, the last (still filling) column point by point, and the joins
    assert len(xs) <= 4 * column.max() + np.bincount(column).max() + len(cuts) < len(x) / 5


@pytest.fixture(scope="module")
def long_log(tmp_path_factory):
    out = tmp_path_factory.mktemp("long")
    return nnviz.train("linear_regression", out=out, steps=3000, every=1)


def test_a_long_run_draws_a_bounded_curve_per_frame_and_all_of_its_data(long_log):
    renderer = FrameRenderer(long_log, (320, 240), ["loss"])
    panel = renderer.panels[0]
    settled = [[] for _ in panel.lines]
    settle = panel.settle

    def recording(i):
        artists = settle(i)
        for pieces, line in zip(settled, artists):
            pieces.append(line.get_data())
        return artists
    panel.settle = recording
    live_points = []
    for i, _ in enumerate(renderer.frames()):
        live_points.append(max(len(line.get_xdata()) for _, line, _ in panel.lines))
    column = panel.histories[0].column
    per_column = np.bincount(column - column[0]).max()
    # a frame draws at most CHUNK columns of live curve, not the whole history
    assert max(live_points) <= 4 * (CHUNK + 1) + per_column < len(long_log) / 4
    pixels = dict(zip(panel.steps.tolist(), column.tolist()))
    for (values, line, _), pieces in zip(panel.lines, settled):
        xs = np.concatenate([p[0] for p in pieces] + [line.get_xdata()])
        ys = np.concatenate([p[1] for p in pieces] + [line.get_ydata()])
        drawn = envelope(np.array([pixels[int(s)] for s in xs]), ys)
        assert drawn == envelope(column, values)
