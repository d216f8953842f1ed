"""Output verification: decode what was encoded and compare with what was expected."""
from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np

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


def check_file(path: Path, fps: float | None = None) -> tuple[Path, dict]:
    """Decode one video completely; fail if it does not. `fps` when the container has none."""
    try:
        meta = probe(path)
    except (RuntimeError, OSError, StopIteration) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckError(f"check failed: {path} does not decode ({first})") from None
    if not meta["frames"]:
        raise CheckError(f"check failed: {path} holds no frames")
    fps = meta["fps"] or fps
    meta["presented"] = round(meta["duration"] * fps) if meta["duration"] and fps else meta["frames"]
    if meta["frames"] > meta["presented"] or (meta["frames"] != meta["presented"]
                                              and "theora" not in meta["codec"]):
        raise CheckError(f"check failed: {path} decodes to {meta['frames']} of its "
                         f"{meta['presented']} frames (truncated or damaged); render it again")
    return Path(path), meta


def check_folder(folder: Path) -> list[tuple[Path, dict]]:
    """Check a render folder: its videos agree with each other, the poster and the log."""
    import imageio.v3 as iio

    from .snapshots import load
    from .video import FORMATS

    folder = Path(folder)
    videos = [p for fmt in FORMATS.values() for p in sorted(folder.glob(f"*.{fmt.extension}"))
              if not p.name.startswith(".")]
    if not videos:
        raise CheckError(f"check failed: {folder} holds no video ({', '.join(FORMATS)})")
    results = [check_file(v) for v in videos]
    rates = [m["fps"] for _, m in results if m["fps"]]
    if rates:   # an ogv reports no rate: count its frames at the rate of its siblings
        results = [check_file(p, rates[0]) if not m["fps"] else (p, m) for p, m in results]
    counts = {m["presented"] for _, m in results}
    if len(counts) > 1:
        detail = ", ".join(f"{p.name}: {m['presented']}" for p, m in results)
        raise CheckError(f"check failed: the videos disagree on their frame count ({detail})")
    for png in folder.glob("*.png"):
        poster = iio.imread(png)
        for path, meta in results:
            if tuple(meta["size"]) != (poster.shape[1], poster.shape[0]):
                raise CheckError(f"check failed: {path.name} is {meta['size'][0]}x{meta['size'][1]} "
                                 f"but the poster {png.name} is {poster.shape[1]}x{poster.shape[0]}")
            last = _last_frame(path, meta["size"])
            mse = np.mean((last.astype(float) - poster[..., :3].astype(float)) ** 2)
            if mse and 10 * np.log10(255 ** 2 / mse) < 30:
                raise CheckError(f"check failed: {path.name} does not end on the poster {png.name}; "
                                 f"render again")
    frames = counts.pop()
    for log_path in folder.glob("*.npz"):
        snapshots = len(load(log_path))
        if frames < snapshots:
            raise CheckError(f"check failed: the videos have fewer frames than {log_path.name} has "
                             f"snapshots ({snapshots})")
    return results


def _last_frame(path: Path, size) -> np.ndarray:
    reader = imageio_ffmpeg.read_frames(str(path))
    next(reader)
    last = None
    for last in reader:
        pass
    return np.frombuffer(last, np.uint8).reshape(size[1], size[0], 3)
