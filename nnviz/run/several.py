"""Several runs in one video (a scene with `runs`, or a comparison): their logs trained or
read, drawn in lockstep, committed together."""
from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


from .. import outputs
from ..learn import runs
from ..errors import NnvizError, UsageError
from ..settings import Settings
from ..log.snapshots import SnapshotLog, load
from .folders import output_folder
from .inputs import parse_panels
from .make import log_copy, make
from .pool import single_threaded_blas
from .result import RenderResult

def sources_of(from_log) -> list[SnapshotLog]:
    """`--from`: one log, several logs (runs of one set) or a folder of them (OUT/NAME/runs)."""
    if isinstance(from_log, SnapshotLog):
        return [from_log]
    if isinstance(from_log, (str, os.PathLike)):
        path = Path(from_log)
        if not path.is_dir():
            return [load(path)]
        items = sorted(path.glob("*.npz"))
        if not items:
            raise UsageError(f"--from {path}: the folder holds no snapshot log (.npz); give a "
                             f"log, or the runs folder OUT/NAME/runs of several runs")
        return runs.check_set([load(p) for p in items])
    items = list(from_log)
    logs = [item if isinstance(item, SnapshotLog) else load(item) for item in items]
    return logs if len(logs) == 1 else runs.check_set(logs)


def render_runs(scene, sources, settings: Settings, *, out, progress=None, jobs=None,
                set_name=None) -> RenderResult:
    """Several runs in one video: train them (or copy `sources`, one set's logs in order) into
    OUT/SET/runs/FILE.npz, draw them in lockstep, and commit logs, videos, poster and page at
    once. SET is the scene's name, or `set_name` (nnviz compare: NAME-compare)."""
    from ..draw.runframes import RunsRenderer
    from .runtrain import train_runs
    train, look = settings.train, settings.look
    if scene is not None:
        plan = runs.plan(scene)
        name = set_name or scene.name
        scene_name, chosen_panels = scene.name, list(scene.panels)
        if train.lr is not None and any("lr" in r.overrides for r in plan):
            raise UsageError(f"scene {scene.name!r}: its runs differ in lr, so --lr would make "
                             f"them the same; leave --lr out")
        labels = [(r.label, r.file) for r in plan]
    else:
        name = sources[0].meta["run"]["set"]
        scene_name = sources[0].meta["scene"]
        chosen_panels = (list(parse_panels(scene_name, look.panels)) if look.panels is not None
                         else list(sources[0].meta["panels"]))
        labels = [(s.meta["run"]["label"], runs.file_name(s.meta["run"]["label"]))
                  for s in sources]
    runs.check_panels(name, chosen_panels)
    with output_folder(out, name) as folder, single_threaded_blas():
        outputs.remove_stale(folder)
        run_dir = folder / runs.RUNS_FOLDER
        if os.path.lexists(run_dir) and not run_dir.is_dir() or run_dir.is_symlink():
            raise NnvizError(f"{run_dir} is not a folder nnviz made; move it away and run again "
                             f"(nothing was changed)")
        made = not run_dir.exists()
        run_dir.mkdir(exist_ok=True)
        try:
            for _, file in labels:
                outputs.remove_stale(run_dir, file[:-len(".npz")])
            finals = {f"runs/{file}": run_dir / file for _, file in labels}
            stale = [p for p in run_dir.iterdir() if p.suffix == ".npz"]

            def produce(temps, tick):
                keys = list(finals)
                if scene is not None:
                    for key in keys:
                        temps[key] = outputs.temporary(finals[key])
                    logs = train_runs(plan, [temps[k] for k in keys], name, steps=train.steps,
                                      every=train.every, seed=train.seed, lr=train.lr,
                                      jobs=jobs, landscape="landscape" in chosen_panels,
                                      panels=chosen_panels, progress=tick, theme=look.theme,
                                      title=look.title)
                else:
                    logs = []
                    for key, source in zip(keys, sources):
                        temps[key], log = log_copy(source, finals[key], scene_name)
                        logs.append(log)
                return (lambda size=look.size, read_at=None: RunsRenderer(
                            logs, size, chosen_panels, look.theme, look.title, read_at),
                        len(logs[0]), look.title or logs[0].meta["title"], logs)

            from ..learn.training import schedule
            planned = (None if scene is not None and any(
                {"steps", "every"} & set(r.overrides) for r in plan) else
                len(schedule(train.steps or scene.steps, train.every or scene.every))
                if scene is not None else len(sources[0]))
            return make(folder, name, finals, produce, stale, settings, progress, planned)
        except BaseException:
            if made:
                with suppress(OSError):
                    run_dir.rmdir()
            raise
