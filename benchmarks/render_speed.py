"""Render and encode speed of nnviz against the original recipe and the encode-only floor.

For xor_two_classes and non_linear_regression_tanh (300 training steps, a snapshot every step,
301 frames, no hold) at 640x480 and 1280x720, whole processes timed from outside:
  nnviz        `nnviz render NAME` (training included) and `nnviz render --from LOG` (excluded)
  original     benchmarks/original_recipe.py: per-frame clear + redraw + plt.draw + savefig PNG
               + plt.pause(0.001), then three ffmpeg runs with the original flags (training
               included, done by nnviz's fast core: the comparison favours the original)
  encode-only  the same frames, already in memory, through nnviz's encoder (the floor)
then the encoder settings' SSIM and sizes, peak memory at 300 and 3000 snapshots, and
`nnviz render --all` in parallel against one scene after another.

and the network panel's cost: a whole render (training included) at 1280x720 with the
scene's picture + loss, and with the network panel added.

long (--long, or --only long): frames/s drawn (no encoding) at the start and near frame 12,000
of a 12,000-step run of linear_regression at 640x480: a frame's cost must stay flat.

flat (--flat, or --only flat): peak memory of nnviz and of each ffmpeg it runs at 300 and 3,000
snapshots of xor_two_classes at 640x360 with webm, gif and webp: flat as the clip grows.

large (--large, or --only large): one render at 7680x4320 (a few frames, each format) with the
peak resident memory of nnviz and of ffmpeg.

and several runs in one video (nnviz.learn.runs): 1, 2, 4 and 9 runs and a shared landscape, drawn
from their logs.

and the neuron scenes (gradient_descent, linear_regression, artificial_neuron) at their own steps, whole renders
with and without training, and the neuron panel's cost in artificial_neuron at 1280x720.

scenes (--only scenes): every built-in scene and the optimiser race (`compare
linear_regression --optimizer sgd,momentum,adam`) at 1280x720 from their logs (trained once,
untimed): the frames drawn alone (in this process, no encoding) and a whole default render
(`render --from LOG --hold 0`: webm, ogv, mp4, poster); `--save FILE` keeps the figures as
JSON, `--against FILE` prints each figure's ratio to the saved one (a change's cost).

and sharing (--only share): xor_two_classes at the defaults (1280x720, 25 fps, 1 s hold), GIF
and WebP added to a default render (webm, ogv, mp4, training included; the goal's measure) and,
stricter, to mp4 alone from the log: their sizes, their last frame's PSNR against the poster
scaled to their size, and what adding each costs in wall time.

    python benchmarks/render_speed.py [--repeat N] [--only speed,memory,all,network,runs,neuron,share,long,large,flat]
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nnviz
from nnviz.draw.frames import FrameRenderer
from nnviz.encode.video import Encoder, ffmpeg_exe
from nnviz.encode.formats import DEFAULT_FORMATS, FORMATS

DEFAULT = {name: FORMATS[name] for name in DEFAULT_FORMATS}   # what a render writes

HERE = Path(__file__).parent
SCENES = ("xor_two_classes", "non_linear_regression_tanh")
SIZES = ((640, 480), (1280, 720))
STEPS = 300
NNVIZ = [sys.executable, "-m", "nnviz"]


def timed(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_time(cmd, repeat) -> float:
    return statistics.median(timed(cmd) for _ in range(repeat))


def encode_only(log_path, size, out: Path) -> tuple[float, Path]:
    """Render every frame into memory first, then time nnviz's encoder alone on them."""
    log = nnviz.load(log_path)
    frames = [bytes(f) for f in FrameRenderer(log, size).frames()]
    raw = out / f"source_{size[0]}.rgba"
    raw.write_bytes(b"".join(frames))            # kept for SSIM against the source frames
    outputs = {fmt: out / f"floor_{size[0]}.{fmt.extension}" for fmt in DEFAULT.values()}
    for path in outputs.values():   # the encoder writes into files that exist (as renders' temporaries)
        path.touch()
    start = time.perf_counter()
    enc = Encoder(outputs, size, 25.0, len(frames))
    for frame in frames:
        enc.write(frame)
    enc.finish()
    return time.perf_counter() - start, raw


def ssim(video: Path, raw: Path, size, pix_fmt: str) -> tuple[float, float]:
    """Mean and worst-frame SSIM of `video` against the raw RGBA source, compared in pix_fmt."""
    stats = video.with_suffix(f".{pix_fmt}.ssim")
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(video), "-f", "rawvideo",
                    "-pix_fmt", "rgba", "-s", f"{size[0]}x{size[1]}", "-framerate", "25",
                    "-i", str(raw), "-lavfi",
                    f"[0:v]format={pix_fmt}[a];[1:v]format={pix_fmt}[b];[a][b]ssim=stats_file={stats}",
                    "-f", "null", "-"], check=True, capture_output=True)
    values = [float(re.search(r"All:([\d.]+)", line).group(1)) for line in stats.read_text().splitlines()]
    return float(np.mean(values)), min(values)


def peak_rss_mb(args, env=None) -> float:
    """Peak resident memory of the nnviz process itself (not ffmpeg), in MB.

    Read from VmHWM: ru_maxrss would carry over the parent's peak across fork and exec.
    """
    code = ("import re, sys\nfrom nnviz.cli import main\ntry:\n    main(sys.argv[1:])\nfinally:\n"
            "    status = open('/proc/self/status').read()\n"
            "    print(re.search(r'VmHWM:\\s*(\\d+)', status)[1], file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


LARGE = (7680, 4320)


def large_frames(tmp: Path) -> None:
    """Peak memory of a render at 7680x4320 (28 frames, every format): nnviz's and ffmpeg's.

    ffmpeg's peak comes from /usr/bin/time wrapped around the very binary nnviz runs
    (IMAGEIO_FFMPEG_EXE): ffmpeg forked from nnviz would report nnviz's size at the fork.
    """
    import os
    report = tmp / "ffmpeg_peak_kb"
    wrapper = tmp / "ffmpeg_timed"
    wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/time -o {report} -f %M {ffmpeg_exe()} "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, IMAGEIO_FFMPEG_EXE=str(wrapper))
    size = f"{LARGE[0]}x{LARGE[1]}"
    start = time.perf_counter()
    nnviz_mb = peak_rss_mb(["render", "linear_regression", "--size", size, "--steps", "2",
                            "--every", "1", "--hold", "1", "--out", str(tmp / "large"), "-q"], env)
    seconds = time.perf_counter() - start
    ffmpeg_mb = int(report.read_text().split()[-1]) / 1024
    print(f"\npeak memory at {size} (linear_regression, 3 snapshots + 1 s hold: 28 frames, webm+ogv+mp4, {seconds:.0f} s):\n"
          f"  nnviz  {nnviz_mb:7.0f} MB\n  ffmpeg {ffmpeg_mb:7.0f} MB\n"
          f"  total  {nnviz_mb + ffmpeg_mb:7.0f} MB", flush=True)


def flat_memory(tmp: Path) -> dict:
    """Peak resident memory of nnviz and of each ffmpeg it runs, at 300 and 3,000 snapshots
    (xor_two_classes, 640x360, a snapshot every step, webm + gif + webp): it must not grow
    with the clip. ffmpeg's peaks come from /usr/bin/time around the very binary nnviz runs
    (as in large_frames); nnviz's own from VmHWM."""
    import os
    result = {}
    print("\npeak memory by clip length (xor_two_classes, 640x360, webm,gif,webp), MB:")
    for steps in (300, 3000):
        report = tmp / f"flat_ffmpeg_kb_{steps}"
        wrapper = tmp / f"flat_ffmpeg_{steps}"
        wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/time -a -o {report} -f %M {ffmpeg_exe()} "$@"\n')
        wrapper.chmod(0o755)
        env = dict(os.environ, IMAGEIO_FFMPEG_EXE=str(wrapper))
        start = time.perf_counter()
        nnviz_mb = peak_rss_mb(["render", "xor_two_classes", "--steps", str(steps), "--every", "1",
                                "--size", "640x360", "--formats", "webm,gif,webp",
                                "--out", str(tmp / f"flat{steps}"), "-q"], env)
        seconds = time.perf_counter() - start
        ffmpeg_mb = [int(line) / 1024 for line in report.read_text().split() if line.isdigit()]
        total = nnviz_mb + max(ffmpeg_mb)
        result[steps] = total
        print(f"  {steps:5d} snapshots ({seconds:4.0f} s): nnviz {nnviz_mb:6.0f}, ffmpeg "
              + " then ".join(f"{mb:.0f}" for mb in ffmpeg_mb)
              + f", nnviz + largest ffmpeg {total:6.0f}", flush=True)
    print(f"  ratio 3000/300: {result[3000] / result[300]:.2f}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per nnviz timing (median)")
    parser.add_argument("--only", default="speed,memory,all,network,runs,neuron,share",
                        help="sections to run: speed (with the encoders' SSIM), memory, all, "
                             "network, runs, neuron, share, long, large, flat, scenes")
    parser.add_argument("--long", action="store_true", help="only the long-run section")
    parser.add_argument("--save", help="scenes: write the figures to this JSON file")
    parser.add_argument("--against", help="scenes: print ratios to figures saved with --save")
    parser.add_argument("--scenes", help="scenes: a comma list instead of every built-in scene "
                                         "and the race")
    parser.add_argument("--large", action="store_true", help="only the 7680x4320 memory section")
    parser.add_argument("--flat", action="store_true",
                        help="only peak memory of nnviz and ffmpeg at 300 and 3,000 snapshots "
                             "with gif and webp")
    args = parser.parse_args()
    sections = set(args.only.split(","))
    if args.long or args.large or args.flat:
        sections = {name for name, on in (("long", args.long), ("large", args.large),
                                          ("flat", args.flat)) if on}
    tmp = Path(tempfile.mkdtemp(prefix="nnviz-bench-"))
    goals = {"speedup_640": [], "floor": []}
    if "speed" in sections:
        speed(args, tmp, goals)
    if "memory" in sections:
        print("\npeak memory of the nnviz process (xor_two_classes, 640x480, a snapshot every step):")
        rss = {}
        for steps in (300, 3000):
            rss[steps] = peak_rss_mb(["render", "xor_two_classes", "--steps", str(steps), "--every", "1",
                                      "--size", "640x480", "--out", str(tmp / f"mem{steps}"), "-q"])
            print(f"  {steps:5d} snapshots: {rss[steps]:7.1f} MB", flush=True)
        print(f"  ratio 3000/300: {rss[3000] / rss[300]:.2f}")
    if "all" in sections:
        print("\n`nnviz render --all` at the default size (1280x720):")
        parallel = timed(NNVIZ + ["render", "--all", "--out", str(tmp / "all_parallel"), "-q"])
        serial = timed(NNVIZ + ["render", "--all", "--jobs", "1", "--out", str(tmp / "all_serial"), "-q"])
        print(f"  in parallel (both cores): {parallel:6.1f} s\n  one after another:        {serial:6.1f} s"
              f"\n  ratio: {serial / parallel:.2f}x")

    if "network" in sections:
        goals["network"] = network_panel(args, tmp)
    if "runs" in sections:
        several_runs(args, tmp)
    if "long" in sections:
        goals["long"] = long_run(tmp)
    if "large" in sections:
        large_frames(tmp)
    if "flat" in sections:
        goals["flat"] = flat_memory(tmp)
    if "neuron" in sections:
        goals["neuron"] = neuron_scenes(args, tmp)
    if "share" in sections:
        goals["share"] = sharing(args, tmp)
    if "scenes" in sections:
        goals["scenes"] = scene_costs(args, tmp)

    print("\ngoals:")
    if "speed" in sections:
        print(f"  original / nnviz at 640x480, training included >= 20x: "
              f"{'met' if min(goals['speedup_640']) >= 20 else 'NOT met'} (worst {min(goals['speedup_640']):.1f}x)")
        print(f"  nnviz (training excluded) / encode-only <= 1.5x: "
              f"{'met' if max(goals['floor']) <= 1.5 else 'NOT met'} (worst {max(goals['floor']):.2f}x)")
    if "memory" in sections:
        print(f"  peak memory 3000 / 300 snapshots <= 1.2x: {'met' if rss[3000] / rss[300] <= 1.2 else 'NOT met'}")
    if "all" in sections:
        print(f"  --all in parallel faster than one after another: {'met' if parallel < serial else 'NOT met'}")
    if "flat" in sections:
        ratio = goals["flat"][3000] / goals["flat"][300]
        print(f"  peak memory of nnviz + ffmpeg, 3000 / 300 snapshots with gif, webp <= 1.2x: "
              f"{'met' if ratio <= 1.2 else 'NOT met'} ({ratio:.2f}x)")
    if "network" in sections:
        worst = max(goals["network"])
        print(f"  network panel costs <= 1.3x the render without it at 1280x720: "
              f"{'met' if worst <= 1.3 else 'NOT met'} (worst {worst:.2f}x)")
    if "long" in sections:
        print(f"  frames/s near frame {LONG_STEPS:,} >= 0.8x the start's: "
              f"{'met' if goals['long'] >= 0.8 else 'NOT met'} ({goals['long']:.2f}x)")
    if "neuron" in sections:
        print(f"  neuron panel costs <= 1.3x the render without it at 1280x720: "
              f"{'met' if goals['neuron'] <= 1.3 else 'NOT met'} ({goals['neuron']:.2f}x)")
    if "share" in sections:
        got = goals["share"]
        for fmt, most in (("gif", 3e6), ("webp", 1.5e6)):
            size, quality, cost = got[fmt]
            print(f"  {fmt}: at most {most / 1e6:g} MB and last frame >= 25 dB from the poster: "
                  f"{'met' if size <= most and quality >= 25 else 'NOT met'} "
                  f"({size / 1e6:.2f} MB, {quality:.1f} dB)")
        print(f"  adding gif to a default render costs <= 1.3x: "
              f"{'met' if got['gif'][2] <= 1.3 else 'NOT met'} ({got['gif'][2]:.2f}x)")
    if goals.get("scenes"):
        worst = max(goals["scenes"].values())
        print(f"  a change costs <= 1.15x a default render at 1280x720 (--against): "
              f"{'met' if worst <= 1.15 else 'NOT met'} (worst {worst:.2f}x)")
    print(f"\n(work files in {tmp})")


def neuron_scenes(args, tmp: Path) -> float:
    """The neuron scenes, whole renders at their own steps (linear_regression with its neuron
    panel: fit,neuron,loss); then the neuron panel's cost."""
    print("\nthe neuron scenes at their own steps, all three formats + poster, no hold (seconds):")
    for scene, panels in (("gradient_descent", []), ("linear_regression", ["--panels", "fit,neuron,loss"]),
                          ("artificial_neuron", [])):
        log = tmp / f"neuron-{scene}" / scene / f"{scene}.npz"
        for size in SIZES:
            s = f"{size[0]}x{size[1]}"
            common = ["--size", s, "--hold", "0", "-q", *panels]
            with_train = median_time(NNVIZ + ["render", scene, "--out", str(tmp / f"neuron-{scene}"),
                                              *common], args.repeat)
            without = median_time(NNVIZ + ["render", "--from", str(log), "--out",
                                           str(tmp / "neuron-from"), *common], args.repeat)
            frames = len(nnviz.load(log))
            print(f"  {scene:20} {s:>9} {with_train:6.2f} with training  {without:6.2f} from the log"
                  f"  ({frames} frames, {1000 * without / frames:5.1f} ms a frame)", flush=True)
    times = {}
    for label, panels in (("without", "boundary,loss"), ("with", "boundary,neuron,loss")):
        times[label] = median_time(NNVIZ + ["render", "artificial_neuron", "--panels", panels, "--out",
                                            str(tmp / f"neuron-{label}"), "--hold", "0", "-q"],
                                   args.repeat)
    ratio = times["with"] / times["without"]
    print(f"  neuron panel, artificial_neuron 1280x720: {times['without']:6.2f} without  "
          f"{times['with']:6.2f} with  ratio {ratio:.2f}x", flush=True)
    return ratio


def sharing(args, tmp: Path) -> dict:
    """GIF and WebP added to a default render of xor_two_classes (webm, ogv, mp4; training
    included): their size, PSNR and cost; and, stricter, beside mp4 alone without training."""
    from PIL import Image

    from nnviz.encode.check import decode_animation, psnr
    print("\nsharing: xor_two_classes at the defaults (1280x720, 25 fps, 1 s hold), seconds:")
    log = nnviz.train("xor_two_classes", out=tmp / "share-log")
    result = {}
    for label, base, command in (
            ("a default render (webm,ogv,mp4, training included)", "webm,ogv,mp4",
             ["render", "xor_two_classes"]),
            ("mp4 alone from the log (no training)", "mp4", ["render", "--from", str(log.path)])):
        print(f"  added to {label}:")
        times = {}
        for formats in (base, f"{base},gif", f"{base},webp"):
            runs = [timed(NNVIZ + [*command, "--formats", formats, "--out", str(tmp / "share"),
                                   "-q"]) for _ in range(args.repeat)]
            times[formats] = statistics.median(runs)
            print(f"    --formats {formats:18} {times[formats]:6.2f} s "
                  f"({times[formats] / times[base]:.2f}x)", flush=True)
            if formats == base:
                continue
            fmt = formats.rsplit(",", 1)[1]
            path = tmp / "share" / "xor_two_classes" / f"xor_two_classes.{fmt}"
            meta = decode_animation(path, path.name)
            poster = Image.open(path.with_suffix(".png")).convert("RGB").resize(meta["size"],
                                                                               Image.LANCZOS)
            quality = psnr(meta["last"], np.asarray(poster))
            result.setdefault(fmt, (path.stat().st_size, quality, times[formats] / times[base]))
            print(f"      {fmt}: {path.stat().st_size / 1e6:.2f} MB, {meta['size'][0]}x"
                  f"{meta['size'][1]}, {meta['frames']} frames over {meta['duration']:g} s, "
                  f"last frame {quality:.1f} dB from the poster", flush=True)
    return result



LONG_STEPS, WINDOW = 12_000, 1000


def long_run(tmp: Path) -> float:
    """Frames/s drawn (no encoding) at the start and at the end of a 12,000-snapshot log."""
    log = nnviz.train("linear_regression", out=tmp / "long", steps=LONG_STEPS, seed=0, every=1)
    renderer = FrameRenderer(log, (640, 480))
    marks = {}
    for i, _ in enumerate(renderer.frames()):
        if i in (0, LONG_STEPS - WINDOW):
            marks[i] = time.perf_counter()
        elif i in (WINDOW, LONG_STEPS):
            marks[i] = time.perf_counter()
    start = WINDOW / (marks[WINDOW] - marks[0])
    end = WINDOW / (marks[LONG_STEPS] - marks[LONG_STEPS - WINDOW])
    print(f"\nlong run: linear_regression, {LONG_STEPS + 1:,} snapshots, 640x480, drawing only:\n"
          f"  frames 0-{WINDOW}: {start:6.0f} frames/s\n"
          f"  frames {LONG_STEPS - WINDOW:,}-{LONG_STEPS:,}: {end:6.0f} frames/s  ({end / start:.2f}x)",
          flush=True)
    return end / start


def network_panel(args, tmp: Path) -> list[float]:
    """Whole renders at 1280x720, training included, with and without the network panel."""
    print("\nthe network and gradients panels at 1280x720 (whole render, training included, seconds):")
    ratios = []
    for scene, picture, view in (("xor_two_classes", "boundary", "network"),
                                 ("non_linear_regression_tanh", "fit", "network"),
                                 ("xor_two_classes", "boundary", "gradients")):
        times = {}
        for label, panels in (("without", f"{picture},loss"), ("with", f"{picture},{view},loss")):
            runs = [timed(NNVIZ + ["render", scene, "--panels", panels, "--out", str(tmp / f"net-{label}"),
                                   "--hold", "0", "-q"]) for _ in range(args.repeat)]
            times[label] = statistics.median(runs)
        ratios.append(times["with"] / times["without"])
        print(f"  {view:9} {scene:28} {times['without']:6.2f} without  {times['with']:6.2f} with  "
              f"ratio {ratios[-1]:.2f}x", flush=True)
    return ratios


def several_runs(args, tmp: Path) -> list[float]:
    """Several runs in one video (nnviz.runs): drawing cost per frame against one run's.

    `--from` renders (training excluded), 1280x720 and 640x480, 201 snapshots, no hold, webm:
    one run of xor_two_classes, then the same scene's `compare --lr` with 2, 4 and 9 runs, and
    `compare linear_regression --optimizer` with the shared landscape.
    """
    print("\nseveral runs, drawing and encoding only (--from, 201 frames, webm), seconds:")
    made = tmp / "runs"
    subprocess.run(NNVIZ + ["render", "xor_two_classes", "--steps", "200", "--out", str(made / "one"),
                            "--formats", "webm", "-q"], check=True)
    cases = [("xor_two_classes 1 run", made / "one" / "xor_two_classes" / "xor_two_classes.npz")]
    for n, lrs in ((2, "0.003,0.03"), (4, "0.003,0.01,0.03,0.1"),
                   (9, "0.002,0.003,0.005,0.01,0.02,0.03,0.05,0.07,0.1")):
        subprocess.run(NNVIZ + ["compare", "xor_two_classes", "--lr", lrs, "--steps", "200",
                                "--out", str(made / str(n)), "--formats", "webm", "-q"], check=True)
        cases.append((f"xor_two_classes {n} runs", made / str(n) / "xor_two_classes-compare" / "runs"))
    subprocess.run(NNVIZ + ["compare", "linear_regression", "--optimizer", "sgd,momentum,adam",
                            "--panels", "fit,landscape,loss", "--steps", "200", "--out",
                            str(made / "land"), "--formats", "webm", "-q"], check=True)
    cases.append(("linear_regression 3 runs + landscape", made / "land" / "linear_regression-compare" / "runs"))
    ratios = []
    for size in SIZES:
        base = None
        for label, source in cases:
            t = median_time(NNVIZ + ["render", "--from", str(source), "--size", f"{size[0]}x{size[1]}",
                                     "--hold", "0", "--formats", "webm", "--out",
                                     str(made / f"r{size[0]}"), "-q"], args.repeat)
            base = base or t
            ratios.append(t / base)
            print(f"  {size[0]}x{size[1]} {label:38} {t:6.2f}  ({t / base:.2f}x one run)",
                  flush=True)
    return ratios


def speed(args, tmp: Path, goals: dict) -> None:
    """The timing table, then the encoder settings' SSIM and sizes on the same frames."""
    print(f"nnviz {nnviz.__version__}; {STEPS} steps, a snapshot every step ({STEPS + 1} frames, "
          f"no hold), all three formats + poster; seconds of wall time\n")
    head = (f"{'scene':28} {'size':>9} {'nnviz':>7} {'nnviz':>7} {'original':>9} {'encode':>7} "
            f"{'original/':>10} {'nnviz/':>8}")
    print(head)
    print(f"{'':28} {'':>9} {'+train':>7} {'-train':>7} {'+train':>9} {'only':>7} {'nnviz':>10} {'encode':>8}")
    floors = {}
    for scene in SCENES:
        log = tmp / scene / f"{scene}.npz"
        subprocess.run(NNVIZ + ["train", scene, "--steps", str(STEPS), "--every", "1", "--out", str(tmp)],
                       check=True, stdout=subprocess.DEVNULL)
        for size in SIZES:
            s = f"{size[0]}x{size[1]}"
            common = ["--size", s, "--hold", "0", "-q"]
            with_train = median_time(NNVIZ + ["render", scene, "--steps", str(STEPS), "--every", "1",
                                              "--out", str(tmp / "with"), *common], args.repeat)
            without = median_time(NNVIZ + ["render", "--from", str(log), "--out", str(tmp / "without"),
                                           *common], args.repeat)
            recipe_dir = tmp / f"recipe_{scene}_{size[0]}"
            original = timed([sys.executable, str(HERE / "original_recipe.py"), scene, str(recipe_dir),
                              "--size", s, "--steps", str(STEPS), "--train"])
            floor, raw = encode_only(log, size, tmp / scene)
            floors[(scene, size)] = (raw, recipe_dir)
            goals["floor"].append(without / floor)
            if size == (640, 480):
                goals["speedup_640"].append(original / with_train)
            print(f"{scene:28} {s:>9} {with_train:7.2f} {without:7.2f} {original:9.2f} {floor:7.2f} "
                  f"{original / with_train:9.1f}x {without / floor:7.2f}x", flush=True)

    print("\nencoder settings (nnviz's) on the same frames; SSIM against the source frames, mean and "
          "worst frame;\n'yuv420p' compares in the output's own pixel format (the encoder's loss), "
          "'rgb' in RGB\n(4:2:0 chroma alone caps that near 0.99); size against the original recipe's file")
    for (scene, size), (raw, recipe_dir) in floors.items():
        for fmt in DEFAULT.values():
            video = raw.parent / f"floor_{size[0]}.{fmt.extension}"
            mean, worst = ssim(video, raw, size, "yuv420p")
            rgb, _ = ssim(video, raw, size, "rgb24")
            ours, theirs = video.stat().st_size, (recipe_dir / f"recipe.{fmt.extension}").stat().st_size
            print(f"  {scene:28} {size[0]:>4}x{size[1]:<4} {fmt.name:4} SSIM yuv420p {mean:.4f} "
                  f"(worst {worst:.4f}) rgb {rgb:.4f}  {ours / 1e3:7.0f} kB vs original "
                  f"{theirs / 1e3:7.0f} kB  [{fmt.codec} {' '.join(fmt.args)}]", flush=True)


RACE = "race"   # compare linear_regression --optimizer sgd,momentum,adam: the landscape race


def scene_costs(args, tmp: Path) -> dict:
    """Every built-in scene (and the optimiser race) at 1280x720 from its log: seconds to draw
    every frame in this process, and a whole default render from the log (encoding included).
    Returns each figure's ratio to the --against file's (empty without one)."""
    import json

    from nnviz.draw.runframes import RunsRenderer
    from nnviz.learn.runs import check_set
    names = args.scenes.split(",") if args.scenes else [*nnviz.builtin_scenes(), RACE]
    size = (1280, 720)
    print("\nscenes at 1280x720 from their logs, seconds (draw: frames alone; render: "
          "webm,ogv,mp4 + poster, --hold 0):")
    figures = {}
    for name in names:
        if name == RACE:
            folder = tmp / "race"
            subprocess.run(NNVIZ + ["compare", "linear_regression", "--optimizer",
                                    "sgd,momentum,adam", "--out", str(folder), "-q"], check=True)
            source = folder / "linear_regression-compare" / "runs"
            logs = check_set([nnviz.load(p) for p in sorted(source.glob("*.npz"))])
            make = lambda: RunsRenderer(logs, size)
        else:
            from nnviz.learn import runs
            if runs.plan(nnviz.resolve(name)()) is None:
                make = lambda log=nnviz.train(name, out=tmp / "scene-logs"): FrameRenderer(log, size)
                source = tmp / "scene-logs" / name / f"{name}.npz"
            else:   # several runs: rendered once small (untimed) for their logs
                subprocess.run(NNVIZ + ["render", name, "--size", "320x240", "--formats", "mp4",
                                        "--out", str(tmp / "scene-logs"), "-q"], check=True)
                source = tmp / "scene-logs" / name / "runs"
                logs = check_set([nnviz.load(p) for p in sorted(source.glob("*.npz"))])
                make = lambda logs=logs: RunsRenderer(logs, size)

        def draw():
            start = time.perf_counter()
            for _ in make().frames():
                pass
            return time.perf_counter() - start
        drawn = statistics.median(draw() for _ in range(args.repeat))
        whole = median_time(NNVIZ + ["render", "--from", str(source), "--size", "1280x720",
                                     "--hold", "0", "--out", str(tmp / "scene-renders"), "-q"],
                            args.repeat)
        figures[name] = {"draw": drawn, "render": whole}
        print(f"  {name:34} draw {drawn:6.2f}  render {whole:6.2f}", flush=True)
    if args.save:
        Path(args.save).write_text(json.dumps(figures, indent=1))
    ratios = {}
    if args.against:
        before = json.loads(Path(args.against).read_text())
        print(f"  against {args.against} (now / then):")
        for name, now in figures.items():
            if name in before:
                ratios[name] = now["render"] / before[name]["render"]
                print(f"  {name:34} draw {now['draw'] / before[name]['draw']:5.2f}x  "
                      f"render {ratios[name]:5.2f}x")
    return ratios


if __name__ == "__main__":
    main()
