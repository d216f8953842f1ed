"""The command line's option types (each checks with the same rule as the API, exit 2 on bad
input) and the option groups several commands share."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .settings import MAX_FPS, MIN_FPS

from . import interrupts
from .errors import UsageError
from .settings import MAX_LR, MAX_SEED, MAX_STEPS




def plain_number(kind, value, param_type, param, ctx):
    """`value` (a string from the command line, or a default) checked to be plain digits
    (nnviz.numbers: not "nan", "inf", "1_000" or Unicode digits)."""
    from .numbers import EXAMPLE, plain
    if isinstance(value, str) and not plain(value, kind):
        what = "integer" if kind is int else "float"
        param_type.fail(f"{value!r} is not a valid {what} ({EXAMPLE[kind]})", param, ctx)
    return value


class Whole(click.IntRange):
    """A whole number in range, in plain digits; "-0" is refused as any negative number is."""

    def convert(self, value, param, ctx):
        number = super().convert(plain_number(int, value, self, param, ctx), param, ctx)
        if isinstance(value, str) and value.startswith("-"):
            self.fail(f"{value} is not in the range {self._describe_range()}", param, ctx)
        return number


class Decimal(click.FloatRange):
    """A finite number in range, in plain digits; "-0" is refused as any negative number is."""

    def convert(self, value, param, ctx):
        number = super().convert(plain_number(float, value, self, param, ctx), param, ctx)
        if isinstance(value, str) and value.startswith("-"):
            self.fail(f"{value} is not in the range {self._describe_range()}", param, ctx)
        return number


class LearningRate(click.ParamType):
    name = "LR"

    def convert(self, value, param, ctx):
        from .numbers import plain
        if isinstance(value, str) and not plain(value, float):
            self.fail(f"{value!r} is not a number (plain digits, e.g. 0.01)", param, ctx)
        lr = float(value)
        if not lr > 0 or lr > MAX_LR:
            self.fail(f"{value} must be a positive number (at most {MAX_LR:g})", param, ctx)
        return lr


class Size(click.ParamType):
    name = "WxH"

    def convert(self, value, param, ctx):
        from .settings import check_size
        try:
            return check_size(value)
        except UsageError as e:   # click names the option already
            self.fail(str(e).removeprefix("--size ").removeprefix("must be "), param, ctx)


class Formats(click.ParamType):
    name = "LIST"

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        from .encode.formats import parse_formats
        try:
            return [f.name for f in parse_formats(value)]
        except UsageError as e:   # click names the option already
            self.fail(str(e).removeprefix("--formats "), param, ctx)


class Title(click.ParamType):
    name = "TEXT"

    def convert(self, value, param, ctx):
        from .text import HINT, title_problem
        why = title_problem(value)
        if why:   # click names the option already
            self.fail(f"the title {why}; {HINT}", param, ctx)
        return value


def look_options(f):
    """--theme and --title: how the frames look (recorded in the log; --from keeps them);
    --lang: the language of the words (chapters, descriptions, transcript); --captions."""
    from .settings import LANGUAGES, THEME_NAMES as THEMES
    f = click.option("--captions", default=None, metavar="none|burn|FILE.vtt",
                     help="burn: draw the descriptions into the frames (a caption strip, in "
                          "GIFs too); FILE.vtt: your own captions track instead of the "
                          "descriptions [default: none].")(f)
    f = click.option("--lang", "language", type=click.Choice(list(LANGUAGES)), default=None,
                     help="The language of the chapters, descriptions and transcript "
                          "[default: en].")(f)
    f = click.option("--title", type=Title(), default=None,
                     help="The header's title instead of the scene's (one line).")(f)
    f = click.option("--theme", type=click.Choice(list(THEMES)), default=None,
                     help="Colours: light (the default) or dark, for slides and projectors; "
                          "with --from, the log's own unless given.")(f)
    return f


def animation_options(f):
    """--gif-width and --gif-fps: the limits of the animated images (gif, webp)."""
    f = click.option("--gif-fps", type=Decimal(min=0.1, max=100), default=None,
                     metavar="FPS", help="GIF and WebP: at most this many frames a second, "
                     "frames dropped evenly, the last kept [default: 15].")(f)
    f = click.option("--gif-width", type=Whole(min=16, max=7680), default=None, metavar="PIXELS",
                     help="GIF and WebP: at most this wide, scaled down [default: 640].")(f)
    return f


def stops_at_safe_points(command):
    """Run a command that draws or trains with signals recorded and acted on between frames
    and steps (see nnviz.interrupts), never raised inside matplotlib's C drawing code."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with interrupts.deferred():
            return command(*args, **kwargs)
    return run


def training_options(f):
    """--steps, --every, --seed, --lr: shared by train and render."""
    f = click.option("--lr", type=LearningRate(), default=None,
                     help="Learning rate (default: the scene's).")(f)
    f = click.option("--seed", type=Whole(min=0, max=MAX_SEED), default=None,
                     help="Seed of the data, the initial weights and the batches [default: 0].")(f)
    f = click.option("--every", type=Whole(min=1, max=MAX_STEPS), default=None,
                     help="A snapshot (one video frame) every N steps (default: the scene's).")(f)
    f = click.option("--steps", type=Whole(min=1, max=MAX_STEPS), default=None,
                     help="Training steps (default: the scene's).")(f)
    return f


class Field(click.ParamType):
    """A settings field's value, checked by its one check (nnviz.settings.FIELDS)."""

    def __init__(self, field: str, metavar: str):
        self.field, self.name = field, metavar

    def convert(self, value, param, ctx):
        from .settings import FIELDS
        try:
            return FIELDS[self.field][1](value)
        except UsageError as e:   # click names the option already
            self.fail(str(e).removeprefix(f"{param.opts[0]} ").removeprefix(f"{param.opts[0]}: "),
                      param, ctx)


def network_options(f, optimizer: bool = True, listed: bool = False):
    """The network and data knobs (nnviz.learn.knobs): TensorFlow Playground's, on any scene.
    `listed` (compare): the knobs of nnviz.learn.comparison.LISTS take text, a list of values
    to compare or one value every run shares, told apart there."""
    from .learn.comparison import LISTS
    from .settings import (ACTIVATION_NAMES, FEATURE_NAMES, MAX_REG_RATE, OPTIMIZER_NAMES,
                           REGULARIZATIONS)
    for name, metavar, text in reversed((
            ("hidden", "LIST", "Hidden layer widths, e.g. 8,8 (none: no hidden layer) "
                               "[default: the scene's]."),
            ("activation", "|".join(ACTIVATION_NAMES), "The hidden layers' activation."),
            *((("optimizer", "|".join(OPTIMIZER_NAMES), "The optimiser."),) if optimizer else ()),
            ("batch", "N", "Mini-batch size [default: the scene's, else sqrt of the training "
                           "set]."),
            ("regularization", "|".join(REGULARIZATIONS), "A penalty on the weights, added to "
                                                          "the loss [default: none]."),
            ("reg_rate", "RATE", f"The penalty's rate, 0 to {MAX_REG_RATE:g} [default: 0.001]."),
            ("features", "LIST", f"Input features of two inputs, from {','.join(FEATURE_NAMES)} "
                                 f"[default: x1,x2]."),
            ("noise", "X", "Noise of a --data or --target dataset, 0 to 1."),
            ("ratio", "X", "Share of the data trained on, 0.1 to 0.9 [default: the scene's, "
                           "0.7]."))):
        if listed and name in LISTS:
            sep = LISTS[name].sep
            f = click.option(f"--{name.replace('_', '-')}", name, multiple=True, callback=once,
                             metavar="LIST", default=None,
                             help=f"{text} Values separated by '{sep}' compare them, e.g. "
                                  f"{LISTS[name].example}.")(f)
            continue
        f = click.option(f"--{name.replace('_', '-')}", name, type=Field(name, metavar),
                         metavar=metavar, default=None, help=text)(f)
    return f


def data_options(f):
    """--data, --target and their companions: a scene of the user's data, no Python needed
    (nnviz.learn.datascene); with them no scene NAME is given."""
    for name, metavar, text in reversed((
            ("data", "SOURCE", "Train on data instead of a scene: circle, xor, gauss, spiral "
                               "(classification), plane, multi-gauss (regression), or a CSV file."),
            ("target", "EXPR", "Train a regression on a formula in x (or x1, x2), e.g. "
                               "\"sin(3*x) + 0.1*x**2\"."),
            ("target_column", "NAME", "The CSV's target column, by its header [default: the last]."),
            ("task", "classification|regression", "What the CSV's target is [default: words "
                                                  "and whole numbers are classes]."),
            ("name", "NAME", "The output folder's and files' name [default: the data's]."))):
        f = click.option(f"--{name.replace('_', '-')}", name, metavar=metavar, default=None,
                         help=text, type=click.Choice(["classification", "regression"])
                         if name == "task" else None)(f)
    return f


DATA_OPTIONS = ("data", "target", "target_column", "task", "name")


def train_scene(name, options: dict):
    """`nnviz train`'s scene (NAME, or the one --data or --target make) and the options left
    for training."""
    made = data_scene((name,) if name else (), options, False, None)
    if made is None and not name:
        raise click.UsageError("give a scene name (see `nnviz list`), or --data SOURCE or "
                               "--target EXPR")
    if made is None:
        from .learn.scene import resolve
        from .learn.scene_checks import instantiate
        made = instantiate(resolve(name))
    return made, {k: v for k, v in options.items() if k not in DATA_OPTIONS}


def data_scene(names, options: dict, other: bool, scheduler):
    """The scene --data or --target make (None without them), refused with a scene NAME,
    --all, --from or --scheduler; the options are the command's (only these are read)."""
    given = {k: options.get(k) for k in DATA_OPTIONS}
    if given["data"] is None and given["target"] is None:
        if any(v is not None for v in given.values()):
            raise click.UsageError("--target-column, --task and --name go with --data or --target")
        return None
    if names or other:
        raise click.UsageError("--data and --target make their own scene: give no scene name, "
                               "--all or --from with them")
    if scheduler is not None:
        raise click.UsageError("--data and --target render here; drop --scheduler")
    from .learn.datascene import DataScene
    return DataScene(**given)


def dask_log_option(f):
    return click.option("-v", "--verbose", is_flag=True,
                        help="With --scheduler: also show Dask's own log messages on stderr "
                             "(hidden otherwise).")(f)


def dask_logs(verbose: bool) -> None:
    """Where Dask's log messages go: nowhere (nnviz's own one line is the whole story), or
    with -v to stderr. Set before Dask is imported: it adds no handler of its own then.
    Dask's warnings and its "Exception ignored" reports follow its log."""
    import logging
    import warnings
    root = logging.getLogger()
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
        root.addHandler(handler)
        return
    root.addHandler(logging.NullHandler())
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", module="(distributed|dask|tornado)")
    sys.unraisablehook = lambda unraisable: logging.getLogger("nnviz.dask").debug(
        "%s: %r", unraisable.err_msg or "Exception ignored in", unraisable.object,
        exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))


def out_option(f):
    return click.option("--out", "out", type=click.Path(path_type=Path), default=Path("output"),
                        show_default=True, help="Root folder; results go to OUT/NAME/.")(f)


def video_options(f):
    """--size, --fps, --hold and --formats: the frames and files of a render or comparison."""
    f = click.option("--formats", type=Formats(), default="webm,ogv,mp4", show_default=True,
                     help="Comma list of formats: webm (VP9), ogv (Theora), mp4 (H.264); also "
                          "gif and webp (animated images for READMEs, see --gif-width, "
                          "--gif-fps).")(f)
    f = click.option("--hold", type=Decimal(min=0, max=600), default=1.0, show_default=True,
                     help="Seconds the final frame is held at the end.")(f)
    f = click.option("--fps", type=Decimal(min=MIN_FPS, max=MAX_FPS), default=25.0,
                     show_default=True,
                     help="Frames per second, from 0.001 to 240 (what every encoder takes); one "
                          "frame per snapshot.")(f)
    return click.option("--size", type=Size(), default="1280x720", show_default=True,
                        help="Frame size in pixels, both even, from 160x120 to 7680x4320.")(f)


def quick_check_options(f):
    """--quick and --check."""
    f = click.option("--check", is_flag=True,
                     help="Decode every video after encoding; keep nothing unless all pass; "
                          "say what was verified.")(f)
    return click.option("--quick", is_flag=True,
                        help="A fast smoke render: 320x240, about 24 snapshots, 0.5 s hold "
                             "(options given explicitly win).")(f)


def given_options(ctx, skip=()) -> dict:
    """The options typed on the command line (not click's defaults, which would hide the
    config file's): the call's layer of the settings."""
    from .settings import FIELDS
    source = click.core.ParameterSource.COMMANDLINE
    return {name: value for name, value in ctx.params.items()
            if name in FIELDS and name not in skip and ctx.get_parameter_source(name) == source}


def settings_from(ctx, quick: bool, skip=()):
    """The one settings value of this command: config file < --quick < the command line."""
    from .run.inputs import settings_of
    return settings_of(given_options(ctx, skip), quick)


def once(ctx, param, values):
    """A list option given once: a second --lr would otherwise silently replace the first."""
    if len(values) > 1:
        raise click.BadParameter(f"given {len(values)} times; give one comma list, e.g. "
                                 f"{param.opts[0]} {','.join(values)}", ctx, param)
    return values[0] if values else None
