"""Where each panel goes: a small table by frame shape, applied to a figure as one grid.

Views (an input-space picture, the network, the landscape) share the big area equally; metrics
(loss, accuracy) share the rest. The table says how the two groups are arranged for a frame
shape and how much bigger the views' area is; nothing else in nnviz decides positions.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import lcm


@dataclass(frozen=True)
class Arrangement:
    views_beside_metrics: bool   # True: views left, metrics stacked in a column on the right;
                                 # False: views in a row above, metrics in a row below
    views_to_metrics: tuple[float, ...]   # views' area / metrics' area, by number of views
    square_from: int | None = None   # from this many views: a 2x2 grid, the metrics stacked
                                     # in its last cell (a row of three is too thin on 4:3) ...
    square_rows: int = 240           # ... when each metric there gets at least this many
                                     # pixel rows of frame height (else they collapse)


# frame shape -> arrangement; a shape is "wide" from an aspect ratio of 1.5 (16:9 is 1.78).
# With one view the ratios are 0.1's (1.35 and 1.45), so its frames stay exactly as they were.
ARRANGEMENTS = {
    "wide": Arrangement(views_beside_metrics=True, views_to_metrics=(1.35, 2.85, 2.85)),
    "narrow": Arrangement(views_beside_metrics=False, views_to_metrics=(1.45, 1.5, 1.5),
                          square_from=3),
}
WIDE_FROM = 1.5
# several runs (nnviz.learn.runs): the views hold a grid of small multiples, one tile per run, so they
# take more of the frame, and sit beside the metrics at every shape: above the metrics on a 4:3
# frame, 4 tiles of a 640x480 frame were 320x145 pixels, too flat for a plane (225x220 beside)
RUNS = Arrangement(views_beside_metrics=True, views_to_metrics=(2.3, 3.4, 3.4))
# ... but a 4:3 frame with a second view beside the tiles (the landscape) has no width left for
# a metrics column (640x480: the layout collapsed): there the metrics go below
RUNS_NARROW = Arrangement(views_beside_metrics=False, views_to_metrics=(2.3, 2.6, 2.6))
# width / height a tile of each picture reads best at: a curve over x likes width
TILE_ASPECT = {"fit": 1.5}


def shape_of(size: tuple[int, int]) -> str:
    return "wide" if size[0] / size[1] >= WIDE_FROM else "narrow"


def tiles(n: int, width: float, height: float, aspect: float = 1.0,
          title: float = 0.0) -> tuple[int, int]:
    """(rows, columns) of a grid of n small multiples in a box of width x height pixels.

    Tiles keep their `aspect` (width / height: a plane must not be stretched), so the grid is
    the one whose tiles hold the largest such rectangle below a title `title` pixels high,
    with a mild preference for grids without empty cells: 4 runs in a square box make 2x2, in
    a wide one 1x4; 9 make 3x3; a fit (aspect 1.5) in a tall box stacks.
    """
    return ranked_tiles(n, width, height, aspect, title)[0]


def ranked_tiles(n: int, width: float, height: float, aspect: float = 1.0,
                 title: float = 0.0) -> list[tuple[int, int]]:
    """Every distinct grid for n tiles, best first by `tiles`' rule (the frame tries the next
    when the layout cannot place the best one's decorations)."""
    def score(rows):
        cols = -(-n // rows)
        tile_w, tile_h = width / cols, height / rows - title
        fill = n / (rows * cols)   # a full grid reads better than a ragged one, a little
        return round(min(tile_w / aspect, tile_h) * (0.8 + 0.2 * fill), 6), fill
    grids = {}   # by columns: the fewest rows that hold n (no empty row)
    for rows in sorted(range(1, n + 1), key=score, reverse=True):
        cols = -(-n // rows)
        grids.setdefault(cols, (-(-n // cols), cols))
    return list(grids.values())


def arrange(fig, panel_classes: list, size: tuple[int, int], runs: int = 1) -> list:
    """One Axes per panel class, in the order given, laid out by the table for `size`.

    One grid for the whole frame (nested grids space panels differently under constrained
    layout): wide, views are columns spanning every row and metrics the rows of the last
    column; narrow, both are rows of a grid of lcm(views, metrics) columns, each panel
    spanning its equal share; narrow with three views, a 2x2 grid whose last cell holds the
    metrics.
    """
    views = [c for c in panel_classes if c.view]
    metrics = [c for c in panel_classes if not c.view]
    if not views or not metrics:   # one kind only: side by side
        n = len(panel_classes)
        return [fig.add_subplot(1, n, i + 1) for i in range(n)]
    if runs > 1:
        rule = RUNS_NARROW if shape_of(size) == "narrow" and len(views) > 1 else RUNS
    else:
        rule = ARRANGEMENTS[shape_of(size)]
    ratio = rule.views_to_metrics[min(len(views), len(rule.views_to_metrics)) - 1]
    nv, nm = len(views), len(metrics)
    if rule.square_from and nv >= rule.square_from and size[1] >= rule.square_rows * nm:
        grid = fig.add_gridspec(2 * nm, 2)
        cells = ([grid[:nm, 0], grid[:nm, 1], grid[nm:, 0]] +
                 [grid[nm + k, 1] for k in range(nm)])
    elif rule.views_beside_metrics:
        grid = fig.add_gridspec(nm, nv + 1, width_ratios=[ratio / nv] * nv + [1])
        cells = [grid[:, i] for i in range(nv)] + [grid[k, nv] for k in range(nm)]
    else:
        cols = lcm(nv, nm)
        grid = fig.add_gridspec(2, cols, height_ratios=(ratio, 1))
        cells = ([grid[0, i * cols // nv:(i + 1) * cols // nv] for i in range(nv)] +
                 [grid[1, k * cols // nm:(k + 1) * cols // nm] for k in range(nm)])
    placed = dict(zip(map(id, views + metrics), cells))
    return [fig.add_subplot(placed[id(c)]) for c in panel_classes]
