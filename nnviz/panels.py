"""Reusable views of a snapshot log.

A panel builds its artists once from the log (every limit is known before the first frame,
so nothing jumps) and then, per frame, updates only the artists that change and returns them
in drawing order. Everything else is drawn once into the background that frames blit onto.
"""
from __future__ import annotations

import contourpy
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.ticker import (FuncFormatter, LogLocator, MaxNLocator, NullFormatter,
                               NullLocator, PercentFormatter)

TRAIN = "#2a6fb0"      # train points and curves, in every scene
VAL = "#e8862a"        # validation points and curves
MODEL = "#1b1b1b"      # the network's own output
CMAP = "coolwarm"      # diverging, as in the original series
WRONG = "#ffd400"      # rings around misclassified points

PANELS: dict[str, type["Panel"]] = {}


def panel(name: str):
    """Register a Panel class under `name`, the word scenes use in `panels = (...)`."""
    def register(cls):
        cls.name = name
        PANELS[name] = cls
        return cls
    return register


class Panel:
    name = ""
    picture = False          # a view of the input space (it gets the large slot)
    fields: tuple[str, ...] = ()  # per-snapshot arrays it reads from the stream
    needs: tuple[str, ...] = ()   # arrays the log must hold for this panel
    fits = ""                # what kind of scene that takes, for the error message

    def __init__(self, ax, log, series: dict[str, np.ndarray], style: dict):
        self.ax, self.series, self.style = ax, series, style
        self.sprites: list[Sprite] = []   # pre-rendered once the background is drawn

    def update(self, i: int, snap: dict[str, np.ndarray]) -> list:
        """Update this panel for snapshot i; return the changed artists in drawing order."""
        raise NotImplementedError

    def dynamic(self, artist):
        artist.set_animated(True)
        return artist

    def sprite(self, artists) -> "Sprite":
        """Static artists above dynamic ones: drawn once into pixels, composited per frame."""
        self.sprites.append(Sprite(self.ax, artists))
        return self.sprites[-1]


def _pad(lo, hi, frac=0.05):
    span = (hi - lo) or 1.0
    return lo - frac * span, hi + frac * span


def _points(log):
    return ((log["data/x_train"], log["data/y_train"], TRAIN, "train"),
            (log["data/x_val"], log["data/y_val"], VAL, "validation"))


@panel("fit")
class Fit(Panel):
    """1-D regression: the data points and the network's curve, in the data's own units."""
    picture = True
    fields = ("output",)
    needs = ("grid/x",)
    fits = "a scene with one input"

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.x = log["grid/x"]
        ys = []
        for x, y, color, label in _points(log):
            ax.scatter(x[:, 0], y[:, 0], s=style["dot"], color=color, alpha=0.55, lw=0,
                       label=f"{label} data", rasterized=True)
            ys.append(y[:, 0])
        ys = np.concatenate(ys)
        ax.set_xlim(self.x[0], self.x[-1])
        ax.set_ylim(*_pad(ys.min(), ys.max(), 0.12))
        self.curve, = ax.plot([], [], color=MODEL, lw=style["line"] * 1.4, label="network")
        self.dynamic(self.curve)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="best", framealpha=0.9)

    def update(self, i, snap):
        self.curve.set_data(self.x, snap["output"][:, 0])
        return [self.curve]


def _bilinear(n_out: int, n_in: int) -> np.ndarray:
    """Weights (n_out, n_in) resampling grid values (first and last at the edges) to pixels."""
    pos = (np.arange(n_out) + 0.5) / n_out * (n_in - 1)
    lo = np.minimum(pos.astype(int), n_in - 2)
    frac = (pos - lo).astype(np.float32)
    w = np.zeros((n_out, n_in), np.float32)
    w[np.arange(n_out), lo] = 1 - frac
    w[np.arange(n_out), lo + 1] = frac
    return w


class GridImage(Artist):
    """A grid of values filling its axes, colour-mapped and drawn pixel for pixel.

    matplotlib's general image path resamples through Agg (about 30 ms a frame at 720p);
    this one upsamples with two small matrix products and a colour lookup table (a few ms).
    """

    def __init__(self, ax, cmap, vmin: float, vmax: float):
        super().__init__()
        self.ax, self.vmin, self.vmax = ax, vmin, vmax
        self.lut = (matplotlib.colormaps[cmap](np.linspace(0, 1, 256)) * 255).astype(np.uint8)
        self.values = None
        self._weights = {}
        self.set_zorder(0)
        self.set_animated(True)
        self.set_figure(ax.figure)

    def set_data(self, values: np.ndarray) -> None:
        self.values = values

    def draw(self, renderer):
        if self.values is None:
            return
        x0, y0, w, h = _pixel_box(self.ax.bbox)
        ny, nx = self.values.shape
        key = (w, h, nx, ny)
        if key not in self._weights:
            self._weights = {key: (_bilinear(h, ny), _bilinear(w, nx).T.copy())}
        rows, cols = self._weights[key]
        up = rows @ self.values.astype(np.float32) @ cols
        scale = 255.0 / (self.vmax - self.vmin)
        index = np.clip((up - self.vmin) * scale + 0.5, 0, 255).astype(np.uint8)
        gc = renderer.new_gc()
        renderer.draw_image(gc, x0, y0, np.take(self.lut, index, axis=0))  # 10x faster than lut[index]
        gc.restore()


class Sprite(Artist):
    """Artists that never change but lie above changing ones, pre-rendered once.

    `bake` draws them alone onto a cleared canvas and keeps those pixels (transparent
    elsewhere); each frame then composites the pixels instead of redrawing every marker.
    """

    def __init__(self, ax, artists):
        super().__init__()
        self.ax, self.artists, self.pixels = ax, artists, None
        self.set_animated(True)
        self.set_figure(ax.figure)

    def bake(self, canvas) -> None:
        renderer = canvas.get_renderer()
        saved = canvas.copy_from_bbox(self.figure.bbox)
        renderer.clear()
        for artist in self.artists:
            artist.draw(renderer)
        self.x0, self.y0, self.pixels = _crop(np.asarray(canvas.buffer_rgba()), self.ax.bbox)
        canvas.restore_region(saved)

    def draw(self, renderer):
        gc = renderer.new_gc()
        renderer.draw_image(gc, self.x0, self.y0, self.pixels)
        gc.restore()


def _pixel_box(box):
    x0, y0 = int(np.floor(box.x0)), int(np.floor(box.y0))
    return x0, y0, int(np.ceil(box.x1)) - x0, int(np.ceil(box.y1)) - y0


def _crop(buffer: np.ndarray, box):
    """The pixels of `box`, bottom row first as draw_image takes them."""
    x0, y0, w, h = _pixel_box(box)
    top = buffer.shape[0] - (y0 + h)
    return x0, y0, buffer[top:top + h, x0:x0 + w][::-1].copy()


class _Plane(Panel):
    """A 2-D input plane drawn as an image, with the data points on top of it."""
    picture = True
    fields = ("output",)
    needs = ("grid/x0",)
    fits = "a scene with two inputs"

    def _image(self, log, vmin, vmax, label):
        x0, x1 = log["grid/x0"], log["grid/x1"]
        self.ax.set_xlim(x0[0], x0[-1])
        self.ax.set_ylim(x1[0], x1[-1])
        self.image = GridImage(self.ax, CMAP, vmin, vmax)
        self.colors = ScalarMappable(Normalize(vmin, vmax), CMAP)
        bar = self.ax.figure.colorbar(self.colors, ax=self.ax, fraction=0.05, pad=0.02)
        bar.set_label(label)
        self.ax.set_xlabel("$x_1$")
        self.ax.set_ylabel("$x_2$")
        return x0, x1

    def _legend(self):
        """A legend above the image: it goes into the sprite, not the background."""
        legend = self.ax.legend(loc="best", framealpha=0.85)
        legend.set_animated(True)
        return legend

    def _scatter(self, x, values, marker, label):
        return self.dynamic(self.ax.scatter(
            x[:, 0], x[:, 1], color=self.colors.to_rgba(values), marker=marker,
            s=self.style["dot"] * 3, edgecolors=MODEL, linewidths=self.style["line"] * 0.3,
            label=label))


@panel("heatmap")
class Heatmap(_Plane):
    """The network's output over the input plane, the data points on top."""

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        data = _points(log)
        ys = np.concatenate([y[:, 0] for _, y, *_ in data])
        vmin, vmax = _pad(ys.min(), ys.max(), 0.0)
        self._image(log, vmin, vmax, "network output")
        points = [self._scatter(x, y[:, 0], m, label)
                  for (x, y, _, label), m in zip(data, ("o", "^"))]
        self.points = self.sprite(points + [self._legend()])

    def update(self, i, snap):
        self.image.set_data(snap["output"][..., 0])
        return [self.image, self.points]


@panel("boundary")
class Boundary(_Plane):
    """Class probability over the plane, the 0.5 decision contour, misclassified points ringed."""
    fields = ("output", "predicted/train", "predicted/val")
    needs = ("grid/x0", "predicted/train")
    fits = "a classification scene with two inputs"

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        x0, x1 = self._image(log, 0.0, 1.0, "P(class 1)")
        self.x0, self.x1 = x0, x1
        self.edge = self.dynamic(LineCollection([], colors=MODEL, linewidths=style["line"] * 1.3))
        ax.add_collection(self.edge)
        self.data = [(x, np.argmax(y, axis=1)) for x, y, *_ in _points(log)]
        points = [self._scatter(x, labels, m, label) for (x, labels), m, label
                  in zip(self.data, ("o", "^"), ("train", "validation"))]
        self.wrong = self.dynamic(ax.scatter(
            [], [], s=style["dot"] * 9, facecolors="none", edgecolors=WRONG,
            linewidths=style["line"] * 0.9, label="misclassified"))
        self.points = self.sprite(points + [self._legend()])

    def update(self, i, snap):
        p1 = snap["output"][..., 1]
        self.image.set_data(p1)
        gen = contourpy.contour_generator(self.x0, self.x1, p1, line_type="Separate")
        self.edge.set_segments(gen.lines(0.5))
        wrong = [x[pred != labels] for (x, labels), pred in
                 zip(self.data, (snap["predicted/train"], snap["predicted/val"]))]
        self.wrong.set_offsets(np.concatenate(wrong))
        return [self.image, self.edge, self.points, self.wrong]


class _Curves(Panel):
    """Train and validation series against step, drawn up to the current snapshot."""
    keys: tuple[str, str] = ("", "")

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.steps = series["step"]
        ax.set_xlim(0, max(1, self.steps[-1]))
        ax.set_xlabel("step")
        self.lines = []
        for key, color, label in zip(self.keys, (TRAIN, VAL), ("train", "validation")):
            line, = ax.plot([], [], color=color, lw=style["line"], label=label)
            dot, = ax.plot([], [], "o", color=color, ms=style["line"] * 2.2)
            self.lines.append((self.values(key), self.dynamic(line), self.dynamic(dot)))
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc=self.legend_loc, framealpha=0.9)

    def values(self, key):
        return self.series[key]

    def update(self, i, snap):
        artists = []
        for values, line, dot in self.lines:
            line.set_data(self.steps[:i + 1], values[:i + 1])
            dot.set_data(self.steps[i:i + 1], values[i:i + 1])
            artists += [line, dot]
        return artists


@panel("loss")
class Loss(_Curves):
    keys = ("loss/train", "loss/val")
    legend_loc = "upper right"

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        ax.set_yscale("log")
        both = np.concatenate([self.values(k) for k in self.keys])
        lo, hi = np.log10(both.min()), np.log10(both.max())
        pad = 0.06 * max(hi - lo, 0.5)
        ax.set_ylim(10 ** (lo - pad), 10 ** (hi + pad))
        plain = FuncFormatter(lambda v, _: f"{v:.3g}")
        if hi - lo < 1:  # under a decade: plain numbers, not 1.05 x 10^-1 minor labels
            ax.yaxis.set_major_locator(MaxNLocator(5))
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_locator(NullLocator())
        elif hi - lo < 3:  # a few decades: 1-2-5 ticks as plain numbers
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel("loss")

    def values(self, key):
        return np.maximum(self.series[key], 1e-12)  # a log axis cannot show 0


@panel("accuracy")
class Accuracy(_Curves):
    keys = ("accuracy/train", "accuracy/val")
    needs = keys
    fits = "a classification scene"
    legend_loc = "lower right"

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        ax.set_ylim(-0.03, 1.03)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("accuracy")
