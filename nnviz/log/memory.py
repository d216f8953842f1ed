"""What a log will take in memory, from its npy headers alone: bounded before anything is
decompressed (a stranger's file can declare any shape)."""
from __future__ import annotations

import math

import numpy as np

from .logschema import field_for


def load_bytes(headers: dict[str, tuple]) -> int:
    """Bytes that opening and rendering a log allocates for its arrays, from (shape, dtype).

    Small arrays are read whole; per-snapshot arrays one snapshot at a time; unknown fields not
    at all.
    """
    total = 0
    for name, (shape, dtype) in headers.items():
        field = field_for(name)
        if field is not None:
            total += nbytes(shape[1:] if field.streamed else shape, dtype)
    return total


def nbytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Bytes of an array of this shape, in Python integers (a stranger's shape cannot overflow)."""
    return math.prod(shape) * dtype.itemsize
