"""The moments a teacher would point at in a training, found in its series alone.

Input: the per-snapshot series of a log (loss/train, loss/val, accuracy/train if any). Output:
`Moment`s (kind, snapshot index) in order, and for every snapshot the phase it is in. Only
numbers go in: no frame, no scene code.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..learn.divergence import diverged_at

FLAT = 0.05          # a plateau: the loss stays within 5 % (in log terms) ...
DROP = 0.25          # a sudden drop: the loss falls by a quarter or more in one snapshot ...
DROP_FACTOR = 5.0    # ... and by several times the typical change between snapshots
SETTLED = 0.05       # converged: within 5 % of the whole fall from the final loss, to the end,
SETTLED_RATIO = 1.1  # ... and within 10 % of it (a loss that keeps halving has not), for
SETTLED_FOR = 0.1    # ... at least a tenth of the training
FLAT_END = 0.03     # ... and the loss fell less than 3 % (relative) over the last tenth of
                    # the run's steps: a loss still falling steadily has not converged
SLOW = 0.9           # slowing down: 90 % of the whole fall is done, counted on a log scale
                     # (as the loss panels draw it)
NEAR = 0.02          # at the minimum: the path within 2 % of its start's distance to it
DIVERGED = 3.0       # diverging: the loss 3 times its running minimum or more, to the end,
GAVE_BACK = 0.25     # ... and back up by a quarter of the fall from the start to that minimum
                     # (Adam's bumps near a tiny minimum are noise, not divergence); or the
                     # blow-up rule of nnviz.learn.divergence
HELD_FOR = 0.1       # every point right: it holds to the end or for a tenth of the run
OVERFIT = 1.1        # overfitting: validation 10 % above its minimum while training falls


@dataclass(frozen=True)
class Moment:
    kind: str     # start, descent, slow, plateau, drop, all_right (all_right_brief: not for
                  # long), converged, diverging,
    index: int    # overfitting, minimum, dead, saturated, end; the snapshot where it happens
    run: int = 0  # which run (several runs in one video)


def _log(a: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(np.asarray(a, float), 1e-300))


def _plateau(lt: np.ndarray, before: int) -> int | None:
    """The start of the longest flat run (at least an eighth of the log, 3 snapshots) before
    `before` that the loss later falls from."""
    n = len(lt)
    need = max(3, n // 8)
    best, best_len, i = None, 0, 0
    while i < before:
        j = i
        while j + 1 < n and abs(lt[j + 1] - lt[i]) < FLAT:
            j += 1
        length = j - i + 1
        if length >= need and length > best_len and lt[-1] < lt[j] - FLAT and i > 0:
            best, best_len = i, length
        i = j + 1
    return best


def _diverging(loss: np.ndarray) -> int | None:
    """The first snapshot of a rise that lasts to the end: the loss DIVERGED times its running
    minimum and GAVE_BACK of its fall from the start, from there on; or the blow-up."""
    blown = diverged_at(loss)
    if blown is not None:
        return blown
    low = np.minimum.accumulate(loss)
    risen = (loss > DIVERGED * low) & (loss - low > GAVE_BACK * (loss[0] - low))
    if not risen[-1]:
        return None
    start = len(loss) - int(np.argmin(risen[::-1]))   # the last rise's first snapshot
    return start if 0 < start < len(loss) else None


def flattened(loss: np.ndarray, step: np.ndarray) -> bool:
    """Whether the loss fell less than FLAT_END (relative) over the last tenth of the steps."""
    span = float(step[-1] - step[0])
    tail = int(np.searchsorted(step, step[-1] - HELD_FOR * span, side="left"))
    tail = min(tail, len(loss) - 2)
    before = float(loss[tail])
    return before <= 0 or (before - float(loss[-1])) / before < FLAT_END


def find(loss: np.ndarray, val_loss: np.ndarray, accuracy: np.ndarray | None,
         step: np.ndarray | None = None) -> list[Moment]:
    """The moments of a training, in snapshot order (start first, end last). `step`: each
    snapshot's step (default: its index), for "the last tenth of the run"."""
    n = len(loss)
    step = np.arange(n, dtype=float) if step is None else np.asarray(step, float)
    moments = [Moment("start", 0)]
    if n == 1:
        return moments
    lt, lv = _log(loss), _log(val_loss)
    total = lt[0] - lt.min()
    loss = np.asarray(loss, float)
    fall = loss[0] - loss.min()
    if total > FLAT:   # the loss fell: where most of it fell (in the loss's own units)
        progress = (loss[0] - loss) / fall
        descent = int(np.argmax(progress >= 0.1))
        done = int(np.argmax(progress >= SLOW))
        slow = int(np.argmax((lt[0] - lt) / total >= SLOW))
        steps = np.diff(lt)
        fast = -steps[max(0, descent - 1):max(done, descent + 1)]
        if descent > 0 and fast.size and fast.max() > 0 and total > np.log(2):   # halves
            moments.append(Moment("descent", descent))
        plateau = _plateau(lt, done)
        if plateau is not None:
            moments.append(Moment("plateau", plateau))
        typical = np.median(np.abs(steps)) if steps.size else 0.0
        falls = -steps
        k = int(np.argmax(falls))
        if falls[k] >= -np.log(1 - DROP) and falls[k] >= DROP_FACTOR * typical and k + 1 > descent:
            moments.append(Moment("drop", k + 1))
        if descent < slow < n - 1:
            moments.append(Moment("slow", slow))
        off = ((np.abs(loss - loss[-1]) > SETTLED * fall)
               | (np.abs(lt - lt[-1]) > np.log(SETTLED_RATIO)))
        settled = n - int(np.argmax(off[::-1])) if off.any() else 0
        if 0 < settled < n - max(2, SETTLED_FOR * n) and total > 0.2 and flattened(loss, step):
            moments.append(Moment("converged", settled))
    rising = _diverging(np.asarray(loss, float))
    if rising is not None:
        moments.append(Moment("diverging", rising))
    best = int(np.argmin(lv))
    rise = np.nonzero((lv > lv[best] + np.log(OVERFIT)) & (np.arange(n) > best))[0]
    if rise.size and lt[-1] < lt[best] and lv[-1] > lv[best] + np.log(OVERFIT):
        moments.append(Moment("overfitting", int(rise[0])))
    if accuracy is not None:
        every = np.asarray(accuracy) >= 1.0
        right = np.nonzero(every)[0]
        if right.size and right[0] > 0:
            first = int(right[0])
            wrong = np.nonzero(~every[first:])[0]
            lasts = (n if not wrong.size else first + int(wrong[0])) - first
            held = not wrong.size or step[first + lasts] - step[first] >= HELD_FOR * (
                step[-1] - step[0])
            moments.append(Moment("all_right" if held else "all_right_brief", first))
    moments.append(Moment("end", n - 1))
    order = {"start": 0, "end": 9}
    return sorted(moments, key=lambda m: (m.index, order.get(m.kind, 5)))


def phases(moments: list[Moment], n: int) -> list[str]:
    """For every snapshot, the phase it is in: the kind of the last phase-changing moment."""
    changing = ("start", "descent", "slow", "plateau", "drop", "converged", "diverging",
                "overfitting")
    phase = ["start"] * n
    marks = sorted((m.index, m.kind) for m in moments if m.kind in changing)
    for index, kind in marks:
        name = "learning" if kind == "drop" else kind
        for i in range(index, n):
            phase[i] = name
    return phase


def from_facts(facts: dict) -> list[Moment]:
    """The moments in a log's other facts (nnviz.story.facts): the path reaching the
    landscape's minimum; the most dead or saturated hidden units, first reached."""
    found = []
    if facts.get("minimum") is not None:
        near = np.nonzero(facts["minimum"][1] <= NEAR)[0]
        if near.size and near[0] > 0:
            found.append(Moment("minimum", int(near[0])))
    hidden = facts.get("hidden") or {}
    for kind in ("dead", "saturated"):
        counts = hidden.get(kind)
        if counts is not None and counts.max() > 0:
            found.append(Moment(kind, int(np.argmax(counts == counts.max()))))
    return found
