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
from pathlib import Path

import pytest
from conftest import TINY_SCENE, assert_one_line_error, run_cli, tree

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
    assert sorted(got) == sorted([f"{n}/{n}.{e}" for n in names for e in ("mp4", "png", "npz", "html")]
                                 + ["index.html"])   # the gallery (nnviz.gallery)
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
    assert sorted(tree(tmp_path / "remote")) == ["index.html"] + [f"tiny/tiny.{e}" for e in ("html", "mp4", "npz", "png")]


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
