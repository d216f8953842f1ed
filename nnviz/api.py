"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations

import base64
import copy
import math
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Callable

import numpy as np

from . import interrupts, outputs, runs
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


def _commit_train(folder: Path, name: str, pairs: dict[Path, Path]) -> None:
    """A trained log's commit: refused if a render appeared in the folder meanwhile."""
    outputs.commit(pairs, before=lambda: _refuse_rendered(folder, name))


def _commit_render(folder: Path, name: str, pairs: dict[Path, Path], stale_extra=()) -> None:
    """A render's commit: its set replaces the folder's, and NAME.* files the new set lacks (an
    earlier webm after --formats mp4; `stale_extra`: runs' logs of an earlier set) go."""
    stale = [p for p in (*owned(folder, name).values(), *stale_extra) if p not in pairs.values()]
    outputs.commit(pairs, remove=stale)


COMMITS = {"render": _commit_render, "compare": _commit_render, "train": _commit_train}   # by action (nnviz.jobs)


def commit_files(out: str | Path, name: str, action: str, files: dict[str, bytes]) -> Path:
    """Files made elsewhere (by a cluster worker, see nnviz.jobs), by file name, committed into
    OUT/NAME exactly as a render or a training made here commits its own: temporaries beside
    the targets, then the same locked all-or-nothing commit. Returns the folder.

    The names come from another machine: only NAME.EXT names nnviz itself writes are taken.
    """
    check_scene_name(name, "a result from the cluster")
    allowed = {p.name for p in owned(Path(out) / name, name).values()}
    run_logs = {f for f in files if action != "train" and _is_run_log(f)}
    if action not in COMMITS or not files or not set(files) - run_logs <= allowed:
        raise NnvizError(f"a result from the cluster for {name!r} holds unexpected files "
                         f"({', '.join(sorted(files))}); check that every worker runs the same "
                         f"nnviz version and render again")
    with output_folder(out, name) as folder:
        outputs.remove_stale(folder, name)
        pairs, stale_runs = {}, []
        if run_logs:   # a scene of several runs: its set of run logs replaces the folder's
            (folder / runs.RUNS_FOLDER).mkdir(exist_ok=True)
            stale_runs = list((folder / runs.RUNS_FOLDER).glob("*.npz"))
        try:
            for file_name, data in files.items():
                tmp, fd = outputs.create(folder / file_name)
                pairs[tmp] = folder / file_name
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
            if stale_runs:
                _commit_render(folder, name, pairs, stale_runs)
            else:
                COMMITS[action](folder, name, pairs)
        finally:
            for tmp in pairs:   # committed ones are gone already
                tmp.unlink(missing_ok=True)
    return folder


def _is_run_log(file_name: str) -> bool:
    """`runs/LABEL.npz` as nnviz.runs names a run's log (from another machine: checked)."""
    folder, _, file = file_name.partition("/")
    stem = file[:-len(".npz")] if file.endswith(".npz") else ""
    return (folder == runs.RUNS_FOLDER and bool(stem) and "/" not in file
            and runs.file_name(stem) == file and not stem.startswith("."))


@outputs.final_names()
def train(scene: str | type[Scene] | Scene, out: str | Path = "output", *, steps=None,
          every=None, seed: int = 0, lr=None, progress=None) -> SnapshotLog:
    """Train a scene (a name, a path or a Scene) and save its log to OUT/NAME/NAME.npz.

    A folder that holds a render is refused (before training and again at the commit): its
    videos were made from the log there, and `nnviz check` must keep passing.
    """
    scene = _scene(scene)
    if runs.plan(scene) is not None:
        raise UsageError(f"scene {scene.name!r} holds several runs, which are trained together "
                         f"for one video; run `nnviz render {scene.name}` (their logs go to "
                         f"OUT/{scene.name}/runs/)")
    with output_folder(out, scene.name) as folder, single_threaded_blas():
        outputs.remove_stale(folder, scene.name)
        _refuse_rendered(folder, scene.name)
        final = folder / f"{scene.name}.npz"
        tmp = outputs.temporary(final)
        try:
            train_scene(scene, tmp, landscape="landscape" in scene.panels, steps=steps, every=every, seed=seed, lr=lr, progress=progress)
            interrupts.decide()
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
    """A frame size from `(w, h)` of whole numbers or the CLI's `"WxH"` text (ASCII digits:
    int() would also take "³²⁰", "1_280" or " 640"), in range and even."""
    if isinstance(size, str):
        w, x, h = size.strip().lower().partition("x")
        if not (x and _digits(w) and _digits(h)):
            raise UsageError(f"--size {size!r} is not WIDTHxHEIGHT (e.g. 1280x720)")
        size = (int(w), int(h))
    try:
        w, h = size
    except (TypeError, ValueError):
        raise UsageError(f"--size must be WIDTHxHEIGHT, e.g. 1280x720, got {size!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (w, h)):
        raise UsageError(f"--size must be two whole numbers (WIDTH, HEIGHT), e.g. (1280, 720), "
                         f"got {size!r}")
    w, h = int(w), int(h)
    if w < MIN_SIZE[0] or h < MIN_SIZE[1]:
        raise UsageError(f"--size {w}x{h} is too small; the smallest is {MIN_SIZE[0]}x{MIN_SIZE[1]}")
    if w > MAX_SIZE[0] or h > MAX_SIZE[1]:
        raise UsageError(f"--size {w}x{h} is too large; the largest is {MAX_SIZE[0]}x{MAX_SIZE[1]}")
    if w % 2 or h % 2:
        raise UsageError(f"--size {w}x{h}: width and height must be even (H.264 needs it), "
                         f"e.g. {w + w % 2}x{h + h % 2}")
    return w, h


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 100


# Frame rates every encoder takes. ffmpeg's mp4 (mov) muxer fails on a frame lasting more than
# about 40,000 s ("Not yet implemented", measured between 2e-5 and 3e-5 fps; webm and ogv go
# lower): 0.001 fps, a frame every 1000 s, keeps a wide margin. 240 is the top of the range.
MIN_FPS, MAX_FPS = 0.001, 240.0


def check_timing(fps, hold) -> tuple[float, float]:
    if (isinstance(fps, bool) or not isinstance(fps, (int, float))
            or not MIN_FPS <= fps <= MAX_FPS):
        raise UsageError(f"--fps must be a number from {MIN_FPS:g} to {MAX_FPS:g} frames per "
                         f"second (what every encoder accepts), got {fps!r}")
    if (isinstance(hold, bool) or not isinstance(hold, (int, float)) or not 0 <= hold <= 600
            or math.copysign(1, hold) < 0):   # -0.0: a sign the user did not mean to give
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


@outputs.final_names()
def render(scene=None, *, from_log: str | Path | SnapshotLog | None = None, out: str | Path = "output",
           size=None, fps: float = 25, hold: float | None = None, formats=DEFAULT_FORMATS,
           steps=None, every=None, seed: int | None = None, lr=None, quick: bool = False,
           check: bool = False, panels=None, progress: Callable | None = None,
           jobs: int | None = None, scheduler: str | None = None, theme: str | None = None,
           title: str | None = None, gif_width: int | None = None,
           gif_fps: float | None = None) -> RenderResult:
    """Train `scene` (or read `from_log`) and write videos, poster, log and page to OUT/NAME/.

    The keywords are the CLI's options: `size` (1280, 720) or "1280x720", `hold` 1 s, `seed` 0
    when not given; `quick=True` is `--quick` (options given win). Training options given with
    `from_log` are refused, as on the command line.
    Every file is written under a temporary name and renamed only when all of them are done,
    so a failure or an interruption leaves the folder exactly as it was. With `scheduler`
    (a Dask scheduler's tcp://HOST:8786) the training and rendering run on a cluster worker
    and only the commit here (see render_many).

    A scene with `runs` (nnviz.runs) makes one video of all its runs: their logs go to
    OUT/NAME/runs/, trained `jobs` at a time (None: one per core). `from_log` may also be
    several logs of one set of runs, or their folder.

    `theme` ("light", the default, or "dark": nnviz.theme) and `title` (the header's, instead
    of the scene's) are recorded in the log; with `from_log`, None draws the log's own.
    `formats` may add "gif" and "webp" (animated images for READMEs): at most `gif_width`
    pixels wide (640) and `gif_fps` frames a second (15).
    """
    _check_looks(theme, title)
    size = check_size(size if size is not None else QUICK["size"] if quick else SIZE)
    fps, hold = check_timing(fps, hold if hold is not None else QUICK["hold"] if quick else HOLD)
    chosen = parse_formats(formats, gif_width, gif_fps)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from LOG.npz, not both"
                         if scene is not None else "give a scene name or --from LOG.npz")
    if scheduler is not None:
        if from_log is not None:
            raise UsageError("scheduler= sends scenes to train and render; re-render a log "
                             "with from_log= here, without scheduler=")
        return render_many([scene], out=out, size=size, fps=fps, hold=hold, formats=formats,
                           steps=steps, every=every, seed=seed, lr=lr, check=check,
                           panels=panels, quick=quick, scheduler=scheduler, theme=theme,
                           title=title, gif_width=gif_width, gif_fps=gif_fps)[0]
    if from_log is not None:
        refuse_training_options(steps, every, seed, lr)
        sources = _sources(from_log)
        if len(sources) > 1:
            return _refreshed(out, _render_runs(
                None, sources, out=out, chosen=chosen, size=size, fps=fps, hold=hold,
                check=check, panels=panels, progress=progress, theme=theme, title=title))
        source = sources[0]
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
        if runs.plan(scene) is not None:
            return _refreshed(out, _render_runs(
                scene, None, out=out, chosen=chosen, size=size, fps=fps, hold=hold,
                check=check, steps=steps, every=every, seed=seed, lr=lr, progress=progress,
                jobs=jobs, theme=theme, title=title))
    with output_folder(out, name) as folder, single_threaded_blas():
        outputs.remove_stale(folder)
        result = _render_in_folder(folder, name, scene, source, chosen, size, fps, hold, steps,
                                   every, seed, lr, check, progress, theme=theme, title=title)
    return _refreshed(out, result)


def _refreshed(out, result, always: bool = False):
    """`result`, once OUT/index.html shows the new set (nnviz.gallery.refresh)."""
    from . import gallery
    gallery.refresh(out, always)
    return result


def _check_looks(theme, title) -> None:
    """theme= and title= of the API, refused in one line before any work (None: not given)."""
    from .theme import check_theme, check_title
    if theme is not None:
        check_theme(theme)
    if title is not None:
        check_title(title)


@outputs.final_names()
def compare(scene=None, *, lr=None, optimizer=None, seed=None, from_log=None,
            out: str | Path = "output", size=(1280, 720), fps: float = 25, hold: float = 1.0,
            formats=DEFAULT_FORMATS, steps=None, every=None, check: bool = False, panels=None,
            progress: Callable | None = None, jobs: int | None = None,
            scheduler: str | None = None, theme: str | None = None,
            title: str | None = None, gif_width: int | None = None,
            gif_fps: float | None = None) -> RenderResult:
    """Train `scene` once per combination of the lists given (lr, optimizer, seed: at least
    one, each of two or more values) and render all runs in one video to OUT/NAME-compare/.

    `from_log` (several run logs of one comparison, or their folder) re-renders without
    training. Lists may be Python lists or the CLI's comma strings. `theme`, `title`,
    `gif_width` and `gif_fps` as for render(). With `scheduler` (tcp://HOST:8786) each run trains on a worker of that Dask
    cluster and another worker renders the video (nnviz.jobs); the files come back into OUT as
    a local compare's.
    """
    _check_looks(theme, title)
    size = check_size(size)
    fps, hold = check_timing(fps, hold)
    chosen = parse_formats(formats, gif_width, gif_fps)
    if (scene is None) == (from_log is None):
        raise UsageError("give either a scene name or --from with the runs' logs, not both"
                         if scene is not None else "give a scene name, or --from OUT/NAME-compare/runs")
    if from_log is not None:
        if scheduler is not None:
            raise UsageError("--scheduler sends runs to train and render; re-render saved runs "
                             "with --from here, without --scheduler")
        if any(v is not None for v in (lr, optimizer, seed, steps, every)):
            raise UsageError("--from re-renders saved runs: leave out --lr, --optimizer, --seed, "
                             "--steps and --every")
        sources = _sources(from_log)
        if len(sources) < 2:
            runs.check_set(sources)
        return _refreshed(out, _render_runs(
            None, sources, out=out, chosen=chosen, size=size, fps=fps, hold=hold, check=check,
            panels=panels, progress=progress, theme=theme, title=title), always=True)
    made, name = compared_scene(scene, panels, lr=lr, optimizer=optimizer, seed=seed)
    if scheduler is not None:   # checked here first: bad input fails before the cluster is asked
        from .jobs import Job, collect, run_many
        options = dict(lr=lr, optimizer=optimizer, seed=seed, steps=steps, every=every,
                       panels=panels, size=size, fps=fps, hold=hold,
                       formats=[f.name for f in chosen], check=check, theme=theme, title=title,
                       gif_width=gif_width, gif_fps=gif_fps)
        job = Job("compare", scene, options, out=out, label=name)
        return _refreshed(out, collect([job], run_many([job], workers=jobs,
                                                       scheduler=scheduler))[0], always=True)
    return _refreshed(out, _render_runs(
        made, None, out=out, chosen=chosen, size=size, fps=fps, hold=hold, check=check,
        steps=steps, every=every, progress=progress, jobs=jobs, set_name=name, theme=theme,
        title=title), always=True)


def compared_scene(scene, panels=None, **lists):
    """The scene of a comparison (nnviz.comparison.scene_for) and its name NAME-compare."""
    from . import comparison as comparing
    base = _scene(scene)
    picked = parse_panels(base.name, panels) if panels is not None else None
    return comparing.scene_for(base, picked, **lists)


def compare_training(scene, options: dict):
    """How a comparison's runs train, for a Dask worker that trains one of them: the set's name
    and panels, its runs and each run's training options, by the rule a local compare uses
    (_render_runs, runtrain.train_runs)."""
    from .runtrain import prepare
    made, name = compared_scene(scene, options.get("panels"), lr=options.get("lr"),
                                optimizer=options.get("optimizer"), seed=options.get("seed"))
    panels = list(made.panels)
    plan = runs.plan(made)
    prepared, train_options = prepare(plan, name, steps=options.get("steps"),
                                      every=options.get("every"), landscape="landscape" in panels,
                                      panels=panels, theme=options.get("theme"),
                                      title=options.get("title"))
    return name, panels, plan, prepared, train_options


# a comparison's options that only its training takes; the rest go to its render (theme and
# title to both: a log records them, and the render draws them)
COMPARE_TRAINING = ("lr", "optimizer", "seed", "steps", "every", "panels")


def _sources(from_log) -> list[SnapshotLog]:
    """`--from`: one log, several logs (runs of one set) or a folder of them (OUT/NAME/runs)."""
    if isinstance(from_log, SnapshotLog):
        return [from_log]
    if isinstance(from_log, (str, os.PathLike)):
        path = Path(from_log)
        if not path.is_dir():
            return [load(path)]
        items = sorted(path.glob("*.npz"))
        if not items:
            raise UsageError(f"--from {path}: the folder holds no snapshot log (.npz); give a "
                             f"log, or the runs folder OUT/NAME/runs of several runs")
        return runs.check_set([load(p) for p in items])
    items = list(from_log)
    logs = [item if isinstance(item, SnapshotLog) else load(item) for item in items]
    return logs if len(logs) == 1 else runs.check_set(logs)


def _render_runs(scene, sources, *, out, chosen, size, fps, hold, check, steps=None, every=None,
                 seed=0, lr=None, panels=None, progress=None, jobs=None,
                 set_name=None, theme=None, title=None) -> RenderResult:
    """Several runs in one video: train them (or copy `sources`, one set's logs in order) into
    OUT/SET/runs/FILE.npz, draw them in lockstep, and commit logs, videos, poster and page at
    once. SET is the scene's name, or `set_name` (nnviz compare: NAME-compare)."""
    from .runframes import RunsRenderer
    from .runtrain import train_runs
    if scene is not None:
        plan = runs.plan(scene)
        name = set_name or scene.name
        scene_name, chosen_panels = scene.name, list(scene.panels)
        if lr is not None and any("lr" in r.overrides for r in plan):
            raise UsageError(f"scene {scene.name!r}: its runs differ in lr, so --lr would make "
                             f"them the same; leave --lr out")
        labels = [(r.label, r.file) for r in plan]
    else:
        name = sources[0].meta["run"]["set"]
        scene_name = sources[0].meta["scene"]
        chosen_panels = (list(parse_panels(scene_name, panels)) if panels is not None
                         else list(sources[0].meta["panels"]))
        labels = [(s.meta["run"]["label"], runs.file_name(s.meta["run"]["label"]))
                  for s in sources]
    runs.check_panels(name, chosen_panels)
    with output_folder(out, name) as folder, single_threaded_blas():
        outputs.remove_stale(folder)
        run_dir = folder / runs.RUNS_FOLDER
        if os.path.lexists(run_dir) and not run_dir.is_dir() or run_dir.is_symlink():
            raise NnvizError(f"{run_dir} is not a folder nnviz made; move it away and run again "
                             f"(nothing was changed)")
        made = not run_dir.exists()
        run_dir.mkdir(exist_ok=True)
        try:
            for _, file in labels:
                outputs.remove_stale(run_dir, file[:-len(".npz")])
            finals = {f"runs/{file}": run_dir / file for _, file in labels}
            stale = [p for p in run_dir.iterdir() if p.suffix == ".npz"]

            def produce(temps, tick):
                keys = list(finals)
                if scene is not None:
                    for key in keys:
                        temps[key] = outputs.temporary(finals[key])
                    logs = train_runs(plan, [temps[k] for k in keys], name, steps=steps,
                                      every=every, seed=seed, lr=lr, jobs=jobs,
                                      landscape="landscape" in chosen_panels,
                                      panels=chosen_panels, progress=tick, theme=theme,
                                      title=title)
                else:
                    logs = []
                    for key, source in zip(keys, sources):
                        temps[key], log = _log_copy(source, finals[key], scene_name)
                        logs.append(log)
                return (lambda: RunsRenderer(logs, size, chosen_panels, theme, title),
                        len(logs[0]), title or logs[0].meta["title"])

            return _make(folder, name, finals, produce, stale, chosen, size, fps, hold, check,
                         progress)
        except BaseException:
            if made:
                with suppress(OSError):
                    run_dir.rmdir()
            raise


@outputs.final_names()
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
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int)
                             or not 1 <= jobs <= 1024):
        raise UsageError(f"jobs must be a whole number from 1 to 1024, got {jobs!r}")
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
        _check_looks(options.get("theme"), options.get("title"))
        parse_formats(options.get("formats", DEFAULT_FORMATS), options.get("gif_width"),
                      options.get("gif_fps"))
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
    outs = list(dict.fromkeys(str(job.out) for job in work))
    try:
        results = collect(work, run_many(work, workers=jobs, scheduler=scheduler))
    except NnvizError as e:   # some failed: the page still shows the others, committed
        if any(getattr(e, "results", None) or ()):
            with suppress(NnvizError, OSError):
                for out in outs:
                    _refreshed(out, None, always=len(work) > 1)
        raise
    for out in outs:
        _refreshed(out, None, always=len(work) > 1)
    return results


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
                      lr, check, progress, theme=None, title=None) -> RenderResult:
    """One run: train `scene` (or copy `source`) into NAME.npz, then draw and encode it."""
    from .frames import FrameRenderer
    final = {"npz": folder / f"{name}.npz"}

    def produce(temps, tick):
        if source is None:
            from .frames import check_panels
            temps["npz"] = outputs.temporary(final["npz"])
            log = train_scene(scene, temps["npz"], steps=steps, every=every, seed=seed, lr=lr,
                              landscape="landscape" in scene.panels,
                              progress=tick, theme=theme, title=title,
                              before=lambda arrays: check_panels(name, list(scene.panels), arrays))
        else:
            temps["npz"], log = _log_copy(source, final["npz"], name)
        # --panels with --from: source.meta holds them (the copy read back holds the log's own)
        panels = source.meta["panels"] if source is not None else None
        return (lambda: FrameRenderer(log, size, panels, theme=theme, title=title), len(log),
                title or log.meta["title"])

    return _make(folder, name, final, produce, (), chosen, size, fps, hold, check, progress)


def _make(folder, name, logs_final, produce, stale_extra, chosen, size, fps, hold, check,
          progress) -> RenderResult:
    """Make the logs (`produce` fills their temporaries and returns (make_renderer, frames,
    title)), draw and encode the frames, write poster and page, commit everything at once."""
    from .page import image_blocks, standalone_page, video_block

    final = dict(logs_final)
    final.update({ext: folder / f"{name}.{ext}" for ext in ("png", "html")})
    final.update({fmt.name: folder / f"{name}.{fmt.extension}" for fmt in chosen})
    temps = {}
    tick = progress or (lambda n=1: None)
    phase = getattr(progress, "phase", lambda label: None)   # a Progress names each stage
    encoder = None
    try:
        interrupts.check()
        make_renderer, n_snapshots, title = produce(temps, tick)
        for kind in final.keys() - temps.keys():
            temps[kind] = outputs.temporary(final[kind])
        interrupts.check()
        phase("drawing")
        renderer = make_renderer()
        hold_frames = int(round(hold * fps))
        frames = n_snapshots + hold_frames
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
            page.write(standalone_page(name, title, block, image_blocks(name, title, videos, size)))
        if check:   # the same definition of a valid render as `nnviz check`, and more
            from .check import verify
            phase("checking")
            interrupts.check()
            verify({temps[fmt.name]: final[fmt.name].name for fmt in chosen}, last,
                   snapshots=n_snapshots, frames=frames, size=size, fps=fps,
                   poster_name=final["png"].name,
                   formats={temps[fmt.name]: fmt for fmt in chosen})
            tick(frames * len(chosen))
        interrupts.decide()
        _commit_render(folder, name, {temps[k]: final[k] for k in final}, stale_extra)
    except BaseException:
        if encoder is not None:
            encoder.abort()
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    files = {k: final[k] for k in (*[f.name for f in chosen], "png", *logs_final, "html")}
    checked = tuple(f.name for f in chosen) if check else ()
    return RenderResult(name, folder, files, frames, fps, checked, size)


def _write_png(path: Path, rgb: np.ndarray) -> None:
    import imageio.v3 as iio
    with outputs.rewrite(path) as f:
        f.write(iio.imwrite("<bytes>", rgb, extension=".png"))
