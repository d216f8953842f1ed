"""--captions: burn (the descriptions drawn under the panels, in every format) and FILE.vtt (a
hand-written captions track, checked line by line; one past the video is refused)."""
import imageio.v3 as iio
import numpy as np
import pytest
import webvtt

from conftest import assert_one_line_error, run_cli, tree
from nnviz.draw.caption import strip_height
from nnviz.draw.theme import get as get_theme

SIZE = (320, 240)


def _render(out, *args):
    r = run_cli("render", "xor_two_classes", "--quick", "--size", "x".join(map(str, SIZE)),
                "--out", out, *args)
    assert r.returncode == 0, r.stderr
    return out / "xor_two_classes"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_burn_draws_the_words_under_the_unchanged_panels(tmp_path, theme):
    strip = strip_height(SIZE)
    burned = _render(tmp_path / "burn", "--captions", "burn", "--theme", theme,
                     "--formats", "webm,gif")
    plain = _render(tmp_path / "plain", "--size", f"{SIZE[0]}x{SIZE[1] - strip}",
                    "--theme", theme, "--formats", "webm")
    poster = iio.imread(burned / "xor_two_classes.png")
    assert poster.shape[:2] == (SIZE[1], SIZE[0])
    # the panels: exactly the frame a render of the smaller size draws
    assert np.array_equal(poster[:-strip], iio.imread(plain / "xor_two_classes.png"))
    # the strip: the theme's caption colour behind dark-on-light (light-on-dark) text
    face = np.array([int(get_theme(theme).node_face[k:k + 2], 16) for k in (1, 3, 5)])
    band = poster[-strip:].reshape(-1, 3).astype(int)
    background = np.all(np.abs(band - face) <= 2, axis=1)
    assert 0.6 < background.mean() < 0.99   # mostly the strip, with text on it
    ink = np.abs(band - face).sum(axis=1) > 200
    assert ink.sum() > 300
    # the GIF shows it too (scaled to at most 640 wide: here its own size)
    gif = iio.imread(burned / "xor_two_classes.gif")[-1][..., :3].astype(int)
    gif_band = gif[-strip:].reshape(-1, 3)
    assert (np.abs(gif_band - face).sum(axis=1) > 200).sum() > 300
    assert run_cli("check", burned, "-q").returncode == 0


def test_a_hand_written_track_is_the_captions(tmp_path):
    vtt = tmp_path / "mine.vtt"
    vtt.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:00.800\nFour points, two classes.\n\n"
                   "00:00:00.800 --> 00:00:01.400\nThe boundary bends.\n")
    folder = _render(tmp_path / "out", "--captions", vtt, "--formats", "webm")
    cues = webvtt.read(folder / "xor_two_classes.captions.vtt").captions
    assert [(c.start, c.end, c.text) for c in cues] == [
        ("00:00:00.000", "00:00:00.800", "Four points, two classes."),
        ("00:00:00.800", "00:00:01.400", "The boundary bends.")]
    page = (folder / "xor_two_classes.html").read_text()
    assert 'kind="captions" src="xor_two_classes.captions.vtt" srclang="en" label="Captions, English"' in page
    assert run_cli("check", folder, "-q").returncode == 0
    # a render of the descriptions as captions still refuses other captions
    page = folder / "xor_two_classes.html"
    page.write_text(page.read_text().replace('label="Captions, English"',
                                             'label="Captions (descriptions), English"'))
    assert_one_line_error(run_cli("check", folder), 1, "does not hold the descriptions' text")


@pytest.mark.parametrize("text, where, fragment", [
    ("WEBVTT\n\n00:00:00.000 --> 00:00:0x.500\nhi\n", ":3:", "cannot read the timing"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nhi\n", ":3:", "ends before it starts"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:01.500\nhi\n\n00:00:00.000 --> 00:00:00.500\nho\n",
     ":6:", "starts before the one above it"),
    ("hello\n\n00:00:01.000 --> 00:00:01.500\nhi\n", ":1:", "starts with the line WEBVTT"),
    ("WEBVTT\n\n00:00:00.000 --> 00:09:00.000\nhi\n", "", "past the video's"),
])
def test_a_bad_track_is_one_line_and_writes_nothing(tmp_path, text, where, fragment):
    vtt = tmp_path / "bad.vtt"
    vtt.write_text(text)
    out = tmp_path / "out"
    before = tree(out)
    r = run_cli("render", "xor_two_classes", "--quick", "--formats", "webm", "--captions", vtt,
                "--out", out)
    assert_one_line_error(r, 2, f"bad.vtt{where}", fragment)
    assert tree(out) == before or not (out / "xor_two_classes").exists()


def test_captions_takes_none_burn_or_a_vtt_file(tmp_path):
    r = run_cli("render", "xor_two_classes", "--quick", "--captions", "loud", "--out", tmp_path)
    assert_one_line_error(r, 2, "--captions 'loud': give none, burn or a WebVTT file (.vtt)")
    r = run_cli("render", "xor_two_classes", "--quick", "--captions", tmp_path / "no.vtt",
                "--out", tmp_path)
    assert_one_line_error(r, 2, "no.vtt: cannot read it")
    import nnviz
    from nnviz.errors import UsageError
    with pytest.raises(UsageError, match="give none, burn or a WebVTT file"):
        nnviz.render("xor_two_classes", quick=True, captions="loud", out=tmp_path)


def test_a_track_past_the_video_is_refused_before_training(tmp_path):
    """The video's length is known from steps, every, fps and hold: a track too long is
    refused before the scene's data is made, naming the path as it was given."""
    (tmp_path / "mine.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:12.000\nhi\n")
    (tmp_path / "marked.py").write_text(
        "from pathlib import Path\n"
        "from nnviz.learn.scene import Scene\n"
        "from nnviz.learn import data\n\n"
        "class Marked(Scene):\n"
        "    name = 'marked'\n"
        "    steps, every = 40, 1\n\n"
        "    def dataset(self, rng):\n"
        "        Path('trained').touch()\n"
        "        return data.noisy_linear(rng, 50)\n\n"
        "    def model(self, rng, n_in, n_out):\n"
        "        from nnviz.learn import nn\n"
        "        return nn.mlp([n_in, n_out], 'tanh', rng=rng)\n")
    # 41 snapshots + 2 s held, at 30 fps: 3.367 s
    r = run_cli("render", "marked.py", "--captions", "mine.vtt", "--fps", "30", "--hold", "2",
                "--formats", "mp4", "--out", "out", cwd=tmp_path)
    assert_one_line_error(r, 2, "Error: --captions mine.vtt: a cue runs to 12 s, past the "
                                "video's 3.36667 s; end it by then")
    assert not (tmp_path / "trained").exists() and not (tmp_path / "out").exists()
    (tmp_path / "mine.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nhi\n")
    r = run_cli("render", "marked.py", "--captions", "mine.vtt", "--fps", "30", "--hold", "2",
                "--formats", "mp4", "--size", "320x240", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "trained").exists()
