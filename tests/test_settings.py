"""One settings value: built from layers (defaults < scene < log < config file < --quick < the
call), checked in one place, printed by --show-options, and handed whole to the work."""
import re

import numpy as np
import pytest

import nnviz
from nnviz.errors import UsageError
from nnviz.log.snapshots import load
from nnviz.settings import FIELDS, Settings, build

from conftest import assert_one_line_error, run_cli


def show(tmp_path, *args):
    r = run_cli("render", "xor_two_classes", *args, "--show-options", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return {m[1]: (m[2].strip(), m[3]) for m in
            re.finditer(r"^(\S+)\s+= (.*?)\s+\((.+)\)$", r.stdout, re.M)}


def test_every_field_is_shown_with_the_layer_it_came_from(tmp_path):
    (tmp_path / "nnviz.toml").write_text('[look]\ntheme = "dark"\nsize = "640x480"\nfps = 12\n'
                                         '[encode]\nformats = ["mp4", "gif"]\n')
    shown = show(tmp_path, "--quick", "--fps", "30")
    assert set(shown) == {f"{group}.{name}" for name, (group, _) in FIELDS.items()}
    assert shown["look.theme"] == ("dark", "nnviz.toml")
    assert shown["encode.formats"] == ("mp4,gif", "nnviz.toml")
    assert shown["look.size"] == ("320x240", "quick")      # --quick above the file
    assert shown["look.fps"] == ("30.0", "given")          # the command line above all
    assert shown["look.hold"] == ("0.5", "quick")
    assert shown["train.steps"] == ("200", "scene")
    assert shown["train.every"] == ("9", "quick")          # about 24 snapshots of 200 steps
    assert shown["train.seed"] == ("0", "default")


def test_pyproject_tool_nnviz_is_read_and_nnviz_toml_comes_first(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n'
                                             '[tool.nnviz.look]\ntheme = "dark"\n')
    assert show(tmp_path)["look.theme"] == ("dark", "pyproject.toml [tool.nnviz]")
    (tmp_path / "nnviz.toml").write_text('[look]\nhold = 2\n')
    shown = show(tmp_path)
    assert shown["look.hold"] == ("2.0", "nnviz.toml") and shown["look.theme"][1] == "default"


@pytest.mark.parametrize("text, message", [
    ('[look]\nfps = "fast"\n', "nnviz.toml: look.fps: 'fast' is not a number"),
    ('[look]\nfps = 1000\n', "nnviz.toml: look.fps: must be a number from 0.001 to 240"),
    ('[look]\nsize = "641x480"\n', "nnviz.toml: look.size: 641x480: width and height must be even"),
    ('[look]\nlr = 3\n', "nnviz.toml: look.lr is not a setting (it belongs in [train])"),
    ('[looks]\nfps = 3\n', "nnviz.toml: unknown section 'looks'"),
    ('[encode]\nformats = ["mp4", "avi"]\n', "nnviz.toml: encode.formats: unknown format 'avi'"),
    ('[encode]\ncheck = "yes"\n', "nnviz.toml: encode.check: must be true or false"),
    ('[train]\nseed = -1\n', "nnviz.toml: train.seed: must be a whole number from 0"),
    ('[look\n', "nnviz.toml: Expected ']' at the end of a table declaration (at line 1, column 6)"),
    ('[look]\ntitle = "a\\u0007b"\n', "nnviz.toml: look.title: the title"),
])
def test_a_bad_config_file_is_one_line_naming_file_and_field(tmp_path, text, message):
    (tmp_path / "nnviz.toml").write_text(text)
    r = run_cli("render", "xor_two_classes", "--quick", "--formats", "mp4", "--out", "o",
                cwd=tmp_path)
    assert_one_line_error(r, 2, message)
    assert not (tmp_path / "o").exists()


def test_a_config_file_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "nnviz.toml").write_bytes(b'[look]\ntitle = "\xff"\n')
    assert_one_line_error(run_cli("render", "xor_two_classes", cwd=tmp_path), 2,
                          "nnviz.toml is not UTF-8 text")


def test_the_config_file_shapes_a_real_render_and_the_call_wins(tmp_path, monkeypatch):
    (tmp_path / "nnviz.toml").write_text('[look]\ntheme = "dark"\nsize = "240x180"\nhold = 0\n'
                                         '[train]\nsteps = 20\nevery = 10\n')
    monkeypatch.chdir(tmp_path)
    result = nnviz.render("xor_two_classes", formats=["mp4"], size=(320, 240))
    log = load(result.files["npz"])
    assert log.meta["theme"] == "dark"
    assert log["step"].tolist() == [0, 10, 20]
    assert result.frames == 3 and result.size == (320, 240)   # the call above the file


def test_render_many_builds_the_settings_here_and_sends_them_whole(tmp_path, monkeypatch):
    """Workers read no config file: the value travels, so both renders are dark."""
    (tmp_path / "nnviz.toml").write_text('[look]\ntheme = "dark"\n[train]\nsteps = 8\nevery = 4\n')
    monkeypatch.chdir(tmp_path)
    results = nnviz.render_many(["xor_two_classes", "linear_regression"], jobs=2,
                                size=(160, 120), formats=["mp4"])
    assert [load(r.files["npz"]).meta["theme"] for r in results] == ["dark", "dark"]
    assert all(len(load(r.files["npz"])) == 3 for r in results)


def test_the_api_refuses_an_unknown_option_and_settings_with_options(tmp_path):
    with pytest.raises(UsageError, match=r"call: unknown setting 'fpss'"):
        nnviz.render("xor_two_classes", out=tmp_path, fpss=3)
    with pytest.raises(UsageError, match=r"give settings= or options \(fps\), not both"):
        nnviz.render("xor_two_classes", out=tmp_path, settings=Settings(), fps=3)
    assert not any(tmp_path.iterdir())


def test_build_takes_the_highest_layer_and_checks_every_value():
    settings = build([("scene", {"steps": 100}), ("nnviz.toml", {"steps": 50, "fps": "12"}),
                      ("call", {"steps": 10, "fps": None})])
    assert settings.train.steps == 10 and settings.look.fps == 12.0
    assert dict(settings.origin) == {"steps": "call", "fps": "nnviz.toml"}
    assert settings.called("steps") and not settings.called("fps")
    with pytest.raises(UsageError, match=r"^--fps must be a number from 0.001 to 240"):
        build([("call", {"fps": float("nan")})])   # the caller's own words, as always


def test_a_rare_option_is_a_parameter_of_at_most_three_functions():
    import ast
    from pathlib import Path
    counts = {"hold": 0, "gif_fps": 0, "gif_width": 0}
    for path in (Path(nnviz.__file__).parent).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for arg in node.args.args + node.args.kwonlyargs:
                    if arg.arg in counts:
                        counts[arg.arg] += 1
    assert all(n <= 3 for n in counts.values()), counts


def test_settings_are_frozen_and_equal_by_value():
    a, b = build([("call", {"size": "640x480"})]), build([("call", {"size": (640, 480)})])
    assert a == b and np.array_equal(a.look.size, (640, 480))
    with pytest.raises(AttributeError):
        a.look = None


@pytest.mark.parametrize("old, new", [("nnviz.snapshots", "nnviz.log.snapshots"),
                                      ("nnviz.video", "nnviz.encode.video"),
                                      ("nnviz.training", "nnviz.learn.training")])
def test_a_moved_module_imports_from_its_old_name_with_a_deprecation(old, new):
    import importlib
    import sys
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {new}; import that instead"):
        module = importlib.import_module(old)
    real = importlib.import_module(new)
    assert all(getattr(module, name) is getattr(real, name)
               for name in dir(real) if not name.startswith("_"))
