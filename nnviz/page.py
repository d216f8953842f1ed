"""The ready-to-paste HTML: a <video controls poster> block with one <source> per format."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from .video import VideoFormat


def video_block(name: str, videos: dict[VideoFormat, Path], size: tuple[int, int],
                folder: str | None = None) -> str:
    """The block to paste into a page; `videos` maps formats to the files (for their codecs).

    `folder`: the files are in that folder beside the page (the gallery, OUT/index.html,
    shows OUT/NAME/NAME.*); its name is URL-escaped, as a folder name may hold anything.
    """
    w, h = size
    base = html.escape(name) if folder is None else html.escape(f"{quote(folder)}/{quote(name)}")
    sources = "\n".join(
        f'  <source src="{base}.{fmt.extension}" type=\'{fmt.type_attribute(path)}\'>'
        for fmt, path in videos.items())
    return (f'<video controls preload="metadata" width="{w}" height="{h}" '
            f'poster="{base}.png">\n{sources}\n</video>')


def standalone_page(name: str, title: str, block: str) -> str:
    """A whole page around the block, so the file plays when opened in a browser."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>body {{ margin: 2em; font-family: sans-serif; }} video {{ max-width: 100%; height: auto; }}</style>
</head>
<body>
<!-- nnviz: paste the <video> element below into your own page -->
{block}
</body>
</html>
"""
