"""Where each panel goes: a small table by frame shape, applied to a figure as one grid.

Views (an input-space picture, the network, the landscape) share the big area equally; metrics
(loss, accuracy) share the rest. The table says how the two groups are arranged for a frame
shape and how much bigger the views' area is; nothing else in nnviz decides positions.
"""
from __future__ import annotations

from dataclasses import dataclass


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


@dataclass
class Row:
    """Cells side by side in one grid, for keep_aspect: `axes` one per column (of a column of
    metrics, its first), `plane` the column of a plane over the inputs, `keep` the columns
    whose width stays (the metrics, when another view takes what the plane frees)."""
    grid: object
    axes: list
    plane: int
    keep: tuple[int, ...] = ()


def arrange(fig, panel_classes: list, size: tuple[int, int], runs: int = 1,
            rows: list | None = None) -> list:
    """One Axes per panel class, in the order given, laid out by the table for `size`.

    Wide, views are columns spanning every row of one grid and metrics the rows of its last
    column; narrow, views are a row above the metrics' row (each row its own grid, so a plane's
    width in one does not change the other's); narrow with three views, a 2x2 grid whose last
    cell holds the metrics. A plane over the inputs (a class with `plane = True`) keeps equal
    aspect: narrow with it the only view, it goes beside the metrics (a row above them left it
    a strip); `rows`, when given, receives the Row of every plane for keep_aspect.
    """
    views = [c for c in panel_classes if c.view]
    metrics = [c for c in panel_classes if not c.view]
    if not views or not metrics:   # one kind only: side by side
        n = len(panel_classes)
        axes = [fig.add_subplot(1, n, i + 1) for i in range(n)]
        _planes(rows, axes[0].get_subplotspec().get_gridspec(), axes, panel_classes,
                range(n), ())
        return axes
    if runs > 1:
        rule = RUNS_NARROW if shape_of(size) == "narrow" and len(views) > 1 else RUNS
    else:
        rule = ARRANGEMENTS[shape_of(size)]
        if len(views) == 1 and getattr(views[0], "plane", False):
            rule = ARRANGEMENTS["wide"]
    ratio = rule.views_to_metrics[min(len(views), len(rule.views_to_metrics)) - 1]
    nv, nm = len(views), len(metrics)
    if rule.square_from and nv >= rule.square_from and size[1] >= rule.square_rows * nm:
        grid = fig.add_gridspec(2 * nm, 2)
        cells = ([grid[:nm, 0], grid[:nm, 1], grid[nm:, 0]] +
                 [grid[nm + k, 1] for k in range(nm)])
        layout = [(grid, [0, 1], ())]   # the top row: two views' columns
    elif rule.views_beside_metrics:
        grid = fig.add_gridspec(nm, nv + 1, width_ratios=[ratio / nv] * nv + [1])
        cells = [grid[:, i] for i in range(nv)] + [grid[k, nv] for k in range(nm)]
        layout = [(grid, list(range(nv + 1)), (nv,) if nv > 1 else ())]
    else:
        outer = fig.add_gridspec(2, 1, height_ratios=(ratio, 1))
        top, bottom = outer[0].subgridspec(1, nv), outer[1].subgridspec(1, nm)
        cells = [top[0, i] for i in range(nv)] + [bottom[0, k] for k in range(nm)]
        layout = [(top, list(range(nv)), ())]
    placed = dict(zip(map(id, views + metrics), cells))
    axes = [fig.add_subplot(placed[id(c)]) for c in panel_classes]
    by_cell = {}
    for ax, cls in zip(axes, panel_classes):
        spec = ax.get_subplotspec()
        by_cell.setdefault((id(spec.get_gridspec()), spec.colspan.start), (ax, cls))
    for grid, columns, keep in layout:
        found = [by_cell.get((id(grid), c), (None, None)) for c in columns]
        if all(ax is not None for ax, _ in found):
            _planes(rows, grid, [ax for ax, _ in found], [c for _, c in found],
                    range(len(found)), keep)
    return axes


def _planes(rows, grid, axes, classes, columns, keep) -> None:
    if rows is None:
        return
    for i in columns:
        if getattr(classes[i], "plane", False) and len(axes) > 1:
            rows.append(Row(grid, list(axes), i, tuple(keep)))


OTHERS_KEEP = 0.3   # of a row's width, what the plane leaves the other cells at least


def keep_aspect(fig, rows: list[Row], aspects: dict, tries: int = 4) -> None:
    """Give each plane over the inputs the width its data aspect needs at the height the layout
    gave it, so that a circle is drawn as a circle; what it frees (or takes) goes to the other
    views of its row, else to the metrics. `aspects` maps an Axes to its data's width / height.

    Under constrained layout the inner widths of a grid's columns are proportional to its
    width ratios, so one measurement says what ratios give the plane its width; decorations
    move a little when widths change, so it is measured again until within half a pixel. The
    plane's axes then hold equal aspect (Axes.set_aspect, adjustable box) for the last pixel.
    """
    engine = fig.get_layout_engine()
    for _ in range(tries):
        engine.execute(fig)
        moved = False
        for row in rows:
            width = fig.bbox.width
            boxes = [ax.get_position(original=True) for ax in row.axes]
            widths = [b.width * width for b in boxes]
            plane = row.axes[row.plane]
            target = boxes[row.plane].height * fig.bbox.height * aspects[plane]
            total = sum(widths)
            kept = sum(widths[j] for j in row.keep)
            free = [j for j in range(len(widths)) if j != row.plane and j not in row.keep]
            if not free:
                continue
            room = total - kept - OTHERS_KEEP * total
            new = max(min(target, room), 0.2 * total)
            if abs(new - widths[row.plane]) <= 0.5:
                continue
            moved = True
            rest = total - kept - new
            share = sum(widths[j] for j in free)
            ratios = list(widths)
            ratios[row.plane] = new
            for j in free:
                ratios[j] = rest * widths[j] / share
            row.grid.set_width_ratios(ratios)
        if not moved:
            break
    for ax, aspect in aspects.items():
        ax.set_aspect("equal", adjustable="box")
