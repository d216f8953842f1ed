"""One artificial neuron as the series draws it: y = f(w·x + b), with its live weights.

Inputs x1..x3 and the bias's constant "1" enter a sum node Σ, then the activation f, then y.
Each incoming edge is a weight: its colour the sign (the network panel's blue −, red +), its
width the size on one scale fixed over the run, its value written on it; the equation
underneath gives the same numbers, in the data's units (nnviz.learn.units: the network trains
on standardised x, and y for regression; a neuron with an activation and standardised targets
cannot be written in the data's units and says "standardised" instead). Under the equation,
the learning step with live numbers, in the units training takes it (standardised, and
labelled so): `w ← w − η·∂L/∂w = 0.42 − 0.02·(−1.35)` for plain gradient descent, and
`w ← w + Δw` with the gradient beside it when the step is not −η·gradient (momentum, Adam, a
mini-batch). Everything but the edges and the numbers is drawn once into the background (the
nodes as a sprite above the edges); per frame the edges get new widths and colours and the
texts new strings (set_text + draw_artist: no layout per frame).
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.transforms import offset_copy

from ...learn.units import standardizer, to_data
from ..legible import expendable, min_points
from .base import Panel, fit_text, panel
from .glyphs import GlyphLines, Glyphs

MAX_INPUTS = 3
SUBSCRIPTS = "₁₂₃"
MINUS = "\u2212"          # a real minus sign: as wide as "+", so the equation does not jitter
# the activation as the series writes it: in the f node and in the equation (None: no f at all)
SYMBOLS = {"linear": None, "sigmoid": "σ", "tanh": "tanh", "relu": "ReLU",
           "leaky_relu": "LeakyReLU", "softmax": "softmax"}
NODE_Y = 0.68             # the row of Σ, f and y (axes fraction); the inputs fan around it
EQUATION_Y = 0.34
RULE_Y = 0.26             # the top of the learning step's lines
EDGE_LABEL_AT = 0.4       # a weight's number sits this far along its edge from the input


def single_neuron(architecture) -> tuple[int, str] | str:
    """(n_in, activation) of one Dense layer with one output and at most MAX_INPUTS inputs,
    optionally followed by one activation; otherwise why not, as words for a refusal."""
    dense = [layer for layer in architecture if layer["layer"] == "dense"]
    acts = [layer["layer"] for layer in architecture if layer["layer"] not in ("dense", "linear")]
    if len(dense) != 1:
        return f"this network has {len(dense)} Dense layers"
    if architecture[0]["layer"] != "dense" or len(acts) > 1:
        return "this network is not one Dense layer followed by one activation"
    if dense[0]["n_out"] != 1:
        return f"its Dense layer has {dense[0]['n_out']} outputs (neurons)"
    if dense[0]["n_in"] > MAX_INPUTS:
        return f"its neuron has {dense[0]['n_in']} inputs (at most {MAX_INPUTS} are drawn)"
    return dense[0]["n_in"], (acts[0] if acts else "linear")


def _number(v: float) -> str:
    return f"{abs(v):.2f}"


def _signed(v: float) -> str:
    """3 significant digits, a real minus sign, no negative zero."""
    text = f"{v:.3g}"
    return "0" if float(text) == 0 else text.replace("-", MINUS)


def step_rule(name: str, value: float, grad: float, update: float, lr: float, sgd: bool) -> str:
    """One parameter's learning step as an equation with its numbers: the gradient-descent rule
    when the step taken is −η·gradient, else the step itself with the gradient beside it."""
    if sgd and np.isclose(update, -lr * grad, rtol=1e-3, atol=1e-9):
        return (f"{name} ← {name} − η·∂L/∂{name} = {_signed(value)} − {lr:g}·"
                f"({_signed(grad)})")
    sign = f" {MINUS} " if float(f"{update:.3g}") < 0 else " + "
    return (f"{name} ← {name} + Δ{name} = {_signed(value)}{sign}{_signed(abs(update))},"
            f"  ∂L/∂{name} = {_signed(grad)}")


def equation(w: np.ndarray, b: float, activation: str, per_line: int = 0) -> str:
    """`y = σ(0.40·x₁ + 0.70·x₂ − 0.20)`; a linear neuron `y = 0.40·x + 0.70`; `per_line`
    terms a line (0: one line), for a panel too narrow for the whole equation."""
    names = ["x"] if len(w) == 1 else [f"x{SUBSCRIPTS[k]}" for k in range(len(w))]
    terms = []
    # rounded first, then +0.0: no "−0.00" (a value that rounds to zero is written 0.00)
    w, b = np.round(w, 2) + 0.0, round(float(b), 2) + 0.0
    w = np.where(w == 0, 0.0, w)
    b = 0.0 if b == 0 else b
    for k, (v, name) in enumerate(zip(w, names)):
        sign = (MINUS if v < 0 else "") if k == 0 else (f"{MINUS} " if v < 0 else "+ ")
        terms.append(f"{sign}{_number(v)}·{name}")
    terms.append(f"{MINUS} {_number(b)}" if b < 0 else f"+ {_number(b)}")
    symbol = SYMBOLS.get(activation, activation)
    terms[0] = f"y = {symbol}({terms[0]}" if symbol else f"y = {terms[0]}"
    if symbol:
        terms[-1] += ")"
    per_line = per_line or len(terms)
    return "\n".join(" ".join(terms[k:k + per_line]) for k in range(0, len(terms), per_line))


@panel("neuron")
class Neuron(Panel):
    """A single neuron: inputs and bias into Σ, then f, then y; live weights and equation."""
    view = True
    fields = ("param/0.W", "param/0.b")
    needs = fields
    fits = "a single neuron"

    @classmethod
    def refuse(cls, log_names, meta):
        use = "use the network panel"
        if meta is None:   # before training: the parameter names tell the layers apart
            layers = sum(n.startswith("param/") and n.endswith(".W") for n in log_names)
            if layers > 1:
                return (f"the neuron panel draws a single neuron and this network has "
                        f"{layers} Dense layers; {use}")
            return super().refuse(log_names, meta)
        architecture = meta.get("architecture")
        if not isinstance(architecture, list):
            return "the neuron panel needs a log that records its architecture"
        found = single_neuron(architecture)
        if isinstance(found, str):
            return (f"the neuron panel draws a single neuron (one Dense layer, one output, up to "
                    f"{MAX_INPUTS} inputs) and {found}; {use}")
        return super().refuse(log_names, meta)

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.n_in, self.activation = single_neuron(log.meta["architecture"])
        weights = np.asarray(log["param/0.W"], np.float64).reshape(len(log), -1)
        biases = np.asarray(log["param/0.b"], np.float64).reshape(len(log), -1)
        units = standardizer(log)
        targets = bool(log.meta.get("standardize_targets"))
        # the data's units when the map is exact: always for x; for standardised y only
        # through a linear neuron (y = sy·f(...) + my is not a neuron's equation)
        self.units = None if units is None or (targets and self.activation != "linear") else units
        if self.units is not None:
            data = [to_data(w, b[0], *self.units) for w, b in zip(weights, biases)]
            weights = np.array([w for w, _ in data])
            biases = np.array([[b] for _, b in data])
        # one scale for the whole run, bias included: it is the weight of the constant input 1
        self.scale = max(float(np.abs(weights).max()), float(np.abs(biases).max()), 1e-12)
        self.run = (weights, biases[:, 0])   # every snapshot's values: the widest texts
        self.per_line = 0                     # equation terms a line (0: all on one)
        self.show_rule = True
        self.cmap = matplotlib.colormaps[self.theme.diverging]
        self.font = style["font"]
        self.max_width = style["line"] * 4.0   # points, at |w| = scale
        self.min_width = style["line"] * 0.35
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        symbol = SYMBOLS.get(self.activation, self.activation)
        sources = self.n_in + 1                          # the inputs and the bias's "1"
        gap = min(0.27, 0.66 / sources)
        ys = NODE_Y + (np.arange(sources)[::-1] - (sources - 1) / 2) * gap
        sum_x, f_x, out_x = (0.52, 0.73, 0.92) if symbol else (0.58, None, 0.9)
        self.sources = np.column_stack([np.full(sources, 0.08), ys])
        self.sum = np.array([sum_x, NODE_Y])
        segments = [np.array([s, self.sum]) for s in self.sources]
        self.edges = self.dynamic(LineCollection(segments, capstyle="round", zorder=1))
        ax.add_collection(self.edges)
        names = (["x"] if self.n_in == 1 else [f"x{SUBSCRIPTS[k]}" for k in range(self.n_in)])
        nodes = [self._node(x, y, name) for (x, y), name in zip(self.sources, names + ["1"])]
        nodes.append(self._node(*self.sum, "Σ"))
        chain = [tuple(self.sum)]
        if symbol:
            nodes.append(self._node(f_x, NODE_Y, symbol, box="round,pad=0.45"))
            expendable(ax.text(f_x, NODE_Y + 0.085, "f", ha="center", va="bottom",
                               fontsize=self.font * 0.9, style="italic",
                               color=self.theme.connector, parse_math=False)).set_in_layout(False)
            chain.append((f_x, NODE_Y))
        nodes.append(self._node(out_x, NODE_Y, "y"))
        chain.append((out_x, NODE_Y))
        for a, b in zip(chain, chain[1:]):   # Σ → f → y: fixed, drawn once
            ax.annotate("", xy=b, xytext=a, arrowprops=dict(
                arrowstyle="-|>", color=self.theme.connector, lw=style["line"] * 0.7,
                shrinkA=self.font * 1.2, shrinkB=self.font * (1.6 if b == chain[-1] else 1.9),
                mutation_scale=self.font * 1.1)).set_in_layout(False)
        self.nodes = self.sprite(nodes)   # above the edges, which change under them
        self.labels = []
        # each number written along its edge, just above it (clear of the widest stroke),
        # where the edges are still far apart: they converge on Σ
        above = offset_copy(ax.transData, ax.figure, y=self.max_width * 0.7 + 1.5, units="points")
        for (x, y) in self.sources:
            at = (x + EDGE_LABEL_AT * (self.sum[0] - x), y + EDGE_LABEL_AT * (self.sum[1] - y))
            angle = np.degrees(np.arctan2(self.sum[1] - y, self.sum[0] - x))   # data units:
            self.labels.append(expendable(self.dynamic(ax.text(                          # turned on screen
                *at, "", ha="center", va="bottom", fontsize=self.font * 0.85, color=self.theme.ink,
                parse_math=False, zorder=3, transform=above, rotation=angle,
                rotation_mode="anchor", transform_rotates_text=True))))
        self.label_names = [f"w{n[1:]}" for n in names] + ["b"]
        self.equation = self.dynamic(ax.text(
            0.5, EQUATION_Y, "", ha="center", va="center", fontsize=self.font * 1.2,
            color=self.theme.ink, parse_math=False))
        options = log.meta.get("options") or {}
        self.lr, self.sgd = float(options.get("lr", 0.0)), options.get("optimizer") == "sgd"
        self.step = all(f"{k}/0.{p}" in log for k in ("grad", "update") for p in "Wb")
        if self.step:
            self.fields = self.fields + ("grad/0.W", "grad/0.b", "update/0.W", "update/0.b")
            # redrawn every frame: cached glyphs, not a Text (12 ms a frame at 640x480)
            self.rule = GlyphLines(ax, self._glyphs(self.font * 0.8), 0.5, RULE_Y, 1.3)
        if self.units is not None:
            where = "weights in data units"
        else:
            where = (f"{'x and y' if targets else 'inputs x'} standardised (mean 0, sd 1)")
        if self.step:
            where += "; the step (←) standardised"
        note = f"blue −, red +, width |w| up to {self.scale:.3g}\n{where}"
        self.note = ax.text(0.5, 0.0, note, ha="center", va="bottom", fontsize=self.font * 0.75,
                            color=self.theme.note, parse_math=False, linespacing=1.25)
        self.note.set_in_layout(False)
        expendable(self.note)
        self.nodes_texts = nodes

    def fit(self, renderer) -> None:
        """Fit the diagram and its texts to the room the layout gave (a third of 640x480 is a
        fifth of the width the panel has alone at 1280x720), never under the frame's minimum
        text size: the nodes no larger than their spacing allows; the equation (at its
        widest over the run) smaller, then a term or two a line; the note and the learning
        step's lines stacked under it, the step's lines left out, then the note, when the
        equation would meet the diagram. The edge labels and the note are expendable: where
        they would still overlap, the legibility pass (legible.drop_crowded) leaves them out
        (the equation gives the same numbers)."""
        ax, fig = self.ax, self.ax.figure
        width, height = ax.bbox.width, ax.bbox.height
        smallest = min_points((fig.bbox.width, fig.bbox.height), fig.dpi)
        px = fig.dpi / 72
        sources = len(self.sources)
        gap = abs(self.sources[0, 1] - self.sources[1, 1]) * height if sources > 1 else height
        # a node's circle is about 1.9 of its font high (the character and its pad)
        node = max(min(self.font * 1.15, gap / 2.1 / px, width * 0.07 / px), smallest)
        for t in self.nodes_texts:
            t.set_fontsize(node)
        compact = not self.note.get_visible()   # a small frame's detail level: no note, no step
        self.widest()
        base, terms = self.font * 1.2, len(self.run[0][0]) + 1
        sizes = np.linspace(base, max(smallest, base * 0.6), 6)
        for self.per_line in [0, *range(terms - 1, 0, -1)]:
            self.equation.set_text(self._widest_equation())
            for size in sizes:
                self.equation.set_fontsize(size)
                if self.equation.get_window_extent(renderer).width <= 0.98 * width:
                    break
            else:
                continue
            break
        fit_text(self.note, 0.98 * width, renderer, smallest=max(smallest / self.note.get_fontsize(), 0.8))
        # the lowest node's bottom, in axes fractions: the equation must stay under it
        floor = self.sources[:, 1].min() - 1.05 * node * px / height
        self.show_rule = self.step and not compact
        if self.show_rule:
            rule_size = self.font * 0.8
            sample = "\n".join([f"w{SUBSCRIPTS[0]} ← w{SUBSCRIPTS[0]} + Δw{SUBSCRIPTS[0]} = "
                                f"−0.000 + 0.0000,  ∂L/∂w{SUBSCRIPTS[0]} = −0.000"] * sources)
            w, h = self.rule.size(sample)
            if w > 0.98 * width:   # smaller glyphs, down to 0.6 of the font and the minimum
                rule_size = rule_size * 0.98 * width / w
            if rule_size < max(self.font * 0.6, smallest):
                self.show_rule = False
            else:
                self.rule.glyphs = self._glyphs(rule_size)
        for drop in ("nothing", "rule", "note"):
            if drop == "rule":
                self.show_rule = False
            elif drop == "note":
                self.note.set_visible(False)
            if compact and drop != "nothing":
                break
            top = 0.0
            if self.note.get_visible():
                top = (self.note.get_window_extent(renderer).y1 - ax.bbox.y0) / height + 0.02
            if self.show_rule:
                h = self.rule.size(sample)[1] / height
                self.rule.y = top + h
                top += h + 0.02
            self.equation.set_va("bottom")
            self.equation.set_y(top)
            eq_top = (self.equation.get_window_extent(renderer).y1 - ax.bbox.y0) / height
            if eq_top <= floor:
                break

    def _widest_equation(self) -> str:
        weights, biases = self.run
        found = [equation(w, b, self.activation, self.per_line) for w, b in zip(weights, biases)]
        return max(found, key=lambda e: max(len(line) for line in e.split("\n")))

    def widest(self) -> None:
        weights, biases = self.run
        every = np.column_stack([weights, biases])
        for k, (label, name) in enumerate(zip(self.labels, self.label_names)):
            label.set_text(max((self._label(name, v) for v in every[:, k]), key=len))
        self.equation.set_text(self._widest_equation())

    def _label(self, name: str, v: float) -> str:
        return f"{name} = {MINUS if round(v, 2) < 0 else ''}{_number(v)}"

    def _glyphs(self, size: float) -> Glyphs:
        """The learning step's characters as cached images, in the theme's ink."""
        chars = "".join(self.label_names) + SUBSCRIPTS + "←−+-Δ=·∂L/η()0123456789.e, wb"
        with matplotlib.rc_context({"text.color": self.theme.ink}):
            return Glyphs(self.ax.figure.canvas, size, chars)

    def _node(self, x, y, text, box="circle,pad=0.3"):
        node = self.ax.text(x, y, text, ha="center", va="center", fontsize=self.font * 1.15,
                            color=self.theme.ink, parse_math=False, zorder=2,
                            bbox=dict(boxstyle=box, fc=self.theme.node_face, ec=self.theme.ink,
                                      lw=self.style["line"] * 0.45))
        node.set_in_layout(False)
        node.set_animated(True)   # drawn only into the sprite, above the edges
        return node

    def values(self, snap) -> tuple[np.ndarray, float]:
        """The weights (n_in,) and the bias of a snapshot."""
        w = np.asarray(snap["param/0.W"], np.float64).ravel()
        b = float(np.asarray(snap["param/0.b"]).ravel()[0])
        return to_data(w, b, *self.units) if self.units is not None else (w, b)

    def rules(self, snap) -> str:
        """The learning step of every parameter, one line each, standardised."""
        lines = []
        for p, names in (("W", self.label_names[:-1]), ("b", ["b"])):
            values, grads, updates = (np.asarray(snap[f"{k}0.{p}"], np.float64).ravel()
                                      for k in ("param/", "grad/", "update/"))
            lines += [step_rule(n, v, g, u, self.lr, self.sgd)
                      for n, v, g, u in zip(names, values, grads, updates)]
        return "\n".join(lines)

    def update(self, i, snap):
        w, b = self.values(snap)
        every = np.append(w, b)
        size = np.clip(np.abs(every) / self.scale, 0, 1)
        self.edges.set_linewidths(self.min_width + (self.max_width - self.min_width) * size)
        self.edges.set_colors(self.cmap(np.where(every > 0, 1.0, 0.0)))
        for label, name, v in zip(self.labels, self.label_names, every):
            label.set_text(self._label(name, v))
        self.equation.set_text(equation(w, b, self.activation, self.per_line))
        if not self.show_rule:   # no room for it (Neuron.fit)
            return [self.edges, self.nodes, *self.labels, self.equation]
        self.rule.set_text(self.rules(snap))
        return [self.edges, self.nodes, *self.labels, self.equation, self.rule]
