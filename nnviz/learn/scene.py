"""The Scene base class and the registry that finds scenes by name or by file path.

A scene declares what to train and which panels to show; nnviz owns the loop and the drawing.
Built-in scenes live in `nnviz.scenes` (the repository's `scenes/` folder); other packages can
add scenes through the `nnviz.scenes` entry-point group; any `.py` file works by its path.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.util
import pkgutil
import re
import sys
import traceback
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np

from . import data, nn
from ..errors import UsageError
from ..names import check_scene_name

# the panel vocabulary (drawn by nnviz.draw.panels; named here so choosing needs no matplotlib)
PANELS = ("fit", "heatmap", "boundary", "network", "gradients", "neuron", "landscape", "loss",
          "accuracy")
INPUT_VIEWS = ("fit", "heatmap", "boundary")   # pictures of the input space: one per frame
MAX_VIEWS = 3


def check_panel_choice(scene: str, panels) -> tuple[str, ...]:
    """A scene's or a user's panel list, refused in one line unless nnviz can lay it out."""
    panels = tuple(panels)
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        raise UsageError(f"scene {scene!r}: unknown panel {unknown[0]!r}; "
                         f"choose from {', '.join(PANELS)}")
    views = [p for p in panels if p not in ("loss", "accuracy")]
    if (not panels or len(set(panels)) < len(panels) or len(views) > MAX_VIEWS
            or sum(p in INPUT_VIEWS for p in panels) > 1):
        raise UsageError(f"scene {scene!r}: panels must be distinct and non-empty, with at most "
                         f"one of {', '.join(INPUT_VIEWS)} and at most {MAX_VIEWS} views in all; "
                         f"got {','.join(panels) or 'none'}")
    return panels


class Scene:
    """Override `dataset` and `model`; set the class attributes to taste."""

    name: str = ""              # registry key; defaults to the class name in snake_case
    title: str = ""             # shown in every frame's header
    description: str = ""       # one line for `nnviz list`
    steps: int = 200            # optimiser steps
    every: int = 1              # a snapshot (a video frame) every this many steps
    lr: float = 1e-2
    optimizer: str = "adam"     # one of nn.OPTIMIZERS
    loss: str | None = None     # None: mse for regression, softmax_cross_entropy for classes
    batch_size: int | None = None  # None: floor(sqrt(n_train)), as in the original series
    train_fraction: float = 0.7
    standardize_targets: bool = True  # regression targets to zero mean, unit variance
    panels: tuple[str, ...] = ("loss",)
    # the command line's network knobs (nnviz.learn.knobs); None: model()'s own
    hidden: tuple[int, ...] | None = None        # hidden layer widths, () for none
    hidden_activation: str | None = None         # relu, tanh, sigmoid, linear, leaky_relu
    features: tuple[str, ...] | None = None      # Playground's features of two inputs
    regularization: str = "none"                 # none, l1 or l2 on the weights
    reg_rate: float = 0.001
    noise: float | None = None                   # a scene whose data takes a noise level
    # several runs in one video: {label: {attribute: value, ...}, ...} (see nnviz.learn.runs)
    runs: dict[str, dict] | None = None
    # the scene's own words for its video's descriptions (nnviz.story): a moment's name
    # ("converged", "all_right", ...: scene_checks.WORD_EVENTS) -> a sentence said instead of
    # nnviz's at that moment; a step (int) -> a sentence said from the first snapshot at or
    # after it. Recorded in the log, so `--from` keeps them.
    words: dict[int | str, str] | None = None

    def dataset(self, rng: np.random.Generator) -> data.Dataset:
        raise NotImplementedError(f"{type(self).__name__} must define dataset(self, rng)")

    def model(self, rng: np.random.Generator, n_in: int, n_out: int) -> nn.Sequential:
        raise NotImplementedError(f"{type(self).__name__} must define model(self, rng, n_in, n_out)")

    def network(self, own: nn.Sequential, rng: np.random.Generator) -> nn.Sequential:
        """The network trained: `own` (what model() built), or, with any of `hidden`,
        `hidden_activation` or `features` set, an MLP of those with the rest as `own` has it
        (its widths, activation, inputs and outputs), initialised from `rng`."""
        if self.hidden is None and self.hidden_activation is None and self.features is None:
            return own
        from .knobs import rebuild
        return rebuild(self.name, own, rng, self.hidden, self.hidden_activation, self.features)

    def learning_problems(self, log) -> list[str]:
        """Why the run in `log` (a SnapshotLog of this scene) did not learn; [] if it did.

        A scene may say what learning means for it: thresholds a viewer of its video would
        agree with (stated in its docstring), each miss one short reason such as
        "val accuracy 0.74 < 1". The tests and `benchmarks/learning.py` train the built-in
        scenes on many seeds and call this; the default claims nothing and returns [].
        """
        return []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
        try:
            check_panel_choice(cls.name, cls.panels)
        except UsageError as e:
            raise ValueError(str(e)) from None

    def __repr__(self):
        return f"<Scene {self.name}>"


def scenes_in(module) -> list[type[Scene]]:
    """The Scene subclasses a module defines itself (not the ones it imports)."""
    return [v for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, Scene) and v is not Scene
            and v.__module__ == module.__name__]


def builtin_scenes() -> dict[str, type[Scene]]:
    """Every built-in and plug-in scene by name."""
    import nnviz.scenes as package
    registry: dict[str, type[Scene]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        for cls in scenes_in(importlib.import_module(f"{package.__name__}.{info.name}")):
            registry[cls.name] = cls
    for ep in entry_points(group="nnviz.scenes"):
        cls = ep.load()
        registry[check_scene_name(cls.name, f"plug-in scene {ep.value}")] = cls
    return registry


def load_file(path: str | Path) -> list[type[Scene]]:
    """Import a user's scene file and return the scenes it defines."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"scene file {path} does not exist; give a built-in name "
                         f"(see `nnviz list`) or the path of a .py file")
    if path.suffix != ".py":
        raise UsageError(f"scene file {path} is not a Python file; give the path of a .py file")
    module_name = f"nnviz_user_scene_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        sys.modules.pop(module_name, None)
        raise UsageError(f"scene file {path}:{e.lineno}: SyntaxError: {e.msg}") from None
    except (Exception, SystemExit) as e:   # sys.exit() at import must not end nnviz silently
        sys.modules.pop(module_name, None)
        frames = [f for f in traceback.extract_tb(e.__traceback__)
                  if Path(f.filename).resolve() == path.resolve()]
        where = f"{path}:{frames[-1].lineno}" if frames else str(path)
        if isinstance(e, SystemExit):
            raise UsageError(f"scene file {where}: sys.exit() called while importing it; "
                             f"a scene file must define scenes, not exit") from None
        raise UsageError(f"scene file {where}: {type(e).__name__}: {' '.join(str(e).split())}") from None
    found = scenes_in(module)
    if not found:
        raise UsageError(f"scene file {path} defines no scene; define a subclass of nnviz.Scene")
    for cls in found:   # the name becomes a folder and file names under --out
        check_scene_name(cls.name, f"scene file {path}, class {cls.__name__}")
    return found


def resolve(spec: str) -> type[Scene]:
    """A scene class from a built-in name, `path.py` or `path.py:name`."""
    file, _, wanted = spec.partition(":") if ".py:" in spec else (spec, "", "")
    if file.endswith(".py") or "/" in file or Path(file).suffix:
        found = load_file(file)
        if wanted:
            match = ([c for c in found if c.name == wanted]
                     or [c for c in found if c.__name__ == wanted])   # or its class name
            if not match:
                raise UsageError(f"scene file {file} has no scene {wanted!r}; it defines "
                                 f"{', '.join(f'{c.name} (class {c.__name__})' for c in found)}")
            return match[0]
        if len(found) > 1:
            names = ", ".join(c.name for c in found)
            raise UsageError(f"scene file {file} defines several scenes ({names}); "
                             f"pick one with {file}:NAME")
        return found[0]
    registry = builtin_scenes()
    if spec in registry:
        return registry[spec]
    # names it begins (`xor` -> xor_...), then names spelt alike (`xor_tw_classes`)
    close = [n for n in sorted(registry) if n.startswith(spec)] if spec else []
    close += [n for n in difflib.get_close_matches(spec, registry, n=3, cutoff=0.5)
              if n not in close]
    close = close[:3]
    hint = f"did you mean {' or '.join(close)}?" if close else "see `nnviz list`"
    raise UsageError(f"unknown scene {spec!r}; {hint}")
