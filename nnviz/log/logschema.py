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

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import UsageError
from ..learn.landscape import NAMES as LANDSCAPE
from ..names import check_scene_name
from ..settings import THEME_NAMES as THEMES
from ..text import text_problem
from .logdata import Invalid, check_classes, check_shown

KINDS = {"regression", "classification"}
# a header shows one line of about 100 characters (shortened to fit); a log's title is a
# stranger's text: bounded (--title itself allows nnviz.text.MAX_TITLE)
MAX_TITLE = 1000
# far inside float64: padding axis limits (and 10 ** limit on a log axis) cannot overflow
LIMIT = 1e100


def _plottable(a: np.ndarray) -> str | None:
    if not np.all(np.isfinite(a)):
        return "holds NaN or infinite values"
    if a.size and float(np.max(np.abs(a))) > LIMIT:
        return f"holds values beyond ±{LIMIT:g}"
    return None


def _axis(a: np.ndarray) -> str | None:
    return _plottable(a) or (None if np.all(np.diff(a) > 0) else "is not strictly increasing")


def _steps(a: np.ndarray) -> str | None:
    if a.size and a.min() < 0:
        return "holds negative steps"
    return None if np.all(np.diff(a) >= 0) else "is not in increasing order"


def _scale(a: np.ndarray) -> str | None:
    return _plottable(a) or (None if np.all(a > 0) else "holds scales that are not positive")


def _indices(a: np.ndarray) -> str | None:
    if a.size and a.min() < 0:
        return "holds negative indices"
    return None if np.all(np.diff(a) > 0) else "is not strictly increasing"


def _fraction(a: np.ndarray) -> str | None:
    return _plottable(a) or (None if np.all((a >= 0) & (a <= 1)) else "holds values outside 0..1")


@dataclass(frozen=True)
class Field:
    """One array: its shape in symbols, the dtype kinds allowed, how its values are checked.

    `values` checks a small array read whole at load time; `finite` asks that a per-snapshot
    array be checked snapshot by snapshot as it streams (it is never read whole); `scan` asks
    for that check when the log is opened too, streamed once (for fields no panel reads yet).
    """
    shape: str
    kinds: str = "f"                     # numpy dtype kinds: f float, i/u integers
    values: Callable[[np.ndarray], str | None] | None = None
    finite: bool = False
    scan: bool = False

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
    # the points the views draw of a large set (nnviz.learn.data.shown), indices into data/x_*;
    # without them every point is drawn. predicted/ holds the shown points' classes (S of T).
    "shown/train": Field("S", kinds="iu", values=_indices),
    "shown/val": Field("SV", kinds="iu", values=_indices),
    "predicted/train": Field("N S", kinds="iu"),
    "predicted/val": Field("N SV", kinds="iu"),
    "output": Field("N GRID K", finite=True),
    "standardizer/x_mean": Field("D", values=_plottable),
    "standardizer/x_std": Field("D", values=_scale),
    "standardizer/y_mean": Field("K", values=_plottable),
    "standardizer/y_std": Field("K", values=_scale),
    # the loss landscape (nnviz.learn.landscape); loss may hold inf far from the path, so only its
    # shape is checked here: the landscape panel decides what it can draw
    "landscape/a": Field("LA", values=_axis),
    "landscape/b": Field("LB", values=_axis),
    "landscape/loss": Field("LB LA"),
    "landscape/path": Field("N 2", values=_plottable),
    "landscape/origin": Field("P", values=_plottable),
    "landscape/directions": Field("2 P", values=_plottable),
    "landscape/explained": Field("2", values=_plottable),
    "landscape/minimum": Field("2", values=_plottable),
}
# families of fields; `...` is any number of further axes (an architecture in meta, when there
# is one, pins param shapes down exactly: see `architecture_fields`)
PREFIXES: dict[str, Field] = {
    "param/": Field("N ...", finite=True),
    # optional (older logs lack them; nnviz.training writes them): per snapshot, the full
    # training set's loss gradient and the optimiser's step, each the shape of its param/ twin
    "grad/": Field("N ...", finite=True, scan=True),
    "update/": Field("N ...", finite=True, scan=True),
}
STEP = ("grad/", "update/")
FINAL_UPDATES = ("next", "zero")   # meta "final_update": what update/ holds at the last snapshot
MINIMUM = {"T": 1, "V": 1, "S": 1, "SV": 1, "D": 1, "K": 1, "G": 2, "G0": 2, "G1": 2, "LA": 2, "LB": 2}

# the arrays each panel reads (beyond the series every frame's header reads), and the sizes it
# needs; tests/test_logs.py checks this against the panels' own `needs` and `fields`
ALWAYS = ("step", "loss/train", "loss/val")
DATA = ("data/x_train", "data/y_train", "data/x_val", "data/y_val")
PANEL_FIELDS: dict[str, tuple[str, ...]] = {   # keys: every name in scene.PANELS
    "fit": ("output", "grid/x", *DATA),
    "heatmap": ("output", "grid/x0", "grid/x1", *DATA),
    "boundary": ("output", "grid/x0", "grid/x1", "predicted/train", "predicted/val", *DATA),
    "network": (),    # every parameter of meta's architecture: see `needed`
    "gradients": (),  # every parameter and its grad/: see `needed`
    "neuron": (),     # the same (one Dense layer's W and b)
    "landscape": LANDSCAPE,
    "loss": ("loss/train", "loss/val"),
    "accuracy": ("accuracy/train", "accuracy/val"),
}
# (the boundary reads output[..., -1]: softmax's P(class 1) of two, or a sigmoid's only output)
ARCHITECTURE_PANELS = ("network", "gradients", "neuron")   # they draw meta's architecture and its parameters
PANEL_MINIMUM: dict[str, dict[str, int]] = {}


def check_meta(meta: dict) -> None:
    """The metadata's types and values (log_version is checked by the loader, first)."""
    snapshots = meta.get("snapshots")
    if isinstance(snapshots, bool) or not isinstance(snapshots, int) or snapshots < 1:
        raise Invalid(f"meta 'snapshots' must be a whole number of at least 1, got {snapshots!r}")
    check_scene_name(meta.get("scene"), "meta 'scene'", Invalid)
    for key in ("title", "description"):
        if not isinstance(meta.get(key), str):
            raise Invalid(f"meta {key!r} must be a string, got {type(meta.get(key)).__name__}")
    for key in ("title", "description"):
        why = text_problem(meta[key], lines=key == "description")
        if why:
            raise Invalid(f"meta {key!r} {why}")
    if len(meta["title"]) > MAX_TITLE:
        raise Invalid(f"meta 'title' is {len(meta['title']):,} characters long; at most "
                      f"{MAX_TITLE:,} are allowed")
    if "words" in meta:
        from ..learn.scene_checks import words_problem
        why = words_problem(meta["words"])
        if why:
            raise Invalid(f"meta {why}")
    for key in ("input_names", "class_names"):   # a CSV's (nnviz.learn.datascene)
        if key in meta:
            from ..learn.scene_checks import names_problem
            why = names_problem(key, meta[key])
            if why:
                raise Invalid(f"meta {why}")
    if "theme" in meta and (not isinstance(meta["theme"], str) or meta["theme"] not in THEMES):
        shown = meta["theme"] if isinstance(meta["theme"], str) else type(meta["theme"]).__name__
        raise Invalid(f"meta 'theme' must be one of {', '.join(THEMES)}, got {shown[:40]!r}")
    if meta.get("kind") not in KINDS:
        raise Invalid(f"meta 'kind' must be one of {', '.join(sorted(KINDS))}, got {meta.get('kind')!r}")
    panels = meta.get("panels")
    if not isinstance(panels, list) or not all(isinstance(p, str) for p in panels):
        raise Invalid(f"meta 'panels' must be a list of panel names, got {panels!r}")
    from ..learn.scene import check_panel_choice   # the one rule for which panels go together
    try:
        check_panel_choice(meta["scene"], panels)
    except UsageError as e:
        raise Invalid(f"meta 'panels': {e}") from None
    if not isinstance(meta.get("options"), dict):
        raise Invalid(f"meta 'options' must be a dict, got {type(meta.get('options')).__name__}")
    if meta.get("architecture") is not None:   # None: a model of the user's own layers
        try:
            network(meta["architecture"])
        except ValueError as e:
            raise Invalid(f"meta 'architecture': {e}") from None
    if "run" in meta:   # one run of a set (nnviz.learn.runs)
        from ..learn.runs import check_meta as check_run
        check_run(meta["run"], Invalid)
    if not isinstance(meta.get("standardize_targets", False), bool):
        raise Invalid("meta 'standardize_targets' must be true or false")
    if "final_update" in meta and meta["final_update"] not in FINAL_UPDATES:
        raise Invalid(f"meta 'final_update' must be one of {', '.join(FINAL_UPDATES)}, "
                      f"got {str(meta['final_update'])[:40]!r}")


def network(architecture):
    """The network meta's architecture describes (zero parameters); nn validates the list
    (a stranger's: sizes bounded) and raises ValueError saying what is wrong."""
    from ..learn.nn import Sequential
    return Sequential.from_architecture(architecture)


def check_fields(meta: dict, headers: dict[str, tuple], read: Callable[[str], np.ndarray]
                 ) -> dict[str, np.ndarray]:
    """Check every field the log holds against the table; return the small arrays it read.

    `headers` maps field names to (shape, dtype) from the npy headers; `read` reads one array.
    Fields outside the table are ignored: nothing reads them.
    """
    rows = dict(FIELDS, **architecture_fields(meta.get("architecture")))
    grids = [g for g in ("grid/x", "grid/x0", "grid/x1") if g in headers]
    if "grid/x" in grids and len(grids) > 1:
        raise Invalid(f"fields {' and '.join(grids)} make two grids; a log holds grid/x "
                      f"(one input) or grid/x0 with grid/x1 (two inputs)")
    if len(grids) == 1 and grids != ["grid/x"]:
        other = "grid/x1" if grids == ["grid/x0"] else "grid/x0"
        raise Invalid(f"field {other!r} is missing; grid/x0 and grid/x1 make the grid together")
    for panel in ARCHITECTURE_PANELS:
        if panel in meta["panels"] and meta.get("architecture") is None:
            raise Invalid(f"the {panel} panel draws meta 'architecture', which this log does not hold")
    # the network panel: every parameter, and the standardiser for its maps over a 2-D grid
    network_fields = (*(n for n in architecture_fields(meta.get("architecture"))
                        if n.startswith("param/")),
                      *(("standardizer/x_mean", "standardizer/x_std") if "grid/x0" in headers else ()))
    for panel in meta["panels"]:
        needed = (*ALWAYS, *PANEL_FIELDS[panel],
                  *(network_fields if panel in ARCHITECTURE_PANELS else ()),
                  *(n.replace("param/", "grad/", 1) for n in network_fields
                    if panel == "gradients" and n.startswith("param/")))
        for name in needed:
            if name not in headers:
                raise Invalid(f"field {name!r} is missing; the {panel} panel draws it")
    if "output" in headers and not grids:
        raise Invalid("field 'output' is there but no grid (grid/x, or grid/x0 with grid/x1)")
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
        problem = shapes.check(name, field, shape)
        if problem:
            raise Invalid(f"field {name!r} {problem}")
        if field.values is not None:
            arrays[name] = read(name)
            problem = field.values(arrays[name])
            if problem:
                raise Invalid(f"field {name!r} {problem}")
    check_agreement(meta, shapes, arrays)
    check_step_fields(headers)
    for panel in meta["panels"]:
        for symbol, least in PANEL_MINIMUM.get(panel, {}).items():
            if shapes.bound.get(symbol, least) < least:
                raise Invalid(f"the {panel} panel needs {symbol} >= {least}, this log has "
                              f"{symbol} = {shapes.bound[symbol]}")
    return arrays


def check_agreement(meta: dict, shapes: "Shapes", arrays: dict[str, np.ndarray]) -> None:
    """What fields must agree on beyond their shapes: meta's architecture takes the data's
    inputs (D) and gives its outputs (K), and its parameters are the landscape's (P); the
    snapshot steps are exactly those meta's options `steps` and `every` make."""
    if meta.get("architecture") is not None:
        net = network(meta["architecture"])
        widths = (("D", "n_in", "inputs"), ("K", "n_out", "outputs"))
        for symbol, width, what in widths if net.params else ():   # no Dense layer: no widths
            width = getattr(net, width)
            if symbol in shapes.bound and shapes.bound[symbol] != width:
                raise Invalid(f"meta 'architecture' has {width} {what}, but {shapes.source[symbol]} "
                              f"has {shapes.bound[symbol]}; the log's network and data disagree")
        if "P" in shapes.bound and shapes.bound["P"] != net.flat_params.size:
            raise Invalid(f"meta 'architecture' has {net.flat_params.size} parameters, but "
                          f"{shapes.source['P']} has {shapes.bound['P']}")
    check_classes(meta, arrays)
    check_shown(shapes.bound, arrays)
    options = meta["options"]
    if "steps" in options or "every" in options:
        from ..learn.training import schedule
        from ..settings import MAX_STEPS
        for key in ("steps", "every"):
            value = options.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_STEPS:
                raise Invalid(f"meta 'options' {key!r} must be a whole number from 1 to "
                              f"{MAX_STEPS:,}, got {value!r}")
        steps = schedule(options["steps"], options["every"])
        if len(steps) != meta["snapshots"] or "step" in arrays and not np.array_equal(
                arrays["step"], np.fromiter(steps, np.int64, len(steps))):
            raise Invalid(f"field 'step' is not the snapshots of meta 'options' (steps "
                          f"{options['steps']}, every {options['every']}: {len(steps)} snapshots)")


def check_step_fields(headers: dict[str, tuple]) -> None:
    """grad/ and update/ come together: one of each for every param/, of its shape, or none."""
    names = sorted(n for n in headers if n.startswith(STEP))
    if not names:
        return
    params = sorted(n for n in headers if n.startswith("param/"))
    for name in names:
        twin = "param/" + name.split("/", 1)[1]
        if twin not in headers:
            raise Invalid(f"field {name!r} has no parameter {twin!r} beside it")
        if headers[name][0] != headers[twin][0]:
            raise Invalid(f"field {name!r} has shape {headers[name][0]}, which disagrees with "
                          f"{twin!r} {headers[twin][0]}")
    for param in params:
        for prefix in STEP:
            name = prefix + param.split("/", 1)[1]
            if name not in headers:
                raise Invalid(f"field {name!r} is missing; a log with grad/ and update/ fields "
                              f"holds both for every parameter")


def scanned(names) -> list[str]:
    """The per-snapshot fields among `names` whose values are checked when a log is opened."""
    return [n for n in names if (f := field_for(n)) is not None and f.scan]


def field_for(name: str) -> Field | None:
    if name in FIELDS:
        return FIELDS[name]
    return next((f for prefix, f in PREFIXES.items() if name.startswith(prefix)), None)


def architecture_fields(architecture) -> dict[str, Field]:
    """Exact rows for the parameters of meta's architecture (validated by `check_meta`)."""
    if architecture is None:
        return {}
    rows = {f"param/{name}": Field(" ".join(["N", *map(str, value.shape)]), finite=True)
            for name, value in network(architecture).params.items()}
    for prefix in STEP:   # grad/ and update/: the shape of their parameter, checked on opening
        rows.update({prefix + name[len("param/"):]: Field(row.shape, finite=True, scan=True)
                     for name, row in list(rows.items()) if name.startswith("param/")})
    return rows


class Shapes:
    """Binds shape symbols as fields are checked; a field that disagrees gets a message."""

    def __init__(self, snapshots: int, grid: tuple[str, ...]):
        self.bound: dict[str, int] = {"N": snapshots}
        self.source: dict[str, str] = {"N": "meta 'snapshots'"}
        self.grid = grid

    def check(self, name: str, field: Field, shape: tuple[int, ...]) -> str | None:
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
                self.bound[symbol], self.source[symbol] = size, repr(name)
            elif size != want:
                what = f"the expected shape ({field.shape.replace(' ', ', ')})" if symbol.isdigit() else (
                    f"{symbol} = {want} (from {self.source[symbol]})")
                return f"has shape {shape}, which disagrees with {what}"
        return None
