"""A default render against its floor and its peer, with where the time between them goes.

For one scene (xor_two_classes) at one size (1280x720, the default), each figure the median of
--repeat runs:
  render      `nnviz render NAME --size S` as a user runs it: training, drawing, the three
              encoders, poster, log, tracks and page (the goal: at most 6.0 s on 2 cores)
  --from      the same from the saved log (no training)
  floor       the same frames, already in memory, through nnviz's encoder only (one ffmpeg,
              webm + ogv + mp4): what no drawing could beat (the goal: render within 1.25x)
and the breakdown, each measured on its own:
  start       `python -m nnviz --version`: the interpreter, imports and the CLI
  training    `nnviz train NAME` minus start
  drawing     every frame drawn into memory (FrameRenderer, no encoder), RGBA bytes included
  phases      the render's own phases in one process (nnviz.progress marks them): training,
              drawing while the encoders run, the encoders' finish, the rest (poster, page,
              tracks, commit)
With --peer, the same picture made with matplotlib.animation (benchmarks/animation_peer.py,
FuncAnimation with blitting, one FFMpegWriter save per format) and the ratio peer / render.

    python benchmarks/hd_speed.py [--scene xor_two_classes] [--size 1280x720] [--repeat 3] [--peer]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.encode.formats import DEFAULT_FORMATS, FORMATS
from nnviz.encode.video import Encoder
from nnviz.progress import Progress, render_plan

HERE = Path(__file__).parent
NNVIZ = [sys.executable, "-m", "nnviz"]


def timed(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(fn, repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def drawing(log, size) -> float:
    start = time.perf_counter()
    for frame in FrameRenderer(log, size).frames():
        bytes(frame)
    return time.perf_counter() - start


CORES = []   # the encoders' CPU seconds per wall second, each time the floor is timed


def floor(log, size, fps: float, hold: float, out: Path) -> float:
    """The encoders alone on the render's frames (the hold's copies of the last included);
    notes how many cores they keep busy (their CPU over the wall time, from getrusage)."""
    frames = [bytes(f) for f in FrameRenderer(log, size).frames()]
    frames += [frames[-1]] * round(hold * fps)
    outputs = {FORMATS[n]: out / f"floor.{FORMATS[n].extension}" for n in DEFAULT_FORMATS}
    for path in outputs.values():   # the encoder writes into files that exist (as renders' temporaries)
        path.touch()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    enc = Encoder(outputs, size, fps, len(frames))
    for frame in frames:
        enc.write(frame)
    enc.finish()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CORES.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / wall)
    return wall


class Phases(Progress):
    """A Progress that draws nothing and notes when each phase of a render starts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, enabled=False, **kwargs)
        self.marks = [(self.current, time.perf_counter())]

    def phase(self, name):
        super().phase(name)
        self.marks.append((name, time.perf_counter()))


def phases(name: str, size, out: Path) -> dict[str, float]:
    scene = nnviz.resolve(name)
    frames = scene.steps // scene.every + 1 + 25
    rec = Phases(name, render_plan(scene.steps, frames, size, len(DEFAULT_FORMATS), False))
    start = time.perf_counter()
    nnviz.render(name, out=out, size=size, progress=rec)
    end = time.perf_counter()
    marks = rec.marks + [("end", end)]
    spans = {a: tb - ta for (a, ta), (_, tb) in zip(marks, marks[1:])}
    spans["total"] = end - start
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="xor_two_classes")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", action="store_true",
                        help="also time the matplotlib.animation peer (minutes)")
    args = parser.parse_args()
    size = tuple(map(int, args.size.split("x")))
    tmp = Path(tempfile.mkdtemp(prefix="nnviz-hd-"))
    name, s = args.scene, args.size

    log = nnviz.train(name, out=tmp / "log")
    common = ["--size", s, "-q"]
    render = median(lambda: timed(NNVIZ + ["render", name, "--out", str(tmp / "r"), *common]),
                    args.repeat)
    from_log = median(lambda: timed(NNVIZ + ["render", "--from", str(log.path), "--out",
                                             str(tmp / "f"), *common]), args.repeat)
    least = median(lambda: floor(log, size, 25.0, 1.0, tmp), args.repeat)
    start = median(lambda: timed(NNVIZ + ["--version"]), args.repeat)
    train = median(lambda: timed(NNVIZ + ["train", name, "--out", str(tmp / "t"), "-q"]),
                   args.repeat) - start
    draw = median(lambda: drawing(log, size), args.repeat)
    spans = phases(name, size, tmp / "p")

    print(f"nnviz {nnviz.__version__}: {name} at {s}, {len(log)} snapshots + 1 s hold, "
          f"webm + ogv + mp4 + poster + page; median of {args.repeat}, seconds\n")
    print(f"  render (as a user runs it)   {render:6.2f}")
    print(f"  render --from the log        {from_log:6.2f}")
    print(f"  floor: encoders only         {least:6.2f}   render / floor {render / least:.2f}x"
          f"   (the encoders keep {statistics.median(CORES):.2f} cores busy)")
    print("\n  where the time goes, each measured alone:")
    print(f"    process start and imports  {start:6.2f}")
    print(f"    training                   {train:6.2f}")
    print(f"    drawing every frame        {draw:6.2f}   (runs beside the encoders)")
    print(f"    encoders (the floor)       {least:6.2f}")
    print("  the render's phases in one process (API, no process start):")
    for phase, seconds in spans.items():
        if phase != "total":
            print(f"    {phase:26} {seconds:6.2f}")
    print(f"    {'total':26} {spans['total']:6.2f}")
    peer = None
    if args.peer:
        peer = timed([sys.executable, str(HERE / "animation_peer.py"), str(log.path),
                      str(tmp / "peer"), "--size", s])
        print(f"\n  matplotlib.animation peer    {peer:6.2f}   peer / render {peer / render:.1f}x")
    print("\ngoals:")
    print(f"  render at most 6.0 s: {'met' if render <= 6.0 else 'NOT met'} ({render:.2f} s)")
    print(f"  render within 1.25x of the floor: {'met' if render <= 1.25 * least else 'NOT met'} "
          f"({render / least:.2f}x)")
    if peer is not None:
        print(f"  peer / render >= 20x: {'met' if peer >= 20 * render else 'NOT met'} "
              f"({peer / render:.1f}x)")
    print(f"\n(work files in {tmp})")


if __name__ == "__main__":
    main()
