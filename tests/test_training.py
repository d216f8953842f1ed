"""Training, the snapshot schedule and the snapshot log."""

import numpy as np
import pytest

import nnviz
from nnviz.log.snapshots import LogError, load
from nnviz.learn.training import TrainingDiverged, schedule
from nnviz.log.record import train

from conftest import TINY_SCENE


@pytest.mark.parametrize("steps, every, expected", [
    (10, 5, [0, 5, 10]),
    (10, 1, list(range(11))),
    (10, 3, [0, 3, 6, 9, 10]),   # not a multiple: the final step is still recorded
    (4, 100, [0, 4]),            # every larger than steps
    (1, 1, [0, 1]),
])
def test_schedule(steps, every, expected):
    assert schedule(steps, every).tolist() == expected


def test_schedule_is_lazy():
    """`--steps 1000000000` must not allocate the step numbers (8 GB as int64) up front."""
    import tracemalloc
    tracemalloc.start()
    try:
        when = schedule(1_000_000_000, 1)
        assert len(when) == 1_000_000_001 and when[-1] == 1_000_000_000
        assert 999_999_999 in when and when[123_456_789] == 123_456_789
        assert list(schedule(1_000_000_000, 300_000_000)) == [0, 3 * 10**8, 6 * 10**8, 9 * 10**8,
                                                             10**9]
        assert tracemalloc.get_traced_memory()[1] < 1_000_000   # peak under 1 MB
    finally:
        tracemalloc.stop()


def scene(name):
    return nnviz.resolve(name)()


def test_log_holds_what_drawing_needs(tmp_path):
    log = train(scene("xor_two_classes"), tmp_path / "x.npz", steps=10, every=3)
    assert log["step"].tolist() == [0, 3, 6, 9, 10] and len(log) == 5
    assert log["output"].shape == (5, 64, 64, 2) and log["output"].dtype == np.float32
    assert log["predicted/val"].shape == (5, 120) and log["accuracy/train"].shape == (5,)
    assert log["param/0.W"].shape == (5, 2, 4) and log["data/x_train"].shape == (280, 2)
    assert log.meta["scene"] == "xor_two_classes" and log.meta["options"]["seed"] == 0
    assert log.meta["options"]["batch_size"] == 16 and log.meta["versions"]["numpy"] == np.__version__
    assert log.meta["panels"] == ["boundary", "loss", "accuracy"]
    probs = log["output"][-1]
    assert np.allclose(probs.sum(axis=-1), 1, atol=1e-5)


def test_save_load_round_trip_is_bit_identical(tmp_path):
    log = train(scene("non_linear_regression_tanh"), tmp_path / "s.npz", steps=6, every=2)
    plain = np.load(tmp_path / "s.npz")   # an ordinary npz: numpy reads it as is
    assert sorted(plain.files) == sorted(log.names)
    for name in log.names:
        assert np.array_equal(plain[name], log[name]) and plain[name].dtype == log[name].dtype
    streamed = list(log.stream(["output", "step"]))
    assert np.array_equal(np.stack([s["output"] for s in streamed]), plain["output"])
    assert [int(s["step"]) for s in streamed] == [0, 2, 4, 6]


def test_same_seed_identical_log_other_seed_different(tmp_path):
    a = train(scene("xor_function_regression"), tmp_path / "a.npz", steps=20, every=5, seed=3)
    train(scene("xor_function_regression"), tmp_path / "b.npz", steps=20, every=5, seed=3)
    c = train(scene("xor_function_regression"), tmp_path / "c.npz", steps=20, every=5, seed=4)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert not np.array_equal(a["output"], c["output"])


def test_user_scene_file_by_path(scene_file, tmp_path):
    path = scene_file(TINY_SCENE)
    cls = nnviz.resolve(str(path))
    assert cls.name == "tiny"
    log = train(cls(), tmp_path / "t.npz")
    assert log["step"].tolist() == [0, 2, 4, 6, 8] and log.meta["title"] == "A tiny user scene"


DIVERGING_SCENE = TINY_SCENE.replace('lr = 0.05', 'lr = 1e3\n    optimizer = "sgd"').replace("steps = 8", "steps = 50")


def test_divergence_stops_with_step_and_advice(tmp_path, scene_file):
    cls = nnviz.resolve(str(scene_file(DIVERGING_SCENE)))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TrainingDiverged, match=r"training diverged at step \d+ \(.*\); try a smaller learning rate, e.g. --lr 100"):
        train(cls(), out / "d.npz")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("content, fragment", [
    (b"", "not a readable nnviz snapshot log"),
    (b"PK\x03\x04 truncated zip", "not a readable nnviz snapshot log"),
])
def test_corrupted_logs_fail_clearly(tmp_path, content, fragment):
    (tmp_path / "bad.npz").write_bytes(content)
    with pytest.raises(LogError, match=fragment):
        load(tmp_path / "bad.npz")


def test_foreign_npz_fails_clearly(tmp_path):
    np.savez(tmp_path / "foreign.npz", a=np.arange(3))
    with pytest.raises(LogError, match="not an nnviz snapshot log"):
        load(tmp_path / "foreign.npz")
