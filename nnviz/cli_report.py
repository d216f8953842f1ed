"""What the commands print: a scene in words, a line per file, the summary, and several
scenes rendered at once with one progress bar."""
from __future__ import annotations

import time
from pathlib import Path


import click

from . import console




def human(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000


def report(result, quiet: bool, width: int = 0, write=None) -> None:
    """One line per file, path and size in aligned columns, and what --check verified."""
    if quiet:
        return
    write = write or console.report
    width = max(width, *(len(str(p)) for p in result.files.values()))
    for path in result.files.values():
        write(f"{str(path):<{width}}  {human(path.stat().st_size):>9}")
    from .encode.formats import FORMATS
    videos = [n for n in result.checked if not FORMATS[n].animation]
    images = [n for n in result.checked if FORMATS[n].animation]
    if videos:
        w, h = result.size
        write(f"checked {', '.join(videos)}: each decodes completely to {result.frames} "
              f"frames of {w}x{h} ({result.frames / result.fps:g} s at {result.fps:g} fps)")
    if images:
        write(f"checked {', '.join(images)}: each decodes completely, loops and ends on the "
              f"poster")


def finish_report(results: list, started: float, quiet: bool, index: Path | None = None) -> None:
    """The report's last line: the total time and the page to open (`index`: the gallery of
    several scenes, nnviz.publish.gallery)."""
    if quiet or not results:
        return
    took = f"done in {time.monotonic() - started:.1f} s"
    if len(results) == 1:
        console.report(f"{took}; open {results[0].files['html']}")
    elif index is not None:
        console.report(f"{took}: {len(results)} scenes; open {index}")
    else:
        console.report(f"{took}: {len(results)} scenes; open each NAME.html listed above")


def longest_first(jobs_list: list, cost: dict[str, float]) -> list:
    """The jobs by expected seconds, longest first (stable for equal ones): the last to start
    are the shortest, so no core idles at the end waiting on one long scene
    (`benchmarks/render_speed.py --only all` prints the ratio)."""
    return sorted(jobs_list, key=lambda job: -cost[job.label])


def render_many_here(jobs_list: list, plans: list, workers: int | None, quiet: bool, width: int,
                 scheduler: str | None = None) -> tuple[list, list]:
    """Render several scenes at once, in local processes or on a Dask cluster (nnviz.run.jobs);
    commit them together once all have ended (nnviz.run.jobs.finish), then report each.

    A scene that fails fails alone: the others still render. Returns the results, and the
    failures as (label, error) pairs.
    """
    from contextlib import closing

    from .run.jobs import finish
    from .run.many import run_many
    from .progress import Progress, plan_seconds

    results, failures, made = [], [], []
    cost = {job.label: plan_seconds(p) for job, (_, p) in zip(jobs_list, plans)}
    with closing(run_many(longest_first(jobs_list, cost), workers=workers,
                          scheduler=scheduler)) as outcomes, \
            Progress(f"{len(jobs_list)} scenes", {"rendering": (sum(cost.values()), 1.0)},
                     enabled=not quiet) as bar:
        for job, outcome in outcomes:
            bar(cost[job.label])
            made.append((job, outcome))
    order = {id(job): i for i, job in enumerate(jobs_list)}   # report in the command's order
    made.sort(key=lambda m: order[id(m[0])])
    for job, outcome in finish(made):
        if isinstance(outcome, BaseException):
            failures.append((job.label, outcome))
            continue
        results.append(outcome)
        report(outcome, quiet, width, console.report)
    return results, failures


def details(scene) -> None:
    """What `scene` (a class, or an instance already checked) trains and shows."""
    from .learn.describe import describe
    from .learn.scene_checks import instantiate
    for field, text in describe(instantiate(scene) if isinstance(scene, type) else scene):
        click.echo(f"    {field:<10} {text}")
