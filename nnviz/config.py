"""The config file: `nnviz.toml`, or the `[tool.nnviz]` table of `pyproject.toml`, in the
folder nnviz runs in. Its settings sit above the scene's and a log's, below the command line
and the API call (nnviz.settings.build). A stranger's file: read bounded, one-line errors.

    [look]
    size = "640x480"
    theme = "dark"
    [encode]
    formats = ["mp4", "gif"]
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import UsageError
from .settings import FIELDS, GROUPS

OWN, PROJECT = "nnviz.toml", "pyproject.toml"
MAX_BYTES = 1 << 20


def _table(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path.name} is larger than {MAX_BYTES >> 20} MiB; is it the "
                             f"right file?")
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path.name} is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path.name}: {e}; fix the file (TOML) or move it away") from None
    except OSError as e:
        raise UsageError(f"cannot read {path} ({e.strerror}); fix its permissions or move "
                         f"it away") from None


def read(folder: str | Path | None = None) -> tuple[str, dict]:
    """(the layer's name, {field: value}) from the config file in `folder` (default: the
    current one); an empty layer if there is none."""
    folder = Path.cwd() if folder is None else Path(folder)
    if (folder / OWN).is_file():
        name, table = OWN, _table(folder / OWN)
    elif (folder / PROJECT).is_file():
        name, table = f"{PROJECT} [tool.nnviz]", _table(folder / PROJECT)
        table = table.get("tool", {}).get("nnviz", {}) if isinstance(table.get("tool"), dict) \
            else {}
    else:
        return OWN, {}
    if not isinstance(table, dict):
        raise UsageError(f"{name}: [tool.nnviz] must be a table of settings")
    values = {}
    for group, entries in table.items():
        if group not in GROUPS or not isinstance(entries, dict):
            raise UsageError(f"{name}: unknown section {group!r}; settings go in "
                             f"{', '.join(f'[{g}]' for g in GROUPS)}")
        for key, value in entries.items():
            if key not in FIELDS or FIELDS[key][0] != group:
                where = f" (it belongs in [{FIELDS[key][0]}])" if key in FIELDS else ""
                raise UsageError(f"{name}: {group}.{key} is not a setting{where}; known: "
                                 f"{', '.join(n for n, (g, _) in FIELDS.items() if g == group)}")
            values[key] = value
    return name, values
