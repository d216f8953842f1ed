"""The encoder: one ffmpeg process that writes every format of nnviz.encode.formats at once.

Raw RGBA frames go over a pipe to the ffmpeg binary that imageio-ffmpeg ships; ffmpeg turns
them into yuv420p once and splits that to one encoder per format. Each output is written to a
temporary the caller made (outputs.temporary); committing (renaming) is the caller's job once
everything has succeeded. ffmpeg opens outputs by name, so it is given /proc/self/fd/N of a
descriptor nnviz opened itself: the very file, never whatever a name points to meanwhile.
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
from pathlib import Path

import imageio_ffmpeg

from .. import interrupts
from ..outputs import rewrite


from .formats import LARGE_PIXELS, EncodeError, VideoFormat, animation_chain


F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
PIPE_SIZE = 1 << 20


def _child_setup() -> None:
    """In the ffmpeg child: run at a lower priority, so drawing, the critical path, keeps its
    core. ffmpeg runs in its own process group: Ctrl-C and a SIGTERM to nnviz's group reach
    nnviz only, which stops ffmpeg itself and cleans up after it (ffmpeg ends at the pipe's
    end if nnviz is killed)."""
    os.nice(10)


def _by_descriptor(path: Path) -> tuple[str, int | None]:
    """The name ffmpeg should open for our temporary `path`, and the descriptor to pass."""
    if not os.path.isdir("/proc/self/fd"):
        return str(path), None
    with rewrite(path) as f:
        fd = os.dup(f.fileno())
    return f"/proc/self/fd/{fd}", fd


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def _wait(process) -> None:
    """Wait for ffmpeg to end (it may need seconds more), acting on a signal meanwhile."""
    while True:
        try:
            process.wait(timeout=0.05)
            return
        except subprocess.TimeoutExpired:
            interrupts.check()


class Encoder:
    """One ffmpeg process: `write` RGBA frames, then `finish`; `abort` on any failure."""

    def __init__(self, outputs: dict[VideoFormat, Path], size: tuple[int, int], fps: float,
                 frames: int):
        self.outputs = outputs
        self.second = None   # the running second pass of a GIF (see _palette_pass)
        # A GIF's one palette is known only once every frame has been seen: paletteuse in
        # the same graph would hold every kept frame until then (0.7 MB each at 640x360,
        # 1.2 GB for a 3,000-frame clip). So the first pass writes the kept, scaled frames
        # losslessly (FFV1 in NUT, exact timestamps) and the palette (palettegen holds only a
        # histogram) to a work folder, and a second ffmpeg maps those frames through that
        # palette: the same GIF, and memory that does not grow with the clip.
        self.work = None
        self.staged = {}
        if any(fmt.palette for fmt in outputs):
            import tempfile
            self.work = Path(tempfile.mkdtemp(prefix="nnviz-gif-"))
            self.staged = {fmt: (self.work / f"frames{i}.nut", self.work / f"palette{i}.png")
                           for i, fmt in enumerate(outputs) if fmt.palette}
        w, h = size
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{w}x{h}", "-framerate", f"{fps}",
               "-i", "pipe:0", "-filter_complex", self._graph(list(outputs), size, fps, frames)]
        fds = []
        try:
            self.process = self._start(cmd, outputs, frames, fds, w * h > LARGE_PIXELS, fps,
                                       self.staged)
        finally:
            for fd in fds:
                os.close(fd)
        try:  # a frame per pipe write rather than 64 KiB: far fewer context switches
            fcntl.fcntl(self.process.stdin.fileno(), F_SETPIPE_SZ, PIPE_SIZE)
        except OSError:
            pass

    @staticmethod
    def _graph(formats: list[VideoFormat], size, fps: float, frames: int) -> str:
        """One filter graph: the videos share one yuv420p conversion; each animated image
        has its own branch from the RGB frames. Output i is labelled [v{i}]."""
        videos = [i for i, f in enumerate(formats) if not f.animation]
        images = [i for i, f in enumerate(formats) if f.animation]
        source, parts = "[0:v]", []
        if images:
            branches = (["[yuv]"] if videos else []) + [f"[a{i}]" for i in images]
            parts.append(f"[0:v]split={len(branches)}{''.join(branches)}")
            source = "[yuv]"
        if videos:
            parts.append(f"{source}format=yuv420p,split={len(videos)}"
                         + "".join(f"[v{i}]" for i in videos))
        for i in images:
            label = f"[p{i}out]" if formats[i].palette else f"[v{i}]"
            parts.append(f"[a{i}]{animation_chain(formats[i], i, size, fps, frames)}{label}")
        return ";".join(parts)

    @staticmethod
    def _start(cmd, outputs, frames, fds, large=False, fps=25.0, staged=None):
        for i, (fmt, path) in enumerate(outputs.items()):
            if fmt.palette and staged:
                kept, palette = staged[fmt]
                cmd += ["-map", f"[v{i}]", "-c:v", "ffv1", "-pix_fmt", "bgr0", "-fps_mode",
                        "passthrough", "-an", "-f", "nut", str(kept),
                        "-map", f"[p{i}out]", "-f", "image2", "-update", "1", str(palette)]
                continue
            target, fd = _by_descriptor(path)
            fds += [fd] if fd is not None else []
            # a keyframe last only where needed: Theora stores repeated frames as empty
            # packets, and without it a held final frame is cut from the ogv's duration.
            # Elsewhere it costs the poster's frame: x264's mb-tree gives a final keyframe,
            # which nothing references, a high quantiser (mp4 ended 2 dB further from the
            # poster at 160x120, 240 fps, and its file was 20 % larger)
            key = ["-force_key_frames", f"expr:gte(n,{frames - 1})"] if fmt.key_last else []
            last = [arg.format(last=frames - 1) for arg in fmt.last_frame]
            timing = ["-fps_mode", "passthrough"] if fmt.animation else []   # as selected
            gop = (["-g", str(min(fmt.key_frames, max(1, int(fps * fmt.key_seconds))))]
                   if fmt.key_seconds else [])
            cmd += ["-map", f"[v{i}]", "-c:v", fmt.codec, *fmt.args, *(fmt.large if large else ()),
                    *last, *gop, "-pix_fmt", fmt.pix_fmt, *key, *timing, "-an",
                    "-f", fmt.muxer, *fmt.mux, target]
        # buffered stdin: its write() always passes the whole frame (a raw one may stop short)
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, preexec_fn=_child_setup,
                                pass_fds=fds, process_group=0)

    def write(self, frame) -> None:
        try:
            self.process.stdin.write(frame)
        except (BrokenPipeError, OSError):
            self._fail()

    def finish(self) -> None:
        try:
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        _wait(self.process)
        if self.process.returncode != 0:
            self._fail()
        try:
            for fmt, (kept, palette) in self.staged.items():
                self._palette_pass(fmt, kept, palette, self.outputs[fmt])
        finally:
            self._clean()

    def _palette_pass(self, fmt, kept, palette, path) -> None:
        """The GIF's second pass: its kept frames through the palette, into the GIF."""
        fds = []
        target, fd = _by_descriptor(path)
        fds += [fd] if fd is not None else []
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-i", str(kept), "-i", str(palette),
               "-filter_complex", f"[0:v][1:v]paletteuse={fmt.palette}[v]", "-map", "[v]",
               "-c:v", fmt.codec, *fmt.args, "-pix_fmt", fmt.pix_fmt,
               "-fps_mode", "passthrough", "-an", "-f", fmt.muxer, target]
        try:
            self.second = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                           preexec_fn=_child_setup, pass_fds=fds,
                                           process_group=0)
        finally:
            for fd in fds:
                os.close(fd)
        self.process, first = self.second, self.process
        try:
            _wait(self.process)
            if self.process.returncode != 0:
                self._fail()
        finally:
            self.second = None
            self.process.stderr.close()
            self.process = first

    def _clean(self) -> None:
        if self.work is not None:
            import shutil
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None

    def _fail(self):
        self.process.kill()
        self.process.wait()
        interrupts.check()   # ffmpeg stopped because we were interrupted: say that instead
        err = self.process.stderr.read().decode(errors="replace").strip().splitlines()
        code = self.process.returncode
        if code < 0:
            why = f"ffmpeg was killed by {signal.Signals(-code).name}"
            if -code == signal.SIGXFSZ:
                why += " (file size limit reached: is the disk full?)"
        else:
            why = f"ffmpeg failed: {err[-1] if err else f'exit code {code}'}"
            if any("No space left" in line or "File too large" in line for line in err):
                why += " (is the disk full?)"
        raise EncodeError(f"encoding failed, no video written: {why}")

    def abort(self) -> None:
        """Stop ffmpeg at once; the caller removes the temporary files."""
        for process in (self.process, self.second):
            if process is None:
                continue
            if process.poll() is None:
                process.kill()
            process.wait()
            for stream in (process.stdin, process.stderr):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
        self._clean()
