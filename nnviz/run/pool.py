"""Processes and threads on this machine: BLAS kept to one thread, and a pool of worker
processes stopped cleanly."""
from __future__ import annotations

import time

def single_threaded_blas():
    """Our matrices are small: BLAS threads only spin and take the core ffmpeg needs."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


def stop_workers(pool, patience: float = 60.0) -> None:
    """Stop a pool of render workers and wait until they have cleaned up.

    Work not started is cancelled; running workers get SIGTERM, which they record and act on
    between frames: they stop ffmpeg, remove their temporaries and report back. A worker that
    does not end within `patience` seconds is killed (the next render removes what it left).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + patience
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    pool.shutdown(wait=True)
