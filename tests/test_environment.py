"""The environment a command runs in: locale, and a stdout or stderr that is closed or broken.

The rule (nnviz/console.py): the exit status says whether the command did its job. `list`,
`--help` and `--version` exist to print, so a stdout that cannot take their text fails them
with one line; render, train and check work on files, so a lost report leaves their status as
the work earned it and adds one `Warning:` line on stderr.
"""
import os
import subprocess
import sys

import pytest

from conftest import WORDS, TINY_SCENE, assert_one_line_error, tree

QUICK = ["--quick", "--formats", "mp4"]
WIDE = TINY_SCENE.replace("nn.Dense(n_in, n_out)", "nn.Dense(n_in, 3)")


def run(*args, stdout, env=None, cwd=None, close=()):
    """The real CLI with `stdout` as given: "closed" (>&-), "broken" (a pipe whose reader is
    gone before the command starts, so every write fails: no race) or a file object."""
    env = dict(os.environ, COLUMNS="200", **(env or {}))
    cmd = [sys.executable, "-m", "nnviz", *map(str, args)]
    if stdout == "closed" or "stderr" in close:
        # bash closes the descriptors, as a user's `>&-` / `2>&-` does
        redirect = (" >&-" if stdout == "closed" else "") + (" 2>&-" if "stderr" in close else "")
        cmd = ["bash", "-c", f'"$@"{redirect}', "bash", *cmd]
    read_end = None
    if stdout == "broken":
        read_end, stdout = os.pipe()
        os.close(read_end)
    try:
        return subprocess.run(cmd, stdout=None if stdout == "closed" else stdout,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=cwd, timeout=300)
    finally:
        if read_end is not None:
            os.close(stdout)


def files(out, name="tiny"):
    return sorted(p.name for p in (out / name).iterdir()) if (out / name).exists() else []


RENDERED = sorted(["tiny.html", "tiny.mp4", "tiny.npz", "tiny.png", *(f"tiny.{w}" for w in WORDS)])
LOST = "Warning: the report could not be printed to stdout ("


@pytest.mark.parametrize("stdout", ["closed", "broken"])
def test_printing_commands_fail_when_stdout_cannot_take_their_text(stdout):
    for args in (["list"], ["--help"], ["render", "--help"], ["--version"]):
        r = run(*args, stdout=stdout)
        why = "stdout is closed" if stdout == "closed" else "broken pipe: its reader has gone"
        assert_one_line_error(r, 1, f"cannot write to stdout ({why}); its output is lost")


@pytest.mark.parametrize("stdout", ["closed", "broken"])
def test_render_keeps_its_success_when_the_report_is_lost(stdout, tmp_path, scene_file):
    out = tmp_path / "out"
    r = run("render", scene_file(TINY_SCENE), "--out", out, *QUICK, stdout=stdout)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(LOST) and len(r.stderr.splitlines()) == 1, r.stderr
    assert files(out) == RENDERED


@pytest.mark.parametrize("stdout", ["closed", "broken"])
def test_failed_render_stays_a_failure(stdout, tmp_path, scene_file):
    out = tmp_path / "out"
    r = run("render", scene_file(WIDE), "--out", out, *QUICK, stdout=stdout)
    assert_one_line_error(r, 2, "scene 'tiny': model() returned a network with 3 outputs")
    assert tree(out) == {}


def test_several_renders_into_a_broken_pipe_all_finish(tmp_path, scene_file):
    """The first lost report must not stop the renders still running."""
    out = tmp_path / "out"
    one = scene_file(TINY_SCENE, "one.py")
    two = scene_file(TINY_SCENE.replace('"tiny"', '"tiny_two"'), "two.py")
    r = run("render", one, two, "--out", out, *QUICK, "--jobs", "2", stdout="broken")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(LOST) and len(r.stderr.splitlines()) == 1, r.stderr
    assert files(out) == RENDERED and "tiny_two.mp4" in files(out, "tiny_two")


@pytest.mark.parametrize("stdout", ["closed", "broken"])
def test_train_and_check_keep_their_status(stdout, tmp_path, scene_file):
    out = tmp_path / "out"
    r = run("train", scene_file(TINY_SCENE), "--out", out, stdout=stdout)
    assert r.returncode == 0 and r.stderr.startswith(LOST), r.stderr
    assert files(out) == ["tiny.npz"]
    r = run("render", scene_file(TINY_SCENE), "--out", out, *QUICK, "-q", stdout=stdout)
    assert r.returncode == 0 and r.stderr == "", r.stderr    # -q: no report, nothing lost
    r = run("check", out / "tiny", stdout=stdout)
    assert r.returncode == 0 and r.stderr.startswith(LOST), r.stderr
    (out / "tiny" / "tiny.mp4").write_bytes(b"not a video")
    assert run("check", out / "tiny", stdout=stdout).returncode == 1


def test_closed_stderr_changes_no_exit_status(tmp_path, scene_file):
    out = tmp_path / "out"
    with open(os.devnull, "w") as null:
        r = run("render", scene_file(TINY_SCENE), "--out", out, *QUICK, stdout=null,
                close=["stderr"])
        assert r.returncode == 0 and files(out) == RENDERED
        r = run("render", scene_file(WIDE, "wide.py"), "--out", tmp_path / "o2", *QUICK,
                stdout=null, close=["stderr"])
        assert r.returncode == 2 and not (tmp_path / "o2").exists()


ASCII_ONLY = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}


@pytest.mark.parametrize("title", ["Überlauf ≈ naïve – 学习", "emoji 🎬 title"])
def test_non_ascii_title_under_the_c_locale(title, tmp_path, scene_file):
    out = tmp_path / "out"
    path = scene_file(TINY_SCENE.replace("A tiny user scene", title))
    r = run("render", path, "--out", out, *QUICK, stdout=subprocess.PIPE, env=ASCII_ONLY)
    assert r.returncode == 0, r.stderr
    page = (out / "tiny" / "tiny.html").read_bytes().decode("utf-8")
    assert f"<title>{title}</title>" in page and '<meta charset="utf-8">' in page
    # re-rendering the log reads the title back from it, still under the C locale
    r = run("render", "--from", out / "tiny" / "tiny.npz", "--out", tmp_path / "again", *QUICK,
            stdout=subprocess.PIPE, env=ASCII_ONLY)
    assert r.returncode == 0, r.stderr
    assert f"<title>{title}</title>" in (tmp_path / "again" / "tiny" / "tiny.html").read_text("utf-8")


def test_non_ascii_out_folder_under_the_c_locale(tmp_path, scene_file):
    out = tmp_path / "sortie-été"
    r = run("render", scene_file(TINY_SCENE), "--out", out, *QUICK, stdout=subprocess.PIPE,
            env=ASCII_ONLY)
    assert r.returncode == 0, r.stderr
    assert files(out) == RENDERED


def test_the_cli_and_the_log_reader_start_without_matplotlib():
    """Every nnviz command starts a Python process: importing matplotlib there costs ~0.15 s
    for commands that draw nothing (list, show, check of a file, every one-line error)."""
    import subprocess
    import sys
    code = ("import sys, nnviz.cli, nnviz.log.snapshots, nnviz.log.logschema, nnviz.draw.theme; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
