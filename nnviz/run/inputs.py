"""The Python API behind the CLI: train a scene, render it to video, prepare output folders."""
from __future__ import annotations



from ..errors import UsageError
from ..settings import (HOLD, MAX_SIZE, MIN_SIZE, QUICK, SIZE, check_size,  # noqa: F401
                       check_timing, quick_every)
from ..names import check_scene_name
from ..learn.scene import Scene, resolve
from ..learn.scene_checks import instantiate

def refuse_training_options(steps=None, every=None, seed=None, lr=None) -> None:
    """With --from the log is drawn as it was trained: a training option would be ignored, so
    it is refused rather than silently dropped."""
    given = [f"--{k}" for k, v in (("steps", steps), ("every", every), ("seed", seed), ("lr", lr))
             if v is not None]
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with --from: a saved log is drawn as "
                         f"it was trained; drop {'it' if len(given) == 1 else 'them'}, or render "
                         f"the scene by name to train again")


def scene_of(scene) -> Scene:
    if isinstance(scene, str):
        scene = instantiate(resolve(scene))
    elif isinstance(scene, type) and issubclass(scene, Scene):
        scene = instantiate(scene)
    elif not isinstance(scene, Scene):
        raise UsageError(f"scene must be a name, a path or a Scene, got {scene!r}")
    check_scene_name(scene.name, f"scene {type(scene).__name__}")   # a Scene made in code
    return scene


def parse_panels(scene: str, panels) -> tuple[str, ...]:
    """`--panels boundary,network,loss` or a list: the panels to draw instead of the scene's."""
    from ..learn.scene import check_panel_choice
    names = panels.split(",") if isinstance(panels, str) else list(panels)
    if any(not isinstance(n, str) or not n.strip() for n in names):
        raise UsageError(f"--panels must be a comma list of panel names without empty items, "
                         f"got {panels!r}")
    return check_panel_choice(scene, [n.strip() for n in names])


def check_looks(theme, title) -> None:
    """theme= and title= of the API, refused in one line before any work (None: not given)."""
    from ..settings import check_theme
    from ..text import check_title
    if theme is not None:
        check_theme(theme)
    if title is not None:
        check_title(title)
