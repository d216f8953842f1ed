"""nnviz: turn the training of a small NumPy network into publishable video.

    import nnviz
    result = nnviz.render("xor_two_classes", size=(640, 480), formats=["mp4"])

Every name is imported when first used: `import nnviz` runs no other module, so the CLI
starts fast and a broken install is reported in one line (nnviz.__main__), never a traceback.
"""
from importlib import import_module

from .version import __version__  # noqa: F401

from . import moved as _moved  # noqa: E402

_moved.install()   # nnviz.snapshots and the other 0.1 names, with a DeprecationWarning

_WHERE = {   # public name -> the module that defines it (a sub-module: the name itself)
    "data": "learn.data", "nn": "learn.nn",
    "NnvizError": "errors", "UsageError": "errors",
    "PANELS": "learn.scene", "Scene": "learn.scene", "builtin_scenes": "learn.scene",
    "resolve": "learn.scene",
    "SnapshotLog": "log.snapshots", "load": "log.snapshots",
    "render": "api", "render_many": "api", "train": "api", "compare": "api",
    "RenderResult": "api",
    "Recorder": "record.recorder", "record_sklearn": "record.sklearn_mlp",
    "TorchRecorder": "record.torch_loop", "KerasRecorder": "record.keras_callback",
}


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'nnviz' has no attribute {name!r}")
    module = import_module(f".{_WHERE[name]}", __name__)
    return module if _WHERE[name].endswith(f".{name}") else getattr(module, name)


def __dir__():
    return sorted([*globals(), *_WHERE])


__all__ = ["Scene", "PANELS", "data", "nn", "load", "SnapshotLog", "render", "render_many", "train",
           "compare", "RenderResult", "builtin_scenes", "resolve", "NnvizError", "UsageError",
           "Recorder", "record_sklearn", "TorchRecorder", "KerasRecorder", "__version__"]
