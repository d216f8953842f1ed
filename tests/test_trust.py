"""Trust: bad input, interruptions, concurrent renders, determinism and output verification.

Every case goes through the real CLI in a subprocess and checks the exit code, a one-line
message and that the output folder is exactly as it was before.
"""
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

import nnviz
from nnviz.encode.check import CheckError
from nnviz.draw.frames import FrameRenderer
from nnviz.log.snapshots import load

from conftest import TINY_SCENE, assert_one_line_error, run_cli, tree

QUICK = ["--quick", "--formats", "webm,ogv,mp4"]


def scene(tmp_path, body, name):
    path = tmp_path / name
    path.write_text(body)
    return path


DIVERGING = TINY_SCENE.replace("lr = 0.05", 'lr = 1e3\n    optimizer = "sgd"').replace("steps = 8", "steps = 50")


def bad_inputs(tmp_path):
    """(arguments, exit code, a fragment of the message) for every bad input we promise to catch."""
    cases = [
        (["xor_two_clases"], 2, "unknown scene 'xor_two_clases'; did you mean xor_two_classes?"),
        (["missing.py"], 2, "scene file missing.py does not exist"),
        ([scene(tmp_path, "hello", "notes.txt")], 2, "is not a Python file"),
        ([scene(tmp_path, "x = 1\n", "empty.py")], 2, "defines no scene; define a subclass of nnviz.Scene"),
        ([scene(tmp_path, "import nnviz\n\nraise RuntimeError('bad data')\n", "boom.py")], 2,
         "boom.py:3: RuntimeError: bad data"),
        ([scene(tmp_path, DIVERGING, "diverge.py")], 1, "training diverged at step"),
        ([scene(tmp_path, TINY_SCENE.replace('("fit", "loss")', '("heatmap", "loss")'), "flat.py")], 2,
         "scene 'tiny': the heatmap panel needs a scene with two inputs; choose other panels"),
        ([scene(tmp_path, TINY_SCENE.replace('("fit", "loss")', '("fit", "heatmap")'), "two.py")], 2,
         "panels must be distinct and non-empty, with at most one of fit, heatmap, boundary"),
        (["xor_two_classes", "--formats", "webm,apng"], 2, "unknown format 'apng'; choose from webm, ogv, mp4, gif, webp"),
        (["xor_two_classes", "--formats", ","], 2, "without empty items, got ','"),
    ]
    for size, fragment in [("640", "is not WIDTHxHEIGHT"), ("640x", "is not WIDTHxHEIGHT"),
                           ("axb", "is not WIDTHxHEIGHT"), ("641x480", "must be even"),
                           ("640x481", "must be even"), ("0x0", "too small"), ("-640x480", "is not WIDTHxHEIGHT"),
                           ("158x120", "too small"), ("7682x4320", "too large"), ("99999x99999", "too large")]:
        cases.append((["xor_two_classes", "--size", size], 2, fragment))
    for option, values in {"--fps": ["abc", "0", "-5", "241", "0.00001"], "--hold": ["x", "-1", "601"],
                           "--steps": ["x", "0", "-1", "1.5"], "--every": ["y", "0", "-2", "2.5"],
                           "--lr": ["z", "0", "-1", "nan", "inf"], "--seed": ["s", "-1", "0.5"]}.items():
        for value in values:
            cases.append((["xor_two_classes", option, value], 2, f"Invalid value for '{option}'"))
    return cases


def test_bad_input_battery(out, tmp_path):
    before = tree(out)
    for args, code, fragment in bad_inputs(tmp_path):
        r = run_cli("render", *args, "--out", out, cwd=tmp_path)
        assert_one_line_error(r, code, fragment)
        assert tree(out) == before, args


def test_failed_render_leaves_no_new_folder(tmp_path):
    path = scene(tmp_path, DIVERGING, "diverge.py")
    target = tmp_path / "new" / "deeper"
    assert_one_line_error(run_cli("render", path, "--out", target, *QUICK), 1, "training diverged")
    assert not (tmp_path / "new").exists()


def test_out_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("mine")
    assert_one_line_error(run_cli("render", "xor_two_classes", "--out", target, *QUICK), 2,
                          "is a file, not a folder; give a folder path")
    assert target.read_text() == "mine"


def test_out_read_only(out):
    before = tree(out)
    folder = out / "xor_two_classes"
    if os.geteuid() == 0:   # root ignores permissions: make the folder immutable instead
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        r = run_cli("render", "xor_two_classes", "--out", out, *QUICK)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
    assert_one_line_error(r, 2, "cannot write to", "give a writable folder")
    assert tree(out) == before


def test_out_with_missing_parents_is_created(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    r = run_cli("render", "linear_regression", "--out", target, "--quick", "--formats", "mp4", "-q")
    assert r.returncode == 0, r.stderr
    assert (target / "linear_regression" / "linear_regression.mp4").is_file()


def _future_log(src: Path, dst: Path):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename == "meta.npy":
                meta = json.loads(np.load(io.BytesIO(zin.read(item))).tobytes())
                meta["log_version"] = 99
                buf = io.BytesIO()
                np.save(buf, np.frombuffer(json.dumps(meta).encode(), np.uint8))
                zout.writestr(item, buf.getvalue())
            else:
                zout.writestr(item, zin.read(item))


def test_bad_from_logs(out, tmp_path):
    good_log = out / "xor_two_classes" / "xor_two_classes.npz"
    (tmp_path / "empty.npz").write_bytes(b"")
    (tmp_path / "truncated.npz").write_bytes(good_log.read_bytes()[:3000])
    np.savez(tmp_path / "foreign.npz", weights=np.ones(3))
    _future_log(good_log, tmp_path / "future.npz")
    before = tree(out)
    for name, fragment in [("missing.npz", "does not exist"), ("empty.npz", "not a readable nnviz snapshot log"),
                           ("truncated.npz", "not a readable nnviz snapshot log"),
                           ("foreign.npz", "not an nnviz snapshot log"),
                           ("future.npz", "written by a newer nnviz (log version 99")]:
        r = run_cli("render", "--from", tmp_path / name, "--out", out, *QUICK)
        assert_one_line_error(r, 1, fragment)
        assert tree(out) == before, name


def _limit_file_size(limit):
    def setup():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return setup


@pytest.mark.parametrize("where, fragment", [
    ("encoding", "encoding failed, no video written: ffmpeg was killed by SIGXFSZ (file size limit reached: is the disk full?)"),
    ("training", "cannot write: File too large (is the disk full?); nothing was changed"),
])
def test_disk_filling_up(out, where, fragment):
    """A file-size limit stands in for a full disk, in a subprocess and its ffmpeg."""
    before = tree(out)
    log = out / "xor_two_classes" / "xor_two_classes.npz"
    args = ["--from", log] if where == "encoding" else ["xor_two_classes"]   # --from in place writes no log
    # each of the quick render's videos is 20-40 kB (xor_two_classes at 320x240): the limit
    # is well under the smallest, so the encoder always meets it
    r = run_cli("render", *args, "--out", out, *QUICK, preexec_fn=_limit_file_size(12_000))
    assert_one_line_error(r, 1, fragment)
    assert tree(out) == before


# ----------------------------------------------------------------------------- interruptions

def children(pid):
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the render to reach the phase")


def temporaries(folder):
    return sorted(p.name for p in Path(folder).glob(".*.tmp"))


def start(args, out):
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "nnviz", "render", *map(str, args), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture(scope="module")
def long_log(tmp_path_factory):
    """A log with many snapshots, so drawing takes a few seconds."""
    folder = tmp_path_factory.mktemp("long")
    r = run_cli("train", "xor_two_classes", "--steps", "1200", "--every", "1", "--out", folder)
    assert r.returncode == 0, r.stderr
    return folder / "xor_two_classes" / "xor_two_classes.npz"


def _videos(folder):
    return [p for p in Path(folder).glob(".*.tmp") if p.name.split(".")[2] in ("webm", "ogv", "mp4")]


def _size(path):
    """Bytes in a temporary, 0 if it is gone already (the render may be cleaning up)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


PHASES = {
    # phase: (arguments, "the render has reached that phase")
    "training": (["xor_two_classes", "--steps", "400000", "--every", "40000", "--size", "320x240"],
                 lambda folder: any("fields" in n for n in temporaries(folder))),
    "rendering": (["--from", "LONG", "--size", "320x240", "--hold", "0"],
                  lambda folder: bool(_videos(folder))),
    "encoding": (["--from", "LONG", "--size", "640x480", "--hold", "60"],
                 lambda folder: sum(_size(p) for p in _videos(folder)) > 300_000),
}


def phase_args(phase, long_log):
    args, reached = PHASES[phase]
    return [str(long_log) if a == "LONG" else a for a in args], reached


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("phase", list(PHASES))
def test_interrupted_render_leaves_nothing_behind(out, long_log, phase, signum, code):
    args, reached = phase_args(phase, long_log)
    folder = out / "xor_two_classes"
    before = tree(out)
    proc = start(args, out)
    try:
        wait_for(lambda: reached(folder) or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read()
        kids = children(proc.pid)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err and err.strip().splitlines() == [
        f"Error: interrupted by {signal.Signals(signum).name}; nothing was left behind"]
    assert not any(alive(k) for k in kids), "ffmpeg outlived nnviz"
    assert temporaries(folder) == []
    assert tree(out) == before


def test_kill_9_during_encoding_then_next_render_cleans_up(out, long_log):
    folder = out / "xor_two_classes"
    args, reached = phase_args("encoding", long_log)
    proc = start(args, out)
    wait_for(lambda: reached(folder))
    kids = children(proc.pid)
    proc.kill()
    proc.wait()
    wait_for(lambda: not any(alive(k) for k in kids), timeout=30)   # ffmpeg ends at the pipe's EOF
    left = temporaries(folder)
    assert left, "a killed render leaves its temporaries"
    r = run_cli("render", "xor_two_classes", "--out", out, *QUICK)
    assert r.returncode == 0, r.stderr
    assert temporaries(folder) == []
    nnviz.encode.check.check_folder(folder)


# ----------------------------------------------------------------------------- concurrency, determinism

def test_two_renders_at_once_into_one_folder(tmp_path):
    procs = [start(["xor_two_classes", *QUICK, "--seed", str(seed)], tmp_path) for seed in (1, 2)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0 or (p.returncode == 1 and len(err.strip().splitlines()) == 1), err
    folder = tmp_path / "xor_two_classes"
    assert temporaries(folder) == []
    poster = iio.imread(folder / "xor_two_classes.png")
    for frame in FrameRenderer(load(folder / "xor_two_classes.npz"), (320, 240)).frames():
        pass
    assert np.array_equal(poster, np.asarray(frame)[..., :3]), "poster and log come from different renders"
    nnviz.encode.check.check_folder(folder)   # every video ends on this poster


def test_same_seed_same_bytes_other_seed_different(tmp_path):
    def render(seed, where):
        r = run_cli("render", "xor_function_regression", "--out", tmp_path / where, "--seed", seed,
                    "--quick", "--formats", "mp4", "-q")
        assert r.returncode == 0, r.stderr
        folder = tmp_path / where / "xor_function_regression"
        return [(folder / f"xor_function_regression.{e}").read_bytes() for e in ("npz", "png")]
    a, b, c = render(3, "a"), render(3, "b"), render(4, "c")
    assert a == b
    assert a[0] != c[0] and a[1] != c[1]


# ----------------------------------------------------------------------------- verification

def test_render_check_passes_and_reports(tmp_path):
    r = run_cli("render", "linear_regression", "--out", tmp_path, *QUICK, "--check")
    assert r.returncode == 0, r.stderr
    r = run_cli("check", tmp_path / "linear_regression")
    assert r.returncode == 0, r.stderr
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["ok"] * 3


def test_render_check_keeps_nothing_when_a_video_is_bad(tmp_path, monkeypatch):
    from nnviz.encode import video
    finish = video.Encoder.finish

    def truncating_finish(self):
        finish(self)
        for path in self.outputs.values():
            if ".mp4." in path.name:
                data = path.read_bytes()
                path.write_bytes(data[: len(data) // 3])
    monkeypatch.setattr(video.Encoder, "finish", truncating_finish)
    with pytest.raises(CheckError, match=r"check failed: xor_two_classes\.mp4 (does not decode|decodes to)"):
        nnviz.render("xor_two_classes", out=tmp_path, size=(320, 240), steps=20, every=5, check=True)
    assert not (tmp_path / "xor_two_classes").exists()   # created by this render, removed again


def test_check_command_catches_damage(out):
    folder = out / "xor_two_classes"
    assert run_cli("check", folder, "-q").returncode == 0
    mp4 = folder / "xor_two_classes.mp4"
    mp4.write_bytes(mp4.read_bytes()[:20000])
    assert_one_line_error(run_cli("check", folder), 1, "xor_two_classes.mp4")
    assert_one_line_error(run_cli("check", mp4), 1, "truncated or damaged")
    assert_one_line_error(run_cli("check", out / "nothing"), 2, "does not exist")


def test_check_refuses_a_video_under_another_format_s_name(out):
    """The page announces each source's type by its name: a WebM named .mp4 would not play."""
    folder = out / "xor_two_classes"
    mp4, webm = folder / "xor_two_classes.mp4", folder / "xor_two_classes.webm"
    a, b = mp4.read_bytes(), webm.read_bytes()
    mp4.write_bytes(b), webm.write_bytes(a)
    assert_one_line_error(run_cli("check", folder), 1, "xor_two_classes.webm holds h264 video, "
                          "not the vp9 a .webm file must hold")
    assert_one_line_error(run_cli("check", mp4), 1, "holds vp9 video, not the h264")


# ----------------------------------------------------------------------------- several scenes at once

def start_group(args, out, tag, env=()):
    """A render in its own session, as from a terminal: signals go to its whole group."""
    env = dict(os.environ, NNVIZ_TEST_TAG=tag, **dict(env))
    return subprocess.Popen([sys.executable, "-m", "nnviz", "render", *map(str, args), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def tagged(tag):
    """Processes still running (nnviz, its workers, their ffmpeg) that carry `tag`."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if tag.encode() in environ.read_bytes() and alive(int(environ.parent.name)):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_jobs_print_one_line_and_leave_nothing(tmp_path, signum, code):
    """Ctrl-C or SIGTERM to the group while the workers train and draw: one line, no worker
    traceback, nothing in OUT and no private folder left."""
    scenes = ["linear_regression", "xor_two_classes"]
    tag = f"nnviz-test-{os.getpid()}-{signum}"
    staging = tmp_path / "tmp"   # the workers render there; OUT is only written at the end
    staging.mkdir()
    out = tmp_path / "out"
    proc = start_group([*scenes, "--jobs", "2", "--steps", "4000", "--every", "4",
                        "--size", "320x240"], out, tag, env={"TMPDIR": str(staging)})
    try:
        # a worker draws (both at once is a race: the faster scene may be done before the
        # slower one's training ends)
        wait_for(lambda: any(_videos(f) for f in staging.glob("*/out/*"))
                 or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read()
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == code, err
    assert err.strip().splitlines() == [
        f"Error: interrupted by {signal.Signals(signum).name}; nothing was left behind"], err
    wait_for(lambda: not tagged(tag), timeout=10)
    assert not out.exists() or tree(out) == {}
    assert list(staging.iterdir()) == []


def test_interrupt_stress_small_count():
    """The stress script at a small count (run it with --count 200 by hand)."""
    script = Path(__file__).parent.parent / "benchmarks" / "interrupt_stress.py"
    r = subprocess.run([sys.executable, str(script), "--count", "12"], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "12 of 12 stopped cleanly" in r.stdout, r.stdout


def test_a_render_stopped_after_one_scene_finished_changes_nothing(tmp_path, scene_file):
    """SIGTERM once one scene is done and the other still draws, over an earlier complete
    render of both: every earlier file, the gallery too, stays byte for byte (exit 143)."""
    quick = scene_file(TINY_SCENE.replace('"tiny"', '"quick_one"'), "quick_one.py")
    slow = scene_file(TINY_SCENE.replace('"tiny"', '"slow_one"')
                      .replace("steps = 8", "steps = 40000").replace("every = 2", "every = 8"),
                      "slow_one.py")
    out = tmp_path / "out"
    r = run_cli("render", quick, slow, "--out", out, "--steps", "40", "--every", "4",
                "--size", "160x120", "--formats", "mp4")
    assert r.returncode == 0, r.stderr
    before = tree(out)
    assert "index.html" in before and len(before) == 15, sorted(before)   # 2 x (4 files, 3 tracks)
    staging = tmp_path / "tmp"
    staging.mkdir()
    tag = f"nnviz-test-{os.getpid()}-after-one"
    proc = start_group([quick, slow, "--jobs", "2", "--size", "320x240", "--formats", "mp4"],
                       out, tag, env={"TMPDIR": str(staging)})
    try:   # the quick one's private folder is gone (its files are with the parent), the slow one draws
        wait_for(lambda: [f.name for f in staging.glob("*/out/*")] == ["slow_one"]
                 and _videos(next(staging.glob("*/out/slow_one"))) or proc.poll() is not None,
                 timeout=120)
        assert proc.poll() is None, proc.stderr.read()
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == ["Error: interrupted by SIGTERM; nothing was left behind"]
    assert tree(out) == before
    wait_for(lambda: not tagged(tag), timeout=10)
    assert list(staging.iterdir()) == []
