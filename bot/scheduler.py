"""A database-backed timer dispatcher: sleep until the earliest due row, run it, repeat.

The rows live in SQLite, so nothing is lost across restarts: on start the dispatcher asks
for the earliest due time, which may be in the past (overdue work runs at once). It is
woken early by :meth:`Dispatcher.wake` when a row is added or changed, instead of scanning
on a fixed interval. One failing run is logged and the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock

log = logging.getLogger(__name__)

NextDue = Callable[[], Awaitable[datetime | None]]
RunDue = Callable[[datetime], Awaitable[None]]

#: After an unexpected error the loop waits this long before trying again, so a
#: persistent fault cannot spin the CPU.
ERROR_BACKOFF = timedelta(seconds=5)


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel a background task and wait until it has stopped (its cancellation is expected)."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Dispatcher:
    """Runs ``run_due(now)`` whenever ``next_due()`` says something is due.

    ``run_due`` must make progress: after it returns, the rows it handled must no longer be
    due (closed, rescheduled, or marked failed), or the dispatcher would run them again.
    """

    def __init__(self, name: str, clock: Clock, next_due: NextDue, run_due: RunDue) -> None:
        self.name = name
        self._clock = clock
        self._next_due = next_due
        self._run_due = run_due
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name=f"dispatcher:{self.name}")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    def wake(self) -> None:
        """Something changed (a row added, moved or removed): look again at the next due time."""
        self._woken.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _loop(self) -> None:
        while True:
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher %s failed; retrying in %s", self.name, ERROR_BACKOFF)
                await self._sleep_or_wake(self._clock.now() + ERROR_BACKOFF)

    async def _step(self) -> None:
        self._woken.clear()
        due = await self._next_due()
        now = self._clock.now()
        if due is not None and due <= now:
            self.runs += 1
            await self._run_due(now)
            return
        await self._sleep_or_wake(due)

    async def _sleep_or_wake(self, until: datetime | None) -> None:
        """Sleep until `until` (forever if None) or until :meth:`wake` is called."""
        waiter = asyncio.ensure_future(self._woken.wait())
        sleeper = asyncio.ensure_future(self._clock.sleep_until(until)) if until else None
        pending = {waiter} | ({sleeper} if sleeper else set())
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pending:
                task.cancel()
