"""Output verification: decode what was encoded and compare with what was expected."""
from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg

from .errors import NnvizError


class CheckError(NnvizError):
    pass


def probe(path: str | Path) -> dict:
    """Decode the whole file: its size, codec, pixel format, frame count and duration."""
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    try:
        meta = next(reader)
        count = sum(1 for _ in reader)
    finally:
        reader.close()
    meta["frames"] = count
    return meta


def verify_video(path: Path, frames: int, size: tuple[int, int], fps: float,
                 label: str | None = None) -> dict:
    """Decode `path` fully; fail unless it shows `frames` frames of `size` at `fps`.

    Frames shown are counted from the container's duration: a Theora stream codes a repeated
    frame as an empty packet that decoders show as the previous frame again, so an ogv
    decodes to fewer distinct frames than it presents. Other formats must decode to all.
    """
    label = label or Path(path).name
    try:
        meta = probe(path)
    except (RuntimeError, OSError, StopIteration) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckError(f"check failed: {label} does not decode ({first})") from None
    if tuple(meta["size"]) != tuple(size):
        raise CheckError(f"check failed: {label} is {meta['size'][0]}x{meta['size'][1]}, "
                         f"expected {size[0]}x{size[1]}")
    meta["presented"] = round(meta["duration"] * fps)
    repeats_allowed = "theora" in meta["codec"]
    if meta["presented"] != frames or meta["frames"] > frames or (
            meta["frames"] != frames and not repeats_allowed):
        raise CheckError(f"check failed: {label} decodes to {meta['frames']} frames lasting "
                         f"{meta['duration']:g} s, expected {frames} frames ({frames / fps:g} s)")
    return meta
