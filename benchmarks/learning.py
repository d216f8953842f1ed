"""Does every built-in scene learn on every seed? The pass rate of each scene's own check.

Trains each registered scene that says what learning means for it (defines
`learning_problems`) on every seed, with the core only (no drawing; one snapshot at the end,
which does not change the run), and asks the scene whether the run learned. Prints one row per
scene: passes, the failing seeds with their reasons, and the wall time of its runs.

    python benchmarks/learning.py [--seeds 0-99] [--scenes a,b] [--jobs 2]

The goal (README "How learning is checked"): at least 98 of seeds 0-99 for every scene.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nnviz
from nnviz.run.pool import single_threaded_blas
from nnviz.learn.scene import Scene
from nnviz.log.record import train


def checked_scenes() -> list[str]:
    """Registered scenes that define their own learning_problems (the default claims nothing)."""
    return [name for name, cls in nnviz.builtin_scenes().items()
            if cls.learning_problems is not Scene.learning_problems]


def problems(name: str, seed: int) -> tuple[str, int, list[str], float]:
    """Train scene `name` on `seed` into a temporary log; its learning problems and the time."""
    scene = nnviz.resolve(name)()
    start = time.perf_counter()
    with single_threaded_blas(), tempfile.TemporaryDirectory() as tmp:
        log = train(scene, Path(tmp) / "log.npz", every=scene.steps, seed=seed)
        found = scene.learning_problems(log)
    return name, seed, found, time.perf_counter() - start


def seed_range(text: str) -> list[int]:
    """'0-99' or '3' or '1,5,9-12' as a list of seeds."""
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds.extend(range(int(lo), int(hi or lo) + 1))
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seed_range, default=seed_range("0-99"),
                        help="seeds to train, e.g. 0-99 or 0-19,40 (default 0-99)")
    parser.add_argument("--scenes", default=None,
                        help="comma list of scenes (default: every scene with learning_problems)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args()
    names = args.scenes.split(",") if args.scenes else checked_scenes()

    results: dict[str, list] = {name: [] for name in names}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        tasks = [pool.submit(problems, name, seed) for name in names for seed in args.seeds]
        for task in tasks:
            name, seed, found, seconds = task.result()
            results[name].append((seed, found, seconds))

    width = max(map(len, names))
    print(f"{'scene':<{width}}  passes  time (s, all seeds)  failing seeds")
    for name in names:
        runs = results[name]
        failed = [(seed, found) for seed, found, _ in runs if found]
        seconds = sum(s for *_, s in runs)
        print(f"{name:<{width}}  {len(runs) - len(failed):>3}/{len(runs):<3} {seconds:>8.1f}"
              f"             {', '.join(str(seed) for seed, _ in failed) or '-'}")
        for seed, found in failed:
            print(f"{'':<{width}}    seed {seed}: {'; '.join(found)}")


if __name__ == "__main__":
    main()
