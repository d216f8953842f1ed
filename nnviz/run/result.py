"""What a render made (RenderResult): its files, its words, and how a notebook shows it."""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from html import escape
from pathlib import Path



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

    @property
    def chapters(self) -> list[tuple[float, float, str]]:
        """The video's chapters as (start s, end s, title), from NAME.chapters.vtt."""
        return _cues(self.files.get("chapters"))

    @property
    def descriptions(self) -> list[tuple[float, float, str]]:
        """What the frames show, as (start s, end s, sentence), from NAME.descriptions.vtt."""
        return _cues(self.files.get("descriptions"))

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
                        f'src="{src}"></video>{self._transcript()}')
        if poster:
            return f'<img style="max-width:100%" src="{poster}">'
        return f"<pre>{escape(repr(self))}</pre>"

    def _transcript(self) -> str:
        """The descriptions under the video, folded (a notebook's text alternative)."""
        cues = self.descriptions
        if not cues:
            return ""
        items = "".join(f"<li>{int(start) // 60}:{int(start) % 60:02d} {escape(text)}</li>"
                        for start, _, text in cues)
        return f"<details><summary>Transcript</summary><ol>{items}</ol></details>"

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


def _cues(path) -> list[tuple[float, float, str]]:
    """A WebVTT file's cues as (start, end, text); none without the file."""
    if path is None or not Path(path).is_file():
        return []
    from ..encode.trackcheck import read_cues
    return read_cues(path)
