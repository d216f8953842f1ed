"""The words of every video: read from the WebVTT files a real render wrote, every figure a cue
states is the log's value at the snapshot on screen when the cue starts, at its printed
precision; chapters and descriptions cover the whole video; the tracks are well-formed."""
import html
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest
import webvtt

from conftest import run_cli
from nnviz.log.snapshots import load
from nnviz.publish.tracks import vtt
from nnviz.run.folders import owned
from nnviz.learn.scene import builtin_scenes

FPS, HOLD = 25, 0.5
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
LABELLED = {   # the figures a sentence may state, each by the words before it
    "step": re.compile(r"\b[Ss]tep (\d+)"),
    "loss/train": re.compile(r"training loss (" + NUMBER.pattern + ")"),
    "loss/val": re.compile(r"validation loss (" + NUMBER.pattern + ")"),
    "right": re.compile(r"(\d+) of (\d+) training points right"),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("story")
    r = run_cli("render", "--all", "--quick", "--formats", "webm", "--fps", FPS, "--hold", HOLD,
                "--out", out, "--jobs", 2, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


def seconds(stamp: str) -> float:
    """A WebVTT time, HH:MM:SS.mmm, in seconds (webvtt-py's *_in_seconds drop the fraction)."""
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def _close(printed: str, value: float) -> bool:
    """`printed` is `value` at the precision it is printed with (3 significant digits here,
    or however many digits the text has)."""
    x = float(printed)
    mantissa = printed.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(printed.split("e")[1]) if "e" in printed else 0
    half = 0.5 * 10.0 ** (exponent - decimals)
    return abs(x - value) <= half * (1 + 1e-9)


def _check_cue(text: str, log, i: int) -> None:
    rest = text
    for key, pattern in LABELLED.items():
        for match in pattern.finditer(text):
            if key == "step":
                assert int(match[1]) == int(log["step"][i]), (text, i)
            elif key == "right":
                total = log["data/x_train"].shape[0]
                assert int(match[2]) == total, text
                assert int(match[1]) == round(float(log["accuracy/train"][i]) * total), (text, i)
            else:
                assert _close(match[1], float(log[key][i])), (text, key, float(log[key][i]))
            rest = rest.replace(match[0], "")
    assert not re.search(r"\d", rest), f"a figure nobody checks: {text!r}"


@pytest.mark.parametrize("name", sorted(builtin_scenes()))
def test_every_figure_is_the_logs_value_on_screen(rendered, name):
    folder = rendered / name
    if (folder / f"{name}.npz").exists():
        log = load(folder / f"{name}.npz")
    else:   # a scene of several runs: the words tell its first run
        log = next(log for log in map(load, (folder / "runs").glob("*.npz"))
                   if log.meta["run"]["index"] == 0)
    n = len(log)
    duration = (n + round(HOLD * FPS)) / FPS
    tracks = {kind: webvtt.read(folder / f"{name}.{kind}.vtt").captions
              for kind in ("chapters", "descriptions", "captions")}
    assert 3 <= len(tracks["chapters"]) <= 8, [c.text for c in tracks["chapters"]]
    assert [c.text for c in tracks["captions"]] == [c.text for c in tracks["descriptions"]]
    for kind, cues in tracks.items():
        assert seconds(cues[0].start) == 0
        assert seconds(cues[-1].end) == pytest.approx(duration, abs=0.001)
        for a, b in zip(cues, cues[1:]):   # one after the other, no gap, no overlap
            assert a.end == b.start
        for cue in cues:
            frame = round(seconds(cue.start) * FPS)   # cues start on a frame
            assert seconds(cue.start) == pytest.approx(frame / FPS, abs=0.0005)
            _check_cue(cue.text, log, min(frame, n - 1))
    page = (folder / f"{name}.html").read_text()
    for cue in tracks["descriptions"]:   # the transcript holds every description
        assert cue.text in page


def test_xor_tells_when_every_point_is_right(tmp_path):
    r = run_cli("render", "xor_two_classes", "--size", "320x240", "--formats", "webm",
                "--fps", FPS, "--hold", HOLD, "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "xor_two_classes"
    log = load(folder / "xor_two_classes.npz")
    first = int(np.argmax(log["accuracy/train"] >= 1.0))
    assert log["accuracy/train"][first] == 1.0 and first > 0
    for kind, sentence in (("chapters", "Every training point right"),
                           ("descriptions", "every training point is on the right side")):
        cues = [c for c in webvtt.read(folder / f"xor_two_classes.{kind}.vtt").captions
                if sentence in c.text]
        assert len(cues) == 1
        assert seconds(cues[0].start) == pytest.approx(first / FPS, abs=0.0005)


def test_the_tracks_are_in_the_renders_set(rendered):
    folder = rendered / "xor_two_classes"
    names = {p.name for p in owned(folder, "xor_two_classes").values()}
    for kind in ("chapters", "descriptions", "captions"):
        assert f"xor_two_classes.{kind}.vtt" in names
        assert (folder / f"xor_two_classes.{kind}.vtt").is_file()
    assert not list(folder.glob(".*.tmp"))


def test_a_strangers_text_keeps_the_vtt_well_formed(tmp_path):
    hostile = "a --> b\n\n00:00:01.000 --> 00:00:02.000\n<b>&amp; c</b>"
    cues = [SimpleNamespace(start=0, end=1.5, text=hostile),
            SimpleNamespace(start=1.5, end=3, text="next")]
    text = vtt(cues)
    assert text.count("-->") == 2
    path = tmp_path / "t.vtt"
    path.write_text(text)
    parsed = webvtt.read(path).captions
    assert [c.text for c in parsed] == [
        "a --&gt; b 00:00:01.000 --&gt; 00:00:02.000 &lt;b&gt;&amp;amp; c&lt;/b&gt;", "next"]
    assert [(seconds(c.start), seconds(c.end)) for c in parsed] == [(0, 1.5), (1.5, 3)]


def test_the_language_is_one_settings_field(tmp_path):
    r = run_cli("render", "linear_regression", "--quick", "--formats", "webm", "--lang", "fr",
                "--out", tmp_path)
    assert r.returncode == 2 and "'fr' is not 'en'" in r.stderr
    assert not (tmp_path / "linear_regression").exists()
    r = run_cli("render", "linear_regression", "--quick", "--lang", "en", "--show-options")
    assert re.search(r"look\.language\s+= en\s+\(given\)", r.stdout), r.stdout
    import nnviz
    from nnviz.errors import UsageError
    with pytest.raises(UsageError, match=r"^--lang must be one of en "):
        nnviz.render("linear_regression", quick=True, language="fr", out=tmp_path)


def test_check_reads_the_tracks(tmp_path):
    """`nnviz check` refuses a damaged, cut, overlong or disagreeing track (one line)."""
    import shutil

    from conftest import assert_one_line_error, run_cli
    r = run_cli("render", "xor_two_classes", "--quick", "--formats", "mp4", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "xor_two_classes"
    assert run_cli("check", folder, "-q").returncode == 0

    made = iter(range(100))

    def damaged(suffix, change, *fragments):
        copy = tmp_path / f"copy-{next(made)}" / "xor_two_classes"
        shutil.copytree(folder, copy)
        path = copy / f"xor_two_classes.{suffix}"
        change(path)
        assert_one_line_error(run_cli("check", copy), 1, *fragments)

    damaged("chapters.vtt", lambda p: p.write_text("not a track\n"),
            "xor_two_classes.chapters.vtt is not valid WebVTT")
    damaged("descriptions.vtt", lambda p: p.unlink(), "lacks xor_two_classes.descriptions.vtt")
    damaged("captions.vtt", lambda p: p.write_text(p.read_text().replace("Training", "Trading")),
            "xor_two_classes.captions.vtt does not hold the descriptions' text")
    def longer(path):   # the last cue ends nine minutes in
        text = path.read_text()
        at = text.rindex("--> ") + 4
        path.write_text(text[:at] + "00:09:00.000" + text[at + 12:])
    damaged("chapters.vtt", longer, "xor_two_classes.chapters.vtt runs to 540 s, past the video's")
    damaged("descriptions.vtt", lambda p: p.write_text(p.read_text().replace(
        "00:00:00.000 --> ", "00:00:05.000 --> ", 1)), "has cues out of order")
    damaged("html", lambda p: p.write_text(p.read_text().replace("Training starts", "It starts")),
            "xor_two_classes.html's transcript lacks the description")


def test_the_api_returns_the_words_and_a_notebook_shows_the_transcript(tmp_path):
    import nnviz
    result = nnviz.render("xor_two_classes", quick=True, formats=["mp4"], out=tmp_path)
    chapters, descriptions = result.chapters, result.descriptions
    assert 3 <= len(chapters) <= 8 and chapters[0][0] == 0.0
    assert descriptions[0][2].startswith("Training starts from random weights. Step 0:")
    assert abs(chapters[-1][1] - result.frames / result.fps) < 0.002
    shown = result._repr_html_()
    assert "<details><summary>Transcript</summary>" in shown
    assert all(html.escape(text) in shown for _, _, text in descriptions)
