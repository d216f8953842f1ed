"""nnviz: turn the training of a small NumPy network into publishable video.

    import nnviz
    result = nnviz.render("xor_two_classes", size=(640, 480), formats=["mp4"])
"""
__version__ = "0.1.0"

from . import data, nn  # noqa: E402
from .errors import NnvizError, UsageError  # noqa: E402
from .scene import PANELS, Scene, builtin_scenes, resolve  # noqa: E402
from .snapshots import SnapshotLog, load  # noqa: E402


def __getattr__(name):
    # render pulls in matplotlib; import it only when asked for
    if name in ("render", "render_many", "train", "compare", "RenderResult"):
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'nnviz' has no attribute {name!r}")


__all__ = ["Scene", "PANELS", "data", "nn", "load", "SnapshotLog", "render", "render_many", "train",
           "compare",
           "RenderResult", "builtin_scenes", "resolve", "NnvizError", "UsageError", "__version__"]
