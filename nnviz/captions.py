"""The words' settings: their language (`--lang`) and `captions`: "none" (the default: the captions track holds the descriptions),
"burn" (the descriptions also drawn into the frames, nnviz.draw.caption) or a hand-written
WebVTT file used as the captions track.

A hand-written file is a stranger's text: it is read here, once, when the settings are built,
so a bad one stops the render before anything is trained or written, in one line naming the
file, the line and the problem. webvtt-py parses it; it skips a cue whose timing it cannot
read and accepts a cue that ends before it starts, so every timing line is checked here too.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import UsageError

LANGUAGES = ("en",)   # the languages the words (nnviz.story.words) are written in
CHOICES = ("none", "burn")
MAX_BYTES = 1_000_000
TIMING = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})[ \t]+-->[ \t]+"
                    r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})(?:[ \t].*)?$")


def check_language(value) -> str:
    if value not in LANGUAGES:
        raise UsageError(f"--lang must be one of {', '.join(LANGUAGES)} (the language of the "
                         f"chapters, descriptions and transcript), got {value!r}")
    return value


def _seconds(h, m, s, ms) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def read_track(path) -> list[tuple[float, float, str]]:
    """The cues (start s, end s, text) of a hand-written WebVTT file, or a UsageError
    `FILE:LINE: problem; fix` (a file that is not WebVTT, a timing that cannot be read, a cue
    that ends before it starts or starts before the one before it, no cue at all)."""
    import webvtt
    path = Path(path)
    where = f"--captions {shown(path)}"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{where}: the file is over {MAX_BYTES:,} bytes; give a WebVTT "
                             f"track of captions")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = "is not UTF-8 text" if isinstance(e, UnicodeDecodeError) else (
            e.strerror or str(e)).lower()
        raise UsageError(f"{where}: cannot read it ({why}); give a WebVTT file") from None
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not re.match(r"^WEBVTT([ \t].*)?$", lines[0]):
        raise UsageError(f"{shown(path)}:1: a WebVTT file starts with the line WEBVTT; add it")
    last, cues = 0.0, []
    for number, line in enumerate(lines, 1):
        if "-->" not in line:
            continue
        m = TIMING.match(line.strip())
        if not m:
            raise UsageError(f"{shown(path)}:{number}: cannot read the timing {line.strip()[:60]!r}; "
                             f"write it as 00:00:01.000 --> 00:00:04.000")
        start, end = _seconds(*m.groups()[:4]), _seconds(*m.groups()[4:])
        if end <= start:
            raise UsageError(f"{shown(path)}:{number}: the cue ends before it starts; give an end "
                             f"after the start")
        if start < last:
            raise UsageError(f"{shown(path)}:{number}: the cue starts before the one above it; put "
                             f"the cues in order")
        last = start
        cues.append((start, end))
    try:
        parsed = webvtt.read(str(path)).captions
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as e:
        raise UsageError(f"{shown(path)}: not valid WebVTT ({e}); fix the file") from None
    if not parsed:
        raise UsageError(f"{shown(path)}: holds no cue; give at least one")
    if len(parsed) != len(cues):
        raise UsageError(f"{shown(path)}: {len(cues)} timing lines but {len(parsed)} cues were read; "
                         f"separate the cues by blank lines")
    from .text import text_problem
    out = []
    for (start, end), caption in zip(cues, parsed):
        why = text_problem(caption.text, lines=True)
        if why:
            raise UsageError(f"{shown(path)}: the cue at {start:g} s {why}; give printable text")
        out.append((start, end, caption.text))
    return out


def check_captions(value) -> str:
    """A `captions` value: none, burn, or a WebVTT file (checked now: see read_track), kept
    as its absolute path."""
    if isinstance(value, Path):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"--captions must be none, burn or a WebVTT file, got {value!r}")
    if value in CHOICES:
        return value
    if not value.lower().endswith(".vtt"):
        raise UsageError(f"--captions {value!r}: give none, burn or a WebVTT file (.vtt)")
    read_track(value)
    return str(Path(value).resolve())


def shown(path) -> str:
    """The track's path as the user likely gave it: settings keep it absolute (a job may run
    elsewhere), and one under the working folder is said relative to it again."""
    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def past_video(path, duration: float) -> None:
    """Refuse a hand-written track with a cue that ends after the video does (checked before
    training from the video's planned length, and after it from the frames made)."""
    for start, end, _ in read_track(path):
        if end > duration + 0.0005:
            raise UsageError(f"--captions {shown(path)}: a cue runs to {end:g} s, past the video's "
                             f"{duration:g} s; end it by then (or render a longer video)")
