"""The landscape we descend: the training loss over a plane in parameter space, with the path.

The surface is static (computed once after training and stored in the log, see
nnviz.learn.landscape), so it is drawn once into the background; per frame only the optimiser's path
up to the current snapshot, the current point and the step there change. A linear neuron of one
input is drawn in the data's units (slope W and intercept B of y = W·x + B, nnviz.learn.units);
a larger network's plane is in the standardised units it trained in, and says so.

At the current point two arrows: the downhill direction, −η·gradient (the full training set's
gradient, what plain gradient descent would step), and the step the optimiser then took (they
differ for momentum and Adam, and for mini-batches); both at one scale for the whole run, so the
largest is visible, the scale in the key beside the axes.
"""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib import patheffects as effects
from matplotlib.colors import LogNorm
from matplotlib.transforms import ScaledTranslation
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..theme import LIGHT
from ...learn import landscape as loss_landscape
from ...learn.units import loss_units, standardizer
from .base import Panel, fit_text, panel

SURFACE = LIGHT.sequential   # sequential, perceptually uniform, colour-blind safe (every theme:
                             # the surface fills its axes; see nnviz.draw.theme)
PATH = "#ffffff"             # the path, its start and the notes lie on the surface: the same
                             # colours in every theme
NOW = "#e8402a"
DOWNHILL = "#3fd0ff"          # the two arrows: light, outlined dark, on any part of the surface
STEP = "#ffd23f"
ARROW_FRACTION = 0.35        # the longest arrow of the run, as a fraction of the axes


def fit_surface_text(ax, renderer) -> None:
    """The x label and the projection note no wider than the panel (3 views at 640x480)."""
    fit_text(ax.xaxis.label, 1.1 * ax.bbox.width, renderer, smallest=0.8)
    for note in (t for t in ax.texts if t.get_gid() == "note"):
        fit_text(note, 0.96 * ax.bbox.width, renderer, smallest=0.8)


@panel("landscape")
class Landscape(Panel):
    """Log-coloured loss surface with labelled contours, the path so far, where it is now and
    the step there (downhill and taken)."""
    view = True
    fields = ()
    needs = ("landscape/loss",)
    fits = ("a log trained with it: render the scene with --panels ...,landscape "
            "(not --from an older log)")

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        land, self.to_data = self.in_data_units(log)
        self.surface(ax, land, style, "path projected onto its 2 principal directions",
                     loss_units(log.meta, log))
        self.path = np.asarray(land["landscape/path"], np.float64)
        ax.plot(*self.path[0], "o", mfc="none", mec=PATH, ms=style["line"] * 4, mew=style["line"] * 0.7,
                label="start")
        self.minimum(ax, land, style)
        self.trail, = ax.plot([], [], color=PATH, lw=style["line"] * 0.9)
        self.now, = ax.plot([], [], "o", color=NOW, mec="white", mew=style["line"] * 0.5,
                            ms=style["line"] * 3.5, label="now")
        self.dynamic(self.trail)
        self.dynamic(self.now)
        self.arrows, self.scale = self.steps(log, land), 1.0
        handles = []
        if self.arrows is not None:
            span = np.array([np.ptp(land["landscape/a"]), np.ptp(land["landscape/b"])])
            longest = max(np.hypot(*(v / span).T).max() for v in self.arrows)
            self.scale = ARROW_FRACTION / longest if longest > 0 else 1.0
            self.arrow_artists = []
            # downhill wide and beneath, the step narrow on top: both show where they coincide
            for colour, width in ((DOWNHILL, 1.6), (STEP, 0.7)):
                arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", color=colour,
                                        mutation_scale=style["font"] * width * 1.1,
                                        lw=style["line"] * width, shrinkA=0, shrinkB=0, zorder=4)
                arrow.set_path_effects([effects.withStroke(linewidth=style["line"] * (width + 1.0),
                                                           foreground="#202020")])
                self.arrow_artists.append(self.dynamic(ax.add_patch(arrow)))
            times = f" ×{self.scale:.2g}" if abs(self.scale - 1) > 1e-3 else ""
            handles = [Line2D([], [], color=DOWNHILL, lw=style["line"] * 1.6,
                              label=f"downhill −η·gradient{times}"),
                       Line2D([], [], color=STEP, lw=style["line"] * 0.9,
                              label=f"step taken{times}")]
        ink = self.theme.ink   # the key lies off the surface: white marks outlined in ink
        marks = [Line2D([], [], ls="none", marker="o", mfc="none", mec=ink, ms=style["line"] * 3,
                        label="start"),
                 Line2D([], [], ls="none", marker="o", color=NOW, mec=ink,
                        ms=style["line"] * 3, label="now")]
        marks += [h for h in ax.get_legend_handles_labels()[0] if h.get_marker() == "*"]
        self.handles = marks + handles
        self.key(ax, 3, style["font"] * 2.2)

    def key(self, ax, columns: int, below: float):
        """The key off the data: under the axes, `below` points under their bottom edge (the
        tick labels and the x label lie between); static, drawn once (nothing moves there)."""
        shift = ScaledTranslation(0, -below / 72, ax.figure.dpi_scale_trans)
        ax.legend(handles=self.handles, loc="upper center", bbox_to_anchor=(0.5, 0),
                  bbox_transform=ax.transAxes + shift, ncol=columns, framealpha=0.0,
                  fontsize=self.style["font"] * 0.7, handlelength=1.5, columnspacing=1.0,
                  borderaxespad=0.0, handletextpad=0.5)

    @staticmethod
    def in_data_units(log, paths=None):
        """The landscape to draw and the linear map (A, c) to the data's units (None: the
        plane is drawn in the units it was computed in). `paths`: several runs' (w, b) paths
        over the one surface (nnviz.draw.panels.runs.SharedLandscape), which then covers all
        of them (default: this log's own path)."""
        units = standardizer(log)
        architecture = log.meta.get("architecture")
        if (units is None or len(log["landscape/origin"]) != 2 or not isinstance(architecture, list)
                or (log.meta.get("options") or {}).get("loss") != "mse"):
            return log, None
        path = log["landscape/path"] if paths is None else np.vstack(paths)
        land = loss_landscape.in_data_units(
            architecture, path, log["data/x_train"], log["data/y_train"],
            units, "mse", grid=len(log["landscape/a"]))
        return land, land["landscape/map"]

    def steps(self, log, land):
        """The two arrows of every snapshot in the plane's coordinates: (−η·gradient, update),
        each (S, 2); None when the log does not record them."""
        names = sorted((n[len("param/"):] for n in log.names if n.startswith("param/")),
                       key=lambda n: (int(n.split(".")[0]) if n.split(".")[0].isdigit() else 0, n))
        if not names or not all(f"grad/{n}" in log and f"update/{n}" in log for n in names):
            return None
        lr = float((log.meta.get("options") or {}).get("lr", 1.0))
        directions = np.asarray(log["landscape/directions"], np.float64)
        found = []
        for prefix, factor in (("grad/", -lr), ("update/", 1.0)):
            total, at = np.zeros((len(log), 2)), 0
            for n in names:   # the flat layout: each layer's W (row-major), then its b
                v = np.asarray(log[prefix + n], np.float64).reshape(len(log), -1)
                total += v @ directions[:, at:at + v.shape[1]].T
                at += v.shape[1]
            if at != directions.shape[1]:
                return None
            total *= factor
            found.append(total if self.to_data is None else total @ self.to_data[0].T)
        return found

    @staticmethod
    def surface(ax, log, style, note: str, units: tuple[str, float] = ("loss", 1.0)):
        """The static surface: log colours, labelled contours, colour bar (returned), axis
        labels (and `note` on a projected plane), limits. `units`: what the loss is and the
        factor that takes the stored values to it (nnviz.learn.units.loss_units)."""
        a, b = log["landscape/a"], log["landscape/b"]
        loss = np.asarray(log["landscape/loss"], np.float64) * units[1]
        finite = loss[np.isfinite(loss) & (loss > 0)]
        top = finite.max() if finite.size else 1.0
        low = max(finite.min() if finite.size else 1e-3, top * 1e-6)
        loss = np.clip(np.where(np.isfinite(loss), loss, top), low, top)   # overflowed: the highest
        norm = LogNorm(low, top)
        ax.imshow(loss, origin="lower", extent=(a[0], a[-1], b[0], b[-1]), aspect="auto",
                  cmap=style["theme"].sequential, norm=norm, interpolation="bilinear")
        if top / low > 1.05:
            levels = np.geomspace(low, top, 8)[1:-1]
            lines = ax.contour(a, b, loss, levels=levels, colors="white", alpha=0.55,
                               linewidths=style["line"] * 0.45)
            ax.clabel(lines, levels[::2], fontsize=style["font"] * 0.55, fmt=lambda v: f"{v:.3g}")
        bar = ax.figure.colorbar(ax.images[0], ax=ax, fraction=0.05, pad=0.02)
        bar.set_label(f"training {units[0]}")
        plain = FuncFormatter(lambda v, _: f"{v:.3g}")
        bar.ax.yaxis.set_major_formatter(plain)
        bar.ax.yaxis.set_minor_formatter(plain if top / low < 10 else NullFormatter())
        if "landscape/map" in log:   # a linear neuron in the data's units
            ax.set_xlabel("slope W  (y = W·x + B, data units)")
            ax.set_ylabel("intercept B")
        elif len(log["landscape/origin"]) == 2:
            ax.set_xlabel("w (standardised units)")
            ax.set_ylabel("b (standardised units)")
        else:
            explained = log["landscape/explained"]
            ax.set_xlabel(f"direction 1 ({100 * explained[0]:.0f} % of the path's variance)")
            ax.set_ylabel(f"direction 2 ({100 * explained[1]:.0f} %)")
            ax.text(0.02, 0.02, note + ", standardised weights", transform=ax.transAxes, fontsize=style["font"] * 0.55,
                    color="white", parse_math=False, gid="note").set_in_layout(False)
        ax.set_xlim(a[0], a[-1])
        ax.set_ylim(b[0], b[-1])
        return bar

    @staticmethod
    def minimum(ax, log, style) -> None:
        if "landscape/minimum" in log:
            ax.plot(*log["landscape/minimum"], "*", color=style["theme"].wrong,
                    mec=style["theme"].edge, mew=0.5,
                    ms=style["line"] * 7, label="least-squares minimum")

    def fit(self, renderer) -> None:
        """The x label and note fitted; the key right under the x label, in 3 columns or,
        where they are wider than the axes and colour bar, 2."""
        ax = self.ax
        fit_surface_text(ax, renderer)
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            return
        label = ax.xaxis.get_tightbbox(renderer)
        below = (ax.bbox.y0 - label.y0) * 72 / ax.figure.dpi + self.style["font"] * 0.3
        columns = 3 if legend.get_window_extent(renderer).width <= 1.25 * ax.bbox.width else 2
        self.key(ax, columns, below)

    def update(self, i, snap):
        self.trail.set_data(self.path[:i + 1, 0], self.path[:i + 1, 1])
        self.now.set_data(self.path[i:i + 1, 0], self.path[i:i + 1, 1])
        if self.arrows is None:
            return [self.trail, self.now]
        at = self.path[i]
        for arrow, vectors in zip(self.arrow_artists, self.arrows):
            arrow.set_positions(tuple(at), tuple(at + self.scale * vectors[i]))
        return [self.trail, *self.arrow_artists, self.now]
