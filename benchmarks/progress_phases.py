"""What each phase of a render costs per unit: the priors nnviz.progress weights its bar with.

Renders each scene through the API with a recording progress object and prints, per render,
the seconds of each phase and the per-unit figures nnviz/progress.py uses (STEP per training
step; FRAME's per-megapixel-and-format part per frame; FINISH per megapixel and format for the
encoders' finish; DECODE per megapixel for a --check decode), then how far the bar's ETA was
off at 25 %, 50 % and 75 % of the elapsed time (its error against the real time left).

    python benchmarks/progress_phases.py [--sizes 640x480,1280x720] [--scenes a,b]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import nnviz
from nnviz.progress import FRAME, Progress, render_plan


class Recorder(Progress):
    """A Progress that draws nothing and notes when each phase starts and the ETA it gives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, enabled=False, **kwargs)
        self.marks = [(self.current, time.monotonic())]
        self.etas = []

    def phase(self, name):
        super().phase(name)
        self.marks.append((name, time.monotonic()))

    def __call__(self, n=1):
        super().__call__(n)
        self.etas.append((time.monotonic(), self.eta()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="640x480,1280x720")
    parser.add_argument("--scenes", default="xor_two_classes,non_linear_regression_tanh,linear_regression")
    args = parser.parse_args()
    print(f"{'scene':<28} {'size':>9} {'train s/step':>12} {'draw s/frame':>12} "
          f"{'finish s':>9} {'check s/frame':>13}   ETA error at 25/50/75 %")
    for size in args.sizes.split(","):
        w, h = map(int, size.split("x"))
        mpx = w * h / 1e6
        for name in args.scenes.split(","):
            scene = nnviz.resolve(name)
            frames = scene.steps // scene.every + 1 + 25
            plan = render_plan(scene.steps, frames, (w, h), 3, True)
            rec = Recorder(name, plan)
            with tempfile.TemporaryDirectory() as out:
                nnviz.render(name, out=out, size=(w, h), check=True, progress=rec)
            end = time.monotonic()
            marks = dict(rec.marks)
            spans = {}
            order = [m for m, _ in rec.marks] + ["end"]
            times = [t for _, t in rec.marks] + [end]
            for i, m in enumerate(order[:-1]):
                spans[m] = times[i + 1] - times[i]
            start = marks["training"]
            errors = []
            for q in (0.25, 0.5, 0.75):
                at = start + q * (end - start)
                eta = next(e for t, e in rec.etas if t >= at)
                errors.append(f"{(eta or 0) - (end - at):+.1f}s")
            print(f"{name:<28} {size:>9} {spans['training'] / scene.steps:12.2e} "
                  f"{spans['drawing'] / frames:12.4f} {spans['encoding']:9.2f} "
                  f"{spans['checking'] / frames / 3:13.4f}   {' '.join(errors)} "
                  f"of {end - start:.1f}s")
            print(f"{'':<28} {'':>9} per unit: FRAME/mpx/format "
                  f"{(spans['drawing'] / frames - FRAME[0]) / mpx / 3:.4f}, FINISH/mpx/format "
                  f"{spans['encoding'] / mpx / 3:.3f}, DECODE/mpx "
                  f"{spans['checking'] / frames / 3 / mpx:.4f}")


if __name__ == "__main__":
    main()
