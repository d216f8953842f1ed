"""Renders on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, started from this venv's entry points and stopped (with their children) at the end.

The workers run in their own folder with their own TMPDIR, so a relative scene path given to
the client does not exist for them: a user scene renders only because its source travels with
the job, and the worker's TMPDIR shows whether anything stayed behind.
"""
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from contextlib import suppress
from pathlib import Path

import pytest
from conftest import WORDS, TINY_SCENE, assert_one_line_error, run_cli, tree

QUICK = ("--quick", "--formats", "mp4", "-q")
BAD_SCENE = textwrap.dedent('''
    from nnviz import Scene, data, nn

    class Bad(Scene):
        name = "bad"
        steps = 8
        every = 2
        panels = ("fit", "loss")

        def dataset(self, rng):
            raise RuntimeError("no data today")

        def model(self, rng, n_in, n_out):
            return nn.Sequential([nn.Dense(n_in, n_out)], rng)
''')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's whole group (a worker's nanny has a child), then SIGKILL."""
    for signum, patience in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            return
        try:
            process.wait(patience)
            os.killpg(process.pid, 0)   # the group may outlive its leader
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The address of a scheduler with two single-threaded workers, and the workers' TMPDIR."""
    from distributed import Client
    home = tmp_path_factory.mktemp("cluster")
    worker_tmp = home / "tmp"
    worker_tmp.mkdir()
    dask = Path(sys.executable).parent / "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = []

    def start(*args, env=None):
        log = open(home / f"{args[0]}-{len(processes)}.log", "wb")
        processes.append(subprocess.Popen(
            [str(dask), *map(str, args)], cwd=home, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, env=env))
        log.close()

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        for _ in range(2):
            start("worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                  "--no-dashboard", "--local-directory", home,
                  env=dict(os.environ, TMPDIR=str(worker_tmp)))
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, worker_tmp
    finally:
        for process in reversed(processes):
            _stop(process)


def tasks_on(address) -> int:
    from distributed import Client
    with Client(address, timeout=30, set_as_default=False) as client:
        return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))


@pytest.fixture(scope="module")
def renders(cluster, tmp_path_factory):
    """Three scenes (two built-in, one user file by a relative path) rendered through the
    cluster and by the local process pool, into two OUT folders."""
    address, _ = cluster
    home = tmp_path_factory.mktemp("renders")
    (home / "tiny.py").write_text(TINY_SCENE)
    scenes = ("linear_regression", "xor_two_classes", "./tiny.py")
    remote = run_cli("render", *scenes, "--out", "remote", *QUICK, "--scheduler", address,
                     cwd=home)
    local = run_cli("render", *scenes, "--out", "local", *QUICK, "--jobs", "2", cwd=home)
    return home, remote, local


def test_cluster_renders_are_byte_identical_to_local_ones(renders, cluster):
    home, remote, local = renders
    assert remote.returncode == 0 and remote.stderr == "", remote.stderr
    assert local.returncode == 0, local.stderr
    got, want = tree(home / "remote"), tree(home / "local")
    names = ("linear_regression", "xor_two_classes", "tiny")
    assert sorted(got) == sorted([f"{n}/{n}.{e}" for n in names for e in ("mp4", "png", "npz", "html", *WORDS)]
                                 + ["index.html"])   # the gallery (nnviz.publish.gallery)
    for path in got:   # videos too here (same ffmpeg); the promise is the log and the poster
        assert got[path] == want[path], path
    assert os.listdir(cluster[1]) == []   # the workers kept nothing


def test_failing_job_fails_alone_with_the_local_line(cluster, tmp_path):
    address, _ = cluster
    (tmp_path / "bad.py").write_text(BAD_SCENE)
    (tmp_path / "tiny.py").write_text(TINY_SCENE)
    remote = run_cli("render", "./bad.py", "./tiny.py", "--out", "remote", *QUICK,
                     "--scheduler", address, cwd=tmp_path)
    local = run_cli("render", "./bad.py", "./tiny.py", "--out", "local", *QUICK, cwd=tmp_path)
    assert_one_line_error(remote, 1, "1 of 2 renders failed: ./bad.py: scene 'bad': dataset() "
                          f"raised RuntimeError: no data today ({tmp_path / 'bad.py'}:11)")
    assert remote.stderr == local.stderr   # the worker's copy of bad.py is never named
    assert sorted(tree(tmp_path / "remote")) == ["index.html"] + sorted(
        f"tiny/tiny.{e}" for e in ("html", "mp4", "npz", "png", *WORDS))


def test_api_sweep_on_the_cluster(cluster, tmp_path):
    import nnviz
    address, _ = cluster
    sweep = [dict(scene="xor_two_classes", lr=lr, out=tmp_path / f"lr{lr}") for lr in (0.01, 0.1)]
    results = nnviz.render_many(sweep, size=(160, 120), steps=6, formats=["mp4"], hold=0,
                                scheduler=address)
    assert [r.folder for r in results] == [tmp_path / "lr0.01" / "xor_two_classes",
                                           tmp_path / "lr0.1" / "xor_two_classes"]
    assert [nnviz.load(r.files["npz"]).meta["options"]["lr"] for r in results] == [0.01, 0.1]
    single = nnviz.render("xor_two_classes", out=tmp_path / "one", size=(160, 120), steps=6,
                          formats=["mp4"], hold=0, scheduler=address)
    assert single.files["png"].read_bytes() == results[0].files["png"].read_bytes()


def test_ctrl_c_cancels_the_cluster_jobs(cluster, tmp_path):
    address, _ = cluster
    env = dict(os.environ, COLUMNS="200")
    process = subprocess.Popen([sys.executable, "-m", "nnviz", "render", "--all", "--out", "out",
                                "--size", "640x480", "-q", "--scheduler", address],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while tasks_on(address) < 5 and time.monotonic() < deadline:   # all five submitted
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err.strip() == "Error: interrupted by SIGINT; nothing was left behind"
    assert tree(tmp_path / "out") == {}
    deadline = time.monotonic() + 30   # cancelled: the scheduler forgets them
    while tasks_on(address) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert tasks_on(address) == 0


def test_unreachable_scheduler_is_one_line(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"   # nothing listens there
    r = run_cli("render", "xor_two_classes", "linear_regression", "--out", tmp_path / "out",
                *QUICK, "--scheduler", address)
    assert_one_line_error(r, 1, f"cannot reach the Dask scheduler at {address}",
                          "start one there with `dask scheduler`")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, fragment", [
    (["--scheduler", "foo:bar:baz"], "--scheduler 'foo:bar:baz' is not a scheduler address"),
    (["--scheduler", "ucx://127.0.0.1:8786"], "nnviz connects over tcp only; give tcp://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"], "with --scheduler the cluster's workers"),
])
def test_bad_scheduler_input_is_exit_2(tmp_path, args, fragment):
    r = run_cli("render", "xor_two_classes", "--out", tmp_path / "out", *QUICK, *args)
    assert_one_line_error(r, 2, fragment)
    assert not (tmp_path / "out").exists()


def test_without_a_scheduler_dask_is_not_imported(tmp_path):
    code = textwrap.dedent(f'''
        import sys, nnviz
        options = dict(size=(160, 120), steps=4, formats=["mp4"], hold=0)
        nnviz.render("linear_regression", out={str(tmp_path)!r}, **options)
        nnviz.render_many(["xor_two_classes"], out={str(tmp_path)!r}, jobs=1, **options)
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed")))
    ''')
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
    assert (tmp_path / "xor_two_classes" / "xor_two_classes.png").is_file()


def test_a_scene_of_several_runs_renders_on_the_cluster(cluster, tmp_path):
    """Its runs train one after another inside the worker (a daemon process has no children),
    and its run logs come back into OUT/NAME/runs/ beside the video, as a local render's do."""
    address, _ = cluster
    args = ("render", "activation_functions", "--steps", "8", "--every", "4", *QUICK)
    remote = run_cli(*args, "--out", tmp_path / "remote", "--scheduler", address)
    local = run_cli(*args, "--out", tmp_path / "local")
    assert remote.returncode == 0 and local.returncode == 0, remote.stderr + local.stderr
    got, want = tree(tmp_path / "remote"), tree(tmp_path / "local")
    assert sorted(got) == sorted(want)
    assert sum(p.startswith("activation_functions/runs/") for p in got) == 4
    for path in got:
        if path.endswith((".npz", ".png")):
            assert got[path] == want[path], path


@pytest.mark.parametrize("args", [
    ("xor_two_classes", "--lr", "0.003,0.03"),
    ("gradient_descent", "--optimizer", "sgd,momentum,adam"),   # the shared landscape too
    ("xor_two_classes", "--activation", "relu,tanh"),   # a knob's list (comparison.LISTS)
])
def test_compare_on_the_cluster_is_byte_identical_to_local(cluster, tmp_path, args):
    """Each run trains as its own task and one more renders them: the run logs, the poster
    and the page are the same bytes as a local compare's."""
    address, worker_tmp = cluster
    remote = run_cli("compare", *args, *QUICK, "--out", tmp_path / "remote", "--scheduler", address)
    local = run_cli("compare", *args, *QUICK, "--out", tmp_path / "local")
    assert remote.returncode == 0 and remote.stderr == "", remote.stderr
    assert local.returncode == 0, local.stderr
    got, want = tree(tmp_path / "remote"), tree(tmp_path / "local")
    name = f"{args[0]}-compare"
    assert sorted(got) == sorted(want)
    assert sum(p.startswith(f"{name}/runs/") for p in got) == len(args[2].split(","))
    for path in got:
        assert got[path] == want[path], path
    assert os.listdir(worker_tmp) == []


def test_a_run_failing_on_a_worker_fails_the_compare_in_one_line(cluster, tmp_path):
    """The client's checks pass (its dataset loads here), a run's training fails on the
    worker: the scene's own one line (exit 2, as here), naming the user's file, nothing
    committed, nothing left there."""
    address, worker_tmp = cluster
    scene = TINY_SCENE.replace("    def dataset(self, rng):\n", "    def dataset(self, rng):\n"
                               "        if os.environ.get('TMPDIR') == %r:\n"
                               "            raise RuntimeError('no data on this machine')\n"
                               % str(worker_tmp), 1)
    assert scene != TINY_SCENE
    (tmp_path / "away.py").write_text("import os\n" + scene)
    r = run_cli("compare", "./away.py", "--lr", "0.1,0.2", *QUICK, "--out", "remote",
                "--scheduler", address, cwd=tmp_path)
    assert_one_line_error(r, 2, "dataset() raised RuntimeError: no data on this machine "
                          f"({tmp_path / 'away.py'}:")
    assert tree(tmp_path / "remote") == {}
    assert os.listdir(worker_tmp) == []


@pytest.mark.parametrize("args, fragment", [
    (["--from", "somewhere"], "re-render saved runs with --from here, without --scheduler"),
    (["xor_two_classes", "--lr", "0.1,0.2", "--jobs", "2"], "with --scheduler the cluster's workers"),
])
def test_bad_compare_scheduler_input_is_exit_2(tmp_path, args, fragment):
    r = run_cli("compare", *args, "--out", tmp_path / "out", *QUICK, "--scheduler",
                "tcp://127.0.0.1:8786")
    assert_one_line_error(r, 2, fragment)
    assert not (tmp_path / "out").exists()


# --- addresses, servers that are not schedulers, and faults in the middle of a render -------

@pytest.mark.parametrize("command", [("render", "xor_two_classes"),
                                     ("compare", "xor_two_classes", "--lr", "0.1,0.2")])
@pytest.mark.parametrize("address, why", [
    ("tcp://127.0.0.1:99999", "the port must be from 1 to 65535, not 99999"),
    ("tcp://127.0.0.1:0", "the port must be from 1 to 65535, not 0"),
    ("tcp://127.0.0.1:86x", "the port '86x' is not a number"),
    ("tcp://:8786", "no host"),
    ("tcp://127.0.0.1", "no port"),
])
def test_a_bad_port_or_host_is_a_usage_error(tmp_path, command, address, why):
    r = run_cli(*command, "--out", tmp_path / "out", *QUICK, "--scheduler", address)
    assert_one_line_error(r, 2, f"--scheduler {address!r} is not a scheduler address ({why})")
    assert not (tmp_path / "out").exists()


def test_a_bad_port_is_a_usage_error_in_the_api(tmp_path):
    import nnviz
    with pytest.raises(nnviz.UsageError, match="the port must be from 1 to 65535"):
        nnviz.render("xor_two_classes", out=tmp_path, scheduler="tcp://127.0.0.1:65536")
    with pytest.raises(nnviz.UsageError, match="the port must be from 1 to 65535"):
        nnviz.compare("xor_two_classes", lr="0.1,0.2", out=tmp_path, scheduler="127.0.0.1:0")
    assert list(tmp_path.iterdir()) == []


class _Server:
    """A TCP server on 127.0.0.1 that is not a Dask scheduler: `silent` accepts and says
    nothing, `garbage` sends bytes that are no Dask message, `dribble` sends a byte every 2 s."""

    def __init__(self, how):
        import threading
        self.how, self.stop = how, threading.Event()
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.address = f"tcp://127.0.0.1:{self.socket.getsockname()[1]}"
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        import threading
        while not self.stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self, conn):
        with conn:
            while not self.stop.is_set():
                try:
                    if self.how == "garbage":
                        conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + bytes(range(256)) * 16)
                    elif self.how == "dribble":
                        conn.sendall(b"\x01")
                except OSError:
                    return
                self.stop.wait(2.0 if self.how == "dribble" else 0.2)

    def close(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(5)
        self.socket.close()


@pytest.mark.parametrize("how, bound, command", [
    ("silent", None, ("render", "xor_two_classes", "linear_regression")),   # the README's 10 s
    ("silent", 3, ("compare", "xor_two_classes", "--lr", "0.1,0.2")),
    ("garbage", 3, ("render", "xor_two_classes")),
    ("garbage", 3, ("compare", "xor_two_classes", "--lr", "0.1,0.2")),
    ("dribble", 3, ("render", "xor_two_classes")),
    ("dribble", 3, ("compare", "xor_two_classes", "--lr", "0.1,0.2")),
])
def test_a_server_that_is_no_scheduler_is_one_line_within_the_bound(tmp_path, how, bound, command):
    server = _Server(how)
    env = dict(os.environ, COLUMNS="200")
    if bound is not None:
        env["NNVIZ_CLUSTER_TIMEOUT"] = str(bound)
    try:
        started = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "nnviz", *command, "--out", str(tmp_path / "out"),
                            *QUICK, "--scheduler", server.address], env=env,
                           capture_output=True, text=True, timeout=120)
        took = time.monotonic() - started
    finally:
        server.close()
    assert_one_line_error(r, 1, server.address)
    assert took < (bound or 10) + 4, took   # the bound, and the interpreter's start
    assert not (tmp_path / "out").exists()


class Cluster:
    """A scheduler and `workers` single-threaded workers of our own, to kill by process id."""

    def __init__(self, home: Path, workers: int = 2, env: dict | None = None,
                 worker_args: tuple = ()):
        self.home, self.processes = home, []
        self.address = f"tcp://127.0.0.1:{free_port()}"
        env = dict(os.environ, **(env or {}))
        try:
            self.scheduler = self._start("scheduler", "--host", "127.0.0.1", "--port",
                                         self.address.rsplit(":", 1)[1], "--no-dashboard", env=env)
            self.workers = [self._start("worker", self.address, "--nthreads", "1", "--host",
                                        "127.0.0.1", "--no-dashboard", "--local-directory", home,
                                        *worker_args, env=env) for _ in range(workers)]
            from distributed import Client
            with Client(self.address, timeout=60, set_as_default=False) as client:
                client.wait_for_workers(workers, timeout=120)
        except BaseException:
            self.close()
            raise

    def _start(self, *args, env):
        dask = Path(sys.executable).parent / "dask"
        with open(self.home / f"{args[0]}-{len(self.processes)}.log", "wb") as log:
            process = subprocess.Popen([str(dask), *map(str, args)], cwd=self.home, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True, env=env)
        self.processes.append(process)
        return process

    def fetched(self) -> int:
        """How many results the render has taken from the workers: nnviz releases a task's
        result (memory -> released) once its bytes are here, to be committed at the end."""
        from distributed import Client
        with Client(self.address, timeout=10, set_as_default=False) as client:
            return client.run_on_scheduler(lambda dask_scheduler: sum(
                entry[1] == "memory" and entry[2] in ("released", "forgotten")
                for entry in dask_scheduler.transition_log))

    @staticmethod
    def signal(process, signum):   # the whole group: a worker's nanny and the worker
        os.killpg(process.pid, signum)

    def close(self):
        for process in reversed(self.processes):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)
            _stop(process)


SCENES = ("xor_two_classes", "linear_regression", "artificial_neuron", "xor_function_regression")
SMALL = ("--quick", "--size", "160x120", "--formats", "mp4")


def _earlier(out: Path) -> dict:
    """An earlier render of every scene in OUT (stand-in files) and its gallery page."""
    for name in SCENES:
        for ext in ("mp4", "png", "npz", "html"):
            path = out / name / f"{name}.{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"earlier {name}.{ext}".encode())
    (out / "index.html").write_text("earlier gallery")
    return tree(out)


def _render(cluster, out, *args, env=None):
    return subprocess.Popen([sys.executable, "-m", "nnviz", "render", *args, "--out", str(out),
                             *SMALL, "--scheduler", cluster.address],
                            env=dict(os.environ, COLUMNS="200", **(env or {})),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _when(condition, patience=120.0):
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.1)


def _committed(out: Path, before: dict) -> list[str]:
    """The scenes whose earlier files were replaced by a new render's."""
    now = tree(out)
    return [n for n in SCENES if not now.get(f"{n}/{n}.mp4", b"earlier").startswith(b"earlier")]


def _assert_intact(out: Path, before: dict, committed: list[str]) -> None:
    """Every scene not committed is byte for byte as it was, and so is the gallery if none
    was; each committed one is whole; no temporary anywhere in OUT."""
    now = tree(out)
    for path, data in before.items():
        name = path.split("/")[0]
        if name == "index.html" and committed:   # the gallery shows the scenes committed
            assert b"<!doctype html>" in now[path]
        elif name not in committed:
            assert now.get(path) == data, path
    for name in committed:
        for ext in ("mp4", "png", "npz", "html"):
            assert not now[f"{name}/{name}.{ext}"].startswith(b"earlier"), (name, ext)
    expected = set(before) | {f"{name}/{name}.{w}" for name in committed for w in WORDS}
    assert sorted(now) == sorted(expected), sorted(set(now) ^ expected)   # no temporary left


@pytest.fixture
def own_cluster(tmp_path):
    made = []

    def make(**kw):
        home = tmp_path / f"cluster{len(made)}"
        home.mkdir()
        made.append(Cluster(home, **kw))
        return made[-1]

    yield make
    for cluster in made:
        cluster.close()


# no worker for 3 s ends a render; the scheduler's answer keeps its default bound (10 s), which
# connecting shares: 4 s was too short for busy workers to say their versions
GRACE = {"NNVIZ_CLUSTER_GRACE": "3"}
ANSWER = {**GRACE, "NNVIZ_CLUSTER_TIMEOUT": "4"}   # no answer for 4 s ends a render


def test_every_worker_lost_is_one_line_within_the_grace_keeping_finished_renders(
        own_cluster, tmp_path):
    cluster = own_cluster(workers=2)
    out = tmp_path / "out"
    before = _earlier(out)
    process = _render(cluster, out, *SCENES, env=GRACE)
    try:
        _when(lambda: cluster.fetched() or process.poll() is not None)
        for worker in cluster.workers:
            cluster.signal(worker, signal.SIGKILL)
        killed = time.monotonic()
        _, err = process.communicate(timeout=60)
        took = time.monotonic() - killed
    finally:
        process.kill()
    committed = _committed(out, before)
    assert process.returncode == 1, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert 1 <= len(committed) < 4   # those back before the workers died are committed
    assert err.startswith(f"Error: {4 - len(committed)} of 4 renders failed: "), err
    assert (f": no Dask worker is left at the scheduler at {cluster.address} (none for 3 s"
            in err), err
    assert took < 3 + 4, took   # the grace, and a second or two to notice
    _assert_intact(out, before, committed)


def test_one_worker_lost_of_two_still_renders_everything(own_cluster, tmp_path):
    cluster = own_cluster(workers=2)
    out = tmp_path / "out"
    before = _earlier(out)
    process = _render(cluster, out, *SCENES, env=GRACE)
    try:
        time.sleep(3)   # both are rendering by now
        cluster.signal(cluster.workers[0], signal.SIGKILL)
        _, err = process.communicate(timeout=240)
    finally:
        process.kill()
    assert process.returncode == 0 and err == "", err
    now = tree(out)
    for name in SCENES:
        for ext in ("mp4", "png", "npz", "html"):
            assert not now[f"{name}/{name}.{ext}"].startswith(b"earlier"), (name, ext)
    assert not now["index.html"].startswith(b"earlier")


@pytest.mark.parametrize("signum, line", [
    (signal.SIGKILL, "the Dask scheduler at {} dropped the work (did the scheduler stop or restart?)"),
    (signal.SIGSTOP, "the Dask scheduler at {} has not answered for 4 s (did it stop, or the network drop?)"),
])
def test_the_scheduler_lost_or_stopped_is_nnviz_s_one_line_only(own_cluster, tmp_path, signum, line):
    """Killed: Dask's client logs two CancelledError tracebacks, which stay out of the
    terminal (-v shows them). Stopped, as a dropped network looks: no answer within the bound."""
    cluster = own_cluster(workers=1)
    out = tmp_path / "out"
    before = _earlier(out)
    # long enough (some seconds a scene) to be mid-render when the scheduler goes
    process = _render(cluster, out, *SCENES[:2], "--steps", "4000", "--every", "8", env=ANSWER)
    try:
        time.sleep(2.5)
        cluster.signal(cluster.scheduler, signum)
        lost = time.monotonic()
        _, err = process.communicate(timeout=60)
        took = time.monotonic() - lost
    finally:
        process.kill()
    assert process.returncode == 1, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    committed = _committed(out, before)
    assert err.startswith(f"Error: {2 - len(committed)} of 2 renders failed: "), err
    assert ": " + line.format(cluster.address) in err, err
    assert took < 4 + 3, took
    _assert_intact(out, before, committed)


def test_a_stopped_worker_is_dropped_after_the_worker_ttl_and_its_render_moves(
        own_cluster, tmp_path):
    """SIGSTOP: the worker never answers again. The scheduler drops it after its worker-ttl
    (3 s here, 5 minutes by default) and gives its render to the other worker."""
    cluster = own_cluster(workers=2, env={"DASK_DISTRIBUTED__SCHEDULER__WORKER_TTL": "3s"})
    out = tmp_path / "out"
    process = _render(cluster, out, *SCENES[:2], env=GRACE)
    try:
        time.sleep(2.5)
        cluster.signal(cluster.workers[0], signal.SIGSTOP)
        _, err = process.communicate(timeout=240)
    finally:
        process.kill()
    assert process.returncode == 0 and err == "", err
    assert sorted(tree(out)) == sorted(["index.html"] + [f"{n}/{n}.{e}" for n in SCENES[:2]
                                                         for e in WORDS] + [f"{n}/{n}.{e}" for n in SCENES[:2]
                                                         for e in ("mp4", "png", "npz", "html")])


UNREADABLE = textwrap.dedent('''
    """Preloaded by a worker: its renders return what the client cannot unpickle."""
    import nnviz.run.jobs

    def rebuild():
        raise RuntimeError("this result cannot be read")

    class Unreadable:
        def __reduce__(self):
            return rebuild, ()

    nnviz.run.jobs.run_detached = lambda job: Unreadable()
''')


def test_a_result_that_cannot_be_unpickled_fails_alone_in_one_line(own_cluster, tmp_path):
    (tmp_path / "unreadable.py").write_text(UNREADABLE)
    cluster = own_cluster(workers=1, worker_args=("--preload", tmp_path / "unreadable.py"))
    out = tmp_path / "out"
    before = _earlier(out)
    process = _render(cluster, out, *SCENES[:2], env=GRACE)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("Error: 2 of 2 renders failed: xor_two_classes: the cluster's result "
                          "could not be used"), err
    assert tree(out) == before
