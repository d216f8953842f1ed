"""Does a large CSV render about as fast as a small one? (issue 23: a 100,000-row CSV renders
within 1.5x of a 1,000-row one, memory bounded.)

Writes two CSVs of the same two-input, two-class problem (a noisy circle, seeded), 1,000 and
100,000 rows, and renders each as a whole process from outside, the way a user does:

    nnviz render --data FILE.csv --quick --formats mp4

printing per size the best wall time of --repeat runs, the process's peak resident memory
(ru_maxrss of the child, its ffmpeg included as the larger of the two), the log's size on disk
and the ratio of the large render's time to the small one's. Then, in this process, the CSV's
load time alone (the goal: under a second).

    nice python benchmarks/large_data.py [--repeat 3] [--rows 1000,100000]

(renders run in a temporary folder: `python -m nnviz` is the nnviz installed for that Python,
so another checkout's venv measures that checkout.)
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NNVIZ = [sys.executable, "-m", "nnviz"]


def write_csv(path: Path, rows: int) -> None:
    """A noisy circle: class 1 inside radius 2.5 of a [-5, 5]² square, 5 % labels flipped."""
    rng = np.random.default_rng(23)
    x = rng.uniform(-5, 5, (rows, 2))
    label = (np.hypot(x[:, 0], x[:, 1]) < 2.5).astype(int)
    flip = rng.random(rows) < 0.05
    label[flip] = 1 - label[flip]
    with path.open("w") as f:
        f.write("x1,x2,label\n")
        for (a, b), c in zip(x, label):
            f.write(f"{a:.5f},{b:.5f},{c}\n")


def render(csv: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB of the render process or its largest child) of one render."""
    start = time.perf_counter()
    proc = subprocess.Popen([*NNVIZ, "render", "--data", str(csv), "--quick", "--formats", "mp4",
                             "--out", str(out), "-q"], cwd=out.parent)   # the installed nnviz
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"render of {csv.name} failed")
    # ru_maxrss of wait4 is this child's own; its ffmpeg is a grandchild, counted under
    # RUSAGE_CHILDREN of the child only, so it is not in here: nnviz's Python process alone
    return seconds, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", default="1000,100000")
    args = parser.parse_args()
    sizes = [int(r) for r in args.rows.split(",")]
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for rows in sizes:
            csv = tmp / f"rows{rows}.csv"
            write_csv(csv, rows)
            runs = [render(csv, tmp / "out") for _ in range(args.repeat)]
            best = min(s for s, _ in runs)
            peak = max(m for _, m in runs)
            log = tmp / "out" / csv.stem / f"{csv.stem}.npz"
            times[rows] = best
            print(f"{rows:>9,} rows  render {best:6.2f} s (best of {args.repeat}: "
                  f"{', '.join(f'{s:.2f}' for s, _ in runs)})  peak RSS {peak:6.0f} MB  "
                  f"log {log.stat().st_size / 1e6:6.2f} MB", flush=True)
        if len(sizes) > 1:
            print(f"ratio {sizes[-1]:,} / {sizes[0]:,} rows: "
                  f"{times[sizes[-1]] / times[sizes[0]]:.2f}x (goal: at most 1.5x)")
        from nnviz.learn.csvdata import load
        big = tmp / f"rows{sizes[-1]}.csv"
        start = time.perf_counter()
        load(big)
        print(f"load {sizes[-1]:,} rows: {time.perf_counter() - start:.2f} s (goal: under 1 s)")


if __name__ == "__main__":
    main()
