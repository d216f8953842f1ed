"""The Python API: nnviz.render, compare, train and render_many.

Thin on purpose: a call runs here (nnviz.run.render, nnviz.run.compare) or, with
`scheduler="tcp://HOST:8786"`, on the workers of a Dask cluster (nnviz.run.many); the
keywords are the CLI's options and are documented on the local functions.
"""
from __future__ import annotations

from .run.compare import compare as compare_here
from .run.many import compare_remote, render_many, render_remote
from .run.render import render as render_here, train
from .run.result import RenderResult

__all__ = ["render", "compare", "train", "render_many", "RenderResult"]


def render(scene=None, *, scheduler: str | None = None, **options) -> RenderResult:
    return (render_here(scene, **options) if scheduler is None
            else render_remote(scene, scheduler=scheduler, **options))


def compare(scene=None, *, scheduler: str | None = None, **options) -> RenderResult:
    return (compare_here(scene, **options) if scheduler is None
            else compare_remote(scene, scheduler=scheduler, **options))


_CLUSTER = ("\n\n    With `scheduler` (a Dask scheduler's tcp://HOST:8786) the work runs on the "
            "cluster's workers\n    and the files are committed here (`pip install "
            "'nnviz[cluster]'`).\n")
render.__doc__ = render_here.__doc__.rstrip() + _CLUSTER
compare.__doc__ = compare_here.__doc__.rstrip() + _CLUSTER
