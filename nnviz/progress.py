"""One progress display for a whole job: training steps, then frames drawn and encoded."""
from __future__ import annotations

import sys
import time

import click


class Progress:
    """A single bar over every phase, drawn only on a terminal and never when quiet."""

    def __init__(self, total: int, label: str, enabled: bool = True, min_interval: float = 0.1):
        self.enabled = enabled and sys.stderr.isatty()
        self.min_interval = min_interval
        self._pending = 0
        self._last = 0.0
        self._bar = None
        if self.enabled:
            self._bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr,
                                          show_eta=True, show_percent=True, width=30)
            self._bar.__enter__()

    def phase(self, label: str) -> None:
        if self._bar:
            self._bar.label = label

    def __call__(self, n: int = 1) -> None:
        if not self._bar:
            return
        self._pending += n
        now = time.monotonic()
        if now - self._last >= self.min_interval:
            self._bar.update(self._pending)
            self._pending, self._last = 0, now

    def close(self) -> None:
        if self._bar:
            self._bar.update(self._pending)
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
