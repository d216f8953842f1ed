"""NAME.html and OUT/index.html are accessible pages (axe-core in real Chromium, at desktop and
phone widths), and Chromium loads the three tracks of a render with all their cues."""

import pytest
import webvtt

from conftest import run_cli
from test_browser import WAIT_MS, chromium, serve

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("a11y")
    r = run_cli("render", "xor_two_classes", "linear_regression", "--out", out, "--quick",
                "--formats", "webm,mp4,gif")
    assert r.returncode == 0, r.stderr
    r = run_cli("render", "artificial_neuron", "--theme", "dark", "--out", out, "--quick",
                "--formats", "webm")
    assert r.returncode == 0, r.stderr
    server, url = serve(out)
    yield url, out
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("path", ["xor_two_classes/xor_two_classes.html", "index.html",
                                  "artificial_neuron/artificial_neuron.html"])
def test_pages_have_no_accessibility_violation(served, browser, path, width):
    url, _ = served
    page = browser.new_page()
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(f"{url}/{path}")
    page.wait_for_load_state("load")
    results = axe_playwright.Axe().run(
        page, options={"resultTypes": ["violations", "incomplete"]}).response
    assert results["violations"] == [], [(v["id"], v["nodes"][0]["html"])
                                         for v in results["violations"]]
    critical = [r["id"] for r in results["incomplete"] if r.get("impact") == "critical"]
    assert critical == [], critical
    page.close()


TRACKS = """async () => {
    const v = document.querySelector('video');
    const tracks = [...v.textTracks];
    tracks.forEach(t => { if (t.mode === 'disabled') t.mode = 'hidden'; });   // load every cue
    const deadline = Date.now() + %d;
    while (tracks.some(t => !t.cues || t.cues.length === 0) && Date.now() < deadline)
        await new Promise(done => setTimeout(done, 50));
    const srcs = [...v.querySelectorAll('track')].map(e => e.getAttribute('src'));
    return tracks.map((t, i) => ({src: srcs[i], kind: t.kind, language: t.language, label: t.label, mode: t.mode,
                             count: t.cues ? t.cues.length : 0,
                             first: t.cues && t.cues.length ? t.cues[0].text : null,
                             firstEnd: t.cues && t.cues.length ? t.cues[0].endTime : null}));
}""" % WAIT_MS


@pytest.mark.parametrize("path", ["xor_two_classes/xor_two_classes.html", "index.html"])
def test_chromium_loads_the_three_tracks(served, browser, path):
    url, out = served
    page = browser.new_page()
    page.goto(f"{url}/{path}")
    tracks = page.evaluate(TRACKS)
    assert [t["kind"] for t in tracks] == ["chapters", "descriptions", "captions"]
    assert all(t["language"] == "en" and t["label"] for t in tracks)
    assert tracks[2]["mode"] == "hidden"   # loaded, not drawn over the frame until turned on
    folder = out / path.rpartition("/")[0]
    for t in tracks:
        assert t["src"].endswith(f".{t['kind']}.vtt")
        cues = webvtt.read(folder / t["src"]).captions
        assert t["count"] == len(cues) > 0
        assert t["first"] == cues[0].text
    page.close()


def test_a_dark_render_has_a_dark_page(served, browser):
    url, _ = served
    page = browser.new_page()
    colours = {}
    for name in ("artificial_neuron", "xor_two_classes"):
        page.goto(f"{url}/{name}/{name}.html")
        colours[name] = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colours == {"artificial_neuron": "rgb(13, 17, 23)",
                       "xor_two_classes": "rgb(255, 255, 255)"}
    page.close()


def test_a_chapter_button_seeks_the_video(served, browser):
    """Clicking a chapter in the transcript plays the video from that chapter's start."""
    url, out = served
    page = browser.new_page()
    page.goto(f"{url}/xor_two_classes/xor_two_classes.html")
    buttons = page.locator("ol.chapters button.seek")
    cues = webvtt.read(out / "xor_two_classes" / "xor_two_classes.chapters.vtt").captions
    assert buttons.count() == len(cues) >= 3
    for k in (2, 1):
        start = float(buttons.nth(k).get_attribute("data-seek"))
        h, m, sec = cues[k].start.split(":")
        assert start == pytest.approx(int(h) * 3600 + int(m) * 60 + float(sec), abs=0.0005)
        buttons.nth(k).click()
        page.wait_for_function("""t => { const v = document.querySelector('video');
            return !v.seeking && Math.abs(v.currentTime - t) < 0.3; }""", arg=start,
                               timeout=WAIT_MS)
        assert page.evaluate("document.querySelector('video').currentTime") >= start - 0.05
    page.close()


@pytest.fixture(scope="module")
def dark_gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("dark-gallery")
    r = run_cli("render", "xor_two_classes", "gradient_descent", "--theme", "dark", "--out", out,
                "--quick", "--formats", "webm")
    assert r.returncode == 0, r.stderr
    server, url = serve(out)
    yield url
    server.shutdown()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_gallery_of_dark_renders_is_a_dark_accessible_page(dark_gallery, served, browser,
                                                             width):
    """Every render dark: a dark index.html, axe-clean; a mixed gallery stays light."""
    page = browser.new_page()
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    page.goto(f"{served[0]}/index.html")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(246, 248, 250)"
    page.goto(f"{dark_gallery}/index.html")
    page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    results = axe_playwright.Axe().run(
        page, options={"resultTypes": ["violations", "incomplete"]}).response
    assert results["violations"] == [], [(v["id"], v["nodes"][0]["html"])
                                         for v in results["violations"]]
    assert [r["id"] for r in results["incomplete"] if r.get("impact") == "critical"] == []
    page.close()
