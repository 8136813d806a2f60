"""Storyline benchmarks: picking the due guilds among 100,000, and 1,000 guilds due at once.

Run: ``python benchmarks/bench_storyline.py`` (uses a temporary SQLite file on disk).
The 1,000-guild run uses a fake ``send`` that sleeps 5 ms (then 50 ms); the end-to-end
version against the fake Discord lives with the cog. With 5 ms sends the single SQLite
writer (claim + record, about 1 ms per guild) paces the run, not the semaphore.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FakeClock
from bot.db import Database, SqliteDatabase
from bot.storyline import (
    COMMON_TIMEZONES,
    PostPlan,
    RotationEntry,
    SendResult,
    StorylineConfig,
    StorylineService,
    StorylineStore,
    next_run,
)
from bot.storyline.service import DEFAULT_CONCURRENCY

SCHEDULES = 100_000
WAKE_UPS = 1_000
DUE_LIMIT = 500
BURST_GUILDS = 1_000
SEND_SLEEP = 0.005
GOAL_WAKE_MS = 10.0
START = datetime(2026, 3, 1, tzinfo=UTC)
ENTRIES = [RotationEntry(f"mv-{n:02d}") for n in range(26)]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def seed_schedules(db: Database, count: int) -> None:
    """`count` guilds with random local times (15-minute steps) in the common timezones."""
    rng = random.Random(2026)
    rows = []
    for guild_id in range(1, count + 1):
        zone = rng.choice(COMMON_TIMEZONES)
        local_time = datetime(2000, 1, 1, rng.randrange(24), rng.randrange(0, 60, 15)).time()
        run = next_run(local_time, ZoneInfo(zone), START)
        paused = int(rng.random() < 0.05)
        rows.append(
            (
                guild_id,
                guild_id * 10,
                local_time.strftime("%H:%M"),
                zone,
                paused,
                int(run.run_at.timestamp()),
                run.local_date.isoformat(),
                0,
                0,
            )
        )
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO storyline_guilds (guild_id, channel_id, local_time, timezone, paused, "
            "next_run_at, next_local_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    async with db.transaction() as conn:  # either engine: fresh planner statistics
        await conn.execute("ANALYZE")


async def _measure_wake_ups(db: Database) -> tuple[list[float], list[int]]:
    """Each wake-up: earliest_due + due_guilds (timed), then the picked guilds move a day on."""
    await seed_schedules(db, SCHEDULES)
    store = StorylineStore(db)
    samples: list[float] = []
    picked: list[int] = []
    for _ in range(WAKE_UPS):
        started = time.perf_counter()
        due_at = await store.earliest_due()
        assert due_at is not None
        due = await store.due_guilds(due_at, DUE_LIMIT)
        samples.append((time.perf_counter() - started) * 1000)
        picked.append(len(due))
        # Not timed: what the claims would do, move each handled guild to its next day.
        async with db.transaction() as conn:
            await conn.executemany(
                "UPDATE storyline_guilds SET next_run_at = next_run_at + 86400 WHERE guild_id = ?",
                [(guild_id,) for guild_id in due],
            )
    return samples, picked


async def bench_wake_ups(directory: Path) -> None:
    db = SqliteDatabase(directory / "schedules.db")
    await db.connect()
    try:
        await db.migrate()
        samples, picked = await _measure_wake_ups(db)
    finally:
        await db.close()
    p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
    print(
        f"schedules on disk: {SCHEDULES:,} ({WAKE_UPS:,} wake-ups, {sum(picked):,} guilds picked, "
        f"{statistics.median(picked):.0f} median / {max(picked)} max per wake-up, limit {DUE_LIMIT})"
    )
    print(f"earliest_due + due_guilds p50: {p50:.2f} ms (goal <= {GOAL_WAKE_MS:.0f} ms)")
    print(f"earliest_due + due_guilds p99: {p99:.2f} ms (goal <= {GOAL_WAKE_MS:.0f} ms)")
    print(f"earliest_due + due_guilds max: {max(samples):.2f} ms")


class SleepySend:
    """A fake Discord side: each post takes `sleep` seconds; counts concurrency."""

    def __init__(self, sleep: float) -> None:
        self.sleep = sleep
        self.active = 0
        self.peak = 0
        self.posted: list[int] = []

    async def send(self, plan: PostPlan) -> SendResult:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.sleep)
        finally:
            self.active -= 1
        self.posted.append(plan.guild_id)
        return SendResult(plan.guild_id * 1000, plan.guild_id * 1000)

    async def find_existing(self, plan: PostPlan) -> SendResult | None:
        return None


async def bench_burst(directory: Path, send_sleep: float) -> None:
    db = SqliteDatabase(directory / f"burst-{send_sleep}.db")
    await db.connect()
    try:
        await db.migrate()
        await _measure_burst(db, send_sleep)
    finally:
        await db.close()


async def _measure_burst(db: Database, send_sleep: float) -> None:
    """1,000 guilds at 21:00 KST: run passes until nothing is due; all must post once."""
    clock = FakeClock(START)
    fake = SleepySend(send_sleep)
    service = StorylineService(
        db,
        clock,
        entries=lambda: ENTRIES,
        send=fake.send,
        find_existing=fake.find_existing,
        age_restricted=lambda guild_id, channel_id: False,
    )
    local_time = datetime(2000, 1, 1, 21, 0).time()
    for guild_id in range(1, BURST_GUILDS + 1):
        await service.store.save_setup(StorylineConfig(guild_id, guild_id * 10, local_time, "Asia/Seoul"), clock.now())
    due_at = await service.earliest_due()
    assert due_at is not None
    await clock.set(due_at)
    started = time.perf_counter()
    passes = 0
    while (due := await service.earliest_due()) is not None and due <= clock.now():
        await service.run_due(clock.now())
        passes += 1
    wall = time.perf_counter() - started
    once = len(fake.posted) == len(set(fake.posted)) == BURST_GUILDS
    serial = BURST_GUILDS * send_sleep
    label = f"{BURST_GUILDS:,} guilds due the same minute, {send_sleep * 1000:.0f} ms fake send"
    print(f"{label}: all posted once: {once} ({passes} passes of up to {DUE_LIMIT})")
    print(
        f"  run_due wall time: {wall:.2f} s (goal: all within the minute; one at a time would take >= {serial:.1f} s)"
    )
    print(f"  peak concurrent sends: {fake.peak} (bound: {DEFAULT_CONCURRENCY})")


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        await bench_wake_ups(Path(directory))
        await bench_burst(Path(directory), SEND_SLEEP)
        # Slower sends, closer to Discord's latency: concurrency reaches the bound.
        await bench_burst(Path(directory), 0.05)


if __name__ == "__main__":
    asyncio.run(main())
