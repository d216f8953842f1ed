"""The gallery page OUT/index.html: every complete render in OUT, escaped, written atomically."""
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import run_cli
from nnviz.publish import gallery
from nnviz.publish.page import video_block
from nnviz.encode.formats import FORMATS

TINY = ("--size", "160x120", "--quick", "--formats", "mp4")
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """OUT holding two tiny renders, one of them titled with markup."""
    out = tmp_path_factory.mktemp("two")
    for args in (("xor_two_classes", "--title", HOSTILE), ("linear_regression", "--seed", "3")):
        r = run_cli("render", *args, "--out", out, *TINY)
        assert r.returncode == 0, r.stderr
    assert not (out / "index.html").exists()   # one scene at a time: no gallery asked for
    return out


@pytest.fixture
def out(two, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(two, copy)
    return copy


class Links(HTMLParser):
    """Every href and src on a page, and the page's text."""

    def __init__(self):
        super().__init__()
        self.urls, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("href", "src", "poster")]

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Links:
    links = Links()
    links.feed(page)
    return links


def test_page_shows_each_scene_with_its_video_links_and_options(out):
    index = gallery.write(out)
    assert index == out / "index.html"
    page = index.read_text()
    links = parse(page)
    text = "".join(links.text)
    assert HOSTILE in text   # the title shown as text
    assert "Linear regression" in text or "linear_regression" in text
    assert "One linear neuron fits a noisy line" in text   # the description
    for name in ("xor_two_classes", "linear_regression"):
        folder = out / name
        block = video_block(name, {FORMATS["mp4"]: folder / f"{name}.mp4"}, (160, 120),
                            folder=name, language="en")   # with the render's three tracks
        assert block in page
        for file in (f"{name}.{ext}" for ext in ("png", "html", "mp4", "npz", "chapters.vtt",
                                                 "descriptions.vtt", "captions.vtt")):
            assert f'href="{name}/{file}"' in page
    for url in links.urls:   # every link leads to a file beside the page
        assert (out / url).is_file(), url
    options = re.findall(r"<dt>(\w+)</dt><dd>([^<]*)</dd>", page)
    assert ("seed", "3") in options and ("seed", "0") in options
    assert ("size", "160x120") in options and ("formats", "mp4") in options
    assert ("theme", "light") in options
    assert ("panels", "boundary, loss, accuracy") in options


def test_hostile_title_is_escaped(out):
    page = gallery.write(out).read_text()
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page


def test_broken_foreign_and_linked_folders_are_left_out(out, tmp_path):
    good = out / "linear_regression"
    # a log that does not load, beside a complete set of other files
    bad = out / "bad"
    bad.mkdir()
    for ext in ("png", "html", "mp4"):
        shutil.copy(good / f"linear_regression.{ext}", bad / f"bad.{ext}")
    (bad / "bad.npz").write_bytes(b"PK\x03\x04 not a zip")
    # no video
    novideo = out / "novideo"
    shutil.copytree(good, novideo)
    for p in novideo.iterdir():
        p.rename(novideo / p.name.replace("linear_regression", "novideo"))
    (novideo / "novideo.mp4").unlink()
    # a linked folder and a folder whose files are links
    (out / "linked").symlink_to(good, target_is_directory=True)
    filelinks = out / "filelinks"
    filelinks.mkdir()
    for ext in ("png", "html", "mp4", "npz"):
        (filelinks / f"filelinks.{ext}").symlink_to(good / f"linear_regression.{ext}")
    # hidden, unrelated, a file, a name nnviz never writes
    shutil.copytree(good, out / ".hidden")
    (out / "notes").mkdir()
    (out / "notes" / "readme.txt").write_text("hi")
    (out / "stray.txt").write_text("x")
    (out / "a b<c>").mkdir()
    page = gallery.write(out).read_text()
    ids = re.findall(r'<article class="scene" id="([^"]*)"', page)
    assert ids == ["linear_regression", "xor_two_classes"]


def test_rewrite_is_atomic_and_keeps_every_scene(out):
    index = gallery.write(out)
    first = index.read_bytes()
    keep = out / "old-index"
    os.link(index, keep)   # a reader holding the old page
    gallery.write(out)
    assert keep.read_bytes() == first   # replaced by a rename, never rewritten in place
    assert index.read_bytes() == first   # deterministic
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    shutil.rmtree(out / "xor_two_classes")
    page = gallery.write(out).read_text()
    assert "linear_regression" in page and "xor_two_classes" not in page


def test_index_planted_as_a_link_is_refused(out, tmp_path):
    target = tmp_path / "elsewhere.html"
    target.write_text("mine")
    (out / "index.html").symlink_to(target)
    from nnviz.errors import NnvizError
    with pytest.raises(NnvizError, match="is a link"):
        gallery.write(out)
    assert target.read_text() == "mine"


def cards(out: Path) -> list[str]:
    return re.findall(r'<article class="scene" id="([^"]*)"', (out / "index.html").read_text())


def test_render_of_several_scenes_writes_the_gallery_and_names_it(tmp_path):
    out = tmp_path / "out"
    r = run_cli("render", "linear_regression", "xor_two_classes", "--out", out, *TINY)
    assert r.returncode == 0, r.stderr
    assert cards(out) == ["linear_regression", "xor_two_classes"]
    assert r.stdout.strip().splitlines()[-1].endswith(f"2 scenes; open {out / 'index.html'}")


def test_single_render_keeps_an_existing_gallery_current(out):
    gallery.write(out)
    r = run_cli("render", "linear_regression", "--seed", "5", "--out", out, *TINY)
    assert r.returncode == 0, r.stderr
    assert cards(out) == ["linear_regression", "xor_two_classes"]   # the other one stays
    options = re.findall(r"<dt>(\w+)</dt><dd>([^<]*)</dd>", (out / "index.html").read_text())
    assert ("seed", "5") in options and ("seed", "3") not in options


def test_compare_writes_the_gallery_with_its_runs(out):
    r = run_cli("compare", "linear_regression", "--optimizer", "sgd,adam", "--steps", "20",
                "--out", out, "--size", "160x120", "--formats", "mp4")
    assert r.returncode == 0, r.stderr
    assert cards(out) == ["linear_regression", "linear_regression-compare", "xor_two_classes"]
    page = (out / "index.html").read_text()
    assert "<dt>optimizer</dt><dd>per run</dd>" in page
    assert "<dt>runs</dt><dd>sgd, adam</dd>" in page
    assert 'href="linear_regression-compare/runs/sgd.npz"' in page


def test_render_many_writes_the_gallery(tmp_path):
    from nnviz import api
    out = tmp_path / "many"
    api.render_many(["linear_regression", "xor_function_regression"], out=out, jobs=1,
                    size=(160, 120), quick=True, formats="mp4")
    assert cards(out) == ["linear_regression", "xor_function_regression"]


def test_a_render_of_only_animated_images_shows_its_gif(out):
    gallery.write(out)
    r = run_cli("render", "linear_regression", "--out", out, "--size", "160x120", "--quick",
                "--formats", "gif")
    assert r.returncode == 0, r.stderr
    page = (out / "index.html").read_text()
    card = page.split('id="linear_regression"')[1].split("</article>")[0]
    assert '<img src="linear_regression/linear_regression.gif"' in card and "<video" not in card
    assert "<dt>formats</dt><dd>gif</dd>" in card


def test_the_gallery_names_each_renders_language_from_its_page(tmp_path):
    """index.html's <track>s carry the language NAME.html was written in, as srclang and in
    the label; a page whose language nnviz does not write gets no <track> (its files are
    still linked)."""
    from conftest import run_cli
    from nnviz.publish import gallery
    r = run_cli("render", "linear_regression", "--quick", "--formats", "webm", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    text = gallery.write(tmp_path).read_text()
    assert text.count('srclang="en"') == 3 and 'label="Chapters, English"' in text
    page = tmp_path / "linear_regression" / "linear_regression.html"
    page.write_text(page.read_text().replace('<html lang="en">', '<html lang="xx">'))
    text = gallery.write(tmp_path).read_text()
    assert "<track" not in text and "linear_regression.chapters.vtt" in text
