"""A log's story as timed words: chapters (3 to 8 titled sections covering the whole video) and
descriptions (every few seconds, one or two plain sentences about the frames on screen).

Timing is the render's: frame i shows snapshot i at `fps`, and the frames after the last
snapshot (the hold) show it still. A cue starts on a frame boundary, and every figure it states
is the log's value at the snapshot of its first frame, formatted by `figures`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import facts
from . import moments as found
from .words import DEFAULT, templates

TICK = 4.0       # seconds between descriptions, about
MIN_CUE = 0.6    # seconds: no cue shorter than this, unless the video is
MAX_CHAPTERS = 8
MIN_CHAPTERS = 3
# which moments make chapters first when there is no room for all
PRIORITY = ("all_right", "minimum", "overfitting", "diverging", "dead", "saturated", "drop",
            "descent", "plateau", "converged", "slow", "end")
MINUS = "\u2212"


@dataclass(frozen=True)
class Cue:
    start: float    # seconds
    end: float
    text: str
    frame: int      # the first frame it is shown with
    snapshot: int   # the snapshot on screen at that frame
    lead: str = ""  # its words without the figures (a burned-in caption: the header has them)


@dataclass(frozen=True)
class Story:
    chapters: tuple[Cue, ...]
    descriptions: tuple[Cue, ...]
    language: str
    duration: float


def loss_text(value: float) -> str:
    """A loss as the words print it: three significant digits (as the header does)."""
    return f"{float(value):.3g}"


def signed(value: float) -> str:
    """3 significant digits with a real minus sign and no negative zero."""
    text = f"{float(value):.3g}"
    return "0" if float(text) == 0 else text.replace("-", MINUS)


def line_text(slope: float, intercept: float) -> str:
    """"4.07x − 2.15": a line in the data's units, as the neuron panel prints it."""
    b = f"{abs(float(intercept)):.3g}"
    if float(b) == 0:
        return f"{signed(slope)}x"
    return f"{signed(slope)}x {MINUS if intercept < 0 else '+'} {b}"


def figures(series: dict, i: int) -> dict[str, str]:
    """The figures of snapshot `i`, as text, for the templates."""
    out = {"step": str(int(series["step"][i])), "loss": loss_text(series["loss"][i]),
           "val_loss": loss_text(series["val_loss"][i]), "unit": series.get("unit", "loss")}
    if series.get("accuracy") is not None:
        total = series["total"]
        out.update(right=str(int(round(float(series["accuracy"][i]) * total))), total=str(total))
    if series.get("line") is not None:
        out["line"] = line_text(*series["line"][i])
    if series.get("minimum") is not None:
        out["best_line"] = line_text(*series["minimum"][0])
    hidden = series.get("hidden")
    if hidden is not None:
        out.update(units=str(hidden["units"]), flat=hidden["flat"] or "",
                   where=words_where(hidden["layers"]))
        for kind in ("dead", "saturated"):
            if hidden[kind] is not None:
                out[kind] = str(int(hidden[kind][i]))
    return out


def words_where(layers: int) -> str:
    """Which units the counts are of: the hidden ones, or the first hidden layer's."""
    return "hidden units" if layers == 1 else "units in the first hidden layer"


def series_of(log) -> dict:
    """The series the story is told from, read from a snapshot log (nnviz.log.snapshots):
    the losses in the frames' unit (nnviz.story.facts), and the log's other facts."""
    accuracy = log["accuracy/train"] if "accuracy/train" in log else None
    known = facts.of_log(log)
    factor = known["factor"]
    words = log.meta.get("words") or {}
    return {"step": np.asarray(log["step"]),
            "loss": np.asarray(log["loss/train"], float) * factor,
            "val_loss": np.asarray(log["loss/val"], float) * factor,
            "accuracy": None if accuracy is None else np.asarray(accuracy, float),
            "total": int(log["data/x_train"].shape[0]) if accuracy is not None else 0,
            "unit": known["loss_unit"], "factor": factor,
            "line": known["line"], "minimum": known["minimum"],
            "hidden": known["hidden"], "words": words,
            "label": (log.meta.get("run") or {}).get("label"),
            "boundary": "boundary" in (log.meta.get("panels") or ()),
            "overrides": (log.meta.get("run") or {}).get("overrides")}


def pick(candidates: list[tuple[int, object]], total: int, gap: int, limit: int):
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


def cues(kept: dict[int, str], snapshots: dict[int, int], total: int, fps: float,
         leads: dict[int, str] | None = None):
    frames = sorted(kept)
    ends = frames[1:] + [total]
    leads = leads or {}
    return tuple(Cue(f / fps, e / fps, kept[f], f, snapshots[f], leads.get(f, kept[f]))
                 for f, e in zip(frames, ends))


def chapter_frames(marks, total: int, fps: float, rank: dict) -> dict[int, object]:
    """The frames chapters start at: 3 to 8, the most telling moments first (`rank`), the
    longest section split when there are too few."""
    gap = max(1, int(round(MIN_CUE * fps)), total // 20)
    candidates = [(0, None)] + sorted(((m.index, m) for m in marks if m.kind != "start"),
                                      key=lambda c: rank.get(c[1].kind, len(rank)))
    kept = pick(candidates, total, gap, MAX_CHAPTERS)
    while len(kept) < MIN_CHAPTERS:   # too few moments: split the longest section in two
        bounds = sorted(kept) + [total]
        length, first = max((b - a, a) for a, b in zip(bounds, bounds[1:]))
        if length < 2:
            break
        kept[first + length // 2] = "learning"
        kept = dict(sorted(kept.items()))
    return kept


def description_frames(marks, n: int, total: int, fps: float, rank: dict, extra=(),
                       holds=lambda m, s: False):
    """The frames descriptions start at (about every TICK s, and at every moment and every
    `extra` frame), each with what is said there: a list of moments due, an extra item, or
    "final" (the held frames after the last snapshot). A moment is told while it is on
    screen, or later while `holds(moment, snapshot)` (a state such as dead units that lasts)."""
    gap = max(1, int(round(MIN_CUE * fps)))
    tick = max(gap, int(round(TICK * fps)))
    candidates = [(0, None)] + [(f, ("extra", item)) for f, item in extra]
    candidates += sorted(((m.index, m) for m in marks if m.kind != "start"),
                         key=lambda c: rank.get(c[1].kind, len(rank)))
    candidates += [(f, None) for f in range(tick, total, tick)]
    kept = pick(candidates, total, gap, total)
    if total > n:   # the final result is always told, over the held frames, however short
        kept = {f: item for f, item in kept.items() if f == 0 or f <= n - gap}
        kept[n] = "final"
    said, out = set(), {}
    for f, item in kept.items():
        s = min(f, n - 1)
        # a moment is told while it is on screen: within `gap` frames of it, never later
        due = [m for m in marks if m.index <= s and m not in said
               and (s - gap < m.index or holds(m, s))] if f < n else []
        said.update(m for m in marks if m.index <= s)
        due.sort(key=lambda m: (m.index != s, m.index, rank.get(m.kind, 99)))
        out[f] = ("final" if item == "final" else item if isinstance(item, tuple) else due)
    return out


def tell(series: dict, fps: float, total: int, language: str = DEFAULT) -> Story:
    """The story of a log's series (see `series_of`) rendered at `fps` as `total` frames: one
    per snapshot, then the last one held."""
    words = templates(language)
    n = len(series["loss"])
    total = max(int(total), n)
    marks = found.find(series["loss"], series["val_loss"], series.get("accuracy"),
                       series["step"])
    marks = sorted(marks + found.from_facts(series), key=lambda m: (m.index, m.kind != "start",
                                                                   m.kind == "end"))
    rank = {kind: r for r, kind in enumerate(PRIORITY)}
    own = scene_words(series)

    def moment(m, figs):
        if m.kind in own["events"]:
            return own["events"][m.kind]
        key = f"moment.{m.kind}"
        if m.kind in ("dead", "saturated") and figs.get(m.kind) == "1":
            key += "_one"
        if m.kind == "all_right" and not series.get("boundary"):   # no boundary drawn
            key += "_plain"
        return words[key].format(**figs)

    phase = found.phases(marks, n)
    chapter_texts, chapter_snaps, before = {}, {}, None
    for f, item in chapter_frames(marks, total, fps, rank).items():
        s = chapter_snaps[f] = min(f, n - 1)
        kind = "start" if f == 0 else item if isinstance(item, str) else item.kind
        key = f"chapter.{kind}"
        if kind == "learning":   # a filler: what the loss does there, unless the chapter
            # before is in the same phase (it said so): then where the loss is
            same = before is not None and phase[before] == phase[s]
            key = "chapter.phase.again" if same else f"chapter.phase.{phase[s]}"
        chapter_texts[f] = words[key].format(**figures(series, s))
        before = s
    status = words["status.classification" if series.get("accuracy") is not None
                   else "status.regression"]
    texts, snaps, leads = {}, {}, {}
    extra = [(min(i, total - 1), text) for i, text in own["steps"]]
    timed = description_frames(marks, n, total, fps, rank, extra,
                               lambda m, s: holds(series, m.kind, s))
    late = {}   # a scene's sentence with no room for a cue of its own joins the next one
    for at, text in extra:
        if timed.get(at) != ("extra", text):
            after = [f for f in timed if f >= at]
            late.setdefault(min(after) if after else max(timed), []).append(text)
    untold = inside(marks, timed, n)
    for f, what in timed.items():
        s = snaps[f] = min(f, n - 1)
        figs = figures(series, s)
        if what == "final":
            first = words["phase.final_failed" if failed(series) else "phase.final"]
        elif isinstance(what, tuple):
            first = what[1]
        elif what:
            first = " ".join(moment(m, figs) for m in sorted(what[:2], key=lambda m: m.index))
        elif f == 0:
            first = moment(found.Moment("start", 0), figs)
        else:
            first = words[f"phase.{phase[s]}"]
        soon = [own["events"].get(m.kind) or words[f"soon.{m.kind}"] for m in untold.get(f, ())]
        leads[f] = " ".join([*late.get(f, []), first, *soon])
        text = f"{leads[f]} {status.format(**figs)}"
        if "line" in figs:
            text += " " + words["status.line"].format(**figs)
        texts[f] = text
    return Story(cues(chapter_texts, chapter_snaps, total, fps),
                 cues(texts, snaps, total, fps, leads), language, total / fps)


def inside(marks, timed: dict, n: int) -> dict[int, list]:
    """The moments (a fast descent, a drop, a plateau) that happen while a cue is shown but
    are told by none (too soon after its start for a cue of their own), by cue frame: the
    frames show them, so the words say they come ("Then the loss falls fast.")."""
    told = {m for what in timed.values() if isinstance(what, list) for m in what}
    frames = sorted(timed)
    out = {}
    for f, after in zip(frames, frames[1:] + [n]):
        out[f] = [m for m in marks if m.kind in ("descent", "drop", "plateau")
                  and m not in told and min(f, n - 1) < m.index < min(after, n)][:1]
    return out


def failed(series: dict) -> bool:
    """Whether the run did not learn: a classifier ending with under 90 % of its training
    points right, or a loss that barely fell (ending above 80 % of its start)."""
    if series.get("accuracy") is not None:
        return float(series["accuracy"][-1]) < 0.9
    loss = np.asarray(series["loss"], float)
    return bool(loss[-1] > 0.8 * loss[0])


def holds(series: dict, kind: str, s: int) -> bool:
    """Whether the state a moment announced still holds at snapshot `s` (so it may be told a
    little later, when the moment itself had no room for a cue of its own)."""
    hidden = series.get("hidden") or {}
    if kind in ("dead", "saturated") and hidden.get(kind) is not None:
        return bool(hidden[kind][s] > 0)
    if kind in ("all_right", "all_right_brief") and series.get("accuracy") is not None:
        return bool(series["accuracy"][s] >= 1.0)
    return False


def scene_words(series: dict) -> dict:
    """A scene's own words (Scene.words, recorded in its log's meta "words"): sentences that
    replace a moment's ({"events": {kind: text}}), and sentences said at steps ({"steps":
    [(snapshot, text)]}, at the first snapshot at or after the step)."""
    given = series.get("words") or {}
    events, steps = {}, []
    step = np.asarray(series["step"])
    for key, text in given.items():
        if str(key).isdigit():
            at = int(np.searchsorted(step, int(key)))
            if at < len(step):
                steps.append((at, text))
        else:
            events[key] = text
    return {"events": events, "steps": sorted(steps)}


def tell_log(log, fps: float, total: int, language: str = DEFAULT) -> Story:
    """The story of a snapshot log rendered at `fps` as `total` frames."""
    return tell(series_of(log), fps, total, language)

