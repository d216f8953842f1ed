"""Interrupt renders at random moments; every one must stop cleanly.

    .venv/bin/python benchmarks/interrupt_stress.py --count 200

Each run starts `nnviz render` (one scene, or two with --jobs 2) in its own session, waits until
nnviz has installed its signal handlers, then after a random delay within a typical run's
length sends SIGINT or SIGTERM to the whole process group, as a terminal's Ctrl-C or a service
manager does. A run passes when nnviz exits 130 / 143 with exactly one line on stderr, leaves
no temporary file and no lock in the output folders, and no process it started (ffmpeg, a
worker) outlives it. A render that finishes before the signal lands is not counted and is
run again. Prints the figures; exits 1 if any run failed.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

MODES = {
    "single": ["xor_two_classes", "--quick"],
    "jobs2": ["xor_two_classes", "linear_regression", "--quick", "--jobs", "2"],
}
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def command(mode: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "nnviz", "render", *MODES[mode], "--out", str(out), "-q"]


def handlers_installed(pid: int) -> bool:
    """nnviz catches SIGINT and SIGTERM (its SigCgt mask in /proc has both bits)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt")), 16)
    return all(caught >> (s - 1) & 1 for s in SIGNALS)


def tagged(tag: str) -> list[int]:
    """Processes still alive that carry this run's tag in their environment."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if tag.encode() in environ.read_bytes():
                state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def leftovers(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*")
                  if p.name.endswith(".tmp") or p.name == ".nnviz.lock")


def run_once(mode: str, signum: int, out: Path, typical: float, rng: random.Random):
    """One interrupted run: None if it finished before the signal, else a list of problems."""
    tag = uuid.uuid4().hex
    env = dict(os.environ, NNVIZ_STRESS_TAG=tag)
    proc = subprocess.Popen(command(mode, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)
    try:
        while not handlers_installed(proc.pid) and proc.poll() is None:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, typical))
        if proc.poll() is not None:
            proc.communicate()
            return None
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    problems = []
    if proc.returncode == 0:
        return None   # the signal landed as the process was exiting: not an interrupted run
    if proc.returncode != 128 + signum:
        problems.append(f"exit {proc.returncode}, expected {128 + signum}")
    expected = f"Error: interrupted by {signal.Signals(signum).name}; nothing was left behind"
    if err.strip().splitlines() != [expected]:
        problems.append(f"stderr: {err.strip()[:2000]!r}")
    deadline = time.monotonic() + 10   # a process we killed may take a moment to be reaped
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    if tagged(tag):
        problems.append(f"processes outlived nnviz: {tagged(tag)}")
    if leftovers(out):
        problems.append(f"left behind: {leftovers(out)}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="interrupted runs in all")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random moments")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        typical = {}
        for mode in MODES:   # one whole run each: its length bounds the random moments
            out = Path(tmp) / mode
            start = time.monotonic()
            subprocess.run(command(mode, out), check=True, capture_output=True)
            typical[mode] = time.monotonic() - start
        print(f"seed {seed}; uninterrupted runs: "
              + ", ".join(f"{m} {t:.2f} s" for m, t in typical.items()), flush=True)
        done, early, failures = 0, 0, []
        counts = {(m, s): 0 for m in MODES for s in SIGNALS}
        start = time.monotonic()
        while done < args.count:
            mode, signum = list(counts)[done % len(counts)]
            problems = run_once(mode, signum, Path(tmp) / mode, typical[mode], rng)
            if problems is None:
                early += 1
                continue
            done += 1
            counts[mode, signum] += 1
            if done % 25 == 0:
                print(f"  {done} runs, {len(failures) + bool(problems)} failed", flush=True)
            if problems:
                failures.append((done, mode, signal.Signals(signum).name, problems))
                print(f"run {done} ({mode}, {signal.Signals(signum).name}) FAILED: "
                      + "; ".join(problems), flush=True)
        took = time.monotonic() - start
    print(f"{done} interrupted runs in {took:.0f} s ("
          + ", ".join(f"{m} {signal.Signals(s).name}: {n}" for (m, s), n in counts.items())
          + f"); {early} finished before the signal and were run again")
    print(f"{done - len(failures)} of {done} stopped cleanly "
          f"(exit 130/143, one line, no temporary, no process left)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
