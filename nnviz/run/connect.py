"""Connecting to a Dask scheduler, every step bounded (NNVIZ_CLUSTER_TIMEOUT): the address
checked, the TCP probe, Dask's handshake, a first worker, the workers' versions.

Only this module and nnviz.run.cluster import dask, and only when a scheduler is given.
Security: a Dask scheduler runs whatever pickled code its clients send; never expose its port
beyond machines you trust."""
from __future__ import annotations

import socket
import threading
import time
import warnings
from contextlib import suppress

from ..errors import NnvizError, UsageError

CONNECT_TIMEOUT = 10.0   # seconds: a scheduler on a LAN answers in milliseconds
SAME_VERSIONS = ("nnviz", "numpy", "matplotlib")   # the same bytes need the same versions


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


def distributed_module():
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


def bounded(call, deadline: float):
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


def close(client, patience: float = 2.0) -> None:
    """Close a client without waiting on a scheduler that is gone or stopped."""
    with suppress(BaseException):
        bounded(lambda: client.close(timeout=patience), time.monotonic() + patience + 1)
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
    distributed = distributed_module()
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
            close(client)
        return client

    try:
        client = bounded(make, deadline)
    except BaseException as e:
        abandoned.set()
        for client in made:   # a client that never connected: let it go
            client.dropped = True
            if not isinstance(e, _Late):
                close(client, max(0.1, min(1.0, deadline - time.monotonic())))
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
            bounded(lambda: client.wait_for_workers(
                1, timeout=max(0.5, deadline - time.monotonic())), deadline)
        except (_Late, TimeoutError, OSError):
            raise NnvizError(f"the Dask scheduler at {address} has no workers after "
                             f"{timeout:g} s; start them with `dask worker {address} "
                             f"--nthreads 1` on each machine") from None
        try:
            bounded(lambda: _check_versions(client), deadline)
        except (_Late, TimeoutError, OSError):
            raise NnvizError(f"the workers of the Dask scheduler at {address} did not say "
                             f"their versions within {timeout:g} s; check them and run "
                             f"again") from None
    except BaseException:
        close(client)
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
