"""The ready-to-paste HTML: a <video controls poster> block with one <source> per video format,
and for each animated image (GIF, WebP) an <img> and the Markdown line for a README."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from ..text import clean
from ..encode.formats import VideoFormat, animation_size


def video_block(name: str, videos: dict[VideoFormat, Path], size: tuple[int, int],
                folder: str | None = None) -> str:
    """The block to paste into a page; `videos` maps formats to the files (for their codecs).
    Animated images are never a <source>: a browser would not play them in a <video>.

    `folder`: the files are in that folder beside the page (the gallery, OUT/index.html,
    shows OUT/NAME/NAME.*); its name is URL-escaped, as a folder name may hold anything.
    """
    w, h = size
    videos = {fmt: path for fmt, path in videos.items() if not fmt.animation}
    if not videos:
        return ""
    base = html.escape(name) if folder is None else html.escape(f"{quote(folder)}/{quote(name)}")
    sources = "\n".join(
        f'  <source src="{base}.{fmt.extension}" type=\'{fmt.type_attribute(path)}\'>'
        for fmt, path in videos.items())
    return (f'<video controls preload="metadata" width="{w}" height="{h}" '
            f'poster="{base}.png">\n{sources}\n</video>')


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
        parts.append(
            f'<figure>\n<img src="{html.escape(name)}.{fmt.extension}" width="{w}" height="{h}" '
            f'alt="{html.escape(clean(title))}">\n<figcaption>{fmt.name.upper()} for a README, paste: '
            f'<code>{html.escape(markdown_image(name, title, fmt))}</code></figcaption>\n</figure>')
    return "\n".join(parts)


def standalone_page(name: str, title: str, block: str, images: str = "") -> str:
    """A whole page around the block, so the file plays when opened in a browser."""
    images = f"\n{images}" if images else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(clean(title))}</title>
<style>body {{ margin: 2em; font-family: sans-serif; }} video, img {{ max-width: 100%; height: auto; }}</style>
</head>
<body>
<!-- nnviz: paste the <video> (or <img>) element below into your own page -->
{block}{images}
</body>
</html>
"""
