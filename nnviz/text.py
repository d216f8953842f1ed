"""Text from strangers (a scene's title, a log's description, a run's label, --title): the one
rule for what can be drawn, written to a page and printed, and the title's own limits."""
from __future__ import annotations

import unicodedata

from .errors import UsageError

MAX_TITLE = 120   # characters of a --title: a header is one line, shortened to fit anyway


def title_problem(title) -> str | None:
    """Why `title` cannot be a header title (None: it can): one line of printable text, not
    empty, at most MAX_TITLE characters. Worded to follow "the title"."""
    if not isinstance(title, str):
        return f"must be text, got {type(title).__name__}"
    if not title.strip():
        return "is empty"
    if len(title) > MAX_TITLE:
        return f"has {len(title)} characters; at most {MAX_TITLE} fit a header"
    if not title.isprintable():
        return "is not one line of printable text (it holds a newline, tab or control character)"
    return None


def text_problem(text, lines: bool = False) -> str | None:
    """Why `text` (a title, description or label from a scene, a log or the command line)
    cannot be drawn or written (None: it can). A lone surrogate is in no encoding: drawing it
    and writing it to a page or a terminal fail. A control character has no glyph (matplotlib
    warns about each) and a terminal acts on it. `lines`: newlines allowed (a description).
    Worded to follow "the title"."""
    if not isinstance(text, str):
        return f"must be text, got {type(text).__name__}"
    for ch in text:
        kind = unicodedata.category(ch)
        if kind == "Cs":
            return f"holds a lone surrogate {ch!r}, which no file or terminal can show"
        if (kind == "Cc" or kind in ("Zl", "Zp")) and not (lines and ch == "\n"):
            return f"holds the control character {ch!r}"
        if kind == "Cf":   # bidi overrides, zero-width characters: invisible, and they reorder
            return f"holds the invisible formatting character {ch!r}"
    return None


def clean(text: str, lines: bool = False) -> str:
    """`text` safe to draw, write or print: what text_problem names replaced by U+FFFD. The
    sources (scene checks, the log loader, the CLI) refuse such text; this is the last guard
    where text is drawn or written."""
    text = str(text)
    if text_problem(text, lines) is None:
        return text
    return "".join("\ufffd" if text_problem(ch, lines) else ch for ch in text)


HINT = 'give a short one-line title, e.g. --title "XOR in 4 neurons"'


def check_title(title, option: str = "title") -> str:
    why = title_problem(title)
    if why:
        raise UsageError(f"the {option} {why}; {HINT}")
    return title
