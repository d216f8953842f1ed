"""The landscape we descend: the training loss over a plane in parameter space, with the path.

The surface is static (computed once after training and stored in the log, see
nnviz.learn.landscape), so it is drawn once into the background; per frame only the optimiser's path
up to the current snapshot and the current point change.
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..theme import LIGHT
from .base import Panel, fit_text, panel

SURFACE = LIGHT.sequential   # sequential, perceptually uniform, colour-blind safe (every theme:
                             # the surface fills its axes; see nnviz.draw.theme)
PATH = "#ffffff"             # the path, its start and the notes lie on the surface: the same
                             # colours in every theme
NOW = "#e8402a"


def fit_surface_text(ax, renderer) -> None:
    """The x label and the projection note no wider than the panel (3 views at 640x480)."""
    fit_text(ax.xaxis.label, 1.1 * ax.bbox.width, renderer, smallest=0.8)
    for note in (t for t in ax.texts if t.get_gid() == "note"):
        fit_text(note, 0.96 * ax.bbox.width, renderer, smallest=0.8)


@panel("landscape")
class Landscape(Panel):
    """Log-coloured loss surface with labelled contours, the path so far and where it is now."""
    view = True
    fields = ()
    needs = ("landscape/loss",)
    fits = ("a log trained with it: render the scene with --panels ...,landscape "
            "(not --from an older log)")

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.surface(ax, log, style, "path projected onto its 2 principal directions")
        self.path = np.asarray(log["landscape/path"], np.float64)
        ax.plot(*self.path[0], "o", mfc="none", mec=PATH, ms=style["line"] * 4, mew=style["line"] * 0.7,
                label="start")
        self.minimum(ax, log, style)
        self.trail, = ax.plot([], [], color=PATH, lw=style["line"] * 0.9)
        self.now, = ax.plot([], [], "o", color=NOW, mec="white", mew=style["line"] * 0.5,
                            ms=style["line"] * 3.5, label="now")
        self.dynamic(self.trail)
        self.dynamic(self.now)
        legend = ax.legend(loc="upper right", framealpha=0.85, fontsize=style["font"] * 0.7)
        legend.set_animated(True)
        self.key = self.sprite([legend])

    @staticmethod
    def surface(ax, log, style, note: str):
        """The static surface: log colours, labelled contours, colour bar (returned), axis
        labels (and `note` on a projected plane), limits."""
        a, b = log["landscape/a"], log["landscape/b"]
        loss = np.asarray(log["landscape/loss"], np.float64)
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
        bar.set_label("training loss")
        plain = FuncFormatter(lambda v, _: f"{v:.3g}")
        bar.ax.yaxis.set_major_formatter(plain)
        bar.ax.yaxis.set_minor_formatter(plain if top / low < 10 else NullFormatter())
        explained = log["landscape/explained"]
        if len(log["landscape/origin"]) == 2:
            ax.set_xlabel("w")
            ax.set_ylabel("b")
        else:
            ax.set_xlabel(f"direction 1 ({100 * explained[0]:.0f} % of the path's variance)")
            ax.set_ylabel(f"direction 2 ({100 * explained[1]:.0f} %)")
            ax.text(0.02, 0.02, note, transform=ax.transAxes, fontsize=style["font"] * 0.55,
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
        fit_surface_text(self.ax, renderer)

    def update(self, i, snap):
        self.trail.set_data(self.path[:i + 1, 0], self.path[:i + 1, 1])
        self.now.set_data(self.path[i:i + 1, 0], self.path[i:i + 1, 1])
        return [self.trail, self.now, self.key]
