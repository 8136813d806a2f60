"""Coalescer: run a refresh per key at most once per interval, and always once more after
the last request, so the final state is always shown.

Used for poll messages: votes may arrive hundreds a second, the message is edited at most
once per poll per 5 seconds. Generic and Discord-free: the refresh is any coroutine.

The interval is a rate limit against an outside service, so in the bot it runs on
:class:`ElapsedClock` (real elapsed seconds), never on the bot's clock: that one is wall time
(it may jump) and tests move it by hand (a trailing refresh would wait for a test to move it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock
from bot.scheduler import cancel_and_wait

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

DEFAULT_INTERVAL = timedelta(seconds=5)


class ElapsedClock:
    """A :class:`~bot.clock.Clock` that moves with real elapsed time (monotonic), for pacing
    calls to an outside service: wall-clock jumps and fake clocks don't stretch its waits."""

    def __init__(self) -> None:
        self._wall = datetime.now(UTC)
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._wall + timedelta(seconds=time.monotonic() - self._started)

    async def sleep_until(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)


class Coalescer(Generic[K]):
    """`request(key)` asks for `refresh(key)`; runs start at least `interval` apart per key.

    The first request runs at once (leading edge); requests during a run or during the
    interval after it collapse into one more run when the interval ends (trailing edge).
    One key never has two refreshes at once. A failing refresh is logged; later requests
    still run.
    """

    def __init__(
        self,
        refresh: Callable[[K], Awaitable[object]],
        clock: Clock,
        interval: timedelta = DEFAULT_INTERVAL,
        *,
        name: str = "refresh",
    ) -> None:
        self._refresh = refresh
        self._clock = clock
        self._interval = interval
        self._name = name
        self._dirty: set[K] = set()
        self._tasks: dict[K, asyncio.Task[None]] = {}
        self.runs = 0
        self.failures = 0

    def request(self, key: K) -> None:
        """Ask for a refresh of `key` (cheap; call it on every change)."""
        self._dirty.add(key)
        if key not in self._tasks:
            self._tasks[key] = asyncio.get_running_loop().create_task(
                self._worker(key), name=f"coalesce:{self._name}:{key}"
            )

    def busy(self, key: K) -> bool:
        """A refresh of `key` is running or waiting for its interval."""
        return key in self._tasks

    async def _worker(self, key: K) -> None:
        try:
            while key in self._dirty:
                self._dirty.discard(key)
                started = self._clock.now()
                await self._run_once(key)
                await self._clock.sleep_until(started + self._interval)
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]

    async def _run_once(self, key: K) -> None:
        self.runs += 1
        try:
            await self._refresh(key)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.failures += 1
            log.exception("%s of %r failed; the next request will try again", self._name, key)

    async def cancel(self, key: K) -> None:
        """Drop pending and running refreshes of `key` (e.g. before the final edit on close)."""
        self._dirty.discard(key)
        task = self._tasks.pop(key, None)
        if task is not asyncio.current_task():
            await cancel_and_wait(task)

    async def wait_idle(self) -> None:
        """Wait until no key has a refresh running or pending (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel everything (cog unload)."""
        for key in list(self._tasks):
            await self.cancel(key)
