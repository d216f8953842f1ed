"""The `nnviz` command line: list, train, render, check."""
from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path

import click

from . import console, interrupts
from .version import __version__
from .completion import complete_scene
from .cli_report import details
from .cli_options import (Whole, once, settings_from, animation_options, dask_log_option, quick_check_options,
                          video_options, look_options, out_option, stops_at_safe_points,
                          training_options, network_options, data_options, train_scene)
from .errors import Interrupted, NnvizError
from .settings import MAX_JOBS, MAX_STEPS

MAX_ERROR = 1000   # characters of an error line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nnviz")
def cli():
    """Turn the training of a small NumPy neural network into web-ready video.

    \b
    nnviz list                      the scenes you can render (-v: what each trains)
    nnviz show xor_two_classes      one scene's network, optimiser, cadence, panels, data
    nnviz render xor_two_classes    train, draw and encode webm, ogv, mp4, poster and page
    nnviz render ./my_scene.py      your own scene file works wherever a name does
    """


@cli.command("list")
@click.option("-v", "--verbose", is_flag=True,
              help="Also each scene's network, optimiser, learning rate, steps, snapshot "
                   "cadence, panels and data set.")
def list_scenes(verbose):
    """Print each built-in scene's name and what it shows."""
    # printing is this command's whole job: a closed or broken stdout fails it (console.py)
    from .learn.scene import builtin_scenes
    from .text import clean
    registry = builtin_scenes()
    width = max(map(len, registry))
    for name, cls in sorted(registry.items()):
        click.echo(f"{name:<{width}}  {clean(cls.description)}")   # a plug-in's text
        if verbose:
            details(cls)


@cli.command()
@click.argument("name", shell_complete=complete_scene)
@network_options
@click.pass_context
def show(ctx, name, **knobs):
    """Print what scene NAME trains and shows: network, optimiser, learning rate, steps,
    snapshot cadence, panels and data set.

    NAME is a built-in scene (see `nnviz list`) or the path of a .py file defining one.
    """
    from .learn.scene import resolve
    from .learn.scene_checks import instantiate
    from .learn.knobs import apply
    scene = apply(instantiate(resolve(name)), settings_from(ctx, False).train)
    click.echo(f"{scene.name}  {scene.description}")
    details(scene)


@cli.command()
@click.argument("scene_name", metavar="[NAME]", required=False, shell_complete=complete_scene)
@training_options
@network_options
@data_options
@out_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@stops_at_safe_points
def train(scene_name, steps, every, seed, lr, out, quiet, **knobs):
    """Train scene NAME and write its snapshot log to OUT/NAME/NAME.npz.

    NAME is a built-in scene (see `nnviz list`) or the path of a .py file defining one; or
    give --data SOURCE or --target EXPR instead (as for `render`).
    """
    from .api import train as train_one
    from .progress import STEP, Progress
    scene, knobs = train_scene(scene_name, knobs)
    plan = {"training": (steps or scene.steps, STEP)}
    with Progress(scene.name, plan, enabled=not quiet) as progress:
        log = train_one(scene, out, steps=steps, every=every, seed=seed or 0, lr=lr,
                        progress=progress, **knobs)
    if quiet:
        return
    loss_t, loss_v = log["loss/train"][-1], log["loss/val"][-1]
    line = f"{scene.name}: {len(log)} snapshots, final loss train {loss_t:.4g}, validation {loss_v:.4g}"
    if "accuracy/val" in log:
        line += f", validation accuracy {100 * log['accuracy/val'][-1]:.1f} %"
    console.report(line)
    console.report(f"wrote {log.path}")


@cli.command()
@click.argument("names", nargs=-1, metavar="[NAME]...", shell_complete=complete_scene)
@click.option("--all", "all_", is_flag=True, help="Render every built-in scene.")
@click.option("--from", "from_log", type=click.Path(path_type=Path), multiple=True,
              help="Re-render a saved snapshot log (NAME.npz) without training; for several "
                   "runs, their folder OUT/NAME/runs or each of their logs (repeat --from); "
                   "--steps, --every, --seed and --lr are refused with it.")
@out_option
@video_options
@click.option("--panels", default=None, metavar="LIST",
              help="Comma list of panels to draw instead of the scene's, e.g. "
                   "boundary,network,loss (see the README's panel table).")
@training_options
@network_options
@data_options
@quick_check_options
@click.option("--jobs", type=Whole(min=1, max=MAX_JOBS), default=None,
              help="Scenes rendered at once when there are several [default: CPU count].")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Send each scene's training and rendering to the workers of this Dask "
                   "scheduler (tcp://HOST:8786; needs nnviz[cluster]); results come back to OUT.")
@look_options
@animation_options
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--show-options", is_flag=True,
              help="Print the settings this command would use, each with where it came from "
                   "(default, config file, --quick, command line), and stop.")
@dask_log_option
@click.pass_context
@stops_at_safe_points
def render(ctx, names, all_, from_log, out, size, fps, hold, formats, panels, steps, every, seed,
           lr, quick, check, jobs, scheduler, theme, title, language, captions, gif_width, gif_fps,
           quiet, show_options, verbose, **knobs):
    """Train scene NAME, draw it and encode webm, ogv and mp4, a poster and a page.

    Results go to OUT/NAME/: NAME.webm NAME.ogv NAME.mp4 NAME.png (the poster, the exact last
    frame) NAME.npz (the snapshot log) NAME.html (the <video> block to paste). NAME is a
    built-in scene (see `nnviz list`) or a .py file defining one (FILE.py:NAME picks one of
    several); or give --data (a dataset or CSV file) or --target (a formula) instead.
    """
    from .cli_run import render_scenes
    render_scenes(ctx, names, all_, from_log, out, quick, jobs, scheduler, title, quiet,
                  show_options, verbose, knobs)

@cli.command()
@click.argument("name", required=False, shell_complete=complete_scene)
@click.option("--lr", "lr", multiple=True, callback=once, metavar="LIST",
              help="Learning rates to compare, e.g. 0.001,0.01,0.1.")
@click.option("--optimizer", multiple=True, callback=once, metavar="LIST",
              help="Optimizers to compare, e.g. sgd,momentum,adam.")
@click.option("--seed", multiple=True, callback=once, metavar="LIST",
              help="Seeds to compare (data, initial weights, batches), e.g. 0,1,2,3.")
@click.option("--from", "from_log", type=click.Path(path_type=Path), multiple=True,
              help="Re-render saved runs without training: OUT/NAME-compare/runs, or each log.")
@out_option
@video_options
@click.option("--panels", default=None, metavar="LIST",
              help="Comma list of panels instead of the scene's, e.g. fit,landscape,loss.")
@click.option("--steps", type=Whole(min=1, max=MAX_STEPS), default=None,
              help="Training steps (default: the scene's).")
@click.option("--every", type=Whole(min=1, max=MAX_STEPS), default=None,
              help="A snapshot (one video frame) every N steps (default: the scene's).")
@lambda f: network_options(f, optimizer=False, listed=True)
@quick_check_options
@click.option("--jobs", type=Whole(min=1, max=MAX_JOBS), default=None,
              help="Runs trained at once [default: CPU count].")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Train each run and render the video on the workers of a Dask scheduler "
                   "(tcp://HOST:8786; needs nnviz[cluster]); results come back to OUT.")
@look_options
@animation_options
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--show-options", is_flag=True,
              help="Print the settings this command would use, each with where it came from "
                   "(default, config file, --quick, command line), and stop.")
@dask_log_option
@click.pass_context
@stops_at_safe_points
def compare(ctx, name, lr, optimizer, seed, from_log, out, size, fps, hold, formats, panels,
            steps, every, quick, check, jobs, scheduler, theme, title, language, captions, gif_width,
            gif_fps, quiet, show_options, verbose, **knobs):
    """Train scene NAME once per setting and show every run in one video, in lockstep.

    \b
    nnviz compare xor_two_classes --lr 0.003,0.01,0.03
    nnviz compare linear_regression --optimizer sgd,momentum,adam
    nnviz compare xor_two_classes --lr 0.01,0.03 --seed 0,1   (a grid: 4 runs)
    nnviz compare xor_two_classes --activation relu,tanh --hidden "4;8,8"

    Results go to OUT/NAME-compare/: the videos, poster and page as for `render`, and each
    run's log in runs/. Re-render them with --from OUT/NAME-compare/runs.
    """
    from .cli_run import compare_runs
    compare_runs(ctx, name, lr, optimizer, seed, from_log, out, quick, jobs, scheduler, quiet,
                 show_options, verbose, knobs)

@cli.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def check(target, quiet):
    """Decode rendered videos and check them: a folder OUT/NAME, every OUT/NAME in a root
    folder OUT, or one video file.

    For a folder, every video must decode completely, all to the same number of frames and to
    the poster's size, with at least one frame per snapshot, and end on the poster's picture.
    """
    from .encode.check import check_file, check_folder, render_folders
    folders = render_folders(target) if target.is_dir() else [None]
    failed = []
    for folder in folders:
        try:
            results = check_folder(folder) if folder else [check_file(target)]
        except NnvizError as e:
            if len(folders) == 1:
                raise
            failed.append(f"{folder.name}: {str(e).removeprefix('check failed: ')}")
            continue
        if not quiet:
            for path, meta in results:
                console.report(f"ok  {path}  {meta['size'][0]}x{meta['size'][1]}, "
                               f"{meta['presented']} frames, {meta['duration']:g} s, "
                               f"{meta['codec'].rstrip(',')}")
    if failed:
        raise NnvizError(f"check failed in {len(failed)} of {len(folders)} render folders: "
                         + "; ".join(failed))


def main(argv=None) -> None:
    """Run the CLI: every failure is one line on stderr and an exit code, never a traceback.

    A SIGINT or SIGTERM that arrived at any point decides the outcome: exit 130 or 143 with
    one line, whatever error the interruption caused on its way (e.g. ffmpeg stopped).
    """
    console.install()
    interrupts.install()
    message = None
    try:
        code = cli.main(args=argv, prog_name="nnviz", standalone_mode=False)
    except click.ClickException as e:
        hint = ""
        if isinstance(e, click.UsageError) and e.ctx is not None:
            hint = f" (see `{e.ctx.command_path} --help`)"
        message, code = f"{e.format_message()}{hint}", e.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        message, code = str(Interrupted(signal.SIGINT)), 128 + signal.SIGINT
    except NnvizError as e:
        message, code = str(e), e.exit_code
    except console.StdoutError as e:   # a command whose output is its job could not print it
        message, code = f"cannot write to stdout ({e}); its output is lost", 1
    except OSError as e:   # disk full, file-size limit, permissions changed mid-run
        where = f": {e.filename}" if e.filename else ""
        hint = " (is the disk full?)" if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) else ""
        message, code = f"cannot write{where}: {e.strerror or e}{hint}; nothing was changed", 1
    except BaseException:
        if interrupts.pending() is None:
            raise
        code = 1
    signum = interrupts.settle()   # a signal from now on comes too late to change anything
    if signum is not None:
        message, code = str(Interrupted(signum)), 128 + signum
    if message:   # it may quote a scene's or a log's text: never a control character
        from .outputs import as_final
        from .text import clean
        line = as_final(clean(" ".join(message.splitlines())))
        if len(line) > MAX_ERROR:   # a stranger's log can make a message of any length
            line = f"{line[:MAX_ERROR]}... ({len(line) - MAX_ERROR:,} more characters)"
        click.echo(f"Error: {line}", err=True)
    if console.lost_report() and signum is None:   # the work stands; its report went nowhere
        click.echo(f"Warning: the report could not be printed to stdout "
                   f"({console.lost_report()}); the exit status is the command's own", err=True)
    sys.exit(code or 0)
