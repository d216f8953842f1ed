"""The README tells the truth: its commands, its options and its scene example."""
import re
from pathlib import Path

import click

import nnviz
from nnviz.cli import cli
from nnviz.log.record import train

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_ci_runs_exactly_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = next(b for b in blocks if "tests/run.sh" in b)
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_every_cli_option_is_documented():
    for name, command in cli.commands.items():
        assert f"nnviz {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(f"`{opt}" in README for opt in param.opts), (name, param.opts)


def test_readme_scene_example_runs(tmp_path):
    code = re.search(r"## Writing your own scene.*?```python\n(.*?)```", README, re.S)[1]
    path = tmp_path / "my_scene.py"
    path.write_text(code)
    scene = nnviz.resolve(str(path))()
    assert scene.name == "circle"
    log = train(scene, tmp_path / "circle.npz", steps=300, every=100)
    assert log["step"].tolist() == [0, 100, 200, 300]
    assert log["accuracy/val"][-1] > 0.9


def test_readme_record_examples_run(tmp_path):
    """Each framework's example under "Record your own training", pasted into a fresh Python
    in an empty folder, writes a log that opens and shows the trained XOR."""
    import os
    import subprocess
    import sys
    section = re.search(r"## Record your own training\n(.*?)\n## ", README, re.S)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    env = dict(os.environ, KERAS_BACKEND="jax")
    for code, name in zip(blocks, ("xor_sklearn", "xor_torch", "xor_keras")):
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        log = nnviz.load(tmp_path / f"{name}.npz")
        assert log["step"][-1] == 300 and log.meta["scene"] == name
        assert log["accuracy/val"][-1] == 1.0, name
