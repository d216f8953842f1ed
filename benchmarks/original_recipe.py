"""The original blog series' recipe, reimplemented to be timed against nnviz on the same frames.

Every frame clears and redraws every subplot, calls plt.draw(), savefigs a PNG and pauses
1 ms; then ffmpeg runs three times over the PNGs with the original flags. The snapshots come
from an nnviz log (trained in this process when --train is given), so both draw the same data.

    python benchmarks/original_recipe.py SCENE OUT_DIR --size 640x480 --steps 300 [--train]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import nnviz  # noqa: E402
from nnviz.log.record import train  # noqa: E402
from nnviz.encode.video import ffmpeg_exe  # noqa: E402

ORIGINAL_FLAGS = {  # the series' three ffmpeg runs; VP9 needs a pixel format with ffmpeg 9
    "webm": ["-c:v", "libvpx-vp9", "-b:v", "2M", "-pix_fmt", "yuva420p"],
    "ogv": ["-c:v", "libtheora", "-qscale:v", "3"],
    "mp4": ["-c:v", "libx264", "-crf", "25"],
}


def draw_frame(fig, axes, log, series, i, snap):
    """Clear and redraw everything for snapshot i, the way the original loop did."""
    kind = log.meta["kind"]
    pic, loss_ax = axes[0], axes[1]
    pic.cla()
    if "grid/x" in log:
        pic.scatter(log["data/x_train"][:, 0], log["data/y_train"][:, 0], s=3, c="tab:green")
        pic.plot(log["grid/x"], snap["output"][:, 0])
    else:
        x0, x1 = log["grid/x0"], log["grid/x1"]
        img = snap["output"][..., 1] if kind == "classification" else snap["output"][..., 0]
        pic.imshow(img, origin="lower", extent=(x0[0], x0[-1], x1[0], x1[-1]), cmap="coolwarm",
                   aspect="auto")
        labels = np.argmax(log["data/y_train"], 1) if kind == "classification" else log["data/y_train"][:, 0]
        pic.scatter(log["data/x_train"][:, 0], log["data/x_train"][:, 1], c=labels, cmap="coolwarm",
                    edgecolors="k", s=20)
        if kind == "classification":
            pic.contour(x0, x1, img, levels=[0.5], colors="k")
    loss_ax.cla()
    loss_ax.semilogy(series["step"][:i + 1], series["loss/train"][:i + 1])
    loss_ax.semilogy(series["step"][:i + 1], series["loss/val"][:i + 1])
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("loss")
    if len(axes) > 2:
        axes[2].cla()
        axes[2].plot(series["step"][:i + 1], series["accuracy/train"][:i + 1])
        axes[2].plot(series["step"][:i + 1], series["accuracy/val"][:i + 1])
        axes[2].set_ylabel("accuracy")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scene")
    p.add_argument("out", type=Path)
    p.add_argument("--size", default="640x480")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--train", action="store_true", help="train in this process first")
    p.add_argument("--log", type=Path, help="an existing log (when not training)")
    a = p.parse_args()
    w, h = map(int, a.size.split("x"))
    a.out.mkdir(parents=True, exist_ok=True)
    if a.train:
        log = train(nnviz.resolve(a.scene)(), a.out / "log.npz", steps=a.steps, every=1)
    else:
        log = nnviz.load(a.log)
    series = {k: log[k] for k in ("step", "loss/train", "loss/val", "accuracy/train", "accuracy/val") if k in log}
    n_axes = 3 if "accuracy/train" in series else 2
    fig, axes = plt.subplots(n_axes, 1, figsize=(w / 100, h / 100), dpi=100)
    for i, snap in enumerate(log.stream(["output"])):
        draw_frame(fig, axes, log, series, i, snap)
        plt.draw()
        fig.savefig(a.out / f"frame_{i:05d}.png")
        plt.pause(0.001)
    for ext, flags in ORIGINAL_FLAGS.items():
        subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-framerate", "25",
                        "-i", str(a.out / "frame_%05d.png"), *flags, str(a.out / f"recipe.{ext}")],
                       check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
