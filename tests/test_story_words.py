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
