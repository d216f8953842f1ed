"""The same picture made with matplotlib.animation, written favourably: the peer nnviz is timed
against in benchmarks/hd_speed.py.

What a careful author would write today instead of nnviz: FuncAnimation with blitting (the heat
map's image, the loss and accuracy lines and the header text updated in place; the scatter,
axes and labels drawn once), then one FFMpegWriter save per format with nnviz's own encoder
settings (so the comparison is of the pipeline, not of the codecs), and the poster with savefig.
Favourable to the peer: no decision line (a contour cannot be updated in place), no colour bar,
training done by nnviz's fast core and not timed here; the frames hold the same snapshots, with a
1 s hold at the end as nnviz's default.

    python benchmarks/animation_peer.py LOG.npz OUT_DIR [--size 1280x720] [--fps 25] [--hold 1]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.animation import FFMpegWriter, FuncAnimation  # noqa: E402
import numpy as np  # noqa: E402

import nnviz  # noqa: E402
from nnviz.encode.formats import DEFAULT_FORMATS, FORMATS  # noqa: E402
from nnviz.encode.video import ffmpeg_exe  # noqa: E402


def figure(log, size, dpi=100):
    """The figure, its static parts, and the per-frame update over the log's snapshots."""
    series = {k: log[k] for k in ("step", "loss/train", "loss/val", "accuracy/train",
                                  "accuracy/val") if k in log}
    outputs = log["output"]
    fig, (pic, loss, acc) = plt.subplots(1, 3, figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi,
                                         width_ratios=(1.3, 1, 1), layout="constrained")
    x0, x1 = log["grid/x0"], log["grid/x1"]
    image = pic.imshow(outputs[0][..., -1], origin="lower", cmap="coolwarm", vmin=0, vmax=1,
                       extent=(x0[0], x0[-1], x1[0], x1[-1]), aspect="equal", animated=True)
    labels = np.argmax(log["data/y_train"], 1)
    pic.scatter(*log["data/x_train"].T, c=labels, cmap="coolwarm", edgecolors="k", s=16)
    pic.set(xlabel="x₁", ylabel="x₂")
    lines = {}
    for ax, kind, scale in ((loss, "loss", "log"), (acc, "accuracy", "linear")):
        for part in ("train", "val"):
            lines[f"{kind}/{part}"], = ax.plot([], [], label=part, animated=True)
        values = np.concatenate([series[f"{kind}/train"], series[f"{kind}/val"]])
        ax.set(yscale=scale, xlim=(0, series["step"][-1]), xlabel="step", ylabel=kind,
               ylim=(values.min() * 0.9, values.max() * 1.1))
        ax.legend(loc="upper right")
    header = fig.suptitle("", animated=True)
    last = len(log) - 1

    def update(frame):
        i = min(frame, last)   # the hold repeats the last snapshot
        image.set_data(outputs[i][..., -1])
        for name, line in lines.items():
            line.set_data(series["step"][:i + 1], series[name][:i + 1])
        header.set_text(f"step {series['step'][i]}   loss {series['loss/train'][i]:.3g}")
        return [image, *lines.values(), header]
    return fig, update


def render(log_path, out: Path, size=(1280, 720), fps=25.0, hold=1.0) -> float:
    """Draw and save the three formats and the poster; the wall time in seconds."""
    matplotlib.rcParams["animation.ffmpeg_path"] = ffmpeg_exe()
    log = nnviz.load(log_path)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    fig, update = figure(log, size)
    frames = len(log) + round(hold * fps)
    for name in DEFAULT_FORMATS:
        fmt = FORMATS[name]
        anim = FuncAnimation(fig, update, frames=frames, blit=True, cache_frame_data=False)
        writer = FFMpegWriter(fps=fps, codec=fmt.codec,
                              extra_args=[*fmt.args, "-pix_fmt", fmt.pix_fmt])
        anim.save(out / f"peer.{fmt.extension}", writer=writer, dpi=100)
    update(frames - 1)
    fig.savefig(out / "peer.png", dpi=100)
    plt.close(fig)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--hold", type=float, default=1.0)
    args = parser.parse_args()
    w, h = map(int, args.size.split("x"))
    seconds = render(args.log, args.out, (w, h), args.fps, args.hold)
    print(f"matplotlib.animation peer: {seconds:.2f} s")


if __name__ == "__main__":
    main()
