"""What a snapshot log may hold: the table every loaded log is checked against before drawing.

Logs are shared (`render --from`), so every field is a stranger's. The checks run at load time
from the npy headers alone (names, dtypes, shapes: no data is read), then on the values of the
small arrays (series, data points, grid); the large per-snapshot arrays are checked for finite
values as they stream (see `SnapshotLog.stream`). Each failure is a `LogError` naming the field.

To add a field, add a row to FIELDS (an exact name) or PREFIXES (a family such as `param/`).
A shape is written in symbols: N is the snapshot count, the others are bound by the first
field that uses them (T train points, V validation points, D inputs, K outputs, G grid sizes)
and must agree in every later one; GRID stands for the output grid's shape, (G,) or (G1, G0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .names import check_scene_name

KINDS = {"regression", "classification"}
PICTURES = ("fit", "heatmap", "boundary")
PANELS = (*PICTURES, "loss", "accuracy")
# far inside float64: padding axis limits (and 10 ** limit on a log axis) cannot overflow
LIMIT = 1e100


def _plottable(a: np.ndarray) -> str | None:
    if not np.all(np.isfinite(a)):
        return "holds NaN or infinite values"
    if a.size and np.max(np.abs(a)) > LIMIT:
        return f"holds values beyond ±{LIMIT:g}"
    return None


def _axis(a: np.ndarray) -> str | None:
    return _plottable(a) or (None if np.all(np.diff(a) > 0) else "is not strictly increasing")


def _steps(a: np.ndarray) -> str | None:
    if a.size and a.min() < 0:
        return "holds negative steps"
    return None if np.all(np.diff(a) >= 0) else "is not in increasing order"


def _fraction(a: np.ndarray) -> str | None:
    return _plottable(a) or (None if np.all((a >= 0) & (a <= 1)) else "holds values outside 0..1")


@dataclass(frozen=True)
class Field:
    """One array: its shape in symbols, the dtype kinds allowed, how its values are checked.

    `values` checks a small array read whole at load time; `finite` asks that a per-snapshot
    array be checked snapshot by snapshot as it streams (it is never read whole).
    """
    shape: str
    kinds: str = "f"                     # numpy dtype kinds: f float, i/u integers
    values: Callable[[np.ndarray], str | None] | None = None
    finite: bool = False

    @property
    def per_snapshot(self) -> bool:
        return self.shape.split()[0] == "N"

    @property
    def streamed(self) -> bool:
        return self.per_snapshot and self.values is None


FIELDS: dict[str, Field] = {
    "data/x_train": Field("T D", values=_plottable),
    "data/y_train": Field("T K", values=_plottable),
    "data/x_val": Field("V D", values=_plottable),
    "data/y_val": Field("V K", values=_plottable),
    "grid/x": Field("G", values=_axis),
    "grid/x0": Field("G0", values=_axis),
    "grid/x1": Field("G1", values=_axis),
    "step": Field("N", kinds="iu", values=_steps),
    "loss/train": Field("N", values=_plottable),
    "loss/val": Field("N", values=_plottable),
    "accuracy/train": Field("N", values=_fraction),
    "accuracy/val": Field("N", values=_fraction),
    "predicted/train": Field("N T", kinds="iu"),
    "predicted/val": Field("N V", kinds="iu"),
    "output": Field("N GRID K", finite=True),
}
# families of fields; `...` is any number of further axes (an architecture in meta, when there
# is one, pins param shapes down exactly: see `architecture_fields`)
PREFIXES: dict[str, Field] = {
    "param/": Field("N ...", finite=True),
    "landscape/": Field("...", values=_plottable),
}
MINIMUM = {"T": 1, "V": 1, "D": 1, "K": 1, "G": 2, "G0": 2, "G1": 2}

# the arrays each panel reads (beyond the series every frame's header reads), and the sizes it
# needs; tests/test_logs.py checks this against the panels' own `needs` and `fields`
ALWAYS = ("step", "loss/train", "loss/val")
DATA = ("data/x_train", "data/y_train", "data/x_val", "data/y_val")
PANEL_FIELDS: dict[str, tuple[str, ...]] = {
    "fit": ("output", "grid/x", *DATA),
    "heatmap": ("output", "grid/x0", "grid/x1", *DATA),
    "boundary": ("output", "grid/x0", "grid/x1", "predicted/train", "predicted/val", *DATA),
    "loss": ("loss/train", "loss/val"),
    "accuracy": ("accuracy/train", "accuracy/val"),
}
PANEL_MINIMUM: dict[str, dict[str, int]] = {"boundary": {"K": 2}}   # it reads output[..., 1]


class Invalid(ValueError):
    """One problem with a log, named by field; the loader turns it into a LogError."""


def check_meta(meta: dict) -> None:
    """The metadata's types and values (log_version is checked by the loader, first)."""
    snapshots = meta.get("snapshots")
    if isinstance(snapshots, bool) or not isinstance(snapshots, int) or snapshots < 1:
        raise Invalid(f"meta 'snapshots' must be a whole number of at least 1, got {snapshots!r}")
    check_scene_name(meta.get("scene"), "meta 'scene'", Invalid)
    for key in ("title", "description"):
        if not isinstance(meta.get(key), str):
            raise Invalid(f"meta {key!r} must be a string, got {type(meta.get(key)).__name__}")
    if meta.get("kind") not in KINDS:
        raise Invalid(f"meta 'kind' must be one of {', '.join(sorted(KINDS))}, got {meta.get('kind')!r}")
    panels = meta.get("panels")
    if not isinstance(panels, list) or not panels or not all(isinstance(p, str) for p in panels):
        raise Invalid(f"meta 'panels' must be a non-empty list of panel names, got {panels!r}")
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        raise Invalid(f"meta 'panels': unknown panel {unknown[0]!r} (known: {', '.join(PANELS)})")
    if len(set(panels)) < len(panels) or sum(p in PICTURES for p in panels) > 1:
        raise Invalid(f"meta 'panels' {panels} repeats a panel or holds more than one of "
                      f"{', '.join(PICTURES)}")
    if not isinstance(meta.get("options"), dict):
        raise Invalid(f"meta 'options' must be a dict, got {type(meta.get('options')).__name__}")
    if "architecture" in meta:
        try:
            check_architecture(meta["architecture"])
        except ValueError as e:
            raise Invalid(f"meta 'architecture': {e}") from None


def check_architecture(architecture) -> None:
    """The layer list's structure, as far as the parameter shapes depend on it.

    The hook for `nn`'s own validation of an architecture (its ValueError becomes the log's
    one-line error): call it here.
    """
    if not isinstance(architecture, list) or not all(isinstance(x, dict) for x in architecture):
        raise ValueError("must be a list of layer dicts")
    for i, layer in enumerate(architecture):
        for key in ("n_in", "n_out"):
            n = layer.get(key, 1)
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"layer {i}: {key} must be a positive whole number, got {n!r}")


def check_fields(meta: dict, headers: dict[str, tuple], read: Callable[[str], np.ndarray]
                 ) -> dict[str, np.ndarray]:
    """Check every field the log holds against the table; return the small arrays it read.

    `headers` maps field names to (shape, dtype) from the npy headers; `read` reads one array.
    Fields outside the table are ignored: nothing reads them.
    """
    rows = dict(FIELDS, **architecture_fields(meta.get("architecture", [])))
    grids = [g for g in ("grid/x", "grid/x0", "grid/x1") if g in headers]
    if grids not in ([], ["grid/x"], ["grid/x0", "grid/x1"]):
        raise Invalid(f"fields {', '.join(grids)} do not make one grid "
                      f"(grid/x, or grid/x0 with grid/x1)")
    if "output" in headers and not grids:
        raise Invalid("field 'output' is there but no grid (grid/x, or grid/x0 with grid/x1)")
    for panel in meta["panels"]:
        for name in (*ALWAYS, *PANEL_FIELDS[panel]):
            if name not in headers:
                raise Invalid(f"field {name!r} is missing; the {panel} panel draws it")
    shapes = Shapes(meta["snapshots"], ("G",) if grids == ["grid/x"] else ("G1", "G0"))
    known = [n for n in rows if n in headers] + sorted(n for n in headers if n not in rows)
    arrays = {}
    for name in known:
        field = rows.get(name) or field_for(name)
        if field is None:
            continue
        shape, dtype = headers[name]
        if dtype.kind not in field.kinds:
            want = " or ".join({"f": "float", "i": "integer", "u": "unsigned integer"}[k]
                               for k in field.kinds)
            raise Invalid(f"field {name!r} has dtype {dtype}, expected {want}")
        problem = shapes.check(field, shape)
        if problem:
            raise Invalid(f"field {name!r} {problem}")
        if field.values is not None:
            arrays[name] = read(name)
            problem = field.values(arrays[name])
            if problem:
                raise Invalid(f"field {name!r} {problem}")
    for panel in meta["panels"]:
        for symbol, least in PANEL_MINIMUM.get(panel, {}).items():
            if shapes.bound.get(symbol, least) < least:
                raise Invalid(f"the {panel} panel needs {symbol} >= {least}, this log has "
                              f"{symbol} = {shapes.bound[symbol]}")
    return arrays


def field_for(name: str) -> Field | None:
    if name in FIELDS:
        return FIELDS[name]
    return next((f for prefix, f in PREFIXES.items() if name.startswith(prefix)), None)


def architecture_fields(architecture) -> dict[str, Field]:
    """Exact rows for the parameters of the layers in meta's `architecture`, if it has one.

    The list itself is validated by `nn` (a ValueError, translated by the caller); here only
    the shapes its dense layers give their parameters.
    """
    rows = {}
    for i, layer in enumerate(architecture):
        if "n_in" in layer and "n_out" in layer:
            rows[f"param/{i}.W"] = Field(f"N {layer['n_in']} {layer['n_out']}", finite=True)
            rows[f"param/{i}.b"] = Field(f"N {layer['n_out']}", finite=True)
    return rows


class Shapes:
    """Binds shape symbols as fields are checked; a field that disagrees gets a message."""

    def __init__(self, snapshots: int, grid: tuple[str, ...]):
        self.bound: dict[str, int] = {"N": snapshots}
        self.grid = grid

    def check(self, field: Field, shape: tuple[int, ...]) -> str | None:
        symbols = field.shape.split()
        if "GRID" in symbols:
            i = symbols.index("GRID")
            symbols[i:i + 1] = self.grid
        rest = symbols[-1] == "..."
        if rest:
            symbols.pop()
        if len(shape) != len(symbols) and not (rest and len(shape) >= len(symbols)):
            return (f"has {len(shape)} dimensions {shape}, expected {'at least ' if rest else ''}"
                    f"{len(symbols)} ({' '.join(field.shape.split())})")
        for symbol, size in zip(symbols, shape):
            want = int(symbol) if symbol.isdigit() else self.bound.get(symbol)
            if want is None:
                if size < MINIMUM.get(symbol, 0):
                    return f"has shape {shape}: {symbol} must be at least {MINIMUM[symbol]}"
                self.bound[symbol] = size
            elif size != want:
                what = "the snapshot count" if symbol == "N" else f"{symbol} = {want}"
                return f"has shape {shape}, which disagrees with {what}"
        return None


def load_bytes(headers: dict[str, tuple]) -> int:
    """Bytes that opening and rendering a log allocates for its arrays, from (shape, dtype).

    Small arrays are read whole; per-snapshot arrays one snapshot at a time; unknown fields not
    at all.
    """
    total = 0
    for name, (shape, dtype) in headers.items():
        field = field_for(name)
        if field is not None:
            total += nbytes(shape[1:] if field.streamed else shape, dtype)
    return total


def nbytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Bytes of an array of this shape, in Python integers (a stranger's shape cannot overflow)."""
    return math.prod(shape) * dtype.itemsize
