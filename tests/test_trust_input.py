"""Trust, bad input: every number, text and file nnviz reads is refused in one line, with the
right exit code, before anything is written (issue 20, parts 3 and 4).

Most cases run the real CLI in this process (nnviz.cli.main, as tests/test_logs.py does):
they are refusals before any training, so each costs milliseconds. A few run it in a
subprocess, as a user does.
"""
import json
import shutil
import warnings

import numpy as np
import pytest

import nnviz
from nnviz import cli

from conftest import TINY_SCENE, assert_one_line_error, run_cli, tree


def main(capsys, *args):
    """Run `nnviz ARGS` here; (exit code, stderr)."""
    with pytest.raises(SystemExit) as done:
        cli.main([str(a) for a in args])
    return done.value.code, capsys.readouterr().err


def refused(capsys, tmp_path, code, *args):
    """`nnviz ARGS --out tmp_path/out` exits `code` with one Error line and writes nothing."""
    before = tree(tmp_path)
    got, err = main(capsys, *args, "--out", tmp_path / "out")
    lines = err.strip().splitlines()
    assert got == code and len(lines) == 1 and lines[0].startswith("Error: "), (got, err)
    assert "Traceback" not in err and ".tmp" not in err, err
    assert tree(tmp_path) == before and not (tmp_path / "out").exists()
    return lines[0]


# ----------------------------------------------------------------------------- numbers

NUMBER_OPTIONS = {
    "render": ["--fps", "--hold", "--steps", "--every", "--seed", "--lr", "--jobs",
               "--gif-width", "--gif-fps"],
    "train": ["--steps", "--every", "--seed", "--lr"],
    "compare": ["--fps", "--hold", "--steps", "--every", "--jobs", "--gif-width", "--gif-fps"],
}
# not finite, not plain ASCII digits, empty, negative zero, huge
BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e999", "9" * 40, "३", "³²⁰", "２５", "1_0", "",
               " 5", "-0", "0x10"]
NUMBER_CASES = [(command, option, value) for command, options in NUMBER_OPTIONS.items()
                for option in options for value in BAD_NUMBERS]


@pytest.mark.parametrize("command, option, value", NUMBER_CASES,
                         ids=[f"{c}{o}={v!r}" for c, o, v in NUMBER_CASES])
def test_every_number_option_refuses_what_is_not_a_plain_number(capsys, tmp_path, command,
                                                                 option, value):
    scene = ["xor_two_classes"] + (["--lr", "0.01,0.1"] if command == "compare" else [])
    line = refused(capsys, tmp_path, 2, command, *scene, option, value)
    assert line.startswith(f"Error: Invalid value for '{option}': ")
    assert line.endswith(f"(see `nnviz {command} --help`)")


@pytest.mark.parametrize("args, message", [
    (["render", "xor_two_classes", "--fps", "nan"],
     "Error: Invalid value for '--fps': 'nan' is not a valid float (plain digits, e.g. 25 or "
     "0.5) (see `nnviz render --help`)"),
    (["compare", "xor_two_classes", "--lr", "0.01,0.1", "--fps", "nan"],
     "Error: Invalid value for '--fps': 'nan' is not a valid float (plain digits, e.g. 25 or "
     "0.5) (see `nnviz compare --help`)"),
    (["render", "xor_two_classes", "--size", "³²⁰x240"],
     "Error: Invalid value for '--size': '³²⁰x240' is not WIDTHxHEIGHT (e.g. 1280x720) "
     "(see `nnviz render --help`)"),
    (["render", "xor_two_classes", "--hold", "-0"],
     "Error: Invalid value for '--hold': -0 is not in the range 0<=x<=600 "
     "(see `nnviz render --help`)"),
    (["train", "xor_two_classes", "--steps", "1" + "0" * 30],
     "Error: Invalid value for '--steps': 1" + "0" * 30 + " is not in the range "
     "1<=x<=1000000000. (see `nnviz train --help`)"),
])
def test_the_reported_cases_in_a_real_process(tmp_path, args, message):
    r = run_cli(*args, "--out", tmp_path / "out")
    assert_one_line_error(r, 2)
    assert r.stderr.strip() == message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("size", ["³²⁰x240", "320x２４０", "1_280x720", "nanxinf", "320x-240",
                                  "9" * 30 + "x240"])
def test_size_takes_ascii_digits_only(capsys, tmp_path, size):
    line = refused(capsys, tmp_path, 2, "render", "xor_two_classes", "--size", size)
    assert line.startswith("Error: Invalid value for '--size': ")


@pytest.mark.parametrize("flag, values, fragment", [
    ("--lr", "nan,0.1", "--lr: 'nan' is not a number"),
    ("--lr", "0.1,inf", "--lr: 'inf' is not a number"),
    ("--lr", "३,0.1", "--lr: '३' is not a number"),
    ("--lr", "1_0,0.1", "--lr: '1_0' is not a number"),
    ("--lr", "-0,0.1", "--lr: '-0' must be a positive number"),
    ("--lr", "1e7,0.1", "--lr: '1e7' must be a positive number (at most 1e+06)"),
    ("--seed", "३,1", "--seed: '३' is not a whole number"),
    ("--seed", "-0,1", "--seed: '-0' is not a whole number"),
    ("--seed", "9" * 30 + ",1", "is not a whole number from 0 to 2**32 - 1"),
])
def test_compare_lists_take_plain_numbers(capsys, tmp_path, flag, values, fragment):
    line = refused(capsys, tmp_path, 2, "compare", "xor_two_classes", flag, values)
    assert fragment in line


API_CASES = [dict(fps=float("nan")), dict(fps=float("inf")), dict(hold=float("nan")),
             dict(hold=-0.0), dict(size=(float("inf"), 240)), dict(size=(320.0, 240)),
             dict(size="³²⁰x240"), dict(size=(True, 240)), dict(steps=10 ** 30),
             dict(every=10 ** 30), dict(seed=2 ** 40), dict(lr=float("nan")), dict(lr=True),
             dict(lr=1e7), dict(formats="gif", gif_width=10 ** 9),
             dict(formats="gif", gif_fps=float("nan"))]


@pytest.mark.parametrize("kw", API_CASES, ids=[repr(k) for k in API_CASES])
def test_the_api_refuses_the_same_numbers(tmp_path, kw):
    lists = {"lr": [0.01, 0.1]}   # compare takes seed and lr as lists: the bad one among them
    lists.update({k: [0.01 if k == "lr" else 0, v] for k, v in kw.items() if k in ("seed", "lr")})
    rest = {k: v for k, v in kw.items() if k not in ("seed", "lr")}
    for call in (lambda: nnviz.render("xor_two_classes", out=tmp_path / "out", quick=True, **kw),
                 lambda: nnviz.compare("xor_two_classes", out=tmp_path / "out", **lists, **rest)):
        with pytest.raises(nnviz.UsageError) as e:
            call()
        assert "\n" not in str(e.value)
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- compare's runs

@pytest.mark.parametrize("args, message", [
    (["--lr", "0.001,0.001,0.01"], "Error: --lr repeats '0.001'; give each value once"),
    (["--lr", "0.0010,0.001"],
     "Error: --lr: '0.0010' and '0.001' are the same value; give each value once"),
    (["--lr", "1e-3,0.01,0.001"],
     "Error: --lr: '1e-3' and '0.001' are the same value; give each value once"),
    (["--lr", "0.001,0.0010000001"],
     "Error: --lr: '0.001' and '0.0010000001' would both be run 'lr=0.001'; give values that "
     "differ in their first 6 significant digits"),
    (["--seed", "1,01"], "Error: --seed: '1' and '01' are the same value; give each value once"),
    (["--optimizer", "adam, adam"], "Error: --optimizer repeats 'adam'; give each value once"),
    (["--lr", "0.000123456,0.01", "--optimizer", "momentum,adam", "--seed", "4294967295,0"],
     "Error: the run 'lr=0.000123456 · momentum · seed=4294967295' makes a label of 43 "
     "characters; a tile's title holds at most 32: compare fewer settings at once, or give "
     "shorter values"),
])
def test_compare_never_drops_a_run(capsys, tmp_path, args, message):
    assert refused(capsys, tmp_path, 2, "compare", "xor_two_classes", *args) == message


@pytest.mark.parametrize("lists", [dict(lr=[0.001, 0.0010000001]), dict(lr=[0.001, "0.0010"]),
                                   dict(seed=[1, np.int64(1)]), dict(optimizer=["sgd", "sgd"])])
def test_compare_api_never_drops_a_run(tmp_path, lists):
    with pytest.raises(nnviz.UsageError, match="give each value once|would both be run"):
        nnviz.compare("xor_two_classes", out=tmp_path, **lists)
    assert tree(tmp_path) == {}


def test_compare_trains_and_shows_every_run(tmp_path):
    """Three close values: three runs, three logs, three labels in each log."""
    r = run_cli("compare", "xor_two_classes", "--lr", "0.001,0.0011,0.0012", "--steps", "4",
                "--quick", "--size", "160x120", "--formats", "webm", "-q", "--out", tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    logs = sorted((tmp_path / "xor_two_classes-compare" / "runs").glob("*.npz"))
    assert [p.name for p in logs] == ["lr_0.001.npz", "lr_0.0011.npz", "lr_0.0012.npz"]
    assert nnviz.load(logs[0]).meta["run"]["labels"] == ["lr=0.001", "lr=0.0011", "lr=0.0012"]


# ----------------------------------------------------------------------------- text

BAD_TEXT = {"surrogate": ("\\ud800", "a lone surrogate '\\ud800', which no file or terminal can "
                                     "show"),
            "bell": ("\\x07", "the control character '\\x07'"),
            "escape": ("\\x1b[31m", "the control character '\\x1b'"),
            "line separator": ("\\u2028", "the control character '\\u2028'")}


@pytest.mark.parametrize("attribute", ["title", "description"])
@pytest.mark.parametrize("kind", list(BAD_TEXT))
@pytest.mark.parametrize("command", ["render", "show", "train"])
def test_scene_text_is_refused_before_anything(capsys, tmp_path, scene_file, attribute, kind,
                                                command):
    char, why = BAD_TEXT[kind]
    old = {"title": 'title = "A tiny user scene"',
           "description": 'description = "Eight steps of a linear neuron."'}[attribute]
    path = scene_file(TINY_SCENE.replace(old, f'{attribute} = "T{char}ext"'))
    args = [command, path] + ([] if command == "show" else ["--out", tmp_path / "out"])
    before = tree(tmp_path)
    code, err = main(capsys, *args)
    assert (code, err) == (2, f"Error: scene 'tiny': the {attribute} holds {why}; give "
                              f"printable text\n")
    assert tree(tmp_path) == before and not (tmp_path / "out").exists()
    assert capsys.readouterr().out == ""


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    """A short log of xor_two_classes (2 inputs, 2 outputs, 3 snapshots)."""
    from nnviz.log.record import train
    path = tmp_path_factory.mktemp("log") / "xor.npz"
    train(nnviz.resolve("xor_two_classes")(), path, steps=4, every=2)
    return path


def read_log(path):
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(arrays.pop("meta").tobytes()), arrays


def write_log(path, meta, arrays):
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    return path


@pytest.mark.parametrize("key", ["title", "description"])
@pytest.mark.parametrize("kind", list(BAD_TEXT))
def test_log_text_is_refused_on_load(capsys, tmp_path, small_log, key, kind):
    meta, arrays = read_log(small_log)
    meta[key] = f"T{BAD_TEXT[kind][0]}ext".encode().decode("unicode_escape")
    log = write_log(tmp_path / "bad.npz", meta, arrays)
    line = refused(capsys, tmp_path, 1, "render", "--from", log, "--quick")
    assert line == (f"Error: {log} cannot be rendered: meta {key!r} holds {BAD_TEXT[kind][1]}; "
                    f"make a new log with `nnviz train NAME`")


def test_text_is_cleaned_where_it_is_drawn_and_written(small_log):
    """The last guard, for text that reached a sink without the loader (a log object made in
    code): drawing, the page and the gallery card get printable text."""
    from nnviz.draw.frames import FrameRenderer, looks
    from nnviz.publish.page import standalone_page
    from nnviz.text import clean
    assert clean("T\ud800i\x07t\nle") == "T\ufffdi\ufffdt\ufffdle"
    assert clean("line\none", lines=True) == "line\none"
    assert looks({"title": "T\ud800\x1b"})[1] == "T\ufffd\ufffd"
    standalone_page("x", "T\ud800\x07", "").encode("utf-8")   # no UnicodeEncodeError
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # matplotlib warns about each glyph it lacks
        renderer = FrameRenderer(nnviz.load(small_log), (320, 240), title="T\x07i\x1bt\ud800le")
        next(iter(renderer.frames()))
        renderer.close()


# ----------------------------------------------------------------------------- logs agree

def _widen_input(meta, arrays):
    """The architecture and its first weights take 3 inputs; the data has 2."""
    meta["architecture"][0]["n_in"] = 3
    for kind in ("param", "grad", "update"):   # every field of the weights, consistently
        if f"{kind}/0.W" in arrays:   # (grad/, update/: only if the log records the step)
            arrays[f"{kind}/0.W"] = np.zeros((arrays["param/0.W"].shape[0], 3, 4), np.float32)


def _narrow_output(meta, arrays):
    meta["architecture"][-1]["n_out"] = 1
    for kind in ("param", "grad", "update"):
        for name in (f"{kind}/4.W", f"{kind}/4.b"):
            if name in arrays:
                arrays[name] = arrays[name][..., :1]


@pytest.mark.parametrize("damage, message", [
    (_widen_input, "meta 'architecture' has 3 inputs, but 'data/x_train' has 2; the log's "
                   "network and data disagree"),
    (_narrow_output, "meta 'architecture' has 1 outputs, but 'data/y_train' has 2; the log's "
                     "network and data disagree"),
    (lambda m, a: m["options"].update(steps=8),
     "field 'step' is not the snapshots of meta 'options' (steps 8, every 2: 5 snapshots)"),
    (lambda m, a: m["options"].update(every=1),
     "field 'step' is not the snapshots of meta 'options' (steps 4, every 1: 5 snapshots)"),
    (lambda m, a: a.update(step=a["step"] + np.array([0, 1, 0])),
     "field 'step' is not the snapshots of meta 'options' (steps 4, every 2: 3 snapshots)"),
    (lambda m, a: m["options"].update(steps="4"),
     "meta 'options' 'steps' must be a whole number from 1 to 1,000,000,000, got '4'"),
    (lambda m, a: a.update({"data/y_train": np.full_like(a["data/y_train"], 7.0)}),
     "field 'data/y_train' holds targets that are not classes (each row one 1 among 0s, or 0 "
     "and 1 in one column), but meta 'kind' is classification"),
    (lambda m, a: a.update({"data/y_val": a["data/y_val"] * 0.5}),
     "field 'data/y_val' holds targets that are not classes (each row one 1 among 0s, or 0 "
     "and 1 in one column), but meta 'kind' is classification"),
    (lambda m, a: m.update(kind="regression"),
     "meta 'kind' is 'regression', but the log holds 'accuracy/train', which only a "
     "classification log has"),
])
def test_log_fields_must_agree(capsys, tmp_path, small_log, damage, message):
    meta, arrays = read_log(small_log)
    damage(meta, arrays)
    log = write_log(tmp_path / "bad.npz", meta, arrays)
    line = refused(capsys, tmp_path, 1, "render", "--from", log, "--quick")
    assert line == (f"Error: {log} cannot be rendered: {message}; make a new log with "
                    f"`nnviz train NAME`")


# ----------------------------------------------------------------------------- no temporaries

OWN_LAYER = TINY_SCENE.replace("        return nn.Sequential([nn.Dense(n_in, n_out)], rng)", """
        class Double(nn.Layer):   # a user's own layer: nnviz cannot describe it
            def forward(self, x):
                return 2 * x
            def backward(self, grad):
                return 2 * grad
        return nn.Sequential([nn.Dense(n_in, n_out), Double()], rng)""")


@pytest.mark.parametrize("args", [
    ["render", "SCENE", "--panels", "network,loss", "--quick"],
    ["render", "SCENE", "--panels", "neuron,loss", "--quick"],
    ["compare", "SCENE", "--lr", "0.1,0.2", "--panels", "neuron,loss", "--quick"],
    ["train", "SCENE_NETWORK"],
])
def test_a_panel_the_model_cannot_feed_names_the_scene(capsys, tmp_path, scene_file, args):
    scene = scene_file(OWN_LAYER)
    network = scene_file(OWN_LAYER.replace('("fit", "loss")', '("fit", "network", "loss")'),
                         "network.py")
    args = [{"SCENE": scene, "SCENE_NETWORK": network}.get(a, a) for a in args]
    panel = "neuron" if "neuron,loss" in args else "network"
    assert refused(capsys, tmp_path, 2, *args) == (
        f"Error: scene 'tiny': the {panel} panel draws the network's layers, and this one has a "
        f"layer of its own nnviz cannot describe; drop the panel or build the model from nn "
        f"layers")


def test_messages_name_files_not_temporaries():
    from nnviz.outputs import as_final
    assert as_final("/o/own/.own.npz.30804.96daa3d4.tmp cannot be rendered; runs/"
                    ".lr_0.1.npz.7.0123abcd.tmp and '.index.html.12.deadbeef.tmp'") == (
        "/o/own/own.npz cannot be rendered; runs/lr_0.1.npz and 'index.html'")
    assert as_final("/x/.a b.webm.1.00000000.tmp") == "/x/.a b.webm.1.00000000.tmp"   # not ours


# ----------------------------------------------------------------------------- nnviz check

@pytest.fixture(scope="module")
def small_render(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    r = run_cli("render", "xor_two_classes", "--quick", "--size", "160x120", "--formats",
                "webm,gif", "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    return out / "xor_two_classes"


def _pillow(mode, fmt="PNG"):
    def save(poster):
        from PIL import Image
        image = Image.open(poster)
        image = (Image.fromarray(np.asarray(image.convert("L")).astype(np.uint16) * 257)
                 if mode == "I;16" else image.convert(mode))
        image.save(poster, format=fmt)
    return save


def _folder(path):
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("file, damage, fragment", [
    ("png", _pillow("L"), "xor_two_classes.webm does not end on xor_two_classes.png's picture"),
    ("png", _pillow("LA"), "xor_two_classes.webm does not end on xor_two_classes.png's picture"),
    ("png", _pillow("I;16"), "xor_two_classes.webm does not end on xor_two_classes.png's picture"),
    ("png", lambda p: p.write_text("not an image\nat all\n"),
     "the poster {path} is not a readable PNG image (cannot identify image file"),
    ("png", _pillow("RGB", "JPEG"), "the poster {path} is a JPEG image, not a PNG; render again"),
    ("png", _folder, "{path} is a folder, not a file nnviz wrote"),
    ("webm", lambda p: p.write_bytes(b""), "{path} does not decode ("),
    ("webm", lambda p: p.write_text("hello"), "{path} does not decode ("),
    ("webm", _folder, "{path} is a folder, not a file nnviz wrote"),
    ("gif", lambda p: p.write_bytes(b"GIF89a"), "{path} does not decode ("),
    ("gif", _folder, "{path} is a folder, not a file nnviz wrote"),
    ("npz", _folder, "{path} is a folder, not a file nnviz wrote"),
])
def test_check_names_a_malformed_file_in_one_line(capsys, tmp_path, small_render, file, damage,
                                                  fragment):
    folder = tmp_path / "xor_two_classes"
    shutil.copytree(small_render, folder)
    path = folder / f"xor_two_classes.{file}"
    damage(path)
    code, err = main(capsys, "check", folder)
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("Error: check failed: ") and fragment.format(path=path) in err, err


@pytest.mark.parametrize("mode", ["P", "RGBA"])
def test_check_takes_any_png_colour_type_of_the_poster(capsys, tmp_path, small_render, mode):
    folder = tmp_path / "xor_two_classes"
    shutil.copytree(small_render, folder)
    _pillow(mode)(folder / "xor_two_classes.png")
    code, err = main(capsys, "check", folder)
    assert (code, err) == (0, "")


def test_compare_refuses_a_list_option_given_twice(tmp_path):
    r = run_cli("compare", "xor_two_classes", "--lr", "0.01,0.1", "--lr", "0.3,0.5", "--quick",
                "--out", tmp_path / "o")
    assert_one_line_error(r, 2, "Invalid value for '--lr': given 2 times; give one comma "
                                "list, e.g. --lr 0.01,0.1,0.3,0.5")
    assert not (tmp_path / "o").exists()


def test_a_format_named_twice_is_refused(tmp_path):
    r = run_cli("render", "xor_two_classes", "--formats", "mp4,webm,mp4", "--out", tmp_path / "o")
    assert_one_line_error(r, 2, "Invalid value for '--formats': names 'mp4' twice; give each format once")


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_invisible_formatting_characters_are_refused_in_every_text(char):
    from nnviz.text import text_problem, title_problem
    assert "invisible formatting character" in text_problem(f"A{char}B")
    assert title_problem(f"A{char}B") is not None


def test_an_error_line_is_bounded(tmp_path):
    r = run_cli("render", "x" * 5000, "--out", tmp_path / "o")
    assert_one_line_error(r, 2, "more characters)")
    assert len(r.stderr) < 1200


def test_a_title_the_font_cannot_draw_warns_in_one_line(tmp_path):
    r = run_cli("render", "xor_two_classes", "--quick", "--formats", "mp4", "--title", "中文 XOR",
                "--out", tmp_path / "o", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().splitlines() == [
        "Warning: the font has no glyph for '中文'; those characters are drawn as boxes (give "
        "text in Latin, Greek or Cyrillic letters)"], r.stderr
