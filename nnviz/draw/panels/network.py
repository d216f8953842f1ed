"""The network itself: every weight an edge, every bias a node's colour, every neuron's map.

As in TensorFlow Playground, but as video: edges take the weight's sign as colour and its
size as width and opacity, on one scale fixed over the whole run (a growing weight is seen to
grow; nothing rescales between frames). Where the data has two inputs, each node of a narrow
layer shows what it computes over the input plane, from the logged parameters at render time.
"""
from __future__ import annotations

import matplotlib
import numpy as np

from ...learn import nn
from ...log import rebuild
from ...learn.features import Features, pretty
from ...learn.training import grid_inputs
from .artists import EdgeRaster, NodeMaps, NodeMarks, map_size
from .base import Panel, fit_text, panel

MAP_WIDTH = 8          # layers up to this many neurons show maps (two-input scenes)
EDGES_SHOWN = 64       # per layer, at most this many edges are drawn: the strongest ones
TOP, BOTTOM = 0.98, 0.30   # the node area, in axes fractions (labels and key below)
NAMES = {"linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
         "leaky_relu": "LeakyReLU", "softmax": "softmax"}


def columns(architecture: list[dict]) -> list[tuple[int, str]]:
    """(width, activation) per column of nodes: the inputs, then each Dense layer's outputs."""
    dense = [i for i, layer in enumerate(architecture) if layer["layer"] == "dense"]
    cols = [(architecture[dense[0]]["n_in"], "input")]
    for k, i in enumerate(dense):
        after = architecture[i + 1:(dense[k + 1] if k + 1 < len(dense) else None)]
        act = after[-1]["layer"] if after else "linear"
        cols.append((architecture[i]["n_out"], act))
    return cols


def layer_outputs(model: nn.Sequential, x: np.ndarray) -> list[np.ndarray]:
    """Each column's values for inputs x: x itself, then every Dense layer after its activation."""
    layers = model.layers
    if isinstance(layers[0], Features):   # the first column is the features the network sees
        x, layers = layers[0].forward(x), layers[1:]
    outs, h, pending = [x], x, False
    for k, layer in enumerate(layers):
        h = layer.forward(h)
        pending = pending or isinstance(layer, nn.Dense)
        if pending and (k + 1 == len(layers) or isinstance(layers[k + 1], nn.Dense)):
            outs.append(h)
            pending = False
    return outs


@panel("network")
class Network(Panel):
    """Nodes per layer, weights as edges, biases as node colours, per-neuron maps in 2-D."""
    view = True
    needs = ()   # a network's parameters: param/0.W, or param/1.W after a features layer
    fits = "a log that records its architecture (made by nnviz 0.2 or later)"
    kind = "param"   # the log's field family each edge and node shows (gradients: "grad")

    @classmethod
    def refuse(cls, log_names, meta):
        if (meta is not None and not isinstance(meta.get("architecture"), list)
                or not any(n.startswith("param/") and n.endswith(".W") for n in log_names)):
            return f"the network panel needs {cls.fits}"
        return super().refuse(log_names, meta)

    def __init__(self, ax, log, series, style):
        super().__init__(ax, log, series, style)
        self.model = rebuild.network(log)
        self.names = list(self.model.params)
        self.fields = tuple(f"{self.kind}/{n}" for n in self.names)
        self.cols = columns(log.meta["architecture"])
        if isinstance(self.model.layers[0], Features):
            self.cols[0] = (self.cols[0][0], "features")
        # a classifier trained on logits with the fused softmax + cross-entropy loss: show its
        # outputs as the probabilities the boundary panel shows, and say so
        self.softmax_out = (self.cols[-1][1] == "linear" and
                            log.meta.get("options", {}).get("loss") == "softmax_cross_entropy")
        if self.softmax_out:
            self.cols[-1] = (self.cols[-1][0], "softmax")
        self.dense = [f"{i}" for i, layer in enumerate(self.model.layers) if isinstance(layer, nn.Dense)]
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        self.cmap = matplotlib.colormaps[self.theme.diverging]
        n_cols = len(self.cols)
        self.x = np.linspace(0.07, 0.93, n_cols)
        self.y = [self._ys(n) for n, _ in self.cols]
        self.maps_on = self.kind == "param" and "grid/x0" in log and self.model.n_in == 2
        self.mapped = [self.maps_on and n <= MAP_WIDTH for n, _ in self.cols]
        self.grid = self._grid_inputs(log) if self.maps_on else None
        self.counts = [n_a * n_b for (n_a, _), (n_b, _) in zip(self.cols, self.cols[1:])]
        self.pairs = list(zip(np.cumsum([0] + self.counts[:-1]), np.cumsum(self.counts)))
        self.n_shown = sum(min(c, EDGES_SHOWN) for c in self.counts)
        self.w_scale, self.b_scale, self.ranges = self._scales(log)
        self._labels(style)
        self._key(style, sum(self.counts))
        self.square = np.concatenate([np.full(n, m) for (n, _), m in zip(self.cols, self.mapped)])
        self.rim = 0.5 * style["line"] / 1.8 * ax.figure.dpi / 72   # pixels
        self.nodes = NodeMarks(ax, self.theme.ink)
        if self.maps_on:
            self.shape = (len(log["grid/x1"]), len(log["grid/x0"]))
            x0, x1 = log["grid/x0"], log["grid/x1"]   # the maps at the plane's data aspect
            self.map_aspect = float((x0[-1] - x0[0]) / (x1[-1] - x1[0]))
        self.maps = NodeMaps(ax, self.theme.diverging)
        self.edges = None   # built at the first frame, when the layout has fixed the pixel size

    # ------------------------------------------------------------------ static parts

    @staticmethod
    def _ys(n: int) -> np.ndarray:
        gap = min((TOP - BOTTOM) / n, 0.2)   # a slot per node: its marker fits inside
        return (TOP + BOTTOM) / 2 + (np.arange(n)[::-1] - (n - 1) / 2) * gap

    def _grid_inputs(self, log) -> np.ndarray:
        """The heat-map grid's points in the standardised units the network trained in."""
        to_network, _ = rebuild.standardizers(log, self.model)
        return to_network(grid_inputs({k: log[k] for k in ("grid/x0", "grid/x1")}))

    def _scales(self, log):
        """Largest |weight| and |bias| over the whole run, and each column's value range."""
        w_max = b_max = 1e-12
        ever = np.zeros(sum(self.counts), bool)   # edges among the drawn ones at some frame
        lo = [np.full(n, np.inf) for n, _ in self.cols]
        hi = [np.full(n, -np.inf) for n, _ in self.cols]
        for snap in log.stream(list(self.fields)):
            for name in self.names:
                top = float(np.max(np.abs(snap[f"{self.kind}/{name}"])))
                if name.endswith(".W"):
                    w_max = max(w_max, top)
                else:
                    b_max = max(b_max, top)
            ever[self._strongest(np.abs(self.weights(snap)))] = True
            if self.maps_on:
                for c, out in enumerate(self._outputs(snap)):
                    lo[c] = np.minimum(lo[c], out.min(axis=0))
                    hi[c] = np.maximum(hi[c], out.max(axis=0))
        ranges = []   # per neuron, fixed over the run: its own range, so every map reads
        for c, (n, act) in enumerate(self.cols):
            if act in ("sigmoid", "softmax"):
                ranges.append((np.zeros(n), np.ones(n)))   # probabilities: the boundary's scale
            else:
                top = np.maximum(np.maximum(np.abs(lo[c]), np.abs(hi[c])), 1e-6)
                ranges.append((-top, top))   # centred: white is zero, the sign is the hue
        self.drawable = np.flatnonzero(ever)   # only these need pixels: 667 of the deep nets' 8,420
        return w_max, b_max, ranges

    def _outputs(self, snap) -> list[np.ndarray]:
        self.model.load_parameters({n: snap[f"param/{n}"] for n in self.names})
        outs = layer_outputs(self.model, self.grid)
        if self.softmax_out:
            outs[-1] = nn.softmax(outs[-1])
        return outs

    def _labels(self, style) -> None:
        """Each column's width under it; the activations too where columns have room, else
        once in a caption (the deep networks' nine columns are too close for words)."""
        self.roomy = len(self.cols) <= 5
        size = style["font"] * (0.72 if self.roomy else 0.62)
        self.col_labels = [
            self.ax.text(x, BOTTOM - 0.04, self._column_words(n, act), ha="center", va="top",
                         fontsize=size, parse_math=False, linespacing=1.15)
            for x, (n, act) in zip(self.x, self.cols)]
        hidden = sorted({NAMES.get(a, a) for _, a in self.cols[1:-1]})
        out = NAMES.get(self.cols[-1][1], self.cols[-1][1])
        self.caption_words = (f"hidden: {', '.join(hidden)} · " if hidden else "") + f"output: {out}"
        first = self.model.layers[0]
        if isinstance(first, Features):   # Playground's features: named, whatever the room
            self.caption_words = f"inputs: {', '.join(pretty(first.names))} · {self.caption_words}"
        self.caption = self.ax.text(0.5, BOTTOM - 0.085, "" if self.roomy and not isinstance(
                                        first, Features) else self.caption_words,
                                    ha="center", va="top", fontsize=size * 0.62 / 0.72 if self.roomy
                                    else size, parse_math=False)
        for t in (*self.col_labels, self.caption):
            t.set_in_layout(False)

    def _column_words(self, n: int, act: str) -> str:
        return f"{n}\n{'input' if act == 'input' else NAMES.get(act, act)}" if self.roomy else f"{n}"

    def key_lines(self, n_edges: int) -> list[str]:
        drawn = ("the one weight" if n_edges == 1 else
                 f"all {n_edges:,} weights" if self.n_shown == n_edges else
                 f"{self.n_shown:,} of {n_edges:,} weights (each layer's {EDGES_SHOWN} strongest)")
        return [f"{drawn}: blue −, red +, size |w| up to {self.w_scale:.3g}",
                f"node colour: bias up to |b| = {self.b_scale:.3g} (standardised units)"]

    def _key(self, style, n_edges: int) -> None:
        lines = self.key_lines(n_edges)
        if any(self.mapped):
            lines.append("boxes: neuron outputs over the plane (its aspect)")
        self.key = self.ax.text(0.5, 0.0, "\n".join(lines), ha="center", va="top",
                                fontsize=style["font"] * 0.6, color=self.theme.note, parse_math=False,
                                linespacing=1.25)
        self.key.set_in_layout(True)   # the layout leaves room under the panel for it

    def fit(self, renderer) -> None:
        """Words under the columns only where they fit between columns, else widths only and a
        caption; the caption and the key fitted to the panel's width, stacked under the labels."""
        w, h = self.ax.bbox.width, self.ax.bbox.height
        gap = w * (self.x[1] - self.x[0]) if len(self.x) > 1 else w
        widest = lambda: max(t.get_window_extent(renderer).width for t in self.col_labels)
        if self.roomy and widest() > 0.95 * gap:
            self.roomy = False
            for t, (n, act) in zip(self.col_labels, self.cols):
                t.set_text(self._column_words(n, act))
            self.caption.set_text(self.caption_words)
        for t in self.col_labels:
            fit_text(t, 0.95 * gap, renderer, smallest=0.6)
        below = min(t.get_window_extent(renderer).y0 for t in self.col_labels)
        pad = 0.25 * self.style["font"] / 72 * self.ax.figure.dpi
        for t in (self.caption, self.key):
            if t.get_text():
                fit_text(t, 0.92 * w, renderer)
                t.set_y((below - pad - self.ax.bbox.y0) / h)
                below = t.get_window_extent(renderer).y0

    # ------------------------------------------------------------------ geometry in pixels

    def _geometry(self) -> None:
        w, h = self.ax.bbox.width, self.ax.bbox.height
        col_gap = w * (self.x[1] - self.x[0]) if len(self.x) > 1 else w
        self.radius, self.side = [], []
        for (n, _), ys, mapped in zip(self.cols, self.y, self.mapped):
            gap = h * (ys[0] - ys[1]) if n > 1 else h * 0.2
            self.radius.append(float(np.clip(0.36 * gap, 1.5, min(11.0, 0.12 * col_gap))))
            self.side.append(int(min(0.82 * gap, 0.42 * col_gap, 88)) if mapped else 0)
        half, inset = [], []
        for (n, _), r, side in zip(self.cols, self.radius, self.side):
            px = (side / 2 + max(2.0, 0.06 * side)) if side else r   # a map's rim: its bias colour
            half += [px] * n
            if side:   # the rim around a map at its data aspect: a rectangle
                map_w, map_h = map_size(side, self.map_aspect)
                inset += [((side - map_w) / 2, (side - map_h) / 2)] * n
            else:
                inset += [(0.0, 0.0)] * n
        segs, widths = [], []
        for c in range(len(self.cols) - 1):
            n_a, n_b = self.cols[c][0], self.cols[c + 1][0]
            a = np.repeat(self.y[c], n_b)
            b = np.tile(self.y[c + 1], n_a)
            seg = np.stack([np.column_stack([np.full(a.size, self.x[c]), a]),
                            np.column_stack([np.full(b.size, self.x[c + 1]), b])], axis=1)
            segs.append(seg)
            top = np.clip(0.6 * min(self.radius[c], self.radius[c + 1]) * 2, 1.0, 7.0)
            widths.append(np.full(a.size, top))
        self.edge_width = np.concatenate(widths)
        self.edge_alpha = np.concatenate([
            np.full(n_a * n_b, float(np.clip(2.5 / np.sqrt(max(n_a, n_b)), 0.22, 0.92)))
            for (n_a, _), (n_b, _) in zip(self.cols, self.cols[1:])])
        d = self.drawable
        self.edges = EdgeRaster(self.ax, np.concatenate(segs)[d], self.edge_width[d],
                                self.cmap(0.0), self.cmap(1.0))
        self.centres = [np.column_stack([np.full(len(ys), x * w), ys * h])
                        for x, ys in zip(self.x, self.y)]
        self.nodes.set_geometry(np.concatenate(self.centres), np.array(half), self.rim, self.square,
                                np.array(inset))

    # ------------------------------------------------------------------ per frame

    def weights(self, snap) -> np.ndarray:
        """Every edge's weight in drawing order: layer by layer, W row-major (input-major)."""
        return np.concatenate([snap[f"{self.kind}/{d}.W"].ravel() for d in self.dense])

    def biases(self, snap) -> np.ndarray:
        """Every node's bias in drawing order (0 for the inputs, which have none)."""
        return np.concatenate([np.zeros(self.cols[0][0])] +
                              [snap[f"{self.kind}/{d}.b"].ravel() for d in self.dense])

    def _strongest(self, size: np.ndarray) -> np.ndarray:
        """Indices of the edges drawn: all of a small layer, the EDGES_SHOWN strongest of a big one."""
        keep = []
        for start, stop in self.pairs:
            block = size[start:stop]
            if len(block) <= EDGES_SHOWN:
                keep.append(np.arange(start, stop))
            else:
                top = np.argpartition(block, len(block) - EDGES_SHOWN)[-EDGES_SHOWN:]
                keep.append(start + np.sort(top))
        return np.concatenate(keep)

    def update(self, i, snap):
        if self.edges is None:
            self._geometry()
        w = self.weights(snap).astype(np.float64)
        size = np.clip(np.abs(w) / self.w_scale, 0, 1)
        self.shown = self._strongest(size)
        alpha = np.zeros_like(size)
        alpha[self.shown] = self.edge_alpha[self.shown] * (0.08 + 0.92 * size[self.shown])
        d = self.drawable
        self.edges.set_edges((self.edge_width * (0.25 + 0.75 * size))[d], alpha[d],
                             (w > 0).astype(np.float64)[d])
        b = self.biases(snap)
        colours = self.cmap(0.5 + 0.5 * np.clip(b / self.b_scale, -1, 1))
        colours[:self.cols[0][0]] = self.theme.input_node
        self.nodes.set_faces(colours)
        artists = [self.edges, self.nodes]
        if self.maps_on:
            outs = self._outputs(snap)
            values, lo, hi, centres, sides = [], [], [], [], set()
            for c, out in enumerate(outs):
                if self.side[c]:
                    n = out.shape[1]
                    values.append(out.T.reshape(n, *self.shape))
                    lo.append(self.ranges[c][0])
                    hi.append(self.ranges[c][1])
                    centres.append(self.centres[c])
                    sides.add(self.side[c])
            if values:
                self.maps.set_maps(np.concatenate(values), np.concatenate(lo), np.concatenate(hi),
                                   np.concatenate(centres), min(sides), self.map_aspect)
                artists.append(self.maps)
        return artists
