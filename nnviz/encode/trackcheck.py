"""The words' tracks of a render folder, checked for `nnviz check` (nnviz.encode.check): the
three WebVTT files nnviz.publish.tracks writes beside the videos."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import CheckError


# the words' tracks a render writes beside its videos (nnviz.publish.tracks, nnviz.story)
TRACK_SUFFIXES = ("chapters.vtt", "descriptions.vtt", "captions.vtt")


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_cues(path) -> list[tuple[float, float, str]]:
    """A WebVTT file's cues as (start s, end s, text), read with webvtt-py."""
    import webvtt
    return [(_seconds(c.start), _seconds(c.end), c.text) for c in webvtt.read(str(path)).captions]


def check_tracks(folder: Path, name: str, duration: float) -> None:
    """A render's WebVTT tracks, if it has them: all three, each valid WebVTT (webvtt-py), its
    cues in order inside the video, the captions the descriptions' text, and every description
    in the page's transcript. A render made before the words has none, and passes."""
    import html

    import webvtt
    paths = [folder / f"{name}.{suffix}" for suffix in TRACK_SUFFIXES]
    present = [p for p in paths if p.exists()]
    if not present:
        return
    if len(present) < len(paths):
        missing = ", ".join(p.name for p in paths if not p.exists())
        raise CheckError(f"check failed: {folder} lacks {missing}; render it again")
    cues = {}
    for path in paths:
        if not path.is_file():
            raise CheckError(f"check failed: {path.name} is not a file nnviz wrote; render it again")
        try:
            cues[path] = read_cues(path)
        except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError,
                UnicodeDecodeError, ValueError) as e:
            raise CheckError(f"check failed: {path.name} is not valid WebVTT ({e}); render "
                             f"it again") from None
        if not cues[path]:
            raise CheckError(f"check failed: {path.name} holds no cue; render it again")
        ends = [end for _, end, _ in cues[path]]
        starts = [start for start, _, _ in cues[path]]
        if starts != sorted(starts) or any(a > end for a, end, _ in cues[path]):
            raise CheckError(f"check failed: {path.name} has cues out of order; render it "
                             f"again")
        if max(ends) > duration + 0.011:   # WebVTT times are whole milliseconds
            raise CheckError(f"check failed: {path.name} runs to {max(ends):g} s, past the "
                             f"video's {duration:g} s; render it again")
    chapters, descriptions, captions = (cues[p] for p in paths)
    page = folder / f"{name}.html"
    # the captions are the descriptions, unless the page names them the author's own
    # (--captions FILE.vtt: its <track kind="captions"> is labelled "Captions, LANGUAGE")
    hand = page.is_file() and re.search(r'<track kind="captions" [^>]*label="Captions,',
                                        page.read_text(encoding="utf-8", errors="replace"))
    if not hand and [c[2] for c in captions] != [c[2] for c in descriptions]:
        raise CheckError(f"check failed: {paths[2].name} does not hold the descriptions' text; "
                         f"render it again")
    if page.is_file():
        text = page.read_text(encoding="utf-8", errors="replace")
        for _, _, words in descriptions:
            if not any(v in text for v in (words, html.escape(words),
                                           html.escape(words, quote=False))):
                raise CheckError(f"check failed: {page.name}'s transcript lacks the "
                                 f"description {words[:60]!r}; render it again")
