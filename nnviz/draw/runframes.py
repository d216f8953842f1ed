"""Frames of several runs in lockstep (nnviz.learn.runs): one figure, the runs' panels side by side.

The same machinery as one run's frames (frames.FrameRenderer: exact pixel size, background
drawn once, changing artists blitted): only the panels differ (panels.runs: small multiples
of the picture, one curve per run, one landscape with every path) and each frame reads one
snapshot of every run's log.
"""
from __future__ import annotations

import warnings

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..learn import runs
from .frames import (COMPACT, DPI, FULL, FrameRenderer, _fewer_labels, _rc, check_panels, crowding,
                     looks, settle_layout, style_for)
from .layout import arrange
from .panels import PANELS
from .panels.runs import RunCurves, SharedLandscape, SmallMultiples, colours
from ..learn.scene import INPUT_VIEWS


# grids of tiles tried, best first: constrained layout gives up ("axes sizes collapsed") when a
# grid's tick labels and colour bars leave no room (3 plane tiles 2x2 beside a landscape at
# 640x480); the next grid in layout.ranked_tiles usually fits. Each try costs one draw.
MAX_TRIES = 4


class RunsRenderer(FrameRenderer):
    """Draws the frames of a set of runs' logs (runs.check_set order) at `size` pixels."""

    def __init__(self, logs, size: tuple[int, int], panels: list[str] | None = None,
                 theme: str | None = None, title: str | None = None,
                 read_at: tuple[int, int] | None = None):
        self.logs, self.log, self.size, self.read_at = logs, logs[0], size, read_at
        self.theme, self.title = looks(logs[0].meta, theme, title)
        names = list(panels or logs[0].meta["panels"])
        scene = logs[0].meta["scene"]
        runs.check_panels(scene, names)
        for log in logs:
            check_panels(scene, names, log.names, log.meta)
        self.labels = [log.meta["run"]["label"] for log in logs]
        self.colours = self.theme.run_colours(colours(len(logs)))
        self.series = {"step": logs[0]["step"], "loss/train": logs[0]["loss/train"]}
        for detail in (FULL, COMPACT):   # less text when the legibility rule is not met
            self.style = style_for(size[1], detail, theme=self.theme)
            with matplotlib.rc_context(_rc(self.style)):
                for choice in range(MAX_TRIES):   # the best grid of tiles the layout can place
                    self.figure, self.panels = self._build(names, choice)
                    self.canvas = self.figure.canvas
                    with warnings.catch_warnings(record=True) as problems:
                        warnings.simplefilter("always")
                        settle_layout(self.figure, self.panels, self.size, [], self.read_at)
                        self.canvas.draw()
                    collapsed = any("collapsed" in str(w.message) for w in problems)
                    tiles = [p for p in self.panels if isinstance(p, SmallMultiples)]
                    if not collapsed or not tiles or tiles[0].last_choice:
                        break
                if not crowding(self.figure, self.panels, self.size, self.read_at):
                    break
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        for sprite in (s for p in self.panels for s in p.sprites):
            sprite.bake(self.canvas)
        self.fields = sorted({f for p in self.panels for f in p.fields})

    def _build(self, names: list[str], choice: int = 0):
        w, h = self.size
        fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        header = self._header(fig)
        fig.get_layout_engine().set(rect=(0, 0, 1, 1 - header), h_pad=0.06, w_pad=0.06)
        axes = arrange(fig, [PANELS[n] for n in names], self.size, runs=len(self.logs))
        args = (self.logs, self.labels, self.colours, self.style)
        panels = []
        for name, ax in zip(names, axes):
            if name in INPUT_VIEWS:
                panels.append(SmallMultiples(ax, *args, name, choice))
            elif name == "landscape":
                panels.append(SharedLandscape(ax, *args))
            else:   # one key for the curves: on the first metric panel
                first = not any(isinstance(p, RunCurves) for p in panels)
                panels.append(RunCurves(ax, *args, name, legend=first))
        if self.style["detail"] != FULL:
            _fewer_labels(fig, panels, self.style["detail"])
        return fig, panels

    def _status(self, i: int, fixed: bool = False) -> str:
        """The header: the step only (each run's loss is its curve)."""
        s = self.series
        last = s["step"][-1]
        parts = [(f"{len(self.logs)} runs   step ", True),
                 (f"{s['step'][i]:>{len(str(last))}d}", False), (f" / {last}", True)]
        return "".join(t if keep == fixed else " " * len(t) for t, keep in parts)

    def frames(self):
        """Yield the RGBA buffer of each snapshot's frame: snapshot i of every run at once."""
        draw = self.figure.draw_artist
        streams = [log.stream(self.fields) for log in self.logs]
        for i, snaps in enumerate(zip(*streams)):
            self.canvas.restore_region(self.background)
            for p in self.panels:
                for artist in p.update(i, list(snaps)):
                    draw(artist)
            self.status.set_text(self._status(i, fixed=False))
            draw(self.status)
            yield self.canvas.buffer_rgba()
