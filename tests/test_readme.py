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
