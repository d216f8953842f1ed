"""Starting weights shared by the XOR scenes (a helper module: it defines no scene)."""
import numpy as np


def spread_first_layer(model, rng: np.random.Generator) -> None:
    """Point the first Dense layer's units in directions spread evenly around the input plane.

    Each unit keeps the length of its random weight vector; only the directions change, to a
    random rotation of evenly spaced angles. With 4 units a layer, an independent draw now and
    then points every unit nearly the same way (seed 11 of xor_two_classes: all four weights
    within 30 degrees of the x0 axis); such a start sits on a plateau at 75 % for hundreds of
    steps, while evenly spread directions see both inputs from the first step.
    """
    w = model.params["0.W"]
    if w.shape[0] != 2:
        raise ValueError(f"spread_first_layer is for 2 inputs, got {w.shape[0]}")
    n = w.shape[1]
    angle = rng.uniform(0.0, 2 * np.pi) + np.arange(n) * (2 * np.pi / n)
    w[...] = np.linalg.norm(w, axis=0) * np.array([np.cos(angle), np.sin(angle)])
