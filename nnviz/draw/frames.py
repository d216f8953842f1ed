"""Frames: one figure per render at the exact pixel size, its static parts drawn once.

Each frame restores the saved background and draws only the artists that change, then hands
out the canvas's RGBA buffer as is (the same buffer every frame: write it before the next).
"""
from __future__ import annotations

import warnings
from typing import Iterator

import matplotlib
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter

from ..errors import UsageError
from ..learn.divergence import diverged_at
from ..learn.units import loss_units
from . import legible
from .layout import arrange, keep_aspect
from .panels import PANELS, Panel
from .panels.glyphs import Glyphs
from ..log.snapshots import SnapshotLog
from .theme import LIGHT, Theme, get as get_theme

DPI = 100
SERIES = ("step", "loss/train", "loss/val", "accuracy/train", "accuracy/val")


# Detail levels: how much text a frame has room for. FULL is every label, legend and note;
# COMPACT (small frames) drops legends, axis labels, notes inside panels and the views' tick
# labels, keeps three ticks a side and gives the status a short form; SPARSE drops the step
# axis's tick labels too (the status line gives the step); BARE drops every tick label. A
# frame starts at the level its size suggests and goes down a level while constrained layout
# cannot fit it (it warns and collapses axes instead) or its texts still break the legibility
# rule (nnviz.draw.legible: too small, overlapping, out of the frame, a legend over data).
FULL, COMPACT, SPARSE, BARE = 0, 1, 2, 3
COMPACT_BELOW = 240   # pixels: the short side, a narrow frame's width counted at 3/4


def detail_for(size: tuple[int, int]) -> int:
    return COMPACT if min(size[1], size[0] * 0.75) < COMPACT_BELOW else FULL


def style_for(size: tuple[int, int] | int, detail: int = FULL, theme: Theme = LIGHT) -> dict:
    """Sizes in points that keep the same look from 480 to 2160 pixels high; on small frames
    (COMPACT) they shrink with the short side down to about 5 pt, still legible at 160x120.
    `theme` (nnviz.draw.theme) is every colour the panels draw with."""
    size = (size * 4 // 3, size) if isinstance(size, int) else size
    if detail_for(size) == FULL:   # a large frame that falls back keeps its fonts
        scale = max(size[1], 360) / 720
    else:
        short = min(size[1], size[0] * 0.75)
        scale = 0.4 + 0.1 * (min(short, 240) - 120) / 120
    return {"font": 12.5 * scale, "line": 1.8 * scale, "dot": 14 * scale * scale,
            "detail": detail, "theme": theme}


def _rc(style: dict) -> dict:
    f = style["font"]
    return {"font.size": f, "axes.titlesize": f, "axes.labelsize": f * 0.95,
            "xtick.labelsize": f * 0.8, "ytick.labelsize": f * 0.8, "legend.fontsize": f * 0.8,
            "axes.linewidth": style["line"] * 0.5, "xtick.major.width": style["line"] * 0.5,
            "ytick.major.width": style["line"] * 0.5, "axes.spines.top": False,
            "axes.spines.right": False, "axes.titleweight": "bold", "legend.borderaxespad": 0.4,
            "path.simplify": True, **style.get("theme", LIGHT).rc()}


class GlyphLine(Artist):
    """A right-aligned line of monospace text composited from cached glyph images.

    matplotlib lays out and rasterises every glyph of a Text on every draw (about 9 ms a frame
    for the status line); compositing cached glyph images costs a fraction of a millisecond.
    """

    def __init__(self, figure, glyphs: Glyphs, right: float, middle: float, width: int,
                 text: str = ""):
        super().__init__()
        self.set_figure(figure)
        self.glyphs, self.right, self.middle, self.width, self.text = glyphs, right, middle, width, text

    def set_text(self, text: str) -> None:
        self.text = text

    def draw(self, renderer):
        g = self.glyphs
        x0 = self.right * self.figure.bbox.width - self.width * g.advance
        y0 = int(round(self.middle * self.figure.bbox.height - g.height / 2))
        gc = renderer.new_gc()
        for i, ch in enumerate(self.text.rjust(self.width)):
            if ch != " ":
                renderer.draw_image(gc, int(round(x0 + i * g.advance)) - g.pad, y0, g.images[ch])
        gc.restore()


def _fit(text: Text, width: float, renderer) -> None:
    """Shorten `text` with an ellipsis until it is at most `width` pixels wide."""
    words = text.get_text()
    while len(words) > 1 and text.get_window_extent(renderer).width > width:
        words = words[:-1]
        text.set_text(words.rstrip() + "…")


def _fewer_labels(fig, panels: list[Panel], detail: int) -> None:
    """What a small frame has no room for, taken away after the panels drew their full set:
    legends, axis labels (the colour bars' too), notes inside panels and the views' tick
    labels (coordinates of an input plane or of parameter space); three ticks a side on the
    rest; at SPARSE no step labels, at BARE no tick labels at all. One place, so every panel
    gets the same small-frame look."""
    for panel in panels:
        if getattr(panel, "view", False):   # a panel's axes, or its small multiples' (runs)
            for ax in [t.ax for t in getattr(panel, "tiles", [panel])]:
                ax.tick_params(which="both", labelbottom=False, labelleft=False)
    for ax in fig.axes:
        if ax.get_legend() is not None:
            ax.get_legend().set_visible(False)
        ax.set_xlabel("")
        ax.set_ylabel("")
        for text in ax.texts:
            text.set_visible(False)
        for axis in (ax.xaxis, ax.yaxis):
            locator = axis.get_major_locator()
            if isinstance(locator, MaxNLocator):
                locator.set_params(nbins=3)
            elif isinstance(locator, LogLocator):
                locator.set_params(numticks=3)
            axis.set_minor_formatter(NullFormatter())
        if detail >= SPARSE:
            ax.tick_params(which="both", labelbottom=False, labeltop=False)
        if detail >= BARE:
            ax.tick_params(which="both", labelleft=False, labelright=False)


def settle_layout(fig, panels, size: tuple[int, int], rows: list,
                  read_at: tuple[int, int] | None = None) -> None:
    """Place the panels once and for all, by the legibility rule (nnviz.draw.legible): texts
    at least the minimum size, planes at equal aspect (layout.keep_aspect), ticks by axis
    length, static text fitted to its panel (Panel.fit), legends off the data, no text out of
    the frame; then the layout engine is switched off, so drawing moves nothing. `read_at`:
    the smallest size the frame is also shown at (a GIF's), whose minimum holds too."""
    renderer = fig.canvas.get_renderer()
    smallest = legible.min_points(size, DPI, read_at)
    aspects = {p.ax: p.aspect for p in panels if getattr(p, "plane", False)}
    fitting = [p for p in panels if getattr(type(p), "fit", Panel.fit) is not Panel.fit]
    legible.enlarge(fig, smallest)
    legible.legends_before_layout(fig, panels)
    for _ in range(2):   # texts fitted to the room change the room: twice settles it
        keep_aspect(fig, rows, aspects)
        legible.ticks(fig)
        for p in fitting:
            p.fit(renderer)
        legible.place_legends(fig, panels, renderer)
        legible.enlarge(fig, smallest)
    keep_aspect(fig, rows, aspects)
    if legible.place_legends(fig, panels, renderer):   # the last layout moved data under one
        keep_aspect(fig, rows, aspects)
    legible.apply_positions(fig, renderer)
    legible.thin_ticks(fig, renderer)
    legible.keep_in_frame(fig, renderer, smallest)
    _widest(panels)
    legible.drop_crowded(fig, renderer)
    fig.set_layout_engine("none")


def _widest(panels) -> None:
    for p in panels:   # the several runs' panels have none (nothing per frame is text)
        getattr(p, "widest", lambda: None)()


def crowding(fig, panels, size: tuple[int, int],
             read_at: tuple[int, int] | None = None) -> list[str]:
    """What still breaks the legibility rule once the layout is settled, with every panel's
    per-frame texts at their widest over the run (Panel.widest): a frame that has any goes
    down a detail level (less text), as one that constrained layout cannot fit does."""
    _widest(panels)
    return legible.problems(fig, fig.canvas.get_renderer(), legible.min_px(size, read_at))


def check_panels(scene: str, panels: list[str], arrays, meta: dict | None = None) -> None:
    """Fail early, in one line, when a panel cannot be drawn from what this scene's log holds.

    `meta` is a saved log's metadata, or None for a log this nnviz is about to train."""
    from ..learn.scene import check_panel_choice
    check_panel_choice(scene, panels)
    for name in panels:
        why = PANELS[name].refuse(set(arrays), meta)
        if why:
            raise UsageError(f"scene {scene!r}: {why}; "
                             f"choose other panels (see the README's panel table)")


def looks(meta: dict, theme: str | None = None, title: str | None = None) -> tuple[Theme, str]:
    """The theme and header title to draw a log with: the ones given, else the log's (its meta
    was validated on load: logschema), else light and the scene's title."""
    from ..text import clean
    return get_theme(theme or meta.get("theme")), clean(title or meta["title"])


class FrameRenderer:
    """Draws the frames of one snapshot log at `size` = (width, height) pixels."""

    def __init__(self, log: SnapshotLog, size: tuple[int, int], panels: list[str] | None = None,
                 theme: str | None = None, title: str | None = None,
                 read_at: tuple[int, int] | None = None):
        """`panels`, `theme` and `title` override what the log was trained with (None: the
        log's own; a log from before themes is light). `read_at`: the smallest size the frames
        are also shown at (a GIF or WebP scaled down): no text is too small there either."""
        self.log, self.size, self.read_at = log, size, read_at
        self.theme, self.title = looks(log.meta, theme, title)
        names = list(panels or log.meta["panels"])
        check_panels(log.meta["scene"], names, log.names, log.meta)
        self.series = {k: log[k] for k in SERIES if k in log}
        self.diverged = diverged_at(self.series["loss/train"])   # a snapshot index, or None
        # every loss figure in one unit (the header, the curves, the landscape's colour bar)
        self.loss_label, factor = loss_units(log.meta, log)
        for k in ("loss/train", "loss/val"):
            if k in self.series and factor != 1.0:
                self.series[k] = self.series[k] * factor
        for detail in range(detail_for(size), BARE + 1):
            self.style = style_for(size, detail, self.theme)
            with matplotlib.rc_context(_rc(self.style)), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.figure, self.panels = self._build([PANELS[n] for n in names])
                self.canvas = self.figure.canvas
                settle_layout(self.figure, self.panels, self.size, self.rows, self.read_at)
                self.canvas.draw()
                crowded = crowding(self.figure, self.panels, self.size, self.read_at)
            collapsed = [w for w in caught if "constrained_layout" in str(w.message)]
            if not (collapsed or crowded) or detail == BARE:
                break
        for w in caught:   # anything else is still the caller's to see
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        for sprite in (s for p in self.panels for s in p.sprites):
            sprite.bake(self.canvas)
        self.fields = sorted({f for p in self.panels for f in p.fields})

    def _build(self, classes: list[type[Panel]]):
        w, h = self.size
        fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        header = self._header(fig)
        pad = 0.06 if self.style["detail"] == FULL else 0.02
        fig.get_layout_engine().set(rect=(0, 0, 1, 1 - header), h_pad=pad, w_pad=pad)
        rows = []
        axes = arrange(fig, classes, self.size, rows=rows)
        panels = [cls(ax, self.log, self.series, self.style) for cls, ax in zip(classes, axes)]
        if self.style["detail"] != FULL:
            _fewer_labels(fig, panels, self.style["detail"])
        self.rows = rows
        return fig, panels

    def _header(self, fig) -> float:
        """The title and the status line; returns the header's height as a figure fraction."""
        w, h = self.size
        line = 1.9 * self.style["font"] / 72 * DPI / h
        size = self.style["font"] * 1.05
        # the title is the log's text, shown as written: `$...$` is never parsed as mathtext
        title = fig.text(0.012, 1 - 0.6 * line, self.title, va="center", ha="left",
                         fontsize=self.style["font"] * 1.25, fontweight="bold", parse_math=False)
        # monospace: the fixed words are drawn once into the background, the numbers per frame
        self.long_status = True
        probe = Glyphs(fig.canvas, size, "0")
        fixed = self._status(0, fixed=True)
        if len(fixed) * probe.advance > 0.97 * w:   # the long form does not fit: the short one
            self.long_status = False
            fixed = self._status(0, fixed=True)
        glyphs = Glyphs(fig.canvas, size, fixed + "0123456789.e+-%infa" + self._diverged(None))
        renderer = fig.canvas.get_renderer()
        _fit(title, 0.97 * w, renderer)
        room = title.get_window_extent(renderer).width + len(fixed) * glyphs.advance
        lines = 1 if room < 0.95 * w else 2   # too narrow for one line: the status goes below
        middle = 1 - (lines - 0.4) * line
        fig.add_artist(GlyphLine(fig, glyphs, 0.988, middle, len(fixed), fixed))
        self.status = GlyphLine(fig, glyphs, 0.988, middle, len(fixed))
        return (lines + 0.3) * line

    def _status(self, i: int, fixed: bool = False) -> str:
        """The header's status line: its fixed words (fixed=True) or its numbers, space-padded."""
        s = self.series
        last = s["step"][-1]
        if self._long_status():
            parts = [("step ", True), (f"{s['step'][i]:>{len(str(last))}d}", False),
                     (f" / {last}   train {self._loss_word()} ", True), (f"{s['loss/train'][i]:<8.3g}", False)]
            if "accuracy/val" in s:
                parts += [(" val acc ", True), (f"{100 * s['accuracy/val'][i]:5.1f}", False),
                          ("%", True)]
        else:   # the short form a small frame has room for
            parts = [(f"{s['step'][i]:>{len(str(last))}d}", False),
                     (f"/{last} {self._loss_word()} ", True),
                     (f"{s['loss/train'][i]:<8.3g}", False)]
            if "accuracy/val" in s:
                parts += [(" acc ", True), (f"{100 * s['accuracy/val'][i]:5.1f}", False),
                          ("%", True)]
        if getattr(self, "diverged", None) is not None:   # from that snapshot on
            parts += [(self._diverged(i), False)]
        return "".join(t if keep == fixed else " " * len(t) for t, keep in parts)

    def _long_status(self) -> bool:
        """The status's long form: on frames at full detail it fits in (FrameRenderer._header)."""
        return self.style["detail"] == FULL and getattr(self, "long_status", True)

    def _diverged(self, i: int | None) -> str:
        """The header's word on a run that blew up (nnviz.learn.divergence), from the snapshot
        where it did (i None: the words whatever i): a loss of 0 or 1e5 after it is not
        learning."""
        k = getattr(self, "diverged", None)
        if k is None:
            return ""
        step = int(self.series["step"][k])
        text = (f"   diverged at step {step}" if self._long_status()
                else f" diverged at {step}")
        return text if i is None or i >= k else " " * len(text)

    def _loss_word(self) -> str:
        """The loss's name, as the loss panel's label and the words name it (loss_units): MSE,
        cross-entropy, binary cross-entropy; the short form, for small frames, abbreviates only
        the qualifier ("binary CE")."""
        name = self.loss_label.split(",")[0]
        return name if self._long_status() else name.replace("binary cross-entropy", "binary CE")

    def frames(self) -> Iterator[memoryview]:
        """Yield the RGBA buffer of each snapshot's frame, in order."""
        draw = self.figure.draw_artist
        background = self.background   # settled artists go into a copy: frames() may run again
        for i, snap in enumerate(self.log.stream(self.fields)):
            settled = [a for p in self.panels for a in p.settle(i)]
            if settled:   # into the background, once: later frames restore them for free
                self.canvas.restore_region(background)
                for artist in settled:
                    draw(artist)
                background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.canvas.restore_region(background)
            for p in self.panels:
                for artist in p.update(i, snap):
                    draw(artist)
            self.status.set_text(self._status(i, fixed=False))
            draw(self.status)
            yield self.canvas.buffer_rgba()

    def close(self) -> None:
        self.figure.clear()
