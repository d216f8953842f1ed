"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import base64
import copy
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Callable

import numpy as np

from . import interrupts, outputs
from .errors import NnvizError, UsageError
from .names import check_scene_name
from .scene import Scene, resolve
from .scene_checks import instantiate
from .snapshots import SnapshotLog, load
from .training import train as train_scene
from .video import DEFAULT_FORMATS, FORMATS, Encoder, parse_formats

MIN_SIZE, MAX_SIZE = (160, 120), (7680, 4320)
SIZE, HOLD = (1280, 720), 1.0
# --quick / quick=True: a smoke render in seconds; options given explicitly win
QUICK = {"size": (320, 240), "snapshots": 24, "hold": 0.5}


def quick_every(steps: int) -> int:
    """The snapshot cadence that gives a quick render about QUICK["snapshots"] frames."""
    return max(1, -(-steps // QUICK["snapshots"]))


def refuse_training_options(steps=None, every=None, seed=None, lr=None) -> None:
    """With --from the log is drawn as it was trained: a training option would be ignored, so
    it is refused rather than silently dropped."""
    given = [f"--{k}" for k, v in (("steps", steps), ("every", every), ("seed", seed), ("lr", lr))
             if v is not None]
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with --from: a saved log is drawn as "
                         f"it was trained; drop {'it' if len(given) == 1 else 'them'}, or render "
                         f"the scene by name to train again")


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


def owned(folder: Path, name: str) -> dict[str, Path]:
    """The files nnviz writes to OUT/NAME, by extension: one render's set is some of these."""
    extensions = ("npz", "png", "html", *(fmt.extension for fmt in FORMATS.values()))
    return {ext: folder / f"{name}.{ext}" for ext in extensions}


def _refuse_rendered(folder: Path, name: str) -> None:
    """A new log beside videos made from another one would break the set: refuse instead."""
    made = [p.name for ext, p in owned(folder, name).items() if ext != "npz" and os.path.lexists(p)]
    if made:
        raise NnvizError(f"{folder} holds a render ({', '.join(made)}) made from its log; "
                         f"run `nnviz render {name}` to train and render again, or train into "
                         f"another --out")


def train(scene: str | type[Scene] | Scene, out: str | Path = "output", *, steps=None,
          every=None, seed: int = 0, lr=None, progress=None) -> SnapshotLog:
    """Train a scene (a name, a path or a Scene) and save its log to OUT/NAME/NAME.npz.

    A folder that holds a render is refused (before training and again at the commit): its
    videos were made from the log there, and `nnviz check` must keep passing.
    """
    scene = _scene(scene)
    with output_folder(out, scene.name) as folder, single_threaded_blas():
        outputs.remove_stale(folder, scene.name)
        _refuse_rendered(folder, scene.name)
        final = folder / f"{scene.name}.npz"
        tmp = outputs.temporary(final)
        try:
            train_scene(scene, tmp, landscape="landscape" in scene.panels, steps=steps, every=every, seed=seed, lr=lr, progress=progress)
            outputs.commit({tmp: final}, before=lambda: _refuse_rendered(folder, scene.name))
        finally:
            tmp.unlink(missing_ok=True)
        return SnapshotLog(final)


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
    """A frame size from `(w, h)` or the CLI's `"WxH"` text, in range and even."""
    if isinstance(size, str):
        w, x, h = size.strip().lower().partition("x")
        if not (x and w.isdigit() and h.isdigit()):
            raise UsageError(f"--size {size!r} is not WIDTHxHEIGHT (e.g. 1280x720)")
        size = (int(w), int(h))
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
    """What a render made: the files by kind. A notebook shows it as the video with its poster,
    the file referenced rather than embedded (see `html`)."""
    scene: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    frames: int = 0
    fps: float = 25.0
    checked: tuple[str, ...] = ()   # the formats `check=True` decoded and verified
    size: tuple[int, int] | None = None

    def __repr__(self):
        lines = [f"RenderResult({self.scene!r}, {self.frames} frames at {self.fps:g} fps)"]
        lines += [f"  {kind:<5} {path}" for kind, path in self.files.items()]
        return "\n".join(lines)

    def html(self, embed: bool = False) -> str:
        """The result as HTML for a notebook: the video with the poster shown before it plays.

        embed=False (the default, and what a notebook shows for the result) references the
        video file by its path from the working directory, which Jupyter serves beside the
        notebook, and embeds only the poster (tens of kB). Embedding the video itself puts all
        of it, base64 (a third larger), into the .ipynb at every display: megabytes per cell,
        in every saved copy and every diff. embed=True does that, for a notebook that must
        play on its own elsewhere (e.g. sent as a file).
        """
        poster = ""
        if "png" in self.files and self.files["png"].is_file():
            poster = ("data:image/png;base64,"
                      + base64.b64encode(self.files["png"].read_bytes()).decode())
        for kind, mime in (("mp4", "video/mp4"), ("webm", "video/webm"), ("ogv", "video/ogg")):
            if kind in self.files:
                path = self.files[kind]
                src = (f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
                       if embed else escape(_relative(path).as_posix(), quote=True))
                poster_attr = f' poster="{poster}"' if poster else ""
                return (f'<video controls loop style="max-width:100%"{poster_attr} '
                        f'src="{src}"></video>')
        if poster:
            return f'<img style="max-width:100%" src="{poster}">'
        return f"<pre>{escape(repr(self))}</pre>"

    def show(self, embed: bool = False):
        """Display the video in a notebook (see `html` for `embed`); outside one, the object
        returned shows it when it is a cell's last expression."""
        shown = _Html(self.html(embed), self.scene)
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return shown
        if get_ipython() is None:
            return shown
        display(shown)
        return None

    def _repr_html_(self):
        return self.html(embed=False)


class _Html:
    """HTML a notebook displays (for RenderResult.show)."""

    def __init__(self, text: str, scene: str = ""):
        self.text, self.scene = text, scene

    def __repr__(self):
        return f"<the video of {self.scene}, shown in a notebook>"

    def _repr_html_(self):
        return self.text

    def __str__(self):
        return self.text


def _relative(path: Path) -> Path:
    """`path` from the working directory (a notebook's own folder), as the page will ask the
    notebook server for it (which serves only files below its root)."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path.cwd().resolve()))
    except ValueError:   # another drive
        return Path(path).resolve()


def render(scene=None, *, from_log: str | Path | SnapshotLog | None = None, out: str | Path = "output",
           size=None, fps: float = 25, hold: float | None = None, formats=DEFAULT_FORMATS,
           steps=None, every=None, seed: int | None = None, lr=None, quick: bool = False,
           check: bool = False, panels=None, progress: Callable | None = None) -> RenderResult:
    """Train `scene` (or read `from_log`) and write videos, poster, log and page to OUT/NAME/.

    The keywords are the CLI's options: `size` (1280, 720) or "1280x720", `hold` 1 s, `seed` 0
    when not given; `quick=True` is `--quick` (options given win). Training options given with
    `from_log` are refused, as on the command line.
    Every file is written under a temporary name and renamed only when all of them are done,
    so a failure or an interruption leaves the folder exactly as it was.
    """
    size = check_size(size if size is not None else QUICK["size"] if quick else SIZE)
    fps, hold = check_timing(fps, hold if hold is not None else QUICK["hold"] if quick else HOLD)
    chosen = parse_formats(formats)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from LOG.npz, not both"
                         if scene is not None else "give a scene name or --from LOG.npz")
    if from_log is not None:
        refuse_training_options(steps, every, seed, lr)
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
        seed = 0 if seed is None else seed
        if quick and every is None:
            from .training import check_count
            every = quick_every(scene.steps if steps is None else check_count("steps", steps))
        if panels is not None:
            scene = copy.copy(scene)
            scene.panels = parse_panels(name, panels)
    with output_folder(out, name) as folder, single_threaded_blas():
        outputs.remove_stale(folder)
        return _render_in_folder(folder, name, scene, source, chosen, size, fps, hold, steps,
                                 every, seed, lr, check, progress)


def _log_copy(source: SnapshotLog, final: Path, name: str) -> tuple[Path, SnapshotLog]:
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
        if log.meta.get("scene") != name:
            raise NnvizError(f"{source.path} changed while nnviz read it; run again")
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return tmp, log


def _render_in_folder(folder, name, scene, source, chosen, size, fps, hold, steps, every, seed,
                      lr, check, progress) -> RenderResult:
    from .frames import FrameRenderer
    from .page import standalone_page, video_block

    final = {ext: folder / f"{name}.{ext}" for ext in ("npz", "png", "html")}
    final.update({fmt.name: folder / f"{name}.{fmt.extension}" for fmt in chosen})
    stale = [p for p in owned(folder, name).values() if p not in final.values()]
    temps = {}
    tick = progress or (lambda n=1: None)
    phase = getattr(progress, "phase", lambda label: None)   # a Progress names each stage
    encoder = None
    try:
        interrupts.check()
        if source is None:
            from .frames import check_panels
            temps["npz"] = outputs.temporary(final["npz"])
            log = train_scene(scene, temps["npz"], steps=steps, every=every, seed=seed, lr=lr,
                              landscape="landscape" in scene.panels,
                              progress=tick,
                              before=lambda arrays: check_panels(name, list(scene.panels), arrays))
        else:
            temps["npz"], log = _log_copy(source, final["npz"], name)
        for kind in final.keys() - temps.keys():
            temps[kind] = outputs.temporary(final[kind])
        interrupts.check()
        phase("drawing")
        renderer = FrameRenderer(log, size)
        hold_frames = int(round(hold * fps))
        frames = len(log) + hold_frames
        encoder = Encoder({fmt: temps[fmt.name] for fmt in chosen}, size, fps, frames)
        for frame in renderer.frames():
            interrupts.check()   # between frames: never inside matplotlib's drawing
            encoder.write(frame)
            tick(1)
        last = np.array(frame)   # the canvas buffer is reused: keep a copy of the final frame
        renderer.close()
        for _ in range(hold_frames):
            interrupts.check()
            encoder.write(last)
            tick(1)
        phase("encoding")
        encoder.finish()
        encoder = None
        _write_png(temps["png"], last[..., :3])
        videos = {fmt: temps[fmt.name] for fmt in chosen}
        block = video_block(name, videos, size)
        with outputs.rewrite(temps["html"], "w", encoding="utf-8") as page:
            page.write(standalone_page(name, log.meta["title"], block))
        if check:
            from .check import verify_video
            phase("checking")
            for fmt in chosen:
                interrupts.check()
                verify_video(temps[fmt.name], frames, size, fps, label=final[fmt.name].name)
                tick(frames)
        interrupts.check()
        outputs.commit({temps[k]: final[k] for k in final}, remove=stale)
    except BaseException:
        if encoder is not None:
            encoder.abort()
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    files = {k: final[k] for k in (*[f.name for f in chosen], "png", "npz", "html")}
    checked = tuple(f.name for f in chosen) if check else ()
    return RenderResult(name, folder, files, frames, fps, checked, size)


def _write_png(path: Path, rgb: np.ndarray) -> None:
    import imageio.v3 as iio
    with outputs.rewrite(path) as f:
        f.write(iio.imwrite("<bytes>", rgb, extension=".png"))
