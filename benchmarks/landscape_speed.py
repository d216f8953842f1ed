"""Time of the loss landscape (nnviz.learn.landscape.compute) for every built-in scene.

Each scene is trained once with its default options (nnviz's core, no landscape), its logged
trajectory is read back, and compute() is timed at the default grid on one BLAS thread (as in
renders), best of --repeat. The deep sine networks (about 8,600 parameters, 700 training points)
carry the goal: at most 3 s, and at most 25 % of that scene's render time at 1280x720, which is
measured too (one whole `nnviz render` of non_linear_regression_tanh, training included, all
three formats; skip it with --no-render).

    python benchmarks/landscape_speed.py [--repeat N] [--grid G] [--no-render]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import nnviz
from nnviz.learn import landscape, nn
from nnviz.log.record import train

DEEP = "non_linear_regression_tanh"


def inputs(log):
    """What training.train hands compute(): the trajectory and the standardised training set."""
    model = nn.Sequential.from_architecture(log.meta["architecture"])
    traj = np.concatenate([log[f"param/{k}"].reshape(len(log), -1) for k in model.params], axis=1)
    x = (log["data/x_train"] - log["standardizer/x_mean"]) / log["standardizer/x_std"]
    y = (log["data/y_train"] - log["standardizer/y_mean"]) / log["standardizer/y_std"]
    return log.meta["architecture"], traj, x, y, log.meta["options"]["loss"]


def render_seconds(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nnviz", "render", DEEP, "--size", "1280x720",
                    "--out", str(folder), "-q"], check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per scene (best kept)")
    parser.add_argument("--grid", type=int, default=landscape.GRID, help="points per axis")
    parser.add_argument("--no-render", action="store_true", help="skip the render timing")
    args = parser.parse_args()
    print(f"nnviz {nnviz.__version__}, numpy {np.__version__}; grid {args.grid}x{args.grid}, "
          f"1 BLAS thread, best of {args.repeat}\n")
    print(f"{'scene':34} {'params':>7} {'snapshots':>9} {'train pts':>9} {'seconds':>8}")
    times = {}
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1, "blas"):
        for name in sorted(nnviz.builtin_scenes()):
            log = train(nnviz.resolve(name)(), Path(tmp) / f"{name}.npz")
            arch, traj, x, y, loss_name = inputs(log)
            best = np.inf
            for _ in range(args.repeat):
                start = time.perf_counter()
                landscape.compute(arch, traj, x, y, loss_name, grid=args.grid)
                best = min(best, time.perf_counter() - start)
            times[name] = best
            print(f"{name:34} {traj.shape[1]:>7,} {len(traj):>9} {len(x):>9} {best:>8.2f}")
    deep = max(times["non_linear_regression_tanh"], times["non_linear_regression_leaky_relu"])
    print(f"\ngoal: deep sine surface <= 3 s: {'met' if deep <= 3 else 'NOT met'} ({deep:.2f} s)")
    if not args.no_render:
        with tempfile.TemporaryDirectory() as tmp:
            render = render_seconds(Path(tmp))
        share = times[DEEP] / render
        print(f"goal: <= 25 % of the render of {DEEP} at 1280x720 ({render:.1f} s): "
              f"{'met' if share <= 0.25 else 'NOT met'} ({100 * share:.1f} %)")


if __name__ == "__main__":
    main()
