"""Burned-in captions (`--captions burn`): the description on screen drawn in a strip under
the panels, for GIFs, slides and players that drop text tracks.

The panels are drawn at the frame's size minus the strip (so no caption covers a number);
each frame is then the panels' rows above the strip's. The strip is drawn by matplotlib only
when its text changes (a cue lasts seconds: a few draws a video, one Text artist updated in
place), and each frame copies two blocks of rows into one reused buffer.
"""
from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .theme import get as get_theme

DPI = 100
LINES = 2            # the strip holds two lines of text; a longer cue is wrapped and cut
MIN_FONT_PX = 13     # readable at 640x480 and in a 640-wide GIF
FONT_SHARE = 0.026   # the font's pixel size as a share of the frame's height, above that


def strip_height(size: tuple[int, int]) -> int:
    """The strip's height in pixels for a frame of `size` (an even number, as encoders like)."""
    font = max(MIN_FONT_PX, FONT_SHARE * size[1])
    return int(np.ceil((LINES * 1.3 + 0.8) * font / 2)) * 2


class CaptionStrip:
    """Composes frames of `size`: the panels' frame (size minus the strip) above the strip
    showing `cues` ((first frame, text), in order) in the colours of `theme`."""

    def __init__(self, size: tuple[int, int], theme: str | None, cues):
        self.size = size
        self.height = strip_height(size)
        self.starts = [f for f, _ in cues]
        self.texts = [t for _, t in cues]
        look = get_theme(theme)
        w = size[0]
        font_px = max(MIN_FONT_PX, FONT_SHARE * size[1])
        self.figure = Figure(figsize=(w / DPI, self.height / DPI), dpi=DPI,
                             facecolor=look.node_face)
        self.canvas = FigureCanvasAgg(self.figure)
        self.text = self.figure.text(0.5, 0.5, "", ha="center", va="center",
                                     fontsize=font_px * 72 / DPI, color=look.foreground,
                                     linespacing=1.25, parse_math=False)
        # characters a line holds: measured once on this font, with a margin
        probe = self.figure.text(0, 0, "x" * 40, fontsize=font_px * 72 / DPI)
        advance = probe.get_window_extent(self.canvas.get_renderer()).width / 40
        probe.remove()
        self.width = max(20, int(0.94 * w / advance))
        self.frame = np.empty((size[1], size[0], 4), np.uint8)
        self.shown = None

    def panels_size(self) -> tuple[int, int]:
        """The size the panels are drawn at."""
        return self.size[0], self.size[1] - self.height

    def wrap(self, text: str) -> str:
        lines = textwrap.wrap(" ".join(text.split()), self.width)
        if len(lines) > LINES:
            lines = lines[:LINES]
            lines[-1] = textwrap.shorten(lines[-1] + " …", self.width, placeholder=" …")
        return "\n".join(lines)

    def compose(self, i: int, panels) -> np.ndarray:
        """Frame i: the panels' RGBA buffer on top, the caption of frame i below (the same
        array every frame: write it before the next)."""
        k = int(np.searchsorted(self.starts, i, side="right")) - 1
        if k != self.shown:
            self.text.set_text(self.wrap(self.texts[max(k, 0)]) if k >= 0 else "")
            self.canvas.draw()
            self.frame[-self.height:] = np.asarray(self.canvas.buffer_rgba())
            self.shown = k
        self.frame[:-self.height] = np.asarray(panels).reshape(
            self.size[1] - self.height, self.size[0], 4)
        return self.frame

    def close(self) -> None:
        self.figure.clear()
