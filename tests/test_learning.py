"""Every built-in scene learns on every seed, judged by the scene's own learning_problems.

Training only (the core, no drawing) into tmp_path, with one snapshot at the end: snapshots
do not change the run. benchmarks/learning.py runs the same check over seeds 0-99.
"""
import numpy as np
import pytest

import nnviz
from nnviz.learn import runs
from nnviz.learn.scene import Scene
from nnviz.learn.scene_checks import instantiate
from nnviz.log.record import train

BUILTIN = sorted(name for name, cls in nnviz.builtin_scenes().items()
                 if cls.__module__.startswith("nnviz.scenes."))
REGRESSION = ["linear_regression", "xor_function_regression", "non_linear_regression_tanh",
              "non_linear_regression_leaky_relu"]


def trained(tmp_path, name, run=0, **options):
    """A built-in scene trained (its run number `run` for a scene of several runs)."""
    scene = instantiate(nnviz.resolve(name))
    if scene.runs:
        scene = runs.plan(scene)[run].scene
    steps = options.pop("steps", scene.steps)
    return scene, train(scene, tmp_path / "log.npz", steps=steps, every=steps, **options)


# (scene, run) for every run of every built-in scene: a scene of several runs learns in each
CASES = [(name, run) for name in BUILTIN
         for run in range(len(nnviz.resolve(name).runs or {"": None}))]


def test_every_builtin_scene_says_what_learning_means():
    assert set(REGRESSION) < set(BUILTIN)
    for name in BUILTIN:
        cls = nnviz.resolve(name)
        assert cls.learning_problems is not Scene.learning_problems, name
        assert "Learned" in (cls.__doc__ or ""), f"{name}: thresholds not in its docstring"


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("name, run", CASES)
def test_scene_learns(tmp_path, name, run, seed):
    scene, log = trained(tmp_path, name, run, seed=seed)
    assert scene.learning_problems(log) == []


@pytest.mark.parametrize("name, run", CASES)
def test_an_untrained_run_is_not_learned(tmp_path, name, run):
    scene, log = trained(tmp_path, name, run, steps=1)
    problems = scene.learning_problems(log)
    assert problems and all(isinstance(p, str) and p for p in problems), problems


def test_a_scene_without_a_check_claims_nothing(tmp_path):
    class Quiet(Scene):
        def dataset(self, rng):
            return nnviz.learn.data.noisy_linear(rng, n=20)

        def model(self, rng, n_in, n_out):
            return nnviz.learn.nn.mlp([n_in, n_out], "linear", rng=rng)

    log = train(Quiet(), tmp_path / "q.npz", steps=1, every=1)
    assert Quiet().learning_problems(log) == []


@pytest.mark.parametrize("name", REGRESSION)
def test_the_log_says_what_units_its_losses_are_in(tmp_path, name):
    """loss/* is the MSE of the standardised targets when meta says so, else of the data's own.

    The learning checks turn losses into RMSEs in the data's units this way; here the same
    number comes from the log's own data and predictions.
    """
    _, log = trained(tmp_path, name, steps=20)
    assert log.meta["standardize_targets"] is (name != "xor_function_regression")
    in_data_units = np.mean((log.predict(-1, log["data/x_val"]) - log["data/y_val"]) ** 2)
    scale = log["standardizer/y_std"][0] ** 2 if log.meta["standardize_targets"] else 1.0
    assert log["loss/val"][-1] * scale == pytest.approx(in_data_units, rel=1e-5)
