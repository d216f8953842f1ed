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
import threading
import time
import uuid
import warnings
from contextlib import suppress
from typing import Iterator

from .errors import NnvizError, UsageError
from .jobs import (Job, render_runs_detached, run_count, run_detached,
                   train_run_detached)

CONNECT_TIMEOUT = 10.0   # seconds: a scheduler on a LAN answers in milliseconds
NO_WORKER_GRACE = 30.0   # seconds a cluster may have no worker before a render gives up
SAME_VERSIONS = ("nnviz", "numpy", "matplotlib")   # the same bytes need the same versions
POLL = 0.2   # seconds between looks at the jobs while waiting


def seconds(name: str, default: float) -> float:
    """A bound in seconds from the environment variable `name` (NNVIZ_CLUSTER_TIMEOUT,
    NNVIZ_CLUSTER_GRACE), else `default`."""
    import math
    import os
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise UsageError(f"{name}={text!r} is not a number of seconds above 0; "
                         f"set it to e.g. {default:g}, or unset it")
    return value


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


def check_address(address) -> tuple[str, int]:
    """HOST and PORT of a `tcp://HOST:PORT` (or `HOST:PORT`, `tcp://[IPv6]:PORT`) scheduler
    address; anything else is a usage error (exit 2). Dask is not needed to tell."""
    def bad(why: str) -> UsageError:
        return UsageError(f"--scheduler {address!r} is not a scheduler address ({why}); give "
                          f"tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    if not isinstance(address, str):
        raise bad(f"a {type(address).__name__}, not text")
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme != "tcp":
        raise UsageError(f"--scheduler {address!r}: nnviz connects over tcp only; give "
                         f"tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    if rest.startswith("["):   # tcp://[::1]:8786
        host, bracket, tail = rest[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise bad("an IPv6 host is written [HOST]:PORT")
        port_text, has_port = tail[1:], bool(tail)
    else:
        host, has_port, port_text = rest.rpartition(":")
        if ":" in host:
            raise bad("an IPv6 host is written in brackets, [HOST]:PORT")
    if not has_port:
        raise bad("no port")
    if not host:
        raise bad("no host")
    if not host.isascii() or any(c.isspace() or c in "/?#@[]" for c in host):
        raise bad(f"{host!r} is not a host name or address")
    if not (port_text.isascii() and port_text.isdigit()):
        raise bad(f"the port {port_text!r} is not a number" if port_text else "no port")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise bad(f"the port must be from 1 to 65535, not {port}")
    return host, port


class _Late(Exception):
    """A call to Dask did not return within its bound."""


def _bounded(call, deadline: float):
    """call() in a daemon thread, waited for until `deadline` (time.monotonic()): its value,
    its exception, or _Late. Dask's own timeouts do not cover every step (a server that
    accepts and says nothing holds a Client's handshake forever), so ours cover them all; a
    late call is left behind in its thread, which ends with the process."""
    box = {}

    def run():
        try:
            box["value"] = call()
        except BaseException as e:   # noqa: BLE001 - handed to the caller
            box["error"] = e

    thread = threading.Thread(target=run, name="nnviz-dask-call", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        raise _Late()
    if "error" in box:
        raise box["error"]
    return box["value"]


_CLIENT = None


def _client_class(distributed):
    """Dask's Client, but one we can let go of: a Client closes itself when collected, and
    one whose scheduler does not answer then waits twice its timeout (at exit too) and
    prints a traceback. One we gave up on (`dropped`) is not waited for again."""
    global _CLIENT
    if _CLIENT is None:
        class Client(distributed.Client):
            dropped = False
            made = None   # a list: the client is put there before it connects

            def start(self, **kwargs):
                if self.made is not None:
                    self.made.append(self)
                return super().start(**kwargs)

            def __del__(self):
                if not self.dropped:
                    super().__del__()
        _CLIENT = Client
    return _CLIENT


def _close(client, patience: float = 2.0) -> None:
    """Close a client without waiting on a scheduler that is gone or stopped."""
    with suppress(BaseException):
        _bounded(lambda: client.close(timeout=patience), time.monotonic() + patience + 1)
    client.dropped = True


def connect(address: str, timeout: float | None = None, started: float | None = None):
    """A Dask client of the scheduler at `address`, with at least one worker whose nnviz,
    NumPy and matplotlib are the versions we have: else one line saying what to fix.

    Every step (the address probed with a plain socket, Dask's handshake, waiting for a
    worker, asking the workers' versions) shares one deadline, `timeout` seconds (default
    NNVIZ_CLUSTER_TIMEOUT, else 10) after `started`: a scheduler that does not answer, sends
    garbage or answers too slowly is one line within that time.
    """
    started = time.monotonic() if started is None else started
    timeout = seconds("NNVIZ_CLUSTER_TIMEOUT", CONNECT_TIMEOUT) if timeout is None else timeout
    deadline = started + timeout
    host, port = check_address(address)
    distributed = _distributed()
    late = (f"the Dask scheduler at {address} did not answer within {timeout:g} s "
            f"(is a Dask scheduler listening there, on a working network?); {_fix(address)}")
    try:
        socket.create_connection((host, port),
                                 timeout=max(0.1, deadline - time.monotonic())).close()
    except OSError as e:
        if isinstance(e, TimeoutError):
            raise NnvizError(late) from None
        raise NnvizError(f"cannot reach the Dask scheduler at {address} "
                         f"({e.strerror or e}); {_fix(address)}") from None
    target = f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"
    made, abandoned = [], threading.Event()
    Client = _client_class(distributed)

    def make():
        with warnings.catch_warnings():   # Dask's version table: we check what matters below
            warnings.simplefilter("ignore")
            client = type("Client", (Client,), {"made": made})(
                target, timeout=max(1.0, deadline - time.monotonic()), set_as_default=False)
        if abandoned.is_set():   # we gave up on it meanwhile
            _close(client)
        return client

    try:
        client = _bounded(make, deadline)
    except BaseException as e:
        abandoned.set()
        for client in made:   # a client that never connected: let it go
            client.dropped = True
            if not isinstance(e, _Late):
                _close(client, max(0.1, min(1.0, deadline - time.monotonic())))
        if isinstance(e, _Late):
            raise NnvizError(late) from None
        if not isinstance(e, Exception):
            raise
        if isinstance(e, TimeoutError) or "timed out" in str(e).lower():
            raise NnvizError(late) from None
        if isinstance(e, OSError):
            why = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
            raise NnvizError(f"cannot connect to the Dask scheduler at {address} ({why}); "
                             f"{_fix(address)}") from None
        raise NnvizError(f"the server at {address} did not answer as a Dask scheduler does "
                         f"(Dask could not read it: {type(e).__name__}); {_fix(address)}") from None
    try:
        try:
            _bounded(lambda: client.wait_for_workers(
                1, timeout=max(0.5, deadline - time.monotonic())), deadline)
        except (_Late, TimeoutError, OSError):
            raise NnvizError(f"the Dask scheduler at {address} has no workers after "
                             f"{timeout:g} s; start them with `dask worker {address} "
                             f"--nthreads 1` on each machine") from None
        try:
            _bounded(lambda: _check_versions(client), deadline)
        except (_Late, TimeoutError, OSError):
            raise NnvizError(f"the workers of the Dask scheduler at {address} did not say "
                             f"their versions within {timeout:g} s; check them and run "
                             f"again") from None
    except BaseException:
        _close(client)
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
    committed with the rest (nnviz.jobs.finish). On the way out for any
    reason (that, Ctrl-C, an error, the caller closing us) the jobs' futures are cancelled:
    nothing not started runs, and a running job's files are dropped (Dask cannot stop a
    running task; the worker finishes it and deletes its folder).
    """
    started = time.monotonic()
    check_address(address)
    answer = seconds("NNVIZ_CLUSTER_TIMEOUT", CONNECT_TIMEOUT)
    grace = seconds("NNVIZ_CLUSTER_GRACE", NO_WORKER_GRACE)
    distributed = _distributed()
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
        _close(client)


def _cancel(client, futures, parts) -> None:
    """Cancel the jobs not yet back, within 2 s (a scheduler that is gone does not answer)."""
    with suppress(BaseException):
        pending = [*futures, *(f for fs in parts.values() for f in fs)]
        _bounded(lambda: client.cancel(pending, force=True), time.monotonic() + 2)


def _outcome(distributed, future, answer: float):
    """A finished job's result (its files, committed by nnviz.jobs.finish), or its one-line
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
    return made   # nnviz.jobs.deliver checks what it is
