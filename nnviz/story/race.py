"""The story of several runs shown in lockstep (a scene's runs, nnviz compare): every run, the
moments of each, and which run wins, when and why.

"When" is a common target: a round training loss (1, 2 or 5 times a power of ten) that at
least two runs get below; the first run below it is named at that snapshot, each later one at
its own with how many times as many steps it took. "Why" is what the runs differ in (their
logs' meta "run" overrides): nothing else differs, so that made the difference. Every figure is
the log's value at the snapshot on screen (or a step already shown, for "as many steps as").
"""
from __future__ import annotations

import math

import numpy as np

from . import moments as found
from .tell import (Story, chapter_frames, cues, description_frames, figures, holds,
                   loss_text, series_of, tell_log)
from .words import DEFAULT, templates

# a run's own moments worth telling among several (the others are the curves' business)
RUN_MOMENTS = ("diverging", "dead", "saturated", "all_right")
RANK = ("first", "reach", "diverging", "all_right", "dead", "saturated", "end")


def round_above(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above `value` (> 0)."""
    k = math.floor(math.log10(value))
    for base in (1, 2, 5, 10):
        target = float(f"{base}e{k}")
        if target >= value * (1 - 1e-12):
            return target
    return float(f"1e{k + 1}")


def target(series: list[dict]) -> float | None:
    """The common target: the round loss just above the second-lowest run's lowest loss, if
    every run starts above it (so "gets below" means something for each)."""
    lows = sorted(float(np.min(s["loss"])) for s in series)
    if not lows[1] > 0:
        return None
    value = round_above(lows[1])
    if any(float(s["loss"][0]) <= value for s in series):
        return None
    return value


def reaches(series: list[dict], goal: float) -> list[int | None]:
    """Each run's first snapshot with training loss below `goal` (None: never)."""
    out = []
    for s in series:
        below = np.nonzero(np.asarray(s["loss"]) < goal)[0]
        out.append(int(below[0]) if below.size else None)
    return out


def differ(series: list[dict], words: dict) -> tuple[str, int]:
    """(what the runs differ in, in plain words: "hidden layers and activation function"; how
    many settings that is). The keys are scene attributes (nnviz.learn.knobs.ATTRIBUTE), in
    the order the runs give them; one a scene invents is said with its underscores as spaces."""
    keys = list(dict.fromkeys(k for s in series for k in (s.get("overrides") or {})))
    named = list(dict.fromkeys(words.get(f"differ.{k}", str(k).replace("_", " ")) for k in keys))
    return (listing(named, words) if named else words["differ.none"]), len(named)


def listing(items: list[str], words: dict) -> str:
    return ", ".join(items[:-1]) + words["runs.and"] + items[-1] if len(items) > 1 else items[0]


def tell_runs(series: list[dict], fps: float, total: int, language: str = DEFAULT) -> Story:
    """The story of several runs' series (tell.series_of each, in the set's order) rendered
    at `fps` as `total` frames."""
    words = templates(language)
    # the runs' curves (nnviz.draw.panels.runs) draw the loss in the same unit as the words
    n = len(series[0]["loss"])
    total = max(int(total), n)
    labels = [s["label"] or f"run {i + 1}" for i, s in enumerate(series)]
    goal = target(series)
    reached = reaches(series, goal) if goal is not None else [None] * len(series)
    order = sorted((i for i, r in enumerate(reached) if r is not None),
                   key=lambda i: (reached[i], i))
    marks = [found.Moment("start", 0)]
    if order and reached[order[0]] > 0:
        marks.append(found.Moment("first", reached[order[0]], order[0]))
        marks += [found.Moment("reach", reached[i], i) for i in order[1:]
                  if reached[i] > reached[order[0]]]
    for run, s in enumerate(series):
        own = found.find(s["loss"], s["val_loss"], s.get("accuracy"), s["step"]) + found.from_facts(s)
        marks += [found.Moment(m.kind, m.index, run) for m in own if m.kind in RUN_MOMENTS]
    marks.append(found.Moment("end", n - 1))
    marks.sort(key=lambda m: (m.index, m.kind != "start", m.kind == "end", m.run))
    rank = {kind: r for r, kind in enumerate(RANK)}
    finals = sorted(range(len(series)), key=lambda i: (float(series[i]["loss"][-1]), i))
    winner, second = finals[0], finals[1]
    what, differs = differ(series, words)
    final = [loss_text(s["loss"][-1]) for s in series]
    tied = [labels[i] for i in finals if final[i] == final[winner]]
    tied = tied if len(tied) > 1 else []

    def fill(s: int, run: int = 0, **more) -> dict:
        figs = figures(series[run], s)
        figs.update(label=labels[run], count=str(len(series)), differ=what,
                    labels=listing(labels, words), winner=labels[winner],
                    winner_loss=loss_text(series[winner]["loss"][s]), second=labels[second],
                    second_loss=loss_text(series[second]["loss"][s]),
                    tied=listing(tied, words) if tied else "", **more)
        if goal is not None:
            figs["target"] = f"{goal:g}"
        if order:
            first = reached[order[0]]
            figs.update(first=labels[order[0]], first_step=str(int(series[0]["step"][first])))
            if reached[run] is not None and first > 0:
                steps = float(series[0]["step"][reached[run]]) / float(series[0]["step"][first])
                figs["ratio"] = f"{steps:.2g}"
        return figs

    def said(m, s: int) -> str:
        figs = fill(s, m.run)
        figs["step"] = str(int(series[0]["step"][m.index]))   # when it happened (shown by now)
        key = f"runs.{m.kind}"
        if m.kind in ("dead", "saturated") and figs.get(m.kind) == "1":
            key += "_one"
        return words[key].format(**figs)

    chapter_texts, chapter_snaps = {}, {}
    for f, item in chapter_frames(marks, total, fps, rank).items():
        s = chapter_snaps[f] = min(f, n - 1)
        kind = "start" if f == 0 else item if isinstance(item, str) else item.kind
        kind = "tie" if kind == "end" and tied else kind
        run = 0 if isinstance(item, str) or item is None else item.run
        figs = fill(s, run)
        if kind == "learning":   # a filler: who is lowest there (so no two fillers read alike)
            now = [loss_text(series[r]["loss"][s]) for r in range(len(series))]
            low = min(range(len(series)), key=lambda r: (float(now[r]), r))
            if now.count(now[low]) == 1:
                kind, figs["leader"] = "leads", labels[low]
        chapter_texts[f] = words[f"runs.chapter.{kind}"].format(**figs)
    texts, snaps, leads = {}, {}, {}
    for f, what_now in description_frames(marks, n, total, fps, rank, (), lambda m, s: holds(
            series[m.run], m.kind, s)).items():
        s = snaps[f] = min(f, n - 1)
        losses = listing([words["runs.loss"].format(label=labels[r],
                                                    loss=loss_text(series[r]["loss"][s]))
                          for r in range(len(series))], words)
        status = words["runs.status"].format(step=int(series[0]["step"][s]), losses=losses,
                                             unit=series[0].get("unit", "loss"))
        if what_now == "final" or (what_now and what_now[0].kind == "end"):
            if tied:
                first = words["runs.tie"].format(**fill(s))
                if order and reached[order[0]] > 0:
                    first += " " + words["runs.tie_first"].format(**fill(s))
            else:
                first = words["runs.end" if differs < 2 else "runs.end_several"].format(**fill(s))
            never = [labels[i] for i, r in enumerate(reached) if r is None]
            if goal is not None and never:
                first += " " + words["runs.never"].format(labels=listing(never, words),
                                                          target=f"{goal:g}")
        elif what_now:
            first = " ".join(said(m, s) for m in sorted(what_now[:2], key=lambda m: m.index))
        elif f == 0:
            first = words["runs.start"].format(**fill(s))
        else:
            now = [loss_text(series[r]["loss"][s]) for r in range(len(series))]
            low = min(range(len(series)), key=lambda r: (float(now[r]), r))
            level = [labels[r] for r in range(len(series)) if now[r] == now[low]]
            first = (words["runs.leads"].format(leader=labels[low]) if len(level) == 1 else
                     words["runs.level"].format(leaders=listing(level, words)))
        texts[f], leads[f] = f"{first} {status}", first
    return Story(cues(chapter_texts, chapter_snaps, total, fps),
                 cues(texts, snaps, total, fps, leads), language, total / fps)


def tell_logs(logs, fps: float, total: int, language: str = DEFAULT) -> Story:
    """The story of one log, or of several runs' logs shown in lockstep."""
    if len(logs) == 1:
        return tell_log(logs[0], fps, total, language)
    return tell_runs([series_of(log) for log in logs], fps, total, language)
