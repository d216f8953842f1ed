"""The bottom of nnviz: the defaults and the checks of a render's settings that every layer
shares (frame size, timing, theme names), so a stage never imports one above it to validate.

These checks raise UsageError naming the option; the CLI's click types call the same ones.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import UsageError

MIN_SIZE, MAX_SIZE = (160, 120), (7680, 4320)
SIZE, HOLD = (1280, 720), 1.0
# --quick / quick=True: a smoke render in seconds; options given explicitly win
QUICK = {"size": (320, 240), "snapshots": 24, "hold": 0.5}


def quick_every(steps: int) -> int:
    """The snapshot cadence that gives a quick render about QUICK["snapshots"] frames."""
    return max(1, -(-steps // QUICK["snapshots"]))


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
