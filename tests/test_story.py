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
MINUS = "\u2212"
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
SIGNED = "[" + MINUS + "]?" + NUMBER.pattern
LINE = re.compile(r"y = (" + SIGNED + r")x(?: ([+" + MINUS + r"]) (" + NUMBER.pattern + r"))?")
LABELLED = {   # the figures a sentence may state, each by the words before it
    "step": re.compile(r"\b[Ss]tep (\d+)"),
    "loss/train": re.compile(r"training loss (" + NUMBER.pattern + ")"),
    "loss/val": re.compile(r"validation loss (" + NUMBER.pattern + ")"),
    "right": re.compile(r"(\d+) of (\d+) training points right"),
    "line": re.compile(r"The line is now " + LINE.pattern),
    "best": re.compile(r"the best line is " + LINE.pattern),
    "hidden": re.compile(r"(\d+) of the (\d+) (?:hidden units|units in the first hidden layer)"),
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
    printed = printed.replace(MINUS, "-")
    x = float(printed)
    mantissa = printed.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(printed.split("e")[1]) if "e" in printed else 0
    half = 0.5 * 10.0 ** (exponent - decimals)
    return abs(x - value) <= half * (1 + 1e-9)


def loss_factor(log) -> float:
    """What the frames multiply the logged loss by: the data's squared spread of y for an MSE
    of standardised targets (computed here from the log's own arrays), else 1."""
    if log.meta["options"]["loss"] == "mse" and log.meta.get("standardize_targets"):
        return float(np.ravel(log["standardizer/y_std"])[0]) ** 2
    return 1.0


def data_line(log, i):
    """The neuron's line at snapshot i in the data's units, from its standardised w and b."""
    mx, sx = (float(np.ravel(log[f"standardizer/x_{k}"])[0]) for k in ("mean", "std"))
    my, sy = (float(np.ravel(log[f"standardizer/y_{k}"])[0]) for k in ("mean", "std"))
    w, b = float(np.ravel(log["param/0.W"][i])[0]), float(np.ravel(log["param/0.b"][i])[0])
    return sy * w / sx, sy * b + my - sy * w * mx / sx


def hidden_counts(log, i):
    """(dead ReLU units, saturated tanh/sigmoid units, units) of the first hidden layer at
    snapshot i, from its pre-activations on the standardised training inputs."""
    kind = log.meta["architecture"][1]["layer"]
    x = (log["data/x_train"] - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    z = x @ log["param/0.W"][i] + log["param/0.b"][i]
    dead = int(np.all(z <= 0, axis=0).sum()) if kind == "relu" else 0
    if kind == "tanh":
        flat = int(np.all(1 - np.tanh(z) ** 2 < 0.01, axis=0).sum())
    elif kind == "sigmoid":
        sig = 1 / (1 + np.exp(-z))
        flat = int(np.all(sig * (1 - sig) < 0.0025, axis=0).sum())
    else:
        flat = 0
    return dead, flat, z.shape[1]


def _line_close(match, slope, intercept):
    assert _close(match[1], slope), (match[0], slope, intercept)
    if match[2] is None:
        assert _close("0", intercept), (match[0], intercept)
    else:
        sign = -1 if match[2] == MINUS else 1
        assert _close(match[3], sign * intercept), (match[0], slope, intercept)


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
            elif key == "line":
                _line_close(match, *data_line(log, i))
            elif key == "best":   # least squares on the data as it is, in its units
                slope, intercept = np.polyfit(np.ravel(log["data/x_train"]),
                                              np.ravel(log["data/y_train"]), 1)
                _line_close(match, slope, intercept)
            elif key == "hidden":
                dead, flat, units = hidden_counts(log, i)
                assert int(match[2]) == units, (text, units)
                assert int(match[1]) == (dead if "dead" in text else flat), (text, dead, flat)
            else:
                assert _close(match[1], float(log[key][i]) * loss_factor(log)), (
                    text, key, float(log[key][i]))
            rest = rest.replace(match[0], "")
    assert not re.search(r"\d", rest), f"a figure nobody checks: {text!r}"


def _check_runs_cue(text: str, logs: list, labels: list, i: int) -> None:
    """A cue of several runs: the status's loss of every run at snapshot i; who got below the
    target first and when; how many times as many steps the others took; who ends lowest."""
    rest = text
    # as the runs' curves draw them: in the data's units (an MSE of standardised targets
    # times sy², computed here from each log's own arrays)
    losses = [np.asarray(log["loss/train"], float) * loss_factor(log) for log in logs]
    steps = np.asarray(logs[0]["step"])
    by = dict(zip(labels, range(len(labels))))
    name = "(" + "|".join(re.escape(l) for l in sorted(labels, key=len, reverse=True)) + ")"

    def first_below(run, target):
        below = np.nonzero(losses[run] < target)[0]
        return int(steps[below[0]]) if below.size else None

    status = re.search(r"Step (\d+): training loss (.*) \(", text)
    assert status and int(status[1]) == int(steps[i]), (text, i)
    pairs = re.findall(name + r" (" + NUMBER.pattern + ")", status[2])
    assert [by[l] for l, _ in pairs] == list(range(len(labels))), text
    for label, value in pairs:
        assert _close(value, losses[by[label]][i]), (text, label)
    rest = rest.replace(status[0], "")
    for m in re.finditer(name + r" is the first to get below training loss (" + NUMBER.pattern
                         + r"), at step (\d+)", text):
        run, target, step = by[m[1]], float(m[2]), int(m[3])
        assert first_below(run, target) == step <= int(steps[i]), text
        assert all(first_below(r, target) is None or first_below(r, target) >= step
                   for r in range(len(logs))), text
        rest = rest.replace(m[0], "")
    for m in re.finditer(name + r" gets below training loss (" + NUMBER.pattern + r") at step "
                         r"(\d+): (" + NUMBER.pattern + r") times as many steps as " + name
                         + r" \(step (\d+)\)", text):
        target = float(m[2])
        assert first_below(by[m[1]], target) == int(m[3]) <= int(steps[i]), text
        assert first_below(by[m[5]], target) == int(m[6]), text
        assert _close(m[4], int(m[3]) / int(m[6])), text
        rest = rest.replace(m[0], "")
    for m in re.finditer(name + r" ends with the lowest training loss, (" + NUMBER.pattern +
                         r"); " + name + r" is next with (" + NUMBER.pattern + ")", text):
        assert i == len(steps) - 1, text
        order = sorted(range(len(logs)), key=lambda r: losses[r][-1])
        assert [by[m[1]], by[m[3]]] == order[:2], text
        assert _close(m[2], losses[by[m[1]]][-1]) and _close(m[4], losses[by[m[3]]][-1])
        rest = rest.replace(m[0], "")
    for m in re.finditer(r"([^.]*?) end level, at training loss (" + NUMBER.pattern + ")", text):
        tied = re.findall(name, m[1])
        assert i == len(steps) - 1 and len(tied) >= 2, text
        assert all(_close(m[2], losses[by[label]][-1]) for label in tied), text
        rest = rest.replace(m[0], "")
    for m in re.finditer(name + r" got below (" + NUMBER.pattern + ") first", text):
        first = first_below(by[m[1]], float(m[2]))
        assert first is not None and all(first_below(r, float(m[2])) is None or
                                         first_below(r, float(m[2])) >= first
                                         for r in range(len(logs))), text
        rest = rest.replace(m[0], "")
    for m in re.finditer(r"((?:[^.]*?)) never got below (" + NUMBER.pattern + ")", text):
        for label in re.findall(name, m[1]):
            assert first_below(by[label], float(m[2])) is None, text
        rest = rest.replace(m[0], "")
    for m in re.finditer(name + r": (\d+) of its (\d+) (?:hidden units|units in the first "
                         r"hidden layer)", text):
        dead, flat, units = hidden_counts(logs[by[m[1]]], i)
        assert (int(m[2]), int(m[3])) == (dead if "dead" in text[m.end():m.end() + 20]
                                          else flat, units), text
        rest = rest.replace(m[0], "")
    for m in re.finditer(r"(\d+) runs train side by side", text):
        assert int(m[1]) == len(logs), text
        rest = rest.replace(m[0], "")
    for label in sorted(labels, key=len, reverse=True):
        rest = rest.replace(label, "")
    assert not re.search(r"\d", rest), f"a figure nobody checks: {rest!r} in {text!r}"


def read_tracks(folder, name):
    return {kind: webvtt.read(folder / f"{name}.{kind}.vtt").captions
            for kind in ("chapters", "descriptions", "captions")}


def check_folder_words(folder, name, fps=FPS, hold=HOLD):
    """Every cue of the folder's tracks against its log(s) at the cue's first frame."""
    if (folder / f"{name}.npz").exists():
        logs = [load(folder / f"{name}.npz")]
    else:   # several runs: every run is told
        logs = sorted(map(load, (folder / "runs").glob("*.npz")),
                      key=lambda log: log.meta["run"]["index"])
    labels = [log.meta.get("run", {}).get("label") for log in logs]
    n = len(logs[0])
    duration = (n + round(hold * fps)) / fps
    tracks = read_tracks(folder, name)
    assert 3 <= len(tracks["chapters"]) <= 8, [c.text for c in tracks["chapters"]]
    assert [c.text for c in tracks["captions"]] == [c.text for c in tracks["descriptions"]]
    for kind, cues in tracks.items():
        assert seconds(cues[0].start) == 0
        assert seconds(cues[-1].end) == pytest.approx(duration, abs=0.001)
        for a, b in zip(cues, cues[1:]):   # one after the other, no gap, no overlap
            assert a.end == b.start
        for cue in cues:
            frame = round(seconds(cue.start) * fps)   # cues start on a frame
            assert seconds(cue.start) == pytest.approx(frame / fps, abs=0.0005)
            i = min(frame, n - 1)
            if len(logs) == 1:
                _check_cue(cue.text, logs[0], i)
            elif kind != "chapters":
                _check_runs_cue(cue.text, logs, labels, i)
            else:   # a chapter title: its step is the one on screen
                assert re.search(r"\(step (\d+)\)$", cue.text)[1] == str(int(logs[0]["step"][i]))
    page = (folder / f"{name}.html").read_text()
    for cue in tracks["descriptions"]:   # the transcript holds every description
        assert html.escape(cue.text) in page
    return logs, tracks


@pytest.mark.parametrize("name", sorted(builtin_scenes()))
def test_every_figure_is_the_logs_value_on_screen(rendered, name):
    check_folder_words(rendered / name, name)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """Full-length renders (small frames) of the scenes whose moments need a whole training."""
    out = tmp_path_factory.mktemp("story-full")
    r = run_cli("render", "gradient_descent", "linear_regression", "activation_functions",
                "--size", "160x120", "--formats", "webm", "--fps", FPS, "--hold", HOLD,
                "--out", out, "--jobs", 2, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("name", ["gradient_descent", "linear_regression", "activation_functions"])
def test_full_renders_tell_their_moments_truly(full, name):
    logs, tracks = check_folder_words(full / name, name)
    said = " ".join(c.text for c in tracks["descriptions"])
    if name == "gradient_descent":   # the walk reaches the star, the line in the data's units
        assert "The path reaches the bottom of the landscape" in said
        assert "the best line is y = 4.07x " + MINUS + " 2.15" in said
    if name == "linear_regression":
        assert tracks["descriptions"][-1].text.endswith("The line is now y = 4.08x " + MINUS
                                                        + " 2.18.")
    if name == "activation_functions":   # every run, who wins, the dead ReLU unit
        for label in ("sigmoid", "tanh", "ReLU", "LeakyReLU"):
            assert label in tracks["descriptions"][0].text
        assert "is the first to get below training loss" in said
        assert "LeakyReLU ends with the lowest training loss" in said
        assert "ReLU: 1 of its 16 hidden units is dead now" in said
        assert "Only the activation function differs" in said


def test_a_comparison_tells_which_run_wins_and_when(tmp_path):
    r = run_cli("compare", "linear_regression", "--optimizer", "sgd,adam", "--size", "160x120",
                "--formats", "webm", "--fps", FPS, "--hold", HOLD, "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    logs, tracks = check_folder_words(tmp_path / "linear_regression-compare",
                                      "linear_regression-compare")
    said = " ".join(c.text for c in tracks["descriptions"])
    # SGD (full batch) and Adam end level in linear_regression: the words say so, not a winner
    assert re.search(r"\b(sgd|adam) is the first to get below training loss", said), said
    assert "sgd and adam end level" in said or "adam and sgd end level" in said, said
    assert "the optimizer changed how fast they got there" in said


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
    # the fast fall within the first cue is told (#22)
    assert descriptions[0][2].startswith("Training starts from the initial weights. Then the "
                                         "loss falls fast. Step 0:"), descriptions[0][2]
    assert abs(chapters[-1][1] - result.frames / result.fps) < 0.002
    shown = result._repr_html_()
    assert "<details><summary>Transcript</summary>" in shown
    assert all(html.escape(text) in shown for _, _, text in descriptions)


def test_a_scene_adds_and_replaces_words(tmp_path):
    """Scene.words: a sentence at a step (from the first snapshot at or after it) and one
    replacing nnviz's at a moment; kept in the log, so --from says them too; refused in one
    line when malformed, in a scene or in a log."""
    import nnviz
    from nnviz.errors import LogError, UsageError
    from nnviz.scenes.linear_regression import LinearRegression

    class Told(LinearRegression):
        name = "told"
        words = {"start": "A straight line, badly placed.", 81: "Watch the slope now.",
                 3: "Said with the start."}

    result = nnviz.render(Told, steps=200, every=4, size=(160, 120), formats=["webm"],
                          fps=FPS, hold=HOLD, out=tmp_path)
    texts = [(round(a * FPS), t) for a, _, t in result.descriptions]
    log = load(tmp_path / "told" / "told.npz")
    at = int(np.searchsorted(log["step"], 81))
    assert int(log["step"][at]) == 84
    # step 3 had no room beside frame 0: it joins the next cue, step 81's, at step 84
    assert next(t for f, t in texts if f == at).startswith(
        "Said with the start. Watch the slope now. Step 84:")
    assert texts[0][1].startswith("A straight line, badly placed. Then the loss falls fast. "
                                  "Step 0:")
    assert log.meta["words"] == {"start": "A straight line, badly placed.",
                                 "81": "Watch the slope now.", "3": "Said with the start."}
    again = nnviz.render(from_log=tmp_path / "told" / "told.npz", formats=["webm"],
                         size=(160, 120), fps=FPS, hold=HOLD, out=tmp_path / "again")
    assert again.descriptions == result.descriptions

    class Wrong(LinearRegression):
        name = "wrong"
        words = {"the_middle": "here"}
    with pytest.raises(UsageError, match=r"'the_middle' is neither a step .* nor a moment"):
        nnviz.render(Wrong, quick=True, formats=["webm"], out=tmp_path)
    assert not (tmp_path / "wrong").exists()

    import json
    import zipfile
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(tmp_path / "told" / "told.npz") as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "meta.npy":
                data = data.replace(b"\"81\"", b"\"-4\"")
            dst.writestr(item, data)
    with pytest.raises(LogError, match=r"'-4' is neither a step"):
        load(bad)


@pytest.mark.parametrize("kind", ["relu", "tanh", "sigmoid"])
def test_dead_and_saturated_units_of_one_input_match_every_training_point(kind):
    """The one-input shortcut (ends of the range, the points next to the zero) counts what a
    pass over every training input counts, on weights where many units are dead/flat."""
    from nnviz.story.facts import SATURATED, _one_input
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    w = rng.normal(scale=3, size=(200, 24)) * (rng.random((200, 24)) < 0.9)   # some w = 0
    b = rng.normal(scale=8, size=(200, 24))
    z = x[None, :, None] * w[:, None, :] + b[:, None, :]
    got = _one_input(x, w, b, kind)
    if kind == "relu":
        want = np.all(z <= 0, axis=1).sum(axis=1)
        assert np.array_equal(got["dead"], want) and want.max() > 5
    else:
        want = np.all(np.abs(z) > SATURATED[kind], axis=1).sum(axis=1)
        assert np.array_equal(got["saturated"], want) and want.max() > 5
