"""The output formats as data: codec, pixel format, flags, extension, MIME type, registered by
name (webm, ogv, mp4, gif, webp), and the rules for the animated images' size and rate.
nnviz.encode.video streams frames to all of them with one ffmpeg.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from ..errors import NnvizError
from ..settings import (DEFAULT_FORMATS, FORMAT_NAMES, MAX_ANIMATION_WIDTH,  # noqa: F401
                        MIN_ANIMATION_FPS, MIN_ANIMATION_WIDTH, check_formats, check_gif_fps,
                        check_gif_width)


class EncodeError(NnvizError):
    pass


@dataclass(frozen=True)
class VideoFormat:
    """One output format, as data: what ffmpeg needs and what a <source> element says."""
    name: str
    extension: str
    muxer: str
    codec: str
    args: tuple[str, ...]
    mime: str
    codecs: str           # the codecs parameter of the MIME type ("" if read from the file)
    key_last: bool = False   # force a keyframe on the last frame (see Encoder._start)
    last_frame: tuple[str, ...] = ()   # options for the last frame, "{last}" its number
    large: tuple[str, ...] = ()   # added above LARGE_PIXELS: fewer frames held in the encoder
    pix_fmt: str = "yuv420p"
    mux: tuple[str, ...] = ()   # options of the muxer
    # a keyframe at least every this many seconds ("-g" lowered at low frame rates; 0: the
    # encoder's own interval, `key_frames` frames)
    key_seconds: float = 0.0
    key_frames: int = 0
    # an animated image (GIF, WebP) for READMEs: an <img>, looping, scaled down to at most
    # `max_width` pixels and `max_fps` frames a second in its own branch of the filter graph
    animation: bool = False
    palette: str = ""        # paletteuse options: one palette for the whole clip (GIF)
    max_width: int = 640
    max_fps: float = 15.0

    def type_attribute(self, path: Path | None = None) -> str:
        codecs = self.codecs or (mp4_codecs(path) if path else "")
        return f'{self.mime}; codecs="{codecs}"' if codecs else self.mime


FORMATS: dict[str, VideoFormat] = {}


def register(fmt: VideoFormat) -> VideoFormat:
    FORMATS[fmt.name] = fmt
    return fmt


# Settings chosen by measured sweeps (benchmarks/render_speed.py reports their SSIM and sizes):
# for each format the fastest settings whose SSIM against the source frames is >= 0.98 with
# files no larger than the original series' recipe (libvpx-vp9 -b:v 2M, libtheora
# -qscale:v 3, libx264 -crf 25) made.
# Above LARGE_PIXELS (beyond 1920x1080) each frame an encoder holds costs tens of MB (50 MB in
# yuv420p at 7680x4320), so the formats' `large` options keep fewer of them: measured alone at
# 7680x4320 over 28 frames, ffmpeg's peak went from 3.9 to 3.0 GB for webm (-lag-in-frames 0)
# and from 3.3 to 2.2 GB for mp4 (one thread, 2 frames of lookahead; same file size); Theora
# holds no frames of its own. The rest, about 1.9 GB there, is ffmpeg's own queues between its
# threads (8 frames each), which no option sets (benchmarks/render_speed.py --large).
LARGE_PIXELS = 1920 * 1080

# WebM: browsers seek by the Cues (the index) to a cluster and decode from its start, so
# every cluster starts with a keyframe and the Cues come first. ffmpeg's matroska muxer
# otherwise starts a cluster every 5 s or 5 MiB whatever the frame (the cluster holding the
# keyframe at 5.12 s began at 5.04 s with two frames that need the one before) and writes the
# Cues last: Chromium 156 then failed with a decode error on seeks issued one after another
# (a drag of the scrubber) into any cluster but the first. With no time or size limit the
# muxer starts a cluster at each keyframe (once the cluster holds 4 KiB), so one GOP, at
# most 128 frames, is all it holds in memory, whatever the size or length of the video. A
# block's time is 16 bits of milliseconds from its cluster's start, so a cluster must end
# within 32.7 s: below 4.3 fps a keyframe comes at least every 30 s (`key_seconds`).
# Measured on xor_two_classes at 1280x720 (226 frames): 514,684 bytes before, 514,683 after
# (a remux of the same packets: the Cues moved to the front, clusters split at keyframes).
register(VideoFormat(
    "webm", "webm", "webm", "libvpx-vp9",
    ("-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-b:v", "0", "-crf", "34"),
    "video/webm", "vp9", large=("-lag-in-frames", "0"),
    mux=("-cues_to_front", "1", "-cluster_time_limit", str(2**63 - 1),
         "-cluster_size_limit", str(2**31 - 1)),
    key_seconds=30.0, key_frames=128))   # 128: libvpx's own keyframe interval
register(VideoFormat(
    # -g 250: ffmpeg's default of a keyframe every 12 frames makes Theora files 3x larger
    "ogv", "ogv", "ogg", "libtheora", ("-q:v", "5.5", "-speed_level", "4", "-g", "250"),
    "video/ogg", "theora", key_last=True))
register(VideoFormat(
    "mp4", "mp4", "mp4", "libx264",
    ("-preset", "veryfast", "-crf", "25", "-movflags", "+faststart"),
    # the last frame is the poster's picture, shown through the hold: at CRF 25 x264 left it
    # 28.5 dB from the poster at 160x120 (nothing references it, so mb-tree spends nothing on
    # it); a fixed quantiser of 20 for that one frame gives 38 dB for about 4 kB there
    "video/mp4", "", last_frame=("-x264-params", "zones={last},{last},q=20"),
    large=("-threads", "1", "-rc-lookahead", "2")))

# The animated images. GIF: one palette for the whole clip (palettegen over every frame, so
# the frames share their colours and flat areas keep one index; applied in a second pass, see
# Encoder, so memory does not grow with the clip), no dithering, and each frame
# stores only the rectangle that changed (diff_mode=rectangle). Measured on xor_two_classes:
# Bayer dithering smooths the heat map's gradient but turned half of the white background
# into a 254/255 checkerboard; error diffusion left 0.5-2.6 % of it off-white and flickering;
# without dithering white stays white, the file is smallest (1.6 MB) and the last frame
# closest to the poster (35 dB), at the price of faint steps in the palest gradients. WebP:
# lossy, quality 88 (0.9 MB, 31.5 dB), looping. Figures from `benchmarks/render_speed.py
# --only share` on xor_two_classes at 1280x720 (640x360, 15 fps).
register(VideoFormat(
    "gif", "gif", "gif", "gif", ("-loop", "0"), "image/gif", "", pix_fmt="pal8",
    animation=True, palette="dither=none:diff_mode=rectangle"))
register(VideoFormat(
    "webp", "webp", "webp", "libwebp_anim",
    ("-lossless", "0", "-quality", "88", "-compression_level", "4", "-loop", "0"),
    "image/webp", "", animation=True))

assert tuple(FORMATS) == FORMAT_NAMES, FORMATS   # the settings know them by name


def parse_formats(text: str | list[str] | tuple[str, ...], gif_width: int | None = None,
                  gif_fps: float | None = None) -> list[VideoFormat]:
    """The formats named (nnviz.settings.check_formats), the animated images' limits replaced
    by `gif_width` and `gif_fps` (checked there too)."""
    limits = {}
    if gif_width is not None:
        limits["max_width"] = check_gif_width(gif_width)
    if gif_fps is not None:
        limits["max_fps"] = check_gif_fps(gif_fps)
    return [replace(FORMATS[n], **limits) if FORMATS[n].animation else FORMATS[n]
            for n in check_formats(text)]


def kept_frames(frames: int, fps: float, fmt: VideoFormat) -> int:
    """How many of `frames` at `fps` an animated image keeps: at most its max_fps."""
    if not fmt.animation or fps <= fmt.max_fps:
        return frames
    return max(1, min(frames, round(frames * fmt.max_fps / fps)))


def animation_size(size: tuple[int, int], fmt: VideoFormat) -> tuple[int, int]:
    """An animated image's size: at most max_width wide, the same shape, an even height."""
    w, h = size
    if not fmt.animation or w <= fmt.max_width:
        return w, h
    return fmt.max_width, max(2, round(h * fmt.max_width / w / 2) * 2)


def animation_chain(fmt: VideoFormat, i: int, size, fps: float, frames: int) -> str:
    """The filters of an animated image's branch: drop frames evenly (frame n stays when
    floor((n+1)M/N) > floor(nM/N), so exactly M of N stay and the last always does), retime
    them to the lower rate, scale down, and for a GIF make one palette and use it."""
    kept = kept_frames(frames, fps, fmt)
    steps = []
    if kept < frames:
        rate = Fraction(fps).limit_denominator(1000) * kept / frames
        steps += [f"select='gte(mod(n*{kept}\\,{frames})\\,{frames - kept})'",
                  f"setpts=N/({rate.numerator}/{rate.denominator})/TB",
                  f"fps={rate.numerator}/{rate.denominator}"]   # the rate, stamped on the stream
    w, h = animation_size(size, fmt)
    if (w, h) != tuple(size):
        steps.append(f"scale={w}:{h}:flags=area")   # 1.8x faster than lanczos, as sharp here
    chain = ",".join(steps) or "null"
    if fmt.palette:   # the frames to a lossless file and the palette to a PNG; see Encoder
        chain += f",split[v{i}][p{i}];[p{i}]palettegen=stats_mode=full"
    return chain


def mp4_codecs(path: Path) -> str:
    """`avc1.PPCCLL` from the file's own avcC box: the real profile, constraints and level."""
    data = Path(path).read_bytes()
    at = data.find(b"avcC")
    if at < 0:
        raise EncodeError(f"{path} has no H.264 configuration (avcC box)")
    return "avc1." + data[at + 5:at + 8].hex().upper()
