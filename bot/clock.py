"""An injectable clock: every component that reads the time or sleeps until a time takes one.

Production uses :class:`SystemClock`; tests use :class:`FakeClock` and move time by hand,
which wakes every coroutine sleeping on it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    async def sleep_until(self, when: datetime) -> None:
        """Return at `when` (or at once if it has passed)."""
        ...


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_unix(moment: datetime) -> int:
    """Aware datetime -> unix seconds, how every time is stored. Naive times are refused:
    they would be read as the machine's local time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not accepted; pass an aware UTC datetime")
    return int(moment.timestamp())


def from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class SystemClock:
    def now(self) -> datetime:
        return utcnow()

    async def sleep_until(self, when: datetime) -> None:
        # Sleep in slices of at most an hour so a changed wall clock is noticed.
        while (delay := (when - utcnow()).total_seconds()) > 0:  # noqa: ASYNC110 - a deadline, not a flag
            await asyncio.sleep(min(delay, 3600.0))


class FakeClock:
    """A clock that only moves when told to. Sleepers wake when time passes their deadline."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._changed = asyncio.Condition()

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self._now >= when)

    async def advance(self, delta: timedelta) -> None:
        await self.set(self._now + delta)

    async def set(self, when: datetime) -> None:
        self._now = when
        async with self._changed:
            self._changed.notify_all()
        # Let the woken sleepers run before the caller goes on.
        for _ in range(5):
            await asyncio.sleep(0)
