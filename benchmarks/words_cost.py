"""What the words cost (nnviz.story): their share of a render's time, and `--captions burn`'s.

For each scene (default: xor_two_classes, linear_regression, activation_functions, the one with
several runs), at 1280x720 and the default 25 fps and 1 s hold, webm only:
  render       a whole `nnviz.render(--from LOG)` (drawing, encoding, words, page), seconds
  words        the words alone, in the same process, as make() does them from the logs it
               already holds: the story told (tell_logs), the three WebVTT tracks and the
               page's transcript written (median of --repeat runs), and their share
  burn         the same render with `--captions burn`, and its ratio to the render without
               (whole renders: noisy under load), and the strip's own work measured directly:
               every frame composed by CaptionStrip (text drawn at each cue), its share
Goals (#22): words at most 2 % of a render; burn at most 1.1x. Renders swing with other load on
the machine: take the medians over --repeat (default 3).

    python benchmarks/words_cost.py [--repeat N] [--scenes a,b] [--size WxH]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def words_once(logs, fps, frames, folder: Path):
    from nnviz.publish.page import transcript
    from nnviz.publish.tracks import TRACKS, track_cues, vtt
    from nnviz.story.race import tell_logs
    story = tell_logs(logs, fps, frames)
    for kind, cues in track_cues(story).items():   # as write_tracks, to plain files
        (folder / f"w.{TRACKS[kind][0]}").write_text(vtt(cues), encoding="utf-8")
    transcript(story)
    return story


def strip_once(size, story, frames: int) -> None:
    """Every frame composed under --captions burn, from a panels' buffer of the right size."""
    import numpy as np
    from nnviz.draw.caption import CaptionStrip
    strip = CaptionStrip(size, "light", [(c.frame, c.lead) for c in story.descriptions])
    w, h = strip.panels_size()
    panels = np.zeros((h, w, 4), np.uint8)
    for i in range(frames):
        strip.compose(i, memoryview(panels))
    strip.close()


def main() -> None:
    import nnviz
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenes", default="xor_two_classes,linear_regression,activation_functions")
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"{'scene':<22} {'frames':>6} {'render s':>9} {'words ms':>9} {'share':>7} "
          f"{'burn s':>8} {'burn x':>7} {'strip ms':>9} {'strip x':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in args.scenes.split(","):
            made = nnviz.render(name, out=tmp / "train", formats=["webm"], size=(160, 120))
            folder = made.folder
            logs = ([folder / f"{name}.npz"] if (folder / f"{name}.npz").exists()
                    else sorted((folder / "runs").glob("*.npz")))
            source = logs[0] if len(logs) == 1 else folder / "runs"
            from nnviz.log.snapshots import load
            held = [load(p) for p in logs]
            plain, burn, words, strips = [], [], [], []
            for k in range(args.repeat):
                for captions, into in (("none", plain), ("burn", burn)):
                    out = tmp / f"{captions}-{k}"
                    into.append(timed(lambda: nnviz.render(
                        from_log=source, out=out, formats=["webm"], size=size,
                        captions=captions)))
                result = nnviz.render(from_log=source, out=tmp / "frames", formats=["webm"],
                                      size=(160, 120))
                words.append(timed(lambda: words_once(held, result.fps, result.frames, tmp)))
                story = words_once(held, result.fps, result.frames, tmp)
                strips.append(timed(lambda: strip_once(size, story, result.frames)))
            p, b, w, c = (statistics.median(v) for v in (plain, burn, words, strips))
            print(f"{name:<22} {result.frames:>6} {p:>9.2f} {1000 * w:>9.1f} "
                  f"{100 * w / p:>6.2f}% {b:>8.2f} {b / p:>6.3f}x {1000 * c:>9.1f} "
                  f"{(p + c) / p:>7.3f}x")


if __name__ == "__main__":
    main()
