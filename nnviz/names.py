"""The one rule for scene names, which become file and folder names under --out.

A scene name comes from a user's scene file or from a shared snapshot log; either may be a
stranger's. `../../x`, an absolute path or `""` would make a render write outside --out or
write hidden files, so a name is one plain path component or it is refused.
"""
from __future__ import annotations

import re

from .errors import UsageError

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
MAX_LENGTH = 100   # leaves room for ".NAME.webm.PID.tmp" within a file system's 255 bytes
RULE = f"letters, digits, _ . - only, not starting with . or -, at most {MAX_LENGTH} characters"


def check_scene_name(name, what: str, error: type[Exception] = UsageError) -> str:
    """`name` if it is a safe scene name; otherwise raise `error` naming `what` it came from."""
    if not isinstance(name, str):
        raise error(f"{what}: the scene name must be a string, got {type(name).__name__}")
    if not NAME.fullmatch(name) or len(name) > MAX_LENGTH:
        raise error(f"{what}: scene name {name!r} is not allowed ({RULE})")
    return name
