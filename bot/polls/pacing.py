"""Pacer: a token bucket that spaces out calls to an outside service (Discord's REST API).

Anonymous polls remove every member's reaction, one REST call each; a burst of votes would
otherwise become a burst of calls past Discord's global limit (50 requests a second per
bot). Callers ``await pacer.wait()`` before each call: at most `burst` go at once, then one
every ``1 / rate`` seconds, first come first served. Discord's own answers still rule:
discord.py follows each route's rate-limit headers and waits out a 429 before retrying.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    """At most `rate` calls a second on average, `burst` at once; FIFO among waiters.

    `now` and `sleep` are the clock (monotonic seconds) and the way to wait; tests pass
    their own.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a pacer needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = burst
        self._now = now
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = now()
        self._lock = asyncio.Lock()
        #: Calls let through, calls that had to wait, and the seconds spent waiting in all.
        self.passed = 0
        self.delayed = 0
        self.waited = 0.0
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Callers queued for their turn."""
        return self._waiting

    def _refill(self) -> None:
        now = self._now()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def wait(self) -> None:
        """Return when the caller may make its call."""
        self._waiting += 1
        try:
            async with self._lock:
                self._refill()
                if self._tokens < 1:
                    delay = (1 - self._tokens) / self.rate
                    self.delayed += 1
                    self.waited += delay
                    await self._sleep(delay)
                    self._refill()
                self._tokens = max(0.0, self._tokens - 1)
                self.passed += 1
        finally:
            self._waiting -= 1
