"""What `nnviz render` and `nnviz compare` do once click has parsed their options: one scene,
several at once (longest first, nnviz.cli_report), or a saved log; each with its progress line
and report. Kept apart from nnviz.cli, which declares the commands and their options.
"""
from __future__ import annotations

import time
from pathlib import Path

import click

from . import console, interrupts
from .cli_options import dask_logs, data_scene, settings_from
from .cli_report import finish_report, render_many_here, report
from .errors import NnvizError


def render_scenes(ctx, names, all_, from_log, out, quick, jobs, scheduler, title, quiet,
                  show_options, verbose, knobs) -> None:
    """`nnviz render`: the scenes named (or --all, --data, --from), rendered here or on a
    cluster; a scene that fails among several fails alone, named in one line at the end."""
    if scheduler is not None:
        dask_logs(verbose)
    from .api import render as render_one
    from .run.inputs import for_scene
    from .run.jobs import Job
    from .progress import Progress, render_plan
    from .learn.scene import builtin_scenes, resolve
    from .learn.scene_checks import check_attributes
    from .learn.training import schedule

    if all_ and names:
        raise click.UsageError("give scene names or --all, not both")
    from_log = from_log or None
    if from_log is not None and (names or all_):
        raise click.UsageError("give either a scene name or --from LOG.npz, not both")
    names = tuple(builtin_scenes()) if all_ else names
    made = data_scene(names, knobs, all_ or from_log, scheduler)
    names = (made,) if made is not None else names
    if not names and from_log is None:
        raise click.UsageError("give a scene name, --all or --from LOG.npz")
    if title is not None and len(names) > 1:
        raise click.UsageError("--title names one video; give one scene, or leave --title out")
    settings = settings_from(ctx, quick)
    if show_options:
        one = (resolve(names[0]) if isinstance(names[0], str) else names[0]) if len(names) == 1 else None
        console.report((for_scene(settings, one, quick) if one else settings).show(one))
        return
    started = time.monotonic()
    look, encode = settings.look, settings.encode
    held = int(round(look.fps * look.hold))

    def plan(steps: int, snapshots: int) -> dict:
        return render_plan(steps, snapshots + held, look.size, len(encode.formats), encode.check)

    if from_log and scheduler is not None:
        raise click.UsageError("--scheduler sends scenes to train and render; re-render a log "
                               "with --from here, without --scheduler")
    if from_log:
        from .run.inputs import refuse_training_options
        from .run.several import sources_of
        refuse_training_options(settings)
        logs = sources_of(from_log[0] if len(from_log) == 1 else from_log)
        name = logs[0].meta["scene"]
        with Progress(name, plan(0, len(logs[0])), enabled=not quiet) as bar:
            result = render_one(from_log=logs[0] if len(logs) == 1 else logs, progress=bar,
                                out=out, settings=settings)
        report(result, quiet)
        return finish_report([result], started, quiet)

    jobs_list, plans, failed = [], [], []
    for name in names:
        try:
            scene = resolve(name) if isinstance(name, str) else name
            check_attributes(scene)   # steps and every are read just below
        except NnvizError as e:
            if len(names) == 1:
                raise
            failed.append((name, e))   # with several scenes, a bad one fails alone
            continue
        mine = for_scene(settings, scene, quick)
        n_steps, n_every = mine.train.steps or scene.steps, mine.train.every or scene.every
        jobs_list.append(Job("render", name, {"settings": mine}, out=out,
                             label=name if isinstance(name, str) else scene.name))
        n_runs = len(scene.runs) if isinstance(getattr(scene, "runs", None), dict) else 1
        plans.append((scene.name, plan(n_runs * n_steps, len(schedule(n_steps, n_every)))))
    if len(names) == 1 and scheduler is None:
        with Progress(plans[0][0], plans[0][1], enabled=not quiet) as bar:
            result = render_one(jobs_list[0].scene, progress=bar, out=out, **jobs_list[0].options)
        report(result, quiet)
        return finish_report([result], started, quiet)
    done, index = [], None
    if jobs_list:
        # every file line of every scene in one column: the longest path is OUT/NAME/NAME.webm
        width = max(len(str(Path(out) / n / f"{n}.webm")) for n, _ in plans)
        with interrupts.deferred(False):   # the parent draws nothing: a signal stops it at once
            done, failures = render_many_here(jobs_list, plans, jobs, quiet, width, scheduler)
        failed += failures
        from .publish import gallery
        if done:   # every scene in OUT: failed ones left as they were
            index = gallery.refresh(out, always=len(names) > 1)
    if len(names) == 1 and failed:
        raise failed[0][1]
    if failed:   # one line naming each failure, in command-line order
        from .run.jobs import failures_error
        failed.sort(key=lambda f: names.index(f[0]))
        raise failures_error(failed, len(names))
    finish_report(done, started, quiet, index)



def compare_runs(ctx, name, lr, optimizer, seed, from_log, out, quick, jobs, scheduler, quiet,
                 show_options, verbose, knobs) -> None:
    """`nnviz compare`: scene NAME trained once per setting (lists of --lr, --optimizer, --seed
    and the network knobs), every run in one video; or their saved logs again (--from)."""
    if scheduler is not None:
        dask_logs(verbose)
    from .api import compare as compare_api
    from .run.inputs import for_scene
    from .learn.comparison import make_runs, split
    from .progress import Progress, render_plan
    from .learn.scene import resolve
    from .learn.scene_checks import check_attributes
    from .learn.training import schedule

    lists, _ = split({k: v for k, v in knobs.items() if v is not None})   # the rest: shared
    lists.update({k: v for k, v in (("lr", lr), ("optimizer", optimizer), ("seed", seed))
                  if v is not None})
    settings = settings_from(ctx, quick, tuple(lists))
    if show_options:
        one = resolve(name) if name else None
        console.report((for_scene(settings, one, quick) if one else settings).show(one))
        return
    started = time.monotonic()
    look, encode = settings.look, settings.encode
    plan = lambda steps, snapshots: render_plan(steps, snapshots + int(round(look.fps * look.hold)),
                                                look.size, len(encode.formats), encode.check)
    if from_log:
        if name:
            raise click.UsageError("give either a scene name or --from, not both")
        with Progress("runs", plan(0, 1), enabled=not quiet) as bar:
            result = compare_api(from_log=from_log[0] if len(from_log) == 1 else from_log,
                                  **lists, progress=bar,
                                  scheduler=scheduler, out=out, settings=settings)
        report(result, quiet)
        return finish_report([result], started, quiet)
    if not name:
        raise click.UsageError("give a scene name (see `nnviz list`), or --from OUT/NAME-compare/runs")
    scene = resolve(name)
    check_attributes(scene)
    n_runs = len(make_runs(**lists))
    mine = for_scene(settings, scene, quick)
    n_steps, n_every = mine.train.steps or scene.steps, mine.train.every or scene.every
    with Progress(f"{n_runs} runs of {scene.name}",
                  plan(n_runs * n_steps, len(schedule(n_steps, n_every))), enabled=not quiet) as bar:
        result = compare_api(name, **lists, progress=bar,
                              jobs=jobs, scheduler=scheduler, out=out, settings=mine)
    report(result, quiet)
    finish_report([result], started, quiet)

