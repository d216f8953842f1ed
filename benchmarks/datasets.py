"""Do the built-in datasets of `nnviz render --data NAME` learn with their defaults?

Trains each of Playground's datasets (circle, xor, gauss, spiral, plane, multi-gauss) with
nnviz's defaults for it (nnviz.learn.datascene.DEFAULTS) on every seed, core only (one snapshot
at the end: the same run), and counts the runs reaching validation accuracy >= 95 %
(classification) or R² >= 0.95 in the data's units (regression). The goal (issue 23): at least
98 of seeds 0-99 for every dataset.

    nice python benchmarks/datasets.py [--seeds 0-99] [--datasets circle,spiral] [--jobs 2]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from nnviz.learn import playground
from nnviz.learn.datascene import DataScene
from nnviz.log.record import train
from nnviz.run.pool import single_threaded_blas


def run(name: str, seed: int) -> tuple[str, int, list[str], float]:
    scene = DataScene(name)
    start = time.perf_counter()
    with single_threaded_blas(), tempfile.TemporaryDirectory() as tmp:
        log = train(scene, Path(tmp) / "log.npz", every=scene.steps, seed=seed)
        found = scene.learning_problems(log)
    return name, seed, found, time.perf_counter() - start


def seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-99")
    parser.add_argument("--datasets", default=",".join(playground.NAMES))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    names, chosen = args.datasets.split(","), seeds(args.seeds)
    results = {n: [] for n in names}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, seed, found, took in pool.map(run, *zip(*[(n, s) for n in names for s in chosen])):
            results[name].append((seed, found, took))
    print(f"{'dataset':<12} {'learned':>9}  {'s/run':>6}  failing seeds")
    for name, rows in results.items():
        fails = [f"{s} ({'; '.join(f)})" for s, f, _ in rows if f]
        mean = sum(t for *_, t in rows) / len(rows)
        print(f"{name:<12} {len(rows) - len(fails):>4}/{len(rows):<4}  {mean:6.2f}  "
              f"{', '.join(fails[:6]) or '-'}{' ...' if len(fails) > 6 else ''}")


if __name__ == "__main__":
    main()
