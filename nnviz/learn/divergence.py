"""Where a training blew up, found in its loss series alone.

Training stops at a loss that is not finite (training.TrainingDiverged), but a loss that is
huge and finite trains on: `--lr 50` on xor_two_classes takes the cross-entropy from 0.48 to
1e5 by step 9, then its saturated softmax reads 0 wherever it happens to be right, and the
header showed `loss 0` as if the network had learned. The rule: a run diverged at the first
snapshot whose training loss is not finite, or more than BLOWUP times the first snapshot's.
A loss that learning raises a thousandfold is not learning: an untrained network's loss is
the worst a scene's own training sees (its curves fall from there; momentum and Adam
overshoot by a few times at most), so no built-in scene comes near, while every blow-up
measured passed it within a few snapshots of its start. The ratio needs no units (a
recorded log's loss may be in any). A first loss of 0 leaves only the non-finite test.
"""
from __future__ import annotations

import numpy as np

BLOWUP = 1e3


def diverged_at(losses) -> int | None:
    """The index of the first snapshot where the run had diverged, or None."""
    losses = np.asarray(losses, np.float64)
    if not len(losses):
        return None
    bad = ~np.isfinite(losses)
    if np.isfinite(losses[0]) and losses[0] > 0:
        bad |= losses > BLOWUP * losses[0]
    found = np.flatnonzero(bad)
    return int(found[0]) if len(found) else None
