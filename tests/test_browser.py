"""A real browser plays what nnviz makes: headless Chromium against the rendered page.

The page is served from 127.0.0.1 by a server that honours HTTP Range requests (browsers
fetch and seek video by byte ranges; without them seeking fails silently) and records every
path it was asked for. In CI (CI=true) this test must run: a missing Chromium fails it.
"""
import functools
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from conftest import run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 20_000

if not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it",
                allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api") if os.environ.get("CI") != "true" \
    else __import__("playwright.sync_api").sync_api


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single byte ranges (206 Partial Content), logging each request."""

    requested: list

    def log_message(self, *args):
        pass

    def send_head(self):
        self.requested.append(self.path)
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first = int(match[1]) if match[1] else max(0, size - int(match[2]))
        last = min(int(match[2]), size - 1) if match[1] and match[2] else size - 1
        if first >= size:
            self.send_error(416)
            return None
        f = open(path, "rb")
        f.seek(first)
        self.range = last - first + 1
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(self.range))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return f

    def copyfile(self, source, outputfile):
        remaining = getattr(self, "range", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        while remaining > 0:
            chunk = source.read(min(1 << 16, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


def serve(folder, requested: list | None = None):
    """Serve `folder` on 127.0.0.1 with byte ranges, logging into `requested`: (server, URL)."""
    handler = type("Handler", (RangeHandler,), {"requested": [] if requested is None else requested})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def chromium(**options):
    """Debian's Chromium, headless with the flags this machine needs, in a fresh profile."""
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="nnviz-chromium-"), executable_path=CHROMIUM, args=FLAGS,
            headless=True, device_scale_factor=1, **options)
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A render served over HTTP: yields (base URL, folder, list of requested paths)."""
    out = tmp_path_factory.mktemp("site")
    r = run_cli("render", "xor_two_classes", "--out", out, "--size", "640x480", "--steps", "60",
                "--every", "3", "--hold", "1")
    assert r.returncode == 0, r.stderr
    folder = out / "xor_two_classes"
    (folder / "mp4_only.html").write_text(
        '<video controls width="640" height="480" poster="xor_two_classes.png">'
        '<source src="xor_two_classes.mp4" type=\'video/mp4; codecs="avc1.64001E"\'></video>')
    requested = []
    server, url = serve(folder, requested)
    yield url, folder, requested
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with chromium(viewport={"width": 800, "height": 600}) as context:
        yield context


PLAY = """async () => {
    const v = document.querySelector('video');
    v.muted = true;
    await v.play();
    await new Promise((done, fail) => {
        const t = setTimeout(() => fail(new Error('no progress: ' + v.currentTime)), %d);
        const check = () => v.currentTime > 0.5 ? (clearTimeout(t), done()) : setTimeout(check, 50);
        check();
    });
    return {src: v.currentSrc, time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
            duration: v.duration, error: v.error && v.error.code};
}""" % WAIT_MS

SEEK_END = """async () => {
    const v = document.querySelector('video');
    v.pause();
    v.controls = false;   // the control bar would cover the bottom of the frame
    await new Promise((done, fail) => {
        const t = setTimeout(() => fail(new Error('seek never finished')), %d);
        v.addEventListener('seeked', () => { clearTimeout(t); done(); }, {once: true});
        v.currentTime = v.duration;
    });
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    return v.currentTime;
}""" % WAIT_MS


def psnr(a, b):
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return 10 * np.log10(255 ** 2 / mse) if mse else np.inf


def test_page_plays_the_webm_and_never_fetches_the_ogv(site, browser):
    url, folder, requested = site
    requested.clear()
    page = browser.new_page()
    page.goto(f"{url}/xor_two_classes.html")
    state = page.evaluate(PLAY)
    assert state["src"].endswith("/xor_two_classes.webm") and state["error"] is None
    assert (state["width"], state["height"]) == (640, 480)
    assert state["duration"] == pytest.approx(21 / 25 + 1, abs=0.05)   # 21 snapshots + 1 s hold
    assert not any(p.endswith(".ogv") for p in requested), requested
    assert any(p.endswith(".webm") for p in requested)
    page.close()


@pytest.mark.parametrize("page_name, video", [("xor_two_classes.html", "webm"), ("mp4_only.html", "mp4")])
def test_seeking_to_the_end_shows_the_final_frame(site, browser, page_name, video):
    url, folder, _ = site
    page = browser.new_page()
    page.goto(f"{url}/{page_name}")
    state = page.evaluate(PLAY)
    assert state["src"].endswith(f".{video}") and state["error"] is None
    page.evaluate(SEEK_END)
    poster = iio.imread(folder / "xor_two_classes.png")
    box = page.locator("video").bounding_box()   # at a fractional offset below the heading:
    clip = {"x": round(box["x"]), "y": round(box["y"]),   # the element's own pixels
            "width": poster.shape[1], "height": poster.shape[0]}
    shot = iio.imread(page.screenshot(clip=clip, full_page=True), extension=".png")[..., :3]
    assert shot.shape == poster.shape
    assert psnr(shot, poster) > 25
    page.close()


def test_mp4_alone_plays(site, browser):
    url, _, requested = site
    page = browser.new_page()
    page.goto(f"{url}/mp4_only.html")
    state = page.evaluate(PLAY)
    assert state["src"].endswith("/xor_two_classes.mp4") and state["time"] > 0.5
    page.close()


@pytest.fixture(scope="module")
def gallery_site(tmp_path_factory):
    """OUT/index.html of two scenes rendered by one command, served like `site`:
    yields (base URL, OUT)."""
    out = tmp_path_factory.mktemp("gallery")
    r = run_cli("render", "xor_two_classes", "linear_regression", "--out", out,
                "--size", "320x240", "--quick")
    assert r.returncode == 0, r.stderr
    server, url = serve(out)
    yield url, out
    server.shutdown()


PLAY_ALL = """async () => Promise.all([...document.querySelectorAll('video')].map(v =>
    new Promise((done, fail) => {
        const t = setTimeout(() => fail(new Error(
            `${v.currentSrc} not ended: ${v.currentTime} of ${v.duration}`)), %d);
        v.addEventListener('ended', () => { clearTimeout(t); done({
            src: v.currentSrc, time: v.currentTime, duration: v.duration, ended: v.ended,
            width: v.videoWidth, error: v.error && v.error.code}); }, {once: true});
        v.muted = true;
        v.play().catch(fail);
    })))""" % WAIT_MS

METADATA = """async () => Promise.all([...document.querySelectorAll('video')].map(v =>
    new Promise((done, fail) => {
        const t = setTimeout(() => fail(new Error(`${v.currentSrc} never loaded`)), %d);
        const check = () => v.readyState >= 1
            ? (clearTimeout(t), done({src: v.currentSrc, ready: v.readyState, width: v.videoWidth}))
            : setTimeout(check, 50);
        check();
    })))""" % WAIT_MS


@pytest.mark.parametrize("served", [True, False], ids=["served", "file"])
def test_gallery_plays_every_video_to_its_last_frame(gallery_site, browser, served):
    url, out = gallery_site
    page = browser.new_page()
    page.goto(f"{url}/index.html" if served else (out / "index.html").as_uri())
    loaded = page.evaluate(METADATA)
    assert [s["src"].rsplit("/", 1)[-1] for s in loaded] == \
        ["linear_regression.webm", "xor_two_classes.webm"]
    assert all(s["ready"] >= 1 and s["width"] == 320 for s in loaded), loaded
    ended = page.evaluate(PLAY_ALL)
    assert len(ended) == 2
    for state in ended:
        assert state["ended"] and state["error"] is None, state
        assert state["time"] == pytest.approx(state["duration"]), state
    page.close()


# Seeking first. A clip long enough for three VP9 keyframes (libvpx: every 128 frames, 5.12 s
# at 25 fps) and for more than one 5 s cluster, the case browsers failed on (see video.py):
# 251 snapshots + 1 s hold = 276 frames, 11.04 s, at 320x240.
LONG = ["--size", "320x240", "--steps", "250", "--every", "1", "--hold", "1"]
FPS, FRAMES = 25, 276


@pytest.fixture(scope="module")
def long_site(tmp_path_factory):
    """Two scenes rendered by one command (webm, ogv, mp4 and OUT/index.html) and, for each
    other format the browser plays, xor_two_classes re-rendered from its log with that format
    alone, so its NAME.html as shipped plays it. Yields (base URL, root, {format: page path})."""
    root = tmp_path_factory.mktemp("long")
    r = run_cli("render", "xor_two_classes", "linear_regression", "--out", root / "all", *LONG)
    assert r.returncode == 0, r.stderr
    assert (root / "all" / "index.html").is_file()
    server, url = serve(root)
    yield url, root
    server.shutdown()


def keyframes(path):
    from nnviz.encode.webm import layout
    return [t / 1000 for c in layout(path).clusters for t, key in c.blocks if key]


def decoded_frame(path, index):
    from nnviz.encode.video import ffmpeg_exe
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf",
                          f"select=eq(n\\,{index})", "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(240, 320, 3)


SEEK_FIRST = """async ([times, index]) => {
    const v = document.querySelectorAll('video')[index];
    const errors = [];
    v.addEventListener('error', () => errors.push(v.error.code + ' ' + v.error.message));
    v.muted = true;
    if (v.readyState < 1)   // preload="metadata": the duration is known once that has loaded
        await new Promise(done => v.addEventListener('loadedmetadata', done, {once: true}));
    const fail = (why) => ({why, errors, time: v.currentTime});
    // seeks one after another, a macrotask apart, as a drag of the scrubber makes them
    const seeked = new Promise(done => v.addEventListener('seeked', done, {once: true}));
    for (const t of times) {
        v.currentTime = t === 'end' ? v.duration : t;
        await new Promise(done => setTimeout(done, 0));
    }
    const late = await Promise.race([seeked.then(() => v.seeking
            ? new Promise(done => v.addEventListener('seeked', done, {once: true})) : null),
        new Promise(done => setTimeout(() => done('timeout'), %d))]);
    await new Promise(done => setTimeout(done, 100));   // a decode error comes after 'seeked'
    if (late === 'timeout' || errors.length || v.error) return fail('seek');
    const time = v.currentTime;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth; canvas.height = v.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(v, 0, 0);
    const pixels = Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
    v.playbackRate = 4;
    const end = await new Promise(done => {
        const t = setTimeout(() => done('timeout'), %d);
        v.addEventListener('ended', () => { clearTimeout(t); done('ended'); }, {once: true});
        v.addEventListener('error', () => { clearTimeout(t); done('error'); }, {once: true});
        v.play().catch(e => { clearTimeout(t); done('' + e); });
    });
    return {why: end === 'ended' && !errors.length ? null : end, errors, time, pixels,
            width: canvas.width, src: v.currentSrc, ended: v.ended, at: v.currentTime,
            duration: v.duration};
}""" % (WAIT_MS, WAIT_MS)

CAN_PLAY = "types => types.map(t => document.createElement('video').canPlayType(t))"


def seek_cases(webm):
    """The seek points: past the second keyframe, the middle of the last keyframe interval,
    the exact duration, and a drag across the clip ending past the second keyframe."""
    keys = keyframes(webm)
    assert len(keys) >= 3 and keys[1] < 5.2, keys     # more than one 5 s cluster
    duration = FRAMES / FPS
    return {"past-second-key": [keys[1] + 1.5], "last-interval": [(keys[-1] + duration) / 2],
            "end": ["end"], "drag": [1, 3, keys[1] + 0.2, 7, 8, 9, keys[-1] + 0.3, 10.9]}


def check_seek_first(page, times, index, path, played):
    state = page.evaluate(SEEK_FIRST, [times, index])
    assert state["why"] is None and not state["errors"], (path.name, times, state["why"],
                                                           state["errors"], state["time"])
    assert state["src"].endswith(path.name) and state["ended"]
    assert state["at"] == pytest.approx(FRAMES / FPS, abs=0.05)
    frame = np.array(state["pixels"], np.uint8).reshape(-1, state["width"], 4)[..., :3]
    assert frame.std() > 20 and len(np.unique(frame.reshape(-1, 3), axis=0)) > 50   # not blank
    # the very frame nnviz encoded at that time (ffmpeg decodes the same file)
    index_at = min(FRAMES - 1, int(state["time"] * FPS + 1e-6))
    assert psnr(frame, decoded_frame(path, index_at)) > 30, (path.name, times, state["time"])
    played.append(path.suffix)


@pytest.fixture(scope="module")
def shipped_pages(long_site, browser):
    """{format: NAME.html as nnviz ships it playing that format}, for each format Chromium
    plays: the default render plays the WebM; the others are rendered alone from its log."""
    from nnviz.encode.formats import DEFAULT_FORMATS, FORMATS
    url, root = long_site
    folder = root / "all" / "xor_two_classes"
    page = browser.new_page()
    page.goto(f"{url}/all/xor_two_classes/xor_two_classes.html")
    types = [FORMATS[f].type_attribute(folder / f"xor_two_classes.{f}") for f in DEFAULT_FORMATS]
    playable = [f for f, answer in zip(DEFAULT_FORMATS, page.evaluate(CAN_PLAY, types)) if answer]
    page.close()
    assert playable[0] == "webm" and "mp4" in playable, playable
    pages = {"webm": "all/xor_two_classes/xor_two_classes.html"}
    for fmt in playable[1:]:
        r = run_cli("render", "--from", folder / "xor_two_classes.npz", "--formats", fmt,
                    "--out", root / fmt, "--size", "320x240", "-q")
        assert r.returncode == 0, r.stderr
        pages[fmt] = f"{fmt}/xor_two_classes/xor_two_classes.html"
    return pages


@pytest.mark.parametrize("case", ["past-second-key", "last-interval", "end", "drag"])
def test_every_video_seeks_first_then_plays_to_the_end(long_site, browser, shipped_pages, case):
    url, root = long_site
    played = []
    for fmt, page_path in shipped_pages.items():
        path = (root / page_path).with_suffix(f".{fmt}")
        times = seek_cases(root / "all" / "xor_two_classes" / "xor_two_classes.webm")[case]
        page = browser.new_page()
        page.goto(f"{url}/{page_path}")
        check_seek_first(page, times, 0, path, played)
        page.close()
    assert played[:2] == [".webm", ".mp4"], played


@pytest.mark.parametrize("case", ["last-interval", "drag"])
def test_gallery_videos_seek_first_then_play_to_the_end(long_site, browser, case):
    url, root = long_site
    played = []
    for index, name in enumerate(["linear_regression", "xor_two_classes"]):
        path = root / "all" / name / f"{name}.webm"
        page = browser.new_page()
        page.goto(f"{url}/all/index.html")
        check_seek_first(page, seek_cases(path)[case], index, path, played)
        page.close()
    assert played == [".webm", ".webm"]
