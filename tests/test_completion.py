"""Shell completion through the real CLI: scene arguments complete built-in names and .py files."""
import os
import subprocess
import sys

import pytest


def complete(words: str, cwd, shell: str = "bash") -> list[str]:
    """What the shell would offer for the last word of `words` (click's bash_complete protocol)."""
    env = dict(os.environ, _NNVIZ_COMPLETE=f"{shell}_complete", COMP_WORDS=words,
               COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    r = subprocess.run([sys.executable, "-m", "nnviz"], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return [line.split(",", 1)[1] for line in r.stdout.splitlines()]


@pytest.mark.parametrize("command", ["render", "train", "compare", "show"])
def test_builtin_scene_names_complete(tmp_path, command):
    assert complete(f"nnviz {command} xor", tmp_path) == ["xor_function_regression",
                                                          "xor_two_classes"]


def test_scene_files_and_folders_complete(tmp_path):
    (tmp_path / "mine.py").write_text("")
    (tmp_path / "mistake.txt").write_text("")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "deep.py").write_text("")
    (tmp_path / ".hidden.py").write_text("")
    assert complete("nnviz render mi", tmp_path) == ["mine.py"]
    assert complete("nnviz render m", tmp_path) == ["mine.py", "models/"]
    assert complete("nnviz render models/", tmp_path) == ["models/deep.py"]
    assert "mistake.txt" not in complete("nnviz render mi", tmp_path)   # only .py files
    # a second scene of several: names and files again
    assert complete("nnviz render xor_two_classes lin", tmp_path) == ["linear_regression"]
