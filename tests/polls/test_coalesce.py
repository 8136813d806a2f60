"""Coalescer: at most one refresh per key per interval, the last state always shown."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from bot.clock import FakeClock
from bot.polls.coalesce import Coalescer
from tests.polls.factories import NOW


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def recorder(clock: FakeClock) -> tuple[list[tuple[int, datetime]], Coalescer[int]]:
    calls: list[tuple[int, datetime]] = []

    async def refresh(key: int) -> None:
        calls.append((key, clock.now()))

    return calls, Coalescer(refresh, clock)


async def test_first_request_runs_at_once_and_a_burst_collapses_into_one_trailing_run(clock: FakeClock) -> None:
    calls, coalescer = recorder(clock)
    coalescer.request(1)
    await settle()
    assert calls == [(1, NOW)]
    for _ in range(100):
        coalescer.request(1)
    await clock.advance(timedelta(seconds=4))
    assert len(calls) == 1
    await clock.advance(timedelta(seconds=1))
    assert calls == [(1, NOW), (1, NOW + timedelta(seconds=5))]
    await clock.advance(timedelta(seconds=5))
    assert len(calls) == 2 and not coalescer.busy(1)  # nothing new: the worker ends


async def test_a_thousand_votes_over_ten_seconds_make_at_most_three_refreshes(clock: FakeClock) -> None:
    calls, coalescer = recorder(clock)
    for _ in range(1000):
        coalescer.request(7)
        await clock.advance(timedelta(milliseconds=10))
    last_request = clock.now()
    await clock.advance(timedelta(seconds=10))
    assert len(calls) <= 3
    assert calls[-1][1] >= last_request - timedelta(milliseconds=10)  # the final state shown
    gaps = [b[1] - a[1] for a, b in pairwise(calls)]
    assert all(gap >= timedelta(seconds=5) for gap in gaps)


async def test_keys_are_independent_and_never_refresh_twice_at_once(clock: FakeClock) -> None:
    release = asyncio.Event()
    running: dict[int, int] = {1: 0, 2: 0}
    most: dict[int, int] = {1: 0, 2: 0}
    runs: list[int] = []

    async def slow(key: int) -> None:
        running[key] += 1
        most[key] = max(most[key], running[key])
        runs.append(key)
        await release.wait()
        running[key] -= 1

    coalescer: Coalescer[int] = Coalescer(slow, clock)
    coalescer.request(1)
    coalescer.request(2)
    await settle()
    coalescer.request(1)  # while key 1 is being refreshed
    await clock.advance(timedelta(seconds=6))
    assert runs == [1, 2] and most == {1: 1, 2: 1}
    release.set()
    await settle()
    await clock.advance(timedelta(seconds=6))
    assert runs == [1, 2, 1] and most == {1: 1, 2: 1}
    await coalescer.aclose()


async def test_a_failing_refresh_is_logged_and_later_requests_still_run(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    attempts: list[datetime] = []

    async def flaky(key: int) -> None:
        attempts.append(clock.now())
        if len(attempts) == 1:
            raise RuntimeError("429 storm")

    coalescer: Coalescer[int] = Coalescer(flaky, clock, name="poll message edit")
    with caplog.at_level(logging.ERROR, logger="bot.polls.coalesce"):
        coalescer.request(3)
        await settle()
    assert coalescer.failures == 1 and "poll message edit of 3 failed" in caplog.text
    coalescer.request(3)
    await clock.advance(timedelta(seconds=5))
    assert len(attempts) == 2 and coalescer.runs == 2


async def test_cancel_drops_pending_refreshes(clock: FakeClock) -> None:
    calls, coalescer = recorder(clock)
    coalescer.request(1)
    await settle()
    coalescer.request(1)
    await coalescer.cancel(1)
    await clock.advance(timedelta(seconds=10))
    assert len(calls) == 1 and not coalescer.busy(1)
    coalescer.request(1)  # a new request after cancel runs again
    await settle()
    assert len(calls) == 2
    await coalescer.aclose()
