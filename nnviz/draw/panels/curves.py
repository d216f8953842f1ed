"""Metrics against the training step: loss and accuracy, drawn up to the current snapshot."""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import (FuncFormatter, LogLocator, MaxNLocator, NullFormatter,
                               NullLocator, PercentFormatter)

from ...learn.units import loss_units
from .base import Panel, panel


class History:
    """A series drawn up to any snapshot with at most four points per pixel column.

    Drawing the whole history each frame made a frame's cost grow with its number (390 frames/s
    at the start of a long run, 160 at frame 12,000). Per pixel column of the axis the first,
    lowest, highest and last point (in order) draw the same pixels as every point of that
    column (the M4 reduction), so spikes stay visible; only the current column, still
    filling, is drawn point by point. A frame then costs O(axis width), not O(frame number).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, column: np.ndarray):
        self.x, self.y = x, y
        self.column = column                     # pixel column of each point (non-decreasing)
        n = len(x)
        starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
        ends = np.r_[starts[1:], n]
        keep = []
        for a, b in zip(starts, ends):   # once per render: a few hundred columns
            seg = y[a:b]
            keep.append(np.unique([a, a + int(np.argmin(seg)), a + int(np.argmax(seg)), b - 1]))
        self.keep = np.concatenate(keep) if keep else np.zeros(0, int)
        # per point: its column's first index, and how many kept points come before that column
        self.start = np.repeat(starts, ends - starts)
        before = np.searchsorted(self.keep, starts)
        self.kept_before = np.repeat(before, ends - starts)

    def between(self, a: int, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw from point a (the first of its column) to point i, inclusive."""
        first = np.searchsorted(self.keep, a)
        idx = np.concatenate([self.keep[first:max(first, self.kept_before[i])],
                              np.arange(max(a, self.start[i]), i + 1)])
        return self.x[idx], self.y[idx]


CHUNK = 16   # pixel columns a curve's live part spans at most before it goes into the background


class _Curves(Panel):
    """Train and validation series against step, drawn up to the current snapshot."""
    keys: tuple[str, str] = ("", "")

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.steps = series["step"]
        ax.set_xlim(0, max(1, self.steps[-1]))
        ax.set_xlabel("step")
        self.lines = []
        self.settled = []   # the history before the live part, drawn into the background
        for key, color, label in zip(self.keys, (self.theme.train, self.theme.val),
                                     ("train", "validation")):
            # butt caps: where the settled and the live part meet, a projecting or round cap
            # would poke into the other curve's line (blue specks on an orange line at 100 %)
            line, = ax.plot([], [], color=color, lw=style["line"], label=label,
                            solid_capstyle="butt")
            dot, = ax.plot([], [], "o", color=color, ms=style["line"] * 2.2)
            self.lines.append((self.values(key), self.dynamic(line), self.dynamic(dot)))
            self.settled.append(self.dynamic(ax.plot([], [], color=color, lw=style["line"],
                                                     solid_capstyle="butt")[0]))
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc=self.legend_loc, framealpha=0.9)
        # the whole run's curves, drawn a frame at a time: where the legend must not go
        ax.covers = [(self.steps, values) for values, _, _ in self.lines]

    def values(self, key):
        return self.series[key]

    def _histories(self) -> list[History]:
        """The series reduced to the axis's pixel columns (called once the layout is final)."""
        if not hasattr(self, "histories"):
            px = self.ax.transData.transform(np.column_stack([self.steps, self.steps]))[:, 0]
            column = np.floor(px).astype(np.int64)
            chunk = (column - column[0]) // CHUNK
            self.chunk_start = np.searchsorted(chunk, chunk, side="left")   # per point
            self.live_from = 0
            self.histories = [History(self.steps, values, column) for values, _, _ in self.lines]
        return self.histories

    def settle(self, i):
        """When snapshot i opens a new chunk of columns, the history from the last such point
        up to this chunk's first point, to be drawn into the background: each frame then draws
        at most CHUNK columns of curve, however long the run (drawing the whole history every
        frame cost O(frame number) per frame)."""
        histories = self._histories()
        if i == 0:   # a new pass over the frames starts from the clean background
            self.live_from = 0
        start = int(self.chunk_start[i])
        if start <= self.live_from:
            return []
        for line, history in zip(self.settled, histories):   # only the part not yet drawn
            line.set_data(*history.between(self.live_from, start))
        self.live_from = start
        return self.settled

    def update(self, i, snap):
        artists = []
        for (values, line, dot), history in zip(self.lines, self._histories()):
            line.set_data(*history.between(self.live_from, i))
            dot.set_data(self.steps[i:i + 1], values[i:i + 1])
            artists += [line, dot]
        return artists


@panel("loss")
class Loss(_Curves):
    keys = ("loss/train", "loss/val")
    legend_loc = "upper right"

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        log_axis(ax, np.concatenate([self.values(k) for k in self.keys]))
        # the series come in the header's unit (nnviz.draw.frames: loss_units)
        ax.set_ylabel(loss_units(log.meta, log)[0])

    def values(self, key):
        return np.maximum(self.series[key], 1e-12)  # a log axis cannot show 0


def log_axis(ax, both: np.ndarray) -> None:
    """A log y axis over these values, with ticks that read at every span."""
    ax.set_yscale("log")
    lo, hi = np.log10(both.min()), np.log10(both.max())
    pad = 0.06 * max(hi - lo, 0.5)
    ax.set_ylim(10 ** (lo - pad), 10 ** (hi + pad))
    plain = FuncFormatter(lambda v, _: f"{v:.3g}")
    if hi - lo < 1:  # under a decade: plain numbers, not 1.05 x 10^-1 minor labels
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_locator(NullLocator())
    elif hi - lo < 3:  # a few decades: 1-2-5 ticks as plain numbers
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(NullFormatter())


@panel("accuracy")
class Accuracy(_Curves):
    keys = ("accuracy/train", "accuracy/val")
    needs = keys
    fits = "a classification scene"
    legend_loc = "lower right"

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        ax.set_ylim(-0.03, 1.03)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("accuracy")
