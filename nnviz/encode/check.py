"""Output verification: one definition of a valid render, for `render --check` and `nnviz check`.

A video is valid when:
  * it decodes completely, and every frame it presents is there: its packets' timestamps run
    evenly from the first to the last (a gap or a cut end is missing frames). The frame count is
    the number of packets, read from the container with `-c copy`, not the decoder's output
    after ffmpeg's constant-rate duplication (which invents frames from guessed durations, e.g.
    723 for an ogv of 524) nor the header's duration (10 ms steps: 2.4 frames at 240 fps);
  * every video of a render presents the same number of frames, at least one per snapshot of
    the log (and exactly the number encoded, when the caller knows it), at the poster's size;
  * its last frame is the poster's picture: compared in yuv420p, the videos' own pixel format,
    so that only the encoder's loss counts, not the 4:2:0 chroma subsampling (which alone caps
    an RGB comparison near 29-30 dB at 160x120, whatever the encoder does).
`render --check` and `nnviz check` both call `verify`, so a render that passes one passes the
other.

An animated image (GIF, WebP; ffmpeg cannot decode animated WebP, so both are read with
Pillow) is valid when it decodes completely, loops forever, is the poster's shape at most the
poster's width, holds no more frames than the videos (exactly the number kept, when known),
and its last frame is the poster scaled to its size, within ANIMATION_PSNR.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from ..errors import CheckError, NnvizError  # noqa: F401 (CheckError: raised here)


# PSNR (dB, over the yuv420p planes) the last frame must reach against the poster. Measured:
# a video's own poster scores 35.2 dB at worst (ogv, 160x120) over the corners of
# tests/test_options.py and 160x120 to 1280x720 (webm 40-48, mp4 39-46, ogv 35-40); another
# seed's poster scores 19.4, the picture 100 of 200 steps earlier 25-26, so 30 separates them.
# (In RGB, as before, 4:2:0 chroma alone capped a perfect encode near 29.5 dB at 160x120.)
POSTER_PSNR = 30.0
# The same for an animated image, in RGB against the poster scaled down (Lanczos): a GIF's 256
# colours and a lossy WebP cost more than a video's last frame. Measured (benchmarks/
# render_speed.py --only share): 31-36 dB for their own poster; another render's is far below.
ANIMATION_PSNR = 25.0

# the decoder's name of the video a format must hold: a file under another format's name
# would be announced to browsers with the wrong type on the page
CODECS = {"webm": "vp9", "ogv": "theora", "mp4": "h264"}
_TIMEBASE = re.compile(rb"^#tb 0: (\d+)/(\d+)", re.M)


def packets(path: str | Path) -> tuple[Fraction, list[int]]:
    """The video stream's time base and its packets' timestamps, sorted, without decoding.

    Theora codes a repeated frame as an empty packet: still a packet, still a frame shown.
    """
    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path),
                        "-map", "0:v:0", "-c", "copy", "-f", "framemd5", "-"],
                       capture_output=True)
    tb = _TIMEBASE.search(r.stdout)
    if r.returncode or tb is None:
        err = r.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(err[-1] if err else "no video stream")
    pts = sorted(int(line.split(b",")[2]) for line in r.stdout.splitlines()
                 if line and not line.startswith(b"#"))
    return Fraction(int(tb[1]), int(tb[2])), pts


def probe(path: str | Path) -> dict:
    """Decode the whole file: size, codec, pixel format, frames decoded, duration, last frame.

    Decoded as is (`-fps_mode passthrough`: no frame duplicated or dropped to fit a rate), in
    yuv420p; `last` is the final frame in RGB, `last_yuv` the same frame's yuv420p planes.
    """
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="yuv420p", bits_per_pixel=12,
                                        output_params=["-fps_mode", "passthrough"])
    count, last = 0, None
    try:
        meta = next(reader)
        for last in reader:
            count += 1
    finally:
        reader.close()
    w, h = meta["size"]
    meta["frames"] = count
    meta["last_yuv"] = None if last is None else np.frombuffer(last, np.uint8)
    meta["last"] = None if last is None else yuv_to_rgb(meta["last_yuv"], (w, h))
    return meta


def _convert(data: bytes, size: tuple[int, int], src: str, dst: str) -> np.ndarray:
    """One picture through ffmpeg's own conversion (the one the encoder's input went through)."""
    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-f", "rawvideo",
                        "-pix_fmt", src, "-s", f"{size[0]}x{size[1]}", "-i", "pipe:0",
                        "-vf", f"format={dst}", "-f", "rawvideo", "pipe:1"],
                       input=data, capture_output=True, check=True)
    return np.frombuffer(r.stdout, np.uint8)


def rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return _convert(np.ascontiguousarray(rgb[..., :3]).tobytes(), (w, h), "rgb24", "yuv420p")


def yuv_to_rgb(yuv: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return _convert(yuv.tobytes(), size, "yuv420p", "rgb24").reshape(size[1], size[0], 3)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float(10 * np.log10(255 ** 2 / mse)) if mse else float("inf")


def _decode(path: Path, label: str) -> dict:
    _regular(path, label)
    try:
        meta = probe(path)
        timebase, pts = packets(path)
    except (RuntimeError, OSError, StopIteration, subprocess.CalledProcessError, ValueError,
            KeyError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckError(f"check failed: {label} does not decode ({first})") from None
    if not meta["frames"] or not pts:
        raise CheckError(f"check failed: {label} holds no frames")
    fmt = _format_of(Path(label))
    expected = CODECS.get(fmt.name)
    if expected and not str(meta.get("codec", "")).startswith(expected):
        raise CheckError(f"check failed: {label} holds {str(meta.get('codec')).split()[0]} "
                         f"video, not the {expected} a .{fmt.extension} file must hold (the page "
                         f"announces its type by the name); render it again")
    meta["presented"] = len(pts)
    damaged = CheckError(f"check failed: {label} decodes to {meta['frames']} of its "
                         f"{len(pts)} frames (truncated or damaged); render it again")
    # Theora's repeated frames are empty packets that decode to nothing: fewer decoded frames
    # than packets is fine there and nowhere else
    if meta["frames"] > len(pts) or (meta["frames"] < len(pts) and "theora" not in meta["codec"]):
        raise damaged
    meta["tick"] = float(timebase)
    meta["span"] = float((pts[-1] - pts[0]) * timebase)   # first frame's start to the last's
    if len(pts) > 1:
        steps = np.diff(pts) * timebase
        step = float(np.median(steps))
        # evenly spaced (within the time base's rounding): a gap is a missing frame
        if step <= 0 or float(steps.max()) > 1.5 * step + timebase:
            raise damaged
        # the header's duration (10 ms steps) must not run past the packets: a cut-off end
        end = float((pts[-1] - pts[0]) * timebase) + step
        if meta["duration"] and meta["duration"] > end + max(step, 0.011) + 0.011:
            raise CheckError(f"check failed: {label} decodes to {len(pts)} frames lasting "
                             f"{end:g} s of its {meta['duration']:g} s (truncated or damaged); "
                             f"render it again")
    return meta


def check_file(path: Path, fps: float | None = None, label: str | None = None
               ) -> tuple[Path, dict]:
    """Decode one video completely and check that no frame is missing (an animated image:
    that it decodes and loops)."""
    label = label or str(path)
    fmt = _format_of(path, None)
    if fmt.animation:
        return Path(path), _verify_animation(Path(path), label, fmt, None)
    return Path(path), _decode(Path(path), label)


def _format_of(path: Path, formats=None) -> "formats.VideoFormat":  # noqa: F821 (imported when called)
    """The format of `path`: as `formats` (path -> format) says, else by its extension."""
    from .formats import FORMATS
    if formats and path in formats:
        return formats[path]
    by_extension = {f.extension: f for f in FORMATS.values()}
    return by_extension.get(Path(path).suffix[1:].lower(), FORMATS["mp4"])


def _regular(path: Path, label) -> None:
    """A file `nnviz check` reads is a file (a folder or a device named NAME.webm is not)."""
    path = Path(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "a broken link" if path.is_symlink() else (
            "missing" if not path.exists() else "not a regular file")
        raise CheckError(f"check failed: {label} is {what}, not a file nnviz wrote; move it "
                         f"away and check again")


def read_poster(path: Path, label=None) -> np.ndarray:
    """The poster's pixels as RGB, read by Pillow (untrusted: its decompression-bomb limit
    applies), whatever PNG colour type it was saved in (grey, grey and alpha, 16-bit, palette,
    RGBA). A file that is not a PNG, or larger than any frame, is one CheckError."""
    import warnings

    from PIL import Image

    from ..settings import MAX_SIZE
    label = label or str(path)
    _regular(path, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != "PNG":
                    raise CheckError(f"check failed: the poster {label} is "
                                     f"{'a ' + image.format + ' image' if image.format else 'not an image'}"
                                     f", not a PNG; render again")
                w, h = image.size
                if w > MAX_SIZE[0] or h > MAX_SIZE[1]:
                    raise CheckError(f"check failed: the poster {label} is {w}x{h}, larger than "
                                     f"any frame ({MAX_SIZE[0]}x{MAX_SIZE[1]}); render again")
                image.load()
                if image.mode in ("I", "I;16", "I;16B", "I;16L"):   # 16-bit grey: top 8 bits
                    grey = (np.asarray(image).astype(np.int64).clip(0, 65535) >> 8).astype(np.uint8)
                    return np.repeat(grey[..., None], 3, axis=2)
                return np.asarray(image.convert("RGB"))
    except CheckError:
        raise
    except (OSError, SyntaxError, EOFError, ValueError, TypeError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        raise CheckError(f"check failed: the poster {label} is not a readable PNG image "
                         f"({reason})") from None


def decode_animation(path: Path, label: str) -> dict:
    """Every frame of a GIF or animated WebP, read by Pillow (untrusted: its decompression-bomb
    limit applies): size, frame count, loop count, durations and the last frame in RGB."""
    from PIL import Image
    _regular(path, label)
    try:
        with Image.open(path) as image:
            if image.format not in ("GIF", "WEBP"):
                raise OSError(f"a {image.format} file, not an animation")
            n = getattr(image, "n_frames", 1)
            durations = []
            for k in range(n):
                image.seek(k)
                image.load()
                durations.append(image.info.get("duration", 0))
            return {"size": image.size, "frames": n, "presented": n,
                    "loop": image.info.get("loop"), "duration": sum(durations) / 1000,
                    "codec": image.format.lower(), "last": np.asarray(image.convert("RGB"))}
    except (OSError, SyntaxError, EOFError, ValueError, Image.DecompressionBombError) as e:
        raise CheckError(f"check failed: {label} does not decode ({str(e).strip() or type(e).__name__})"
                         ) from None


def _verify_animation(path: Path, label: str, fmt, poster, *, frames=None, fps=None,
                      size=None, most: int | None = None, poster_name="the poster") -> dict:
    from PIL import Image

    from .formats import animation_size, kept_frames
    meta = decode_animation(path, label)
    if meta["loop"] != 0:
        raise CheckError(f"check failed: {label} does not loop forever; render it again")
    w, h = meta["size"]
    if size is not None:
        limits = fmt if frames is not None else replace(fmt, max_width=max(w, 1))
        want = animation_size(tuple(size), limits)
        if (w, h) != want:
            raise CheckError(f"check failed: {label} is {w}x{h}, expected {want[0]}x{want[1]} "
                             f"(the poster's shape{' and the width limit' if frames else ''})")
    if frames is not None and fps is not None:
        # WebP stores a run of identical frames (the hold) as one longer frame: so the
        # frames may be fewer than kept, but together they last as long as the video (the
        # kept frames are retimed to fps * kept / frames: nnviz.encode.video._animation_chain)
        kept = kept_frames(frames, fps, fmt)
        length = frames / fps
        if meta["frames"] > kept or abs(meta["duration"] - length) > 0.02 * length + 0.05:
            raise CheckError(f"check failed: {label} holds {meta['frames']} frames lasting "
                             f"{meta['duration']:g} s, expected {kept} lasting {length:g} s; "
                             f"render it again")
    if most is not None and meta["frames"] > most:
        raise CheckError(f"check failed: {label} holds {meta['frames']} frames, more than the "
                         f"videos' {most}; render it again")
    if poster is not None:
        scaled = np.asarray(Image.fromarray(np.ascontiguousarray(poster[..., :3]))
                            .resize((w, h), Image.LANCZOS))
        if psnr(meta["last"], scaled) < ANIMATION_PSNR:
            raise CheckError(f"check failed: {label} does not end on {poster_name}'s picture; "
                             f"render again")
    return meta


def verify(videos: dict[Path, str], poster: np.ndarray | None, *, snapshots: int | None = None,
           frames: int | None = None, size: tuple[int, int] | None = None,
           fps: float | None = None, poster_name: str = "the poster",
           formats=None) -> list[tuple[Path, dict]]:
    """The one definition of a valid render (see the module's docstring).

    `videos` maps each file to the name its messages use; `poster` is the poster's RGB(A)
    pixels (None: no poster to compare); `snapshots`, `frames` and `size` are checked when
    known (the render knows all three; a folder knows its log's snapshots). `formats` maps
    files to the formats rendered (their names may be temporaries; the animated images'
    limits come from there), else each file's extension says.
    """
    images = {p: label for p, label in videos.items() if _format_of(p, formats).animation}
    videos = {p: label for p, label in videos.items() if p not in images}
    if size is None and poster is not None:
        size = (poster.shape[1], poster.shape[0])
    results = _verify_videos(videos, poster, snapshots=snapshots, frames=frames, size=size,
                             fps=fps, poster_name=poster_name) if videos else []
    most = results[0][1]["presented"] if results else frames
    for path, label in images.items():
        results.append((path, _verify_animation(
            path, label, _format_of(path, formats), poster, frames=frames, fps=fps, size=size,
            most=most, poster_name=poster_name)))
    return results


def _verify_videos(videos, poster, *, snapshots, frames, size, fps, poster_name):
    results = [(path, _decode(path, label)) for path, label in videos.items()]
    for path, meta in results:
        if size is not None and tuple(meta["size"]) != tuple(size):
            raise CheckError(f"check failed: {videos[path]} is {meta['size'][0]}x{meta['size'][1]}, "
                             f"expected {size[0]}x{size[1]} (the poster's size)")
    counts = {m["presented"] for _, m in results}
    if len(counts) > 1:
        detail = ", ".join(f"{videos[p]}: {m['presented']}" for p, m in results)
        raise CheckError(f"check failed: the videos disagree on their frame count ({detail})")
    first_path, first = results[0]
    for path, meta in results:
        # the same rate everywhere (the requested one, when known), within the time bases'
        # rounding: a frame every 1/fps s, so the last starts (frames - 1)/fps s after the first
        span = (meta["presented"] - 1) / fps if fps else first["span"]
        slack = meta["tick"] + (first["tick"] if not fps else 0) + 1e-3 * span
        if abs(meta["span"] - span) > slack:
            rate = f"{(meta['presented'] - 1) / meta['span']:g} fps" if meta["span"] else "no rate"
            want = f"{fps:g} fps" if fps else f"the rate of {videos[first_path]}"
            raise CheckError(f"check failed: {videos[path]} plays at {rate}, expected {want}; "
                             f"render it again")
        if frames is not None and meta["presented"] != frames:
            raise CheckError(f"check failed: {videos[path]} presents {meta['presented']} frames, "
                             f"expected {frames}; render it again")
        if snapshots is not None and meta["presented"] < snapshots:
            raise CheckError(f"check failed: {videos[path]} has fewer frames ({meta['presented']}) "
                             f"than the log has snapshots ({snapshots})")
    if poster is not None:
        target = rgb_to_yuv(poster)
        for path, meta in results:
            if psnr(meta["last_yuv"], target) < POSTER_PSNR:
                raise CheckError(f"check failed: {videos[path]} does not end on {poster_name}'s "
                                 f"picture; render again")
    return results


def verify_video(path: Path, frames: int, size: tuple[int, int], fps: float,
                 label: str | None = None) -> dict:
    """Decode `path` fully; fail unless it presents `frames` frames of `size`."""
    return verify({Path(path): label or Path(path).name}, None, frames=frames, size=size,
                  fps=fps)[0][1]


def _videos(folder: Path) -> list[Path]:
    from .formats import FORMATS
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
    from ..log.snapshots import load
    from .formats import FORMATS

    folder = Path(folder)
    videos = _videos(folder)
    if not videos:
        raise CheckError(f"check failed: {folder} holds no video ({', '.join(FORMATS)})")
    posters = [p for p in folder.glob("*.png") if not p.name.startswith(".")]
    logs = [p for p in [*folder.glob("*.npz"), *(folder / "runs").glob("*.npz")]   # runs: nnviz.learn.runs
            if not p.name.startswith(".")]
    for log in logs:
        _regular(log, log)
    snapshots = max((len(load(p)) for p in logs), default=None)
    results = None
    for png in posters or [None]:
        poster = None if png is None else read_poster(png)
        results = verify({v: str(v) for v in videos}, poster, snapshots=snapshots,
                         poster_name=png.name if png else "the poster")
    duration = max((m["span"] + m["span"] / max(m["presented"] - 1, 1)) if "span" in m
                   else float(m.get("duration") or "inf") for _, m in results)
    from .trackcheck import check_tracks
    check_tracks(folder, videos[0].name.rpartition(".")[0], duration)
    return results
