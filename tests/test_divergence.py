"""A run whose loss blows up but stays finite (nnviz.learn.divergence): the frames say where it
diverged and the command line warns once; exit code 0 (the video is made)."""
import numpy as np
import pytest

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.learn.divergence import BLOWUP, diverged_at

from conftest import run_cli


def test_the_rule():
    assert diverged_at([0.5, 0.4, 0.3]) is None
    assert diverged_at([0.5, 0.5 * BLOWUP * 0.99, 0.1]) is None      # a rise, not a blow-up
    assert diverged_at([0.5, 0.4, 0.5 * BLOWUP * 1.01, 0.0]) == 2    # then 0: still diverged
    assert diverged_at([0.5, np.inf]) == 1
    assert diverged_at([0.5, np.nan, 0.1]) == 1
    assert diverged_at([0.0, 1e9]) is None                           # no scale: finite only
    assert diverged_at([]) is None


@pytest.fixture(scope="module")
def blown(tmp_path_factory):
    """xor_two_classes at --lr 50 (--quick): cross-entropy 0.48 at the start, 9.6e4 at step 9,
    then 0 and 1e6 by turns (a saturated softmax)."""
    out = tmp_path_factory.mktemp("lr50")
    done = run_cli("render", "xor_two_classes", "--lr", "50", "--quick", "--formats", "mp4",
                   "--out", out)
    return out, done


def test_the_command_line_warns_once_and_succeeds(blown):
    out, done = blown
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Warning: xor_two_classes: training diverged at step 9 ")
    assert "try a smaller learning rate, e.g. --lr 5" in lines[0]
    assert (out / "xor_two_classes" / "xor_two_classes.mp4").stat().st_size > 0


def test_the_header_says_so_from_that_step_on(blown):
    out, _ = blown
    log = nnviz.load(out / "xor_two_classes" / "xor_two_classes.npz")
    losses = log["loss/train"]
    k = int(np.flatnonzero(losses > BLOWUP * losses[0])[0])   # independent of the rule's code
    assert int(log["step"][k]) == 9 and (losses[k + 1:] == 0).any()   # the `loss 0` to explain
    for size in ((1280, 720), (320, 240)):
        renderer = FrameRenderer(log, size)
        shown = []
        for i, _ in enumerate(renderer.frames()):
            shown.append(renderer.status.text)
        assert all("diverged" not in s for s in shown[:k])
        word = "diverged at step 9" if size[0] == 1280 else "diverged at 9"
        assert all(word in s for s in shown[k:])
        # the status line stays inside the frame
        g = renderer.status.glyphs
        assert renderer.status.width * g.advance <= 0.988 * size[0]


def test_a_run_that_learns_is_not_called_diverged(tmp_path):
    done = run_cli("render", "xor_two_classes", "--quick", "--formats", "mp4", "--out", tmp_path)
    assert done.returncode == 0 and "diverged" not in done.stderr, done.stderr
