"""The Python API behind the CLI: train a scene, render a log, prepare output folders."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError
from .scene import Scene, resolve
from .snapshots import SnapshotLog
from .training import train as train_scene


def prepare_folder(root: str | Path, name: str) -> Path:
    """OUT/NAME, created if missing, checked writable before any work starts."""
    root = Path(root)
    for part in (root, *root.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"--out {root}: {part} is a file, not a folder; give a folder path")
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise UsageError(f"--out {root}: cannot write to {folder} ({e.strerror}); "
                         f"give a writable folder") from None
    return folder


def train(scene: str | type[Scene] | Scene, out: str | Path = "output", *, steps=None,
          every=None, seed: int = 0, lr=None) -> SnapshotLog:
    """Train a scene (a name, a path or a Scene) and save its log to OUT/NAME/NAME.npz."""
    scene = _scene(scene)
    folder = prepare_folder(out, scene.name)
    return train_scene(scene, folder / f"{scene.name}.npz", steps=steps, every=every,
                       seed=seed, lr=lr)


def _scene(scene) -> Scene:
    if isinstance(scene, str):
        return resolve(scene)()
    if isinstance(scene, type) and issubclass(scene, Scene):
        return scene()
    if isinstance(scene, Scene):
        return scene
    raise UsageError(f"scene must be a name, a path or a Scene, got {scene!r}")
