"""A progress bar with an ETA for long tool runs: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


class Progress:
    """Counts work done out of ``total`` bytes; on a terminal (or when ``enabled``) draws
    ``[#####.....]  45%  120.0/256.0 MiB  00:12 elapsed  00:15 left`` at most every
    ``interval`` seconds, after ``delay`` seconds (short runs print nothing)."""

    def __init__(
        self,
        total: int,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        delay: float = 1.0,
        interval: float = 0.2,
        label: str = "",
    ) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.total = max(0, int(total))
        self.done = 0
        self.start = time.monotonic()
        self.delay = delay
        self.interval = interval
        self.label = label
        self._last = 0.0
        self._drawn = False

    def advance(self, n: int) -> None:
        self.done += int(n)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.delay or now - self._last < self.interval:
            return
        self._last = now
        self.draw(now)

    def draw(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        elapsed = now - self.start
        frac = min(1.0, self.done / self.total) if self.total else 1.0
        width = 30
        bar = "#" * int(frac * width) + "." * (width - int(frac * width))
        left = elapsed * (1 - frac) / frac if frac > 0 else 0.0
        text = (
            f"\r{self.label}[{bar}] {frac * 100:5.1f}%  "
            f"{_fmt_bytes(self.done)}/{_fmt_bytes(self.total)}  "
            f"{_fmt_time(elapsed)} elapsed  {_fmt_time(left)} left "
        )
        self.stream.write(text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
