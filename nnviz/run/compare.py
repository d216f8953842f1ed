"""A comparison: one scene trained once per value of lr, optimizer or seed, all runs in one
video (OUT/NAME-compare/), here in local processes."""
from __future__ import annotations

from pathlib import Path
from typing import Callable


from .. import outputs
from ..learn import runs
from ..errors import UsageError
from ..settings import (HOLD, MAX_SIZE, MIN_SIZE, QUICK, SIZE, check_size,  # noqa: F401
                       check_timing, quick_every)
from ..encode.formats import DEFAULT_FORMATS, parse_formats
from .folders import refreshed
from .inputs import check_looks, parse_panels, scene_of
from .result import RenderResult
from .several import render_runs, sources_of

@outputs.final_names()
def compare(scene=None, *, lr=None, optimizer=None, seed=None, from_log=None,
            out: str | Path = "output", size=(1280, 720), fps: float = 25, hold: float = 1.0,
            formats=DEFAULT_FORMATS, steps=None, every=None, check: bool = False, panels=None,
            progress: Callable | None = None, jobs: int | None = None,
            theme: str | None = None,
            title: str | None = None, gif_width: int | None = None,
            gif_fps: float | None = None) -> RenderResult:
    """Train `scene` once per combination of the lists given (lr, optimizer, seed: at least
    one, each of two or more values) and render all runs in one video to OUT/NAME-compare/.

    `from_log` (several run logs of one comparison, or their folder) re-renders without
    training. Lists may be Python lists or the CLI's comma strings. `theme`, `title`,
    `gif_width` and `gif_fps` as for render(). Here, in `jobs` processes; on a Dask cluster
    see nnviz.run.many.compare_remote.
    """
    check_looks(theme, title)
    size = check_size(size)
    fps, hold = check_timing(fps, hold)
    chosen = parse_formats(formats, gif_width, gif_fps)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from with the runs' logs, not both"
                         if scene is not None else "give a scene name, or --from OUT/NAME-compare/runs")
    if from_log is not None:
        if any(v is not None for v in (lr, optimizer, seed, steps, every)):
            raise UsageError("--from re-renders saved runs: leave out --lr, --optimizer, --seed, "
                             "--steps and --every")
        sources = sources_of(from_log)
        if len(sources) < 2:
            runs.check_set(sources)
        return refreshed(out, render_runs(
            None, sources, out=out, chosen=chosen, size=size, fps=fps, hold=hold, check=check,
            panels=panels, progress=progress, theme=theme, title=title), always=True)
    made, name = compared_scene(scene, panels, lr=lr, optimizer=optimizer, seed=seed)
    return refreshed(out, render_runs(
        made, None, out=out, chosen=chosen, size=size, fps=fps, hold=hold, check=check,
        steps=steps, every=every, progress=progress, jobs=jobs, set_name=name, theme=theme,
        title=title), always=True)


def compared_scene(scene, panels=None, **lists):
    """The scene of a comparison (nnviz.learn.comparison.scene_for) and its name NAME-compare."""
    from ..learn import comparison as comparing
    base = scene_of(scene)
    picked = parse_panels(base.name, panels) if panels is not None else None
    return comparing.scene_for(base, picked, **lists)


def compare_training(scene, options: dict):
    """How a comparison's runs train, for a Dask worker that trains one of them: the set's name
    and panels, its runs and each run's training options, by the rule a local compare uses
    (render_runs, runtrain.train_runs)."""
    from .runtrain import prepare
    made, name = compared_scene(scene, options.get("panels"), lr=options.get("lr"),
                                optimizer=options.get("optimizer"), seed=options.get("seed"))
    panels = list(made.panels)
    plan = runs.plan(made)
    prepared, train_options = prepare(plan, name, steps=options.get("steps"),
                                      every=options.get("every"), landscape="landscape" in panels,
                                      panels=panels, theme=options.get("theme"),
                                      title=options.get("title"))
    return name, panels, plan, prepared, train_options


# a comparison's options that only its training takes; the rest go to its render (theme and
# title to both: a log records them, and the render draws them)
COMPARE_TRAINING = ("lr", "optimizer", "seed", "steps", "every", "panels")
