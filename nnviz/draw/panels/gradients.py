"""The network as the gradient sees it: where the learning signal flows at each snapshot.

The network panel's drawing with each edge showing the full training set's loss gradient of
its weight (the log's grad/ fields) instead of the weight: width and opacity |∂L/∂w| on one
scale over the whole run, so the signal is seen to fade as training converges (or to vanish in
the first layers of a deep sigmoid network); colour the direction of the downhill step −∂L/∂w,
red where it raises the weight, blue where it lowers it, as the network panel colours a weight's
sign. Node colours are the biases' gradients the same way. The gradients live in the
standardised units training used, and the key says so.
"""
from __future__ import annotations

import numpy as np

from .base import panel
from .network import EDGES_SHOWN, Network


@panel("gradients")
class Gradients(Network):
    """Edges: −∂L/∂w per weight; nodes: −∂L/∂b per bias (full training set, each snapshot)."""
    needs = ()   # the network's parameters and their gradients (grad/0.W, or grad/1.W after
                 # a features layer): see `refuse`
    fits = ("a log with the step recorded (training records it when this panel, neuron or "
            "landscape is drawn: render with --panels ...,gradients, not --from an older log)")
    kind = "grad"

    @classmethod
    def refuse(cls, log_names, meta):
        if meta is not None and not isinstance(meta.get("architecture"), list):
            return f"the gradients panel needs {Network.fits}"
        if not any(n.startswith("grad/") and n.endswith(".W") for n in log_names):
            return f"the gradients panel needs {cls.fits}"
        return super().refuse(log_names, meta)

    def weights(self, snap) -> np.ndarray:
        return -super().weights(snap)   # the downhill direction: red raises the weight

    def biases(self, snap) -> np.ndarray:
        return -super().biases(snap)

    def key_lines(self, n_edges: int) -> list[str]:
        drawn = ("the one weight" if n_edges == 1 else
                 f"all {n_edges:,} weights" if self.n_shown == n_edges else
                 f"{self.n_shown:,} of {n_edges:,} weights (each layer's {EDGES_SHOWN} largest)")
        return [f"gradient of {drawn}: size |∂L/∂w| up to {self.w_scale:.3g}",
                "colour: the step −∂L/∂w raises w (red) or lowers it (blue)",
                f"node colour: −∂L/∂b, up to {self.b_scale:.3g} (standardised units)"]
