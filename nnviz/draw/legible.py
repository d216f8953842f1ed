"""One rule for legible frames, applied to a whole figure after its panels are built.

Every panel draws its texts at sizes relative to the frame's font; this module then makes the
figure obey four rules, the same for every panel and frame size, instead of a fix per case:

1. No text smaller than `min_text_px` pixels of the output (see there for why that size).
2. Tick counts follow the axis length: a MaxNLocator (LogLocator on log axes) whose number of
   bins is the axis's pixel length over the room a label needs; then, if neighbours still
   touch (long labels), fewer.
3. Legends never cover data: a legend over an image that fills its axes (a plane, a
   landscape) goes outside, above the axes; any other goes to the first corner where none of
   the axes' data lies (its static points and lines, and what the panel says it will draw over
   the run: `ax.covers`), else outside too.
4. No text leaves the frame (a long one is shrunk to the minimum, then wrapped).

`problems` lists what still breaks the rules (texts overlapping or leaving the frame, texts
under the minimum, legends over data); tests/test_legible.py checks it is empty for every
built-in scene and panel combination at 1280x720, 640x480 and 320x240.
"""
from __future__ import annotations

import numpy as np
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.ticker import AutoLocator, LogLocator, MaxNLocator, NullFormatter
from matplotlib.transforms import Bbox

from .textsize import MIN_PX, SMALLEST_PX, min_points, min_px, min_text_px  # noqa: F401

INSIDE = ("upper right", "upper left", "lower left", "lower right", "center right",
          "center left", "upper center", "lower center")


# ------------------------------------------------------------------ texts

def _tick_texts(fig, renderer=None) -> tuple[set, list]:
    """(ids of every tick label object, the tick labels drawn now if `renderer`)."""
    every, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.majorTicks + axis.minorTicks:
                every |= {id(tick.label1), id(tick.label2)}
            # an axes drawn without its axis (set_axis_off: a diagram) draws no tick labels
            if renderer is not None and axis.get_visible() and ax.get_visible() and ax.axison:
                for tick in axis._update_ticks():
                    for label in (tick.label1, tick.label2):
                        if label.get_visible() and label.get_text():
                            shown.append(label)
    return every, shown


def texts(fig, renderer=None, empty: bool = False) -> list[Text]:
    """Every text of the figure that is drawn: titles, labels, notes, legend entries, contour
    labels and (with a renderer) the tick labels shown now; `empty`: blank ones too (a panel
    fills them per frame)."""
    ticks, shown = _tick_texts(fig, renderer)
    found = []

    def walk(artist):
        if not artist.get_visible():
            return
        if isinstance(artist, Text):
            if id(artist) not in ticks and (empty or artist.get_text().strip()):
                found.append(artist)
        for child in artist.get_children():
            walk(child)
    walk(fig)
    return found + shown


def enlarge(fig, smallest: float) -> None:
    """Rule 1: every text (and every axis's tick labels) at least `smallest` points."""
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            for which in ("major", "minor"):
                ticks = axis.majorTicks if which == "major" else axis.minorTicks
                size = ticks[0].label1.get_fontsize() if ticks else smallest
                if size < smallest:
                    ax.tick_params(axis=name, which=which, labelsize=smallest)
    for text in texts(fig, empty=True):
        if text.get_fontsize() < smallest:
            text.set_fontsize(smallest)


# ------------------------------------------------------------------ ticks

def _room(axis, font_px: float) -> float:
    """Pixels a tick label needs along its axis: a short number across, a line's height up."""
    return font_px * (4.5 if axis.axis_name == "x" else 2.4)


def ticks(fig) -> None:
    """Rule 2: each linear axis a MaxNLocator with bins from its pixel length (AutoLocator's
    'auto' counts from the font only), each log axis as many decades as fit."""
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        for axis in (ax.xaxis, ax.yaxis):
            _ticks_by_length(ax, axis, 0)


def _ticks_by_length(ax, axis, fewer: int) -> bool:
    box = ax.get_position(original=False).transformed(ax.figure.transFigure)
    length = box.width if axis.axis_name == "x" else box.height
    ticks_ = axis.majorTicks
    font_px = (ticks_[0].label1.get_fontsize() if ticks_ else 10) * ax.figure.dpi / 72
    # each try 30 % fewer: on a long axis one fewer is nothing (a log axis's linear ticks
    # crowd at its top however many fit along it on average)
    bins = max(int(length // _room(axis, font_px) * 0.7 ** fewer), 1)
    locator = axis.get_major_locator()
    if isinstance(locator, (AutoLocator, MaxNLocator)):
        if type(locator) is AutoLocator or isinstance(locator, MaxNLocator):
            params = {k: v for k, v in locator._extra_kwargs.items()} \
                if hasattr(locator, "_extra_kwargs") else {}
            steps = getattr(locator, "_steps", None)
            new = MaxNLocator(nbins=bins, steps=list(steps) if steps is not None else None,
                              integer=getattr(locator, "_integer", False),
                              min_n_ticks=1, **params)
            axis.set_major_locator(new)
            return True
    if isinstance(locator, LogLocator):
        minor = axis.get_minor_locator()
        labelled = [t for t in axis.get_minor_ticks()
                    if t.label1.get_visible() or t.label2.get_visible()]
        if fewer and isinstance(minor, LogLocator) and labelled and not isinstance(
                axis.get_minor_formatter(), NullFormatter):
            # a colour bar's short log axis: its labels are minor ones (0.14, 0.16, ...)
            sparser = [(2.0, 4.0, 6.0, 8.0), (2.0, 5.0), (2.0,)]
            if fewer <= len(sparser):
                minor.set_params(subs=sparser[fewer - 1])
            else:
                axis.set_minor_formatter(NullFormatter())
            return True
        subs = locator._subs
        if fewer and not isinstance(subs, str) and len(np.atleast_1d(subs)) > 1:
            locator.set_params(subs=(1.0,))
        else:
            locator.set_params(numticks=max(bins + 1, 2))
        return True
    return False


def _overlap(a: Bbox, b: Bbox, gap: float = 0.0) -> bool:
    return (a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap)


def apply_positions(fig, renderer) -> None:
    """Each axes where drawing will put it: a fixed aspect shrinks its box, and a colour bar
    follows its parent's box (its axes locator), so a colour bar's tick labels measured before
    the first draw were measured on a taller bar."""
    for ax in fig.axes:
        locator = ax.get_axes_locator()
        ax.apply_aspect(locator(ax, renderer) if locator else None)


def thin_ticks(fig, renderer, tries: int = 6) -> None:
    """Rule 2's check: where neighbouring tick labels of an axis touch, fewer ticks."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for fewer in range(1, tries + 1):
                labels = [label for t in axis._update_ticks() for label in (t.label1, t.label2)
                          if label.get_visible() and label.get_text()]   # left or right
                boxes = [t.get_window_extent(renderer) for t in labels]
                gap = 0.25 * (labels[0].get_fontsize() * fig.dpi / 72) if labels else 0
                if not any(_overlap(a, b, gap) for i, a in enumerate(boxes)
                           for b in boxes[i + 1:]):
                    break
                if not _ticks_by_length(ax, axis, fewer):
                    break


# ------------------------------------------------------------------ legends

def _fills(ax) -> bool:
    """Whether an image fills the axes: then no corner is free of data."""
    return getattr(ax, "filled", False) or any(isinstance(a, AxesImage) for a in ax.get_children())


def _data_paths(ax) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(polylines, points) in display pixels: the axes' lines and points, and `ax.covers`."""
    lines, points = [], []
    to = ax.transData.transform
    for artist in ax.get_children():
        if isinstance(artist, Line2D) and artist.get_visible():
            xy = np.column_stack(artist.get_data()).astype(float) if len(artist.get_xdata()) else None
            if xy is not None and len(xy):
                (lines if artist.get_linestyle() not in ("None", "", " ", "none") and len(xy) > 1
                 else points).append(to(xy))
        elif isinstance(artist, PathCollection) and len(artist.get_offsets()):
            points.append(to(np.asarray(artist.get_offsets(), float)))
        elif isinstance(artist, LineCollection):
            lines += [to(np.asarray(s, float)) for s in artist.get_segments() if len(s) > 1]
    for x, y in getattr(ax, "covers", ()):
        lines.append(to(np.column_stack([x, y]).astype(float)))
    return lines, points


def covers_data(legend: Legend, renderer, pad: float = 2.0) -> bool:
    ax = legend.axes
    box = legend.get_window_extent(renderer)
    inside = Bbox.intersection(box, ax.bbox)
    if inside is None or inside.width <= 1 or inside.height <= 1:
        return False   # outside the axes
    if _fills(ax):
        return True
    box = box.padded(pad)
    lines, points = _data_paths(ax)
    for xy in points:
        if ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0)
                & (xy[:, 1] < box.y1)).any():
            return True
    for xy in lines:
        finite = xy[np.isfinite(xy).all(axis=1)]
        if len(finite) > 1 and Path(finite).intersects_bbox(box, filled=False):
            return True
    return False


def outside(legend: Legend, panels) -> None:
    """Put a legend above its axes, in a row (two columns where it is wide), drawn once with
    the background (out of any sprite: a sprite keeps only its axes' pixels)."""
    ax = legend.axes
    n = len(legend.legend_handles)
    columns = n if n <= 3 else 2
    # the handles it was made from where the panel kept them: a drawn legend holds one
    # artist for a tuple of swatches ("class 0, class 1"), the tuple would lose a colour
    handles, labels = getattr(legend, "source", None) or (
        legend.legend_handles, [t.get_text() for t in legend.texts])
    props = dict(fontsize=legend.texts[0].get_fontsize() if legend.texts else None,
                 handler_map=legend.get_legend_handler_map(),
                 title=legend.get_title().get_text() or None)   # e.g. "3,000 of 5,000 points shown"
    legend.remove()
    renderer = ax.figure.canvas.get_renderer()
    while True:   # no wider than its axes (a wider one squeezes the column: layout collapse)
        new = ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                        ncols=columns, framealpha=0.0, borderaxespad=0.2, columnspacing=1.0,
                        handletextpad=0.5, **props)
        if columns == 1 or new.get_window_extent(renderer).width <= ax.bbox.width:
            break
        columns -= 1
    for panel in panels:
        for sprite in getattr(panel, "sprites", ()):
            sprite.artists = [new if a is legend else a for a in sprite.artists
                              if a is not legend]
    new.set_animated(False)


def legends_before_layout(fig, panels) -> bool:
    """Rule 3 where the answer is known before the layout: a legend over a filling image goes
    outside. Whether any moved."""
    moved = False
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_visible() and _inside(legend) and _fills(ax):
            outside(legend, panels)
            moved = True
    return moved


def _inside(legend: Legend) -> bool:
    anchor = legend.get_bbox_to_anchor()
    return anchor is None or anchor.bounds == legend.axes.bbox.bounds


def place_legends(fig, panels, renderer) -> bool:
    """Rule 3 once the axes are placed: a legend over data moves to the first free corner,
    else outside. Whether any went outside (the layout must then run again)."""
    moved = False
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible() or not covers_data(legend, renderer):
            continue
        if _inside(legend):
            for loc in INSIDE:
                legend.set_loc(loc)
                if not covers_data(legend, renderer):
                    break
            else:
                outside(legend, panels)
                moved = True
        else:
            outside(legend, panels)
            moved = True
    return moved


# ------------------------------------------------------------------ the frame

def expendable(text: Text) -> Text:
    """Mark a text the frame can do without (a number that another text also gives, a note):
    where it would overlap another text or leave its axes, it is not drawn (drop_crowded)."""
    text.expendable = True
    return text


def drop_crowded(fig, renderer) -> None:
    """Contour labels and texts marked `expendable` that touch another text or leave their
    axes go (contour labels in matplotlib's order, then the rest in drawing order), so no two
    texts overlap however small the panel. A per-frame text is measured at its widest
    (Panel.widest) by the caller."""
    from matplotlib.contour import ContourSet
    labels = [t for ax in fig.axes for c in ax.get_children() if isinstance(c, ContourSet)
              for t in getattr(c, "labelTexts", [])]
    contour = {id(t) for t in labels}
    labels += [t for t in texts(fig) if getattr(t, "expendable", False)]
    if not labels:
        return
    ids = {id(t) for t in labels}
    others = [t.get_window_extent(renderer) for t in texts(fig, renderer) if id(t) not in ids]
    kept = []
    for label in labels:
        box = label.get_window_extent(renderer)
        room = label.axes.bbox.padded(-1 if id(label) in contour else 1)
        if (any(_overlap(box, b, 1.0) for b in others + kept)
                or not room.contains(box.x0, box.y0) or not room.contains(box.x1, box.y1)):
            label.set_visible(False)
        else:
            kept.append(box)


def keep_in_frame(fig, renderer, smallest: float) -> None:
    """Rule 4: a text that leaves the frame is shrunk (down to the minimum), then wrapped."""
    from .panels.base import fit_text
    frame = fig.bbox
    for text in texts(fig):
        box = text.get_window_extent(renderer)
        if box.x0 >= frame.x0 - 0.5 and box.x1 <= frame.x1 + 0.5:
            continue
        room = 2 * min(box.x1, frame.x1) - 2 * max(box.x0, frame.x0)
        if text.get_horizontalalignment() == "center":
            cx = (box.x0 + box.x1) / 2
            room = 2 * min(cx - frame.x0, frame.x1 - cx)
        else:
            room = (frame.x1 - box.x0) if box.x0 >= frame.x0 else (box.x1 - frame.x0)
        size = text.get_fontsize()
        fit_text(text, max(room - 2, 10), renderer, smallest=max(smallest / size, 0.5))


def problems(fig, renderer, smallest_px: float) -> list[str]:
    """What breaks the rules in the figure as drawn now: texts under `smallest_px`, texts
    leaving the frame, two texts overlapping, legends over data."""
    found = []
    shown = texts(fig, renderer)
    frame = fig.bbox
    boxes = []
    for t in shown:
        px = t.get_fontsize() * fig.dpi / 72
        if px < smallest_px - 0.05:
            found.append(f"{t.get_text()!r} is {px:.1f} px, under {smallest_px:.1f}")
        box = t.get_window_extent(renderer)
        if box.width == 0 or box.height == 0:
            continue
        if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 \
                or box.y1 > frame.y1 + 1:
            found.append(f"{t.get_text()!r} leaves the frame ({box.bounds})")
        boxes.append((t, box))
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            if _overlap(box_a, box_b, -1.0):
                found.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_visible() and covers_data(legend, renderer):
            found.append(f"a legend ({', '.join(t.get_text() for t in legend.texts)}) "
                         f"covers data")
    return found

