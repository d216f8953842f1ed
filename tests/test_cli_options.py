"""The command line and the API as a new user meets them (issue 10, section 3)."""
import re
import shutil

import pytest

import nnviz
from nnviz.encode.check import probe

from conftest import TINY_SCENE, assert_one_line_error, run_cli

QUICK = ["--quick", "--formats", "mp4"]

TWO_SCENES = TINY_SCENE + '''

class Second(Tiny):
    name = "second_scene"
    steps = 4
'''


@pytest.fixture(scope="module")
def tiny_out(tmp_path_factory):
    """Two quick renders of the tiny scene in one --out root: OUT/tiny and OUT/second_scene."""
    root = tmp_path_factory.mktemp("tiny")
    scene = root / "two.py"
    scene.write_text(TWO_SCENES)
    out = root / "out"
    for name in ("tiny", "second_scene"):
        r = run_cli("render", f"{scene}:{name}", "--out", out, *QUICK, "-q")
        assert r.returncode == 0, r.stderr
    return out


def test_api_takes_the_size_as_text_and_quick(tmp_path, scene_file):
    result = nnviz.render(str(scene_file(TINY_SCENE)), out=tmp_path, size="400x300", quick=True,
                          formats=["mp4"])
    meta = probe(result.files["mp4"])
    # quick: 8 steps in about 24 snapshots is one a step (9), and a 0.5 s hold (12 frames)
    assert tuple(meta["size"]) == (400, 300) and meta["frames"] == 9 + 12
    result = nnviz.render(str(scene_file(TINY_SCENE)), out=tmp_path, quick=True, formats=["mp4"])
    assert tuple(probe(result.files["mp4"])["size"]) == (320, 240)
    for bad, message in (("640x481", "--size 640x481: width and height must be even"),
                         ("big", "--size 'big' is not WIDTHxHEIGHT")):
        with pytest.raises(nnviz.UsageError, match=re.escape(message)):
            nnviz.render("xor_two_classes", out=tmp_path, size=bad)


def test_too_large_size_is_named():
    r = run_cli("render", "xor_two_classes", "--size", "8000x8000")
    assert_one_line_error(r, 2, "Invalid value for '--size': 8000x8000 is too large; "
                                "the largest is 7680x4320")


def test_missing_scene_name_gives_one_hint():
    r = run_cli("render")
    assert_one_line_error(r, 2, "give a scene name, --all or --from LOG.npz "
                                "(see `nnviz render --help`)")
    assert r.stderr.count("(see") == 1


@pytest.mark.parametrize("formats", ["webm,,mp4", "webm,", ",mp4", "", " , "])
def test_empty_format_items_are_refused(tmp_path, formats):
    r = run_cli("render", "xor_two_classes", "--formats", formats, "--out", tmp_path / "out")
    assert_one_line_error(r, 2, "Invalid value for '--formats': must be a comma list of format "
                                f"names without empty items, got {formats!r}")
    assert not (tmp_path / "out").exists()
    with pytest.raises(nnviz.UsageError, match="without empty items"):
        nnviz.render("xor_two_classes", out=tmp_path / "out", formats=["webm", ""])


@pytest.mark.parametrize("args, named", [
    (["--steps", "5"], "--steps cannot be used with --from"),
    (["--every", "2"], "--every cannot be used with --from"),
    (["--seed", "0"], "--seed cannot be used with --from"),
    (["--lr", "0.1", "--seed", "3"], "--seed, --lr cannot be used with --from"),
])
def test_training_options_with_from_are_refused(tiny_out, tmp_path, args, named):
    log = tiny_out / "tiny" / "tiny.npz"
    r = run_cli("render", "--from", log, *args, "--out", tmp_path / "out", *QUICK)
    assert_one_line_error(r, 2, named, "a saved log is drawn as it was trained")
    assert not (tmp_path / "out").exists()


def test_training_options_with_from_are_refused_by_the_api(tiny_out, tmp_path):
    with pytest.raises(nnviz.UsageError, match="--seed cannot be used with --from"):
        nnviz.render(from_log=tiny_out / "tiny" / "tiny.npz", out=tmp_path, seed=1)


@pytest.mark.parametrize("command", ["render", "train", "show"])
def test_a_prefix_suggests_the_scenes_it_begins(command, tmp_path):
    r = run_cli(command, "xor", "--out", tmp_path) if command != "show" else run_cli(command, "xor")
    assert_one_line_error(r, 2, "unknown scene 'xor'; did you mean xor_function_regression "
                                "or xor_two_classes?")


def test_scene_file_takes_the_class_name_as_well_as_the_scene_name(tmp_path, scene_file):
    path = scene_file(TWO_SCENES, "two.py")
    for pick in ("Second", "second_scene"):
        r = run_cli("train", f"{path}:{pick}", "--out", tmp_path / pick, "-q")
        assert r.returncode == 0, r.stderr
        assert (tmp_path / pick / "second_scene" / "second_scene.npz").is_file()
    r = run_cli("train", f"{path}:Third", "--out", tmp_path)
    assert_one_line_error(r, 2, "has no scene 'Third'; it defines tiny (class Tiny), "
                                "second_scene (class Second)")


def test_check_on_the_root_checks_every_render_folder(tiny_out, tmp_path):
    r = run_cli("check", tiny_out)
    assert r.returncode == 0, r.stderr
    checked = [line.split()[1] for line in r.stdout.splitlines()]
    assert checked == [str(tiny_out / "second_scene" / "second_scene.mp4"),
                       str(tiny_out / "tiny" / "tiny.mp4")]
    damaged = tmp_path / "out"
    shutil.copytree(tiny_out, damaged)
    video = damaged / "tiny" / "tiny.mp4"
    video.write_bytes(video.read_bytes()[:3000])
    r = run_cli("check", damaged)
    assert_one_line_error(r, 1, "check failed in 1 of 2 render folders: tiny: ",
                          "tiny.mp4 does not decode")
    assert r.stdout.split()[1] == str(damaged / "second_scene" / "second_scene.mp4")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    r = run_cli("check", tmp_path / "empty")
    assert_one_line_error(r, 1, "holds no video")


def test_render_check_says_what_it_verified(tmp_path, scene_file):
    r = run_cli("render", scene_file(TINY_SCENE), "--out", tmp_path, "--quick", "--check",
                "--formats", "webm,mp4")
    assert r.returncode == 0, r.stderr
    assert ("checked webm, mp4: each decodes completely to 21 frames of 320x240 (0.84 s at "
            "25 fps)") in r.stdout.splitlines()
    r = run_cli("render", scene_file(TINY_SCENE), "--out", tmp_path, *QUICK)
    assert "checked" not in r.stdout


def test_report_ends_with_the_time_and_the_page_to_open(tmp_path, scene_file):
    r = run_cli("render", scene_file(TINY_SCENE), "--out", tmp_path, *QUICK)
    assert r.returncode == 0, r.stderr
    last = r.stdout.splitlines()[-1]
    page = tmp_path / "tiny" / "tiny.html"
    assert re.fullmatch(rf"done in \d+\.\d s; open {re.escape(str(page))}", last), last
    assert page.is_file()


def test_file_lines_stay_aligned_for_long_names(tmp_path, scene_file):
    long = "a_scene_with_a_really_rather_long_name_that_goes_on_and_on"
    path = scene_file(TINY_SCENE.replace('name = "tiny"', f'name = "{long}"'))
    r = run_cli("render", path, "--out", tmp_path, *QUICK)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.splitlines() if line.startswith(str(tmp_path))]
    assert len(lines) == 7 and len(str(tmp_path / long / f"{long}.mp4")) > 60   # 3 tracks too
    assert len({len(line) for line in lines}) == 1, lines    # sizes end in one column
    assert all(re.search(r"\S  +\d+(\.\d)? (B|kB|MB)$", line) for line in lines), lines


def test_train_quiet(tmp_path):
    r = run_cli("train", "xor_two_classes", "--steps", "5", "--out", tmp_path, "-q")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr
    assert (tmp_path / "xor_two_classes" / "xor_two_classes.npz").is_file()


def test_list_verbose_and_show_describe_each_scene():
    r = run_cli("list", "-v")
    assert r.returncode == 0, r.stderr
    blocks = re.split(r"\n(?=\S)", r.stdout.strip())
    assert [b.split()[0] for b in blocks] == sorted(nnviz.builtin_scenes())
    for block in blocks:
        fields = [line.split()[0] for line in block.splitlines()[1:]]
        several = nnviz.builtin_scenes()[block.split()[0]].runs is not None   # a set names them
        assert fields == ["runs"] * several + ["network", "training", "snapshots", "panels",
                                               "data"], block
    show = run_cli("show", "xor_two_classes")
    assert show.returncode == 0, show.stderr
    listed = next(b for b in blocks if b.startswith("xor_two_classes"))
    assert show.stdout.splitlines()[1:] == listed.splitlines()[1:]
    lines = dict(line.split(None, 1) for line in show.stdout.splitlines()[1:])
    assert lines["network"] == ("2-4-4-2, leaky_relu (slope 0.1) hidden, softmax output "
                                "(in the loss), 42 parameters")
    assert lines["training"] == "adam, lr 0.01, 200 steps, batches of 16, loss softmax_cross_entropy"
    assert lines["snapshots"] == "every step, 0 to 200: 201 frames"
    assert lines["panels"] == "boundary, loss, accuracy"
    assert lines["data"] == ("400 samples, 2 inputs -> 2 classes (classification); 280 train, "
                             "120 validation; inputs standardised")
    sine = run_cli("show", "non_linear_regression_tanh").stdout
    assert "1-10-20-40-80-40-20-10-1, tanh hidden, linear output, 8,641 parameters" in sine
    assert "inputs and targets standardised" in sine


def test_show_a_scene_file(scene_file):
    r = run_cli("show", scene_file(TINY_SCENE))
    assert r.returncode == 0, r.stderr
    assert "network    1-1, linear output, 2 parameters" in r.stdout
    assert "snapshots  every 2 steps and the last: 5 frames" in r.stdout


def test_help_names_the_new_options():
    assert "-q, --quiet" in run_cli("train", "--help").stdout
    assert "-v, --verbose" in run_cli("list", "--help").stdout
    text = " ".join(run_cli("check", "--help").stdout.split())
    assert "every OUT/NAME in a root folder OUT" in text
