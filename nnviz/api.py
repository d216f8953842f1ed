"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import base64
import copy
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
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


def _commit_train(folder: Path, name: str, pairs: dict[Path, Path]) -> None:
    """A trained log's commit: refused if a render appeared in the folder meanwhile."""
    outputs.commit(pairs, before=lambda: _refuse_rendered(folder, name))


def _commit_render(folder: Path, name: str, pairs: dict[Path, Path]) -> None:
    """A render's commit: its set replaces the folder's, and NAME.* files the new set lacks (an
    earlier webm after --formats mp4) go."""
    stale = [p for p in owned(folder, name).values() if p not in pairs.values()]
    outputs.commit(pairs, remove=stale)


COMMITS = {"render": _commit_render, "train": _commit_train}   # by action (nnviz.jobs)


def commit_files(out: str | Path, name: str, action: str, files: dict[str, bytes]) -> Path:
    """Files made elsewhere (by a cluster worker, see nnviz.jobs), by file name, committed into
    OUT/NAME exactly as a render or a training made here commits its own: temporaries beside
    the targets, then the same locked all-or-nothing commit. Returns the folder.

    The names come from another machine: only NAME.EXT names nnviz itself writes are taken.
    """
    check_scene_name(name, "a result from the cluster")
    allowed = {p.name for p in owned(Path(out) / name, name).values()}
    if action not in COMMITS or not files or not set(files) <= allowed:
        raise NnvizError(f"a result from the cluster for {name!r} holds unexpected files "
                         f"({', '.join(sorted(files))}); check that every worker runs the same "
                         f"nnviz version and render again")
    with output_folder(out, name) as folder:
        outputs.remove_stale(folder, name)
        pairs = {}
        try:
            for file_name, data in files.items():
                tmp, fd = outputs.create(folder / file_name)
                pairs[tmp] = folder / file_name
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
            COMMITS[action](folder, name, pairs)
        finally:
            for tmp in pairs:   # committed ones are gone already
                tmp.unlink(missing_ok=True)
    return folder


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
            _commit_train(folder, scene.name, {tmp: final})
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
           panels=None, progress: Callable | None = None, scheduler: str | None = None) -> RenderResult:
    """Train `scene` (or read `from_log`) and write videos, poster, log and page to OUT/NAME/.

    Every file is written under a temporary name and renamed only when all of them are done,
    so a failure or an interruption leaves the folder exactly as it was. With `scheduler`
    (a Dask scheduler's tcp://HOST:8786) the training and rendering run on a cluster worker
    and only the commit here (see render_many).
    """
    size = check_size(size)
    fps, hold = check_timing(fps, hold)
    chosen = parse_formats(formats)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from LOG.npz, not both"
                         if scene is not None else "give a scene name or --from LOG.npz")
    if scheduler is not None:
        if from_log is not None:
            raise UsageError("scheduler= sends scenes to train and render; re-render a log "
                             "with from_log= here, without scheduler=")
        return render_many([scene], out=out, size=size, fps=fps, hold=hold, formats=formats,
                           steps=steps, every=every, seed=seed, lr=lr, check=check,
                           panels=panels, scheduler=scheduler)[0]
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


def render_many(renders, *, jobs: int | None = None, scheduler: str | None = None,
                **common) -> list[RenderResult]:
    """Render several scenes at once: in `jobs` local processes (default: one per CPU) or, with
    `scheduler` (tcp://HOST:8786), on the workers of a Dask cluster (`pip install nnviz[cluster]`).

    `renders` holds scene names or paths, or dicts of render() keywords (`scene` and any
    others, e.g. its own `lr`, `seed` and `out` for a sweep); `common` keywords apply to all.
    Results come back in order. A render that fails fails alone: once all have ended (the
    others committed) one NnvizError names every failure; its `results` holds the results,
    None where a render failed. A single render's own error is raised as is.
    """
    from .jobs import Job, collect, run_many
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise UsageError(f"jobs must be a positive integer, got {jobs!r}")
    work = []
    for item in renders:
        options = dict(common, **(item if isinstance(item, dict) else {"scene": item}))
        for name in ("from_log", "progress", "scheduler", "jobs"):
            if options.pop(name, None) is not None:
                raise UsageError(f"render_many does not take {name}=; call render() for that")
        if options.get("scene") is None:
            raise UsageError(f"each render needs a scene, got {item!r}")
        scene, out = options.pop("scene"), options.pop("out", "output")
        # bad input is refused here, before any work starts anywhere
        check_size(options.get("size", (1280, 720)))
        check_timing(options.get("fps", 25), options.get("hold", 1.0))
        parse_formats(options.get("formats", DEFAULT_FORMATS))
        if isinstance(scene, str):
            resolve(scene)
        work.append(Job("render", scene, options, out=out,
                        label=scene if isinstance(scene, str) else getattr(scene, "name", repr(scene))))
    labels = [job.label for job in work]
    work = [job if labels.count(job.label) == 1 else
            Job(job.action, job.scene, job.options, job.out, f"{job.label} (out {job.out})")
            for job in work]
    if not work:
        return []
    return collect(work, run_many(work, workers=jobs, scheduler=scheduler))


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
        phase(f"rendering {name}")
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
        phase(f"encoding {name}")
        encoder.finish()
        encoder = None
        _write_png(temps["png"], last[..., :3])
        videos = {fmt: temps[fmt.name] for fmt in chosen}
        block = video_block(name, videos, size)
        with outputs.rewrite(temps["html"], "w", encoding="utf-8") as page:
            page.write(standalone_page(name, log.meta["title"], block))
        if check:
            from .check import verify_video
            for fmt in chosen:
                interrupts.check()
                verify_video(temps[fmt.name], frames, size, fps, label=final[fmt.name].name)
        interrupts.check()
        _commit_render(folder, name, {temps[k]: final[k] for k in final})
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
    with outputs.rewrite(path) as f:
        f.write(iio.imwrite("<bytes>", rgb, extension=".png"))
