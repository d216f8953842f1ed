"""--theme light|dark and --title: the dark theme reaches every panel, light is what nnviz always
drew, both are recorded in the log and honoured by --from, bad values are one-line errors."""
import html
import json

import imageio.v3 as iio
import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pytest

import nnviz
import nnviz.log.record
from nnviz import api
from nnviz.draw import theme
from nnviz.errors import UsageError
from nnviz.draw.frames import FrameRenderer, _rc, style_for
from nnviz.draw.panels.artists import ColourGrid
from nnviz.draw.runframes import RunsRenderer
from nnviz.learn.scene import builtin_scenes
from nnviz.learn.scene_checks import instantiate
from nnviz.log.snapshots import load
from nnviz.draw.theme import DARK, LIGHT

from conftest import assert_one_line_error, run_cli

FAST = ("--quick", "--formats", "webm", "--size", "320x240")
DARK_RGB = np.round(np.array(mcolors.to_rgb(DARK.background)) * 255)
# scene -> panels: together every panel of nnviz.draw.panels
SCENES = {"xor_two_classes": ["boundary", "network", "accuracy"],
          "xor_function_regression": ["heatmap", "landscape", "loss"],
          "linear_regression": ["fit", "loss"],
          "artificial_neuron": ["neuron", "loss"]}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("theme-logs")
    made = {}
    for name in SCENES:
        path = folder / f"{name}.npz"
        nnviz.log.record.train(instantiate(builtin_scenes()[name]), path, steps=12, every=4,
                             landscape=True)
        made[name] = load(path)
    return made


@pytest.fixture(scope="module")
def dark_render(tmp_path_factory):
    out = tmp_path_factory.mktemp("dark")
    r = run_cli("render", "xor_two_classes", "--theme", "dark", "--title", "XOR in 4 neurons",
                "--out", out, *FAST)
    assert r.returncode == 0, r.stderr
    return out / "xor_two_classes"


def last_frame(renderer) -> np.ndarray:
    for frame in renderer.frames():
        pass
    return np.array(frame)[..., :3]


def whitish(pixels: np.ndarray) -> float:
    """The share of pixels that are (nearly) white: a light theme's background."""
    return float(np.mean(pixels.min(axis=-1) > 245))


def crop(frame: np.ndarray, ax) -> np.ndarray:
    box = ax.bbox
    h = frame.shape[0]
    return frame[int(h - box.y1) + 1:int(h - box.y0) - 1, int(box.x0) + 1:int(box.x1) - 1]


def assert_palette(panel) -> None:
    """The panel's own colours are the dark theme's (a panel that kept a constant fails)."""
    berlin = ColourGrid(DARK.diverging).lut
    if hasattr(panel, "image"):   # the planes: outputs on the diverging map
        assert (panel.image.colour.lut == berlin).all() and panel.colors.cmap.name == "berlin"
    if panel.name == "boundary":
        assert mcolors.same_color(panel.edge.get_colors()[0], DARK.ink)
        assert mcolors.same_color(panel.wrong.get_edgecolors()[0], DARK.wrong)
    if panel.name == "fit":
        assert mcolors.same_color(panel.curve.get_color(), DARK.ink)
    if panel.name in ("network", "neuron"):
        assert panel.cmap.name == "berlin"
    if panel.name == "network":
        assert (panel.maps.colour.lut == berlin).all()
        assert np.allclose(panel.nodes.rim, np.array(mcolors.to_rgb(DARK.ink)) * 255)
        assert panel.key.get_color() == DARK.note
    if panel.name == "neuron":
        texts = [t for t in panel.ax.texts if t.get_bbox_patch() is not None]
        assert texts and all(mcolors.same_color(t.get_bbox_patch().get_facecolor(),
                                                DARK.node_face) for t in texts)
        assert mcolors.same_color(panel.equation.get_color(), DARK.ink)
    if panel.name in ("loss", "accuracy"):
        colours = [line.get_color() for _, line, _ in panel.lines]
        assert colours == [DARK.train, DARK.val]
    if panel.name == "landscape":
        assert panel.ax.images[0].get_cmap().name == DARK.sequential


# ----------------------------------------------------------------------------- light

def test_light_is_the_palette_nnviz_always_drew_with():
    """The constants the panels used before themes (copied here from the code they replaced)."""
    assert (LIGHT.train, LIGHT.val, LIGHT.ink, LIGHT.edge, LIGHT.diverging, LIGHT.wrong,
            LIGHT.neutral, LIGHT.sequential) == ("#2a6fb0", "#e8862a", "#1b1b1b", "#1b1b1b",
                                                 "coolwarm", "#ffd400", "#bdbdbd", "viridis")
    assert (LIGHT.note, LIGHT.connector, LIGHT.node_face, LIGHT.input_node, LIGHT.tile_data) == (
        "#444444", "#555555", "#f2f2f2", (0.93, 0.93, 0.93, 1.0), ("#9a9a9a", "#c8c8c8"))
    # its rc parameters are matplotlib's defaults but for the white figure nnviz always set
    rc = _rc(style_for((1280, 720)))
    for key, value in LIGHT.rc().items():
        expected = "white" if key in ("figure.facecolor", "savefig.facecolor") else \
            matplotlib.rcParamsDefault[key]
        assert rc[key] == value and mcolors.same_color(value, expected), key
    assert LIGHT.run_colours(["#5790fc", "#964a8b"]) == ["#5790fc", "#964a8b"]
    assert style_for((640, 480))["theme"] is LIGHT and theme.DEFAULT == "light"


def test_light_is_the_default_and_a_log_without_a_theme_is_light(logs, tmp_path):
    log = logs["xor_two_classes"]
    assert log.meta["theme"] == "light"
    frames = [bytes(f) for f in FrameRenderer(log, (320, 240)).frames()]
    assert [bytes(f) for f in FrameRenderer(log, (320, 240), theme="light").frames()] == frames
    old = load(log.path)
    old.meta = {k: v for k, v in log.meta.items() if k != "theme"}   # a log from before themes
    assert [bytes(f) for f in FrameRenderer(old, (320, 240)).frames()] == frames


# ----------------------------------------------------------------------------- dark

@pytest.mark.parametrize("scene", SCENES)
@pytest.mark.parametrize("size", [(1280, 720), (640, 480)])
def test_every_panel_is_dark(logs, scene, size):
    renderer = FrameRenderer(logs[scene], size, SCENES[scene], theme="dark")
    frame = last_frame(renderer)
    assert whitish(frame) < 0.003, whitish(frame)
    for ax in renderer.figure.axes:   # panels, colour bars
        assert mcolors.same_color(ax.get_facecolor(), DARK.background)
    for panel in renderer.panels:
        # the landscape's path and contours are white in every theme: they lie on its surface
        most = 0.03 if panel.name == "landscape" else 0.005
        assert whitish(crop(frame, panel.ax)) < most, (panel.name, whitish(crop(frame, panel.ax)))
        legend = panel.ax.get_legend()
        if legend is not None:
            assert mcolors.same_color(legend.get_frame().get_facecolor()[:3], DARK.background)
        assert_palette(panel)
    light = last_frame(FrameRenderer(logs[scene], size, SCENES[scene]))
    assert whitish(light) > 0.3   # the check can fail: light frames are mostly white
    # the background and the header's text: the dark colour and the light foreground
    assert (frame[2, 2] == DARK_RGB).all()
    assert mcolors.same_color(renderer.figure.texts[0].get_color(), DARK.foreground)
    renderer.close()


def test_runs_are_dark_with_readable_colours(logs, tmp_path):
    out = tmp_path / "out"
    result = api.compare("xor_two_classes", lr=[0.01, 0.03], steps=6, every=3, out=out,
                         size=(320, 240), formats=["webm"], hold=0, panels="boundary,landscape,loss",
                         theme="dark", jobs=1)
    runs = [load(p) for p in sorted((result.folder / "runs").glob("*.npz"))]
    assert {log.meta["theme"] for log in runs} == {"dark"}
    renderer = RunsRenderer(runs, (640, 480))
    frame = last_frame(renderer)
    assert whitish(frame) < 0.003 and (frame[2, 2] == DARK_RGB).all()
    for ax in renderer.figure.axes:
        assert mcolors.same_color(ax.get_facecolor(), DARK.background)
    assert all(theme.contrast(c, DARK.background) >= 4.5 for c in renderer.colours)
    poster = iio.imread(result.files["png"])
    assert (poster[2, 2] == DARK_RGB).all()


def test_dark_palette_reads_on_its_background_and_stays_diverging():
    for colour in (DARK.foreground, DARK.note, DARK.train, DARK.val, DARK.ink, DARK.wrong):
        assert theme.contrast(colour, DARK.background) >= 4.5, colour
    cmap = matplotlib.colormaps[DARK.diverging]
    lo, mid, hi = (np.array(cmap(v)[:3]) for v in (0.0, 0.5, 1.0))
    assert theme.contrast(mid, DARK.background) < 1.5   # zero sinks into the background
    assert min(theme.contrast(lo, mid), theme.contrast(hi, mid)) > 7   # large values stand out
    assert lo[2] > lo[0] and hi[0] > hi[2]   # blue for negative, red for positive
    runs = DARK.run_colours([mcolors.to_hex(c) for c in matplotlib.color_sequences["petroff10"]])
    assert all(theme.contrast(c, DARK.background) >= 4.5 for c in runs)
    assert len(set(runs)) == 10


def test_same_options_same_frames(logs):
    a = [bytes(f) for f in FrameRenderer(logs["xor_two_classes"], (320, 240), theme="dark").frames()]
    b = [bytes(f) for f in FrameRenderer(logs["xor_two_classes"], (320, 240), theme="dark").frames()]
    assert a == b


# ----------------------------------------------------------------------------- title, meta, --from

def test_theme_and_title_are_in_the_log_the_header_and_the_page(dark_render):
    log = load(dark_render / "xor_two_classes.npz")
    assert (log.meta["theme"], log.meta["title"]) == ("dark", "XOR in 4 neurons")
    renderer = FrameRenderer(log, (320, 240))
    assert renderer.figure.texts[0].get_text() == "XOR in 4 neurons"
    page = (dark_render / "xor_two_classes.html").read_text()
    assert f"<title>{html.escape('XOR in 4 neurons')}</title>" in page
    poster = iio.imread(dark_render / "xor_two_classes.png")
    colours, counts = np.unique(poster.reshape(-1, 3), axis=0, return_counts=True)
    assert (colours[counts.argmax()] == DARK_RGB).all()   # the most common colour: the background


def test_from_draws_the_log_as_it_was_made_unless_told(dark_render, tmp_path):
    r = run_cli("render", "--from", dark_render / "xor_two_classes.npz", "--out", tmp_path / "a",
                *FAST)
    assert r.returncode == 0, r.stderr
    again = tmp_path / "a" / "xor_two_classes"
    assert (again / "xor_two_classes.png").read_bytes() == \
        (dark_render / "xor_two_classes.png").read_bytes()
    r = run_cli("render", "--from", dark_render / "xor_two_classes.npz", "--out", tmp_path / "b",
                "--theme", "light", "--title", "Plain", *FAST)
    assert r.returncode == 0, r.stderr
    light = tmp_path / "b" / "xor_two_classes"
    assert (iio.imread(light / "xor_two_classes.png")[2, 2] == 255).all()
    assert "<title>Plain</title>" in (light / "xor_two_classes.html").read_text()


def test_api_title_and_theme_through_jobs(tmp_path):
    """render_many hands them to each job (the same Job a Dask worker runs)."""
    results = api.render_many([{"scene": "xor_two_classes", "title": "Slide 3"}], theme="dark",
                              out=tmp_path, quick=True, formats=["webm"], steps=6, every=3,
                              jobs=1)
    meta = load(results[0].files["npz"]).meta
    assert (meta["theme"], meta["title"]) == ("dark", "Slide 3")


# ----------------------------------------------------------------------------- bad values

BAD = [
    (("--theme", "blue"), "Error: Invalid value for '--theme': 'blue' is not one of 'light', "
                          "'dark'. (see `nnviz render --help`)"),
    (("--title", ""), "Error: Invalid value for '--title': the title is empty; give a short "
                      "one-line title, e.g. --title \"XOR in 4 neurons\" (see `nnviz render --help`)"),
    (("--title", "x" * 121), "Error: Invalid value for '--title': the title has 121 characters; "
                             "at most 120 fit a header; give a short one-line title, e.g. --title "
                             "\"XOR in 4 neurons\" (see `nnviz render --help`)"),
    (("--title", "two\nlines"), "Error: Invalid value for '--title': the title is not one line of "
                                "printable text (it holds a newline, tab or control character); "
                                "give a short one-line title, e.g. --title \"XOR in 4 neurons\" "
                                "(see `nnviz render --help`)"),
]


@pytest.mark.parametrize("option, message", BAD)
def test_bad_values_are_one_line_errors(tmp_path, option, message):
    r = run_cli("render", "xor_two_classes", *option, "--out", tmp_path, *FAST)
    assert_one_line_error(r, 2)
    assert r.stderr.strip() == message
    assert not any(tmp_path.iterdir())


def test_one_title_names_one_video(tmp_path):
    r = run_cli("render", "xor_two_classes", "linear_regression", "--title", "Both", "--out", tmp_path)
    assert_one_line_error(r, 2, "--title names one video; give one scene, or leave --title out")
    r = run_cli("compare", "xor_two_classes", "--lr", "0.01,0.03", "--theme", "sepia", "--out", tmp_path)
    assert_one_line_error(r, 2, "'sepia' is not one of 'light', 'dark'")


@pytest.mark.parametrize("call", [
    lambda out: api.render("xor_two_classes", out=out, theme="blue"),
    lambda out: api.render("xor_two_classes", out=out, title="a\nb"),
    lambda out: api.compare("xor_two_classes", lr=[0.1, 0.2], out=out, theme=3),
    lambda out: api.render_many(["xor_two_classes"], out=out, title="x" * 500),
])
def test_api_refuses_bad_values_before_any_work(tmp_path, call):
    with pytest.raises(UsageError) as e:
        call(tmp_path)
    assert "\n" not in str(e.value) and ("theme" in str(e.value) or "title" in str(e.value))
    assert not any(tmp_path.iterdir())


def test_a_log_holds_only_known_themes_and_bounded_titles(dark_render, tmp_path):
    from test_logs import read_log, write_log
    meta, arrays = read_log(dark_render / "xor_two_classes.npz")
    for key, value, fragment in [("theme", "neon", "meta 'theme' must be one of light, dark"),
                                 ("theme", 7, "meta 'theme' must be one of light, dark"),
                                 ("title", "t" * 1001, "meta 'title' is 1,001 characters long")]:
        path = write_log(tmp_path / f"{key}.npz", dict(meta, **{key: value}), arrays)
        r = run_cli("render", "--from", path, "--out", tmp_path / "out", *FAST)
        assert_one_line_error(r, 1, fragment)
        assert not (tmp_path / "out").exists()


def test_from_with_panels_theme_and_title_draws_them_and_keeps_the_log(dark_render, tmp_path):
    r = run_cli("render", "--from", dark_render / "xor_two_classes.npz", "--out", tmp_path,
                "--panels", "network,loss", "--theme", "light", "--title", "Inside", *FAST)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "xor_two_classes"
    log = load(folder / "xor_two_classes.npz")
    assert (log.meta["panels"], log.meta["theme"]) == (["boundary", "loss", "accuracy"], "dark")
    expected = last_frame(FrameRenderer(log, (320, 240), ["network", "loss"], theme="light",
                                        title="Inside"))
    assert (iio.imread(folder / "xor_two_classes.png") == expected).all()
