"""The moments a teacher would point at in a training, found in its series alone.

Input: the per-snapshot series of a log (loss/train, loss/val, accuracy/train if any). Output:
`Moment`s (kind, snapshot index) in order, and for every snapshot the phase it is in. Only
numbers go in: no frame, no scene code.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLAT = 0.05          # a plateau: the loss stays within 5 % (in log terms) ...
DROP = 0.25          # a sudden drop: the loss falls by a quarter or more in one snapshot ...
DROP_FACTOR = 5.0    # ... and by several times the typical change between snapshots
SETTLED = 0.05       # converged: within 5 % of the whole fall from the final loss, to the end,
SETTLED_RATIO = 1.1  # ... and within 10 % of it (a loss that keeps halving has not), for
SETTLED_FOR = 0.1    # ... at least a tenth of the training
SLOW = 0.9           # slowing down: 90 % of the whole fall is done, counted on a log scale
                     # (as the loss panels draw it)
NEAR = 0.02          # at the minimum: the path within 2 % of its start's distance to it
DIVERGED = 1.5       # diverging: the final loss 1.5 times its minimum, or more
OVERFIT = 1.1        # overfitting: validation 10 % above its minimum while training falls


@dataclass(frozen=True)
class Moment:
    kind: str     # start, descent, slow, plateau, drop, all_right, converged, diverging,
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


def find(loss: np.ndarray, val_loss: np.ndarray, accuracy: np.ndarray | None) -> list[Moment]:
    """The moments of a training, in snapshot order (start first, end last)."""
    n = len(loss)
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
        if descent > 0 and fast.size and fast.max() > 0:
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
        if 0 < settled < n - max(2, SETTLED_FOR * n) and total > 0.2:
            moments.append(Moment("converged", settled))
    low = int(np.argmin(lt))
    if lt[-1] - lt[low] > np.log(DIVERGED) and low < n - 1:
        moments.append(Moment("diverging", low + 1))
    best = int(np.argmin(lv))
    rise = np.nonzero((lv > lv[best] + np.log(OVERFIT)) & (np.arange(n) > best))[0]
    if rise.size and lt[-1] < lt[best] and lv[-1] > lv[best] + np.log(OVERFIT):
        moments.append(Moment("overfitting", int(rise[0])))
    if accuracy is not None:
        right = np.nonzero(np.asarray(accuracy) >= 1.0)[0]
        if right.size and right[0] > 0:
            moments.append(Moment("all_right", int(right[0])))
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
