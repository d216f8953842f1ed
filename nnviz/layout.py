"""Where each panel goes: a small table by frame shape, applied to a figure.

Views (an input-space picture, the network, the landscape, a neuron) share the big area, each
with its panel's `weight`; metrics (loss, accuracy) share the rest. The table says how the two
groups are arranged for a frame shape; nothing else in nnviz decides positions.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arrangement:
    views_beside_metrics: bool   # True: views left, metrics stacked in a column on the right
    views_share: float           # the views' share of that direction, metrics get the rest
    max_views_in_line: int       # more views than this wrap onto a second line


# frame shape -> arrangement; a shape is "wide" from an aspect ratio of 1.5 (16:9 is 1.78)
ARRANGEMENTS = {
    "wide": Arrangement(views_beside_metrics=True, views_share=0.74, max_views_in_line=3),
    "narrow": Arrangement(views_beside_metrics=False, views_share=0.60, max_views_in_line=3),
}
WIDE_FROM = 1.5


def shape_of(size: tuple[int, int]) -> str:
    return "wide" if size[0] / size[1] >= WIDE_FROM else "narrow"


def arrange(fig, panel_classes: list, size: tuple[int, int]) -> list:
    """One Axes per panel class, in the order given, laid out by the table for `size`."""
    views = [c for c in panel_classes if c.view]
    metrics = [c for c in panel_classes if not c.view]
    rule = ARRANGEMENTS[shape_of(size)]
    axes = {}
    if views and metrics:
        share = (rule.views_share, 1 - rule.views_share)
        if rule.views_beside_metrics:
            # one view alone takes a little less: a lone square picture wastes width
            share = (0.58, 0.42) if len(views) == 1 else share
            outer = fig.add_gridspec(1, 2, width_ratios=share)
            view_area, metric_area = outer[0, 0], outer[0, 1]
            metric_grid = metric_area.subgridspec(len(metrics), 1)
        else:
            outer = fig.add_gridspec(2, 1, height_ratios=share)
            view_area, metric_area = outer[0, 0], outer[1, 0]
            metric_grid = metric_area.subgridspec(1, len(metrics))
        for k, cls in enumerate(metrics):
            axes[id(cls)] = fig.add_subplot(metric_grid[k] if len(metrics) > 1 else metric_grid[0, 0])
        _views(fig, views, view_area.subgridspec(1, 1), rule, axes)
    else:
        group = views or metrics
        _views(fig, group, fig.add_gridspec(1, 1), rule, axes)
    return [axes[id(c)] for c in panel_classes]


def _views(fig, classes, area, rule, axes) -> None:
    """Classes side by side by weight, wrapping onto a second line past max_views_in_line."""
    per_line = rule.max_views_in_line
    lines = [classes[i:i + per_line] for i in range(0, len(classes), per_line)]
    grid = area[0, 0].subgridspec(len(lines), 1)
    for row, line in enumerate(lines):
        cells = grid[row, 0].subgridspec(1, len(line), width_ratios=[c.weight for c in line])
        for col, cls in enumerate(line):
            axes[id(cls)] = fig.add_subplot(cells[0, col])
