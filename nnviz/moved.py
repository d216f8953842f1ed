"""Modules that moved into the stage folders in 0.2 still import from their old names, with a
DeprecationWarning naming the new one, so code written against 0.1 keeps working."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

MOVED = {f"nnviz.{old}": f"nnviz.{new}" for old, new in {
    "nn": "learn.nn", "data": "learn.data", "scene": "learn.scene",
    "scene_checks": "learn.scene_checks", "training": "learn.training",
    "landscape": "learn.landscape", "comparison": "learn.comparison", "runs": "learn.runs",
    "describe": "learn.describe", "snapshots": "log.snapshots", "logschema": "log.logschema",
    "rebuild": "log.rebuild", "frames": "draw.frames", "runframes": "draw.runframes",
    "layout": "draw.layout", "theme": "draw.theme", "panels": "draw.panels",
    "video": "encode.video", "check": "encode.check", "page": "publish.page",
    "gallery": "publish.gallery", "jobs": "run.jobs", "cluster": "run.cluster",
    "runtrain": "run.runtrain",
}.items()}


class _Moved(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in MOVED else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        new = MOVED[module.__name__]
        warnings.warn(f"{module.__name__} moved to {new}; import that instead",
                      DeprecationWarning, stacklevel=2)
        real = importlib.import_module(new)
        module.__dict__.update({k: v for k, v in vars(real).items()
                                if not k.startswith("__")})
        module.__getattr__ = lambda attribute: getattr(real, attribute)


def install() -> None:
    if not any(isinstance(f, _Moved) for f in sys.meta_path):
        sys.meta_path.append(_Moved())
