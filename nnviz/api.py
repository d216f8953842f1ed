"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import base64
import copy
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import outputs
from .errors import UsageError
from .names import check_scene_name
from .scene import Scene, resolve
from .scene_checks import instantiate
from .snapshots import SnapshotLog, load
from .training import train as train_scene
from .video import DEFAULT_FORMATS, Encoder, parse_formats

MIN_SIZE, MAX_SIZE = (160, 120), (7680, 4320)


def single_threaded_blas():
    """Our matrices are small: BLAS threads only spin and take the core ffmpeg needs."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


def prepare_folder(root: str | Path, name: str) -> Path:
    """OUT/NAME, created if missing, checked writable before any work starts."""
    root = Path(root)
    for part in (root, *root.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"--out {root}: {part} is a file, not a folder; give a folder path")
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise UsageError(f"--out {root}: cannot write to {folder} ({e.strerror}); "
                         f"give a writable folder") from None
    return folder


@contextmanager
def output_folder(root: str | Path, name: str):
    """OUT/NAME, ready for writing; if the work inside fails, the folders it created go again."""
    target = Path(root) / name
    created = [p for p in (target, *target.parents) if not p.exists()]
    folder = prepare_folder(root, name)
    try:
        yield folder
    except BaseException:
        for path in created:   # deepest first; a folder that is not empty stays
            try:
                path.rmdir()
            except OSError:
                break
        raise


def train(scene: str | type[Scene] | Scene, out: str | Path = "output", *, steps=None,
          every=None, seed: int = 0, lr=None, progress=None) -> SnapshotLog:
    """Train a scene (a name, a path or a Scene) and save its log to OUT/NAME/NAME.npz."""
    scene = _scene(scene)
    with output_folder(out, scene.name) as folder, single_threaded_blas():
        return train_scene(scene, folder / f"{scene.name}.npz", landscape="landscape" in scene.panels,
                           steps=steps, every=every,
                           seed=seed, lr=lr, progress=progress)


def _scene(scene) -> Scene:
    if isinstance(scene, str):
        scene = instantiate(resolve(scene))
    elif isinstance(scene, type) and issubclass(scene, Scene):
        scene = instantiate(scene)
    elif not isinstance(scene, Scene):
        raise UsageError(f"scene must be a name, a path or a Scene, got {scene!r}")
    check_scene_name(scene.name, f"scene {type(scene).__name__}")   # a Scene made in code
    return scene


def parse_panels(scene: str, panels) -> tuple[str, ...]:
    """`--panels boundary,network,loss` or a list: the panels to draw instead of the scene's."""
    from .scene import check_panel_choice
    names = panels.split(",") if isinstance(panels, str) else list(panels)
    if any(not isinstance(n, str) or not n.strip() for n in names):
        raise UsageError(f"--panels must be a comma list of panel names without empty items, "
                         f"got {panels!r}")
    return check_panel_choice(scene, [n.strip() for n in names])


def check_size(size) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise UsageError(f"--size must be WIDTHxHEIGHT, e.g. 1280x720, got {size!r}") from None
    if w < MIN_SIZE[0] or h < MIN_SIZE[1]:
        raise UsageError(f"--size {w}x{h} is too small; the smallest is {MIN_SIZE[0]}x{MIN_SIZE[1]}")
    if w > MAX_SIZE[0] or h > MAX_SIZE[1]:
        raise UsageError(f"--size {w}x{h} is too large; the largest is {MAX_SIZE[0]}x{MAX_SIZE[1]}")
    if w % 2 or h % 2:
        raise UsageError(f"--size {w}x{h}: width and height must be even (H.264 needs it), "
                         f"e.g. {w + w % 2}x{h + h % 2}")
    return w, h


def check_timing(fps, hold) -> tuple[float, float]:
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 240:
        raise UsageError(f"--fps must be a number above 0 and at most 240, got {fps!r}")
    if isinstance(hold, bool) or not isinstance(hold, (int, float)) or not 0 <= hold <= 600:
        raise UsageError(f"--hold must be a number of seconds from 0 to 600, got {hold!r}")
    return float(fps), float(hold)


@dataclass
class RenderResult:
    """What a render made: the files by kind. Displays the video inline in a notebook."""
    scene: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    frames: int = 0
    fps: float = 25.0

    def __repr__(self):
        lines = [f"RenderResult({self.scene!r}, {self.frames} frames at {self.fps:g} fps)"]
        lines += [f"  {kind:<5} {path}" for kind, path in self.files.items()]
        return "\n".join(lines)

    def _repr_html_(self):
        for kind, mime in (("mp4", "video/mp4"), ("webm", "video/webm")):
            if kind in self.files:
                data = base64.b64encode(self.files[kind].read_bytes()).decode()
                return (f'<video controls loop style="max-width:100%" '
                        f'src="data:{mime};base64,{data}"></video>')
        if "png" in self.files:
            data = base64.b64encode(self.files["png"].read_bytes()).decode()
            return f'<img style="max-width:100%" src="data:image/png;base64,{data}">'
        return f"<pre>{self!r}</pre>"


def render(scene=None, *, from_log: str | Path | SnapshotLog | None = None, out: str | Path = "output",
           size=(1280, 720), fps: float = 25, hold: float = 1.0, formats=DEFAULT_FORMATS,
           steps=None, every=None, seed: int = 0, lr=None, check: bool = False,
           panels=None, progress: Callable | None = None) -> RenderResult:
    """Train `scene` (or read `from_log`) and write videos, poster, log and page to OUT/NAME/.

    Every file is written under a temporary name and renamed only when all of them are done,
    so a failure or an interruption leaves the folder exactly as it was.
    """
    size = check_size(size)
    fps, hold = check_timing(fps, hold)
    chosen = parse_formats(formats)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from LOG.npz, not both"
                         if scene is not None else "give a scene name or --from LOG.npz")
    if from_log is not None:
        source = from_log if isinstance(from_log, SnapshotLog) else load(from_log)
        name = source.meta["scene"]
        if panels is not None:   # a render option: the log on disk keeps what it was made for
            from .frames import check_panels
            source = copy.copy(source)
            source.meta = dict(source.meta, panels=list(parse_panels(name, panels)))
            check_panels(name, source.meta["panels"], source.names, source.meta)
    else:
        scene, source = _scene(scene), None
        name = scene.name
        if panels is not None:
            scene = copy.copy(scene)
            scene.panels = parse_panels(name, panels)
    with output_folder(out, name) as folder, single_threaded_blas():
        outputs.remove_stale(folder)
        return _render_in_folder(folder, name, scene, source, chosen, size, fps, hold, steps,
                                 every, seed, lr, check, progress)


def _render_in_folder(folder, name, scene, source, chosen, size, fps, hold, steps, every, seed,
                      lr, check, progress) -> RenderResult:
    from .frames import FrameRenderer
    from .page import standalone_page, video_block

    final = {ext: folder / f"{name}.{ext}" for ext in ("npz", "png", "html")}
    final.update({fmt.name: folder / f"{name}.{fmt.extension}" for fmt in chosen})
    temps = {kind: outputs.temporary(path) for kind, path in final.items()}
    tick = progress or (lambda n=1: None)
    phase = getattr(progress, "phase", lambda label: None)   # a Progress names each stage
    encoder = None
    try:
        if source is None:
            from .frames import check_panels
            log = train_scene(scene, temps["npz"], steps=steps, every=every, seed=seed, lr=lr,
                              landscape="landscape" in scene.panels,
                              progress=tick,
                              before=lambda arrays: check_panels(name, list(scene.panels), arrays))
        else:
            if source.path.resolve() != final["npz"].resolve():
                shutil.copyfile(source.path, temps["npz"])
            log = source
        phase(f"rendering {name}")
        renderer = FrameRenderer(log, size)
        hold_frames = int(round(hold * fps))
        frames = len(log) + hold_frames
        encoder = Encoder({fmt: temps[fmt.name] for fmt in chosen}, size, fps, frames)
        for frame in renderer.frames():
            encoder.write(frame)
            tick(1)
        last = np.array(frame)   # the canvas buffer is reused: keep a copy of the final frame
        renderer.close()
        for _ in range(hold_frames):
            encoder.write(last)
        phase(f"encoding {name}")
        encoder.finish()
        encoder = None
        _write_png(temps["png"], last[..., :3])
        videos = {fmt: temps[fmt.name] for fmt in chosen}
        block = video_block(name, videos, size)
        temps["html"].write_text(standalone_page(name, log.meta["title"], block),
                                 encoding="utf-8")   # as the page's <meta charset> says
        if check:
            from .check import verify_video
            for fmt in chosen:
                verify_video(temps[fmt.name], frames, size, fps, label=final[fmt.name].name)
        commit = {temps[k]: final[k] for k in final if temps[k].exists()}
        outputs.commit(commit)
    except BaseException:
        if encoder is not None:
            encoder.abort()
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    files = {k: final[k] for k in (*[f.name for f in chosen], "png", "npz", "html")}
    return RenderResult(name, folder, files, frames, fps)


def _write_png(path: Path, rgb: np.ndarray) -> None:
    import imageio.v3 as iio
    iio.imwrite(path, rgb, extension=".png")
