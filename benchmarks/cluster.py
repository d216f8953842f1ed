"""A sweep on a Dask cluster against the local process pool: the same 24 renders both ways.

The sweep: xor_two_classes at 640x480 for 4 learning rates x 6 seeds, each render into its own
OUT folder (OUT/lr0.003-seed0/xor_two_classes/...), all formats, poster, log and page. Run
  1. by the local process pool, `jobs` processes (nnviz.render_many(..., jobs=2));
  2. on a local Dask cluster of `workers` single-threaded worker processes
     (nnviz.render_many(..., scheduler=ADDRESS)), the cluster started before the clock starts.
Both print their wall time; the cluster run also checks that every poster and log is
byte-identical to the pool's. On one machine the cluster cannot be faster: it does the same
work plus sending every file back; the point is the overhead, which a real cluster of
several machines pays once per render while it multiplies the cores.

    python benchmarks/cluster.py [--jobs 2] [--size 640x480] [--steps N] [--formats LIST]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nnviz

LRS = (0.003, 0.01, 0.03, 0.1)
SEEDS = range(6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="pool processes and cluster workers")
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--steps", type=int, default=None, help="default: the scene's (200)")
    parser.add_argument("--formats", default="webm,ogv,mp4")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    common = dict(size=size, steps=args.steps, formats=args.formats.split(","))

    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        def sweep(root):
            return [dict(scene="xor_two_classes", lr=lr, seed=seed,
                         out=Path(tmp, root, f"lr{lr}-seed{seed}")) for lr in LRS for seed in SEEDS]

        start = time.perf_counter()
        pool = nnviz.render_many(sweep("pool"), jobs=args.jobs, **common)
        pool_time = time.perf_counter() - start

        start = time.perf_counter()
        with LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            ready = time.perf_counter() - start
            start = time.perf_counter()
            remote = nnviz.render_many(sweep("cluster"), scheduler=cluster.scheduler_address,
                                       **common)
            cluster_time = time.perf_counter() - start

        same = all(a.files[k].read_bytes() == b.files[k].read_bytes()
                   for a, b in zip(pool, remote) for k in ("npz", "png"))
        size_mb = sum(p.stat().st_size for r in remote for p in r.files.values()) / 1e6
        n = len(pool)
        print(f"{n} renders of xor_two_classes at {args.size}, {'+'.join(common['formats'])}, "
              f"poster, log, page ({size_mb:.1f} MB sent back from the workers)")
        print(f"  local process pool, {args.jobs} jobs:            {pool_time:7.1f} s  "
              f"({pool_time / n:.2f} s per render)")
        print(f"  local Dask cluster, {args.jobs} workers x 1 thread: {cluster_time:7.1f} s  "
              f"({cluster_time / n:.2f} s per render; cluster start {ready:.1f} s not counted)")
        print(f"  logs and posters byte-identical: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
