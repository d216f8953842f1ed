"""Rendering and encoding end to end: decode what was encoded and compare with what was drawn."""
import html.parser
import re
import subprocess
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

import nnviz
from nnviz.encode.check import probe
from nnviz.draw.frames import FrameRenderer
from nnviz.log.snapshots import load
from nnviz.encode.formats import mp4_codecs
from nnviz.encode.video import ffmpeg_exe

from conftest import WORDS, assert_one_line_error, run_cli, tree

SCENES = ["linear_regression", "xor_function_regression", "non_linear_regression_tanh",
          "non_linear_regression_leaky_relu", "xor_two_classes"]
SIZE, FPS, HOLD = (320, 240), 10, 0.4
STEPS, EVERY = 40, 5        # 9 snapshots
FRAMES = 9 + 4              # snapshots + hold frames
CODECS = {"webm": "vp9", "ogv": "theora", "mp4": "h264"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return {name: nnviz.render(name, out=out, size=SIZE, fps=FPS, hold=HOLD, steps=STEPS,
                               every=EVERY) for name in SCENES}


def psnr(a, b):
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return 10 * np.log10(255 ** 2 / mse) if mse else np.inf


def ffmpeg_info(path):
    """ffmpeg's own description of the file's streams (stderr of `ffmpeg -i`)."""
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True).stderr


@pytest.mark.parametrize("fmt", ["webm", "ogv", "mp4"])
@pytest.mark.parametrize("name", SCENES)
def test_every_scene_and_format_decodes_as_expected(rendered, name, fmt):
    path = rendered[name].files[fmt]
    meta = probe(path)
    assert meta["codec"].startswith(CODECS[fmt]) and meta["pix_fmt"].startswith("yuv420p")
    assert tuple(meta["size"]) == SIZE
    assert meta["duration"] == pytest.approx(FRAMES / FPS, abs=0.011)
    if fmt == "ogv":   # Theora codes a repeated (held) frame as an empty packet
        assert FRAMES - 4 <= meta["frames"] <= FRAMES
    else:
        assert meta["frames"] == FRAMES
    info = ffmpeg_info(path)
    assert "Audio:" not in info and f"{FPS} tbr" in info


@pytest.mark.parametrize("name", SCENES)
def test_poster_is_the_exact_last_frame(rendered, name):
    result = rendered[name]
    poster = iio.imread(result.files["png"])
    renderer = FrameRenderer(load(result.files["npz"]), SIZE)
    for frame in renderer.frames():
        pass
    assert np.array_equal(poster, np.asarray(frame)[..., :3])
    for fmt in ("webm", "ogv", "mp4"):
        last = list(_frames(result.files[fmt]))[-1]
        assert psnr(last, poster) > 30, fmt


def _frames(path):
    import imageio_ffmpeg
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    for raw in reader:
        yield np.frombuffer(raw, np.uint8).reshape(h, w, 3)


def test_frames_change_over_training(rendered):
    frames = list(_frames(rendered["xor_two_classes"].files["mp4"]))
    assert psnr(frames[0], frames[8]) < 25          # the picture really evolves
    assert psnr(frames[-1], frames[-2]) > 30        # held frames stay put (up to coding noise)


class _Sources(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.video, self.sources = None, []

    def handle_starttag(self, tag, attrs):
        if tag == "video":
            self.video = dict(attrs)
        if tag == "source":
            self.sources.append(dict(attrs))


def test_html_block_references_existing_files_with_codecs(rendered):
    result = rendered["xor_two_classes"]
    page = _Sources()
    page.feed(result.files["html"].read_text())
    assert "controls" in page.video and page.video["poster"] == "xor_two_classes.png"
    assert (result.folder / page.video["poster"]).is_file()
    assert [s["src"] for s in page.sources] == [f"xor_two_classes.{e}" for e in ("webm", "ogv", "mp4")]
    for s in page.sources:
        assert (result.folder / s["src"]).is_file()
    types = [s["type"] for s in page.sources]
    assert types[:2] == ['video/webm; codecs="vp9"', 'video/ogg; codecs="theora"']
    assert re.fullmatch(r'video/mp4; codecs="avc1\.[0-9A-F]{6}"', types[2])
    assert types[2] == f'video/mp4; codecs="{mp4_codecs(result.files["mp4"])}"'
    profile = int(types[2][-7:-5], 16)
    assert profile in (66, 77, 100)          # baseline, main or high: what browsers play


def test_outputs_are_exactly_the_promised_files(rendered):
    result = rendered["linear_regression"]
    names = sorted(p.name for p in result.folder.iterdir() if not p.name.startswith("."))
    assert names == sorted(f"linear_regression.{e}" for e in ("webm", "ogv", "mp4", "png", "npz", "html", *WORDS))
    assert list(result.folder.glob(".*.tmp")) == []


def test_from_rerenders_at_another_size_without_training(rendered, tmp_path):
    log = rendered["xor_function_regression"].files["npz"]
    before = log.read_bytes()
    r = run_cli("render", "--from", log, "--out", tmp_path, "--size", "400x300", "--fps", "5",
                "--formats", "mp4", "--hold", "0", "-q")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr
    folder = tmp_path / "xor_function_regression"
    meta = probe(folder / "xor_function_regression.mp4")
    assert tuple(meta["size"]) == (400, 300) and meta["frames"] == 9
    assert (folder / "xor_function_regression.npz").read_bytes() == before == log.read_bytes()
    assert not (folder / "xor_function_regression.webm").exists()


def test_cli_render_prints_one_line_per_file(tmp_path):
    r = run_cli("render", "linear_regression", "--out", tmp_path, "--quick", "--formats", "webm")
    assert r.returncode == 0, r.stderr
    *lines, done = r.stdout.splitlines()
    assert done.startswith("done in ")
    assert [line.split()[0] for line in lines] == [
        str(tmp_path / "linear_regression" / f"linear_regression.{e}") for e in ("webm", "png", "npz", *WORDS, "html")]
    assert all(re.search(r"\d+(\.\d)? (B|kB|MB)$", line) for line in lines)
    assert probe(tmp_path / "linear_regression" / "linear_regression.webm")["size"] == (320, 240)


def test_python_api_result(rendered):
    result = rendered["xor_two_classes"]
    assert set(result.files) == {"webm", "ogv", "mp4", "png", "npz", "html", "chapters",
                                 "descriptions", "captions"}
    assert result.frames == FRAMES and "xor_two_classes.mp4" in repr(result)
    # a notebook shows the poster at once and references the video file instead of embedding it
    shown = result._repr_html_()
    assert shown.startswith('<video controls loop style="max-width:100%" poster="data:image/png;base64,')
    assert "data:video" not in shown and len(shown) < 2 * result.files["png"].stat().st_size
    src = re.search(r' src="([^"]+)"', shown).group(1)
    assert (Path.cwd() / src).resolve() == result.files["mp4"].resolve()
    embedded = result.html(embed=True)
    assert ' src="data:video/mp4;base64,' in embedded and 'poster="data:image/png' in embedded
    assert result.show(embed=True)._repr_html_() == embedded     # outside a notebook


def test_render_several_names_in_parallel(tmp_path):
    r = run_cli("render", "linear_regression", "xor_two_classes", "--out", tmp_path, "--quick",
                "--formats", "mp4", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    from nnviz.learn.training import schedule
    for name in ("linear_regression", "xor_two_classes"):
        steps = nnviz.resolve(name).steps
        snapshots = len(schedule(steps, -(-steps // 24)))     # --quick: about 24 snapshots
        assert 24 <= snapshots <= 26
        assert probe(tmp_path / name / f"{name}.mp4")["frames"] == snapshots + 12   # + 0.5 s


@pytest.mark.parametrize("args, fragment", [
    (["xor_two_classes", "--formats", "webm,avi"], "unknown format 'avi'; choose from webm, ogv, mp4"),
    (["xor_two_classes", "--size", "big"], "'big' is not WIDTHxHEIGHT (e.g. 1280x720)"),
    (["xor_two_classes", "--size", "641x480"], "width and height must be even"),
    (["xor_two_classes", "--size", "100x80"], "too small; the smallest is 160x120"),
    (["xor_two_classes", "--size", "0x0"], "too small"),
    (["xor_two_classes", "--size", "-640x480"], "is not WIDTHxHEIGHT"),
    (["xor_two_classes", "--size", "8000x4320"], "too large; the largest is 7680x4320"),
    (["xor_two_classes", "--fps", "0"], "Invalid value for '--fps': 0.0 is not in the range 0.001<=x<=240"),
    (["xor_two_classes", "--fps", "fast"], "'fast' is not a valid float"),
    (["xor_two_classes", "--hold", "-1"], "Invalid value for '--hold'"),
    (["--from", "missing.npz"], "snapshot log missing.npz does not exist"),
    (["xor_two_classes", "--from", "x.npz"], "give either a scene name or --from LOG.npz, not both"),
    ([], "give a scene name, --all or --from LOG.npz"),
])
def test_bad_render_input(tmp_path, args, fragment):
    out = tmp_path / "out"
    r = run_cli("render", *args, "--out", out, cwd=tmp_path)
    code = 1 if fragment.startswith("snapshot log") else 2
    assert_one_line_error(r, code, fragment)
    assert not out.exists()


def test_corrupted_from_log_keeps_folder_untouched(tmp_path, rendered):
    folder = tmp_path / "out" / "xor_two_classes"
    folder.mkdir(parents=True)
    bad = folder / "xor_two_classes.npz"
    bad.write_bytes(rendered["xor_two_classes"].files["npz"].read_bytes()[:5000])
    before = tree(tmp_path / "out")
    r = run_cli("render", "--from", bad, "--out", tmp_path / "out")
    assert_one_line_error(r, 1, "xor_two_classes.npz")
    assert tree(tmp_path / "out") == before


def test_progress_only_on_a_terminal(tmp_path):
    """A terminal on stderr gets one progress bar through every phase; a pipe gets none."""
    import os
    import pty
    import sys
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "nnviz", "render", "xor_two_classes", "--quick",
                             "--formats", "mp4", "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=secondary, text=True)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=120)
    os.close(primary)
    assert proc.returncode == 0
    text = seen.decode(errors="replace")
    lines = [line for line in text.split("\r") if "[" in line]
    phases = [line.split()[0] for line in lines]
    assert {"training", "drawing", "encoding"} <= set(phases), phases
    assert len({line.index("[") for line in lines}) == 1, lines   # nothing shifts between phases
    assert "xor_two_classes" in lines[0] and text.endswith("\r")    # the bar is erased at the end
    piped = run_cli("render", "xor_two_classes", "--quick", "--formats", "mp4", "--out", tmp_path)
    assert piped.returncode == 0 and piped.stderr == ""
