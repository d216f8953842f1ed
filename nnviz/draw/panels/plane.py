"""Views of the input space: the fitted curve, the output heat-map, the decision boundary."""
from __future__ import annotations

import contourpy
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...learn.data import class_labels
from .artists import GridImage
from .base import Panel, data_points, pad, panel, predicted_rows, shown_note


@panel("fit")
class Fit(Panel):
    """1-D regression: the data points and the network's curve, in the data's own units."""
    view = True
    fields = ("output",)
    needs = ("grid/x",)
    fits = "a scene with one input"

    def __init__(self, ax, log, series, style, tile=None):
        """`tile` (panels.runs): one small multiple of several runs; limits are set by it."""
        super().__init__(ax, log, series, style)
        self.x = log["grid/x"]
        for k, (x, y, color, label) in enumerate(data_points(log, self.theme)):
            if tile is not None:   # the tile's colours are its run's: the data stays grey
                color = self.theme.tile_data[k]
            ax.scatter(x[:, 0], y[:, 0], s=style["dot"], color=color, alpha=0.55, lw=0,
                       label=f"{label} data", rasterized=True)
        ys = np.concatenate([y[:, 0] for _, y, *_ in data_points(log, every=True)])
        ax.set_xlim(self.x[0], self.x[-1])
        ax.set_ylim(*pad(ys.min(), ys.max(), 0.12))
        self.curve, = ax.plot([], [], color=tile["colour"] if tile else self.theme.ink,
                              lw=style["line"] * 1.4, label="network")
        self.dynamic(self.curve)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        if tile is None or tile["legend"]:
            ax.legend(loc="best", framealpha=0.9, title=shown_note(log))
            # where the curve will be over the run, for nnviz.draw.legible: a legend not there
            outputs = np.asarray(log["output"])[..., 0]
            ax.covers = [(self.x, outputs[k]) for k in np.unique(np.linspace(
                0, len(outputs) - 1, min(len(outputs), 24)).astype(int))]

    def update(self, i, snap):
        self.curve.set_data(self.x, snap["output"][:, 0])
        return [self.curve]


class _Plane(Panel):
    """A 2-D input plane drawn as an image, with the data points on top of it."""
    view = True
    fields = ("output",)
    needs = ("grid/x0",)
    fits = "a scene with two inputs"
    plane = True             # drawn at equal aspect (layout.keep_aspect)

    def _image(self, log, vmin, vmax, label, tile=None):
        x0, x1 = log["grid/x0"], log["grid/x1"]
        self.note = shown_note(log)   # "3,000 of 100,000 points shown", or None
        self.ax.set_xlim(x0[0], x0[-1])
        self.ax.set_ylim(x1[0], x1[-1])
        self.aspect = (x0[-1] - x0[0]) / (x1[-1] - x1[0])   # the data's width / height
        if tile is not None:   # one small multiple: the set's colour scale, one colour bar
            vmin, vmax = tile.get("vrange") or (vmin, vmax)
        cmap = self.theme.diverging
        self.image = GridImage(self.ax, cmap, vmin, vmax)
        self.colors = ScalarMappable(Normalize(vmin, vmax), cmap)
        if tile is not None:
            self.image.extent = (x0[0], x0[-1], x1[0], x1[-1])
            self.colour_label = label
        else:
            bar = self.ax.figure.colorbar(self.colors, ax=self.ax, fraction=0.05, pad=0.02)
            bar.set_label(label)
        names = log.meta.get("input_names") or ["$x_1$", "$x_2$"]   # a CSV's columns
        self.ax.set_xlabel(shown_name(names[0]) if names[0] != "$x_1$" else names[0])
        self.ax.set_ylabel(shown_name(names[1]) if names[1] != "$x_2$" else names[1])
        return x0, x1

    def _legend(self, colours: str, values, extra=(), tile=None):
        """A legend above the image: it goes into the sprite, not the background (of several
        runs' tiles only the first has one).

        The markers' shapes say train or validation and are drawn neutral: a legend marker in
        one point's colour (blue in one scene, red in another) suggests a class it does not
        mean. What the points' colours mean is said once, by one entry `colours` whose swatches
        are the colour map at `values` (a colour bar label would not fit small frames).
        """
        if tile is not None and not tile["legend"]:
            return []
        line = self.style["line"]
        shape = lambda marker, label: Line2D(
            [], [], ls="", marker=marker, markersize=self.style["dot"] ** 0.5 * 1.7,
            markerfacecolor=self.theme.neutral, markeredgecolor=self.theme.edge,
            markeredgewidth=line * 0.3,
            label=label)
        swatches = tuple(Patch(facecolor=self.colors.to_rgba(v), edgecolor=self.theme.edge,
                               linewidth=line * 0.3) for v in values)
        handles = [shape("o", "train"), shape("^", "validation"), *extra, swatches]
        labels = [h.get_label() for h in handles[:-1]] + [colours]
        legend = self.ax.legend(handles, labels, loc="best", framealpha=0.85, ncols=2,
                                title=self.note,
                                handler_map={tuple: HandlerTuple(ndivide=None, pad=0.3)})
        legend.set_animated(True)
        legend.source = handles, labels   # a tuple's swatches, for nnviz.draw.legible.outside
        return [legend]

    def _scatter(self, x, values, marker):
        return self.dynamic(self.ax.scatter(
            x[:, 0], x[:, 1], color=self.colors.to_rgba(values), marker=marker,
            s=self.style["dot"] * 3, edgecolors=self.theme.edge,
            linewidths=self.style["line"] * 0.3))


NAME_SHOWN = 24   # characters of a column's or class's name a frame shows


def shown_name(name: str) -> str:
    """A name from the user's file as a frame shows it: cut to NAME_SHOWN characters, and its
    '$' escaped (matplotlib would read text between two as mathematics)."""
    name = name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"
    return name.replace("$", r"\$")


@panel("heatmap")
class Heatmap(_Plane):
    """The network's output over the input plane, the data points on top."""

    def __init__(self, ax, log, series, style, tile=None):
        super().__init__(ax, log, series, style)
        data = data_points(log, self.theme)
        vmin, vmax = self.value_range(log)
        self._image(log, vmin, vmax, "network output", tile)
        points = [self._scatter(x, y[:, 0], m) for (x, y, *_), m in zip(data, ("o", "^"))]
        ys = np.concatenate([y[:, 0] for _, y, *_ in data_points(log, every=True)])
        lo, hi = ys.min(), ys.max()   # the points take their target's colour on the same scale
        self.points = self.sprite(points + self._legend(f"target {lo:.2g} to {hi:.2g}", (lo, hi),
                                                        tile=tile))

    @staticmethod
    def value_range(log) -> tuple[float, float]:
        """The colour scale: the targets' range (small multiples share the union of theirs)."""
        ys = np.concatenate([y[:, 0] for _, y, *_ in data_points(log, every=True)])
        return pad(ys.min(), ys.max(), 0.0)

    def update(self, i, snap):
        self.image.set_data(snap["output"][..., 0])
        return [self.image, self.points]


# A piece of the 0.5 contour inside one grid cell each way encloses at most one grid value;
# where that value is within FLAT of 0.5 the field only grazes 0.5 there (a nearly flat ridge
# sampled on the grid), and such pieces drew a trail of specks that read as noise.
FLAT = 0.05


def decision_line(x0: np.ndarray, x1: np.ndarray, p: np.ndarray, level: float = 0.5) -> list:
    """The `level` contour of `p` (rows along x1) as pieces, without the specks where the field
    only grazes the level: a piece spanning at most one grid point whose values there stay within
    FLAT of the level. A real boundary, however small, has a value beyond FLAT and stays."""
    gen = contourpy.contour_generator(x0, x1, p, line_type="Separate")
    cell = np.array([x0[1] - x0[0], x1[1] - x1[0]])
    keep = []
    for piece in gen.lines(level):
        lo, hi = piece.min(axis=0), piece.max(axis=0)
        if (hi - lo < 2 * cell).all():
            cols, rows = (x0 >= lo[0]) & (x0 <= hi[0]), (x1 >= lo[1]) & (x1 <= hi[1])
            inside = p[np.ix_(rows, cols)]
            if not inside.size or np.abs(inside - level).max() < FLAT:
                continue
        keep.append(piece)
    return keep


@panel("boundary")
class Boundary(_Plane):
    """Class probability over the plane, the 0.5 decision contour, misclassified points ringed."""
    fields = ("output", "predicted/train", "predicted/val")
    needs = ("grid/x0", "predicted/train")
    fits = "a classification scene with two inputs"

    def __init__(self, ax, log, series, style, tile=None):
        super().__init__(ax, log, series, style)
        names = [shown_name(n) for n in log.meta.get("class_names") or ("class 0", "class 1")]
        x0, x1 = self._image(log, 0.0, 1.0, f"P({names[-1]})", tile)
        self.x0, self.x1 = x0, x1
        self.edge = self.dynamic(LineCollection([], colors=self.theme.ink,
                                                linewidths=style["line"] * 1.3))
        ax.add_collection(self.edge)
        self.data = [(x, class_labels(y)) for x, y, *_ in data_points(log, self.theme)]
        self.rows = [predicted_rows(log, part) for part in ("train", "val")]
        points = [self._scatter(x, labels, m) for (x, labels), m in zip(self.data, ("o", "^"))]
        self.wrong = self.dynamic(ax.scatter(
            [], [], s=style["dot"] * 9, facecolors="none", edgecolors=self.theme.wrong,
            linewidths=style["line"] * 0.9, label="misclassified"))
        # class 0 takes the colour of P = 0, class 1 that of P = 1
        self.points = self.sprite(points + self._legend(", ".join(names), (0.0, 1.0),
                                                        extra=[self.wrong], tile=tile))

    @staticmethod
    def value_range(log) -> tuple[float, float]:
        return 0.0, 1.0

    def update(self, i, snap):
        p1 = snap["output"][..., -1]   # softmax's second column, or a sigmoid's only one
        self.image.set_data(p1)
        self.edge.set_segments(decision_line(self.x0, self.x1, p1))
        wrong = [x[(pred if rows is None else pred[rows]) != labels] for (x, labels), pred, rows
                 in zip(self.data, (snap["predicted/train"], snap["predicted/val"]), self.rows)]
        self.wrong.set_offsets(np.concatenate(wrong))
        return [self.image, self.edge, self.points, self.wrong]


