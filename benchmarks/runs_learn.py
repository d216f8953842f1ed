"""How many seeds each run of a scene with several runs learns on (scene.learning_problems).

Train only, one snapshot at the start and one at the end (the schedule does not change the
training), every run on seeds 0..N-1, in parallel processes:

    nice -n 10 python benchmarks/runs_learn.py activation_functions [--seeds 100] [--steps N]
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import tempfile
from pathlib import Path

from nnviz.learn import runs
from nnviz.learn.scene import resolve
from nnviz.learn.scene_checks import instantiate
from nnviz.log.record import train


def one(spec, index, seed, steps, lr, folder):
    scene = instantiate(resolve(spec))
    run = runs.plan(scene)[index]
    steps = steps or run.scene.steps
    path = Path(folder) / f"{index}-{seed}.npz"
    try:
        log = train(run.scene, path, steps=steps, every=steps, seed=seed, lr=lr)
    except Exception as e:   # a diverging run did not learn
        return run.label, seed, [str(e)]
    return run.label, seed, scene.learning_problems(log)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scene")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    plan = runs.plan(instantiate(resolve(args.scene)))
    failed = {run.label: [] for run in plan}
    with tempfile.TemporaryDirectory() as folder, cf.ProcessPoolExecutor(args.jobs) as pool:
        jobs = [pool.submit(one, args.scene, run.index, seed, args.steps, args.lr, folder)
                for run in plan for seed in range(args.seeds)]
        for job in cf.as_completed(jobs):
            label, seed, problems = job.result()
            if problems:
                failed[label].append((seed, problems[0]))
    for label, bad in failed.items():
        print(f"{label:>12}: learns on {args.seeds - len(bad)} of {args.seeds} seeds"
              + (f"; fails on {', '.join(f'{s} ({p})' for s, p in sorted(bad)[:5])}" if bad else ""))


if __name__ == "__main__":
    main()
