import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """tests/run.sh tests the installed wheel: refuse to pass by testing the source instead."""
    if os.environ.get("NNVIZ_TEST_INSTALLED"):
        import nnviz
        import nnviz.scenes
        for module in (nnviz, nnviz.scenes):
            where = Path(module.__file__).resolve()
            if where.is_relative_to(ROOT / "nnviz") or where.is_relative_to(ROOT / "scenes"):
                pytest.exit(f"{module.__name__} is imported from the source tree ({where}), "
                            f"not from the installed wheel", returncode=3)


def run_cli(*args, cwd=None, timeout=300, **kw):
    """Run the real `nnviz` CLI in a subprocess; returns the CompletedProcess."""
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "nnviz", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, **kw)


WORDS = ("chapters.vtt", "descriptions.vtt", "captions.vtt")   # every render's tracks (story)


def tree(folder: Path) -> dict:
    """Every file below `folder` with its bytes: to assert that nothing changed."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_line_error(result, code, *fragments):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "Traceback" not in result.stderr and len(err.splitlines()) == 1, result.stderr
    assert err.startswith("Error: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A folder holding one earlier good render of xor_two_classes (quick, every format)."""
    out = tmp_path_factory.mktemp("good")
    r = run_cli("render", "xor_two_classes", "--out", out, "--quick", "--formats", "webm,ogv,mp4")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture
def out(good, tmp_path):
    """A fresh copy of the good render for one test to (try to) damage."""
    copy = tmp_path / "out"
    shutil.copytree(good, copy)
    return copy


@pytest.fixture
def scene_file(tmp_path):
    """Write a user scene file and return its path."""
    def write(body: str, name="my_scene.py") -> Path:
        path = tmp_path / name
        path.write_text(body)
        return path
    return write


TINY_SCENE = '''
from nnviz import Scene, data, nn

class Tiny(Scene):
    name = "tiny"
    title = "A tiny user scene"
    description = "Eight steps of a linear neuron."
    steps = 8
    every = 2
    lr = 0.05
    panels = ("fit", "loss")

    def dataset(self, rng):
        return data.noisy_linear(rng, n=50)

    def model(self, rng, n_in, n_out):
        return nn.Sequential([nn.Dense(n_in, n_out)], rng)
'''
