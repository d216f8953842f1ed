"""Metrics against the training step: loss and accuracy, drawn up to the current snapshot."""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import (FuncFormatter, LogLocator, MaxNLocator, NullFormatter,
                               NullLocator, PercentFormatter)

from .base import TRAIN, VAL, Panel, panel


class _Curves(Panel):
    """Train and validation series against step, drawn up to the current snapshot."""
    keys: tuple[str, str] = ("", "")

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.steps = series["step"]
        ax.set_xlim(0, max(1, self.steps[-1]))
        ax.set_xlabel("step")
        self.lines = []
        for key, color, label in zip(self.keys, (TRAIN, VAL), ("train", "validation")):
            line, = ax.plot([], [], color=color, lw=style["line"], label=label)
            dot, = ax.plot([], [], "o", color=color, ms=style["line"] * 2.2)
            self.lines.append((self.values(key), self.dynamic(line), self.dynamic(dot)))
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc=self.legend_loc, framealpha=0.9)

    def values(self, key):
        return self.series[key]

    def update(self, i, snap):
        artists = []
        for values, line, dot in self.lines:
            line.set_data(self.steps[:i + 1], values[:i + 1])
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
        ax.set_ylabel("loss")

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
