"""The words a teacher would say (#22): plain names for what compared runs differ in, and the
moments only when they are true of the curves (converged, diverging, fast descent, every
point right, a run that did not learn). Real renders through the CLI, every figure checked by
test_story's check against the logs."""
import re

import numpy as np
import pytest

from conftest import run_cli
from test_story import FPS, HOLD, check_folder_words


def compare(tmp_path, *args):
    r = run_cli("compare", "xor_two_classes", *args, "--quick", "--formats", "webm", "--fps",
                FPS, "--hold", HOLD, "--size", "320x240", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "xor_two_classes-compare"
    return check_folder_words(folder, "xor_two_classes-compare")


def test_one_compared_knob_is_named_in_plain_words(tmp_path):
    logs, tracks = compare(tmp_path, "--activation", "relu,tanh", "--hidden", "8")
    said = " ".join(c.text for c in tracks["descriptions"])
    assert "alike except for their activation function:" in said, said
    assert "hidden_activation" not in said
    assert re.search(r"Only the activation function differs, so it made the difference", said) \
        or "the activation function changed how fast" in said, said


def test_two_compared_knobs_are_both_named_and_no_single_cause_is_claimed(tmp_path):
    logs, tracks = compare(tmp_path, "--activation", "relu,tanh", "--hidden", "4;8,8")
    said = " ".join(c.text for c in tracks["descriptions"])
    assert "alike except for their hidden layers and activation function:" in said, said
    assert "settings differs" not in said and "Only the" not in said, said
    assert "More than one setting differs (hidden layers and activation function)" in said \
        or "the hidden layers and activation function changed how fast" in said, said
    # a chapter naming a run below the target while another got there first says so
    steps = np.asarray(logs[0]["step"])
    losses = {log.meta["run"]["label"]: np.asarray(log["loss/train"]) for log in logs}
    for cue in tracks["chapters"]:
        m = re.match(r"(.*) below (\S+?)(?:, after (.*))? \(step (\d+)\)$", cue.text)
        if not m:
            continue
        goal = float(m[2])
        firsts = {label: int(steps[np.argmax(l < goal)]) for label, l in losses.items()
                  if (l < goal).any()}
        assert firsts[m[1]] == int(m[4]), cue.text
        earliest = min(firsts.values())
        if firsts[m[1]] > earliest:   # not the first: the first one is named
            assert m[3] is not None and firsts[m[3]] == earliest, cue.text


def series(loss, accuracy=None, boundary=True, steps=None):
    """A log's series as nnviz.story.tell reads them (tell.series_of), from given curves."""
    from nnviz.story.tell import series_of  # noqa: F401  (the shape is series_of's)
    loss = np.asarray(loss, float)
    n = len(loss)
    return {"step": np.arange(n) * 10 if steps is None else np.asarray(steps),
            "loss": loss, "val_loss": loss * 1.02,
            "accuracy": None if accuracy is None else np.asarray(accuracy, float),
            "total": 100, "unit": "cross-entropy", "factor": 1.0, "line": None,
            "minimum": None, "hidden": None, "words": {}, "label": None, "overrides": None,
            "boundary": boundary}


def kinds(s):
    from nnviz.story.moments import find
    return [m.kind for m in find(s["loss"], s["val_loss"], s["accuracy"], s["step"])]


def test_a_loss_still_falling_steadily_has_not_converged():
    # the curve: 0.239, 0.224, 0.21, 0.198, 0.186, 0.183 at the end, steps 9 apart
    falling = [0.66, 0.627, 0.597, 0.568, 0.541, 0.515, 0.489, 0.464, 0.44, 0.417, 0.394,
               0.372, 0.35, 0.329, 0.308, 0.289, 0.271, 0.254, 0.239, 0.224, 0.21, 0.198,
               0.186, 0.183]
    steps = [*range(0, 199, 9), 200]
    assert "converged" not in kinds(series(falling, steps=steps))
    flat = [*falling[:16], *[0.271 * (1 - 0.001 * k) for k in range(16)]]
    assert "converged" in kinds(series(flat))


def test_a_bump_is_not_divergence_but_a_sustained_rise_is():
    # Adam noise near a small minimum (the circle: 0.0161, up to 0.0243, ends 0.0221)
    noisy = [0.68, 0.3, 0.1, 0.03, 0.0161, 0.0172, 0.0243, 0.02, 0.0221]
    assert "diverging" not in kinds(series(noisy))
    rising = [0.68, 0.3, 0.1, 0.05, 0.1, 0.3, 0.6, 0.9]
    found = kinds(series(rising))
    assert "diverging" in found
    from nnviz.story.moments import find
    s = series(rising)
    at = [m.index for m in find(s["loss"], s["val_loss"], None) if m.kind == "diverging"]
    assert at == [5]   # 0.3 > 3 x 0.05 and back up more than a quarter of the fall: from there on


def test_a_fast_fall_inside_the_first_cue_is_told():
    from nnviz.story.tell import tell
    loss = [0.913, 0.2, 0.05, 0.03, 0.025, 0.022, *np.linspace(0.021, 0.02, 94)]
    story = tell(series(loss), fps=25, total=125)   # the fall is over in the first cue's 4 s
    assert story.descriptions[1].start >= 4
    first = story.descriptions[0].text
    assert first.startswith("Training starts from the initial weights. Then the loss falls fast.")


def test_filler_chapters_never_read_alike():
    from nnviz.story.tell import tell
    loss = np.linspace(0.5, 0.3, 200)   # a slow steady fall: few moments, so fillers
    story = tell(series(loss), fps=25, total=200)
    titles = [c.text.rsplit(" (step", 1)[0] for c in story.chapters]
    assert len(titles) >= 3 and len(set(titles)) == len(titles), titles
    assert any(t.startswith("Later: training loss") for t in titles), titles


@pytest.mark.parametrize("boundary", [True, False])
def test_every_point_right_names_the_boundary_only_when_one_is_drawn(boundary):
    from nnviz.story.tell import tell
    loss = np.geomspace(0.7, 0.01, 60)
    accuracy = np.minimum(1.0, np.linspace(0.5, 1.4, 60))
    story = tell(series(loss, accuracy, boundary), fps=5, total=60)
    said = " ".join(c.text for c in story.descriptions)
    if boundary:
        assert "every training point is on the right side of the boundary" in said, said
    else:
        assert "boundary" not in said and "every training point is classified right" in said


def test_a_moment_of_every_point_right_is_said_to_be_a_moment():
    from nnviz.story.tell import tell
    loss = np.geomspace(0.7, 0.01, 60)
    accuracy = np.full(60, 0.99)
    accuracy[40] = 1.0   # one snapshot of 60
    story = tell(series(loss, accuracy), fps=5, total=60)
    chapters = " ".join(c.text for c in story.chapters)
    said = " ".join(c.text for c in story.descriptions)
    assert "Every training point right, for a moment" in chapters, chapters
    assert "For a moment every training point is classified right." in said, said
    accuracy[40:] = 1.0   # to the end: it holds
    story = tell(series(loss, accuracy), fps=5, total=60)
    assert "for a moment" not in " ".join(c.text for c in story.chapters).lower()


def test_a_run_that_did_not_learn_is_told_so(tmp_path):
    r = run_cli("render", "--data", "spiral", "--features", "x1,x2", "--hidden", "8,8,8",
                "--formats", "webm", "--size", "160x120", "--fps", FPS, "--hold", HOLD,
                "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    logs, tracks = check_folder_words(tmp_path / "spiral", "spiral")
    right = float(logs[0]["accuracy/train"][-1])
    last = tracks["descriptions"][-1].text
    assert right < 0.9 and last.startswith("The final result: the network did not learn"), last
    assert "falls fast" not in " ".join(c.text for c in tracks["descriptions"])


def test_adam_noise_on_the_circle_is_not_divergence(tmp_path):
    r = run_cli("render", "--data", "circle", "--formats", "webm", "--size", "160x120",
                "--fps", FPS, "--hold", HOLD, "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    logs, tracks = check_folder_words(tmp_path / "circle", "circle")
    said = " ".join(c.text for c in [*tracks["chapters"], *tracks["descriptions"]])
    assert "iverg" not in said, said


def test_several_runs_filler_chapters_name_the_run_lowest_there():
    from nnviz.story.race import tell_runs
    a, b = series(np.linspace(0.7, 0.5, 200)), series(np.linspace(0.71, 0.6, 200))
    a.update(label="sgd", overrides={"optimizer": "sgd"})
    b.update(label="adam", overrides={"optimizer": "adam"})
    story = tell_runs([a, b], fps=25, total=200)
    titles = [c.text for c in story.chapters]
    fillers = [t for t in titles if "lowest (step" in t]
    assert fillers and all(t.startswith("sgd lowest") for t in fillers), titles
    assert not any(t.startswith("Learning") for t in titles), titles
    said = " ".join(c.text for c in story.descriptions)
    assert "alike except for their optimizer:" in said, said
