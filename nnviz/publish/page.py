"""The ready-to-paste HTML: a <video controls poster> block with one <source> per video format,
and for each animated image (GIF, WebP) an <img> and the Markdown line for a README."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from ..text import clean
from ..encode.formats import VideoFormat, animation_size
from .tracks import HAND_LABEL, LANGUAGE_NAMES, TRACKS


def video_block(name: str, videos: dict[VideoFormat, Path], size: tuple[int, int],
                folder: str | None = None, language: str | None = None,
                hand_captions: bool = False) -> str:
    """The block to paste into a page; `videos` maps formats to the files (for their codecs).
    Animated images are never a <source>: a browser would not play them in a <video>.

    `folder`: the files are in that folder beside the page (the gallery, OUT/index.html,
    shows OUT/NAME/NAME.*); its name is URL-escaped, as a folder name may hold anything.
    `language`: the words' language; the block then names the render's three WebVTT tracks
    (chapters, descriptions, and the descriptions as captions, off until the viewer turns
    them on: the video is silent, its transcript is on the page, and captions shown by
    default would cover the bottom of every frame, where the loss and accuracy are drawn).
    """
    w, h = size
    videos = {fmt: path for fmt, path in videos.items() if not fmt.animation}
    if not videos:
        return ""
    base = html.escape(name) if folder is None else html.escape(f"{quote(folder)}/{quote(name)}")
    sources = "\n".join(
        f'  <source src="{base}.{fmt.extension}" type=\'{fmt.type_attribute(path)}\'>'
        for fmt, path in videos.items())
    if language is not None:
        sources += "\n" + "\n".join(
            track_element(base, kind, language,
                          HAND_LABEL if hand_captions and kind == "captions" else None)
            for kind in TRACKS)
    return (f'<video controls preload="metadata" width="{w}" height="{h}" '
            f'poster="{base}.png">\n{sources}\n</video>')


def track_element(base: str, kind: str, language: str, label: str | None = None) -> str:
    """One <track> of the block; `base` is already escaped."""
    suffix, default = TRACKS[kind]
    label = label or default
    words = LANGUAGE_NAMES.get(language, language)
    return (f'  <track kind="{kind}" src="{base}.{suffix}" srclang="{html.escape(language)}" '
            f'label="{html.escape(f"{label}, {words}")}">')


def clock(seconds: float) -> str:
    """m:ss (h:mm:ss from an hour), as a player shows a time."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def transcript(story, seek: bool = True) -> str:
    """The words as text under the video: the chapters, then every description with its time.
    With `seek` (the page has a <video>), each chapter's time is a button that plays the video
    from there (the page's script sets video.currentTime)."""
    def items(cues, buttons=False):
        def when(c):
            stamp = f'<time datetime="PT{c.start:.3f}S">{clock(c.start)}</time>'
            if not buttons:
                return stamp
            return (f'<button type="button" class="seek" data-seek="{c.start:.3f}" '
                    f'aria-label="Play from {clock(c.start)}: {html.escape(clean(c.text))}">'
                    f'{stamp}</button>')
        return "\n".join(f'<li>{when(c)} {html.escape(clean(c.text))}</li>' for c in cues)
    return (f'<section aria-labelledby="transcript">\n<h2 id="transcript">Transcript</h2>\n'
            f'<h3>Chapters</h3>\n<ol class="chapters">\n{items(story.chapters, seek)}\n</ol>\n'
            f'<h3>What the video shows</h3>\n<ol class="descriptions">\n'
            f'{items(story.descriptions)}\n</ol>\n</section>')


# the chapters' buttons: play the page's video from the chapter's start
SEEK_SCRIPT = """<script>
document.querySelectorAll("button[data-seek]").forEach(function (button) {
  button.addEventListener("click", function () {
    var video = document.querySelector("video");
    video.currentTime = parseFloat(button.dataset.seek);
    video.play().catch(function () {});
  });
});
</script>"""
# page colours for each theme of the frames (a dark render on a white page glares); every
# pair passes WCAG AA contrast (axe-core checks the pages in tests/test_accessibility.py)
PAGE_COLOURS = {
    "light": "body { color: #1f2328; background: #ffffff; } a { color: #0969da; }",
    "dark": ("body { color: #e6edf3; background: #0d1117; color-scheme: dark; } "
             "a { color: #4493f8; } code { color: #e6edf3; }"),
}
STYLE = """body {{ margin: 2em; font-family: sans-serif; }} {colours}
video, img {{ max-width: 100%; height: auto; }}
time {{ font-variant-numeric: tabular-nums; margin-right: 0.5em; }}
button.seek {{ font: inherit; color: inherit; background: none; border: 1px solid currentColor;
  border-radius: 4px; padding: 0 0.3em; margin-right: 0.4em; cursor: pointer; }}
button.seek time {{ margin: 0; }}"""


def markdown_image(name: str, title: str, fmt: VideoFormat) -> str:
    """`![title](NAME.gif)`: what GitHub shows in a README (it plays no <video> from a repo)."""
    alt = " ".join(clean(title).split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({name}.{fmt.extension})"


def image_blocks(name: str, title: str, files: dict[VideoFormat, Path],
                 size: tuple[int, int]) -> str:
    """Each animated image as an <img> with the Markdown line to paste under it."""
    parts = []
    for fmt in files:
        if not fmt.animation:
            continue
        w, h = animation_size(size, fmt)
        # prefers-reduced-motion: the still poster instead of the moving image
        parts.append(
            f'<figure>\n<picture><source srcset="{html.escape(name)}.png" '
            f'media="(prefers-reduced-motion: reduce)">'
            f'<img src="{html.escape(name)}.{fmt.extension}" width="{w}" height="{h}" '
            f'alt="{html.escape(clean(title))}"></picture>\n<figcaption>{fmt.name.upper()} for a README, paste: '
            f'<code>{html.escape(markdown_image(name, title, fmt))}</code></figcaption>\n</figure>')
    return "\n".join(parts)


def standalone_page(name: str, title: str, block: str, images: str = "", story=None,
                    description: str = "", theme: str = "light") -> str:
    """A whole page around the block, so the file plays when opened in a browser: its language,
    one level-one heading, everything in landmarks, the transcript under the video (chapters
    that seek when there is a video), in the colours of the frames' theme."""
    images = f"\n{images}" if images else ""
    language = story.language if story is not None else "en"
    seek = "<video" in block
    words = f"\n{transcript(story, seek)}" if story is not None else ""
    script = f"\n{SEEK_SCRIPT}" if story is not None and seek else ""
    about = f"\n<p>{html.escape(clean(description, lines=True))}</p>" if description else ""
    style = STYLE.format(colours=PAGE_COLOURS.get(theme, PAGE_COLOURS["light"]))
    return f"""<!doctype html>
<html lang="{html.escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(clean(title))}</title>
<style>{style}</style>
</head>
<body>
<main>
<h1>{html.escape(clean(title))}</h1>{about}
<!-- nnviz: paste the <video> (or <img>) element below into your own page -->
{block}{images}{words}
</main>{script}
</body>
</html>
"""
