"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import os
import shutil
from contextlib import suppress
from pathlib import Path

import numpy as np

from .. import interrupts, outputs
from ..captions import CHOICES, past_video, read_track
from ..errors import NnvizError
from ..settings import (HOLD, MAX_SIZE, MIN_SIZE, QUICK, SIZE, check_size,  # noqa: F401
                       check_timing, quick_every)
from ..log.snapshots import SnapshotLog, load
from ..encode.video import Encoder
from ..encode.formats import animation_size, parse_formats
from ..settings import Settings
from .folders import commit_render
from .result import RenderResult

def log_copy(source: SnapshotLog, final: Path, name: str) -> tuple[Path, SnapshotLog]:
    """The log to render from, as our own temporary beside `final`, read once at the start.

    The folder's own log (`--from OUT/NAME/NAME.npz`) is hard-linked: no copy, and a concurrent
    render's commit that replaces it cannot change what we read. The videos and the log
    committed with them then always agree. A log from elsewhere is copied.
    """
    def link(path):
        os.link(source.path, path)
        return path
    tmp = None
    if Path(source.path).resolve().parent == final.parent.resolve():
        with suppress(OSError):   # no hard links here: copy it
            tmp = outputs.exclusive(final, link)
    try:
        if tmp is None:
            tmp, fd = outputs.create(final)
            with os.fdopen(fd, "wb") as dst, open(source.path, "rb") as src:
                shutil.copyfileobj(src, dst)
        log = load(tmp)
        log.label = source.label   # errors found while drawing name the user's file
        if log.meta.get("scene") != name:
            raise NnvizError(f"{source.path} changed while nnviz read it; run again")
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return tmp, log


def make(folder, name, logs_final, produce, stale_extra, settings: Settings,
         progress, snapshots: int | None = None) -> RenderResult:
    """Make the logs (`produce` fills their temporaries and returns (make_renderer(size),
    frames, title, the logs)), draw and encode the frames, write poster and page, commit everything
    at once. `snapshots`: how many the logs will hold, when known before they are made (a
    hand-written captions track too long for the video is then refused before training)."""
    from ..publish.page import image_blocks, standalone_page, video_block
    from ..publish.tracks import TRACKS, write_tracks
    from ..story.race import tell_logs

    size, fps, hold = settings.look.size, settings.look.fps, settings.look.hold
    check = settings.encode.check
    chosen = parse_formats(settings.encode.formats, settings.encode.gif_width,
                           settings.encode.gif_fps)

    final = dict(logs_final)
    final.update({ext: folder / f"{name}.{ext}" for ext in ("png", "html")})
    final.update({kind: folder / f"{name}.{suffix}" for kind, (suffix, _) in TRACKS.items()})
    final.update({fmt.name: folder / f"{name}.{fmt.extension}" for fmt in chosen})
    temps = {}
    tick = progress or (lambda n=1: None)
    phase = getattr(progress, "phase", lambda label: None)   # a Progress names each stage
    encoder = None
    captions = settings.look.captions
    if snapshots is not None and captions not in CHOICES:
        past_video(captions, (snapshots + int(round(hold * fps))) / fps)
    try:
        interrupts.check()
        make_renderer, n_snapshots, title, story_logs = produce(temps, tick)
        for kind in final.keys() - temps.keys():
            temps[kind] = outputs.temporary(final[kind])
        interrupts.check()
        hold_frames = int(round(hold * fps))
        frames = n_snapshots + hold_frames
        # the words: from the logs alone (every run's, as read back), timed as the frames
        story = tell_logs(story_logs, fps, frames, settings.look.language)
        theme = settings.look.theme or story_logs[0].meta.get("theme", "light")
        captions, strip = settings.look.captions, None
        hand = None if captions in CHOICES else read_track(captions)
        if hand is not None:
            past_video(captions, frames / fps)
        phase("drawing")
        if captions == "burn":   # the descriptions drawn under the panels
            from ..draw.caption import CaptionStrip
            # the words without their figures: the header shows them live, frame by frame
            strip = CaptionStrip(size, theme, [(c.frame, c.lead) for c in story.descriptions])
        # text sized for the smallest output too: a GIF or WebP shows the frames scaled down
        read_at = min((animation_size(size, fmt) for fmt in chosen), key=lambda s: s[0])
        renderer = make_renderer(strip.panels_size() if strip else size,
                                 read_at if read_at[0] < size[0] else None)
        encoder = Encoder({fmt: temps[fmt.name] for fmt in chosen}, size, fps, frames)
        for i, frame in enumerate(renderer.frames()):
            interrupts.check()   # between frames: never inside matplotlib's drawing
            shown = strip.compose(i, frame) if strip else frame
            encoder.write(shown)
            tick(1)
        last = np.array(shown)   # the canvas buffer is reused: keep a copy of the final frame
        panels_last = np.array(frame) if strip else None
        renderer.close()
        for i in range(n_snapshots, frames):
            interrupts.check()
            if strip:   # the held frames show the final result's caption
                last = np.array(strip.compose(i, panels_last))
            encoder.write(last)
            tick(1)
        if strip:
            strip.close()
        phase("encoding")
        encoder.finish()
        encoder = None
        _write_png(temps["png"], last[..., :3])
        videos = {fmt: temps[fmt.name] for fmt in chosen}
        write_tracks({kind: temps[kind] for kind in TRACKS}, story, hand)
        block = video_block(name, videos, size, language=story.language,
                            hand_captions=hand is not None)
        with outputs.rewrite(temps["html"], "w", encoding="utf-8") as page:
            from ..learn.describe import made_with   # the page says how the video was made
            about = " ".join(filter(None, (story_logs[0].meta.get("description", ""),
                                           made_with(story_logs[0].meta))))
            page.write(standalone_page(name, title, block, image_blocks(name, title, videos, size),
                                       story, about,
                                       settings.look.theme or story_logs[0].meta.get("theme",
                                                                                     "light")))
        if check:   # the same definition of a valid render as `nnviz check`, and more
            from ..encode.check import verify
            phase("checking")
            interrupts.check()
            verify({temps[fmt.name]: final[fmt.name].name for fmt in chosen}, last,
                   snapshots=n_snapshots, frames=frames, size=size, fps=fps,
                   poster_name=final["png"].name,
                   formats={temps[fmt.name]: fmt for fmt in chosen})
            tick(frames * len(chosen))
        interrupts.decide()
        commit_render(folder, name, {temps[k]: final[k] for k in final}, stale_extra)
    except BaseException:
        if encoder is not None:
            encoder.abort()
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    files = {k: final[k] for k in (*[f.name for f in chosen], "png", *logs_final, *TRACKS,
                                   "html")}
    checked = tuple(f.name for f in chosen) if check else ()
    return RenderResult(name, folder, files, frames, fps, checked, size)


def _write_png(path: Path, rgb: np.ndarray) -> None:
    import imageio.v3 as iio
    with outputs.rewrite(path) as f:
        f.write(iio.imwrite("<bytes>", rgb, extension=".png"))
