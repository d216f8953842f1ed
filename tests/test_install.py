"""What users install is what we test: the wheel holds every package of the source, the
README's install command works in a fresh clone, and a broken install says so in one line."""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import nnviz
import nnviz.scenes

from conftest import assert_one_line_error

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _packages(files) -> set[str]:
    """The dotted packages that hold the given .py paths (relative, with /)."""
    return {str(Path(f).parent).replace("/", ".") for f in files if f.endswith(".py")}


def _source_files() -> set[str]:
    """Every .py file the source tree ships, by its installed path (scenes/ is nnviz/scenes)."""
    found = {f"nnviz/{p.relative_to(ROOT / 'nnviz').as_posix()}"
             for p in (ROOT / "nnviz").rglob("*.py")}
    found |= {f"nnviz/scenes/{p.relative_to(ROOT / 'scenes').as_posix()}"
              for p in (ROOT / "scenes").rglob("*.py")}
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of this source tree, as `pip install .` builds it in a
    fresh clone (a build/ folder left by an earlier build would add stale modules)."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", ".venv*", "*.egg-info", "__pycache__", "output"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source),
                    "-w", str(folder)], check=True, capture_output=True, cwd=folder)
    return next(folder.glob("nnviz-*.whl"))


def test_the_wheel_holds_every_package_and_module_of_the_source(wheel):
    with zipfile.ZipFile(wheel) as z:
        shipped = {n for n in z.namelist() if n.endswith(".py")}
    source = _source_files()
    assert _packages(source) == _packages(shipped)
    assert source == shipped
    assert {"nnviz.draw.panels", "nnviz.scenes"} <= _packages(shipped)


def test_the_wheel_runs_the_cli_from_the_package_entry_point(wheel):
    with zipfile.ZipFile(wheel) as z:
        entry = next(n for n in z.namelist() if n.endswith("entry_points.txt"))
        text = z.read(entry).decode()
    assert re.search(r"^nnviz = nnviz\.__main__:main$", text, re.M), text


def _installed_copy(tmp_path: Path) -> Path:
    """A copy of the nnviz package these tests import (the wheel's in CI), scenes included."""
    site = tmp_path / "site"
    shutil.copytree(Path(nnviz.__file__).parent, site / "nnviz",
                    ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    scenes = Path(nnviz.scenes.__file__).parent
    if scenes.parent != Path(nnviz.__file__).parent:   # the source tree maps scenes/ there
        shutil.copytree(scenes, site / "nnviz" / "scenes",
                        ignore=shutil.ignore_patterns("__pycache__"))
    return site


@pytest.mark.parametrize("missing, command", [
    ("draw/panels", ["render", "xor_two_classes", "--quick", "--formats", "mp4"]),   # lazily
    ("learn/scene.py", ["list"]),   # the scene registry, imported by `list`
    ("cli.py", ["--version"]),    # the CLI itself
])
def test_a_broken_install_says_so_in_one_line(tmp_path, missing, command):
    site = _installed_copy(tmp_path)
    gone = site / "nnviz" / missing
    shutil.rmtree(gone) if gone.is_dir() else gone.unlink()
    # -S: no .pth file runs, so neither an editable install's finder nor the installed nnviz
    # can stand in for the damaged copy; the dependencies come from site-packages by path
    libs = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *libs]), PYTHONSAFEPATH="1")
    args = [*command, "--out", str(tmp_path / "o")] if command[0] == "render" else command
    r = subprocess.run([sys.executable, "-S", "-m", "nnviz", *args], capture_output=True,
                       text=True, env=env, cwd=tmp_path, timeout=120)
    module = "nnviz." + missing.removesuffix(".py").replace("/", ".")
    assert_one_line_error(r, 1, "this nnviz install is incomplete", module,
                          "pip install --force-reinstall")
    assert not (tmp_path / "o").exists()


def test_an_error_in_a_dependency_is_not_blamed_on_the_install():
    from nnviz.__main__ import _own
    assert _own(ModuleNotFoundError("x", name="nnviz.draw.panels"))
    assert not _own(ModuleNotFoundError("x", name="numpy"))
    assert not _own(ModuleNotFoundError("x", name="nnviz_plugin"))
    assert not _own(ModuleNotFoundError("x", name=None))


def _first_command() -> str:
    return re.findall(r"```sh\n(.*?)\n```", README, re.S)[0]


def test_the_readme_install_command_works_in_a_fresh_clone(tmp_path):
    """The README's first command, verbatim, in a clone: a non-editable install that renders."""
    command = _first_command()
    assert "pip install -q . " in command and "-e" not in command.split(), command
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH")}
    r = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = clone / "output" / "xor_two_classes"
    names = {p.name for p in out.iterdir()}
    assert {f"xor_two_classes.{ext}" for ext in ("webm", "ogv", "mp4", "png", "npz", "html")} <= names
    located = subprocess.run([str(clone / ".venv/bin/python"), "-c",
                              "import nnviz, nnviz.draw.panels; print(nnviz.__file__)"],
                             cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "site-packages" in located and str(clone / "nnviz") not in located, located
    from nnviz.encode.check import check_folder
    check_folder(out)


def _run_copy(tmp_path, site, *args, shadow=None):
    libs = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    paths = [str(site), *libs] if shadow is None else [str(shadow), str(site), *libs]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths), PYTHONSAFEPATH="1")
    return subprocess.run([sys.executable, "-S", "-m", "nnviz", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)


def test_a_missing_dependency_is_one_line(tmp_path):
    site = _installed_copy(tmp_path)
    shadow = tmp_path / "shadow" / "imageio_ffmpeg"   # stands where the package would be found
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'imageio_ffmpeg'\", name='imageio_ffmpeg')\n")
    r = _run_copy(tmp_path, site, "render", "xor_two_classes", "--quick", "--out", "o",
                  shadow=shadow.parent)
    assert_one_line_error(r, 1, "nnviz needs 'imageio_ffmpeg', which is not installed",
                          "pip install --force-reinstall")
    assert not (tmp_path / "o").exists()


def test_a_damaged_module_is_one_line_naming_the_file(tmp_path):
    site = _installed_copy(tmp_path)
    damaged = site / "nnviz" / "encode" / "video.py"
    damaged.write_text("def broken(:\n")
    r = _run_copy(tmp_path, site, "render", "xor_two_classes", "--quick", "--out", "o")
    assert_one_line_error(r, 1, "this nnviz install is damaged", str(damaged), "line 1",
                          "pip install --force-reinstall")
