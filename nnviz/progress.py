"""One progress line for a whole job: training steps, frames drawn, the encoders' finish, checks.

The phases cost very different amounts per unit (a training step is 5-50x cheaper than a
frame, and the encoders' finish is one long wait), so the bar and the ETA count expected
seconds, not units: each phase's units are weighted by a prior cost per unit (measured by
`benchmarks/progress_phases.py`), corrected by the pace this run has shown. The line is drawn on a
terminal only; its label column has one width for every phase, so nothing shifts.
"""
from __future__ import annotations

import sys
import time

PHASES = ("training", "drawing", "encoding", "checking", "rendering")   # the last: several scenes
LABEL = max(map(len, PHASES))

# Seconds per unit on the 2-core reference machine (benchmarks/progress_phases.py measures
# them): a training step of a built-in scene with its snapshot (0.3-4 ms); a frame drawn and
# fed to the encoders, fixed + per megapixel and format; the encoders' finish after the last
# frame, per megapixel and format; decoding a frame for --check, per megapixel and format.
STEP = 2e-3
SETTLE = 0.5   # seconds of a phase's own pace before the ETA trusts it over the prior
FRAME = (0.005, 0.009)
FINISH = 0.2
DECODE = 0.004


def render_plan(steps: int, frames: int, size: tuple[int, int], formats: int,
                check: bool) -> dict[str, tuple[int, float]]:
    """The phases of one render as {phase: (units, prior seconds per unit)}; `steps` 0 for a
    render from a log (no training)."""
    mpx = size[0] * size[1] / 1e6
    plan = {"training": (steps, STEP), "drawing": (frames, FRAME[0] + FRAME[1] * mpx * formats),
            "encoding": (1, FINISH * mpx * formats)}
    if check:
        plan["checking"] = (frames * formats, DECODE * mpx)
    return {phase: units for phase, units in plan.items() if units[0]}


def plan_seconds(plan: dict[str, tuple[int, float]]) -> float:
    return sum(units * cost for units, cost in plan.values())


class Progress:
    """A single bar over every phase of a job, drawn only on a terminal and never when quiet.

    Call it with a number of units done in the current phase; `phase(name)` moves on to the
    next. The bar shows the share of the expected time gone (elapsed / (elapsed + ETA)), never
    going back. `echo(line, write)` prints a line above the bar.
    """

    def __init__(self, name: str, plan: dict[str, tuple[int, float]], enabled: bool = True,
                 stream=None, min_interval: float = 0.1, clock=time.monotonic, width: int = 30):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.name, self.plan, self.width = name, dict(plan), width
        self.min_interval, self.clock = min_interval, clock
        self.total = plan_seconds(self.plan) or 1.0
        self.start = self._last = self.phase_start = clock()
        self.current = next(iter(self.plan), PHASES[0])
        self.units = 0                # units done in the current phase
        self.spent = {}               # phase -> (seconds it took, its prior seconds)
        self.paced_from = None        # (time, units) at the current phase's first unit
        self.fraction = 0.0           # of the bar, never going back
        self._shown = 0               # characters of the line on screen
        self._draw()

    def _prior(self, phase: str, units=None) -> float:
        count, cost = self.plan.get(phase, (0, 0.0))
        return (count if units is None else min(units, count)) * cost

    def eta(self) -> float:
        """Seconds left: the current phase's rest at the pace it has shown, the later phases'
        priors at the pace of the finished phases (training aside: its cost per step varies
        tenfold between networks and says little about drawing)."""
        now = self.clock()
        finished = [v for k, v in self.spent.items() if k != "training" and v[1] > 0]
        later_pace = sum(t for t, _ in finished) / sum(p for _, p in finished) if finished else 1.0
        done = self._prior(self.current, self.units)
        paced = done - self._prior(self.current, self.paced_from[1]) if self.paced_from else 0
        if paced > 0 and now - self.paced_from[0] >= SETTLE:
            # timed from the phase's first unit: its set-up is not a unit's cost
            now_left = (self._prior(self.current) - done) * (now - self.paced_from[0]) / paced
        else:   # too little counted yet: the prior (less the wait, in a phase of one long
            # step such as encoding)
            now_left = (self._prior(self.current) - done) * later_pace
            if done <= 0:
                now_left = max(0.0, now_left - (now - self.phase_start))
        names = list(self.plan)
        later = names[names.index(self.current) + 1:] if self.current in names else []
        return now_left + sum(self._prior(k) for k in later) * later_pace

    def phase(self, name: str) -> None:
        now = self.clock()
        self.spent[self.current] = (now - self.phase_start, self._prior(self.current, self.units))
        self.current, self.units, self.phase_start, self.paced_from = name, 0, now, None
        self._draw()

    def __call__(self, n: int = 1) -> None:
        self.units += n
        if self.paced_from is None:
            self.paced_from = (self.clock(), self.units)
        if self.enabled and self.clock() - self._last >= self.min_interval:
            self._draw()

    def line(self) -> str:
        eta, elapsed = self.eta(), self.clock() - self.start
        if elapsed + eta > 0:   # the bar is the share of the time gone
            self.fraction = max(self.fraction, min(1.0, elapsed / (elapsed + eta)))
        filled = int(round(self.fraction * self.width))
        eta = round(eta)
        eta = f"{eta // 60:02d}:{eta % 60:02d}"
        return (f"{self.current:<{LABEL}} {self.name}  [{'#' * filled}{'-' * (self.width - filled)}]"
                f" {self.fraction:4.0%}  {eta} left")

    def _draw(self, text: str | None = None) -> None:
        if not self.enabled:
            return
        self._last = self.clock()
        text = self.line() if text is None else text
        self.stream.write("\r" + text + " " * max(0, self._shown - len(text)))
        self.stream.flush()
        self._shown = len(text)

    def echo(self, line: str, write) -> None:
        """Print `line` with `write` (to stdout, say) on a line of its own above the bar."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0
        write(line)
        self._draw()

    def close(self, success: bool = True) -> None:
        """Erase the bar after success (the report's last line gives the time); after a failure
        leave it, ended, so the error line starts on a line of its own."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r" if success else "\n")
            self.stream.flush()
            self._shown = 0
        self.enabled = False

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc):
        self.close(success=kind is None)
