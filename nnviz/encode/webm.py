"""Read a WebM file's layout: its clusters (with each block's time and keyframe flag) and its
Cues, so tests and benchmarks can check what browsers need to seek (see video.py's WebM)."""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

SEGMENT, CLUSTER, CUES, TIMESTAMP, SIMPLE_BLOCK = 0x18538067, 0x1F43B675, 0x1C53BB6B, 0xE7, 0xA3
CUE_POINT, CUE_TIME = 0xBB, 0xB3


@dataclass
class Cluster:
    offset: int                  # in the file
    time: int                    # milliseconds
    blocks: list[tuple[int, bool]] = field(default_factory=list)   # (time in ms, keyframe)


@dataclass
class Layout:
    clusters: list[Cluster]
    cues: list[int]              # the cue points' times, ms
    cues_offset: int | None      # where the Cues element starts in the file
    first_cluster: int | None


def _vint(data: bytes, i: int, marker: bool) -> tuple[int, int, bool]:
    """(value, length, unknown size) of the EBML variable-length integer at i."""
    first = data[i]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise ValueError(f"not EBML at byte {i}")
    value = first if marker else first & (0xFF >> length)
    for k in range(1, length):
        value = value << 8 | data[i + k]
    return value, length, not marker and value == (1 << 7 * length) - 1


def _children(data: bytes, start: int, end: int):
    i = start
    while i < end:
        element, n, _ = _vint(data, i, True)
        size, m, unknown = _vint(data, i + n, False)
        body = i + n + m
        stop = end if unknown else min(end, body + size)
        yield element, i, body, stop
        i = stop


def layout(path: str | Path) -> Layout:
    data = Path(path).read_bytes()
    clusters, cues, cues_offset = [], [], None
    for element, _, body, end in _children(data, 0, len(data)):
        if element != SEGMENT:
            continue
        for child, at, start, stop in _children(data, body, end):
            if child == CLUSTER:
                cluster = Cluster(at, 0)
                for kind, _, s, e in _children(data, start, stop):
                    if kind == TIMESTAMP:
                        cluster.time = int.from_bytes(data[s:e], "big")
                    elif kind == SIMPLE_BLOCK:
                        _, n, _ = _vint(data, s, False)   # the track number
                        delta = struct.unpack(">h", data[s + n:s + n + 2])[0]
                        cluster.blocks.append((cluster.time + delta, bool(data[s + n + 2] & 0x80)))
                clusters.append(cluster)
            elif child == CUES:
                cues_offset = at
                for point, _, s, e in _children(data, start, stop):
                    if point == CUE_POINT:
                        cues += [int.from_bytes(data[a:b], "big")
                                 for kind, _, a, b in _children(data, s, e) if kind == CUE_TIME]
    return Layout(clusters, cues, cues_offset, clusters[0].offset if clusters else None)
