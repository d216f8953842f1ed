"""A comparison: one scene trained once per value of lr, optimizer, seed or a network knob
(nnviz.learn.comparison.LISTS), all runs in one video (OUT/NAME-compare/), here in local
processes."""
from __future__ import annotations

from pathlib import Path
from typing import Callable


from .. import outputs
from ..learn import runs
from ..learn.comparison import SETTINGS, split
from ..errors import UsageError
from ..settings import Settings
from .folders import refreshed
from .inputs import call_settings, for_scene, parse_panels, scene_of
from .result import RenderResult
from .several import render_runs, sources_of

@outputs.final_names()
def compare(scene=None, *, from_log=None,
            out: str | Path = "output", quick: bool = False, progress: Callable | None = None,
            jobs: int | None = None, settings: Settings | None = None,
            **options) -> RenderResult:
    """Train `scene` once per combination of the lists given and render all runs in one video
    to OUT/NAME-compare/.

    The lists (at least one, each of two or more values; nnviz.learn.comparison.LISTS): `lr`,
    `optimizer`, `seed`, and the network knobs `hidden`, `activation`, `batch`,
    `regularization`, `reg_rate`, `features`, `ratio` given as lists (`activation=["relu",
    "tanh"]`, `hidden=[(4,), (8, 8)]`) or the CLI's strings ("relu,tanh", "4;8,8"); a knob of
    one value (`activation="tanh"`) is shared by every run. `from_log` (several run logs of one
    comparison, or their folder) re-renders without training. The other options, and `quick`
    and `settings`, as for render(). Here, in `jobs` processes; on a Dask cluster see
    nnviz.run.many.compare_remote.
    """
    lists, options = split(options)
    settings = call_settings(settings, options, quick)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from with the runs' logs, not both"
                         if scene is not None else "give a scene name, or --from OUT/NAME-compare/runs")
    if from_log is not None:
        if lists or any(settings.called(k) for k in ("steps", "every")):
            raise UsageError("--from re-renders saved runs: leave out the lists to compare, "
                             "--steps and --every")
        sources = sources_of(from_log)
        if len(sources) < 2:
            runs.check_set(sources)
        return refreshed(out, render_runs(None, sources, settings, out=out, progress=progress),
                         always=True)
    made, name = compared_scene(scene, settings.look.panels, settings.train, **lists)
    return refreshed(out, render_runs(made, None, for_scene(settings, made, quick), out=out,
                                      progress=progress, jobs=jobs, set_name=name), always=True)


def compared_scene(scene, panels=None, train=None, **lists):
    """The scene of a comparison (nnviz.learn.comparison.scene_for) and its name NAME-compare;
    `train` (a settings.Train) gives its knobs (nnviz.learn.knobs), shared by every run."""
    from ..learn import comparison as comparing
    from ..learn.knobs import apply
    base = scene_of(scene) if train is None else apply(scene_of(scene), train, lists)
    picked = parse_panels(base.name, panels) if panels is not None else None
    return comparing.scene_for(base, picked, **lists)


def compare_training(scene, options: dict):
    """How a comparison's runs train, for a Dask worker that trains one of them: the set's name
    and panels, its runs and each run's training options, by the rule a local compare uses
    (render_runs, runtrain.train_runs). `options`: the lists (COMPARE_TRAINING), and the
    comparison's `settings`."""
    from .runtrain import prepare
    settings = options["settings"]
    made, name = compared_scene(scene, settings.look.panels, settings.train,
                                **{k: options[k] for k in COMPARE_TRAINING if k in options})
    panels = list(made.panels)
    plan = runs.plan(made)
    prepared, train_options = prepare(plan, name, steps=settings.train.steps,
                                      every=settings.train.every,
                                      landscape="landscape" in panels, panels=panels,
                                      theme=settings.look.theme, title=settings.look.title)
    return name, panels, plan, prepared, train_options


# a comparison's options that only its training takes; its settings go to both (the logs
# record theme and title, and the render draws them)
COMPARE_TRAINING = SETTINGS
