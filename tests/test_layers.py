"""The stages import one way: each module imports only from its own folder and the layers
below it (imports inside functions count), and no two modules import each other in a circle.
The README's "Architecture" section draws the same picture."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nnviz"
# bottom to top; a top-level module is its own unit, a folder is one stage
LAYERS = [
    {"errors", "version", "names", "numbers", "text", "captions", "settings", "interrupts", "outputs",
     "progress", "console", "config"},
    {"learn"},
    {"log"},
    {"record"},
    {"story"},
    {"draw"},
    {"encode"},
    {"publish"},
    {"run"},
    {"api", "completion", "cli_options", "cli_report"},
    {"cli_run"},
    {"cli", "moved"},
    {"__main__", "__init__"},
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The nnviz modules `name` imports anywhere in its body (a lazy import counts too)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


def _unit(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(name: str) -> int:
    unit = _unit(name)
    return next(i for i, units in enumerate(LAYERS) if unit in units)


def test_every_module_belongs_to_a_layer():
    for name in MODULES:
        assert any(_unit(name) in units for units in LAYERS), name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_or_stay_in_the_folder(name):
    for target in _imports(name):
        if target == "nnviz":   # the package's lazy names: only the top may use them
            assert _layer(name) == len(LAYERS) - 1, (name, target)
            continue
        same_folder = _unit(target) == _unit(name) and "." in name.removeprefix("nnviz.")
        assert same_folder or _layer(target) < _layer(name) or (
            _layer(target) == _layer(name) == 0), f"{name} imports {target}, a layer above"


def test_no_import_circle():
    graph = {name: _imports(name) for name in MODULES}
    state = {}

    def visit(name, path):
        state[name] = "open"
        for target in graph[name]:
            if state.get(target) == "open":
                raise AssertionError(" -> ".join(path[path.index(target):] + [target]))
            if target not in state:
                visit(target, path + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_no_module_over_400_lines():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text().splitlines())) > 400}
    assert not long, long
