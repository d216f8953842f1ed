"""The gallery: OUT/index.html, one page showing every scene rendered into OUT.

A course chapter or a blog post shows several videos; when one command renders several scenes
(or a comparison) nnviz writes this page beside their folders. It lists every folder of OUT
holding a complete render, not only the ones just made, so rendering one scene again later keeps
the others on the page. It is rebuilt from what is on disk each time: nothing to keep in sync.

Everything read here may be a stranger's (a shared OUT folder, a downloaded log): links are never
followed, a log that does not load leaves its folder out, and every text is escaped.
"""
from __future__ import annotations

import html
import os
import re
import stat
from pathlib import Path
from urllib.parse import quote

from .. import outputs
from ..learn import runs
from ..errors import NnvizError
from ..names import check_scene_name
from ..settings import LANGUAGES
from .page import video_block
from .tracks import HAND_LABEL, SUFFIXES
from ..text import clean
from ..encode.formats import FORMATS

INDEX = "index.html"
MAX_DESCRIPTION = 2000   # characters shown of a log's description (a stranger's text)
OPTIONS = ("steps", "every", "seed", "lr", "optimizer")   # meta "options" shown, in this order


def _regular(path: Path) -> bool:
    """A regular file itself, not a link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _png_size(path: Path) -> tuple[int, int] | None:
    """The poster's width and height from its header (opened without following a link)."""
    from PIL import Image
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f, Image.open(f, formats=["PNG"]) as image:
            return image.size
    except Exception:   # anything unreadable is not a poster nnviz wrote
        return None


def _logs(folder: Path, name: str) -> list[Path]:
    """The scene's log: NAME.npz, or for a set of runs (a compare) its runs/*.npz."""
    log = folder / f"{name}.npz"
    if _regular(log):
        return [log]
    run_dir = folder / runs.RUNS_FOLDER
    if not _real_dir(run_dir):
        return []
    return sorted(p for p in run_dir.iterdir()
                  if p.suffix == ".npz" and not p.name.startswith(".") and _regular(p))


def scene_entry(folder: Path) -> dict | None:
    """What the page shows of one folder of OUT, or None if it holds no complete render."""
    from ..log.snapshots import load
    name = folder.name
    try:
        check_scene_name(name, "a folder", NnvizError)
    except NnvizError:
        return None
    png, page = folder / f"{name}.png", folder / f"{name}.html"
    videos = {fmt: folder / f"{name}.{fmt.extension}" for fmt in FORMATS.values()}
    videos = {fmt: path for fmt, path in videos.items() if _regular(path)}
    logs = _logs(folder, name)
    if not (_regular(png) and _regular(page) and videos and logs):
        return None
    size = _png_size(png)
    if size is None:
        return None
    try:
        meta = load(logs[0]).meta
    except (NnvizError, OSError):
        return None
    tracks = [folder / f"{name}.{suffix}" for suffix in SUFFIXES]
    words = all(_regular(t) for t in tracks)   # renders before the words have none
    return {"name": name, "meta": meta, "videos": videos, "size": size, "logs": logs,
            "files": [png, page, *videos.values(), *(tracks if words else [])],
            **(_words_of(page) if words else {"language": None})}


def _words_of(page: Path) -> dict:
    """The words' language: NAME.html's `<html lang>` (the render wrote both at once), if it
    is one nnviz writes, else None (the tracks are then linked, not named as <track>s); and
    whether its captions track is the author's own (`--captions FILE.vtt`)."""
    try:
        fd = os.open(page, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            head = f.read(16384).decode("utf-8", "replace")
    except OSError:
        return {"language": None}
    found = re.search(r'<html lang="([^"]{1,35})">', head)
    hand = re.search(r'<track kind="captions" [^>]*label="' + HAND_LABEL + ',', head)
    return {"language": found[1] if found and found[1] in LANGUAGES else None,
            "hand_captions": hand is not None}


def entries(out: Path) -> list[dict]:
    """Every complete render in OUT, by folder name (links and hidden folders left out)."""
    found = []
    for entry in sorted(os.scandir(out), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        scene = scene_entry(Path(entry.path))
        if scene is not None:
            found.append(scene)
    return found


def _href(folder: str, path: Path, base: Path) -> str:
    return html.escape("/".join(quote(part) for part in (folder, *path.relative_to(base).parts)))


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "default" if value is None else str(value)


def _options(scene: dict) -> list[tuple[str, str]]:
    """The options the render was made with, as (label, value) texts."""
    meta = scene["meta"]
    options = meta.get("options", {})
    run = meta.get("run")   # one run of a set: what its runs differ in is not one value
    varies = set(run.get("overrides", {})) if isinstance(run, dict) else set()
    rows = [(key, "per run" if key in varies else _value(options.get(key)))
            for key in OPTIONS if key in options]
    if isinstance(run, dict):
        rows.append(("runs", _value(run.get("labels", []))))
    from ..learn.describe import made_with
    if made_with(meta):
        rows.append(("made with", made_with(meta).removeprefix("Made with: ")))
    rows.append(("panels", _value(meta.get("panels", []))))
    rows.append(("theme", _value(meta.get("theme", "light"))))
    rows.append(("size", "{}x{}".format(*scene["size"])))
    rows.append(("formats", ", ".join(fmt.name for fmt in scene["videos"])))
    return rows


def _card(scene: dict) -> str:
    name, meta, folder = scene["name"], scene["meta"], scene["files"][0].parent
    e = lambda text: html.escape(clean(text, lines=True))   # a stranger's text: see clean
    description = meta.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION] + "…"
    links = [f'<a href="{_href(name, p, folder)}">{e(p.name)}</a>' for p in scene["files"]]
    links += [f'<a href="{_href(name, p, folder)}">{e(p.relative_to(folder).as_posix())}</a>'
              for p in scene["logs"]]
    options = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _options(scene))
    block = video_block(name, scene["videos"], scene["size"], folder=name,
                        language=scene.get("language"),
                        hand_captions=scene.get("hand_captions", False))
    if not block:   # only animated images (--formats gif,webp): the first of them plays
        image = next((p for f, p in scene["videos"].items() if f.animation), scene["files"][0])
        block = f'<img src="{_href(name, image, folder)}" alt="{e(meta.get("title", name))}">'
    where = f"<code>{e(name)}/</code>"
    if meta.get("scene", name) != name:   # a comparison: NAME-compare/
        where = f"scene <code>{e(meta['scene'])}</code> in {where}"
    return f"""<article class="scene" id="{e(name)}">
<h2>{e(meta.get("title", name))}</h2>
<p class="name">{where}</p>
{block}
<p class="description">{e(description)}</p>
<p class="files">{" · ".join(links)}</p>
<dl class="options">{options}</dl>
</article>"""


STYLE = """
body { margin: 0; padding: 1.5rem; font-family: system-ui, sans-serif; color: #1f2328;
       background: #f6f8fa; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
header p { margin: 0 0 1.25rem; color: #59636e; }
.grid { display: grid; gap: 1.25rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 26rem), 1fr)); }
.scene { background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 1rem;
         min-width: 0; }
.scene h2 { font-size: 1.15rem; margin: 0; overflow-wrap: anywhere; }
.name { margin: .15rem 0 .6rem; color: #59636e; font-size: .85rem; overflow-wrap: anywhere; }
video, .scene img { display: block; width: 100%; height: auto; background: #eee;
                   border-radius: 4px; }
.description { margin: .6rem 0; white-space: pre-line; overflow-wrap: anywhere; }
.files { font-size: .9rem; overflow-wrap: anywhere; }
.options { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem;
           margin: 0; font-size: .85rem; }
.options dt { color: #59636e; }
.options dd { margin: 0; overflow-wrap: anywhere; }
"""


# a gallery of dark renders is a dark page (their frames glare on white); every pair of
# colours passes WCAG AA contrast (tests/test_accessibility.py runs axe-core on it)
DARK = """
body { color: #e6edf3; background: #0d1117; color-scheme: dark; }
header p, .name, .options dt { color: #9198a1; }
.scene { background: #161b22; border-color: #30363d; }
video, .scene img { background: #222; }
a { color: #4493f8; }
"""


def page(scenes: list[dict], title: str) -> str:
    """The whole page (deterministic: the same folders make the same bytes); dark when every
    render in it is dark."""
    count = f"{len(scenes)} scene{'s' if len(scenes) != 1 else ''}"
    dark = bool(scenes) and all(s["meta"].get("theme") == "dark" for s in scenes)
    cards = "\n".join(_card(s) for s in scenes) or "<p>No complete render here yet.</p>"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}{DARK if dark else ""}</style>
</head>
<body>
<header><h1>{html.escape(title)}</h1><p>{count} rendered with nnviz</p></header>
<main class="grid">
{cards}
</main>
</body>
</html>
"""


def refresh(out: str | Path, always: bool = False) -> Path | None:
    """Write OUT/index.html when `always` (a command that made several scenes, or a
    comparison), else rewrite it only if OUT has one already, so a later render of one scene
    keeps the page current. Returns its path, or None when none was written."""
    if always or os.path.lexists(Path(out) / INDEX):
        return write(out)
    return None


def write(out: str | Path) -> Path:
    """Write OUT/index.html listing every complete render in OUT; returns its path.

    Written like NAME.html: a temporary beside it, renamed under OUT's lock, so a reader (or
    another nnviz writing it at the same time) sees the old page or the new one, whole.
    """
    out = Path(out)
    final = out / INDEX
    outputs.remove_stale(out, "index")   # a killed run's temporary of this page
    text = page(entries(out), "nnviz gallery")   # not OUT's name: the same renders, same bytes
    tmp = outputs.temporary(final)
    try:
        with outputs.rewrite(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        outputs.commit({tmp: final})
    finally:
        tmp.unlink(missing_ok=True)
    return final
