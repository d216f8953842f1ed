"""nnviz: turn the training of a small NumPy network into publishable video.

    import nnviz
    result = nnviz.render("xor_two_classes", size=(640, 480), formats=["mp4"])

Every name is imported when first used: `import nnviz` runs no other module, so the CLI
starts fast and a broken install is reported in one line (nnviz.__main__), never a traceback.
"""
from importlib import import_module

__version__ = "0.1.0"

_WHERE = {   # public name -> the module that defines it
    "data": None, "nn": None,
    "NnvizError": "errors", "UsageError": "errors",
    "PANELS": "scene", "Scene": "scene", "builtin_scenes": "scene", "resolve": "scene",
    "SnapshotLog": "snapshots", "load": "snapshots",
    "render": "api", "render_many": "api", "train": "api", "compare": "api",
    "RenderResult": "api",
}


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'nnviz' has no attribute {name!r}")
    module = _WHERE[name]
    if module is None:   # a sub-module itself
        return import_module(f".{name}", __name__)
    return getattr(import_module(f".{module}", __name__), name)


def __dir__():
    return sorted([*globals(), *_WHERE])


__all__ = ["Scene", "PANELS", "data", "nn", "load", "SnapshotLog", "render", "render_many", "train",
           "compare", "RenderResult", "builtin_scenes", "resolve", "NnvizError", "UsageError",
           "__version__"]
