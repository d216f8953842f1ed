"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable


from .. import interrupts, outputs
from ..learn import runs
from ..errors import UsageError
from ..settings import (HOLD, MAX_SIZE, MIN_SIZE, QUICK, SIZE, check_size,  # noqa: F401
                       check_timing, quick_every)
from ..learn.scene import Scene
from ..log.snapshots import SnapshotLog
from ..settings import Settings
from ..log.record import train as train_scene
from .folders import commit_train, output_folder, refreshed, refuse_rendered
from ..learn.knobs import apply as apply_knobs
from .inputs import call_settings, for_scene, parse_panels, refuse_training_options, scene_of
from .make import log_copy, make
from .pool import single_threaded_blas
from .result import RenderResult
from .several import render_runs, sources_of

@outputs.final_names()
def train(scene: str | type[Scene] | Scene, out: str | Path = "output", *, steps=None,
          every=None, seed: int = 0, lr=None, progress=None, **knobs) -> SnapshotLog:
    """Train a scene (a name, a path or a Scene) and save its log to OUT/NAME/NAME.npz;
    `knobs` are the network's and data's (hidden, activation...: nnviz.learn.knobs).

    A folder that holds a render is refused (before training and again at the commit): its
    videos were made from the log there, and `nnviz check` must keep passing.
    """
    scene = apply_knobs(scene_of(scene), call_settings(None, knobs, False).train)
    if runs.plan(scene) is not None:
        raise UsageError(f"scene {scene.name!r} holds several runs, which are trained together "
                         f"for one video; run `nnviz render {scene.name}` (their logs go to "
                         f"OUT/{scene.name}/runs/)")
    with output_folder(out, scene.name) as folder, single_threaded_blas():
        outputs.remove_stale(folder, scene.name)
        refuse_rendered(folder, scene.name)
        final = folder / f"{scene.name}.npz"
        tmp = outputs.temporary(final)
        try:
            train_scene(scene, tmp, landscape="landscape" in scene.panels, steps=steps, every=every, seed=seed, lr=lr, progress=progress)
            interrupts.decide()
            commit_train(folder, scene.name, {tmp: final})
        finally:
            tmp.unlink(missing_ok=True)
        return SnapshotLog(final)


@outputs.final_names()
def render(scene=None, *, from_log: str | Path | SnapshotLog | None = None,
           out: str | Path = "output", quick: bool = False, progress: Callable | None = None,
           jobs: int | None = None, settings: Settings | None = None, **options) -> RenderResult:
    """Train `scene` (or read `from_log`) and write videos, poster, log and page to OUT/NAME/.

    The options are the CLI's, by the same names: size ((1280, 720) or "1280x720"), fps (25),
    hold (1 s), formats, steps, every, seed (0), lr, check, panels, theme, title, gif_width,
    gif_fps. They sit above the config file (nnviz.toml or [tool.nnviz] in pyproject.toml);
    `quick=True` is `--quick` (options given win); nnviz.settings checks them all at once, or
    `settings` (a Settings) is taken as it is. Training options with `from_log` are refused.
    Every file is written under a temporary name and renamed only when all of them are done,
    so a failure or an interruption leaves the folder exactly as it was.

    A scene with `runs` (nnviz.learn.runs) makes one video of all its runs: their logs go to
    OUT/NAME/runs/, trained `jobs` at a time (None: one per core). `from_log` may also be
    several logs of one set of runs, or their folder.

    `theme` ("light", the default, or "dark") and `title` (the header's, instead of the
    scene's) are recorded in the log; with `from_log`, None draws the log's own. `formats`
    may add "gif" and "webp" (animated images for READMEs): at most `gif_width` pixels wide
    (640) and `gif_fps` frames a second (15).
    """
    settings = call_settings(settings, options, quick)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from LOG.npz, not both"
                         if scene is not None else "give a scene name or --from LOG.npz")
    panels = settings.look.panels
    if from_log is not None:
        refuse_training_options(settings)
        sources = sources_of(from_log)
        if len(sources) > 1:
            return refreshed(out, render_runs(None, sources, settings, out=out,
                                              progress=progress))
        source = sources[0]
        name = source.meta["scene"]
        if panels is not None:   # a render option: the log on disk keeps what it was made for
            from ..draw.frames import check_panels
            source = copy.copy(source)
            source.meta = dict(source.meta, panels=list(parse_panels(name, panels)))
            check_panels(name, source.meta["panels"], source.names, source.meta)
    else:
        scene, source = apply_knobs(scene_of(scene), settings.train), None
        name = scene.name
        settings = for_scene(settings, scene, quick)
        if panels is not None:
            scene = copy.copy(scene)
            scene.panels = parse_panels(name, panels)
        if runs.plan(scene) is not None:
            return refreshed(out, render_runs(scene, None, settings, out=out, progress=progress,
                                              jobs=jobs))
    with output_folder(out, name) as folder, single_threaded_blas():
        outputs.remove_stale(folder)
        result = _render_in_folder(folder, name, scene, source, settings, progress)
    return refreshed(out, result)


def _render_in_folder(folder, name, scene, source, settings: Settings,
                      progress) -> RenderResult:
    """One run: train `scene` (or copy `source`) into NAME.npz, then draw and encode it."""
    from ..draw.frames import FrameRenderer
    final = {"npz": folder / f"{name}.npz"}
    train, look = settings.train, settings.look

    def produce(temps, tick):
        if source is None:
            from ..draw.frames import check_panels
            temps["npz"] = outputs.temporary(final["npz"])
            log = train_scene(scene, temps["npz"], steps=train.steps, every=train.every,
                              seed=train.seed, lr=train.lr,
                              landscape="landscape" in scene.panels,
                              progress=tick, theme=look.theme, title=look.title,
                              before=lambda arrays: check_panels(name, list(scene.panels), arrays))
        else:
            temps["npz"], log = log_copy(source, final["npz"], name)
        warn_if_diverged(log)
        # --panels with --from: source.meta holds them (the copy read back holds the log's own)
        panels = source.meta["panels"] if source is not None else None
        return (lambda size=look.size, read_at=None: FrameRenderer(
                    log, size, panels, theme=look.theme, title=look.title, read_at=read_at),
                len(log),
                look.title or log.meta["title"], [log])

    from ..learn.training import schedule
    planned = (len(schedule(train.steps or scene.steps, train.every or scene.every))
               if source is None else len(source))
    return make(folder, name, final, produce, (), settings, progress, planned)


def warn_if_diverged(log: SnapshotLog) -> None:
    """One warning (one `Warning: ` line on the command line) for a run whose loss blew up
    (nnviz.learn.divergence); the render goes on: the frames say where it diverged."""
    import warnings
    from ..learn.divergence import diverged_at
    losses = log["loss/train"]
    k = diverged_at(losses)
    if k is None:
        return
    lr = (log.meta.get("options") or {}).get("lr")
    hint = f"; try a smaller learning rate, e.g. --lr {lr / 10:g}" if lr else ""
    warnings.warn(f"{log.meta['scene']}: training diverged at step {int(log['step'][k])} "
                  f"(the training loss went from {losses[0]:.3g} to {losses[k]:.3g}); the frames "
                  f"say so from there on{hint}", stacklevel=2)

