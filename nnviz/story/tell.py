"""A log's story as timed words: chapters (3 to 8 titled sections covering the whole video) and
descriptions (every few seconds, one or two plain sentences about the frames on screen).

Timing is the render's: frame i shows snapshot i at `fps`, and the frames after the last
snapshot (the hold) show it still. A cue starts on a frame boundary, and every figure it states
is the log's value at the snapshot of its first frame, formatted by `figures`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import moments as found
from .words import DEFAULT, templates

TICK = 4.0       # seconds between descriptions, about
MIN_CUE = 0.6    # seconds: no cue shorter than this, unless the video is
MAX_CHAPTERS = 8
MIN_CHAPTERS = 3
# which moments make chapters first when there is no room for all
PRIORITY = ("all_right", "overfitting", "diverging", "drop", "descent", "plateau", "converged",
            "end")


@dataclass(frozen=True)
class Cue:
    start: float    # seconds
    end: float
    text: str
    frame: int      # the first frame it is shown with
    snapshot: int   # the snapshot on screen at that frame


@dataclass(frozen=True)
class Story:
    chapters: tuple[Cue, ...]
    descriptions: tuple[Cue, ...]
    language: str
    duration: float


def loss_text(value: float) -> str:
    """A loss as the words print it: three significant digits."""
    return f"{float(value):.3g}"


def figures(series: dict, i: int) -> dict[str, str]:
    """The figures of snapshot `i`, as text, for the templates."""
    out = {"step": str(int(series["step"][i])), "loss": loss_text(series["loss"][i]),
           "val_loss": loss_text(series["val_loss"][i])}
    if series.get("accuracy") is not None:
        total = series["total"]
        out.update(right=str(int(round(float(series["accuracy"][i]) * total))), total=str(total))
    return out


def series_of(log) -> dict:
    """The series the story is told from, read from a snapshot log (nnviz.log.snapshots)."""
    accuracy = log["accuracy/train"] if "accuracy/train" in log else None
    return {"step": np.asarray(log["step"]), "loss": np.asarray(log["loss/train"], float),
            "val_loss": np.asarray(log["loss/val"], float),
            "accuracy": None if accuracy is None else np.asarray(accuracy, float),
            "total": int(log["data/x_train"].shape[0]) if accuracy is not None else 0}


def _pick(candidates: list[tuple[int, object]], total: int, gap: int, limit: int):
    """Candidates (frame, item) in priority order, kept when at least `gap` frames from every
    kept one and from the end; frame 0 is always kept first."""
    kept = {}
    for frame, item in candidates:
        if len(kept) >= limit:
            break
        if frame == 0 and 0 not in kept:
            kept[0] = item
        elif all(abs(frame - k) >= gap for k in kept) and total - frame >= gap:
            kept[frame] = item
    return dict(sorted(kept.items()))


def _cues(kept: dict[int, str], snapshots: dict[int, int], total: int, fps: float):
    frames = sorted(kept)
    ends = frames[1:] + [total]
    return tuple(Cue(f / fps, e / fps, kept[f], f, snapshots[f]) for f, e in zip(frames, ends))


def chapters(series, marks, n, total, fps, words) -> tuple[Cue, ...]:
    gap = max(1, int(round(MIN_CUE * fps)), total // 20)
    rank = {kind: r for r, kind in enumerate(PRIORITY)}
    candidates = [(0, "start")] + sorted(((m.index, m.kind) for m in marks if m.kind != "start"),
                                         key=lambda c: rank.get(c[1], len(rank)))
    kept = _pick(candidates, total, gap, MAX_CHAPTERS)
    while len(kept) < MIN_CHAPTERS:   # too few moments: split the longest section in two
        bounds = sorted(kept) + [total]
        length, first = max((b - a, a) for a, b in zip(bounds, bounds[1:]))
        if length < 2:
            break
        kept[first + length // 2] = "learning"
        kept = dict(sorted(kept.items()))
    snap = {f: min(f, n - 1) for f in kept}
    texts = {f: words[f"chapter.{kind}"].format(**figures(series, snap[f]))
             for f, kind in kept.items()}
    return _cues(texts, snap, total, fps)


def descriptions(series, marks, n, total, fps, words) -> tuple[Cue, ...]:
    gap = max(1, int(round(MIN_CUE * fps)))
    tick = max(gap, int(round(TICK * fps)))
    rank = {kind: r for r, kind in enumerate(PRIORITY)}
    candidates = [(0, "start")]
    candidates += sorted(((m.index, m.kind) for m in marks if m.kind != "start"),
                         key=lambda c: rank.get(c[1], len(rank)))
    candidates += [(f, None) for f in range(tick, total, tick)]
    if total > n:
        candidates.append((n, "final"))
    kept = _pick(candidates, total, gap, total)
    phase = found.phases(marks, n)
    status = words["status.classification" if series.get("accuracy") is not None
                   else "status.regression"]
    said, texts, snap = set(), {}, {}
    for f in kept:
        s = snap[f] = min(f, n - 1)
        due = [m for m in marks if m.index <= s and m not in said]
        said.update(due)
        if f >= n:
            first = words["phase.final"]
        elif due:
            now = [m for m in due if m.index == s]
            first = words[f"moment.{(now or sorted(due, key=lambda m: rank.get(m.kind, 99)))[0].kind}"]
        else:
            first = words[f"phase.{phase[s]}"]
        texts[f] = f"{first} {status.format(**figures(series, s))}"
    return _cues(texts, snap, total, fps)


def tell(series: dict, fps: float, total: int, language: str = DEFAULT) -> Story:
    """The story of a log's series (see `series_of`) rendered at `fps` as `total` frames: one
    per snapshot, then the last one held."""
    words = templates(language)
    n = len(series["loss"])
    total = max(int(total), n)
    marks = found.find(series["loss"], series["val_loss"], series.get("accuracy"))
    return Story(chapters(series, marks, n, total, fps, words),
                 descriptions(series, marks, n, total, fps, words), language, total / fps)


def tell_log(log, fps: float, total: int, language: str = DEFAULT) -> Story:
    """The story of a snapshot log rendered at `fps` as `total` frames."""
    return tell(series_of(log), fps, total, language)
