"""Output verification: decode what was encoded and compare with what was expected."""
from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np

from .errors import NnvizError


class CheckError(NnvizError):
    pass


def probe(path: str | Path) -> dict:
    """Decode the whole file: size, codec, pixel format, frame count, duration, last frame."""
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    count, last = 0, None
    try:
        meta = next(reader)
        for last in reader:
            count += 1
    finally:
        reader.close()
    w, h = meta["size"]
    meta["frames"] = count
    meta["last"] = None if last is None else np.frombuffer(last, np.uint8).reshape(h, w, 3)
    return meta


def _decode(path: Path, label: str) -> dict:
    try:
        meta = probe(path)
    except (RuntimeError, OSError, StopIteration) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckError(f"check failed: {label} does not decode ({first})") from None
    if not meta["frames"]:
        raise CheckError(f"check failed: {label} holds no frames")
    return meta


def _count(meta: dict, fps: float | None, label: str) -> dict:
    """Frames shown, from the duration at `fps`; fail if frames are missing.

    A Theora stream codes a repeated frame as an empty packet that decoders show as the
    previous frame again, so an ogv decodes to fewer distinct frames than it presents. Other
    formats must decode to every frame they present.
    """
    meta["presented"] = round(meta["duration"] * fps) if meta["duration"] and fps else meta["frames"]
    if meta["frames"] > meta["presented"] or (meta["frames"] != meta["presented"]
                                              and "theora" not in meta["codec"]):
        raise CheckError(f"check failed: {label} decodes to {meta['frames']} of its "
                         f"{meta['presented']} frames (truncated or damaged); render it again")
    return meta


def check_file(path: Path, fps: float | None = None, label: str | None = None
               ) -> tuple[Path, dict]:
    """Decode one video completely; counted at `fps`, else at the container's own rate."""
    label = label or str(path)
    meta = _decode(path, label)
    return Path(path), _count(meta, fps or meta["fps"], label)


def verify_video(path: Path, frames: int, size: tuple[int, int], fps: float,
                 label: str | None = None) -> dict:
    """Decode `path` fully; fail unless it shows `frames` frames of `size` at `fps`."""
    label = label or Path(path).name
    _, meta = check_file(path, fps, label)
    if tuple(meta["size"]) != tuple(size):
        raise CheckError(f"check failed: {label} is {meta['size'][0]}x{meta['size'][1]}, "
                         f"expected {size[0]}x{size[1]}")
    if meta["presented"] != frames:
        raise CheckError(f"check failed: {label} decodes to {meta['frames']} frames lasting "
                         f"{meta['duration']:g} s, expected {frames} frames ({frames / fps:g} s)")
    return meta


def _videos(folder: Path) -> list[Path]:
    from .video import FORMATS
    return [p for fmt in FORMATS.values() for p in sorted(folder.glob(f"*.{fmt.extension}"))
            if not p.name.startswith(".")]


def render_folders(root: Path) -> list[Path]:
    """The render folders to check under `root`: itself if it holds a video, else each of its
    sub-folders that does (`nnviz check OUT` checks every OUT/NAME at once)."""
    root = Path(root)
    if _videos(root):
        return [root]
    found = [d for d in sorted(root.iterdir()) if d.is_dir() and not d.name.startswith(".")
             and _videos(d)]
    return found or [root]   # nothing anywhere: check_folder says the folder holds no video


def check_folder(folder: Path) -> list[tuple[Path, dict]]:
    """Check a render folder: its videos agree with each other, the poster and the log."""
    import imageio.v3 as iio

    from .snapshots import load
    from .video import FORMATS

    folder = Path(folder)
    videos = _videos(folder)
    if not videos:
        raise CheckError(f"check failed: {folder} holds no video ({', '.join(FORMATS)})")
    decoded = [(v, _decode(v, str(v))) for v in videos]
    # an ogv reports no rate of its own: count its frames at the rate of its siblings
    rate = next((m["fps"] for _, m in decoded if m["fps"]), None)
    results = [(p, _count(m, m["fps"] or rate, str(p))) for p, m in decoded]
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
            mse = np.mean((meta["last"].astype(float) - poster[..., :3].astype(float)) ** 2)
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

