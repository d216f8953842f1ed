"""The `nnviz` command line: list, train, render, check."""
from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from . import __version__
from .errors import Interrupted, NnvizError, UsageError


class LearningRate(click.ParamType):
    name = "LR"

    def convert(self, value, param, ctx):
        try:
            lr = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not lr > 0 or lr == float("inf"):
            self.fail(f"{value} must be a positive number", param, ctx)
        return lr


def training_options(f):
    """--steps, --every, --seed, --lr: shared by train and render."""
    f = click.option("--lr", type=LearningRate(), default=None,
                     help="Learning rate (default: the scene's).")(f)
    f = click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Seed of the data, the initial weights and the batches.")(f)
    f = click.option("--every", type=click.IntRange(min=1), default=None,
                     help="A snapshot (one video frame) every N steps (default: the scene's).")(f)
    f = click.option("--steps", type=click.IntRange(min=1), default=None,
                     help="Training steps (default: the scene's).")(f)
    return f


def out_option(f):
    return click.option("--out", "out", type=click.Path(path_type=Path), default=Path("output"),
                        show_default=True, help="Root folder; results go to OUT/NAME/.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nnviz")
def cli():
    """Turn the training of a small NumPy neural network into web-ready video.

    \b
    nnviz list                      the scenes you can render
    nnviz render xor_two_classes    train, draw and encode webm, ogv, mp4, poster and page
    nnviz render ./my_scene.py      your own scene file works wherever a name does
    """


@cli.command("list")
def list_scenes():
    """Print each built-in scene's name and what it shows."""
    from .scene import builtin_scenes
    registry = builtin_scenes()
    width = max(map(len, registry))
    for name, cls in sorted(registry.items()):
        click.echo(f"{name:<{width}}  {cls.description}")


@cli.command()
@click.argument("name")
@training_options
@out_option
def train(name, steps, every, seed, lr, out):
    """Train scene NAME and write its snapshot log to OUT/NAME/NAME.npz.

    NAME is a built-in scene (see `nnviz list`) or the path of a .py file defining one.
    """
    from .api import prepare_folder, train_scene
    from .progress import Progress
    from .scene import resolve
    scene = resolve(name)()
    folder = prepare_folder(out, scene.name)
    total = steps or scene.steps
    with Progress(total, f"training {scene.name}") as progress:
        log = train_scene(scene, folder / f"{scene.name}.npz", steps=steps, every=every,
                          seed=seed, lr=lr, progress=progress)
    loss_t, loss_v = log["loss/train"][-1], log["loss/val"][-1]
    line = f"{scene.name}: {len(log)} snapshots, final loss train {loss_t:.4g}, validation {loss_v:.4g}"
    if "accuracy/val" in log:
        line += f", validation accuracy {100 * log['accuracy/val'][-1]:.1f} %"
    click.echo(line)
    click.echo(f"wrote {log.path}")


def _on_sigterm(signum, frame):
    raise Interrupted(signum)


def main(argv=None) -> None:
    """Run the CLI: every failure is one line on stderr and an exit code, never a traceback."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = cli.main(args=argv, prog_name="nnviz", standalone_mode=False)
    except click.ClickException as e:
        hint = ""
        if isinstance(e, click.UsageError) and e.ctx is not None:
            hint = f" (see `{e.ctx.command_path} --help`)"
        click.echo(f"Error: {e.format_message()}{hint}", err=True)
        code = e.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo(f"Error: {Interrupted(signal.SIGINT)}", err=True)
        code = 128 + signal.SIGINT
    except NnvizError as e:
        click.echo(f"Error: {e}", err=True)
        code = e.exit_code
    sys.exit(code or 0)
