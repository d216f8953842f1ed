"""Fast drawing primitives: what matplotlib's general artists do too slowly per frame.

Each was introduced by a measurement (benchmarks/render_speed.py): a resampled image cost
~30 ms a frame at 720p, 8,000 weight edges as a LineCollection ~170 ms.
"""
from __future__ import annotations

import matplotlib
import matplotlib.transforms
import numpy as np
from matplotlib.artist import Artist


def _bilinear(n_out: int, n_in: int) -> np.ndarray:
    """Weights (n_out, n_in) resampling grid values (first and last at the edges) to pixels."""
    pos = (np.arange(n_out) + 0.5) / n_out * (n_in - 1)
    lo = np.minimum(pos.astype(int), n_in - 2)
    frac = (pos - lo).astype(np.float32)
    w = np.zeros((n_out, n_in), np.float32)
    w[np.arange(n_out), lo] = 1 - frac
    w[np.arange(n_out), lo + 1] = frac
    return w


class ColourGrid:
    """Grids of values to RGBA pixels at a given size: bilinear upsampling by two small matrix
    products and a colour lookup table, the resampling weights kept for the last size asked."""

    def __init__(self, cmap: str):
        self.lut = (matplotlib.colormaps[cmap](np.linspace(0, 1, 256)) * 255).astype(np.uint8)
        self._weights = {}

    def __call__(self, values: np.ndarray, lo, hi, height: int, width: int) -> np.ndarray:
        """values (..., ny, nx) mapped from lo..hi (scalars, or arrays broadcasting against
        (..., 1, 1)) onto the colour map, as (..., height, width, 4) uint8."""
        ny, nx = values.shape[-2:]
        key = (width, height, nx, ny)
        if key not in self._weights:
            self._weights = {key: (_bilinear(height, ny), _bilinear(width, nx).T.copy())}
        rows, cols = self._weights[key]
        up = rows @ values.astype(np.float32) @ cols
        scale = 255.0 / (hi - lo)
        index = np.clip((up - lo) * scale + 0.5, 0, 255).astype(np.uint8)
        return np.take(self.lut, index, axis=0)   # 10x faster than lut[index]


class GridImage(Artist):
    """A grid of values filling its axes, colour-mapped and drawn pixel for pixel.

    matplotlib's general image path resamples through Agg (about 30 ms a frame at 720p);
    this one upsamples with two small matrix products and a colour lookup table (a few ms).
    """

    def __init__(self, ax, cmap, vmin: float, vmax: float):
        super().__init__()
        self.ax, self.vmin, self.vmax = ax, vmin, vmax
        self.colour = ColourGrid(cmap)
        self.values = None
        self.extent = None   # (x0, x1, y0, y1) in data units; None: the grid fills the axes
        ax.filled = True     # no corner free of data (nnviz.draw.legible)
        self.set_zorder(0)
        self.set_animated(True)
        self.set_figure(ax.figure)

    def set_data(self, values: np.ndarray) -> None:
        self.values = values

    def draw(self, renderer):
        if self.values is None:
            return
        box = self.ax.bbox
        if self.extent is not None:   # the grid covers only part of the axes (shared limits)
            (px0, py0), (px1, py1) = self.ax.transData.transform(
                [(self.extent[0], self.extent[2]), (self.extent[1], self.extent[3])])
            box = matplotlib.transforms.Bbox.from_extents(px0, py0, px1, py1)
        x0, y0, w, h = _pixel_box(box)
        gc = renderer.new_gc()
        renderer.draw_image(gc, x0, y0, self.colour(self.values, self.vmin, self.vmax, h, w))
        gc.restore()


class Sprite(Artist):
    """Artists that never change but lie above changing ones, pre-rendered once.

    `bake` draws them alone onto a cleared canvas and keeps those pixels (transparent
    elsewhere); each frame then composites the pixels instead of redrawing every marker.
    """

    def __init__(self, ax, artists, pad: int = 0):
        """`pad` pixels around the axes are kept too (for a frame drawn on the axes' edge)."""
        super().__init__()
        self.ax, self.artists, self.pixels, self.pad = ax, artists, None, pad
        self.set_animated(True)
        self.set_figure(ax.figure)

    def bake(self, canvas) -> None:
        renderer = canvas.get_renderer()
        saved = canvas.copy_from_bbox(self.figure.bbox)
        renderer.clear()
        for artist in self.artists:
            artist.draw(renderer)
        box = self.ax.bbox.padded(self.pad) if self.pad else self.ax.bbox
        self.x0, self.y0, self.pixels = _crop(np.asarray(canvas.buffer_rgba()), box)
        canvas.restore_region(saved)

    def draw(self, renderer):
        gc = renderer.new_gc()
        renderer.draw_image(gc, self.x0, self.y0, self.pixels)
        gc.restore()


def _pixel_box(box):
    x0, y0 = int(np.floor(box.x0)), int(np.floor(box.y0))
    return x0, y0, int(np.ceil(box.x1)) - x0, int(np.ceil(box.y1)) - y0


def _crop(buffer: np.ndarray, box):
    """The pixels of `box`, bottom row first as draw_image takes them."""
    x0, y0, w, h = _pixel_box(box)
    top = buffer.shape[0] - (y0 + h)
    return x0, y0, buffer[top:top + h, x0:x0 + w][::-1].copy()




class EdgeRaster(Artist):
    """Many straight edges of per-frame width, opacity and colour, drawn as one image.

    Agg strokes each segment of a LineCollection separately: ~170 ms a frame for the 8,400
    edges of the deep sine networks at 720p. Here each edge's nearby pixels and their distance
    to it are found once; a frame is then a few `bincount`s over those pixels: coverage of a
    line of width w is clip(w/2 - d + 1/2, 0, 1) (anti-aliased), opacities combine exactly as
    drawing one edge over another does (1 - prod(1 - a)), and where edges of both signs cross,
    the colour leans to the stronger ones (weights a^2). Per-edge values reach the pixels by
    `np.repeat` (each edge's pixels are stored together), and every array is float64 because
    `bincount` sums in float64 anyway: no per-frame conversions.

    Between snapshots few edges change visibly: measured on non_linear_regression_tanh's 468
    drawable edges, 1.2 % a frame on average change their half-width by more than WIDTH_STEP or
    their opacity by more than ALPHA_STEP, while every edge changes a little. So each pixel's
    sums are kept, and a frame redraws only the edges that moved by a visible step since they
    were last drawn: their old contributions come out of the sums, the new ones go in, and only
    the pixels they touch are coloured again. No edge is ever shown further than a step from
    its true value; the same frames in the same order give the same pixels.
    """

    WIDTH_STEP = 0.02      # pixels of half-width (0.04 of width): a fiftieth of a pixel's ramp
    ALPHA_STEP = 0.5 / 255   # half a level of the 8-bit opacity

    def __init__(self, ax, segments: np.ndarray, max_width: np.ndarray, negative, positive):
        """`segments` (E, 2, 2) in axes coordinates; `max_width` (E,) in pixels."""
        super().__init__()
        self.ax, self.segments, self.max_width = ax, np.asarray(segments, float), max_width
        ends = np.array([matplotlib.colors.to_rgb(negative), matplotlib.colors.to_rgb(positive)])
        share = np.linspace(0, 1, 256)[:, None]   # the positive edges' share of a pixel's ink
        self.lut = np.round((ends[0] + share * (ends[1] - ends[0])) * 255).astype(np.uint8)
        self.half = self.alpha_ = self.positive = None
        self.drawn = None   # (half, alpha, positive) per edge as the sums hold them
        self._box = None
        self.set_zorder(1)
        self.set_animated(True)
        self.set_figure(ax.figure)

    def set_edges(self, width: np.ndarray, alpha: np.ndarray, positive: np.ndarray) -> None:
        """Per edge: width in pixels (at most its max_width), opacity in [0, 1] (0: hidden this
        frame), sign."""
        self.half = np.asarray(width, np.float64) / 2 + 0.5   # + 0.5: the coverage formula's offset
        self.alpha_ = np.asarray(alpha, np.float64)
        self.positive = np.asarray(positive, np.float64)

    def _prepare(self, box) -> None:
        """Each edge's pixels (those a line of its max_width can cover) and their distances."""
        x0, y0, w, h = box
        ends = self.segments * (w, h)                    # pixels from the box's corner
        pix, dist = [], []
        for e, ((ax_, ay), (bx, by)) in enumerate(ends):
            r = self.max_width[e] / 2 + 0.5             # where the coverage can be above 0
            xs = np.arange(max(int(min(ax_, bx) - r), 0), min(int(max(ax_, bx) + r) + 1, w))
            ys = np.arange(max(int(min(ay, by) - r), 0), min(int(max(ay, by) + r) + 1, h))
            px, py = np.meshgrid(xs + 0.5, ys + 0.5)
            dx, dy = bx - ax_, by - ay
            t = np.clip(((px - ax_) * dx + (py - ay) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
            d = np.hypot(px - ax_ - t * dx, py - ay - t * dy)
            near = d < r
            pix.append(np.column_stack([px[near], py[near]]).astype(np.intp))
            dist.append(d[near])
        self.counts = np.array([len(d) for d in dist], np.intp)
        self.starts = np.cumsum(self.counts) - self.counts
        xy = np.concatenate(pix) if pix else np.zeros((0, 2), np.intp)
        self.dist = np.concatenate(dist) if dist else np.zeros(0)
        # work inside the touched pixels' bounding rectangle only
        lo = xy.min(axis=0) if len(xy) else np.zeros(2, np.intp)
        cw, ch = (xy.max(axis=0) - lo + 1) if len(xy) else (1, 1)
        self.pixel = (xy[:, 1] - lo[1]) * cw + (xy[:, 0] - lo[0])
        self.origin = (x0 + int(lo[0]), y0 + int(lo[1]))
        self.image = np.zeros((ch, cw, 4), np.uint8)
        self.drawn = None
        self._box = box

    def _sums(self, pixel, dist, half, alpha, positive, n, sign=1.0):
        """Each pixel's sums over the given entries (edge values already per entry): the ink,
        the positive edges' ink and log(what shows through); `sign` -1 takes them out."""
        a = half - dist                                  # coverage of each pixel by its edge ...
        np.clip(a, 0, 1, out=a)
        a *= alpha                                       # ... times the edge's opacity
        np.minimum(a, 0.999, out=a)
        strength = alpha * a * sign
        total = np.bincount(pixel, strength, n)
        strength *= positive
        plus = np.bincount(pixel, strength, n)
        np.log1p(np.negative(a, out=a), out=a)
        a *= sign
        return total, plus, np.bincount(pixel, a, n)

    def _colour(self, where) -> None:
        """Colour and opacity of the pixels `where` (a slice or indices) from their sums."""
        total, plus = self.total[where], self.plus[where]
        share = np.divide(plus * 255, total, out=np.zeros(len(total)), where=total > 0)
        flat = self.image.reshape(-1, 4)
        flat[where, :3] = np.take(self.lut, np.clip(share, 0, 255).astype(np.uint8), axis=0)
        flat[where, 3] = np.clip(1 - np.exp(self.clear[where]), 0, 1) * 255

    def _update(self) -> None:
        n = self.image.shape[0] * self.image.shape[1]
        now = (self.half, self.alpha_, self.positive)
        if self.drawn is None:
            per_entry = [np.repeat(v, self.counts) for v in now]
            self.total, self.plus, self.clear = self._sums(self.pixel, self.dist, *per_entry, n)
            self._colour(slice(None))
            self.drawn = tuple(v.copy() for v in now)
            return
        moved = ((np.abs(now[0] - self.drawn[0]) > self.WIDTH_STEP)
                 | (np.abs(now[1] - self.drawn[1]) > self.ALPHA_STEP)
                 | (now[2] != self.drawn[2]))
        edges = np.flatnonzero(moved)
        if not len(edges):
            return
        counts = self.counts[edges]
        # the entries of the moved edges: each edge's run of pixels, one after another
        entries = np.repeat(self.starts[edges] - (np.cumsum(counts) - counts), counts) \
            + np.arange(counts.sum())
        touched, pixel = np.unique(self.pixel[entries], return_inverse=True)
        dist, m = self.dist[entries], len(touched)
        for values, sign in ((self.drawn, -1.0), (now, 1.0)):
            sums = self._sums(pixel, dist, *(np.repeat(v[edges], counts) for v in values), m,
                              sign)
            for kept, change in zip((self.total, self.plus, self.clear), sums):
                kept[touched] += change
        for kept, value in zip(self.drawn, now):
            kept[edges] = value[edges]
        self._colour(touched)

    def draw(self, renderer):
        if self.half is None:
            return
        box = _pixel_box(self.ax.bbox)
        if box != self._box:
            self._prepare(box)
        self._update()
        gc = renderer.new_gc()
        renderer.draw_image(gc, *self.origin, self.image)
        gc.restore()


class NodeMarks(Artist):
    """Filled circles and squares with a rim, each node's face colour set per frame, drawn as
    one image. A scatter strokes every marker's path each frame (~1.4 ms for the deep nets'
    222 nodes); here each node's pixels and their coverage are found once."""

    def __init__(self, ax, rim_colour):
        super().__init__()
        self.ax = ax
        self.rim = np.array(matplotlib.colors.to_rgb(rim_colour)) * 255
        self.faces = None
        self._box = None
        self.set_zorder(2)
        self.set_animated(True)
        self.set_figure(ax.figure)

    def set_geometry(self, centres: np.ndarray, half: np.ndarray, rim: float, square: np.ndarray,
                     inset: np.ndarray | None = None):
        """centres (n, 2) in pixels from the axes' corner; half (n,) the mark's half size
        (radius) in pixels to the middle of its rim; rim width in pixels; square (n,) bool;
        inset (n, 2): how much narrower and lower than `half` a square's half width and
        height are (a rectangle around a map at its data's aspect), zeros if None."""
        self.centres, self.half, self.rim_width, self.square = centres, half, rim, square
        self.inset = np.zeros((len(half), 2)) if inset is None else np.asarray(inset, float)
        self._box = None

    def set_faces(self, rgba: np.ndarray) -> None:
        self.faces = np.asarray(rgba, np.float64)[:, :3] * 255

    def _prepare(self, box) -> None:
        x0, y0, w, h = box
        pix, inner, outer = [], [], []
        for (cx, cy), half, square, (sx, sy) in zip(self.centres, self.half, self.square,
                                                     self.inset):
            r = half + self.rim_width / 2 + 0.5                  # coverage ends here
            xs = np.arange(max(int(cx - r), 0), min(int(cx + r) + 1, w)) + 0.5
            ys = np.arange(max(int(cy - r), 0), min(int(cy + r) + 1, h)) + 0.5
            px, py = np.meshgrid(xs, ys)
            d = (np.maximum(abs(px - cx) + sx, abs(py - cy) + sy) if square
                 else np.hypot(px - cx, py - cy))
            out = np.clip(r - d, 0, 1)
            on = out > 0
            pix.append(np.column_stack([px[on], py[on]]).astype(np.intp))
            outer.append(out[on])
            inner.append(np.clip(half - self.rim_width / 2 + 0.5 - d[on], 0, 1) / out[on])
        self.counts = np.array([len(o) for o in outer], np.intp)
        xy = np.concatenate(pix)
        lo = xy.min(axis=0)
        cw, ch = xy.max(axis=0) - lo + 1
        self.pixel = (xy[:, 1] - lo[1]) * cw + (xy[:, 0] - lo[0])
        self.face_share = np.concatenate(inner)[:, None]   # of a pixel's colour: face, not rim
        self.image = np.zeros((ch, cw, 4), np.uint8)
        self.image.reshape(-1, 4)[self.pixel, 3] = np.round(np.concatenate(outer) * 255)
        self.origin = (x0 + int(lo[0]), y0 + int(lo[1]))
        self._box = box

    def draw(self, renderer):
        if self.faces is None or not len(self.half):
            return
        box = _pixel_box(self.ax.bbox)
        if box != self._box:
            self._prepare(box)
        face = np.repeat(self.faces, self.counts, axis=0)
        self.image.reshape(-1, 4)[self.pixel, :3] = self.rim + (face - self.rim) * self.face_share
        gc = renderer.new_gc()
        renderer.draw_image(gc, *self.origin, self.image)
        gc.restore()


class NodeMaps(Artist):
    """Small colour-mapped images, one per node (what each neuron computes over the plane)."""

    def __init__(self, ax, cmap: str):
        super().__init__()
        self.ax = ax
        self.colour = ColourGrid(cmap)
        self.values = None
        self.set_zorder(3)
        self.set_animated(True)
        self.set_figure(ax.figure)

    def set_maps(self, values: np.ndarray, lo: np.ndarray, hi: np.ndarray, centres, side: int,
                 aspect: float = 1.0):
        """values (n, gy, gx) mapped from lo..hi (n,) to the colour map; centres (n, 2) pixels;
        each map `side` pixels along its longer side, at `aspect` (width / height: the plane's
        data aspect, as the boundary or heat-map panel draws it)."""
        self.values, self.lo, self.hi, self.centres = values, lo, hi, centres
        self.width, self.height = map_size(side, aspect)

    def draw(self, renderer):
        if self.values is None or min(self.width, self.height) < 2:
            return
        lo, hi = self.lo[:, None, None], self.hi[:, None, None]   # ranges are never empty
        images = self.colour(self.values, lo, hi, self.height, self.width)
        bx, by = self.ax.bbox.x0, self.ax.bbox.y0
        gc = renderer.new_gc()
        for (cx, cy), image in zip(self.centres, images):
            renderer.draw_image(gc, int(round(bx + cx - self.width / 2)),
                                int(round(by + cy - self.height / 2)), image)
        gc.restore()


def map_size(side: int, aspect: float) -> tuple[int, int]:
    """(width, height) in pixels of a map `side` pixels along its longer side at `aspect`."""
    return ((side, max(int(round(side / aspect)), 1)) if aspect >= 1
            else (max(int(round(side * aspect)), 1), side))

