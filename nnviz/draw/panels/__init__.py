"""Reusable views of a snapshot log, one module per kind of view.

A panel builds its artists once from the log (every limit is known before the first frame,
so nothing jumps) and then, per frame, updates only the artists that change and returns them
in drawing order. Everything else is drawn once into the background that frames blit onto.

    base       the Panel class, the registry and the shared colours
    artists    fast drawing primitives (grid images, sprites, rasterised edges)
    plane      views of the input space: fit, heatmap, boundary
    curves     metrics against step: loss, accuracy
    network    the network itself: weights, biases, per-neuron maps
    neuron     a single neuron y = f(w·x + b): live weights on its edges, live equation
    landscape  the loss surface and the optimiser's path
"""
from .base import PANELS, Panel, panel  # noqa: F401
from . import curves, gradients, landscape, network, neuron, plane  # noqa: F401,E402  (they register)
