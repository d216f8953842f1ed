"""The ready-to-paste HTML: a <video controls poster> block with one <source> per format."""
from __future__ import annotations

import html
from pathlib import Path

from .video import VideoFormat


def video_block(name: str, videos: dict[VideoFormat, Path], size: tuple[int, int]) -> str:
    """The block to paste into a page; `videos` maps formats to the files (for their codecs)."""
    w, h = size
    sources = "\n".join(
        f'  <source src="{html.escape(name)}.{fmt.extension}" type=\'{fmt.type_attribute(path)}\'>'
        for fmt, path in videos.items())
    return (f'<video controls preload="metadata" width="{w}" height="{h}" '
            f'poster="{html.escape(name)}.png">\n{sources}\n</video>')


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
