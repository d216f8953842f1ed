"""GIF and animated WebP: made in the same ffmpeg pass as the videos, scaled down and thinned
for READMEs, looping, ending on the poster; checked by --check and `nnviz check`; shown on the
page as <img> with the Markdown line to paste."""
import html
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nnviz
from conftest import WORDS, assert_one_line_error, run_cli, tree
from nnviz.encode.check import psnr
from nnviz.encode.video import Encoder
from nnviz.encode.formats import kept_frames, parse_formats


def frames_of(path: Path) -> tuple[list[np.ndarray], list[int], dict]:
    with Image.open(path) as image:
        frames, durations = [], []
        for k in range(image.n_frames):
            image.seek(k)
            image.load()
            durations.append(image.info.get("duration"))
            frames.append(np.asarray(image.convert("RGB")))
        return frames, durations, dict(image.info)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A quick render (320x240, 24 snapshots, 0.5 s hold at 25 fps) with mp4, gif and webp,
    checked as it is made."""
    out = tmp_path_factory.mktemp("share")
    r = run_cli("render", "xor_two_classes", "--quick", "--formats", "mp4,gif,webp", "--check",
                "--out", out)
    assert r.returncode == 0, r.stderr
    return out / "xor_two_classes", r


def test_gif_and_webp_loop_and_end_on_the_poster(shared):
    folder, r = shared
    assert sorted(tree(folder)) == sorted(f"xor_two_classes.{e}"
                                          for e in ("mp4", "gif", "webp", "png", "npz", "html", *WORDS))
    assert "checked gif, webp: each decodes completely, loops and ends on the poster" in r.stdout
    poster = np.asarray(Image.open(folder / "xor_two_classes.png").convert("RGB"))
    for ext in ("gif", "webp"):
        frames, durations, info = frames_of(folder / f"xor_two_classes.{ext}")
        assert info["loop"] == 0, ext                        # forever
        assert frames[0].shape == poster.shape, ext           # 320 wide: not scaled
        assert psnr(frames[-1], poster) >= 25, ext
        assert psnr(frames[0], poster) < 25, ext              # it does animate
        # 24 snapshots + 12 held frames at 25 fps, 15 fps kept: 22 frames, 1.44 s in all
        # (WebP stores the hold's identical frames as one longer frame)
        assert abs(sum(durations) - 1440) <= 30, (ext, sum(durations))
    gif_frames, _, _ = frames_of(folder / "xor_two_classes.gif")
    assert len(gif_frames) == kept_frames(36, 25, parse_formats("gif")[0]) == 22
    white = np.all(poster == 255, axis=-1)                   # no dithering noise on white
    assert white.sum() > 1000 and np.all(gif_frames[-1][white] == 255)


def test_frames_are_dropped_evenly_and_the_last_is_kept(tmp_path):
    """Frame n of 50 carries a bright band at row 2n: the GIF at 10 of 25 fps keeps exactly
    the frames floor((n+1)M/N) > floor(nM/N) picks, the last among them, 100 ms apart."""
    fmt = parse_formats("gif", gif_fps=10)[0]
    path = tmp_path / "x.gif"
    path.touch()
    encoder = Encoder({fmt: path}, (64, 128), 25, 50)
    for n in range(50):
        image = np.zeros((128, 64, 4), np.uint8)
        image[..., 3] = 255
        image[2 * n:2 * n + 2] = 255
        encoder.write(image.tobytes())
    encoder.finish()
    frames, durations, _ = frames_of(path)
    rows = [int(np.flatnonzero(f[:, 0, 0] > 128)[0]) // 2 for f in frames]
    want = [n for n in range(50) if (n + 1) * 20 // 50 > n * 20 // 50]
    assert rows == want and rows[-1] == 49 and len(rows) == 20
    assert set(durations) == {100}


def test_width_and_rate_options(tmp_path):
    r = run_cli("render", "xor_two_classes", "--quick", "--formats", "gif", "--gif-width", "160",
                "--gif-fps", "5", "--check", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "xor_two_classes"
    frames, durations, _ = frames_of(folder / "xor_two_classes.gif")
    assert frames[-1].shape == (120, 160, 3)
    assert len(frames) == kept_frames(36, 25, parse_formats("gif", gif_fps=5)[0]) == 7
    assert set(durations) <= {200, 210} and abs(sum(durations) - 1440) <= 30   # 7 of 36 in 1.44 s
    poster = Image.open(folder / "xor_two_classes.png").convert("RGB").resize((160, 120), Image.LANCZOS)
    assert psnr(frames[-1], np.asarray(poster)) >= 25
    r = run_cli("check", folder)
    assert r.returncode == 0, r.stderr
    assert "xor_two_classes.gif  160x120, 7 frames" in r.stdout


def test_page_shows_images_as_img_with_the_markdown_line(shared):
    folder, _ = shared
    page = (folder / "xor_two_classes.html").read_text()
    assert '<source src="xor_two_classes.mp4"' in page
    assert "<source src=" not in page.split("</video>")[1]   # images are <img>, not video sources
    assert page.count("<source src=") == 1                  # a GIF/WebP is never a video source
    assert page.count('<source srcset="xor_two_classes.png" media="(prefers-reduced-motion: '
                      'reduce)">') == 2                     # still images, without motion
    for ext in ("gif", "webp"):
        assert f'<img src="xor_two_classes.{ext}" width="320" height="240"' in page
        assert html.escape(f"![XOR classification with softmax + cross-entropy]"
                           f"(xor_two_classes.{ext})") in page


def test_markdown_line_escapes_brackets():
    from nnviz.publish.page import markdown_image
    assert markdown_image("a", "x [1] \\ y", parse_formats("gif")[0]) == r"![x \[1\] \\ y](a.gif)"


def test_check_catches_broken_images(shared, tmp_path):
    folder, _ = shared
    copy = tmp_path / "xor_two_classes"
    copy.mkdir()
    for p in folder.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    gif = copy / "xor_two_classes.gif"
    data = gif.read_bytes()
    gif.write_bytes(data[:len(data) // 2])                  # cut in half
    assert_one_line_error(run_cli("check", copy), 1, "check failed: ", "xor_two_classes.gif",
                          "does not decode")
    frames, durations, _ = frames_of(folder / "xor_two_classes.gif")
    pictures = [Image.fromarray(f) for f in frames]
    pictures[0].save(gif, save_all=True, append_images=pictures[1:], duration=durations, loop=1)
    assert_one_line_error(run_cli("check", copy), 1, "xor_two_classes.gif does not loop forever")
    pictures[0].save(gif, save_all=True, append_images=pictures[:1] * 3, duration=70, loop=0)
    assert_one_line_error(run_cli("check", copy), 1,
                          "xor_two_classes.gif does not end on xor_two_classes.png's picture")


@pytest.mark.parametrize("args, fragment", [
    (["--gif-width", "8"], "Invalid value for '--gif-width': 8 is not in the range 16<=x<=7680"),
    (["--gif-fps", "0"], "Invalid value for '--gif-fps': 0.0 is not in the range 0.1<=x<=100"),
    (["--formats", "mp4,apng"], "unknown format 'apng'; choose from webm, ogv, mp4, gif, webp"),
])
def test_bad_options_are_exit_2(tmp_path, args, fragment):
    r = run_cli("render", "xor_two_classes", "--quick", "--out", tmp_path, *args)
    assert_one_line_error(r, 2, fragment)
    assert not (tmp_path / "xor_two_classes").exists()


@pytest.mark.parametrize("options, fragment", [
    (dict(gif_width=True), "--gif-width must be a whole number of pixels from 16 to 7680, got True"),
    (dict(gif_width=10.5), "--gif-width must be a whole number of pixels"),
    (dict(gif_fps="fast"), "--gif-fps must be a number from 0.1 to 100"),
])
def test_api_refuses_bad_limits_before_any_work(tmp_path, options, fragment):
    with pytest.raises(nnviz.UsageError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        nnviz.render("xor_two_classes", out=tmp_path, formats=["gif"], quick=True, **options)
    assert not any(tmp_path.iterdir())
