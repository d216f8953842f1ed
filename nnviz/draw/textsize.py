"""How small a frame's text may be: in pixels of the output, for the frame's own size and for
the smaller copy a GIF or WebP shows (nnviz.draw.legible applies it with the other rules)."""
from __future__ import annotations

import numpy as np

MIN_PX = 10.0       # at a short side of 480 px and more
SMALLEST_PX = 7.0   # the floor of smaller frames (a short side of 336 px and less)


def min_text_px(size: tuple[int, int]) -> float:
    """The smallest text (font size, the em, in pixels of the output) a frame may hold.

    10 px at 640x480 and up: matplotlib's DejaVu Sans at 10 px has an x-height of 5.5 px and a
    cap height of 7.3 px. Reading research puts the acuity limit near 0.1 degree of x-height
    and fluent reading from about 0.2 degree (Legge & Bigelow 2011, "Does print size matter
    for reading?"); a 640-px frame embedded at its size and viewed from 60 cm at 96 ppi shows
    a 5.5 px x-height at 0.14 degree: above the limit with a margin, enough for the labels,
    numbers and keys a frame holds (read at a glance, not as paragraphs). Smaller frames scale
    it with the short side down to 7 px (x-height 3.8 px, still above the limit at 60 cm), the
    least at which DejaVu's digits stay apart after the encoders' chroma subsampling.
    """
    short = min(size[1], size[0] * 0.75)
    return float(np.clip(MIN_PX * short / 480, SMALLEST_PX, MIN_PX))


def min_px(size: tuple[int, int], read_at: tuple[int, int] | None = None) -> float:
    """The smallest text in pixels of a frame of `size` that is also shown scaled down to
    `read_at` (a GIF or WebP of --gif-width): the minimum there, scaled up to this frame, if
    that is more. A 1280x720 frame with a 640-wide GIF holds no text under 15 px, so the GIF
    holds none under its own 7.5 px."""
    least = min_text_px(size)
    if read_at is not None and read_at[0] < size[0]:
        least = max(least, min_text_px(read_at) * size[0] / read_at[0])
    return least


def min_points(size: tuple[int, int], dpi: float,
               read_at: tuple[int, int] | None = None) -> float:
    return min_px(size, read_at) * 72 / dpi
