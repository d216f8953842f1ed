"""Text drawn from cached glyph images: a changing text at a fraction of matplotlib's cost.

matplotlib lays out and rasterises every glyph of a Text on every draw (about 9 ms a frame for
the status line, 12 ms for the neuron panel's learning step); compositing cached images of
monospace characters costs a fraction of a millisecond.
"""
from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text


class Glyphs:
    """Images of single monospace characters, each rasterised once on a cleared canvas."""

    def __init__(self, canvas, size: float, chars: str):
        figure, renderer = canvas.figure, canvas.get_renderer()
        self.font = FontProperties(family="monospace", size=size)
        probe = Text(0, 0, "0" * 10, fontproperties=self.font, figure=figure)
        self.advance = probe.get_window_extent(renderer).width / 10
        self.height = int(np.ceil(size / 72 * figure.dpi * 1.5))
        self.pad = int(np.ceil(self.advance * 0.3))
        cell = int(np.ceil(self.advance)) + 2 * self.pad
        self.images = {}
        for ch in sorted(set(chars) - {" "}):
            renderer.clear()
            Text(self.pad, self.height / 2, ch, fontproperties=self.font, va="center", ha="left",
                 transform=None, figure=figure).draw(renderer)
            buffer = np.asarray(canvas.buffer_rgba())
            self.images[ch] = buffer[-self.height:, :cell][::-1].copy()   # bottom row first
        renderer.clear()


class GlyphLines(Artist):
    """Lines of monospace text, each centred on x, the first line's top at y (axes
    fractions of `ax`), composited from cached glyph images; characters it has no image
    of are left blank."""

    def __init__(self, ax, glyphs: Glyphs, x: float, y: float, spacing: float = 1.2):
        super().__init__()
        self.set_figure(ax.figure)
        self.ax, self.glyphs, self.x, self.y, self.spacing, self.text = ax, glyphs, x, y, spacing, ""
        self.set_animated(True)

    def set_text(self, text: str) -> None:
        self.text = text

    def get_text(self) -> str:
        return self.text

    def size(self, text: str) -> tuple[float, float]:
        """(width, height) in pixels that `text` takes."""
        lines = text.split("\n")
        g = self.glyphs
        return max(len(line) for line in lines) * g.advance, len(lines) * g.height * self.spacing / 1.5

    def draw(self, renderer):
        g = self.glyphs
        cx, top = self.ax.transAxes.transform((self.x, self.y))
        step = g.height * self.spacing / 1.5
        gc = renderer.new_gc()
        for k, line in enumerate(self.text.split("\n")):
            x0 = cx - len(line) * g.advance / 2
            y0 = int(round(top - (k + 1) * step - (g.height - step) / 2))
            for i, ch in enumerate(line):
                image = g.images.get(ch)
                if image is not None:
                    renderer.draw_image(gc, int(round(x0 + i * g.advance)) - g.pad, y0, image)
        gc.restore()
