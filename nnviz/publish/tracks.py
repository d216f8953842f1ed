"""The words of a video as WebVTT tracks (chapters, descriptions, captions), written with
webvtt-py, and the kinds a page's <track> elements name.

The captions track holds the descriptions' text: browsers show captions, and a viewer can
switch them on. Cue text is made safe for WebVTT whatever it holds: `&`, `<` and `>` escaped
(so no "-->" and no tag), every run of white space one space (so no blank line ends a cue).
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .. import outputs

# kind -> (file suffix after NAME., label on the page)
TRACKS = {
    "chapters": ("chapters.vtt", "Chapters"),
    "descriptions": ("descriptions.vtt", "Descriptions"),
    "captions": ("captions.vtt", "Captions (descriptions)"),
}
SUFFIXES = tuple(suffix for suffix, _ in TRACKS.values())
LANGUAGE_NAMES = {"en": "English"}


def cue_text(text: str) -> str:
    """One line of WebVTT cue text showing `text` as it is."""
    text = " ".join(str(text).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") or "…"


def timestamp(seconds: float) -> str:
    """HH:MM:SS.mmm"""
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def vtt(cues) -> str:
    """A WebVTT file of `cues` (anything with start, end in seconds and text)."""
    from webvtt import Caption, WebVTT
    captions = [Caption(timestamp(c.start), timestamp(c.end), cue_text(c.text),
                        identifier=str(i)) for i, c in enumerate(cues, 1)]
    return WebVTT(captions=captions).content


HAND_LABEL = "Captions"   # the captions track's label when it is the author's own file


class HandCue(NamedTuple):
    start: float
    end: float
    text: str


def track_cues(story, hand=None) -> dict[str, tuple]:
    """The cues of each track kind; `hand`: a hand-written captions track's (start, end, text)
    cues (nnviz.captions.read_track), used instead of the descriptions."""
    captions = story.descriptions if hand is None else tuple(HandCue(*c) for c in hand)
    return {"chapters": story.chapters, "descriptions": story.descriptions,
            "captions": captions}


def write_tracks(paths: dict[str, Path], story, hand=None) -> None:
    """Write each kind's track to `paths[kind]`, our own temporaries (see outputs.rewrite)."""
    for kind, cues in track_cues(story, hand).items():
        with outputs.rewrite(paths[kind], "w", encoding="utf-8") as f:
            f.write(vtt(cues))
