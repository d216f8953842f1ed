"""The bottom of nnviz: the defaults and the checks of a render's settings that every layer
shares (frame size, timing, theme names), so a stage never imports one above it to validate.

These checks raise UsageError naming the option; the CLI's click types call the same ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .captions import LANGUAGES, check_captions, check_language  # noqa: F401  (the words')
from .errors import UsageError

MIN_SIZE, MAX_SIZE = (160, 120), (7680, 4320)
SIZE, HOLD = (1280, 720), 1.0
# --quick / quick=True: a smoke render in seconds; options given explicitly win
QUICK = {"size": (320, 240), "snapshots": 24, "hold": 0.5}


def quick_every(steps: int) -> int:
    """The snapshot cadence that gives a quick render about QUICK["snapshots"] frames."""
    return max(1, -(-steps // QUICK["snapshots"]))


FORMAT_NAMES = ("webm", "ogv", "mp4", "gif", "webp")   # nnviz.encode.formats holds what they are
DEFAULT_FORMATS = ("webm", "ogv", "mp4")
MIN_ANIMATION_WIDTH, MIN_ANIMATION_FPS = 16, 0.1
MAX_ANIMATION_WIDTH = 7680   # the widest frame (MAX_SIZE): an image is only scaled down
THEME_NAMES = ("light", "dark")   # nnviz.draw.theme holds their colours
DEFAULT_THEME = "light"


def check_theme(theme, option: str = "--theme") -> str:
    """A theme name from the user (or a log: a stranger's), one of THEMES."""
    if not isinstance(theme, str) or theme not in THEME_NAMES:
        shown = theme if isinstance(theme, str) and len(theme) <= 40 else type(theme).__name__
        raise UsageError(f"{option} must be one of {', '.join(THEME_NAMES)}, got {shown!r}")
    return theme


def check_size(size) -> tuple[int, int]:
    """A frame size from `(w, h)` of whole numbers or the CLI's `"WxH"` text (ASCII digits:
    int() would also take "³²⁰", "1_280" or " 640"), in range and even."""
    if isinstance(size, str):
        w, x, h = size.strip().lower().partition("x")
        if not (x and _digits(w) and _digits(h)):
            raise UsageError(f"--size {size!r} is not WIDTHxHEIGHT (e.g. 1280x720)")
        size = (int(w), int(h))
    try:
        w, h = size
    except (TypeError, ValueError):
        raise UsageError(f"--size must be WIDTHxHEIGHT, e.g. 1280x720, got {size!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (w, h)):
        raise UsageError(f"--size must be two whole numbers (WIDTH, HEIGHT), e.g. (1280, 720), "
                         f"got {size!r}")
    w, h = int(w), int(h)
    if w < MIN_SIZE[0] or h < MIN_SIZE[1]:
        raise UsageError(f"--size {w}x{h} is too small; the smallest is {MIN_SIZE[0]}x{MIN_SIZE[1]}")
    if w > MAX_SIZE[0] or h > MAX_SIZE[1]:
        raise UsageError(f"--size {w}x{h} is too large; the largest is {MAX_SIZE[0]}x{MAX_SIZE[1]}")
    if w % 2 or h % 2:
        raise UsageError(f"--size {w}x{h}: width and height must be even (H.264 needs it), "
                         f"e.g. {w + w % 2}x{h + h % 2}")
    return w, h


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 100


# Frame rates every encoder takes. ffmpeg's mp4 (mov) muxer fails on a frame lasting more than
# about 40,000 s ("Not yet implemented", measured between 2e-5 and 3e-5 fps; webm and ogv go
# lower): 0.001 fps, a frame every 1000 s, keeps a wide margin. 240 is the top of the range.
MIN_FPS, MAX_FPS = 0.001, 240.0


def check_timing(fps, hold) -> tuple[float, float]:
    if (isinstance(fps, bool) or not isinstance(fps, (int, float))
            or not MIN_FPS <= fps <= MAX_FPS):
        raise UsageError(f"--fps must be a number from {MIN_FPS:g} to {MAX_FPS:g} frames per "
                         f"second (what every encoder accepts), got {fps!r}")
    if (isinstance(hold, bool) or not isinstance(hold, (int, float)) or not 0 <= hold <= 600
            or math.copysign(1, hold) < 0):   # -0.0: a sign the user did not mean to give
        raise UsageError(f"--hold must be a number of seconds from 0 to 600, got {hold!r}")
    return float(fps), float(hold)


# --- training

MAX_STEPS = 10 ** 9   # --steps and --every: a billion steps is days of training; far beyond
                      # it, counts of snapshots overflow a C integer (len() of the schedule)
MAX_SEED = 2 ** 32 - 1   # what a run's own seed (nnviz.learn.runs) and `compare --seed` take
# --lr and compare's: on nnviz's standardised data every step beyond a few units diverges;
# a larger number is a typo, refused before training rather than reported as a divergence
MAX_LR = 1e6
MAX_JOBS = 1024   # --jobs: processes at once


def check_count(name: str, value) -> int:
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or not 0 < value <= MAX_STEPS):
        raise UsageError(f"--{name} must be a whole number from 1 to {MAX_STEPS:,}, got {value!r}")
    return int(value)


def check_options(steps, every, seed, lr) -> None:
    check_count("steps", steps)
    check_count("every", every)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    if (isinstance(lr, bool) or not isinstance(lr, (int, float)) or not np.isfinite(lr)
            or not 0 < lr <= MAX_LR):
        raise UsageError(f"--lr must be a positive number (at most {MAX_LR:g}), got {lr!r}")


# --- formats

def check_formats(text) -> tuple[str, ...]:
    """Format names from a comma list or a sequence: known ones, at least one, each once."""
    names = [n.strip() for n in text.split(",")] if isinstance(text, str) else list(text)
    if names and not all(isinstance(n, str) and n.strip() for n in names):
        raise UsageError(f"--formats must be a comma list of format names without empty items, "
                         f"got {text!r}; choose from {', '.join(FORMAT_NAMES)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"--formats names {twice[0]!r} twice; give each format once")
    unknown = [n for n in names if n not in FORMAT_NAMES]
    if unknown or not names:
        raise UsageError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMAT_NAMES)}"
                         if unknown else f"no format given; choose from {', '.join(FORMAT_NAMES)}")
    return tuple(names)


def check_gif_width(width) -> int:
    if isinstance(width, bool) or not isinstance(width, int) \
            or not MIN_ANIMATION_WIDTH <= width <= MAX_ANIMATION_WIDTH:
        raise UsageError(f"--gif-width must be a whole number of pixels from "
                         f"{MIN_ANIMATION_WIDTH} to {MAX_ANIMATION_WIDTH}, got {width!r}")
    return width


def check_gif_fps(fps) -> float:
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) \
            or not MIN_ANIMATION_FPS <= fps <= 100:
        raise UsageError(f"--gif-fps must be a number from {MIN_ANIMATION_FPS:g} to 100 "
                         f"(GIF delays are whole hundredths of a second), got {fps!r}")
    return float(fps)


# --- the one value

@dataclass(frozen=True)
class Train:
    """How the network learns: None for steps, every and lr means the scene's own (and for
    the network and data knobs below, see NETWORK_FIELDS)."""
    steps: int | None = None
    every: int | None = None
    seed: int = 0
    lr: float | None = None
    hidden: tuple[int, ...] | None = None
    activation: str | None = None
    optimizer: str | None = None
    batch: int | None = None
    regularization: str | None = None
    reg_rate: float | None = None
    features: tuple[str, ...] | None = None
    noise: float | None = None
    ratio: float | None = None


@dataclass(frozen=True)
class Look:
    """How the frames look: None for theme, title and panels means the log's (or the scene's)."""
    size: tuple[int, int] = SIZE
    fps: float = 25.0
    hold: float = HOLD
    theme: str | None = None
    title: str | None = None
    panels: tuple[str, ...] | None = None
    language: str = "en"
    captions: str = "none"   # none, burn, or a hand-written WebVTT file (nnviz.captions)


@dataclass(frozen=True)
class Encode:
    """What is written: the formats, the animated images' limits, and whether to decode them."""
    formats: tuple[str, ...] = DEFAULT_FORMATS
    gif_width: int | None = None
    gif_fps: float | None = None
    check: bool = False


def _panels(value) -> tuple[str, ...]:
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names or any(
            not isinstance(n, str) or not n.strip() for n in names):
        raise UsageError(f"--panels must be a comma list of panel names without empty items, "
                         f"got {value!r}")
    return tuple(n.strip() for n in names)   # which panels go together: the scene's rule


def _flag(name):
    def check(value) -> bool:
        if not isinstance(value, bool):
            raise UsageError(f"--{name} must be true or false, got {value!r}")
        return value
    return check


def _number(name, check):
    """A checker for a number that may come as text (a config file's "25")."""
    def run(value):
        if isinstance(value, str):
            from .numbers import plain
            if not plain(value, float):
                raise UsageError(f"--{name} {value!r} is not a number")
            value = float(value)
        return check(value)
    return run


# --- the network and data knobs (TensorFlow Playground's): None is the scene's own

ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "linear", "leaky_relu")
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
# Playground's input features, by their command-line names (ASCII), with the names frames show
FEATURE_NAMES = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
                 "sinx1": "sin x₁", "sinx2": "sin x₂"}
MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH = 8, 64   # a network panel still reads; training stays quick
MAX_REG_RATE, MAX_BATCH = 10.0, 10 ** 7       # Playground's largest rate; a CSV's most rows


def _choice(name, names):
    def check(value):   # one of `names`
        if not isinstance(value, str) or value not in names:
            raise UsageError(f"--{name.replace('_', '-')} must be one of {', '.join(names)}, "
                             f"got {value!r:.40}")
        return value
    return check


def _comma(value, name) -> list:
    items = [t.strip() for t in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or any(isinstance(t, str) and not t for t in items):
        raise UsageError(f"--{name} must be a comma list without empty items, got {value!r:.60}")
    return list(items)


def check_hidden(value) -> tuple[int, ...]:
    """Hidden layer widths: "8,8", [8, 8], or "none" / () for no hidden layer."""
    if isinstance(value, str) and value.strip().lower() == "none" or value in ((), []):
        return ()
    widths = []
    for item in _comma(value, "hidden"):
        item = int(item) if isinstance(item, str) and _digits(item) else item
        if (isinstance(item, bool) or not isinstance(item, (int, np.integer))
                or not 1 <= item <= MAX_HIDDEN_WIDTH):
            raise UsageError(f"--hidden: {item!r:.20} is not a layer width; give whole numbers "
                             f"from 1 to {MAX_HIDDEN_WIDTH}, e.g. --hidden 8,8 (or none)")
        widths.append(int(item))
    if len(widths) > MAX_HIDDEN_LAYERS:
        raise UsageError(f"--hidden gives {len(widths)} layers; at most {MAX_HIDDEN_LAYERS}")
    return tuple(widths)


def check_features(value) -> tuple[str, ...]:
    names = _comma(value, "features")
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if unknown or not names:
        raise UsageError(f"--features: unknown feature {unknown[0] if unknown else ''!r:.20}; "
                         f"choose from {', '.join(FEATURE_NAMES)}")
    if len(set(names)) < len(names):
        raise UsageError(f"--features names {next(n for n in names if names.count(n) > 1)!r} "
                         f"twice; give each feature once")
    return tuple(names)


def _bounded(name, low, high, whole=False):
    def check(value):
        if isinstance(value, str):
            from .numbers import plain
            if not plain(value, int if whole else float):
                raise UsageError(f"--{name} {value!r:.20} is not a number")
            value = int(value) if whole else float(value)
        kinds = (int, np.integer) if whole else (int, float, np.integer, np.floating)
        if (isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value)
                or not low <= value <= high):
            raise UsageError(f"--{name} must be a {'whole ' if whole else ''}number from "
                             f"{low:g} to {high:,g}, got {value!r}".replace("1e+07", "10,000,000"))
        return int(value) if whole else float(value)
    return check


NETWORK_CHECKS = {
    "hidden": check_hidden, "activation": _choice("activation", ACTIVATION_NAMES),
    "optimizer": _choice("optimizer", OPTIMIZER_NAMES),
    "batch": _bounded("batch", 1, MAX_BATCH, whole=True),
    "regularization": _choice("regularization", REGULARIZATIONS),
    "reg_rate": _bounded("reg-rate", 0, MAX_REG_RATE), "features": check_features,
    "noise": _bounded("noise", 0, 1), "ratio": _bounded("ratio", 0.1, 0.9),
}


# every field: its group and the one check of its values (shared by the CLI's click types)
FIELDS = {
    "steps": ("train", lambda v: check_count("steps", v)),
    "every": ("train", lambda v: check_count("every", v)),
    "seed": ("train", lambda v: check_options(1, 1, v, 1) or int(v)),
    "lr": ("train", lambda v: check_options(1, 1, 0, v) or float(v)),
    "size": ("look", check_size),
    "fps": ("look", _number("fps", lambda v: check_timing(v, 0)[0])),
    "hold": ("look", _number("hold", lambda v: check_timing(25, v)[1])),
    "theme": ("look", check_theme),
    "title": ("look", lambda v: _title(v)),
    "panels": ("look", _panels),
    "language": ("look", check_language),
    "captions": ("look", check_captions),
    "formats": ("encode", check_formats),
    "gif_width": ("encode", check_gif_width),
    "gif_fps": ("encode", check_gif_fps),
    "check": ("encode", _flag("check")),
    **{name: ("train", check) for name, check in NETWORK_CHECKS.items()},
}
GROUPS = {"train": Train, "look": Look, "encode": Encode}


def _title(value) -> str:
    from .text import check_title
    return check_title(value)


@dataclass(frozen=True)
class Settings:
    """A render's settings, built once (`build`) from layered sources and passed whole: each
    stage reads the fields it needs. `origin` names the layer each field came from."""
    train: Train = field(default_factory=Train)
    look: Look = field(default_factory=Look)
    encode: Encode = field(default_factory=Encode)
    origin: tuple[tuple[str, str], ...] = ()

    def called(self, name: str) -> bool:
        """Whether `name` was given by the call itself (the command line or the API)."""
        return dict(self.origin).get(name) == "call"

    def show(self, scene=None) -> str:
        """The settings as `group.field = value  (layer)` lines, for --show-options; with a
        scene, what it gives where nothing above it does."""
        origin, rows = dict(self.origin), []
        for name, (group, _) in FIELDS.items():
            value, where = getattr(getattr(self, group), name), origin.get(name, "default")
            if value is None and scene is not None and name in SCENE_FIELDS:
                value, where = getattr(scene, name), "scene"
            shown = ("x".join(map(str, value)) if name == "size"
                     else ",".join(value) if isinstance(value, (tuple, list))
                     else "the scene's" if value is None and group == "train"
                     else "the log's, else the scene's" if value is None and group == "look"
                     else "the format's" if value is None else str(value))
            rows.append((f"{group}.{name}", shown, "given" if where == "call" else where))
        key = max(len(k) for k, _, _ in rows)
        val = max(len(v) for _, v, _ in rows)
        return "\n".join(f"{k:<{key}} = {v:<{val}}  ({w})" for k, v, w in rows)


SCENE_FIELDS = ("steps", "every", "lr", "title", "panels")   # what a scene gives


def build(layers: list[tuple[str, dict]]) -> Settings:
    """Settings from `layers`, lowest precedence first: (layer name, {field: value}); a value
    of None is not given. Every value is checked; an error from a file names the file and the
    field (`nnviz.toml: look.fps: ...`), one from the caller reads as it always did."""
    chosen, origin = {}, {}
    for layer, values in layers:
        for name, value in values.items():
            if value is None:
                continue
            if name not in FIELDS:
                raise UsageError(f"{layer}: unknown setting {name!r}; known: "
                                 f"{', '.join(f'{g}.{n}' for n, (g, _) in FIELDS.items())}")
            group, check = FIELDS[name]
            try:
                chosen[name] = check(value)
            except UsageError as e:
                if layer in ("call", "quick"):
                    raise
                raise UsageError(f"{layer}: {group}.{name}: {str(e).removeprefix(f'--{name} ')}"
                                 ) from None
            origin[name] = layer
    parts = {group: cls(**{n: v for n, v in chosen.items() if FIELDS[n][0] == group})
             for group, cls in GROUPS.items()}
    return Settings(**parts, origin=tuple(sorted(origin.items())))
