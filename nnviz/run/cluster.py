"""Jobs on a Dask cluster (`--scheduler tcp://HOST:8786`, `scheduler=` in the API).

We do not write a scheduler: Dask's distributed one (the optional extra `nnviz[cluster]`)
places each job (one scene's training and rendering, see nnviz.run.jobs) on a worker. Workers
share no disk with us: each renders into its own temporary folder and sends the files back,
and we commit them into OUT here, atomically, exactly as a local render commits.

Only this module imports dask, and only when a scheduler is given.

Security: a Dask scheduler runs whatever pickled code its clients send, and we unpickle what
its workers return. Never expose a scheduler's port beyond machines you trust.
"""
from __future__ import annotations

import threading
import time
import uuid
from contextlib import suppress
from typing import Iterator

from ..errors import NnvizError
from .connect import CONNECT_TIMEOUT, bounded, check_address, close, connect, distributed_module, seconds
from .jobs import Job, render_runs_detached, run_count, run_detached, train_run_detached

NO_WORKER_GRACE = 30.0   # seconds a cluster may have no worker before a render gives up


POLL = 0.2   # seconds between looks at the jobs while waiting


class _Watch:
    """While we wait on the jobs: is the scheduler still answering, and has it a worker?

    A job's future only says `pending` while its worker is gone or stopped, and a scheduler
    that stopped (or a network that dropped) says nothing at all. So every second the
    scheduler is asked how many workers it has, one question at a time, each bounded: no
    answer for `answer` seconds, or no worker for `grace` seconds, ends the wait in one line.
    A stopped worker still counts as one until the scheduler drops it after its worker-ttl
    (Dask's distributed.scheduler.worker-ttl, 5 minutes by default); its job then moves on.
    """

    def __init__(self, client, address: str, answer: float, grace: float):
        self.client, self.address, self.answer, self.grace = client, address, answer, grace
        self.heard = time.monotonic()   # the scheduler's last answer
        self.empty_since = None   # when it first said it had no worker
        self.asked, self.box, self.thread = 0.0, {}, None

    def _ask(self):
        box, asked = {}, time.monotonic()

        def run():
            try:
                box["workers"] = len(self.client.nthreads())
            except BaseException as e:   # noqa: BLE001 - no answer
                box["error"] = e
            box["asked"] = asked

        self.box, self.asked = box, asked
        self.thread = threading.Thread(target=run, name="nnviz-dask-watch", daemon=True)
        self.thread.start()

    def check(self) -> None:
        """Raise NnvizError if the cluster cannot finish the jobs."""
        now = time.monotonic()
        if self.thread is not None and not self.thread.is_alive():
            if "workers" in self.box:
                self.heard = max(self.heard, self.box["asked"])
                if self.box["workers"]:
                    self.empty_since = None
                elif self.empty_since is None:
                    self.empty_since = self.box["asked"]
            self.thread = None
        if self.thread is None and now - self.asked >= 1.0:
            self._ask()
        if now - self.heard > self.answer:
            raise NnvizError(f"the Dask scheduler at {self.address} has not answered for "
                             f"{self.answer:g} s (did it stop, or the network drop?); run "
                             f"again")
        if self.empty_since is not None and now - self.empty_since > self.grace:
            raise NnvizError(f"no Dask worker is left at the scheduler at {self.address} "
                             f"(none for {self.grace:g} s: did they stop?); start "
                             f"workers with `dask worker {self.address} --nthreads 1` and "
                             f"run again")


def run_on_cluster(jobs: list[Job], address: str) -> Iterator[tuple[Job, object]]:
    """Send every job to the cluster; yield (job, Detached or error) as each comes back.

    A job that fails (its own error, every worker it was given died, or a result that cannot
    be read) fails alone. A cluster that cannot finish anything (the scheduler gone, stopped or
    unreachable for NNVIZ_CLUSTER_TIMEOUT seconds, no worker left for NNVIZ_CLUSTER_GRACE
    seconds) fails every job not yet back with one NnvizError; those back already are
    committed with the rest (nnviz.run.jobs.finish). On the way out for any
    reason (that, Ctrl-C, an error, the caller closing us) the jobs' futures are cancelled:
    nothing not started runs, and a running job's files are dropped (Dask cannot stop a
    running task; the worker finishes it and deletes its folder).
    """
    started = time.monotonic()
    check_address(address)
    answer = seconds("NNVIZ_CLUSTER_TIMEOUT", CONNECT_TIMEOUT)
    grace = seconds("NNVIZ_CLUSTER_GRACE", NO_WORKER_GRACE)
    distributed = distributed_module()
    wires = [job.detached() for job in jobs]   # scene files read before the cluster is asked
    client = connect(address, answer, started)
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
        watch = _Watch(client, address, answer, grace)
        while futures:
            ready = [future for future in futures if future.done()]
            fault = None
            if not ready:
                try:
                    watch.check()
                except NnvizError as e:
                    fault = e
            elif any(future.status == "cancelled" for future in ready):   # only the scheduler does
                fault = NnvizError(f"the Dask scheduler at {address} dropped the work (did the "
                                   f"scheduler stop or restart?); run again")
            if fault is not None:   # nothing more will finish: every job left fails with it
                _cancel(client, futures, parts)
                for job in [job for job in jobs if job in futures.values()]:
                    yield job, fault
                return
            if not ready:
                time.sleep(POLL)
                continue
            for future in ready:
                job = futures.pop(future)
                outcome = _outcome(distributed, future, answer)
                for done in (future, *parts.pop(future, ())):
                    done.release()   # its bytes are here now
                yield job, outcome
    except BaseException:
        _cancel(client, futures, parts)
        raise
    finally:
        close(client)


def _cancel(client, futures, parts) -> None:
    """Cancel the jobs not yet back, within 2 s (a scheduler that is gone does not answer)."""
    with suppress(BaseException):
        pending = [*futures, *(f for fs in parts.values() for f in fs)]
        bounded(lambda: client.cancel(pending, force=True), time.monotonic() + 2)


def _outcome(distributed, future, answer: float):
    """A finished job's result (its files, committed by nnviz.run.jobs.finish), or its one-line
    error."""
    fetch = max(60.0, 6 * answer)   # its files' bytes come from the worker that made them
    try:
        made = future.result(timeout=fetch)
    except (NnvizError, OSError) as e:
        if isinstance(e, TimeoutError):
            return NnvizError(f"its files did not come back from the worker within {fetch:g} "
                              f"s (did the worker stop?); run again")
        return e
    except distributed.KilledWorker:
        return NnvizError("every Dask worker that ran it died (out of memory?); see the "
                          "workers' logs and run again")
    except distributed.client.FutureCancelledError:
        return NnvizError("the Dask scheduler dropped it (did the scheduler stop?); run again")
    except Exception as e:   # noqa: BLE001 - a result that cannot be read, a worker's own error
        why = str(e).strip().splitlines()[0][:200] if str(e).strip() else ""
        return NnvizError(f"the cluster's result could not be used ({type(e).__name__}"
                          f"{': ' + why if why else ''}); check that every worker runs the "
                          f"same nnviz version, and its log")
    return made   # nnviz.run.jobs.deliver checks what it is
