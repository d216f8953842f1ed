"""What a call brings, checked before any work: the scene, the panels, the training options
that --from refuses, and the one settings value (config file < --quick < the call)."""
from __future__ import annotations



from dataclasses import replace

from .. import config
from ..errors import UsageError
from ..settings import QUICK, Settings, build, quick_every
from ..names import check_scene_name
from ..learn.scene import Scene, resolve
from ..learn.scene_checks import instantiate

def refuse_training_options(settings: Settings) -> None:
    """With --from the log is drawn as it was trained: a training option of the call would be
    ignored, so it is refused rather than silently dropped (a config file's is left unused)."""
    given = [f"--{k}" for k in ("steps", "every", "seed", "lr") if settings.called(k)]
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


def settings_of(options: dict, quick: bool = False, folder=None) -> Settings:
    """The one settings value of a call: the defaults, then the config file (nnviz.toml or
    [tool.nnviz] in `folder`, default the current one), then --quick's size and hold, then
    the call's own options (None: not given). Every field is checked here."""
    layers = [config.read(folder)]
    if quick:
        layers.append(("quick", {"size": QUICK["size"], "hold": QUICK["hold"]}))
    layers.append(("call", options))
    return build(layers)


def call_settings(settings: Settings | None, options: dict, quick: bool) -> Settings:
    """A call's settings: given whole (`settings=`, e.g. from a worker's job) or built from
    its options, never both."""
    if settings is None:
        return settings_of(options, quick)
    if options:
        raise UsageError(f"give settings= or options ({', '.join(options)}), not both")
    return settings


def for_scene(settings: Settings, scene, quick: bool = False) -> Settings:
    """`settings` for one scene: with --quick and no --every, about QUICK["snapshots"]."""
    if not quick or settings.train.every is not None:
        return settings
    every = quick_every(settings.train.steps or scene.steps)
    return replace(settings, train=replace(settings.train, every=every),
                   origin=tuple(sorted({**dict(settings.origin), "every": "quick"}.items())))
