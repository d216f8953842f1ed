"""Panels for several runs in one frame (nnviz.learn.runs): small multiples, curves per run, one
landscape with every run's path.

Every run has a colour from a qualitative palette designed for colour-vision deficiencies
(Petroff 2021, matplotlib's `petroff6/8/10` sequences, the one sized for the number of runs);
it marks the run's tile (its title and frame), its curves and its path, so a viewer matches
them without a legend. What runs share is drawn on shared scales: the tiles on one pair of
axes and one colour scale, the curves on one axis.

These panels take the list of the runs' logs and, per frame, the list of their snapshots.
"""
from __future__ import annotations

import matplotlib
import matplotlib.patheffects as effects
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.transforms import ScaledTranslation
from matplotlib.ticker import PercentFormatter

from ...learn.units import loss_units
from ..layout import TILE_ASPECT, ranked_tiles
from .base import PANELS, pad
from .curves import log_axis
from .landscape import PATH, Landscape


def colours(n: int) -> list[str]:
    """n run colours from the smallest Petroff sequence that holds n."""
    name = next(f"petroff{k}" for k in (6, 8, 10) if n <= k)
    return [matplotlib.colors.to_hex(c) for c in matplotlib.color_sequences[name][:n]]


def _mark(ax, label: str, colour: str, style, size: float):
    """A run's tile: its label above it in the run's colour, and a frame of that colour (a
    sprite: the tile's picture is drawn per frame and would cover a frame in the background)."""
    from .artists import Sprite
    ax.set_title(label, color=colour, fontsize=size, pad=style["font"] * 0.3, parse_math=False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_edgecolor(colour)
        spine.set_linewidth(style["line"] * 1.1)
        spine.set_animated(True)
    return Sprite(ax, list(ax.spines.values()), pad=int(style["line"] * 2) + 2)


class SmallMultiples:
    """One tile per run of a picture panel (fit, heatmap, boundary) on shared axes."""
    view = True

    def __init__(self, ax, logs, labels, colours_, style, picture: str, choice: int = 0):
        """`choice`: which of the ranked grids (layout.ranked_tiles) to use, 0 the best."""
        cls = PANELS[picture]
        fig = ax.figure
        box = ax.get_subplotspec().get_position(fig)
        width, height = box.width * fig.bbox.width, box.height * fig.bbox.height
        title = 2.5 * style["font"] * fig.dpi / 72   # a tile's title and tick labels, in pixels
        ranked = ranked_tiles(len(logs), width, height, TILE_ASPECT.get(picture, 1.0), title)
        rows, cols = ranked[min(choice, len(ranked) - 1)]
        self.last_choice = choice >= len(ranked) - 1
        # a label must fit above its tile: a smaller font for long labels in narrow tiles
        widest = max(len(label) for label in labels)
        size = min(style["font"] * 0.9, 0.9 * width / cols / (0.62 * widest) * 72 / fig.dpi)
        grid = self._grid(ax, rows, cols, width, height, title, picture)
        ax.remove()
        vrange = None
        if hasattr(cls, "value_range"):   # one colour scale for every tile
            ranges = np.array([cls.value_range(log) for log in logs])
            vrange = (ranges[:, 0].min(), ranges[:, 1].max())
        self.tiles, self.sprites, first = [], [], None
        for k, log in enumerate(logs):
            row, col = divmod(k, cols)
            shift = cols - (len(logs) - row * cols) if row == rows - 1 else 0
            left = 2 * col + max(shift, 0)
            sub = fig.add_subplot(grid[row + 1, left + 1:left + 3], sharex=first, sharey=first)
            first = first or sub
            tile = {"legend": False, "vrange": vrange, "colour": colours_[k]}
            panel = cls(sub, log, {}, style, tile=tile)
            panel.frame = _mark(sub, labels[k], colours_[k], style, size)
            self.tiles.append(panel)
            self.sprites += panel.sprites + [panel.frame]
        self._share_limits(logs, picture)
        n = len(self.tiles)
        for k, panel in enumerate(self.tiles):   # tick labels and axis names on the outer tiles
            bottom, left = k + cols >= n, k % cols == 0
            panel.ax.tick_params(labelbottom=bottom, labelleft=left)
            if not bottom:
                panel.ax.set_xlabel("")
            if not left:
                panel.ax.set_ylabel("")
        axes = [p.ax for p in self.tiles]
        if hasattr(self.tiles[0], "colour_label"):
            bar = fig.colorbar(self.tiles[0].colors, ax=axes, fraction=0.04, pad=0.02,
                               aspect=30)
            bar.set_label(self.tiles[0].colour_label)

    @staticmethod
    def _grid(ax, rows, cols, width, height, title, picture):
        """The tiles' grid inside the view's cell: half-cells, so a short last row is centred
        under the full ones, between spacer rows and columns that give a plane's tiles their
        aspect (a plane must not be stretched; a curve over x may fill its cell).

        Spacers rather than Axes.set_box_aspect: under constrained layout a box aspect shrinks
        the axes after the layout has placed their labels (a tile's y label ended outside the
        frame at 640x480)."""
        if picture == "fit":
            tile_w, tile_h = width / cols, height / rows
        else:
            aspect = TILE_ASPECT.get(picture, 1.0)
            tile_h = min(width / cols / aspect, height / rows - title) + title
            tile_w = (tile_h - title) * aspect
        # a spacer never quite vanishes: constrained layout collapsed around near-zero ones
        spare_w = max(width - cols * tile_w, 0) / 2 + 0.02 * width
        spare_h = max(height - rows * tile_h, 0) / 2 + 0.02 * height
        return ax.get_subplotspec().subgridspec(
            rows + 2, 2 * cols + 2,
            width_ratios=[spare_w] + [tile_w / 2] * (2 * cols) + [spare_w],
            height_ratios=[spare_h] + [tile_h] * rows + [spare_h])

    def _share_limits(self, logs, picture: str) -> None:
        ax = self.tiles[0].ax
        if picture == "fit":
            xs = np.concatenate([log["grid/x"][[0, -1]] for log in logs])
            ys = np.concatenate([np.concatenate([log[k][:, 0] for k in ("data/y_train", "data/y_val")])
                                 for log in logs])
            ax.set_xlim(xs.min(), xs.max())
            ax.set_ylim(*pad(ys.min(), ys.max(), 0.12))
        else:
            x0 = np.concatenate([log["grid/x0"][[0, -1]] for log in logs])
            x1 = np.concatenate([log["grid/x1"][[0, -1]] for log in logs])
            ax.set_xlim(x0.min(), x0.max())
            ax.set_ylim(x1.min(), x1.max())

    @property
    def fields(self):
        return self.tiles[0].fields

    def update(self, i, snaps):
        artists = []
        for panel, snap in zip(self.tiles, snaps):
            artists += panel.update(i, snap) + [panel.frame]
        return artists


class RunCurves:
    """One curve per run in its colour, drawn up to the current snapshot, with a dot on it."""
    view = False
    fields = ()

    def __init__(self, ax, logs, labels, colours_, style, metric: str, legend: bool = True):
        self.ax, self.sprites = ax, []
        self.steps = logs[0]["step"]
        key = "loss/train" if metric == "loss" else "accuracy/val"
        self.values = [np.asarray(log[key], np.float64) for log in logs]
        if metric == "loss":   # in the reader's units, as one run's loss panel and the words
            unit, _ = loss_units(logs[0].meta, logs[0])
            self.values = [np.maximum(v * loss_units(log.meta, log)[1], 1e-12)   # log axis: no 0
                           for v, log in zip(self.values, logs)]
        ax.set_xlim(0, max(1, self.steps[-1]))
        ax.set_xlabel("step")
        self.lines = []
        for values, label, colour in zip(self.values, labels, colours_):
            line, = ax.plot([], [], color=colour, lw=style["line"], label=label)
            dot, = ax.plot([], [], "o", color=colour, ms=style["line"] * 2.2)
            line.set_animated(True)
            dot.set_animated(True)
            self.lines.append((values, line, dot))
        ax.grid(True, which="major", alpha=0.3)
        ax.covers = [(self.steps, values) for values in self.values]   # for nnviz.draw.legible
        if metric == "loss":
            log_axis(ax, np.concatenate(self.values))
            ax.set_ylabel(unit)   # as one run's loss panel: "MSE, data units"
        else:
            ax.set_ylim(-0.03, 1.03)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel("validation accuracy")
        if legend and len(logs) <= 4:   # more runs: their tiles' coloured titles are the key
            ax.legend(loc="upper right" if metric == "loss" else "lower right", framealpha=0.9,
                      fontsize=style["font"] * 0.7, handlelength=1.2)

    def update(self, i, snaps):
        artists = []
        for values, line, dot in self.lines:
            line.set_data(self.steps[:i + 1], values[:i + 1])
            dot.set_data(self.steps[i:i + 1], values[i:i + 1])
            artists += [line, dot]
        return artists


DASHES = ("-", (0, (4, 1.5)), (0, (1, 1.2)), "-.")   # one per run, cycled


class SharedLandscape:
    """One loss surface for all runs (nnviz.run.runtrain.add_shared_landscape) with every run's
    path racing over it in the run's colour, outlined so it reads on any part of the surface."""
    view = True
    fields = ()

    def __init__(self, ax, logs, labels, colours_, style):
        self.ax, self.sprites = ax, []
        n = len(logs)
        self.paths = [np.asarray(log["landscape/path"], np.float64) for log in logs]
        # one linear neuron: the plane of y = W·x + B in the data's units, as one run's is
        land, mapping = Landscape.in_data_units(logs[0], self.paths)
        if mapping is not None:
            a_map, c = mapping
            self.paths = [p @ a_map.T + c for p in self.paths]
        unit, factor = loss_units(logs[0].meta, logs[0])
        bar = Landscape.surface(ax, land, style, f"all {n} paths projected onto their 2 "
                                                 f"shared principal directions", (unit, factor))
        bar.set_label(f"training {unit}")   # as the loss panel's own label
        if len(logs[0]["landscape/origin"]) != 2:
            explained = logs[0]["landscape/explained"]
            ax.set_xlabel(f"direction 1 ({100 * explained[0]:.0f} % of all runs' variance)")
        starts = np.unique(np.array([p[0] for p in self.paths]), axis=0)
        ax.plot(starts[:, 0], starts[:, 1], "o", mfc="none", mec=PATH, ms=style["line"] * 4,
                mew=style["line"] * 0.7, ls="none")
        Landscape.minimum(ax, land, style)
        stars = [line for line in ax.lines if line.get_marker() == "*"]
        for star in stars:   # above the paths: a sprite over the per-frame trails
            star.set_animated(True)
        if stars:
            from .artists import Sprite
            self.sprites.append(Sprite(ax, stars))
        outline = [effects.Stroke(linewidth=style["line"] * 2.2, foreground=style["theme"].edge,
                                   alpha=0.6),
                   effects.Normal()]
        self.lines = []
        handles = []
        n = len(colours_)
        for k, (colour, label) in enumerate(zip(colours_, labels)):
            # where paths coincide (SGD and momentum start alike), each still shows: the first
            # widest and lowest, each next one narrower, dashed differently, on top
            width = style["line"] * (1.1 + 0.9 * (n - 1 - k) / max(n - 1, 1))
            dashes = DASHES[k % len(DASHES)]
            trail, = ax.plot([], [], color=colour, lw=width, ls=dashes, zorder=3 + k,
                             path_effects=outline, solid_capstyle="butt")
            now, = ax.plot([], [], "o", color=colour, mec="white", mew=style["line"] * 0.5,
                           ms=style["line"] * 3.2, zorder=3 + n + k)
            trail.set_animated(True)
            now.set_animated(True)
            self.lines += [(trail, now)]
            handles.append(Line2D([], [], color=colour, lw=width, ls=dashes, label=label))
        ink = style["theme"].ink
        handles.append(Line2D([], [], ls="none", marker="o", mfc="none", mec=ink,
                              ms=style["line"] * 3, label="start"))
        handles += [Line2D([], [], ls="none", marker="*", color=style["theme"].wrong,
                           mec=style["theme"].edge, ms=style["line"] * 5,
                           label=star.get_label()) for star in stars[:1]]
        self.handles, self.style = handles, style
        self.key(style["font"] * 2.2)

    def key(self, below: float) -> None:
        """The key off the surface, `below` points under the axes (static, drawn once)."""
        ax, style, handles = self.ax, self.style, self.handles
        shift = ScaledTranslation(0, -below / 72, ax.figure.dpi_scale_trans)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0),
                  bbox_transform=ax.transAxes + shift, ncol=min(len(handles), 3),
                  framealpha=0.0, fontsize=style["font"] * 0.7, handlelength=2.0,
                  columnspacing=1.0, borderaxespad=0.0, handletextpad=0.5)

    def fit(self, renderer) -> None:
        """The key right under the x label, once the layout has placed it (none on a small
        frame's detail level: frames._fewer_labels hid it)."""
        legend = self.ax.get_legend()
        if legend is None or not legend.get_visible():
            return
        label = self.ax.xaxis.get_tightbbox(renderer)
        self.key((self.ax.bbox.y0 - label.y0) * 72 / self.ax.figure.dpi + self.style["font"] * 0.3)

    def update(self, i, snaps):
        artists = []
        for path, (trail, now) in zip(self.paths, self.lines):
            trail.set_data(path[:i + 1, 0], path[:i + 1, 1])
            now.set_data(path[i:i + 1, 0], path[i:i + 1, 1])
            artists += [trail, now]
        return artists + self.sprites   # the minimum, above every path
