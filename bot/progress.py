"""Progress reporting paced for people (and for Slack's rate limits): at most one update per interval."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttled:
    """Pass a progress line on only if `interval` seconds have passed since the last one passed."""

    def __init__(
        self, sink: Callable[[str], None], interval: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sink = sink
        self._interval = interval
        self._clock = clock
        self._last = float("-inf")
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            now = self._clock()
            if now - self._last < self._interval:
                return
            self._last = now
        self._sink(line)
