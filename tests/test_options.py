"""Every documented option value works: the ranges' edges and corners through `render --check`
and then `nnviz check`, which share one definition of a valid render (nnviz/check.py)."""
import imageio.v3 as iio
import pytest

import nnviz
from nnviz.encode.check import CheckError, check_folder
from nnviz.errors import UsageError
from nnviz.learn.training import schedule

from conftest import assert_one_line_error, run_cli

SIZE = "160x120"
# (fps, hold, steps, every): the documented ranges' edges and corners. A render always has at
# least 2 frames: every schedule holds step 0 and the last step.
CORNERS = [
    (0.001, 0, 1, 1),       # slowest rate, no hold: 2 frames (a frame every 1000 s)
    (0.001, 600, 1, 1),     # slowest rate, longest hold: 0.6 frames of hold round to 1
    (240, 0, 1, 1),         # fastest rate, 2 frames: mp4's last frame was 28.5 dB off the poster
    (240, 0.5, 20, 1),      # fastest rate, 120 hold frames
    (24.5, 1, 30, 3),       # a fractional rate; every not dividing steps
    (25, 0, 200, 1),        # many frames, no hold
    # the slowest corner (about 3 s): 524 frames; the ogv "decoded to 723 of its 524 frames"
    (25, 20, 23, 1),
]


def expected_frames(fps, hold, steps, every):
    return len(schedule(steps, every)) + int(round(hold * fps))


@pytest.mark.parametrize("fps, hold, steps, every", CORNERS)
def test_corners_pass_render_check_and_nnviz_check(tmp_path, fps, hold, steps, every):
    args = ["--size", SIZE, "--fps", fps, "--hold", hold, "--steps", steps, "--every", every]
    r = run_cli("render", "xor_two_classes", *args, "--out", tmp_path, "--check", "-q")
    assert r.returncode == 0 and not r.stderr, r.stderr
    folder = tmp_path / "xor_two_classes"
    r = run_cli("check", folder)
    assert r.returncode == 0, r.stderr
    frames = expected_frames(fps, hold, steps, every)
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ok"] * 3
    assert all(f", {frames} frames," in line for line in lines), (frames, lines)


@pytest.mark.parametrize("fmt", ["webm", "ogv", "mp4"])
def test_each_format_alone_at_the_fastest_rate(tmp_path, fmt):
    """A format on its own has no sibling to take a rate from (an ogv states none)."""
    r = run_cli("render", "linear_regression", "--size", SIZE, "--fps", 240, "--hold", 0,
                "--steps", 1, "--formats", fmt, "--out", tmp_path, "--check", "-q")
    assert r.returncode == 0, r.stderr
    r = run_cli("check", tmp_path / "linear_regression")
    assert r.returncode == 0 and ", 2 frames," in r.stdout, (r.stdout, r.stderr)


def test_a_video_must_end_on_its_own_poster(tmp_path):
    """The other snapshot's picture is refused: the last frame is compared, not just decoded."""
    nnviz.render("xor_two_classes", out=tmp_path, size=(160, 120), fps=240, hold=0, steps=1,
                 formats=["mp4"])
    folder = tmp_path / "xor_two_classes"
    check_folder(folder)
    first = nnviz.render("xor_two_classes", out=tmp_path / "other", size=(160, 120), steps=1,
                         seed=5, formats=["mp4"])
    (folder / "xor_two_classes.png").write_bytes(first.files["png"].read_bytes())
    with pytest.raises(CheckError, match="does not end on xor_two_classes.png's picture"):
        check_folder(folder)


@pytest.mark.parametrize("fps", ["0.0009", "0.00001", "241"])
def test_rates_the_encoders_cannot_take_are_refused_up_front(tmp_path, fps):
    r = run_cli("render", "xor_two_classes", "--fps", fps, "--out", tmp_path)
    assert_one_line_error(r, 2, "0.001<=x<=240")
    assert not (tmp_path / "xor_two_classes").exists()
    with pytest.raises(UsageError, match="from 0.001 to 240"):
        nnviz.render("xor_two_classes", out=tmp_path, fps=float(fps))
