"""The Panel base class and the registry of panels by name.

Colours come from the frame's theme (nnviz.draw.theme, `style["theme"]`): no panel names one."""
from __future__ import annotations

import textwrap

import numpy as np

from ..theme import LIGHT

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
    view = False             # a large view (input space, network, landscape), not a metric
    fields: tuple[str, ...] = ()  # per-snapshot arrays it reads from the stream
    needs: tuple[str, ...] = ()   # arrays the log must hold for this panel
    fits = ""                # what kind of scene that takes, for the error message

    def __init__(self, ax, log, series: dict[str, np.ndarray], style: dict):
        self.ax, self.series, self.style = ax, series, style
        self.theme = style.get("theme", LIGHT)
        self.sprites = []   # artists.Sprite: pre-rendered once the background is drawn

    @classmethod
    def fields_for(cls, names) -> tuple[str, ...]:
        """The per-snapshot arrays this panel streams, given the log's array names."""
        return cls.fields

    @classmethod
    def refuse(cls, log_names, meta: dict | None) -> str | None:
        """Why this panel cannot be drawn from a log with these arrays and metadata (None: it
        can); `meta` is None before training, when only the arrays to come are known."""
        if not all(k in log_names for k in cls.needs):
            return f"the {cls.name} panel needs {cls.fits}"
        return None

    def fit(self, renderer) -> None:
        """Once the layout has placed the axes: adapt static text to the room it got (a panel
        in a 3-view frame at 640x480 is a fifth of the width it has alone at 1280x720)."""

    def widest(self) -> None:
        """Set the texts this panel fills per frame to their widest over the run, so the
        legibility check (frames.crowding) measures the worst frame; update() sets them again."""

    def update(self, i: int, snap: dict[str, np.ndarray]) -> list:
        """Update this panel for snapshot i; return the changed artists in drawing order."""
        raise NotImplementedError

    def settle(self, i: int) -> list:
        """Artists that stop changing from snapshot i on (e.g. a curve's old history), to draw
        once into the background under every dynamic artist before frame i; usually none."""
        return []

    def dynamic(self, artist):
        artist.set_animated(True)
        return artist

    def sprite(self, artists):
        """Static artists above dynamic ones: drawn once into pixels, composited per frame."""
        from .artists import Sprite
        self.sprites.append(Sprite(self.ax, artists))
        return self.sprites[-1]


def fit_text(text, width: float, renderer, smallest: float = 0.75) -> None:
    """Make a static text at most `width` pixels wide: a smaller font first (down to
    `smallest` of its size), then its lines wrapped at word boundaries."""
    size = text.get_fontsize()
    for scale in np.linspace(1, smallest, 6):
        text.set_fontsize(size * scale)
        if text.get_window_extent(renderer).width <= width:
            return
    lines = text.get_text().split("\n")
    per_char = text.get_window_extent(renderer).width / max(len(line) for line in lines)
    chars = max(int(width / per_char), 10)
    text.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def pad(lo, hi, frac=0.05):
    span = (hi - lo) or 1.0
    return lo - frac * span, hi + frac * span


def data_points(log, theme=LIGHT, every: bool = False):
    """(x, y, colour, label) of the train and validation points a view draws: of a large set
    only those the log's shown/ names (nnviz.learn.data.shown; the same choice is made here
    for a log without them; `shown_note` says so). `every`: all points (for ranges, scales)."""
    parts = []
    for part, colour, label in (("train", theme.train, "train"), ("val", theme.val, "validation")):
        x, y = log[f"data/x_{part}"], log[f"data/y_{part}"]
        rows = None if every else shown_rows(log, part)
        parts.append((x, y, colour, label) if rows is None else (x[rows], y[rows], colour, label))
    return tuple(parts)


def shown_note(log) -> str | None:
    """The legend's title when not every point is drawn: "3,000 of 100,000 points shown"."""
    rows = [shown_rows(log, part) for part in ("train", "val")]
    if all(r is None for r in rows):
        return None
    total = sum(len(log[f"data/x_{part}"]) for part in ("train", "val"))
    drawn = sum(len(r) if r is not None else len(log[f"data/x_{part}"])
                for r, part in zip(rows, ("train", "val")))
    return f"{drawn:,} of {total:,} points shown"


def shown_rows(log, part: str):
    """The rows of data/x_{part} a view draws (None: every one)."""
    from ...learn.data import SHOWN, shown
    if f"shown/{part}" in log:
        return log[f"shown/{part}"]
    return shown(len(log[f"data/x_{part}"]), SHOWN[part])


def predicted_rows(log, part: str):
    """The rows of predicted/{part} the drawn points are: None when predicted/ holds just those
    (a log with shown/, or one drawing every point), else the same rows as the points."""
    return None if f"shown/{part}" in log else shown_rows(log, part)
