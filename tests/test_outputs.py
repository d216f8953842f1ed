"""Outputs: exclusive temporaries, no lock file, one render's whole set committed or nothing.

Someone who can write to the output folder must not be able to make nnviz write anywhere
else, and after any sequence of successful commands `nnviz check OUT/NAME` passes.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

import nnviz
import nnviz.encode.check
from nnviz import outputs
from nnviz.draw.frames import FrameRenderer
from nnviz.log.snapshots import load

from conftest import WORDS, assert_one_line_error, run_cli, tree

QUICK = ["--quick", "--formats", "webm,ogv,mp4"]
NAME = "xor_two_classes"
EXTENSIONS = ("npz", "png", "html", "webm", "ogv", "mp4")


def temporaries(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp"))


# ----------------------------------------------------------------------------- temporaries, lock

def test_links_planted_at_the_old_predictable_names_are_never_followed(tmp_path):
    """`.NAME.EXT.PID.tmp` was predictable: links planted there must not be written through."""
    folder, victims = tmp_path / "out" / NAME, tmp_path / "victims"
    folder.mkdir(parents=True)
    victims.mkdir()
    pid = os.getpid()   # the render below runs in this process
    planted = [f".{NAME}.{ext}.{pid}.tmp" for ext in EXTENSIONS]
    planted += [f".{NAME}.npz.fields.{pid}.tmp", f"..{NAME}.npz.{pid}.tmp.{pid}.tmp"]
    for i, name in enumerate(planted):
        (folder / name).symlink_to(victims / f"victim{i}")
    nnviz.render(NAME, out=tmp_path / "out", size=(320, 240), steps=40, every=10, hold=0.2)
    assert list(victims.iterdir()) == [], "nnviz wrote through a planted link"
    assert sorted(p.name for p in folder.iterdir() if p.is_symlink()) == sorted(planted)
    nnviz.encode.check.check_folder(folder)


def test_a_temporary_never_opens_a_name_that_exists(tmp_path, monkeypatch):
    names = iter(["0000000a", "0000000b", "0000000c", "0000000d"])
    monkeypatch.setattr(outputs.secrets, "token_hex", lambda n: next(names))
    final = tmp_path / "x.mp4"
    link = tmp_path / f".x.mp4.{os.getpid()}.0000000a.tmp"
    link.symlink_to(tmp_path / "victim")
    made = outputs.temporary(final)
    assert made.name == f".x.mp4.{os.getpid()}.0000000b.tmp" and made.is_file()
    (tmp_path / f".x.npz.fields.{os.getpid()}.0000000c.tmp").symlink_to(tmp_path / "victim")
    folder = outputs.temporary_dir(tmp_path / "x.npz.fields")
    assert folder.name.endswith(".0000000d.tmp") and folder.is_dir() and not folder.is_symlink()
    assert not (tmp_path / "victim").exists()


def test_dangling_lock_link_is_not_followed_and_no_lock_is_left(out, tmp_path):
    folder = out / NAME
    victim = tmp_path / "victim.txt"
    (folder / ".nnviz.lock").symlink_to(victim)
    r = run_cli("render", NAME, "--out", out, *QUICK, "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert not victim.exists(), "the lock's link target was created"
    assert not os.path.lexists(folder / ".nnviz.lock")
    assert sorted(os.listdir(folder)) == sorted(f"{NAME}.{ext}" for ext in (*EXTENSIONS, *WORDS))


def test_the_lock_is_the_folder_itself_and_excludes_other_processes(tmp_path):
    code = ("import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)\n"
            "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n"
            "    sys.exit(3)\n")
    with outputs.locked(tmp_path):
        held = subprocess.run([sys.executable, "-c", code, str(tmp_path)])
    free = subprocess.run([sys.executable, "-c", code, str(tmp_path)])
    assert (held.returncode, free.returncode) == (3, 0)
    assert os.listdir(tmp_path) == []


def test_stale_clean_up_removes_only_its_own_pattern_and_never_follows(tmp_path):
    folder, victim = tmp_path / NAME, tmp_path / "victim"
    folder.mkdir()
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    dead = 999_999_999   # above any pid_max: no such process
    mine = [f".{NAME}.mp4.{dead}.0badf00d.tmp", f".{NAME}.npz.fields.{dead}.12345678.tmp",
            f".{NAME}.webm.{dead}.tmp", f"..{NAME}.npz.{dead}.aaaaaaaa.tmp.{dead}.bbbbbbbb.tmp"]
    (folder / mine[0]).symlink_to(victim)
    (folder / mine[1]).mkdir()
    (folder / mine[1] / "0.raw").symlink_to(victim / "keep.txt")
    (folder / mine[2]).write_bytes(b"old")
    (folder / mine[3]).write_bytes(b"old")
    others = [f".other.mp4.{dead}.0badf00d.tmp", f"notes.{dead}.tmp", f"{NAME}.mp4",
              f".{NAME}.mp4.{os.getpid()}.0badf00d.tmp", f".{NAME}.mp4.{dead}.notnnviz.tmp"]
    for name in others:
        (folder / name).write_bytes(b"theirs")
    removed = outputs.remove_stale(folder, NAME)
    assert sorted(p.name for p in removed) == sorted(mine)
    assert sorted(os.listdir(folder)) == sorted(others)
    assert (victim / "keep.txt").read_text() == "keep"


# ----------------------------------------------------------------------------- one set, all or nothing

def test_fewer_formats_over_more_leaves_only_the_new_set(out):
    r = run_cli("render", NAME, "--out", out, "--quick", "--size", "480x360", "--formats", "mp4")
    assert r.returncode == 0, r.stderr
    folder = out / NAME
    assert sorted(os.listdir(folder)) == sorted(f"{NAME}.{e}" for e in ("npz", "png", "html", "mp4", *WORDS))
    r = run_cli("check", folder)
    assert r.returncode == 0, r.stderr


def test_a_target_that_is_a_folder_fails_the_commit_before_anything_changes(out):
    folder = out / NAME
    (folder / f"{NAME}.html").unlink()
    (folder / f"{NAME}.html").mkdir()
    before = tree(out)
    r = run_cli("render", NAME, "--out", out, *QUICK, "--seed", "4")
    assert_one_line_error(r, 1, f"{NAME}.html is a folder", "move it away")
    assert tree(out) == before
    assert temporaries(folder) == []


def test_a_failed_rename_puts_every_old_file_back(tmp_path, monkeypatch):
    finals = {ext: tmp_path / f"a.{ext}" for ext in ("npz", "png", "html")}
    for path in finals.values():
        path.write_text(f"old {path.name}")
    (tmp_path / "a.webm").write_text("old a.webm")   # not in the new set: to be removed
    temps = {}
    for ext, final in finals.items():
        temps[outputs.temporary(final)] = final
        next(reversed(temps)).write_text(f"new {final.name}")
    calls, replace = [], os.replace

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(dst))
        return replace(src, dst)
    monkeypatch.setattr(outputs.os, "replace", failing)
    with pytest.raises(OSError):
        outputs.commit(temps, remove=[tmp_path / "a.webm"])
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        name: f"old {name}" for name in ("a.npz", "a.png", "a.html", "a.webm")}


def test_train_into_a_rendered_folder_is_refused_and_check_still_passes(out):
    before = tree(out)
    r = run_cli("train", NAME, "--seed", "5", "--steps", "20", "--out", out)
    assert_one_line_error(r, 1, "holds a render", f"nnviz render {NAME}")
    assert tree(out) == before
    assert run_cli("check", out / NAME, "-q").returncode == 0


def test_train_render_from_train_again_render(tmp_path):
    """A sequence of successful commands always leaves a folder that `nnviz check` passes."""
    folder = tmp_path / NAME
    assert run_cli("train", NAME, "--steps", "40", "--every", "10", "--out", tmp_path).returncode == 0
    assert run_cli("train", NAME, "--steps", "30", "--every", "10", "--out", tmp_path).returncode == 0
    r = run_cli("render", "--from", folder / f"{NAME}.npz", "--out", tmp_path, "--quick")
    assert r.returncode == 0, r.stderr
    assert run_cli("check", folder, "-q").returncode == 0
    assert run_cli("train", NAME, "--out", tmp_path).returncode == 1
    r = run_cli("render", NAME, "--out", tmp_path, "--quick", "--formats", "webm")
    assert r.returncode == 0, r.stderr
    assert run_cli("check", folder, "-q").returncode == 0
    assert sorted(os.listdir(folder)) == sorted(f"{NAME}.{e}" for e in ("npz", "png", "html", "webm", *WORDS))


def test_render_from_the_folder_log_racing_a_render_keeps_one_set(out):
    """--from reads the folder's log; a render commits a new log meanwhile; --from commits last.

    The log in the folder must be the one the videos and the poster were made from.
    """
    folder = out / NAME
    slow = subprocess.Popen([sys.executable, "-m", "nnviz", "render", "--from", str(folder / f"{NAME}.npz"),
                             "--out", str(out), "--size", "320x240", "--formats", "mp4"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not any(".mp4." in n for n in temporaries(folder)) and slow.poll() is None:
            time.sleep(0.01)
        slow.send_signal(signal.SIGSTOP)   # it has read the log: hold it there
        r = run_cli("render", NAME, "--out", out, *QUICK, "--seed", "7")
        assert r.returncode == 0, r.stderr
    finally:
        slow.send_signal(signal.SIGCONT)
    _, err = slow.communicate(timeout=300)
    assert slow.returncode == 0, err
    assert sorted(os.listdir(folder)) == sorted(f"{NAME}.{e}" for e in ("npz", "png", "html", "mp4", *WORDS))
    poster = iio.imread(folder / f"{NAME}.png")
    for frame in FrameRenderer(load(folder / f"{NAME}.npz"), (320, 240)).frames():
        pass
    assert np.array_equal(poster, np.asarray(frame)[..., :3]), "the log and the poster disagree"
    nnviz.encode.check.check_folder(folder)
