"""Looks: every colour a frame uses, by theme name (`--theme light|dark`).

A theme is data. The frame renderer turns it into matplotlib rc parameters (background, text,
spines, ticks, grid, legend box) and hands it to every panel in its style (`style["theme"]`),
so no panel names a colour of its own. `light` holds exactly the colours nnviz always drew
with: a light render is byte for byte what it was before themes existed.

`dark` is for slides and projectors. Its choices, with WCAG contrast ratios against its
background #16181b measured by `contrast` below:

- text #e6e6e6 (14.3:1), notes #a8a8a8 (7.5:1): a projector washes out a mid grey first;
- the diverging map is Fabio Crameri's `berlin` (matplotlib >= 3.10): blue for negative,
  near-black at zero, red for positive. It keeps coolwarm's meaning ("blue −, red +", the
  words the network and neuron panels print), its ends are light (#9eb0ff 8.6:1, #ffadad
  10.0:1) where a weight or an output is large, and its centre sinks into the background
  where it is zero, as coolwarm's grey centre sinks into white. Crameri's maps are made
  perceptually uniform and readable with colour-vision deficiencies (blue against red-orange
  stays apart: simulated with Machado et al. 2009's full-severity matrices, its ends differ
  by ΔE76 56 in normal vision, 46 protan, 58 deutan, 56 tritan); `tests/test_theme.py`
  checks it stays diverging (light ends, a dark centre, blue one side, red the other);
- the landscape keeps viridis: sequential, perceptually uniform, colour-blind safe, and it
  fills its axes, so only its colour bar meets the background (its dark end is the bar's
  bottom, framed by the light spines);
- curves: train #5aa7f0 (7.0:1; the light theme's #2a6fb0 is 3.4:1 on dark), validation
  #e8862a (6.7:1, as in light);
- run colours: the same Petroff sequences as in light, each colour under 4.5:1 mixed with
  white until it reaches it (the purple and the red of petroff6 were 2.6:1 and 2.9:1), so the
  hues, and the sequence's colour-blind design, stay.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..settings import DEFAULT_THEME, THEME_NAMES, check_theme



@dataclass(frozen=True)
class Theme:
    name: str
    background: str        # figure and axes
    foreground: str        # text, ticks, spines, axis labels
    note: str              # small explanatory text inside panels (keys, notes)
    connector: str         # the neuron's fixed arrows and its "f"
    grid: str              # grid lines (drawn at alpha 0.3)
    legend_edge: str
    ink: str               # the network's own output: the fitted curve, the decision line,
                           # the neuron's numbers and equation, node rims
    edge: str              # outlines of coloured marks (data points, swatches, stars)
    neutral: str           # legend markers that stand for a shape, not a colour
    train: str             # train points and curves
    val: str               # validation points and curves
    wrong: str             # rings around misclassified points
    diverging: str         # outputs, weights, biases, neuron maps
    sequential: str        # the loss landscape
    input_node: tuple      # the network's input nodes (they have no bias to colour them)
    node_face: str         # the neuron's Σ, f, y and input nodes
    tile_data: tuple       # a run tile's data points, train and validation (grey: the
                           # tile's colours are its run's)
    min_contrast: float    # run colours are lightened to at least this contrast (0: as is)

    def rc(self) -> dict:
        """The rc parameters that carry the theme (light: matplotlib's defaults, unchanged)."""
        return {"figure.facecolor": self.background, "savefig.facecolor": self.background,
                "axes.facecolor": self.background, "axes.edgecolor": self.foreground,
                "axes.labelcolor": self.foreground, "text.color": self.foreground,
                "xtick.color": self.foreground, "ytick.color": self.foreground,
                "grid.color": self.grid, "legend.edgecolor": self.legend_edge}

    def run_colours(self, colours: list[str]) -> list[str]:
        """Run colours readable on this background: each one below `min_contrast` mixed with
        white in steps of 5 % until it is not (hue kept)."""
        import matplotlib.colors   # here: the CLI and the log reader start without matplotlib
        out = []
        for colour in colours:
            rgb = np.array(matplotlib.colors.to_rgb(colour))
            mixed = rgb
            for k in range(21):
                mixed = rgb + (1 - rgb) * k / 20
                if contrast(mixed, self.background) >= self.min_contrast:
                    break
            out.append(matplotlib.colors.to_hex(mixed))
        return out


LIGHT = Theme(
    name="light", background="white", foreground="black", note="#444444", connector="#555555",
    grid="#b0b0b0", legend_edge="0.8", ink="#1b1b1b", edge="#1b1b1b", neutral="#bdbdbd",
    train="#2a6fb0", val="#e8862a", wrong="#ffd400", diverging="coolwarm",
    sequential="viridis", input_node=(0.93, 0.93, 0.93, 1.0), node_face="#f2f2f2",
    tile_data=("#9a9a9a", "#c8c8c8"), min_contrast=0.0)

DARK = Theme(
    name="dark", background="#16181b", foreground="#e6e6e6", note="#a8a8a8",
    connector="#9a9a9a", grid="#8c8c8c", legend_edge="#4a4d52", ink="#f2f2f2", edge="#16181b",
    neutral="#bdbdbd", train="#5aa7f0", val="#e8862a", wrong="#ffd400", diverging="berlin",
    sequential="viridis", input_node=(0.62, 0.62, 0.62, 1.0), node_face="#2b2e33",
    tile_data=("#a0a0a0", "#6a6a6a"), min_contrast=4.5)

THEMES = {t.name: t for t in (LIGHT, DARK)}
DEFAULT = DEFAULT_THEME
assert tuple(THEMES) == THEME_NAMES


def _luminance(colour) -> float:
    import matplotlib.colors
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ (0.2126, 0.7152, 0.0722))


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def get(name: str | None) -> Theme:
    """The theme of this name (None: the default)."""
    return THEMES[check_theme(name if name is not None else DEFAULT)]
