"""Shell completion of scene names: built-in scenes and `.py` files.

click completes commands and options by itself (`eval "$(_NNVIZ_COMPLETE=bash_source nnviz)"`);
a SCENE argument is free text to click, so this tells it what a scene can be: a registered
name (nnviz.learn.scene.builtin_scenes) or the path of a scene file, folder by folder. It runs on every
Tab press, so it never raises: a plug-in that fails to load only leaves its names out.
"""
from __future__ import annotations

import os

from click.shell_completion import CompletionItem


def _builtin(incomplete: str) -> list[CompletionItem]:
    try:
        from .learn.scene import builtin_scenes
        scenes = builtin_scenes()
    except Exception:   # a broken plug-in must not break the shell's Tab
        return []
    return [CompletionItem(name, help=(getattr(cls, "description", "") or "")[:80])
            for name, cls in sorted(scenes.items()) if name.startswith(incomplete)]


def _files(incomplete: str) -> list[CompletionItem]:
    """`.py` files and folders (to go on into) whose path starts with `incomplete`."""
    head, slash, tail = incomplete.rpartition("/")
    folder = os.path.expanduser(head or "/") if slash else "."
    prefix = head + slash
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    items = []
    for entry in entries:
        if not entry.name.startswith(tail) or (entry.name.startswith(".") and not tail.startswith(".")):
            continue
        try:
            if entry.is_dir():
                items.append(CompletionItem(prefix + entry.name + "/"))
            elif entry.name.endswith(".py") and entry.is_file():
                items.append(CompletionItem(prefix + entry.name))
        except OSError:
            continue
    return items


def complete_scene(ctx, param, incomplete: str) -> list[CompletionItem]:
    """click's shell_complete for a SCENE argument: built-in names, then scene files."""
    if "/" in incomplete or incomplete.endswith(".py"):
        return _files(incomplete)
    return _builtin(incomplete) + _files(incomplete)
