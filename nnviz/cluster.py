"""Jobs on a Dask cluster (`--scheduler tcp://HOST:8786`, `scheduler=` in the API).

We do not write a scheduler: Dask's distributed one (the optional extra `nnviz[cluster]`)
places each job (one scene's training and rendering, see nnviz.jobs) on a worker. Workers
share no disk with us: each renders into its own temporary folder and sends the files back,
and we commit them into OUT here, atomically, exactly as a local render commits.

Only this module imports dask, and only when a scheduler is given.

Security: a Dask scheduler runs whatever pickled code its clients send, and we unpickle what
its workers return. Never expose a scheduler's port beyond machines you trust.
"""
from __future__ import annotations

import socket
import uuid
import warnings
from typing import Iterator

from .errors import NnvizError, UsageError
from .jobs import (Job, render_runs_detached, run_count, run_detached,
                   train_run_detached)

CONNECT_TIMEOUT = 10.0   # seconds: a scheduler on a LAN answers in milliseconds
SAME_VERSIONS = ("nnviz", "numpy", "matplotlib")   # the same bytes need the same versions


def _distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError("--scheduler needs Dask's distributed scheduler, which is not "
                         "installed; pip install 'nnviz[cluster]'") from None
    return distributed


def _fix(address: str) -> str:
    return (f"start one there with `dask scheduler` and workers with `dask worker {address} "
            f"--nthreads 1`, or correct --scheduler")


def check_address(address: str) -> tuple[str, int]:
    """HOST and PORT of a `tcp://HOST:PORT` (or `HOST:PORT`) scheduler address."""
    from distributed.comm.addressing import parse_address, parse_host_port
    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as e:
        raise UsageError(f"--scheduler {address!r} is not a scheduler address ({e}); give "
                         f"tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786") from None
    if scheme != "tcp":
        raise UsageError(f"--scheduler {address!r}: nnviz connects over tcp only; give "
                         f"tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    return host, port


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A Dask client of the scheduler at `address`, with at least one worker whose nnviz,
    NumPy and matplotlib are the versions we have: else one line saying what to fix.

    The address is probed with a plain socket first: a Client that fails to connect lingers
    and prints a traceback when collected, which a one-line error must not be followed by.
    """
    distributed = _distributed()
    host, port = check_address(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        why = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise NnvizError(f"cannot reach the Dask scheduler at {address} ({why}); "
                         f"{_fix(address)}") from None
    with warnings.catch_warnings():   # Dask's version table: we check what matters below
        warnings.simplefilter("ignore")
        try:
            client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except OSError as e:
            raise NnvizError(f"cannot connect to the Dask scheduler at {address} ({e}); "
                             f"{_fix(address)}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise NnvizError(f"the Dask scheduler at {address} has no workers after "
                             f"{timeout:g} s; start them with `dask worker {address} "
                             f"--nthreads 1` on each machine") from None
        _check_versions(client)
    except BaseException:
        client.close()
        raise
    return client


def _check_versions(client) -> None:
    """Every worker runs the nnviz, NumPy and matplotlib we run: the same log and poster
    bytes wherever a job ran (and the same job format)."""
    from importlib.metadata import PackageNotFoundError, version
    for package in SAME_VERSIONS:
        ours = version(package)
        theirs = client.run(version, package, on_error="return")
        for worker, found in sorted(theirs.items()):
            if isinstance(found, PackageNotFoundError):
                found = "none"
            elif isinstance(found, BaseException):
                found = f"unknown ({type(found).__name__})"
            if found != ours:
                raise NnvizError(f"worker {worker} has {package} {found}, this machine "
                                 f"{ours}; install the same nnviz, NumPy and matplotlib "
                                 f"versions on every worker")


def run_on_cluster(jobs: list[Job], address: str) -> Iterator[tuple[Job, object]]:
    """Send every job to the cluster; yield (job, Detached or error) as each comes back.

    A job that fails (its own error, or every worker it was given died) fails alone. On the
    way out for any other reason (Ctrl-C, an error, the caller closing us) the jobs' futures
    are cancelled: nothing not started runs, and a running job's files are dropped (Dask
    cannot stop a running task; the worker finishes it and deletes its folder).
    """
    distributed = _distributed()
    wires = [job.detached() for job in jobs]   # scene files read before the cluster is asked
    client = connect(address)
    futures, parts = {}, {}   # the final future of each job; a comparison's run futures
    try:
        for job, wire in zip(jobs, wires):
            key = f"nnviz-{job.action}-{job.label}-{uuid.uuid4().hex[:8]}"
            if job.action == "compare":   # each run on a worker, then one renders them all
                trained = [client.submit(train_run_detached, wire, i, key=f"{key}-run{i}",
                                         pure=False) for i in range(run_count(job))]
                final = client.submit(render_runs_detached, wire, *trained, key=key, pure=False)
                futures[final], parts[final] = job, trained
            else:
                futures[client.submit(run_detached, wire, key=key, pure=False)] = job
        for future in distributed.as_completed(list(futures), loop=client.loop):
            job = futures.pop(future)
            try:
                outcome = future.result()   # committed by nnviz.jobs.finish, with the rest
            except (NnvizError, OSError) as e:
                outcome = e
            except distributed.KilledWorker:
                outcome = NnvizError(f"every Dask worker that ran it died (out of memory?); "
                                     f"see the workers' logs and run again")
            except distributed.client.FutureCancelledError:
                outcome = NnvizError(f"the Dask scheduler at {address} dropped it (did the "
                                     f"scheduler stop?); run again")
            for done in (future, *parts.pop(future, ())):
                done.release()   # its bytes are here now
            yield job, outcome
    except BaseException:
        client.cancel([*futures, *(f for fs in parts.values() for f in fs)], force=True)
        raise
    finally:
        client.close()
